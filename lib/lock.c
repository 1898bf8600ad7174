/*
 * lock.c - a mutual exclusion lock for tasks (asyncio.Lock).
 *
 * Fair: a free lock goes to the first waiter, and a newcomer queues
 * behind waiters that have not been cancelled. release() wakes only the
 * first waiter; if that waiter is cancelled before it runs, it wakes the
 * next one on its way out, so the wake-up is never lost.
 */
#include "sync_internal.h"

#include <stdlib.h>
#include <string.h>

struct aw_lock {
    aw_loop *loop;
    char *name;
    bool locked;
    aw_task *owner;
    aw__waitq waiters;
};

static void describe(const void *object, char *buf, size_t len)
{
    const aw_lock *lock = object;
    char owner[96];
    snprintf(buf, len, "lock '%s' held by %s", lock->name,
             aw__task_label(lock->owner, owner, sizeof owner));
}

static aw_task *holder(const void *object)
{
    return ((const aw_lock *)object)->owner;
}

static const aw__wait_reason waiting_for_lock = {describe, holder};

aw_lock *aw_lock_new(aw_loop *loop, const char *name)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_lock_new: loop is NULL");
        return NULL;
    }
    aw_lock *lock = calloc(1, sizeof *lock);
    if (lock)
        lock->name = strdup(name ? name : "lock");
    if (!lock || !lock->name) {
        free(lock);
        aw__fail(-ENOMEM, "aw_lock_new: out of memory");
        return NULL;
    }
    lock->loop = loop;
    return lock;
}

int aw_lock_free(aw_lock *lock)
{
    if (!lock)
        return aw__fail(AW_EMISUSE, "aw_lock_free: lock is NULL");
    if (lock->waiters.len > 0)
        return aw__fail(AW_EMISUSE,
                        "aw_lock_free: %zu task(s) wait on lock '%s'",
                        lock->waiters.len, lock->name);
    free(lock->name);
    free(lock);
    return 0;
}

int aw_lock_acquire(aw_lock *lock)
{
    if (!lock)
        return aw__fail(AW_EMISUSE, "aw_lock_acquire: lock is NULL");
    aw_task *t = aw__task_require("aw_lock_acquire");
    if (!t)
        return AW_EMISUSE;
    if (t->loop != lock->loop)
        return aw__fail(AW_EMISUSE,
                        "aw_lock_acquire: lock '%s' belongs to another loop",
                        lock->name);
    if (!lock->locked && !aw__waitq_has_live(&lock->waiters)) {
        lock->locked = true;
        lock->owner = t;
        return 0;
    }
    bool woken;
    int rc = aw__waitq_wait(&lock->waiters, &waiting_for_lock, lock,
                            "aw_lock_acquire", &woken);
    if (rc != 0) {
        /* Cancelled. If the lock is free, a wake-up may have been meant
         * for us: hand it to the next waiter. */
        if (!lock->locked)
            aw__waitq_wake_first(&lock->waiters);
        return rc;
    }
    lock->locked = true;
    lock->owner = t;
    return 0;
}

int aw_lock_release(aw_lock *lock)
{
    if (!lock)
        return aw__fail(AW_EMISUSE, "aw_lock_release: lock is NULL");
    if (!lock->locked)
        return aw__fail(AW_ESTATE, "aw_lock_release: lock '%s' is not held",
                        lock->name);
    lock->locked = false;
    lock->owner = NULL;
    aw__waitq_wake_first(&lock->waiters);
    return 0;
}

bool aw_lock_locked(const aw_lock *lock)
{
    if (!lock) {
        aw__fail(AW_EMISUSE, "aw_lock_locked: lock is NULL");
        return false;
    }
    return lock->locked;
}

aw_task *aw_lock_owner(const aw_lock *lock)
{
    if (!lock) {
        aw__fail(AW_EMISUSE, "aw_lock_owner: lock is NULL");
        return NULL;
    }
    return lock->owner;
}

const char *aw_lock_name(const aw_lock *lock)
{
    if (!lock) {
        aw__fail(AW_EMISUSE, "aw_lock_name: lock is NULL");
        return "";
    }
    return lock->name;
}
