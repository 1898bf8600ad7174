/*
 * memory.c - the echo server's memory (RSS, from /proc) on each backend,
 * in three cases, one server process per backend, all in the same run:
 *
 *   idle   N connections, each after one echoed byte (so that every
 *          connection has a task, a reader and a writer that have
 *          worked), then nothing;
 *   flood  M clients that send as fast as they can and never read: the
 *          server's writer fills, its handler waits in drain, and only
 *          backpressure keeps the reader from buffering without end;
 *   left   after either, every client has gone (the server is back to
 *          its listening socket): what the server keeps.
 *
 * Each of the two runs on a fresh server.
 *
 *   memory SERVER OUT.json [--idle N] [--flood M] [--seconds S]
 *          [--backends "epoll io_uring"]
 *
 * SERVER is the workbook's echo server (chapters/examples/07). The soft
 * descriptor limit is raised to the hard one, here and in the server it
 * starts; N is lowered to fit if the hard limit is too low (and says so).
 */
#define _GNU_SOURCE
#include "rows.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "memory: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The resident set of process pid, in KiB. */
static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        die("reading the server's /proc status");
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static int open_fds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

typedef struct {
    pid_t pid;
    int port;
    int idle_fds; /* descriptors while no client is connected */
} server;

static server start_server(const char *path, const char *backend)
{
    int out[2];
    if (pipe(out) != 0)
        die("pipe");
    server s = {0};
    s.pid = fork();
    if (s.pid < 0)
        die("fork");
    if (s.pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execl(path, path, "--backend", backend, "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    FILE *f = fdopen(out[0], "r");
    char line[128];
    if (!fgets(line, sizeof line, f) ||
        sscanf(line, "listening on 127.0.0.1:%d", &s.port) != 1) {
        fprintf(stderr, "memory: the %s server did not start\n", backend);
        exit(1);
    }
    fclose(f);
    s.idle_fds = open_fds(s.pid);
    return s;
}

static void stop_server(server *s)
{
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* One byte there and back on each connection: every handler has run. */
static void echo_one_byte(const int *fds, int n)
{
    for (int i = 0; i < n; i++)
        if (send(fds[i], "x", 1, MSG_NOSIGNAL) != 1)
            die("send");
    for (int i = 0; i < n; i++) {
        char c;
        if (recv(fds[i], &c, 1, 0) != 1)
            die("recv");
    }
}

/* Close every connection, then wait (5 minutes at most: a loaded
 * machine is slow) until the server has closed its ends too. */
static void leave(server *s, int *fds, int n)
{
    for (int i = 0; i < n; i++)
        close(fds[i]);
    double start = now();
    while (open_fds(s->pid) > s->idle_fds && now() < start + 300)
        usleep(20000);
    if (open_fds(s->pid) > s->idle_fds)
        fprintf(stderr, "memory: the server still has %d descriptors open\n",
                open_fds(s->pid) - s->idle_fds);
    usleep(200000); /* let the last handlers' frees happen */
}

/* Send without reading for `seconds`, on every connection. */
static void flood(int *fds, int n, double seconds)
{
    static char chunk[64 * 1024];
    memset(chunk, 'f', sizeof chunk);
    for (int i = 0; i < n; i++)
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
    struct pollfd *p = calloc((size_t)n, sizeof *p);
    for (int i = 0; i < n; i++)
        p[i] = (struct pollfd){.fd = fds[i], .events = POLLOUT};
    double until = now() + seconds;
    while (now() < until) {
        if (poll(p, (nfds_t)n, 50) < 0 && errno != EINTR)
            die("poll");
        for (int i = 0; i < n; i++)
            if (p[i].revents & POLLOUT)
                send(fds[i], chunk, sizeof chunk, MSG_NOSIGNAL);
    }
    free(p);
}

static double mib(long kib)
{
    return (double)kib / 1024.0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: memory SERVER OUT.json [--idle N] "
                        "[--flood M] [--seconds S] [--backends LIST]\n");
        return 2;
    }
    const char *server_path = argv[1], *out = argv[2];
    int idle = 10000, flooders = 50;
    double seconds = 3;
    char backends[128] = "epoll io_uring";
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--idle") == 0)
            idle = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--flood") == 0)
            flooders = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--backends") == 0)
            snprintf(backends, sizeof backends, "%s", argv[i + 1]);
    }
    /* 10,000 connections need more descriptors than the usual 1024; the
     * server inherits the raised limit. */
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if ((rlim_t)idle + 64 > rl.rlim_cur) {
        fprintf(stderr,
                "memory: the descriptor limit is %lu: %d idle connections "
                "instead of %d\n",
                (unsigned long)rl.rlim_cur, (int)rl.rlim_cur - 64, idle);
        idle = (int)rl.rlim_cur - 64;
    }
    signal(SIGPIPE, SIG_IGN);

    bench_rows rows;
    if (bench_rows_open(&rows, out) != 0)
        die(out);
    int *fds = calloc((size_t)(idle > flooders ? idle : flooders), sizeof *fds);
    char params[128];
    for (char *save = NULL, *b = strtok_r(backends, " ", &save); b;
         b = strtok_r(NULL, " ", &save)) {
        char subject[64];
        snprintf(subject, sizeof subject, "ours-%s", b);
        /* Each case on a fresh server, so that one does not inherit
         * what the other left. */
        server s = start_server(server_path, b);
        for (int i = 0; i < idle; i++)
            fds[i] = connect_to(s.port);
        echo_one_byte(fds, idle);
        long idle_kib = rss_kib(s.pid);
        leave(&s, fds, idle);
        long idle_after_kib = rss_kib(s.pid);
        stop_server(&s);

        s = start_server(server_path, b);
        for (int i = 0; i < flooders; i++)
            fds[i] = connect_to(s.port);
        flood(fds, flooders, seconds);
        long flood_kib = rss_kib(s.pid);
        leave(&s, fds, flooders);
        long flood_after_kib = rss_kib(s.pid);
        stop_server(&s);

        snprintf(params, sizeof params, "{\"case\": \"idle\", \"conns\": %d}",
                 idle);
        bench_rows_add(&rows, "memory", subject, params, mib(idle_kib), "MiB");
        snprintf(params, sizeof params,
                 "{\"case\": \"idle-left\", \"conns\": %d}", idle);
        bench_rows_add(&rows, "memory", subject, params, mib(idle_after_kib),
                       "MiB");
        snprintf(params, sizeof params,
                 "{\"case\": \"flood\", \"conns\": %d, \"seconds\": %g}",
                 flooders, seconds);
        bench_rows_add(&rows, "memory", subject, params, mib(flood_kib), "MiB");
        snprintf(params, sizeof params,
                 "{\"case\": \"flood-left\", \"conns\": %d}", flooders);
        bench_rows_add(&rows, "memory", subject, params, mib(flood_after_kib),
                       "MiB");
        fprintf(stderr,
                "  %-14s RSS MiB: %d idle %.1f, after they left %.1f; %d "
                "flooding %.1f, after they left %.1f\n",
                subject, idle, mib(idle_kib), mib(idle_after_kib), flooders,
                mib(flood_kib), mib(flood_after_kib));
    }
    free(fds);
    return bench_rows_close(&rows) == 0 ? 0 : 1;
}
