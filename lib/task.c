/*
 * task.c - tasks: coroutines with their own stacks, driven by the loop.
 *
 * A task's life:
 *
 *   create --> [scheduled] --step--> RUNNING --aw_await--> [suspended]
 *                   ^                   |                      |
 *                   +------- wakeup ----+----------------------+
 *                                       |
 *                          fn returns: DONE or CANCELLED
 *
 * The loop runs on the thread's own stack. A step switches to the task's
 * stack (aw__switch) and returns when the task suspends or finishes. Only
 * the loop resumes tasks, and a task only ever switches back to the loop:
 * one level, like asyncio, where a coroutine yields to the loop's Task.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#ifdef AW_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

/* ---- switching, told to AddressSanitizer ------------------------------ */

/* ASan tracks one stack per thread; these calls tell it when we move to
 * another, or it reports false stack-buffer errors. */
static void switch_to_task(aw_loop *loop, aw_task *t)
{
#ifdef AW_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, (char *)t->stack->base,
                                   t->stack->size);
    aw__switch(&loop->main_context, &t->context);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
    aw__switch(&loop->main_context, &t->context);
#endif
}

#ifdef AW_ASAN
static __thread const void *main_stack_bottom;
static __thread size_t main_stack_size;
#endif

static void switch_to_loop(aw_task *t, bool finished)
{
    aw_loop *loop = t->loop;
#ifdef AW_ASAN
    void *fake = NULL;
    /* A finished task's stack is never resumed: pass NULL to free it. */
    __sanitizer_start_switch_fiber(finished ? NULL : &fake, main_stack_bottom,
                                   main_stack_size);
    aw__switch(&t->context, &loop->main_context);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#else
    (void)finished;
    aw__switch(&t->context, &loop->main_context);
#endif
}

/* The first thing that runs on a new task's stack. */
static void task_entry(void *arg)
{
    aw_task *t = arg;
#ifdef AW_ASAN
    __sanitizer_finish_switch_fiber(NULL, &main_stack_bottom, &main_stack_size);
#endif
    void *result = t->fn(t->arg);
    t->result_on_finish = result;
    t->finished = true;
    switch_to_loop(t, true);
    abort(); /* a finished task is never resumed */
}

/* ---- life and death ------------------------------------------------------ */

aw_task *aw_task_create_at(aw_loop *loop, aw_task_fn fn, void *arg,
                           const char *name, const char *file, int line)
{
    if (!loop || !fn) {
        aw__fail(AW_EMISUSE, "aw_task_create: loop and function are required");
        return NULL;
    }
    if (loop->state == AW_LOOP_CLOSED) {
        aw__fail(AW_EMISUSE, "aw_task_create: the loop is closed");
        return NULL;
    }
    aw_task *t = calloc(1, sizeof *t);
    if (!t) {
        aw__fail(-ENOMEM, "aw_task_create: out of memory");
        return NULL;
    }
    aw__future_init(&t->future, loop);
    t->future.task = t;
    t->loop = loop;
    t->id = ++loop->next_task_id;
    t->fn = fn;
    t->arg = arg;
    t->state = AW_TASK_PENDING;
    if (name) {
        t->name = strdup(name);
    } else {
        char buf[32];
        snprintf(buf, sizeof buf, "Task-%llu", (unsigned long long)t->id);
        t->name = strdup(buf);
    }
    const char *base = file ? strrchr(file, '/') : NULL;
    snprintf(t->origin, sizeof t->origin, "%s:%d",
             base   ? base + 1
             : file ? file
                    : "?",
             line);
    aw__timer_init(&t->sleep_timer, NULL, NULL);
    t->stack = aw__stack_get(loop);
    if (!t->stack) {
        free(t->name);
        free(t);
        return NULL; /* aw__stack_get said why, and what to change */
    }
    if (!t->name || !t->stack || aw__task_schedule(t) != 0) {
        if (t->stack)
            aw__stack_put(loop, t->stack);
        free(t->name);
        free(t);
        aw__fail(-ENOMEM, "aw_task_create: out of memory");
        return NULL;
    }
    aw__context_init(&t->context, aw__stack_top(t->stack), task_entry, t);
    aw__stack_label(t->stack, t->name, t->origin);
    aw__stack_watch_overflow();

    /* Pending tasks are linked into the loop, which holds a reference
     * until the task ends: a task runs even if its creator lets go. */
    t->next = loop->tasks;
    if (loop->tasks)
        loop->tasks->prev = t;
    loop->tasks = t;
    loop->pending_tasks++;
    t->future.refs++;
    return t;
}

aw_task *aw_task_retain(aw_task *t)
{
    if (t && aw__debug_freed(&t->future, "aw_task_retain"))
        return NULL;
    if (t)
        aw_future_retain(&t->future);
    return t;
}

void aw_task_release(aw_task *t)
{
    if (t && aw__debug_freed(&t->future, "aw_task_release"))
        return;
    if (t)
        aw_future_release(&t->future);
}

void aw__task_free(aw_task *t)
{
    if (t->future.debug) {
        aw__debug_keep_freed_task(t); /* a while, to name misuse */
        return;
    }
    aw__future_clear(&t->future);
    free(t->raised_message);
    free(t->name);
    free(t);
}

static void unlink_pending(aw_task *t)
{
    aw_loop *loop = t->loop;
    if (t->prev)
        t->prev->next = t->next;
    else
        loop->tasks = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
    loop->pending_tasks--;
}

/* The coroutine has returned (or was cancelled before it started):
 * settle the task's future and let go of the stack. */
static void task_complete(aw_task *t, void *result)
{
    aw_loop *loop = t->loop;
    if (t->stack) {
        aw__stack_put(loop, t->stack);
        t->stack = NULL;
    }
    if (!t->raised && t->must_cancel) {
        /* Cancelled after its last await: asyncio counts the task as
         * cancelled even though its function returned. */
        t->raised = AW_ECANCELLED;
        free(t->raised_message);
        t->raised_message = NULL;
    }
    if (t->raised == AW_ECANCELLED) {
        t->state = AW_TASK_CANCELLED;
        aw_future_set_error(&t->future, AW_ECANCELLED, t->raised_message);
    } else if (t->raised) {
        t->state = AW_TASK_DONE;
        aw_future_set_error(&t->future, t->raised, t->raised_message);
    } else {
        t->state = AW_TASK_DONE;
        aw_future_set_result(&t->future, result);
    }
    unlink_pending(t);
    aw_future_release(&t->future); /* the loop's reference */
}

/* One step: run the task until it suspends or finishes. */
static void task_step(void *arg)
{
    aw_task *t = arg;
    aw_loop *loop = t->loop;
    t->scheduled = false;
    if (t->state == AW_TASK_DONE || t->state == AW_TASK_CANCELLED)
        return;
    if (!t->started && t->must_cancel) {
        /* Cancelled before it ever ran: its function never starts. */
        t->raised = AW_ECANCELLED;
        task_complete(t, NULL);
        return;
    }
    t->started = true;
    t->state = AW_TASK_RUNNING;
    loop->current = t;
    switch_to_task(loop, t);
    loop->current = NULL;
    if (t->finished)
        task_complete(t, t->result_on_finish);
    else
        t->state = AW_TASK_PENDING;
}

int aw__task_schedule(aw_task *t)
{
    if (t->scheduled)
        return 0; /* one step at a time */
    int rc = aw__ready_push(&t->loop->ready, task_step, t);
    if (rc == 0)
        t->scheduled = true;
    return rc;
}

void aw__task_wake(aw_task *t)
{
    /* Inside a task the step cannot run here (a task never switches to
     * another task, only back to the loop), so it is queued instead. */
    if (t->loop->current || t->scheduled)
        aw__task_schedule(t);
    else
        task_step(t);
}

void aw__task_suspend(aw_task *t)
{
    switch_to_loop(t, false);
}

aw_task *aw__task_require(const char *who)
{
    aw_loop *loop = aw_running_loop();
    if (!loop || !loop->current) {
        aw__fail(AW_EMISUSE,
                 "%s: called outside a task (only a task can "
                 "wait; create one with aw_task_create)",
                 who);
        return NULL;
    }
    return loop->current;
}

/* ---- awaiting ---------------------------------------------------------- */

/* The awaited future is done. This already runs from the ready queue (a
 * done callback), so the task's step can run right here: scheduling it
 * would cost a whole extra pass of the loop per await. */
static void wake_task(aw_future *f, void *arg)
{
    (void)f;
    task_step(arg);
}

aw_task *aw__task_of_step(aw_callback fn, void *arg)
{
    if (fn == task_step)
        return arg;
    if (aw__is_done_node_item(fn) && ((aw_done_node *)arg)->cb == wake_task)
        return ((aw_done_node *)arg)->arg;
    return NULL;
}

/* A pending cancellation, delivered at an await point (once: the
 * awaits after it work again, so clean-up code may await). */
bool aw__task_take_cancel(aw_task *t)
{
    if (!t->must_cancel && !t->cancel_passed)
        return false;
    t->must_cancel = t->cancel_passed = false;
    aw__fail(AW_ECANCELLED, "task '%s' was cancelled", t->name);
    return true;
}

/* Pass t's cancellation on to the future it awaits, as asyncio's Task
 * does: true if that future took it (it is cancelled now, or, for a
 * task, asked to stop). passing_cancel notices an await cycle. */
static bool pass_cancel(aw_task *t, aw_future *awaited)
{
    t->passing_cancel = true;
    bool taken = aw_future_cancel(awaited);
    t->passing_cancel = false;
    if (taken)
        t->cancel_passed = true;
    return taken;
}

int aw_await(aw_future *f, void **result)
{
    aw_task *t = aw__task_require("aw_await");
    if (!t)
        return AW_EMISUSE;
    if (!f)
        return aw__fail(AW_EMISUSE, "aw_await: future is NULL");
    if (aw__debug_freed(f, "aw_await"))
        return AW_EMISUSE;
    if (f->loop != t->loop)
        return aw__fail(AW_EMISUSE,
                        "aw_await: the future belongs to another "
                        "loop than task '%s'",
                        t->name);
    if (f == &t->future)
        return aw__fail(AW_EMISUSE,
                        "aw_await: task '%s' awaits itself, "
                        "which can never finish",
                        t->name);
    /* A future that is done already is not a suspension: a pending
     * cancellation waits for the next real one, as in asyncio. */
    if (f->state == AW_PENDING) {
        aw_future_retain(f); /* alive until we have looked at it */
        t->awaiting = f;
        t->wakeup = (aw_done_node){.cb = wake_task, .arg = t, .embedded = true};
        aw__future_add_node(f, &t->wakeup);
        if (t->must_cancel) {
            /* Cancelled before this await: the request goes on to f. */
            t->must_cancel = false;
            if (!pass_cancel(t, f))
                t->must_cancel = true;
        }
        aw__task_suspend(t);
        t->awaiting = NULL;
        bool still_pending = f->state == AW_PENDING; /* woken early */
        if (still_pending)
            aw__future_remove_node(f, &t->wakeup);
        /* The cancellation went on to f, and f did not end cancelled (a
         * task that swallowed it and returned): f's outcome is ours. */
        if (t->cancel_passed && !still_pending && f->error != AW_ECANCELLED)
            t->cancel_passed = false;
        bool cancelled = aw__task_take_cancel(t);
        aw_future_release(f);
        if (cancelled)
            return AW_ECANCELLED;
        if (still_pending)
            return aw__fail(AW_ESTATE, "aw_await: woken while the future is "
                                       "still pending");
    }
    f->retrieved = true;
    if (result)
        *result = f->state == AW_DONE ? f->result : NULL;
    if (f->error)
        aw__fail(f->error, "%s", aw_future_message(f));
    return f->error;
}

void *aw_raise(int code, const char *message)
{
    aw_task *t = aw__task_require("aw_raise");
    if (!t)
        return NULL;
    if (code >= 0)
        code = AW_EMISUSE; /* an error must be an error */
    t->raised = code;
    free(t->raised_message);
    t->raised_message = strdup(message ? message : aw_strerror(code));
    return NULL;
}

/* ---- cancelling --------------------------------------------------------- */

bool aw_task_cancel(aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_cancel: task is NULL");
        return false;
    }
    if (!t || t->state == AW_TASK_DONE || t->state == AW_TASK_CANCELLED)
        return false;
    if (t->passing_cancel) {
        /* Back here while passing the request on: the tasks await each
         * other in a cycle (A awaits B awaits A), and no future in it will
         * ever complete. Unhook this task from the one it awaits and run
         * its next step: its await returns cancelled. */
        aw__future_remove_node(t->awaiting, &t->wakeup);
        t->must_cancel = true;
        aw__task_schedule(t);
        return true;
    }
    t->cancel_requests++;
    /* A suspended task is woken by cancelling what it waits on, as in
     * asyncio; its await then returns what that future ends with. If the
     * future is done already, its wakeup is on the way, and the
     * cancellation is delivered when it arrives. A task that is not
     * suspended takes it at its next real suspension. */
    if (t->awaiting && t->awaiting->state == AW_PENDING &&
        pass_cancel(t, t->awaiting))
        return true;
    t->must_cancel = true;
    return true;
}

int aw_task_cancelling(const aw_task *t)
{
    if (!t)
        return aw__fail(AW_EMISUSE, "aw_task_cancelling: task is NULL");
    return t->cancel_requests;
}

int aw_task_uncancel(aw_task *t)
{
    if (!t)
        return aw__fail(AW_EMISUSE, "aw_task_uncancel: task is NULL");
    if (t->cancel_requests > 0 && --t->cancel_requests == 0)
        t->must_cancel = false; /* none left: drop one not yet delivered */
    return t->cancel_requests;
}

/* ---- looking at a task ------------------------------------------------------
 */

aw_future *aw_task_future(aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_future: task is NULL");
        return NULL;
    }
    return t ? &t->future : NULL;
}

aw_task *aw_future_task(aw_future *f)
{
    if (!f) {
        aw__fail(AW_EMISUSE, "aw_future_task: future is NULL");
        return NULL;
    }
    return f ? f->task : NULL;
}

const char *aw_task_name(const aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_name: task is NULL");
        return NULL;
    }
    return t->name;
}

uint64_t aw_task_id(const aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_id: task is NULL");
        return 0;
    }
    return t->id;
}

aw_task_state aw_task_state_of(const aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_state_of: task is NULL");
        return (aw_task_state)0;
    }
    return t->state;
}

aw_loop *aw_task_loop(const aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_loop: task is NULL");
        return NULL;
    }
    return t->loop;
}

const char *aw_task_origin(const aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_origin: task is NULL");
        return NULL;
    }
    return t->origin;
}

aw_future *aw_task_awaiting(const aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_awaiting: task is NULL");
        return NULL;
    }
    return t->awaiting;
}

void *aw_task_result(const aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_result: task is NULL");
        return NULL;
    }
    return aw_future_result(&t->future);
}

int aw_task_error(aw_task *t)
{
    if (!t)
        return aw__fail(AW_EMISUSE, "aw_task_error: task is NULL");
    return aw_future_error(&t->future);
}

const char *aw_task_message(const aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_message: task is NULL");
        return NULL;
    }
    return aw_future_message(&t->future);
}

aw_task *aw_current_task(void)
{
    aw_loop *loop = aw_running_loop();
    return loop ? loop->current : NULL;
}
