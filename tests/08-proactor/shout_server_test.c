/*
 * Grader for 08-proactor/shout_server: the same clients against the
 * learner's handler, on the epoll selector and on the io_uring proactor.
 * Clients are tasks in the server's own loop, on loopback sockets with
 * kernel-chosen ports; every test checks that no descriptor is left open.
 */
// grade-exports: shout_handler
// grade-needs: io_uring
#include "check_main.h"

#include "aw.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int shout_handler(aw_reader *reader, aw_writer *writer, void *arg);

static aw_backend_kind backend; /* set by each test case's fixture */

static void on_epoll(void)
{
    backend = AW_BACKEND_EPOLL;
}

static void on_io_uring(void)
{
    backend = AW_BACKEND_IO_URING;
}

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    while (d && readdir(d))
        n++;
    if (d)
        closedir(d);
    return n;
}

/* ---- a client: send, then read until the expected answer is complete ----- */

typedef struct {
    int port;
    const char *send; /* sent in pieces of `piece` bytes (0: all at once) */
    size_t send_len;
    size_t piece;
    double pause; /* between pieces */
    bool shut_wr; /* close our sending side after the last piece */
    const char *expect;
    size_t expect_len;
    bool expect_eof; /* then the server must close */
    /* results */
    char *got;
    size_t got_len;
    bool eof;
    char error[200];
} client;

static void *client_main(void *arg)
{
    client *c = arg;
    int fd = aw_connect_tcp("127.0.0.1", c->port);
    if (fd < 0) {
        snprintf(c->error, sizeof c->error, "connect: %s", aw_last_error());
        return NULL;
    }
    size_t piece = c->piece ? c->piece : c->send_len;
    for (size_t off = 0; off < c->send_len; off += piece) {
        size_t n = c->send_len - off < piece ? c->send_len - off : piece;
        if (aw_send(fd, c->send + off, n) < 0) {
            snprintf(c->error, sizeof c->error, "send: %s", aw_last_error());
            break;
        }
        if (c->pause > 0)
            aw_sleep(c->pause);
    }
    if (c->shut_wr)
        shutdown(fd, SHUT_WR);
    c->got = calloc(1, c->expect_len + 64);
    size_t want = c->expect_len + (c->expect_eof ? 1 : 0);
    while (!c->error[0] && c->got_len < want && !c->eof) {
        ssize_t n =
            aw_recv(fd, c->got + c->got_len, c->expect_len + 64 - c->got_len);
        if (n < 0)
            snprintf(c->error, sizeof c->error, "recv: %s", aw_last_error());
        else if (n == 0)
            c->eof = true;
        else
            c->got_len += (size_t)n;
    }
    aw_close(NULL, fd);
    return NULL;
}

static void check_client(const client *c, const char *what)
{
    const char *name = aw_backend_kind_name(backend);
    ck_assert_msg(!c->error[0] || c->got_len > 0,
                  "%s, on %s: the server answered nothing and closed the "
                  "connection (%s)",
                  what, name, c->error);
    ck_assert_msg(!c->error[0], "%s, on %s: %s", what, name, c->error);
    size_t n = c->got_len < c->expect_len ? c->got_len : c->expect_len;
    size_t at = 0;
    while (at < n && c->got[at] == c->expect[at])
        at++;
    ck_assert_msg(c->got_len >= c->expect_len && at == c->expect_len,
                  "%s, on %s: the answer differs at byte %zu: expected "
                  "\"%.40s\", got \"%.40s\" (%zu of %zu bytes came)",
                  what, name, at, c->expect + at,
                  at < c->got_len ? c->got + at : "", c->got_len,
                  c->expect_len);
    ck_assert_msg(c->got_len == c->expect_len,
                  "%s, on %s: %zu bytes more than expected came back", what,
                  name, c->got_len - c->expect_len);
    if (c->expect_eof)
        ck_assert_msg(c->eof,
                      "%s, on %s: the server should have closed the "
                      "connection after its answer",
                      what, name);
}

/* Run the clients against a fresh server; check every descriptor is
 * closed at the end. */
static void serve(client *clients, int n)
{
    int fds_before = open_fds();
    const char *name = aw_backend_kind_name(backend);
    char why[300];
    if (aw_backend_available(backend, why, sizeof why) != 0)
        ck_abort_msg("%s is unavailable here (%s): this exercise needs it. "
                     "See chapter 8, section \"When io_uring is "
                     "unavailable\".",
                     name, why);
    aw_loop_options options = {.backend = backend};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop, "%s: %s", name, aw_last_error());
    aw_server *server =
        aw_start_server(loop, "127.0.0.1", 0, shout_handler, NULL, NULL);
    ck_assert_msg(server, "aw_start_server: %s", aw_last_error());
    aw_future **fs = calloc((size_t)n, sizeof *fs);
    for (int i = 0; i < n; i++) {
        clients[i].port = aw_server_port(server);
        fs[i] = aw_task_future(
            aw_task_create(loop, client_main, &clients[i], "client"));
    }
    aw_future *all = aw_gather(loop, fs, (size_t)n);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), 0);
    aw_future_release(all);
    for (int i = 0; i < n; i++)
        aw_future_release(fs[i]);
    free(fs);
    ck_assert_int_eq(aw_server_close(server), 0);
    ck_assert_msg(aw_loop_shutdown(loop) == 0, "aw_loop_shutdown: %s",
                  aw_last_error());
    ck_assert_int_eq(aw_server_free(server), 0);
    ck_assert_msg(open_fds() == fds_before,
                  "on %s, %d descriptor(s) were left open", name,
                  open_fds() - fds_before);
}

static client make(const char *send, const char *expect, bool eof)
{
    client c = {.send = send,
                .send_len = strlen(send),
                .expect = expect,
                .expect_len = strlen(expect),
                .expect_eof = eof};
    return c;
}

/* ---- the scenarios ------------------------------------------------------- */

START_TEST(lines_come_back_in_capitals)
{
    client c =
        make("hello\nMiXeD case 123!\n", "HELLO\nMIXED CASE 123!\n", false);
    serve(&c, 1);
    check_client(&c, "two lines");
    free(c.got);
}
END_TEST

START_TEST(bye_is_answered_then_the_server_closes)
{
    client c = make("first\nBye\nnever answered\n", "FIRST\nBYE\n", true);
    serve(&c, 1);
    check_client(&c, "\"Bye\\n\"");
    free(c.got);
}
END_TEST

START_TEST(a_line_in_pieces_is_one_line)
{
    client c = make("sho"
                    "ut\nand more\n",
                    "SHOUT\nAND MORE\n", false);
    c.piece = 3;
    c.pause = 0.02;
    serve(&c, 1);
    check_client(&c, "a line sent 3 bytes at a time");
    free(c.got);
}
END_TEST

START_TEST(a_line_too_long_is_an_error_answer_and_the_rest_goes_on)
{
    char send[400];
    memset(send, 'a', 150);
    strcpy(send + 150, "\nok\n");
    client c = make(send, "ERROR line too long\nOK\n", false);
    serve(&c, 1);
    check_client(&c, "a 151-byte line, then \"ok\\n\"");
    /* Exactly the limit is still a line. */
    char exact[200];
    memset(exact, 'b', 99);
    strcpy(exact + 99, "\n");
    char upper[200];
    memset(upper, 'B', 99);
    strcpy(upper + 99, "\n");
    client d = make(exact, upper, false);
    serve(&d, 1);
    check_client(&d, "a line of exactly 100 bytes");
    free(c.got);
    free(d.got);
}
END_TEST

START_TEST(the_last_line_may_lack_its_newline)
{
    client c = make("one\ntail", "ONE\nTAIL", true);
    c.shut_wr = true;
    serve(&c, 1);
    check_client(&c, "\"tail\" and then the end of the stream");
    free(c.got);
}
END_TEST

enum { CLIENTS = 12, LINES = 300 };

START_TEST(many_clients_many_lines_in_order)
{
    client cs[CLIENTS];
    char *sends[CLIENTS], *expects[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        sends[i] = malloc(LINES * 40);
        expects[i] = malloc(LINES * 40);
        size_t s = 0, e = 0;
        for (int l = 0; l < LINES; l++) {
            s += (size_t)sprintf(sends[i] + s, "client %d line %d\n", i, l);
            e += (size_t)sprintf(expects[i] + e, "CLIENT %d LINE %d\n", i, l);
        }
        cs[i] = make(sends[i], expects[i], false);
        cs[i].piece = 1000; /* lines cut anywhere */
    }
    serve(cs, CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
        check_client(&cs[i], "12 clients at once, 300 lines each");
        free(cs[i].got);
        free(sends[i]);
        free(expects[i]);
    }
}
END_TEST

static TCase *scenarios(const char *name, void (*setup)(void))
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, lines_come_back_in_capitals);
    tcase_add_test(tc, bye_is_answered_then_the_server_closes);
    tcase_add_test(tc, a_line_in_pieces_is_one_line);
    tcase_add_test(tc, a_line_too_long_is_an_error_answer_and_the_rest_goes_on);
    tcase_add_test(tc, the_last_line_may_lack_its_newline);
    tcase_add_test(tc, many_clients_many_lines_in_order);
    return tc;
}

Suite *grade_suite(void)
{
    Suite *s = suite_create("shout_server");
    suite_add_tcase(s, scenarios("epoll", on_epoll));
    suite_add_tcase(s, scenarios("io_uring", on_io_uring));
    return s;
}
