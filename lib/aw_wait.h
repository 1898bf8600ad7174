/*
 * aw_wait.h - wait for some of many futures (asyncio.wait).
 *
 *   done, pending = await asyncio.wait(fs, timeout=t,
 *                                      return_when=FIRST_COMPLETED)
 *   rc = aw_wait(fs, n, AW_FIRST_COMPLETED, t, done);   done[i]: fs[i] is
 *
 * Returns 0 when the condition holds or the timeout (seconds; < 0 for
 * none) has passed: like asyncio, a timeout is not an error; look at
 * done[]. Nothing is cancelled. AW_ECANCELLED if the waiting task is
 * cancelled. FIRST_EXCEPTION ends at the first input that fails with an
 * error other than a cancellation, or when all are done.
 */
#ifndef AW_WAIT_H
#define AW_WAIT_H

typedef enum {
    AW_FIRST_COMPLETED,
    AW_FIRST_EXCEPTION,
    AW_ALL_COMPLETED
} aw_return_when;

int aw_wait(aw_future *const *futures, size_t n, aw_return_when when,
            double timeout, bool *done);

#endif
