/*
 * Exercise: a connection limit and a graceful shutdown.
 *
 * A "work server" on 127.0.0.1 (port chosen by the kernel) speaks a line
 * protocol:
 *
 *   on connect      "hello\n", or "busy\n" and close when max_clients
 *                   clients are being served already (the busy ones do
 *                   not count)
 *   "ping\n"        "pong\n"
 *   "work S\n"      sleep S seconds (the "work"), then "done\n"
 *   end of stream   the handler returns
 *
 * work_server_shutdown(s, grace), called in a task, stops the server
 * gracefully, the way a deploy should:
 *
 *   1. stop accepting: new clients are refused at once;
 *   2. a client between requests (waiting in readline) gets "bye\n" and
 *      its connection is closed, now;
 *   3. a client in the middle of a "work" request gets its "done\n",
 *      then "bye\n", and is closed: work in progress is finished;
 *   4. work still running after `grace` seconds is cancelled (the client
 *      just sees the connection close);
 *   5. return 0, or AW_ETIMEDOUT if step 4 cancelled anything.
 *
 * aw_server_shutdown(server, grace) does 1, 4 and 5, and waits for the
 * handlers; it does not know which handlers are idle. That part is
 * yours: keep a list of the running handlers, each with its task
 * (aw_current_task()) and whether it is working; on shutdown, mark the
 * server as closing and cancel the idle ones. An idle handler whose
 * readline returns AW_ECANCELLED while the server is closing writes
 * "bye\n" and returns 0 (a handler that returns normally has its output
 * sent before the close). A working handler checks the mark after each
 * request.
 *
 * See chapter 7, section "Timeouts, limits and shutdown".
 */
#include "aw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct work_server work_server;

/* One running handler; it lives on the handler's own stack. */
typedef struct session {
    aw_task *task;
    bool working;      /* in the middle of a request */
    bool told_to_quit; /* cancelled by the shutdown while idle */
    struct session *prev, *next;
} session;

struct work_server {
    aw_server *server;
    size_t max_clients;
    size_t clients; /* sessions being served (not the busy ones) */
    session *sessions;
    bool closing;
};

static void add_session(work_server *s, session *me)
{
    me->next = s->sessions;
    if (s->sessions)
        s->sessions->prev = me;
    s->sessions = me;
    s->clients++;
}

static void remove_session(work_server *s, session *me)
{
    if (me->prev)
        me->prev->next = me->next;
    else
        s->sessions = me->next;
    if (me->next)
        me->next->prev = me->prev;
    s->clients--;
}

/* Handle one request line; 0, or an error (AW_ECANCELLED...). */
static int serve_request(aw_writer *writer, const char *line)
{
    double seconds;
    if (strcmp(line, "ping\n") == 0)
        return aw_writer_write(writer, "pong\n", 5);
    if (sscanf(line, "work %lf", &seconds) == 1) {
        int rc = aw_sleep(seconds);
        return rc != 0 ? rc : aw_writer_write(writer, "done\n", 5);
    }
    return aw_writer_write(writer, "?\n", 2);
}

static int handle(aw_reader *reader, aw_writer *writer, void *arg)
{
    work_server *s = arg;
    if (s->closing || s->clients >= s->max_clients)
        return aw_writer_write(writer, "busy\n", 5);
    session me = {.task = aw_current_task()};
    add_session(s, &me);
    int rc = aw_writer_write(writer, "hello\n", 6);
    char line[256];
    while (rc == 0 && !s->closing) {
        size_t len = 0;
        rc = aw_reader_readline(reader, line, sizeof line, &len);
        if (rc != 0 || len == 0)
            break;
        me.working = true;
        rc = serve_request(writer, line);
        me.working = false;
        if (rc == 0)
            rc = aw_writer_drain(writer);
    }
    remove_session(s, &me);
    /* Stopped between requests by the shutdown: say goodbye. (Work
     * cancelled at the deadline returns AW_ECANCELLED instead, and the
     * server drops the connection.) */
    if (me.told_to_quit || (s->closing && rc == 0)) {
        aw_writer_write(writer, "bye\n", 4);
        return 0;
    }
    return rc;
}

work_server *work_server_start(aw_loop *loop, size_t max_clients)
{
    work_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->max_clients = max_clients;
    s->server = aw_start_server(loop, "127.0.0.1", 0, handle, s, NULL);
    if (!s->server) {
        free(s);
        return NULL;
    }
    return s;
}

int work_server_port(const work_server *s)
{
    return aw_server_port(s->server);
}

size_t work_server_clients(const work_server *s)
{
    return s->clients;
}

int work_server_shutdown(work_server *s, double grace)
{
    s->closing = true;
    aw_server_close(s->server);
    for (session *x = s->sessions; x; x = x->next)
        if (!x->working) {
            x->told_to_quit = true;
            aw_task_cancel(x->task);
        }
    return aw_server_shutdown(s->server, grace);
}

void work_server_free(work_server *s)
{
    aw_server_free(s->server);
    free(s);
}
