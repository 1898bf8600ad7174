/*
 * test_stream.c - readers and writers over real loopback TCP sockets.
 *
 * Each test makes a connected pair (net_helpers.h), wraps one or both
 * ends in streams, runs tasks on a fresh loop, and checks at the end
 * that every descriptor it opened is closed again.
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw.h"
#include "backend_skip.h"
#include "net_helpers.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Two streams on the two ends of a TCP pair. */
typedef struct {
    aw_loop *loop;
    aw_reader *r[2];
    aw_writer *w[2];
    int fds_before;
} pair;

static void pair_open(pair *p, const aw_stream_options *options)
{
    p->fds_before = count_open_fds();
    p->loop = new_loop();
    int a, b;
    tcp_pair(&a, &b);
    ck_assert_int_eq(aw_stream_open(p->loop, a, options, &p->r[0], &p->w[0]),
                     0);
    ck_assert_int_eq(aw_stream_open(p->loop, b, options, &p->r[1], &p->w[1]),
                     0);
}

static void pair_close(pair *p)
{
    for (int i = 0; i < 2; i++) {
        aw_reader_free(p->r[i]);
        aw_writer_free(p->w[i]);
    }
    close_loop_check_fds(p->loop, p->fds_before);
}

/* Run two tasks, one per end, until both are done; both must succeed. */
static void run_both(pair *p, aw_task_fn end0, aw_task_fn end1)
{
    aw_task *t0 = aw_task_create(p->loop, end0, p, "end0");
    aw_task *t1 = aw_task_create(p->loop, end1, p, "end1");
    aw_future *both[] = {aw_task_future(t0), aw_task_future(t1)};
    aw_future *g = aw_gather(p->loop, both, 2);
    int rc = aw_loop_run_until_complete(p->loop, g);
    ck_assert_msg(rc == 0, "a task failed: %s (%s)", aw_strerror(rc),
                  aw_last_error());
    aw_future_release(g);
    aw_task_release(t0);
    aw_task_release(t1);
}

/* ---- echo: readline, write, drain, EOF -------------------------------- */

enum { ECHO_LINES = 200 };

static void *echo_back(void *arg)
{
    pair *p = arg;
    char line[128];
    for (;;) {
        size_t len;
        int rc = aw_reader_readline(p->r[0], line, sizeof line, &len);
        TASK_ASSERT(rc == 0, "readline: %s", aw_last_error());
        if (len == 0)
            break; /* end of stream */
        TASK_ASSERT(aw_writer_write(p->w[0], line, len) == 0, "write: %s",
                    aw_last_error());
        TASK_ASSERT(aw_writer_drain(p->w[0]) == 0, "drain");
    }
    TASK_ASSERT(aw_reader_at_eof(p->r[0]), "at_eof after the last line");
    aw_writer_close(p->w[0]);
    TASK_ASSERT(aw_writer_wait_closed(p->w[0]) == 0, "wait_closed");
    return NULL;
}

static void *echo_client(void *arg)
{
    pair *p = arg;
    for (int i = 0; i < ECHO_LINES; i++) {
        char out[64], in[64];
        int n = snprintf(out, sizeof out, "line %d\n", i);
        TASK_ASSERT(aw_writer_write(p->w[1], out, (size_t)n) == 0, "write");
        size_t len;
        TASK_ASSERT(aw_reader_readline(p->r[1], in, sizeof in, &len) == 0,
                    "readline: %s", aw_last_error());
        TASK_ASSERT(len == (size_t)n && strcmp(in, out) == 0,
                    "echo %d: got '%s'", i, in);
    }
    TASK_ASSERT(aw_writer_write_eof(p->w[1]) == 0, "write_eof");
    char byte;
    TASK_ASSERT(aw_reader_read(p->r[1], &byte, 1) == 0, "EOF after close");
    TASK_ASSERT(aw_reader_at_eof(p->r[1]), "at_eof");
    return NULL;
}

START_TEST(echo_lines_then_eof)
{
    pair p;
    pair_open(&p, NULL);
    run_both(&p, echo_back, echo_client);
    pair_close(&p);
}
END_TEST

/* ---- read(n) returns what has arrived ------------------------------------ */

static void *write_hello(void *arg)
{
    pair *p = arg;
    TASK_ASSERT(aw_writer_write(p->w[0], "hello", 5) == 0, "write");
    return NULL;
}

static void *read_some(void *arg)
{
    pair *p = arg;
    char buf[100];
    ssize_t n = aw_reader_read(p->r[1], buf, sizeof buf);
    TASK_ASSERT(n == 5 && memcmp(buf, "hello", 5) == 0,
                "read returned %zd, expected the 5 bytes sent", n);
    TASK_ASSERT(!aw_reader_at_eof(p->r[1]), "not at EOF");
    return NULL;
}

START_TEST(read_returns_what_arrived)
{
    pair p;
    pair_open(&p, NULL);
    run_both(&p, write_hello, read_some);
    pair_close(&p);
}
END_TEST

/* ---- readexactly ------------------------------------------------------- */

static void *write_abc_close(void *arg)
{
    pair *p = arg;
    aw_writer_write(p->w[0], "abc", 3);
    aw_writer_close(p->w[0]);
    return NULL;
}

static void *readexactly_ten(void *arg)
{
    pair *p = arg;
    char buf[10];
    size_t got = 99;
    int rc = aw_reader_readexactly(p->r[1], buf, sizeof buf, &got);
    TASK_ASSERT(rc == AW_EINCOMPLETE, "expected AW_EINCOMPLETE, got %s",
                aw_strerror(rc));
    TASK_ASSERT(got == 3 && memcmp(buf, "abc", 3) == 0,
                "the partial data: %zu bytes", got);
    TASK_ASSERT(strstr(aw_last_error(), "3 of 10") != NULL, "message: %s",
                aw_last_error());
    TASK_ASSERT(aw_reader_at_eof(p->r[1]), "at_eof");
    return NULL;
}

START_TEST(readexactly_eof_is_incomplete_with_partial_data)
{
    pair p;
    pair_open(&p, NULL);
    run_both(&p, write_abc_close, readexactly_ten);
    pair_close(&p);
}
END_TEST

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 7 % 251);
}

static void *write_in_pieces(void *arg)
{
    pair *p = arg;
    unsigned char buf[100];
    for (size_t piece = 0; piece < 10; piece++) {
        for (size_t i = 0; i < 100; i++)
            buf[i] = pattern(piece * 100 + i);
        TASK_ASSERT(aw_writer_write(p->w[0], buf, 100) == 0, "write");
        aw_sleep(0.002);
    }
    return NULL;
}

static void *readexactly_thousand(void *arg)
{
    pair *p = arg;
    unsigned char buf[1000];
    size_t got = 0;
    int rc = aw_reader_readexactly(p->r[1], buf, sizeof buf, &got);
    TASK_ASSERT(rc == 0 && got == 1000, "readexactly: %s, got %zu",
                aw_strerror(rc), got);
    for (size_t i = 0; i < 1000; i++)
        TASK_ASSERT(buf[i] == pattern(i), "byte %zu differs", i);
    return NULL;
}

START_TEST(readexactly_gathers_pieces)
{
    pair p;
    pair_open(&p, NULL);
    run_both(&p, write_in_pieces, readexactly_thousand);
    pair_close(&p);
}
END_TEST

/* ---- readline: limit, last line, long line trickling in ---------------- */

static void *write_long_line(void *arg)
{
    pair *p = arg;
    char longline[101];
    memset(longline, 'x', 100);
    longline[100] = '\n';
    aw_writer_write(p->w[0], "short\n", 6);
    aw_writer_write(p->w[0], longline, sizeof longline);
    aw_writer_write(p->w[0], "after\n", 6);
    return NULL;
}

static void *readline_limited(void *arg)
{
    pair *p = arg;
    char line[64];
    size_t len;
    int rc = aw_reader_readline(p->r[1], line, sizeof line, &len);
    TASK_ASSERT(rc == 0 && strcmp(line, "short\n") == 0, "first line");
    rc = aw_reader_readline(p->r[1], line, sizeof line, &len);
    TASK_ASSERT(rc == AW_ELIMIT, "a 101-byte line over a 16-byte limit: %s",
                aw_strerror(rc));
    TASK_ASSERT(len == 0, "no data with AW_ELIMIT");
    rc = aw_reader_readline(p->r[1], line, sizeof line, &len);
    TASK_ASSERT(rc == 0 && strcmp(line, "after\n") == 0,
                "the line after the long one: rc %d '%s'", rc, line);
    return NULL;
}

START_TEST(readline_over_limit_is_elimit_and_skipped)
{
    pair p;
    aw_stream_options options = {.limit = 16};
    pair_open(&p, &options);
    run_both(&p, write_long_line, readline_limited);
    pair_close(&p);
}
END_TEST

static void *trickle_long_line(void *arg)
{
    pair *p = arg;
    char xs[40];
    memset(xs, 'x', sizeof xs);
    for (int i = 0; i < 5; i++) {
        aw_writer_write(p->w[0], xs, sizeof xs);
        aw_sleep(0.002);
    }
    aw_writer_write(p->w[0], "x\nnext\n", 7);
    return NULL;
}

static void *readline_skips_trickle(void *arg)
{
    pair *p = arg;
    char line[64];
    size_t len;
    int rc = aw_reader_readline(p->r[1], line, sizeof line, &len);
    TASK_ASSERT(rc == AW_ELIMIT, "over the limit: %s", aw_strerror(rc));
    rc = aw_reader_readline(p->r[1], line, sizeof line, &len);
    TASK_ASSERT(rc == 0 && strcmp(line, "next\n") == 0,
                "the rest of the long line must be dropped: got '%s'", line);
    return NULL;
}

START_TEST(readline_drops_rest_of_long_line)
{
    pair p;
    aw_stream_options options = {.limit = 32};
    pair_open(&p, &options);
    run_both(&p, trickle_long_line, readline_skips_trickle);
    pair_close(&p);
}
END_TEST

static void *write_a_b_close(void *arg)
{
    pair *p = arg;
    aw_writer_write(p->w[0], "a\nb", 3);
    aw_writer_close(p->w[0]);
    return NULL;
}

static void *readline_last_line(void *arg)
{
    pair *p = arg;
    char line[16];
    size_t len;
    TASK_ASSERT(aw_reader_readline(p->r[1], line, sizeof line, &len) == 0 &&
                    strcmp(line, "a\n") == 0,
                "first");
    TASK_ASSERT(aw_reader_readline(p->r[1], line, sizeof line, &len) == 0 &&
                    strcmp(line, "b") == 0 && len == 1,
                "the last line comes without its newline: '%s'", line);
    TASK_ASSERT(aw_reader_readline(p->r[1], line, sizeof line, &len) == 0 &&
                    len == 0,
                "then empty at EOF");
    TASK_ASSERT(aw_reader_at_eof(p->r[1]), "at_eof");
    return NULL;
}

START_TEST(readline_returns_last_unterminated_line)
{
    pair p;
    pair_open(&p, NULL);
    run_both(&p, write_a_b_close, readline_last_line);
    pair_close(&p);
}
END_TEST

/* ---- readuntil ----------------------------------------------------------- */

static void *write_headers(void *arg)
{
    pair *p = arg;
    aw_writer_write(p->w[0], "GET / HTTP/1.1\r\nHost: x\r", 24);
    aw_sleep(0.002);
    aw_writer_write(p->w[0], "\n\r\nbody", 7);
    aw_writer_close(p->w[0]);
    return NULL;
}

static void *readuntil_headers(void *arg)
{
    pair *p = arg;
    char buf[256];
    size_t len;
    int rc = aw_reader_readuntil(p->r[1], "\r\n\r\n", 4, buf, sizeof buf, &len);
    TASK_ASSERT(rc == 0, "readuntil: %s", aw_last_error());
    TASK_ASSERT(strcmp(buf, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") == 0 &&
                    len == 27,
                "the separator split across two writes: '%s'", buf);
    rc = aw_reader_readuntil(p->r[1], "\r\n\r\n", 4, buf, sizeof buf, &len);
    TASK_ASSERT(rc == AW_EINCOMPLETE && len == 4 && strcmp(buf, "body") == 0,
                "EOF before the separator: rc %d len %zu", rc, len);
    return NULL;
}

START_TEST(readuntil_separator_and_incomplete)
{
    pair p;
    pair_open(&p, NULL);
    run_both(&p, write_headers, readuntil_headers);
    pair_close(&p);
}
END_TEST

static void *write_no_separator(void *arg)
{
    pair *p = arg;
    aw_writer_write(p->w[0], "0123456789abcdefghij;", 21);
    return NULL;
}

static void *readuntil_over_cap(void *arg)
{
    pair *p = arg;
    char small[11], rest[32];
    size_t len;
    int rc = aw_reader_readuntil(p->r[1], ";", 1, small, sizeof small, &len);
    TASK_ASSERT(rc == AW_ELIMIT, "separator beyond cap - 1: %s",
                aw_strerror(rc));
    /* The data stays in the reader. */
    rc = aw_reader_readuntil(p->r[1], ";", 1, rest, sizeof rest, &len);
    TASK_ASSERT(rc == 0 && len == 21 &&
                    strcmp(rest, "0123456789abcdefghij;") == 0,
                "after AW_ELIMIT the data is still there: '%s'", rest);
    return NULL;
}

START_TEST(readuntil_limit_keeps_data)
{
    pair p;
    pair_open(&p, NULL);
    run_both(&p, write_no_separator, readuntil_over_cap);
    pair_close(&p);
}
END_TEST

/* ---- drain and backpressure with a slow reader -------------------------- */

enum { CHUNK = 16 * 1024, HIGH = 32 * 1024, LOW = 8 * 1024 };

typedef struct {
    pair p;
    bool reader_may_start;
    size_t sent;
    int drain_waits;
    size_t most_buffered_after_drain;
} flow;

static void *fast_writer(void *arg)
{
    flow *f = arg;
    unsigned char chunk[CHUNK];
    /* Write without reading on the other side until the buffer passes
     * the high water mark (the kernel's buffers are finite). */
    while (f->sent < (64u << 20)) {
        for (size_t i = 0; i < CHUNK; i++)
            chunk[i] = pattern(f->sent + i);
        TASK_ASSERT(aw_writer_write(f->p.w[0], chunk, CHUNK) == 0, "write");
        f->sent += CHUNK;
        if (aw_writer_buffered(f->p.w[0]) > HIGH)
            break;
    }
    TASK_ASSERT(aw_writer_buffered(f->p.w[0]) > HIGH,
                "the buffer never went over the high water mark");
    f->reader_may_start = true;
    size_t target = f->sent + (4u << 20);
    while (f->sent < target) {
        if (aw_writer_buffered(f->p.w[0]) > HIGH)
            f->drain_waits++;
        TASK_ASSERT(aw_writer_drain(f->p.w[0]) == 0, "drain");
        size_t b = aw_writer_buffered(f->p.w[0]);
        if (b > f->most_buffered_after_drain)
            f->most_buffered_after_drain = b;
        for (size_t i = 0; i < CHUNK; i++)
            chunk[i] = pattern(f->sent + i);
        TASK_ASSERT(aw_writer_write(f->p.w[0], chunk, CHUNK) == 0, "write");
        f->sent += CHUNK;
    }
    aw_writer_close(f->p.w[0]);
    TASK_ASSERT(aw_writer_wait_closed(f->p.w[0]) == 0, "wait_closed");
    return NULL;
}

static void *slow_reader(void *arg)
{
    flow *f = arg;
    while (!f->reader_may_start)
        aw_sleep(0.001);
    unsigned char buf[4096];
    size_t total = 0;
    for (int i = 0;; i++) {
        ssize_t n = aw_reader_read(f->p.r[1], buf, sizeof buf);
        TASK_ASSERT(n >= 0, "read: %s", aw_last_error());
        if (n == 0)
            break;
        for (ssize_t k = 0; k < n; k++)
            TASK_ASSERT(buf[k] == pattern(total + (size_t)k),
                        "byte %zu differs", total + (size_t)k);
        total += (size_t)n;
        if (i % 64 == 0)
            aw_sleep(0.001); /* slow */
    }
    TASK_ASSERT(total == f->sent, "received %zu of %zu bytes", total, f->sent);
    return NULL;
}

START_TEST(drain_applies_backpressure)
{
    flow f = {0};
    aw_stream_options options = {.high_water = HIGH, .low_water = LOW};
    pair_open(&f.p, &options);
    aw_task *t0 = aw_task_create(f.p.loop, fast_writer, &f, "writer");
    aw_task *t1 = aw_task_create(f.p.loop, slow_reader, &f, "reader");
    aw_future *both[] = {aw_task_future(t0), aw_task_future(t1)};
    aw_future *g = aw_gather(f.p.loop, both, 2);
    int rc = aw_loop_run_until_complete(f.p.loop, g);
    ck_assert_msg(rc == 0, "%s", aw_last_error());
    aw_future_release(g);
    aw_task_release(t0);
    aw_task_release(t1);
    ck_assert_msg(f.drain_waits > 0, "drain never had to wait");
    ck_assert_msg(f.most_buffered_after_drain <= HIGH,
                  "after drain %zu bytes were buffered (high water %d)",
                  f.most_buffered_after_drain, HIGH);
    pair_close(&f.p);
}
END_TEST

/* ---- a peer's reset is an error on that connection only ------------------ */

typedef struct {
    aw_loop *loop;
    aw_reader *r;
    aw_writer *w;
} one_end;

static void *read_after_reset(void *arg)
{
    one_end *e = arg;
    char buf[16];
    /* The data sent before the reset may or may not be readable. */
    ssize_t n = aw_reader_read(e->r, buf, sizeof buf);
    if (n == 4)
        n = aw_reader_read(e->r, buf, sizeof buf);
    TASK_ASSERT(n == -ECONNRESET, "read after RST: %zd (%s)", n,
                aw_last_error());
    n = aw_reader_read(e->r, buf, sizeof buf);
    TASK_ASSERT(n == -ECONNRESET, "the error sticks: %zd", n);
    /* Writing to a reset connection: an error, never SIGPIPE. It may
     * show only on a later call (a proactor sends in the background). */
    int rc = 0;
    for (int i = 0; i < 100 && rc == 0; i++) {
        rc = aw_writer_write(e->w, "x", 1);
        if (rc == 0)
            rc = aw_writer_drain(e->w);
        if (rc == 0)
            aw_sleep(0.001);
    }
    TASK_ASSERT(rc == -EPIPE || rc == -ECONNRESET, "write after reset: %s",
                aw_strerror(rc));
    return NULL;
}

START_TEST(peer_reset_is_an_error_on_that_connection)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    int a, b;
    tcp_pair(&a, &b);
    one_end e = {.loop = loop};
    ck_assert_int_eq(aw_stream_open(loop, a, NULL, &e.r, &e.w), 0);
    ck_assert_int_eq(write(b, "data", 4), 4);
    reset_on_close(b);
    close(b); /* sends RST */
    expect_task_ok(loop, read_after_reset, &e);
    aw_reader_free(e.r);
    aw_writer_free(e.w);
    close_loop_check_fds(loop, before);
}
END_TEST

/* ---- cancelling a reader in the middle of a read ------------------------ */

typedef struct {
    pair p;
    aw_task *reader;
    int reader_rc;
} cancel_job;

static void *blocked_readexactly(void *arg)
{
    cancel_job *j = arg;
    char buf[6];
    j->reader_rc = aw_reader_readexactly(j->p.r[1], buf, sizeof buf, NULL);
    return aw_raise(j->reader_rc, "reader ended");
}

static void *cancel_then_read(void *arg)
{
    cancel_job *j = arg;
    aw_writer_write(j->p.w[0], "abc", 3);
    aw_sleep(0.02); /* the reader now waits for the other 3 bytes */
    TASK_ASSERT(aw_task_state_of(j->reader) == AW_TASK_PENDING,
                "the reader should be waiting");
    aw_task_cancel(j->reader);
    int rc = aw_await(aw_task_future(j->reader), NULL);
    TASK_ASSERT(rc == AW_ECANCELLED && j->reader_rc == AW_ECANCELLED,
                "the read returns AW_ECANCELLED: %s", aw_strerror(rc));
    /* The stream still works, and kept the bytes received so far. */
    aw_writer_write(j->p.w[0], "def", 3);
    char buf[6];
    size_t got;
    rc = aw_reader_readexactly(j->p.r[1], buf, sizeof buf, &got);
    TASK_ASSERT(rc == 0 && memcmp(buf, "abcdef", 6) == 0,
                "after the cancel: %s", aw_strerror(rc));
    /* And a plain read waits and wakes again. */
    aw_writer_write(j->p.w[0], "g", 1);
    TASK_ASSERT(aw_reader_read(j->p.r[1], buf, 1) == 1 && buf[0] == 'g',
                "read after cancel");
    return NULL;
}

START_TEST(cancel_reader_mid_read)
{
    cancel_job j = {0};
    pair_open(&j.p, NULL);
    j.reader = aw_task_create(j.p.loop, blocked_readexactly, &j, "reader");
    expect_task_ok(j.p.loop, cancel_then_read, &j);
    aw_task_release(j.reader);
    pair_close(&j.p);
}
END_TEST

/* ---- closing a connection wakes its waiting reader ---------------------- */

typedef struct {
    pair p;
    ssize_t got; /* what the waiting read returned */
} close_job;

static void *wait_for_data(void *arg)
{
    close_job *j = arg;
    char c;
    j->got = aw_reader_read(j->p.r[1], &c, 1);
    return NULL;
}

static void *close_under_reader(void *arg)
{
    close_job *j = arg;
    aw_task *reader = aw_task_create(j->p.loop, wait_for_data, j, "reader");
    aw_sleep(0.02); /* the reader now waits: nothing was sent */
    aw_writer_close(j->p.w[1]);
    TASK_ASSERT(aw_writer_wait_closed(j->p.w[1]) == 0, "wait_closed");
    int rc = aw_await(aw_task_future(reader), NULL);
    aw_task_release(reader);
    TASK_ASSERT(rc == 0 && j->got == AW_ESTATE,
                "a read waiting on a closed connection: %zd, not AW_ESTATE",
                j->got);
    return NULL;
}

START_TEST(close_wakes_a_waiting_reader)
{
    close_job j = {0};
    pair_open(&j.p, NULL);
    expect_task_ok(j.p.loop, close_under_reader, &j);
    pair_close(&j.p);
}
END_TEST

/* ---- close flushes what is buffered ---------------------------------- */

enum { BIG = 1 << 20 };

static void *write_big_close(void *arg)
{
    pair *p = arg;
    unsigned char *buf = malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        buf[i] = pattern(i);
    int rc = aw_writer_write(p->w[0], buf, BIG); /* no drain */
    free(buf);
    TASK_ASSERT(rc == 0, "write");
    TASK_ASSERT(!aw_writer_is_closing(p->w[0]), "not closing yet");
    aw_writer_close(p->w[0]);
    TASK_ASSERT(aw_writer_is_closing(p->w[0]), "is_closing after close");
    TASK_ASSERT(aw_writer_write(p->w[0], "x", 1) == AW_ESTATE,
                "write after close is AW_ESTATE");
    TASK_ASSERT(aw_writer_wait_closed(p->w[0]) == 0, "wait_closed: %s",
                aw_last_error());
    TASK_ASSERT(aw_writer_fd(p->w[0]) == -1, "closed");
    return NULL;
}

static void *read_all_big(void *arg)
{
    pair *p = arg;
    unsigned char buf[8192];
    size_t total = 0;
    for (;;) {
        ssize_t n = aw_reader_read(p->r[1], buf, sizeof buf);
        TASK_ASSERT(n >= 0, "read: %s", aw_last_error());
        if (n == 0)
            break;
        for (ssize_t k = 0; k < n; k++)
            TASK_ASSERT(buf[k] == pattern(total + (size_t)k), "byte %zu",
                        total + (size_t)k);
        total += (size_t)n;
    }
    TASK_ASSERT(total == BIG, "received %zu of %d bytes", total, BIG);
    return NULL;
}

START_TEST(close_sends_buffered_data_first)
{
    pair p;
    pair_open(&p, NULL);
    run_both(&p, write_big_close, read_all_big);
    pair_close(&p);
}
END_TEST

/* ---- a write starts no task ---------------------------------------------- */

enum { BURSTS = 200, BURST = 512 };

typedef struct {
    pair p;
    size_t most_tasks; /* pending tasks seen right after a write */
} burst_job;

/* Write bursts the peer reads back, and look at the loop after each:
 * the writer sends them itself (a selector's writable callback, or the
 * completion of an io_uring send), so the only tasks are the two here. */
static void *write_bursts(void *arg)
{
    burst_job *j = arg;
    unsigned char burst[BURST];
    for (int i = 0; i < BURSTS; i++) {
        for (size_t k = 0; k < BURST; k++)
            burst[k] = pattern((size_t)i * BURST + k);
        TASK_ASSERT(aw_writer_write(j->p.w[0], burst, BURST) == 0, "write");
        aw_loop_stats st;
        aw_loop_get_stats(j->p.loop, &st);
        if (st.tasks > j->most_tasks)
            j->most_tasks = st.tasks;
        TASK_ASSERT(aw_writer_drain(j->p.w[0]) == 0, "drain");
        aw_sleep(0); /* let the send complete, as a server would */
    }
    aw_writer_close(j->p.w[0]);
    TASK_ASSERT(aw_writer_wait_closed(j->p.w[0]) == 0, "wait_closed");
    return NULL;
}

static void *read_bursts(void *arg)
{
    burst_job *j = arg;
    unsigned char buf[4096];
    size_t total = 0;
    for (;;) {
        ssize_t n = aw_reader_read(j->p.r[1], buf, sizeof buf);
        TASK_ASSERT(n >= 0, "read: %s", aw_last_error());
        if (n == 0)
            break;
        for (ssize_t k = 0; k < n; k++)
            TASK_ASSERT(buf[k] == pattern(total + (size_t)k), "byte %zu",
                        total + (size_t)k);
        total += (size_t)n;
    }
    TASK_ASSERT(total == BURSTS * BURST, "received %zu of %d bytes", total,
                BURSTS * BURST);
    return NULL;
}

START_TEST(writes_start_no_task)
{
    burst_job j = {0};
    pair_open(&j.p, NULL);
    run_both(&j.p, write_bursts, read_bursts);
    ck_assert_msg(j.most_tasks == 2,
                  "%zu tasks were pending after a write; the writer and "
                  "the reader are the only ones",
                  j.most_tasks);
    pair_close(&j.p);
}
END_TEST

/* ---- freeing a writer while the kernel still sends -------------------------
 */

enum { FLOOD = 16 << 20 }; /* more than a loopback socket buffers */

static void *write_flood(void *arg)
{
    pair *p = arg;
    unsigned char *buf = malloc(FLOOD);
    TASK_ASSERT(buf != NULL, "out of memory");
    memset(buf, 'f', FLOOD);
    int rc = aw_writer_write(p->w[0], buf, FLOOD); /* nobody reads */
    free(buf);
    TASK_ASSERT(rc == 0, "write: %s", aw_last_error());
    aw_sleep(0.05); /* the kernel takes what it can, then waits for room */
    TASK_ASSERT(aw_writer_buffered(p->w[0]) > 0, "nothing left to send");
    return NULL;
}

/* The writer is freed with bytes unsent (on io_uring, with a send in
 * flight whose buffer the kernel may still read): freeing must neither
 * leave that memory to the kernel nor leak it, nor a descriptor.
 * AddressSanitizer and the descriptor count in pair_close check it. */
START_TEST(writer_freed_mid_send)
{
    pair p;
    pair_open(&p, NULL);
    expect_task_ok(p.loop, write_flood, &p);
    pair_close(&p);
}
END_TEST

/* ---- misuse -------------------------------------------------------------- */

static void *second_reader(void *arg)
{
    pair *p = arg;
    aw_sleep(0.01); /* the first reader is waiting by now */
    char c;
    ssize_t n = aw_reader_read(p->r[1], &c, 1);
    TASK_ASSERT(n == AW_EMISUSE, "two readers at once: %zd", n);
    TASK_ASSERT(strstr(aw_last_error(), "already reading") != NULL, "%s",
                aw_last_error());
    aw_writer_write(p->w[0], "z", 1); /* let the first one finish */
    return NULL;
}

static void *first_reader(void *arg)
{
    pair *p = arg;
    char c;
    TASK_ASSERT(aw_reader_read(p->r[1], &c, 1) == 1 && c == 'z', "read");
    return NULL;
}

START_TEST(misuse_is_reported)
{
    pair p;
    pair_open(&p, NULL);
    char c;
    ck_assert_int_eq(aw_reader_read(p.r[1], &c, 1), AW_EMISUSE);
    ck_assert_int_eq(aw_writer_drain(p.w[1]), AW_EMISUSE);
    ck_assert_int_eq(aw_writer_set_limits(p.w[1], 10, 20), AW_EMISUSE);
    ck_assert_int_eq(aw_reader_readline(p.r[1], &c, 1, NULL), AW_EMISUSE);
    run_both(&p, first_reader, second_reader);
    pair_close(&p);
}
END_TEST

/* ---- a descriptor number reused after a stream closed ------------------- */

static void *read_one_byte(void *arg)
{
    pair *p = arg;
    char c;
    ssize_t n = aw_reader_read(p->r[1], &c, 1);
    return aw_raise(n == 1 ? AW_ESTATE : (int)n, "read ended");
}

static void *write_one_byte_later(void *arg)
{
    pair *p = arg;
    aw_sleep(0.005); /* the reader is waiting by now */
    aw_writer_write(p->w[0], "q", 1);
    return NULL;
}

/* Start a reader that waits, then cancel it: its registration stays
 * with the loop (parked) when the streams are freed. */
static void *cancel_a_waiting_reader(void *arg)
{
    pair *p = arg;
    aw_task *reader = aw_task_create(p->loop, read_one_byte, p, "reader");
    aw_sleep(0.005);
    aw_task_cancel(reader);
    int rc = aw_await(aw_task_future(reader), NULL);
    aw_task_release(reader);
    TASK_ASSERT(rc == AW_ECANCELLED, "the reader: %s", aw_strerror(rc));
    return NULL;
}

static void *read_after_reuse(void *arg)
{
    pair *p = arg;
    char c;
    ssize_t n = aw_reader_read(p->r[1], &c, 1);
    TASK_ASSERT(n == 1 && c == 'q', "read: %zd (%s)", n, aw_last_error());
    return NULL;
}

START_TEST(reused_descriptor_is_watched_again)
{
    pair p;
    pair_open(&p, NULL);
    expect_task_ok(p.loop, cancel_a_waiting_reader, &p);
    int old_fd = aw_writer_fd(p.w[1]);
    for (int i = 0; i < 2; i++) {
        aw_reader_free(p.r[i]);
        aw_writer_free(p.w[i]);
    }
    /* New sockets get the lowest free numbers: the same ones. With epoll,
     * a registration the loop still believed in would never fire. */
    int a, b;
    tcp_pair(&a, &b);
    ck_assert_int_eq(aw_stream_open(p.loop, a, NULL, &p.r[0], &p.w[0]), 0);
    ck_assert_int_eq(aw_stream_open(p.loop, b, NULL, &p.r[1], &p.w[1]), 0);
    ck_assert_msg(a == old_fd || b == old_fd, "the new pair should reuse fd %d",
                  old_fd);
    run_both(&p, write_one_byte_later, read_after_reuse);
    pair_close(&p);
}
END_TEST

/* ---- a reader holds only what its reads asked for ------------------------ */

enum { BOUND_LIMIT = 4096, FLOOD_MAX = 64 << 20, STALLED_PASSES = 20 };

typedef struct {
    aw_reader *r;
    aw_writer *w;
    int peer; /* the flooding end: plain system calls */
    size_t sent, most_buffered, received;
    bool flood_over;
} bounded;

/* "hello\n", then as much as the kernel takes, until it has taken
 * nothing for STALLED_PASSES passes of the loop in a row (the reader's
 * side is full), watching the reader's buffer at every pass. */
static void *flood_until_stalled(void *arg)
{
    bounded *b = arg;
    TASK_ASSERT(send(b->peer, "hello\n", 6, MSG_NOSIGNAL) == 6, "send");
    unsigned char chunk[16384];
    for (int stalled = 0; stalled < STALLED_PASSES && b->sent < FLOOD_MAX;) {
        for (size_t i = 0; i < sizeof chunk; i++)
            chunk[i] = pattern(b->sent + i);
        ssize_t n =
            send(b->peer, chunk, sizeof chunk, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            b->sent += (size_t)n;
            stalled = 0;
            continue;
        }
        stalled++;
        aw_sleep(0);
        size_t held = aw_reader_buffered(b->r);
        if (held > b->most_buffered)
            b->most_buffered = held;
    }
    b->flood_over = true;
    shutdown(b->peer, SHUT_WR);
    return NULL;
}

/* One readline, then no read until the flood is over; then every byte,
 * in order. */
static void *readline_then_nothing(void *arg)
{
    bounded *b = arg;
    char line[64];
    size_t len;
    TASK_ASSERT(aw_reader_readline(b->r, line, sizeof line, &len) == 0 &&
                    strcmp(line, "hello\n") == 0,
                "the first line: %s", aw_last_error());
    while (!b->flood_over)
        aw_sleep(0); /* not reading */
    unsigned char buf[8192];
    ssize_t n;
    while ((n = aw_reader_read(b->r, buf, sizeof buf)) > 0) {
        for (ssize_t k = 0; k < n; k++)
            TASK_ASSERT(buf[k] == pattern(b->received + (size_t)k),
                        "byte %zu differs", b->received + (size_t)k);
        b->received += (size_t)n;
    }
    TASK_ASSERT(n == 0, "read: %s", aw_last_error());
    return NULL;
}

/* A peer floods a reader that read one line and then stopped reading.
 * The reader must hold no more than that readline could use (limit + 1
 * bytes): it receives only while a read waits, so the kernel's buffers
 * fill and the peer stalls. (On io_uring a receive used to stay in
 * flight and stop only past twice the limit, plus whatever the kernel
 * had received by then: 14 MB in one server.) Then nothing is lost. */
START_TEST(reader_holds_only_what_reads_asked_for)
{
    int fds_before = count_open_fds();
    aw_loop *loop = new_loop();
    /* A Unix pair: TCP would add its zero-window probes' waits when the
     * reader starts again, which prove nothing here. */
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    int a = sv[0], b_fd = sv[1];
    bounded b = {.peer = b_fd};
    aw_stream_options options = {.limit = BOUND_LIMIT};
    ck_assert_int_eq(aw_stream_open(loop, a, &options, &b.r, &b.w), 0);
    aw_task *t0 = aw_task_create(loop, flood_until_stalled, &b, "flood");
    aw_task *t1 = aw_task_create(loop, readline_then_nothing, &b, "reader");
    aw_future *both[] = {aw_task_future(t0), aw_task_future(t1)};
    aw_future *g = aw_gather(loop, both, 2);
    int rc = aw_loop_run_until_complete(loop, g);
    ck_assert_msg(rc == 0, "%s", aw_last_error());
    ck_assert_msg(b.most_buffered <= BOUND_LIMIT + 1,
                  "a reader that did not read held %zu bytes (limit %d); "
                  "the peer sent %zu",
                  b.most_buffered, BOUND_LIMIT, b.sent);
    ck_assert_msg(b.received == b.sent, "received %zu of %zu bytes", b.received,
                  b.sent);
    aw_future_release(g);
    aw_task_release(t0);
    aw_task_release(t1);
    aw_reader_free(b.r);
    aw_writer_free(b.w);
    close(b_fd);
    close_loop_check_fds(loop, fds_before);
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("stream");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, echo_lines_then_eof);
    tcase_add_test(tc, read_returns_what_arrived);
    tcase_add_test(tc, readexactly_eof_is_incomplete_with_partial_data);
    tcase_add_test(tc, readexactly_gathers_pieces);
    tcase_add_test(tc, readline_over_limit_is_elimit_and_skipped);
    tcase_add_test(tc, readline_drops_rest_of_long_line);
    tcase_add_test(tc, readline_returns_last_unterminated_line);
    tcase_add_test(tc, readuntil_separator_and_incomplete);
    tcase_add_test(tc, readuntil_limit_keeps_data);
    tcase_add_test(tc, drain_applies_backpressure);
    tcase_add_test(tc, peer_reset_is_an_error_on_that_connection);
    tcase_add_test(tc, cancel_reader_mid_read);
    tcase_add_test(tc, close_wakes_a_waiting_reader);
    tcase_add_test(tc, close_sends_buffered_data_first);
    tcase_add_test(tc, writes_start_no_task);
    tcase_add_test(tc, writer_freed_mid_send);
    tcase_add_test(tc, misuse_is_reported);
    tcase_add_test(tc, reused_descriptor_is_watched_again);
    tcase_add_test(tc, reader_holds_only_what_reads_asked_for);
    suite_add_tcase(s, tc);
    return s;
}
