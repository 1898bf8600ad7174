/*
 * Solution: an event that many tasks wait for (asyncio.Event).
 * See chapter 2, sections "Futures" and "Tasks".
 *
 * Every waiting task gets a future of its own, kept in a list; event_set
 * completes them all. One future each, as asyncio.Event does, because
 * cancelling a task cancels the future it awaits: with a shared future,
 * one cancelled waiter would take every other waiter down with it.
 */
#include "aw.h"

#include <stdlib.h>

typedef struct event {
    aw_loop *loop;
    bool is_set;
    aw_future **waiters; /* one per waiting task, oldest first */
    size_t len, cap;
} event;

event *event_new(aw_loop *loop)
{
    event *e = calloc(1, sizeof *e);
    if (e)
        e->loop = loop;
    return e;
}

void event_free(event *e)
{
    if (!e)
        return;
    free(e->waiters);
    free(e);
}

bool event_is_set(const event *e)
{
    return e->is_set;
}

void event_set(event *e)
{
    if (e->is_set)
        return;
    e->is_set = true;
    /* The waiters wake through the loop, in this order, after we return;
     * each one takes its own future out of the list then. */
    for (size_t i = 0; i < e->len; i++)
        aw_future_set_result(e->waiters[i], NULL);
    e->len = 0;
}

void event_clear(event *e)
{
    e->is_set = false;
}

static int add_waiter(event *e, aw_future *f)
{
    if (e->len == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 4;
        aw_future **w = realloc(e->waiters, cap * sizeof *w);
        if (!w)
            return -ENOMEM;
        e->waiters = w;
        e->cap = cap;
    }
    e->waiters[e->len++] = f;
    return 0;
}

/* A cancelled waiter leaves; the others keep their places. */
static void remove_waiter(event *e, aw_future *f)
{
    for (size_t i = 0; i < e->len; i++) {
        if (e->waiters[i] == f) {
            for (size_t j = i + 1; j < e->len; j++)
                e->waiters[j - 1] = e->waiters[j];
            e->len--;
            return;
        }
    }
}

int event_wait(event *e)
{
    if (e->is_set)
        return 0;
    aw_future *f = aw_future_new(e->loop);
    if (!f)
        return -ENOMEM;
    int rc = add_waiter(e, f);
    if (rc == 0)
        rc = aw_await(f, NULL);
    remove_waiter(e, f); /* still listed if we were cancelled */
    aw_future_release(f);
    return rc;
}
