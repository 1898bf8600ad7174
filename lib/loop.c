/*
 * loop.c - the event loop: create, run, stop, close.
 *
 * One pass of the loop (run_once), in the order asyncio's _run_once uses:
 *
 *   1. decide how long to block: not at all if callbacks are ready,
 *      until the next timer if there is one, else until I/O arrives;
 *   2. poll the backend; each ready descriptor queues its callback;
 *   3. note which timers are due;
 *   4. run the callbacks that are ready now, then the due timers, and
 *      only those: anything they schedule waits for the next pass, so a
 *      callback that keeps rescheduling itself cannot starve I/O and
 *      timers.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* The loop running in this thread: what aw_await and friends act on. */
static __thread aw_loop *running;

aw_loop *aw_running_loop(void)
{
    return running;
}

aw_loop *aw_loop_new(void)
{
    return aw_loop_new_with(NULL);
}

aw_loop *aw_loop_new_with(const aw_loop_options *options)
{
    aw_loop_options opts = options ? *options : (aw_loop_options){0};
    const aw_backend_ops *backend = aw__backend_choose(opts.backend);
    if (!backend)
        return NULL; /* aw__backend_choose said why */
    aw_loop *loop = calloc(1, sizeof *loop);
    if (!loop) {
        aw__fail(-ENOMEM, "aw_loop_new: out of memory");
        return NULL;
    }
    loop->state = AW_LOOP_IDLE;
    loop->backend = backend;
    const char *debug = getenv("AW_DEBUG");
    loop->debug = opts.debug || (debug && *debug && strcmp(debug, "0") != 0);
    loop->virtual_clock = opts.virtual_clock;
    loop->stack_size = opts.stack_size ? opts.stack_size : 256 * 1024;
    int rc = backend->create(loop);
    if (rc != 0) {
        /* The backend set the message; keep it, but name the caller. */
        char why[400];
        snprintf(why, sizeof why, "%s", aw_last_error());
        aw__fail(rc, "aw_loop_new: %s backend: %s", backend->name, why);
        free(loop);
        return NULL;
    }
    aw__observer_open(loop); /* $AW_DEBUG, $AW_TRACE (debug.c) */
    return loop;
}

aw_loop_state aw_loop_state_of(const aw_loop *loop)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_loop_state_of: loop is NULL");
        return (aw_loop_state)0;
    }
    return loop->state;
}

const char *aw_loop_backend_name(const aw_loop *loop)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_loop_backend_name: loop is NULL");
        return NULL;
    }
    return loop->backend->name;
}

int aw_call_soon(aw_loop *loop, aw_callback fn, void *arg)
{
    if (!loop || !fn)
        return aw__fail(AW_EMISUSE,
                        "aw_call_soon: loop and callback are required");
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "aw_call_soon: the loop is closed");
    int rc = aw__ready_push(&loop->ready, fn, arg);
    return rc ? aw__fail(rc, "aw_call_soon: out of memory") : 0;
}

/* ---- one pass -------------------------------------------------------------
 */

/* How long the backend may block, in ns; -1 means until I/O arrives. */
static aw_ns poll_timeout(aw_loop *loop)
{
    if (loop->ready.len > 0 || loop->stop_requested)
        return 0;
    aw_timer *next = aw__timer_peek(loop);
    if (!next)
        return -1;
    aw_ns wait = next->when - aw__loop_now(loop);
    return wait > 0 ? wait : 0;
}

/* Run one callback; debug mode and tracing time it. */
static void run_callback(aw_loop *loop, aw_callback fn, void *arg)
{
    if (loop->observer)
        aw__observe_callback(loop, fn, arg);
    else
        fn(arg);
}

/* ANCHOR: run_once */
static int run_once(aw_loop *loop)
{
    aw_ns timeout = poll_timeout(loop);
    if (timeout < 0 && loop->watched_fds == 0 && loop->inflight_ops == 0)
        return aw__deadlock_report(loop); /* names the stuck tasks */
    if (loop->observer)
        aw__observe_poll_begin(loop);
    if (loop->virtual_clock && timeout > 0) {
        /* Virtual time: look for I/O without waiting; if nothing at all
         * can run, jump the clock to the next timer (trio's autojump). */
        int n = loop->backend->poll(loop, 0);
        if (n < 0)
            return n;
        if (loop->ready.len == 0)
            loop->virtual_now = aw__timer_peek(loop)->when;
    } else {
        int n = loop->backend->poll(loop, timeout);
        if (n < 0)
            return n;
    }
    loop->polls++;
    if (loop->observer)
        aw__observe_poll_end(loop);

    /* Which timers are due is decided now, but each stays in the heap
     * until its turn: a callback that runs before it can still cancel it
     * (or, for a wait's timer, take it back before its frame is gone). */
    aw_ns now = aw__loop_now(loop);
    uint64_t newest_timer = loop->next_timer_seq; /* later ones: next pass */

    size_t ntodo = loop->ready.len;
    for (size_t i = 0; i < ntodo; i++) {
        aw_ready_item item;
        aw__ready_pop(&loop->ready, &item);
        run_callback(loop, item.fn, item.arg);
    }
    for (aw_timer *t; (t = aw__timer_peek(loop)) && t->when <= now &&
                      t->seq <= newest_timer;) {
        aw__timer_pop(loop);
        aw_callback fn = t->fn;
        void *arg = t->arg;
        if (t->owned_by_heap)
            free(t);
        run_callback(loop, fn, arg);
    }
    return 0;
}
/* ANCHOR_END: run_once */

/* ---- running and stopping --------------------------------------------------
 */

static int check_can_run(aw_loop *loop, const char *who)
{
    if (!loop)
        return aw__fail(AW_EMISUSE, "%s: loop is NULL", who);
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "%s: the loop is closed", who);
    if (loop->state != AW_LOOP_IDLE)
        return aw__fail(AW_EMISUSE, "%s: the loop is already running", who);
    if (running)
        return aw__fail(AW_EMISUSE,
                        "%s: another loop is running in this thread", who);
    return 0;
}

int aw_loop_run_forever(aw_loop *loop)
{
    int rc = check_can_run(loop, "aw_loop_run_forever");
    if (rc)
        return rc;
    running = loop;
    loop->state = AW_LOOP_RUNNING;
    /* At least one pass, as in asyncio: a stop requested before the run
     * still lets the callbacks already scheduled run once. */
    do {
        rc = run_once(loop);
    } while (rc == 0 && !loop->stop_requested);
    loop->stop_requested = false;
    loop->state = AW_LOOP_IDLE;
    running = NULL;
    return rc;
}

static void stop_when_done(aw_future *f, void *arg)
{
    (void)f;
    aw_loop_stop(arg);
}

int aw_loop_run_until_complete(aw_loop *loop, aw_future *f)
{
    int rc = check_can_run(loop, "aw_loop_run_until_complete");
    if (rc)
        return rc;
    if (!f)
        return aw__fail(AW_EMISUSE, "aw_loop_run_until_complete: future is "
                                    "NULL");
    if (f->loop != loop)
        return aw__fail(AW_EMISUSE, "aw_loop_run_until_complete: the future "
                                    "belongs to another loop");
    aw_future_retain(f);
    rc = aw_future_add_done_callback(f, stop_when_done, loop);
    if (rc == 0)
        rc = aw_loop_run_forever(loop);
    aw_future_remove_done_callback(f, stop_when_done, loop);
    if (rc == 0 && f->state == AW_PENDING)
        rc = aw__fail(AW_ESTATE, "aw_loop_run_until_complete: the loop "
                                 "stopped before the future was done");
    else if (rc == 0 && f->error)
        rc = aw__fail(aw_future_error(f), "%s", aw_future_message(f));
    else if (rc == 0)
        f->retrieved = true;
    aw_future_release(f);
    return rc;
}

int aw_loop_stop(aw_loop *loop)
{
    if (!loop)
        return aw__fail(AW_EMISUSE, "aw_loop_stop: loop is NULL");
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "aw_loop_stop: the loop is closed");
    loop->stop_requested = true;
    if (loop->state == AW_LOOP_RUNNING)
        loop->state = AW_LOOP_STOPPING;
    return 0;
}

/* ---- closing --------------------------------------------------------------
 */

int aw_loop_close(aw_loop *loop)
{
    if (!loop)
        return aw__fail(AW_EMISUSE, "aw_loop_close: loop is NULL");
    if (loop->freed)
        return aw__fail(AW_EMISUSE, "aw_loop_close: the loop was closed "
                                    "already (close a loop once, as with "
                                    "free())");
    if (loop->state != AW_LOOP_IDLE)
        return aw__fail(AW_EMISUSE, "aw_loop_close: cannot close a running "
                                    "loop");
    if (loop->pending_tasks > 0 && loop->debug)
        aw__debug_close_refused(loop); /* lists them all */
    if (loop->pending_tasks > 0)
        return aw__fail(AW_EMISUSE,
                        "aw_loop_close: %zu task(s) still pending, the first "
                        "'%s' (created at %s); cancel them or call "
                        "aw_loop_shutdown",
                        loop->pending_tasks, loop->tasks->name,
                        loop->tasks->origin);
    /* Callbacks that never ran are dropped, as asyncio's close drops
     * them; those that hold a future reference give it back. */
    aw_ready_item item;
    while (aw__ready_pop(&loop->ready, &item))
        if (aw__is_done_node_item(item.fn))
            aw__discard_done_node(item.arg);
    aw__signals_loop_closing(loop); /* they watch descriptors */
    aw__subprocess_loop_closing(loop);
    aw__threads_loop_closing(loop); /* waits for running thread jobs */
    aw__ready_free(&loop->ready);
    aw__timer_heap_free(loop);
    if (loop->observer)
        aw__observer_close(loop); /* before the backend: it unwatches */
    loop->backend->destroy(loop);
    free(loop->fds);
    aw__stack_pool_free(loop);
    if (loop->debug) {
        aw__debug_keep_closed_loop(loop); /* a while, to name misuse */
        return 0;
    }
    free(loop); /* unlike asyncio's, a closed loop is gone: close it once */
    return 0;
}

int aw_loop_shutdown(aw_loop *loop)
{
    int rc = check_can_run(loop, "aw_loop_shutdown");
    if (rc)
        return rc;
    for (aw_task *t = loop->tasks; t; t = t->next)
        aw_task_cancel(t);
    /* Run until every task has finished (cancelled, or done if it
     * chose to finish its work). */
    running = loop;
    loop->state = AW_LOOP_RUNNING;
    while (rc == 0 && loop->pending_tasks > 0)
        rc = run_once(loop);
    /* The tasks' last done callbacks (a gather's bookkeeping, say) are
     * still queued: give them a few passes, so what they own is freed
     * rather than dropped by close. Bounded, because a callback may keep
     * rescheduling itself. */
    for (int pass = 0; rc == 0 && loop->ready.len > 0 && pass < 16; pass++)
        rc = run_once(loop);
    loop->stop_requested = false;
    loop->state = AW_LOOP_IDLE;
    running = NULL;
    if (rc)
        return rc;
    return aw_loop_close(loop);
}
