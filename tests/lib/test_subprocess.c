/*
 * test_subprocess.c - child processes: output and exit status, a large
 * communicate that would deadlock if done one pipe at a time, a
 * cancelled wait that leaves the child running, and no zombie ever,
 * through a pidfd and through the SIGCHLD fallback (AW_NO_PIDFD=1).
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw.h"
#include "backend_skip.h"
#include "net_helpers.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Is pid gone from the process table (reaped, not a zombie)? */
static bool reaped(pid_t pid)
{
    return kill(pid, 0) != 0 && errno == ESRCH;
}

typedef struct {
    aw_subprocess *proc;
    char *input;
    size_t inlen;
    char *out, *err;
    size_t outlen, errlen;
    int status;
} talk;

static void *communicate_task(void *arg)
{
    talk *t = arg;
    int rc =
        aw_subprocess_communicate(t->proc, t->input, t->inlen, &t->out,
                                  &t->outlen, &t->err, &t->errlen, &t->status);
    TASK_ASSERT(rc == 0, "communicate: %s", aw_last_error());
    return NULL;
}

static const aw_subprocess_options all_pipes = {
    .in = AW_STDIO_PIPE, .out = AW_STDIO_PIPE, .err = AW_STDIO_PIPE};

START_TEST(output_and_exit_status)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    talk t = {0};
    ck_assert_int_eq(aw_subprocess_shell(loop, "echo out; echo err >&2; exit 3",
                                         &all_pipes, &t.proc),
                     0);
    expect_task_ok(loop, communicate_task, &t);
    ck_assert_str_eq(t.out, "out\n");
    ck_assert_str_eq(t.err, "err\n");
    ck_assert_int_eq(t.status, 3);
    pid_t pid = aw_subprocess_pid(t.proc);
    ck_assert(reaped(pid));
    free(t.out);
    free(t.err);
    aw_subprocess_free(t.proc);
    close_loop_check_fds(loop, before);
}
END_TEST

START_TEST(large_communicate_does_not_deadlock)
{
    aw_loop *loop = new_loop();
    talk t = {.inlen = 4u << 20}; /* far more than a socket buffer */
    t.input = malloc(t.inlen);
    for (size_t i = 0; i < t.inlen; i++)
        t.input[i] = (char)('a' + i % 26);
    char *argv[] = {"cat", NULL};
    ck_assert_int_eq(aw_subprocess_exec(loop, argv, &all_pipes, &t.proc), 0);
    expect_task_ok(loop, communicate_task, &t);
    ck_assert_uint_eq(t.outlen, t.inlen);
    ck_assert(memcmp(t.out, t.input, t.inlen) == 0);
    ck_assert_int_eq(t.status, 0);
    free(t.input);
    free(t.out);
    free(t.err);
    aw_subprocess_free(t.proc);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(missing_program_is_enoent)
{
    aw_loop *loop = new_loop();
    aw_subprocess *p = (aw_subprocess *)1;
    char *argv[] = {"aw-no-such-program", NULL};
    ck_assert_int_eq(aw_subprocess_exec(loop, argv, NULL, &p), -ENOENT);
    ck_assert_ptr_null(p);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "aw-no-such-program"));
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

typedef struct {
    aw_subprocess *proc;
    int rc;
    int status;
} waiting;

static void *wait_task(void *arg)
{
    waiting *w = arg;
    w->rc = aw_subprocess_wait(w->proc, &w->status);
    return NULL;
}

/* A cancelled wait leaves the child running; terminate then ends it. */
static void *cancel_a_wait_then_terminate(void *arg)
{
    waiting *w = arg;
    aw_task *waiter = aw_task_create(aw_running_loop(), wait_task, w, "waiter");
    aw_sleep(0.05);
    char what[100], want[100];
    aw_task_describe_awaiting(waiter, what, sizeof what);
    snprintf(want, sizeof want, "child process %d to exit",
             (int)aw_subprocess_pid(w->proc));
    TASK_ASSERT(strcmp(what, want) == 0, "introspection says \"%s\"", what);
    aw_task_cancel(waiter);
    aw_await(aw_task_future(waiter), NULL);
    aw_task_release(waiter);
    TASK_ASSERT(w->rc == AW_ECANCELLED, "the first wait returned %d", w->rc);
    pid_t pid = aw_subprocess_pid(w->proc);
    TASK_ASSERT(!reaped(pid), "the child should still run");
    TASK_ASSERT(aw_subprocess_terminate(w->proc) == 0, "terminate: %s",
                aw_last_error());
    w->rc = aw_subprocess_wait(w->proc, &w->status);
    TASK_ASSERT(w->rc == 0, "the second wait: %s", aw_last_error());
    TASK_ASSERT(reaped(pid), "the child was not reaped");
    return NULL;
}

static void cancelled_wait_then_terminate(void)
{
    aw_loop *loop = new_loop();
    char *argv[] = {"sleep", "30", NULL};
    waiting w = {0};
    ck_assert_int_eq(aw_subprocess_exec(loop, argv, NULL, &w.proc), 0);
    expect_task_ok(loop, cancel_a_wait_then_terminate, &w);
    ck_assert_int_eq(w.status, -SIGTERM);
    aw_subprocess_free(w.proc);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}

START_TEST(cancelled_wait_leaves_the_child)
{
    cancelled_wait_then_terminate();
}
END_TEST

START_TEST(cancelled_wait_leaves_the_child_sigchld)
{
    setenv("AW_NO_PIDFD", "1", 1);
    cancelled_wait_then_terminate();
    unsetenv("AW_NO_PIDFD"); /* valgrind runs every test in one process */
}
END_TEST

static void stop_soon(void *loop)
{
    aw_loop_stop(loop);
}

/* A child that exits while nobody waits is reaped by the loop, and one
 * still running when its object is freed is killed and reaped. */
static void no_zombies(void)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    char *quick[] = {"true", NULL}, *slow[] = {"sleep", "30", NULL};
    aw_subprocess *a, *b;
    ck_assert_int_eq(aw_subprocess_exec(loop, quick, NULL, &a), 0);
    ck_assert_int_eq(aw_subprocess_exec(loop, slow, NULL, &b), 0);
    pid_t pa = aw_subprocess_pid(a), pb = aw_subprocess_pid(b);
    for (int i = 0; i < 200 && !reaped(pa); i++) {
        aw_call_later(loop, 0.01, stop_soon, loop);
        aw_loop_run_forever(loop);
    }
    ck_assert_msg(reaped(pa), "the exited child was not reaped");
    int status = 99;
    ck_assert_int_eq(aw_subprocess_returncode(a, &status), 0);
    ck_assert_int_eq(status, 0);
    ck_assert_int_eq(aw_subprocess_returncode(b, &status), AW_ESTATE);
    aw_subprocess_free(b);
    ck_assert(reaped(pb));
    aw_subprocess_free(a);
    close_loop_check_fds(loop, before);
}

START_TEST(no_zombies_pidfd)
{
    no_zombies();
}
END_TEST

START_TEST(no_zombies_sigchld)
{
    setenv("AW_NO_PIDFD", "1", 1);
    no_zombies();
    unsetenv("AW_NO_PIDFD");
}
END_TEST

START_TEST(closing_the_loop_kills_its_children)
{
    aw_loop *loop = new_loop();
    char *slow[] = {"sleep", "30", NULL};
    aw_subprocess *p;
    ck_assert_int_eq(aw_subprocess_exec(loop, slow, NULL, &p), 0);
    pid_t pid = aw_subprocess_pid(p);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert(reaped(pid));
    int status = 0;
    ck_assert_int_eq(aw_subprocess_returncode(p, &status), 0);
    ck_assert_int_eq(status, -SIGKILL);
    aw_subprocess_free(p);
}
END_TEST

static void *wait_on_other_loop(void *arg)
{
    waiting *w = arg;
    w->rc = aw_subprocess_wait(w->proc, NULL);
    return NULL;
}

START_TEST(another_loops_process_is_misuse)
{
    aw_loop *loop = new_loop(), *other = new_loop();
    char *argv[] = {"true", NULL};
    waiting w = {0};
    ck_assert_int_eq(aw_subprocess_exec(loop, argv, NULL, &w.proc), 0);
    expect_task_ok(other, wait_on_other_loop, &w);
    ck_assert_int_eq(w.rc, AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "another loop"));
    aw_subprocess_free(w.proc);
    ck_assert_int_eq(aw_loop_close(other), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("subprocess");
    TCase *tc = tcase_create("subprocess");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, output_and_exit_status);
    tcase_add_test(tc, large_communicate_does_not_deadlock);
    tcase_add_test(tc, missing_program_is_enoent);
    tcase_add_test(tc, cancelled_wait_leaves_the_child);
    tcase_add_test(tc, cancelled_wait_leaves_the_child_sigchld);
    tcase_add_test(tc, no_zombies_pidfd);
    tcase_add_test(tc, no_zombies_sigchld);
    tcase_add_test(tc, closing_the_loop_kills_its_children);
    tcase_add_test(tc, another_loops_process_is_misuse);
    suite_add_tcase(s, tc);
    return s;
}
