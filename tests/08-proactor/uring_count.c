/*
 * uring_count.c - count liburing's calls into the kernel (see the .h).
 */
#include "uring_count.h"

#include "check_main.h"

#include "aw.h"

#include <string.h>

static bool counting;
static unsigned calls;

void uring_count_start(void)
{
    calls = 0;
    counting = true;
}

unsigned uring_count_stop(void)
{
    counting = false;
    return calls;
}

static void count(bool enters)
{
    if (counting && enters)
        calls++;
}

/* The wrapped functions: __real_X is liburing's X. */
int __real_io_uring_submit(struct io_uring *ring);
int __real_io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr);
int __real_io_uring_submit_and_wait_timeout(struct io_uring *ring,
                                            struct io_uring_cqe **cqe_ptr,
                                            unsigned wait_nr,
                                            struct __kernel_timespec *ts,
                                            sigset_t *sigmask);
int __real_io_uring_submit_and_get_events(struct io_uring *ring);
int __real_io_uring_get_events(struct io_uring *ring);
int __real_io_uring_wait_cqes(struct io_uring *ring,
                              struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
                              struct __kernel_timespec *ts, sigset_t *sigmask);
int __real_io_uring_wait_cqe_timeout(struct io_uring *ring,
                                     struct io_uring_cqe **cqe_ptr,
                                     struct __kernel_timespec *ts);
int __real___io_uring_get_cqe(struct io_uring *ring,
                              struct io_uring_cqe **cqe_ptr, unsigned submit,
                              unsigned wait_nr, sigset_t *sigmask);
int __real_io_uring_enter(unsigned int fd, unsigned int to_submit,
                          unsigned int min_complete, unsigned int flags,
                          sigset_t *sig);
int __real_io_uring_enter2(unsigned int fd, unsigned int to_submit,
                           unsigned int min_complete, unsigned int flags,
                           sigset_t *sig, size_t sz);

int __wrap_io_uring_submit(struct io_uring *ring)
{
    count(io_uring_sq_ready(ring) > 0); /* with nothing queued: no call */
    return __real_io_uring_submit(ring);
}

int __wrap_io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr)
{
    count(true);
    return __real_io_uring_submit_and_wait(ring, wait_nr);
}

int __wrap_io_uring_submit_and_wait_timeout(struct io_uring *ring,
                                            struct io_uring_cqe **cqe_ptr,
                                            unsigned wait_nr,
                                            struct __kernel_timespec *ts,
                                            sigset_t *sigmask)
{
    count(true);
    return __real_io_uring_submit_and_wait_timeout(ring, cqe_ptr, wait_nr, ts,
                                                   sigmask);
}

int __wrap_io_uring_submit_and_get_events(struct io_uring *ring)
{
    count(true);
    return __real_io_uring_submit_and_get_events(ring);
}

int __wrap_io_uring_get_events(struct io_uring *ring)
{
    count(true);
    return __real_io_uring_get_events(ring);
}

int __wrap_io_uring_wait_cqes(struct io_uring *ring,
                              struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
                              struct __kernel_timespec *ts, sigset_t *sigmask)
{
    count(true);
    return __real_io_uring_wait_cqes(ring, cqe_ptr, wait_nr, ts, sigmask);
}

int __wrap_io_uring_wait_cqe_timeout(struct io_uring *ring,
                                     struct io_uring_cqe **cqe_ptr,
                                     struct __kernel_timespec *ts)
{
    count(true);
    return __real_io_uring_wait_cqe_timeout(ring, cqe_ptr, ts);
}

/* Behind io_uring_wait_cqe(_nr) and io_uring_peek_cqe when no CQE is
 * ready: it enters the kernel only to submit or to wait. */
int __wrap___io_uring_get_cqe(struct io_uring *ring,
                              struct io_uring_cqe **cqe_ptr, unsigned submit,
                              unsigned wait_nr, sigset_t *sigmask)
{
    count(submit > 0 || wait_nr > 0);
    return __real___io_uring_get_cqe(ring, cqe_ptr, submit, wait_nr, sigmask);
}

int __wrap_io_uring_enter(unsigned int fd, unsigned int to_submit,
                          unsigned int min_complete, unsigned int flags,
                          sigset_t *sig)
{
    count(true);
    return __real_io_uring_enter(fd, to_submit, min_complete, flags, sig);
}

int __wrap_io_uring_enter2(unsigned int fd, unsigned int to_submit,
                           unsigned int min_complete, unsigned int flags,
                           sigset_t *sig, size_t sz)
{
    count(true);
    return __real_io_uring_enter2(fd, to_submit, min_complete, flags, sig, sz);
}

void require_io_uring(void)
{
    char why[300];
    if (aw_backend_available(AW_BACKEND_IO_URING, why, sizeof why) != 0)
        ck_abort_msg("io_uring is unavailable here (%s): this exercise "
                     "needs it. See chapter 8, section \"When io_uring is "
                     "unavailable\".",
                     why);
}

void make_ring(struct io_uring *ring, unsigned entries)
{
    require_io_uring();
    int rc = io_uring_queue_init(entries, ring, 0);
    ck_assert_msg(rc == 0, "io_uring_queue_init: %s", strerror(-rc));
}
