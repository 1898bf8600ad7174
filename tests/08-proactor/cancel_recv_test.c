/*
 * Grader for 08-proactor/cancel_recv: a receive in flight is cancelled,
 * and cancel_recv returns only once the kernel has let go of its buffer,
 * with the receive's own result. Socket pairs stand in for connections.
 */
// grade-exports: cancel_recv
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
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int cancel_recv(struct io_uring *ring, uint64_t target);

#define CANCEL_TAG 0xCA4CE1ULL

enum { TARGET = 7, OTHER = 8 };

typedef struct {
    struct io_uring ring;
    int sv[2];       /* the target receives on sv[0] */
    int other_sv[2]; /* an unrelated receive waits on other_sv[0] */
    char buf[16];
    char other_buf[16];
} setup;

static void submit_recv(setup *t, int fd, char *buf, uint64_t tag)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&t->ring);
    ck_assert_ptr_nonnull(sqe);
    io_uring_prep_recv(sqe, fd, buf, 15, 0);
    io_uring_sqe_set_data64(sqe, tag);
    ck_assert_int_eq(io_uring_submit(&t->ring), 1);
}

static void start(setup *t)
{
    make_ring(&t->ring, 8);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, t->sv), 0);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, t->other_sv), 0);
    memset(t->buf, '.', sizeof t->buf);
    memset(t->other_buf, 0, sizeof t->other_buf);
}

static void finish(setup *t)
{
    close(t->sv[0]);
    close(t->sv[1]);
    close(t->other_sv[0]);
    close(t->other_sv[1]);
    io_uring_queue_exit(&t->ring);
}

/* After cancel_recv returns, no CQE of the target or of the cancel may
 * be left: the kernel is done with the buffer, and the call cleaned up. */
static void expect_nothing_left(setup *t)
{
    io_uring_get_events(&t->ring); /* anything still on its way */
    struct io_uring_cqe *cqe;
    if (io_uring_peek_cqe(&t->ring, &cqe) == 0)
        ck_abort_msg("a CQE was left in the ring after cancel_recv returned: "
                     "user_data %#llx, res %d. %s",
                     (unsigned long long)cqe->user_data, cqe->res,
                     cqe->user_data == TARGET
                         ? "It is the receive's own: you returned while the "
                           "kernel still owned its buffer. Wait for the "
                           "target's CQE, not just the cancel's."
                         : "Reap the cancel's CQE too.");
}

START_TEST(a_waiting_receive_is_cancelled)
{
    setup t;
    start(&t);
    submit_recv(&t, t.sv[0], t.buf, TARGET);
    int rc = cancel_recv(&t.ring, TARGET);
    ck_assert_msg(rc == -ECANCELED,
                  "cancel_recv returned %d; the receive was waiting for data "
                  "and the cancel caught it: its own CQE says -ECANCELED "
                  "(%d). (0 is the cancel's result, not the receive's.)",
                  rc, -ECANCELED);
    expect_nothing_left(&t);
    /* Data that comes now stays in the socket: the buffer is untouched. */
    ck_assert_int_eq(write(t.sv[1], "late", 4), 4);
    for (int i = 0; i < 16; i++)
        ck_assert_msg(t.buf[i] == '.', "the cancelled buffer was written");
    char got[8] = {0};
    ck_assert_int_eq(read(t.sv[0], got, sizeof got), 4);
    ck_assert_str_eq(got, "late");
    finish(&t);
}
END_TEST

START_TEST(data_that_came_first_is_not_lost)
{
    setup t;
    start(&t);
    submit_recv(&t, t.sv[0], t.buf, TARGET);
    ck_assert_int_eq(write(t.sv[1], "hello", 5), 5); /* before the cancel */
    int rc = cancel_recv(&t.ring, TARGET);
    ck_assert_msg(rc == 5,
                  "cancel_recv returned %d; the data arrived before the "
                  "cancel, so the receive completed with 5 bytes (and the "
                  "cancel found nothing: -ENOENT). Return the receive's "
                  "result.",
                  rc);
    ck_assert_msg(memcmp(t.buf, "hello", 5) == 0, "the buffer lost the data");
    expect_nothing_left(&t);
    finish(&t);
}
END_TEST

/* Another receive waits on the same ring: it is not cancelled, and its
 * CQE is not eaten. */
START_TEST(only_the_target_is_cancelled)
{
    setup t;
    start(&t);
    submit_recv(&t, t.other_sv[0], t.other_buf, OTHER);
    submit_recv(&t, t.sv[0], t.buf, TARGET);
    int rc = cancel_recv(&t.ring, TARGET);
    ck_assert_msg(rc == -ECANCELED, "cancel_recv returned %d, expected %d", rc,
                  -ECANCELED);
    expect_nothing_left(&t);
    ck_assert_int_eq(write(t.other_sv[1], "other", 5), 5);
    struct io_uring_cqe *cqe;
    ck_assert_int_eq(io_uring_wait_cqe(&t.ring, &cqe), 0);
    ck_assert_msg(cqe->user_data == OTHER && cqe->res == 5,
                  "the other receive should still have been waiting, and "
                  "complete now with its 5 bytes; got user_data %llu, res "
                  "%d: cancel exactly one operation, by its user_data",
                  (unsigned long long)cqe->user_data, cqe->res);
    io_uring_cqe_seen(&t.ring, cqe);
    ck_assert_str_eq(t.other_buf, "other");
    finish(&t);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("cancel_recv");
    TCase *tc = tcase_create("cancel_recv");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, a_waiting_receive_is_cancelled);
    tcase_add_test(tc, data_that_came_first_is_not_lost);
    tcase_add_test(tc, only_the_target_is_cancelled);
    suite_add_tcase(s, tc);
    return s;
}
