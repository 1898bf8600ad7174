/*
 * Grader for 01-coroutines/returning_errors: parse_port returns a value
 * or fails with aw_raise; port_of reads the code and the message.
 */
// grade-exports: parse_port port_of
#include "check_main.h"

#include "aw.h"

#include <stdint.h>
#include <string.h>

void *parse_port(void *text);
int port_of(const char *text, int *port, char *why, size_t why_size);

/* How a task ended, as the grader sees it. */
typedef struct {
    aw_task_state state;
    int error;
    char message[256];
    void *result;
} ending;

/* Run parse_port(text) as a task on the grader's own loop. */
static ending run_parse_port(const char *text)
{
    ending e = {0};
    aw_loop *loop = aw_loop_new();
    ck_assert_msg(loop != NULL, "aw_loop_new: %s", aw_last_error());
    aw_task *t = aw_task_create(loop, parse_port, (void *)text, "parse_port");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    e.state = aw_task_state_of(t);
    e.error = aw_task_error(t);
    snprintf(e.message, sizeof e.message, "%s", aw_task_message(t));
    e.result = aw_task_result(t);
    aw_task_release(t);
    aw_loop_close(loop);
    return e;
}

static void check_valid(const char *text, long want)
{
    ending e = run_parse_port(text);
    ck_assert_msg(e.error == 0,
                  "parse_port(\"%s\") failed with %d (\"%s\"), expected the "
                  "result %ld",
                  text, e.error, e.message, want);
    ck_assert_msg((intptr_t)e.result == want,
                  "parse_port(\"%s\") returned %ld, expected %ld: return "
                  "(void *)(intptr_t)port",
                  text, (long)(intptr_t)e.result, want);
}

static void check_invalid(const char *text, int code, const char *code_name,
                          const char *format)
{
    char want[256];
    snprintf(want, sizeof want, format, text);
    ending e = run_parse_port(text);
    ck_assert_msg(e.error != 0,
                  "parse_port(\"%s\") ended without an error (result %ld): "
                  "fail with return aw_raise(%s, message)",
                  text, (long)(intptr_t)e.result, code_name);
    ck_assert_msg(e.error == code,
                  "parse_port(\"%s\") failed with %d, expected %s (%d)", text,
                  e.error, code_name, code);
    ck_assert_msg(strcmp(e.message, want) == 0,
                  "parse_port(\"%s\"): the message is \"%s\", expected "
                  "\"%s\"",
                  text, e.message, want);
}

START_TEST(valid_ports)
{
    check_valid("8080", 8080);
    check_valid("1", 1);
    check_valid("65535", 65535);
    check_valid("443", 443);
}
END_TEST

START_TEST(not_numbers)
{
    const char *texts[] = {"http", "", "80x", "12 ", "0x50"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        check_invalid(texts[i], -EINVAL, "-EINVAL", "'%s' is not a number");
}
END_TEST

START_TEST(out_of_range)
{
    const char *texts[] = {"0", "65536", "-1", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        check_invalid(texts[i], -ERANGE, "-ERANGE",
                      "port %s is out of range (1-65535)");
}
END_TEST

START_TEST(port_of_success)
{
    int port = -1;
    char why[64] = "untouched";
    int rc = port_of("5432", &port, why, sizeof why);
    ck_assert_msg(rc == 0, "port_of(\"5432\") returned %d, expected 0", rc);
    ck_assert_msg(port == 5432, "port_of(\"5432\") stored %d", port);
}
END_TEST

START_TEST(port_of_failure)
{
    int port = -1;
    char why[64];
    memset(why, 'x', sizeof why);
    int rc = port_of("smtp", &port, why, sizeof why);
    ck_assert_msg(rc == -EINVAL,
                  "port_of(\"smtp\") returned %d, expected -EINVAL (%d): "
                  "return the task's error code",
                  rc, -EINVAL);
    ck_assert_msg(memchr(why, '\0', sizeof why) != NULL,
                  "why is not '\\0'-terminated");
    ck_assert_msg(strcmp(why, "'smtp' is not a number") == 0,
                  "port_of(\"smtp\") put \"%s\" in why, expected the task's "
                  "message \"'smtp' is not a number\"",
                  why);
    ck_assert_msg(port == -1, "port_of changed *port although it failed");
}
END_TEST

START_TEST(port_of_cuts_long_messages)
{
    int port = -1;
    char why[12];
    memset(why, 'x', sizeof why);
    int rc = port_of("123456", &port, why, sizeof why);
    ck_assert_msg(rc == -ERANGE,
                  "port_of(\"123456\") returned %d, expected "
                  "-ERANGE (%d)",
                  rc, -ERANGE);
    ck_assert_msg(memchr(why, '\0', sizeof why) != NULL,
                  "a message longer than why was not cut to fit with a "
                  "'\\0' at the end (use snprintf)");
    ck_assert_msg(strcmp(why, "port 123456") == 0,
                  "why holds \"%s\", expected the first 11 characters "
                  "\"port 123456\"",
                  why);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("01-coroutines/returning_errors");
    TCase *tc = tcase_create("parse_port");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, valid_ports);
    tcase_add_test(tc, not_numbers);
    tcase_add_test(tc, out_of_range);
    suite_add_tcase(s, tc);
    tc = tcase_create("port_of");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, port_of_success);
    tcase_add_test(tc, port_of_failure);
    tcase_add_test(tc, port_of_cuts_long_messages);
    suite_add_tcase(s, tc);
    return s;
}
