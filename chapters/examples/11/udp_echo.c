/*
 * udp_echo.c - datagrams against streams: three messages sent back to
 * back arrive as three, each whole, each with its sender's address.
 */
#include "aw.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

// ANCHOR: echo
/* Answer each datagram, to whoever sent it, in capitals. */
static void *echo_server(void *arg)
{
    int fd = *(int *)arg;
    for (;;) {
        char buf[512];
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        ssize_t n = aw_recvfrom(fd, buf, sizeof buf, (struct sockaddr *)&from,
                                &fromlen);
        if (n < 0)
            return NULL; /* cancelled: the client is done */
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] = (char)(buf[i] - 'a' + 'A');
        aw_sendto(fd, buf, (size_t)n, (struct sockaddr *)&from, fromlen);
    }
}
// ANCHOR_END: echo

// ANCHOR: client
static void *client(void *arg)
{
    int server_fd = *(int *)arg;
    int fd = aw_udp_open("127.0.0.1", 0);
    aw_udp_connect(fd, "127.0.0.1", aw_socket_port(server_fd));
    const char *msgs[] = {"one", "two", "three"};
    for (int i = 0; i < 3; i++) /* all three before reading any */
        aw_sendto(fd, msgs[i], strlen(msgs[i]), NULL, 0);
    for (int i = 0; i < 3; i++) {
        char buf[512];
        ssize_t n = aw_recvfrom(fd, buf, sizeof buf, NULL, NULL);
        printf("datagram %d: %zd bytes: %.*s\n", i + 1, n, (int)n, buf);
    }
    aw_close(NULL, fd);
    return NULL;
}
// ANCHOR_END: client

int main(void)
{
    aw_loop *loop = aw_loop_new();
    int server_fd = aw_udp_open("127.0.0.1", 0);
    aw_task *server = aw_task_create(loop, echo_server, &server_fd, "server");
    aw_task *c = aw_task_create(loop, client, &server_fd, "client");
    aw_loop_run_until_complete(loop, aw_task_future(c));
    aw_task_cancel(server);
    aw_loop_run_until_complete(loop, aw_task_future(server));
    aw_task_release(c);
    aw_task_release(server);
    aw_close(loop, server_fd);
    aw_loop_close(loop);
    return 0;
}
