/*
 * Solution: many receives, one system call.
 */
#include <errno.h>
#include <liburing.h>
#include <sys/types.h>

int batch_recv(struct io_uring *ring, const int *fds, char *const *bufs,
               size_t len, int n, ssize_t *results)
{
    if (io_uring_sq_space_left(ring) < (unsigned)n)
        return -EBUSY;
    for (int i = 0; i < n; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
        io_uring_prep_recv(sqe, fds[i], bufs[i], len, 0);
        io_uring_sqe_set_data64(sqe, (__u64)i);
    }
    int rc = io_uring_submit_and_wait(ring, (unsigned)n);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        struct io_uring_cqe *cqe;
        rc = io_uring_wait_cqe(ring, &cqe); /* ready already: no call */
        if (rc < 0)
            return rc;
        results[io_uring_cqe_get_data64(cqe)] = cqe->res;
        io_uring_cqe_seen(ring, cqe);
    }
    return 0;
}
