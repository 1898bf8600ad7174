/*
 * test_unix.c - Unix sockets: a server on a path and streams to it, the
 * path removed when the server goes, and a descriptor passed across.
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw.h"
#include "backend_skip.h"
#include "net_helpers.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char path[PATH_MAX];

static void make_dir(void)
{
    strcpy(dir, "/tmp/aw-unix-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sock", dir);
}

static void remove_dir(void)
{
    unlink(path);
    rmdir(dir);
}

static int shout(aw_reader *r, aw_writer *w, void *arg)
{
    (void)arg;
    char line[64];
    size_t len;
    int rc = aw_reader_readline(r, line, sizeof line, &len);
    if (rc != 0 || len == 0)
        return rc;
    for (size_t i = 0; i < len; i++)
        if (line[i] >= 'a' && line[i] <= 'z')
            line[i] = (char)(line[i] - 'a' + 'A');
    rc = aw_writer_write(w, line, len);
    return rc ? rc : aw_writer_drain(w);
}

typedef struct {
    aw_server *server;
    char answer[64];
} client_run;

static void *client(void *arg)
{
    client_run *c = arg;
    aw_reader *r;
    aw_writer *w;
    int rc = aw_open_unix_connection(path, NULL, &r, &w);
    TASK_ASSERT(rc == 0, "open_unix_connection: %s", aw_last_error());
    aw_writer_write(w, "hello\n", 6);
    size_t len = 0;
    rc = aw_reader_readline(r, c->answer, sizeof c->answer, &len);
    aw_reader_free(r);
    aw_writer_free(w);
    TASK_ASSERT(rc == 0, "readline: %s", aw_last_error());
    aw_server_close(c->server);
    rc = aw_server_wait_closed(c->server);
    TASK_ASSERT(rc == 0, "wait_closed: %s", aw_strerror(rc));
    return NULL;
}

START_TEST(server_and_connection_on_a_path)
{
    make_dir();
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    client_run c = {0};
    c.server = aw_start_unix_server(loop, path, shout, NULL, NULL);
    ck_assert_msg(c.server != NULL, "start_unix_server: %s", aw_last_error());
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    expect_task_ok(loop, client, &c);
    ck_assert_str_eq(c.answer, "HELLO\n");
    ck_assert_int_eq(aw_server_free(c.server), 0);
    ck_assert_msg(stat(path, &st) != 0, "the socket file is still there");
    close_loop_check_fds(loop, before);
    remove_dir();
}
END_TEST

static void *connect_nowhere(void *arg)
{
    int *rc = arg;
    *rc = aw_connect_unix(path);
    return NULL;
}

START_TEST(connecting_to_no_server_fails)
{
    make_dir();
    aw_loop *loop = new_loop();
    int rc = 0;
    expect_task_ok(loop, connect_nowhere, &rc);
    ck_assert_int_eq(rc, -ENOENT);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    remove_dir();
}
END_TEST

typedef struct {
    int a, b;      /* a connected Unix pair */
    int pipe_w;    /* the descriptor passed from a to b */
    int received;  /* b's copy of it */
    int after_eof; /* aw_recv_fd once a has closed */
} passing;

static void *pass_a_descriptor(void *arg)
{
    passing *p = arg;
    int rc = aw_send_fd(p->a, p->pipe_w);
    TASK_ASSERT(rc == 0, "send_fd: %s", aw_last_error());
    p->received = aw_recv_fd(p->b);
    TASK_ASSERT(p->received >= 0, "recv_fd: %s", aw_last_error());
    aw_close(NULL, p->a);
    p->a = -1;
    p->after_eof = aw_recv_fd(p->b);
    return NULL;
}

START_TEST(a_descriptor_crosses_the_socket)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    int sv[2], pipefd[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    ck_assert_int_eq(pipe(pipefd), 0);
    aw_socket_nonblocking(sv[0]);
    aw_socket_nonblocking(sv[1]);
    passing p = {.a = sv[0], .b = sv[1], .pipe_w = pipefd[1]};
    expect_task_ok(loop, pass_a_descriptor, &p);
    ck_assert_int_ne(p.received, p.pipe_w);
    ck_assert_int_eq(p.after_eof, AW_EINCOMPLETE);
    /* The received descriptor writes into the same pipe. */
    ck_assert_int_eq(write(p.received, "via", 3), 3);
    char buf[4] = "";
    ck_assert_int_eq(read(pipefd[0], buf, 3), 3);
    ck_assert_str_eq(buf, "via");
    close(p.received);
    close(pipefd[0]);
    close(pipefd[1]);
    aw_close(loop, p.b);
    close_loop_check_fds(loop, before);
}
END_TEST

START_TEST(a_path_too_long_is_refused)
{
    char longpath[200];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    ck_assert_int_eq(aw_unix_listen(longpath, 0), -ENAMETOOLONG);
    ck_assert_ptr_nonnull(strstr(aw_last_error(), "longer than"));
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("unix");
    TCase *tc = tcase_create("unix");
    tcase_add_test(tc, server_and_connection_on_a_path);
    tcase_add_test(tc, connecting_to_no_server_fails);
    tcase_add_test(tc, a_descriptor_crosses_the_socket);
    tcase_add_test(tc, a_path_too_long_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
