/*
 * timeout.c - a deadline for a block of code (asyncio.timeout).
 *
 * The scope arms a timer that cancels its task. At the end of the block
 * the scope takes that cancellation back (aw_task_uncancel); if no other
 * request is left, the AW_ECANCELLED the block ended with was its own,
 * and becomes AW_ETIMEDOUT.
 */
#include "internal.h"

#include <stdlib.h>

struct aw_timeout {
    aw_task *task;
    aw_timer timer; /* armed while the deadline is ahead */
    double when;    /* loop time, or -1: never */
    int cancelling; /* the task's requests when the scope began */
    bool expired;
};

static void expire(void *arg)
{
    aw_timeout *scope = arg;
    scope->expired = true;
    aw_task_cancel(scope->task);
}

static int arm(aw_timeout *scope, double when, const char *who)
{
    aw_loop *loop = scope->task->loop;
    aw__timer_remove(loop, &scope->timer); /* a no-op if not armed */
    scope->when = when < 0 ? -1 : when;
    if (when < 0)
        return 0;
    aw__timer_init(&scope->timer, expire, scope);
    scope->timer.when = aw__seconds_to_ns(when);
    if (aw__timer_push(loop, &scope->timer) != 0)
        return aw__fail(-ENOMEM, "%s: out of memory", who);
    return 0;
}

static aw_timeout *begin(double when, const char *who)
{
    aw_task *t = aw__task_require(who);
    if (!t)
        return NULL;
    aw_timeout *scope = calloc(1, sizeof *scope);
    if (!scope) {
        aw__fail(-ENOMEM, "%s: out of memory", who);
        return NULL;
    }
    scope->task = t;
    scope->cancelling = t->cancel_requests;
    aw__timer_init(&scope->timer, expire, scope);
    if (arm(scope, when, who) != 0) {
        free(scope);
        return NULL;
    }
    return scope;
}

aw_timeout *aw_timeout_new(double delay)
{
    aw_loop *loop = aw_running_loop();
    double now = loop ? aw_loop_time(loop) : 0;
    return begin(delay < 0 ? -1 : now + delay, "aw_timeout_new");
}

aw_timeout *aw_timeout_at(double when)
{
    return begin(when, "aw_timeout_at");
}

int aw_timeout_reschedule(aw_timeout *scope, double when)
{
    if (!scope)
        return aw__fail(AW_EMISUSE, "aw_timeout_reschedule: scope is NULL");
    if (scope->expired)
        return aw__fail(AW_ESTATE,
                        "aw_timeout_reschedule: the scope has expired");
    return arm(scope, when, "aw_timeout_reschedule");
}

double aw_timeout_when(const aw_timeout *scope)
{
    if (!scope) {
        aw__fail(AW_EMISUSE, "aw_timeout_when: scope is NULL");
        return 0;
    }
    return scope->when;
}

bool aw_timeout_expired(const aw_timeout *scope)
{
    if (!scope) {
        aw__fail(AW_EMISUSE, "aw_timeout_expired: scope is NULL");
        return false;
    }
    return scope->expired;
}

int aw_timeout_end(aw_timeout *scope, int body_rc)
{
    if (!scope)
        return aw__fail(AW_EMISUSE, "aw_timeout_end: scope is NULL");
    aw_task *t = scope->task;
    aw__timer_remove(t->loop, &scope->timer);
    int rc = body_rc;
    if (scope->expired && aw_task_uncancel(t) <= scope->cancelling &&
        body_rc == AW_ECANCELLED)
        rc = aw__fail(AW_ETIMEDOUT, "task '%s': the timeout expired", t->name);
    free(scope);
    return rc;
}
