/*
 * semaphore.c - a counter of free units that tasks wait for
 * (asyncio.Semaphore and BoundedSemaphore).
 *
 * release() hands its unit straight to the first waiter (the value is
 * taken on the waiter's behalf), so a newcomer cannot take it first. A
 * waiter woken and then cancelled before it ran gives the unit back, and
 * the next waiter gets it: no wake-up is lost (Python 3.12's rules).
 */
#include "sync_internal.h"

#include <stdlib.h>
#include <string.h>

struct aw_semaphore {
    aw_loop *loop;
    char *name;
    int value;
    int bound; /* the initial value, or -1 if unbounded */
    aw__waitq waiters;
};

static void describe(const void *object, char *buf, size_t len)
{
    const aw_semaphore *s = object;
    snprintf(buf, len, "semaphore '%s' (value %d, %zu waiting)", s->name,
             s->value, s->waiters.len);
}

static const aw__wait_reason waiting_for_semaphore = {describe, NULL};

static aw_semaphore *make(aw_loop *loop, const char *name, int value,
                          bool bounded, const char *who)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "%s: loop is NULL", who);
        return NULL;
    }
    if (value < 0) {
        aw__fail(AW_EMISUSE, "%s: the value must be 0 or more (got %d)", who,
                 value);
        return NULL;
    }
    aw_semaphore *s = calloc(1, sizeof *s);
    if (s)
        s->name = strdup(name ? name : "semaphore");
    if (!s || !s->name) {
        free(s);
        aw__fail(-ENOMEM, "%s: out of memory", who);
        return NULL;
    }
    s->loop = loop;
    s->value = value;
    s->bound = bounded ? value : -1;
    return s;
}

aw_semaphore *aw_semaphore_new(aw_loop *loop, const char *name, int value)
{
    return make(loop, name, value, false, "aw_semaphore_new");
}

aw_semaphore *aw_bounded_semaphore_new(aw_loop *loop, const char *name,
                                       int value)
{
    return make(loop, name, value, true, "aw_bounded_semaphore_new");
}

int aw_semaphore_free(aw_semaphore *s)
{
    if (!s)
        return aw__fail(AW_EMISUSE, "aw_semaphore_free: semaphore is NULL");
    if (s->waiters.len > 0)
        return aw__fail(AW_EMISUSE,
                        "aw_semaphore_free: %zu task(s) wait on semaphore "
                        "'%s'",
                        s->waiters.len, s->name);
    free(s->name);
    free(s);
    return 0;
}

static bool locked(const aw_semaphore *s)
{
    return s->value == 0 || aw__waitq_has_live(&s->waiters);
}

/* Give the first waiter not yet woken a unit. */
static bool wake_up_next(aw_semaphore *s)
{
    if (!aw__waitq_wake_next(&s->waiters))
        return false;
    s->value--;
    return true;
}

int aw_semaphore_acquire(aw_semaphore *s)
{
    if (!s)
        return aw__fail(AW_EMISUSE, "aw_semaphore_acquire: semaphore is NULL");
    aw_task *t = aw__task_require("aw_semaphore_acquire");
    if (!t)
        return AW_EMISUSE;
    if (t->loop != s->loop)
        return aw__fail(AW_EMISUSE,
                        "aw_semaphore_acquire: semaphore '%s' belongs to "
                        "another loop",
                        s->name);
    if (!locked(s)) {
        s->value--;
        return 0;
    }
    bool woken;
    int rc = aw__waitq_wait(&s->waiters, &waiting_for_semaphore, s,
                            "aw_semaphore_acquire", &woken);
    if (rc != 0 && woken)
        s->value++; /* the unit handed to us goes back... */
    while (s->value > 0 && wake_up_next(s)) /* ...to the next waiter */
        ;
    return rc;
}

int aw_semaphore_release(aw_semaphore *s)
{
    if (!s)
        return aw__fail(AW_EMISUSE, "aw_semaphore_release: semaphore is NULL");
    if (s->bound >= 0 && s->value >= s->bound)
        return aw__fail(AW_ESTATE,
                        "aw_semaphore_release: bounded semaphore '%s' "
                        "released too many times (its value is %d)",
                        s->name, s->bound);
    s->value++;
    wake_up_next(s);
    return 0;
}

bool aw_semaphore_locked(const aw_semaphore *s)
{
    if (!s) {
        aw__fail(AW_EMISUSE, "aw_semaphore_locked: semaphore is NULL");
        return false;
    }
    return locked(s);
}

int aw_semaphore_value(const aw_semaphore *s)
{
    if (!s)
        return aw__fail(AW_EMISUSE, "aw_semaphore_value: semaphore is NULL");
    return s->value;
}
