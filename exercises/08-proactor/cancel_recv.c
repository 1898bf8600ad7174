/*
 * Exercise: cancel, and wait until the kernel lets go of the buffer.
 *
 * Like the previous exercise, this one uses liburing directly.
 *
 * A receive is in flight: someone queued an IORING_OP_RECV into a buffer
 * of theirs, tagged it with user_data `target`, and submitted it. Then
 * they changed their mind. cancel_recv calls the receive off and says
 * what became of it:
 *
 *   1. Take an SQE and describe an IORING_OP_ASYNC_CANCEL of exactly that
 *      operation: io_uring_prep_cancel64(sqe, target, 0). Tag the cancel
 *      itself with CANCEL_TAG (io_uring_sqe_set_data64), and submit. If
 *      no SQE is free, return -EBUSY.
 *   2. Reap CQEs (marking each seen) until BOTH have arrived: the
 *      cancel's own CQE and the target's CQE. They may come in either
 *      order, and not necessarily in the same call.
 *   3. Return the target's result: -ECANCELED if the cancel caught it in
 *      time, or a byte count if its data won the race. The bytes are then
 *      in the buffer, and the caller must not lose them.
 *
 * Why wait for the target's own CQE? Until it arrives, the kernel may
 * still write into the receive's buffer, whatever the cancel's CQE says:
 * only then may the caller reuse or free that memory. The cancel's own
 * result is news about the cancel, never about the buffer: 0 (found it
 * and cancelled it), -ENOENT (found nothing: the receive had completed
 * already), -EALREADY (it was running: it will complete by itself).
 *
 * Other operations may be in flight on the same ring: cancel only the
 * target, and wait only for the two CQEs that are yours to reap.
 *
 * See chapter 8, section "Who owns a buffer while an operation is in
 * flight".
 */
#include <errno.h>
#include <liburing.h>
#include <stdint.h>

#define CANCEL_TAG 0xCA4CE1ULL /* user_data of the cancel request */

int cancel_recv(struct io_uring *ring, uint64_t target)
{
    (void)ring;
    (void)target;
    return 0;
}
