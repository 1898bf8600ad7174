/*
 * test_fdwatch.c - readers and writers on file descriptors.
 *
 * Pipes and socket pairs stand in for sockets: what matters here is when
 * the loop calls back, not what kind of descriptor it watches.
 */
// lib-test-backends: epoll poll select io_uring
#include "backend_skip.h"
#include "runner.h"

#include "aw.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void stop_loop(void *arg)
{
    aw_loop_stop(arg);
}

/* Run the loop for exactly one pass. */
static void run_one_pass(aw_loop *loop)
{
    aw_call_soon(loop, stop_loop, loop);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
}

static void make_pipe(int fds[2])
{
    ck_assert_int_eq(pipe(fds), 0);
}

static void close_pair(int fds[2])
{
    close(fds[0]);
    close(fds[1]);
}

/* A watch's callback: count the calls, optionally read a byte, stop
 * after `stop_after` calls, remove itself after `remove_after`. */
typedef struct {
    aw_loop *loop;
    int fd;
    int calls;
    bool read_it;
    char got;
    int stop_after;   /* 0: never */
    int remove_after; /* 0: never */
} watcher;

static void on_readable(void *arg)
{
    watcher *w = arg;
    w->calls++;
    if (w->read_it)
        ck_assert_int_eq(read(w->fd, &w->got, 1), 1);
    if (w->remove_after && w->calls == w->remove_after)
        aw_remove_reader(w->loop, w->fd);
    if (w->stop_after && w->calls == w->stop_after)
        aw_loop_stop(w->loop);
}

START_TEST(reader_is_called_once_the_descriptor_is_readable)
{
    int p[2];
    make_pipe(p);
    watcher w = {
        .loop = aw_loop_new(), .fd = p[0], .read_it = true, .stop_after = 1};
    ck_assert_int_eq(aw_add_reader(w.loop, p[0], on_readable, &w), 0);
    run_one_pass(w.loop);
    ck_assert_int_eq(w.calls, 0); /* nothing to read yet */
    ck_assert_int_eq(write(p[1], "x", 1), 1);
    ck_assert_int_eq(aw_loop_run_forever(w.loop), 0);
    ck_assert_int_eq(w.calls, 1);
    ck_assert_int_eq(w.got, 'x');
    ck_assert_int_eq(aw_remove_reader(w.loop, p[0]), 0);
    ck_assert_int_eq(aw_loop_close(w.loop), 0);
    close_pair(p);
}
END_TEST

/* Level-triggered: unread data is reported again on every pass. */
START_TEST(reader_is_called_on_every_pass_while_readable)
{
    int p[2];
    make_pipe(p);
    watcher w = {.loop = aw_loop_new(), .fd = p[0], .stop_after = 3};
    ck_assert_int_eq(write(p[1], "y", 1), 1);
    aw_add_reader(w.loop, p[0], on_readable, &w);
    ck_assert_int_eq(aw_loop_run_forever(w.loop), 0);
    ck_assert_int_eq(w.calls, 3);
    char c = 0;
    ck_assert_int_eq(read(p[0], &c, 1), 1); /* still there */
    ck_assert_int_eq(c, 'y');
    aw_remove_reader(w.loop, p[0]);
    ck_assert_int_eq(aw_loop_close(w.loop), 0);
    close_pair(p);
}
END_TEST

START_TEST(removed_reader_is_not_called_again)
{
    int p[2];
    make_pipe(p);
    aw_loop_options options = {.virtual_clock = true};
    watcher w = {
        .loop = aw_loop_new_with(&options), .fd = p[0], .remove_after = 1};
    ck_assert_int_eq(write(p[1], "z", 1), 1);
    aw_add_reader(w.loop, p[0], on_readable, &w);
    aw_call_later(w.loop, 5.0, stop_loop, w.loop);
    ck_assert_int_eq(aw_loop_run_forever(w.loop), 0);
    ck_assert_int_eq(w.calls, 1); /* the data is still unread */
    /* Removing again is harmless. */
    ck_assert_int_eq(aw_remove_reader(w.loop, p[0]), 0);
    ck_assert_int_eq(aw_loop_close(w.loop), 0);
    close_pair(p);
}
END_TEST

/* Two readers ready in the same pass; whichever runs first removes the
 * other, which then must not be called (its owner may be gone). */
typedef struct {
    aw_loop *loop;
    int fds[2]; /* the two read ends */
    int calls;
} rivals;

static void remove_both(void *arg)
{
    rivals *r = arg;
    r->calls++;
    aw_remove_reader(r->loop, r->fds[0]);
    aw_remove_reader(r->loop, r->fds[1]);
    aw_loop_stop(r->loop);
}

START_TEST(reader_removed_earlier_in_the_same_pass_is_not_called)
{
    int a[2], b[2];
    make_pipe(a);
    make_pipe(b);
    rivals r = {.loop = aw_loop_new(), .fds = {a[0], b[0]}};
    ck_assert_int_eq(write(a[1], "1", 1), 1);
    ck_assert_int_eq(write(b[1], "2", 1), 1);
    aw_add_reader(r.loop, a[0], remove_both, &r);
    aw_add_reader(r.loop, b[0], remove_both, &r);
    ck_assert_int_eq(aw_loop_run_forever(r.loop), 0);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(aw_loop_close(r.loop), 0);
    close_pair(a);
    close_pair(b);
}
END_TEST

static void count_first(void *arg)
{
    watcher *w = arg;
    w->calls += 100; /* must never happen: it was replaced */
    aw_loop_stop(w->loop);
}

START_TEST(adding_a_reader_again_replaces_the_callback)
{
    int p[2];
    make_pipe(p);
    watcher w = {.loop = aw_loop_new(), .fd = p[0], .stop_after = 1};
    ck_assert_int_eq(write(p[1], "r", 1), 1);
    aw_add_reader(w.loop, p[0], count_first, &w);
    aw_add_reader(w.loop, p[0], on_readable, &w);
    ck_assert_int_eq(aw_loop_run_forever(w.loop), 0);
    ck_assert_int_eq(w.calls, 1);
    aw_remove_reader(w.loop, p[0]);
    ck_assert_int_eq(aw_loop_close(w.loop), 0);
    close_pair(p);
}
END_TEST

/* A descriptor closed before its reader was removed: the kernel forgot it
 * already, so removing still works (asyncio's selectors ignore the error
 * too), the loop no longer waits on it, and the number can be reused. */
START_TEST(reader_of_a_closed_descriptor_can_still_be_removed)
{
    int p[2];
    make_pipe(p);
    aw_loop *loop = aw_loop_new();
    watcher w = {.loop = loop, .fd = p[0], .read_it = true, .stop_after = 1};
    ck_assert_int_eq(aw_add_reader(loop, p[0], on_readable, &w), 0);
    close_pair(p);
    ck_assert_msg(aw_remove_reader(loop, w.fd) == 0, "aw_remove_reader: %s",
                  aw_last_error());
    /* Nothing is watched now: the loop says so instead of blocking. */
    ck_assert_int_eq(aw_loop_run_forever(loop), AW_EDEADLOCK);
    int q[2];
    make_pipe(q); /* most likely the same numbers again */
    w.fd = q[0];
    ck_assert_int_eq(aw_add_reader(loop, q[0], on_readable, &w), 0);
    ck_assert_int_eq(write(q[1], "n", 1), 1);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_int_eq(w.calls, 1);
    ck_assert_int_eq(w.got, 'n');
    aw_remove_reader(loop, q[0]);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    close_pair(q);
}
END_TEST

/* writers, and both on one descriptor ------------------------------------ */

typedef struct {
    aw_loop *loop;
    int fd;
    int reads, writes;
} duplex;

static void duplex_readable(void *arg)
{
    duplex *d = arg;
    char c;
    ck_assert_int_eq(read(d->fd, &c, 1), 1);
    d->reads++;
    aw_loop_stop(d->loop);
}

static void duplex_writable(void *arg)
{
    duplex *d = arg;
    d->writes++;
    aw_remove_writer(d->loop, d->fd); /* writable nearly always: once */
}

START_TEST(reader_and_writer_share_a_descriptor)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    duplex d = {.loop = aw_loop_new(), .fd = sv[0]};
    ck_assert_int_eq(aw_add_reader(d.loop, sv[0], duplex_readable, &d), 0);
    ck_assert_int_eq(aw_add_writer(d.loop, sv[0], duplex_writable, &d), 0);
    run_one_pass(d.loop); /* poll once: writable, not readable */
    ck_assert_int_eq(d.writes, 1);
    ck_assert_int_eq(d.reads, 0);
    /* The writer went; the reader stayed and still works. */
    ck_assert_int_eq(write(sv[1], "w", 1), 1);
    ck_assert_int_eq(aw_loop_run_forever(d.loop), 0);
    ck_assert_int_eq(d.reads, 1);
    ck_assert_int_eq(d.writes, 1);
    ck_assert_int_eq(aw_remove_reader(d.loop, sv[0]), 0);
    ck_assert_int_eq(aw_loop_close(d.loop), 0);
    close_pair(sv);
}
END_TEST

/* a task waits for a descriptor ----------------------------------------- */

typedef struct {
    aw_loop *loop;
    int fd;
    aw_future *readable;
} fd_wait;

static void settle_readable(void *arg)
{
    fd_wait *w = arg;
    aw_remove_reader(w->loop, w->fd);
    aw_future_set_result(w->readable, NULL);
}

static void *read_when_ready(void *arg)
{
    fd_wait *w = arg;
    w->readable = aw_future_new(w->loop);
    aw_add_reader(w->loop, w->fd, settle_readable, w);
    int rc = aw_await(w->readable, NULL);
    aw_future_release(w->readable);
    if (rc)
        return aw_raise(rc, NULL);
    static char c;
    return read(w->fd, &c, 1) == 1 ? &c : aw_raise(-EIO, "read failed");
}

static void write_byte(void *arg)
{
    int fd = *(int *)arg;
    ck_assert_int_eq(write(fd, "t", 1), 1);
}

START_TEST(task_awaits_readiness_through_a_future)
{
    int p[2];
    make_pipe(p);
    fd_wait w = {.loop = aw_loop_new(), .fd = p[0]};
    aw_task *t = aw_task_create(w.loop, read_when_ready, &w, NULL);
    aw_call_soon(w.loop, write_byte, &p[1]);
    ck_assert_int_eq(aw_loop_run_until_complete(w.loop, aw_task_future(t)), 0);
    ck_assert_int_eq(*(char *)aw_task_result(t), 't');
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(w.loop), 0);
    close_pair(p);
}
END_TEST

/* aw_close stops every watch on the descriptor, inside a task and out,
 * on every backend: nothing is left to call back a reused number. */
static void *close_in_a_task(void *arg)
{
    int *fd = arg;
    return aw_close(NULL, *fd) == 0 ? NULL : aw_raise(-EIO, "aw_close");
}

START_TEST(aw_close_removes_the_watches)
{
    aw_loop *loop = aw_loop_new();
    for (int in_task = 0; in_task < 2; in_task++) {
        int p[2];
        make_pipe(p);
        watcher w = {.loop = loop, .fd = p[0]};
        ck_assert_int_eq(aw_add_reader(loop, p[0], on_readable, &w), 0);
        if (in_task) {
            aw_task *t = aw_task_create(loop, close_in_a_task, &p[0], NULL);
            ck_assert_int_eq(
                aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
            aw_task_release(t);
        } else {
            ck_assert_int_eq(aw_close(loop, p[0]), 0);
        }
        aw_loop_stats st;
        aw_loop_get_stats(loop, &st);
        ck_assert_msg(st.watched_fds == 0,
                      "%zu descriptor(s) still watched after aw_close (%s)",
                      st.watched_fds, in_task ? "in a task" : "outside");
        close(p[1]);
    }
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* epoll refuses a closed descriptor at once; the message names the call
 * and the descriptor, then the backend's own reason, once each. */
START_TEST(failed_watch_message_adds_context_to_the_cause)
{
    aw_loop *loop = aw_loop_new();
    if (strcmp(aw_loop_backend_name(loop), "epoll") != 0) {
        /* Other backends look at the descriptor only when they poll. */
        ck_assert_int_eq(aw_loop_close(loop), 0);
        return;
    }
    int p[2];
    make_pipe(p);
    close_pair(p);
    watcher w = {.loop = loop};
    ck_assert_int_eq(aw_add_reader(loop, p[0], on_readable, &w), -EBADF);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "aw_add_reader: fd %d: epoll_ctl: ", p[0]);
    const char *message = aw_last_error();
    ck_assert_msg(strncmp(message, prefix, strlen(prefix)) == 0 &&
                      strcmp(message + strlen(prefix), aw_strerror(-EBADF)) ==
                          0,
                  "message: \"%s\"", message);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(bad_watch_arguments_are_misuse)
{
    aw_loop *loop = aw_loop_new();
    watcher w = {.loop = loop};
    ck_assert_int_eq(aw_add_reader(loop, -1, on_readable, &w), AW_EMISUSE);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "invalid descriptor"));
    ck_assert_int_eq(aw_add_reader(loop, 0, NULL, NULL), AW_EMISUSE);
    ck_assert_int_eq(aw_add_writer(loop, 0, NULL, NULL), AW_EMISUSE);
    /* Removing what was never added is harmless, as in asyncio. */
    ck_assert_int_eq(aw_remove_reader(loop, 1000), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("fdwatch");
    TCase *tc = tcase_create("fdwatch");
    tcase_add_test(tc, reader_is_called_once_the_descriptor_is_readable);
    tcase_add_test(tc, reader_is_called_on_every_pass_while_readable);
    tcase_add_test(tc, removed_reader_is_not_called_again);
    tcase_add_test(tc, reader_removed_earlier_in_the_same_pass_is_not_called);
    tcase_add_test(tc, adding_a_reader_again_replaces_the_callback);
    tcase_add_test(tc, reader_of_a_closed_descriptor_can_still_be_removed);
    tcase_add_test(tc, reader_and_writer_share_a_descriptor);
    tcase_add_test(tc, task_awaits_readiness_through_a_future);
    tcase_add_test(tc, aw_close_removes_the_watches);
    tcase_add_test(tc, failed_watch_message_adds_context_to_the_cause);
    tcase_add_test(tc, bad_watch_arguments_are_misuse);
    suite_add_tcase(s, tc);
    return s;
}
