/*
 * graceful_stop.c - a server that stops on SIGTERM: the signal handler
 * runs as a loop callback, so it may simply start the shutdown.
 *
 * The program sends itself SIGTERM after one client has been served,
 * as `kill` or a service manager would.
 */
#include "aw.h"

#include <signal.h>
#include <stdio.h>

static int greet(aw_reader *r, aw_writer *w, void *arg)
{
    (void)r;
    (void)arg;
    aw_writer_write(w, "hello\n", 6);
    return aw_writer_drain(w);
}

// ANCHOR: handler
typedef struct {
    aw_server *server;
    aw_task *stopper;
} service;

static void *stop_gracefully(void *arg)
{
    service *s = arg;
    int rc = aw_server_shutdown(s->server, 5.0); /* 5 s for the handlers */
    printf("server stopped: %s\n",
           rc == 0 ? "every handler finished" : aw_strerror(rc));
    aw_loop_stop(aw_running_loop());
    return NULL;
}

/* Not in signal context: an ordinary callback, between two others. */
static void on_sigterm(void *arg)
{
    service *s = arg;
    printf("SIGTERM: shutting down\n");
    if (!s->stopper)
        s->stopper = aw_task_create(aw_running_loop(), stop_gracefully, s,
                                    "stop gracefully");
}
// ANCHOR_END: handler

static void *one_client(void *arg)
{
    service *s = arg;
    aw_reader *r;
    aw_writer *w;
    char line[32] = "";
    int rc = aw_open_connection("127.0.0.1", aw_server_port(s->server), NULL,
                                &r, &w);
    if (rc == 0)
        rc = aw_reader_readline(r, line, sizeof line, NULL);
    printf("client got: %s", line);
    aw_reader_free(r);
    aw_writer_free(w);
    raise(SIGTERM); /* as if someone ran kill(1) */
    return NULL;
}

int main(void)
{
    aw_loop *loop = aw_loop_new();
    service s = {.server =
                     aw_start_server(loop, "127.0.0.1", 0, greet, NULL, NULL)};
    // ANCHOR: main
    aw_add_signal_handler(loop, SIGTERM, on_sigterm, &s);
    aw_add_signal_handler(loop, SIGINT, on_sigterm, &s);
    // ANCHOR_END: main
    aw_task *client = aw_task_create(loop, one_client, &s, "client");
    aw_loop_run_forever(loop); /* until stop_gracefully stops it */
    aw_task_release(client);
    aw_task_release(s.stopper);
    aw_server_free(s.server);
    aw_loop_close(loop); /* also removes the signal handlers */
    return 0;
}
