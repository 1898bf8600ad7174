/*
 * Grader for 06-selectors/nonblocking_io: set_nonblocking, recv_some and
 * send_some on real TCP sockets over loopback.
 */
// grade-exports: recv_some send_some set_nonblocking
// grade-sources: tests/06-selectors/loopback.c
#include "check_main.h"
#include "loopback.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int set_nonblocking(int fd);
ssize_t recv_some(int fd, void *buf, size_t len);
ssize_t send_some(int fd, const void *buf, size_t len);

static unsigned char pattern_byte(size_t i)
{
    return (unsigned char)(i * 7 + i / 251);
}

START_TEST(set_nonblocking_keeps_other_flags)
{
    int fd = open("/dev/null", O_WRONLY | O_APPEND | O_CLOEXEC);
    ck_assert_msg(fd >= 0, "open /dev/null: %s", strerror(errno));
    int rc = set_nonblocking(fd);
    ck_assert_msg(rc == 0, "set_nonblocking returned %d, expected 0", rc);
    int flags = fcntl(fd, F_GETFL);
    ck_assert_msg(flags & O_NONBLOCK, "O_NONBLOCK is not set afterwards");
    ck_assert_msg(flags & O_APPEND,
                  "set_nonblocking cleared O_APPEND: F_SETFL replaces every "
                  "status flag, so read them with F_GETFL first");
    close(fd);
}
END_TEST

START_TEST(set_nonblocking_reports_errors)
{
    int rc = set_nonblocking(-1);
    ck_assert_msg(rc == -EBADF,
                  "set_nonblocking(-1) returned %d, expected -EBADF (%d): "
                  "return the negated errno",
                  rc, -EBADF);
}
END_TEST

START_TEST(recv_some_eagain_data_eof)
{
    int fds[2];
    loopback_pair(fds);
    set_nonblocking_or_die(fds[1]);
    char buf[16];
    ssize_t n = recv_some(fds[1], buf, sizeof buf);
    ck_assert_msg(n == -EAGAIN,
                  "recv_some on an empty non-blocking socket returned %zd, "
                  "expected -EAGAIN (%d)",
                  n, -EAGAIN);
    ck_assert(send_all_blocking(fds[0], "abc", 3));
    ck_assert(await_readable_blocking(fds[1]));
    n = recv_some(fds[1], buf, sizeof buf);
    ck_assert_msg(n == 3 && memcmp(buf, "abc", 3) == 0,
                  "after the peer sent \"abc\", recv_some returned %zd", n);
    n = recv_some(fds[1], buf, sizeof buf);
    ck_assert_msg(n == -EAGAIN,
                  "with nothing left, recv_some returned %zd, "
                  "expected -EAGAIN again",
                  n);
    shutdown(fds[0], SHUT_WR);
    ck_assert(await_readable_blocking(fds[1]));
    n = recv_some(fds[1], buf, sizeof buf);
    ck_assert_msg(n == 0,
                  "after the peer shut down its side, recv_some returned "
                  "%zd, expected 0 (EOF)",
                  n);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(recv_some_reports_reset)
{
    int fds[2];
    loopback_pair(fds);
    set_nonblocking_or_die(fds[1]);
    close_with_reset(fds[0]);
    ck_assert(await_readable_blocking(fds[1]));
    char buf[16];
    ssize_t n = recv_some(fds[1], buf, sizeof buf);
    ck_assert_msg(n == -ECONNRESET,
                  "after the peer reset the connection, recv_some returned "
                  "%zd, expected -ECONNRESET (%d)",
                  n, -ECONNRESET);
    close(fds[1]);
}
END_TEST

/* Push 8 MiB through a pair with small buffers, alternating send_some and
 * reading what arrived: the sender sees partial sends and full buffers
 * (0), and every byte must arrive once, in order. */
/* A signal that interrupts a blocking recv makes it fail with EINTR
 * (no SA_RESTART here): recv_some must try again, not report it. */
static void on_signal(int sig)
{
    (void)sig;
}

typedef struct {
    pthread_t reader;
    int fd;
} interrupter;

static void *interrupt_then_send(void *arg)
{
    interrupter *in = arg;
    usleep(100 * 1000); /* the reader is blocked in recv by now */
    pthread_kill(in->reader, SIGUSR1);
    usleep(100 * 1000);
    if (send(in->fd, "late", 4, MSG_NOSIGNAL) != 4)
        perror("send");
    return NULL;
}

START_TEST(recv_some_retries_after_a_signal)
{
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    int fds[2];
    loopback_pair(fds); /* blocking: recv waits, and a signal cuts it */
    interrupter in = {.reader = pthread_self(), .fd = fds[1]};
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, interrupt_then_send, &in),
                     0);
    char buf[8];
    ssize_t n = recv_some(fds[0], buf, sizeof buf);
    pthread_join(thread, NULL);
    ck_assert_msg(n == 4,
                  "recv_some returned %zd, expected the 4 bytes sent after "
                  "a signal interrupted its recv: on EINTR, call recv again",
                  n);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(send_some_partial_writes)
{
    enum { TOTAL = 8 << 20, SMALL_BUFFER = 64 << 10 };
    int fds[2];
    loopback_pair(fds);
    int small = SMALL_BUFFER;
    setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    set_nonblocking_or_die(fds[0]);
    set_nonblocking_or_die(fds[1]);

    unsigned char *data = malloc(TOTAL);
    unsigned char *got = malloc(TOTAL);
    for (size_t i = 0; i < TOTAL; i++)
        data[i] = pattern_byte(i);
    size_t sent = 0, received = 0;
    int partial = 0;
    while (received < TOTAL) {
        if (sent < TOTAL) {
            ssize_t n = send_some(fds[0], data + sent, TOTAL - sent);
            ck_assert_msg(n >= 0,
                          "send_some returned %zd while the receiver was "
                          "reading: a full buffer is not an error",
                          n);
            ck_assert_msg((size_t)n <= TOTAL - sent,
                          "send_some returned %zd, more than the %zu bytes "
                          "it was given",
                          n, TOTAL - sent);
            partial += (size_t)n < TOTAL - sent;
            sent += (size_t)n;
        }
        ssize_t r;
        while ((r = recv(fds[1], got + received, TOTAL - received, 0)) > 0)
            received += (size_t)r;
        ck_assert_msg(received <= sent, "received more than was sent");
        if (r == 0)
            break;
    }
    ck_assert_msg(sent == TOTAL && received == TOTAL,
                  "sent %zu and received %zu of %d bytes", sent, received,
                  TOTAL);
    ck_assert_msg(partial > 0, "send_some never sent less than asked with "
                               "a 64 KiB buffer: is the socket blocking?");
    /* Find the first wrong byte without an assertion per byte: each
     * ck_assert call records its position, which is slow 8 million times. */
    size_t wrong = 0;
    while (wrong < TOTAL && got[wrong] == data[wrong])
        wrong++;
    ck_assert_msg(wrong == TOTAL,
                  "byte %zu arrived wrong: partial sends must continue "
                  "where the last one stopped",
                  wrong);
    free(data);
    free(got);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(send_some_full_buffer_returns_zero)
{
    int fds[2];
    loopback_pair(fds);
    set_nonblocking_or_die(fds[0]);
    enum { CHUNK = 1 << 20 };
    char *chunk = calloc(1, CHUNK);
    ssize_t n = 1;
    size_t total = 0;
    /* Nobody reads: sooner or later the buffers are full. */
    for (int i = 0; i < 1000 && n > 0; i++) {
        n = send_some(fds[0], chunk, CHUNK);
        ck_assert_msg(n >= 0,
                      "send_some returned %zd into a full buffer, "
                      "expected 0",
                      n);
        total += (size_t)n;
    }
    ck_assert_msg(n == 0,
                  "send_some never returned 0 after %zu bytes: is "
                  "the socket blocking?",
                  total);
    free(chunk);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* SIGPIPE's default action kills the process: send_some must not let it. */
START_TEST(send_some_to_closed_peer_is_an_error)
{
    signal(SIGPIPE, SIG_DFL);
    int fds[2];
    loopback_pair(fds);
    set_nonblocking_or_die(fds[0]);
    close(fds[1]);
    ssize_t n = 0;
    /* The first send may still succeed: the peer answers it with a reset. */
    for (int i = 0; i < 200 && n >= 0; i++) {
        n = send_some(fds[0], "x", 1);
        if (n >= 0)
            usleep(10 * 1000);
    }
    ck_assert_msg(n == -EPIPE || n == -ECONNRESET,
                  "sending to a closed peer returned %zd, expected -EPIPE "
                  "(%d) or -ECONNRESET (%d)",
                  n, -EPIPE, -ECONNRESET);
    close(fds[0]);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("06-selectors/nonblocking_io");
    TCase *tc = tcase_create("nonblocking");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, set_nonblocking_keeps_other_flags);
    tcase_add_test(tc, set_nonblocking_reports_errors);
    tcase_add_test(tc, recv_some_eagain_data_eof);
    tcase_add_test(tc, recv_some_reports_reset);
    tcase_add_test(tc, recv_some_retries_after_a_signal);
    tcase_add_test(tc, send_some_partial_writes);
    tcase_add_test(tc, send_some_full_buffer_returns_zero);
    tcase_add_test(tc, send_some_to_closed_peer_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}
