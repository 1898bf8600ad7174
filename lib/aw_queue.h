/*
 * aw_queue.h - queues between tasks: FIFO, LIFO and priority.
 *
 *   asyncio                            aw
 *   q = asyncio.Queue(maxsize)         aw_queue_new(loop, "name", maxsize)
 *   asyncio.LifoQueue(maxsize)         aw_lifo_queue_new(loop, "name", maxsize)
 *   asyncio.PriorityQueue(maxsize)     aw_priority_queue_new(loop, "name",
 *                                                           maxsize, compare)
 *   await q.put(item)                  aw_queue_put(q, item)
 *   item = await q.get()               aw_queue_get(q, &item)
 *   q.put_nowait(item)                 aw_queue_try_put(q, item)
 *   item = q.get_nowait()              aw_queue_try_get(q, &item)
 *   q.task_done() / await q.join()     aw_queue_task_done(q) / aw_queue_join(q)
 *   q.shutdown(immediate)  (3.13)      aw_queue_shutdown(q, immediate)
 *
 * maxsize 0 means unbounded. put waits while the queue is full, get
 * while it is empty; waiters are served in FIFO order, and one woken and
 * then cancelled before it ran passes its turn on. Items are pointers
 * the queue does not own: aw_queue_free drops the ones left.
 *
 * Errors: -EAGAIN from try_put on a full queue and try_get on an empty
 * one (asyncio's QueueFull and QueueEmpty); -ESHUTDOWN once the queue is
 * shut down (QueueShutDown): put always, get when the queue is empty.
 * shutdown wakes every waiting put and get, which then fail so; with
 * immediate, the items left are dropped and count as done for join.
 * AW_ESTATE from task_done called more often than items were put.
 *
 * Where aw differs: a priority queue orders by compare(a, b) (negative
 * if a comes first), and items that compare equal come out in the order
 * they were put; asyncio's heap then compares the items themselves.
 */
#ifndef AW_QUEUE_H
#define AW_QUEUE_H

typedef struct aw_queue aw_queue;

/* Negative if a comes out before b, 0 if equal, positive after. */
typedef int (*aw_queue_compare)(const void *a, const void *b);

aw_queue *aw_queue_new(aw_loop *loop, const char *name, size_t maxsize);
aw_queue *aw_lifo_queue_new(aw_loop *loop, const char *name, size_t maxsize);
aw_queue *aw_priority_queue_new(aw_loop *loop, const char *name, size_t maxsize,
                                aw_queue_compare compare);
/* AW_EMISUSE while tasks wait on it; the items left are not freed. */
int aw_queue_free(aw_queue *q);

/* Only inside a task: wait for room, or for an item. */
int aw_queue_put(aw_queue *q, void *item);
int aw_queue_get(aw_queue *q, void **item);
/* Never wait: -EAGAIN instead. */
int aw_queue_try_put(aw_queue *q, void *item);
int aw_queue_try_get(aw_queue *q, void **item);

/* One item taken with get is dealt with; join waits until every item
 * put has been. */
int aw_queue_task_done(aw_queue *q);
int aw_queue_join(aw_queue *q);
int aw_queue_shutdown(aw_queue *q, bool immediate);

size_t aw_queue_size(const aw_queue *q);
size_t aw_queue_maxsize(const aw_queue *q);
bool aw_queue_empty(const aw_queue *q);
bool aw_queue_full(const aw_queue *q);
const char *aw_queue_name(const aw_queue *q);

#endif
