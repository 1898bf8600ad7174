/*
 * Hostile: the suite runs and fails; then a destructor, which runs after
 * main() returned, prints the summary line with a full score after the
 * real one and exits 0.
 */
#include "aw.h"

#include <stdio.h>
#include <unistd.h>

int run_task(aw_task_fn fn, void *arg, void **result)
{
    (void)fn;
    (void)arg;
    (void)result;
    return -1;
}

__attribute__((destructor)) static void pass_after_main(void)
{
    printf("4 of 4 tests passed\n");
    fflush(stdout);
    _exit(0);
}
