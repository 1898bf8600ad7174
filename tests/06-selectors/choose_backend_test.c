/*
 * Grader for 06-selectors/choose_backend: loop_from_args.
 */
// grade-exports: loop_from_args
// grade-ldflags: -Wl,--wrap=aw_backend_available
#include "check_main.h"

#include "aw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

aw_loop *loop_from_args(int argc, char **argv, char *err, size_t errlen);

static char err[256];

/* The grader can pretend that io_uring is blocked here (as seccomp does
 * in some containers), to see what loop_from_args says then. */
static bool pretend_uring_blocked;
static const char BLOCKED_WHY[] = "blocked by seccomp (the grader pretends)";

int __real_aw_backend_available(aw_backend_kind kind, char *why, size_t len);

int __wrap_aw_backend_available(aw_backend_kind kind, char *why, size_t len)
{
    if (pretend_uring_blocked && kind == AW_BACKEND_IO_URING) {
        if (why && len > 0)
            snprintf(why, len, "%s", BLOCKED_WHY);
        return -ENOSYS;
    }
    return __real_aw_backend_available(kind, why, len);
}

/* Call it with a NULL-terminated list of arguments after the program
 * name; the returned loop is checked and closed by the caller. */
static aw_loop *from(const char *first, ...)
{
    char *argv[16] = {"prog"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 15; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    memset(err, 0, sizeof err);
    return loop_from_args(argc, argv, err, sizeof err);
}

static void expect_backend(aw_loop *loop, const char *want, const char *how)
{
    ck_assert_msg(loop != NULL,
                  "%s: got NULL (err: \"%s\"), expected a loop "
                  "on %s",
                  how, err, want);
    ck_assert_msg(strcmp(aw_loop_backend_name(loop), want) == 0,
                  "%s: the loop runs on %s, expected %s", how,
                  aw_loop_backend_name(loop), want);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}

static bool can_run(aw_backend_kind kind)
{
    return aw_backend_available(kind, NULL, 0) == 0;
}

START_TEST(each_selector_by_name)
{
    unsetenv("AW_BACKEND");
    expect_backend(from("--backend", "epoll", NULL), "epoll",
                   "--backend epoll");
    if (can_run(AW_BACKEND_POLL))
        expect_backend(from("--backend", "poll", NULL), "poll",
                       "--backend poll");
    if (can_run(AW_BACKEND_SELECT))
        expect_backend(from("--backend", "select", NULL), "select",
                       "--backend select");
}
END_TEST

START_TEST(equals_form_and_other_arguments)
{
    unsetenv("AW_BACKEND");
    expect_backend(from("--backend=poll", NULL), "poll", "--backend=poll");
    expect_backend(from("--port", "0", "--backend", "select", "-v", NULL),
                   "select", "--port 0 --backend select -v");
    expect_backend(from("--port", "0", NULL), "epoll",
                   "--port 0 (no --backend, no AW_BACKEND)");
}
END_TEST

START_TEST(default_follows_environment)
{
    unsetenv("AW_BACKEND");
    expect_backend(from(NULL), "epoll", "no arguments, AW_BACKEND unset");
    setenv("AW_BACKEND", "poll", 1);
    expect_backend(from(NULL), "poll",
                   "no arguments, AW_BACKEND=poll (use aw_loop_new, which "
                   "reads it)");
    expect_backend(from("--backend", "select", NULL), "select",
                   "--backend select with AW_BACKEND=poll (the option "
                   "wins)");
    setenv("AW_BACKEND", "kqueue", 1);
    aw_loop *loop = from(NULL);
    ck_assert_msg(loop == NULL, "AW_BACKEND=kqueue still made a loop on %s",
                  aw_loop_backend_name(loop));
    ck_assert_msg(strstr(err, "kqueue") != NULL,
                  "AW_BACKEND=kqueue: err is \"%s\"; pass on "
                  "aw_last_error(), which names the problem",
                  err);
    unsetenv("AW_BACKEND");
}
END_TEST

START_TEST(unknown_name_is_explained)
{
    unsetenv("AW_BACKEND");
    aw_loop *loop = from("--backend", "kqueue", NULL);
    ck_assert_msg(loop == NULL, "--backend kqueue made a loop on %s",
                  aw_loop_backend_name(loop));
    ck_assert_msg(strstr(err, "unknown backend 'kqueue'") != NULL,
                  "--backend kqueue: err is \"%s\", expected it to say "
                  "unknown backend 'kqueue'",
                  err);
    const char *names[] = {"epoll", "poll", "select", "io_uring"};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(strstr(err, names[i]) != NULL,
                      "--backend kqueue: err \"%s\" should list the choices; "
                      "%s is missing",
                      err, names[i]);
    loop = from("--backend", NULL);
    ck_assert_msg(loop == NULL && strstr(err, "--backend needs a name"),
                  "--backend with no name: got %s, err \"%s\"",
                  loop ? "a loop" : "NULL", err);
    if (loop)
        aw_loop_close(loop);
}
END_TEST

START_TEST(io_uring_when_it_can_run)
{
    unsetenv("AW_BACKEND");
    char why[200];
    if (aw_backend_available(AW_BACKEND_IO_URING, why, sizeof why) == 0) {
        expect_backend(from("--backend", "io_uring", NULL), "io_uring",
                       "--backend io_uring (it can run here)");
        return;
    }
    aw_loop *loop = from("--backend", "io_uring", NULL);
    ck_assert_msg(loop == NULL,
                  "io_uring cannot run here, yet a loop was made");
    ck_assert_msg(strstr(err, "io_uring is not available: ") != NULL &&
                      strstr(err, why) != NULL,
                  "io_uring cannot run here because \"%s\"; err is \"%s\", "
                  "expected \"io_uring is not available: %s\"",
                  why, err, why);
}
END_TEST

START_TEST(io_uring_blocked)
{
    unsetenv("AW_BACKEND");
    pretend_uring_blocked = true;
    aw_loop *loop = from("--backend", "io_uring", NULL);
    pretend_uring_blocked = false;
    if (loop)
        aw_loop_close(loop);
    ck_assert_msg(loop == NULL && strstr(err, "io_uring is not available: ") &&
                      strstr(err, BLOCKED_WHY),
                  "with io_uring blocked (aw_backend_available says \"%s\"), "
                  "--backend io_uring gave %s and err \"%s\"; expected NULL "
                  "and \"io_uring is not available: %s\": ask "
                  "aw_backend_available before making the loop",
                  BLOCKED_WHY, loop ? "a loop" : "NULL", err, BLOCKED_WHY);
}
END_TEST

START_TEST(small_error_buffer)
{
    unsetenv("AW_BACKEND");
    /* Room for 8 bytes only, in a heap block the sanitizer guards. */
    char *small = malloc(8);
    char *argv[] = {"prog", "--backend", "a-rather-long-unknown-name", NULL};
    aw_loop *loop = loop_from_args(3, argv, small, 8);
    ck_assert(loop == NULL);
    ck_assert_msg(strlen(small) == 7,
                  "with errlen 8 the message must be cut to 7 characters "
                  "and a NUL (snprintf does this); got \"%s\"",
                  small);
    free(small);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("06-selectors/choose_backend");
    TCase *tc = tcase_create("choose_backend");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, each_selector_by_name);
    tcase_add_test(tc, equals_form_and_other_arguments);
    tcase_add_test(tc, default_follows_environment);
    tcase_add_test(tc, unknown_name_is_explained);
    tcase_add_test(tc, io_uring_when_it_can_run);
    tcase_add_test(tc, io_uring_blocked);
    tcase_add_test(tc, small_error_buffer);
    suite_add_tcase(s, tc);
    return s;
}
