/*
 * taskdump.c - the loop's tasks, printed: a table and an await tree.
 *
 * Python 3.14 prints the same two views of a running program from the
 * outside: `python -m asyncio ps PID` (a table) and `pstree PID` (who
 * awaits whom). Here the program prints them itself, when it likes, or
 * when a signal asks (aw_loop_dump_on_signal).
 */
#define _GNU_SOURCE /* pipe2 */
#include "observer.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the table --------------------------------------------------------- */

static int require_loop_and_stream(const aw_loop *loop, FILE *out,
                                   const char *who)
{
    if (!loop || !out)
        return aw__fail(AW_EMISUSE, "%s: loop and stream are required", who);
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "%s: the loop is closed", who);
    return 0;
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

int aw_loop_dump_tasks(const aw_loop *loop, FILE *out)
{
    int rc = require_loop_and_stream(loop, out, "aw_loop_dump_tasks");
    if (rc)
        return rc;
    size_t n = aw_loop_tasks(loop, NULL, 0);
    aw_task **tasks = malloc((n + 1) * sizeof *tasks);
    if (!tasks)
        return aw__fail(-ENOMEM, "aw_loop_dump_tasks: out of memory");
    aw_loop_tasks(loop, tasks, n);

    /* Columns as wide as their widest entry, so the table lines up. */
    int id_w = 2, name_w = 4, origin_w = 10;
    for (size_t i = 0; i < n; i++) {
        char id[24];
        id_w = max_int(id_w, snprintf(id, sizeof id, "%llu",
                                      (unsigned long long)tasks[i]->id));
        name_w = max_int(name_w, (int)strlen(tasks[i]->name));
        origin_w = max_int(origin_w, (int)strlen(tasks[i]->origin));
    }
    fprintf(out, "%*s  %-*s  %-7s  %-*s  %s\n", id_w, "id", name_w, "name",
            "state", origin_w, "created at", "awaiting");
    for (size_t i = 0; i < n; i++) {
        aw_task *t = tasks[i];
        char awaiting[160];
        fprintf(out, "%*llu  %-*s  %-7s  %-*s  %s\n", id_w,
                (unsigned long long)t->id, name_w, t->name,
                aw_task_state_name(t->state), origin_w, t->origin,
                aw_task_describe_awaiting(t, awaiting, sizeof awaiting));
    }
    free(tasks);
    return ferror(out) ? aw__fail(-EIO, "aw_loop_dump_tasks: write failed") : 0;
}

/* ---- the tree ---------------------------------------------------------- */

static void print_task_line(FILE *out, const aw_task *t)
{
    char awaiting[160];
    fprintf(out, "(T) #%llu %s [%s] %s", (unsigned long long)t->id, t->name,
            t->origin, aw_task_state_name(t->state));
    aw_task_describe_awaiting(t, awaiting, sizeof awaiting);
    if (strcmp(awaiting, "-") != 0)
        fprintf(out, ", awaits %s", awaiting);
}

/* One frame of the walk: a task, and which of its edges comes next. */
typedef struct {
    size_t task;
    size_t next_edge;
} frame;

/* Print the tree below root, pstree style. Each task appears once in
 * full; a task reached again says "(see above)", and a task that awaits
 * one of its own awaiters says where the cycle closes. The walk uses an
 * explicit stack: a long chain must not overflow a small task stack. */
static void print_tree(FILE *out, const aw_await_graph *g, size_t root,
                       unsigned char *printed, unsigned char *on_path,
                       frame *stack, bool *last_at_depth)
{
    print_task_line(out, g->tasks[root]);
    fputc('\n', out);
    printed[root] = on_path[root] = 1;
    size_t depth = 0;
    stack[depth++] = (frame){root, g->first_edge[root]};
    while (depth > 0) {
        frame *f = &stack[depth - 1];
        size_t end = g->first_edge[f->task + 1];
        if (f->next_edge == end) {
            on_path[f->task] = 0;
            depth--;
            continue;
        }
        size_t child = g->edges[f->next_edge++];
        last_at_depth[depth] = f->next_edge == end;
        for (size_t d = 1; d < depth; d++)
            fputs(last_at_depth[d] ? "    " : "\u2502   ", out);
        fputs(last_at_depth[depth] ? "\u2514\u2500\u2500 "
                                   : "\u251c\u2500\u2500 ",
              out);
        const aw_task *t = g->tasks[child];
        if (on_path[child]) {
            fprintf(out, "(T) #%llu %s (cycle: back to #%llu above)\n",
                    (unsigned long long)t->id, t->name,
                    (unsigned long long)t->id);
        } else if (printed[child]) {
            fprintf(out, "(T) #%llu %s (see above)\n",
                    (unsigned long long)t->id, t->name);
        } else {
            print_task_line(out, t);
            fputc('\n', out);
            printed[child] = on_path[child] = 1;
            stack[depth++] = (frame){child, g->first_edge[child]};
        }
    }
}

int aw_loop_dump_tree(const aw_loop *loop, FILE *out)
{
    int rc = require_loop_and_stream(loop, out, "aw_loop_dump_tree");
    if (rc)
        return rc;
    aw_await_graph g;
    rc = aw__await_graph_build(loop, &g, "aw_loop_dump_tree");
    if (rc)
        return rc;
    unsigned char *awaited = calloc(g.n + 1, 1);
    unsigned char *printed = calloc(g.n + 1, 1);
    unsigned char *on_path = calloc(g.n + 1, 1);
    frame *stack = malloc((g.n + 1) * sizeof *stack);
    bool *last = malloc((g.n + 1) * sizeof *last);
    if (awaited && printed && on_path && stack && last) {
        for (size_t k = 0; k < g.first_edge[g.n]; k++)
            awaited[g.edges[k]] = 1;
        /* Roots first: tasks no one awaits, oldest first. Whatever is
         * left sits on a cycle, where no task is a root. */
        for (size_t i = 0; i < g.n; i++)
            if (!awaited[i])
                print_tree(out, &g, i, printed, on_path, stack, last);
        for (size_t i = 0; i < g.n; i++)
            if (!printed[i])
                print_tree(out, &g, i, printed, on_path, stack, last);
    } else {
        rc = aw__fail(-ENOMEM, "aw_loop_dump_tree: out of memory");
    }
    free(awaited);
    free(printed);
    free(on_path);
    free(stack);
    free(last);
    aw__await_graph_free(&g);
    if (rc == 0 && ferror(out))
        rc = aw__fail(-EIO, "aw_loop_dump_tree: write failed");
    return rc;
}

/* ---- both, with the loop's counts -------------------------------------- */

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

int aw_loop_dump(const aw_loop *loop, FILE *out)
{
    int rc = require_loop_and_stream(loop, out, "aw_loop_dump");
    if (rc)
        return rc;
    aw_loop_stats s;
    aw_loop_get_stats(loop, &s);
    fprintf(out,
            "loop (%s, %s): %zu pending task%s, %zu ready callback%s, "
            "%zu timer%s, %zu watched descriptor%s, %zu operation%s in "
            "flight\n",
            loop->backend->name, aw_loop_state_name(s.state), s.tasks,
            plural(s.tasks), s.ready, plural(s.ready), s.timers,
            plural(s.timers), s.watched_fds, plural(s.watched_fds),
            s.inflight_ops, plural(s.inflight_ops));
    if (s.tasks == 0)
        return 0;
    fputc('\n', out);
    rc = aw_loop_dump_tasks(loop, out);
    if (rc == 0) {
        fputc('\n', out);
        rc = aw_loop_dump_tree(loop, out);
    }
    return rc;
}

/* ---- on a signal ------------------------------------------------------- */

/* A signal handler may call only async-signal-safe functions: not
 * printf, not malloc, and nothing that touches the loop. So it writes
 * one byte into a pipe (the "self-pipe trick"); the loop watches the
 * other end and prints the dump from an ordinary callback. */
/* Per signal: the pipe's write end plus one, so that 0, the value the
 * array starts with, means "no pipe" (descriptor 0 is a valid one). */
static volatile sig_atomic_t pipe_for_signal[NSIG];
static aw_loop *loop_for_signal[NSIG]; /* which loop took each signal */

/* ANCHOR: signal */
static void on_dump_signal(int signo)
{
    int saved_errno = errno; /* the code we interrupted may be reading it */
    int fd = pipe_for_signal[signo] - 1;
    if (fd >= 0) {
        char byte = 1;
        ssize_t ignored = write(fd, &byte, 1); /* full pipe: one's enough */
        (void)ignored;
    }
    errno = saved_errno;
}

static void dump_requested(void *arg)
{
    aw_loop *loop = arg;
    aw_observer *o = loop->observer;
    char drain[64];
    while (read(o->dump_pipe[0], drain, sizeof drain) > 0)
        ; /* several signals before we got here: print once */
    FILE *out = o->dump_out ? o->dump_out : stderr;
    aw_loop_dump(loop, out);
    fflush(out);
}
/* ANCHOR_END: signal */

static void close_dump_pipe(aw_loop *loop, aw_observer *o)
{
    aw_remove_reader(loop, o->dump_pipe[0]);
    close(o->dump_pipe[0]);
    close(o->dump_pipe[1]);
    o->dump_pipe[0] = o->dump_pipe[1] = -1;
}

void aw__dump_on_signal_stop(aw_loop *loop)
{
    aw_observer *o = loop->observer;
    if (!o || !o->dump_signal)
        return;
    int signo = o->dump_signal;
    sigaction(signo, &o->dump_old_action, NULL);
    pipe_for_signal[signo] = 0;
    loop_for_signal[signo] = NULL;
    close_dump_pipe(loop, o);
    o->dump_signal = 0;
}

int aw_loop_dump_on_signal(aw_loop *loop, int signo, FILE *out)
{
    const char *who = "aw_loop_dump_on_signal";
    if (!loop)
        return aw__fail(AW_EMISUSE, "%s: loop is NULL", who);
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "%s: the loop is closed", who);
    if (signo < 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP)
        return aw__fail(AW_EMISUSE, "%s: %d is not a signal we can catch", who,
                        signo);
    if (signo && loop_for_signal[signo] && loop_for_signal[signo] != loop)
        return aw__fail(AW_EMISUSE, "%s: signal %d already dumps another loop",
                        who, signo);
    aw__dump_on_signal_stop(loop); /* one signal per loop */
    if (signo == 0)
        return 0;

    aw_observer *o = aw__observer_get(loop);
    if (!o)
        return aw__fail(-ENOMEM, "%s: out of memory", who);
    if (pipe2(o->dump_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        return aw__fail(-errno, "%s: pipe: %s", who, strerror(errno));
    int rc = aw_add_reader(loop, o->dump_pipe[0], dump_requested, loop);
    if (rc) {
        close_dump_pipe(loop, o);
        return rc;
    }
    pipe_for_signal[signo] = o->dump_pipe[1] + 1;
    struct sigaction action = {.sa_handler = on_dump_signal,
                               .sa_flags = SA_RESTART};
    sigemptyset(&action.sa_mask);
    if (sigaction(signo, &action, &o->dump_old_action) != 0) {
        rc = aw__fail(-errno, "%s: sigaction: %s", who, strerror(errno));
        pipe_for_signal[signo] = 0;
        close_dump_pipe(loop, o);
        return rc;
    }
    o->dump_signal = signo;
    o->dump_out = out;
    loop_for_signal[signo] = loop;
    return 0;
}
