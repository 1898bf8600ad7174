/*
 * echo_server.c - the workbook's first server: it sends back every byte
 * it receives, and closes a connection when the client does.
 *
 *   echo-server [--backend epoll|poll|select|io_uring] [--port N]
 *
 * Port 0 (the default) lets the kernel pick a free port. Once listening
 * it prints "listening on 127.0.0.1:PORT". It serves until SIGINT or
 * SIGTERM, then shuts down gracefully (handlers get 5 seconds to finish)
 * and exits 0.
 *
 * Signals reach it through aw_add_signal_handler: the library reads them
 * from a signalfd, a descriptor the loop watches like any socket, so the
 * handler runs as an ordinary callback, never at a random moment, and no
 * flag can be set just after the loop checked it and before it slept.
 */
#include "aw.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

// ANCHOR: handler
/* One task per connection runs this (Python: async def handle_client). */
static int echo(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)arg;
    char buf[16 * 1024]; /* a task stack holds it: keep it small */
    for (;;) {
        ssize_t n = aw_reader_read(reader, buf, sizeof buf);
        if (n <= 0)
            return (int)n; /* 0: the client closed; < 0: an error */
        int rc = aw_writer_write(writer, buf, (size_t)n);
        if (rc == 0)
            rc = aw_writer_drain(writer); /* wait if the client is slow */
        if (rc != 0)
            return rc;
    }
}
// ANCHOR_END: handler

typedef struct {
    aw_server *server;
    aw_task *stopper; /* the task that shuts down, once a signal came */
    int rc;
} shutdown_job;

// ANCHOR: signals
/* Shut the server down gracefully, then stop the loop. */
static void *stop_gracefully(void *arg)
{
    shutdown_job *job = arg;
    int rc = aw_server_shutdown(job->server, 5.0);
    if (rc != 0 && rc != AW_ETIMEDOUT)
        job->rc = rc;
    aw_loop_stop(aw_running_loop());
    return NULL;
}

/* SIGINT or SIGTERM: a loop callback like any other, so it may start a
 * task. A second signal during the shutdown changes nothing. */
static void on_signal(void *arg)
{
    shutdown_job *job = arg;
    if (!job->stopper)
        job->stopper = aw_task_create(aw_running_loop(), stop_gracefully, job,
                                      "stop gracefully");
}
// ANCHOR_END: signals

static int parse_backend(const char *name, aw_backend_kind *kind)
{
    static const aw_backend_kind kinds[] = {AW_BACKEND_EPOLL, AW_BACKEND_POLL,
                                            AW_BACKEND_SELECT,
                                            AW_BACKEND_IO_URING};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(name, aw_backend_kind_name(kinds[i])) == 0) {
            *kind = kinds[i];
            return 0;
        }
    return -1;
}

static void usage(void)
{
    fprintf(stderr, "usage: echo-server [--backend epoll|poll|select|"
                    "io_uring] [--port N]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    aw_loop_options options = {.backend = AW_BACKEND_DEFAULT};
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
            if (parse_backend(argv[++i], &options.backend) != 0)
                usage();
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            char *end;
            long p = strtol(argv[++i], &end, 10);
            if (*end || p < 0 || p > 65535)
                usage();
            port = (int)p;
        } else {
            usage();
        }
    }

    // ANCHOR: main
    aw_loop *loop = aw_loop_new_with(&options);
    if (!loop) {
        fprintf(stderr, "echo-server: %s\n", aw_last_error());
        return 1;
    }
    aw_server *server =
        aw_start_server(loop, "127.0.0.1", port, echo, NULL, NULL);
    if (!server) {
        fprintf(stderr, "echo-server: %s\n", aw_last_error());
        return 1;
    }
    shutdown_job job = {.server = server};
    aw_add_signal_handler(loop, SIGINT, on_signal, &job);
    aw_add_signal_handler(loop, SIGTERM, on_signal, &job);
    printf("listening on 127.0.0.1:%d\n", aw_server_port(server));
    fflush(stdout);

    int rc = aw_loop_run_forever(loop); /* until stop_gracefully stops it */
    // ANCHOR_END: main
    if (rc == 0)
        rc = job.rc;
    if (rc != 0)
        fprintf(stderr, "echo-server: %s\n", aw_last_error());
    aw_task_release(job.stopper);
    aw_loop_shutdown(loop); /* cancels what is left; removes the handlers */
    aw_server_free(server);
    return rc == 0 ? 0 : 1;
}
