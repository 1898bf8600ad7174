/*
 * wait.c - wait until some of many futures are done (asyncio.wait).
 *
 * A done callback on every input counts them down and releases one
 * waiter future. The bookkeeping is on the heap: callbacks already
 * queued when aw_wait returns still run, and must find it alive.
 */
#include "internal.h"

#include <stdlib.h>

typedef struct {
    aw_future *waiter;
    size_t remaining;
    aw_return_when when;
    int refs; /* aw_wait itself, and each callback not yet run */
    aw_timer timer;
} waiting;

static void let_go(waiting *w)
{
    if (--w->refs == 0) {
        aw_future_release(w->waiter);
        free(w);
    }
}

static void release_waiter(waiting *w)
{
    if (w->waiter->state == AW_PENDING)
        aw_future_set_result(w->waiter, NULL);
}

static void input_done(aw_future *f, void *arg)
{
    waiting *w = arg;
    w->remaining--;
    bool failed = f->state == AW_DONE && f->error != 0;
    if (w->when == AW_FIRST_COMPLETED || w->remaining == 0 ||
        (w->when == AW_FIRST_EXCEPTION && failed))
        release_waiter(w);
    let_go(w);
}

static void timed_out(void *arg)
{
    release_waiter(arg);
}

int aw_wait(aw_future *const *fs, size_t n, aw_return_when when, double timeout,
            bool *done)
{
    aw_task *t = aw__task_require("aw_wait");
    if (!t)
        return AW_EMISUSE;
    if ((n > 0 && !fs) || !done)
        return aw__fail(AW_EMISUSE, "aw_wait: futures and done are required");
    if (n == 0)
        return aw__fail(AW_EMISUSE, "aw_wait: no futures to wait for");
    for (size_t i = 0; i < n; i++)
        if (!fs[i] || fs[i]->loop != t->loop)
            return aw__fail(AW_EMISUSE,
                            "aw_wait: future %zu is NULL or belongs to "
                            "another loop",
                            i);
    waiting *w = calloc(1, sizeof *w);
    aw_future *waiter = aw_future_new(t->loop);
    if (!w || !waiter) {
        free(w);
        aw_future_release(waiter);
        return aw__fail(-ENOMEM, "aw_wait: out of memory");
    }
    *w = (waiting){.waiter = waiter, .remaining = n, .when = when, .refs = 1};
    aw__timer_init(&w->timer, timed_out, w);
    if (timeout >= 0) {
        w->timer.when = aw__loop_now(t->loop) + aw__seconds_to_ns(timeout);
        if (aw__timer_push(t->loop, &w->timer) != 0) {
            let_go(w);
            return aw__fail(-ENOMEM, "aw_wait: out of memory");
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (aw_future_add_done_callback(fs[i], input_done, w) != 0) {
            fprintf(stderr, "aw: out of memory in aw_wait\n");
            abort(); /* half registered: nothing sensible can follow */
        }
        w->refs++;
    }
    int rc = aw_await(waiter, NULL);
    aw__timer_remove(t->loop, &w->timer);
    for (size_t i = 0; i < n; i++) {
        w->refs -= aw_future_remove_done_callback(fs[i], input_done, w);
        done[i] = fs[i]->state != AW_PENDING;
    }
    let_go(w);
    return rc;
}
