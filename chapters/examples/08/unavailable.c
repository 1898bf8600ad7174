/*
 * unavailable.c - when io_uring cannot run, the error says why.
 *
 * On this machine io_uring may well work, so the program pretends it
 * does not: AW_URING_FORCE_UNAVAILABLE makes the backend's probe act as
 * if io_uring_setup had failed, the way each cause makes it fail. The
 * messages are the ones a real failure gives.
 */
#include "aw.h"

#include <stdlib.h>

int main(void)
{
    // ANCHOR: main
    const char *causes[] = {"ENOSYS", "disabled", "EPERM"};
    for (int i = 0; i < 3; i++) {
        setenv("AW_URING_FORCE_UNAVAILABLE", causes[i], 1);
        aw_loop_options options = {.backend = AW_BACKEND_IO_URING};
        aw_loop *loop = aw_loop_new_with(&options);
        if (!loop)
            printf("%s:\n  %s\n\n", causes[i], aw_last_error());
        else
            aw_loop_close(loop);
    }
    // ANCHOR_END: main
    return 0;
}
