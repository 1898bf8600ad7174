/*
 * queue.c - asyncio's Queue, LifoQueue and PriorityQueue, for tasks.
 *
 * One structure for the three kinds; only where items are kept differs:
 *   FIFO      a ring buffer (head moves on at each get)
 *   LIFO      a stack (the top is the last item)
 *   PRIORITY  a binary min-heap, ordered by compare, then by put order
 * Three wait queues: tasks waiting to get, to put, and for join.
 */
#include "sync_internal.h"

#include <stdlib.h>
#include <string.h>

typedef enum { KIND_FIFO, KIND_LIFO, KIND_PRIORITY } queue_kind;

typedef struct {
    void *item;
    uint64_t seq; /* put order: breaks priority ties first in, first out */
} entry;

struct aw_queue {
    aw_loop *loop;
    char *name;
    queue_kind kind;
    aw_queue_compare compare;
    size_t maxsize; /* 0: unbounded */
    entry *items;
    size_t head, len, cap; /* head: the ring's start (FIFO only) */
    uint64_t next_seq;
    size_t unfinished; /* put, and not yet task_done */
    bool shut_down;
    aw__waitq getters, putters, joiners;
};

/* ---- where items are kept ----------------------------------------------- */

static bool before(const aw_queue *q, const entry *a, const entry *b)
{
    int c = q->compare(a->item, b->item);
    return c < 0 || (c == 0 && a->seq < b->seq);
}

static void swap(entry *a, entry *b)
{
    entry t = *a;
    *a = *b;
    *b = t;
}

static int grow(aw_queue *q)
{
    if (q->len < q->cap)
        return 0;
    size_t cap = q->cap ? q->cap * 2 : 8;
    entry *items = malloc(cap * sizeof *items);
    if (!items)
        return -ENOMEM;
    /* Copy in queue order, so a FIFO ring starts again at 0. */
    for (size_t i = 0; i < q->len; i++)
        items[i] = q->items[q->kind == KIND_FIFO ? (q->head + i) % q->cap : i];
    free(q->items);
    q->items = items;
    q->cap = cap;
    q->head = 0;
    return 0;
}

static void store(aw_queue *q, void *item)
{
    entry e = {item, q->next_seq++};
    if (q->kind == KIND_FIFO) {
        q->items[(q->head + q->len++) % q->cap] = e;
        return;
    }
    size_t i = q->len++;
    q->items[i] = e;
    if (q->kind == KIND_LIFO)
        return;
    while (i > 0 && before(q, &q->items[i], &q->items[(i - 1) / 2])) {
        swap(&q->items[i], &q->items[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void *take(aw_queue *q)
{
    if (q->kind == KIND_FIFO) {
        void *item = q->items[q->head].item;
        q->head = (q->head + 1) % q->cap;
        q->len--;
        return item;
    }
    if (q->kind == KIND_LIFO)
        return q->items[--q->len].item;
    void *item = q->items[0].item;
    q->items[0] = q->items[--q->len];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->len && before(q, &q->items[l], &q->items[m]))
            m = l;
        if (r < q->len && before(q, &q->items[r], &q->items[m]))
            m = r;
        if (m == i)
            break;
        swap(&q->items[i], &q->items[m]);
        i = m;
    }
    return item;
}

/* ---- what a waiting task waits for, for introspection ------------------- */

static void describe_get(const void *object, char *buf, size_t len)
{
    const aw_queue *q = object;
    snprintf(buf, len, "queue '%s' empty (get)", q->name);
}

static void describe_put(const void *object, char *buf, size_t len)
{
    const aw_queue *q = object;
    snprintf(buf, len, "queue '%s' full (put, %zu of %zu)", q->name, q->len,
             q->maxsize);
}

static void describe_join(const void *object, char *buf, size_t len)
{
    const aw_queue *q = object;
    snprintf(buf, len, "queue '%s' join (%zu not done)", q->name,
             q->unfinished);
}

static const aw__wait_reason getting = {describe_get, NULL};
static const aw__wait_reason putting = {describe_put, NULL};
static const aw__wait_reason joining = {describe_join, NULL};

/* ---- life ------------------------------------------------------------------
 */

static aw_queue *make(aw_loop *loop, const char *name, size_t maxsize,
                      queue_kind kind, aw_queue_compare compare,
                      const char *who)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "%s: loop is NULL", who);
        return NULL;
    }
    if (kind == KIND_PRIORITY && !compare) {
        aw__fail(AW_EMISUSE, "%s: compare is NULL", who);
        return NULL;
    }
    aw_queue *q = calloc(1, sizeof *q);
    if (q)
        q->name = strdup(name ? name : "queue");
    if (!q || !q->name) {
        free(q);
        aw__fail(-ENOMEM, "%s: out of memory", who);
        return NULL;
    }
    q->loop = loop;
    q->kind = kind;
    q->compare = compare;
    q->maxsize = maxsize;
    return q;
}

aw_queue *aw_queue_new(aw_loop *loop, const char *name, size_t maxsize)
{
    return make(loop, name, maxsize, KIND_FIFO, NULL, "aw_queue_new");
}

aw_queue *aw_lifo_queue_new(aw_loop *loop, const char *name, size_t maxsize)
{
    return make(loop, name, maxsize, KIND_LIFO, NULL, "aw_lifo_queue_new");
}

aw_queue *aw_priority_queue_new(aw_loop *loop, const char *name, size_t maxsize,
                                aw_queue_compare compare)
{
    return make(loop, name, maxsize, KIND_PRIORITY, compare,
                "aw_priority_queue_new");
}

int aw_queue_free(aw_queue *q)
{
    if (!q)
        return aw__fail(AW_EMISUSE, "aw_queue_free: queue is NULL");
    size_t waiting = q->getters.len + q->putters.len + q->joiners.len;
    if (waiting > 0)
        return aw__fail(AW_EMISUSE,
                        "aw_queue_free: %zu task(s) wait on queue '%s'",
                        waiting, q->name);
    free(q->items);
    free(q->name);
    free(q);
    return 0;
}

/* ---- without waiting -------------------------------------------------- */

static bool full(const aw_queue *q)
{
    return q->maxsize > 0 && q->len >= q->maxsize;
}

static int shut(const aw_queue *q, const char *who)
{
    return aw__fail(-ESHUTDOWN, "%s: queue '%s' was shut down", who, q->name);
}

static int try_put(aw_queue *q, void *item, const char *who)
{
    if (q->shut_down)
        return shut(q, who);
    if (full(q))
        return aw__fail(-EAGAIN, "%s: queue '%s' is full (%zu items)", who,
                        q->name, q->len);
    if (grow(q) != 0)
        return aw__fail(-ENOMEM, "%s: out of memory", who);
    store(q, item);
    q->unfinished++;
    aw__waitq_wake_next(&q->getters);
    return 0;
}

static int try_get(aw_queue *q, void **item, const char *who)
{
    if (q->len == 0)
        return q->shut_down
                   ? shut(q, who)
                   : aw__fail(-EAGAIN, "%s: queue '%s' is empty", who, q->name);
    void *got = take(q);
    if (item)
        *item = got;
    aw__waitq_wake_next(&q->putters);
    return 0;
}

int aw_queue_try_put(aw_queue *q, void *item)
{
    if (!q)
        return aw__fail(AW_EMISUSE, "aw_queue_try_put: queue is NULL");
    return try_put(q, item, "aw_queue_try_put");
}

int aw_queue_try_get(aw_queue *q, void **item)
{
    if (!q)
        return aw__fail(AW_EMISUSE, "aw_queue_try_get: queue is NULL");
    return try_get(q, item, "aw_queue_try_get");
}

/* ---- waiting ------------------------------------------------------------ */

static int check_task(aw_queue *q, const char *who)
{
    aw_task *t = aw__task_require(who);
    if (!t)
        return AW_EMISUSE;
    if (t->loop != q->loop)
        return aw__fail(AW_EMISUSE, "%s: queue '%s' belongs to another loop",
                        who, q->name);
    return 0;
}

int aw_queue_put(aw_queue *q, void *item)
{
    const char *who = "aw_queue_put";
    if (!q)
        return aw__fail(AW_EMISUSE, "%s: queue is NULL", who);
    int rc = check_task(q, who);
    while (rc == 0 && full(q) && !q->shut_down) {
        bool woken;
        rc = aw__waitq_wait(&q->putters, &putting, q, who, &woken);
        /* Cancelled after being given room: the room goes to the next. */
        if (rc != 0 && woken && !full(q))
            aw__waitq_wake_next(&q->putters);
    }
    return rc ? rc : try_put(q, item, who);
}

int aw_queue_get(aw_queue *q, void **item)
{
    const char *who = "aw_queue_get";
    if (!q)
        return aw__fail(AW_EMISUSE, "%s: queue is NULL", who);
    int rc = check_task(q, who);
    while (rc == 0 && q->len == 0 && !q->shut_down) {
        bool woken;
        rc = aw__waitq_wait(&q->getters, &getting, q, who, &woken);
        /* Cancelled after being handed an item: it goes to the next. */
        if (rc != 0 && woken && q->len > 0)
            aw__waitq_wake_next(&q->getters);
    }
    return rc ? rc : try_get(q, item, who);
}

int aw_queue_task_done(aw_queue *q)
{
    if (!q)
        return aw__fail(AW_EMISUSE, "aw_queue_task_done: queue is NULL");
    if (q->unfinished == 0)
        return aw__fail(AW_ESTATE,
                        "aw_queue_task_done: called more times than items "
                        "were put in queue '%s'",
                        q->name);
    if (--q->unfinished == 0)
        aw__waitq_wake_all(&q->joiners);
    return 0;
}

int aw_queue_join(aw_queue *q)
{
    const char *who = "aw_queue_join";
    if (!q)
        return aw__fail(AW_EMISUSE, "%s: queue is NULL", who);
    int rc = check_task(q, who);
    while (rc == 0 && q->unfinished > 0) {
        bool woken;
        rc = aw__waitq_wait(&q->joiners, &joining, q, who, &woken);
    }
    return rc;
}

int aw_queue_shutdown(aw_queue *q, bool immediate)
{
    if (!q)
        return aw__fail(AW_EMISUSE, "aw_queue_shutdown: queue is NULL");
    q->shut_down = true;
    if (immediate) {
        while (q->len > 0) {
            take(q);
            if (q->unfinished > 0)
                q->unfinished--;
        }
        if (q->unfinished == 0)
            aw__waitq_wake_all(&q->joiners);
    }
    /* Every waiting get and put looks again, and fails. */
    aw__waitq_wake_all(&q->getters);
    aw__waitq_wake_all(&q->putters);
    return 0;
}

/* ---- looking at it ---------------------------------------------------- */

size_t aw_queue_size(const aw_queue *q)
{
    if (!q) {
        aw__fail(AW_EMISUSE, "aw_queue_size: queue is NULL");
        return 0;
    }
    return q->len;
}

size_t aw_queue_maxsize(const aw_queue *q)
{
    if (!q) {
        aw__fail(AW_EMISUSE, "aw_queue_maxsize: queue is NULL");
        return 0;
    }
    return q->maxsize;
}

bool aw_queue_empty(const aw_queue *q)
{
    if (!q) {
        aw__fail(AW_EMISUSE, "aw_queue_empty: queue is NULL");
        return false;
    }
    return q->len == 0;
}

bool aw_queue_full(const aw_queue *q)
{
    if (!q) {
        aw__fail(AW_EMISUSE, "aw_queue_full: queue is NULL");
        return false;
    }
    return full(q);
}

const char *aw_queue_name(const aw_queue *q)
{
    if (!q) {
        aw__fail(AW_EMISUSE, "aw_queue_name: queue is NULL");
        return "";
    }
    return q->name;
}
