/*
 * Exercise: a timeout, and cleaning up after a cancellation.
 *
 * A job asks a slow service for an answer. Write both sides:
 *
 * worker(job) is a task function. It opens a connection
 * ((*j->open_connections)++), works for j->work_time seconds of loop
 * time (aw_sleep), closes the connection ((*j->open_connections)--) and
 * returns j->answer, carried in the pointer: (void *)(intptr_t)answer.
 * It can be cancelled while it works: then aw_sleep returns
 * AW_ECANCELLED. The connection must be closed on that path too, and the
 * task must end cancelled, not done: return aw_raise(rc, ...), never a
 * normal result.
 *
 * fetch_or_default(j, timeout, fallback, &answer) is called from inside
 * a task. It starts a worker task for j and waits for it with
 * aw_wait_for, at most `timeout` seconds:
 *   - the worker finished in time: store its answer, return 0;
 *   - the time ran out (AW_ETIMEDOUT): store fallback, return 0.
 *     aw_wait_for has cancelled the worker and waited until it ended, so
 *     its connection is closed by the time you return;
 *   - any other error (the caller itself was cancelled, say): return
 *     it and leave *answer alone.
 * Release the worker task in every case.
 *
 * The type below is fixed: the grader uses it as it is.
 *
 * See chapter 2, section "Timeouts and cancellation".
 */
#include "aw.h"

#include <stdint.h>

typedef struct {
    double work_time;      /* how long the work takes (loop seconds) */
    long answer;           /* the worker's result when it finishes */
    int *open_connections; /* +1 while a worker holds a connection */
} job;

void *worker(void *arg)
{
    job *j = arg;
    (void)j;
    return NULL;
}

int fetch_or_default(job *j, double timeout, long fallback, long *answer)
{
    (void)j;
    (void)timeout;
    (void)fallback;
    (void)answer;
    return -1;
}
