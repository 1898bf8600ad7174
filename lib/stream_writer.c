/*
 * stream_writer.c - the writing half of a stream, as asyncio's
 * StreamWriter.
 *
 * The writer buffers only what the kernel will not take yet, and the
 * loop sends the rest as room appears: on a selector, from a writable
 * callback (asyncio's transport does the same); on io_uring, from the
 * completion of the send before, again a callback; behind a wrapper such
 * as the fault layer, whose send only a task can call, from a small task.
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
#include "stream_internal.h"

#include <sys/socket.h>

/* Let go of a send still in flight on io_uring. The kernel may still
 * read w->sending: its memory goes to the operation, which frees it when
 * the kernel is done (closing the socket ends the send). */
void aw__writer_forget_send(aw_writer *w)
{
    if (!w->send_op)
        return;
    aw__uring_write_forget(w->send_op, w->sending.data);
    w->sending = (aw_buffer){0};
    w->send_op = NULL;
}

static size_t buffered(const aw_writer *w)
{
    return aw__buffer_len(&w->buf) + aw__buffer_len(&w->sending);
}

static void finish_close(aw_writer *w)
{
    /* only an abort or an error leaves one in flight */
    aw__writer_forget_send(w);
    aw__conn_close(w->conn);
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

/* Proactor: what is written so far becomes what is being sent. The
 * buffers swap: `sending`, empty, lends its memory to new writes. */
static void take_for_sending(aw_writer *w)
{
    aw_buffer emptied = w->sending;
    w->sending = w->buf;
    w->buf = emptied;
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
    take_for_sending(w);
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
        take_for_sending(w);
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
    aw__conn_maybe_free(c);
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
        if (!aw__conn_on_uring(c))
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
    if (!w) {
        aw__fail(AW_EMISUSE, "aw_writer_abort: writer is NULL");
        return;
    }
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
    if (!w) {
        aw__fail(AW_EMISUSE, "aw_writer_is_closing: writer is NULL");
        return false;
    }
    return w && (w->closing || w->conn->fd < 0);
}

size_t aw_writer_buffered(const aw_writer *w)
{
    if (!w) {
        aw__fail(AW_EMISUSE, "aw_writer_buffered: writer is NULL");
        return 0;
    }
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
    if (!w) {
        aw__fail(AW_EMISUSE, "aw_writer_peername: writer is NULL");
        return NULL;
    }
    return w ? w->peer : "?";
}

int aw_writer_fd(const aw_writer *w)
{
    if (!w)
        return aw__fail(AW_EMISUSE, "aw_writer_fd: writer is NULL");
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
    aw__conn_maybe_free(c);
}
