/*
 * timers.c - call_later, call_at, equal deadlines, cancelling a timer.
 *
 * The loop uses a virtual clock, so the times printed are exact: when
 * nothing is ready, the clock jumps to the next timer's deadline.
 */
#include "aw.h"

static void say(void *arg)
{
    printf("t=%.1f %s\n", aw_loop_time(aw_running_loop()), (const char *)arg);
}

static void stop(void *arg)
{
    say("stop");
    aw_loop_stop(arg);
}

int main(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    // ANCHOR: schedule
    aw_call_later(loop, 2.0, say, "two seconds later");
    aw_call_later(loop, 1.0, say, "one second later");
    aw_call_at(loop, aw_loop_time(loop) + 1.0, say,
               "also at 1.0, scheduled after it, so it runs after it");
    uint64_t never = aw_call_later(loop, 1.5, say, "cancelled: never runs");
    aw_call_later(loop, 0, say, "a zero delay: after the call_soon");
    aw_call_soon(loop, say, "call_soon: on the first pass");
    aw_call_later(loop, 3.0, stop, loop);

    aw_timer_cancel(loop, never);
    // ANCHOR_END: schedule
    aw_loop_run_forever(loop);

    // ANCHOR: cancel_again
    int rc = aw_timer_cancel(loop, never);
    printf("cancel again: %s: %s\n", aw_strerror(rc), aw_last_error());
    // ANCHOR_END: cancel_again
    aw_loop_close(loop);
    return 0;
}
