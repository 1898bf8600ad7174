/*
 * test_trace.c - the execution trace: Chrome trace-event JSON that
 * Perfetto and chrome://tracing open.
 *
 * A trace that is not valid JSON opens nowhere, so a small validator
 * below parses every file the tests write; the tests then look for the
 * events themselves.
 */
#include "runner.h"

#include "aw.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a JSON validator: enough of RFC 8259 to reject a broken trace ---- */

typedef struct {
    const char *at;
    int depth;
} json;

static void skip_space(json *j)
{
    while (*j->at == ' ' || *j->at == '\n' || *j->at == '\t' || *j->at == '\r')
        j->at++;
}

static bool json_value(json *j);

static bool json_string(json *j)
{
    if (*j->at++ != '"')
        return false;
    while (*j->at != '"') {
        unsigned char c = (unsigned char)*j->at++;
        if (c < 0x20)
            return false; /* control characters must be escaped */
        if (c == '\\') {
            char e = *j->at++;
            if (e == 'u') {
                for (int i = 0; i < 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", *j->at++))
                        return false;
            } else if (!e || !strchr("\"\\/bfnrt", e)) {
                return false;
            }
        }
    }
    j->at++;
    return true;
}

static bool json_number(json *j)
{
    char *end;
    strtod(j->at, &end);
    if (end == j->at)
        return false;
    j->at = end;
    return true;
}

/* An object or an array: items separated by commas, no trailing one. */
static bool json_container(json *j, char close, bool keyed)
{
    j->at++;
    skip_space(j);
    if (*j->at == close) {
        j->at++;
        return true;
    }
    for (;;) {
        skip_space(j);
        if (keyed) {
            if (!json_string(j))
                return false;
            skip_space(j);
            if (*j->at++ != ':')
                return false;
        }
        if (!json_value(j))
            return false;
        skip_space(j);
        char c = *j->at++;
        if (c == close)
            return true;
        if (c != ',')
            return false;
    }
}

static bool json_value(json *j)
{
    skip_space(j);
    if (++j->depth > 64)
        return false;
    bool ok;
    if (*j->at == '{')
        ok = json_container(j, '}', true);
    else if (*j->at == '[')
        ok = json_container(j, ']', false);
    else if (*j->at == '"')
        ok = json_string(j);
    else if (strncmp(j->at, "true", 4) == 0 || strncmp(j->at, "null", 4) == 0)
        ok = (j->at += 4, true);
    else if (strncmp(j->at, "false", 5) == 0)
        ok = (j->at += 5, true);
    else
        ok = json_number(j);
    j->depth--;
    return ok;
}

static bool is_valid_json(const char *text)
{
    json j = {text, 0};
    if (!json_value(&j))
        return false;
    skip_space(&j);
    return *j.at == '\0';
}

/* ---- helpers ------------------------------------------------------------ */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "no trace file at %s", path);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* A fresh name for a trace file in the temporary directory. */
static void temp_path(char *path, size_t len)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, len, "%s/aw-trace-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void stop_loop(void *loop)
{
    aw_loop_stop(loop);
}

static void on_readable(void *arg)
{
    int fd = *(int *)arg;
    char byte;
    ck_assert_int_eq(read(fd, &byte, 1), 1);
}

static void *napper(void *arg)
{
    int *fds = arg;
    aw_sleep(0.001);
    ck_assert_int_eq(write(fds[1], "x", 1), 1); /* an I/O event */
    aw_sleep(0.001);
    return NULL;
}

/* A small program to trace: two tasks that sleep, one write to a pipe
 * that a reader callback picks up. */
static void run_something(aw_loop *loop)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(aw_add_reader(loop, fds[0], on_readable, &fds[0]), 0);
    aw_task *a = aw_task_create(loop, napper, fds, "napper-a");
    aw_task *b = aw_task_create(loop, napper, fds, "say \"hi\"\\");
    aw_future *both[2] = {aw_task_future(a), aw_task_future(b)};
    aw_future *all = aw_gather(loop, both, 2);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, all), 0);
    aw_call_soon(loop, stop_loop, loop); /* one more pass: gather's tidy-up */
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    aw_future_release(all);
    aw_task_release(a);
    aw_task_release(b);
    ck_assert_int_eq(aw_remove_reader(loop, fds[0]), 0);
    close(fds[0]);
    close(fds[1]);
}

/* ---- the tests
 * ---------------------------------------------------------------- */

START_TEST(the_validator_rejects_broken_json)
{
    ck_assert(is_valid_json("[{\"a\":1.5,\"b\":[true,null,\"x\\\"y\"]}]"));
    ck_assert(!is_valid_json("[{\"a\":1,}]"));
    ck_assert(!is_valid_json("[{\"a\":1},]"));
    ck_assert(!is_valid_json("[{\"a\":\"tab\there\"}]"));
    ck_assert(!is_valid_json("[{\"a\":1}"));
}
END_TEST

START_TEST(aw_trace_in_the_environment_writes_a_trace_at_close)
{
    char path[256];
    temp_path(path, sizeof path);
    setenv("AW_TRACE", path, 1);
    aw_loop *loop = aw_loop_new();
    unsetenv("AW_TRACE");
    ck_assert_ptr_nonnull(loop);
    run_something(loop);
    ck_assert_int_eq(aw_loop_close(loop), 0);

    const char *text = read_file(path);
    ck_assert_msg(is_valid_json(text), "the trace is not valid JSON:\n%.2000s",
                  text);
    ck_assert_msg(strstr(text, "\"name\":\"process_name\",\"ph\":\"M\"") &&
                      strstr(text, "{\"name\":\"event loop\"}"),
                  "the rows should be named:\n%.2000s", text);
    ck_assert_msg(strstr(text, "\"args\":{\"name\":\"task #1 napper-a "
                               "(test_trace.c:"),
                  "the first task's row should be named:\n%.2000s", text);
    ck_assert_msg(strstr(text, "\"name\":\"say \\\"hi\\\"\\\\\""),
                  "names must be escaped:\n%.2000s", text);
    /* Each task ran three steps: to its first sleep, to its second, to
     * the end. Each step is one slice on the loop's row and one on the
     * task's own row. */
    ck_assert_uint_eq(count(text, "\"name\":\"napper-a\",\"ph\":\"X\""), 3);
    ck_assert_uint_eq(count(text, "\"name\":\"task 'napper-a' (#1)\""), 3);
    ck_assert_msg(count(text, "\"args\":{\"after\":\"done\"}") == 2,
                  "each task's last step should end 'done'");
    ck_assert_msg(strstr(text, "\"name\":\"poll\",\"ph\":\"X\"") &&
                      strstr(text, "\"callbacks_queued\":1"),
                  "the poll that saw the pipe should be there:\n%.2000s", text);
    ck_assert_msg(strstr(text, "\"name\":\"dispatch_readable\",\"ph\":\"X\""),
                  "the pipe's readable event should run as a callback");
    ck_assert_msg(strstr(text, "\"ts\":") && strstr(text, "\"dur\":"),
                  "complete events carry ts and dur");
    unlink(path);
}
END_TEST

START_TEST(a_second_loop_writes_its_own_file)
{
    char path[256], second[300];
    temp_path(path, sizeof path);
    snprintf(second, sizeof second, "%s.2", path);
    setenv("AW_TRACE", path, 1);
    aw_loop *first = aw_loop_new();
    aw_loop *next = aw_loop_new();
    unsetenv("AW_TRACE");
    ck_assert_int_eq(aw_loop_close(first), 0);
    ck_assert_int_eq(aw_loop_close(next), 0);
    ck_assert(is_valid_json(read_file(path)));
    ck_assert_msg(is_valid_json(read_file(second)),
                  "the second loop's trace should be at %s", second);
    unlink(path);
    unlink(second);
}
END_TEST

START_TEST(aw_loop_trace_starts_and_stops_a_trace)
{
    char path[256];
    temp_path(path, sizeof path);
    aw_loop *loop = aw_loop_new();
    ck_assert_int_eq(aw_loop_trace(loop, path), 0);
    run_something(loop);
    ck_assert_int_eq(aw_loop_trace(loop, NULL), 0); /* complete it now */
    const char *text = read_file(path);
    ck_assert_msg(is_valid_json(text), "%.2000s", text);
    ck_assert_uint_eq(count(text, "\"name\":\"napper-a\",\"ph\":\"X\""), 3);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    unlink(path);
}
END_TEST

START_TEST(an_unwritable_path_is_an_error)
{
    aw_loop *loop = aw_loop_new();
    int rc = aw_loop_trace(loop, "no-such-directory/trace.json");
    ck_assert_int_eq(rc, -ENOENT);
    ck_assert_msg(strstr(aw_last_error(), "cannot write "
                                          "'no-such-directory/trace.json'"),
                  "%s", aw_last_error());
    ck_assert_int_eq(aw_loop_trace(NULL, "x"), AW_EMISUSE);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("trace");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, the_validator_rejects_broken_json);
    tcase_add_test(tc, aw_trace_in_the_environment_writes_a_trace_at_close);
    tcase_add_test(tc, a_second_loop_writes_its_own_file);
    tcase_add_test(tc, aw_loop_trace_starts_and_stops_a_trace);
    tcase_add_test(tc, an_unwritable_path_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}
