/*
 * Exercise: an echo server on raw readiness callbacks.
 *
 * No tasks here: the server is three callbacks, the way Redis's ae.c or a
 * Python selectors program is written. Each connection has one fixed
 * 4 KiB buffer, so the server can never be made to hold more than that
 * per client. A connection is always in one of two states:
 *
 *   reading:  its buffer is empty and a reader is registered. When data
 *             arrives, read it and send it straight back; if the socket
 *             takes only part of it (or nothing: EAGAIN), keep the rest,
 *             remove the reader and add a writer.
 *   writing:  the buffer holds unsent bytes and a writer is registered.
 *             When the socket has room, send more; once the buffer is
 *             empty, remove the writer and add the reader again.
 *
 * Not reading while a buffer is full is backpressure: a client that does
 * not read its echoes fills its own socket buffers and gets slowed down,
 * while every other client goes on being served.
 *
 * Write the three callbacks: echo_on_acceptable (accept every pending
 * connection, non-blocking, and start reading it), echo_on_readable and
 * echo_on_writable. At EOF (recv returns 0) or on any error except EAGAIN
 * (a reset...), close the connection with conn_close. Use MSG_NOSIGNAL.
 * The structures and the functions marked "given" are written for you.
 *
 * See chapter 6, section "An echo server on readiness".
 */
#define _GNU_SOURCE
#include "aw.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CONN_BUFFER = 4096 };

typedef struct echo_server echo_server;

typedef struct conn {
    int fd;
    char buf[CONN_BUFFER];
    size_t start, end; /* the unsent bytes are buf[start..end) */
    echo_server *server;
    struct conn *prev, *next;
} conn;

struct echo_server {
    aw_loop *loop;
    int listen_fd;
    conn *conns; /* every open connection, to close them all at the end */
    size_t nconns;
};

void echo_on_acceptable(void *arg); /* arg: the echo_server */
void echo_on_readable(void *arg);   /* arg: the conn */
void echo_on_writable(void *arg);   /* arg: the conn */

/* ---- given -------------------------------------------------------------- */

/* A new connection on fd, linked into the server's list. NULL if out of
 * memory (fd is then left to the caller). */
conn *conn_new(echo_server *s, int fd)
{
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = fd;
    c->server = s;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    return c;
}

/* Stop watching the connection, close its socket and free it. */
void conn_close(conn *c)
{
    echo_server *s = c->server;
    aw_remove_reader(s->loop, c->fd);
    aw_remove_writer(s->loop, c->fd);
    close(c->fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    free(c);
}

/* Serve connections on listen_fd (listening and non-blocking), which the
 * server now owns. NULL on failure. */
echo_server *echo_server_start(aw_loop *loop, int listen_fd)
{
    echo_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->loop = loop;
    s->listen_fd = listen_fd;
    if (aw_add_reader(loop, listen_fd, echo_on_acceptable, s) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* Stop: close the listening socket and every connection, free it all. */
void echo_server_close(echo_server *s)
{
    while (s->conns)
        conn_close(s->conns);
    aw_remove_reader(s->loop, s->listen_fd);
    close(s->listen_fd);
    free(s);
}

size_t echo_server_connections(const echo_server *s)
{
    return s->nconns;
}

/* ---- yours -----------------------------------------------------------------
 */

static bool would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

void echo_on_acceptable(void *arg)
{
    echo_server *s = arg;
    /* Take every connection that is waiting, not just one: with many
     * clients arriving at once, one per pass would leave the rest
     * queued in the kernel. */
    for (;;) {
        int fd =
            accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN: no more for now (or a client gave up) */
        conn *c = conn_new(s, fd);
        if (!c) {
            close(fd);
            continue;
        }
        if (aw_add_reader(s->loop, fd, echo_on_readable, c) != 0)
            conn_close(c); /* e.g. select cannot watch fd >= FD_SETSIZE */
    }
}

/* Send the buffered bytes. Returns false if the connection was closed. */
static bool flush(conn *c)
{
    while (c->start < c->end) {
        ssize_t n =
            send(c->fd, c->buf + c->start, c->end - c->start, MSG_NOSIGNAL);
        if (n > 0) {
            c->start += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && would_block()) {
            return true; /* the rest waits for writability */
        } else {
            conn_close(c);
            return false;
        }
    }
    c->start = c->end = 0;
    return true;
}

void echo_on_readable(void *arg)
{
    conn *c = arg;
    ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
    if (n < 0 && (errno == EINTR || would_block()))
        return; /* a spurious wakeup: wait for the next one */
    if (n <= 0) {
        conn_close(c); /* EOF, or an error such as a reset */
        return;
    }
    c->start = 0;
    c->end = (size_t)n;
    if (!flush(c))
        return;
    if (c->start < c->end) {
        /* The client is slow: stop reading until it has caught up. */
        aw_remove_reader(c->server->loop, c->fd);
        if (aw_add_writer(c->server->loop, c->fd, echo_on_writable, c) != 0)
            conn_close(c);
    }
}

void echo_on_writable(void *arg)
{
    conn *c = arg;
    if (!flush(c))
        return;
    if (c->start == c->end) {
        aw_remove_writer(c->server->loop, c->fd);
        if (aw_add_reader(c->server->loop, c->fd, echo_on_readable, c) != 0)
            conn_close(c);
    }
}
