/*
 * Grader for 04-testing/shared_loop: a test module run as unittest runs
 * one, in one process: set_up, a test, tear_down, test after test. Each
 * test must pass in any order, and tear_down must leave nothing open.
 */
// grade-exports: set_up tear_down test_async_task test_heartbeat
// grade-exports: test_no_pending_tasks
#include "check_main.h"

#include "aw.h"

#include <dirent.h>
#include <string.h>

void set_up(void);
void tear_down(void);
int test_async_task(void);
int test_heartbeat(void);
int test_no_pending_tasks(void);

typedef struct {
    const char *name;
    int (*run)(void);
} module_test;

static const module_test ASYNC = {"test_async_task", test_async_task};
static const module_test HEARTBEAT = {"test_heartbeat", test_heartbeat};
static const module_test NO_PENDING = {"test_no_pending_tasks",
                                       test_no_pending_tasks};

static int open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    ck_assert_msg(dir != NULL, "cannot list /proc/self/fd");
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));)
        n += e->d_name[0] != '.';
    closedir(dir);
    return n - 1; /* the listing's own descriptor */
}

/* set_up, the test, tear_down: what unittest does for each test. */
static void run_one(const module_test *t, const char *after)
{
    int fds = open_fds();
    set_up();
    int passed = t->run();
    tear_down();
    ck_assert_msg(passed,
                  "%s failed%s%s: each test must start on a fresh "
                  "loop of its own, whatever ran before",
                  t->name, after ? " after " : "", after ? after : "");
    ck_assert_msg(aw_running_loop() == NULL,
                  "a loop is still running after tear_down");
    int left = open_fds() - fds;
    ck_assert_msg(left == 0,
                  "after %s and tear_down, %d more descriptor%s open than "
                  "before set_up: the test's loop was never closed. Does "
                  "aw_loop_close succeed? It refuses while a task is "
                  "pending (look at what it returns).",
                  t->name, left, left == 1 ? " is" : "s are");
}

static void run_in_order(const module_test *const *tests, int n)
{
    for (int i = 0; i < n; i++)
        run_one(tests[i], i > 0 ? tests[i - 1]->name : NULL);
}

START_TEST(async_task_alone)
{
    run_one(&ASYNC, NULL);
}
END_TEST

START_TEST(heartbeat_alone)
{
    run_one(&HEARTBEAT, NULL);
}
END_TEST

START_TEST(no_pending_tasks_alone)
{
    run_one(&NO_PENDING, NULL);
}
END_TEST

START_TEST(all_three_in_order)
{
    const module_test *order[] = {&ASYNC, &HEARTBEAT, &NO_PENDING};
    run_in_order(order, 3);
}
END_TEST

START_TEST(all_three_in_reverse)
{
    const module_test *order[] = {&NO_PENDING, &HEARTBEAT, &ASYNC};
    run_in_order(order, 3);
}
END_TEST

START_TEST(heartbeat_then_no_pending_tasks)
{
    const module_test *order[] = {&HEARTBEAT, &NO_PENDING, &HEARTBEAT,
                                  &NO_PENDING};
    run_in_order(order, 4);
}
END_TEST

START_TEST(the_same_test_twice)
{
    const module_test *order[] = {&ASYNC, &ASYNC};
    run_in_order(order, 2);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("shared_loop");
    TCase *alone = tcase_create("alone");
    tcase_add_test(alone, async_task_alone);
    tcase_add_test(alone, heartbeat_alone);
    tcase_add_test(alone, no_pending_tasks_alone);
    suite_add_tcase(s, alone);

    TCase *together = tcase_create("together");
    tcase_add_test(together, all_three_in_order);
    tcase_add_test(together, all_three_in_reverse);
    tcase_add_test(together, heartbeat_then_no_pending_tasks);
    tcase_add_test(together, the_same_test_twice);
    suite_add_tcase(s, together);
    return s;
}
