/*
 * futures.c - a future: pending, then done (a result or an error), or
 * cancelled; and its done callbacks, which always run through the loop.
 */
#include "aw.h"

static const char *state_name(const aw_future *f)
{
    switch (aw_future_state_of(f)) {
    case AW_PENDING:
        return "pending";
    case AW_DONE:
        return "done";
    case AW_CANCELLED:
        return "cancelled";
    }
    return "?";
}

// ANCHOR: callbacks
/* A done callback: runs on a pass after the future completes. */
static void report(aw_future *f, void *arg)
{
    const char *name = arg;
    if (aw_future_error(f) == 0)
        printf("  %s is %s: result \"%s\"\n", name, state_name(f),
               (const char *)aw_future_result(f));
    else
        printf("  %s is %s: error %d, \"%s\"\n", name, state_name(f),
               aw_future_error(f), aw_future_message(f));
}

/* A timer callback that completes the future: the "producer" side. */
static void deliver(void *arg)
{
    aw_future *f = arg;
    aw_future_set_result(f, "parcel");
    printf("  set_result returned; the callback has not run yet\n");
}
// ANCHOR_END: callbacks

int main(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);

    printf("a result:\n");
    // ANCHOR: result
    aw_future *parcel = aw_future_new(loop);
    aw_future_add_done_callback(parcel, report, "parcel");
    aw_call_later(loop, 1.0, deliver, parcel);
    printf("  parcel is %s\n", state_name(parcel));
    aw_loop_run_until_complete(loop, parcel);
    // ANCHOR_END: result

    // ANCHOR: twice
    int rc = aw_future_set_result(parcel, "another");
    printf("  completing it again: %s: %s\n", aw_strerror(rc), aw_last_error());
    // ANCHOR_END: twice

    printf("an error:\n");
    // ANCHOR: error
    aw_future *call = aw_future_new(loop);
    aw_future_add_done_callback(call, report, "call");
    aw_future_set_error(call, -ECONNREFUSED, "example.org refused us");
    rc = aw_loop_run_until_complete(loop, call);
    printf("  run_until_complete returned %d: %s\n", rc, aw_last_error());
    // ANCHOR_END: error

    printf("a cancellation:\n");
    aw_future *order = aw_future_new(loop);
    aw_future_add_done_callback(order, report, "order");
    printf("  cancel: %s\n", aw_future_cancel(order) ? "true" : "false");
    printf("  cancel again: %s\n", aw_future_cancel(order) ? "true" : "false");
    aw_loop_run_until_complete(loop, order);

    aw_future_release(parcel);
    aw_future_release(call);
    aw_future_release(order);
    aw_loop_close(loop);
    return 0;
}
