/*
 * Solution: predict the order.
 * See chapter 2, sections "One pass of the loop", "Timers" and
 * "Futures".
 *
 * Pass 1 (t=0): the queue holds B, G, J, in the order they were
 *   scheduled. B schedules D (soon) and C (a timer due now); J completes
 *   the future, which queues its done callback H. All three wait for
 *   pass 2.
 * Pass 2 (t=0): the queue holds D, H; then the due timer C joins it.
 *   H adds I to a future that is already done: I is queued at once, for
 *   pass 3.
 * Pass 3 (t=0): I.
 * Nothing is ready: the virtual clock jumps to t=1, where A and F are
 *   due; equal deadlines run in the order they were scheduled.
 * E was cancelled before the loop ran, so it never runs; K at t=2 ends
 *   the story.
 */

const char *predicted_order(void)
{
    return "BGJDHCIAFK";
}
