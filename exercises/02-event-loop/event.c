/*
 * Exercise: an event that many tasks wait for (asyncio.Event).
 *
 * An event is a flag that tasks can wait on:
 *
 *   event_new(loop)   a new event, not set. NULL if out of memory.
 *   event_wait(e)     called from a task: returns 0 at once if e is set;
 *                     otherwise suspends the task until event_set(e) is
 *                     called, then returns 0. If the waiting task is
 *                     cancelled, returns AW_ECANCELLED, and the other
 *                     waiters must keep waiting, unharmed.
 *   event_set(e)      sets the flag and wakes every waiting task, in the
 *                     order they started to wait. Setting it again does
 *                     nothing. Plain code may call it, e.g. a timer
 *                     callback; it never waits itself.
 *   event_clear(e)    clears the flag: later event_wait calls wait again.
 *   event_is_set(e)   the flag.
 *   event_free(e)     frees it; no task is waiting on it by then.
 *
 * Build it on futures: a waiting task awaits a future that event_set
 * completes. Think about how many futures: a task that is cancelled
 * while it awaits a future cancels that future (chapter 2, "Timeouts and
 * cancellation"). If all the waiters shared one future, one
 * cancellation would wake them all with AW_ECANCELLED.
 * Release every future you make: the grader runs under LeakSanitizer.
 *
 * See chapter 2, sections "Futures" and "Tasks".
 */
#include "aw.h"

#include <stdlib.h>

typedef struct event {
    aw_loop *loop;
    bool is_set;
} event;

event *event_new(aw_loop *loop)
{
    (void)loop;
    return NULL;
}

void event_free(event *e)
{
    free(e);
}

bool event_is_set(const event *e)
{
    return e->is_set;
}

void event_set(event *e)
{
    e->is_set = true;
}

void event_clear(event *e)
{
    e->is_set = false;
}

int event_wait(event *e)
{
    (void)e;
    return 0;
}
