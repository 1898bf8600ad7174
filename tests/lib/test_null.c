/*
 * test_null.c - every public function, called with NULL.
 *
 * The calls are generated from lib/aw*.h at build time
 * (tests/lib/gen_null_test.py), so a function added to a header is
 * tested without anyone remembering to. Each is called with NULL for
 * every pointer argument, outside any loop and inside a task: it must
 * return (ASan and UBSan watch for a crash or a member access through
 * NULL), an int result must be an error (AW_EMISUSE, or the function's
 * documented one), and it must leave a message in aw_last_error(). The
 * few functions for which NULL is valid are listed, with what NULL means,
 * in gen_null_test.py.
 */
#include "runner.h"

#include "null_test.h"

#include <string.h>

void null_test_before(const char *name)
{
    /* A message from another function, to tell a new one from it. */
    if (strcmp(name, "aw_timer_cancel") != 0)
        aw_timer_cancel(NULL, 0);
    else
        aw_loop_stop(NULL);
}

static const char *sentinel_of(const char *name)
{
    return strcmp(name, "aw_timer_cancel") != 0 ? "aw_timer_cancel"
                                                : "aw_loop_stop";
}

void null_test_after(const char *name, int accepts, int has_rc, long long rc)
{
    if (accepts)
        return;
    /* A message of its own (a few name the internal call that refused,
     * e.g. aw_subprocess_kill's names aw_subprocess_send_signal). */
    const char *message = aw_last_error();
    ck_assert_msg(
        strncmp(message, sentinel_of(name), strlen(sentinel_of(name))) != 0,
        "%s with NULL arguments left no message of its own; "
        "aw_last_error() is still '%s'",
        name, message);
    if (has_rc)
        ck_assert_msg(rc < 0,
                      "%s with NULL arguments returned %lld, not an error",
                      name, rc);
}

/* One process for all the calls: a fork per call would cost most of a
 * second each (LeakSanitizer's exit scan), and a crash still names the
 * function in its stack trace. */
START_TEST(null_arguments_outside_a_loop)
{
    for (const null_test_case *c = null_test_cases; c->name; c++)
        c->call();
}
END_TEST

static void *call_all_in_task(void *arg)
{
    (void)arg;
    for (const null_test_case *c = null_test_cases; c->name; c++)
        c->call();
    return NULL;
}

START_TEST(null_arguments_inside_a_task)
{
    aw_loop *loop = aw_loop_new();
    ck_assert_ptr_nonnull(loop);
    aw_task *t = aw_task_create(loop, call_all_in_task, NULL, "caller");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    ck_assert_int_eq(aw_task_state_of(t), AW_TASK_DONE);
    aw_task_release(t);
    aw_loop_shutdown(loop);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("null");
    TCase *tc = tcase_create("null");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, null_arguments_outside_a_loop);
    tcase_add_test(tc, null_arguments_inside_a_task);
    suite_add_tcase(s, tc);
    return s;
}
