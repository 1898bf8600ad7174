/*
 * Grader for 06-selectors/poll_loop: a tiny event loop over poll(2), with
 * readers and timers, tested on pipes.
 */
// grade-exports: mini_add_reader mini_call_later mini_loop_free mini_loop_new
// grade-exports: mini_loop_stop mini_remove_reader mini_run mini_run_once
// grade-exports: mini_time
// grade-sources: tests/06-selectors/loopback.c
// grade-ldflags: -Wl,--wrap=poll
#include "check_main.h"
#include "loopback.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void (*mini_callback)(void *arg);
typedef struct mini_loop mini_loop;
mini_loop *mini_loop_new(void);
void mini_loop_free(mini_loop *loop);
double mini_time(void);
void mini_loop_stop(mini_loop *loop);
int mini_run(mini_loop *loop);
int mini_add_reader(mini_loop *loop, int fd, mini_callback fn, void *arg);
int mini_remove_reader(mini_loop *loop, int fd);
int mini_call_later(mini_loop *loop, double delay, mini_callback fn, void *arg);
int mini_run_once(mini_loop *loop);

static int fds_before;
static mini_loop *loop;

/* Every poll(2) the learner's loop makes goes through here, so that a
 * test can compare its timeout with the time really left, whatever the
 * machine's load does to the sleep itself. */
static double poll_deadline;   /* mini_time() of the timer watched; 0: none */
static int polls_too_short;    /* timeouts that end before the deadline */
static double worst_shortfall; /* seconds, of the shortest of them */

int __real_poll(struct pollfd *fds, nfds_t n, int timeout);

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
    if (poll_deadline > 0 && timeout >= 0) {
        double left = poll_deadline - mini_time();
        if (left > 0 && timeout / 1000.0 + 2e-6 < left) {
            polls_too_short++;
            if (left - timeout / 1000.0 > worst_shortfall)
                worst_shortfall = left - timeout / 1000.0;
        }
    }
    return __real_poll(fds, n, timeout);
}

static void setup(void)
{
    fds_before = count_open_fds();
    loop = mini_loop_new();
    ck_assert(loop != NULL);
}

static void teardown(void)
{
    mini_loop_free(loop);
    ck_assert_int_eq(count_open_fds(), fds_before);
}

static void make_pipe(int p[2])
{
    ck_assert_msg(pipe(p) == 0, "pipe: %s", strerror(errno));
}

/* A reader that drains its pipe and counts its calls. */
typedef struct {
    int fd;
    int calls;
    int bytes;
    bool saw_eof;
} counter;

static void count_and_drain(void *arg)
{
    counter *c = arg;
    c->calls++;
    char buf[256];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n > 0)
        c->bytes += (int)n;
    else if (n == 0)
        c->saw_eof = true;
}

static void add_reader_ok(int fd, mini_callback fn, void *arg)
{
    int rc = mini_add_reader(loop, fd, fn, arg);
    ck_assert_msg(rc == 0, "mini_add_reader(fd %d) returned %d", fd, rc);
}

static void call_later_ok(double delay, mini_callback fn, void *arg)
{
    int rc = mini_call_later(loop, delay, fn, arg);
    ck_assert_msg(rc == 0, "mini_call_later(%g) returned %d", delay, rc);
}

START_TEST(reader_called_when_data_arrives)
{
    int p[2];
    make_pipe(p);
    counter c = {.fd = p[0]};
    add_reader_ok(p[0], count_and_drain, &c);
    ck_assert(write(p[1], "hello", 5) == 5);
    int rc = mini_run_once(loop);
    ck_assert_msg(rc == 1 && c.calls == 1,
                  "one readable pipe: mini_run_once returned %d and called "
                  "the reader %d times, expected 1 and 1",
                  rc, c.calls);
    ck_assert_int_eq(c.bytes, 5);
    close(p[0]);
    close(p[1]);
}
END_TEST

static void set_flag(void *arg)
{
    *(int *)arg += 1;
}

START_TEST(idle_reader_not_called)
{
    int p[2];
    make_pipe(p);
    counter c = {.fd = p[0]};
    int fired = 0;
    add_reader_ok(p[0], count_and_drain, &c);
    call_later_ok(0.02, set_flag, &fired);
    int rc = 0;
    for (int i = 0; i < 100 && !fired && rc >= 0; i++)
        rc = mini_run_once(loop);
    ck_assert_msg(rc >= 0, "mini_run_once returned %d", rc);
    ck_assert_msg(fired == 1, "the timer did not fire");
    ck_assert_msg(c.calls == 0,
                  "the reader of an empty pipe was called %d times: call "
                  "only the descriptors poll reports in revents",
                  c.calls);
    close(p[0]);
    close(p[1]);
}
END_TEST

static void record_time(void *arg)
{
    *(double *)arg = mini_time();
}

START_TEST(timer_waits_until_due)
{
    double fired_at = 0;
    double start = mini_time();
    call_later_ok(0.15, record_time, &fired_at);
    int rc = mini_run(loop);
    ck_assert_msg(rc == 0, "mini_run returned %d", rc);
    ck_assert_msg(fired_at > 0, "the timer never fired");
    ck_assert_msg(fired_at - start >= 0.15,
                  "a 0.15 s timer fired after %.4f s: never call a timer "
                  "before its deadline",
                  fired_at - start);
}
END_TEST

/* One 0.3 s timer should take one pass, a few if signals interrupt poll.
 * A loop that rounds the timeout down wakes a fraction of a millisecond
 * early, computes a timeout of 0 and spins through hundreds of passes. */
START_TEST(sleeps_instead_of_spinning)
{
    int fired = 0;
    call_later_ok(0.3, set_flag, &fired);
    int passes = 0;
    while (!fired && passes < 10000000) {
        int rc = mini_run_once(loop);
        ck_assert_msg(rc >= 0, "mini_run_once returned %d", rc);
        passes++;
    }
    ck_assert_msg(fired, "a 0.3 s timer had not fired after %d passes", passes);
    ck_assert_msg(passes <= 5,
                  "waiting for one 0.3 s timer took %d passes: compute "
                  "poll's timeout from the earliest deadline, in whole "
                  "milliseconds rounded up",
                  passes);
}
END_TEST

/* The same, seen from poll's side: a timeout rounded down ends before the
 * deadline, and the loop wakes up early to find nothing due. */
START_TEST(poll_timeout_reaches_the_deadline)
{
    int fired = 0;
    /* 300.99 ms: rounded down, 300; up, 301. The deadline is taken just
     * before the timer is made, so it is never later than the loop's. */
    poll_deadline = mini_time() + 0.30099;
    call_later_ok(0.30099, set_flag, &fired);
    for (int passes = 0; !fired && passes < 100000; passes++)
        ck_assert_int_ge(mini_run_once(loop), 0);
    poll_deadline = 0;
    ck_assert_msg(fired, "a 0.301 s timer never fired");
    ck_assert_msg(polls_too_short == 0,
                  "%d call(s) of poll had a timeout that ended up to %.3f ms "
                  "before the timer was due: round the milliseconds up "
                  "(a timeout of 0.30099 s is 301 ms, not 300)",
                  polls_too_short, worst_shortfall * 1000);
}
END_TEST

typedef struct {
    int order[8];
    int n;
} log_t;

typedef struct {
    log_t *log;
    int id;
} entry;

static void log_id(void *arg)
{
    entry *e = arg;
    e->log->order[e->log->n++] = e->id;
}

START_TEST(timers_fire_in_deadline_order)
{
    log_t log = {0};
    entry e[4] = {{&log, 3}, {&log, 1}, {&log, 4}, {&log, 2}};
    call_later_ok(0.06, log_id, &e[0]);
    call_later_ok(0.02, log_id, &e[1]);
    call_later_ok(0.08, log_id, &e[2]);
    call_later_ok(0.04, log_id, &e[3]);
    int rc = mini_run(loop);
    ck_assert_msg(rc == 0, "mini_run returned %d", rc);
    ck_assert_msg(log.n == 4, "%d of 4 timers fired", log.n);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(log.order[i] == i + 1,
                      "timers fired in the order %d %d %d %d, expected 1 2 "
                      "3 4 (earliest deadline first)",
                      log.order[0], log.order[1], log.order[2], log.order[3]);
}
END_TEST

START_TEST(timer_fires_once)
{
    int fired = 0;
    call_later_ok(0, set_flag, &fired);
    int rc = mini_run(loop);
    ck_assert_msg(rc == 0, "mini_run returned %d", rc);
    ck_assert_msg(fired == 1, "a timer fired %d times, expected once", fired);
    rc = mini_run_once(loop);
    ck_assert_msg(rc == -EDEADLK,
                  "with no reader and no timer left, mini_run_once returned "
                  "%d, expected -EDEADLK (%d): poll would sleep for ever",
                  rc, -EDEADLK);
}
END_TEST

/* A timer that schedules itself again with delay 0. */
typedef struct {
    int calls;
} again_t;

static void reschedule_self(void *arg)
{
    again_t *a = arg;
    if (++a->calls < 1000)
        mini_call_later(loop, 0, reschedule_self, a);
}

START_TEST(new_timers_wait_for_next_pass)
{
    again_t a = {0};
    call_later_ok(0, reschedule_self, &a);
    int rc = mini_run_once(loop);
    ck_assert_msg(rc == 1 && a.calls == 1,
                  "a delay-0 timer that schedules itself again ran %d times "
                  "in one pass (returned %d), expected 1: take the time "
                  "once, before running timers, so new ones wait for the "
                  "next pass",
                  a.calls, rc);
    rc = mini_run_once(loop);
    ck_assert_msg(a.calls == 2,
                  "on the next pass it ran %d times in all, "
                  "expected 2",
                  a.calls);
    a.calls = 1000; /* let it end */
    mini_run(loop);
}
END_TEST

START_TEST(eof_wakes_reader)
{
    int p[2];
    make_pipe(p);
    counter c = {.fd = p[0]};
    add_reader_ok(p[0], count_and_drain, &c);
    close(p[1]);
    int fired = 0;
    call_later_ok(5, set_flag, &fired); /* a limit, not a timing check */
    int rc = 0;
    for (int i = 0; i < 100 && !c.saw_eof && !fired && rc >= 0; i++)
        rc = mini_run_once(loop);
    ck_assert_msg(c.saw_eof,
                  "the writer of a pipe closed, but its reader was never "
                  "called: poll reports a hang-up as POLLHUP, not POLLIN");
    close(p[0]);
}
END_TEST

START_TEST(remove_reader_stops_calls)
{
    int p[2];
    make_pipe(p);
    counter c = {.fd = p[0]};
    add_reader_ok(p[0], count_and_drain, &c);
    int rc = mini_remove_reader(loop, p[0]);
    ck_assert_msg(rc == 0, "mini_remove_reader returned %d", rc);
    rc = mini_remove_reader(loop, p[0]);
    ck_assert_msg(rc == -ENOENT,
                  "removing a reader twice returned %d, expected -ENOENT", rc);
    ck_assert(write(p[1], "x", 1) == 1);
    int fired = 0;
    call_later_ok(0.02, set_flag, &fired);
    while (!fired && rc >= 0)
        rc = mini_run_once(loop);
    ck_assert_msg(c.calls == 0, "a removed reader was called %d times",
                  c.calls);
    ck_assert_int_eq(mini_add_reader(loop, -1, count_and_drain, &c), -EINVAL);
    close(p[0]);
    close(p[1]);
}
END_TEST

START_TEST(add_reader_again_replaces)
{
    int p[2];
    make_pipe(p);
    counter first = {.fd = p[0]}, second = {.fd = p[0]};
    add_reader_ok(p[0], count_and_drain, &first);
    add_reader_ok(p[0], count_and_drain, &second);
    ck_assert(write(p[1], "x", 1) == 1);
    int rc = mini_run_once(loop);
    ck_assert_msg(rc == 1 && first.calls == 0 && second.calls == 1,
                  "adding a reader twice for one fd must replace it: the old "
                  "callback ran %d times, the new one %d (returned %d)",
                  first.calls, second.calls, rc);
    ck_assert_int_eq(mini_remove_reader(loop, p[0]), 0);
    ck_assert_msg(mini_remove_reader(loop, p[0]) == -ENOENT,
                  "after one remove the fd is still watched: was it added "
                  "twice?");
    close(p[0]);
    close(p[1]);
}
END_TEST

/* Two ready pipes; whichever reader runs first removes the other (as a
 * server does when one connection's callback closes another). */
typedef struct pair_t pair_t;
struct pair_t {
    int fd;
    int other_fd;
    int calls;
    int *total;
};

static void remove_the_other(void *arg)
{
    pair_t *p = arg;
    p->calls++;
    (*p->total)++;
    char c;
    ck_assert(read(p->fd, &c, 1) == 1);
    mini_remove_reader(loop, p->other_fd);
    mini_remove_reader(loop, p->fd);
}

START_TEST(removed_during_pass_not_called)
{
    int a[2], b[2];
    make_pipe(a);
    make_pipe(b);
    int total = 0;
    pair_t pa = {a[0], b[0], 0, &total}, pb = {b[0], a[0], 0, &total};
    add_reader_ok(a[0], remove_the_other, &pa);
    add_reader_ok(b[0], remove_the_other, &pb);
    ck_assert(write(a[1], "x", 1) == 1 && write(b[1], "y", 1) == 1);
    int rc = mini_run_once(loop);
    ck_assert_msg(total == 1,
                  "two readers were ready and the first removed the second, "
                  "yet %d were called: look each reader up again before "
                  "calling it",
                  total);
    ck_assert_msg(rc == 1, "mini_run_once returned %d, expected 1", rc);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
}
END_TEST

START_TEST(many_readers_only_ready_ones)
{
    enum { N = 100 };
    int p[N][2];
    counter c[N];
    for (int i = 0; i < N; i++) {
        make_pipe(p[i]);
        c[i] = (counter){.fd = p[i][0]};
        add_reader_ok(p[i][0], count_and_drain, &c[i]);
    }
    for (int i = 0; i < N; i += 7)
        ck_assert(write(p[i][1], "z", 1) == 1);
    int rc = mini_run_once(loop);
    ck_assert_msg(rc == (N + 6) / 7, "mini_run_once returned %d, expected %d",
                  rc, (N + 6) / 7);
    for (int i = 0; i < N; i++)
        ck_assert_msg(c[i].calls == (i % 7 == 0),
                      "reader %d of %d was called %d times, expected %d", i, N,
                      c[i].calls, i % 7 == 0);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(mini_remove_reader(loop, p[i][0]), 0);
        close(p[i][0]);
        close(p[i][1]);
    }
}
END_TEST

/* Readers and timers together: a timer writes into a pipe, the pipe's
 * reader schedules the next timer, three rounds, then it stops. */
typedef struct {
    int p[2];
    int rounds;
} relay_t;

static void relay_write(void *arg)
{
    relay_t *r = arg;
    ck_assert(write(r->p[1], "r", 1) == 1);
}

static void relay_read(void *arg)
{
    relay_t *r = arg;
    char c;
    ck_assert(read(r->p[0], &c, 1) == 1);
    if (++r->rounds < 3)
        mini_call_later(loop, 0.01, relay_write, r);
    else
        mini_loop_stop(loop);
}

START_TEST(timers_and_readers_together)
{
    relay_t r = {0};
    make_pipe(r.p);
    add_reader_ok(r.p[0], relay_read, &r);
    call_later_ok(0.01, relay_write, &r);
    int rc = mini_run(loop);
    ck_assert_msg(rc == 0 && r.rounds == 3,
                  "timer -> pipe -> reader -> timer: %d of 3 rounds (mini_run "
                  "returned %d)",
                  r.rounds, rc);
    mini_remove_reader(loop, r.p[0]);
    close(r.p[0]);
    close(r.p[1]);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("06-selectors/poll_loop");
    TCase *tc = tcase_create("poll_loop");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, reader_called_when_data_arrives);
    tcase_add_test(tc, idle_reader_not_called);
    tcase_add_test(tc, timer_waits_until_due);
    tcase_add_test(tc, sleeps_instead_of_spinning);
    tcase_add_test(tc, poll_timeout_reaches_the_deadline);
    tcase_add_test(tc, timers_fire_in_deadline_order);
    tcase_add_test(tc, timer_fires_once);
    tcase_add_test(tc, new_timers_wait_for_next_pass);
    tcase_add_test(tc, eof_wakes_reader);
    tcase_add_test(tc, remove_reader_stops_calls);
    tcase_add_test(tc, add_reader_again_replaces);
    tcase_add_test(tc, removed_during_pass_not_called);
    tcase_add_test(tc, many_readers_only_ready_ones);
    tcase_add_test(tc, timers_and_readers_together);
    suite_add_tcase(s, tc);
    return s;
}
