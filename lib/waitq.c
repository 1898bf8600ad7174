/*
 * waitq.c - a FIFO queue of waiting tasks, for locks, events, semaphores,
 * conditions and queues (sync_internal.h).
 *
 * The node and its future belong to the waiting task, which unlinks the
 * node itself when its await returns: a waker only completes futures. So
 * a woken waiter stays in the queue until it runs, and a new arrival can
 * see that someone is ahead of it (FIFO order, no barging).
 */
#include "sync_internal.h"

static void unlink_waiter(aw__waitq *q, aw__waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        q->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->tail = w->prev;
    w->prev = w->next = NULL;
    q->len--;
}

int aw__waitq_wait(aw__waitq *q, const aw__wait_reason *why, const void *object,
                   const char *who, bool *woken)
{
    *woken = false;
    aw_task *t = aw__task_require(who);
    if (!t)
        return AW_EMISUSE;
    aw_future *f = aw_future_new(t->loop);
    if (!f)
        return aw__fail(-ENOMEM, "%s: out of memory", who);
    aw__waiter w = {.future = f, .task = t, .prev = q->tail};
    if (q->tail)
        q->tail->next = &w;
    else
        q->head = &w;
    q->tail = &w;
    q->len++;
    t->wait_reason = why;
    t->wait_object = object;
    int rc = aw_await(f, NULL);
    t->wait_reason = NULL;
    t->wait_object = NULL;
    unlink_waiter(q, &w);
    *woken = f->state == AW_DONE && f->error == 0;
    aw_future_release(f);
    return rc;
}

static bool wake(aw__waiter *w)
{
    if (w->future->state != AW_PENDING)
        return false; /* woken already, or cancelled */
    aw_future_set_result(w->future, NULL);
    return true;
}

bool aw__waitq_wake_first(aw__waitq *q)
{
    return q->head && wake(q->head);
}

bool aw__waitq_wake_next(aw__waitq *q)
{
    for (aw__waiter *w = q->head; w; w = w->next)
        if (wake(w))
            return true;
    return false;
}

size_t aw__waitq_wake_all(aw__waitq *q)
{
    size_t n = 0;
    for (aw__waiter *w = q->head; w; w = w->next)
        n += wake(w);
    return n;
}

bool aw__waitq_has_live(const aw__waitq *q)
{
    for (const aw__waiter *w = q->head; w; w = w->next)
        if (w->future->state != AW_CANCELLED)
            return true;
    return false;
}

const char *aw__task_label(const aw_task *t, char *buf, size_t len)
{
    if (t)
        snprintf(buf, len, "task '%s' (#%llu)", t->name,
                 (unsigned long long)t->id);
    else
        snprintf(buf, len, "no task");
    return buf;
}
