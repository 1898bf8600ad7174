/*
 * loopback.c - shared helpers of the chapter 6 and 7 graders; see
 * loopback.h.
 */
#define _GNU_SOURCE
#include "loopback.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int count_open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    ck_assert_msg(dir != NULL, "cannot open /proc/self/fd");
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));)
        if (e->d_name[0] != '.')
            n++;
    closedir(dir);
    return n - 1; /* the directory stream's own descriptor */
}

static struct sockaddr_in loopback_address(int port)
{
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    return a;
}

void set_nonblocking_or_die(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    ck_assert_msg(flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0,
                  "fcntl(O_NONBLOCK): %s", strerror(errno));
}

int loopback_listener(int *port, bool nonblocking)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in a = loopback_address(0);
    ck_assert_msg(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
                      listen(fd, 128) == 0,
                  "bind/listen on 127.0.0.1:0: %s", strerror(errno));
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    if (nonblocking)
        set_nonblocking_or_die(fd);
    return fd;
}

static void set_io_timeout(int fd, double seconds)
{
    struct timeval tv = {.tv_sec = (time_t)seconds,
                         .tv_usec =
                             (suseconds_t)((seconds - (time_t)seconds) * 1e6)};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int loopback_connect(int port, double io_timeout)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in a = loopback_address(port);
    ck_assert_msg(connect(fd, (struct sockaddr *)&a, sizeof a) == 0,
                  "connect to 127.0.0.1:%d: %s", port, strerror(errno));
    set_io_timeout(fd, io_timeout);
    return fd;
}

void loopback_pair(int fds[2])
{
    int port;
    int listener = loopback_listener(&port, false);
    fds[0] = loopback_connect(port, 10);
    fds[1] = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    ck_assert_msg(fds[1] >= 0, "accept: %s", strerror(errno));
    set_io_timeout(fds[1], 10);
    close(listener);
}

bool send_all_blocking(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

size_t recv_exactly_blocking(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = recv(fd, (char *)buf + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

bool await_readable_blocking(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n;
    do
        n = poll(&p, 1, 10 * 1000);
    while (n < 0 && errno == EINTR);
    return n == 1;
}

bool sees_eof(int fd)
{
    char c;
    ssize_t n;
    do
        n = recv(fd, &c, 1, 0);
    while (n < 0 && errno == EINTR);
    return n == 0;
}

void close_with_reset(int fd)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

int backends_to_test(aw_backend_kind kinds[], int max)
{
    static const aw_backend_kind all[] = {AW_BACKEND_EPOLL, AW_BACKEND_POLL,
                                          AW_BACKEND_SELECT,
                                          AW_BACKEND_IO_URING};
    const char *chosen = getenv("AW_BACKEND");
    int n = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0] && n < max; i++) {
        const char *name = aw_backend_kind_name(all[i]);
        if (chosen && *chosen && strcmp(chosen, name) != 0)
            continue;
        if (aw_backend_available(all[i], NULL, 0) != 0)
            continue;
        kinds[n++] = all[i];
    }
    ck_assert_msg(n > 0, "no backend to test on: AW_BACKEND=%s cannot run here",
                  chosen ? chosen : "");
    return n;
}

aw_loop *new_loop_on(aw_backend_kind kind, bool virtual_clock)
{
    aw_loop_options opts = {.backend = kind, .virtual_clock = virtual_clock};
    aw_loop *loop = aw_loop_new_with(&opts);
    ck_assert_msg(loop != NULL, "aw_loop_new_with(%s): %s",
                  aw_backend_kind_name(kind), aw_last_error());
    return loop;
}
