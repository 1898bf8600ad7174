/*
 * same_code.c - one program, two kinds of loop: a line server and its
 * client, run on the epoll selector and then on the io_uring proactor.
 * Not a line of the server or the client knows which one it runs on.
 */
#include "aw.h"

#include <ctype.h>
#include <string.h>

// ANCHOR: handler
/* Answer each line in capitals, until the client closes. */
static int shout(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)arg;
    char line[256];
    size_t len;
    for (;;) {
        int rc = aw_reader_readline(reader, line, sizeof line, &len);
        if (rc != 0 || len == 0)
            return rc; /* an error, or the end of the stream */
        for (size_t i = 0; i < len; i++)
            line[i] = (char)toupper((unsigned char)line[i]);
        rc = aw_writer_write(writer, line, len);
        if (rc == 0)
            rc = aw_writer_drain(writer);
        if (rc != 0)
            return rc;
    }
}
// ANCHOR_END: handler

typedef struct {
    aw_server *server;
    char answer[256];
} conversation;

static void *client(void *arg)
{
    conversation *c = arg;
    aw_reader *r;
    aw_writer *w;
    int rc = aw_open_connection("127.0.0.1", aw_server_port(c->server), NULL,
                                &r, &w);
    if (rc != 0)
        return aw_raise(rc, aw_last_error());
    size_t len = 0;
    rc = aw_writer_write(w, "same code\n", 10);
    if (rc == 0)
        rc = aw_reader_readline(r, c->answer, sizeof c->answer, &len);
    aw_writer_close(w);
    if (rc == 0)
        rc = aw_writer_wait_closed(w);
    aw_reader_free(r);
    aw_writer_free(w);
    if (rc == 0)
        rc = aw_server_shutdown(c->server, 1.0);
    return rc ? aw_raise(rc, aw_last_error()) : NULL;
}

// ANCHOR: main
static int run_on(aw_backend_kind kind)
{
    aw_loop_options options = {.backend = kind};
    aw_loop *loop = aw_loop_new_with(&options);
    if (!loop) { /* no io_uring here: say why, and skip (exit 77) */
        printf("skipped: %s: %s\n", aw_backend_kind_name(kind),
               aw_last_error());
        return 77;
    }
    conversation c = {0};
    c.server = aw_start_server(loop, "127.0.0.1", 0, shout, NULL, NULL);
    aw_task *t = aw_task_create(loop, client, &c, "client");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    printf("%-8s (%s loop): the server answered %s", aw_loop_backend_name(loop),
           kind == AW_BACKEND_IO_URING ? "proactor" : "selector", c.answer);
    aw_task_release(t);
    aw_server_free(c.server);
    aw_loop_close(loop);
    return rc != 0;
}

int main(void)
{
    int rc = run_on(AW_BACKEND_EPOLL);
    return rc ? rc : run_on(AW_BACKEND_IO_URING);
}
// ANCHOR_END: main
