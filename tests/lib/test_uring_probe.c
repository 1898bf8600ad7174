/*
 * test_uring_probe.c - when io_uring cannot run, the error names why.
 *
 * These tests need no working io_uring: they pretend, through
 * AW_URING_FORCE_UNAVAILABLE (read only by the probe), that
 * io_uring_setup failed the way it does without kernel support (ENOSYS),
 * under the sysctl kernel.io_uring_disabled, or under a container's
 * seccomp filter (EPERM). Check forks each test, so setenv stays in it.
 */
#include "runner.h"

#include "aw.h"

#include <stdlib.h>
#include <string.h>

/* Pretend io_uring_setup fails as `how`; check both ways of asking. */
static void check_cause(const char *how, const char *cause)
{
    ck_assert_int_eq(setenv("AW_URING_FORCE_UNAVAILABLE", how, 1), 0);

    char why[300];
    int rc = aw_backend_available(AW_BACKEND_IO_URING, why, sizeof why);
    ck_assert_int_eq(rc, AW_EUNAVAILABLE);
    ck_assert_msg(strstr(why, cause), "%s: cause '%s' not in: %s", how, cause,
                  why);

    aw_loop_options options = {.backend = AW_BACKEND_IO_URING};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_ptr_null(loop);
    const char *message = aw_last_error();
    ck_assert_msg(strstr(message, "io_uring unavailable"),
                  "message does not say io_uring is unavailable: %s", message);
    ck_assert_msg(strstr(message, cause), "%s: cause '%s' not in: %s", how,
                  cause, message);
}

START_TEST(no_kernel_support_is_named)
{
    check_cause("ENOSYS", "the kernel has no io_uring");
}
END_TEST

START_TEST(the_sysctl_is_named)
{
    check_cause("disabled", "kernel.io_uring_disabled = 2");
}
END_TEST

START_TEST(seccomp_is_named)
{
    check_cause("EPERM", "seccomp");
}
END_TEST

START_TEST(the_environment_picks_io_uring_and_fails_the_same_way)
{
    ck_assert_int_eq(setenv("AW_URING_FORCE_UNAVAILABLE", "EPERM", 1), 0);
    ck_assert_int_eq(setenv("AW_BACKEND", "io_uring", 1), 0);
    ck_assert_ptr_null(aw_loop_new());
    ck_assert_msg(strstr(aw_last_error(), "seccomp"), "message: %s",
                  aw_last_error());
}
END_TEST

START_TEST(other_backends_are_not_affected)
{
    ck_assert_int_eq(setenv("AW_URING_FORCE_UNAVAILABLE", "EPERM", 1), 0);
    aw_loop_options options = {.backend = AW_BACKEND_EPOLL};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "epoll: %s", aw_last_error());
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Without the variable, the probe and aw_loop_new agree: either both
 * work, or both fail with the same cause. */
START_TEST(probe_and_loop_agree)
{
    unsetenv("AW_URING_FORCE_UNAVAILABLE");
    char why[300];
    int rc = aw_backend_available(AW_BACKEND_IO_URING, why, sizeof why);
    aw_loop_options options = {.backend = AW_BACKEND_IO_URING};
    aw_loop *loop = aw_loop_new_with(&options);
    if (rc == 0) {
        ck_assert_msg(loop != NULL, "probe ok, loop failed: %s",
                      aw_last_error());
        ck_assert_str_eq(aw_loop_backend_name(loop), "io_uring");
        ck_assert_int_eq(aw_loop_close(loop), 0);
    } else {
        ck_assert_ptr_null(loop);
        ck_assert_msg(strstr(aw_last_error(), why),
                      "loop said '%s', probe '%s'", aw_last_error(), why);
    }
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("uring_probe");
    TCase *tc = tcase_create("causes");
    tcase_add_test(tc, no_kernel_support_is_named);
    tcase_add_test(tc, the_sysctl_is_named);
    tcase_add_test(tc, seccomp_is_named);
    tcase_add_test(tc, the_environment_picks_io_uring_and_fails_the_same_way);
    tcase_add_test(tc, other_backends_are_not_affected);
    tcase_add_test(tc, probe_and_loop_agree);
    suite_add_tcase(s, tc);
    return s;
}
