/*
 * Hostile: inline assembly that leaves run_task and its caller, the test
 * function, in one go (the frames are chained by the frame pointer), so
 * that the test "returns" before any assertion is checked.
 */
#include "aw.h"

int run_task(aw_task_fn fn, void *arg, void **result)
{
    (void)fn;
    (void)arg;
    (void)result;
    __asm__ volatile("mov %%rbp, %%rsp\n\t" /* leave run_task's frame */
                     "pop %%rbp\n\t"
                     "mov %%rbp, %%rsp\n\t" /* and the test function's */
                     "pop %%rbp\n\t"
                     "ret" ::
                         : "memory");
    return -1;
}
