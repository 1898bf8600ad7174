/*
 * Grader for 08-proactor/batch_recv: n receives in one batch, results
 * matched to their sockets by user_data, and at most two calls into the
 * kernel. Socket pairs stand in for network connections.
 */
// grade-exports: batch_recv
// grade-needs: io_uring
// grade-sources: tests/08-proactor/uring_count.c
// grade-ldflags: -Wl,--wrap=io_uring_submit,--wrap=io_uring_submit_and_wait
// grade-ldflags: -Wl,--wrap=io_uring_submit_and_wait_timeout
// grade-ldflags: -Wl,--wrap=io_uring_submit_and_get_events
// grade-ldflags: -Wl,--wrap=io_uring_get_events,--wrap=io_uring_wait_cqes
// grade-ldflags: -Wl,--wrap=io_uring_wait_cqe_timeout
// grade-ldflags: -Wl,--wrap=__io_uring_get_cqe,--wrap=io_uring_enter
// grade-ldflags: -Wl,--wrap=io_uring_enter2
#include "check_main.h"
#include "uring_count.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int batch_recv(struct io_uring *ring, const int *fds, char *const *bufs,
               size_t len, int n, ssize_t *results);

enum { MAXN = 8, LEN = 32 };

typedef struct {
    int n;
    int pairs[MAXN][2];
    int fds[MAXN]; /* the ends batch_recv reads */
    char storage[MAXN][LEN];
    char *bufs[MAXN];
    ssize_t results[MAXN];
} batch;

static void batch_init(batch *b, int n)
{
    memset(b, 0, sizeof *b);
    b->n = n;
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, b->pairs[i]), 0);
        b->fds[i] = b->pairs[i][0];
        b->bufs[i] = b->storage[i];
        b->results[i] = 12345; /* "not written" */
    }
}

static void batch_close(batch *b)
{
    for (int i = 0; i < b->n; i++) {
        if (b->pairs[i][0] >= 0)
            close(b->pairs[i][0]);
        if (b->pairs[i][1] >= 0)
            close(b->pairs[i][1]);
    }
}

/* Message i: of its own length, so a result stored under the wrong tag
 * shows. */
static void message(int i, char *out)
{
    snprintf(out, LEN, "message %.*s", i + 1, "#########");
}

static void send_message(batch *b, int i)
{
    char msg[LEN];
    message(i, msg);
    ssize_t len = (ssize_t)strlen(msg);
    ck_assert_int_eq(write(b->pairs[i][1], msg, (size_t)len), len);
}

static void expect_message(batch *b, int i)
{
    char msg[LEN];
    message(i, msg);
    ssize_t len = (ssize_t)strlen(msg);
    ck_assert_msg(b->results[i] != 12345,
                  "results[%d] was never written: reap all n CQEs, and mark "
                  "each seen so the next one comes up",
                  i);
    ck_assert_msg(b->results[i] == len,
                  "results[%d] is %zd, but socket %d received \"%s\" (%zd "
                  "bytes): store each CQE's res under its user_data, not in "
                  "the order the CQEs come",
                  i, b->results[i], i, msg, len);
    ck_assert_msg(memcmp(b->bufs[i], msg, (size_t)len) == 0,
                  "bufs[%d] holds \"%.*s\", expected \"%s\"", i, (int)len,
                  b->bufs[i], msg);
}

START_TEST(every_socket_gets_its_own_result)
{
    struct io_uring ring;
    make_ring(&ring, 16);
    batch b;
    batch_init(&b, MAXN);
    for (int i = 0; i < MAXN; i++)
        send_message(&b, i);
    uring_count_start();
    int rc = batch_recv(&ring, b.fds, b.bufs, LEN, MAXN, b.results);
    unsigned calls = uring_count_stop();
    ck_assert_msg(rc == 0, "batch_recv returned %d, expected 0", rc);
    for (int i = 0; i < MAXN; i++)
        expect_message(&b, i);
    ck_assert_msg(calls >= 1, "no call entered the kernel: were the SQEs "
                              "submitted?");
    ck_assert_msg(calls <= 2,
                  "%u liburing calls entered the kernel for %d receives; "
                  "queue every SQE first, then submit them all and wait "
                  "for all n completions with one io_uring_submit_and_wait",
                  calls, MAXN);
    ck_assert_msg(io_uring_cq_ready(&ring) == 0,
                  "%u CQEs were left in the completion queue: mark each "
                  "one seen",
                  io_uring_cq_ready(&ring));
    batch_close(&b);
    io_uring_queue_exit(&ring);
}
END_TEST

/* Socket 0's data comes late (from another thread): its CQE is the last
 * one, although its SQE was the first. */
typedef struct {
    batch *b;
} late_job;

static void *send_late(void *arg)
{
    late_job *job = arg;
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    char msg[LEN];
    message(0, msg);
    if (write(job->b->pairs[0][1], msg, strlen(msg)) < 0)
        perror("write");
    return NULL;
}

START_TEST(completions_come_in_their_own_order)
{
    struct io_uring ring;
    make_ring(&ring, 16);
    batch b;
    batch_init(&b, 4);
    for (int i = 1; i < 4; i++)
        send_message(&b, i);
    late_job job = {&b};
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, send_late, &job), 0);
    uring_count_start();
    int rc = batch_recv(&ring, b.fds, b.bufs, LEN, 4, b.results);
    unsigned calls = uring_count_stop();
    pthread_join(thread, NULL);
    ck_assert_msg(rc == 0, "batch_recv returned %d, expected 0", rc);
    for (int i = 0; i < 4; i++)
        expect_message(&b, i);
    ck_assert_msg(calls <= 2,
                  "%u liburing calls entered the kernel for 4 receives: "
                  "one io_uring_submit_and_wait(ring, n) waits for all n",
                  calls);
    batch_close(&b);
    io_uring_queue_exit(&ring);
}
END_TEST

/* A result is whatever recv(2) would say: 0 at the end of the stream, a
 * negative errno for a descriptor that is not a socket. */
START_TEST(end_of_stream_and_errors_are_results_too)
{
    struct io_uring ring;
    make_ring(&ring, 16);
    batch b;
    batch_init(&b, 3);
    send_message(&b, 0);
    close(b.pairs[1][1]); /* socket 1: the peer has closed */
    b.pairs[1][1] = -1;
    int pipe_fds[2];
    ck_assert_int_eq(pipe(pipe_fds), 0);
    b.fds[2] = pipe_fds[0]; /* not a socket */
    int rc = batch_recv(&ring, b.fds, b.bufs, LEN, 3, b.results);
    ck_assert_msg(rc == 0, "batch_recv returned %d, expected 0", rc);
    expect_message(&b, 0);
    ck_assert_msg(b.results[1] == 0,
                  "results[1] is %zd; the peer had closed, so recv returns "
                  "0 (end of stream)",
                  b.results[1]);
    ck_assert_msg(b.results[2] == -ENOTSOCK,
                  "results[2] is %zd; a pipe is not a socket: the CQE's res "
                  "is -ENOTSOCK (%d), stored as it is",
                  b.results[2], -ENOTSOCK);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    batch_close(&b);
    io_uring_queue_exit(&ring);
}
END_TEST

START_TEST(a_batch_too_big_is_refused_whole)
{
    struct io_uring ring;
    make_ring(&ring, 4); /* room for 4 SQEs */
    batch b;
    batch_init(&b, 6);
    uring_count_start();
    int rc = batch_recv(&ring, b.fds, b.bufs, LEN, 6, b.results);
    unsigned calls = uring_count_stop();
    ck_assert_msg(rc == -EBUSY,
                  "batch_recv returned %d for 6 receives on a ring with room "
                  "for 4; expected -EBUSY (%d)",
                  rc, -EBUSY);
    ck_assert_msg(io_uring_sq_ready(&ring) == 0 && calls == 0,
                  "a refused batch must leave nothing behind: %u SQEs "
                  "queued, %u calls into the kernel",
                  io_uring_sq_ready(&ring), calls);
    batch_close(&b);
    io_uring_queue_exit(&ring);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("batch_recv");
    TCase *tc = tcase_create("batch_recv");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, every_socket_gets_its_own_result);
    tcase_add_test(tc, completions_come_in_their_own_order);
    tcase_add_test(tc, end_of_stream_and_errors_are_results_too);
    tcase_add_test(tc, a_batch_too_big_is_refused_whole);
    suite_add_tcase(s, tc);
    return s;
}
