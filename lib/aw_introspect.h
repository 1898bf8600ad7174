/*
 * aw_introspect.h - looking inside a running loop (included by aw.h).
 *
 *   asyncio                            aw
 *   asyncio.all_tasks(loop)            aw_loop_tasks(loop, out, max)
 *   asyncio.current_task()             aw_current_task()
 *   task.get_stack() / await graph     aw_task_awaited_tasks, ..._describe
 *   python -m asyncio ps PID           aw_loop_dump_tasks(loop, stream)
 *   python -m asyncio pstree PID       aw_loop_dump_tree(loop, stream)
 *   loop.set_debug(True), PYTHONASYNCIODEBUG=1
 *                                      aw_loop_set_debug, AW_DEBUG=1
 *   loop.slow_callback_duration = 0.1  aw_loop_set_slow_callback_duration
 *   (Go: "all goroutines are asleep")  AW_EDEADLOCK, with the stuck tasks
 *   (Chrome/Perfetto trace)            AW_TRACE=trace.json
 *
 * The task pointers these functions hand out are borrowed: they stay
 * valid until the loop runs again. Retain one to keep it longer.
 */
#ifndef AW_INTROSPECT_H
#define AW_INTROSPECT_H

/* ---- the loop at a glance ---------------------------------------------- */

typedef struct {
    aw_loop_state state;
    size_t tasks;        /* pending tasks: created, not yet finished */
    size_t ready;        /* callbacks queued for the next pass */
    size_t timers;       /* scheduled timers, sleeping tasks' included */
    size_t watched_fds;  /* descriptors with a reader or a writer */
    size_t inflight_ops; /* proactor operations not yet completed */
} aw_loop_stats;

/* Fill *stats with the loop's counts right now. */
int aw_loop_get_stats(const aw_loop *loop, aw_loop_stats *stats);
/* "idle", "running", "stopping", "closed". */
const char *aw_loop_state_name(aw_loop_state state);
/* "pending", "running", "done", "cancelled". */
const char *aw_task_state_name(aw_task_state state);

/* The loop's pending tasks, oldest first, like asyncio.all_tasks():
 * up to max of them go into out. Returns how many there are in all,
 * which may be more than max (ask with max 0 to size an array). */
size_t aw_loop_tasks(const aw_loop *loop, aw_task **out, size_t max);

/* ---- who awaits whom --------------------------------------------------- */

typedef enum {
    AW_AWAITS_NOTHING, /* running, or ready to run */
    AW_AWAITS_TASK,    /* another task's future */
    AW_AWAITS_GATHER,  /* a future made by aw_gather */
    AW_AWAITS_SLEEP,   /* aw_sleep's timer */
    AW_AWAITS_FUTURE   /* any other future: completed by whoever holds it */
} aw_await_kind;

/* What kind of thing the task is suspended on. */
aw_await_kind aw_task_await_kind(const aw_task *task);
/* The pending tasks this task waits for: the task it awaits, or those
 * among the inputs of the gather it awaits. Returns how many (may be
 * more than max). The edges of the await graph. */
size_t aw_task_awaited_tasks(const aw_task *task, aw_task **out, size_t max);
/* What the task awaits, in words, written to buf like snprintf:
 * "-", "task 'fetch' (#2)", "gather: #2 #3", "sleep, 0.250 s left",
 * "future 0x55d0c3a1e2a0". Returns buf. */
char *aw_task_describe_awaiting(const aw_task *task, char *buf, size_t len);
/* The first cycle in the loop's await graph (A awaits B awaits A): its
 * tasks go into out, each awaiting the next and the last the first.
 * Returns its length (may be more than max), 0 if there is none. */
size_t aw_loop_find_await_cycle(const aw_loop *loop, aw_task **out, size_t max);

/* ---- task dumps -------------------------------------------------------- */

/* A table of the pending tasks (python -m asyncio ps):
 *    id  name    state    created at   awaiting
 *     1  main    pending  main.c:40    gather: #2 #3                  */
int aw_loop_dump_tasks(const aw_loop *loop, FILE *out);
/* The await tree (python -m asyncio pstree): each task above the tasks
 * it awaits, cycles marked. */
int aw_loop_dump_tree(const aw_loop *loop, FILE *out);
/* A line of counts, the table and the tree. */
int aw_loop_dump(const aw_loop *loop, FILE *out);
/* From now on, when signo arrives (SIGUSR1, say), print aw_loop_dump to
 * out (NULL: stderr). The handler only writes a byte to a pipe; the loop
 * watches the pipe and prints from a callback, where printing is safe.
 * signo 0 turns it off. While it is on, the loop watches a descriptor,
 * so it never reports a deadlock: a signal could still arrive. */
int aw_loop_dump_on_signal(aw_loop *loop, int signo, FILE *out);

/* ---- debug mode -------------------------------------------------------- */

/* Debug mode, also on with $AW_DEBUG=1 or aw_loop_options.debug, reports:
 *  - a callback or task step slower than the threshold (100 ms);
 *  - a future or task freed with an error nobody retrieved (futures made
 *    while debug mode is on);
 *  - aw_loop_close refused, or a task freed, while tasks are pending;
 *  - a deadlock, printed in full;
 *  - an object used after it was freed: a task or future released once
 *    too often, a released future awaited, a loop closed twice, a reader
 *    freed while a task reads from it. Freed objects are kept a while,
 *    marked, so the call is refused with AW_EMISUSE and a report naming
 *    the object and where it was made (the last 256 frees per thread;
 *    the reader is kept until freed again). */
int aw_loop_set_debug(aw_loop *loop, bool on);
bool aw_loop_debug(const aw_loop *loop);
int aw_loop_set_slow_callback_duration(aw_loop *loop, double seconds);
double aw_loop_slow_callback_duration(const aw_loop *loop);
/* Where every loop's debug reports go; NULL means stderr (the default).
 * Like asyncio's "asyncio" logger, it is one for the whole process. */
void aw_debug_set_output(FILE *out);

/* ---- tracing ----------------------------------------------------------- */

/* Write an execution trace of the loop to path: Chrome trace-event JSON
 * that https://ui.perfetto.dev or chrome://tracing open. One row shows
 * the loop (polls and callbacks), one row per task shows when it ran.
 * $AW_TRACE=path does the same for every loop the program creates (the
 * second loop writes path.2, and so on). The file is complete once the
 * loop is closed; a partial one still opens. */
int aw_loop_trace(aw_loop *loop, const char *path);

#endif
