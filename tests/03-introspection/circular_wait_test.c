/*
 * Grader for 03-introspection/circular_wait: load_page must finish, with
 * the page filled in, in 0.2 s of loop time, leaving no task behind.
 */
// grade-exports: load_page
#include "check_main.h"

#include "aw.h"

#include <string.h>

typedef struct {
    int user_id;
    char name[32];
    char bio[64];
} page;

int load_page(aw_loop *loop, page *p);

static void stop_loop(void *loop)
{
    aw_loop_stop(loop);
}

/* What debug mode reported while load_page ran. */
static char report[1200];

static int run_load_page(aw_loop *loop, page *p)
{
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    aw_debug_set_output(out);
    int rc = load_page(loop, p);
    char why[512];
    snprintf(why, sizeof why, "%s", aw_last_error());
    aw_debug_set_output(NULL);
    fflush(out);
    rewind(out);
    report[fread(report, 1, sizeof report - 1, out)] = '\0';
    fclose(out);
    if (rc != 0) /* the grader shows what a failing test printed */
        printf("aw_last_error(): %s\n\nDebug mode reported:\n%s", why, report);
    ck_assert_msg(rc == 0,
                  "load_page returned %d (%s); read debug mode's report, "
                  "printed below",
                  rc, aw_strerror(rc));
    return rc;
}

/* Cancel whatever is left (a failed run), let it finish, close. */
static void finish(aw_loop *loop)
{
    aw_task *tasks[16];
    size_t n = aw_loop_tasks(loop, tasks, 16);
    for (size_t i = 0; i < n && i < 16; i++) {
        aw_task_retain(tasks[i]);
        aw_task_cancel(tasks[i]);
    }
    for (size_t i = 0; i < n && i < 16; i++) {
        aw_loop_run_until_complete(loop, aw_task_future(tasks[i]));
        aw_task_release(tasks[i]);
    }
    aw_call_soon(loop, stop_loop, loop);
    aw_loop_run_forever(loop);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}

static aw_loop *debug_loop(void)
{
    aw_loop_options options = {.debug = true, .virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

START_TEST(the_page_loads)
{
    aw_loop *loop = debug_loop();
    page p = {0};
    run_load_page(loop, &p);
    ck_assert_msg(p.user_id == 42 && strcmp(p.name, "Ada") == 0,
                  "the user was not loaded: user_id %d, name '%s'", p.user_id,
                  p.name);
    ck_assert_msg(strcmp(p.bio, "bio of user 42") == 0,
                  "bio is '%s', expected 'bio of user 42' (the profile "
                  "needs the user's id)",
                  p.bio);
    finish(loop);
}
END_TEST

START_TEST(in_two_tenths_of_a_second)
{
    aw_loop *loop = debug_loop();
    page p = {0};
    run_load_page(loop, &p);
    double t = aw_loop_time(loop);
    ck_assert_msg(t > 0.2 - 1e-9 && t < 0.2 + 1e-9,
                  "the page took %.3f s of loop time, expected 0.200 s: "
                  "the user's query (0.1 s), then the profile's (0.1 s)",
                  t);
    finish(loop);
}
END_TEST

START_TEST(nothing_is_left_behind)
{
    aw_loop *loop = debug_loop();
    page p = {0};
    run_load_page(loop, &p);
    aw_loop_stats s;
    aw_loop_get_stats(loop, &s);
    ck_assert_msg(s.tasks == 0, "%zu task(s) still pending after load_page",
                  s.tasks);
    ck_assert_msg(strstr(report, "never retrieved") == NULL,
                  "debug mode reported a lost error:\n%s", report);
    finish(loop);
}
END_TEST

START_TEST(twice_on_the_same_loop)
{
    aw_loop *loop = debug_loop();
    page first = {0}, second = {0};
    run_load_page(loop, &first);
    run_load_page(loop, &second);
    ck_assert_str_eq(second.bio, "bio of user 42");
    finish(loop);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("03-introspection/circular_wait");
    TCase *tc = tcase_create("load_page");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, the_page_loads);
    tcase_add_test(tc, in_two_tenths_of_a_second);
    tcase_add_test(tc, nothing_is_left_behind);
    tcase_add_test(tc, twice_on_the_same_loop);
    suite_add_tcase(s, tc);
    return s;
}
