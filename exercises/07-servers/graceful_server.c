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

/* Yours to complete: the server, and what you keep per handler. */
struct work_server {
    aw_server *server;
    size_t max_clients;
    size_t clients; /* sessions being served (not the busy ones) */
};

static int handle(aw_reader *reader, aw_writer *writer, void *arg)
{
    work_server *s = arg;
    (void)s;
    (void)reader;
    return aw_writer_write(writer, "hello\n", 6);
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

/* How many clients are being served now (rejected ones not counted). */
size_t work_server_clients(const work_server *s)
{
    return s->clients;
}

/* In a task: steps 1-5 above. */
int work_server_shutdown(work_server *s, double grace)
{
    return aw_server_shutdown(s->server, grace);
}

/* After the shutdown: free everything. */
void work_server_free(work_server *s)
{
    aw_server_free(s->server);
    free(s);
}
