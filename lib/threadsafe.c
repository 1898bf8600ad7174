/*
 * threadsafe.c - how another thread reaches the loop.
 *
 * The loop belongs to one thread: nothing else may touch its ready
 * queue, its timers or its tasks. Another thread hands work over instead,
 * through a channel: a queue of callbacks under a mutex, and an eventfd
 * the loop watches. Writing to the eventfd wakes the loop out of its
 * backend's wait (epoll_wait, poll, select or io_uring_enter alike), and
 * the loop then runs the queued callbacks as ordinary callbacks.
 *
 *   other thread: lock; append (fn, arg); unlock; write(eventfd, 1)
 *   loop thread:  eventfd readable -> drain(): take the queue, run each
 *
 * The eventfd is watched only while someone says other threads will
 * call in (aw_loop_threadsafe_open, or a job of the executor in flight).
 * Otherwise a loop whose tasks all wait for nothing would not be a
 * deadlock any more but a hang: the loop could not tell that no thread
 * will ever call. asyncio's loop always watches its self-pipe, and hangs.
 */
#define _GNU_SOURCE
#include "threads.h"

#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* The loop is readable: run what other threads queued. */
static void drain(void *arg)
{
    aw_loop *loop = arg;
    aw_threads *th = aw__threads_of(loop);
    uint64_t count;
    while (read(th->wake_fd, &count, sizeof count) == sizeof count)
        ; /* the counter only says "something came": reset it */
    pthread_mutex_lock(&th->lock);
    aw_ready_item *items = th->queue;
    size_t n = th->len;
    th->queue = NULL;
    th->len = th->cap = 0;
    pthread_mutex_unlock(&th->lock);
    for (size_t i = 0; i < n; i++)
        items[i].fn(items[i].arg);
    free(items);
}

aw_threads *aw__threads_of(const aw_loop *loop)
{
    return atomic_load_explicit(&loop->threads, memory_order_acquire);
}

aw_threads *aw__threads_get(aw_loop *loop, const char *who)
{
    aw_threads *th = aw__threads_of(loop);
    if (th)
        return th;
    th = calloc(1, sizeof *th);
    if (!th) {
        aw__fail(-ENOMEM, "%s: out of memory", who);
        return NULL;
    }
    th->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (th->wake_fd < 0) {
        int err = -errno;
        free(th);
        aw__fail(err, "%s: eventfd: %s", who, aw_strerror(err));
        return NULL;
    }
    pthread_mutex_init(&th->lock, NULL);
    pthread_cond_init(&th->work, NULL);
    th->loop = loop;
    /* Published last: another thread that sees it sees it whole. */
    atomic_store_explicit(&loop->threads, th, memory_order_release);
    return th;
}

int aw__threads_hold(aw_loop *loop, aw_threads *th)
{
    if (th->holds++ > 0)
        return 0;
    int rc = aw_add_reader(loop, th->wake_fd, drain, loop);
    if (rc != 0)
        th->holds--;
    return rc;
}

void aw__threads_release(aw_loop *loop, aw_threads *th)
{
    if (th->holds > 0 && --th->holds == 0)
        aw_remove_reader(loop, th->wake_fd);
}

int aw_loop_threadsafe_open(aw_loop *loop)
{
    if (!loop || loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "aw_loop_threadsafe_open: the loop is "
                                    "NULL or closed");
    aw_threads *th = aw__threads_get(loop, "aw_loop_threadsafe_open");
    if (!th)
        return -ENOMEM;
    int rc = aw__threads_hold(loop, th);
    if (rc == 0)
        th->user_holds++;
    return rc;
}

int aw_loop_threadsafe_close(aw_loop *loop)
{
    aw_threads *th = loop ? aw__threads_of(loop) : NULL;
    if (!th || th->user_holds == 0)
        return aw__fail(AW_ESTATE, "aw_loop_threadsafe_close: not open");
    th->user_holds--;
    aw__threads_release(loop, th);
    return 0;
}

int aw_call_soon_threadsafe(aw_loop *loop, aw_callback fn, void *arg)
{
    if (!loop || !fn)
        return aw__fail(AW_EMISUSE, "aw_call_soon_threadsafe: loop and "
                                    "callback are required");
    aw_threads *th = aw__threads_of(loop);
    if (!th)
        return aw__fail(AW_EMISUSE,
                        "aw_call_soon_threadsafe: the loop has no channel for "
                        "other threads; call aw_loop_threadsafe_open in the "
                        "loop's thread first");
    pthread_mutex_lock(&th->lock);
    int rc = 0;
    if (th->len == th->cap) {
        size_t cap = th->cap ? th->cap * 2 : 16;
        aw_ready_item *q = realloc(th->queue, cap * sizeof *q);
        if (q) {
            th->queue = q;
            th->cap = cap;
        } else {
            rc = -ENOMEM;
        }
    }
    if (rc == 0)
        th->queue[th->len++] = (aw_ready_item){fn, arg};
    pthread_mutex_unlock(&th->lock);
    if (rc != 0)
        return aw__fail(rc, "aw_call_soon_threadsafe: out of memory");
    uint64_t one = 1;
    /* EAGAIN means the counter is full: the loop will wake anyway. */
    if (write(th->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        return aw__fail(-errno, "aw_call_soon_threadsafe: eventfd: %s",
                        aw_strerror(-errno));
    return 0;
}

void aw__threads_loop_closing(aw_loop *loop)
{
    aw_threads *th = aw__threads_of(loop);
    if (!th)
        return;
    aw__executor_stop(loop, th); /* waits for jobs that are running */
    /* Callbacks nobody ran: those of jobs free their job; the rest are
     * dropped, as aw_loop_close drops the ready queue. */
    pthread_mutex_lock(&th->lock);
    for (size_t i = 0; i < th->len; i++)
        aw__executor_drop_item(th->queue[i].fn, th->queue[i].arg);
    free(th->queue);
    th->queue = NULL;
    th->len = 0;
    pthread_mutex_unlock(&th->lock);
    if (th->holds > 0)
        aw_remove_reader(loop, th->wake_fd);
    close(th->wake_fd);
    pthread_cond_destroy(&th->work);
    pthread_mutex_destroy(&th->lock);
    atomic_store(&loop->threads, NULL);
    free(th);
}
