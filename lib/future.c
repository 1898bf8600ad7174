/*
 * future.c - a value that will exist later.
 *
 * A future starts pending and ends once: done (with a result or an error)
 * or cancelled. Callbacks added to it always run through the loop's ready
 * queue, never inline, so code that completes a future is never re-entered
 * by the code waiting on it (asyncio's rule too).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void aw__future_init(aw_future *f, aw_loop *loop)
{
    memset(f, 0, sizeof *f);
    f->loop = loop;
    f->state = AW_PENDING;
    f->refs = 1;
    f->callbacks_tail = &f->callbacks;
    f->debug = loop && loop->debug;
}

aw_future *aw_future_new(aw_loop *loop)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_future_new: loop is NULL");
        return NULL;
    }
    aw_future *f = malloc(sizeof *f);
    if (!f) {
        aw__fail(-ENOMEM, "aw_future_new: out of memory");
        return NULL;
    }
    aw__future_init(f, loop);
    if (loop->debug)
        f->creator = __builtin_return_address(0);
    return f;
}

aw_future *aw_future_retain(aw_future *f)
{
    if (aw__debug_freed(f, "aw_future_retain"))
        return NULL;
    if (f)
        f->refs++;
    return f;
}

static void free_callbacks(aw_future *f)
{
    aw_done_node *node = f->callbacks;
    while (node) {
        aw_done_node *next = node->next;
        if (!node->embedded)
            free(node);
        node = next;
    }
    f->callbacks = NULL;
    f->callbacks_tail = &f->callbacks;
}

/* Free what the future owns (not the future itself). */
void aw__future_clear(aw_future *f)
{
    free_callbacks(f);
    free(f->message);
    f->message = NULL;
}

void aw_future_release(aw_future *f)
{
    if (aw__debug_freed(f, "aw_future_release"))
        return;
    if (!f || --f->refs > 0)
        return;
    if (f->debug && aw__debug_future_freed(f))
        return; /* a pending task released once too often: keep it */
    if (f->task) {
        aw__task_free(f->task); /* a task's future is part of the task */
        return;
    }
    if (f->debug) {
        aw__debug_keep_freed_future(f); /* a while, to name misuse */
        return;
    }
    aw__future_clear(f);
    free(f);
}

aw_future_state aw_future_state_of(const aw_future *f)
{
    if (!f) {
        aw__fail(AW_EMISUSE, "aw_future_state_of: future is NULL");
        return (aw_future_state)0;
    }
    return f->state;
}

bool aw_future_done(const aw_future *f)
{
    if (!f) {
        aw__fail(AW_EMISUSE, "aw_future_done: future is NULL");
        return false;
    }
    return f->state != AW_PENDING;
}

bool aw_future_cancelled(const aw_future *f)
{
    if (!f) {
        aw__fail(AW_EMISUSE, "aw_future_cancelled: future is NULL");
        return false;
    }
    return f->state == AW_CANCELLED;
}

aw_loop *aw_future_loop(const aw_future *f)
{
    if (!f) {
        aw__fail(AW_EMISUSE, "aw_future_loop: future is NULL");
        return NULL;
    }
    return f->loop;
}

/* ---- running the callbacks -------------------------------------------- */

/* One callback, from the ready queue. The node held a reference to its
 * future, so the future is alive here even if everyone else let go. */
static void run_done_node(void *arg)
{
    aw_done_node *node = arg;
    aw_future *f = node->future;
    /* Read before the call: an embedded node's owner (a task woken by
     * this callback) may finish and be freed inside it. */
    bool embedded = node->embedded;
    node->cb(f, node->arg);
    if (!embedded)
        free(node);
    aw_future_release(f);
}

void aw__discard_done_node(void *arg)
{
    aw_done_node *node = arg;
    aw_future *f = node->future;
    if (!node->embedded)
        free(node);
    aw_future_release(f);
}

bool aw__is_done_node_item(aw_callback fn)
{
    return fn == run_done_node;
}

static void schedule_node(aw_future *f, aw_done_node *node)
{
    node->future = aw_future_retain(f);
    if (aw__ready_push(&f->loop->ready, run_done_node, node) != 0) {
        /* Out of memory: dropping a callback silently would hang its
         * waiter, so say so loudly. */
        fprintf(stderr, "aw: out of memory scheduling a done callback\n");
        abort();
    }
}

/* The future has just completed: queue every callback, in order. */
static void schedule_callbacks(aw_future *f)
{
    aw_done_node *node = f->callbacks;
    f->callbacks = NULL;
    f->callbacks_tail = &f->callbacks;
    while (node) {
        aw_done_node *next = node->next;
        node->next = NULL;
        schedule_node(f, node);
        node = next;
    }
}

void aw__future_add_node(aw_future *f, aw_done_node *node)
{
    if (f->state != AW_PENDING) {
        schedule_node(f, node);
        return;
    }
    node->next = NULL;
    *f->callbacks_tail = node;
    f->callbacks_tail = &node->next;
}

int aw_future_add_done_callback(aw_future *f, aw_done_callback cb, void *arg)
{
    if (!f || !cb)
        return aw__fail(AW_EMISUSE,
                        "aw_future_add_done_callback: future and callback "
                        "are required");
    if (f->loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE,
                        "aw_future_add_done_callback: the loop is closed");
    aw_done_node *node = calloc(1, sizeof *node);
    if (!node)
        return aw__fail(-ENOMEM, "aw_future_add_done_callback: out of memory");
    node->cb = cb;
    node->arg = arg;
    aw__future_add_node(f, node);
    return 0;
}

int aw_future_remove_done_callback(aw_future *f, aw_done_callback cb, void *arg)
{
    if (!f)
        return aw__fail(AW_EMISUSE,
                        "aw_future_remove_done_callback: future is NULL");
    int removed = 0;
    aw_done_node **link = &f->callbacks;
    while (*link) {
        aw_done_node *node = *link;
        if (node->cb == cb && node->arg == arg && !node->embedded) {
            *link = node->next;
            free(node);
            removed++;
        } else {
            link = &node->next;
        }
    }
    /* The tail pointer must point at the last link again. */
    f->callbacks_tail = link;
    return removed;
}

void aw__future_remove_node(aw_future *f, aw_done_node *target)
{
    aw_done_node **link = &f->callbacks;
    while (*link && *link != target)
        link = &(*link)->next;
    if (!*link)
        return;
    *link = target->next;
    if (f->callbacks_tail == &target->next)
        f->callbacks_tail = link;
}

/* ---- completing ------------------------------------------------------ */

static int already_done(const aw_future *f, const char *who)
{
    return aw__fail(AW_ESTATE, "%s: the future is already %s", who,
                    f->state == AW_CANCELLED ? "cancelled" : "done");
}

int aw_future_set_result(aw_future *f, void *result)
{
    if (!f)
        return aw__fail(AW_EMISUSE, "aw_future_set_result: future is NULL");
    if (f->state != AW_PENDING)
        return already_done(f, "aw_future_set_result");
    f->result = result;
    f->state = AW_DONE;
    schedule_callbacks(f);
    return 0;
}

static int set_error(aw_future *f, int code, const char *message,
                     aw_future_state state, const char *who)
{
    if (!f)
        return aw__fail(AW_EMISUSE, "%s: future is NULL", who);
    if (code >= 0)
        return aw__fail(AW_EMISUSE, "%s: error codes are negative (got %d)",
                        who, code);
    if (f->state != AW_PENDING)
        return already_done(f, who);
    f->error = code;
    f->message = strdup(message ? message : aw_strerror(code));
    f->state = state;
    schedule_callbacks(f);
    return 0;
}

int aw_future_set_error(aw_future *f, int code, const char *message)
{
    return set_error(f, code, message,
                     code == AW_ECANCELLED ? AW_CANCELLED : AW_DONE,
                     "aw_future_set_error");
}

int aw__future_set_error_done(aw_future *f, int code, const char *message)
{
    return set_error(f, code, message, AW_DONE, "aw__future_set_error_done");
}

bool aw_future_cancel(aw_future *f)
{
    if (!f) {
        aw__fail(AW_EMISUSE, "aw_future_cancel: future is NULL");
        return false;
    }
    if (!f || f->state != AW_PENDING)
        return false;
    if (f->task) /* cancelling a task asks its coroutine to stop */
        return aw_task_cancel(f->task);
    if (f->cancel_by_asking) /* a gather asks its inputs */
        return f->cancel_by_asking(f, f->on_cancel_arg);
    if (f->on_cancel)
        f->on_cancel(f, f->on_cancel_arg);
    aw_future_set_error(f, AW_ECANCELLED, NULL);
    return true;
}

void *aw_future_result(const aw_future *f)
{
    if (!f) {
        aw__fail(AW_EMISUSE, "aw_future_result: future is NULL");
        return NULL;
    }
    return f && f->state == AW_DONE ? f->result : NULL;
}

int aw_future_error(aw_future *f)
{
    if (!f)
        return aw__fail(AW_EMISUSE, "aw_future_error: future is NULL");
    if (f->state == AW_PENDING)
        return aw__fail(AW_ESTATE, "aw_future_error: the future is pending");
    f->retrieved = true;
    return f->error;
}

const char *aw_future_message(const aw_future *f)
{
    if (!f) {
        aw__fail(AW_EMISUSE, "aw_future_message: future is NULL");
        return NULL;
    }
    return f && f->message ? f->message : "";
}
