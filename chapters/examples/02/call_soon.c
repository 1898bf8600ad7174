/*
 * call_soon.c - the ready queue, and the rule of the pass.
 *
 * Callbacks run in the order they were scheduled. A callback scheduled
 * while a pass is running waits for the next pass, even if it was
 * scheduled before the others in this pass have run.
 */
#include "aw.h"

// ANCHOR: callbacks
static int pass;

/* Scheduled first on every pass, so it marks where each pass begins. */
static void mark_pass(void *arg)
{
    aw_loop *loop = arg;
    printf("-- pass %d\n", ++pass);
    if (pass == 3) {
        aw_loop_stop(loop); /* this pass is the last */
        return;
    }
    aw_call_soon(loop, mark_pass, loop);
}

static void say(void *arg)
{
    printf("%s\n", (const char *)arg);
}

static void first(void *arg)
{
    aw_loop *loop = arg;
    printf("first: schedules 'later'\n");
    aw_call_soon(loop, say, "later: scheduled during pass 1, runs in pass 2");
}
// ANCHOR_END: callbacks

int main(void)
{
    aw_loop *loop = aw_loop_new();
    // ANCHOR: main
    aw_call_soon(loop, mark_pass, loop);
    aw_call_soon(loop, first, loop);
    aw_call_soon(loop, say, "second");
    aw_call_soon(loop, say, "third");
    aw_loop_run_forever(loop);
    // ANCHOR_END: main
    aw_loop_close(loop);
    return 0;
}
