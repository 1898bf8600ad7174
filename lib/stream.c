/*
 * stream.c - a connected socket as asyncio's streams: the connection a
 * reader and a writer share, and the ways to open one.
 *
 * Both halves live in one connection object (struct conn, in
 * stream_internal.h), freed when both have been released. The reader is
 * in stream_reader.c, the writer in stream_writer.c.
 */
#include "stream_internal.h"

#include <malloc.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
    DEFAULT_LIMIT = 64 * 1024, /* asyncio's default, 2**16 */
    DEFAULT_HIGH_WATER = 64 * 1024
};

/* Connections alive in the process (every loop, every thread). */
static size_t live_conns;

void aw__conn_close(conn *c)
{
    if (c->fd < 0)
        return;
    aw__reader_forget_receive(&c->reader);
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

/* Free the connection once nobody holds it: not the reader, not the
 * writer, and not a flusher task still inside the backend's send. */
void aw__conn_maybe_free(conn *c)
{
    if (c->refs > 0)
        return;
    aw_writer *w = &c->writer;
    aw__writer_forget_send(w);
    if (w->flusher) {
        if (task_pending(w->flusher))
            return; /* the flusher frees it as it ends */
        aw_task_release(w->flusher);
        w->flusher = NULL;
    }
    aw__conn_close(c);
    aw__buffer_free(&c->reader.buf);
    aw__buffer_free(&w->buf);
    aw__buffer_free(&w->sending);
    free(c);
    /* The last connection is gone: malloc keeps what ten thousand of
     * them freed for later, in pieces between the few blocks still in
     * use, which it cannot give back on its own. Hand it to the kernel.
     * (A walk of the heap, only when a server empties.) */
    if (__atomic_sub_fetch(&live_conns, 1, __ATOMIC_RELAXED) == 0)
        malloc_trim(0);
}

/* Streams on fd, which must already be non-blocking. */
static int stream_new(aw_loop *loop, int fd, const aw_stream_options *o,
                      aw_reader **reader, aw_writer **writer)
{
    int fits = aw__backend_fd_check(loop, fd, "aw_stream_open");
    if (fits != 0)
        return fits;
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return aw__fail(-ENOMEM, "aw_stream_open: out of memory");
    __atomic_add_fetch(&live_conns, 1, __ATOMIC_RELAXED);
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
