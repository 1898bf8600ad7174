/*
 * Grader for 06-selectors/await_readiness: wait_readable, wait_writable,
 * task_recv and task_send_all, on every backend (io_uring included: its
 * readiness watches are POLL_ADD operations).
 *
 * The library's own versions are wrapped away (the learner writes them),
 * and aw_add_reader/aw_add_writer are wrapped to count registrations: a
 * task_recv with data already waiting must not register at all.
 */
// grade-exports: task_recv task_send_all wait_readable wait_writable
// grade-sources: tests/06-selectors/loopback.c
// grade-ldflags: -Wl,--wrap=aw_wait_readable -Wl,--wrap=aw_wait_writable
// grade-ldflags: -Wl,--wrap=aw_recv -Wl,--wrap=aw_send
// grade-ldflags: -Wl,--wrap=aw_add_reader -Wl,--wrap=aw_add_writer
#include "check_main.h"
#include "loopback.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int wait_readable(int fd);
int wait_writable(int fd);
ssize_t task_recv(int fd, void *buf, size_t len);
ssize_t task_send_all(int fd, const void *buf, size_t len);

/* ---- wrappers ----------------------------------------------------------- */

int __real_aw_add_reader(aw_loop *loop, int fd, aw_callback fn, void *arg);
int __real_aw_add_writer(aw_loop *loop, int fd, aw_callback fn, void *arg);

static int readers_added, writers_added;

int __wrap_aw_add_reader(aw_loop *loop, int fd, aw_callback fn, void *arg)
{
    readers_added++;
    return __real_aw_add_reader(loop, fd, fn, arg);
}

int __wrap_aw_add_writer(aw_loop *loop, int fd, aw_callback fn, void *arg)
{
    writers_added++;
    return __real_aw_add_writer(loop, fd, fn, arg);
}

static void forbidden(const char *name)
{
    ck_abort_msg("%s is the library's version of what this exercise asks "
                 "you to write: build yours from aw_future_new, "
                 "aw_add_reader/aw_add_writer and aw_await",
                 name);
}

int __wrap_aw_wait_readable(int fd)
{
    (void)fd;
    forbidden("aw_wait_readable");
    return AW_EMISUSE;
}

int __wrap_aw_wait_writable(int fd)
{
    (void)fd;
    forbidden("aw_wait_writable");
    return AW_EMISUSE;
}

ssize_t __wrap_aw_recv(int fd, void *buf, size_t len)
{
    (void)fd, (void)buf, (void)len;
    forbidden("aw_recv");
    return AW_EMISUSE;
}

ssize_t __wrap_aw_send(int fd, const void *buf, size_t len)
{
    (void)fd, (void)buf, (void)len;
    forbidden("aw_send");
    return AW_EMISUSE;
}

/* ---- per-test state ------------------------------------------------------ */

static const char *backend; /* named in every message */
static aw_loop *loop;
static int fds[2]; /* a connected pair; fds[1] is the one tasks use */

static size_t watched(void)
{
    aw_loop_stats st;
    aw_loop_get_stats(loop, &st);
    return st.watched_fds;
}

static void open_on(aw_backend_kind kind)
{
    backend = aw_backend_kind_name(kind);
    loop = new_loop_on(kind, false);
    loopback_pair(fds);
    set_nonblocking_or_die(fds[0]);
    set_nonblocking_or_die(fds[1]);
    readers_added = writers_added = 0;
}

static void close_all(void)
{
    close(fds[0]);
    close(fds[1]);
    int rc = aw_loop_close(loop);
    ck_assert_msg(rc == 0, "[%s] aw_loop_close: %s", backend, aw_last_error());
}

/* Run a task to its end, with a limit so a stuck task fails the test. */
static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

static void run_task(aw_task_fn fn, void *arg, const char *what)
{
    aw_task *t = aw_task_create(loop, fn, arg, what);
    ck_assert(t != NULL);
    uint64_t limit = aw_call_later(loop, 10, stop_loop, loop);
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    ck_assert_msg(aw_task_state_of(t) != AW_TASK_PENDING,
                  "[%s] %s had not finished after 10 s (run returned %d: %s)",
                  backend, what, rc, aw_last_error());
    aw_timer_cancel(loop, limit);
    aw_task_release(t);
}

/* ---- tasks ----------------------------------------------------------------
 */

typedef struct {
    char buf[64];
    ssize_t rc;
} recv_job;

static void *recv_task(void *arg)
{
    recv_job *j = arg;
    j->rc = task_recv(fds[1], j->buf, sizeof j->buf - 1);
    return NULL;
}

static void send_hello(void *arg)
{
    (void)arg;
    ck_assert(send(fds[0], "hello", 5, MSG_NOSIGNAL) == 5);
}

/* Looks at the waiting task from outside, in the middle of its wait. */
typedef struct {
    size_t watched;
    bool task_pending;
} probe_t;

static aw_task *waiting_task;

static void probe(void *arg)
{
    probe_t *p = arg;
    p->watched = watched();
    p->task_pending = aw_task_state_of(waiting_task) == AW_TASK_PENDING;
}

/* ---- tests ------------------------------------------------------------------
 */

START_TEST(recv_waits_for_data)
{
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int k = 0; k < n; k++) {
        int before = count_open_fds();
        open_on(kinds[k]);
        recv_job job = {.rc = -12345};
        probe_t p = {0};
        waiting_task = aw_task_create(loop, recv_task, &job, "recv");
        aw_call_later(loop, 0.02, probe, &p);
        aw_call_later(loop, 0.05, send_hello, NULL);
        uint64_t limit = aw_call_later(loop, 10, stop_loop, loop);
        aw_loop_run_until_complete(loop, aw_task_future(waiting_task));
        aw_timer_cancel(loop, limit);
        ck_assert_msg(p.task_pending && p.watched == 1,
                      "[%s] while task_recv waited for data, %zu "
                      "descriptors were watched (expected 1: a reader on the "
                      "socket) and the task was %s",
                      backend, p.watched,
                      p.task_pending ? "pending" : "already done");
        ck_assert_msg(job.rc == 5 && memcmp(job.buf, "hello", 5) == 0,
                      "[%s] task_recv returned %zd, expected 5 (\"hello\")",
                      backend, job.rc);
        ck_assert_msg(watched() == 0,
                      "[%s] after task_recv returned, %zu descriptors are "
                      "still watched: remove the reader once woken",
                      backend, watched());
        aw_task_release(waiting_task);
        close_all();
        ck_assert_int_eq(count_open_fds(), before);
    }
}
END_TEST

START_TEST(recv_tries_before_waiting)
{
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int k = 0; k < n; k++) {
        open_on(kinds[k]);
        ck_assert(send(fds[0], "ready", 5, MSG_NOSIGNAL) == 5);
        ck_assert(await_readable_blocking(fds[1]));
        recv_job job = {.rc = -12345};
        run_task(recv_task, &job, "recv");
        ck_assert_msg(job.rc == 5, "[%s] task_recv returned %zd, expected 5",
                      backend, job.rc);
        ck_assert_msg(readers_added == 0,
                      "[%s] with data already waiting, task_recv registered "
                      "a reader %d times: try recv() first, and wait only "
                      "on EAGAIN",
                      backend, readers_added);
        close_all();
    }
}
END_TEST

START_TEST(recv_sees_eof_and_reset)
{
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int k = 0; k < n; k++) {
        open_on(kinds[k]);
        recv_job job = {.rc = -12345};
        shutdown(fds[0], SHUT_WR);
        run_task(recv_task, &job, "recv");
        ck_assert_msg(job.rc == 0,
                      "[%s] after the peer shut down, task_recv returned "
                      "%zd, expected 0",
                      backend, job.rc);
        close_all();

        open_on(kinds[k]);
        close_with_reset(fds[0]);
        fds[0] = -1;
        job.rc = -12345;
        run_task(recv_task, &job, "recv");
        ck_assert_msg(job.rc == -ECONNRESET,
                      "[%s] after the peer reset the connection, task_recv "
                      "returned %zd, expected -ECONNRESET (%d)",
                      backend, job.rc, -ECONNRESET);
        close_all();
    }
}
END_TEST

/* The test reads with a plain reader callback, 4 KiB at a time. */
enum { TOTAL = 4 << 20 };
typedef struct {
    unsigned char *data, *got;
    size_t received;
    ssize_t rc;
} bulk_job;

static void read_some(void *arg)
{
    bulk_job *b = arg;
    ssize_t r =
        recv(fds[0], b->got + b->received,
             TOTAL - b->received < 4096 ? TOTAL - b->received : 4096, 0);
    if (r > 0)
        b->received += (size_t)r;
    if (r == 0 || b->received == TOTAL)
        aw_remove_reader(loop, fds[0]);
}

static void *send_task(void *arg)
{
    bulk_job *b = arg;
    b->rc = task_send_all(fds[1], b->data, TOTAL);
    return NULL;
}

START_TEST(send_all_waits_for_room)
{
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int k = 0; k < n; k++) {
        int before = count_open_fds();
        open_on(kinds[k]);
        int small = 64 << 10;
        setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        bulk_job b = {malloc(TOTAL), malloc(TOTAL), 0, -12345};
        for (size_t i = 0; i < TOTAL; i++)
            b.data[i] = (unsigned char)(i * 13 + i / 509);
        __real_aw_add_reader(loop, fds[0], read_some, &b);
        run_task(send_task, &b, "send_all");
        ck_assert_msg(b.rc == TOTAL,
                      "[%s] task_send_all of %d bytes returned %zd", backend,
                      TOTAL, b.rc);
        ck_assert_msg(writers_added > 0,
                      "[%s] 4 MiB went into a 64 KiB buffer without ever "
                      "waiting for writability: on EAGAIN, wait_writable",
                      backend);
        /* Let the reader take the rest. */
        for (int i = 0; i < 1000 && b.received < TOTAL && watched() > 0; i++) {
            uint64_t limit = aw_call_later(loop, 0.01, stop_loop, loop);
            aw_loop_run_forever(loop);
            aw_timer_cancel(loop, limit);
        }
        ck_assert_msg(b.received == TOTAL, "[%s] %zu of %d bytes arrived",
                      backend, b.received, TOTAL);
        ck_assert_msg(memcmp(b.data, b.got, TOTAL) == 0,
                      "[%s] the bytes arrived changed: after a partial send, "
                      "continue where it stopped",
                      backend);
        ck_assert_msg(watched() == 0,
                      "[%s] after task_send_all returned, %zu descriptors "
                      "are still watched",
                      backend, watched());
        free(b.data);
        free(b.got);
        close_all();
        ck_assert_int_eq(count_open_fds(), before);
    }
}
END_TEST

static void cancel_waiting(void *arg)
{
    (void)arg;
    aw_task_cancel(waiting_task);
}

static void *sleep_task(void *arg)
{
    aw_sleep(*(double *)arg);
    return NULL;
}

START_TEST(cancel_removes_the_reader)
{
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int k = 0; k < n; k++) {
        int before = count_open_fds();
        open_on(kinds[k]);
        recv_job job = {.rc = -12345};
        waiting_task = aw_task_create(loop, recv_task, &job, "recv");
        aw_call_later(loop, 0.02, cancel_waiting, NULL);
        uint64_t limit = aw_call_later(loop, 10, stop_loop, loop);
        aw_loop_run_until_complete(loop, aw_task_future(waiting_task));
        aw_timer_cancel(loop, limit);
        ck_assert_msg(job.rc == AW_ECANCELLED,
                      "[%s] task_recv in a cancelled task returned %zd, "
                      "expected AW_ECANCELLED (%d)",
                      backend, job.rc, AW_ECANCELLED);
        ck_assert_msg(watched() == 0,
                      "[%s] the task was cancelled while it waited, and its "
                      "reader is still registered: remove it whatever "
                      "aw_await returned",
                      backend);
        /* Data now: a leftover reader would run with a freed future. */
        ck_assert(send(fds[0], "late", 4, MSG_NOSIGNAL) == 4);
        double pause = 0.02;
        run_task(sleep_task, &pause, "pause");
        aw_task_release(waiting_task);
        close_all();
        ck_assert_int_eq(count_open_fds(), before);
    }
}
END_TEST

typedef struct {
    int rc;
    bool ran;
} misuse_t;

static void wait_in_callback(void *arg)
{
    misuse_t *m = arg;
    m->rc = wait_readable(fds[1]);
    m->ran = true;
}

START_TEST(outside_a_task_is_misuse)
{
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int k = 0; k < n; k++) {
        open_on(kinds[k]);
        int rc = wait_readable(fds[1]);
        ck_assert_msg(rc == AW_EMISUSE,
                      "[%s] wait_readable outside any task returned %d, "
                      "expected AW_EMISUSE (%d)",
                      backend, rc, AW_EMISUSE);
        /* In a plain callback the loop runs, but there is no task to
         * suspend: aw_await fails, and nothing may stay registered. */
        misuse_t m = {.rc = -12345};
        aw_call_soon(loop, wait_in_callback, &m);
        double pause = 0.01;
        run_task(sleep_task, &pause, "pause");
        ck_assert_msg(m.ran && m.rc == AW_EMISUSE,
                      "[%s] wait_readable in a callback (not a task) "
                      "returned %d, expected AW_EMISUSE (%d)",
                      backend, m.rc, AW_EMISUSE);
        ck_assert_msg(watched() == 0,
                      "[%s] a failed wait_readable left %zu descriptors "
                      "watched: when aw_await fails, remove the reader too",
                      backend, watched());
        close_all();
    }
}
END_TEST

/* Two tasks, one on each end of the pair, bounce a counter 200 times. */
typedef struct {
    int fd;
    bool starts;
    int rounds;
    ssize_t rc;
} player_t;

static void *play(void *arg)
{
    player_t *p = arg;
    unsigned char ball = 0;
    if (p->starts && (p->rc = task_send_all(p->fd, &ball, 1)) != 1)
        return NULL;
    for (int i = 0; i < 200; i++) {
        p->rc = task_recv(p->fd, &ball, 1);
        if (p->rc != 1)
            return NULL;
        p->rounds++;
        ball++;
        /* The starter's last receive ends the game. */
        if (p->starts && i == 199)
            break;
        p->rc = task_send_all(p->fd, &ball, 1);
        if (p->rc != 1)
            return NULL;
    }
    return NULL;
}

START_TEST(ping_pong_between_tasks)
{
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int k = 0; k < n; k++) {
        open_on(kinds[k]);
        player_t a = {fds[0], true, 0, 0}, b = {fds[1], false, 0, 0};
        aw_task *ta = aw_task_create(loop, play, &a, "ping");
        aw_task *tb = aw_task_create(loop, play, &b, "pong");
        aw_future *both[2] = {aw_task_future(ta), aw_task_future(tb)};
        aw_future *g = aw_gather(loop, both, 2);
        uint64_t limit = aw_call_later(loop, 10, stop_loop, loop);
        aw_loop_run_until_complete(loop, g);
        aw_timer_cancel(loop, limit);
        ck_assert_msg(a.rounds == 200 && b.rounds == 200,
                      "[%s] two tasks bouncing a byte: %d and %d of 200 "
                      "rounds (last results %zd, %zd)",
                      backend, a.rounds, b.rounds, a.rc, b.rc);
        ck_assert_msg(watched() == 0, "[%s] %zu descriptors still watched",
                      backend, watched());
        aw_future_release(g);
        aw_task_release(ta);
        aw_task_release(tb);
        close_all();
    }
}
END_TEST

static void *send_to_closed(void *arg)
{
    ssize_t *rc = arg;
    static char chunk[64 << 10];
    /* The first sends may succeed: the peer answers them with a reset. */
    for (int i = 0; i < 100; i++) {
        *rc = task_send_all(fds[1], chunk, sizeof chunk);
        if (*rc < 0)
            break;
        aw_sleep(0.01);
    }
    return NULL;
}

START_TEST(send_to_closed_peer_is_an_error)
{
    signal(SIGPIPE, SIG_DFL);
    aw_backend_kind kinds[4];
    int n = backends_to_test(kinds, 4);
    for (int k = 0; k < n; k++) {
        open_on(kinds[k]);
        close(fds[0]);
        fds[0] = -1;
        ssize_t rc = 0;
        run_task(send_to_closed, &rc, "send");
        ck_assert_msg(rc == -EPIPE || rc == -ECONNRESET,
                      "[%s] sending to a closed peer returned %zd, expected "
                      "-EPIPE (%d) or -ECONNRESET (%d)",
                      backend, rc, -EPIPE, -ECONNRESET);
        close_all();
    }
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("06-selectors/await_readiness");
    TCase *tc = tcase_create("await_readiness");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, recv_waits_for_data);
    tcase_add_test(tc, recv_tries_before_waiting);
    tcase_add_test(tc, recv_sees_eof_and_reset);
    tcase_add_test(tc, send_all_waits_for_room);
    tcase_add_test(tc, cancel_removes_the_reader);
    tcase_add_test(tc, outside_a_task_is_misuse);
    tcase_add_test(tc, ping_pong_between_tasks);
    tcase_add_test(tc, send_to_closed_peer_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}
