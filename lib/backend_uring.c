/*
 * backend_uring.c - the io_uring proactor (Linux 5.11 and later).
 *
 * A selector asks the kernel "which descriptors are ready?" and then
 * makes the system calls itself. A proactor hands the kernel whole
 * operations ("receive into this buffer", "accept on this socket") and is
 * told when each has completed. Windows' I/O completion ports work this
 * way, and so does asyncio's ProactorEventLoop built on them; on Linux,
 * io_uring does.
 *
 * io_uring is two rings shared between the program and the kernel:
 *
 *   program --SQE--> [ submission queue ] --> kernel does the work
 *   program <--CQE-- [ completion queue ] <-- kernel posts results
 *
 * Filling an SQE costs no system call. One io_uring_enter hands over
 * every SQE queued since the last one and, in the same call, waits for
 * completions: that is where the proactor saves system calls. This file
 * keeps the ring and makes that one call per pass of the loop (poll). It
 * also offers readiness (watch), so aw_add_reader works here too: a watch
 * is an IORING_OP_POLL_ADD, the kernel's poll run as an operation.
 * uring_ops.c has the operations themselves; uring.h says who owns what.
 */
#include "uring.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Sized for a server with a thousand busy connections. Each may have a
 * receive and a send completing in the same pass: the completion queue
 * (twice RING_ENTRIES) holds them all, where an overflow would cost the
 * kernel an allocation per CQE. The provided buffers start few and grow:
 * the kernel takes them in turn, so every buffer handed over ends up
 * written and resident (2048 from the start kept 8 MiB for good, more
 * than a whole idle epoll server). A buffer is held only from the
 * kernel's receive to our handling of its CQE, so a few dozen serve many
 * connections; when a receive finds them all taken (ENOBUFS), the ring
 * gets twice as many, up to BUFFER_COUNT. */
enum {
    RING_ENTRIES = 1024, /* SQEs per batch before we must submit early */
    BUFFER_COUNT = 2048, /* provided buffers at most (a power of two) ... */
    BUFFER_SIZE = 4096,  /* ... of this many bytes each */
    BUFFER_START = 128,  /* handed to the kernel at first (512 KiB) */
    REAP_BATCH = 64,     /* CQEs copied out of the ring at a time */
    SUBMIT_EARLY = 64    /* queued SQEs that are submitted without delay */
};

uring_state *aw__uring_state(aw_loop *loop)
{
    return loop->backend_data;
}

int aw__uring_stats(const aw_loop *loop, aw_uring_stats *out)
{
    if (!loop || loop->backend != &aw__backend_uring)
        return aw__fail(AW_EMISUSE,
                        "aw__uring_stats: the loop does not run on io_uring");
    const uring_state *s = loop->backend_data;
    *out = s->stats;
    out->buffer_ring = s->have_buffers;
    out->multishot_accept = !s->multishot_accept_failed;
    out->multishot_recv = false; /* a stream asks for one receive per read */
    return 0;
}

/* ---- op records and SQEs ------------------------------------------------- */

uring_op *aw__uring_op_new(uring_state *s, uring_op_kind kind, int fd,
                           size_t cap)
{
    /* calloc, not malloc: the kernel writes received bytes into data[]
     * behind valgrind's back, and zeroed memory is what valgrind expects
     * to be defined. */
    uring_op *op = calloc(1, sizeof *op + cap);
    if (!op)
        return NULL;
    op->kind = kind;
    op->fd = fd;
    op->cap = cap;
    op->next = s->live;
    if (s->live)
        s->live->prev = op;
    s->live = op;
    return op;
}

void aw__uring_op_free(uring_state *s, uring_op *op)
{
    if (op->prev)
        op->prev->next = op->next;
    else
        s->live = op->next;
    if (op->next)
        op->next->prev = op->prev;
    free(op->owned); /* a write's bytes, if their writer has gone */
    free(op);
}

/* Submit now, to make room in a full submission queue. (If the kernel
 * refuses, aw__uring_sqe finds the queue still full and says so.) */
static void submit_early(uring_state *s)
{
    int rc = io_uring_submit(&s->ring);
    s->stats.enters++;
    if (rc > 0)
        s->stats.submitted += (unsigned)rc;
}

struct io_uring_sqe *aw__uring_sqe(uring_state *s)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
    if (!sqe) {
        submit_early(s);
        sqe = io_uring_get_sqe(&s->ring);
    }
    if (!sqe) {
        /* The kernel refused a whole batch: the records it holds would
         * be left dangling if we went on. */
        fprintf(stderr, "aw: io_uring: no free submission entry\n");
        abort();
    }
    io_uring_sqe_set_data64(sqe, 0);
    return sqe;
}

struct io_uring_sqe *aw__uring_sqe_for(uring_state *s, uring_op *op)
{
    struct io_uring_sqe *sqe = aw__uring_sqe(s);
    io_uring_sqe_set_data(sqe, op);
    op->in_kernel = true;
    s->in_kernel++;
    return sqe;
}

void aw__uring_cancel(uring_state *s, uring_op *op)
{
    if (op->cancel_sent)
        return;
    op->cancel_sent = true;
    s->stats.cancels++;
    /* Its own CQE (0, or -ENOENT if op has just completed) is ignored:
     * op's own CQE is what tells us the kernel has let go. */
    io_uring_prep_cancel64(aw__uring_sqe(s), (uint64_t)(uintptr_t)op, 0);
}

/* ---- per-descriptor state ------------------------------------------------ */

uring_fd *aw__uring_fd_if_any(uring_state *s, int fd)
{
    return fd >= 0 && fd < s->fds_cap ? s->fds[fd] : NULL;
}

uring_fd *aw__uring_fd(uring_state *s, int fd)
{
    if (fd < 0)
        return NULL;
    if (fd >= s->fds_cap) {
        int cap = s->fds_cap ? s->fds_cap : 64;
        while (cap <= fd)
            cap *= 2;
        uring_fd **fds = realloc(s->fds, (size_t)cap * sizeof *fds);
        if (!fds)
            return NULL;
        memset(fds + s->fds_cap, 0, (size_t)(cap - s->fds_cap) * sizeof *fds);
        s->fds = fds;
        s->fds_cap = cap;
    }
    if (!s->fds[fd])
        s->fds[fd] = calloc(1, sizeof *s->fds[fd]);
    return s->fds[fd];
}

/* ---- provided buffers ---------------------------------------------------- */

unsigned char *aw__uring_buffer(uring_state *s, unsigned id)
{
    return s->buffers.base + (size_t)id * s->buffers.size;
}

/* Hand the kernel buffers [from, to) of the mapped area. */
static void provide_buffers(uring_state *s, unsigned from, unsigned to)
{
    uring_buffers *b = &s->buffers;
    for (unsigned i = from; i < to; i++)
        io_uring_buf_ring_add(
            b->ring, aw__uring_buffer(s, i), b->size, (unsigned short)i,
            io_uring_buf_ring_mask(b->count), (int)(i - from));
    io_uring_buf_ring_advance(b->ring, (int)(to - from));
    b->provided = to;
}

void aw__uring_buffers_ran_out(uring_state *s)
{
    s->stats.no_buffer++;
    uring_buffers *b = &s->buffers;
    if (s->have_buffers && b->provided < b->count)
        provide_buffers(s, b->provided,
                        b->provided * 2 < b->count ? b->provided * 2
                                                   : b->count);
}

void aw__uring_uses_buffers(uring_state *s, uring_op *op)
{
    op->selects_buffer = true;
    s->buffers.busy++;
}

/* The ring grew for a burst, and nobody uses it now: every buffer it
 * handed out stays resident, so start again from BUFFER_START, with
 * the memory given back. (An idle server keeps 256 KiB, not 8 MiB.) The
 * kernel forgets the old ring when it is unregistered. */
static void shrink_buffers(uring_state *s)
{
    uring_buffers *b = &s->buffers;
    io_uring_unregister_buf_ring(&s->ring, URING_BUFFER_GROUP);
    madvise(b->base, (size_t)b->count * b->size, MADV_DONTNEED);
    struct io_uring_buf_reg reg = {0};
    reg.ring_addr = (uint64_t)(uintptr_t)b->ring;
    reg.ring_entries = b->count;
    reg.bgid = URING_BUFFER_GROUP;
    if (io_uring_register_buf_ring(&s->ring, &reg, 0) != 0) {
        /* Receives use buffers of their own from now on. */
        munmap(b->ring, b->ring_bytes);
        munmap(b->base, (size_t)b->count * b->size);
        s->have_buffers = false;
        return;
    }
    io_uring_buf_ring_init(b->ring);
    provide_buffers(s, 0, BUFFER_START);
}

void aw__uring_give_back_buffer(uring_state *s, unsigned id)
{
    uring_buffers *b = &s->buffers;
    b->busy--;
    io_uring_buf_ring_add(b->ring, aw__uring_buffer(s, id), b->size,
                          (unsigned short)id, io_uring_buf_ring_mask(b->count),
                          0);
    io_uring_buf_ring_advance(b->ring, 1);
}

/* Register a ring of provided buffers. Kernels before 5.19 refuse with
 * EINVAL; receives then use a buffer of their own instead. The memory is
 * mmap'd: the ring must be page-aligned, and valgrind counts fresh
 * mappings as defined, which the kernel's writes then keep true. */
static void setup_buffers(uring_state *s)
{
    uring_buffers *b = &s->buffers;
    b->count = BUFFER_COUNT;
    b->size = BUFFER_SIZE;
    b->ring_bytes = b->count * sizeof(struct io_uring_buf);
    size_t data_bytes = (size_t)b->count * b->size;
    void *ring = mmap(NULL, b->ring_bytes, PROT_READ | PROT_WRITE,
                      MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    void *data = mmap(NULL, data_bytes, PROT_READ | PROT_WRITE,
                      MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (ring == MAP_FAILED || data == MAP_FAILED)
        goto fail;
    struct io_uring_buf_reg reg = {0};
    reg.ring_addr = (uint64_t)(uintptr_t)ring;
    reg.ring_entries = b->count;
    reg.bgid = URING_BUFFER_GROUP;
    if (io_uring_register_buf_ring(&s->ring, &reg, 0) != 0)
        goto fail;
    b->ring = ring;
    b->base = data;
    io_uring_buf_ring_init(b->ring);
    provide_buffers(s, 0, BUFFER_START);
    s->have_buffers = true;
    return;
fail:
    if (ring != MAP_FAILED)
        munmap(ring, b->ring_bytes);
    if (data != MAP_FAILED)
        munmap(data, data_bytes);
    s->have_buffers = false;
}

static void free_buffers(uring_state *s)
{
    if (!s->have_buffers)
        return;
    io_uring_unregister_buf_ring(&s->ring, URING_BUFFER_GROUP);
    munmap(s->buffers.ring, s->buffers.ring_bytes);
    munmap(s->buffers.base, (size_t)s->buffers.count * s->buffers.size);
    s->have_buffers = false;
}

/* ---- readiness watches --------------------------------------------------- */

static void queue_rearm(uring_state *s, uring_op *watch)
{
    if (watch->in_rearm_list)
        return;
    watch->in_rearm_list = true;
    watch->rearm_next = s->rearm;
    s->rearm = watch;
}

static void drop_from_rearm(uring_state *s, uring_op *watch)
{
    for (uring_op **link = &s->rearm; *link; link = &(*link)->rearm_next)
        if (*link == watch) {
            *link = watch->rearm_next;
            watch->in_rearm_list = false;
            return;
        }
}

/* Arm each watch that wants events again. Doing it just before the enter,
 * after the callbacks have run, is what makes a watch level-triggered: a
 * one-shot poll reports at once if the descriptor is still ready. (A
 * multishot poll would save these SQEs, but it reports edges: a reader
 * that leaves data unread would never be called again.) */
static unsigned arm_watches(uring_state *s)
{
    unsigned armed = 0;
    while (s->rearm) {
        uring_op *w = s->rearm;
        s->rearm = w->rearm_next;
        w->in_rearm_list = false;
        if (!w->poll_mask)
            continue;
        unsigned events = 0;
        if (w->poll_mask & AW_READABLE)
            events |= POLLIN;
        if (w->poll_mask & AW_WRITABLE)
            events |= POLLOUT;
        io_uring_prep_poll_add(aw__uring_sqe_for(s, w), w->fd, events);
        w->armed_mask = w->poll_mask;
        w->cancel_sent = false;
        armed++;
    }
    return armed;
}

void aw__uring_unwatch(uring_state *s, uring_fd *uf)
{
    uring_op *w = uf->watch;
    if (!w)
        return;
    /* The record goes now, or, if the kernel holds it, when the cancelled
     * poll's CQE comes back. */
    uf->watch = NULL;
    w->poll_mask = 0;
    if (w->in_kernel) {
        w->orphaned = true;
        aw__uring_cancel(s, w);
    } else {
        drop_from_rearm(s, w);
        aw__uring_op_free(s, w);
    }
}

static int uring_watch(aw_loop *loop, int fd, int old_mask, int new_mask)
{
    (void)old_mask; /* the watch record knows what is armed */
    uring_state *s = aw__uring_state(loop);
    uring_fd *uf = new_mask ? aw__uring_fd(s, fd) : aw__uring_fd_if_any(s, fd);
    if (!uf)
        return new_mask ? aw__fail(-ENOMEM, "out of memory") : 0;
    uring_op *w = uf->watch;
    if (!w && !new_mask)
        return 0;
    if (!w) {
        w = aw__uring_op_new(s, URING_POLL, fd, 0);
        if (!w)
            return aw__fail(-ENOMEM, "out of memory");
        uf->watch = w;
    }
    w->poll_mask = new_mask;
    if (!new_mask)
        aw__uring_unwatch(s, uf);
    else if (w->armed_mask && w->armed_mask != new_mask) {
        aw__uring_cancel(s, w); /* re-armed with the new mask at its CQE */
    } else if (!w->armed_mask) {
        queue_rearm(s, w);
    }
    return 0;
}

static void watch_complete(aw_loop *loop, uring_state *s, uring_op *w,
                           int32_t res)
{
    w->armed_mask = 0;
    if (w->orphaned || s->closing) {
        if (!w->orphaned) {
            uring_fd *uf = aw__uring_fd_if_any(s, w->fd);
            if (uf && uf->watch == w)
                uf->watch = NULL;
        }
        aw__uring_op_free(s, w);
        return;
    }
    if (res == -ECANCELED) { /* its mask changed: arm the new one */
        queue_rearm(s, w);
        return;
    }
    int mask = 0;
    if (res < 0) {
        /* The descriptor is gone (closed without removing the reader):
         * call the callbacks once so they meet the error, then stop, as
         * epoll forgets a closed descriptor. */
        aw__loop_fd_ready(loop, w->fd, w->poll_mask);
        return;
    }
    /* Errors and hang-ups count as both, as with epoll. */
    if (res & (POLLIN | POLLERR | POLLHUP))
        mask |= AW_READABLE;
    if (res & (POLLOUT | POLLERR | POLLHUP))
        mask |= AW_WRITABLE;
    mask &= w->poll_mask;
    if (mask)
        aw__loop_fd_ready(loop, w->fd, mask);
    queue_rearm(s, w);
}

/* ---- create and destroy -------------------------------------------------- */

static int uring_create(aw_loop *loop)
{
    uring_state *s = calloc(1, sizeof *s);
    if (!s)
        return aw__fail(-ENOMEM, "out of memory");
    char why[256];
    int rc = aw__uring_open(&s->ring, RING_ENTRIES, why, sizeof why);
    if (rc) {
        free(s);
        return aw__fail(rc, "io_uring unavailable: %s", why);
    }
    setup_buffers(s);
    loop->backend_data = s;
    return 0;
}

static void reap(aw_loop *loop, uring_state *s);

/* Wait until the kernel has let go of every op, so that no CQE and no
 * received byte can land in freed memory. Cancellations of socket
 * operations complete at once; the bound only guards against a kernel
 * that never answers, and then we leak rather than free. */
static bool drain_kernel(aw_loop *loop, uring_state *s)
{
    for (uring_op *op = s->live; op; op = op->next) {
        /* A stream reader's receive ends here: tell the reader, which
         * would otherwise hold on to the record. */
        if (op->kind == URING_READ && !op->orphaned)
            op->on_received(op->on_received_arg, NULL, -ECANCELED);
        op->orphaned = true;
        op->future = NULL; /* no task is left to wake */
        if (op->in_kernel && op->kind != URING_CLOSE)
            aw__uring_cancel(s, op);
    }
    for (int rounds = 0; s->in_kernel > 0 && rounds < 50; rounds++) {
        struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = 100000000};
        struct io_uring_cqe *cqe;
        io_uring_submit_and_wait_timeout(&s->ring, &cqe, 1, &ts, NULL);
        s->stats.enters++;
        reap(loop, s);
    }
    return s->in_kernel == 0;
}

static void uring_destroy(aw_loop *loop)
{
    uring_state *s = aw__uring_state(loop);
    s->closing = true;
    s->rearm = NULL;
    if (!drain_kernel(loop, s)) {
        fprintf(stderr,
                "aw: io_uring: %zu operation(s) never completed; their "
                "memory is left allocated rather than freed under the "
                "kernel\n",
                s->in_kernel);
        return;
    }
    while (s->live)
        aw__uring_op_free(s, s->live);
    for (int fd = 0; fd < s->fds_cap; fd++)
        if (s->fds[fd]) {
            aw__uring_fd_forget(s, fd);
            free(s->fds[fd]);
        }
    free(s->fds);
    free_buffers(s);
    io_uring_queue_exit(&s->ring);
    free(s);
}

/* ---- one pass: submit, wait, reap ---------------------------------------- */

static void dispatch(aw_loop *loop, uring_state *s, uint64_t user_data,
                     int32_t res, uint32_t flags)
{
    uring_op *op = (uring_op *)(uintptr_t)user_data;
    if (!op)
        return; /* a cancellation's own CQE */
    if (!(flags & IORING_CQE_F_MORE)) {
        op->in_kernel = false; /* the kernel is done with op */
        s->in_kernel--;
        if (op->selects_buffer) {
            op->selects_buffer = false;
            s->buffers.busy--;
        }
    }
    if (flags & IORING_CQE_F_BUFFER)
        s->buffers.busy++; /* ours until given back */
    if (op->kind == URING_POLL)
        watch_complete(loop, s, op, res);
    else
        aw__uring_op_complete(loop, s, op, res, flags);
}

// ANCHOR: reap
/* Take every CQE there is. Each is copied out and the ring advanced
 * before it is handled, so a handler may queue new SQEs freely. */
static void reap(aw_loop *loop, uring_state *s)
{
    struct io_uring_cqe *cqes[REAP_BATCH];
    struct {
        uint64_t user_data;
        int32_t res;
        uint32_t flags;
    } batch[REAP_BATCH];
    /* Only peek when the ring holds CQEs: on an empty ring liburing may
     * enter the kernel on its own, which our count would miss. */
    while (io_uring_cq_ready(&s->ring) > 0) {
        unsigned n = io_uring_peek_batch_cqe(&s->ring, cqes, REAP_BATCH);
        for (unsigned i = 0; i < n; i++) {
            batch[i].user_data = cqes[i]->user_data;
            batch[i].res = cqes[i]->res;
            batch[i].flags = cqes[i]->flags;
        }
        io_uring_cq_advance(&s->ring, n);
        s->stats.completions += n;
        for (unsigned i = 0; i < n; i++)
            dispatch(loop, s, batch[i].user_data, batch[i].res, batch[i].flags);
    }
}
// ANCHOR_END: reap

/* Does the kernel hold completions we can only get by entering? (Work
 * deferred until we enter, or CQEs that overflowed the ring.) */
static bool kernel_has_completions(const uring_state *s)
{
    unsigned flags = IO_URING_READ_ONCE(*s->ring.sq.kflags);
    return flags & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW);
}

// ANCHOR: enter
/* The one system call of a pass: hand over every queued SQE and, unless
 * there is something to do already, wait for the first completion.
 *
 * While callbacks are ready to run (timeout 0), queued operations may
 * wait one pass: the tasks about to run will likely queue more, and one
 * enter then submits them all. SQEs that have waited a pass already, a
 * long queue, or completions the kernel holds for us make us enter at
 * once, so busy callbacks cannot starve I/O. Readiness watches never
 * wait: a poll without blocking must see what is ready now, as epoll's
 * does. (A virtual clock never blocks: there every pass submits.) */
static int enter(aw_loop *loop, uring_state *s, int64_t timeout_ns,
                 bool watches_armed)
{
    unsigned queued = io_uring_sq_ready(&s->ring);
    bool have_cqes = io_uring_cq_ready(&s->ring) > 0;
    bool wait = !have_cqes && timeout_ns != 0;
    bool submit_now = queued > 0 && (queued >= SUBMIT_EARLY || s->deferred ||
                                     watches_armed || loop->virtual_clock);
    if (!wait && !submit_now && !kernel_has_completions(s)) {
        s->deferred = queued;
        return 0; /* nothing that cannot wait for the next pass */
    }
    int rc;
    if (!wait && queued) {
        rc = io_uring_submit(&s->ring);
    } else if (!wait) {
        rc = io_uring_get_events(&s->ring);
    } else if (timeout_ns < 0) {
        rc = io_uring_submit_and_wait(&s->ring, 1);
    } else {
        struct __kernel_timespec ts = {
            .tv_sec = timeout_ns / AW_NS_PER_SEC,
            .tv_nsec = timeout_ns % AW_NS_PER_SEC,
        };
        struct io_uring_cqe *cqe;
        rc = io_uring_submit_and_wait_timeout(&s->ring, &cqe, 1, &ts, NULL);
    }
    s->stats.enters++;
    unsigned left = io_uring_sq_ready(&s->ring);
    s->stats.submitted += queued - left;
    s->deferred = left;
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
        return aw__fail(rc, "io_uring_enter: %s", aw_strerror(rc));
    return 0;
}

static int uring_poll(aw_loop *loop, int64_t timeout_ns)
{
    uring_state *s = aw__uring_state(loop);
    bool watches_armed = arm_watches(s) > 0;
    int rc = enter(loop, s, timeout_ns, watches_armed);
    if (rc)
        return rc;
    uint64_t before = s->stats.completions;
    reap(loop, s);
    if (s->have_buffers && s->buffers.busy == 0 &&
        s->buffers.provided > BUFFER_START)
        shrink_buffers(s);
    return (int)(s->stats.completions - before);
}
// ANCHOR_END: enter

const aw_backend_ops aw__backend_uring = {
    .name = "io_uring",
    .probe = aw__uring_probe,
    .create = uring_create,
    .destroy = uring_destroy,
    .watch = uring_watch,
    .poll = uring_poll,
    .recv = aw__uring_recv,
    .send = aw__uring_send,
    .accept = aw__uring_accept,
    .connect = aw__uring_connect,
    .close = aw__uring_close,
};
