/*
 * introspect.c - what a program can ask about its loop and its tasks.
 *
 * asyncio answers "which tasks exist?" with all_tasks() and, since 3.14,
 * "who awaits whom?" with its await graph. Here both come from what the
 * loop already keeps: its list of pending tasks, and, in each suspended
 * task, the future it awaits. That future tells who is awaited:
 *
 *   a task's own future   the task awaits that task
 *   a gather's future     it awaits the gather's inputs (gather.c)
 *   its sleep's future    it sleeps; its timer tells for how long
 *   any other future      whoever holds it will complete it, or not:
 *                         a plain future has no owner to name
 */
#include "observer.h"
#include "sync_internal.h" /* what a lock's or a queue's waiter waits for */

#include <stdlib.h>
#include <string.h>

/* ---- the loop ---------------------------------------------------------- */

int aw_loop_get_stats(const aw_loop *loop, aw_loop_stats *stats)
{
    if (!loop || !stats)
        return aw__fail(AW_EMISUSE,
                        "aw_loop_get_stats: loop and stats are required");
    *stats = (aw_loop_stats){
        .state = loop->state,
        .tasks = loop->pending_tasks,
        .ready = loop->ready.len,
        .timers = loop->timers.len,
        .watched_fds = (size_t)loop->watched_fds,
        .inflight_ops = (size_t)loop->inflight_ops,
    };
    return 0;
}

const char *aw_loop_state_name(aw_loop_state state)
{
    switch (state) {
    case AW_LOOP_IDLE:
        return "idle";
    case AW_LOOP_RUNNING:
        return "running";
    case AW_LOOP_STOPPING:
        return "stopping";
    case AW_LOOP_CLOSED:
        return "closed";
    }
    return "?";
}

const char *aw_task_state_name(aw_task_state state)
{
    switch (state) {
    case AW_TASK_PENDING:
        return "pending";
    case AW_TASK_RUNNING:
        return "running";
    case AW_TASK_DONE:
        return "done";
    case AW_TASK_CANCELLED:
        return "cancelled";
    }
    return "?";
}

size_t aw_loop_tasks(const aw_loop *loop, aw_task **out, size_t max)
{
    if (!loop || (max > 0 && !out)) {
        aw__fail(AW_EMISUSE, "aw_loop_tasks: loop (and out, if max > 0) "
                             "are required");
        return 0;
    }
    /* New tasks go to the head of the list: walk it from its tail. */
    aw_task *t = loop->tasks;
    while (t && t->next)
        t = t->next;
    size_t n = 0;
    for (; t; t = t->prev, n++)
        if (n < max)
            out[n] = t;
    return n;
}

/* ---- one task's wait --------------------------------------------------- */

static bool is_pending(const aw_task *t)
{
    return t->state == AW_TASK_PENDING || t->state == AW_TASK_RUNNING;
}

/* ANCHOR: await_kind */
aw_await_kind aw_task_await_kind(const aw_task *t)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_await_kind: task is NULL");
        return (aw_await_kind)0;
    }
    aw_future *f = t ? t->awaiting : NULL;
    aw_future *const *inputs;
    if (!f)
        return AW_AWAITS_NOTHING;
    if (f->task)
        return AW_AWAITS_TASK;
    if (aw__gather_inputs(f, &inputs) > 0)
        return AW_AWAITS_GATHER;
    /* aw_sleep arms the task's own timer to complete this future. */
    if (aw__timer_armed(&t->sleep_timer) && t->sleep_timer.arg == f)
        return AW_AWAITS_SLEEP;
    return AW_AWAITS_FUTURE;
}
/* ANCHOR_END: await_kind */

size_t aw_task_awaited_tasks(const aw_task *t, aw_task **out, size_t max)
{
    if (!t || (max > 0 && !out)) {
        aw__fail(AW_EMISUSE, "aw_task_awaited_tasks: task (and out, if "
                             "max > 0) are required");
        return 0;
    }
    aw_future *f = t->awaiting;
    size_t n = 0;
    switch (aw_task_await_kind(t)) {
    case AW_AWAITS_TASK:
        if (is_pending(f->task) && n++ < max)
            out[0] = f->task;
        break;
    case AW_AWAITS_GATHER: {
        aw_future *const *inputs;
        size_t count = aw__gather_inputs(f, &inputs);
        for (size_t i = 0; i < count; i++) {
            aw_task *input = inputs[i]->task;
            if (input && is_pending(input)) {
                if (n < max)
                    out[n] = input;
                n++;
            }
        }
        break;
    }
    default:
        /* A lock's waiter awaits the task that holds the lock. */
        if (t->wait_reason && t->wait_reason->holder) {
            aw_task *holder = t->wait_reason->holder(t->wait_object);
            if (holder && holder != t && is_pending(holder) && n++ < max)
                out[0] = holder;
        }
        break;
    }
    return n;
}

/* snprintf that appends at *used and never runs past len. */
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
    if (*used >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, len - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n;
}

char *aw_task_describe_awaiting(const aw_task *t, char *buf, size_t len)
{
    if (!t) {
        aw__fail(AW_EMISUSE, "aw_task_describe_awaiting: task is NULL");
        return NULL;
    }
    size_t used = 0;
    if (!buf || len == 0)
        return buf;
    buf[0] = '\0';
    if (!t)
        return buf;
    aw_future *f = t->awaiting;
    switch (aw_task_await_kind(t)) {
    case AW_AWAITS_NOTHING:
        append(buf, len, &used, "-");
        break;
    case AW_AWAITS_TASK:
        append(buf, len, &used, "task '%s' (#%llu)", f->task->name,
               (unsigned long long)f->task->id);
        break;
    case AW_AWAITS_GATHER: {
        aw_future *const *inputs;
        size_t count = aw__gather_inputs(f, &inputs), futures = 0;
        append(buf, len, &used, "gather:");
        for (size_t i = 0; i < count; i++) {
            if (inputs[i]->task && is_pending(inputs[i]->task))
                append(buf, len, &used, " #%llu",
                       (unsigned long long)inputs[i]->task->id);
            else if (!inputs[i]->task && inputs[i]->state == AW_PENDING)
                futures++;
        }
        if (futures)
            append(buf, len, &used, " +%zu future%s", futures,
                   futures == 1 ? "" : "s");
        break;
    }
    case AW_AWAITS_SLEEP: {
        aw_ns left = t->sleep_timer.when - aw__loop_now(t->loop);
        append(buf, len, &used, "sleep, %.3f s left",
               left > 0 ? (double)left / 1e9 : 0.0);
        break;
    }
    case AW_AWAITS_FUTURE: {
        char what[200];
        if (t->wait_reason) { /* "lock 'db' held by task 'a' (#1)" */
            t->wait_reason->describe(t->wait_object, what, sizeof what);
            append(buf, len, &used, "%s", what);
        } else if (aw__executor_describe(f, what, sizeof what)) {
            append(buf, len, &used, "%s", what);
        } else {
            append(buf, len, &used, "future %p", (void *)f);
        }
        break;
    }
    }
    return buf;
}

/* ---- the await graph --------------------------------------------------- */

/* To turn an awaited task into its index in the graph: the tasks sorted
 * by address, each with its index, searched with bsearch. */
typedef struct {
    const aw_task *task;
    size_t index;
} task_slot;

static int by_address(const void *a, const void *b)
{
    uintptr_t p = (uintptr_t)((const task_slot *)a)->task;
    uintptr_t q = (uintptr_t)((const task_slot *)b)->task;
    return (p > q) - (p < q);
}

void aw__await_graph_free(aw_await_graph *g)
{
    free(g->tasks);
    free(g->first_edge);
    free(g->edges);
    *g = (aw_await_graph){0};
}

int aw__await_graph_build(const aw_loop *loop, aw_await_graph *g,
                          const char *who)
{
    *g = (aw_await_graph){0};
    size_t n = aw_loop_tasks(loop, NULL, 0);
    size_t nedges = 0;
    for (aw_task *t = loop->tasks; t; t = t->next)
        nedges += aw_task_awaited_tasks(t, NULL, 0);
    g->n = n;
    g->tasks = malloc((n + 1) * sizeof *g->tasks);
    g->first_edge = malloc((n + 1) * sizeof *g->first_edge);
    g->edges = malloc((nedges + 1) * sizeof *g->edges);
    task_slot *slots = malloc((n + 1) * sizeof *slots);
    aw_task **awaited = malloc((nedges + 1) * sizeof *awaited);
    if (!g->tasks || !g->first_edge || !g->edges || !slots || !awaited) {
        free(slots);
        free(awaited);
        aw__await_graph_free(g);
        return aw__fail(-ENOMEM, "%s: out of memory", who);
    }
    aw_loop_tasks(loop, g->tasks, n);
    for (size_t i = 0; i < n; i++)
        slots[i] = (task_slot){g->tasks[i], i};
    qsort(slots, n, sizeof *slots, by_address);

    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        g->first_edge[i] = k;
        size_t d = aw_task_awaited_tasks(g->tasks[i], awaited, nedges - k);
        for (size_t j = 0; j < d && k < nedges; j++) {
            task_slot key = {awaited[j], 0};
            task_slot *found =
                bsearch(&key, slots, n, sizeof *slots, by_address);
            if (found)
                g->edges[k++] = found->index;
        }
    }
    g->first_edge[n] = k;
    free(slots);
    free(awaited);
    return 0;
}

/* Depth-first search with an explicit stack, so that a long chain of
 * tasks cannot overflow a small task stack. A task still on the stack
 * when it is reached again closes a cycle. */
size_t aw__await_graph_cycle(const aw_await_graph *g, size_t *out, size_t max)
{
    enum { UNSEEN, ON_PATH, FINISHED };
    unsigned char *mark = calloc(g->n + 1, 1);
    size_t *path = malloc((g->n + 1) * sizeof *path);
    size_t *next_edge = malloc((g->n + 1) * sizeof *next_edge);
    size_t found = 0;
    for (size_t root = 0; mark && path && next_edge && !found && root < g->n;
         root++) {
        if (mark[root] != UNSEEN)
            continue;
        size_t depth = 0;
        path[depth] = root;
        next_edge[depth++] = g->first_edge[root];
        mark[root] = ON_PATH;
        while (depth > 0 && !found) {
            size_t v = path[depth - 1];
            if (next_edge[depth - 1] == g->first_edge[v + 1]) {
                mark[v] = FINISHED;
                depth--;
                continue;
            }
            size_t w = g->edges[next_edge[depth - 1]++];
            if (mark[w] == UNSEEN) {
                mark[w] = ON_PATH;
                path[depth] = w;
                next_edge[depth++] = g->first_edge[w];
            } else if (mark[w] == ON_PATH) {
                size_t start = depth - 1;
                while (path[start] != w)
                    start--;
                found = depth - start;
                for (size_t i = 0; i < found && i < max; i++)
                    out[i] = path[start + i];
            }
        }
    }
    free(mark);
    free(path);
    free(next_edge);
    return found;
}

size_t aw_loop_find_await_cycle(const aw_loop *loop, aw_task **out, size_t max)
{
    if (!loop || (max > 0 && !out)) {
        aw__fail(AW_EMISUSE, "aw_loop_find_await_cycle: loop (and out, if "
                             "max > 0) are required");
        return 0;
    }
    aw_await_graph g;
    if (aw__await_graph_build(loop, &g, "aw_loop_find_await_cycle") != 0)
        return 0;
    size_t *cycle = malloc((g.n + 1) * sizeof *cycle);
    size_t len = cycle ? aw__await_graph_cycle(&g, cycle, g.n) : 0;
    for (size_t i = 0; i < len && i < max; i++)
        out[i] = g.tasks[cycle[i]];
    free(cycle);
    aw__await_graph_free(&g);
    return len;
}
