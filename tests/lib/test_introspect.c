/*
 * test_introspect.c - asking a loop about itself: counts, tasks, who
 * awaits whom, the task dumps, and the dump on a signal.
 */
// lib-test-backends: epoll poll select
#include "runner.h"

#include "aw.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

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

/* Run a virtual-clock loop for `seconds` of loop time: long enough for
 * every task to reach the await it is going to block in. */
static void run_for(aw_loop *loop, double seconds)
{
    ck_assert_uint_ne(aw_call_later(loop, seconds, stop_loop, loop), 0);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
}

/* What a stream received, as a string. */
static const char *contents(FILE *f)
{
    static char text[16384];
    fflush(f);
    rewind(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    return text;
}

static void *sleep_ten(void *arg)
{
    (void)arg;
    aw_sleep(10);
    return NULL;
}

static void nothing(void *arg)
{
    (void)arg;
}

/* ---- the loop's counts ------------------------------------------------------
 */

START_TEST(stats_count_tasks_callbacks_timers_and_descriptors)
{
    aw_loop *loop = virtual_loop();
    aw_loop_stats s;
    ck_assert_int_eq(aw_loop_get_stats(loop, &s), 0);
    ck_assert_int_eq(s.state, AW_LOOP_IDLE);
    ck_assert_uint_eq(s.tasks + s.ready + s.timers + s.watched_fds, 0);

    aw_task *a = aw_task_create(loop, sleep_ten, NULL, "a");
    aw_task *b = aw_task_create(loop, sleep_ten, NULL, "b");
    aw_call_soon(loop, nothing, NULL);
    aw_call_later(loop, 1.0, nothing, NULL);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(aw_add_reader(loop, fds[0], nothing, NULL), 0);

    ck_assert_int_eq(aw_loop_get_stats(loop, &s), 0);
    ck_assert_uint_eq(s.tasks, 2);
    ck_assert_msg(s.ready == 3,
                  "two first task steps and one call_soon "
                  "should be ready, stats say %zu",
                  s.ready);
    ck_assert_uint_eq(s.timers, 1);
    ck_assert_uint_eq(s.watched_fds, 1);
    ck_assert_uint_eq(s.inflight_ops, 0);

    ck_assert_int_eq(aw_remove_reader(loop, fds[0]), 0);
    run_for(loop, 0.5); /* both tasks now sleep: two more timers */
    ck_assert_int_eq(aw_loop_get_stats(loop, &s), 0);
    ck_assert_uint_eq(s.tasks, 2);
    ck_assert_uint_eq(s.ready, 0);
    ck_assert_uint_eq(s.timers, 2 + 1); /* two sleeps, the 1 s timer */
    ck_assert_uint_eq(s.watched_fds, 0);

    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    aw_task_release(a);
    aw_task_release(b);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

static void *report_from_inside(void *arg)
{
    aw_loop_stats *seen = arg;
    aw_loop_get_stats(aw_running_loop(), seen);
    ck_assert_ptr_eq(aw_current_task(), aw_current_task());
    ck_assert_int_eq(aw_task_state_of(aw_current_task()), AW_TASK_RUNNING);
    return aw_current_task();
}

START_TEST(inside_a_task_the_loop_runs_and_the_task_is_current)
{
    aw_loop *loop = virtual_loop();
    aw_loop_stats seen = {0};
    aw_task *t = aw_task_create(loop, report_from_inside, &seen, "me");
    ck_assert_ptr_null(aw_current_task());
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    ck_assert_int_eq(seen.state, AW_LOOP_RUNNING);
    ck_assert_uint_eq(seen.tasks, 1);
    ck_assert_msg(aw_task_result(t) == t,
                  "aw_current_task() inside the task should be the task");
    ck_assert_ptr_null(aw_current_task());
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(states_have_names)
{
    ck_assert_str_eq(aw_loop_state_name(AW_LOOP_IDLE), "idle");
    ck_assert_str_eq(aw_loop_state_name(AW_LOOP_RUNNING), "running");
    ck_assert_str_eq(aw_loop_state_name(AW_LOOP_STOPPING), "stopping");
    ck_assert_str_eq(aw_loop_state_name(AW_LOOP_CLOSED), "closed");
    ck_assert_str_eq(aw_task_state_name(AW_TASK_PENDING), "pending");
    ck_assert_str_eq(aw_task_state_name(AW_TASK_RUNNING), "running");
    ck_assert_str_eq(aw_task_state_name(AW_TASK_DONE), "done");
    ck_assert_str_eq(aw_task_state_name(AW_TASK_CANCELLED), "cancelled");
}
END_TEST

/* ---- all tasks
 * --------------------------------------------------------------- */

static void *return_at_once(void *arg)
{
    return arg;
}

START_TEST(loop_tasks_lists_pending_tasks_oldest_first)
{
    aw_loop *loop = virtual_loop();
    aw_task *t1 = aw_task_create(loop, sleep_ten, NULL, "first");
    aw_task *t2 = aw_task_create(loop, return_at_once, NULL, "second");
    aw_task *t3 = aw_task_create(loop, sleep_ten, NULL, "third");
    aw_task *out[2] = {NULL, NULL};
    ck_assert_uint_eq(aw_loop_tasks(loop, NULL, 0), 3);
    ck_assert_msg(aw_loop_tasks(loop, out, 2) == 3,
                  "aw_loop_tasks returns the count of all, beyond max");
    ck_assert_ptr_eq(out[0], t1);
    ck_assert_ptr_eq(out[1], t2);

    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t2)), 0);
    aw_task *left[3] = {NULL, NULL, NULL};
    ck_assert_uint_eq(aw_loop_tasks(loop, left, 3), 2);
    ck_assert_ptr_eq(left[0], t1);
    ck_assert_ptr_eq(left[1], t3);
    ck_assert_ptr_null(left[2]);

    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    aw_task_release(t1);
    aw_task_release(t2);
    aw_task_release(t3);
}
END_TEST

/* ---- who awaits whom
 * ---------------------------------------------------------- */

static void *await_future(void *arg)
{
    return aw_await(arg, NULL) == 0 ? arg : NULL;
}

static void *await_task(void *arg)
{
    aw_await(aw_task_future(arg), NULL);
    return NULL;
}

START_TEST(awaiting_says_task_gather_sleep_or_future)
{
    aw_loop *loop = virtual_loop();
    aw_future *plain = aw_future_new(loop);
    aw_task *sleeper = aw_task_create(loop, sleep_ten, NULL, "sleeper");
    aw_task *waiter = aw_task_create(loop, await_future, plain, "waiter");
    aw_future *both[2] = {aw_task_future(sleeper), plain};
    aw_future *gathered = aw_gather(loop, both, 2);
    aw_task *gatherer =
        aw_task_create(loop, await_future, gathered, "gatherer");
    aw_task *follower = aw_task_create(loop, await_task, sleeper, "follower");
    aw_task *ready = aw_task_create(loop, return_at_once, NULL, "ready");
    ck_assert_int_eq(aw_task_await_kind(ready), AW_AWAITS_NOTHING);
    run_for(loop, 2.5);
    ck_assert_int_eq(aw_task_state_of(ready), AW_TASK_DONE);

    ck_assert_int_eq(aw_task_await_kind(sleeper), AW_AWAITS_SLEEP);
    ck_assert_int_eq(aw_task_await_kind(waiter), AW_AWAITS_FUTURE);
    ck_assert_int_eq(aw_task_await_kind(gatherer), AW_AWAITS_GATHER);
    ck_assert_int_eq(aw_task_await_kind(follower), AW_AWAITS_TASK);

    char buf[128];
    ck_assert_str_eq(aw_task_describe_awaiting(sleeper, buf, sizeof buf),
                     "sleep, 7.500 s left");
    char expected[64];
    snprintf(expected, sizeof expected, "future %p", (void *)plain);
    ck_assert_str_eq(aw_task_describe_awaiting(waiter, buf, sizeof buf),
                     expected);
    ck_assert_str_eq(aw_task_describe_awaiting(gatherer, buf, sizeof buf),
                     "gather: #1 +1 future");
    ck_assert_str_eq(aw_task_describe_awaiting(follower, buf, sizeof buf),
                     "task 'sleeper' (#1)");
    ck_assert_str_eq(aw_task_describe_awaiting(ready, buf, sizeof buf), "-");
    char tiny[8];
    aw_task_describe_awaiting(follower, tiny, sizeof tiny);
    ck_assert_str_eq(tiny, "task 's");

    aw_task *awaited[4] = {NULL};
    ck_assert_uint_eq(aw_task_awaited_tasks(follower, awaited, 4), 1);
    ck_assert_ptr_eq(awaited[0], sleeper);
    ck_assert_uint_eq(aw_task_awaited_tasks(gatherer, awaited, 4), 1);
    ck_assert_ptr_eq(awaited[0], sleeper);
    ck_assert_uint_eq(aw_task_awaited_tasks(waiter, awaited, 4), 0);
    ck_assert_uint_eq(aw_task_awaited_tasks(sleeper, awaited, 4), 0);
    ck_assert_uint_eq(aw_loop_find_await_cycle(loop, awaited, 4), 0);

    /* Once the plain future is done, the rest finishes by itself. */
    aw_future_set_result(plain, NULL);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(gatherer)),
                     0);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(follower)),
                     0);
    aw_task *tasks[] = {sleeper, waiter, gatherer, follower, ready};
    for (size_t i = 0; i < 5; i++)
        aw_task_release(tasks[i]);
    aw_future_release(gathered);
    aw_future_release(plain);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* Two tasks that each await the other: neither can ever finish. */
static aw_task *partner_of[8];

static void *await_partner(void *arg)
{
    int me = (int)(intptr_t)arg;
    int rc = aw_await(aw_task_future(partner_of[me]), NULL);
    return rc == 0 ? arg : aw_raise(rc, NULL);
}

START_TEST(a_cycle_of_tasks_is_found)
{
    aw_loop *loop = virtual_loop();
    aw_task *bystander = aw_task_create(loop, sleep_ten, NULL, "bystander");
    aw_task *a = aw_task_create(loop, await_partner, (void *)0, "a");
    aw_task *b = aw_task_create(loop, await_partner, (void *)1, "b");
    aw_task *c = aw_task_create(loop, await_partner, (void *)2, "c");
    partner_of[0] = b; /* a -> b -> c -> a */
    partner_of[1] = c;
    partner_of[2] = a;
    run_for(loop, 1.0);
    aw_task *cycle[4] = {NULL};
    ck_assert_uint_eq(aw_loop_find_await_cycle(loop, cycle, 4), 3);
    ck_assert_msg(cycle[0] == a && cycle[1] == b && cycle[2] == c,
                  "the cycle should read a -> b -> c, oldest first");
    ck_assert_msg(aw_loop_find_await_cycle(loop, cycle, 1) == 3,
                  "a short array still gets the full length");
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    aw_task_release(bystander);
    aw_task_release(a);
    aw_task_release(b);
    aw_task_release(c);
}
END_TEST

static void *await_gather_of_partner(void *arg)
{
    int me = (int)(intptr_t)arg;
    aw_future *inputs[1] = {aw_task_future(partner_of[me])};
    aw_future *all = aw_gather(aw_running_loop(), inputs, 1);
    int rc = aw_await(all, NULL);
    aw_future_release(all);
    return rc == 0 ? arg : aw_raise(rc, NULL);
}

START_TEST(a_cycle_through_a_gather_is_found)
{
    aw_loop *loop = virtual_loop();
    aw_task *a = aw_task_create(loop, await_gather_of_partner, (void *)0, "a");
    aw_task *b = aw_task_create(loop, await_partner, (void *)1, "b");
    partner_of[0] = b;
    partner_of[1] = a;
    run_for(loop, 1.0);
    aw_task *cycle[2];
    ck_assert_uint_eq(aw_loop_find_await_cycle(loop, cycle, 2), 2);
    ck_assert_ptr_eq(cycle[0], a);
    ck_assert_ptr_eq(cycle[1], b);
    /* Cancelling one task of the cycle ends both. (Not aw_loop_shutdown:
     * it stops as soon as no task is pending, before the gather's own
     * bookkeeping callback has run.) */
    ck_assert(aw_task_cancel(a));
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(b)),
                     AW_ECANCELLED);
    ck_assert_int_eq(aw_task_state_of(a), AW_TASK_CANCELLED);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    aw_task_release(a);
    aw_task_release(b);
}
END_TEST

/* ---- the dumps
 * ------------------------------------------------------------------ */

START_TEST(the_table_has_a_row_per_task)
{
    aw_loop *loop = virtual_loop();
    aw_task *sleeper = aw_task_create(loop, sleep_ten, NULL, "sleeper");
    int line = __LINE__ + 1;
    aw_task *f = aw_task_create(loop, await_task, sleeper, "follower");
    run_for(loop, 1.0);
    FILE *out = tmpfile();
    ck_assert_int_eq(aw_loop_dump_tasks(loop, out), 0);
    const char *text = contents(out);
    char row[200];
    snprintf(row, sizeof row,
             " 2  follower  pending  test_introspect.c:%d  task 'sleeper' "
             "(#1)\n",
             line);
    ck_assert_msg(strstr(text, "id  name      state    created at") == text,
                  "the table starts with its header:\n%s", text);
    ck_assert_msg(strstr(text, row), "no row '%s' in:\n%s", row, text);
    ck_assert_msg(strstr(text, "sleeper   pending") &&
                      strstr(text, "sleep, 9.000 s left"),
                  "the sleeper's row is missing:\n%s", text);
    fclose(out);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    aw_task_release(sleeper);
    aw_task_release(f);
}
END_TEST

START_TEST(the_tree_puts_each_task_above_what_it_awaits)
{
    aw_loop *loop = virtual_loop();
    aw_task *leaf = aw_task_create(loop, sleep_ten, NULL, "leaf");
    aw_task *mid = aw_task_create(loop, await_task, leaf, "mid");
    aw_task *top = aw_task_create(loop, await_task, mid, "top");
    aw_task *also = aw_task_create(loop, await_task, leaf, "also");
    run_for(loop, 1.0);
    FILE *out = tmpfile();
    ck_assert_int_eq(aw_loop_dump_tree(loop, out), 0);
    const char *text = contents(out);
    const char *want[] = {
        "(T) #3 top [",
        "\n\u2514\u2500\u2500 (T) #2 mid [",
        "\n    \u2514\u2500\u2500 (T) #1 leaf [",
        "\n(T) #4 also [",
        "\n\u2514\u2500\u2500 (T) #1 leaf (see above)\n",
    };
    const char *at = text;
    for (size_t i = 0; i < 5; i++) {
        const char *found = strstr(at, want[i]);
        ck_assert_msg(found, "expected '%s' next in the tree:\n%s", want[i],
                      text);
        at = found + strlen(want[i]);
    }
    fclose(out);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    aw_task *all[] = {leaf, mid, top, also};
    for (int i = 0; i < 4; i++)
        aw_task_release(all[i]);
}
END_TEST

START_TEST(the_tree_marks_a_cycle)
{
    aw_loop *loop = virtual_loop();
    aw_task *a = aw_task_create(loop, await_partner, (void *)0, "a");
    aw_task *b = aw_task_create(loop, await_partner, (void *)1, "b");
    partner_of[0] = b;
    partner_of[1] = a;
    run_for(loop, 1.0);
    FILE *out = tmpfile();
    ck_assert_int_eq(aw_loop_dump_tree(loop, out), 0);
    const char *text = contents(out);
    ck_assert_msg(strstr(text, "(T) #1 a [") == text &&
                      strstr(text, "\u2514\u2500\u2500 (T) #2 b [") &&
                      strstr(text, "(T) #1 a (cycle: back to #1 above)"),
                  "the cycle a -> b -> a is not drawn:\n%s", text);
    fclose(out);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    aw_task_release(a);
    aw_task_release(b);
}
END_TEST

START_TEST(the_full_dump_starts_with_the_counts)
{
    aw_loop *loop = virtual_loop();
    FILE *out = tmpfile();
    ck_assert_int_eq(aw_loop_dump(loop, out), 0);
    char expected[200];
    snprintf(expected, sizeof expected,
             "loop (%s, idle): 0 pending tasks, 0 ready callbacks, 0 timers, "
             "0 watched descriptors, 0 operations in flight\n",
             aw_loop_backend_name(loop));
    ck_assert_str_eq(contents(out), expected);
    fclose(out);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* ---- on a signal
 * ------------------------------------------------------------------- */

static void raise_and_stop(void *loop)
{
    raise(SIGUSR1); /* the handler runs before raise returns */
    aw_call_soon(loop, stop_loop, loop);
}

static bool handler_is_default(int signo)
{
    struct sigaction now;
    sigaction(signo, NULL, &now);
    return now.sa_handler == SIG_DFL;
}

START_TEST(a_signal_prints_the_dump_from_the_loop)
{
    aw_loop *loop = virtual_loop();
    FILE *out = tmpfile();
    ck_assert_int_eq(aw_loop_dump_on_signal(loop, SIGUSR1, out), 0);
    ck_assert(!handler_is_default(SIGUSR1));
    aw_task *t = aw_task_create(loop, sleep_ten, NULL, "napping");
    aw_call_soon(loop, raise_and_stop, loop);
    ck_assert_str_eq(contents(out), "");
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    const char *text = contents(out);
    ck_assert_msg(strstr(text, "loop (") == text &&
                      strstr(text, "1 pending task,") &&
                      strstr(text, "napping  pending") &&
                      strstr(text, "(T) #1 napping ["),
                  "SIGUSR1 should print the whole dump, got:\n%s", text);

    ck_assert_int_eq(aw_loop_dump_on_signal(loop, 0, NULL), 0);
    ck_assert_msg(handler_is_default(SIGUSR1),
                  "turning the dump off restores the old handler");
    ck_assert_int_eq(aw_loop_dump_on_signal(loop, SIGUSR2, out), 0);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0); /* closes the loop */
    ck_assert_msg(handler_is_default(SIGUSR2),
                  "closing the loop restores the old handler");
    aw_task_release(t);
    fclose(out);
}
END_TEST

START_TEST(misuse_is_reported)
{
    aw_loop *loop = virtual_loop();
    ck_assert_int_eq(aw_loop_dump_on_signal(loop, SIGKILL, NULL), AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "not a signal"));
    aw_loop *other = virtual_loop();
    ck_assert_int_eq(aw_loop_dump_on_signal(loop, SIGUSR1, NULL), 0);
    ck_assert_int_eq(aw_loop_dump_on_signal(other, SIGUSR1, NULL), AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "another loop"));
    ck_assert_int_eq(aw_loop_dump_tasks(loop, NULL), AW_EMISUSE);
    ck_assert_int_eq(aw_loop_get_stats(NULL, NULL), AW_EMISUSE);
    aw_task *out[1];
    ck_assert_uint_eq(aw_loop_tasks(loop, NULL, 1), 0);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "aw_loop_tasks"));
    ck_assert_uint_eq(aw_loop_tasks(loop, out, 1), 0);
    ck_assert_int_eq(aw_loop_close(other), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("introspect");
    TCase *tc = tcase_create("introspect");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, stats_count_tasks_callbacks_timers_and_descriptors);
    tcase_add_test(tc, inside_a_task_the_loop_runs_and_the_task_is_current);
    tcase_add_test(tc, states_have_names);
    tcase_add_test(tc, loop_tasks_lists_pending_tasks_oldest_first);
    tcase_add_test(tc, awaiting_says_task_gather_sleep_or_future);
    tcase_add_test(tc, a_cycle_of_tasks_is_found);
    tcase_add_test(tc, a_cycle_through_a_gather_is_found);
    tcase_add_test(tc, the_table_has_a_row_per_task);
    tcase_add_test(tc, the_tree_puts_each_task_above_what_it_awaits);
    tcase_add_test(tc, the_tree_marks_a_cycle);
    tcase_add_test(tc, the_full_dump_starts_with_the_counts);
    tcase_add_test(tc, a_signal_prints_the_dump_from_the_loop);
    tcase_add_test(tc, misuse_is_reported);
    suite_add_tcase(s, tc);
    return s;
}
