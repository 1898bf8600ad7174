/*
 * test_queue.c - aw_queue: FIFO, LIFO and priority; backpressure;
 * task_done and join; shutdown; no lost hand-off.
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw.h"

#include <stdint.h>
#include <string.h>

static aw_loop *virtual_loop(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

#define ITEM(n) ((void *)(intptr_t)(n))
#define NUMBER(p) ((int)(intptr_t)(p))

static int by_number(const void *a, const void *b)
{
    return NUMBER(a) - NUMBER(b);
}

/* Put 3 1 2 1 without waiting, then take everything out. */
static void drain(aw_queue *q, char *out)
{
    int in[4] = {3, 1, 2, 1};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(aw_queue_try_put(q, ITEM(in[i])), 0);
    ck_assert_int_eq(aw_queue_size(q), 4);
    void *item;
    size_t n = 0;
    while (aw_queue_try_get(q, &item) == 0)
        out[n++] = (char)('0' + NUMBER(item));
    out[n] = '\0';
    ck_assert_int_eq(aw_queue_try_get(q, &item), -EAGAIN);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "is empty"));
}

START_TEST(each_kind_gives_items_back_in_its_order)
{
    aw_loop *loop = virtual_loop();
    char out[8];
    aw_queue *fifo = aw_queue_new(loop, "fifo", 0);
    drain(fifo, out);
    ck_assert_str_eq(out, "3121");
    aw_queue *lifo = aw_lifo_queue_new(loop, "lifo", 0);
    drain(lifo, out);
    ck_assert_str_eq(out, "1213");
    aw_queue *prio = aw_priority_queue_new(loop, "prio", 0, by_number);
    drain(prio, out);
    ck_assert_str_eq(out, "1123");
    ck_assert_ptr_null(aw_priority_queue_new(loop, "no compare", 0, NULL));
    ck_assert_int_eq(aw_queue_free(fifo), 0);
    ck_assert_int_eq(aw_queue_free(lifo), 0);
    ck_assert_int_eq(aw_queue_free(prio), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static int by_key(const void *a, const void *b)
{
    return ((const int *)a)[0] - ((const int *)b)[0];
}

START_TEST(equal_priorities_come_out_in_put_order)
{
    aw_loop *loop = virtual_loop();
    aw_queue *q = aw_priority_queue_new(loop, "ties", 0, by_key);
    int items[12][2];
    for (int i = 0; i < 12; i++) {
        items[i][0] = i % 3; /* key */
        items[i][1] = i;     /* put order */
        aw_queue_try_put(q, items[i]);
    }
    int last_key = -1, last_order = -1;
    void *item;
    while (aw_queue_try_get(q, &item) == 0) {
        int *it = item;
        ck_assert_int_ge(it[0], last_key);
        if (it[0] == last_key)
            ck_assert_int_gt(it[1], last_order);
        last_key = it[0];
        last_order = it[1];
    }
    ck_assert_int_eq(aw_queue_free(q), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A producer faster than its consumer is held back by a bounded queue. */
typedef struct {
    aw_queue *q;
    int n;
    int got[16], ngot;
    size_t max_size;
    double producer_done_at;
} pipeline;

static void *produce(void *arg)
{
    pipeline *p = arg;
    for (int i = 0; i < p->n; i++) {
        int rc = aw_queue_put(p->q, ITEM(i));
        TASK_ASSERT(rc == 0, "put: %s", aw_last_error());
        if (aw_queue_size(p->q) > p->max_size)
            p->max_size = aw_queue_size(p->q);
    }
    p->producer_done_at = aw_loop_time(aw_running_loop());
    return NULL;
}

static void *consume(void *arg)
{
    pipeline *p = arg;
    for (int i = 0; i < p->n; i++) {
        void *item;
        int rc = aw_queue_get(p->q, &item);
        TASK_ASSERT(rc == 0, "get: %s", aw_last_error());
        p->got[p->ngot++] = NUMBER(item);
        aw_sleep(1.0);
        aw_queue_task_done(p->q);
    }
    return NULL;
}

static void *join_queue(void *arg)
{
    int rc = aw_queue_join(arg);
    return rc ? aw_raise(rc, NULL) : NULL;
}

START_TEST(a_bounded_queue_holds_the_producer_back)
{
    aw_loop *loop = virtual_loop();
    pipeline p = {.q = aw_queue_new(loop, "jobs", 2), .n = 6};
    aw_task *prod = aw_task_create(loop, produce, &p, "producer");
    aw_task *cons = aw_task_create(loop, consume, &p, "consumer");
    aw_task *joiner = aw_task_create(loop, join_queue, p.q, "joiner");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(joiner)),
                     0);
    ck_assert_double_eq_tol(aw_loop_time(loop), 6.0, 1e-9);
    ck_assert_int_eq(p.ngot, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(p.got[i], i);
    ck_assert_uint_le(p.max_size, 2);
    /* The last put waited for room until the consumer took item 3. */
    ck_assert_double_eq_tol(p.producer_done_at, 3.0, 1e-9);
    ck_assert_int_eq(aw_queue_task_done(p.q), AW_ESTATE);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(cons)), 0);
    aw_task_release(joiner);
    aw_task_release(prod);
    aw_task_release(cons);
    ck_assert_int_eq(aw_queue_free(p.q), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* An item handed to a waiting get that is cancelled before it ran goes
 * to the next get. */
typedef struct {
    aw_queue *q;
    aw_task *victim;
} handing;

static void *put_then_cancel_the_woken(void *arg)
{
    handing *h = arg;
    aw_sleep(1.0);
    aw_queue_try_put(h->q, ITEM(7));
    aw_task_cancel(h->victim);
    return NULL;
}

typedef struct {
    aw_queue *q;
    int rc;
    int item;
} getter;

static void *get_one(void *arg)
{
    getter *g = arg;
    void *item = NULL;
    g->rc = aw_queue_get(g->q, &item);
    g->item = NUMBER(item);
    return g->rc ? aw_raise(g->rc, NULL) : NULL;
}

START_TEST(an_item_for_a_cancelled_get_goes_to_the_next)
{
    aw_loop *loop = virtual_loop();
    aw_queue *q = aw_queue_new(loop, "jobs", 0);
    getter g[2] = {{q, 1, -1}, {q, 1, -1}};
    aw_task *t[2];
    for (int i = 0; i < 2; i++)
        t[i] = aw_task_create(loop, get_one, &g[i], NULL);
    handing h = {q, t[0]};
    aw_task *putter = aw_task_create(loop, put_then_cancel_the_woken, &h, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t[1])), 0);
    ck_assert_int_eq(g[0].rc, AW_ECANCELLED);
    ck_assert_int_eq(g[1].item, 7);
    aw_loop_run_until_complete(loop, aw_task_future(t[0]));
    for (int i = 0; i < 2; i++)
        aw_task_release(t[i]);
    aw_task_release(putter);
    ck_assert_int_eq(aw_queue_free(q), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Shutdown wakes every waiting get and put with -ESHUTDOWN; gets still
 * drain what is left unless the shutdown is immediate. */
static void *put_one(void *arg)
{
    getter *g = arg;
    g->rc = aw_queue_put(g->q, ITEM(g->item));
    return g->rc ? aw_raise(g->rc, NULL) : NULL;
}

static void shut_down(void *q)
{
    aw_queue_shutdown(q, false);
}

START_TEST(shutdown_wakes_waiters_with_an_error)
{
    aw_loop *loop = virtual_loop();
    aw_queue *empty = aw_queue_new(loop, "empty", 0);
    aw_queue *full = aw_queue_new(loop, "full", 1);
    aw_queue_try_put(full, ITEM(1));
    getter g = {empty, 1, -1}, p = {full, 1, 2};
    aw_task *tg = aw_task_create(loop, get_one, &g, "getter");
    aw_task *tp = aw_task_create(loop, put_one, &p, "putter");
    aw_call_later(loop, 1.0, shut_down, empty);
    aw_call_later(loop, 1.0, shut_down, full);
    aw_loop_run_until_complete(loop, aw_task_future(tg));
    aw_loop_run_until_complete(loop, aw_task_future(tp));
    ck_assert_int_eq(g.rc, -ESHUTDOWN);
    ck_assert_int_eq(p.rc, -ESHUTDOWN);
    /* What was put before still comes out; then the error. */
    void *item;
    ck_assert_int_eq(aw_queue_try_get(full, &item), 0);
    ck_assert_int_eq(NUMBER(item), 1);
    ck_assert_int_eq(aw_queue_try_get(full, &item), -ESHUTDOWN);
    ck_assert_int_eq(aw_queue_try_put(full, item), -ESHUTDOWN);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "'full' was shut down"));
    aw_task_release(tg);
    aw_task_release(tp);
    ck_assert_int_eq(aw_queue_free(empty), 0);
    ck_assert_int_eq(aw_queue_free(full), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void shut_down_now(void *q)
{
    aw_queue_shutdown(q, true);
}

START_TEST(immediate_shutdown_drops_the_items_and_releases_join)
{
    aw_loop *loop = virtual_loop();
    aw_queue *q = aw_queue_new(loop, "jobs", 0);
    for (int i = 0; i < 3; i++)
        aw_queue_try_put(q, ITEM(i));
    aw_task *joiner = aw_task_create(loop, join_queue, q, "joiner");
    aw_call_later(loop, 1.0, shut_down_now, q);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(joiner)),
                     0);
    ck_assert_double_eq_tol(aw_loop_time(loop), 1.0, 1e-9);
    ck_assert(aw_queue_empty(q));
    aw_task_release(joiner);
    ck_assert_int_eq(aw_queue_free(q), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* A put waiting on a full queue is described as such, and a lone
 * consumer-less join is a deadlock that names the queue. */
START_TEST(waiting_on_a_queue_is_named)
{
    aw_loop *loop = virtual_loop();
    aw_queue *q = aw_queue_new(loop, "jobs", 1);
    aw_queue_try_put(q, ITEM(1));
    getter p = {q, 1, 2};
    aw_task *tp = aw_task_create(loop, put_one, &p, "putter");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(tp)),
                     AW_EDEADLOCK);
    char what[160];
    aw_task_describe_awaiting(tp, what, sizeof what);
    ck_assert_str_eq(what, "queue 'jobs' full (put, 1 of 1)");
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "queue 'jobs' full"));
    ck_assert_int_eq(aw_queue_free(q), AW_EMISUSE);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    ck_assert_int_eq(p.rc, AW_ECANCELLED);
    aw_task_release(tp);
    ck_assert_int_eq(aw_queue_free(q), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("queue");
    TCase *tc = tcase_create("queue");
    tcase_add_test(tc, each_kind_gives_items_back_in_its_order);
    tcase_add_test(tc, equal_priorities_come_out_in_put_order);
    tcase_add_test(tc, a_bounded_queue_holds_the_producer_back);
    tcase_add_test(tc, an_item_for_a_cancelled_get_goes_to_the_next);
    tcase_add_test(tc, shutdown_wakes_waiters_with_an_error);
    tcase_add_test(tc, immediate_shutdown_drops_the_items_and_releases_join);
    tcase_add_test(tc, waiting_on_a_queue_is_named);
    suite_add_tcase(s, tc);
    return s;
}
