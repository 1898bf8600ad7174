/*
 * threads.h - what the channel from other threads (threadsafe.c) and
 * the executor (executor.c) share inside the library.
 */
#ifndef AW_THREADS_H
#define AW_THREADS_H

#include "internal.h"

#include <pthread.h>

typedef struct aw_job aw_job;

/* One per loop, made the first time another thread must reach it. */
typedef struct aw_threads {
    aw_loop *loop;
    int wake_fd; /* an eventfd: readable once another thread wrote */
    /* Callbacks queued by other threads, under lock. */
    pthread_mutex_t lock;
    aw_ready_item *queue;
    size_t len, cap;
    /* Loop thread only: why the eventfd is watched (0: it is not). */
    int holds;      /* user_holds + jobs in flight */
    int user_holds; /* aw_loop_threadsafe_open calls not yet closed */

    /* The executor: worker threads taking jobs from a queue (lock). */
    pthread_cond_t work;           /* a job was queued, or stop */
    aw_job *jobs_head, *jobs_tail; /* queued, not yet taken */
    size_t queued;                 /* how many are queued */
    pthread_t *workers;
    size_t nworkers, idle, max_workers;
    bool stopping; /* workers: finish the job in hand, then exit */
    bool closed;   /* aw_loop_shutdown_executor ran: no more jobs */
} aw_threads;

/* The loop's channel, or NULL if none was made yet (any thread). */
aw_threads *aw__threads_of(const aw_loop *loop);
/* The loop's channel, made now if needed (loop thread only); NULL after
 * failing with a message naming who. */
aw_threads *aw__threads_get(aw_loop *loop, const char *who);
/* Watch the eventfd while at least one hold exists (loop thread). */
int aw__threads_hold(aw_loop *loop, aw_threads *th);
void aw__threads_release(aw_loop *loop, aw_threads *th);

/* executor.c: stop and join the workers (waiting for running jobs), and
 * free a job whose completion callback will never run. */
void aw__executor_stop(aw_loop *loop, aw_threads *th);
void aw__executor_drop_item(aw_callback fn, void *arg);

#endif
