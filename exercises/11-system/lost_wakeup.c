/*
 * Exercise (find the bug): a wake-up lost between two threads.
 *
 * run_in_thread(loop, job, arg, &result) is called in a task. It runs
 * job(arg) in a thread of its own, so that a job that blocks (a library
 * call without an async interface) does not stop the loop, and waits,
 * in the task, until the job has returned; then it stores the job's
 * return value in *result and returns 0.
 *
 * It works when tried by hand, now and then. In the grader the loop
 * reports a deadlock ("tasks wait, but nothing can ever wake them")
 * while the job is still running. Two of chapter 11's rules about
 * threads are broken here; find them and fix them:
 *   - who may touch a loop (and its futures) from another thread?
 *   - how does a loop that waits know that another thread will wake it?
 *
 * Keep the thread: the job must not run in the loop's thread. Before
 * returning, the thread must be joined, and the loop must no longer
 * wait for other threads.
 *
 * See chapter 11, "Threads and the loop" and "Pitfalls".
 */
#include "aw.h"

#include <pthread.h>

typedef struct {
    aw_future *done; /* completed once the job has returned */
    int (*job)(void *arg);
    void *arg;
    int result;
} handoff;

static void *thread_main(void *p)
{
    handoff *h = p;
    h->result = h->job(h->arg);
    aw_future_set_result(h->done, NULL); /* the job is done: wake the task */
    return NULL;
}

int run_in_thread(aw_loop *loop, int (*job)(void *arg), void *arg, int *result)
{
    handoff h = {.done = aw_future_new(loop), .job = job, .arg = arg};
    if (!h.done)
        return -ENOMEM;
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, thread_main, &h);
    if (rc != 0) {
        aw_future_release(h.done);
        return -rc;
    }
    rc = aw_await(h.done, NULL);
    pthread_join(thread, NULL);
    aw_future_release(h.done);
    if (rc == 0)
        *result = h.result;
    return rc;
}
