/*
 * test_select_limit.c - descriptors past FD_SETSIZE on the select backend.
 *
 * select's bit sets hold FD_SETSIZE (1024) descriptors. A descriptor past
 * that is refused when it is registered, with AW_ELIMIT and a message
 * naming FD_SETSIZE: a stream opened on it fails at once (it used to be
 * served until its first wait, then cut off), and a server refuses such
 * a connection, says so on stderr, and closes it. The tests raise
 * RLIMIT_NOFILE and put sockets at descriptor 1100 and above.
 */
#include "runner.h"

#include "aw.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

enum { HIGH_FD = 1100 };

/* Allow descriptors up to 2047, or skip the test if we may not. */
static bool raise_fd_limit(void)
{
    struct rlimit nofile;
    getrlimit(RLIMIT_NOFILE, &nofile);
    if (nofile.rlim_cur >= 2048)
        return true;
    nofile.rlim_cur = 2048;
    if (nofile.rlim_max < 2048)
        nofile.rlim_max = 2048; /* root may raise the hard limit */
    return setrlimit(RLIMIT_NOFILE, &nofile) == 0;
}

static aw_loop *select_loop(void)
{
    aw_loop_options options = {.backend = AW_BACKEND_SELECT};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

START_TEST(stream_on_a_descriptor_past_fd_setsize_is_refused)
{
    if (!raise_fd_limit())
        return; /* cannot make such a descriptor here */
    aw_loop *loop = select_loop();
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(dup2(sv[0], HIGH_FD), HIGH_FD);
    aw_reader *r = NULL;
    aw_writer *w = NULL;
    ck_assert_int_eq(aw_stream_open(loop, HIGH_FD, NULL, &r, &w), AW_ELIMIT);
    ck_assert_ptr_null(r);
    ck_assert_ptr_null(w);
    ck_assert_msg(strstr(aw_last_error(), "FD_SETSIZE") != NULL, "message: %s",
                  aw_last_error());
    ck_assert_msg(strstr(aw_last_error(), "1100") != NULL, "message: %s",
                  aw_last_error());
    /* Below the limit the same socket is fine. */
    ck_assert_int_eq(aw_stream_open(loop, sv[0], NULL, &r, &w), 0);
    aw_reader_free(r);
    aw_writer_free(w);
    close(HIGH_FD);
    close(sv[1]);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* ---- a server ------------------------------------------------------------ */

static int handled;

static int echo_line(aw_reader *r, aw_writer *w, void *arg)
{
    (void)arg;
    handled++;
    char line[64];
    size_t len = 0;
    int rc = aw_reader_readline(r, line, sizeof line, &len);
    if (rc == 0)
        rc = aw_writer_write(w, line, len);
    return rc;
}

typedef struct {
    aw_server *server;
    int client;
    char reply[64];
    ssize_t got;
} scenario;

/* Wait for the server to answer (or hang up on) the client, then stop. */
static void *client_side(void *arg)
{
    scenario *sc = arg;
    for (int i = 0; i < 200 && aw_server_connections(sc->server) == 0; i++) {
        sc->got = recv(sc->client, sc->reply, sizeof sc->reply, MSG_DONTWAIT);
        if (sc->got >= 0)
            break;
        aw_sleep(0.01);
    }
    TASK_ASSERT(aw_server_shutdown(sc->server, 1.0) == 0, "shutdown: %s",
                aw_last_error());
    return NULL;
}

START_TEST(server_refuses_and_logs_a_connection_past_fd_setsize)
{
    if (!raise_fd_limit())
        return;
    aw_loop *loop = select_loop();
    scenario sc = {.got = -1};
    handled = 0;
    sc.server = aw_start_server(loop, "127.0.0.1", 0, echo_line, NULL, NULL);
    ck_assert_ptr_nonnull(sc.server);
    sc.client = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port =
                                   htons((uint16_t)aw_server_port(sc.server))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(sc.client, (struct sockaddr *)&addr, sizeof addr),
                     0);
    ck_assert_int_eq(send(sc.client, "hi\n", 3, 0), 3);

    /* Take every free descriptor below HIGH_FD: the server's accept must
     * get one past FD_SETSIZE. */
    int filler = open("/dev/null", O_RDONLY);
    bool taken[HIGH_FD] = {false};
    for (int fd = 0; fd < HIGH_FD; fd++)
        if (fcntl(fd, F_GETFD) < 0 && dup2(filler, fd) == fd)
            taken[fd] = true;

    /* The server's complaint goes to stderr: catch it in a file. */
    FILE *log = tmpfile();
    ck_assert_ptr_nonnull(log);
    int saved_stderr = dup(STDERR_FILENO);
    dup2(fileno(log), STDERR_FILENO);

    aw_task *t = aw_task_create(loop, client_side, &sc, "client");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));

    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    for (int fd = 0; fd < HIGH_FD; fd++)
        if (taken[fd])
            close(fd);
    close(filler);

    char text[2048] = "";
    rewind(log);
    size_t n = fread(text, 1, sizeof text - 1, log);
    text[n] = '\0';
    fclose(log);
    ck_assert_msg(rc == 0, "run: %s", aw_last_error());
    ck_assert_int_eq(handled, 0);
    ck_assert_msg(sc.got == 0, "the client was not hung up on (recv %zd)",
                  sc.got);
    ck_assert_msg(strstr(text, "refused a connection") != NULL &&
                      strstr(text, "FD_SETSIZE") != NULL,
                  "the server did not log the refusal: '%s'", text);
    close(sc.client);
    aw_task_release(t);
    ck_assert_int_eq(aw_server_free(sc.server), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("select_limit");
    TCase *tc = tcase_create("limit");
    tcase_add_test(tc, stream_on_a_descriptor_past_fd_setsize_is_refused);
    tcase_add_test(tc, server_refuses_and_logs_a_connection_past_fd_setsize);
    suite_add_tcase(s, tc);
    return s;
}
