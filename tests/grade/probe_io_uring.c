/*
 * probe_io_uring.c - can the sandbox run io_uring? grade.sh runs this in
 * the sandbox before grading an exercise with "// grade-needs: io_uring",
 * and skips the exercise if not. Prints the reason; exit status 1 if not.
 */
#include "aw.h"

#include <stdio.h>

int main(void)
{
    char why[300];

    if (aw_backend_available(AW_BACKEND_IO_URING, why, sizeof why) != 0) {
        printf("%s\n", why);
        return 1;
    }
    return 0;
}
