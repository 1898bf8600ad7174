/*
 * test_reader_model.c - the stream reader against a model of its rules
 * (reader_model.h), on random cases: random limits, chunk boundaries,
 * separators split across chunks, the end of the stream inside a
 * separator, NUL bytes, and random mixes of read, readexactly, readline,
 * readuntil and at_eof. Every call's result is compared with the model.
 *
 * The seed is fixed, so a failure repeats; it is printed, and
 * AW_READER_SEED=N runs other cases (AW_READER_CASES=N, more of them).
 * A failure prints the case and the first call that differs.
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw.h"
#include "backend_skip.h"
#include "net_helpers.h"
#include "reader_model.h"

#include <stdlib.h>

enum { DEFAULT_SEED = 20261204, DEFAULT_CASES = 3000, CASE_BYTES = 160 };

static unsigned long env_number(const char *name, unsigned long fallback)
{
    const char *v = getenv(name);
    return v && *v ? strtoul(v, NULL, 10) : fallback;
}

/* xorshift64*: small, and the same everywhere. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ull;
}

START_TEST(reader_matches_model)
{
    unsigned long seed = env_number("AW_READER_SEED", DEFAULT_SEED);
    unsigned long cases = env_number("AW_READER_CASES", DEFAULT_CASES);
    printf("reader model: seed %lu, %lu cases (AW_READER_SEED, "
           "AW_READER_CASES)\n",
           seed, cases);
    fflush(stdout);
    int fds_before = count_open_fds();
    aw_loop *loop = new_loop();
    uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    static rm_case c;
    for (unsigned long i = 0; i < cases; i++) {
        uint8_t bytes[CASE_BYTES];
        size_t n = 8 + next_random(&state) % (CASE_BYTES - 8);
        for (size_t k = 0; k < n; k++)
            bytes[k] = (uint8_t)(next_random(&state) >> 56);
        rm_decode(bytes, n, &c);
        char why[512];
        if (rm_run(loop, &c, why, sizeof why) != 0) {
            printf("case %lu of seed %lu: ", i, seed);
            rm_describe(&c, stdout);
            fflush(stdout);
            ck_abort_msg("case %lu (seed %lu): %s", i, seed, why);
        }
    }
    close_loop_check_fds(loop, fds_before);
}
END_TEST

/* The case, by hand: limit 4, "xxxxxx" then "yy\nOK\nNX\n".
 * readline is AW_ELIMIT, then "OK\n", then "NX\n"; a read after the
 * AW_ELIMIT must not return the tail of the dropped line either. */
START_TEST(long_line_tail_is_dropped)
{
    static const char *const scripts[] = {"LLL", "LRL"};
    for (int s = 0; s < 2; s++) {
        rm_case c = {.limit = 4};
        memcpy(c.data, "xxxxxxyy\nOK\nNX\n", 15);
        c.len = 15;
        c.chunk_end[0] = 6;
        c.chunk_end[1] = 15;
        c.yields[1] = 3; /* readline meets "xxxxxx" alone */
        c.nchunks = 2;
        for (const char *p = scripts[s]; *p; p++)
            c.ops[c.nops++] = *p == 'L'
                                  ? (rm_op){.kind = RM_READLINE, .cap = 64}
                                  : (rm_op){.kind = RM_READ, .n = 3};
        int fds_before = count_open_fds();
        aw_loop *loop = new_loop();
        char why[512];
        int rc = rm_run(loop, &c, why, sizeof why);
        close_loop_check_fds(loop, fds_before);
        ck_assert_msg(rc == 0, "script %s: %s", scripts[s], why);
    }
}
END_TEST

/* A last line of exactly the limit, with no '\n': its bytes, not
 * AW_ELIMIT (readline), and AW_EINCOMPLETE with them (readuntil). */
START_TEST(last_line_of_exactly_the_limit)
{
    for (int kind = RM_READLINE; kind <= RM_READUNTIL; kind++) {
        rm_case c = {.limit = 4, .len = 4, .nchunks = 1, .nops = 2};
        memcpy(c.data, "abcd", 4);
        c.chunk_end[0] = 4;
        c.ops[0] = (rm_op){.kind = (rm_op_kind)kind, .cap = 64, .sep = 0};
        c.ops[1] = c.ops[0];
        int fds_before = count_open_fds();
        aw_loop *loop = new_loop();
        char why[512];
        int rc = rm_run(loop, &c, why, sizeof why);
        close_loop_check_fds(loop, fds_before);
        ck_assert_msg(rc == 0, "%s: %s", rm_op_name((rm_op_kind)kind), why);
    }
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("reader_model");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, long_line_tail_is_dropped);
    tcase_add_test(tc, last_line_of_exactly_the_limit);
    tcase_add_test(tc, reader_matches_model);
    suite_add_tcase(s, tc);
    return s;
}
