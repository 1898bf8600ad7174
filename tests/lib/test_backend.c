/*
 * test_backend.c - each backend's readiness reports, select's FD_SETSIZE
 * limit, and the socket operations of io.c (aw_recv, aw_send, aw_accept,
 * aw_connect_tcp, aw_wait_readable, aw_close) over loopback.
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw.h"
#include "backend_skip.h"
#include "net_helpers.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *backend_env(void)
{
    const char *name = getenv("AW_BACKEND");
    return name && *name ? name : "epoll";
}

START_TEST(loop_uses_the_backend_asked_for)
{
    aw_loop *loop = new_loop();
    ck_assert_str_eq(aw_loop_backend_name(loop), backend_env());
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* ---- readiness over many descriptors ------------------------------------ */

enum { PAIRS = 100 };

typedef struct {
    int fd;
    int calls;
} counter;

static void count_call(void *arg)
{
    ((counter *)arg)->calls++;
}

static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

/* Run until the loop has polled with everything ready reported. */
static void run_a_little(aw_loop *loop)
{
    aw_call_later(loop, 0.01, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
}

START_TEST(reports_exactly_the_ready_descriptors)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    int pairs[PAIRS][2];
    counter counters[PAIRS];
    for (int i = 0; i < PAIRS; i++) {
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pairs[i]), 0);
        counters[i] = (counter){.fd = pairs[i][0]};
        ck_assert_int_eq(
            aw_add_reader(loop, pairs[i][0], count_call, &counters[i]), 0);
    }
    /* Every third becomes readable; then some readers go, from the middle
     * of the set (poll's array fills such holes). */
    for (int i = 0; i < PAIRS; i += 3)
        ck_assert_int_eq(write(pairs[i][1], "x", 1), 1);
    for (int i = 30; i < 60; i++)
        ck_assert_int_eq(aw_remove_reader(loop, pairs[i][0]), 0);
    run_a_little(loop);
    for (int i = 0; i < PAIRS; i++) {
        bool removed = i >= 30 && i < 60;
        bool ready = i % 3 == 0 && !removed;
        if (ready)
            ck_assert_msg(counters[i].calls > 0, "pair %d was not reported", i);
        else
            ck_assert_msg(counters[i].calls == 0,
                          "pair %d reported %d times, but it is %s", i,
                          counters[i].calls,
                          removed ? "not watched" : "not readable");
    }
    for (int i = 0; i < PAIRS; i++) {
        aw_remove_reader(loop, pairs[i][0]);
        close(pairs[i][0]);
        close(pairs[i][1]);
    }
    close_loop_check_fds(loop, before);
}
END_TEST

START_TEST(writable_and_readable_together)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    counter rd = {0}, wr = {0};
    ck_assert_int_eq(aw_add_writer(loop, sv[0], count_call, &wr), 0);
    ck_assert_int_eq(aw_add_reader(loop, sv[0], count_call, &rd), 0);
    run_a_little(loop);
    ck_assert_msg(wr.calls > 0 && rd.calls == 0, "writable only: wr %d rd %d",
                  wr.calls, rd.calls);
    ck_assert_int_eq(write(sv[1], "x", 1), 1);
    ck_assert_int_eq(aw_remove_writer(loop, sv[0]), 0);
    wr.calls = 0;
    run_a_little(loop);
    ck_assert_msg(rd.calls > 0 && wr.calls == 0,
                  "readable only now: wr %d rd %d", wr.calls, rd.calls);
    aw_remove_reader(loop, sv[0]);
    close(sv[0]);
    close(sv[1]);
    close_loop_check_fds(loop, before);
}
END_TEST

/* ---- select's FD_SETSIZE ---------------------------------------------- */

enum { HIGH_FD = 1500 }; /* above FD_SETSIZE (1024) */

/* A socket at descriptor number HIGH_FD, or the test fails. */
static void high_fd_pair(int *high, int *peer)
{
    struct rlimit rl;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur <= HIGH_FD + 10) {
        ck_assert_msg(rl.rlim_max > HIGH_FD + 10,
                      "RLIMIT_NOFILE hard limit %lu is too low for the test",
                      (unsigned long)rl.rlim_max);
        rl.rlim_cur = HIGH_FD + 11;
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    int a, b;
    tcp_pair(&a, &b);
    ck_assert_int_eq(dup2(a, HIGH_FD), HIGH_FD);
    close(a);
    *high = HIGH_FD;
    *peer = b;
}

typedef struct {
    int high, peer;
    bool is_select;
} high_job;

static void *wait_on_high_fd(void *arg)
{
    high_job *j = arg;
    int rc = aw_wait_readable(j->high);
    if (j->is_select) {
        TASK_ASSERT(rc == AW_ELIMIT, "select and fd %d: %s", j->high,
                    aw_strerror(rc));
        TASK_ASSERT(strstr(aw_last_error(), "FD_SETSIZE") != NULL,
                    "the message names the limit: %s", aw_last_error());
        /* A stream on it is refused when it is opened, with the same
         * clear error, rather than served until its first wait. */
        aw_reader *r;
        aw_writer *w;
        int moved = dup2(j->high, HIGH_FD + 1);
        TASK_ASSERT(moved == HIGH_FD + 1, "dup2");
        int opened = aw_stream_open(aw_running_loop(), moved, NULL, &r, &w);
        close(moved);
        TASK_ASSERT(opened == AW_ELIMIT, "stream_open on fd %d: %d", moved,
                    opened);
        TASK_ASSERT(strstr(aw_last_error(), "FD_SETSIZE") != NULL,
                    "the message names the limit: %s", aw_last_error());
        return NULL;
    }
    TASK_ASSERT(rc == 0, "fd %d on %s: %s", j->high, backend_env(),
                aw_last_error());
    char c;
    TASK_ASSERT(aw_recv(j->high, &c, 1) == 1 && c == 'k', "recv");
    return NULL;
}

START_TEST(select_refuses_descriptors_past_fd_setsize)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    high_job j = {.is_select = strcmp(backend_env(), "select") == 0};
    high_fd_pair(&j.high, &j.peer);
    if (j.is_select) {
        counter c = {0};
        ck_assert_int_eq(aw_add_reader(loop, j.high, count_call, &c),
                         AW_ELIMIT);
        ck_assert_msg(strstr(aw_last_error(), "FD_SETSIZE"), "%s",
                      aw_last_error());
    }
    ck_assert_int_eq(write(j.peer, "k", 1), 1);
    expect_task_ok(loop, wait_on_high_fd, &j);
    aw_close(loop, j.high);
    close(j.peer);
    close_loop_check_fds(loop, before);
}
END_TEST

/* ---- a descriptor closed behind the loop's back ------------------------ */

static void remove_self(void *arg)
{
    counter *c = arg;
    c->calls++;
    aw_remove_reader(aw_running_loop(), c->fd);
}

START_TEST(closed_watched_descriptor_does_not_break_the_loop)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    counter c = {.fd = sv[0]};
    ck_assert_int_eq(aw_add_reader(loop, sv[0], remove_self, &c), 0);
    close(sv[0]); /* wrong, but must not make select/poll fail */
    run_a_little(loop);
    ck_assert_int_le(c.calls, 1);
    aw_remove_reader(loop, sv[0]);
    close(sv[1]);
    close_loop_check_fds(loop, before);
}
END_TEST

/* ---- socket operations in tasks ----------------------------------------- */

enum { MIB = 1 << 20 };

typedef struct {
    int listen_fd;
    size_t received;
} transfer;

static void *accept_and_receive(void *arg)
{
    transfer *x = arg;
    int fd = aw_accept(x->listen_fd);
    TASK_ASSERT(fd >= 0, "accept: %s", aw_last_error());
    char buf[16384];
    for (;;) {
        ssize_t n = aw_recv(fd, buf, sizeof buf);
        TASK_ASSERT(n >= 0, "recv: %s", aw_last_error());
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            TASK_ASSERT(buf[i] == (char)((x->received + (size_t)i) % 128),
                        "byte %zu", x->received + (size_t)i);
        x->received += (size_t)n;
    }
    aw_close(NULL, fd);
    return NULL;
}

static void *connect_and_send(void *arg)
{
    transfer *x = arg;
    int fd = aw_connect_tcp("127.0.0.1", aw_socket_port(x->listen_fd));
    TASK_ASSERT(fd >= 0, "connect: %s", aw_last_error());
    char *buf = malloc(MIB);
    for (size_t i = 0; i < MIB; i++)
        buf[i] = (char)(i % 128);
    ssize_t n = aw_send(fd, buf, MIB); /* far more than the kernel takes */
    free(buf);
    aw_close(NULL, fd);
    TASK_ASSERT(n == MIB, "send: %zd (%s)", n, aw_last_error());
    return NULL;
}

START_TEST(send_and_recv_a_mebibyte)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    transfer x = {.listen_fd = aw_socket_listen("127.0.0.1", 0, 4)};
    ck_assert_int_ge(x.listen_fd, 0);
    aw_task *rx = aw_task_create(loop, accept_and_receive, &x, "rx");
    aw_task *tx = aw_task_create(loop, connect_and_send, &x, "tx");
    aw_future *both[] = {aw_task_future(rx), aw_task_future(tx)};
    aw_future *g = aw_gather(loop, both, 2);
    ck_assert_msg(aw_loop_run_until_complete(loop, g) == 0, "%s",
                  aw_last_error());
    aw_future_release(g);
    aw_task_release(rx);
    aw_task_release(tx);
    ck_assert_int_eq(x.received, MIB);
    aw_close(loop, x.listen_fd);
    close_loop_check_fds(loop, before);
}
END_TEST

typedef struct {
    int fd, peer;
    aw_task *waiter;
    int waiter_rc;
} wait_job;

static void *recv_blocked(void *arg)
{
    wait_job *j = arg;
    char c;
    j->waiter_rc = (int)aw_recv(j->fd, &c, 1);
    return NULL;
}

static void *cancel_recv_then_recv(void *arg)
{
    wait_job *j = arg;
    aw_sleep(0.01);
    aw_task_cancel(j->waiter);
    aw_await(aw_task_future(j->waiter), NULL);
    TASK_ASSERT(j->waiter_rc == AW_ECANCELLED, "cancelled recv: %d",
                j->waiter_rc);
    /* The descriptor is free for another wait, which works. */
    TASK_ASSERT(write(j->peer, "y", 1) == 1, "write");
    char c;
    TASK_ASSERT(aw_recv(j->fd, &c, 1) == 1 && c == 'y', "recv after cancel");
    return NULL;
}

START_TEST(cancel_a_task_blocked_in_recv)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    int a, b;
    tcp_pair(&a, &b);
    wait_job j = {.fd = a, .peer = b, .waiter_rc = 1};
    j.waiter = aw_task_create(loop, recv_blocked, &j, "waiter");
    expect_task_ok(loop, cancel_recv_then_recv, &j);
    aw_task_release(j.waiter);
    aw_close(loop, a);
    close(b);
    close_loop_check_fds(loop, before);
}
END_TEST

static void *close_under_waiter(void *arg)
{
    wait_job *j = arg;
    aw_sleep(0.01);
    TASK_ASSERT(aw_close(NULL, j->fd) == 0, "close");
    aw_await(aw_task_future(j->waiter), NULL);
    TASK_ASSERT(j->waiter_rc < 0,
                "the waiter must fail once its descriptor "
                "is closed: %d",
                j->waiter_rc);
    return NULL;
}

START_TEST(close_wakes_a_waiting_task)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    int a, b;
    tcp_pair(&a, &b);
    wait_job j = {.fd = a};
    j.waiter = aw_task_create(loop, recv_blocked, &j, "waiter");
    expect_task_ok(loop, close_under_waiter, &j);
    aw_task_release(j.waiter);
    close(b);
    close_loop_check_fds(loop, before);
}
END_TEST

static void *connect_refused(void *arg)
{
    (void)arg;
    /* A port that was free a moment ago: nothing listens there. */
    int lfd = aw_socket_listen(NULL, 0, 1);
    TASK_ASSERT(lfd >= 0, "listen");
    int port = aw_socket_port(lfd);
    aw_close(NULL, lfd);
    int fd = aw_connect_tcp("127.0.0.1", port);
    TASK_ASSERT(fd == -ECONNREFUSED, "connect to a closed port: %d (%s)", fd,
                aw_last_error());
    return NULL;
}

START_TEST(connect_to_closed_port_is_refused)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    expect_task_ok(loop, connect_refused, NULL);
    close_loop_check_fds(loop, before);
}
END_TEST

START_TEST(socket_helpers_check_their_arguments)
{
    ck_assert_int_eq(aw_socket_listen("example.com", 0, 0), -EINVAL);
    ck_assert_msg(strstr(aw_last_error(), "numeric") != NULL, "%s",
                  aw_last_error());
    ck_assert_int_eq(aw_socket_listen("127.0.0.1", -1, 0), -EINVAL);
    ck_assert_int_eq(aw_recv(0, NULL, 0), AW_EMISUSE); /* not in a task */
    ck_assert_int_eq(aw_wait_readable(0), AW_EMISUSE);
    int fd = aw_socket_listen("::1", 0, 0);
    if (fd >= 0) { /* IPv6 may be off on this machine */
        ck_assert_int_gt(aw_socket_port(fd), 0);
        close(fd);
    }
}
END_TEST

static void *second_waiter(void *arg)
{
    wait_job *j = arg;
    aw_sleep(0.01);
    int rc = aw_wait_readable(j->fd);
    TASK_ASSERT(rc == AW_EMISUSE, "two tasks waiting on one fd: %s",
                aw_strerror(rc));
    aw_task_cancel(j->waiter);
    aw_await(aw_task_future(j->waiter), NULL);
    return NULL;
}

static void *first_waiter(void *arg)
{
    wait_job *j = arg;
    j->waiter_rc = aw_wait_readable(j->fd);
    return NULL;
}

START_TEST(two_waiters_on_one_descriptor_is_misuse)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    int a, b;
    tcp_pair(&a, &b);
    wait_job j = {.fd = a};
    j.waiter = aw_task_create(loop, first_waiter, &j, "first");
    expect_task_ok(loop, second_waiter, &j);
    ck_assert_int_eq(j.waiter_rc, AW_ECANCELLED);
    aw_task_release(j.waiter);
    aw_close(loop, a);
    close(b);
    close_loop_check_fds(loop, before);
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("backend");
    TCase *tc = tcase_create("backend");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, loop_uses_the_backend_asked_for);
    tcase_add_test(tc, reports_exactly_the_ready_descriptors);
    tcase_add_test(tc, writable_and_readable_together);
    tcase_add_test(tc, select_refuses_descriptors_past_fd_setsize);
    tcase_add_test(tc, closed_watched_descriptor_does_not_break_the_loop);
    tcase_add_test(tc, send_and_recv_a_mebibyte);
    tcase_add_test(tc, cancel_a_task_blocked_in_recv);
    tcase_add_test(tc, close_wakes_a_waiting_task);
    tcase_add_test(tc, connect_to_closed_port_is_refused);
    tcase_add_test(tc, socket_helpers_check_their_arguments);
    tcase_add_test(tc, two_waiters_on_one_descriptor_is_misuse);
    suite_add_tcase(s, tc);
    return s;
}
