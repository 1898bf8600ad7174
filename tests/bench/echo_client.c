/*
 * echo_client.c - the load generator for the echo benchmarks.
 *
 * It is deliberately not built on the aw library: every server, ours and
 * the peers, is driven by the same independent client.
 *
 *   echo-client --port P --conns N --size S --warmup SECS --seconds SECS
 *
 * Each connection sends one message of S bytes, waits until all S bytes
 * have come back, and sends the next: a closed loop, so throughput is
 * round trips per second. With --conns 1 this is libuv's ping_pongs.
 * After the warm-up it prints "ready" and waits for a line on stdin, so
 * the driver can read the server's CPU counters at the start of the
 * measured window; at the end it prints "roundtrips N seconds T" and
 * waits for a line again before closing, so the counters can be read at
 * the end of the window before the teardown adds work.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int fd;
    size_t sent;     /* bytes of the current message written */
    size_t received; /* bytes of the current message read back */
} conn;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        die("connect");
    int one = 1;
    /* Small messages must leave at once, not wait for Nagle. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Write what is left of the current message; false on a fatal error. */
static int pump_send(conn *c, const char *msg, size_t size)
{
    while (c->sent < size) {
        ssize_t n = send(c->fd, msg + c->sent, size - c->sent, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN ? 1 : 0;
        c->sent += (size_t)n;
    }
    return 1;
}

static void wait_for_line(void)
{
    char line[16];
    if (!fgets(line, sizeof line, stdin))
        exit(0); /* the driver went away */
}

int main(int argc, char **argv)
{
    int port = 0, nconns = 1;
    size_t size = 128;
    double warmup = 0.5, seconds = 2.0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port"))
            port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--conns"))
            nconns = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--size"))
            size = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup"))
            warmup = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds"))
            seconds = atof(argv[i + 1]);
    }
    if (port <= 0 || nconns <= 0 || size == 0) {
        fprintf(stderr, "usage: echo-client --port P --conns N --size S "
                        "[--warmup SECS] [--seconds SECS]\n");
        return 2;
    }

    char *msg = malloc(size), *buf = malloc(size);
    conn *conns = calloc((size_t)nconns, sizeof *conns);
    struct epoll_event *events = calloc((size_t)nconns, sizeof *events);
    if (!msg || !buf || !conns || !events)
        die("malloc");
    memset(msg, 'x', size);
    int ep = epoll_create1(0);
    for (int i = 0; i < nconns; i++) {
        conns[i].fd = connect_to(port);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) != 0)
            die("epoll_ctl");
        if (!pump_send(&conns[i], msg, size))
            die("send");
    }

    uint64_t roundtrips = 0;
    int measuring = 0;
    double start = now(), end = start + warmup;
    for (;;) {
        double t = now();
        if (t >= end) {
            if (measuring)
                break;
            /* Warm-up over: let the driver read the counters, then go. */
            printf("ready\n");
            fflush(stdout);
            wait_for_line();
            measuring = 1;
            roundtrips = 0;
            start = now();
            end = start + seconds;
        }
        int n = epoll_wait(ep, events, nconns, 100);
        for (int e = 0; e < n; e++) {
            conn *c = &conns[events[e].data.u32];
            ssize_t got = recv(c->fd, buf, size - c->received, 0);
            if (got == 0) {
                fprintf(stderr, "echo-client: server closed a connection\n");
                return 1;
            }
            if (got < 0) {
                if (errno == EAGAIN)
                    continue;
                die("recv");
            }
            c->received += (size_t)got;
            if (c->received == size) {
                roundtrips++;
                c->received = c->sent = 0;
            }
            /* A large message may need several writes; finish it here
             * (the server echoes as it reads, so this cannot deadlock
             * at the sizes the benchmark uses). */
            if (!pump_send(c, msg, size))
                die("send");
        }
    }
    double elapsed = now() - start;
    printf("roundtrips %llu seconds %.6f\n", (unsigned long long)roundtrips,
           elapsed);
    fflush(stdout);
    wait_for_line();
    for (int i = 0; i < nconns; i++)
        close(conns[i].fd);
    close(ep);
    free(msg);
    free(buf);
    free(conns);
    free(events);
    return 0;
}
