/*
 * Grader for 07-servers/idle_timeout: an echo handler that gives up on
 * idle clients and on clients that do not read, served by
 * aw_start_server on every backend. Times here are real, with margins of
 * 20 times or more, and only lower bounds are exact.
 */
// grade-exports: timeout_echo_handler
// grade-sources: tests/06-selectors/loopback.c
// grade-sources: tests/07-servers/server_harness.c
#include "check_main.h"
#include "server_harness.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

typedef struct {
    double idle_timeout;
    double write_timeout;
} timeout_config;

int timeout_echo_handler(aw_reader *reader, aw_writer *writer, void *config);

static timeout_config config;
static bool handler_started, handler_done;
static int handler_rc;
static bool aborted_at_return; /* the writer was closing when it returned */

static void reset(void *ctx)
{
    (void)ctx;
    handler_started = handler_done = aborted_at_return = false;
    handler_rc = 0;
}

/* Records how the learner's handler ended; keeps the server's send buffer
 * small, so "the client does not read" shows up after a few hundred KiB
 * whatever the machine's automatic buffer sizes. */
static int handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)arg;
    int size = 64 * 1024;
    setsockopt(aw_writer_fd(writer), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    handler_started = true;
    handler_rc = timeout_echo_handler(reader, writer, &config);
    aborted_at_return = aw_writer_is_closing(writer);
    handler_done = true;
    return handler_rc;
}

static const aw_server_options options = {
    .stream = {.high_water = 16 * 1024, .low_water = 4 * 1024}};

static void run(const char *what, scenario_fn scenario, double idle,
                double write)
{
    config = (timeout_config){idle, write};
    server_test t = {.what = what,
                     .handler = handler,
                     .options = &options,
                     .scenario = scenario,
                     .limit = 15,
                     .before_each = reset};
    run_server_test(&t);
}

static void echoes(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "the client");
    client_send(c, "hello\n");
    client_expect(c, "hello\n");
    client_send(c, "Two words\nand more\n");
    client_expect(c, "Two words\n");
    client_expect(c, "and more\n");
    client_send_eof(c);
    client_expect_eof(c);
    client_close(c);
    ck_assert_msg(handler_done && handler_rc == 0,
                  "[%s] at end of stream the handler should return 0; it "
                  "%s %d",
                  harness_backend, handler_done ? "returned" : "had not yet",
                  handler_rc);
}

START_TEST(echoes_lines)
{
    run("echo", echoes, 10, 10);
}
END_TEST

static void idle(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "an idle client");
    double start = aw_loop_time(aw_running_loop());
    client_expect(c, "idle timeout\n");
    double waited = aw_loop_time(aw_running_loop()) - start;
    client_expect_eof(c);
    client_close(c);
    ck_assert_msg(handler_done && handler_rc == 0,
                  "[%s] after \"idle timeout\" the handler returned %d (%s), "
                  "expected 0: an idle client is not an error, the server "
                  "just closes the connection",
                  harness_backend, handler_rc, aw_strerror(handler_rc));
    /* The server's clock started a moment before ours: allow 0.1 s. */
    ck_assert_msg(waited >= 0.4,
                  "[%s] with idle_timeout 0.5 the server gave up after %.3f "
                  "s",
                  harness_backend, waited);
}

START_TEST(idle_client_is_told_and_closed)
{
    run("an idle client (idle_timeout 0.5 s)", idle, 0.5, 10);
}
END_TEST

static void active(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "a client that talks every 0.05 s");
    char line[64];
    /* 1.5 s in all, longer than the 1 s idle timeout: the timeout must
     * start again after each line, not once per connection. */
    for (int i = 0; i < 30; i++) {
        snprintf(line, sizeof line, "line %d\n", i);
        client_send(c, line);
        client_expect(c, line);
        aw_sleep(0.05);
    }
    client_close(c);
}

START_TEST(idle_clock_restarts_after_each_line)
{
    run("an active client (idle_timeout 1 s)", active, 1.0, 10);
}
END_TEST

static void not_reading(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "a client that does not read");
    static char line[1001];
    memset(line, 'z', 999);
    line[999] = '\n';
    /* 2 MB of lines, queued without waiting; their echoes are never read. */
    for (int i = 0; i < 2000; i++)
        client_queue(c, line);
    harness_step("waiting for the server to give up on a client that does "
                 "not read (write_timeout 0.5 s)");
    for (int i = 0; i < 200 && !handler_done; i++)
        aw_sleep(0.05);
    ck_assert_msg(handler_done,
                  "[%s] the client has not read for 10 s, and the handler "
                  "still waits: bound aw_writer_drain with aw_wait_for",
                  harness_backend);
    ck_assert_msg(handler_rc == AW_ETIMEDOUT,
                  "[%s] the handler gave up on a client that does not read "
                  "and returned %d (%s), expected AW_ETIMEDOUT",
                  harness_backend, handler_rc, aw_strerror(handler_rc));
    ck_assert_msg(aborted_at_return,
                  "[%s] the handler returned AW_ETIMEDOUT without aborting "
                  "its writer: call aw_writer_abort before returning (what "
                  "is buffered can never be delivered)",
                  harness_backend);
    client_close(c);
}

START_TEST(client_that_does_not_read_is_aborted)
{
    run("a client that does not read", not_reading, 10, 0.5);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("07-servers/idle_timeout");
    TCase *tc = tcase_create("idle_timeout");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, echoes_lines);
    tcase_add_test(tc, idle_client_is_told_and_closed);
    tcase_add_test(tc, idle_clock_restarts_after_each_line);
    tcase_add_test(tc, client_that_does_not_read_is_aborted);
    suite_add_tcase(s, tc);
    return s;
}
