/*
 * executor.c - run a blocking function in a worker thread, and get its
 * result back as a future: asyncio's to_thread and run_in_executor.
 *
 * A blocking call (a library without an async interface, a hash of a big
 * file, DNS through getaddrinfo) stops the whole loop. Handed to a worker
 * thread instead, it blocks only that thread; when it returns, the worker
 * passes the result to the loop through the channel (threadsafe.c), and
 * the loop completes the future in its own thread.
 *
 *   loop:   aw_to_thread(fn) -> queue the job, return a pending future
 *   worker: take the job, rc = fn(arg, &result),
 *           aw_call_soon_threadsafe(loop, job_done, job)
 *   loop:   job_done -> set the future's result or error
 *
 * A thread cannot be stopped from outside, so cancelling the future (or
 * the task awaiting it) does not stop the function: it runs to its end
 * and its result is dropped. asyncio's to_thread behaves the same. The
 * pool is bounded, as asyncio's default executor is (min(32, CPUs + 4)
 * workers); more jobs than workers wait in the queue.
 */
#define _GNU_SOURCE
#include "threads.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct aw_job {
    aw_thread_fn fn;
    void *arg;
    aw_future *future; /* the job holds one reference */
    int rc;            /* what fn returned */
    void *result;
    aw_threads *th;
    aw_job *next;
};

/* In the loop: the job is done; complete its future. */
static void job_done(void *arg)
{
    aw_job *job = arg;
    aw_threads *th = job->th;
    if (!aw_future_done(job->future)) { /* not cancelled meanwhile */
        if (job->rc == 0)
            aw_future_set_result(job->future, job->result);
        else
            aw_future_set_error(job->future, job->rc,
                                "the function run in a thread failed");
    }
    aw_future_release(job->future);
    free(job);
    aw__threads_release(th->loop, th);
}

/* A job's future is cancelled: the thread goes on (nothing to undo); the
 * hook's presence is what marks the future as a job's. */
static void job_future_cancelled(aw_future *f, void *arg)
{
    (void)f;
    (void)arg;
}

bool aw__executor_describe(const aw_future *f, char *buf, size_t len)
{
    if (f->on_cancel != job_future_cancelled)
        return false;
    snprintf(buf, len, "a job in a worker thread (aw_to_thread)");
    return true;
}

void aw__executor_drop_item(aw_callback fn, void *arg)
{
    if (fn != job_done)
        return;
    aw_job *job = arg;
    aw_future_release(job->future);
    free(job);
}

static void *worker(void *arg)
{
    aw_threads *th = arg;
    pthread_mutex_lock(&th->lock);
    for (;;) {
        while (!th->jobs_head && !th->stopping)
            pthread_cond_wait(&th->work, &th->lock);
        if (!th->jobs_head)
            break; /* stopping, and nothing left to do */
        aw_job *job = th->jobs_head;
        th->jobs_head = job->next;
        if (!th->jobs_head)
            th->jobs_tail = NULL;
        th->queued--;
        th->idle--;
        pthread_mutex_unlock(&th->lock);
        job->rc = job->fn(job->arg, &job->result);
        aw_call_soon_threadsafe(th->loop, job_done, job);
        pthread_mutex_lock(&th->lock);
        th->idle++;
    }
    pthread_mutex_unlock(&th->lock);
    return NULL;
}

/* Start one more worker; the caller holds th->lock. */
static int add_worker(aw_threads *th)
{
    /* Workers block every signal: a process signal must reach the loop's
     * thread (and its signalfd), never a worker in the middle of a job. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&th->workers[th->nworkers], NULL, worker, th);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -rc;
    th->nworkers++;
    th->idle++;
    return 0;
}

/* Room for the pool's workers: asyncio's bound, min(32, CPUs + 4). */
static int size_pool(aw_threads *th)
{
    if (th->workers)
        return 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = (size_t)(cpus > 0 ? cpus : 1) + 4;
    th->max_workers = n < 32 ? n : 32;
    th->workers = calloc(th->max_workers, sizeof *th->workers);
    return th->workers ? 0 : -ENOMEM;
}

aw_future *aw_to_thread(aw_loop *loop, aw_thread_fn fn, void *arg)
{
    if (!loop || !fn || loop->state == AW_LOOP_CLOSED) {
        aw__fail(AW_EMISUSE, "aw_to_thread: an open loop and a function "
                             "are required");
        return NULL;
    }
    aw_threads *th = aw__threads_get(loop, "aw_to_thread");
    if (!th)
        return NULL;
    if (th->closed) {
        aw__fail(AW_EMISUSE, "aw_to_thread: the loop's executor was shut "
                             "down");
        return NULL;
    }
    aw_job *job = calloc(1, sizeof *job);
    aw_future *f = job ? aw_future_new(loop) : NULL;
    if (!f) {
        free(job);
        aw__fail(-ENOMEM, "aw_to_thread: out of memory");
        return NULL;
    }
    *job =
        (aw_job){.fn = fn, .arg = arg, .future = aw_future_retain(f), .th = th};
    f->on_cancel = job_future_cancelled; /* introspection names it */
    f->on_cancel_arg = job;
    int rc = size_pool(th);
    bool held = rc == 0 && (rc = aw__threads_hold(loop, th)) == 0;
    pthread_mutex_lock(&th->lock);
    /* Another worker if every idle one already has a queued job. */
    if (rc == 0 && th->idle <= th->queued && th->nworkers < th->max_workers)
        rc = add_worker(th);
    if (rc == 0) {
        if (th->jobs_tail)
            th->jobs_tail->next = job;
        else
            th->jobs_head = job;
        th->jobs_tail = job;
        th->queued++;
        pthread_cond_signal(&th->work);
    }
    pthread_mutex_unlock(&th->lock);
    if (rc != 0) {
        if (held)
            aw__threads_release(loop, th);
        aw_future_release(f); /* the job's reference */
        aw_future_release(f); /* and the caller's */
        free(job);
        aw__fail(rc, "aw_to_thread: cannot start a worker: %s",
                 aw_strerror(rc));
        return NULL;
    }
    return f;
}

void aw__executor_stop(aw_loop *loop, aw_threads *th)
{
    (void)loop;
    pthread_mutex_lock(&th->lock);
    th->stopping = true;
    th->closed = true;
    pthread_cond_broadcast(&th->work);
    pthread_mutex_unlock(&th->lock);
    for (size_t i = 0; i < th->nworkers; i++)
        pthread_join(th->workers[i], NULL); /* each finishes its jobs */
    free(th->workers);
    th->workers = NULL;
    th->nworkers = th->idle = 0;
    th->stopping = false;
}

int aw_loop_shutdown_executor(aw_loop *loop)
{
    if (!loop || loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "aw_loop_shutdown_executor: the loop is "
                                    "NULL or closed");
    aw_threads *th = aw__threads_of(loop);
    if (!th)
        return 0; /* no executor was ever started */
    aw__executor_stop(loop, th);
    return 0;
}
