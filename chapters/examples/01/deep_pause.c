/*
 * deep_pause.c - a task can pause from deep inside ordinary calls.
 *
 * The explorer task walks down a recursive function and pauses at the
 * bottom, four calls deep. While it is paused, another task runs. Then
 * the explorer resumes exactly where it stopped, with every local of
 * every call intact: they live on the task's own stack.
 */
#include "aw.h"

// ANCHOR: descend
/* An ordinary recursive function: nothing marks it as a coroutine. */
static int descend(int depth, int max)
{
    int here = depth * 10; /* a local on this call's frame */
    if (depth == max) {
        printf("explorer: paused %d calls deep\n", depth);
        aw_sleep(0); /* the whole chain of calls is suspended */
        printf("explorer: resumed %d calls deep\n", depth);
        return here;
    }
    return here + descend(depth + 1, max);
}
// ANCHOR_END: descend

static void *explorer(void *arg)
{
    (void)arg;
    int sum = descend(1, 4);
    printf("explorer: the locals survived, sum = %d\n", sum);
    return NULL;
}

static void *neighbour(void *arg)
{
    (void)arg;
    printf("neighbour: runs while the explorer is paused\n");
    return NULL;
}

int main(void)
{
    aw_loop *loop = aw_loop_new();
    aw_task *a = aw_task_create(loop, explorer, NULL, "explorer");
    aw_task *b = aw_task_create(loop, neighbour, NULL, "neighbour");
    aw_loop_run_until_complete(loop, aw_task_future(a));
    aw_task_release(a);
    aw_task_release(b);
    aw_loop_close(loop);
    return 0;
}
