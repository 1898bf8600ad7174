/*
 * stream_reader.c - the reading half of a stream, as asyncio's
 * StreamReader.
 *
 * The reader keeps a buffer for readline and readexactly. How bytes get
 * there depends on the loop:
 *
 *   selector  a read that needs data makes the recv itself (reader_recv);
 *             read(n) on an empty buffer receives straight into the
 *             caller's memory;
 *   io_uring  a read that needs data asks the backend for one receive
 *             of what it can use, whose callback fills the buffer
 *             (on_received), and waits for it (await_arrival).
 */
#define _GNU_SOURCE /* memmem */
#include "stream_internal.h"

#include <string.h>
#include <sys/socket.h>

enum {
    READ_CHUNK = 16 * 1024 /* room asked for per receive */
};

static int reader_failed(aw_reader *r, int err)
{
    r->error = err;
    return aw__fail(err, "reading from %s: %s", r->conn->writer.peer,
                    aw_strerror(err));
}

static size_t take(aw_reader *r, void *buf, size_t n)
{
    size_t have = aw__buffer_len(&r->buf);
    if (n > have)
        n = have;
    if (n == 0)
        return 0; /* an empty buffer may have no memory at all */
    memcpy(buf, r->buf.data + r->buf.start, n);
    aw__buffer_consume(&r->buf, n);
    return n;
}

/* After readline's AW_ELIMIT the rest of the long line is dropped as it
 * arrives, through its '\n' (or to the end of the stream). Called
 * whenever bytes join the buffer, so that while skip_line is set the
 * buffer is empty: no read can see a byte of the dropped line. */
static void drop_skipped(aw_reader *r)
{
    if (!r->skip_line)
        return;
    size_t have = aw__buffer_len(&r->buf);
    if (have > 0) { /* (an empty buffer may have no memory at all) */
        const char *start = r->buf.data + r->buf.start;
        const char *nl = memchr(start, '\n', have);
        if (nl) {
            aw__buffer_consume(&r->buf, (size_t)(nl - start) + 1);
            r->skip_line = false;
            return;
        }
        aw__buffer_consume(&r->buf, have);
    }
    if (r->eof)
        r->skip_line = false; /* the stream ended the line */
}

/* ---- io_uring: a receive per read that waits ----------------------------- */

// ANCHOR: standing
/* What a receive brought (called from the loop's poll): bytes join the
 * buffer, or the stream has ended, or failed. */
static void on_received(void *arg, const void *bytes, ssize_t n)
{
    aw_reader *r = arg;
    r->receive = NULL;
    if (n > 0 && aw__buffer_append(&r->buf, bytes, (size_t)n) != 0)
        n = -ENOMEM;
    if (n == 0)
        r->eof = true;
    else if (n < 0 && n != -ECANCELED && !r->error)
        r->error = (int)n;
    drop_skipped(r);
    aw__waitlist_wake(&r->arrivals, 0);
}

void aw__reader_forget_receive(aw_reader *r)
{
    if (r->receive)
        aw__uring_read_forget(r->conn->loop, r->receive);
    r->receive = NULL;
    aw__waitlist_wake(&r->arrivals, 0); /* a waiting read finds it closed */
}

/* Wait until a receive brings something: bytes in the buffer, the end of
 * the stream, or an error. The receive asks for at most `room` bytes,
 * what the waiting read can use: so the reader never holds more than its
 * reads asked for, however fast the peer sends, and when nobody reads,
 * nothing is received (the kernel's socket buffer fills, and TCP makes
 * the peer wait). A receive that a cancelled read left in flight still
 * lands here. 0, or an error. */
static int await_arrival(aw_reader *r, aw_task *t, size_t room)
{
    conn *c = r->conn;
    size_t had = aw__buffer_len(&r->buf);
    while (aw__buffer_len(&r->buf) == had && !r->eof && !r->error) {
        if (c->fd < 0)
            return aw__fail(AW_ESTATE,
                            "reading from %s: the connection is closed",
                            c->writer.peer);
        if (!r->receive) {
            r->receive = aw__uring_read(c->loop, c->fd, room, on_received, r);
            if (!r->receive)
                return reader_failed(r, -ENOMEM);
        }
        int rc = aw__waitlist_wait(&r->arrivals, t);
        if (rc != 0)
            return rc; /* cancelled: what arrives stays in the buffer */
    }
    if (aw__buffer_len(&r->buf) == had && r->error)
        return reader_failed(r, r->error);
    return 0;
}
// ANCHOR_END: standing

/* ---- receiving ----------------------------------------------------------- */

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
    if (aw__conn_on_uring(c)) {
        int rc = await_arrival(r, t, len);
        return rc != 0 ? rc : (ssize_t)take(r, dst, len);
    }
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
    if (aw__conn_on_uring(r->conn))
        return await_arrival(r, t, room);
    if (aw__buffer_reserve(&r->buf, room) != 0)
        return aw__fail(-ENOMEM, "reading: out of memory");
    aw_buffer *b = &r->buf;
    /* No more than room, though the buffer may have more: the reader
     * holds only what its reads asked for (aw_reader_buffered). */
    ssize_t n = reader_recv(r, t, b->data + b->end, room);
    if (n < 0)
        return (int)n;
    b->end += (size_t)n;
    drop_skipped(r);
    return 0;
}

/* Wait until the rest of a line that readline dropped has gone by. */
static int finish_skip(aw_reader *r, aw_task *t)
{
    while (r->skip_line) {
        if (r->error)
            return reader_failed(r, r->error);
        int rc = reader_fill(r, t, READ_CHUNK);
        if (rc != 0)
            return rc;
    }
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

ssize_t aw_reader_read(aw_reader *r, void *buf, size_t n)
{
    int rc;
    aw_task *t = begin_read(r, "aw_reader_read", &rc);
    if (!t)
        return rc;
    int skipped = n > 0 ? finish_skip(r, t) : 0;
    ssize_t got;
    if (n == 0)
        got = 0;
    else if (skipped != 0)
        got = skipped; /* cancelled, or failed, in the dropped line */
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
    rc = n > 0 ? finish_skip(r, t) : 0;
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

/* Wait until the buffer holds `sep` ending within its first `max` bytes.
 * 0: it does, and *line is the length up to and including it.
 * AW_ELIMIT: it does not, and more than max bytes are here: the record
 * cannot fit (all data kept).
 * AW_EINCOMPLETE: end of stream first, with at most max bytes; *line is
 * all that is buffered.
 * Never buffers much more than max: the buffer grows only while it
 * holds max bytes or fewer. (At exactly max bytes, one more byte, or
 * the end of the stream, tells a last line that fits from a long one.) */
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
        if (len > max)
            return AW_ELIMIT;
        if (r->eof) {
            *line = len;
            return AW_EINCOMPLETE;
        }
        if (r->error)
            return r->error;
        size_t room = max + 1 - len < READ_CHUNK ? max + 1 - len : READ_CHUNK;
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
    rc = finish_skip(r, t);
    if (rc == 0)
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
    rc = finish_skip(r, t);
    if (rc == 0)
        rc = read_until(r, t, "\n", 1, max, &n);
    if (rc == 0 || rc == AW_EINCOMPLETE) {
        /* At end of stream the last line comes without its '\n'. */
        take_line(r, buf, n, len);
        rc = 0;
    } else if (rc == AW_ELIMIT) {
        /* Drop the line: through its '\n' if that is here, else all that
         * is here, and the rest as it arrives. */
        r->skip_line = true;
        drop_skipped(r);
        rc = aw__fail(AW_ELIMIT,
                      "aw_reader_readline: a line longer than %zu bytes "
                      "(the limit); it was dropped",
                      max);
    }
    r->busy = false;
    return rc;
}

size_t aw_reader_buffered(const aw_reader *r)
{
    if (!r) {
        aw__fail(AW_EMISUSE, "aw_reader_buffered: reader is NULL");
        return 0;
    }
    return r ? aw__buffer_len(&r->buf) : 0;
}

bool aw_reader_at_eof(const aw_reader *r)
{
    if (!r) {
        aw__fail(AW_EMISUSE, "aw_reader_at_eof: reader is NULL");
        return false;
    }
    return r && r->eof && aw__buffer_len(&r->buf) == 0;
}

void aw_reader_free(aw_reader *r)
{
    if (!r || aw__debug_reader_busy(r))
        return;
    conn *c = r->conn;
    c->refs--;
    aw__conn_maybe_free(c);
}
