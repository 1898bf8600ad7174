/*
 * Grader for 03-introspection/task_table: print_tasks prints one line
 * per pending task, with what it awaits, then a count.
 */
// grade-exports: print_tasks
#include "check_main.h"

#include "aw.h"

#include <stdlib.h>
#include <string.h>

size_t print_tasks(aw_loop *loop, FILE *out);

static aw_loop *virtual_loop(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

static void stop_loop(void *loop)
{
    aw_loop_stop(loop);
}

/* Run the learner's print_tasks into a string. */
static const char *table_of(aw_loop *loop, size_t *returned)
{
    static char text[65536];
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    *returned = print_tasks(loop, out);
    fflush(out);
    rewind(out);
    text[fread(text, 1, sizeof text - 1, out)] = '\0';
    fclose(out);
    return text;
}

/* The first line where two texts differ, copied into line (cut). */
static int first_difference(const char *got, const char *want, char *got_line,
                            char *want_line, size_t len)
{
    for (int number = 1;; number++) {
        size_t g = strcspn(got, "\n"), w = strcspn(want, "\n");
        if (g != w || strncmp(got, want, g) != 0 || got[g] != want[w]) {
            snprintf(got_line, len, "%.*s", (int)g, got);
            snprintf(want_line, len, "%.*s", (int)w, want);
            if (!got[g] && !g)
                snprintf(got_line, len, "(nothing: the output ends here)");
            return number;
        }
        if (!got[g])
            return 0;
        got += g + 1;
        want += w + 1;
    }
}

static void expect_text(const char *got, const char *want, const char *who)
{
    char got_line[200], want_line[200];
    int line =
        first_difference(got, want, got_line, want_line, sizeof got_line);
    ck_assert_msg(line == 0,
                  "%s: line %d of the output is\n    %s\nbut should be\n"
                  "    %s",
                  who, line, got_line, want_line);
}

static void expect_table(aw_loop *loop, const char *want, size_t count)
{
    size_t returned;
    const char *got = table_of(loop, &returned);
    expect_text(got, want, "print_tasks");
    ck_assert_msg(returned == count, "print_tasks returned %zu, expected %zu",
                  returned, count);
}

/* Cancel whatever is pending, let it all finish, close the loop. */
static void finish(aw_loop *loop)
{
    aw_task *tasks[256];
    size_t n = aw_loop_tasks(loop, tasks, 256);
    ck_assert_uint_le(n, 256);
    for (size_t i = 0; i < n; i++) {
        aw_task_retain(tasks[i]);
        aw_task_cancel(tasks[i]);
    }
    for (size_t i = 0; i < n; i++) {
        aw_loop_run_until_complete(loop, aw_task_future(tasks[i]));
        aw_task_release(tasks[i]);
    }
    aw_call_soon(loop, stop_loop, loop);
    aw_loop_run_forever(loop);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}

static void *sleep_long(void *arg)
{
    (void)arg;
    aw_sleep(100);
    return NULL;
}

static void *await_future(void *arg)
{
    aw_await(arg, NULL);
    return NULL;
}

static void *await_task(void *arg)
{
    aw_await(aw_task_future(arg), NULL);
    return NULL;
}

/* arg: a NULL-terminated array of futures to gather. */
static void *await_gather(void *arg)
{
    aw_future **fs = arg;
    size_t n = 0;
    while (fs[n])
        n++;
    aw_future *all = aw_gather(aw_running_loop(), fs, n);
    aw_await(all, NULL);
    aw_future_release(all);
    return NULL;
}

static void *print_from_inside(void *arg)
{
    char *copy = arg;
    aw_sleep(0); /* let the tasks created after this one start */
    size_t returned;
    strcpy(copy, table_of(aw_running_loop(), &returned));
    return NULL;
}

START_TEST(an_empty_loop)
{
    aw_loop *loop = virtual_loop();
    expect_table(loop, "0 pending\n", 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(the_example_from_the_exercise)
{
    aw_loop *loop = virtual_loop();
    aw_future *never = aw_future_new(loop);
    aw_future *inputs[3] = {NULL, NULL, NULL};
    aw_task *page = aw_task_create(loop, await_gather, inputs, "page");
    char seen[4096] = "";
    aw_task *monitor = aw_task_create(loop, print_from_inside, seen, "monitor");
    aw_task *user = aw_task_create(loop, await_future, never, "user");
    aw_task *news = aw_task_create(loop, await_task, user, "news");
    aw_task *ads = aw_task_create(loop, sleep_long, NULL, "ads");
    inputs[0] = aw_task_future(news);
    inputs[1] = aw_task_future(ads);
    /* Ids follow creation: page 1, monitor 2, user 3, news 4, ads 5. The
     * monitor prints while it runs, once the others have all started. */
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(monitor)),
                     0);
    const char *want = "#1 page pending gather #4,#5\n"
                       "#2 monitor running -\n"
                       "#3 user pending future\n"
                       "#4 news pending task #3\n"
                       "#5 ads pending sleep\n"
                       "5 pending\n";
    expect_text(seen, want, "print_tasks, called inside the task 'monitor'");
    /* Outside the loop, the monitor has finished and left the list. */
    expect_table(loop,
                 "#1 page pending gather #4,#5\n"
                 "#3 user pending future\n"
                 "#4 news pending task #3\n"
                 "#5 ads pending sleep\n"
                 "4 pending\n",
                 4);
    aw_task *all[] = {page, monitor, user, news, ads};
    for (int i = 0; i < 5; i++)
        aw_task_release(all[i]);
    finish(loop);
    aw_future_release(never);
}
END_TEST

static void *nothing_to_do(void *arg)
{
    return arg;
}

START_TEST(a_gather_with_no_pending_task)
{
    aw_loop *loop = virtual_loop();
    aw_future *never = aw_future_new(loop);
    aw_task *quick = aw_task_create(loop, nothing_to_do, NULL, "quick");
    aw_future *inputs[3] = {aw_task_future(quick), never, NULL};
    aw_task *g = aw_task_create(loop, await_gather, inputs, "waits-on-all");
    aw_task *fresh = NULL;
    aw_call_later(loop, 1.0, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    fresh = aw_task_create(loop, nothing_to_do, NULL, "not-started-yet");
    expect_table(loop,
                 "#2 waits-on-all pending gather\n"
                 "#3 not-started-yet pending -\n"
                 "2 pending\n",
                 2);
    aw_task_release(quick);
    aw_task_release(g);
    aw_task_release(fresh);
    finish(loop);
    aw_future_release(never);
}
END_TEST

START_TEST(a_long_list)
{
    aw_loop *loop = virtual_loop();
    aw_task *t[200];
    for (int i = 0; i < 200; i++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", i);
        t[i] = aw_task_create(loop, i == 0 ? sleep_long : await_task,
                              i == 0 ? NULL : t[i - 1], name);
    }
    aw_call_later(loop, 1.0, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    static char want[65536];
    size_t used = snprintf(want, sizeof want, "#1 w0 pending sleep\n");
    for (int i = 1; i < 200; i++)
        used += snprintf(want + used, sizeof want - used,
                         "#%d w%d pending task #%d\n", i + 1, i, i);
    snprintf(want + used, sizeof want - used, "200 pending\n");
    expect_table(loop, want, 200);
    for (int i = 0; i < 200; i++)
        aw_task_release(t[i]);
    finish(loop);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("03-introspection/task_table");
    TCase *tc = tcase_create("print_tasks");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, an_empty_loop);
    tcase_add_test(tc, the_example_from_the_exercise);
    tcase_add_test(tc, a_gather_with_no_pending_task);
    tcase_add_test(tc, a_long_list);
    suite_add_tcase(s, tc);
    return s;
}
