/*
 * test_uring.c - the io_uring proactor: its operations, batching, and
 * cancellation that never lets the kernel write into freed memory.
 *
 * The operations are called the way io.c calls them, through the
 * backend's table (loop->backend->recv ...), and through the public
 * aw_recv/aw_send/aw_accept where that reads better. The counters of
 * aw__uring_stats show how many io_uring_enter calls a workload made.
 *
 * The whole suite needs io_uring: where it cannot run, the binary says
 * why and exits 77 (skipped), never passes silently.
 */
// lib-test-backends: io_uring
#include "runner.h"

#include "internal.h"
#include "stream_internal.h" /* a reader's buffer, for the stream tests */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------- */

static aw_loop *uring_loop(void)
{
    aw_loop_options options = {.backend = AW_BACKEND_IO_URING};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with(io_uring): %s",
                  aw_last_error());
    ck_assert_str_eq(aw_loop_backend_name(loop), "io_uring");
    return loop;
}

static aw_uring_stats stats_of(aw_loop *loop)
{
    aw_uring_stats st;
    ck_assert_int_eq(aw__uring_stats(loop, &st), 0);
    return st;
}

static void socket_pair(int sv[2])
{
    ck_assert_int_eq(
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv),
        0);
}

static void close_pair(int sv[2])
{
    close(sv[0]);
    close(sv[1]);
}

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void run_task(aw_loop *loop, aw_task *t)
{
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    ck_assert_msg(rc == 0, "task '%s' failed: %s", aw_task_name(t),
                  aw_last_error());
}

static void cancel_task(void *arg)
{
    aw_task_cancel(arg);
}

/* A receive through the backend's table, its outcome kept. */
typedef struct {
    int fd;
    char *buf;
    size_t len;
    ssize_t rc;
} recv_job;

static void *do_recv(void *arg)
{
    recv_job *j = arg;
    aw_loop *loop = aw_running_loop();
    j->rc = loop->backend->recv(loop, j->fd, j->buf, j->len);
    /* A task that was cancelled says so, as asyncio's CancelledError. */
    return j->rc == AW_ECANCELLED ? aw_raise(AW_ECANCELLED, NULL) : NULL;
}

/* ---- the operations ------------------------------------------------------ */

static void *send_then_recv(void *arg)
{
    int *sv = arg;
    aw_loop *loop = aw_running_loop();
    ck_assert_int_eq(loop->backend->send(loop, sv[0], "hello", 5), 5);
    char buf[16] = {0};
    ck_assert_int_eq(loop->backend->recv(loop, sv[1], buf, sizeof buf), 5);
    ck_assert_str_eq(buf, "hello");
    /* And through the public calls, which use the same operations. */
    ck_assert_int_eq(aw_send(sv[1], "world", 5), 5);
    memset(buf, 0, sizeof buf);
    ck_assert_int_eq(aw_recv(sv[0], buf, sizeof buf), 5);
    ck_assert_str_eq(buf, "world");
    return NULL;
}

START_TEST(send_and_recv_move_bytes)
{
    aw_loop *loop = uring_loop();
    int sv[2];
    socket_pair(sv);
    aw_task *t = aw_task_create(loop, send_then_recv, sv, "pair");
    run_task(loop, t);
    aw_uring_stats st = stats_of(loop);
    ck_assert_uint_eq(st.ops, 4);
    ck_assert_int_eq(loop->inflight_ops, 0);
    aw_task_release(t);
    close_pair(sv);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(operations_need_a_task)
{
    aw_loop *loop = uring_loop();
    int sv[2];
    socket_pair(sv);
    char c;
    ck_assert_int_eq(loop->backend->recv(loop, sv[0], &c, 1), AW_EMISUSE);
    ck_assert_int_eq(loop->backend->send(loop, sv[0], "x", 1), AW_EMISUSE);
    ck_assert_int_eq(loop->backend->accept(loop, sv[0]), AW_EMISUSE);
    ck_assert_msg(strstr(aw_last_error(), "outside a task"), "message: %s",
                  aw_last_error());
    close_pair(sv);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(stats_belong_to_io_uring_loops)
{
    aw_loop_options options = {.backend = AW_BACKEND_EPOLL};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_ptr_nonnull(loop);
    aw_uring_stats st;
    ck_assert_int_eq(aw__uring_stats(loop, &st), AW_EMISUSE);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A receive bigger than one provided buffer comes back in pieces, and
 * every byte arrives, in order. */
static void *stream_big(void *arg)
{
    int *sv = arg;
    enum { TOTAL = 300 * 1000 };
    char *out = malloc(TOTAL);
    for (int i = 0; i < TOTAL; i++)
        out[i] = (char)(i * 7 + i / 251);
    ck_assert_int_eq(aw_send(sv[0], out, TOTAL), TOTAL);
    return out; /* the test compares it with what the reader got */
}

static void *drain_big(void *arg)
{
    int *sv = arg;
    enum { TOTAL = 300 * 1000 };
    char *in = malloc(TOTAL);
    size_t got = 0;
    while (got < TOTAL) {
        ssize_t n = aw_recv(sv[1], in + got, TOTAL - got);
        ck_assert_msg(n > 0, "recv: %zd (%s)", n, aw_last_error());
        got += (size_t)n;
    }
    return in;
}

START_TEST(big_transfers_arrive_whole_and_in_order)
{
    aw_loop *loop = uring_loop();
    int sv[2];
    socket_pair(sv);
    aw_task *w = aw_task_create(loop, stream_big, sv, "writer");
    aw_task *r = aw_task_create(loop, drain_big, sv, "reader");
    run_task(loop, w);
    run_task(loop, r);
    char *out = aw_task_result(w), *in = aw_task_result(r);
    ck_assert_int_eq(memcmp(out, in, 300 * 1000), 0);
    free(out);
    free(in);
    aw_task_release(w);
    aw_task_release(r);
    close_pair(sv);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void *connect_to_closed_port(void *arg)
{
    int port = *(int *)arg;
    return (void *)(intptr_t)aw_connect_tcp("127.0.0.1", port);
}

START_TEST(connect_reports_refusal)
{
    aw_loop *loop = uring_loop();
    int lfd = aw_socket_listen("127.0.0.1", 0, 0);
    ck_assert_int_ge(lfd, 0);
    int port = aw_socket_port(lfd);
    close(lfd); /* nobody listens there now */
    aw_task *t = aw_task_create(loop, connect_to_closed_port, &port, "c");
    run_task(loop, t);
    ck_assert_int_eq((int)(intptr_t)aw_task_result(t), -ECONNREFUSED);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* ---- batching ------------------------------------------------------------ */

enum { BATCH = 50 };

/* Fifty receives, each on its own socket, all with data waiting: the
 * tasks queue fifty SQEs in one pass, and one io_uring_enter submits
 * them all and finds them complete. A selector would make fifty recv
 * system calls (plus its poll). */
START_TEST(one_enter_serves_many_operations)
{
    aw_loop *loop = uring_loop();
    int sv[BATCH][2];
    recv_job jobs[BATCH];
    char bufs[BATCH][8];
    aw_future *fs[BATCH];
    aw_task *ts[BATCH];
    for (int i = 0; i < BATCH; i++) {
        socket_pair(sv[i]);
        ck_assert_int_eq(write(sv[i][1], "ping", 4), 4);
        jobs[i] = (recv_job){.fd = sv[i][0], .buf = bufs[i], .len = 8};
        ts[i] = aw_task_create(loop, do_recv, &jobs[i], NULL);
        fs[i] = aw_task_future(ts[i]);
    }
    aw_future *all = aw_gather(loop, fs, BATCH);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), 0);
    aw_uring_stats st = stats_of(loop);
    for (int i = 0; i < BATCH; i++) {
        ck_assert_int_eq(jobs[i].rc, 4);
        ck_assert_int_eq(memcmp(bufs[i], "ping", 4), 0);
    }
    ck_assert_uint_eq(st.ops, BATCH);
    ck_assert_uint_eq(st.submitted, BATCH);
    ck_assert_msg(st.enters <= 2, "%llu io_uring_enter calls for %d receives",
                  (unsigned long long)st.enters, BATCH);
    aw_future_release(all);
    for (int i = 0; i < BATCH; i++) {
        aw_task_release(ts[i]);
        close_pair(sv[i]);
    }
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* More receives complete at once than there are provided buffers (2048)
 * and than the completion queue holds (2048): those the kernel finds no
 * buffer for (ENOBUFS) are retried with a buffer of their own, and still
 * get their bytes. 2500 one-byte receives on one socket, with 2500 bytes
 * waiting. */
START_TEST(running_out_of_provided_buffers_is_survived)
{
    enum { N = 2500 };
    aw_loop *loop = uring_loop();
    ck_assert_msg(stats_of(loop).buffer_ring,
                  "no provided-buffer ring on this kernel");
    int sv[2];
    socket_pair(sv);
    char *out = malloc(N);
    memset(out, 'x', N);
    ck_assert_int_eq(write(sv[1], out, N), N);
    recv_job *jobs = calloc(N, sizeof *jobs);
    char *bufs = calloc(N, 1);
    aw_future **fs = malloc(N * sizeof *fs);
    for (int i = 0; i < N; i++) {
        jobs[i] = (recv_job){.fd = sv[0], .buf = bufs + i, .len = 1};
        fs[i] = aw_task_future(aw_task_create(loop, do_recv, &jobs[i], NULL));
    }
    aw_future *all = aw_gather(loop, fs, N);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), 0);
    ck_assert_msg(stats_of(loop).no_buffer > 0,
                  "%d receives at once never ran out of provided buffers: "
                  "the fallback went untested",
                  N);
    for (int i = 0; i < N; i++) {
        ck_assert_msg(jobs[i].rc == 1, "receive %d returned %zd", i,
                      jobs[i].rc);
        ck_assert_msg(bufs[i] == 'x', "receive %d got '%c'", i, bufs[i]);
        aw_future_release(fs[i]);
    }
    aw_future_release(all);
    free(out);
    free(jobs);
    free(bufs);
    free(fs);
    close_pair(sv);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* ---- cancellation -------------------------------------------------------- */

/* The heart of it: a receive is cancelled while the kernel holds it. The
 * task's buffer is never written, then or later, even though data comes
 * afterwards; and the data is not lost: the next receive gets it. */
START_TEST(cancel_mid_recv_never_touches_the_buffer)
{
    aw_loop *loop = uring_loop();
    int sv[2];
    socket_pair(sv);
    char *buf = malloc(64);
    memset(buf, 'x', 64);
    recv_job job = {.fd = sv[0], .buf = buf, .len = 64};
    aw_task *t = aw_task_create(loop, do_recv, &job, "victim");
    aw_call_later(loop, 0.02, cancel_task, t);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)),
                     AW_ECANCELLED);
    ck_assert_int_eq(job.rc, AW_ECANCELLED);
    ck_assert_uint_eq(stats_of(loop).cancels, 1);

    ck_assert_int_eq(write(sv[1], "late", 4), 4);
    char fresh[8] = {0};
    recv_job next = {.fd = sv[0], .buf = fresh, .len = sizeof fresh};
    aw_task *t2 = aw_task_create(loop, do_recv, &next, "next");
    run_task(loop, t2);
    ck_assert_int_eq(next.rc, 4);
    ck_assert_str_eq(fresh, "late");
    for (int i = 0; i < 64; i++)
        ck_assert_msg(buf[i] == 'x', "byte %d of the cancelled buffer changed",
                      i);
    free(buf);
    ck_assert_int_eq(loop->inflight_ops, 0);
    aw_task_release(t);
    aw_task_release(t2);
    close_pair(sv);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Cancel `task` as soon as the future it waits on is done, before the
 * task has woken up: the race between a completion and a cancellation. */
typedef struct {
    aw_loop *loop;
    aw_task *task;
    bool fired;
} race;

static void cancel_when_completed(void *arg)
{
    race *r = arg;
    aw_future *f = aw_task_awaiting(r->task);
    if (f && aw_future_done(f)) {
        aw_task_cancel(r->task);
        r->fired = true;
        return;
    }
    if (aw_task_state_of(r->task) == AW_TASK_PENDING)
        aw_call_soon(r->loop, cancel_when_completed, r);
}

START_TEST(bytes_that_race_a_cancel_are_kept_for_the_next_recv)
{
    aw_loop *loop = uring_loop();
    int sv[2];
    socket_pair(sv);
    ck_assert_int_eq(write(sv[1], "abc", 3), 3);
    char first[8] = {0};
    recv_job job = {.fd = sv[0], .buf = first, .len = sizeof first};
    aw_task *t = aw_task_create(loop, do_recv, &job, "loser");
    race r = {loop, t, false};
    aw_call_soon(loop, cancel_when_completed, &r);
    aw_loop_run_until_complete(loop, aw_task_future(t));
    ck_assert_msg(r.fired, "the receive never completed");
    ck_assert_int_eq(job.rc, AW_ECANCELLED);
    ck_assert_str_eq(first, ""); /* the cancelled task got nothing */

    uint64_t ops_before = stats_of(loop).ops;
    char second[8] = {0};
    recv_job next = {.fd = sv[0], .buf = second, .len = sizeof second};
    aw_task *t2 = aw_task_create(loop, do_recv, &next, "winner");
    run_task(loop, t2);
    ck_assert_int_eq(next.rc, 3);
    ck_assert_str_eq(second, "abc");
    ck_assert_uint_eq(stats_of(loop).ops, ops_before); /* from the stash */
    aw_task_release(t);
    aw_task_release(t2);
    close_pair(sv);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void *accept_one(void *arg)
{
    int lfd = *(int *)arg;
    int fd = aw_accept(lfd);
    return fd == AW_ECANCELLED ? aw_raise(fd, NULL) : (void *)(intptr_t)fd;
}

static void *connect_to(void *arg)
{
    int port = *(int *)arg;
    int fd = aw_connect_tcp("127.0.0.1", port);
    ck_assert_msg(fd >= 0, "connect: %s", aw_last_error());
    return (void *)(intptr_t)fd;
}

/* A connection accepted for a task that was cancelled at that moment
 * waits for the next accept: it is neither lost nor leaked. */
START_TEST(a_connection_that_races_a_cancel_goes_to_the_next_accept)
{
    aw_loop *loop = uring_loop();
    int lfd = aw_socket_listen("127.0.0.1", 0, 0);
    ck_assert_int_ge(lfd, 0);
    int port = aw_socket_port(lfd);
    aw_task *a = aw_task_create(loop, accept_one, &lfd, "acceptor");
    race r = {loop, a, false};
    aw_call_soon(loop, cancel_when_completed, &r);
    aw_task *c = aw_task_create(loop, connect_to, &port, "client");
    aw_loop_run_until_complete(loop, aw_task_future(a));
    ck_assert(r.fired);
    ck_assert_int_eq(aw_task_state_of(a), AW_TASK_CANCELLED);
    run_task(loop, c);

    aw_task *b = aw_task_create(loop, accept_one, &lfd, "second");
    run_task(loop, b);
    int fd = (int)(intptr_t)aw_task_result(b);
    ck_assert_msg(fd >= 0, "accept: %d", fd);
    close(fd);
    close((int)(intptr_t)aw_task_result(c));
    aw_task_release(a);
    aw_task_release(b);
    aw_task_release(c);
    close(lfd);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A cancelled accept leaves the listener usable. */
START_TEST(cancel_an_accept_then_accept_again)
{
    aw_loop *loop = uring_loop();
    int lfd = aw_socket_listen("127.0.0.1", 0, 0);
    int port = aw_socket_port(lfd);
    aw_task *a = aw_task_create(loop, accept_one, &lfd, "waiting");
    aw_call_later(loop, 0.02, cancel_task, a);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(a)),
                     AW_ECANCELLED);
    ck_assert_int_eq(loop->inflight_ops, 0);
    aw_task *b = aw_task_create(loop, accept_one, &lfd, "again");
    aw_task *c = aw_task_create(loop, connect_to, &port, "client");
    run_task(loop, b);
    run_task(loop, c);
    int fd = (int)(intptr_t)aw_task_result(b);
    ck_assert_int_ge(fd, 0);
    close(fd);
    close((int)(intptr_t)aw_task_result(c));
    aw_task_release(a);
    aw_task_release(b);
    aw_task_release(c);
    close(lfd);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* aw_close in a task cancels what is in flight on the descriptor: the
 * task receiving on it wakes with an error instead of waiting forever. */
static void *close_it(void *arg)
{
    aw_loop *loop = aw_running_loop();
    return (void *)(intptr_t)aw_close(loop, *(int *)arg);
}

START_TEST(closing_a_descriptor_ends_its_operations)
{
    aw_loop *loop = uring_loop();
    int sv[2];
    socket_pair(sv);
    char buf[8];
    recv_job job = {.fd = sv[0], .buf = buf, .len = sizeof buf};
    aw_task *r = aw_task_create(loop, do_recv, &job, "reader");
    aw_task *c = aw_task_create(loop, close_it, &sv[0], "closer");
    run_task(loop, c);
    run_task(loop, r);
    ck_assert_int_eq((int)(intptr_t)aw_task_result(c), 0);
    ck_assert_int_eq(job.rc, -EBADF);
    ck_assert_msg(strstr(aw_last_error(), "closed while"), "message: %s",
                  aw_last_error());
    aw_task_release(r);
    aw_task_release(c);
    close(sv[1]);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Closing the loop while cancelled operations are still on their way
 * back from the kernel: the loop waits for them, frees every record,
 * and leaves no descriptor open (ASan's leak check and the count of
 * open descriptors both watch). */
START_TEST(closing_the_loop_waits_for_the_kernel)
{
    int fds_before = open_fds();
    aw_loop *loop = uring_loop();
    int sv[2];
    socket_pair(sv);
    int lfd = aw_socket_listen("127.0.0.1", 0, 0);
    int port = aw_socket_port(lfd);
    char buf[8];
    recv_job job = {.fd = sv[0], .buf = buf, .len = sizeof buf};
    aw_task *r = aw_task_create(loop, do_recv, &job, "reader");
    aw_task *a = aw_task_create(loop, accept_one, &lfd, "acceptor");
    /* Two connections for one accept: the armed accept keeps the second
     * for an accept that never comes. */
    aw_task *c1 = aw_task_create(loop, connect_to, &port, "client 1");
    aw_task *c2 = aw_task_create(loop, connect_to, &port, "client 2");
    run_task(loop, a);
    run_task(loop, c1);
    run_task(loop, c2);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0); /* cancels the reader */
    ck_assert_int_eq(job.rc, AW_ECANCELLED);
    close((int)(intptr_t)aw_task_result(a));
    close((int)(intptr_t)aw_task_result(c1));
    close((int)(intptr_t)aw_task_result(c2));
    aw_task_release(r);
    aw_task_release(a);
    aw_task_release(c1);
    aw_task_release(c2);
    close_pair(sv);
    close(lfd);
    ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/* ---- accept -------------------------------------------------------------- */

enum { CLIENTS = 8 };

/* Connections that wait in the backlog are taken by one multishot
 * accept: eight accepts cost at most two io_uring_enter calls. */
START_TEST(multishot_accept_takes_the_backlog_at_once)
{
    aw_loop *loop = uring_loop();
    int lfd = aw_socket_listen("127.0.0.1", 0, 0);
    int port = aw_socket_port(lfd);
    aw_future *fs[CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        fs[i] = aw_task_future(aw_task_create(loop, connect_to, &port, NULL));
    aw_future *all = aw_gather(loop, fs, CLIENTS);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), 0);
    aw_future_release(all);

    aw_uring_stats before = stats_of(loop);
    int accepted[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        aw_task *t = aw_task_create(loop, accept_one, &lfd, NULL);
        run_task(loop, t);
        accepted[i] = (int)(intptr_t)aw_task_result(t);
        ck_assert_int_ge(accepted[i], 0);
        aw_task_release(t);
    }
    aw_uring_stats after = stats_of(loop);
    if (after.multishot_accept)
        ck_assert_msg(
            after.enters - before.enters <= 2, "%llu enters for %d accepts",
            (unsigned long long)(after.enters - before.enters), CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
        close(accepted[i]);
        close((int)(intptr_t)aw_future_result(fs[i]));
        aw_future_release(fs[i]);
    }
    close(lfd);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* ---- many connections, echoing ------------------------------------------- */

enum { CONNS = 64, ROUNDS = 20, MSG = 32 };

typedef struct {
    int lfd;
    int served;
} echo_server;

static void *echo_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[MSG];
    for (;;) {
        ssize_t n = aw_recv(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        ck_assert_int_eq(aw_send(fd, buf, (size_t)n), n);
    }
    aw_close(NULL, fd);
    return NULL;
}

static void *echo_accept(void *arg)
{
    echo_server *s = arg;
    aw_loop *loop = aw_running_loop();
    for (int i = 0; i < CONNS; i++) {
        int fd = aw_accept(s->lfd);
        ck_assert_msg(fd >= 0, "accept: %s", aw_last_error());
        aw_task_release(
            aw_task_create(loop, echo_conn, (void *)(intptr_t)fd, NULL));
        s->served++;
    }
    return NULL;
}

static void *echo_client(void *arg)
{
    int port = *(int *)arg;
    int fd = aw_connect_tcp("127.0.0.1", port);
    ck_assert_msg(fd >= 0, "connect: %s", aw_last_error());
    char out[MSG], in[MSG];
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < MSG; i++)
            out[i] = (char)(fd * 31 + r * 7 + i);
        ck_assert_int_eq(aw_send(fd, out, MSG), MSG);
        size_t got = 0;
        while (got < MSG) {
            ssize_t n = aw_recv(fd, in + got, MSG - got);
            ck_assert_msg(n > 0, "recv: %zd %s", n, aw_last_error());
            got += (size_t)n;
        }
        ck_assert_int_eq(memcmp(in, out, MSG), 0);
    }
    aw_close(NULL, fd);
    return NULL;
}

/* 64 clients and 64 handlers in one loop, 20 round trips each. With so
 * many operations in each pass, the enters are far fewer than the round
 * trips (each round trip is four operations: two sends, two receives). */
START_TEST(many_connections_batch_their_operations)
{
    aw_loop *loop = uring_loop();
    echo_server srv = {.lfd = aw_socket_listen("127.0.0.1", 0, 0)};
    int port = aw_socket_port(srv.lfd);
    aw_task *acc = aw_task_create(loop, echo_accept, &srv, "accept");
    aw_future *fs[CONNS];
    for (int i = 0; i < CONNS; i++)
        fs[i] = aw_task_future(aw_task_create(loop, echo_client, &port, NULL));
    aw_future *all = aw_gather(loop, fs, CONNS);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), 0);
    run_task(loop, acc);
    ck_assert_int_eq(srv.served, CONNS);
    aw_uring_stats st = stats_of(loop);
    unsigned long long trips = CONNS * ROUNDS;
    ck_assert_msg(st.enters < trips / 2,
                  "%llu enters for %llu round trips: no batching",
                  (unsigned long long)st.enters, trips);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0); /* the handlers */
    aw_future_release(all);
    for (int i = 0; i < CONNS; i++)
        aw_future_release(fs[i]);
    aw_task_release(acc);
    close(srv.lfd);
}
END_TEST

/* ---- readiness on the proactor ------------------------------------------- */

typedef struct {
    aw_loop *loop;
    int fd;
    int calls;
} byte_reader;

/* Reads one byte per call: with three bytes waiting, a level-triggered
 * watch must call it three times. */
static void read_one_byte(void *arg)
{
    byte_reader *b = arg;
    char c;
    ck_assert_int_eq(read(b->fd, &c, 1), 1);
    if (++b->calls == 3) {
        aw_remove_reader(b->loop, b->fd);
        aw_loop_stop(b->loop);
    }
}

START_TEST(readers_work_and_are_level_triggered)
{
    aw_loop *loop = uring_loop();
    int sv[2];
    socket_pair(sv);
    ck_assert_int_eq(write(sv[1], "abc", 3), 3);
    byte_reader b = {loop, sv[0], 0};
    ck_assert_int_eq(aw_add_reader(loop, sv[0], read_one_byte, &b), 0);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_int_eq(b.calls, 3);
    close_pair(sv);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

START_TEST(writers_work_and_watches_can_change)
{
    aw_loop *loop = uring_loop();
    int sv[2];
    socket_pair(sv);
    /* Writable at once; then switch the same descriptor to reading. */
    ck_assert_int_eq(aw_add_writer(loop, sv[0], stop_loop, loop), 0);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_int_eq(aw_remove_writer(loop, sv[0]), 0);
    ck_assert_int_eq(aw_add_reader(loop, sv[0], stop_loop, loop), 0);
    ck_assert_int_eq(write(sv[1], "x", 1), 1);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_int_eq(aw_remove_reader(loop, sv[0]), 0);
    close_pair(sv);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* ---- a stream's standing receive ------------------------------------------
 */

enum { PINGS = 100 };

typedef struct {
    aw_reader *r;
    aw_writer *w;
    int peer; /* the other end, written with write(2) */
} stream_end;

static void *read_pings(void *arg)
{
    stream_end *e = arg;
    for (int i = 0; i < PINGS; i++) {
        TASK_ASSERT(write(e->peer, "ping", 4) == 4, "write to the peer failed");
        char buf[4];
        TASK_ASSERT(aw_reader_readexactly(e->r, buf, 4, NULL) == 0 &&
                        memcmp(buf, "ping", 4) == 0,
                    "ping %d: %s", i, aw_last_error());
    }
    return NULL;
}

/* A hundred reads on a stream, each waiting for its data: one receive
 * SQE each, of at most what the read can use, and none while nobody
 * reads (test_stream.c checks what that bounds). */
START_TEST(stream_reads_receive_one_at_a_time)
{
    aw_loop *loop = uring_loop();
    int sv[2];
    socket_pair(sv);
    stream_end e = {.peer = sv[1]};
    ck_assert_int_eq(aw_stream_open(loop, sv[0], NULL, &e.r, &e.w), 0);
    aw_uring_stats before = stats_of(loop);
    aw_task *t = aw_task_create(loop, read_pings, &e, "reader");
    run_task(loop, t);
    aw_uring_stats after = stats_of(loop);
    /* The task writes with write(2): every SQE is a receive. */
    unsigned long long sqes = after.submitted - before.submitted;
    ck_assert_msg(sqes == PINGS, "%llu receive SQEs for %d stream reads", sqes,
                  PINGS);
    ck_assert_msg(aw_reader_buffered(e.r) == 0, "%zu bytes left",
                  aw_reader_buffered(e.r));
    aw_task_release(t);
    aw_reader_free(e.r);
    aw_writer_free(e.w);
    close(sv[1]);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    char why[300];
    if (aw_backend_available(AW_BACKEND_IO_URING, why, sizeof why) != 0) {
        printf("skipped: io_uring unavailable (%s)\n", why);
        exit(77);
    }
    Suite *s = suite_create("uring");
    TCase *ops = tcase_create("operations");
    tcase_set_timeout(ops, 20);
    tcase_add_test(ops, send_and_recv_move_bytes);
    tcase_add_test(ops, operations_need_a_task);
    tcase_add_test(ops, stats_belong_to_io_uring_loops);
    tcase_add_test(ops, big_transfers_arrive_whole_and_in_order);
    tcase_add_test(ops, connect_reports_refusal);
    tcase_add_test(ops, multishot_accept_takes_the_backlog_at_once);
    suite_add_tcase(s, ops);

    TCase *batch = tcase_create("batching");
    tcase_set_timeout(batch, 30);
    tcase_add_test(batch, one_enter_serves_many_operations);
    tcase_add_test(batch, running_out_of_provided_buffers_is_survived);
    tcase_add_test(batch, many_connections_batch_their_operations);
    suite_add_tcase(s, batch);

    TCase *cancel = tcase_create("cancellation");
    tcase_set_timeout(cancel, 20);
    tcase_add_test(cancel, cancel_mid_recv_never_touches_the_buffer);
    tcase_add_test(cancel, bytes_that_race_a_cancel_are_kept_for_the_next_recv);
    tcase_add_test(cancel,
                   a_connection_that_races_a_cancel_goes_to_the_next_accept);
    tcase_add_test(cancel, cancel_an_accept_then_accept_again);
    tcase_add_test(cancel, closing_a_descriptor_ends_its_operations);
    tcase_add_test(cancel, closing_the_loop_waits_for_the_kernel);
    suite_add_tcase(s, cancel);

    TCase *streams = tcase_create("streams");
    tcase_set_timeout(streams, 20);
    tcase_add_test(streams, stream_reads_receive_one_at_a_time);
    suite_add_tcase(s, streams);

    TCase *ready = tcase_create("readiness");
    tcase_set_timeout(ready, 20);
    tcase_add_test(ready, readers_work_and_are_level_triggered);
    tcase_add_test(ready, writers_work_and_watches_can_change);
    suite_add_tcase(s, ready);
    return s;
}
