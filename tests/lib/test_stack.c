/*
 * test_stack.c - task stacks: their size, and the guard page below them.
 *
 * A task that overflows its stack touches the guard page; the library
 * names the task on stderr and the process dies of SIGSEGV. Those tests
 * need a process to die in, so they run only in Check's fork mode (the
 * valgrind run uses CK_FORK=no and leaves them out).
 */
#include "runner.h"

#include "aw.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { FRAME_BYTES = 1024 }; /* well under a page: the guard is not skipped */

/* Use about depth * FRAME_BYTES of stack. */
static int recurse(int depth)
{
    volatile char frame[FRAME_BYTES];
    frame[0] = (char)depth;
    frame[FRAME_BYTES - 1] = (char)depth;
    if (depth <= 0)
        return frame[0];
    return recurse(depth - 1) + frame[FRAME_BYTES - 1] - (char)depth;
}

static void *use_stack(void *arg)
{
    int depth = *(int *)arg;
    return (void *)(intptr_t)(recurse(depth) == 0 ? 1 : -1);
}

/* Run use_stack(depth) in a task on a loop with this stack size. */
static intptr_t run_deep_task(size_t stack_size, int depth, const char *name)
{
    aw_loop_options options = {.stack_size = stack_size};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_ptr_nonnull(loop);
    aw_task *t = aw_task_create(loop, use_stack, &depth, name);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    intptr_t result = (intptr_t)aw_task_result(t);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    return result;
}

START_TEST(default_stack_holds_a_moderate_recursion)
{
    ck_assert_int_eq(run_deep_task(0, 100, "moderate"), 1); /* ~100 KiB */
}
END_TEST

/* ~1 MiB of frames: far more than the default 256 KiB, so this passes
 * only if the stack_size option is honoured. */
START_TEST(stack_size_option_gives_a_bigger_stack)
{
    ck_assert_int_eq(run_deep_task(8 << 20, 1000, "roomy"), 1);
}
END_TEST

/* ---- overflow (fork mode only) --------------------------------------- */

static void *overflow(void *arg)
{
    (void)arg;
    recurse(1 << 20); /* 1 GiB of frames: cannot fit */
    return NULL;
}

/* Overflow a task named `name`; returns only if it did not crash. */
static void overflow_in_task(const char *name)
{
    /* Under the sanitizer build, ASan's SIGSEGV handler would report
     * and exit(1) after ours; the default action is what we test. */
    signal(SIGSEGV, SIG_DFL);
    aw_loop *loop = aw_loop_new();
    aw_task *t = aw_task_create(loop, overflow, NULL, name);
    aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    aw_loop_close(loop);
}

START_TEST(overflow_kills_the_process_with_sigsegv)
{
    overflow_in_task("deep");
}
END_TEST

START_TEST(overflow_names_the_task_on_stderr)
{
    int out[2];
    ck_assert_int_eq(pipe(out), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(out[1], STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        overflow_in_task("bottomless");
        _exit(0); /* no crash: the parent's checks fail */
    }
    close(out[1]);
    char text[4096];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof text - 1 &&
           (n = read(out[0], text + len, sizeof text - 1 - len)) > 0)
        len += (size_t)n;
    text[len] = '\0';
    close(out[0]);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
                  "child did not die of SIGSEGV (status %#x); stderr: %s",
                  status, text);
    ck_assert_msg(strstr(text, "stack overflow in task 'bottomless'") != NULL,
                  "stderr lacks the task's name: %s", text);
    ck_assert_msg(strstr(text, "test_stack.c:") != NULL,
                  "stderr lacks where the task was created: %s", text);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("stack");
    TCase *size = tcase_create("size");
    tcase_add_test(size, default_stack_holds_a_moderate_recursion);
    tcase_add_test(size, stack_size_option_gives_a_bigger_stack);
    suite_add_tcase(s, size);

    const char *fork_mode = getenv("CK_FORK");
    if (!fork_mode || strcmp(fork_mode, "no") != 0) {
        TCase *guard = tcase_create("guard");
        tcase_add_test_raise_signal(
            guard, overflow_kills_the_process_with_sigsegv, SIGSEGV);
        tcase_add_test(guard, overflow_names_the_task_on_stderr);
        suite_add_tcase(s, guard);
    }
    return s;
}
