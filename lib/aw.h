/*
 * aw.h - the public interface of "aw", the workbook's event-loop library.
 *
 * Every public name starts with aw_ (functions and types) or AW_ (constants
 * and enum values). Names with a double underscore (aw__) are internal.
 *
 * The model is Python's asyncio:
 *   asyncio                      aw
 *   loop = asyncio.new_event_loop  aw_loop_new()
 *   loop.call_soon(cb)           aw_call_soon(loop, cb, arg)
 *   loop.call_later(d, cb)       aw_call_later(loop, d, cb, arg)
 *   loop.run_until_complete(f)   aw_loop_run_until_complete(loop, f)
 *   fut = loop.create_future()   aw_future_new(loop)
 *   task = loop.create_task(c)   aw_task_create(loop, fn, arg, name)
 *   await fut                    aw_await(fut, &result)   (inside a task)
 *   await asyncio.sleep(s)       aw_sleep(s)
 *   asyncio.gather(*fs)          aw_gather(loop, fs, n)
 *   asyncio.wait_for(f, t)       aw_wait_for(f, t, &result)
 *   raise Error("...")           return aw_raise(code, "...")
 *
 * Errors. A function that can fail returns 0 or a negative error code: a
 * negated errno value (-ECONNRESET) or one of the AW_E... codes below.
 * aw_strerror() names a code; aw_last_error() holds the full message of the
 * most recent failure in this thread, such as
 * "aw_await: called outside a task".
 */
#ifndef AW_H
#define AW_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct aw_loop aw_loop;
typedef struct aw_future aw_future;
typedef struct aw_task aw_task;

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

enum {
    AW_OK = 0,
    AW_ECANCELLED = -ECANCELED, /* the awaited thing was cancelled */
    AW_ETIMEDOUT = -ETIMEDOUT,  /* aw_wait_for ran out of time */
    /* Codes of our own start below the largest errno value Linux uses. */
    AW_EMISUSE = -5001,     /* the library was used the wrong way */
    AW_ESTATE = -5002,      /* wrong state: result not ready, already done */
    AW_EDEADLOCK = -5003,   /* tasks wait, but nothing can ever wake them */
    AW_EINCOMPLETE = -5004, /* EOF before the requested bytes arrived */
    AW_ELIMIT = -5005,      /* a line or buffer went over its limit */
    AW_EUNAVAILABLE = -5006 /* a backend cannot run on this machine */
};

/* NULL where an object is needed (a loop, a future, a task, a stream...)
 * is misuse, never a crash: every function then leaves a message in
 * aw_last_error() and fails, with AW_EMISUSE if it returns an int, else
 * with 0, false, NULL or the first value of its enum. Where NULL means
 * something, the function says so: releasing or freeing NULL does nothing
 * (as free(NULL)), NULL options are the defaults, a NULL result pointer
 * means the result is not wanted. tests/lib/test_null.c checks every
 * function of the aw*.h headers this way. */

/* The name of an error code: "operation cancelled", "connection reset"... */
const char *aw_strerror(int code);
/* The message of the last failure in this thread ("" if none yet). */
const char *aw_last_error(void);

/* ------------------------------------------------------------------ */
/* The event loop                                                      */
/* ------------------------------------------------------------------ */

typedef void (*aw_callback)(void *arg);

typedef enum {
    AW_BACKEND_DEFAULT = 0, /* $AW_BACKEND if set, else epoll */
    AW_BACKEND_EPOLL,
    AW_BACKEND_POLL,
    AW_BACKEND_SELECT,
    AW_BACKEND_IO_URING
} aw_backend_kind;

typedef struct {
    aw_backend_kind backend; /* which selector or proactor */
    bool debug;              /* debug mode (also $AW_DEBUG=1) */
    bool virtual_clock;      /* time jumps to the next timer when idle */
    size_t stack_size;       /* bytes per task stack; 0 = 256 KiB */
} aw_loop_options;

typedef enum {
    AW_LOOP_IDLE,     /* created, not running */
    AW_LOOP_RUNNING,  /* inside run_forever / run_until_complete */
    AW_LOOP_STOPPING, /* aw_loop_stop was called; ends after this pass */
    AW_LOOP_CLOSED
} aw_loop_state;

/* A new loop with default options. NULL on failure (see aw_last_error). */
aw_loop *aw_loop_new(void);
/* A new loop with options; NULL options means the defaults. */
aw_loop *aw_loop_new_with(const aw_loop_options *options);
/* Close and free the loop. Fails with AW_EMISUSE while the loop runs or
 * while tasks are pending; the loop is then left open and untouched.
 * Once it succeeds the loop is freed: close it once, as with free(). */
int aw_loop_close(aw_loop *loop);
/* Cancel every pending task, run until they have all finished, then
 * close. This is what asyncio.run() does at the end. */
int aw_loop_shutdown(aw_loop *loop);

/* Run until aw_loop_stop is called. */
int aw_loop_run_forever(aw_loop *loop);
/* Run until the future is done; return its error code (0 on success). */
int aw_loop_run_until_complete(aw_loop *loop, aw_future *future);
/* Ask a running loop to stop after the current pass. */
int aw_loop_stop(aw_loop *loop);

/* Can this backend run here? 0 if so; otherwise AW_EUNAVAILABLE (or
 * another error), with the cause in why, e.g. "io_uring_setup: Operation
 * not permitted (blocked by seccomp?)". why may be NULL. */
int aw_backend_available(aw_backend_kind kind, char *why, size_t len);
/* The backend's name: "epoll", "poll", "select" or "io_uring". */
const char *aw_backend_kind_name(aw_backend_kind kind);

aw_loop_state aw_loop_state_of(const aw_loop *loop);
const char *aw_loop_backend_name(const aw_loop *loop);
/* The loop running in this thread, or NULL. */
aw_loop *aw_running_loop(void);

/* The loop's clock in seconds: monotonic, or virtual with virtual_clock. */
double aw_loop_time(const aw_loop *loop);

/* Run fn(arg) on the next pass of the loop. */
int aw_call_soon(aw_loop *loop, aw_callback fn, void *arg);
/* Run fn(arg) after delay seconds, or at loop time `when`. These return
 * a timer id for aw_timer_cancel, or 0 on error. Equal deadlines fire in
 * the order they were scheduled. */
uint64_t aw_call_later(aw_loop *loop, double delay, aw_callback fn, void *arg);
uint64_t aw_call_at(aw_loop *loop, double when, aw_callback fn, void *arg);
/* Cancel a timer that has not fired yet. AW_ESTATE if it already has. */
int aw_timer_cancel(aw_loop *loop, uint64_t timer_id);

/* ------------------------------------------------------------------ */
/* Readiness on file descriptors (selector style)                     */
/* ------------------------------------------------------------------ */

/* Call fn(arg) on every pass in which fd is readable (or writable),
 * until removed. One reader and one writer per descriptor, as in
 * asyncio; adding again replaces the callback. */
int aw_add_reader(aw_loop *loop, int fd, aw_callback fn, void *arg);
int aw_remove_reader(aw_loop *loop, int fd);
int aw_add_writer(aw_loop *loop, int fd, aw_callback fn, void *arg);
int aw_remove_writer(aw_loop *loop, int fd);

/* ------------------------------------------------------------------ */
/* Futures                                                             */
/* ------------------------------------------------------------------ */

typedef enum { AW_PENDING, AW_DONE, AW_CANCELLED } aw_future_state;

typedef void (*aw_done_callback)(aw_future *future, void *arg);

/* A new pending future, with one reference held by the caller. */
aw_future *aw_future_new(aw_loop *loop);
/* Take or drop a reference; the future is freed when none is left. */
aw_future *aw_future_retain(aw_future *future);
void aw_future_release(aw_future *future);

aw_future_state aw_future_state_of(const aw_future *future);
bool aw_future_done(const aw_future *future); /* done or cancelled */
bool aw_future_cancelled(const aw_future *future);
aw_loop *aw_future_loop(const aw_future *future);

/* Complete the future. AW_ESTATE if it is already done. */
int aw_future_set_result(aw_future *future, void *result);
int aw_future_set_error(aw_future *future, int code, const char *message);
/* Cancel a pending future: true if this call cancelled it. */
bool aw_future_cancel(aw_future *future);

/* After completion: the result, or the error code and its message.
 * aw_future_error returns AW_ESTATE while the future is pending. */
void *aw_future_result(const aw_future *future);
int aw_future_error(aw_future *future);
const char *aw_future_message(const aw_future *future);

/* Call cb(future, arg) through the loop once the future is done; if it is
 * done already, the call is scheduled at once. Never called inline. */
int aw_future_add_done_callback(aw_future *future, aw_done_callback cb,
                                void *arg);
/* Remove every registration of (cb, arg); returns how many it removed. */
int aw_future_remove_done_callback(aw_future *future, aw_done_callback cb,
                                   void *arg);

/* ------------------------------------------------------------------ */
/* Tasks: coroutines with their own stacks                             */
/* ------------------------------------------------------------------ */

/* A task runs fn(arg) on its own stack. What fn returns is the task's
 * result; `return aw_raise(code, "...")` ends it with an error instead. */
typedef void *(*aw_task_fn)(void *arg);

typedef enum {
    AW_TASK_PENDING, /* created or waiting */
    AW_TASK_RUNNING, /* executing right now */
    AW_TASK_DONE,
    AW_TASK_CANCELLED
} aw_task_state;

/* Create a task and schedule its first step. name may be NULL
 * ("Task-<id>"). The caller holds one reference; release it with
 * aw_task_release when the task's result is no longer needed. */
aw_task *aw_task_create_at(aw_loop *loop, aw_task_fn fn, void *arg,
                           const char *name, const char *file, int line);
/* A macro only so that each task remembers where it was created. */
#define aw_task_create(loop, fn, arg, name)                                    \
    aw_task_create_at((loop), (fn), (arg), (name), __FILE__, __LINE__)

aw_task *aw_task_retain(aw_task *task);
void aw_task_release(aw_task *task);

/* A task is also a future: await it, or add done callbacks to it. */
aw_future *aw_task_future(aw_task *task);
aw_task *aw_future_task(aw_future *future); /* NULL if not a task */

const char *aw_task_name(const aw_task *task);
uint64_t aw_task_id(const aw_task *task);
aw_task_state aw_task_state_of(const aw_task *task);
aw_loop *aw_task_loop(const aw_task *task);
/* Where aw_task_create was called, as "file:line". */
const char *aw_task_origin(const aw_task *task);
/* The future this task is suspended on, or NULL. */
aw_future *aw_task_awaiting(const aw_task *task);
void *aw_task_result(const aw_task *task);
int aw_task_error(aw_task *task);
const char *aw_task_message(const aw_task *task);

/* Ask the task to stop. True if the request was made (false if the task
 * is already done). The rules are asyncio's (tests/conformance/ runs
 * each beside its Python twin):
 *   - A suspended task gets the request through the future it awaits,
 *     which is cancelled (a task awaited is asked to stop in turn). Its
 *     await returns what that future ends with: AW_ECANCELLED, or the
 *     value of an awaited task that swallowed the request and returned.
 *   - A task that is not suspended gets it at its next real suspension.
 *     Awaiting a future that is done already is none: the result is
 *     returned, and the request waits.
 *   - It is delivered once: after the await that returned AW_ECANCELLED,
 *     awaits work again, so clean-up code may await.
 *   - A task whose function returns with the request still pending ends
 *     cancelled.
 * Unlike asyncio, a request carries no message. */
bool aw_task_cancel(aw_task *task);
/* How many cancellation requests the task has had and not taken back
 * (asyncio's cancelling()). A scope that cancels its own task (a task
 * group, a timeout) takes its request back with aw_task_uncancel, and
 * knows from what is left whether someone else asked too. */
int aw_task_cancelling(const aw_task *task);
/* Take one request back; returns how many are left. At 0, a request not
 * yet delivered is dropped (Python 3.13's rule). */
int aw_task_uncancel(aw_task *task);

/* The task running right now, or NULL outside tasks. */
aw_task *aw_current_task(void);

/* --- Only inside a task ---------------------------------------------- */

/* Suspend until the future is done. Stores its result in *result (if
 * result is not NULL) and returns its error code: 0, AW_ECANCELLED, ...
 * A future that is done already returns at once, without suspending
 * (and without delivering a pending cancellation: see aw_task_cancel).
 * Outside a task, or on another loop's future: AW_EMISUSE. */
int aw_await(aw_future *future, void **result);
/* Suspend for the given seconds; aw_sleep(0) just yields to the loop. */
int aw_sleep(double seconds);
/* Await `future` for at most `timeout` seconds. On timeout the future is
 * cancelled, and AW_ETIMEDOUT is returned once it has finished. */
int aw_wait_for(aw_future *future, double timeout, void **result);
/* End the current task with an error: `return aw_raise(code, msg);`.
 * message may be NULL (then aw_strerror(code) is used). Always NULL. */
void *aw_raise(int code, const char *message);

/* A future that completes when all n futures have: with the first error
 * if any failed (the rest keep running), else with result NULL. Read
 * each input's own result afterwards; the errors of inputs that fail
 * after the first count as retrieved (debug mode does not report them).
 * Cancellation, as asyncio's gather:
 *   - an input that ends cancelled is an error like another: the gather
 *     is then done with AW_ECANCELLED, and aw_future_cancelled() on it
 *     is false (asyncio: cancelled() False, CancelledError as exception);
 *   - aw_future_cancel on the gather asks every input to stop and
 *     returns true if one took the request; the gather completes later,
 *     when an input has ended (after its clean-up), with AW_ECANCELLED.
 * Unlike asyncio, there is no list of results: each input keeps its own.
 * The caller owns one reference to the returned future. */
aw_future *aw_gather(aw_loop *loop, aw_future *const *futures, size_t n);
/* With return_exceptions (asyncio's gather(..., return_exceptions=True)):
 * an input's error settles nothing; the future completes with result NULL
 * once every input has, and each error is read from its input. A
 * cancellation of the gather itself still ends it with AW_ECANCELLED. */
aw_future *aw_gather_with(aw_loop *loop, aw_future *const *futures, size_t n,
                          bool return_exceptions);
/* A future that takes inner's outcome, and whose cancellation does not
 * reach inner (asyncio.shield): the task awaiting it can be cancelled
 * while inner goes on. If inner is done already, inner itself. The
 * caller owns one reference to the returned future. */
aw_future *aw_shield(aw_future *inner);

/* The rest of the interface, one header per area. */
#include "aw_as_completed.h" /* futures in the order they finish */
#include "aw_introspect.h"   /* all tasks, task dumps, debug mode, tracing */
#include "aw_io.h"           /* sockets, streams, servers */
#include "aw_queue.h"        /* FIFO, LIFO and priority queues */
#include "aw_sync.h"         /* locks, events, semaphores, conditions */
#include "aw_system.h"       /* datagrams, Unix sockets, signals, processes */
#include "aw_taskgroup.h"    /* task groups */
#include "aw_timeout.h"      /* time limits as scopes */
#include "aw_wait.h"         /* wait for some of many futures */

#endif
