/*
 * stream_internal.h - what the three parts of a stream share: the
 * connection (stream.c), its reader (stream_reader.c) and its writer
 * (stream_writer.c).
 */
#ifndef AW_STREAM_INTERNAL_H
#define AW_STREAM_INTERNAL_H

#include "io_internal.h"
#include "uring.h" /* uring_op: the writer's send on io_uring */

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
    /* io_uring: the standing receive (NULL while stopped), and the task
     * waiting for what it brings. */
    uring_op *receive;
    aw_waitlist arrivals;
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

/* The loop runs on io_uring itself, not behind a wrapper such as the
 * fault layer: the stream can then do its I/O without a task. The writer
 * lends its buffer to a send (aw__uring_write), and the reader keeps a
 * receive standing (aw__uring_read), as asyncio's proactor transport
 * does; both end in callbacks. */
static inline bool aw__conn_on_uring(const conn *c)
{
    return c->loop->backend == &aw__backend_uring;
}

/* ---- the connection (stream.c) ---------------------------------------- */

/* Close the socket, once; the reader and writer stay allocated. */
void aw__conn_close(conn *c);

/* Free the connection once neither half nor a flusher task holds it. */
void aw__conn_maybe_free(conn *c);

/* ---- the writer (stream_writer.c) --------------------------------------- */

/* Let go of a send still in flight on io_uring (the connection is going
 * away). */
void aw__writer_forget_send(aw_writer *w);

/* ---- the reader (stream_reader.c) --------------------------------------- */
/* Let go of the standing receive on io_uring (the connection closes). */
void aw__reader_forget_receive(aw_reader *r);

#endif
