/*
 * event.c - a flag that tasks can wait for (asyncio.Event).
 *
 * set() wakes every waiter; each has its own future, so cancelling one
 * waiter leaves the others waiting (chapter 2's exercise `event` builds
 * the same thing).
 */
#include "sync_internal.h"

#include <stdlib.h>
#include <string.h>

struct aw_event {
    aw_loop *loop;
    char *name;
    bool is_set;
    aw__waitq waiters;
};

static void describe(const void *object, char *buf, size_t len)
{
    snprintf(buf, len, "event '%s'", ((const aw_event *)object)->name);
}

static const aw__wait_reason waiting_for_event = {describe, NULL};

aw_event *aw_event_new(aw_loop *loop, const char *name)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_event_new: loop is NULL");
        return NULL;
    }
    aw_event *e = calloc(1, sizeof *e);
    if (e)
        e->name = strdup(name ? name : "event");
    if (!e || !e->name) {
        free(e);
        aw__fail(-ENOMEM, "aw_event_new: out of memory");
        return NULL;
    }
    e->loop = loop;
    return e;
}

int aw_event_free(aw_event *e)
{
    if (!e)
        return aw__fail(AW_EMISUSE, "aw_event_free: event is NULL");
    if (e->waiters.len > 0)
        return aw__fail(AW_EMISUSE,
                        "aw_event_free: %zu task(s) wait on event '%s'",
                        e->waiters.len, e->name);
    free(e->name);
    free(e);
    return 0;
}

int aw_event_set(aw_event *e)
{
    if (!e)
        return aw__fail(AW_EMISUSE, "aw_event_set: event is NULL");
    if (!e->is_set) {
        e->is_set = true;
        aw__waitq_wake_all(&e->waiters);
    }
    return 0;
}

int aw_event_clear(aw_event *e)
{
    if (!e)
        return aw__fail(AW_EMISUSE, "aw_event_clear: event is NULL");
    e->is_set = false;
    return 0;
}

bool aw_event_is_set(const aw_event *e)
{
    if (!e) {
        aw__fail(AW_EMISUSE, "aw_event_is_set: event is NULL");
        return false;
    }
    return e->is_set;
}

int aw_event_wait(aw_event *e)
{
    if (!e)
        return aw__fail(AW_EMISUSE, "aw_event_wait: event is NULL");
    aw_task *t = aw__task_require("aw_event_wait");
    if (!t)
        return AW_EMISUSE;
    if (t->loop != e->loop)
        return aw__fail(AW_EMISUSE,
                        "aw_event_wait: event '%s' belongs to another loop",
                        e->name);
    if (e->is_set)
        return 0;
    bool woken;
    return aw__waitq_wait(&e->waiters, &waiting_for_event, e, "aw_event_wait",
                          &woken);
}
