/*
 * net_helpers.h - what the socket, stream and server suites share:
 * loopback socket pairs made without a loop, counting open descriptors,
 * and running one task to completion.
 */
#ifndef TESTS_LIB_NET_HELPERS_H
#define TESTS_LIB_NET_HELPERS_H

#include <check.h>

#include "aw.h"

#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Descriptors open in this process right now. */
static inline int count_open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    ck_assert_msg(dir != NULL, "cannot open /proc/self/fd");
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));)
        if (e->d_name[0] != '.')
            n++;
    closedir(dir);
    return n - 1; /* the directory's own descriptor */
}

/* A connected TCP pair on 127.0.0.1 (port picked by the kernel), both
 * ends non-blocking. Made with plain system calls: no loop needed. */
static inline void tcp_pair(int *server_end, int *client_end)
{
    int lfd = aw_socket_listen("127.0.0.1", 0, 1);
    ck_assert_msg(lfd >= 0, "listen: %s", aw_last_error());
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)aw_socket_port(lfd)),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(cfd, 0);
    ck_assert_int_eq(connect(cfd, (struct sockaddr *)&addr, sizeof addr), 0);
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 5000), 1);
    int sfd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(sfd, 0);
    close(lfd);
    ck_assert_int_eq(aw_socket_nonblocking(sfd), 0);
    ck_assert_int_eq(aw_socket_nonblocking(cfd), 0);
    *server_end = sfd;
    *client_end = cfd;
}

/* Make the next close() of fd send a reset (RST) instead of a FIN. */
static inline void reset_on_close(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
}

/* A loop on $AW_BACKEND (epoll if unset). */
static inline aw_loop *new_loop(void)
{
    aw_loop *loop = aw_loop_new();
    ck_assert_msg(loop != NULL, "aw_loop_new: %s", aw_last_error());
    return loop;
}

/* Run fn(arg) as a task until it is done; its error code (0 if none). */
static inline int run_task(aw_loop *loop, aw_task_fn fn, void *arg)
{
    aw_task *t = aw_task_create(loop, fn, arg, "test");
    ck_assert_ptr_nonnull(t);
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    return rc;
}

/* Run fn(arg) as a task, which must succeed. */
#define expect_task_ok(loop, fn, arg)                                          \
    do {                                                                       \
        int rc_ = run_task((loop), (fn), (arg));                               \
        ck_assert_msg(rc_ == 0, "task %s failed: %s (%s)", #fn,                \
                      aw_strerror(rc_), aw_last_error());                      \
    } while (0)

/* Close the loop, and check that the test left no descriptor open. */
static inline void close_loop_check_fds(aw_loop *loop, int fds_before)
{
    ck_assert_msg(aw_loop_close(loop) == 0, "aw_loop_close: %s",
                  aw_last_error());
    ck_assert_int_eq(count_open_fds(), fds_before);
}

#endif
