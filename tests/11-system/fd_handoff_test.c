/*
 * Grader for 11-system/fd_handoff: a pipe's write end goes from
 * send_descriptor to receive_descriptor, and what is written through the
 * received descriptor comes out of the pipe. Afterwards: the socket file
 * is gone, no descriptor is left open, nothing is left in the loop. The
 * error paths: no listener, a client that sends nothing. Every backend.
 */
// grade-exports: receive_descriptor send_descriptor
#include "check_main.h"

#include "aw.h"
#include "each_backend.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int receive_descriptor(const char *path, int *fd);
int send_descriptor(const char *path, int fd);

static char dir[64], path[128];

static void make_dir(void)
{
    strcpy(dir, "/tmp/aw-handoff-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/handoff.sock", dir);
}

static void remove_dir(void)
{
    unlink(path);
    rmdir(dir);
}

static bool path_exists(void)
{
    struct stat st;
    return stat(path, &st) == 0;
}

typedef struct {
    int pipe_w;
    int received;
    int rc_receive, rc_send;
    bool receiver_done;
} handoff;

static void *receiver(void *arg)
{
    handoff *h = arg;
    h->rc_receive = receive_descriptor(path, &h->received);
    h->receiver_done = true;
    return NULL;
}

static void *sender(void *arg)
{
    handoff *h = arg;
    while (!path_exists() && !h->receiver_done)
        aw_sleep(0.001); /* until the receiver listens */
    h->rc_send = send_descriptor(path, h->pipe_w);
    return NULL;
}

static void hand_over_on(aw_backend_kind kind)
{
    make_dir();
    aw_loop *loop = loop_on(kind, false);
    int pipefd[2];
    ck_assert_int_eq(pipe(pipefd), 0);
    int fds = open_fds();
    handoff h = {
        .pipe_w = pipefd[1], .received = -1, .rc_receive = 1, .rc_send = 1};
    aw_task *r = aw_task_create(loop, receiver, &h, "receiver");
    aw_task *s = aw_task_create(loop, sender, &h, "sender");
    aw_loop_run_until_complete(loop, aw_task_future(r));
    aw_loop_run_until_complete(loop, aw_task_future(s));
    aw_task_release(r);
    aw_task_release(s);
    ck_assert_msg(h.rc_send == 0, "[%s] send_descriptor returned %d (%s)",
                  backend_now, h.rc_send, aw_strerror(h.rc_send));
    ck_assert_msg(h.rc_receive == 0, "[%s] receive_descriptor returned %d (%s)",
                  backend_now, h.rc_receive, aw_strerror(h.rc_receive));
    ck_assert_msg(h.received >= 0 && h.received != h.pipe_w,
                  "[%s] *fd is %d: expected a new descriptor of the "
                  "receiver's own",
                  backend_now, h.received);
    /* The same open file: what goes in comes out of the pipe. */
    ck_assert_int_eq(write(h.received, "through", 7), 7);
    char buf[8] = "";
    ck_assert_int_eq(read(pipefd[0], buf, 7), 7);
    ck_assert_str_eq(buf, "through");
    close(h.received);
    ck_assert_msg(!path_exists(),
                  "[%s] the socket file %s is still there: remove it "
                  "(unlink) before returning",
                  backend_now, path);
    ck_assert_msg(open_fds() == fds,
                  "[%s] %d descriptor(s) left open by the two functions",
                  backend_now, open_fds() - fds);
    expect_loop_clean(loop, "the two functions");
    close(pipefd[0]);
    close(pipefd[1]);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    remove_dir();
}

START_TEST(a_descriptor_is_handed_over)
{
    each_backend(hand_over_on);
}
END_TEST

static void *send_to_nobody(void *arg)
{
    handoff *h = arg;
    h->rc_send = send_descriptor(path, 0);
    return NULL;
}

static void nobody_listens_on(aw_backend_kind kind)
{
    make_dir();
    aw_loop *loop = loop_on(kind, false);
    int fds = open_fds();
    handoff h = {.rc_send = 1};
    aw_task *s = aw_task_create(loop, send_to_nobody, &h, "sender");
    aw_loop_run_until_complete(loop, aw_task_future(s));
    aw_task_release(s);
    ck_assert_msg(h.rc_send == -ENOENT,
                  "[%s] send_descriptor to a path nobody listens on returned "
                  "%d (%s), expected -ENOENT",
                  backend_now, h.rc_send, aw_strerror(h.rc_send));
    ck_assert_msg(open_fds() == fds,
                  "[%s] a failed send_descriptor left %d descriptor(s) open",
                  backend_now, open_fds() - fds);
    expect_loop_clean(loop, "send_descriptor");
    ck_assert_int_eq(aw_loop_close(loop), 0);
    remove_dir();
}

START_TEST(nobody_listens)
{
    each_backend(nobody_listens_on);
}
END_TEST

/* A client that connects, then closes without sending anything. */
static void *silent_client(void *arg)
{
    handoff *h = arg;
    while (!path_exists() && !h->receiver_done)
        aw_sleep(0.001);
    int fd = aw_connect_unix(path);
    if (fd >= 0)
        aw_close(NULL, fd);
    h->rc_send = fd >= 0 ? 0 : fd;
    return NULL;
}

static void silent_client_on(aw_backend_kind kind)
{
    make_dir();
    aw_loop *loop = loop_on(kind, false);
    int fds = open_fds();
    handoff h = {.received = -1, .rc_receive = 1, .rc_send = 1};
    aw_task *r = aw_task_create(loop, receiver, &h, "receiver");
    aw_task *s = aw_task_create(loop, silent_client, &h, "silent client");
    aw_loop_run_until_complete(loop, aw_task_future(r));
    aw_loop_run_until_complete(loop, aw_task_future(s));
    aw_task_release(r);
    aw_task_release(s);
    ck_assert_msg(h.rc_receive == AW_EINCOMPLETE,
                  "[%s] receive_descriptor returned %d (%s) for a client "
                  "that sent nothing, expected AW_EINCOMPLETE",
                  backend_now, h.rc_receive, aw_strerror(h.rc_receive));
    ck_assert_msg(!path_exists(), "[%s] the socket file is still there",
                  backend_now);
    ck_assert_msg(open_fds() == fds,
                  "[%s] receive_descriptor left %d descriptor(s) open after "
                  "failing",
                  backend_now, open_fds() - fds);
    expect_loop_clean(loop, "receive_descriptor");
    ck_assert_int_eq(aw_loop_close(loop), 0);
    remove_dir();
}

START_TEST(a_client_that_sends_nothing)
{
    each_backend(silent_client_on);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("fd_handoff");
    TCase *tc = tcase_create("fd_handoff");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, a_descriptor_is_handed_over);
    tcase_add_test(tc, nobody_listens);
    tcase_add_test(tc, a_client_that_sends_nothing);
    suite_add_tcase(s, tc);
    return s;
}
