/*
 * deadlock.c - when every task waits and nothing can wake them.
 *
 * run_once (loop.c) knows the moment: no callback is ready, no timer is
 * pending, no descriptor is watched and no operation is in flight. Then
 * nothing in the world can complete a future, so blocking in the backend
 * would hang forever. Go's runtime stops there with "all goroutines are
 * asleep - deadlock!"; asyncio has no such check and hangs. We stop too,
 * and say which tasks are stuck, on what, and whether they wait on each
 * other in a circle (A awaits B awaits A): the usual cause.
 */
#include "observer.h"

#include <stdlib.h>
#include <string.h>

/* aw_last_error holds one line of limited size: name the cycle first,
 * then as many stuck tasks as fit. The debug report prints them all. */
#define MESSAGE_BUDGET 400

static void append_task(char *msg, size_t len, size_t *used, const aw_task *t)
{
    if (*used < len)
        *used += (size_t)snprintf(msg + *used, len - *used, "'%s' (#%llu)",
                                  t->name, (unsigned long long)t->id);
}

static void append_text(char *msg, size_t len, size_t *used, const char *text)
{
    if (*used < len)
        *used += (size_t)snprintf(msg + *used, len - *used, "%s", text);
}

static void print_report(aw_loop *loop, const aw_await_graph *g,
                         const size_t *cycle, size_t cycle_len)
{
    FILE *out = aw__debug_out();
    fprintf(out, "aw: all tasks are asleep - deadlock!\n\n"
                 "No callback is ready, no timer is pending and no I/O can "
                 "complete, yet tasks are pending:\n\n");
    aw_loop_dump_tasks(loop, out);
    fputc('\n', out);
    aw_loop_dump_tree(loop, out);
    if (cycle_len > 0) {
        fprintf(out, "\nThe tasks await each other in a cycle: ");
        for (size_t i = 0; i <= cycle_len; i++) {
            const aw_task *t = g->tasks[cycle[i % cycle_len]];
            fprintf(out, "%s'%s' (#%llu)", i ? " -> " : "", t->name,
                    (unsigned long long)t->id);
        }
        fputc('\n', out);
    }
    fflush(out);
}

int aw__deadlock_report(aw_loop *loop)
{
    if (loop->pending_tasks == 0)
        return aw__fail(AW_EDEADLOCK, "the loop has nothing to run and nothing "
                                      "to wait for (0 tasks pending)");
    aw_await_graph g;
    if (aw__await_graph_build(loop, &g, "deadlock report") != 0)
        return aw__fail(AW_EDEADLOCK,
                        "deadlock: %zu tasks pending, nothing can wake them",
                        loop->pending_tasks);
    size_t *cycle = malloc((g.n + 1) * sizeof *cycle);
    size_t cycle_len = cycle ? aw__await_graph_cycle(&g, cycle, g.n) : 0;
    if (loop->debug)
        print_report(loop, &g, cycle, cycle_len);

    char msg[600];
    size_t used = 0, len = sizeof msg;
    used = (size_t)snprintf(msg, len,
                            "deadlock: all %zu tasks are asleep and nothing "
                            "can wake them",
                            g.n);
    if (cycle_len > 0) {
        append_text(msg, len, &used, "; cycle: ");
        for (size_t i = 0; i <= cycle_len; i++) {
            append_text(msg, len, &used, i ? " -> " : "");
            append_task(msg, len, &used, g.tasks[cycle[i % cycle_len]]);
        }
    }
    append_text(msg, len, &used, "; stuck:");
    for (size_t i = 0; i < g.n; i++) {
        if (used > MESSAGE_BUDGET) {
            char more[64];
            snprintf(more, sizeof more, " ... and %zu more", g.n - i);
            append_text(msg, len, &used, more);
            break;
        }
        char awaiting[120];
        append_text(msg, len, &used, i ? ", " : " ");
        append_task(msg, len, &used, g.tasks[i]);
        append_text(msg, len, &used, " awaits ");
        append_text(
            msg, len, &used,
            aw_task_describe_awaiting(g.tasks[i], awaiting, sizeof awaiting));
    }
    free(cycle);
    aw__await_graph_free(&g);
    return aw__fail(AW_EDEADLOCK, "%s", msg);
}
