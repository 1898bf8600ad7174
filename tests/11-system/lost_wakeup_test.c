/*
 * Grader for 11-system/lost_wakeup: the job's result comes back, the job
 * runs while the loop is free, nothing touches the loop from the job's
 * thread, and afterwards no thread is left and the loop no longer waits
 * for other threads. On every backend.
 */
// grade-exports: run_in_thread
// grade-ldflags: -Wl,--wrap=aw_future_set_result
// grade-ldflags: -Wl,--wrap=aw_future_set_error -Wl,--wrap=aw_call_soon
// grade-ldflags: -Wl,--wrap=aw_future_cancel
#include "check_main.h"

#include "aw.h"
#include "each_backend.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

int run_in_thread(aw_loop *loop, int (*job)(void *arg), void *arg, int *result);

/* ---- who touches the loop ----------------------------------------------- */

static pthread_t loop_thread;
static atomic_int foreign_calls; /* loop calls made from another thread */
static const char *foreign_what;

static void note_caller(const char *what)
{
    if (!pthread_equal(pthread_self(), loop_thread)) {
        atomic_fetch_add(&foreign_calls, 1);
        foreign_what = what;
    }
}

int __real_aw_future_set_result(aw_future *f, void *result);
int __wrap_aw_future_set_result(aw_future *f, void *result)
{
    note_caller("aw_future_set_result");
    return __real_aw_future_set_result(f, result);
}

int __real_aw_future_set_error(aw_future *f, int code, const char *msg);
int __wrap_aw_future_set_error(aw_future *f, int code, const char *msg)
{
    note_caller("aw_future_set_error");
    return __real_aw_future_set_error(f, code, msg);
}

int __real_aw_call_soon(aw_loop *loop, aw_callback fn, void *arg);
int __wrap_aw_call_soon(aw_loop *loop, aw_callback fn, void *arg)
{
    note_caller("aw_call_soon");
    return __real_aw_call_soon(loop, fn, arg);
}

bool __real_aw_future_cancel(aw_future *f);
bool __wrap_aw_future_cancel(aw_future *f)
{
    note_caller("aw_future_cancel");
    return __real_aw_future_cancel(f);
}

/* ---- the jobs ------------------------------------------------------------ */

static atomic_int beats; /* heartbeats of the loop so far */
static atomic_bool job_saw_loop_free;

static void nap(void)
{
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
}

/* Blocks until the loop has beaten twice (at most about 5 s). */
static int patient_job(void *arg)
{
    for (int i = 0; i < 5000 && atomic_load(&beats) < 2; i++)
        nap();
    atomic_store(&job_saw_loop_free, atomic_load(&beats) >= 2);
    return (int)(intptr_t)arg;
}

static int threads_now(void)
{
    DIR *dir = opendir("/proc/self/task");
    ck_assert_ptr_nonnull(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));)
        n += e->d_name[0] != '.';
    closedir(dir);
    return n;
}

typedef struct {
    intptr_t give;
    int rc, result;
    bool done;
} call;

static void *caller(void *arg)
{
    call *c = arg;
    c->rc = run_in_thread(aw_running_loop(), patient_job, (void *)c->give,
                          &c->result);
    c->done = true;
    return NULL;
}

static void *heartbeat(void *arg)
{
    call *c = arg;
    while (!c->done) {
        if (aw_sleep(0.005) != 0)
            break;
        atomic_fetch_add(&beats, 1);
    }
    return NULL;
}

static void run_one(aw_backend_kind kind, intptr_t give)
{
    aw_loop *loop = loop_on(kind, false);
    loop_thread = pthread_self();
    atomic_store(&beats, 0);
    atomic_store(&foreign_calls, 0);
    atomic_store(&job_saw_loop_free, false);
    int threads_before = threads_now();
    call c = {.give = give, .rc = 1};
    aw_task *t = aw_task_create(loop, caller, &c, "caller");
    aw_task *h = aw_task_create(loop, heartbeat, &c, "heartbeat");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    ck_assert_msg(rc != AW_EDEADLOCK,
                  "[%s] the loop reported a deadlock while the job still "
                  "ran: nothing told it that another thread would wake it",
                  backend_now);
    ck_assert_msg(atomic_load(&foreign_calls) == 0,
                  "[%s] %s was called from the job's thread: only the "
                  "loop's own thread may touch the loop and its futures",
                  backend_now, foreign_what);
    ck_assert_msg(rc == 0 && c.rc == 0,
                  "[%s] run_in_thread returned %d (%s), expected 0",
                  backend_now, c.rc, aw_strerror(c.rc));
    ck_assert_msg(c.result == (int)give,
                  "[%s] *result is %d, expected the job's return value %d",
                  backend_now, c.result, (int)give);
    ck_assert_msg(atomic_load(&job_saw_loop_free),
                  "[%s] the loop did not run while the job ran: the job "
                  "must run in a thread of its own",
                  backend_now);
    ck_assert_msg(threads_now() == threads_before,
                  "[%s] %d thread(s) left after run_in_thread returned: "
                  "join the thread",
                  backend_now, threads_now() - threads_before);
    aw_loop_run_until_complete(loop, aw_task_future(h));
    aw_task_release(t);
    aw_task_release(h);
    /* Nothing may be left: a channel still open would keep the loop
     * waiting for threads that are gone (it counts as a watched fd). */
    aw_loop_stats st;
    aw_loop_get_stats(loop, &st);
    ck_assert_msg(st.watched_fds == 0,
                  "[%s] after run_in_thread, the loop still waits for other "
                  "threads: close what you opened (aw_loop_threadsafe_close)",
                  backend_now);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}

static int quick_job(void *arg)
{
    struct timespec t = {0, 30 * 1000000}; /* the loop is waiting by then */
    nanosleep(&t, NULL);
    return (int)(intptr_t)arg;
}

static void *call_quick(void *arg)
{
    call *c = arg;
    c->rc = run_in_thread(aw_running_loop(), quick_job, (void *)c->give,
                          &c->result);
    return NULL;
}

/* Only the thread can wake the loop: no heartbeat keeps it busy. */
static void waits_for_the_thread_alone_on(aw_backend_kind kind)
{
    aw_loop *loop = loop_on(kind, false);
    loop_thread = pthread_self();
    atomic_store(&foreign_calls, 0);
    call c = {.give = 5, .rc = 1};
    aw_task *t = aw_task_create(loop, call_quick, &c, "caller");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    ck_assert_msg(rc != AW_EDEADLOCK,
                  "[%s] the loop reported a deadlock while the job ran: "
                  "it must be told that another thread will call in "
                  "(aw_loop_threadsafe_open)",
                  backend_now);
    ck_assert_msg(atomic_load(&foreign_calls) == 0,
                  "[%s] %s was called from the job's thread: only the "
                  "loop's own thread may touch the loop and its futures",
                  backend_now, foreign_what);
    ck_assert_msg(rc == 0 && c.rc == 0 && c.result == 5,
                  "[%s] run_in_thread returned %d (%s) with result %d, "
                  "expected 0 and 5",
                  backend_now, c.rc, aw_strerror(c.rc), c.result);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}

static void returns_the_result_on(aw_backend_kind kind)
{
    run_one(kind, 7);
}

static void returns_an_error_code_on(aw_backend_kind kind)
{
    run_one(kind, -EIO);
}

START_TEST(waits_for_the_thread_alone)
{
    each_backend(waits_for_the_thread_alone_on);
}
END_TEST

START_TEST(returns_the_jobs_result)
{
    each_backend(returns_the_result_on);
}
END_TEST

START_TEST(returns_a_negative_result_too)
{
    each_backend(returns_an_error_code_on);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("lost_wakeup");
    TCase *tc = tcase_create("run_in_thread");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, waits_for_the_thread_alone);
    tcase_add_test(tc, returns_the_jobs_result);
    tcase_add_test(tc, returns_a_negative_result_too);
    suite_add_tcase(s, tc);
    return s;
}
