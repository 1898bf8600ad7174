/*
 * Reference solution: 11-system/lost_wakeup.
 *
 * The two fixes: the thread no longer completes the future itself (a
 * future belongs to its loop's thread) but hands a callback over with
 * aw_call_soon_threadsafe, which also wakes the loop; and the loop is
 * told, with aw_loop_threadsafe_open, that another thread will call in,
 * so it waits instead of reporting a deadlock. The channel is closed
 * again once the job's callback has run.
 */
#include "aw.h"

#include <pthread.h>

typedef struct {
    aw_loop *loop;
    aw_future *done;
    int (*job)(void *arg);
    void *arg;
    int result;
    bool handed_over; /* job_finished has run: h is no longer needed */
} handoff;

/* In the loop's thread, handed over by the worker. */
static void job_finished(void *p)
{
    handoff *h = p;
    h->handed_over = true;
    if (!aw_future_done(h->done)) /* not if the await was cancelled */
        aw_future_set_result(h->done, NULL);
}

static void *thread_main(void *p)
{
    handoff *h = p;
    h->result = h->job(h->arg);
    aw_call_soon_threadsafe(h->loop, job_finished, h);
    return NULL;
}

int run_in_thread(aw_loop *loop, int (*job)(void *arg), void *arg, int *result)
{
    handoff h = {
        .loop = loop, .done = aw_future_new(loop), .job = job, .arg = arg};
    if (!h.done)
        return -ENOMEM;
    int rc = aw_loop_threadsafe_open(loop);
    if (rc != 0) {
        aw_future_release(h.done);
        return rc;
    }
    pthread_t thread;
    rc = pthread_create(&thread, NULL, thread_main, &h);
    if (rc != 0) {
        aw_loop_threadsafe_close(loop);
        aw_future_release(h.done);
        return -rc;
    }
    rc = aw_await(h.done, NULL);
    pthread_join(thread, NULL);
    /* Cancelled, we still wait for the hand-over: it points at h. */
    while (!h.handed_over)
        aw_sleep(0);
    aw_loop_threadsafe_close(loop);
    aw_future_release(h.done);
    if (rc == 0)
        *result = h.result;
    return rc;
}
