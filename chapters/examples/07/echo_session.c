/*
 * echo_session.c - a server and its clients in one program.
 *
 * The server is the echo handler of echo_server.c, started with
 * aw_start_server on a port the kernel picks. Three client tasks connect
 * with aw_open_connection, each sends two lines and reads the echoes;
 * they run at the same time, so each keeps what it got, and main prints
 * it all at the end, in a fixed order. Then the server shuts down
 * gracefully, and the program checks that it has exactly as many
 * descriptors open as when it started.
 */
#include "aw.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

static int count_open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));)
        n += e->d_name[0] != '.';
    closedir(dir);
    return n - 1; /* the directory's own descriptor */
}

/* The same handler as echo_server.c. */
static int echo(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)arg;
    char buf[4096];
    for (;;) {
        ssize_t n = aw_reader_read(reader, buf, sizeof buf);
        if (n <= 0)
            return (int)n;
        int rc = aw_writer_write(writer, buf, (size_t)n);
        if (rc == 0)
            rc = aw_writer_drain(writer);
        if (rc != 0)
            return rc;
    }
}

typedef struct {
    int port;
    int id;
    char got[2][64]; /* the echoes, for main to print */
} client_args;

// ANCHOR: client
static void *client(void *arg)
{
    client_args *c = arg;
    aw_reader *reader;
    aw_writer *writer;
    if (aw_open_connection("127.0.0.1", c->port, NULL, &reader, &writer) != 0)
        return aw_raise(AW_ESTATE, aw_last_error());
    char line[64];
    for (int i = 1; i <= 2; i++) {
        snprintf(line, sizeof line, "client %d, line %d\n", c->id, i);
        aw_writer_write(writer, line, strlen(line));
        aw_writer_drain(writer);
        size_t len;
        aw_reader_readline(reader, c->got[i - 1], sizeof c->got[0], &len);
    }
    aw_writer_close(writer);
    aw_writer_wait_closed(writer);
    aw_reader_free(reader);
    aw_writer_free(writer);
    return NULL;
}
// ANCHOR_END: client

typedef struct {
    aw_server *server;
} main_args;

// ANCHOR: main_task
static void *main_task(void *arg)
{
    main_args *m = arg;
    aw_loop *loop = aw_running_loop();
    client_args args[3];
    aw_task *tasks[3];
    aw_future *futures[3];
    for (int i = 0; i < 3; i++) {
        args[i] = (client_args){.port = aw_server_port(m->server), .id = i + 1};
        tasks[i] = aw_task_create(loop, client, &args[i], "client");
        futures[i] = aw_task_future(tasks[i]);
    }
    aw_future *all = aw_gather(loop, futures, 3);
    aw_await(all, NULL); /* all three run at once */
    aw_future_release(all);
    for (int i = 0; i < 3; i++) {
        printf("client %d got back: %s", i + 1, args[i].got[0]);
        printf("client %d got back: %s", i + 1, args[i].got[1]);
        aw_task_release(tasks[i]);
    }
    int rc = aw_server_shutdown(m->server, 5.0);
    printf("shutdown: %s\n", rc == 0 ? "every handler finished" : "timed out");
    return NULL;
}
// ANCHOR_END: main_task

int main(void)
{
    int before = count_open_fds();
    aw_loop *loop = aw_loop_new();
    // ANCHOR: start
    aw_server *server = aw_start_server(loop, "127.0.0.1", 0, echo, NULL, NULL);
    // ANCHOR_END: start
    main_args m = {server};
    aw_task *t = aw_task_create(loop, main_task, &m, "main");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    aw_server_free(server);
    aw_loop_close(loop);
    int after = count_open_fds();
    printf("descriptors open afterwards: %s\n",
           after == before ? "as many as before" : "MORE than before");
    return 0;
}
