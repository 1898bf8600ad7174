/*
 * as_completed.c - hand out futures as they finish (asyncio.as_completed).
 *
 * A done callback on each input appends it to a list and wakes the task
 * waiting in aw_as_completed_next. Inputs are retained until freed.
 */
#include "internal.h"

#include <stdlib.h>

struct aw_as_completed {
    aw_loop *loop;
    aw_future **inputs;   /* retained */
    aw_future **finished; /* in the order they finished */
    size_t n, nfinished, handed_out;
    aw_future *waiter; /* while a task waits in next, else NULL */
    aw_timer timer;
    bool timed_out;
    int callbacks; /* not yet run: the object must outlive them */
    bool freed;
};

static void destroy(aw_as_completed *it)
{
    for (size_t i = 0; i < it->n; i++)
        aw_future_release(it->inputs[i]);
    free(it->inputs);
    free(it->finished);
    free(it);
}

static void wake(aw_as_completed *it)
{
    if (it->waiter && it->waiter->state == AW_PENDING)
        aw_future_set_result(it->waiter, NULL);
}

static void input_done(aw_future *f, void *arg)
{
    aw_as_completed *it = arg;
    it->callbacks--;
    if (it->freed) {
        if (it->callbacks == 0)
            destroy(it);
        return;
    }
    it->finished[it->nfinished++] = f;
    wake(it);
}

static void timed_out(void *arg)
{
    aw_as_completed *it = arg;
    it->timed_out = true;
    wake(it);
}

aw_as_completed *aw_as_completed_new(aw_future *const *fs, size_t n,
                                     double timeout)
{
    aw_loop *loop = aw_running_loop();
    if (!fs || n == 0 || !loop) {
        aw__fail(AW_EMISUSE, "aw_as_completed_new: futures are required, "
                             "and a running loop");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!fs[i] || fs[i]->loop != loop) {
            aw__fail(AW_EMISUSE,
                     "aw_as_completed_new: future %zu is NULL or belongs to "
                     "another loop",
                     i);
            return NULL;
        }
    }
    aw_as_completed *it = calloc(1, sizeof *it);
    if (it) {
        it->inputs = malloc(n * sizeof *it->inputs);
        it->finished = malloc(n * sizeof *it->finished);
    }
    if (!it || !it->inputs || !it->finished) {
        if (it) {
            free(it->inputs);
            free(it->finished);
        }
        free(it);
        aw__fail(-ENOMEM, "aw_as_completed_new: out of memory");
        return NULL;
    }
    it->loop = loop;
    it->n = n;
    aw__timer_init(&it->timer, timed_out, it);
    if (timeout >= 0) {
        it->timer.when = aw__loop_now(loop) + aw__seconds_to_ns(timeout);
        if (aw__timer_push(loop, &it->timer) != 0) {
            destroy(it);
            aw__fail(-ENOMEM, "aw_as_completed_new: out of memory");
            return NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        it->inputs[i] = aw_future_retain(fs[i]);
        if (aw_future_add_done_callback(fs[i], input_done, it) != 0) {
            fprintf(stderr, "aw: out of memory in aw_as_completed_new\n");
            abort(); /* half registered: nothing sensible can follow */
        }
        it->callbacks++;
    }
    return it;
}

int aw_as_completed_next(aw_as_completed *it, aw_future **next)
{
    if (!it || !next)
        return aw__fail(AW_EMISUSE,
                        "aw_as_completed_next: iterator and next are "
                        "required");
    *next = NULL;
    if (it->handed_out == it->n)
        return aw__fail(-ENOENT, "aw_as_completed_next: every future has "
                                 "been handed out");
    while (it->handed_out == it->nfinished) {
        if (it->timed_out)
            return aw__fail(AW_ETIMEDOUT, "aw_as_completed_next: the "
                                          "timeout passed");
        if (it->waiter)
            return aw__fail(AW_EMISUSE, "aw_as_completed_next: another task "
                                        "is already waiting");
        aw_future *waiter = aw_future_new(it->loop);
        if (!waiter)
            return aw__fail(-ENOMEM, "aw_as_completed_next: out of memory");
        it->waiter = waiter;
        int rc = aw_await(waiter, NULL);
        it->waiter = NULL;
        aw_future_release(waiter);
        if (rc)
            return rc;
    }
    *next = it->finished[it->handed_out++];
    return 0;
}

int aw_as_completed_free(aw_as_completed *it)
{
    if (!it)
        return aw__fail(AW_EMISUSE, "aw_as_completed_free: iterator is NULL");
    if (it->waiter)
        return aw__fail(AW_EMISUSE, "aw_as_completed_free: a task waits in "
                                    "aw_as_completed_next");
    aw__timer_remove(it->loop, &it->timer);
    for (size_t i = 0; i < it->n; i++)
        it->callbacks -=
            aw_future_remove_done_callback(it->inputs[i], input_done, it);
    if (it->callbacks == 0)
        destroy(it);
    else
        it->freed = true; /* the queued callbacks free it */
    return 0;
}
