/*
 * Grader for 08-proactor/fewer_syscalls: the clients run against an echo
 * server in the same loop, on epoll and on io_uring. The system calls
 * that move data or wait for it are counted: on epoll by wrapping the C
 * library's functions at link time (the --wrap lines below), on io_uring
 * by those same wrappers plus the backend's count of io_uring_enter.
 * Connection set-up (socket, connect, accept, close) is the same on both
 * and is not counted.
 */
// grade-exports: client_session run_clients session_main
// grade-needs: io_uring
// grade-ldflags: -Wl,--wrap=recv,--wrap=send,--wrap=read,--wrap=write
// grade-ldflags: -Wl,--wrap=epoll_wait,--wrap=epoll_ctl,--wrap=poll
#include "check_main.h"

#include "internal.h" /* the io_uring backend's counters */

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int run_clients(int port, int conns, int rounds);

enum { CONNS = 16, ROUNDS = 20, MSG = 64 };

/* ---- counting ------------------------------------------------------------ */

static bool counting;
static unsigned long syscalls;

#define WRAP(ret, name, params, args)                                          \
    ret __real_##name params;                                                  \
    ret __wrap_##name params                                                   \
    {                                                                          \
        if (counting)                                                          \
            syscalls++;                                                        \
        return __real_##name args;                                             \
    }
/* One line per wrapped function: the macro only saves repeating the
 * counting in each. */
WRAP(ssize_t, recv, (int fd, void *buf, size_t n, int flags),
     (fd, buf, n, flags))
WRAP(ssize_t, send, (int fd, const void *buf, size_t n, int flags),
     (fd, buf, n, flags))
WRAP(ssize_t, read, (int fd, void *buf, size_t n), (fd, buf, n))
WRAP(ssize_t, write, (int fd, const void *buf, size_t n), (fd, buf, n))
WRAP(int, epoll_wait, (int epfd, struct epoll_event *ev, int max, int ms),
     (epfd, ev, max, ms))
WRAP(int, epoll_ctl, (int epfd, int op, int fd, struct epoll_event *ev),
     (epfd, op, fd, ev))
WRAP(int, poll, (struct pollfd * fds, nfds_t n, int ms), (fds, n, ms))

/* ---- the echo server and the run ----------------------------------------- */

typedef struct {
    size_t bytes;
    int connections;
} echo_count;

static int echo(aw_reader *r, aw_writer *w, void *arg)
{
    echo_count *count = arg;
    count->connections++;
    char buf[4096];
    for (;;) {
        ssize_t n = aw_reader_read(r, buf, sizeof buf);
        if (n <= 0)
            return (int)n;
        count->bytes += (size_t)n;
        int rc = aw_writer_write(w, buf, (size_t)n);
        if (rc == 0)
            rc = aw_writer_drain(w);
        if (rc != 0)
            return rc;
    }
}

typedef struct {
    aw_server *server;
    int rc;
    char why[256];
} run;

static void *main_task(void *arg)
{
    run *job = arg;
    job->rc = run_clients(aw_server_port(job->server), CONNS, ROUNDS);
    snprintf(job->why, sizeof job->why, "%s", aw_last_error());
    aw_server_shutdown(job->server, 2.0);
    return NULL;
}

typedef struct {
    unsigned long syscalls; /* data and waiting, set-up excluded */
    double per_round_trip;
} measure;

static measure run_on(aw_backend_kind kind)
{
    const char *name = aw_backend_kind_name(kind);
    char why[300];
    if (aw_backend_available(kind, why, sizeof why) != 0)
        ck_abort_msg("%s is unavailable here (%s): this exercise needs it. "
                     "See chapter 8, section \"When io_uring is "
                     "unavailable\".",
                     name, why);
    aw_loop_options options = {.backend = kind};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "%s: %s", name, aw_last_error());
    echo_count count = {0};
    run job = {.server =
                   aw_start_server(loop, "127.0.0.1", 0, echo, &count, NULL)};
    ck_assert_msg(job.server != NULL, "aw_start_server: %s", aw_last_error());
    aw_task *t = aw_task_create(loop, main_task, &job, "main");
    syscalls = 0;
    counting = true;
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    counting = false;
    ck_assert_msg(rc == 0, "%s: the run failed: %s", name, aw_last_error());
    ck_assert_msg(job.rc == 0, "%s: run_clients returned %d (%s): %s", name,
                  job.rc, aw_strerror(job.rc), job.why);
    ck_assert_msg(count.connections == CONNS,
                  "%s: the server saw %d connections, expected %d", name,
                  count.connections, CONNS);
    ck_assert_msg(count.bytes == (size_t)CONNS * ROUNDS * MSG,
                  "%s: the server echoed %zu bytes, expected %d "
                  "connections x %d round trips x %d bytes",
                  name, count.bytes, CONNS, ROUNDS, MSG);
    measure m = {.syscalls = syscalls};
    if (kind == AW_BACKEND_IO_URING) {
        aw_uring_stats st;
        ck_assert_int_eq(aw__uring_stats(loop, &st), 0);
        m.syscalls += st.enters;
    }
    m.per_round_trip = (double)m.syscalls / (CONNS * ROUNDS);
    aw_task_release(t);
    ck_assert_int_eq(aw_server_free(job.server), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    printf("  %-8s %6lu system calls for %d round trips: %5.2f per round "
           "trip\n",
           name, m.syscalls, CONNS * ROUNDS, m.per_round_trip);
    return m;
}

START_TEST(correct_on_epoll)
{
    run_on(AW_BACKEND_EPOLL);
}
END_TEST

START_TEST(correct_on_io_uring)
{
    run_on(AW_BACKEND_IO_URING);
}
END_TEST

START_TEST(the_proactor_batches)
{
    printf("System calls that move data or wait (%d connections):\n", CONNS);
    measure e = run_on(AW_BACKEND_EPOLL);
    measure u = run_on(AW_BACKEND_IO_URING);
    ck_assert_msg(u.per_round_trip < 0.5,
                  "on io_uring your clients made %.2f system calls per round "
                  "trip (epoll: %.2f). With one connection's operations at a "
                  "time there is nothing to batch: run the %d connections "
                  "at the same time, one task each, and gather them.",
                  u.per_round_trip, e.per_round_trip, CONNS);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("fewer_syscalls");
    TCase *tc = tcase_create("fewer_syscalls");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, correct_on_epoll);
    tcase_add_test(tc, correct_on_io_uring);
    tcase_add_test(tc, the_proactor_batches);
    suite_add_tcase(s, tc);
    return s;
}
