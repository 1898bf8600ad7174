/*
 * waitlist.c - tasks waiting until something happens.
 *
 * asyncio gives every waiter a future of its own (StreamWriter.drain,
 * Server.wait_closed); we do the same, so that cancelling one waiter
 * (which cancels the future it awaits) leaves the others waiting.
 */
#include "io_internal.h"

static void unlink_waiter(aw_waitlist *list, aw_waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else if (list->head == w)
        list->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->prev = w->next = NULL;
}

int aw__waitlist_wait(aw_waitlist *list, aw_task *t)
{
    return aw__waitlist_wait_for(list, t, -1);
}

int aw__waitlist_wait_for(aw_waitlist *list, aw_task *t, double timeout)
{
    aw_future *f = aw_future_new(t->loop);
    if (!f)
        return -ENOMEM;
    /* The node lives on this task's stack: the task stays in this
     * function until the node is unlinked again. */
    aw_waiter w = {.future = f, .next = list->head};
    if (list->head)
        list->head->prev = &w;
    list->head = &w;
    int rc = timeout < 0 ? aw_await(f, NULL) : aw_wait_for(f, timeout, NULL);
    unlink_waiter(list, &w); /* still listed if we were cancelled */
    aw_future_release(f);
    return rc;
}

void aw__waitlist_wake(aw_waitlist *list, int code)
{
    aw_waiter *w = list->head;
    list->head = NULL;
    while (w) {
        aw_waiter *next = w->next;
        w->prev = w->next = NULL;
        if (code == 0)
            aw_future_set_result(w->future, NULL);
        else
            aw_future_set_error(w->future, code, aw_strerror(code));
        w = next;
    }
}
