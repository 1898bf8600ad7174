/*
 * waiting.c - waiting without blocking: aw_sleep against usleep.
 *
 * Three "downloads" each wait a while. The first run waits with
 * usleep(3), which blocks the whole thread: nothing else can run, so
 * they go one after another. The second run waits with aw_sleep, which
 * pauses only the task: all three wait at the same time.
 *
 * The second loop uses a virtual clock, which jumps straight to the next
 * timer when every task is waiting: the run is instant, and the times it
 * prints are exact.
 */
#include "aw.h"

#include <unistd.h>

// ANCHOR: blocking
static void *download_blocking(void *arg)
{
    const char *name = arg;
    printf("  %s starts\n", name);
    usleep(100 * 1000); /* blocks the thread: the loop is stuck here */
    printf("  %s done\n", name);
    return NULL;
}
// ANCHOR_END: blocking

// ANCHOR: waiting
static void *download(void *arg)
{
    const char *name = arg;
    aw_loop *loop = aw_running_loop();
    printf("  %s starts at t=%.1f\n", name, aw_loop_time(loop));
    aw_sleep(1.0); /* pauses this task only: the loop runs the others */
    printf("  %s done at t=%.1f\n", name, aw_loop_time(loop));
    return NULL;
}
// ANCHOR_END: waiting

static void run_three(aw_loop *loop, aw_task_fn fn)
{
    const char *names[] = {"A", "B", "C"};
    aw_task *tasks[3];
    for (int i = 0; i < 3; i++)
        tasks[i] = aw_task_create(loop, fn, (void *)names[i], names[i]);
    for (int i = 0; i < 3; i++) {
        aw_loop_run_until_complete(loop, aw_task_future(tasks[i]));
        aw_task_release(tasks[i]);
    }
}

int main(void)
{
    printf("blocking with usleep:\n");
    aw_loop *loop = aw_loop_new();
    run_three(loop, download_blocking);
    aw_loop_close(loop);

    printf("waiting with aw_sleep:\n");
    // ANCHOR: virtual
    aw_loop_options options = {.virtual_clock = true};
    loop = aw_loop_new_with(&options);
    // ANCHOR_END: virtual
    run_three(loop, download);
    printf("  all done at t=%.1f, not 3.0\n", aw_loop_time(loop));
    aw_loop_close(loop);
    return 0;
}
