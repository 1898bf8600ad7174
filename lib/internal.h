/*
 * internal.h - the structures behind aw.h, shared by the library's files.
 * Learners: read aw.h first; this is how it is built.
 */
#ifndef AW_INTERNAL_H
#define AW_INTERNAL_H

#include "aw.h"
#include "switch.h"

#include <stdatomic.h>

/* Built with AddressSanitizer? gcc says so with __SANITIZE_ADDRESS__,
 * clang with __has_feature. Task stacks need telling it (task.c, stack.c). */
#if defined(__SANITIZE_ADDRESS__)
#define AW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AW_ASAN 1
#endif
#endif

/* ---- errors (error.c) ---------------------------------------------- */

/* Record a message for aw_last_error() and return code, so a failing
 * function can end with `return aw__fail(code, "fmt", ...)`. */
int aw__fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- time (clock.c) -------------------------------------------------- */

typedef int64_t aw_ns; /* nanoseconds on the loop's clock */
#define AW_NS_PER_SEC 1000000000LL

aw_ns aw__monotonic_ns(void);
aw_ns aw__loop_now(const aw_loop *loop);
aw_ns aw__seconds_to_ns(double seconds);

/* ---- timers (timer.c) -------------------------------------------------- */

/* A timer lives in the loop's min-heap, ordered by (when, seq): equal
 * deadlines fire in the order they were scheduled. Timers made by
 * aw_call_later are malloc'd; the library's own (a task's sleep) are
 * embedded in the object that uses them and never freed by the heap.
 * 40 bytes: a million timers are a common load (one per connection). */
typedef struct aw_timer {
    aw_ns when;
    uint64_t seq; /* schedule order */
    aw_callback fn;
    void *arg;
    uint32_t heap_index; /* position in the heap, for O(log n) removal */
    /* aw_call_later's timers have a slot in loop->timer_slots, so that
     * aw_timer_cancel finds them by id without a search; 0 for others. */
    uint32_t slot : 31;
    uint32_t owned_by_heap : 1; /* free() it after it fires or is cancelled */
} aw_timer;

typedef struct {
    aw_timer **items;
    size_t len, cap;
} aw_timer_heap;

/* The public timers by slot: an entry is a timer, or, when free, the
 * next free slot's index (see timer.c). */
typedef struct {
    uintptr_t *entries;
    uint32_t cap;
    uint32_t first_free; /* 0: none (slot 0 is never used) */
} aw_timer_slots;

void aw__timer_init(aw_timer *timer, aw_callback fn, void *arg);
int aw__timer_push(aw_loop *loop, aw_timer *timer);
void aw__timer_remove(aw_loop *loop, aw_timer *timer);
aw_timer *aw__timer_peek(const aw_loop *loop);
aw_timer *aw__timer_pop(aw_loop *loop);
bool aw__timer_armed(const aw_timer *timer);
/* The id aw_call_later returned for a public timer. */
uint64_t aw__timer_id(const aw_timer *timer);
void aw__timer_heap_free(aw_loop *loop);

/* ---- the ready queue (ready.c) ------------------------------------------ */

/* A ring buffer of callbacks to run on the next pass: no allocation per
 * aw_call_soon once it has grown to the loop's working size. */
typedef struct {
    aw_callback fn;
    void *arg;
} aw_ready_item;

typedef struct {
    aw_ready_item *items;
    size_t head, len, cap; /* cap is a power of two */
} aw_ready_queue;

int aw__ready_push(aw_ready_queue *q, aw_callback fn, void *arg);
bool aw__ready_pop(aw_ready_queue *q, aw_ready_item *out);
void aw__ready_free(aw_ready_queue *q);

/* ---- backends (backend.h) ------------------------------------------------ */

#include "backend.h"

/* What the loop knows about one file descriptor. */
typedef struct {
    int mask; /* AW_READABLE | AW_WRITABLE currently registered */
    aw_callback on_readable;
    void *readable_arg;
    aw_callback on_writable;
    void *writable_arg;
} aw_fd_watch;

/* ---- futures (future.c) -------------------------------------------------- */

typedef struct aw_done_node {
    aw_done_callback cb;
    void *arg;
    aw_future *future;
    struct aw_done_node *next;
    bool embedded; /* part of another object (a task): never free()d */
} aw_done_node;

struct aw_future {
    aw_loop *loop;
    aw_future_state state;
    int refs;
    void *result;
    int error;
    char *message;
    bool retrieved;          /* someone looked at the outcome */
    aw_done_node *callbacks; /* in the order they were added */
    aw_done_node **callbacks_tail;
    aw_task *task; /* non-NULL if this future is a task's */
    bool debug;    /* made by a loop in debug mode: report a lost error */
    /* Called when the future is cancelled, before its callbacks run: lets
     * the code that completes it (a timer, an I/O watch) let go. */
    void (*on_cancel)(aw_future *future, void *arg);
    void *on_cancel_arg;
    /* Debug mode: the code that called aw_future_new, to name the future
     * when it is used after being freed. */
    const void *creator;
    /* Set by a future that is cancelled by asking others (a gather asks
     * its inputs, as asyncio's does): aw_future_cancel calls it, with
     * on_cancel_arg, instead of settling the future, and returns what
     * it returns. The future completes later, when they have. */
    bool (*cancel_by_asking)(aw_future *future, void *arg);
};

void aw__future_init(aw_future *f, aw_loop *loop);
/* Settle f as done with an error, even AW_ECANCELLED: a gather whose
 * input was cancelled is done with that error, not cancelled itself. */
int aw__future_set_error_done(aw_future *f, int code, const char *message);
void aw__future_clear(aw_future *f);
/* Add or remove a callback node owned by the caller (no allocation). */
void aw__future_add_node(aw_future *f, aw_done_node *node);
void aw__future_remove_node(aw_future *f, aw_done_node *node);
/* For aw_loop_close: ready-queue items that hold a future reference. */
bool aw__is_done_node_item(aw_callback fn);
void aw__discard_done_node(void *node);

/* ---- tasks (task.c) ----------------------------------------------------- */

struct aw_task {
    aw_future future; /* first, so a task is a future */
    aw_loop *loop;
    uint64_t id;
    char *name;
    char origin[96]; /* "file:line" of aw_task_create */
    aw_task_fn fn;
    void *arg;
    aw_task_state state;
    bool started;
    bool scheduled; /* a step is in the ready queue */
    bool finished;  /* fn has returned; the loop settles the rest */
    void *result_on_finish;
    bool must_cancel;    /* cancel requested; delivered at the next await */
    int cancel_requests; /* asyncio's cancelling(): requests not taken back */
    /* The request went on to the awaited future instead (asyncio's rule):
     * the await returns that future's outcome, which is AW_ECANCELLED
     * unless it chose otherwise (a task that swallowed it). */
    bool cancel_passed;
    int raised; /* error set by aw_raise, 0 if none */
    char *raised_message;
    aw_future *awaiting;  /* the future the task is suspended on */
    aw_done_node wakeup;  /* registered on `awaiting`; embedded, no malloc */
    aw_timer sleep_timer; /* for aw_sleep, embedded */
    aw_context context;   /* saved registers while suspended */
    struct aw_stack *stack;
    struct aw_task *prev, *next; /* the loop's list of pending tasks */
    /* Inside aw_task_cancel: coming back in means an await cycle. */
    bool passing_cancel;
    /* While it waits on a lock, a queue... (sync_internal.h): what for,
     * so that introspection can name it. NULL otherwise. */
    const struct aw__wait_reason *wait_reason;
    const void *wait_object;
};

/* ---- stacks (stack.c) ------------------------------------------------ */

typedef struct aw_stack_slab aw_stack_slab;

typedef struct aw_stack {
    void *base;  /* start of this stack's span: the guard page */
    size_t size; /* the span, guard page included */
    aw_stack_slab *slab;
    struct aw_stack *next_free;
    unsigned valgrind_id;
    bool in_use;
    bool warm; /* free, and its pages kept for the next task */
#ifdef AW_ASAN
    /* The last task that ran here, named when a dangling pointer into
     * the freed stack is reported. */
    char finished_name[64];
    char finished_origin[96];
    char *asan_dirty; /* below it, ASan's shadow is known to be clean */
#endif
} aw_stack;

/* A stack for a new task, or NULL after failing with a message that
 * names the cause (the kernel's mapping limit, RLIMIT_AS) and the fix. */
aw_stack *aw__stack_get(aw_loop *loop);
void aw__stack_put(aw_loop *loop, aw_stack *stack);
/* Remember which task runs on the stack, for ASan's reports. */
void aw__stack_label(aw_stack *stack, const char *name, const char *origin);
void aw__stack_pool_free(aw_loop *loop);
void *aw__stack_top(const aw_stack *stack);
void aw__stack_watch_overflow(void);

/* ---- the loop (loop.c) ------------------------------------------------- */

struct aw_loop {
    aw_loop_state state;
    const aw_backend_ops *backend;
    void *backend_data;
    bool debug;
    bool virtual_clock;
    aw_ns virtual_now;
    size_t stack_size;

    aw_ready_queue ready;
    aw_timer_heap timers;
    uint64_t next_timer_seq;
    aw_timer_slots timer_slots;

    aw_fd_watch *fds; /* indexed by file descriptor */
    int fds_cap;
    int watched_fds;  /* descriptors with a non-zero mask */
    int inflight_ops; /* proactor operations submitted, not yet completed */
    uint64_t polls;   /* backend polls so far: tells old events from new */

    aw_task *tasks; /* pending tasks, a doubly linked list */
    size_t pending_tasks;
    uint64_t next_task_id;
    aw_task *current;        /* the running task, or NULL */
    aw_context main_context; /* where tasks switch back to */
    /* Task stacks (stack.c): every slab, those with a free stack, how
     * many are wholly free and kept, how many free stacks keep pages. */
    aw_stack_slab *stack_slabs;
    aw_stack_slab *slabs_with_room;
    size_t stack_slab_count;
    size_t spare_slabs;
    size_t warm_stacks;
    bool stop_requested;
    bool freed; /* debug mode: closed, kept in the quarantine (debug.c) */
    /* Debug mode's threshold, the trace, the dump on a signal (debug.c,
     * trace.c, taskdump.c); NULL until one is first set, so the loop's
     * fast path pays one test of this pointer. */
    struct aw_observer *observer;
    /* The channel from other threads and the executor (threadsafe.c,
     * executor.c); NULL until first needed. Atomic: other threads read
     * it while the loop's thread may be setting it. */
    _Atomic(struct aw_threads *) threads;
};

/* The backend for a kind (AW_BACKEND_DEFAULT reads $AW_BACKEND), or
 * NULL after failing with a message (backends.c). */
const aw_backend_ops *aw__backend_choose(aw_backend_kind kind);

/* 0 if the loop's backend can watch fd; otherwise AW_ELIMIT, with a
 * message that names the limit (select: FD_SETSIZE) and `who`. */
int aw__backend_fd_check(const aw_loop *loop, int fd, const char *who);

/* Called by backends for each descriptor the kernel reports ready. */
void aw__loop_fd_ready(aw_loop *loop, int fd, int mask);

/* Free a finished task (when its last reference goes). */
void aw__task_free(aw_task *task);
/* The running task, or NULL after failing with a message naming `who`. */
aw_task *aw__task_require(const char *who);
/* Park the running task until something schedules it again. */
void aw__task_suspend(aw_task *task);
/* A pending cancellation, delivered at an await point: true (and the
 * error set) if the running task t was cancelled meanwhile. */
bool aw__task_take_cancel(aw_task *t);
/* Schedule a task's next step through the ready queue. */
int aw__task_schedule(aw_task *task);
/* Wake a suspended task: from a loop callback its step runs at once,
 * saving a pass of the loop (and an empty poll); from inside a task it
 * is scheduled. */
void aw__task_wake(aw_task *task);
/* The task a ready-queue item runs a step of (a scheduled step, or a
 * wakeup), or NULL: debug mode and the trace name callbacks by it. */
aw_task *aw__task_of_step(aw_callback fn, void *arg);

/* ---- watching the loop (debug.c, trace.c, deadlock.c) ------------------ */

/* At loop creation: turn on what $AW_DEBUG and $AW_TRACE ask for. */
void aw__observer_open(aw_loop *loop);
/* At loop close: flush the trace, stop the signal dump, free. */
void aw__observer_close(aw_loop *loop);
/* Run one ready callback, timed for debug mode and the trace. */
void aw__observe_callback(aw_loop *loop, aw_callback fn, void *arg);
/* Around the backend's poll: the trace shows I/O waits and events. */
void aw__observe_poll_begin(aw_loop *loop);
void aw__observe_poll_end(aw_loop *loop);
/* Debug mode: aw_loop_close was refused because tasks are pending. */
void aw__debug_close_refused(aw_loop *loop);
/* Debug mode: a future's last reference is going. Reports an error
 * nobody retrieved; returns true to keep a pending task alive (it was
 * released once too often, and the loop still runs it). */
bool aw__debug_future_freed(aw_future *future);
/* Debug mode's quarantine (debug.c): instead of being freed, a future,
 * task or loop is kept a while with refs (or `freed`) marking it, so a
 * call on it is named instead of reading freed memory. */
enum { AW__FREED_REFS = -0x5eed };
void aw__debug_keep_freed_task(aw_task *task);
void aw__debug_keep_freed_future(aw_future *future);
void aw__debug_keep_closed_loop(aw_loop *loop);
/* true (after a report naming the object and `who`) if f was freed. */
bool aw__debug_freed(const aw_future *f, const char *who);
/* Debug mode: true (after a report) if a task is inside a read of r, so
 * that aw_reader_free must keep it. */
bool aw__debug_reader_busy(aw_reader *r);
/* run_once found nothing to run and nothing to wait for: fail with
 * AW_EDEADLOCK and a message naming the stuck tasks and any cycle. */
int aw__deadlock_report(aw_loop *loop);
/* aw_loop_close: remove the loop's signal handlers (signals.c) and stop
 * watching its child processes (subprocess.c). */
void aw__signals_loop_closing(aw_loop *loop);
void aw__subprocess_loop_closing(aw_loop *loop);
/* Introspection: is f the future of an aw_to_thread job? Then a line
 * saying so goes into buf (executor.c). */
bool aw__executor_describe(const aw_future *f, char *buf, size_t len);
/* aw_loop_close: stop the executor, waiting for its running jobs, and
 * close the channel from other threads (threadsafe.c). */
void aw__threads_loop_closing(aw_loop *loop);
/* The inputs of a pending aw_gather future (gather.c); 0 otherwise. */
size_t aw__gather_inputs(aw_future *gathered, aw_future *const **inputs);

#endif
