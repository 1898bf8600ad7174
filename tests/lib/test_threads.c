/*
 * test_threads.c - other threads and the loop: aw_to_thread's result and
 * error, the loop running while a job blocks, a cancelled wait that does
 * not stop the thread, aw_call_soon_threadsafe waking a waiting loop,
 * closing that waits for the executor, and misuse.
 *
 * The case "callbacks" uses no task (a task switches stacks, which
 * ThreadSanitizer cannot follow): `make test-lib-tsan` runs it under
 * ThreadSanitizer, where every promise about threads is checked.
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw.h"
#include "backend_skip.h"
#include "net_helpers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A gate a job waits at until another thread opens it. */
typedef struct {
    atomic_bool open;
    atomic_int entered, finished;
} gate;

static void pause_briefly(void)
{
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
}

static int wait_at_gate(void *arg, void **result)
{
    gate *g = arg;
    atomic_fetch_add(&g->entered, 1);
    while (!atomic_load(&g->open))
        pause_briefly(); /* a blocking call, as a library's would be */
    atomic_fetch_add(&g->finished, 1);
    *result = (void *)(intptr_t)42;
    return 0;
}

static int square(void *arg, void **result)
{
    intptr_t n = (intptr_t)arg;
    *result = (void *)(n * n);
    return 0;
}

static int refuse(void *arg, void **result)
{
    (void)arg;
    (void)result;
    return -EACCES;
}

/* ---- without tasks (also run under ThreadSanitizer) ---------------- */

START_TEST(result_and_error_come_back)
{
    aw_loop *loop = new_loop();
    aw_future *f = aw_to_thread(loop, square, (void *)(intptr_t)7);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, f), 0);
    ck_assert_int_eq((intptr_t)aw_future_result(f), 49);
    aw_future_release(f);
    aw_future *g = aw_to_thread(loop, refuse, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, g), -EACCES);
    aw_future_release(g);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Runs in the loop while the job blocks: only then is the gate opened. */
static void open_gate(void *arg)
{
    atomic_store(&((gate *)arg)->open, true);
}

static void open_when_entered(void *arg)
{
    gate *g = arg;
    aw_loop *loop = aw_running_loop();
    if (atomic_load(&g->entered) == 0)
        aw_call_later(loop, 0.001, open_when_entered, g); /* not yet */
    else
        aw_call_soon(loop, open_gate, g);
}

START_TEST(loop_runs_while_a_job_blocks)
{
    aw_loop *loop = new_loop();
    gate g = {0};
    aw_future *f = aw_to_thread(loop, wait_at_gate, &g);
    aw_call_soon(loop, open_when_entered, &g);
    /* Were the loop blocked by the job, the gate would never open. */
    ck_assert_int_eq(aw_loop_run_until_complete(loop, f), 0);
    ck_assert_int_eq(atomic_load(&g.finished), 1);
    ck_assert_int_eq((intptr_t)aw_future_result(f), 42);
    aw_future_release(f);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(more_jobs_than_workers)
{
    aw_loop *loop = new_loop();
    enum { N = 100 };
    aw_future *fs[N];
    for (intptr_t i = 0; i < N; i++)
        fs[i] = aw_to_thread(loop, square, (void *)i);
    aw_future *all = aw_gather(loop, fs, N);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), 0);
    for (intptr_t i = 0; i < N; i++) {
        ck_assert_int_eq((intptr_t)aw_future_result(fs[i]), i * i);
        aw_future_release(fs[i]);
    }
    aw_future_release(all);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

typedef struct {
    aw_loop *loop;
    atomic_int calls;
} wake;

static void stop_loop(void *arg)
{
    wake *w = arg;
    atomic_fetch_add(&w->calls, 1);
    aw_loop_stop(w->loop);
}

static void *call_in_later(void *arg)
{
    struct timespec t = {0, 20 * 1000000};
    nanosleep(&t, NULL); /* the loop is waiting by now, most likely */
    aw_call_soon_threadsafe(((wake *)arg)->loop, stop_loop, arg);
    return NULL;
}

START_TEST(call_soon_threadsafe_wakes_the_loop)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    wake w = {.loop = loop};
    ck_assert_int_eq(aw_call_soon_threadsafe(loop, stop_loop, &w),
                     AW_EMISUSE); /* no channel yet */
    ck_assert_int_eq(aw_loop_threadsafe_open(loop), 0);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, call_in_later, &w), 0);
    /* Nothing else to wait for: only the other thread can end this. */
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    pthread_join(th, NULL);
    ck_assert_int_eq(atomic_load(&w.calls), 1);
    ck_assert_int_eq(aw_loop_threadsafe_close(loop), 0);
    ck_assert_int_eq(aw_loop_threadsafe_close(loop), AW_ESTATE);
    close_loop_check_fds(loop, before);
}
END_TEST

static void *open_after_a_while(void *arg)
{
    struct timespec t = {0, 50 * 1000000};
    nanosleep(&t, NULL);
    atomic_store(&((gate *)arg)->open, true);
    return NULL;
}

START_TEST(closing_waits_for_the_executor)
{
    aw_loop *loop = new_loop();
    gate g = {0};
    aw_future *f = aw_to_thread(loop, wait_at_gate, &g);
    aw_future_release(f); /* nobody waits for it */
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, open_after_a_while, &g), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_int_eq(atomic_load(&g.finished), 1); /* close waited */
    pthread_join(th, NULL);
}
END_TEST

START_TEST(shut_down_executor_takes_no_jobs)
{
    aw_loop *loop = new_loop();
    aw_future *f = aw_to_thread(loop, square, (void *)(intptr_t)3);
    ck_assert_int_eq(aw_loop_shutdown_executor(loop), 0);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, f), 0); /* it ran */
    aw_future_release(f);
    ck_assert_ptr_null(aw_to_thread(loop, square, NULL));
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "shut down"));
    ck_assert_ptr_null(aw_to_thread(loop, NULL, NULL));
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* ---- with tasks -------------------------------------------------------- */

typedef struct {
    gate g;
    int rc;
} cancelled_job;

static void *await_job(void *arg)
{
    cancelled_job *c = arg;
    aw_future *f = aw_to_thread(aw_running_loop(), wait_at_gate, &c->g);
    c->rc = aw_await(f, NULL);
    aw_future_release(f);
    return NULL;
}

static void *cancel_then_open(void *arg)
{
    cancelled_job *c = arg;
    aw_task *t = aw_task_create(aw_running_loop(), await_job, c, "awaiter");
    while (atomic_load(&c->g.entered) == 0)
        aw_sleep(0.001);
    char what[100];
    aw_task_describe_awaiting(t, what, sizeof what);
    TASK_ASSERT(strstr(what, "worker thread") != NULL,
                "introspection says \"%s\"", what);
    aw_task_cancel(t);
    aw_await(aw_task_future(t), NULL);
    aw_task_release(t);
    TASK_ASSERT(c->rc == AW_ECANCELLED, "the await returned %d", c->rc);
    TASK_ASSERT(atomic_load(&c->g.finished) == 0,
                "the job finished before its gate opened");
    atomic_store(&c->g.open, true); /* the thread still runs: let it end */
    return NULL;
}

START_TEST(cancelling_the_awaiter_does_not_stop_the_thread)
{
    aw_loop *loop = new_loop();
    cancelled_job c = {0};
    expect_task_ok(loop, cancel_then_open, &c);
    ck_assert_int_eq(aw_loop_close(loop), 0); /* waits for the thread */
    ck_assert_int_eq(atomic_load(&c.g.finished), 1);
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("callbacks");
    tcase_add_test(tc, result_and_error_come_back);
    tcase_add_test(tc, loop_runs_while_a_job_blocks);
    tcase_add_test(tc, more_jobs_than_workers);
    tcase_add_test(tc, call_soon_threadsafe_wakes_the_loop);
    tcase_add_test(tc, closing_waits_for_the_executor);
    tcase_add_test(tc, shut_down_executor_takes_no_jobs);
    suite_add_tcase(s, tc);
    TCase *tasks = tcase_create("tasks");
    tcase_add_test(tasks, cancelling_the_awaiter_does_not_stop_the_thread);
    suite_add_tcase(s, tasks);
    return s;
}
