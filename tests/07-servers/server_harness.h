/*
 * server_harness.h - what the chapter 7 graders share.
 *
 * run_server_test serves the learner's handler with aw_start_server on
 * 127.0.0.1 (port picked by the kernel), runs a scenario of clients as a
 * task in the same loop, then shuts the server down and checks that
 * nothing was left behind: no task, no descriptor. It does this once per
 * backend: every backend that can run here, or only $AW_BACKEND if set.
 *
 * A scenario's clients use the library's own streams (client_*), and
 * every step is bounded: the whole scenario has a time limit, and when
 * it runs out, the failure names the step the scenario was at.
 */
#ifndef GRADE_SERVER_HARNESS_H
#define GRADE_SERVER_HARNESS_H

#include "../06-selectors/loopback.h"
#include "aw.h"

#include <stdbool.h>
#include <stddef.h>

/* The backend the current scenario runs on: "[epoll]" in messages. */
extern const char *harness_backend;

typedef void (*scenario_fn)(int port, void *ctx); /* runs in a task */

typedef struct {
    const char *what; /* named in every message */
    aw_client_handler handler;
    void *handler_arg;
    const aw_server_options *options; /* NULL: the defaults */
    scenario_fn scenario;
    void *ctx;
    double limit; /* seconds for the scenario; 0 means 10 */
    /* Called before each backend's run, e.g. to reset a shared state. */
    void (*before_each)(void *ctx);
} server_test;

void run_server_test(const server_test *t);

/* For tests that run their own server: name the backend and the test
 * for the messages of the client_* helpers. */
void harness_begin(aw_backend_kind kind, const char *what);

/* Say what the scenario is doing now: reported if it runs out of time. */
void harness_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run fn(arg) in the loop now being tested, as its own task, for at most
 * `limit` seconds; true if it finished. For tests with their own server. */
bool harness_run_task(aw_loop *loop, aw_task_fn fn, void *arg, double limit);

/* ---- clients, inside a scenario task --------------------------------- */

typedef struct {
    aw_reader *reader;
    aw_writer *writer;
    char name[32]; /* "client 3", for messages */
} client;

/* Connect to 127.0.0.1:port; fails the test if it cannot. */
client *client_open(int port, const char *name);
/* Connect, but return the error instead (e.g. -ECONNREFUSED). */
int client_try_open(int port, const char *name, client **out);
/* Send text (or len bytes) and wait until it is on its way. */
void client_send(client *c, const char *text);
void client_send_bytes(client *c, const void *data, size_t len);
/* Queue text without waiting (a client that writes and never drains). */
void client_queue(client *c, const char *text);
/* The next line, with its '\n', NUL-terminated in buf. Returns its
 * length, 0 at end of stream; a reset also counts as the end. */
size_t client_line(client *c, char *buf, size_t cap);
/* Fail unless the next line is exactly `line` (give the '\n'). */
void client_expect(client *c, const char *line);
/* Fail unless the server closes the connection next (EOF or reset). */
void client_expect_eof(client *c);
/* Read exactly n bytes; fails the test if the stream ends first. */
void client_read_exactly(client *c, void *buf, size_t n);
/* Shut down the sending side: the server reads end of stream. */
void client_send_eof(client *c);
/* Close and free the client. */
void client_close(client *c);

#endif
