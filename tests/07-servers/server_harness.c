/*
 * server_harness.c - the chapter 7 graders' shared harness; see
 * server_harness.h.
 */
#include "server_harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *harness_backend = "?";
static char step[256] = "starting";
static const char *test_what = "";

void harness_begin(aw_backend_kind kind, const char *what)
{
    harness_backend = aw_backend_kind_name(kind);
    test_what = what;
    harness_step("starting");
}

void harness_step(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(step, sizeof step, fmt, ap);
    va_end(ap);
}

/* Text as a C string literal would show it: "GET /\r\n". */
static const char *shown(const char *s, char *out, size_t cap)
{
    size_t j = 0;
    for (; *s && j + 5 < cap; s++) {
        if (*s == '\n' || *s == '\r') {
            out[j++] = '\\';
            out[j++] = *s == '\n' ? 'n' : 'r';
        } else if ((unsigned char)*s < 32) {
            j += (size_t)snprintf(out + j, cap - j, "\\x%02x",
                                  (unsigned char)*s);
        } else {
            out[j++] = *s;
        }
    }
    if (*s && j + 4 < cap)
        j += (size_t)snprintf(out + j, cap - j, "...");
    out[j] = '\0';
    return out;
}

/* ---- running a task with a time limit ---------------------------------- */

typedef struct {
    aw_task_fn fn;
    void *arg;
    double limit;
    int rc;
} limited;

static void *run_limited(void *arg)
{
    limited *l = arg;
    aw_task *t = aw_task_create(aw_running_loop(), l->fn, l->arg, "scenario");
    ck_assert(t != NULL);
    l->rc = aw_wait_for(aw_task_future(t), l->limit, NULL);
    aw_task_release(t);
    return NULL;
}

bool harness_run_task(aw_loop *loop, aw_task_fn fn, void *arg, double limit)
{
    limited l = {fn, arg, limit, 0};
    aw_task *t = aw_task_create(loop, run_limited, &l, "limit");
    ck_assert(t != NULL);
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    ck_assert_msg(rc == 0, "[%s] %s: the loop failed: %s", harness_backend,
                  test_what, aw_last_error());
    return l.rc != AW_ETIMEDOUT;
}

/* ---- one server test on one backend ----------------------------------------
 */

typedef struct {
    const server_test *t;
    aw_server *server;
    int port;
    bool timed_out;
    int shutdown_rc;
} run_state;

static void *scenario_task(void *arg)
{
    run_state *r = arg;
    r->t->scenario(r->port, r->t->ctx);
    harness_step("the scenario has finished");
    return NULL;
}

static void *drive(void *arg)
{
    run_state *r = arg;
    double limit = r->t->limit > 0 ? r->t->limit : 10;
    aw_task *t = aw_task_create(aw_running_loop(), scenario_task, r, "clients");
    ck_assert(t != NULL);
    int rc = aw_wait_for(aw_task_future(t), limit, NULL);
    aw_task_release(t);
    if (rc == AW_ETIMEDOUT) {
        r->timed_out = true;
        return NULL;
    }
    /* The clients are done: handlers should end on their own. */
    r->shutdown_rc = aw_server_shutdown(r->server, 5.0);
    return NULL;
}

static void run_on(const server_test *t, aw_backend_kind kind)
{
    harness_begin(kind, t->what);
    if (t->before_each)
        t->before_each(t->ctx);
    int before = count_open_fds();
    aw_loop *loop = new_loop_on(kind, false);
    run_state r = {.t = t};
    r.server = aw_start_server(loop, "127.0.0.1", 0, t->handler, t->handler_arg,
                               t->options);
    ck_assert_msg(r.server != NULL, "[%s] aw_start_server: %s", harness_backend,
                  aw_last_error());
    r.port = aw_server_port(r.server);

    aw_task *main_task = aw_task_create(loop, drive, &r, "drive");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(main_task));
    aw_task_release(main_task);
    ck_assert_msg(rc == 0, "[%s] %s: the loop failed: %s", harness_backend,
                  t->what, aw_last_error());
    ck_assert_msg(!r.timed_out,
                  "[%s] %s: not done after %g s; the clients were at this "
                  "step: %s",
                  harness_backend, t->what, t->limit > 0 ? t->limit : 10, step);
    ck_assert_msg(r.shutdown_rc == 0,
                  "[%s] %s: every client had closed, yet 5 s later the "
                  "server still had handlers running, and cancelled them: "
                  "return from the handler when the client closes (a read "
                  "returns 0)",
                  harness_backend, t->what);
    rc = aw_server_free(r.server);
    ck_assert_msg(rc == 0, "[%s] %s: aw_server_free: %s", harness_backend,
                  t->what, aw_last_error());
    rc = aw_loop_close(loop);
    ck_assert_msg(rc == 0, "[%s] %s: the loop cannot be closed: %s",
                  harness_backend, t->what, aw_last_error());
    int after = count_open_fds();
    ck_assert_msg(after == before,
                  "[%s] %s: %d descriptors were open before and %d after: "
                  "something was not closed",
                  harness_backend, t->what, before, after);
}

void run_server_test(const server_test *t)
{
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int i = 0; i < n; i++)
        run_on(t, kinds[i]);
}

/* ---- clients ------------------------------------------------------------- */

/* The scenario ran out of time: wait_for cancelled it. */
static void check_not_cancelled(int rc)
{
    if (rc == AW_ECANCELLED)
        ck_abort_msg("[%s] %s: not done in time; the clients were at this "
                     "step: %s",
                     harness_backend, test_what, step);
}

int client_try_open(int port, const char *name, client **out)
{
    client *c = calloc(1, sizeof *c);
    ck_assert(c != NULL);
    snprintf(c->name, sizeof c->name, "%s", name);
    harness_step("%s connects", name);
    int rc =
        aw_open_connection("127.0.0.1", port, NULL, &c->reader, &c->writer);
    check_not_cancelled(rc);
    if (rc != 0) {
        free(c);
        *out = NULL;
        return rc;
    }
    *out = c;
    return 0;
}

client *client_open(int port, const char *name)
{
    client *c;
    int rc = client_try_open(port, name, &c);
    ck_assert_msg(rc == 0, "[%s] %s: %s could not connect: %s", harness_backend,
                  test_what, name, aw_last_error());
    return c;
}

void client_send_bytes(client *c, const void *data, size_t len)
{
    int rc = aw_writer_write(c->writer, data, len);
    if (rc == 0)
        rc = aw_writer_drain(c->writer);
    check_not_cancelled(rc);
    ck_assert_msg(rc == 0, "[%s] %s: %s could not send: %s", harness_backend,
                  test_what, c->name, aw_strerror(rc));
}

void client_send(client *c, const char *text)
{
    char buf[120];
    harness_step("%s sends \"%s\"", c->name, shown(text, buf, sizeof buf));
    client_send_bytes(c, text, strlen(text));
}

void client_queue(client *c, const char *text)
{
    int rc = aw_writer_write(c->writer, text, strlen(text));
    ck_assert_msg(rc == 0, "[%s] %s: %s could not write: %s", harness_backend,
                  test_what, c->name, aw_strerror(rc));
}

size_t client_line(client *c, char *buf, size_t cap)
{
    size_t len = 0;
    int rc = aw_reader_readline(c->reader, buf, cap, &len);
    check_not_cancelled(rc);
    if (rc == -ECONNRESET)
        return 0;
    ck_assert_msg(rc == 0, "[%s] %s: %s could not read a line: %s",
                  harness_backend, test_what, c->name, aw_strerror(rc));
    return len;
}

void client_expect(client *c, const char *line)
{
    char want[120], got_shown[160];
    harness_step("%s waits for \"%s\"", c->name,
                 shown(line, want, sizeof want));
    char got[4096];
    size_t len = client_line(c, got, sizeof got);
    ck_assert_msg(len > 0,
                  "[%s] %s: %s expected \"%s\", but the server "
                  "closed the connection",
                  harness_backend, test_what, c->name, want);
    ck_assert_msg(strcmp(got, line) == 0,
                  "[%s] %s: %s expected \"%s\", got \"%s\"", harness_backend,
                  test_what, c->name, want,
                  shown(got, got_shown, sizeof got_shown));
}

void client_expect_eof(client *c)
{
    harness_step("%s waits for the server to close", c->name);
    char buf[64];
    ssize_t n = aw_reader_read(c->reader, buf, sizeof buf - 1);
    check_not_cancelled((int)n);
    if (n == -ECONNRESET || n == -EPIPE)
        return;
    ck_assert_msg(n >= 0, "[%s] %s: %s: read failed: %s", harness_backend,
                  test_what, c->name, aw_strerror((int)n));
    if (n > 0) {
        buf[n] = '\0';
        char s[120];
        ck_abort_msg("[%s] %s: %s expected the server to close the "
                     "connection, but got \"%s\"",
                     harness_backend, test_what, c->name,
                     shown(buf, s, sizeof s));
    }
}

void client_read_exactly(client *c, void *buf, size_t n)
{
    harness_step("%s waits for %zu bytes", c->name, n);
    size_t got = 0;
    int rc = aw_reader_readexactly(c->reader, buf, n, &got);
    check_not_cancelled(rc);
    ck_assert_msg(rc == 0, "[%s] %s: %s expected %zu bytes, got %zu, then: %s",
                  harness_backend, test_what, c->name, n, got, aw_strerror(rc));
}

void client_send_eof(client *c)
{
    harness_step("%s shuts down its sending side", c->name);
    int rc = aw_writer_write_eof(c->writer);
    ck_assert_msg(rc == 0, "[%s] %s: %s: write_eof: %s", harness_backend,
                  test_what, c->name, aw_strerror(rc));
}

void client_close(client *c)
{
    aw_writer_close(c->writer);
    aw_writer_wait_closed(c->writer); /* an error here is the server's */
    aw_reader_free(c->reader);
    aw_writer_free(c->writer);
    free(c);
}
