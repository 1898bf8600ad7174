/*
 * test_datagram.c - UDP over loopback: a datagram arrives whole, never
 * merged with the next and never cut; connected and unconnected
 * sockets; a receive waits, and a cancelled receive lets go.
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw.h"
#include "backend_skip.h"
#include "net_helpers.h"

#include <arpa/inet.h>
#include <string.h>

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return a;
}

typedef struct {
    int a, b; /* two bound sockets */
    int sizes[3];
    char seen[3][64];
    int from_port;
    int limit_rc;
} pair;

/* Three datagrams sent back to back arrive as three, in order. */
static void *three_datagrams(void *arg)
{
    pair *p = arg;
    struct sockaddr_in to = loopback(aw_socket_port(p->b));
    const char *msgs[] = {"one", "two two", "three three three"};
    for (int i = 0; i < 3; i++) {
        ssize_t n = aw_sendto(p->a, msgs[i], strlen(msgs[i]),
                              (struct sockaddr *)&to, sizeof to);
        TASK_ASSERT(n == (ssize_t)strlen(msgs[i]), "sendto: %zd", n);
    }
    for (int i = 0; i < 3; i++) {
        struct sockaddr_in from;
        socklen_t fromlen = sizeof from;
        ssize_t n = aw_recvfrom(p->b, p->seen[i], sizeof p->seen[i] - 1,
                                (struct sockaddr *)&from, &fromlen);
        TASK_ASSERT(n >= 0, "recvfrom: %s", aw_last_error());
        p->sizes[i] = (int)n;
        p->from_port = ntohs(from.sin_port);
    }
    /* One too long for the buffer is reported, not returned cut. */
    char big[100];
    memset(big, 'x', sizeof big);
    TASK_ASSERT(aw_sendto(p->a, big, sizeof big, (struct sockaddr *)&to,
                          sizeof to) == (ssize_t)sizeof big,
                "sendto big");
    char small[10];
    p->limit_rc = (int)aw_recvfrom(p->b, small, sizeof small, NULL, NULL);
    return NULL;
}

START_TEST(datagrams_stay_whole)
{
    int before = count_open_fds();
    pair p = {0};
    p.a = aw_udp_open("127.0.0.1", 0);
    p.b = aw_udp_open("127.0.0.1", 0);
    ck_assert_int_ge(p.a, 0);
    ck_assert_int_ge(p.b, 0);
    aw_loop *loop = new_loop();
    expect_task_ok(loop, three_datagrams, &p);
    ck_assert_int_eq(p.sizes[0], 3);
    ck_assert_int_eq(p.sizes[1], 7);
    ck_assert_int_eq(p.sizes[2], 17);
    ck_assert_mem_eq(p.seen[1], "two two", 7);
    ck_assert_int_eq(p.from_port, aw_socket_port(p.a));
    ck_assert_int_eq(p.limit_rc, AW_ELIMIT);
    ck_assert_int_eq(aw_close(loop, p.a), 0);
    ck_assert_int_eq(aw_close(loop, p.b), 0);
    close_loop_check_fds(loop, before);
}
END_TEST

typedef struct {
    int server, client;
    char answer[64];
    ssize_t got;
} ping;

/* An echo server task: one datagram back to whoever sent it. */
static void *echo_once(void *arg)
{
    ping *p = arg;
    char buf[64];
    struct sockaddr_storage from;
    socklen_t fromlen = sizeof from;
    ssize_t n = aw_recvfrom(p->server, buf, sizeof buf,
                            (struct sockaddr *)&from, &fromlen);
    TASK_ASSERT(n >= 0, "server recvfrom: %s", aw_last_error());
    n = aw_sendto(p->server, buf, (size_t)n, (struct sockaddr *)&from, fromlen);
    TASK_ASSERT(n >= 0, "server sendto: %s", aw_last_error());
    return NULL;
}

/* A connected client: sendto with no address, and only its peer heard. */
static void *connected_client(void *arg)
{
    ping *p = arg;
    aw_task *server =
        aw_task_create(aw_running_loop(), echo_once, p, "echo server");
    TASK_ASSERT(
        aw_udp_connect(p->client, "127.0.0.1", aw_socket_port(p->server)) == 0,
        "connect: %s", aw_last_error());
    TASK_ASSERT(aw_sendto(p->client, "ping", 4, NULL, 0) == 4, "send: %s",
                aw_last_error());
    p->got = aw_recvfrom(p->client, p->answer, sizeof p->answer, NULL, NULL);
    int rc = aw_await(aw_task_future(server), NULL);
    aw_task_release(server);
    TASK_ASSERT(rc == 0, "server task: %s", aw_strerror(rc));
    return NULL;
}

START_TEST(connected_socket_round_trip)
{
    ping p = {.server = aw_udp_open(NULL, 0), .client = aw_udp_open(NULL, 0)};
    ck_assert_int_ge(p.server, 0);
    ck_assert_int_ge(p.client, 0);
    aw_loop *loop = new_loop();
    expect_task_ok(loop, connected_client, &p);
    ck_assert_int_eq(p.got, 4);
    ck_assert_mem_eq(p.answer, "ping", 4);
    aw_close(loop, p.server);
    aw_close(loop, p.client);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

typedef struct {
    int fd;
    int rc;
} waiting;

static void *receive_forever(void *arg)
{
    waiting *w = arg;
    char buf[16];
    w->rc = (int)aw_recvfrom(w->fd, buf, sizeof buf, NULL, NULL);
    return NULL;
}

static void cancel_it(void *task)
{
    aw_task_cancel(task);
}

static char described[200];

static void describe_it(void *task)
{
    aw_task_describe_awaiting(task, described, sizeof described);
}

START_TEST(cancelled_receive_lets_go)
{
    aw_loop *loop = new_loop();
    waiting w = {.fd = aw_udp_open(NULL, 0), .rc = 1};
    ck_assert_int_ge(w.fd, 0);
    aw_task *t = aw_task_create(loop, receive_forever, &w, "receiver");
    aw_call_later(loop, 0.005, describe_it, t);
    aw_call_later(loop, 0.01, cancel_it, t);
    aw_loop_run_until_complete(loop, aw_task_future(t));
    ck_assert_int_eq(w.rc, AW_ECANCELLED);
    char want[64];
    snprintf(want, sizeof want, "a datagram on fd %d", w.fd);
    ck_assert_str_eq(described, want); /* introspection names the wait */
    aw_loop_stats stats;
    aw_loop_get_stats(loop, &stats);
    ck_assert_msg(stats.watched_fds == 0, "the loop still watches %zu fd(s)",
                  stats.watched_fds);
    aw_task_release(t);
    aw_close(loop, w.fd);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(misuse_is_reported)
{
    char buf[4];
    ck_assert_int_eq(aw_recvfrom(0, buf, sizeof buf, NULL, NULL), AW_EMISUSE);
    ck_assert_int_eq(aw_sendto(0, "x", 1, NULL, 0), AW_EMISUSE);
    ck_assert_int_eq(aw_udp_open("not an address", 0), -EINVAL);
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("datagram");
    TCase *tc = tcase_create("udp");
    tcase_add_test(tc, datagrams_stay_whole);
    tcase_add_test(tc, connected_socket_round_trip);
    tcase_add_test(tc, cancelled_receive_lets_go);
    tcase_add_test(tc, misuse_is_reported);
    suite_add_tcase(s, tc);
    return s;
}
