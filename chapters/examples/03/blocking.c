/*
 * blocking.c - a blocking call inside a task. usleep() does not suspend
 * the task: it stops the whole thread, so the loop, the timers and every
 * other task stop with it. Debug mode measures each step and names the
 * task that held the loop too long.
 *
 * Run it with AW_DEBUG=1 to see the report (the times vary).
 */
#include "aw.h"

#include <unistd.h>

static void *heartbeat(void *arg)
{
    int *beats = arg;
    for (int i = 0; i < 5; i++) {
        aw_sleep(0.1);
        ++*beats;
    }
    return NULL;
}

// ANCHOR: bug
static void *compress_logs(void *arg)
{
    (void)arg;
    for (int chunk = 0; chunk < 3; chunk++)
        usleep(150 * 1000); /* BUG: blocks the loop for 150 ms */
    /* The fix: aw_sleep(0.15), which suspends only this task. */
    return NULL;
}
// ANCHOR_END: bug

int main(void)
{
    aw_loop *loop = aw_loop_new();
    int beats = 0;
    aw_task *h = aw_task_create(loop, heartbeat, &beats, "heartbeat");
    aw_task *c = aw_task_create(loop, compress_logs, NULL, "compress-logs");
    aw_loop_run_until_complete(loop, aw_task_future(c));
    printf("heartbeats while compressing: %d (expected 4)\n", beats);
    aw_loop_run_until_complete(loop, aw_task_future(h));
    aw_task_release(h);
    aw_task_release(c);
    return aw_loop_close(loop);
}
