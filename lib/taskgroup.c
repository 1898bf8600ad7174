/*
 * taskgroup.c - a task group: children that live and die together
 * (asyncio.TaskGroup). The rules are in aw_taskgroup.h.
 */
#include "internal.h"

#include <stdlib.h>

struct aw_task_group {
    aw_loop *loop;
    aw_task *parent;
    aw_task **children; /* every child made, each retained */
    size_t n, cap;
    size_t running;
    aw_task **failed; /* children that failed, in order (no extra refs) */
    size_t nfailed;
    bool aborting;                /* the children have been cancelled */
    bool parent_cancel_requested; /* the group cancelled its parent */
    bool exiting;                 /* inside aw_task_group_wait */
    aw_future *all_done;          /* what aw_task_group_wait awaits, or NULL */
};

aw_task_group *aw_task_group_new(void)
{
    aw_task *parent = aw__task_require("aw_task_group_new");
    if (!parent)
        return NULL;
    aw_task_group *g = calloc(1, sizeof *g);
    if (!g) {
        aw__fail(-ENOMEM, "aw_task_group_new: out of memory");
        return NULL;
    }
    g->loop = parent->loop;
    g->parent = parent;
    return g;
}

/* Cancel every child still running. */
static void abort_children(aw_task_group *g)
{
    g->aborting = true;
    for (size_t i = 0; i < g->n; i++)
        aw_task_cancel(g->children[i]);
}

static void child_done(aw_future *f, void *arg)
{
    aw_task_group *g = arg;
    g->running--;
    if (g->running == 0 && g->all_done)
        aw_future_set_result(g->all_done, NULL);
    if (f->state == AW_CANCELLED || f->error == 0)
        return;
    f->retrieved = true; /* the group reports it */
    g->failed[g->nfailed++] = f->task;
    if (g->parent->state == AW_TASK_DONE ||
        g->parent->state == AW_TASK_CANCELLED)
        return;
    if (!g->aborting && !g->parent_cancel_requested) {
        /* Stop the siblings, and whatever the block awaits. */
        abort_children(g);
        g->parent_cancel_requested = true;
        aw_task_cancel(g->parent);
    }
}

aw_task *aw_task_group_create_at(aw_task_group *g, aw_task_fn fn, void *arg,
                                 const char *name, const char *file, int line)
{
    if (!g) {
        aw__fail(AW_EMISUSE, "aw_task_group_create: group is NULL");
        return NULL;
    }
    if (g->exiting && g->running == 0) {
        aw__fail(AW_ESTATE, "aw_task_group_create: the group is finished");
        return NULL;
    }
    if (g->aborting) {
        aw__fail(AW_ESTATE, "aw_task_group_create: the group is shutting "
                            "down (a child failed, or it was cancelled)");
        return NULL;
    }
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        aw_task **children = realloc(g->children, cap * sizeof *children);
        aw_task **failed =
            children ? realloc(g->failed, cap * sizeof *failed) : NULL;
        if (children)
            g->children = children;
        if (!failed) {
            aw__fail(-ENOMEM, "aw_task_group_create: out of memory");
            return NULL;
        }
        g->failed = failed;
        g->cap = cap;
    }
    aw_task *t = aw_task_create_at(g->loop, fn, arg, name, file, line);
    if (!t)
        return NULL; /* aw_task_create said why */
    if (aw_future_add_done_callback(&t->future, child_done, g) != 0) {
        aw_task_cancel(t);
        aw_task_release(t);
        return NULL;
    }
    g->children[g->n++] = t;
    g->running++;
    return t;
}

int aw_task_group_wait(aw_task_group *g, int body_rc)
{
    if (!g)
        return aw__fail(AW_EMISUSE, "aw_task_group_wait: group is NULL");
    if (aw_current_task() != g->parent)
        return aw__fail(AW_EMISUSE,
                        "aw_task_group_wait: only the task that made the "
                        "group ('%s') may wait for it",
                        g->parent->name);
    g->exiting = true;
    bool propagate_cancel = body_rc == AW_ECANCELLED;
    if (body_rc != 0 && !g->aborting)
        abort_children(g);
    while (g->running > 0) {
        g->all_done = aw_future_new(g->loop);
        if (!g->all_done)
            return aw__fail(-ENOMEM, "aw_task_group_wait: out of memory");
        int rc = aw_await(g->all_done, NULL);
        aw_future_release(g->all_done);
        g->all_done = NULL;
        if (rc == AW_ECANCELLED && !g->aborting) {
            propagate_cancel = true; /* from outside, while we waited */
            abort_children(g);
        }
    }
    /* Take back our own cancellation of the parent; one left is someone
     * else's. */
    if (g->parent_cancel_requested) {
        g->parent_cancel_requested = false;
        if (aw_task_uncancel(g->parent) == 0)
            propagate_cancel = false;
    }
    if (g->nfailed > 0) {
        aw_task *first = g->failed[0];
        return aw__fail(first->future.error,
                        "task group: %zu child task(s) failed; the first, "
                        "'%s' (#%llu): %s",
                        g->nfailed, first->name, (unsigned long long)first->id,
                        aw_future_message(&first->future));
    }
    if (propagate_cancel)
        return aw__fail(AW_ECANCELLED, "task '%s' was cancelled",
                        g->parent->name);
    if (body_rc != 0 && body_rc != AW_ECANCELLED)
        return body_rc;
    return 0;
}

size_t aw_task_group_errors(const aw_task_group *g, aw_task **out, size_t max)
{
    if (!g || (max > 0 && !out)) {
        aw__fail(AW_EMISUSE, "aw_task_group_errors: group (and out, if "
                             "max > 0) are required");
        return 0;
    }
    for (size_t i = 0; i < g->nfailed && i < max; i++)
        out[i] = g->failed[i];
    return g->nfailed;
}

int aw_task_group_free(aw_task_group *g)
{
    if (!g)
        return aw__fail(AW_EMISUSE, "aw_task_group_free: group is NULL");
    if (g->running > 0)
        return aw__fail(AW_EMISUSE,
                        "aw_task_group_free: %zu child task(s) still run; "
                        "call aw_task_group_wait first",
                        g->running);
    for (size_t i = 0; i < g->n; i++)
        aw_task_release(g->children[i]);
    free(g->children);
    free(g->failed);
    free(g);
    return 0;
}
