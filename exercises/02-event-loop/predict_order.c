/*
 * Exercise: predict the order.
 *
 * The story in tests/02-event-loop/predict_order_test.c (function
 * tell_story, shown in chapter 2 next to this exercise) schedules
 * callbacks named A to K with call_soon, call_later, call_at, a timer
 * cancel and done callbacks, then runs the loop, which has a virtual
 * clock. Each callback appends its letter to a trace when it runs.
 *
 * Return the trace you predict, e.g. "KJIHGFEDCBA" (that one is wrong).
 * Work it out on paper first, pass by pass, with the rules of chapter 2:
 *   - the ready queue is first in, first out;
 *   - a callback scheduled during a pass runs on the next pass;
 *   - at the start of a pass, the timers that are due join the queue,
 *     in deadline order (equal deadlines: in the order they were made);
 *   - done callbacks always go through the queue, never run inline.
 * The grader tells you how many letters you have right from the start.
 *
 * See chapter 2, sections "One pass of the loop", "Timers" and
 * "Futures".
 */

const char *predicted_order(void)
{
    return "";
}
