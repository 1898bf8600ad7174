/*
 * sleep.c - waits measured in time: aw_sleep and aw_wait_for.
 *
 * Both are built from the same two parts as in asyncio: a future, and a
 * timer whose callback settles it. The timer is embedded (in the task, or
 * on the waiting task's stack), so a sleep allocates only its future.
 */
#include "internal.h"

/* aw_sleep(0): go to the back of the ready queue, and come back on the
 * next pass. Other tasks and callbacks get their turn. */
static int yield(aw_task *t)
{
    int rc = aw__task_schedule(t);
    if (rc)
        return aw__fail(rc, "aw_sleep: out of memory");
    aw__task_suspend(t);
    return aw__task_take_cancel(t) ? AW_ECANCELLED : 0;
}

static void wake_sleeper(void *arg)
{
    aw_future_set_result(arg, NULL);
}

/* A cancelled sleep must take its timer out of the heap. */
static void cancel_sleep_timer(aw_future *f, void *arg)
{
    (void)f;
    aw__timer_remove(f->loop, arg);
}

int aw_sleep(double seconds)
{
    aw_task *t = aw__task_require("aw_sleep");
    if (!t)
        return AW_EMISUSE;
    if (!(seconds > 0))
        return yield(t);
    aw_future *f = aw_future_new(t->loop);
    if (!f)
        return -ENOMEM;
    aw__timer_init(&t->sleep_timer, wake_sleeper, f);
    t->sleep_timer.when = aw__loop_now(t->loop) + aw__seconds_to_ns(seconds);
    if (aw__timer_push(t->loop, &t->sleep_timer) != 0) {
        aw_future_release(f);
        return aw__fail(-ENOMEM, "aw_sleep: out of memory");
    }
    f->on_cancel = cancel_sleep_timer;
    f->on_cancel_arg = &t->sleep_timer;
    int rc = aw_await(f, NULL);
    aw__timer_remove(t->loop, &t->sleep_timer); /* no-op unless early */
    aw_future_release(f);
    return rc;
}

/* ---- wait_for ------------------------------------------------------- */

typedef struct {
    aw_future *future;
    bool timed_out;
} deadline;

static void deadline_passed(void *arg)
{
    deadline *d = arg;
    d->timed_out = true;
    aw_future_cancel(d->future);
}

int aw_wait_for(aw_future *f, double timeout, void **result)
{
    aw_task *t = aw__task_require("aw_wait_for");
    if (!t)
        return AW_EMISUSE;
    if (!f)
        return aw__fail(AW_EMISUSE, "aw_wait_for: future is NULL");
    if (result)
        *result = NULL;
    deadline d = {.future = f};
    /* The timer lives on this task's stack: the task stays inside this
     * function until the timer has fired or been removed. */
    aw_timer timer;
    aw__timer_init(&timer, deadline_passed, &d);
    timer.when = aw__loop_now(t->loop) + aw__seconds_to_ns(timeout);
    if (f->state == AW_PENDING && aw__timer_push(t->loop, &timer) != 0)
        return aw__fail(-ENOMEM, "aw_wait_for: out of memory");

    aw_future_retain(f);
    int rc = aw_await(f, result);
    if (rc == AW_ECANCELLED && f->state == AW_PENDING) {
        /* We were cancelled ourselves; cancel the inner future too, and
         * wait for it to finish, as asyncio does. */
        aw_future_cancel(f);
        while (f->state == AW_PENDING && aw_await(f, NULL) == AW_ECANCELLED)
            ;
        rc = AW_ECANCELLED;
    }
    aw__timer_remove(t->loop, &timer);
    /* Ended by our cancellation: cancelled, or done with AW_ECANCELLED
     * (a gather whose input was cancelled). */
    if (d.timed_out && aw_future_done(f) && f->error == AW_ECANCELLED)
        rc = aw__fail(AW_ETIMEDOUT, "aw_wait_for: no result after %g s",
                      timeout);
    aw_future_release(f);
    return rc;
}
