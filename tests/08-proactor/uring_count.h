/*
 * uring_count.h - what the chapter 8 graders share.
 *
 * Counting system calls without strace: a grader's link wraps liburing's
 * functions that enter the kernel (-Wl,--wrap=..., see URING_WRAPS), and
 * the wrappers count the calls made while counting is on. The inline
 * helpers (io_uring_get_sqe, io_uring_prep_*, io_uring_wait_cqe when a
 * CQE is ready, io_uring_cqe_seen) never enter the kernel, so they are
 * not counted.
 *
 * A grader that uses these lists the wraps in its header:
 *   // grade-sources: tests/08-proactor/uring_count.c
 *   // grade-ldflags: -Wl,--wrap=io_uring_submit,... (the list in .c)
 */
#ifndef GRADE_URING_COUNT_H
#define GRADE_URING_COUNT_H

#include <liburing.h>
#include <stdbool.h>

/* Start counting calls that enter the kernel (from zero). */
void uring_count_start(void);
/* Stop, and return how many there were since uring_count_start. */
unsigned uring_count_stop(void);

/* Fail the running test, naming the cause, unless io_uring can run
 * here: these exercises need it, and must not pass without it. */
void require_io_uring(void);
/* A ring with `entries` SQEs and no special flags; aborts the test on
 * failure. */
void make_ring(struct io_uring *ring, unsigned entries);

#endif
