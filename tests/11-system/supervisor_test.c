/*
 * Grader for 11-system/supervisor: real child processes (sh), counted
 * through a file each run appends its pid to; a stop signal raised once
 * the child runs; afterwards every child reaped, no handler left and the
 * signals unblocked. On every backend.
 */
// grade-exports: supervise
#include "check_main.h"

#include "aw.h"
#include "each_backend.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int starts;
    int last_status;
    bool stopped;
} supervisor_report;

int supervise(const char *command, int max_restarts, supervisor_report *report);

static char dir[64], pids_path[128], command[512];

static void make_dir(void)
{
    strcpy(dir, "/tmp/aw-supervisor-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(pids_path, sizeof pids_path, "%s/pids", dir);
}

static void remove_dir(void)
{
    char path[128];
    unlink(pids_path);
    snprintf(path, sizeof path, "%s/count", dir);
    unlink(path);
    rmdir(dir);
}

/* The pids the runs wrote so far. */
static int read_pids(pid_t *pids, int max)
{
    FILE *f = fopen(pids_path, "r");
    int n = 0;
    if (!f)
        return 0;
    long p;
    while (n < max && fscanf(f, "%ld", &p) == 1)
        pids[n++] = (pid_t)p;
    fclose(f);
    return n;
}

typedef struct {
    const char *before; /* shell code run before the pid is written */
    const char *body;   /* shell code; $D is the test's directory */
    int max_restarts;
    int stop_signal; /* raised once a child runs; 0: none */
    /* what must come out, on every backend */
    int want_rc, want_starts, want_status;
    bool want_stopped;
    int rc;
    supervisor_report report;
    bool done;
} run;

static void *supervisor_task(void *arg)
{
    run *r = arg;
    r->report = (supervisor_report){-1, -1, true};
    r->rc = supervise(command, r->max_restarts, &r->report);
    r->done = true;
    return NULL;
}

/* Raise the stop signal as soon as a child has written its pid. */
static void *signaller(void *arg)
{
    run *r = arg;
    pid_t pids[4];
    while (!r->done && read_pids(pids, 4) == 0)
        if (aw_sleep(0.005) != 0)
            return NULL;
    if (!r->done)
        raise(r->stop_signal);
    return NULL;
}

static bool blocked(int signo)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, signo);
}

static run *current;

static void run_on(aw_backend_kind kind)
{
    run *r = current;
    make_dir();
    /* The pid is written after `before`, so that a stop signal raised
     * once it is there finds the child ready (a trap already set). */
    snprintf(command, sizeof command, "D=%s; %secho $$ >> $D/pids; %s", dir,
             r->before ? r->before : "", r->body);
    r->done = false;
    aw_loop *loop = loop_on(kind, false);
    int fds = open_fds();
    aw_task *t = aw_task_create(loop, supervisor_task, r, "supervisor");
    aw_task *s =
        r->stop_signal ? aw_task_create(loop, signaller, r, "signaller") : NULL;
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    ck_assert_msg(rc == 0, "[%s] the task calling supervise failed: %s",
                  backend_now, aw_strerror(rc));
    if (s) {
        aw_loop_run_until_complete(loop, aw_task_future(s));
        aw_task_release(s);
    }
    aw_task_release(t);
    pid_t pids[32];
    int n = read_pids(pids, 32);
    for (int i = 0; i < n; i++)
        ck_assert_msg(kill(pids[i], 0) != 0 && errno == ESRCH,
                      "[%s] child %d (run %d) is still there after supervise "
                      "returned (running, or a zombie): stop it and wait "
                      "for it, then free it",
                      backend_now, (int)pids[i], i + 1);
    ck_assert_msg(r->report.starts == n,
                  "[%s] report->starts is %d, but the command ran %d "
                  "time(s)",
                  backend_now, r->report.starts, n);
    ck_assert_msg(aw_remove_signal_handler(loop, SIGTERM) == AW_ESTATE &&
                      aw_remove_signal_handler(loop, SIGINT) == AW_ESTATE,
                  "[%s] a signal handler is left after supervise returned",
                  backend_now);
    ck_assert_msg(!blocked(SIGTERM) && !blocked(SIGINT),
                  "[%s] SIGTERM or SIGINT is still blocked after supervise "
                  "returned: remove the handlers",
                  backend_now);
    ck_assert_msg(r->rc == r->want_rc,
                  "[%s] supervise returned %d (%s), expected %d (%s)",
                  backend_now, r->rc, aw_strerror(r->rc), r->want_rc,
                  aw_strerror(r->want_rc));
    ck_assert_msg(r->report.starts == r->want_starts,
                  "[%s] the command was started %d time(s), expected %d",
                  backend_now, r->report.starts, r->want_starts);
    ck_assert_msg(r->report.last_status == r->want_status,
                  "[%s] report->last_status is %d, expected %d", backend_now,
                  r->report.last_status, r->want_status);
    ck_assert_msg(r->report.stopped == r->want_stopped,
                  "[%s] report->stopped is %s, expected %s", backend_now,
                  r->report.stopped ? "true" : "false",
                  r->want_stopped ? "true" : "false");
    expect_loop_clean(loop, "supervise");
    ck_assert_msg(open_fds() == fds, "[%s] %d descriptor(s) left open",
                  backend_now, open_fds() - fds);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    remove_dir();
}

static void check(run *r)
{
    current = r;
    each_backend(run_on);
}

START_TEST(succeeds_at_once)
{
    run r = {.body = "exit 0", .max_restarts = 3};
    r.want_rc = 0;
    r.want_starts = 1;
    r.want_status = 0;
    r.want_stopped = false;
    check(&r);
}
END_TEST

START_TEST(restarts_until_it_succeeds)
{
    /* Fails twice, then succeeds: the count lives in a file. */
    run r = {.body = "n=$(cat $D/count 2>/dev/null || echo 0); "
                     "echo $((n + 1)) > $D/count; [ $n -ge 2 ]",
             .max_restarts = 5};
    r.want_rc = 0;
    r.want_starts = 3;
    r.want_status = 0;
    r.want_stopped = false;
    check(&r);
}
END_TEST

START_TEST(gives_up_after_max_restarts)
{
    run r = {.body = "exit 7", .max_restarts = 2};
    r.want_rc = AW_ELIMIT;
    r.want_starts = 3;
    r.want_status = 7;
    r.want_stopped = false;
    check(&r);
}
END_TEST

START_TEST(no_restarts_allowed)
{
    run r = {.body = "exit 1", .max_restarts = 0};
    r.want_rc = AW_ELIMIT;
    r.want_starts = 1;
    r.want_status = 1;
    r.want_stopped = false;
    check(&r);
}
END_TEST

START_TEST(a_crash_counts_as_a_failure)
{
    run r = {.body = "kill -SEGV $$", .max_restarts = 1};
    r.want_rc = AW_ELIMIT;
    r.want_starts = 2;
    r.want_status = -SIGSEGV;
    r.want_stopped = false;
    check(&r);
}
END_TEST

START_TEST(sigterm_stops_the_child)
{
    run r = {
        .body = "exec sleep 30", .max_restarts = 3, .stop_signal = SIGTERM};
    r.want_rc = 0;
    r.want_starts = 1;
    r.want_status = -SIGTERM;
    r.want_stopped = true;
    check(&r);
}
END_TEST

START_TEST(sigint_stops_it_too)
{
    run r = {.body = "exec sleep 30", .max_restarts = 3, .stop_signal = SIGINT};
    r.want_rc = 0;
    r.want_starts = 1;
    r.want_status = -SIGTERM;
    r.want_stopped = true;
    check(&r);
}
END_TEST

START_TEST(a_child_that_ignores_sigterm_is_killed)
{
    run r = {.before = "trap '' TERM; ",
             .body = "exec sleep 30",
             .max_restarts = 3,
             .stop_signal = SIGTERM};
    r.want_rc = 0;
    r.want_starts = 1;
    r.want_status = -SIGKILL;
    r.want_stopped = true;
    check(&r);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("supervisor");
    TCase *tc = tcase_create("supervise");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, succeeds_at_once);
    tcase_add_test(tc, restarts_until_it_succeeds);
    tcase_add_test(tc, gives_up_after_max_restarts);
    tcase_add_test(tc, no_restarts_allowed);
    tcase_add_test(tc, a_crash_counts_as_a_failure);
    tcase_add_test(tc, sigterm_stops_the_child);
    tcase_add_test(tc, sigint_stops_it_too);
    suite_add_tcase(s, tc);
    /* One second of grace per backend: a stop that never kills the child
     * runs out of this case's shorter time. */
    TCase *grace = tcase_create("grace");
    tcase_set_timeout(grace, 10);
    tcase_add_test(grace, a_child_that_ignores_sigterm_is_killed);
    suite_add_tcase(s, grace);
    return s;
}
