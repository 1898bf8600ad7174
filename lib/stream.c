/*
 * stream.c - a reader and a writer on one connected socket, as asyncio's
 * StreamReader and StreamWriter.
 *
 * Both halves live in one connection object (struct conn), freed when
 * both have been released. The reader keeps a buffer for readline and
 * readexactly; read(n) on an empty buffer receives straight into the
 * caller's memory. The writer buffers only what the kernel will not take
 * yet, and the loop sends the rest as room appears: on a selector, from
 * a writable callback (asyncio's transport does the same); on io_uring,
 * from the completion of the send before, again a callback; behind a
 * wrapper such as the fault layer, whose send only a task can call, from
 * a small task.
 *
 * Flow control, as in asyncio:
 *
 *   buffered  ^
 *   high -----+-----/\---------- pause: drain() waits
 *             |    /  \
 *   low  -----+---/----\-------- resume: drain() returns
 *             |  /      \__
 *             +-------------------> time
 */
#define _GNU_SOURCE /* memmem */
#include "io_internal.h"
#include "uring.h" /* the writer's send on io_uring */

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
    DEFAULT_LIMIT = 64 * 1024, /* asyncio's default, 2**16 */
    DEFAULT_HIGH_WATER = 64 * 1024,
    READ_CHUNK = 16 * 1024 /* room asked for per receive */
};

typedef struct conn conn;

struct aw_reader {
    conn *conn;
    aw_buffer buf; /* received, not yet read */
    size_t limit;
    bool eof;       /* the peer closed its side */
    bool drained;   /* the last receive came back short */
    bool busy;      /* a task is reading (one at a time) */
    bool skip_line; /* readline is dropping the rest of a long line */
    int error;      /* what broke the connection, for later calls */
};

struct aw_writer {
    conn *conn;
    aw_buffer buf;     /* written, not yet handed to the kernel */
    aw_buffer sending; /* proactor: what the kernel is sending */
    uring_op *send_op; /* io_uring: the send of `sending`, or NULL */
    size_t high, low;
    bool paused;     /* over the high water mark: drain() waits */
    bool watching;   /* selector: a writable callback is registered */
    bool eof_wanted; /* write_eof was called */
    bool eof_sent;
    bool closing;
    int error;
    aw_task *flusher; /* wrapped proactor: the task sending `sending` */
    aw_waitlist drainers, closers;
    char peer[64];
};

struct conn {
    aw_loop *loop;
    int fd;          /* -1 once closed */
    bool registered; /* the loop may hold interest in fd */
    int refs;        /* the reader, the writer */
    struct aw_reader reader;
    struct aw_writer writer;
};

static bool would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK;
}

/* The loop runs on io_uring itself, not behind a wrapper such as the
 * fault layer: the writer can then send without a task (aw__uring_write). */
static bool on_uring(const conn *c)
{
    return c->loop->backend == &aw__backend_uring;
}

/* ---- the connection -------------------------------------------------- */

static void conn_close(conn *c)
{
    if (c->fd < 0)
        return;
    /* A proactor may have operations in flight on fd, which close()
     * alone would not end; shutdown() makes them complete. */
    if (aw__is_proactor(c->loop))
        shutdown(c->fd, SHUT_RDWR);
    if (c->registered)
        aw__io_forget(c->loop, c->fd); /* also wakes a waiting reader */
    close(c->fd);
    c->fd = -1;
    c->writer.watching = false;
}

static bool task_pending(aw_task *t)
{
    aw_task_state state = aw_task_state_of(t);
    return state == AW_TASK_PENDING || state == AW_TASK_RUNNING;
}

/* Let go of a send still in flight on io_uring. The kernel may still
 * read w->sending: its memory goes to the operation, which frees it when
 * the kernel is done (closing the socket ends the send). */
static void forget_send(aw_writer *w)
{
    if (!w->send_op)
        return;
    aw__uring_write_forget(w->send_op, w->sending.data);
    w->sending = (aw_buffer){0};
    w->send_op = NULL;
}

/* Free the connection once nobody holds it: not the reader, not the
 * writer, and not a flusher task still inside the backend's send. */
static void conn_maybe_free(conn *c)
{
    if (c->refs > 0)
        return;
    aw_writer *w = &c->writer;
    forget_send(w);
    if (w->flusher) {
        if (task_pending(w->flusher))
            return; /* the flusher frees it as it ends */
        aw_task_release(w->flusher);
        w->flusher = NULL;
    }
    conn_close(c);
    aw__buffer_free(&c->reader.buf);
    aw__buffer_free(&w->buf);
    aw__buffer_free(&w->sending);
    free(c);
}

/* Streams on fd, which must already be non-blocking. */
static int stream_new(aw_loop *loop, int fd, const aw_stream_options *o,
                      aw_reader **reader, aw_writer **writer)
{
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return aw__fail(-ENOMEM, "aw_stream_open: out of memory");
    c->loop = loop;
    c->fd = fd;
    c->refs = 2;
    aw_reader *r = &c->reader;
    aw_writer *w = &c->writer;
    r->conn = c;
    w->conn = c;
    r->limit = o && o->limit ? o->limit : DEFAULT_LIMIT;
    w->high = o && o->high_water ? o->high_water : DEFAULT_HIGH_WATER;
    w->low = o && o->low_water ? o->low_water : w->high / 4;
    if (w->low > w->high)
        w->low = w->high;
    aw__peer_name(fd, w->peer, sizeof w->peer);
    aw__set_nodelay(fd);
    *reader = r;
    *writer = w;
    return 0;
}

int aw_stream_open(aw_loop *loop, int fd, const aw_stream_options *options,
                   aw_reader **reader, aw_writer **writer)
{
    if (reader)
        *reader = NULL;
    if (writer)
        *writer = NULL;
    if (!loop || !reader || !writer || fd < 0)
        return aw__fail(AW_EMISUSE, "aw_stream_open: a loop, a descriptor "
                                    "and places for the reader and writer "
                                    "are required");
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "aw_stream_open: the loop is closed");
    int rc = aw_socket_nonblocking(fd);
    if (rc != 0)
        return rc;
    return stream_new(loop, fd, options, reader, writer);
}

/* For server.c: accepted sockets are non-blocking already. */
int aw__stream_accepted(aw_loop *loop, int fd, const aw_stream_options *o,
                        aw_reader **reader, aw_writer **writer)
{
    return stream_new(loop, fd, o, reader, writer);
}

int aw_open_connection(const char *host, int port,
                       const aw_stream_options *options, aw_reader **reader,
                       aw_writer **writer)
{
    if (reader)
        *reader = NULL;
    if (writer)
        *writer = NULL;
    if (!reader || !writer)
        return aw__fail(AW_EMISUSE, "aw_open_connection: places for the "
                                    "reader and writer are required");
    aw_task *t = aw__task_require("aw_open_connection");
    if (!t)
        return AW_EMISUSE;
    int fd = aw_connect_tcp(host, port);
    if (fd < 0)
        return fd;
    int rc = stream_new(t->loop, fd, options, reader, writer);
    if (rc != 0)
        aw_close(t->loop, fd);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

static int reader_failed(aw_reader *r, int err)
{
    r->error = err;
    return aw__fail(err, "reading from %s: %s", r->conn->writer.peer,
                    aw_strerror(err));
}

/* Receive once into dst: a count, 0 at end of stream, or an error.
 *
 * Tries the system call first, except after a receive that came back
 * shorter than asked: the socket is then most likely empty, and trying
 * again would only cost an EAGAIN, so we wait for readiness first (as
 * libuv does). The readiness wait keeps its registration (keep = true):
 * a connection that reads, answers and reads again pays no epoll_ctl. */
static ssize_t reader_recv(aw_reader *r, aw_task *t, void *dst, size_t len)
{
    conn *c = r->conn;
    for (;;) {
        if (c->fd < 0)
            return aw__fail(AW_ESTATE,
                            "reading from %s: the connection is "
                            "closed",
                            c->writer.peer);
        ssize_t n;
        if (c->loop->backend->recv) {
            n = c->loop->backend->recv(c->loop, c->fd, dst, len);
            if (n == AW_ECANCELLED)
                return n;
            if (n < 0)
                return reader_failed(r, (int)n);
        } else {
            if (r->drained) {
                c->registered = true;
                int rc = aw__io_wait(t, c->fd, AW_READABLE, true);
                if (rc != 0)
                    return rc; /* cancelled, or closed: not sticky */
                r->drained = false;
                continue;
            }
            n = recv(c->fd, dst, len, 0);
            if (n < 0) {
                int err = errno;
                if (err == EINTR)
                    continue;
                if (would_block(err)) {
                    r->drained = true;
                    continue;
                }
                return reader_failed(r, -err);
            }
        }
        r->drained = (size_t)n < len;
        if (n == 0)
            r->eof = true;
        return n;
    }
}

/* Receive more into the reader's buffer, with room for at least
 * `room` bytes. 0 (check r->eof) or an error. */
static int reader_fill(aw_reader *r, aw_task *t, size_t room)
{
    if (aw__buffer_reserve(&r->buf, room) != 0)
        return aw__fail(-ENOMEM, "reading: out of memory");
    aw_buffer *b = &r->buf;
    ssize_t n = reader_recv(r, t, b->data + b->end, b->cap - b->end);
    if (n < 0)
        return (int)n;
    b->end += (size_t)n;
    return 0;
}

/* Start a read: the running task, with the reader marked busy. */
static aw_task *begin_read(aw_reader *r, const char *who, int *rc)
{
    aw_task *t = aw__task_require(who);
    if (!t) {
        *rc = AW_EMISUSE;
        return NULL;
    }
    if (!r) {
        *rc = aw__fail(AW_EMISUSE, "%s: reader is NULL", who);
        return NULL;
    }
    if (r->busy) {
        *rc =
            aw__fail(AW_EMISUSE, "%s: another task is already reading from %s",
                     who, r->conn->writer.peer);
        return NULL;
    }
    if (r->conn->loop != t->loop) {
        *rc =
            aw__fail(AW_EMISUSE, "%s: the reader belongs to another loop", who);
        return NULL;
    }
    r->busy = true;
    return t;
}

static size_t take(aw_reader *r, void *buf, size_t n)
{
    size_t have = aw__buffer_len(&r->buf);
    if (n > have)
        n = have;
    memcpy(buf, r->buf.data + r->buf.start, n);
    aw__buffer_consume(&r->buf, n);
    return n;
}

ssize_t aw_reader_read(aw_reader *r, void *buf, size_t n)
{
    int rc;
    aw_task *t = begin_read(r, "aw_reader_read", &rc);
    if (!t)
        return rc;
    ssize_t got;
    if (n == 0)
        got = 0;
    else if (aw__buffer_len(&r->buf) > 0)
        got = (ssize_t)take(r, buf, n);
    else if (r->eof)
        got = 0;
    else if (r->error)
        got = aw__fail(r->error, "aw_reader_read: %s: %s", r->conn->writer.peer,
                       aw_strerror(r->error));
    else /* nothing buffered: receive straight into the caller's memory */
        got = reader_recv(r, t, buf, n);
    r->busy = false;
    return got;
}

int aw_reader_readexactly(aw_reader *r, void *buf, size_t n, size_t *got)
{
    if (got)
        *got = 0;
    int rc;
    aw_task *t = begin_read(r, "aw_reader_readexactly", &rc);
    if (!t)
        return rc;
    if (n > 0 && !buf) {
        r->busy = false;
        return aw__fail(AW_EMISUSE, "aw_reader_readexactly: buf is NULL");
    }
    /* Gather in the reader's buffer, not in buf: if we are cancelled
     * half way, the bytes received so far stay in the reader. */
    rc = 0;
    while (aw__buffer_len(&r->buf) < n && !r->eof && rc == 0)
        rc = r->error ? r->error
                      : reader_fill(r, t, n - aw__buffer_len(&r->buf));
    if (rc == 0) {
        size_t k = take(r, buf, n);
        if (got)
            *got = k;
        if (k < n)
            rc = aw__fail(AW_EINCOMPLETE,
                          "aw_reader_readexactly: end of stream after %zu of "
                          "%zu bytes",
                          k, n);
    } else if (rc == r->error) {
        aw__fail(rc, "aw_reader_readexactly: %s: %s", r->conn->writer.peer,
                 aw_strerror(rc));
    }
    r->busy = false;
    return rc;
}

/* Wait until the buffer holds `sep` within its first `max` bytes.
 * 0: it does, and *line is the length up to and including it.
 * AW_ELIMIT: the first `max` bytes hold no separator (all data kept).
 * AW_EINCOMPLETE: end of stream first; *line is all that is buffered.
 * Never buffers much more than max: the buffer grows only while it
 * holds less. */
static int read_until(aw_reader *r, aw_task *t, const void *sep, size_t seplen,
                      size_t max, size_t *line)
{
    size_t scanned = 0; /* a prefix known to hold no separator */
    for (;;) {
        size_t len = aw__buffer_len(&r->buf);
        size_t window = len < max ? len : max;
        if (window >= seplen) {
            /* Look again only where a separator could start now. */
            size_t from = scanned >= seplen ? scanned - (seplen - 1) : 0;
            const char *start = r->buf.data + r->buf.start;
            const char *hit = memmem(start + from, window - from, sep, seplen);
            if (hit) {
                *line = (size_t)(hit - start) + seplen;
                return 0;
            }
            scanned = window;
        }
        if (len >= max)
            return AW_ELIMIT;
        if (r->eof) {
            *line = len;
            return AW_EINCOMPLETE;
        }
        if (r->error)
            return r->error;
        size_t room = max - len < READ_CHUNK ? max - len : READ_CHUNK;
        int rc = reader_fill(r, t, room);
        if (rc != 0)
            return rc;
    }
}

/* Copy the first n buffered bytes out as a NUL-terminated string. */
static void take_line(aw_reader *r, char *buf, size_t n, size_t *len)
{
    take(r, buf, n);
    buf[n] = '\0';
    if (len)
        *len = n;
}

static int check_line_args(const char *who, char *buf, size_t cap)
{
    if (!buf || cap < 2)
        return aw__fail(AW_EMISUSE,
                        "%s: buf must hold at least one byte and the NUL", who);
    return 0;
}

int aw_reader_readuntil(aw_reader *r, const void *sep, size_t seplen, char *buf,
                        size_t cap, size_t *len)
{
    if (len)
        *len = 0;
    int rc = check_line_args("aw_reader_readuntil", buf, cap);
    if (rc == 0 && (!sep || seplen == 0))
        rc = aw__fail(AW_EMISUSE, "aw_reader_readuntil: empty separator");
    if (rc != 0)
        return rc;
    aw_task *t = begin_read(r, "aw_reader_readuntil", &rc);
    if (!t)
        return rc;
    buf[0] = '\0';
    size_t max = r->limit < cap - 1 ? r->limit : cap - 1;
    size_t n = 0;
    rc = read_until(r, t, sep, seplen, max, &n);
    if (rc == 0) {
        take_line(r, buf, n, len);
    } else if (rc == AW_EINCOMPLETE) {
        take_line(r, buf, n, len);
        aw__fail(rc,
                 "aw_reader_readuntil: end of stream after %zu bytes, "
                 "before the separator",
                 n);
    } else if (rc == AW_ELIMIT) {
        aw__fail(rc,
                 "aw_reader_readuntil: no separator in the first %zu "
                 "bytes (the limit)",
                 max);
    }
    r->busy = false;
    return rc;
}

/* After an over-long line: drop bytes up to and including its '\n',
 * however long that takes to arrive. The flag keeps the job across a
 * cancellation or an error. */
static int skip_rest_of_line(aw_reader *r, aw_task *t)
{
    for (;;) {
        size_t have = aw__buffer_len(&r->buf);
        const char *start = r->buf.data + r->buf.start;
        const char *nl = have ? memchr(start, '\n', have) : NULL;
        if (nl) {
            aw__buffer_consume(&r->buf, (size_t)(nl - start) + 1);
            r->skip_line = false;
            return 0;
        }
        aw__buffer_consume(&r->buf, have);
        if (r->eof) {
            r->skip_line = false;
            return 0;
        }
        if (r->error)
            return r->error;
        int rc = reader_fill(r, t, READ_CHUNK);
        if (rc != 0)
            return rc;
    }
}

/* readline's limit was hit: drop the line through its '\n' if that is
 * here, else all of it, and the rest on the next call (skip_line). */
static void drop_long_line(aw_reader *r)
{
    size_t have = aw__buffer_len(&r->buf);
    const char *start = r->buf.data + r->buf.start;
    const char *nl = memchr(start, '\n', have);
    if (nl) {
        aw__buffer_consume(&r->buf, (size_t)(nl - start) + 1);
    } else {
        aw__buffer_consume(&r->buf, have);
        r->skip_line = true;
    }
}

int aw_reader_readline(aw_reader *r, char *buf, size_t cap, size_t *len)
{
    if (len)
        *len = 0;
    int rc = check_line_args("aw_reader_readline", buf, cap);
    if (rc != 0)
        return rc;
    aw_task *t = begin_read(r, "aw_reader_readline", &rc);
    if (!t)
        return rc;
    buf[0] = '\0';
    size_t max = r->limit < cap - 1 ? r->limit : cap - 1;
    size_t n = 0;
    rc = r->skip_line ? skip_rest_of_line(r, t) : 0;
    if (rc == 0)
        rc = read_until(r, t, "\n", 1, max, &n);
    if (rc == 0 || rc == AW_EINCOMPLETE) {
        /* At end of stream the last line comes without its '\n'. */
        take_line(r, buf, n, len);
        rc = 0;
    } else if (rc == AW_ELIMIT) {
        drop_long_line(r);
        rc = aw__fail(AW_ELIMIT,
                      "aw_reader_readline: a line longer than %zu bytes "
                      "(the limit); it was dropped",
                      max);
    }
    r->busy = false;
    return rc;
}

bool aw_reader_at_eof(const aw_reader *r)
{
    return r && r->eof && aw__buffer_len(&r->buf) == 0;
}

void aw_reader_free(aw_reader *r)
{
    if (!r)
        return;
    conn *c = r->conn;
    c->refs--;
    conn_maybe_free(c);
}

/* ---- writing ------------------------------------------------------------ */

static size_t buffered(const aw_writer *w)
{
    return aw__buffer_len(&w->buf) + aw__buffer_len(&w->sending);
}

static void finish_close(aw_writer *w)
{
    forget_send(w); /* only an abort or an error leaves one in flight */
    conn_close(w->conn);
    aw__waitlist_wake(&w->drainers, w->error);
    aw__waitlist_wake(&w->closers, w->error);
}

/* Sending failed (the peer reset, or went away): an error on this
 * connection only. What is buffered can never be sent: drop it. */
static void writer_failed(aw_writer *w, int err)
{
    if (!w->error)
        w->error = err;
    aw__buffer_consume(&w->buf, aw__buffer_len(&w->buf));
    if (w->watching) {
        aw_remove_writer(w->conn->loop, w->conn->fd);
        w->watching = false;
    }
    w->paused = false;
    aw__waitlist_wake(&w->drainers, w->error);
    if (w->closing)
        finish_close(w);
}

static void update_pause(aw_writer *w)
{
    size_t n = buffered(w);
    if (!w->paused && n > w->high) {
        w->paused = true;
    } else if (w->paused && n <= w->low) {
        w->paused = false;
        aw__waitlist_wake(&w->drainers, 0);
    }
}

/* Everything is sent: do what was waiting for that. */
static void all_sent(aw_writer *w)
{
    if (w->eof_wanted && !w->eof_sent && w->conn->fd >= 0) {
        shutdown(w->conn->fd, SHUT_WR);
        w->eof_sent = true;
    }
    if (w->closing)
        finish_close(w);
}

static void on_writable(void *arg);

/* Selector: hand the kernel what it takes, and watch for room only
 * while something is left. */
static void flush_some(aw_writer *w)
{
    conn *c = w->conn;
    while (aw__buffer_len(&w->buf) > 0) {
        ssize_t n = send(c->fd, w->buf.data + w->buf.start,
                         aw__buffer_len(&w->buf), MSG_NOSIGNAL);
        if (n < 0) {
            int err = errno;
            if (err == EINTR)
                continue;
            if (would_block(err))
                break;
            writer_failed(w, -err);
            return;
        }
        aw__buffer_consume(&w->buf, (size_t)n);
    }
    if (aw__buffer_len(&w->buf) > 0 && !w->watching) {
        c->registered = true;
        int rc = aw_add_writer(c->loop, c->fd, on_writable, w);
        if (rc != 0) {
            writer_failed(w, rc);
            return;
        }
        w->watching = true;
    } else if (aw__buffer_len(&w->buf) == 0 && w->watching) {
        aw_remove_writer(c->loop, c->fd);
        w->watching = false;
    }
    update_pause(w);
    if (aw__buffer_len(&w->buf) == 0)
        all_sent(w);
}

static void on_writable(void *arg)
{
    flush_some(arg);
}

static void on_uring_written(void *arg, int result);

/* io_uring: send everything written so far as one operation. w->buf
 * becomes w->sending, which the kernel reads and nobody else touches
 * until the send completes; writes made meanwhile go to the other
 * buffer, and out together with the next send (one send in flight keeps
 * the bytes in order). The two buffers are reused, so a send costs no
 * allocation, and no copy beyond the write's own into w->buf. */
static void uring_send(aw_writer *w)
{
    conn *c = w->conn;
    aw_buffer swap = w->sending; /* empty, its memory reused */
    w->sending = w->buf;
    w->buf = swap;
    w->send_op =
        aw__uring_write(c->loop, c->fd, w->sending.data + w->sending.start,
                        aw__buffer_len(&w->sending), on_uring_written, w);
    if (!w->send_op) {
        aw__buffer_consume(&w->sending, aw__buffer_len(&w->sending));
        writer_failed(w, -ENOMEM);
    }
}

/* io_uring: a send has completed (called from the loop's poll). */
static void on_uring_written(void *arg, int result)
{
    aw_writer *w = arg;
    w->send_op = NULL;
    aw__buffer_consume(&w->sending, aw__buffer_len(&w->sending));
    if (result < 0) {
        writer_failed(w, result);
        return;
    }
    if (aw__buffer_len(&w->buf) > 0)
        uring_send(w);
    update_pause(w);
    if (buffered(w) == 0)
        all_sent(w);
}

/* Wrapped proactor: a task sends the buffer through the backend. Writes
 * that arrive meanwhile go to w->buf; the task sends from w->sending,
 * which nobody else touches, since the kernel reads it until the send
 * ends. */
static void *flusher_main(void *arg)
{
    aw_writer *w = arg;
    conn *c = w->conn;
    while (c->fd >= 0 && !w->error && aw__buffer_len(&w->buf) > 0) {
        aw_buffer swap = w->sending; /* empty, its memory reused */
        w->sending = w->buf;
        w->buf = swap;
        while (c->fd >= 0 && aw__buffer_len(&w->sending) > 0) {
            ssize_t n = c->loop->backend->send(
                c->loop, c->fd, w->sending.data + w->sending.start,
                aw__buffer_len(&w->sending));
            if (n < 0) {
                aw__buffer_consume(&w->sending, aw__buffer_len(&w->sending));
                if (n != AW_ECANCELLED)
                    writer_failed(w, (int)n);
                break;
            }
            aw__buffer_consume(&w->sending, (size_t)n);
            update_pause(w);
        }
    }
    if (c->fd >= 0 && !w->error && buffered(w) == 0)
        all_sent(w);
    /* This task ends: let go of it, and of the connection if that was
     * released meanwhile. */
    aw_task *self = w->flusher;
    w->flusher = NULL;
    aw_task_release(self);
    conn_maybe_free(c);
    return NULL;
}

static void start_flusher(aw_writer *w)
{
    if (w->flusher)
        return;
    w->flusher =
        aw_task_create(w->conn->loop, flusher_main, w, "aw-writer-flush");
    if (!w->flusher)
        writer_failed(w, -ENOMEM);
}

static int check_writable(aw_writer *w, const char *who)
{
    if (!w)
        return aw__fail(AW_EMISUSE, "%s: writer is NULL", who);
    if (w->error)
        return aw__fail(w->error, "%s: %s: the connection failed: %s", who,
                        w->peer, aw_strerror(w->error));
    if (w->closing || w->conn->fd < 0)
        return aw__fail(AW_ESTATE, "%s: the writer to %s is closing", who,
                        w->peer);
    if (w->eof_wanted)
        return aw__fail(AW_ESTATE,
                        "%s: write_eof was called on the writer "
                        "to %s",
                        who, w->peer);
    return 0;
}

int aw_writer_write(aw_writer *w, const void *data, size_t len)
{
    int rc = check_writable(w, "aw_writer_write");
    if (rc != 0)
        return rc;
    if (len == 0)
        return 0;
    if (!data)
        return aw__fail(AW_EMISUSE, "aw_writer_write: data is NULL");
    conn *c = w->conn;
    const char *p = data;
    if (aw__is_proactor(c->loop)) {
        if (aw__buffer_append(&w->buf, p, len) != 0)
            return aw__fail(-ENOMEM, "aw_writer_write: out of memory");
        if (!on_uring(c))
            start_flusher(w);
        else if (!w->send_op)
            uring_send(w);
        update_pause(w);
        return w->error ? w->error : 0;
    }
    if (aw__buffer_len(&w->buf) == 0) {
        /* Nothing queued: try the system call right away. Usually the
         * kernel takes it all, and nothing is buffered or watched. */
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            int err = errno;
            if (err != EINTR && !would_block(err)) {
                writer_failed(w, -err);
                return aw__fail(-err, "aw_writer_write: %s: %s", w->peer,
                                aw_strerror(-err));
            }
            n = 0;
        }
        p += n;
        len -= (size_t)n;
        if (len == 0)
            return 0;
    }
    if (aw__buffer_append(&w->buf, p, len) != 0)
        return aw__fail(-ENOMEM, "aw_writer_write: out of memory");
    flush_some(w); /* registers for room; checks the high water mark */
    return w->error ? aw__fail(w->error, "aw_writer_write: %s: %s", w->peer,
                               aw_strerror(w->error))
                    : 0;
}

int aw_writer_drain(aw_writer *w)
{
    aw_task *t = aw__task_require("aw_writer_drain");
    if (!t)
        return AW_EMISUSE;
    if (!w)
        return aw__fail(AW_EMISUSE, "aw_writer_drain: writer is NULL");
    while (w->paused && !w->error) {
        int rc = aw__waitlist_wait(&w->drainers, t);
        if (rc != 0 && !w->error)
            return rc; /* cancelled */
    }
    if (w->error)
        return aw__fail(w->error, "aw_writer_drain: %s: %s", w->peer,
                        aw_strerror(w->error));
    return 0;
}

int aw_writer_write_eof(aw_writer *w)
{
    int rc = check_writable(w, "aw_writer_write_eof");
    if (rc != 0)
        return rc;
    w->eof_wanted = true;
    if (buffered(w) == 0)
        all_sent(w);
    return 0;
}

int aw_writer_close(aw_writer *w)
{
    if (!w)
        return aw__fail(AW_EMISUSE, "aw_writer_close: writer is NULL");
    if (w->closing)
        return 0;
    w->closing = true;
    if (buffered(w) == 0 || w->error || w->conn->fd < 0)
        finish_close(w);
    /* Otherwise the last send closes it (all_sent). */
    return 0;
}

void aw_writer_abort(aw_writer *w)
{
    if (!w)
        return;
    w->closing = true;
    aw__buffer_consume(&w->buf, aw__buffer_len(&w->buf));
    w->paused = false;
    /* w->sending may still be read by the kernel (a proactor's send in
     * flight): a flusher task empties it, or, on io_uring, finish_close
     * hands it to the send operation (forget_send); not here. */
    finish_close(w);
}

int aw_writer_wait_closed(aw_writer *w)
{
    aw_task *t = aw__task_require("aw_writer_wait_closed");
    if (!t)
        return AW_EMISUSE;
    if (!w)
        return aw__fail(AW_EMISUSE, "aw_writer_wait_closed: writer is NULL");
    while (w->conn->fd >= 0) {
        int rc = aw__waitlist_wait(&w->closers, t);
        if (rc == AW_ECANCELLED)
            return rc;
    }
    if (w->error)
        return aw__fail(w->error, "aw_writer_wait_closed: %s: %s", w->peer,
                        aw_strerror(w->error));
    return 0;
}

bool aw_writer_is_closing(const aw_writer *w)
{
    return w && (w->closing || w->conn->fd < 0);
}

size_t aw_writer_buffered(const aw_writer *w)
{
    return w ? buffered(w) : 0;
}

int aw_writer_set_limits(aw_writer *w, size_t high, size_t low)
{
    if (!w)
        return aw__fail(AW_EMISUSE, "aw_writer_set_limits: writer is NULL");
    if (low == 0)
        low = high / 4;
    if (low > high)
        return aw__fail(AW_EMISUSE,
                        "aw_writer_set_limits: low (%zu) is above high (%zu)",
                        low, high);
    w->high = high;
    w->low = low;
    update_pause(w);
    return 0;
}

const char *aw_writer_peername(const aw_writer *w)
{
    return w ? w->peer : "?";
}

int aw_writer_fd(const aw_writer *w)
{
    return w ? w->conn->fd : -1;
}

void aw_writer_free(aw_writer *w)
{
    if (!w)
        return;
    conn *c = w->conn;
    if (c->fd >= 0)
        aw_writer_abort(w);
    c->refs--;
    conn_maybe_free(c);
}
