/*
 * http_hello.c - the smallest useful HTTP/1.1 server.
 *
 *   http_hello            serve one request from a client in this same
 *                         program, print the exchange, and exit
 *   http_hello --serve    listen on 127.0.0.1 (port picked by the
 *                         kernel) until Ctrl-C, for curl or a browser
 *
 * Every request gets a 200 answer that names the path asked for, and
 * the connection is closed after it ("Connection: close"), which keeps
 * the server simple: no keep-alive, no other status codes. The exercise
 * of this chapter builds the real thing.
 */
#include "aw.h"

#include <stdio.h>
#include <string.h>

// ANCHOR: handler
static int hello(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)arg;
    char line[2048], path[1024] = "";
    size_t len;
    /* The request line: "GET /path HTTP/1.1". */
    int rc = aw_reader_readline(reader, line, sizeof line, &len);
    if (rc != 0 || len == 0)
        return rc;
    sscanf(line, "%*s %1023s", path);
    /* The headers, up to the empty line that ends them. */
    do {
        rc = aw_reader_readline(reader, line, sizeof line, &len);
        if (rc != 0 || len == 0)
            return rc;
    } while (strcmp(line, "\r\n") != 0 && strcmp(line, "\n") != 0);

    char body[1100], head[256];
    int body_len =
        snprintf(body, sizeof body, "Hello! You asked for %s\n", path);
    int head_len = snprintf(head, sizeof head,
                            "HTTP/1.1 200 OK\r\n"
                            "Content-Type: text/plain\r\n"
                            "Content-Length: %d\r\n"
                            "Connection: close\r\n"
                            "\r\n",
                            body_len);
    aw_writer_write(writer, head, (size_t)head_len);
    aw_writer_write(writer, body, (size_t)body_len);
    return aw_writer_drain(writer); /* then the server closes */
}
// ANCHOR_END: handler

/* Print a protocol line as "> text" or "< text", without its "\r\n". */
static void show(const char *prefix, const char *line, size_t len)
{
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    printf("%s %.*s\n", prefix, (int)len, line);
}

/* The self-test: one request, printed line by line. */
static void *ask(void *arg)
{
    aw_server *server = arg;
    aw_reader *reader;
    aw_writer *writer;
    if (aw_open_connection("127.0.0.1", aw_server_port(server), NULL, &reader,
                           &writer) != 0)
        return aw_raise(AW_ESTATE, aw_last_error());
    const char *request = "GET /hello HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\n"
                          "Accept: */*\r\n"
                          "\r\n";
    for (const char *p = request; *p;) {
        size_t n = strcspn(p, "\n") + 1;
        show(">", p, n);
        p += n;
    }
    aw_writer_write(writer, request, strlen(request));
    char line[256];
    size_t len;
    /* Until the server closes: that is where this response ends. */
    while (aw_reader_readline(reader, line, sizeof line, &len) == 0 && len > 0)
        show("<", line, len);
    aw_writer_close(writer);
    aw_writer_wait_closed(writer);
    aw_reader_free(reader);
    aw_writer_free(writer);
    aw_server_shutdown(server, 5.0);
    return NULL;
}

int main(int argc, char **argv)
{
    bool serve = argc > 1 && strcmp(argv[1], "--serve") == 0;
    aw_loop *loop = aw_loop_new();
    aw_server *server =
        aw_start_server(loop, "127.0.0.1", 0, hello, NULL, NULL);
    if (!server) {
        fprintf(stderr, "http_hello: %s\n", aw_last_error());
        return 1;
    }
    if (serve) {
        printf("listening on http://127.0.0.1:%d/ (Ctrl-C stops)\n",
               aw_server_port(server));
        fflush(stdout);
        aw_loop_run_forever(loop); /* until Ctrl-C ends the process */
    }
    aw_task *t = aw_task_create(loop, ask, server, "ask");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    aw_server_free(server);
    aw_loop_close(loop);
    return 0;
}
