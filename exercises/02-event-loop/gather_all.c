/*
 * Exercise: start many tasks, gather them, and clean up after a failure.
 *
 * run_all(fn, args, n, &total, why, why_size) is called from inside a
 * task. It
 *   - starts n tasks, fn(args[0]) .. fn(args[n-1]), that run at the
 *     same time; each one's result is a number carried in the pointer:
 *         long value = (long)(intptr_t)aw_task_result(task);
 *   - waits for all of them with one future from aw_gather;
 *   - on success stores the sum of the results in *total, returns 0;
 *   - when one fails, returns at once with its error code, and copies
 *     its message into why (cut to fit why_size, '\0'-terminated);
 *     *total is left alone. But first: the other tasks are still
 *     running (gather does not stop them). Cancel every task
 *     (aw_task_cancel) and wait for each one to end (aw_await), so that
 *     nothing is left behind when run_all returns. The grader checks
 *     that the loop has no pending task afterwards.
 *   - if the task that called run_all is itself cancelled while it
 *     waits, the same clean-up applies, and run_all returns
 *     AW_ECANCELLED.
 * Release the gathered future and every task before returning.
 *
 * Save the message before the clean-up: later awaits overwrite
 * aw_last_error().
 *
 * See chapter 2, sections "Tasks" and "Waiting for many: gather".
 */
#include "aw.h"

#include <stdint.h>
#include <stdlib.h>

int run_all(aw_task_fn fn, void *const *args, size_t n, long *total, char *why,
            size_t why_size)
{
    (void)fn;
    (void)args;
    (void)n;
    (void)total;
    (void)why;
    (void)why_size;
    return -1;
}
