/*
 * Solution: write the task dump yourself.
 * See exercises/03-introspection/task_table.c for the task.
 */
#include "aw.h"

#include <stdlib.h>

/* The WAITS column: what the task is suspended on. */
static void print_waits(aw_task *t, FILE *out)
{
    aw_await_kind kind = aw_task_await_kind(t);
    switch (kind) {
    case AW_AWAITS_NOTHING:
        fputs("-", out);
        return;
    case AW_AWAITS_SLEEP:
        fputs("sleep", out);
        return;
    case AW_AWAITS_FUTURE:
        fputs("future", out);
        return;
    case AW_AWAITS_TASK:
    case AW_AWAITS_GATHER:
        break;
    }
    size_t n = aw_task_awaited_tasks(t, NULL, 0);
    aw_task **awaited = malloc((n + 1) * sizeof *awaited);
    if (!awaited)
        return;
    aw_task_awaited_tasks(t, awaited, n);
    fputs(kind == AW_AWAITS_TASK ? "task" : "gather", out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s#%llu", i ? "," : " ",
                (unsigned long long)aw_task_id(awaited[i]));
    free(awaited);
}

size_t print_tasks(aw_loop *loop, FILE *out)
{
    size_t n = aw_loop_tasks(loop, NULL, 0);
    aw_task **tasks = malloc((n + 1) * sizeof *tasks);
    if (!tasks)
        return 0;
    aw_loop_tasks(loop, tasks, n);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "#%llu %s %s ", (unsigned long long)aw_task_id(tasks[i]),
                aw_task_name(tasks[i]),
                aw_task_state_name(aw_task_state_of(tasks[i])));
        print_waits(tasks[i], out);
        fputc('\n', out);
    }
    fprintf(out, "%zu pending\n", n);
    free(tasks);
    return n;
}
