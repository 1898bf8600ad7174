/*
 * Grader for 06-selectors/echo_readiness: the callback echo server, on
 * every backend (io_uring included, through its readiness watches),
 * against real clients on loopback.
 *
 * The server runs in the test's loop on the main thread; each scenario's
 * clients run in a second thread with plain blocking sockets (with
 * timeouts), and tell the loop they are done through a pipe.
 */
// grade-exports: conn_close conn_new echo_on_acceptable echo_on_readable
// grade-exports: echo_on_writable echo_server_close echo_server_connections
// grade-exports: echo_server_start
// grade-sources: tests/06-selectors/loopback.c
// grade-ldflags: -lpthread
#include "check_main.h"
#include "loopback.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct echo_server echo_server;
echo_server *echo_server_start(aw_loop *loop, int listen_fd);
void echo_server_close(echo_server *s);
size_t echo_server_connections(const echo_server *s);

/* ---- the harness ------------------------------------------------------------
 */

static const char *backend;
static int port;

/* Every client socket, so that when time runs out the main thread can
 * shut them down and the client thread's blocking calls return at once. */
enum { MAX_CLIENTS = 64, SCENARIO_LIMIT = 6 };
static pthread_mutex_t clients_lock = PTHREAD_MUTEX_INITIALIZER;
static int client_fds[MAX_CLIENTS];
static int nclient_fds;
static bool giving_up; /* time is out: new clients fail at once too */

static int client_connect(void)
{
    int fd = loopback_connect(port, 10);
    pthread_mutex_lock(&clients_lock);
    client_fds[nclient_fds++] = fd;
    if (giving_up)
        shutdown(fd, SHUT_RDWR);
    pthread_mutex_unlock(&clients_lock);
    return fd;
}

static void client_close(int fd, bool reset)
{
    pthread_mutex_lock(&clients_lock);
    for (int i = 0; i < nclient_fds; i++)
        if (client_fds[i] == fd)
            client_fds[i] = client_fds[--nclient_fds];
    if (reset)
        close_with_reset(fd);
    else
        close(fd);
    pthread_mutex_unlock(&clients_lock);
}

static void shutdown_clients(void)
{
    pthread_mutex_lock(&clients_lock);
    giving_up = true;
    for (int i = 0; i < nclient_fds; i++)
        shutdown(client_fds[i], SHUT_RDWR);
    pthread_mutex_unlock(&clients_lock);
}

/* What a client thread reports: ok, or the first thing that went wrong. */
typedef struct {
    bool ok;
    char why[256];
} verdict;

typedef void (*client_fn)(verdict *v);

typedef struct {
    client_fn fn;
    verdict v;
    int done_fd; /* the write end of the "done" pipe */
} client_thread;

static void *client_main(void *arg)
{
    client_thread *c = arg;
    c->v.ok = true;
    c->fn(&c->v);
    ssize_t w = write(c->done_fd, "d", 1);
    (void)w;
    return NULL;
}

#define FAIL_IF(cond, ...)                                                     \
    do {                                                                       \
        if (cond) {                                                            \
            v->ok = false;                                                     \
            snprintf(v->why, sizeof v->why, __VA_ARGS__);                      \
            return;                                                            \
        }                                                                      \
    } while (0)

static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

typedef struct {
    aw_loop *loop;
    int fd;
    bool done;
} done_watch;

static void client_finished(void *arg)
{
    done_watch *d = arg;
    d->done = true;
    aw_loop_stop(d->loop);
}

/* ---- a server that never accepts fails fast ------------------------------ */

/* How many connections wait in a listener's accept queue: for a listening
 * socket, TCP_INFO's tcpi_unacked holds that queue's length. */
static unsigned accept_queue_length(int listen_fd)
{
    struct tcp_info info;
    socklen_t len = sizeof info;
    if (getsockopt(listen_fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
        return 0;
    return info.tcpi_unacked;
}

/* A working server empties the accept queue within microseconds. One
 * that holds a client there, with no connection open, at two checks a
 * quarter of a second apart, is not accepting: stop waiting for it (the
 * full limit would cost a learner seconds on every make grade). */
enum { ACCEPT_CHECKS_FROM_MS = 500, ACCEPT_CHECK_EVERY_MS = 250 };

typedef struct {
    aw_loop *loop;
    int listen_fd;
    echo_server *server;
    int strikes;
    bool never_accepts;
    uint64_t timer;
} accept_check;

static void check_accepting(void *arg)
{
    accept_check *a = arg;
    bool stuck = accept_queue_length(a->listen_fd) > 0 &&
                 echo_server_connections(a->server) == 0;
    a->strikes = stuck ? a->strikes + 1 : 0;
    if (a->strikes >= 2) {
        a->never_accepts = true;
        a->timer = 0;
        aw_loop_stop(a->loop);
        return;
    }
    a->timer = aw_call_later(a->loop, ACCEPT_CHECK_EVERY_MS / 1000.0,
                             check_accepting, a);
}

/* Serve with the learner's server while fn runs in a client thread; then
 * check the server closed its connections and nothing leaked. */
static void run_scenario(aw_backend_kind kind, client_fn fn, const char *what)
{
    backend = aw_backend_kind_name(kind);
    int before = count_open_fds();
    aw_loop *loop = new_loop_on(kind, false);
    int listen_fd = loopback_listener(&port, true);
    echo_server *s = echo_server_start(loop, listen_fd);
    ck_assert_msg(s != NULL, "[%s] echo_server_start failed", backend);

    int done_pipe[2];
    ck_assert(pipe(done_pipe) == 0);
    done_watch d = {loop, done_pipe[0], false};
    aw_add_reader(loop, done_pipe[0], client_finished, &d);
    client_thread c = {.fn = fn, .done_fd = done_pipe[1]};
    pthread_t thread;
    ck_assert(pthread_create(&thread, NULL, client_main, &c) == 0);
    /* Generous: a working server needs well under a second for any
     * scenario here. */
    uint64_t limit = aw_call_later(loop, SCENARIO_LIMIT, stop_loop, loop);
    accept_check a = {.loop = loop, .listen_fd = listen_fd, .server = s};
    a.timer = aw_call_later(loop, ACCEPT_CHECKS_FROM_MS / 1000.0,
                            check_accepting, &a);
    int rc = aw_loop_run_forever(loop);
    aw_timer_cancel(loop, limit);
    if (a.timer)
        aw_timer_cancel(loop, a.timer);
    if (!d.done) {
        shutdown_clients(); /* unblocks the client thread */
        pthread_join(thread, NULL);
        if (a.never_accepts)
            ck_abort_msg("[%s] %s: the server accepts nothing (a client "
                         "sat in the accept queue at two checks 0.25 s "
                         "apart): accept them all in echo_on_acceptable",
                         backend, what);
        ck_abort_msg("[%s] %s: the clients were still waiting for the "
                     "server after %d s (%s); the last client step: %s",
                     backend, what, SCENARIO_LIMIT,
                     rc ? aw_last_error() : "is the server answering?",
                     c.v.ok ? "none failed yet" : c.v.why);
    }
    pthread_join(thread, NULL);
    aw_remove_reader(loop, done_pipe[0]);
    close(done_pipe[0]);
    close(done_pipe[1]);
    ck_assert_msg(c.v.ok, "[%s] %s: %s", backend, what, c.v.why);

    /* Every client has closed: the server must close its ends too. */
    for (int i = 0; i < 100 && echo_server_connections(s) > 0; i++) {
        uint64_t t = aw_call_later(loop, 0.05, stop_loop, loop);
        aw_loop_run_forever(loop);
        aw_timer_cancel(loop, t);
    }
    size_t left = echo_server_connections(s);
    ck_assert_msg(left == 0,
                  "[%s] %s: all clients are gone, but the server still has "
                  "%zu connections open: close a connection at EOF (recv "
                  "returns 0) and on errors",
                  backend, what, left);
    echo_server_close(s);
    aw_loop_stats st;
    aw_loop_get_stats(loop, &st);
    ck_assert_msg(st.watched_fds == 0,
                  "[%s] %s: %zu descriptors still watched after closing",
                  backend, what, st.watched_fds);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_msg(count_open_fds() == before,
                  "[%s] %s: %d descriptors open before, %d after", backend,
                  what, before, count_open_fds());
}

static void run_on_every_backend(client_fn fn, const char *what)
{
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int k = 0; k < n; k++)
        run_scenario(kinds[k], fn, what);
}

/* ---- clients
 * ------------------------------------------------------------------ */

static void one_client(verdict *v)
{
    int fd = client_connect();
    char buf[16] = {0};
    bool sent = send_all_blocking(fd, "hello\n", 6);
    size_t got = recv_exactly_blocking(fd, buf, 6);
    shutdown(fd, SHUT_WR);
    bool eof = sees_eof(fd);
    client_close(fd, false);
    FAIL_IF(!sent, "could not send");
    FAIL_IF(got != 6 || memcmp(buf, "hello\n", 6) != 0,
            "sent \"hello\\n\", got %zu bytes back: \"%.*s\"", got, (int)got,
            buf);
    FAIL_IF(!eof, "after the client shut down its side, the server did not "
                  "close the connection");
}

START_TEST(echoes_one_client)
{
    run_on_every_backend(one_client, "one client");
}
END_TEST

static void many_clients(verdict *v)
{
    enum { N = 50 };
    int fds[N];
    for (int i = 0; i < N; i++)
        fds[i] = client_connect();
    char msg[32], buf[32];
    for (int i = 0; i < N; i++) {
        int len = snprintf(msg, sizeof msg, "client %d\n", i);
        send_all_blocking(fds[i], msg, (size_t)len);
    }
    int wrong = -1;
    for (int i = N - 1; i >= 0; i--) {
        int len = snprintf(msg, sizeof msg, "client %d\n", i);
        size_t got = recv_exactly_blocking(fds[i], buf, (size_t)len);
        if (got != (size_t)len || memcmp(buf, msg, (size_t)len) != 0)
            wrong = i;
    }
    for (int i = 0; i < N; i++)
        client_close(fds[i], false);
    FAIL_IF(wrong >= 0,
            "with %d clients connected at once, client %d did not "
            "get its own message back",
            N, wrong);
}

START_TEST(echoes_many_clients)
{
    run_on_every_backend(many_clients, "50 clients");
}
END_TEST

/* Sends `total` patterned bytes and reads the echo at the same time
 * (poll on a non-blocking socket), optionally shutting down after the
 * last byte; checks every byte and, if asked, the EOF that follows. */
static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 31 + i / 4093);
}

static void exchange(verdict *v, int fd, size_t total, bool expect_eof)
{
    set_nonblocking_or_die(fd);
    static unsigned char chunk[64 << 10];
    size_t sent = 0, received = 0;
    bool eof = false;
    while (received < total || (expect_eof && !eof)) {
        struct pollfd p = {.fd = fd,
                           .events = POLLIN | (sent < total ? POLLOUT : 0)};
        int n = poll(&p, 1, 10 * 1000);
        FAIL_IF(n <= 0,
                "nothing moved for 10 s after %zu bytes sent and %zu "
                "echoed of %zu",
                sent, received, total);
        if ((p.revents & POLLOUT) && sent < total) {
            size_t len =
                total - sent < sizeof chunk ? total - sent : sizeof chunk;
            for (size_t i = 0; i < len; i++)
                chunk[i] = pattern(sent + i);
            ssize_t w = send(fd, chunk, len, MSG_NOSIGNAL);
            if (w > 0) {
                sent += (size_t)w;
                if (sent == total && expect_eof)
                    shutdown(fd, SHUT_WR);
            }
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            unsigned char in[16 << 10];
            ssize_t r = recv(fd, in, sizeof in, 0);
            if (r == 0) {
                eof = true;
                FAIL_IF(received < total,
                        "the server closed the connection after echoing "
                        "%zu of %zu bytes: at EOF, first send what is "
                        "still buffered",
                        received, total);
                break;
            }
            FAIL_IF(r < 0 && errno != EAGAIN,
                    "recv failed after %zu of %zu bytes: %s", received, total,
                    strerror(errno));
            for (ssize_t i = 0; i < r; i++)
                FAIL_IF(in[i] != pattern(received + (size_t)i),
                        "byte %zu of the echo is wrong: after a partial "
                        "send, send the rest, in order",
                        received + (size_t)i);
            if (r > 0)
                received += (size_t)r;
            FAIL_IF(received > sent, "more bytes came back than were sent");
        }
    }
}

static void big_transfer(verdict *v)
{
    int fd = client_connect();
    int small = 32 << 10;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    exchange(v, fd, 8 << 20, true);
    client_close(fd, false);
}

START_TEST(big_transfer_with_partial_writes)
{
    run_on_every_backend(big_transfer, "8 MiB through one connection");
}
END_TEST

/* Client A sends without reading until everything is full; client B must
 * still be served. Then A reads its echo back. */
static void stalled_and_lively(verdict *v)
{
    int a = client_connect();
    set_nonblocking_or_die(a);
    static unsigned char chunk[64 << 10];
    size_t sent = 0;
    for (;;) {
        struct pollfd p = {.fd = a, .events = POLLOUT};
        if (poll(&p, 1, 300) <= 0)
            break; /* no room for 0.3 s: A's pipeline is full */
        for (size_t i = 0; i < sizeof chunk; i++)
            chunk[i] = pattern(sent + i);
        ssize_t w = send(a, chunk, sizeof chunk, MSG_NOSIGNAL);
        if (w > 0)
            sent += (size_t)w;
        if (sent > (256u << 20))
            break; /* the server must be dropping data */
    }
    int b = client_connect();
    char buf[8] = {0};
    send_all_blocking(b, "ping", 4);
    size_t got = recv_exactly_blocking(b, buf, 4);
    client_close(b, false);
    if (got != 4 || memcmp(buf, "ping", 4) != 0) {
        client_close(a, false);
        FAIL_IF(true,
                "while client A did not read its echo, client B got %zu "
                "bytes of its own: a slow client must not stop the "
                "server (never block on a send: on EAGAIN, wait for "
                "writability)",
                got);
    }
    /* Now A reads everything back. */
    size_t received = 0;
    unsigned char in[16 << 10];
    while (received < sent) {
        struct pollfd p = {.fd = a, .events = POLLIN};
        if (poll(&p, 1, 10 * 1000) <= 0)
            break;
        ssize_t r = recv(a, in, sizeof in, 0);
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r; i++)
            if (in[i] != pattern(received + (size_t)i)) {
                client_close(a, false);
                FAIL_IF(true, "client A's echo is wrong at byte %zu",
                        received + (size_t)i);
            }
        received += (size_t)r;
    }
    client_close(a, false);
    FAIL_IF(received != sent,
            "client A sent %zu bytes and got %zu back once it read", sent,
            received);
}

START_TEST(slow_client_does_not_block_others)
{
    run_on_every_backend(stalled_and_lively, "a client that does not read");
}
END_TEST

static void reset_then_normal(verdict *v)
{
    int a = client_connect();
    send_all_blocking(a, "about to vanish\n", 16);
    char buf[16];
    size_t got = recv_exactly_blocking(a, buf, 16);
    client_close(a, true);
    FAIL_IF(got != 16, "the first client got %zu of its 16 bytes back", got);
    one_client(v);
}

START_TEST(reset_client_is_closed)
{
    signal(SIGPIPE, SIG_DFL);
    run_on_every_backend(reset_then_normal, "a client that resets");
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("06-selectors/echo_readiness");
    TCase *tc = tcase_create("echo_readiness");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, echoes_one_client);
    tcase_add_test(tc, echoes_many_clients);
    tcase_add_test(tc, big_transfer_with_partial_writes);
    tcase_add_test(tc, slow_client_does_not_block_others);
    tcase_add_test(tc, reset_client_is_closed);
    suite_add_tcase(s, tc);
    return s;
}
