/*
 * Solution: write run_until_complete yourself.
 * See chapter 2, sections "Futures" and "Running and stopping the loop".
 */
#include "aw.h"

/* Runs through the loop on the pass after f completes. */
static void stop_loop(aw_future *f, void *loop)
{
    (void)f;
    aw_loop_stop(loop);
}

int my_run_until_complete(aw_loop *loop, aw_future *f)
{
    aw_future_retain(f); /* ours until we return, whoever else lets go */
    int rc = aw_future_add_done_callback(f, stop_loop, loop);
    if (rc == 0)
        rc = aw_loop_run_forever(loop);
    aw_future_remove_done_callback(f, stop_loop, loop);
    if (rc == 0)
        rc = aw_future_done(f) ? aw_future_error(f) : AW_ESTATE;
    aw_future_release(f);
    return rc;
}
