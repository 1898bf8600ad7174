/*
 * uv_echo_server.c - the libuv peer for the echo benchmarks.
 *
 *   uv-echo-server --port N     (0: the kernel picks)
 *
 * Written the way libuv's own benchmarks and examples write an echo
 * server: uv_read_start, and a uv_write of each chunk as it arrives.
 * It prints "listening on 127.0.0.1:PORT" like ours, and stops on
 * SIGINT or SIGTERM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct {
    uv_write_t req;
    uv_buf_t buf;
} write_req;

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)handle;
    buf->base = malloc(suggested);
    buf->len = buf->base ? suggested : 0;
}

static void on_close(uv_handle_t *handle)
{
    free(handle);
}

static void on_written(uv_write_t *req, int status)
{
    write_req *w = (write_req *)req;
    (void)status;
    free(w->buf.base);
    free(w);
}

static void on_read(uv_stream_t *client, ssize_t nread, const uv_buf_t *buf)
{
    if (nread > 0) {
        write_req *w = malloc(sizeof *w);
        w->buf = uv_buf_init(buf->base, (unsigned)nread);
        uv_write(&w->req, client, &w->buf, 1, on_written);
        return;
    }
    free(buf->base);
    if (nread < 0)
        uv_close((uv_handle_t *)client, on_close);
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    uv_tcp_t *client = malloc(sizeof *client);
    uv_tcp_init(server->loop, client);
    if (uv_accept(server, (uv_stream_t *)client) == 0) {
        uv_tcp_nodelay(client, 1);
        uv_read_start((uv_stream_t *)client, on_alloc, on_read);
    } else {
        uv_close((uv_handle_t *)client, on_close);
    }
}

static void on_signal(uv_signal_t *handle, int signum)
{
    (void)signum;
    uv_stop(handle->loop);
}

int main(int argc, char **argv)
{
    int port = 0;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--port"))
            port = atoi(argv[i + 1]);
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t server;
    uv_tcp_init(loop, &server);
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", port, &addr);
    if (uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0) != 0 ||
        uv_listen((uv_stream_t *)&server, 1024, on_connection) != 0) {
        fprintf(stderr, "uv-echo-server: cannot listen\n");
        return 1;
    }
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len);
    printf("listening on 127.0.0.1:%d\n",
           ntohs(((struct sockaddr_in *)&bound)->sin_port));
    fflush(stdout);
    uv_signal_t sigint, sigterm;
    uv_signal_init(loop, &sigint);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_init(loop, &sigterm);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_run(loop, UV_RUN_DEFAULT);
    return 0;
}
