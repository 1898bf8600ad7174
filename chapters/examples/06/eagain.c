/*
 * eagain.c - a non-blocking socket, poll(2), and nothing else.
 *
 * No library here: this is what every selector loop does underneath.
 * A connected pair of TCP sockets on 127.0.0.1; the reading side is
 * non-blocking, so recv() with nothing to read fails with EAGAIN at once
 * instead of sleeping, and poll() is how we learn when to try again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A connected pair over loopback; the kernel picks the port. */
static void tcp_pair(int *client, int *server)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    bind(listener, (struct sockaddr *)&addr, sizeof addr);
    listen(listener, 1);
    getsockname(listener, (struct sockaddr *)&addr, &len);
    *client = socket(AF_INET, SOCK_STREAM, 0);
    connect(*client, (struct sockaddr *)&addr, sizeof addr);
    *server = accept(listener, NULL, NULL);
    close(listener);
}

/* Is fd readable? Waits up to timeout_ms (0: just look; -1: no limit). */
static const char *readiness(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    return n == 1 ? "readable" : "not readable";
}

int main(void)
{
    int client, server;
    tcp_pair(&client, &server);

    // ANCHOR: nonblocking
    int flags = fcntl(server, F_GETFL);
    fcntl(server, F_SETFL, flags | O_NONBLOCK);

    char buf[64];
    ssize_t n = recv(server, buf, sizeof buf, 0);
    printf("recv on an empty socket: %zd, errno %s\n", n,
           errno == EAGAIN ? "EAGAIN" : strerror(errno));
    printf("poll says: %s\n", readiness(server, 0));
    // ANCHOR_END: nonblocking

    // ANCHOR: ready
    send(client, "hello", 5, 0);
    printf("after the peer sent 5 bytes, poll says: %s\n",
           readiness(server, -1));
    n = recv(server, buf, sizeof buf, 0);
    printf("recv: %zd bytes, \"%.*s\"\n", n, (int)n, buf);
    printf("poll says: %s\n", readiness(server, 0));
    // ANCHOR_END: ready

    // ANCHOR: eof
    close(client);
    printf("after the peer closed, poll says: %s\n", readiness(server, -1));
    n = recv(server, buf, sizeof buf, 0);
    printf("recv: %zd (end of stream)\n", n);
    // ANCHOR_END: eof
    close(server);
    return 0;
}
