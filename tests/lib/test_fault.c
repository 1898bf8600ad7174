/*
 * test_fault.c - the fault layer (aw_fault.h): short transfers, EAGAIN,
 * errors and stalls injected into aw's socket operations, on every
 * backend. Each test runs as an aw_test, so the clean-state check also
 * proves that a fault leaves no task, timer or descriptor behind.
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw_fault.h"
#include "aw_test.h"
#include "backend_skip.h"
#include "net_helpers.h"

#include <string.h>
#include <unistd.h>

/* Run body as an async test on a virtual clock. */
static void run(aw_test_step body)
{
    aw_test_case tc = {.body = body, .loop.virtual_clock = true};
    aw_test_run(&tc);
}

static void close_both(int a, int b)
{
    ck_assert_int_eq(aw_close(NULL, a), 0);
    ck_assert_int_eq(aw_close(NULL, b), 0);
}

/* ---- short transfers -------------------------------------------------- */

// ANCHOR: short_reads
static void *reads_come_in_pieces(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int a, b;
    tcp_pair(&a, &b);
    ck_assert_int_eq(
        aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
                                         .kind = AW_FAULT_SHORT,
                                         .max_bytes = 4,
                                         .times = AW_FAULT_ALWAYS}),
        0);
    ck_assert_int_eq(aw_send(b, "hello world", 11), 11);

    char buf[64];
    ck_assert_int_eq(aw_recv(a, buf, sizeof buf), 4);
    ck_assert_int_eq(aw_recv(a, buf + 4, sizeof buf), 4);
    ck_assert_int_eq(aw_recv(a, buf + 8, sizeof buf), 3);
    ck_assert_int_eq(memcmp(buf, "hello world", 11), 0);
    ck_assert_int_eq(aw_fault_hits(loop), 3);
    close_both(a, b);
    return NULL;
}
// ANCHOR_END: short_reads

START_TEST(short_reads)
{
    run(reads_come_in_pieces);
}
END_TEST

static void *send_all_survives_short_writes(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int a, b;
    tcp_pair(&a, &b);
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_SEND,
                                     .kind = AW_FAULT_SHORT,
                                     .max_bytes = 3,
                                     .times = AW_FAULT_ALWAYS});
    ck_assert_int_eq(aw_send(a, "abcdefgh", 8), 8);
    ck_assert_int_eq(aw_fault_hits(loop), 3); /* 3 + 3 + 2 bytes */
    char buf[8];
    size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = aw_recv(b, buf + got, sizeof buf - got);
        ck_assert_int_gt(n, 0);
        got += (size_t)n;
    }
    ck_assert_int_eq(memcmp(buf, "abcdefgh", 8), 0);
    close_both(a, b);
    return NULL;
}

START_TEST(aw_send_sends_everything_despite_short_writes)
{
    run(send_all_survives_short_writes);
}
END_TEST

static void *readline_over_one_byte_reads(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int a, b;
    tcp_pair(&a, &b);
    aw_reader *r;
    aw_writer *w;
    ck_assert_int_eq(aw_stream_open(loop, a, NULL, &r, &w), 0);
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
                                     .kind = AW_FAULT_SHORT,
                                     .max_bytes = 1,
                                     .times = AW_FAULT_ALWAYS});
    ck_assert_int_eq(aw_send(b, "hello\nrest", 10), 10);
    char line[32];
    size_t len;
    ck_assert_int_eq(aw_reader_readline(r, line, sizeof line, &len), 0);
    ck_assert_str_eq(line, "hello\n");
    ck_assert_int_ge(aw_fault_hits(loop), 6);
    aw_writer_abort(w);
    aw_reader_free(r);
    aw_writer_free(w);
    ck_assert_int_eq(aw_close(NULL, b), 0);
    return NULL;
}

START_TEST(stream_reads_go_through_the_faults_too)
{
    run(readline_over_one_byte_reads);
}
END_TEST

/* A stream writer sends from a task of its own behind the layer (the
 * flusher), so send faults reach it on every backend. */
static void *writer_sends_meet_the_faults(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int a, b;
    tcp_pair(&a, &b);
    aw_reader *r;
    aw_writer *w;
    ck_assert_int_eq(aw_stream_open(loop, a, NULL, &r, &w), 0);
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_SEND,
                                     .kind = AW_FAULT_ERROR,
                                     .error = -ECONNRESET});
    ck_assert_int_eq(aw_writer_write(w, "hello", 5), 0);
    aw_writer_close(w);
    ck_assert_int_eq(aw_writer_wait_closed(w), -ECONNRESET);
    ck_assert_int_eq(aw_fault_hits(loop), 1);
    aw_reader_free(r);
    aw_writer_free(w);
    ck_assert_int_eq(aw_close(NULL, b), 0);
    return NULL;
}

START_TEST(stream_writes_go_through_the_faults_too)
{
    run(writer_sends_meet_the_faults);
}
END_TEST

/* ---- errors ----------------------------------------------------------- */

// ANCHOR: reset
static void *second_read_is_reset(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int a, b;
    tcp_pair(&a, &b);
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
                                     .kind = AW_FAULT_ERROR,
                                     .error = -ECONNRESET,
                                     .skip = 1});
    char buf[16];
    ck_assert_int_eq(aw_send(b, "one", 3), 3);
    ck_assert_int_eq(aw_recv(a, buf, sizeof buf), 3); /* skipped */
    ck_assert_int_eq(aw_recv(a, buf, sizeof buf), -ECONNRESET);
    ck_assert_msg(strstr(aw_last_error(), "injected") != NULL, "%s",
                  aw_last_error());
    ck_assert_int_eq(aw_fault_pending(loop), 0); /* the script is used up */
    close_both(a, b);
    return NULL;
}
// ANCHOR_END: reset

START_TEST(an_injected_reset_after_one_good_read)
{
    run(second_read_is_reset);
}
END_TEST

static void *only_the_chosen_descriptor(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int a, b, c, d;
    tcp_pair(&a, &b);
    tcp_pair(&c, &d);
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
                                     .kind = AW_FAULT_ERROR,
                                     .fd = c,
                                     .error = -EPIPE,
                                     .times = AW_FAULT_ALWAYS});
    char buf[4];
    ck_assert_int_eq(aw_send(b, "ab", 2), 2);
    ck_assert_int_eq(aw_send(d, "cd", 2), 2);
    ck_assert_int_eq(aw_recv(a, buf, sizeof buf), 2);
    ck_assert_int_eq(aw_recv(c, buf, sizeof buf), -EPIPE);
    ck_assert_int_eq(aw_recv(c, buf, sizeof buf), -EPIPE);
    ck_assert_int_eq(aw_fault_hits(loop), 2);
    close_both(a, b);
    close_both(c, d);
    return NULL;
}

START_TEST(a_rule_for_one_descriptor_leaves_the_others_alone)
{
    run(only_the_chosen_descriptor);
}
END_TEST

static void *accept_fails_once_then_works(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int lfd = aw_socket_listen("127.0.0.1", 0, 0);
    ck_assert_int_ge(lfd, 0);
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_ACCEPT,
                                     .kind = AW_FAULT_ERROR,
                                     .error = -EMFILE});
    ck_assert_int_eq(aw_accept(lfd), -EMFILE);
    int client = aw_connect_tcp("127.0.0.1", aw_socket_port(lfd));
    ck_assert_int_ge(client, 0);
    int server = aw_accept(lfd);
    ck_assert_int_ge(server, 0);
    close_both(client, server);
    ck_assert_int_eq(aw_close(NULL, lfd), 0);
    return NULL;
}

START_TEST(accept_fails_with_the_injected_error)
{
    run(accept_fails_once_then_works);
}
END_TEST

static void *connect_is_refused(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int lfd = aw_socket_listen("127.0.0.1", 0, 0);
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_CONNECT,
                                     .kind = AW_FAULT_ERROR,
                                     .error = -ECONNREFUSED});
    ck_assert_int_eq(aw_connect_tcp("127.0.0.1", aw_socket_port(lfd)),
                     -ECONNREFUSED);
    ck_assert_int_eq(aw_close(NULL, lfd), 0);
    return NULL; /* the socket aw_connect_tcp made must be closed too */
}

START_TEST(connect_fails_with_the_injected_error)
{
    run(connect_is_refused);
}
END_TEST

/* ---- EAGAIN: the call waits, and other tasks run meanwhile ------------ */

static void *set_flag(void *arg)
{
    *(bool *)arg = true;
    return NULL;
}

static void *read_yields_on_eagain(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int a, b;
    tcp_pair(&a, &b);
    char buf[8];
    bool other_ran = false;
    ck_assert_int_eq(aw_send(b, "xy", 2), 2);

    /* Data is waiting: without a fault, a selector's read takes it at
     * once, and the other task has not run yet when it returns. (A
     * proactor always waits for its completion.) */
    bool selector = strcmp(aw_loop_backend_name(loop), "io_uring") != 0;
    aw_task *other = aw_task_create(loop, set_flag, &other_ran, "other");
    ck_assert_int_eq(aw_recv(a, buf, 1), 1);
    ck_assert(!selector || !other_ran);
    ck_assert_int_eq(aw_await(aw_task_future(other), NULL), 0);
    aw_task_release(other);

    /* With EAGAIN injected, the read has to wait: the other task runs. */
    other_ran = false;
    aw_fault_inject(loop,
                    (aw_fault){.op = AW_FAULT_RECV, .kind = AW_FAULT_EAGAIN});
    other = aw_task_create(loop, set_flag, &other_ran, "other");
    ck_assert_int_eq(aw_recv(a, buf, 1), 1);
    ck_assert(other_ran);
    ck_assert_int_eq(aw_await(aw_task_future(other), NULL), 0);
    aw_task_release(other);
    close_both(a, b);
    return NULL;
}

START_TEST(eagain_makes_a_ready_read_wait_a_turn)
{
    run(read_yields_on_eagain);
}
END_TEST

/* ---- stalls and timeouts, in virtual time ----------------------------- */

typedef struct {
    int fd;
    ssize_t got;
} reader_arg;

static void *read_some(void *arg)
{
    reader_arg *r = arg;
    char buf[8];
    r->got = aw_recv(r->fd, buf, sizeof buf);
    if (r->got < 0) /* pass the error on: a cancelled read, cancelled */
        return aw_raise((int)r->got, aw_last_error());
    return NULL;
}

// ANCHOR: stall
static void *a_stalled_read_times_out(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int a, b;
    tcp_pair(&a, &b);
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
                                     .kind = AW_FAULT_DELAY,
                                     .seconds = AW_FAULT_FOREVER});
    ck_assert_int_eq(aw_send(b, "late", 4), 4);

    reader_arg r = {.fd = a};
    aw_task *reader = aw_task_create(loop, read_some, &r, "reader");
    double start = aw_loop_time(loop);
    int rc = aw_wait_for(aw_task_future(reader), 30, NULL);
    ck_assert_int_eq(rc, AW_ETIMEDOUT);
    ck_assert_double_eq_tol(aw_loop_time(loop) - start, 30.0, 1e-9);
    ck_assert_int_eq(r.got, AW_ECANCELLED); /* the read was cancelled */
    aw_task_release(reader);
    close_both(a, b);
    return NULL;
}
// ANCHOR_END: stall

START_TEST(a_stalled_peer_hits_the_timeout_in_virtual_time)
{
    run(a_stalled_read_times_out);
}
END_TEST

static void *a_slow_read_arrives_late(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    int a, b;
    tcp_pair(&a, &b);
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
                                     .kind = AW_FAULT_DELAY,
                                     .seconds = 2.5});
    ck_assert_int_eq(aw_send(b, "late", 4), 4);
    char buf[8];
    double start = aw_loop_time(loop);
    ck_assert_int_eq(aw_recv(a, buf, sizeof buf), 4);
    ck_assert_double_eq_tol(aw_loop_time(loop) - start, 2.5, 1e-9);
    close_both(a, b);
    return NULL;
}

START_TEST(a_delay_holds_the_read_back_that_long)
{
    run(a_slow_read_arrives_late);
}
END_TEST

/* ---- the layer itself ------------------------------------------------- */

static void *names_and_clears(aw_test *t)
{
    aw_loop *loop = aw_test_loop(t);
    char plain[32];
    snprintf(plain, sizeof plain, "%s+faults", aw_loop_backend_name(loop));
    ck_assert_int_eq(aw_fault_hits(loop), 0);
    ck_assert_int_eq(aw_fault_pending(loop), 0);
    aw_fault_inject(
        loop,
        (aw_fault){.op = AW_FAULT_SEND, .kind = AW_FAULT_ERROR, .times = 2});
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
                                     .kind = AW_FAULT_EAGAIN,
                                     .times = AW_FAULT_ALWAYS});
    ck_assert_str_eq(aw_loop_backend_name(loop), plain);
    ck_assert_int_eq(aw_fault_pending(loop), 2);

    int a, b;
    tcp_pair(&a, &b);
    ck_assert_int_eq(aw_send(a, "x", 1), -ECONNRESET); /* the default */
    aw_fault_clear(loop);
    ck_assert_int_eq(aw_fault_pending(loop), 0);
    ck_assert_int_eq(aw_send(a, "x", 1), 1);
    close_both(a, b);
    return NULL;
}

START_TEST(the_layer_names_itself_and_can_be_cleared)
{
    run(names_and_clears);
}
END_TEST

START_TEST(rules_that_make_no_sense_are_refused)
{
    aw_loop *loop = new_loop();
    aw_fault bad[] = {
        {.op = AW_FAULT_RECV, .kind = AW_FAULT_SHORT}, /* 0 bytes */
        {.op = AW_FAULT_ACCEPT, .kind = AW_FAULT_SHORT, .max_bytes = 1},
        {.op = AW_FAULT_SEND, .kind = AW_FAULT_ERROR, .error = 5},
        {.op = AW_FAULT_RECV, .kind = AW_FAULT_DELAY}, /* 0 s */
        {.op = AW_FAULT_RECV, .kind = AW_FAULT_EAGAIN, .skip = -1},
        {.op = (aw_fault_op)9, .kind = AW_FAULT_EAGAIN},
        {.op = AW_FAULT_RECV, .kind = (aw_fault_kind)9},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(aw_fault_inject(loop, bad[i]) == AW_EMISUSE,
                      "rule %zu was accepted", i);
    ck_assert_int_eq(aw_fault_inject(NULL, bad[0]), AW_EMISUSE);
    /* Nothing was installed by refused rules. */
    ck_assert_msg(strstr(aw_loop_backend_name(loop), "+faults") == NULL, "%s",
                  aw_loop_backend_name(loop));
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(closing_the_loop_frees_the_layer)
{
    aw_loop *loop = new_loop();
    ck_assert_int_eq(aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
                                                      .kind = AW_FAULT_EAGAIN}),
                     0);
    ck_assert_int_eq(aw_loop_close(loop), 0); /* ASan/valgrind: no leak */
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("fault");
    TCase *io = tcase_create("io");
    tcase_set_timeout(io, 20);
    tcase_add_test(io, short_reads);
    tcase_add_test(io, aw_send_sends_everything_despite_short_writes);
    tcase_add_test(io, stream_writes_go_through_the_faults_too);
    tcase_add_test(io, stream_reads_go_through_the_faults_too);
    tcase_add_test(io, an_injected_reset_after_one_good_read);
    tcase_add_test(io, a_rule_for_one_descriptor_leaves_the_others_alone);
    tcase_add_test(io, accept_fails_with_the_injected_error);
    tcase_add_test(io, connect_fails_with_the_injected_error);
    tcase_add_test(io, eagain_makes_a_ready_read_wait_a_turn);
    tcase_add_test(io, a_stalled_peer_hits_the_timeout_in_virtual_time);
    tcase_add_test(io, a_delay_holds_the_read_back_that_long);
    suite_add_tcase(s, io);

    TCase *layer = tcase_create("layer");
    tcase_add_test(layer, the_layer_names_itself_and_can_be_cleared);
    tcase_add_test(layer, rules_that_make_no_sense_are_refused);
    tcase_add_test(layer, closing_the_loop_frees_the_layer);
    suite_add_tcase(s, layer);
    return s;
}
