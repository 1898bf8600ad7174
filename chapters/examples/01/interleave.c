/*
 * interleave.c - two coroutines take turns, because each one yields.
 *
 * The same two countdowns run twice: first each step ends with
 * aw_sleep(0), which hands control back to the loop; then without it,
 * so the first task runs to its end before the second starts.
 */
#include "aw.h"

typedef struct {
    char name;   /* 'A' or 'B' */
    int from;    /* count down from here */
    bool yields; /* call aw_sleep(0) after each step? */
} countdown_args;

// ANCHOR: countdown
static void *countdown(void *arg)
{
    const countdown_args *c = arg;
    for (int i = c->from; i > 0; i--) {
        printf(" %c%d", c->name, i);
        if (c->yields)
            aw_sleep(0); /* let the other task have a turn */
    }
    return NULL;
}
// ANCHOR_END: countdown

static void race(bool yields)
{
    aw_loop *loop = aw_loop_new();
    countdown_args a = {'A', 3, yields}, b = {'B', 3, yields};
    aw_task *ta = aw_task_create(loop, countdown, &a, "A");
    aw_task *tb = aw_task_create(loop, countdown, &b, "B");
    aw_loop_run_until_complete(loop, aw_task_future(tb));
    aw_loop_run_until_complete(loop, aw_task_future(ta)); /* done already */
    printf("\n");
    aw_task_release(ta);
    aw_task_release(tb);
    aw_loop_close(loop);
}

int main(void)
{
    printf("with aw_sleep(0):   ");
    race(true);
    printf("without aw_sleep(0):");
    race(false);
    return 0;
}
