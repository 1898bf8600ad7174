/*
 * Solution: a timeout, and cleaning up after a cancellation.
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
    (*j->open_connections)++;
    int rc = aw_sleep(j->work_time); /* a cancellation arrives here */
    (*j->open_connections)--;        /* on every path */
    if (rc != 0)
        return aw_raise(rc, aw_last_error()); /* stay cancelled */
    return (void *)(intptr_t)j->answer;
}

int fetch_or_default(job *j, double timeout, long fallback, long *answer)
{
    aw_task *t = aw_task_create(aw_running_loop(), worker, j, "worker");
    if (!t)
        return AW_EMISUSE; /* outside a loop, or out of memory */
    void *result = NULL;
    int rc = aw_wait_for(aw_task_future(t), timeout, &result);
    if (rc == 0)
        *answer = (long)(intptr_t)result;
    else if (rc == AW_ETIMEDOUT) {
        *answer = fallback;
        rc = 0;
    }
    aw_task_release(t);
    return rc;
}
