/*
 * Exercise: run a coroutine and collect its result.
 *
 * A coroutine does nothing until a loop runs it. Write run_task, the
 * few lines every program here starts with:
 *
 *   run_task(fn, arg, &result)
 *     - makes a loop of its own (aw_loop_new),
 *     - creates a task that runs fn(arg) (aw_task_create),
 *     - runs the loop until that task is done,
 *     - stores what fn returned in *result and returns 0;
 *     - if the task failed, returns its error code instead (a negative
 *       number, such as -EIO) and leaves *result alone;
 *     - and in every case lets go of what it made: the task reference
 *       (aw_task_release) and the loop (aw_loop_close). The grader runs
 *       under LeakSanitizer, so a forgotten one shows up as a leak.
 *   If the loop cannot be made, return a negative error code.
 *
 * See chapter 1, sections "Running a coroutine on a loop" and
 * "Returning values and errors".
 */
#include "aw.h"

int run_task(aw_task_fn fn, void *arg, void **result)
{
    (void)fn;
    (void)arg;
    (void)result;
    return -1;
}
