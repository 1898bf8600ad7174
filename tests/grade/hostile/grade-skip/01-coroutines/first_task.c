/*
 * Hostile: calls the grader's exported skip function, before main() (from
 * a constructor) and from run_task, claiming this machine cannot run the
 * exercise. A skip must never count as a pass.
 */
#include "aw.h"

void grade_skip(const char *fmt, ...);

__attribute__((constructor)) static void skip_before_main(void)
{
    grade_skip("io_uring is not available on this machine");
}

int run_task(aw_task_fn fn, void *arg, void **result)
{
    (void)fn;
    (void)arg;
    (void)result;
    grade_skip("io_uring is not available on this machine");
    return -1;
}
