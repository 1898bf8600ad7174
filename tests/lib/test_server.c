/*
 * test_server.c - start_server and open_connection over loopback: many
 * clients at once, a reset on one connection, closing, and graceful
 * shutdown with a deadline. Every test checks that the descriptors it
 * opened are all closed at the end.
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw.h"
#include "backend_skip.h"
#include "net_helpers.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What the handlers saw, for the test to check afterwards. */
typedef struct {
    int started, finished, cancelled, failed;
    int last_error;
} handler_log;

/* Echo until end of stream; record how it ended. */
static int echo_handler(aw_reader *r, aw_writer *w, void *arg)
{
    handler_log *log = arg;
    log->started++;
    char buf[4096];
    for (;;) {
        ssize_t n = aw_reader_read(r, buf, sizeof buf);
        int rc = n < 0 ? (int)n : 0;
        if (rc == 0 && n > 0)
            rc = aw_writer_write(w, buf, (size_t)n);
        if (rc == 0 && n > 0)
            rc = aw_writer_drain(w);
        if (rc == AW_ECANCELLED)
            log->cancelled++;
        else if (rc != 0)
            log->failed++, log->last_error = rc;
        if (rc != 0)
            return rc;
        if (n == 0)
            break;
    }
    log->finished++;
    return 0;
}

typedef struct {
    aw_loop *loop;
    aw_server *server;
    handler_log log;
    int fds_before;
} fixture;

static void start(fixture *f, aw_client_handler handler)
{
    memset(f, 0, sizeof *f);
    f->fds_before = count_open_fds();
    f->loop = new_loop();
    f->server =
        aw_start_server(f->loop, "127.0.0.1", 0, handler, &f->log, NULL);
    ck_assert_msg(f->server != NULL, "aw_start_server: %s", aw_last_error());
    ck_assert_int_gt(aw_server_port(f->server), 0);
}

static void finish(fixture *f)
{
    ck_assert_msg(aw_server_free(f->server) == 0, "aw_server_free: %s",
                  aw_last_error());
    close_loop_check_fds(f->loop, f->fds_before);
}

/* In a task: wait (up to 10 s, never a fixed guess) until the server
 * has n handlers running. */
static bool wait_connections(aw_server *s, size_t n)
{
    for (int i = 0; i < 10000 && aw_server_connections(s) != n; i++)
        aw_sleep(0.001);
    return aw_server_connections(s) == n;
}

/* ---- many clients at once ------------------------------------------------ */

enum { CLIENTS = 20, LINES = 30 };

typedef struct {
    fixture *f;
    int id;
} client_job;

static void *echo_client(void *arg)
{
    client_job *c = arg;
    aw_reader *r;
    aw_writer *w;
    int rc = aw_open_connection("127.0.0.1", aw_server_port(c->f->server), NULL,
                                &r, &w);
    TASK_ASSERT(rc == 0, "open_connection: %s", aw_last_error());
    void *failure = NULL;
    for (int i = 0; i < LINES && !failure; i++) {
        char out[64], in[64];
        int n = snprintf(out, sizeof out, "client %d line %d\n", c->id, i);
        size_t len;
        aw_writer_write(w, out, (size_t)n);
        rc = aw_reader_readline(r, in, sizeof in, &len);
        if (rc != 0 || strcmp(in, out) != 0)
            failure = aw_raise(AW_EMISUSE, "wrong echo");
    }
    aw_writer_write_eof(w);
    char c1;
    if (!failure && aw_reader_read(r, &c1, 1) != 0)
        failure = aw_raise(AW_EMISUSE, "expected EOF from the server");
    aw_writer_close(w);
    aw_writer_wait_closed(w);
    aw_reader_free(r);
    aw_writer_free(w);
    return failure;
}

static void *many_clients(void *arg)
{
    fixture *f = arg;
    client_job jobs[CLIENTS];
    aw_task *tasks[CLIENTS];
    aw_future *futures[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        jobs[i] = (client_job){.f = f, .id = i};
        tasks[i] = aw_task_create(f->loop, echo_client, &jobs[i], "client");
        futures[i] = aw_task_future(tasks[i]);
    }
    aw_future *all = aw_gather(f->loop, futures, CLIENTS);
    int rc = aw_await(all, NULL);
    aw_future_release(all);
    for (int i = 0; i < CLIENTS; i++)
        aw_task_release(tasks[i]);
    TASK_ASSERT(rc == 0, "a client failed: %s", aw_last_error());
    rc = aw_server_shutdown(f->server, 5.0);
    TASK_ASSERT(rc == 0, "shutdown: %s", aw_last_error());
    return NULL;
}

START_TEST(echo_to_many_clients)
{
    fixture f;
    start(&f, echo_handler);
    expect_task_ok(f.loop, many_clients, &f);
    ck_assert_int_eq(f.log.started, CLIENTS);
    ck_assert_int_eq(f.log.finished, CLIENTS);
    ck_assert_int_eq(aw_server_connections(f.server), 0);
    finish(&f);
}
END_TEST

/* ---- a reset on one connection leaves the others alone ------------------ */

static void *reset_one_keep_other(void *arg)
{
    fixture *f = arg;
    int port = aw_server_port(f->server);
    int victim = aw_connect_tcp("127.0.0.1", port);
    TASK_ASSERT(victim >= 0, "connect: %s", aw_last_error());
    aw_reader *r;
    aw_writer *w;
    TASK_ASSERT(aw_open_connection("127.0.0.1", port, NULL, &r, &w) == 0,
                "open_connection");
    /* The victim's handler is reading; the victim resets. */
    TASK_ASSERT(aw_send(victim, "hi", 2) == 2, "send");
    char buf[8];
    TASK_ASSERT(aw_recv(victim, buf, 2) == 2, "echo before the reset");
    reset_on_close(victim);
    aw_close(NULL, victim);
    TASK_ASSERT(wait_connections(f->server, 1),
                "the reset connection's handler should have ended: %zu",
                aw_server_connections(f->server));
    /* The other connection still echoes. */
    aw_writer_write(w, "still here\n", 11);
    size_t len;
    TASK_ASSERT(aw_reader_readline(r, buf, sizeof buf, &len) == AW_ELIMIT,
                "a small buffer gives AW_ELIMIT");
    char line[32];
    aw_writer_write(w, "again\n", 6);
    TASK_ASSERT(aw_reader_readline(r, line, sizeof line, &len) == 0 &&
                    strcmp(line, "again\n") == 0,
                "the other connection still works: '%s'", line);
    aw_writer_close(w);
    aw_writer_wait_closed(w);
    aw_reader_free(r);
    aw_writer_free(w);
    TASK_ASSERT(aw_server_shutdown(f->server, 5.0) == 0, "shutdown: %s",
                aw_last_error());
    return NULL;
}

START_TEST(reset_is_an_error_on_one_connection_only)
{
    fixture f;
    start(&f, echo_handler);
    expect_task_ok(f.loop, reset_one_keep_other, &f);
    ck_assert_int_eq(f.log.started, 2);
    ck_assert_int_eq(f.log.failed, 1);
    ck_assert_msg(f.log.last_error == -ECONNRESET || f.log.last_error == -EPIPE,
                  "the reset handler's error: %s",
                  aw_strerror(f.log.last_error));
    ck_assert_int_eq(f.log.finished, 1);
    finish(&f);
}
END_TEST

/* ---- graceful shutdown: handlers that finish in time ------------------- */

static void *client_says_bye_later(void *arg)
{
    fixture *f = arg;
    int port = aw_server_port(f->server);
    aw_reader *r;
    aw_writer *w;
    TASK_ASSERT(aw_open_connection("127.0.0.1", port, NULL, &r, &w) == 0,
                "open_connection");
    aw_writer_write(w, "hello", 5);
    char buf[8];
    TASK_ASSERT(aw_reader_readexactly(r, buf, 5, NULL) == 0, "echo");
    aw_sleep(0.05); /* the server is shutting down meanwhile */
    aw_writer_write(w, "bye", 3);
    aw_writer_write_eof(w);
    TASK_ASSERT(aw_reader_readexactly(r, buf, 3, NULL) == 0 &&
                    memcmp(buf, "bye", 3) == 0,
                "echo during the shutdown");
    TASK_ASSERT(aw_reader_read(r, buf, 1) == 0, "EOF");
    aw_reader_free(r);
    aw_writer_free(w);
    return NULL;
}

static void *shutdown_in_time(void *arg)
{
    fixture *f = arg;
    aw_task *client =
        aw_task_create(f->loop, client_says_bye_later, f, "client");
    TASK_ASSERT(wait_connections(f->server, 1), "one connection");
    int rc = aw_server_shutdown(f->server, 10.0);
    TASK_ASSERT(rc == 0, "shutdown: %s", aw_strerror(rc));
    TASK_ASSERT(aw_server_connections(f->server) == 0, "no handler left");
    rc = aw_await(aw_task_future(client), NULL);
    aw_task_release(client);
    TASK_ASSERT(rc == 0, "client: %s", aw_last_error());
    /* Closed: new connections are refused. */
    int fd = aw_connect_tcp("127.0.0.1", aw_server_port(f->server));
    TASK_ASSERT(fd == -ECONNREFUSED, "connect after close: %d", fd);
    TASK_ASSERT(aw_server_wait_closed(f->server) == 0, "wait_closed");
    return NULL;
}

START_TEST(shutdown_waits_for_handlers)
{
    fixture f;
    start(&f, echo_handler);
    expect_task_ok(f.loop, shutdown_in_time, &f);
    ck_assert_int_eq(f.log.finished, 1);
    ck_assert_int_eq(f.log.cancelled, 0);
    finish(&f);
}
END_TEST

/* ---- graceful shutdown: the deadline passes --------------------------- */

static void *idle_clients_then_shutdown(void *arg)
{
    fixture *f = arg;
    int port = aw_server_port(f->server);
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = aw_connect_tcp("127.0.0.1", port);
        TASK_ASSERT(fds[i] >= 0, "connect");
    }
    TASK_ASSERT(wait_connections(f->server, 3), "three handlers");
    double t0 = aw_loop_time(f->loop);
    int rc = aw_server_shutdown(f->server, 0.1);
    double took = aw_loop_time(f->loop) - t0;
    TASK_ASSERT(rc == AW_ETIMEDOUT, "idle handlers are cancelled: %s",
                aw_strerror(rc));
    TASK_ASSERT(took >= 0.1, "the handlers got their 0.1 s (%.3f)", took);
    TASK_ASSERT(aw_server_connections(f->server) == 0, "none left");
    /* The clients see their connections end. */
    for (int i = 0; i < 3; i++) {
        char c;
        ssize_t n = aw_recv(fds[i], &c, 1);
        TASK_ASSERT(n == 0 || n == -ECONNRESET, "client %d: %zd", i, n);
        aw_close(NULL, fds[i]);
    }
    return NULL;
}

START_TEST(shutdown_cancels_handlers_after_deadline)
{
    fixture f;
    start(&f, echo_handler);
    expect_task_ok(f.loop, idle_clients_then_shutdown, &f);
    ck_assert_int_eq(f.log.started, 3);
    ck_assert_int_eq(f.log.cancelled, 3);
    finish(&f);
}
END_TEST

/* ---- a handler's last words are sent before the close ------------------ */

enum { BIG = 1 << 20 };

static int big_reply_handler(aw_reader *r, aw_writer *w, void *arg)
{
    (void)r;
    (void)arg;
    char *buf = malloc(BIG);
    memset(buf, 'z', BIG);
    int rc = aw_writer_write(w, buf, BIG); /* no drain: the server flushes */
    free(buf);
    return rc;
}

static void *read_big_reply(void *arg)
{
    fixture *f = arg;
    aw_reader *r;
    aw_writer *w;
    TASK_ASSERT(
        aw_open_connection(NULL, aw_server_port(f->server), NULL, &r, &w) == 0,
        "open_connection");
    size_t total = 0;
    char buf[8192];
    for (;;) {
        ssize_t n = aw_reader_read(r, buf, sizeof buf);
        TASK_ASSERT(n >= 0, "read: %s", aw_last_error());
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            TASK_ASSERT(buf[i] == 'z', "data");
        total += (size_t)n;
    }
    aw_reader_free(r);
    aw_writer_free(w);
    TASK_ASSERT(total == BIG, "got %zu of %d bytes", total, BIG);
    TASK_ASSERT(aw_server_shutdown(f->server, 5.0) == 0, "shutdown");
    return NULL;
}

START_TEST(handler_output_is_flushed_before_close)
{
    fixture f;
    start(&f, big_reply_handler);
    expect_task_ok(f.loop, read_big_reply, &f);
    finish(&f);
}
END_TEST

/* ---- aw_loop_shutdown with a server still running ------------------------ */

static void *connect_and_leave(void *arg)
{
    fixture *f = arg;
    int fd = aw_connect_tcp("127.0.0.1", aw_server_port(f->server));
    TASK_ASSERT(fd >= 0, "connect");
    TASK_ASSERT(wait_connections(f->server, 1), "connected");
    TASK_ASSERT(aw_server_free(f->server) == AW_EMISUSE,
                "free while running is misuse");
    aw_close(NULL, fd);
    return NULL;
}

START_TEST(loop_shutdown_stops_a_running_server)
{
    fixture f;
    start(&f, echo_handler);
    expect_task_ok(f.loop, connect_and_leave, &f);
    /* The server still accepts; shutting the loop down cancels it. */
    ck_assert_int_eq(aw_loop_shutdown(f.loop), 0);
    ck_assert_int_eq(aw_server_free(f.server), 0);
    ck_assert_int_eq(count_open_fds(), f.fds_before);
}
END_TEST

START_TEST(server_cancelled_before_it_ran)
{
    fixture f;
    start(&f, echo_handler);
    /* The accept task never ran: nothing may leak all the same. */
    ck_assert_int_eq(aw_loop_shutdown(f.loop), 0);
    ck_assert_int_eq(aw_server_free(f.server), 0);
    ck_assert_int_eq(count_open_fds(), f.fds_before);
}
END_TEST

START_TEST(start_server_reports_errors)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    ck_assert_ptr_null(
        aw_start_server(loop, "not-an-address", 0, echo_handler, NULL, NULL));
    ck_assert_msg(strstr(aw_last_error(), "numeric") != NULL, "%s",
                  aw_last_error());
    ck_assert_ptr_null(aw_start_server(loop, NULL, 0, NULL, NULL, NULL));
    ck_assert_ptr_null(
        aw_start_server(loop, "127.0.0.1", 70000, echo_handler, NULL, NULL));
    /* A port already taken. */
    aw_server *s = aw_start_server(loop, NULL, 0, echo_handler, NULL, NULL);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(aw_start_server(loop, NULL, aw_server_port(s),
                                       echo_handler, NULL, NULL));
    ck_assert_msg(strstr(aw_last_error(), "bind") != NULL, "%s",
                  aw_last_error());
    aw_server_close(s);
    ck_assert_int_eq(aw_loop_shutdown(loop), 0);
    ck_assert_int_eq(aw_server_free(s), 0);
    ck_assert_int_eq(count_open_fds(), before);
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("server");
    TCase *tc = tcase_create("server");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, echo_to_many_clients);
    tcase_add_test(tc, reset_is_an_error_on_one_connection_only);
    tcase_add_test(tc, shutdown_waits_for_handlers);
    tcase_add_test(tc, shutdown_cancels_handlers_after_deadline);
    tcase_add_test(tc, handler_output_is_flushed_before_close);
    tcase_add_test(tc, loop_shutdown_stops_a_running_server);
    tcase_add_test(tc, server_cancelled_before_it_ran);
    tcase_add_test(tc, start_server_reports_errors);
    suite_add_tcase(s, tc);
    return s;
}
