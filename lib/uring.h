/*
 * uring.h - the io_uring proactor's state, shared by its three files:
 *
 *   uring_probe.c    can io_uring run here, and if not, why not
 *   backend_uring.c  the ring: create, destroy, submit and reap (poll),
 *                    readiness watches (aw_add_reader on a proactor)
 *   uring_ops.c      recv, send, accept, connect and close, each one an
 *                    operation that a task submits and then awaits; and
 *                    a stream's send and receive, which no task
 *                    awaits: they end in callbacks
 *
 * The life of an operation. A task fills a submission queue entry (SQE)
 * whose user_data points to an op record, and awaits the op's future. The
 * loop's next poll hands every queued SQE to the kernel in one
 * io_uring_enter, and reaps the completion queue entries (CQEs). Each CQE
 * finds its record through user_data and settles the future; the task
 * wakes and takes its result.
 *
 * Who owns what. While an operation is in flight the backend owns its
 * record and every byte the kernel may touch: the data to send is copied
 * into the record, and a receive lands in a buffer of the backend's (a
 * provided buffer, or the record's own), never in the caller's. Only when
 * the CQE has arrived is the result copied out to the caller. So a task
 * that is cancelled can leave at once: the record becomes an orphan, the
 * backend asks the kernel to cancel it, and frees it when its last CQE
 * arrives, whatever the task has done with its memory since. (A stream
 * writer's send is the one exception: no task waits for it, and the
 * writer lends its own buffer, which it leaves alone until the send
 * completes, or hands over to the record if it goes away first. A
 * stream reader's receive stays in flight for the connection's life; it
 * too lands in the backend's buffers, and the callback copies out.)
 */
#ifndef AW_URING_H
#define AW_URING_H

#include "internal.h"

#include <liburing.h>

typedef enum {
    URING_POLL,    /* a readiness watch, for aw_add_reader/aw_add_writer */
    URING_RECV,    /* one receive */
    URING_SEND,    /* one send */
    URING_WRITE,   /* a stream writer's send: no task waits, a callback */
    URING_READ,    /* a stream reader's receive: a callback */
    URING_ACCEPT,  /* a listener's accept, shared by the tasks that wait */
    URING_CONNECT, /* one connect */
    URING_CLOSE    /* one close */
} uring_op_kind;

/* One operation the kernel knows about. user_data points here. */
typedef struct uring_op {
    uring_op_kind kind;
    int fd;
    /* The task has let go (it was cancelled, or the fd was closed under
     * a shared op): the backend finishes the op and frees the record
     * when the kernel's last CQE for it arrives. */
    bool orphaned;
    bool cancel_sent;    /* an IORING_OP_ASYNC_CANCEL is on its way */
    bool fd_closed;      /* cancelled because the fd was closed */
    bool counted;        /* counted in loop->inflight_ops */
    bool in_kernel;      /* submitted, and its last CQE has not arrived */
    bool selects_buffer; /* in the kernel, and may take a provided buffer */
    int32_t res;         /* the CQE's result: a count, an fd, or -errno */
    uint32_t cqe_flags;
    aw_future *future;            /* the waiting task's; NULL once orphaned */
    struct uring_op *prev, *next; /* the backend's list of live ops */

    /* URING_POLL: the events wanted, and those the armed SQE asks for
     * (0 while not armed). A watch is re-armed before each enter, which
     * makes it level-triggered like epoll's. */
    int poll_mask;
    int armed_mask;
    struct uring_op *rearm_next;
    bool in_rearm_list;

    /* URING_ACCEPT: multishot (one SQE, many CQEs) or single-shot. */
    bool multishot;
    bool delivered; /* it has produced a connection once */
    bool probing;   /* single-shot, to learn why multishot said EINVAL */

    /* URING_CONNECT: the address, which must outlive the submission. */
    struct sockaddr_storage addr;

    /* URING_WRITE: len bytes lent by a stream writer, which leaves them
     * alone until on_written is called; `done` have gone so far, since a
     * short send is resumed. A writer that goes away first hands their
     * memory over (`owned`), and it is freed with the record. */
    const unsigned char *bytes;
    size_t len, done;
    void *owned;
    void (*on_written)(void *arg, int result);
    void *on_written_arg;

    /* URING_READ: what is received goes to on_received, unless the
     * reader has forgotten it (orphaned). len (above) is the most it
     * asks for. */
    void (*on_received)(void *arg, const void *bytes, ssize_t n);
    void *on_received_arg;

    /* URING_RECV, URING_SEND and URING_READ: the bytes, owned by the
     * record. A receive that uses a provided buffer has cap 0 and no data
     * here. */
    size_t cap;
    unsigned char data[];
} uring_op;

/* A task waiting in accept: linked into its listener's queue. Lives on
 * the task's stack; it is unlinked before the task leaves accept. */
typedef struct accept_waiter {
    int listen_fd;
    aw_future *future;
    int result; /* the new descriptor, or -errno */
    struct accept_waiter *next;
} accept_waiter;

/* What the backend keeps per file descriptor, created on first use. */
typedef struct {
    uring_op *watch;  /* readiness watch, or NULL */
    uring_op *accept; /* the armed accept on this listener, or NULL */
    accept_waiter *waiters, *waiters_last; /* first come, first served */
    int *accepted; /* connections accepted before anyone asked */
    size_t naccepted, accepted_cap;
    int accept_error; /* an accept error nobody has seen yet, or 0 */
    /* The last receive left the socket empty (no SOCK_NONEMPTY flag):
     * the next one waits for data before trying (RECVSEND_POLL_FIRST). */
    bool recv_drained;
    /* Bytes that arrived for a receive whose task was cancelled: the
     * next receive on this descriptor returns them first. */
    unsigned char *stash;
    size_t stash_len, stash_off;
} uring_fd;

/* The provided-buffer ring: the kernel picks a buffer when data arrives,
 * so a waiting receive holds no memory at all. */
typedef struct {
    struct io_uring_buf_ring *ring; /* shared with the kernel */
    unsigned char *base;            /* count buffers of size bytes ... */
    unsigned count, size;
    unsigned provided; /* ... of which the first `provided` are in use */
    /* Receives in the kernel that may take a buffer, and buffers taken
     * and not yet given back: at 0, nobody can be using the ring. */
    size_t busy;
    size_t ring_bytes;
} uring_buffers;

typedef struct {
    struct io_uring ring;
    aw_uring_stats stats;
    /* What the kernel supports, found at start-up (probe), or the first
     * time a feature is used (multishot accept, POLL_FIRST:
     * -EINVAL means "no"; no opcode list can tell a flag's support). */
    bool have_buffers; /* a provided-buffer ring is registered */
    bool multishot_accept_failed;
    bool poll_first_failed; /* recv refused IORING_RECVSEND_POLL_FIRST */
    uring_buffers buffers;
    uring_op *live;    /* every op record that exists */
    size_t in_kernel;  /* ops whose last CQE has not arrived */
    unsigned deferred; /* SQEs the last pass left for this one to submit */
    uring_op *rearm;   /* watches to arm before the next enter */
    uring_fd **fds;    /* indexed by descriptor; kept until destroy, so a
                        * pointer to one stays valid across a suspend */
    int fds_cap;
    bool closing; /* the loop is closing: no more callbacks or tasks */
} uring_state;

enum {
    URING_BUFFER_GROUP = 0,  /* the id of our one provided-buffer ring */
    URING_MAX_IO = 64 * 1024 /* bytes moved by one recv or send op */
};

/* uring_probe.c: open a ring as this backend wants it, or fail with
 * AW_EUNAVAILABLE and the cause in why (also used by probe). */
int aw__uring_open(struct io_uring *ring, unsigned entries, char *why,
                   size_t len);
int aw__uring_probe(char *why, size_t len);

/* backend_uring.c */
uring_state *aw__uring_state(aw_loop *loop);
/* A free SQE, submitting what is queued if the ring is full. Never NULL:
 * on failure the program cannot go on safely, and aborts with a message.
 * aw__uring_sqe_for also points the SQE at op and counts op in flight;
 * a bare SQE (a cancellation) has user_data 0 and its CQE is ignored. */
struct io_uring_sqe *aw__uring_sqe(uring_state *s);
struct io_uring_sqe *aw__uring_sqe_for(uring_state *s, uring_op *op);
uring_fd *aw__uring_fd(uring_state *s, int fd); /* NULL: out of memory */
uring_fd *aw__uring_fd_if_any(uring_state *s, int fd);
uring_op *aw__uring_op_new(uring_state *s, uring_op_kind kind, int fd,
                           size_t cap);
void aw__uring_op_free(uring_state *s, uring_op *op);
/* Ask the kernel to cancel op (once); its CQE still arrives later. */
void aw__uring_cancel(uring_state *s, uring_op *op);
/* Stop watching uf's descriptor for readiness (it is being closed). */
void aw__uring_unwatch(uring_state *s, uring_fd *uf);
void aw__uring_give_back_buffer(uring_state *s, unsigned id);
/* A receive found every provided buffer taken: count it, and give the
 * kernel more buffers if there is room. */
void aw__uring_buffers_ran_out(uring_state *s);
/* op's SQE (just filled) lets the kernel pick a provided buffer. */
void aw__uring_uses_buffers(uring_state *s, uring_op *op);
unsigned char *aw__uring_buffer(uring_state *s, unsigned id);

/* uring_ops.c: a CQE for a proactor op (everything but watches). */
void aw__uring_op_complete(aw_loop *loop, uring_state *s, uring_op *op,
                           int32_t res, uint32_t flags);
/* Forget the per-descriptor state of fd (it is closed, or reused). */
void aw__uring_fd_forget(uring_state *s, int fd);
/* The proactor operations, for the ops table. */
ssize_t aw__uring_recv(aw_loop *loop, int fd, void *buf, size_t len);
ssize_t aw__uring_send(aw_loop *loop, int fd, const void *buf, size_t len);
int aw__uring_accept(aw_loop *loop, int listen_fd);
int aw__uring_connect(aw_loop *loop, int fd, const struct sockaddr *addr,
                      socklen_t addrlen);
int aw__uring_close(aw_loop *loop, int fd);

/* uring_ops.c, for stream_writer.c: a writer's bytes, sent with no task
 * waiting, as a selector's writer sends from a writable callback (a task per
 * send would cost a task, and a stack, per write burst). The bytes are lent,
 * not copied: the writer must not touch them until, from the loop's poll,
 * on_written(arg, 0 or -errno) says all have gone. NULL: out of memory.
 *
 * aw__uring_write_forget: the writer is going away, and will close the
 * socket, which ends the send. The operation takes the lent memory
 * (`memory`, as malloc gave it) and frees it when the kernel is done;
 * nobody is called. */
uring_op *aw__uring_write(aw_loop *loop, int fd, const void *bytes, size_t len,
                          void (*on_written)(void *arg, int result), void *arg);
void aw__uring_write_forget(uring_op *op, void *memory);

/* uring_ops.c, for stream_reader.c: one receive of at most len bytes
 * (and at most a provided buffer's size) for a reader, which no task
 * awaits: on_received(arg, bytes, n) is called from the loop's poll with
 * n > 0 bytes (valid only during the call), 0 at the end of the stream,
 * or -errno, and the receive is over. A reader asks for one only while a
 * read waits for data, and only for what that read can use: so it never
 * holds more than its reads asked for, whoever floods it (asyncio's
 * proactor keeps a receive standing, and pauses it at twice the limit;
 * that let bytes pile up here without bound on a fast peer). NULL: out
 * of memory.
 *
 * aw__uring_read_forget: the reader is going away; nobody is called. */
uring_op *aw__uring_read(aw_loop *loop, int fd, size_t len,
                         void (*on_received)(void *arg, const void *bytes,
                                             ssize_t n),
                         void *arg);
void aw__uring_read_forget(aw_loop *loop, uring_op *op);

#endif
