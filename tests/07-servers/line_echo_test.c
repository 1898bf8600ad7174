/*
 * Grader for 07-servers/line_echo: the upper-casing line echo handler,
 * served by aw_start_server on every backend, with clients in the same
 * loop.
 */
// grade-exports: line_echo_handler
// grade-sources: tests/06-selectors/loopback.c
// grade-sources: tests/07-servers/server_harness.c
#include "check_main.h"
#include "server_harness.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int line_echo_handler(aw_reader *reader, aw_writer *writer, void *arg);

enum { LIMIT = 1024, HIGH_WATER = 16 * 1024 };

static const aw_server_options options = {
    .stream = {
        .limit = LIMIT, .high_water = HIGH_WATER, .low_water = HIGH_WATER / 4}};

/* The handler, plus a note of the server-side writer of the latest
 * connection, so a scenario can see how much the server buffers. */
static aw_writer *server_writer;

static int recording_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    server_writer = writer;
    int rc = line_echo_handler(reader, writer, arg);
    server_writer = NULL;
    return rc;
}

static void run(const char *what, scenario_fn scenario)
{
    server_test t = {.what = what,
                     .handler = recording_handler,
                     .options = &options,
                     .scenario = scenario,
                     .limit = 15};
    run_server_test(&t);
}

/* ---- scenarios -------------------------------------------------------------
 */

static void upper_cases(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "the client");
    client_send(c, "hello\n");
    client_expect(c, "HELLO\n");
    client_send(c, "Mixed Case, 123!\n");
    client_expect(c, "MIXED CASE, 123!\n");
    client_send(c, "two\nlines\n");
    client_expect(c, "TWO\n");
    client_expect(c, "LINES\n");
    client_send(c, "\n");
    client_expect(c, "\n");
    client_close(c);
}

START_TEST(answers_in_upper_case)
{
    run("upper case", upper_cases);
}
END_TEST

static void quits(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "the client");
    client_send(c, "first\n");
    client_expect(c, "FIRST\n");
    client_send(c, "quit\nnot answered\n");
    client_expect(c, "bye\n");
    client_expect_eof(c);
    client_close(c);
}

START_TEST(quit_says_bye_and_closes)
{
    run("quit", quits);
}
END_TEST

static void eof_ends(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "the client");
    client_send(c, "one\ntail without newline");
    client_send_eof(c);
    client_expect(c, "ONE\n");
    client_expect(c, "TAIL WITHOUT NEWLINE\n");
    client_expect_eof(c);
    client_close(c);
}

START_TEST(last_line_at_eof)
{
    run("end of stream", eof_ends);
}
END_TEST

static void long_line(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "the client");
    static char line[3 * LIMIT + 2];
    memset(line, 'x', sizeof line - 2);
    line[sizeof line - 2] = '\n';
    line[sizeof line - 1] = '\0';
    client_send(c, line);
    client_expect(c, "error: line too long\n");
    client_send(c, "still here\n");
    client_expect(c, "STILL HERE\n");
    client_close(c);
}

START_TEST(too_long_line_is_an_error_not_the_end)
{
    run("a line over the limit", long_line);
}
END_TEST

static void many_clients(int port, void *ctx)
{
    (void)ctx;
    enum { N = 20 };
    client *c[N];
    char name[32], line[64], want[64];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "client %d", i);
        c[i] = client_open(port, name);
    }
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < N; i++) {
            snprintf(line, sizeof line, "client %d round %d\n", i, round);
            snprintf(want, sizeof want, "CLIENT %d ROUND %d\n", i, round);
            client_send(c[N - 1 - i], line);
            (void)want;
        }
    for (int i = 0; i < N; i++)
        for (int round = 0; round < 3; round++) {
            snprintf(want, sizeof want, "CLIENT %d ROUND %d\n", N - 1 - i,
                     round);
            client_expect(c[i], want);
        }
    for (int i = 0; i < N; i++)
        client_close(c[i]);
}

START_TEST(serves_clients_concurrently)
{
    run("20 clients", many_clients);
}
END_TEST

/* The client sends 8 MiB of lines and reads nothing for a while. The
 * kernel can hold about half of that; the rest must wait in the client,
 * not pile up in the server's writer. */
static void greedy_client(int port, void *ctx)
{
    (void)ctx;
    enum { LINES = 8000, LEN = 1000 };
    client *c = client_open(port, "the greedy client");
    int small = 16 * 1024;
    setsockopt(aw_writer_fd(c->writer), SOL_SOCKET, SO_RCVBUF, &small,
               sizeof small);
    char line[LEN + 1];
    for (int i = 0; i < LINES; i++) {
        snprintf(line, sizeof line, "%05d ", i);
        memset(line + 6, 'a' + i % 26, LEN - 7);
        line[LEN - 1] = '\n';
        line[LEN] = '\0';
        client_queue(c, line);
    }
    harness_step("the greedy client watches the server's buffer");
    /* Watch until nothing moves any more for 0.2 s: by then a server that
     * drains has stopped reading, and one that does not has read it all. */
    size_t last = SIZE_MAX, last_server = SIZE_MAX;
    for (int still = 0, tick = 0; still < 20 && tick < 500; tick++) {
        aw_sleep(0.01);
        size_t server_side =
            server_writer ? aw_writer_buffered(server_writer) : 0;
        ck_assert_msg(server_side <= HIGH_WATER + LIMIT,
                      "[%s] a client sent 8 MiB without reading, and the "
                      "server buffered %zu bytes of answers for it (high "
                      "water mark %d): await aw_writer_drain after writing",
                      harness_backend, server_side, HIGH_WATER);
        size_t client_side = aw_writer_buffered(c->writer);
        bool moved = client_side != last || server_side != last_server;
        still = moved ? 0 : still + 1;
        last = client_side;
        last_server = server_side;
    }
    /* A small window is slow (each update waits for a delayed ACK):
     * open it again for reading. */
    int large = 4 << 20;
    setsockopt(aw_writer_fd(c->writer), SOL_SOCKET, SO_RCVBUF, &large,
               sizeof large);
    harness_step("the greedy client reads its answers");
    char got[LEN + 8], want[LEN + 1];
    for (int i = 0; i < LINES; i++) {
        snprintf(want, sizeof want, "%05d ", i);
        memset(want + 6, 'A' + i % 26, LEN - 7);
        want[LEN - 1] = '\n';
        want[LEN] = '\0';
        if (i % 500 == 0)
            harness_step("the greedy client reads answer %d", i);
        size_t n = client_line(c, got, sizeof got);
        ck_assert_msg(n == LEN && strcmp(got, want) == 0,
                      "[%s] answer %d of %d is wrong or missing (%zu bytes)",
                      harness_backend, i, LINES, n);
    }
    client_close(c);
}

START_TEST(greedy_client_gets_backpressure)
{
    run("a client that does not read", greedy_client);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("07-servers/line_echo");
    TCase *tc = tcase_create("line_echo");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, answers_in_upper_case);
    tcase_add_test(tc, quit_says_bye_and_closes);
    tcase_add_test(tc, last_line_at_eof);
    tcase_add_test(tc, too_long_line_is_an_error_not_the_end);
    tcase_add_test(tc, serves_clients_concurrently);
    tcase_add_test(tc, greedy_client_gets_backpressure);
    suite_add_tcase(s, tc);
    return s;
}
