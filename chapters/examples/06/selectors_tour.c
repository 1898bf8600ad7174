/*
 * selectors_tour.c - one reader callback, run on each selector backend.
 *
 * The same program runs three times, on epoll, poll and select, chosen
 * with aw_loop_options (setting AW_BACKEND=poll would do it for a whole
 * program). The reader takes at most 2 bytes per call, so a 3-byte
 * message needs two calls: all three backends are level-triggered, and
 * report a descriptor again for as long as data is waiting.
 */
#define _GNU_SOURCE
#include "aw.h"

#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static void tcp_pair(int *client, int *server)
{
    int listener = aw_socket_listen("127.0.0.1", 0, 1);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                               .sin_port = htons(aw_socket_port(listener))};
    *client = socket(AF_INET, SOCK_STREAM, 0);
    connect(*client, (struct sockaddr *)&addr, sizeof addr);
    *server = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
    close(listener);
}

typedef struct {
    aw_loop *loop;
    int client, server;
    int next;   /* index of the next message to send */
    size_t got; /* bytes of the current message received */
} tour;

static const char *messages[] = {"one", "two"};

static void send_next(void *arg)
{
    tour *t = arg;
    if (t->next == 2) {
        shutdown(t->client, SHUT_WR);
        printf("  closed the sending side\n");
        return;
    }
    send(t->client, messages[t->next], 3, 0);
    printf("  sent \"%s\"\n", messages[t->next]);
}

// ANCHOR: reader
static void on_readable(void *arg)
{
    tour *t = arg;
    char buf[2];
    ssize_t n = recv(t->server, buf, sizeof buf, 0);
    if (n == 0) {
        printf("  reader: end of stream\n");
        aw_remove_reader(t->loop, t->server);
        aw_loop_stop(t->loop);
        return;
    }
    printf("  reader: \"%.*s\"\n", (int)n, buf);
    t->got += (size_t)n;
    if (t->got == 3) { /* a whole message: ask for the next one */
        t->got = 0;
        t->next++;
        aw_call_later(t->loop, 0.01, send_next, t);
    }
}
// ANCHOR_END: reader

// ANCHOR: run_on
static void run_on(aw_backend_kind kind)
{
    aw_loop_options opts = {.backend = kind};
    aw_loop *loop = aw_loop_new_with(&opts);
    printf("%s:\n", aw_loop_backend_name(loop));
    tour t = {.loop = loop};
    tcp_pair(&t.client, &t.server);
    aw_add_reader(loop, t.server, on_readable, &t);
    aw_call_soon(loop, send_next, &t);
    aw_loop_run_forever(loop);
    close(t.client);
    close(t.server);
    aw_loop_close(loop);
}
// ANCHOR_END: run_on

int main(void)
{
    run_on(AW_BACKEND_EPOLL);
    run_on(AW_BACKEND_POLL);
    run_on(AW_BACKEND_SELECT);
    return 0;
}
