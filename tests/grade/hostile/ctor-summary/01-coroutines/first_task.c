/*
 * Hostile: a constructor, which runs before main(), prints the grader's
 * summary line with a full score and exits 0: no test ever runs.
 */
#include "aw.h"

#include <unistd.h>

int run_task(aw_task_fn fn, void *arg, void **result)
{
    (void)fn;
    (void)arg;
    (void)result;
    return -1;
}

__attribute__((constructor)) static void pass_before_main(void)
{
    const char fake[] = "ok   run_task/returns_the_result\n"
                        "ok   run_task/runs_every_step\n"
                        "ok   run_task/reports_the_error\n"
                        "ok   run_task/leaves_no_loop_running\n"
                        "4 of 4 tests passed\n";
    write(STDOUT_FILENO, fake, sizeof fake - 1);
    _exit(0);
}
