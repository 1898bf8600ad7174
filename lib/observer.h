/*
 * observer.h - what watches a loop while a program runs: debug mode's
 * settings, the execution trace and the dump on a signal. Private to
 * debug.c, trace.c, taskdump.c, introspect.c and deadlock.c.
 *
 * A loop has an observer only while one of these is on, so the loop's
 * hot path costs a single test of loop->observer when all are off.
 */
#ifndef AW_OBSERVER_H
#define AW_OBSERVER_H

#include "internal.h"

#include <signal.h>

typedef struct aw_trace aw_trace;

typedef struct aw_observer {
    aw_ns slow_callback_ns; /* debug mode reports callbacks slower */
    aw_trace *trace;        /* NULL unless tracing */
    aw_ns poll_start;       /* the trace's slice for the current poll */
    size_t ready_before_poll;

    /* The dump on a signal: the handler writes a byte into the pipe,
     * the loop watches its other end and prints (taskdump.c). */
    int dump_signal; /* 0 while off */
    int dump_pipe[2];
    FILE *dump_out;
    struct sigaction dump_old_action;
} aw_observer;

/* The loop's observer, created on first use; NULL if out of memory. */
aw_observer *aw__observer_get(aw_loop *loop);

/* Where debug reports go: aw_debug_set_output's stream, or stderr. */
FILE *aw__debug_out(void);

/* The name of a function: its symbol if the program has one, else its
 * address inside the program or library ("prog+0x1a2b"). symbols.c. */
void aw__symbol_name(const void *fn, char *buf, size_t len);
/* A ready callback in words: "task 'fetch' (#3)", "wake_task", ... */
void aw__callback_name(aw_callback fn, void *arg, char *buf, size_t len);

/* trace.c */
aw_trace *aw__trace_open(aw_loop *loop, const char *path);
void aw__trace_close(aw_trace *trace);
void aw__trace_callback(aw_trace *trace, aw_ns start, aw_ns end,
                        const char *name, const aw_task *task,
                        const char *task_state);
void aw__trace_poll(aw_trace *trace, aw_ns start, aw_ns end, size_t events);

/* taskdump.c: stop the dump on a signal (at loop close). */
void aw__dump_on_signal_stop(aw_loop *loop);

/* introspect.c: the await graph of a loop's pending tasks. Task i
 * awaits tasks[edges[k]] for k in [first_edge[i], first_edge[i + 1]). */
typedef struct {
    size_t n;
    aw_task **tasks; /* oldest first */
    size_t *first_edge;
    size_t *edges;
} aw_await_graph;

/* 0, or -ENOMEM after failing with a message naming who. */
int aw__await_graph_build(const aw_loop *loop, aw_await_graph *g,
                          const char *who);
void aw__await_graph_free(aw_await_graph *g);
/* The first cycle, as task indices into out (up to max); its length. */
size_t aw__await_graph_cycle(const aw_await_graph *g, size_t *out, size_t max);

#endif
