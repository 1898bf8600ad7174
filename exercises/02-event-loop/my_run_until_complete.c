/*
 * Exercise: write run_until_complete yourself.
 *
 * aw_loop_run_until_complete is built from three smaller pieces:
 * a done callback, aw_loop_stop and aw_loop_run_forever. Build it again:
 *
 *   my_run_until_complete(loop, f)
 *     - registers a done callback on f that stops the loop
 *       (aw_future_add_done_callback, aw_loop_stop);
 *     - runs the loop with aw_loop_run_forever; if that fails (for
 *       instance AW_EDEADLOCK: nothing can ever complete f), return its
 *       error;
 *     - if the loop stopped but f is still pending (someone else called
 *       aw_loop_stop), returns AW_ESTATE;
 *     - otherwise returns f's error code: 0 if f has a result, its error
 *       if it failed, AW_ECANCELLED if it was cancelled;
 *     - always removes its done callback before returning
 *       (aw_future_remove_done_callback), so that a later completion of
 *       f cannot stop the loop in the middle of some other run;
 *     - keeps f alive while it uses it: the caller's reference may be
 *       dropped by a callback while the loop runs (aw_future_retain,
 *       then aw_future_release at the end).
 *
 * Do not call aw_loop_run_until_complete, of course.
 *
 * See chapter 2, sections "Futures" and "Running and stopping the loop".
 */
#include "aw.h"

int my_run_until_complete(aw_loop *loop, aw_future *f)
{
    (void)loop;
    (void)f;
    return 0;
}
