/*
 * debug.c - debug mode, and the loop's observer that carries it.
 *
 * Debug mode (asyncio's loop.set_debug) costs time, so it is off unless
 * asked for: $AW_DEBUG=1, aw_loop_options.debug or aw_loop_set_debug.
 * It reports the mistakes that otherwise go unseen:
 *
 *   - a callback or task step that runs too long: while it runs, no other
 *     task, timer or I/O gets a turn (a blocking call inside a task);
 *   - an error nobody retrieved: a task failed, and no one awaited it or
 *     asked for its error (a coroutine that is never awaited);
 *   - a loop closed, or a task freed, while tasks are still pending;
 *   - an object used after it was freed: a future or task released once
 *     too often, a released future awaited, a loop closed twice. Freed
 *     objects are kept for a while (a quarantine) marked as freed, so
 *     such a call is named, with the object and where it was made,
 *     instead of reading freed memory.
 *
 * The loop calls in here only when loop->observer is set, so a program
 * without debug mode or tracing pays one pointer test per callback.
 */
#include "observer.h"
#include "stream_internal.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_SLOW_CALLBACK_NS (100 * 1000 * 1000) /* asyncio's 100 ms */

/* ---- where reports go -------------------------------------------------- */

static FILE *debug_output; /* NULL: stderr */

void aw_debug_set_output(FILE *out)
{
    debug_output = out;
}

FILE *aw__debug_out(void)
{
    return debug_output ? debug_output : stderr;
}

/* ---- the observer ------------------------------------------------------ */

aw_observer *aw__observer_get(aw_loop *loop)
{
    if (loop->observer)
        return loop->observer;
    aw_observer *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->slow_callback_ns = DEFAULT_SLOW_CALLBACK_NS;
    o->dump_pipe[0] = o->dump_pipe[1] = -1;
    loop->observer = o;
    return o;
}

void aw__observer_open(aw_loop *loop)
{
    const char *trace_path = getenv("AW_TRACE");
    bool tracing = trace_path && *trace_path;
    if (!loop->debug && !tracing)
        return;
    if (!aw__observer_get(loop)) {
        /* Debug aids are not worth failing the program for. */
        fprintf(stderr, "aw: out of memory: debug mode and tracing off\n");
        loop->debug = false;
        return;
    }
    if (tracing)
        loop->observer->trace = aw__trace_open(loop, trace_path);
}

void aw__observer_close(aw_loop *loop)
{
    aw_observer *o = loop->observer;
    aw__dump_on_signal_stop(loop);
    if (o->trace)
        aw__trace_close(o->trace);
    free(o);
    loop->observer = NULL;
}

/* ---- switching debug mode ---------------------------------------------- */

static int require_open_loop(const aw_loop *loop, const char *who)
{
    if (!loop)
        return aw__fail(AW_EMISUSE, "%s: loop is NULL", who);
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "%s: the loop is closed", who);
    return 0;
}

int aw_loop_set_debug(aw_loop *loop, bool on)
{
    int rc = require_open_loop(loop, "aw_loop_set_debug");
    if (rc)
        return rc;
    if (on && !aw__observer_get(loop))
        return aw__fail(-ENOMEM, "aw_loop_set_debug: out of memory");
    loop->debug = on;
    return 0;
}

bool aw_loop_debug(const aw_loop *loop)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_loop_debug: loop is NULL");
        return false;
    }
    return loop && loop->debug;
}

int aw_loop_set_slow_callback_duration(aw_loop *loop, double seconds)
{
    int rc = require_open_loop(loop, "aw_loop_set_slow_callback_duration");
    if (rc)
        return rc;
    if (!(seconds >= 0))
        return aw__fail(AW_EMISUSE,
                        "aw_loop_set_slow_callback_duration: %g s is not a "
                        "duration",
                        seconds);
    aw_observer *o = aw__observer_get(loop);
    if (!o)
        return aw__fail(-ENOMEM, "aw_loop_set_slow_callback_duration: out of "
                                 "memory");
    o->slow_callback_ns = aw__seconds_to_ns(seconds);
    return 0;
}

double aw_loop_slow_callback_duration(const aw_loop *loop)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_loop_slow_callback_duration: loop is NULL");
        return 0;
    }
    aw_ns ns = loop && loop->observer ? loop->observer->slow_callback_ns
                                      : DEFAULT_SLOW_CALLBACK_NS;
    return (double)ns / 1e9;
}

/* ---- naming callbacks -------------------------------------------------- */

/* What a callback is named by: its task, or the function that runs. Taken
 * before the callback runs, because running it may free a done node. */
typedef struct {
    aw_task *task;      /* a task's step: named after the task */
    const void *fn;     /* otherwise: this function's symbol */
    bool done_callback; /* fn was registered on a future */
} callback_identity;

static callback_identity identify(aw_callback fn, void *arg)
{
    callback_identity id = {.task = aw__task_of_step(fn, arg),
                            .fn = (const void *)fn};
    if (!id.task && aw__is_done_node_item(fn)) {
        /* A future's done callback, run through the queue: name the
         * function the user (or the library) registered. */
        id.fn = (const void *)((const aw_done_node *)arg)->cb;
        id.done_callback = true;
    }
    return id;
}

static void name_of(const callback_identity *id, char *buf, size_t len)
{
    if (id->task) {
        snprintf(buf, len, "task '%s' (#%llu)", id->task->name,
                 (unsigned long long)id->task->id);
    } else if (id->done_callback) {
        int n = snprintf(buf, len, "done callback ");
        if (n > 0 && (size_t)n < len)
            aw__symbol_name(id->fn, buf + n, len - (size_t)n);
    } else {
        aw__symbol_name(id->fn, buf, len);
    }
}

void aw__callback_name(aw_callback fn, void *arg, char *buf, size_t len)
{
    callback_identity id = identify(fn, arg);
    name_of(&id, buf, len);
}

/* ---- timing callbacks -------------------------------------------------- */

static void report_slow(aw_loop *loop, const char *name, const char *origin,
                        aw_ns took)
{
    FILE *out = aw__debug_out();
    double secs = (double)took / 1e9;
    double limit = (double)loop->observer->slow_callback_ns / 1e9;
    if (origin)
        fprintf(out,
                "aw debug: %s, created at %s, ran %.3f s without yielding "
                "(slow callback threshold %.3f s); while it runs nothing "
                "else can: is there a blocking call inside it?\n",
                name, origin, secs, limit);
    else
        fprintf(out,
                "aw debug: callback %s took %.3f s (slow callback threshold "
                "%.3f s)\n",
                name, secs, limit);
    fflush(out);
}

/* ANCHOR: observe_callback */
void aw__observe_callback(aw_loop *loop, aw_callback fn, void *arg)
{
    aw_observer *o = loop->observer;
    callback_identity id = identify(fn, arg);
    if (id.task) /* its step may end it: hold it until we have looked */
        aw_task_retain(id.task);

    aw_ns start = aw__monotonic_ns();
    fn(arg);
    aw_ns end = aw__monotonic_ns();

    bool slow = loop->debug && end - start > o->slow_callback_ns;
    if (slow || o->trace) {
        char name[160];
        name_of(&id, name, sizeof name);
        if (slow)
            report_slow(loop, name, id.task ? id.task->origin : NULL,
                        end - start);
        if (o->trace)
            aw__trace_callback(o->trace, start, end, name, id.task,
                               id.task ? aw_task_state_name(id.task->state)
                                       : NULL);
    }
    if (id.task)
        aw_task_release(id.task);
}
/* ANCHOR_END: observe_callback */

/* The trace shows each poll as a slice: how long the loop waited for I/O
 * or a timer, and how many callbacks the I/O that arrived queued. */
void aw__observe_poll_begin(aw_loop *loop)
{
    aw_observer *o = loop->observer;
    if (!o->trace)
        return;
    o->poll_start = aw__monotonic_ns();
    o->ready_before_poll = loop->ready.len;
}

void aw__observe_poll_end(aw_loop *loop)
{
    aw_observer *o = loop->observer;
    if (!o->trace)
        return;
    aw__trace_poll(o->trace, o->poll_start, aw__monotonic_ns(),
                   loop->ready.len - o->ready_before_poll);
}

/* ---- what is reported when things are freed ---------------------------- */

void aw__debug_close_refused(aw_loop *loop)
{
    FILE *out = aw__debug_out();
    fprintf(out,
            "aw debug: aw_loop_close refused: %zu task(s) still pending "
            "(cancel them, or call aw_loop_shutdown):\n",
            loop->pending_tasks);
    aw_loop_dump_tasks(loop, out);
    fflush(out);
}

bool aw__debug_future_freed(aw_future *f)
{
    FILE *out = aw__debug_out();
    aw_task *t = f->task;
    if (t && (t->state == AW_TASK_PENDING || t->state == AW_TASK_RUNNING)) {
        /* The loop holds a reference to every pending task, so the last
         * one can only go early if someone released one they did not
         * own. Freeing it now would let the loop run freed memory. */
        fprintf(out,
                "aw debug: task '%s' (#%llu, created at %s) was destroyed "
                "but it is pending: its last reference was released while "
                "the loop still runs it (one aw_task_release too many?); "
                "kept alive until it finishes\n",
                t->name, (unsigned long long)t->id, t->origin);
        fflush(out);
        f->refs = 1; /* the loop's reference, which that release took */
        return true;
    }
    if (f->error && f->error != AW_ECANCELLED && !f->retrieved) {
        if (t)
            fprintf(out,
                    "aw debug: task '%s' (#%llu, created at %s) failed and "
                    "its error was never retrieved: %s (%s). Await the task "
                    "or read aw_task_error before releasing it.\n",
                    t->name, (unsigned long long)t->id, t->origin,
                    aw_future_message(f), aw_strerror(f->error));
        else
            fprintf(out,
                    "aw debug: future %p was freed with an error that was "
                    "never retrieved: %s (%s)\n",
                    (void *)f, aw_future_message(f), aw_strerror(f->error));
        fflush(out);
    }
    return false;
}

/* ---- the quarantine of freed objects ------------------------------------ */

/* In debug mode a freed future, task or loop is not given back to malloc
 * at once: it waits here, marked as freed, so that a later call on it is
 * caught and named. The oldest is freed for good when the ring is full;
 * a call on it after that is a plain use-after-free again (ASan names
 * it). Per thread, as loops are. */
enum { QUARANTINE_SIZE = 256 };

typedef struct {
    void *object;
    void (*destroy)(void *object);
} quarantined;

static __thread quarantined quarantine[QUARANTINE_SIZE];
static __thread size_t quarantine_next;

static void quarantine_add(void *object, void (*destroy)(void *))
{
    quarantined *q = &quarantine[quarantine_next];
    quarantine_next = (quarantine_next + 1) % QUARANTINE_SIZE;
    if (q->object)
        q->destroy(q->object);
    *q = (quarantined){object, destroy};
}

static void destroy_task(void *object)
{
    aw_task *t = object;
    free(t->name);
    free(t);
}

void aw__debug_keep_freed_task(aw_task *t)
{
    aw__future_clear(&t->future);
    free(t->raised_message);
    t->raised_message = NULL;
    t->future.refs = AW__FREED_REFS;
    quarantine_add(t, destroy_task);
}

void aw__debug_keep_freed_future(aw_future *f)
{
    aw__future_clear(f);
    f->refs = AW__FREED_REFS;
    quarantine_add(f, free);
}

void aw__debug_keep_closed_loop(aw_loop *loop)
{
    loop->state = AW_LOOP_CLOSED;
    loop->freed = true;
    quarantine_add(loop, free);
}

bool aw__debug_freed(const aw_future *f, const char *who)
{
    if (!f || f->refs != AW__FREED_REFS)
        return false;
    FILE *out = aw__debug_out();
    const aw_task *t = f->task;
    if (t) {
        fprintf(out,
                "aw debug: %s: task '%s' (#%llu, created at %s) was already "
                "freed: its last reference was released before this call "
                "(one aw_task_release too many, or a task used after its "
                "release?)\n",
                who, t->name, (unsigned long long)t->id, t->origin);
        aw__fail(AW_EMISUSE, "%s: task '%s' (created at %s) was already freed",
                 who, t->name, t->origin);
    } else {
        char creator[200] = "?";
        if (f->creator)
            aw__symbol_name(f->creator, creator, sizeof creator);
        fprintf(out,
                "aw debug: %s: future %p (made by aw_future_new in %s) was "
                "already freed: its last reference was released before this "
                "call (one aw_future_release too many, or a future used after "
                "its release?)\n",
                who, (const void *)f, creator);
        aw__fail(AW_EMISUSE, "%s: future %p (made in %s) was already freed",
                 who, (const void *)f, creator);
    }
    fflush(out);
    return true;
}

/* aw_reader_free while a task is inside a read of it: freeing would
 * leave that task reading freed memory when it wakes. Debug mode reports
 * it, with the tasks and what each awaits, and keeps the reader. */
bool aw__debug_reader_busy(aw_reader *r)
{
    aw_loop *loop = r->conn->loop;
    if (!r->busy || !loop->debug)
        return false;
    FILE *out = aw__debug_out();
    fprintf(out,
            "aw debug: aw_reader_free: a task is still reading from the "
            "stream of %s; it would read freed memory when it wakes. Cancel "
            "that task and await it before freeing the stream (the reader is "
            "kept, not freed). The tasks:\n",
            r->conn->writer.peer);
    aw_loop_dump_tasks(loop, out);
    fflush(out);
    aw__fail(AW_EMISUSE,
             "aw_reader_free: a task is still reading from the stream of %s",
             r->conn->writer.peer);
    return true;
}
