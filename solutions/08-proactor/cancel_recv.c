/*
 * Solution: cancel, and wait until the kernel lets go of the buffer.
 */
#include <errno.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>

#define CANCEL_TAG 0xCA4CE1ULL /* user_data of the cancel request */

int cancel_recv(struct io_uring *ring, uint64_t target)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    if (!sqe)
        return -EBUSY;
    io_uring_prep_cancel64(sqe, target, 0);
    io_uring_sqe_set_data64(sqe, CANCEL_TAG);
    int rc = io_uring_submit(ring);
    if (rc < 0)
        return rc;

    bool cancel_seen = false, target_seen = false;
    int result = 0;
    while (!cancel_seen || !target_seen) {
        struct io_uring_cqe *cqe;
        rc = io_uring_wait_cqe(ring, &cqe);
        if (rc < 0)
            return rc;
        if (cqe->user_data == CANCEL_TAG) {
            cancel_seen = true;
        } else if (cqe->user_data == target) {
            target_seen = true;
            result = cqe->res; /* the only news about the buffer */
        }
        io_uring_cqe_seen(ring, cqe);
    }
    return result;
}
