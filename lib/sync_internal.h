/*
 * sync_internal.h - what the coordination primitives (lock.c, event.c,
 * semaphore.c, condition.c, queue.c) share: a FIFO queue of waiters.
 *
 * As in asyncio, every waiter has a future of its own, so that cancelling
 * one waiter (which cancels the future it awaits) leaves the others
 * waiting. A waiter's node lives on its task's stack: the task stays in
 * aw__waitq_wait until the node is unlinked again.
 */
#ifndef AW_SYNC_INTERNAL_H
#define AW_SYNC_INTERNAL_H

#include "internal.h"

typedef struct aw__waiter {
    aw_future *future;
    aw_task *task; /* who waits: introspection names it */
    struct aw__waiter *prev, *next;
} aw__waiter;

typedef struct {
    aw__waiter *head, *tail;
    size_t len;
} aw__waitq;

/* What a waiter's future stands for, so that introspection can say
 * "lock 'db' held by task 'writer' (#2)" instead of "a future".
 * describe writes one line; holder is the task that must act before the
 * waiter can go on (a lock's owner), or NULL: the await graph follows
 * it, so a lock cycle is reported as a deadlock cycle. */
typedef struct aw__wait_reason {
    void (*describe)(const void *object, char *buf, size_t len);
    aw_task *(*holder)(const void *object);
} aw__wait_reason;

/* Wait at the back of q until woken (0) or cancelled (AW_ECANCELLED).
 * After it returns, *woken tells whether a wake-up was handed to this
 * waiter, even if a cancellation came after it: the caller must then
 * pass it on (the classic lost wake-up otherwise). */
int aw__waitq_wait(aw__waitq *q, const aw__wait_reason *why, const void *object,
                   const char *who, bool *woken);
/* Wake the first waiter, if it has not been woken or cancelled already
 * (asyncio's _wake_up_first). True if one was woken now. */
bool aw__waitq_wake_first(aw__waitq *q);
/* Wake the first waiter not yet woken or cancelled (asyncio's
 * _wake_up_next). True if one was woken. */
bool aw__waitq_wake_next(aw__waitq *q);
/* Wake every waiter not yet woken or cancelled; how many were woken. */
size_t aw__waitq_wake_all(aw__waitq *q);
/* A waiter that may still take the wake-up: one not cancelled. */
bool aw__waitq_has_live(const aw__waitq *q);

/* "task 'name' (#id)" for messages, into buf. */
const char *aw__task_label(const aw_task *t, char *buf, size_t len);

#endif
