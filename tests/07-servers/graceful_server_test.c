/*
 * Grader for 07-servers/graceful_server: the work server's connection
 * limit and graceful shutdown, on every backend, with clients in the
 * same loop. Times are real; only lower bounds are tight, upper bounds
 * have seconds of margin.
 */
// grade-exports: work_server_clients work_server_free work_server_port
// grade-exports: work_server_shutdown work_server_start
// grade-sources: tests/06-selectors/loopback.c
// grade-sources: tests/07-servers/server_harness.c
#include "check_main.h"
#include "server_harness.h"

#include <stdio.h>
#include <string.h>

typedef struct work_server work_server;
work_server *work_server_start(aw_loop *loop, size_t max_clients);
int work_server_port(const work_server *s);
size_t work_server_clients(const work_server *s);
int work_server_shutdown(work_server *s, double grace);
void work_server_free(work_server *s);

typedef void (*work_scenario)(work_server *s);

static double now(void)
{
    return aw_loop_time(aw_running_loop());
}

typedef struct {
    work_server *server;
    work_scenario scenario;
} job;

static void *scenario_task(void *arg)
{
    job *j = arg;
    j->scenario(j->server);
    return NULL;
}

/* Start the learner's server, run the scenario (which shuts it down),
 * free it, and check nothing was left: once per backend. */
static void run(const char *what, work_scenario scenario, size_t max_clients)
{
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int k = 0; k < n; k++) {
        harness_begin(kinds[k], what);
        int before = count_open_fds();
        aw_loop *loop = new_loop_on(kinds[k], false);
        work_server *s = work_server_start(loop, max_clients);
        ck_assert_msg(s != NULL, "[%s] work_server_start returned NULL: %s",
                      harness_backend, aw_last_error());
        job j = {s, scenario};
        bool finished = harness_run_task(loop, scenario_task, &j, 15);
        ck_assert_msg(finished, "[%s] %s: not done after 15 s", harness_backend,
                      what);
        work_server_free(s);
        int rc = aw_loop_close(loop);
        ck_assert_msg(rc == 0,
                      "[%s] %s: after the shutdown the loop cannot be "
                      "closed: %s",
                      harness_backend, what, aw_last_error());
        int after = count_open_fds();
        ck_assert_msg(after == before,
                      "[%s] %s: %d descriptors were open before and %d after",
                      harness_backend, what, before, after);
    }
}

static void shutdown_expecting(work_server *s, double grace, int want,
                               const char *why)
{
    harness_step("work_server_shutdown(%g)", grace);
    int rc = work_server_shutdown(s, grace);
    ck_assert_msg(rc == want,
                  "[%s] work_server_shutdown(%g) returned %d (%s), expected "
                  "%d (%s): %s",
                  harness_backend, grace, rc, aw_strerror(rc), want,
                  aw_strerror(want), why);
}

/* ---- scenarios -------------------------------------------------------------
 */

static void basics(work_server *s)
{
    client *c = client_open(work_server_port(s), "the client");
    client_expect(c, "hello\n");
    client_send(c, "ping\n");
    client_expect(c, "pong\n");
    client_send(c, "work 0.01\n");
    client_expect(c, "done\n");
    client_close(c);
    shutdown_expecting(s, 5, 0, "no client was left");
}

START_TEST(hello_ping_work)
{
    run("hello, ping, work", basics, 4);
}
END_TEST

static void limit(work_server *s)
{
    int port = work_server_port(s);
    client *a = client_open(port, "client a");
    client_expect(a, "hello\n");
    client *b = client_open(port, "client b");
    client_expect(b, "hello\n");
    client *c = client_open(port, "client c (one too many)");
    client_expect(c, "busy\n");
    client_expect_eof(c);
    client_close(c);
    ck_assert_msg(work_server_clients(s) == 2,
                  "[%s] work_server_clients is %zu with a and b connected "
                  "and c turned away, expected 2",
                  harness_backend, work_server_clients(s));
    client_close(a);
    harness_step("waiting for the server to notice that a has gone");
    for (int i = 0; i < 500 && work_server_clients(s) > 1; i++)
        aw_sleep(0.01);
    ck_assert_msg(work_server_clients(s) == 1,
                  "[%s] client a left 5 s ago, and work_server_clients is "
                  "still %zu",
                  harness_backend, work_server_clients(s));
    client *d = client_open(port, "client d (after a left)");
    client_expect(d, "hello\n");
    client_send(d, "ping\n");
    client_expect(d, "pong\n");
    client_close(d);
    client_close(b);
    shutdown_expecting(s, 5, 0, "no client was left");
}

START_TEST(connection_limit)
{
    run("a limit of 2 clients", limit, 2);
}
END_TEST

static void idle_clients(work_server *s)
{
    int port = work_server_port(s);
    client *c[3];
    for (int i = 0; i < 3; i++) {
        c[i] = client_open(port, "an idle client");
        client_expect(c[i], "hello\n");
    }
    double start = now();
    shutdown_expecting(s, 5, 0, "idle clients are told to go, not cancelled");
    double took = now() - start;
    ck_assert_msg(took < 2.5,
                  "[%s] with only idle clients, the shutdown took %.2f s: "
                  "it waited for the grace period instead of telling the "
                  "idle clients to go (cancel their handlers)",
                  harness_backend, took);
    for (int i = 0; i < 3; i++) {
        client_expect(c[i], "bye\n");
        client_expect_eof(c[i]);
        client_close(c[i]);
    }
    client *late;
    int rc = client_try_open(port, "a client after the shutdown", &late);
    if (rc == 0) {
        client_close(late);
        ck_abort_msg("[%s] after the shutdown the server still accepts "
                     "connections",
                     harness_backend);
    }
}

START_TEST(shutdown_says_bye_to_idle_clients)
{
    run("shutdown with idle clients", idle_clients, 4);
}
END_TEST

static void work_in_progress(work_server *s)
{
    int port = work_server_port(s);
    client *idle = client_open(port, "an idle client");
    client_expect(idle, "hello\n");
    client *busy = client_open(port, "a working client");
    client_expect(busy, "hello\n");
    client_send(busy, "work 0.5\n");
    aw_sleep(0.1); /* the server has begun the work */
    double start = now();
    shutdown_expecting(s, 5, 0, "the work ended well within the grace period");
    double took = now() - start;
    ck_assert_msg(took >= 0.3,
                  "[%s] the shutdown returned after %.2f s, before the work "
                  "in progress (0.4 s more) was done",
                  harness_backend, took);
    client_expect(busy, "done\n");
    client_expect(busy, "bye\n");
    client_expect_eof(busy);
    client_expect(idle, "bye\n");
    client_expect_eof(idle);
    client_close(busy);
    client_close(idle);
}

START_TEST(shutdown_lets_work_finish)
{
    run("shutdown during work", work_in_progress, 4);
}
END_TEST

static void deadline(work_server *s)
{
    client *busy = client_open(work_server_port(s), "a client with long work");
    client_expect(busy, "hello\n");
    client_send(busy, "work 60\n");
    aw_sleep(0.1);
    double start = now();
    shutdown_expecting(s, 0.3, AW_ETIMEDOUT,
                       "work still running after the grace period is "
                       "cancelled, and the shutdown says so");
    double took = now() - start;
    ck_assert_msg(took < 5, "[%s] shutdown with 0.3 s of grace took %.2f s",
                  harness_backend, took);
    client_expect_eof(busy);
    client_close(busy);
}

START_TEST(shutdown_cancels_work_after_grace)
{
    run("shutdown with work that takes too long", deadline, 4);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("07-servers/graceful_server");
    TCase *tc = tcase_create("graceful_server");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, hello_ping_work);
    tcase_add_test(tc, connection_limit);
    tcase_add_test(tc, shutdown_says_bye_to_idle_clients);
    tcase_add_test(tc, shutdown_lets_work_finish);
    tcase_add_test(tc, shutdown_cancels_work_after_grace);
    suite_add_tcase(s, tc);
    return s;
}
