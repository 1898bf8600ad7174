/*
 * server.c - a TCP server: one task accepts, one task per connection.
 *
 *   accept task:  loop { fd = accept(); start a handler task on fd }
 *   handler task: handler(reader, writer, arg); close the writer
 *
 * Shutting down, as asyncio's Server.close / wait_closed, plus a deadline:
 *
 *   close()          stop accepting: the listening socket is closed
 *   wait up to T     handlers finish their work and return
 *   then cancel      the handlers still running see AW_ECANCELLED
 *   wait             until every handler task has ended
 *
 * Every descriptor is closed by the task that used it, in the task (a
 * task cancelled before it ever ran is cleaned up by whoever cancelled
 * it, or by aw_server_free), so a shut-down server leaves none behind.
 */
#include "io_internal.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct server_conn {
    aw_server *server;
    aw_reader *reader;
    aw_writer *writer;
    aw_task *task;  /* the handler's; the server holds a reference */
    bool cancelled; /* shutdown cancelled it: abort, don't flush */
    struct server_conn *prev, *next;
} server_conn;

struct aw_server {
    aw_loop *loop;
    int listen_fd; /* -1 once closed */
    int port;
    bool listener_registered; /* the loop may hold interest in it */
    aw_client_handler handler;
    void *arg;
    aw_server_options options;
    aw_task *acceptor;  /* the server holds a reference */
    bool acceptor_done; /* its loop has ended */
    bool closing;
    server_conn *conns; /* handlers not yet finished */
    size_t nconns;
    aw_waitlist idle; /* woken once closed and no handler is left */
    char *unix_path;  /* a Unix server's socket file, removed when freed */
};

static bool task_pending(aw_task *t)
{
    aw_task_state state = aw_task_state_of(t);
    return state == AW_TASK_PENDING || state == AW_TASK_RUNNING;
}

static bool accepting(const aw_server *s)
{
    return !s->acceptor_done && task_pending(s->acceptor);
}

static bool busy(const aw_server *s)
{
    return !s->closing || accepting(s) || s->nconns > 0;
}

static void maybe_idle(aw_server *s)
{
    if (!busy(s))
        aw__waitlist_wake(&s->idle, 0);
}

static void stop_listening(aw_server *s)
{
    if (s->listen_fd < 0)
        return;
    /* On Linux, shutdown() of a listening TCP socket ends an accept in
     * flight: a proactor's accept then completes. A Unix socket's does
     * not, so there the accept task's wait is cancelled instead. */
    if (aw__is_proactor(s->loop)) {
        shutdown(s->listen_fd, SHUT_RDWR);
        if (s->unix_path && s->acceptor != aw_current_task())
            aw_task_cancel(s->acceptor);
    }
    if (s->listener_registered)
        aw__io_forget(s->loop, s->listen_fd); /* wakes the accept task */
    close(s->listen_fd);
    s->listen_fd = -1;
}

/* ---- connections ------------------------------------------------------- */

/* The connection is over: free its streams (closing the socket if still
 * open) and forget it. */
static void end_connection(server_conn *c)
{
    aw_server *s = c->server;
    aw_reader_free(c->reader);
    aw_writer_free(c->writer);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    aw_task_release(c->task);
    free(c);
    maybe_idle(s);
}

static void *serve_connection(void *arg)
{
    server_conn *c = arg;
    aw_server *s = c->server;
    int rc = s->handler(c->reader, c->writer, s->arg);
    if (rc < 0 && rc != AW_ECANCELLED && s->loop->debug)
        fprintf(stderr, "aw debug: handler for %s failed: %s (%s)\n",
                aw_writer_peername(c->writer), aw_strerror(rc),
                aw_last_error());
    if (c->cancelled || rc == AW_ECANCELLED) {
        aw_writer_abort(c->writer);
    } else {
        /* Send what the handler left buffered, then close. */
        aw_writer_close(c->writer);
        if (aw_writer_wait_closed(c->writer) == AW_ECANCELLED)
            aw_writer_abort(c->writer);
    }
    end_connection(c);
    return NULL;
}

static void start_connection(aw_server *s, int fd)
{
    server_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->server = s;
    if (aw__stream_accepted(s->loop, fd, &s->options.stream, &c->reader,
                            &c->writer) != 0) {
        /* Say why the client was hung up on (past select's FD_SETSIZE,
         * say): a silent close looks like a network fault. */
        fprintf(stderr, "aw: server on port %d refused a connection: %s\n",
                s->port, aw_last_error());
        close(fd);
        free(c);
        return;
    }
    char name[96];
    snprintf(name, sizeof name, "conn %s", aw_writer_peername(c->writer));
    c->task = aw_task_create(s->loop, serve_connection, c, name);
    if (!c->task) {
        aw_reader_free(c->reader);
        aw_writer_free(c->writer); /* never registered: just closes */
        free(c);
        return;
    }
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
}

/* ---- accepting ---------------------------------------------------------- */

static bool out_of_resources(int err)
{
    return err == -EMFILE || err == -ENFILE || err == -ENOBUFS ||
           err == -ENOMEM;
}

static void *accept_connections(void *arg)
{
    aw_server *s = arg;
    aw_task *self = aw_current_task();
    while (!s->closing) {
        /* The listening socket is ours: keep its registration. */
        s->listener_registered = true;
        int fd = aw__accept(self, s->listen_fd, true);
        if (s->closing) {
            if (fd >= 0)
                close(fd);
            break;
        }
        if (fd == AW_ECANCELLED)
            break;
        if (fd >= 0) {
            start_connection(s, fd);
        } else if (out_of_resources(fd)) {
            /* Out of descriptors: the queued connections wait in the
             * backlog until handlers finish and free some. */
            if (aw_sleep(0.1) == AW_ECANCELLED)
                break;
        } else {
            fprintf(stderr, "aw: server on port %d stops accepting: %s\n",
                    s->port, aw_last_error());
            break;
        }
    }
    stop_listening(s);
    s->acceptor_done = true;
    maybe_idle(s);
    return NULL;
}

/* ---- the server's life --------------------------------------------------- */

/* Serve the connections of a listening socket, TCP or Unix (unix.c):
 * from here on the server owns listen_fd, and closes it on failure. */
aw_server *aw__server_start(aw_loop *loop, int listen_fd,
                            aw_client_handler handler, void *arg,
                            const aw_server_options *options, const char *who,
                            const char *unix_path)
{
    if (!loop || !handler) {
        close(listen_fd);
        aw__fail(AW_EMISUSE, "%s: a loop and a handler are required", who);
        return NULL;
    }
    if (loop->state == AW_LOOP_CLOSED) {
        close(listen_fd);
        aw__fail(AW_EMISUSE, "%s: the loop is closed", who);
        return NULL;
    }
    aw_server *s = calloc(1, sizeof *s);
    if (!s) {
        close(listen_fd);
        aw__fail(-ENOMEM, "%s: out of memory", who);
        return NULL;
    }
    s->loop = loop;
    s->handler = handler;
    s->arg = arg;
    if (options)
        s->options = *options;
    s->listen_fd = listen_fd;
    char name[160];
    if (unix_path) {
        s->port = -1;
        snprintf(name, sizeof name, "server %s accept", unix_path);
    } else {
        s->port = aw_socket_port(listen_fd);
        snprintf(name, sizeof name, "server :%d accept", s->port);
    }
    s->acceptor = aw_task_create(loop, accept_connections, s, name);
    if (!s->acceptor) {
        close(s->listen_fd);
        free(s);
        return NULL;
    }
    return s;
}

aw_server *aw_start_server(aw_loop *loop, const char *host, int port,
                           aw_client_handler handler, void *arg,
                           const aw_server_options *options)
{
    if (!loop || !handler) {
        aw__fail(AW_EMISUSE, "aw_start_server: a loop and a handler are "
                             "required");
        return NULL;
    }
    int fd = aw_socket_listen(host, port, options ? options->backlog : 0);
    if (fd < 0)
        return NULL; /* aw_socket_listen said why */
    return aw__server_start(loop, fd, handler, arg, options, "aw_start_server",
                            NULL);
}

void aw__server_set_unix_path(aw_server *s, char *path)
{
    s->unix_path = path;
}

int aw_server_port(const aw_server *s)
{
    return s ? s->port : aw__fail(AW_EMISUSE, "aw_server_port: NULL");
}

size_t aw_server_connections(const aw_server *s)
{
    if (!s) {
        aw__fail(AW_EMISUSE, "aw_server_connections: server is NULL");
        return 0;
    }
    return s ? s->nconns : 0;
}

int aw_server_close(aw_server *s)
{
    if (!s)
        return aw__fail(AW_EMISUSE, "aw_server_close: server is NULL");
    if (s->closing)
        return 0;
    s->closing = true;
    stop_listening(s);
    maybe_idle(s);
    return 0;
}

int aw_server_wait_closed(aw_server *s)
{
    aw_task *t = aw__task_require("aw_server_wait_closed");
    if (!t)
        return AW_EMISUSE;
    if (!s)
        return aw__fail(AW_EMISUSE, "aw_server_wait_closed: server is NULL");
    while (busy(s)) {
        int rc = aw__waitlist_wait(&s->idle, t);
        if (rc == AW_ECANCELLED)
            return rc;
    }
    return 0;
}

int aw_server_shutdown(aw_server *s, double timeout)
{
    aw_task *t = aw__task_require("aw_server_shutdown");
    if (!t)
        return AW_EMISUSE;
    if (!s)
        return aw__fail(AW_EMISUSE, "aw_server_shutdown: server is NULL");
    aw_server_close(s);
    /* Grace period: the handlers may finish on their own. */
    int rc = 0;
    if (busy(s))
        rc = aw__waitlist_wait_for(&s->idle, t, timeout < 0 ? 0 : timeout);
    if (rc == AW_ECANCELLED)
        return rc;
    bool cancelled_some = busy(s);
    server_conn *c = s->conns;
    while (c) {
        server_conn *next = c->next;
        c->cancelled = true;
        aw_task_cancel(c->task);
        /* A task cancelled before it ever ran never runs at all: its
         * connection must be closed here. */
        if (!c->task->started)
            end_connection(c);
        c = next;
    }
    while (busy(s)) {
        rc = aw__waitlist_wait(&s->idle, t);
        if (rc == AW_ECANCELLED)
            return rc;
    }
    if (cancelled_some)
        return aw__fail(AW_ETIMEDOUT,
                        "aw_server_shutdown: handlers still ran after %g s "
                        "and were cancelled",
                        timeout);
    return 0;
}

int aw_server_free(aw_server *s)
{
    if (!s)
        return 0;
    if (accepting(s))
        return aw__fail(AW_EMISUSE,
                        "aw_server_free: the server on port %d "
                        "still accepts; close it and wait first",
                        s->port);
    for (server_conn *c = s->conns; c; c = c->next)
        if (task_pending(c->task))
            return aw__fail(AW_EMISUSE,
                            "aw_server_free: %zu handler(s) still run on "
                            "port %d; shut the server down first",
                            s->nconns, s->port);
    /* Left: handlers cancelled before they ever ran (aw_loop_shutdown).
     * They never touched the loop, so closing needs no loop. */
    while (s->conns) {
        server_conn *c = s->conns;
        s->conns = c->next;
        aw_reader_free(c->reader);
        aw_writer_free(c->writer);
        aw_task_release(c->task);
        free(c);
    }
    if (s->listen_fd >= 0 && !s->listener_registered)
        close(s->listen_fd);
    aw_task_release(s->acceptor);
    if (s->unix_path) {
        unlink(s->unix_path);
        free(s->unix_path);
    }
    free(s);
    return 0;
}
