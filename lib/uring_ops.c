/*
 * uring_ops.c - recv, send, accept, connect and close as io_uring
 * operations.
 *
 * Each is called inside a task and goes the same way:
 *
 *   task                        loop                         kernel
 *   op = record + future
 *   fill an SQE (user_data=op)
 *   await the future  ------->  next pass: one io_uring_enter
 *                               hands over every queued SQE -->  works
 *                               ...                          <-- CQE
 *                               CQE's user_data finds op,
 *   <-- wakes: take the result  settles op's future
 *
 * Ownership. The record, and every byte the kernel reads or writes, is
 * the backend's while the kernel has the operation: the bytes of a send
 * are copied into the record, and a receive lands in a provided buffer
 * (or the record's own), never in the caller's buffer. A cancelled task
 * can therefore leave at once: its op is orphaned, the kernel is asked to
 * cancel it, and the record is freed when the kernel's CQE for it comes
 * back. Nothing is lost on the way: bytes that an orphaned receive got
 * anyway are kept for the next receive on that descriptor, and a
 * connection accepted for a task that has gone waits for the next accept.
 * What cannot be taken back is a send: bytes may have left even though
 * the task saw AW_ECANCELLED.
 */
#include "uring.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    /* Connections accepted before anyone asked: beyond this, stop
     * accepting until a task takes some, and let the kernel's backlog
     * hold the rest. */
    ACCEPT_QUEUE_MAX = 64
};

/* ---- an operation, seen from the task ------------------------------------ */

// ANCHOR: cancel
/* The future's on_cancel hook: the waiting task is being cancelled. */
static void op_cancelled(aw_future *f, void *arg)
{
    uring_op *op = arg;
    op->orphaned = true;
    op->future = NULL;
    /* A close is not undone: it goes through, and its CQE frees op. */
    if (op->kind != URING_CLOSE)
        aw__uring_cancel(aw__uring_state(f->loop), op);
}
// ANCHOR_END: cancel

/* A new op for the running task, with a future to await. */
static uring_op *op_begin(aw_loop *loop, uring_op_kind kind, int fd, size_t cap,
                          const char *who)
{
    uring_state *s = aw__uring_state(loop);
    uring_op *op = aw__uring_op_new(s, kind, fd, cap);
    aw_future *f = op ? aw_future_new(loop) : NULL;
    if (!f) {
        if (op)
            aw__uring_op_free(s, op);
        aw__fail(-ENOMEM, "%s: out of memory", who);
        return NULL;
    }
    f->on_cancel = op_cancelled;
    f->on_cancel_arg = op;
    op->future = f;
    return op;
}

/* op is started: the loop counts it in flight, so that a task waiting
 * for it is not called a deadlock; op_uncount when it ends. */
static void op_count(aw_loop *loop, uring_op *op)
{
    op->counted = true;
    loop->inflight_ops++;
    aw__uring_state(loop)->stats.ops++;
}

static void op_uncount(aw_loop *loop, uring_op *op)
{
    if (op->counted) {
        op->counted = false;
        loop->inflight_ops--;
    }
}

/* The SQE for op, to fill in; the loop's next enter submits it. */
static struct io_uring_sqe *op_sqe(aw_loop *loop, uring_op *op)
{
    op_count(loop, op);
    return aw__uring_sqe_for(aw__uring_state(loop), op);
}

// ANCHOR: wait
/* Await op. Three outcomes:
 *   0, *owned true: op completed; the caller takes its result, frees it;
 *   AW_ECANCELLED, *owned false: the task was cancelled first; op is an
 *     orphan now, the backend's to finish: the caller must not touch it;
 *   AW_ECANCELLED, *owned true: op completed, but the task was cancelled
 *     before it woke; the caller keeps what op got, and frees it. */
static int op_wait(uring_op *op, bool *owned)
{
    aw_future *f = op->future;
    int rc = aw_await(f, NULL);
    if (f->state == AW_PENDING) /* cancelled before it could suspend */
        aw_future_cancel(f);
    *owned = f->state == AW_DONE;
    if (*owned)
        op->future = NULL;
    aw_future_release(f);
    return rc ? AW_ECANCELLED : 0;
}
// ANCHOR_END: wait

static ssize_t op_result(ssize_t res, bool fd_closed, const char *who, int fd)
{
    if (res >= 0)
        return res;
    if (res == -ECANCELED && fd_closed)
        return aw__fail(-EBADF,
                        "%s: fd %d was closed while the operation was "
                        "in flight",
                        who, fd);
    return aw__fail((int)res, "%s: fd %d: %s", who, fd, aw_strerror((int)res));
}

/* ---- the stash: bytes received for a task that had gone ------------------ */

static void stash_keep(uring_state *s, int fd, const unsigned char *bytes,
                       size_t n)
{
    uring_fd *uf = aw__uring_fd(s, fd);
    if (!uf)
        return; /* out of memory: lost, as they would be without a stash */
    size_t kept = uf->stash_len - uf->stash_off;
    unsigned char *p = malloc(kept + n);
    if (!p)
        return;
    if (kept)
        memcpy(p, uf->stash + uf->stash_off, kept);
    memcpy(p + kept, bytes, n);
    free(uf->stash);
    uf->stash = p;
    uf->stash_len = kept + n;
    uf->stash_off = 0;
}

static size_t stash_take(uring_state *s, int fd, void *buf, size_t len)
{
    uring_fd *uf = aw__uring_fd_if_any(s, fd);
    if (!uf || uf->stash_off == uf->stash_len)
        return 0;
    size_t n = uf->stash_len - uf->stash_off;
    if (n > len)
        n = len;
    memcpy(buf, uf->stash + uf->stash_off, n);
    uf->stash_off += n;
    if (uf->stash_off == uf->stash_len) {
        free(uf->stash);
        uf->stash = NULL;
        uf->stash_len = uf->stash_off = 0;
    }
    return n;
}

/* ---- receive ------------------------------------------------------------- */

/* Where a receive's bytes are, by its CQE's flags: a provided buffer,
 * or op's own. */
static unsigned char *received_bytes(uring_state *s, const uring_op *op,
                                     uint32_t cqe_flags)
{
    if (cqe_flags & IORING_CQE_F_BUFFER)
        return aw__uring_buffer(s, cqe_flags >> IORING_CQE_BUFFER_SHIFT);
    return (unsigned char *)op->data;
}

/* Copy a completed receive's bytes to buf (or, if buf is NULL, keep them
 * for the next receive), and give its provided buffer back. */
static void take_received(uring_state *s, uring_op *op, void *buf)
{
    if (op->res > 0 && buf)
        memcpy(buf, received_bytes(s, op, op->cqe_flags), (size_t)op->res);
    else if (op->res > 0 && !s->closing && !op->fd_closed)
        stash_keep(s, op->fd, received_bytes(s, op, op->cqe_flags),
                   (size_t)op->res);
    if (op->cqe_flags & IORING_CQE_F_BUFFER)
        aw__uring_give_back_buffer(s, op->cqe_flags >> IORING_CQE_BUFFER_SHIFT);
}

// ANCHOR: recv
ssize_t aw__uring_recv(aw_loop *loop, int fd, void *buf, size_t len)
{
    if (!aw__task_require("aw_recv"))
        return AW_EMISUSE;
    uring_state *s = aw__uring_state(loop);
    if (len == 0)
        return 0;
    size_t kept = stash_take(s, fd, buf, len);
    if (kept)
        return (ssize_t)kept;
    bool provided = s->have_buffers;
    uring_fd *uf = aw__uring_fd(s, fd);
    for (;;) {
        /* After a receive that emptied the socket, the next one would
         * most likely find nothing: let the kernel wait for data before
         * trying (Linux 5.19), rather than try, fail and then wait. */
        bool poll_first = uf && uf->recv_drained && !s->poll_first_failed;
        size_t want = len < URING_MAX_IO ? len : URING_MAX_IO;
        if (provided && want > s->buffers.size)
            want = s->buffers.size;
        uring_op *op =
            op_begin(loop, URING_RECV, fd, provided ? 0 : want, "aw_recv");
        if (!op)
            return -ENOMEM;
        struct io_uring_sqe *sqe = op_sqe(loop, op);
        if (provided) {
            /* No buffer yet: the kernel takes one from the ring only when
             * data arrives, so a receive that waits costs no memory. */
            io_uring_prep_recv(sqe, fd, NULL, want, 0);
            sqe->flags |= IOSQE_BUFFER_SELECT;
            aw__uring_uses_buffers(s, op);
            sqe->buf_group = URING_BUFFER_GROUP;
        } else {
            io_uring_prep_recv(sqe, fd, op->data, want, 0);
        }
        if (poll_first)
            sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
        bool owned;
        int rc = op_wait(op, &owned);
        if (!owned)
            return rc;
        if (rc == 0 && op->res == -ENOBUFS) {
            /* Every provided buffer is taken: use a buffer of our own. */
            aw__uring_buffers_ran_out(s);
            aw__uring_op_free(s, op);
            provided = false;
            continue;
        }
        if (rc == 0 && op->res == -EINVAL && poll_first) {
            s->poll_first_failed = true; /* a kernel before 5.19 */
            aw__uring_op_free(s, op);
            continue;
        }
        if (uf)
            uf->recv_drained =
                op->res > 0 && !(op->cqe_flags & IORING_CQE_F_SOCK_NONEMPTY);
        take_received(s, op, rc == 0 ? buf : NULL);
        ssize_t res = op->res;
        bool closed = op->fd_closed;
        aw__uring_op_free(s, op);
        return rc ? rc : op_result(res, closed, "aw_recv", fd);
    }
}
// ANCHOR_END: recv

/* ---- send ---------------------------------------------------------------- */

ssize_t aw__uring_send(aw_loop *loop, int fd, const void *buf, size_t len)
{
    if (!aw__task_require("aw_send"))
        return AW_EMISUSE;
    if (len == 0)
        return 0;
    size_t n = len < URING_MAX_IO ? len : URING_MAX_IO;
    uring_op *op = op_begin(loop, URING_SEND, fd, n, "aw_send");
    if (!op)
        return -ENOMEM;
    /* A copy: the caller may reuse its buffer as soon as we return, even
     * if we return early because the task was cancelled. */
    memcpy(op->data, buf, n);
    io_uring_prep_send(op_sqe(loop, op), fd, op->data, n, MSG_NOSIGNAL);
    bool owned;
    int rc = op_wait(op, &owned);
    if (!owned)
        return rc;
    ssize_t res = op->res;
    bool closed = op->fd_closed;
    aw__uring_op_free(aw__uring_state(loop), op);
    return rc ? rc : op_result(res, closed, "aw_send", fd);
}

/* ---- a stream writer's send ---------------------------------------------- */

/* Hand the kernel what is left of a writer's bytes. MSG_WAITALL: the
 * kernel itself resumes a short send (Linux 5.18); an older kernel
 * returns it short, and write_complete resumes it instead. */
static void write_submit(uring_state *s, uring_op *op)
{
    io_uring_prep_send(aw__uring_sqe_for(s, op), op->fd, op->bytes + op->done,
                       op->len - op->done, MSG_NOSIGNAL | MSG_WAITALL);
}

uring_op *aw__uring_write(aw_loop *loop, int fd, const void *bytes, size_t len,
                          void (*on_written)(void *arg, int result), void *arg)
{
    uring_state *s = aw__uring_state(loop);
    uring_op *op = aw__uring_op_new(s, URING_WRITE, fd, 0);
    if (!op)
        return NULL;
    op->bytes = bytes;
    op->len = len;
    op->on_written = on_written;
    op->on_written_arg = arg;
    op_count(loop, op); /* a task may wait for it to drain */
    write_submit(s, op);
    return op;
}

void aw__uring_write_forget(uring_op *op, void *memory)
{
    op->orphaned = true;
    op->on_written = NULL;
    op->owned = memory; /* the kernel may still read it */
}

static void write_complete(aw_loop *loop, uring_state *s, uring_op *op,
                           int32_t res)
{
    if (res > 0)
        op->done += (size_t)res;
    if (res > 0 && op->done < op->len && !op->orphaned && !op->fd_closed) {
        write_submit(s, op); /* a short send: the rest, same record */
        return;
    }
    op_uncount(loop, op);
    int result = 0;
    if (res < 0)
        result = res == -ECANCELED && op->fd_closed ? -EBADF : res;
    else if (op->done < op->len)
        result = -EPIPE; /* a send of 0 bytes: the socket is shut */
    if (!op->orphaned)
        op->on_written(op->on_written_arg, result);
    aw__uring_op_free(s, op);
}

/* ---- a stream reader's receive ------------------------------------------- */

enum {
    READ_OWN_BUFFER = 16 * 1024 /* without provided buffers: the record's */
};

/* Hand the kernel the receive of at most op->len bytes: into a provided
 * buffer (the kernel picks one when data arrives, so a waiting receive
 * holds no memory; the length caps what it takes), or into the record's
 * own buffer where the kernel has no provided buffers. */
static void read_submit(uring_state *s, uring_op *op)
{
    struct io_uring_sqe *sqe = aw__uring_sqe_for(s, op);
    if (!s->have_buffers) {
        io_uring_prep_recv(sqe, op->fd, op->data, op->len, 0);
        return;
    }
    io_uring_prep_recv(sqe, op->fd, NULL, (unsigned)op->len, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = URING_BUFFER_GROUP;
    aw__uring_uses_buffers(s, op);
}

uring_op *aw__uring_read(aw_loop *loop, int fd, size_t len,
                         void (*on_received)(void *arg, const void *bytes,
                                             ssize_t n),
                         void *arg)
{
    uring_state *s = aw__uring_state(loop);
    size_t most = s->have_buffers ? s->buffers.size : READ_OWN_BUFFER;
    uring_op *op = aw__uring_op_new(s, URING_READ, fd,
                                    s->have_buffers ? 0 : READ_OWN_BUFFER);
    if (!op)
        return NULL;
    op->len = len < most ? len : most;
    if (op->len == 0)
        op->len = 1;
    op->on_received = on_received;
    op->on_received_arg = arg;
    op_count(loop, op); /* data may come: a waiting reader is no deadlock */
    read_submit(s, op);
    return op;
}

void aw__uring_read_forget(aw_loop *loop, uring_op *op)
{
    op->orphaned = true;
    op->on_received = NULL;
    op_uncount(loop, op);
    if (op->in_kernel)
        aw__uring_cancel(aw__uring_state(loop), op);
}

// ANCHOR: read
static void read_complete(aw_loop *loop, uring_state *s, uring_op *op,
                          int32_t res, uint32_t flags)
{
    bool buffer = flags & IORING_CQE_F_BUFFER;
    unsigned id = flags >> IORING_CQE_BUFFER_SHIFT;
    bool wanted = !op->orphaned && !s->closing;
    if (res == -ENOBUFS) {
        /* Every provided buffer was taken at that moment. Those we hold
         * go back as their CQEs are handled, before the next enter, and
         * the ring grows. */
        aw__uring_buffers_ran_out(s);
        if (wanted) {
            read_submit(s, op);
            return;
        }
        res = -ECANCELED;
    }
    op_uncount(loop, op);
    if (!op->orphaned)
        op->on_received(op->on_received_arg, received_bytes(s, op, flags), res);
    if (buffer)
        aw__uring_give_back_buffer(s, id);
    aw__uring_op_free(s, op);
}
// ANCHOR_END: read

/* ---- connect ------------------------------------------------------------- */

static void forget_stale(uring_state *s, int fd);

int aw__uring_connect(aw_loop *loop, int fd, const struct sockaddr *addr,
                      socklen_t addrlen)
{
    if (!aw__task_require("aw_connect"))
        return AW_EMISUSE;
    if (!addr || addrlen == 0 || addrlen > sizeof(struct sockaddr_storage))
        return aw__fail(AW_EMISUSE, "aw_connect: invalid address");
    uring_state *s = aw__uring_state(loop);
    forget_stale(s, fd);
    uring_op *op = op_begin(loop, URING_CONNECT, fd, 0, "aw_connect");
    if (!op)
        return -ENOMEM;
    /* The kernel reads the address after we return to the loop. */
    memcpy(&op->addr, addr, addrlen);
    io_uring_prep_connect(op_sqe(loop, op), fd, (struct sockaddr *)&op->addr,
                          addrlen);
    bool owned;
    int rc = op_wait(op, &owned);
    if (!owned)
        return rc;
    int res = op->res;
    bool closed = op->fd_closed;
    aw__uring_op_free(s, op);
    return rc ? rc : (int)op_result(res, closed, "aw_connect", fd);
}

/* ---- accept -------------------------------------------------------------- */

static int queue_push(uring_fd *uf, int fd, bool front)
{
    if (uf->naccepted == uf->accepted_cap) {
        size_t cap = uf->accepted_cap ? uf->accepted_cap * 2 : 8;
        int *a = realloc(uf->accepted, cap * sizeof *a);
        if (!a)
            return -ENOMEM;
        uf->accepted = a;
        uf->accepted_cap = cap;
    }
    if (front) {
        memmove(uf->accepted + 1, uf->accepted,
                uf->naccepted * sizeof *uf->accepted);
        uf->accepted[0] = fd;
    } else {
        uf->accepted[uf->naccepted] = fd;
    }
    uf->naccepted++;
    return 0;
}

static int queue_pop(uring_fd *uf)
{
    int fd = uf->accepted[0];
    uf->naccepted--;
    memmove(uf->accepted, uf->accepted + 1,
            uf->naccepted * sizeof *uf->accepted);
    return fd;
}

/* Arm an accept on the listener. Multishot (Linux 5.19) keeps accepting
 * with one SQE: each connection is a CQE flagged "more to come". */
static int arm_accept(uring_state *s, uring_fd *uf, int listen_fd,
                      bool multishot)
{
    uring_op *op = aw__uring_op_new(s, URING_ACCEPT, listen_fd, 0);
    if (!op)
        return -ENOMEM;
    op->multishot = multishot;
    struct io_uring_sqe *sqe = aw__uring_sqe_for(s, op);
    if (multishot)
        io_uring_prep_multishot_accept(sqe, listen_fd, NULL, NULL,
                                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    else
        io_uring_prep_accept(sqe, listen_fd, NULL, NULL,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    uf->accept = op;
    s->stats.ops++;
    return 0;
}

/* Hand a new connection (or an error) to the first waiting task, or keep
 * it for the next one that asks. */
static void accept_deliver(aw_loop *loop, uring_fd *uf, int result)
{
    accept_waiter *w = uf->waiters;
    if (w) {
        uf->waiters = w->next;
        if (!uf->waiters)
            uf->waiters_last = NULL;
        w->result = result;
        loop->inflight_ops--;
        aw_future_set_result(w->future, NULL);
    } else if (result >= 0) {
        if (queue_push(uf, result, false) != 0)
            close(result); /* out of memory: refuse the connection */
    } else {
        uf->accept_error = result;
    }
}

static void accept_complete(aw_loop *loop, uring_state *s, uring_op *op,
                            int32_t res, uint32_t flags)
{
    bool more = flags & IORING_CQE_F_MORE;
    uring_fd *uf =
        op->orphaned || s->closing ? NULL : aw__uring_fd_if_any(s, op->fd);
    bool retry_single = false;
    if (res >= 0 && !uf) {
        close(res); /* the listener is closed: nobody will claim it */
    } else if (res >= 0) {
        op->delivered = true;
        if (!op->multishot && op->probing)
            s->multishot_accept_failed = true; /* single-shot works */
        forget_stale(s, res);
        accept_deliver(loop, uf, res);
        if (more && uf->naccepted >= ACCEPT_QUEUE_MAX)
            aw__uring_cancel(s, op);
    } else if (res == -EINVAL && op->multishot && !op->delivered && uf) {
        /* Either the kernel has no multishot accept (before 5.19) or the
         * socket does not listen. A single-shot accept tells which. */
        retry_single = true;
    } else if (res != -ECANCELED && uf) {
        accept_deliver(loop, uf, res);
    }
    if (more)
        return;
    if (uf && uf->accept == op)
        uf->accept = NULL;
    int listen_fd = op->fd;
    aw__uring_op_free(s, op);
    if (!uf || !uf->waiters || uf->accept)
        return;
    /* Tasks still wait: arm again (single-shot after that EINVAL, to learn
     * whether the kernel or the socket said it). */
    bool multishot = !retry_single && !s->multishot_accept_failed;
    if (arm_accept(s, uf, listen_fd, multishot) == 0)
        uf->accept->probing = retry_single;
    else
        while (uf->waiters)
            accept_deliver(loop, uf, -ENOMEM);
}

/* The on_cancel hook of a waiting accept: leave the queue. */
static void waiter_cancelled(aw_future *f, void *arg)
{
    accept_waiter *w = arg;
    aw_loop *loop = f->loop;
    uring_state *s = aw__uring_state(loop);
    uring_fd *uf = aw__uring_fd_if_any(s, w->listen_fd);
    accept_waiter *prev = NULL;
    for (accept_waiter *it = uf->waiters; it; prev = it, it = it->next)
        if (it == w) {
            if (prev)
                prev->next = w->next;
            else
                uf->waiters = w->next;
            if (uf->waiters_last == w)
                uf->waiters_last = prev;
            break;
        }
    loop->inflight_ops--;
    /* Nobody wants connections any more (a server's accept task was
     * cancelled): stop accepting, so that a listener then closed with
     * close(2) really stops listening, instead of being held open by an
     * accept still armed in the kernel. */
    if (!uf->waiters && uf->accept)
        aw__uring_cancel(s, uf->accept);
}

int aw__uring_accept(aw_loop *loop, int listen_fd)
{
    if (!aw__task_require("aw_accept"))
        return AW_EMISUSE;
    uring_state *s = aw__uring_state(loop);
    uring_fd *uf = aw__uring_fd(s, listen_fd);
    if (!uf)
        return aw__fail(-ENOMEM, "aw_accept: out of memory");
    if (uf->naccepted > 0)
        return queue_pop(uf); /* accepted already: no system call at all */
    if (uf->accept_error) {
        int err = uf->accept_error;
        uf->accept_error = 0;
        return (int)op_result(err, false, "aw_accept", listen_fd);
    }
    if (!uf->accept &&
        arm_accept(s, uf, listen_fd, !s->multishot_accept_failed) != 0)
        return aw__fail(-ENOMEM, "aw_accept: out of memory");
    accept_waiter w = {.listen_fd = listen_fd};
    w.future = aw_future_new(loop);
    if (!w.future)
        return -ENOMEM;
    w.future->on_cancel = waiter_cancelled;
    w.future->on_cancel_arg = &w;
    if (uf->waiters_last)
        uf->waiters_last->next = &w;
    else
        uf->waiters = &w;
    uf->waiters_last = &w;
    loop->inflight_ops++;

    int rc = aw_await(w.future, NULL);
    if (w.future->state == AW_PENDING) /* cancelled before suspending */
        aw_future_cancel(w.future);
    bool delivered = w.future->state == AW_DONE;
    aw_future_release(w.future);
    if (!delivered)
        return AW_ECANCELLED;
    if (rc != 0) { /* a connection came, then the cancellation: keep it */
        if (w.result >= 0 && queue_push(uf, w.result, true) != 0)
            close(w.result);
        return AW_ECANCELLED;
    }
    if (w.result < 0)
        return (int)op_result(w.result, false, "aw_accept", listen_fd);
    return w.result;
}

/* ---- completions --------------------------------------------------------- */

// ANCHOR: complete
void aw__uring_op_complete(aw_loop *loop, uring_state *s, uring_op *op,
                           int32_t res, uint32_t flags)
{
    if (op->kind == URING_ACCEPT) {
        accept_complete(loop, s, op, res, flags);
        return;
    }
    if (op->kind == URING_WRITE) {
        write_complete(loop, s, op, res);
        return;
    }
    if (op->kind == URING_READ) {
        read_complete(loop, s, op, res, flags);
        return;
    }
    op->res = res;
    op->cqe_flags = flags;
    op_uncount(loop, op);
    if (!op->orphaned) {
        aw_future_set_result(op->future, NULL); /* the task takes it */
        return;
    }
    if (op->kind == URING_RECV)
        take_received(s, op, NULL);
    aw__uring_op_free(s, op);
}
// ANCHOR_END: complete

/* ---- close --------------------------------------------------------------- */

/* Everything kept for fd: queued connections are closed (nobody was
 * told of them), the stash is dropped, waiting accepts fail. */
void aw__uring_fd_forget(uring_state *s, int fd)
{
    uring_fd *uf = aw__uring_fd_if_any(s, fd);
    if (!uf)
        return;
    for (size_t i = 0; i < uf->naccepted; i++)
        close(uf->accepted[i]);
    free(uf->accepted);
    uf->accepted = NULL;
    uf->naccepted = uf->accepted_cap = 0;
    uf->accept_error = 0;
    uf->recv_drained = false;
    free(uf->stash);
    uf->stash = NULL;
    uf->stash_len = uf->stash_off = 0;
}

/* fd is a new socket: what is kept under its number belonged to an
 * earlier one, closed with close(2) instead of aw_close. */
static void forget_stale(uring_state *s, int fd)
{
    uring_fd *uf = aw__uring_fd_if_any(s, fd);
    if (!uf || uf->waiters)
        return;
    if (uf->accept) {
        uf->accept->orphaned = true;
        aw__uring_cancel(s, uf->accept);
        uf->accept = NULL;
    }
    aw__uring_fd_forget(s, fd);
}

/* fd is about to be closed: cancel every operation on it (the kernel
 * holds the socket open while one is in flight), and tell the tasks. */
static void let_go_of(aw_loop *loop, uring_state *s, int fd)
{
    for (uring_op *op = s->live; op; op = op->next)
        if (op->fd == fd && op->in_kernel && op->kind != URING_CLOSE) {
            op->fd_closed = true;
            aw__uring_cancel(s, op);
        }
    uring_fd *uf = aw__uring_fd_if_any(s, fd);
    if (!uf)
        return;
    aw__uring_unwatch(s, uf); /* aw_close removes readers first; if not */
    if (uf->accept) {
        uf->accept->orphaned = true;
        uf->accept = NULL;
    }
    while (uf->waiters)
        accept_deliver(loop, uf, -EBADF);
    aw__uring_fd_forget(s, fd);
}

int aw__uring_close(aw_loop *loop, int fd)
{
    uring_state *s = aw__uring_state(loop);
    let_go_of(loop, s, fd);
    /* Outside a task (aw_close after the loop stopped, say) there is no
     * one to suspend: close at once. Inside one, the close joins the
     * next batch. */
    if (aw_running_loop() != loop || !loop->current) {
        if (close(fd) != 0)
            return aw__fail(-errno, "aw_close: fd %d: %s", fd, strerror(errno));
        return 0;
    }
    uring_op *op = op_begin(loop, URING_CLOSE, fd, 0, "aw_close");
    if (!op)
        return -ENOMEM;
    io_uring_prep_close(op_sqe(loop, op), fd);
    bool owned;
    int rc = op_wait(op, &owned);
    if (!owned)
        return rc; /* the close happens all the same */
    int res = op->res;
    aw__uring_op_free(s, op);
    return rc ? rc : (int)op_result(res, false, "aw_close", fd);
}
