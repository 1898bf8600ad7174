/*
 * Exercise: write the task dump yourself.
 *
 * aw_loop_dump_tasks prints a table of the pending tasks. Write a
 * smaller one from the introspection API, the way a monitoring page or a
 * log line would show it. print_tasks(loop, out) prints one line per
 * pending task, oldest first (the order aw_loop_tasks gives):
 *
 *     #ID NAME STATE WAITS
 *
 * separated by single spaces, where STATE is aw_task_state_name(...)
 * and WAITS says what the task is suspended on (aw_task_await_kind):
 *
 *     -               nothing: it is running, or ready to run
 *     sleep           it is in aw_sleep
 *     future          some other future
 *     task #4         another task: its id
 *     gather #2,#3    a gather: the ids of the pending tasks among its
 *                     inputs (aw_task_awaited_tasks gives them, in order),
 *                     or just "gather" if none of them is a pending task
 *
 * then a last line "N pending" (N = the number of pending tasks), and
 * returns N. For example:
 *
 *     #1 page pending gather #3,#4
 *     #2 monitor running -
 *     #3 news pending task #5
 *     #4 ads pending sleep
 *     #5 user pending future
 *     5 pending
 *
 * Print every task, however many there are.
 *
 * See chapter 3, sections "Monitoring the loop" and "Who awaits whom".
 */
#include "aw.h"

size_t print_tasks(aw_loop *loop, FILE *out)
{
    (void)loop;
    (void)out;
    return 0;
}
