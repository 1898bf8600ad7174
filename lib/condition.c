/*
 * condition.c - wait until notified, with a lock (asyncio.Condition).
 *
 * wait() releases the lock, waits for a notify, and takes the lock back
 * before it returns, even when cancelled: the caller's clean-up runs
 * with the lock held, as it expects. A waiter notified and then
 * cancelled before it ran passes the notification on (Python 3.13).
 */
#include "sync_internal.h"

#include <stdlib.h>
#include <string.h>

struct aw_condition {
    aw_loop *loop;
    char *name;
    aw_lock *lock;
    bool owns_lock;
    aw__waitq waiters;
};

static void describe(const void *object, char *buf, size_t len)
{
    snprintf(buf, len, "condition '%s'", ((const aw_condition *)object)->name);
}

static const aw__wait_reason waiting_for_condition = {describe, NULL};

aw_condition *aw_condition_new(aw_loop *loop, const char *name, aw_lock *lock)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_condition_new: loop is NULL");
        return NULL;
    }
    aw_condition *c = calloc(1, sizeof *c);
    if (c)
        c->name = strdup(name ? name : "condition");
    if (c && c->name && !lock) {
        lock = aw_lock_new(loop, c->name);
        c->owns_lock = true;
    }
    if (!c || !c->name || !lock) {
        if (c)
            free(c->name);
        free(c);
        aw__fail(-ENOMEM, "aw_condition_new: out of memory");
        return NULL;
    }
    c->loop = loop;
    c->lock = lock;
    return c;
}

int aw_condition_free(aw_condition *c)
{
    if (!c)
        return aw__fail(AW_EMISUSE, "aw_condition_free: condition is NULL");
    if (c->waiters.len > 0)
        return aw__fail(AW_EMISUSE,
                        "aw_condition_free: %zu task(s) wait on condition "
                        "'%s'",
                        c->waiters.len, c->name);
    if (c->owns_lock && aw_lock_free(c->lock) != 0)
        return AW_EMISUSE; /* tasks wait on its lock: aw_lock_free said so */
    free(c->name);
    free(c);
    return 0;
}

aw_lock *aw_condition_lock(const aw_condition *c)
{
    if (!c) {
        aw__fail(AW_EMISUSE, "aw_condition_lock: condition is NULL");
        return NULL;
    }
    return c->lock;
}

static int notify(aw_condition *c, int n, const char *who)
{
    if (!aw_lock_locked(c->lock))
        return aw__fail(AW_ESTATE, "%s: the lock of condition '%s' is not held",
                        who, c->name);
    for (int woken = 0; woken < n && aw__waitq_wake_next(&c->waiters); woken++)
        ;
    return 0;
}

int aw_condition_wait(aw_condition *c)
{
    if (!c)
        return aw__fail(AW_EMISUSE, "aw_condition_wait: condition is NULL");
    aw_task *t = aw__task_require("aw_condition_wait");
    if (!t)
        return AW_EMISUSE;
    if (!aw_lock_locked(c->lock))
        return aw__fail(AW_ESTATE,
                        "aw_condition_wait: the lock of condition '%s' is not "
                        "held",
                        c->name);
    aw_lock_release(c->lock);
    bool woken;
    int rc = aw__waitq_wait(&c->waiters, &waiting_for_condition, c,
                            "aw_condition_wait", &woken);
    if (rc != 0 && woken)
        aw__waitq_wake_next(&c->waiters); /* pass the notification on */
    /* The lock again, whatever happens: a cancellation while taking it
     * is remembered and returned once it is held. */
    for (;;) {
        int again = aw_lock_acquire(c->lock);
        if (again == 0)
            break;
        if (again != AW_ECANCELLED)
            return again;
        rc = AW_ECANCELLED;
    }
    if (rc == AW_ECANCELLED)
        aw__fail(rc, "task '%s' was cancelled", t->name);
    return rc;
}

int aw_condition_notify(aw_condition *c, int n)
{
    if (!c)
        return aw__fail(AW_EMISUSE, "aw_condition_notify: condition is NULL");
    return notify(c, n, "aw_condition_notify");
}

int aw_condition_notify_all(aw_condition *c)
{
    if (!c)
        return aw__fail(AW_EMISUSE,
                        "aw_condition_notify_all: condition is NULL");
    return notify(
        c, (int)(c->waiters.len > 0x7fffffff ? 0x7fffffff : c->waiters.len),
        "aw_condition_notify_all");
}
