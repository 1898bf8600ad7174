/*
 * test_debug_freed.c - debug mode names an object used after it was
 * freed, instead of reading freed memory: a task or future released
 * twice, a released future awaited, a loop closed twice, a stream freed
 * while a task reads it.
 *
 * Without debug mode each of these is a heap-use-after-free (ASan stops
 * the test). In debug mode a freed future, task or loop waits in a
 * quarantine, marked as freed, and the call is refused with AW_EMISUSE
 * and a report that names the object and where it was made.
 */
#include "runner.h"

#include "aw.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static FILE *report;

static aw_loop *debug_loop(void)
{
    aw_loop_options options = {.debug = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_ptr_nonnull(loop);
    report = tmpfile();
    ck_assert_ptr_nonnull(report);
    aw_debug_set_output(report);
    return loop;
}

/* What debug mode wrote so far. */
static const char *reported(void)
{
    static char text[4096];
    fflush(report);
    rewind(report);
    size_t n = fread(text, 1, sizeof text - 1, report);
    text[n] = '\0';
    return text;
}

static void *quick(void *arg)
{
    return arg;
}

START_TEST(task_released_twice_is_named)
{
    aw_loop *loop = debug_loop();
    aw_task *t = aw_task_create(loop, quick, NULL, "twice");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    aw_task_release(t); /* the last reference: freed */
    aw_task_release(t); /* one too many */
    const char *text = reported();
    ck_assert_msg(strstr(text, "aw_task_release: task 'twice'") != NULL,
                  "report: %s", text);
    ck_assert_msg(strstr(text, "test_debug_freed.c:") != NULL,
                  "the report does not say where the task was created: %s",
                  text);
    ck_assert_msg(strstr(text, "already freed") != NULL, "report: %s", text);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(future_released_twice_is_named)
{
    aw_loop *loop = debug_loop();
    aw_future *f = aw_future_new(loop);
    aw_future_set_result(f, NULL);
    aw_future_release(f);
    aw_future_release(f);
    const char *text = reported();
    ck_assert_msg(strstr(text, "aw_future_release: future") != NULL &&
                      strstr(text, "already freed") != NULL,
                  "report: %s", text);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

static void *await_released(void *arg)
{
    aw_future *f = aw_future_new(aw_task_loop(aw_current_task()));
    aw_future_release(f); /* gone */
    int rc = aw_await(f, NULL);
    TASK_ASSERT(rc == AW_EMISUSE, "aw_await returned %d", rc);
    TASK_ASSERT(strstr(aw_last_error(), "already freed") != NULL, "message: %s",
                aw_last_error());
    return arg;
}

START_TEST(awaiting_a_released_future_is_named)
{
    aw_loop *loop = debug_loop();
    aw_task *t = aw_task_create(loop, await_released, NULL, "awaiter");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(t)), 0);
    const char *text = reported();
    ck_assert_msg(strstr(text, "aw_await: future") != NULL, "report: %s", text);
    aw_task_release(t);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

START_TEST(loop_closed_twice_is_refused)
{
    aw_loop *loop = debug_loop();
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_int_eq(aw_loop_close(loop), AW_EMISUSE);
    ck_assert_msg(strstr(aw_last_error(), "closed already") != NULL,
                  "message: %s", aw_last_error());
    /* Other calls on it say it is closed. */
    ck_assert_int_eq(aw_call_soon(loop, free, NULL), AW_EMISUSE);
}
END_TEST

/* ---- a stream freed while a task reads it ------------------------------- */

typedef struct {
    aw_reader *reader;
    int peer; /* the other end of the socket pair */
    int read_rc;
} stream_case;

static void *read_a_line(void *arg)
{
    stream_case *sc = arg;
    char line[32];
    size_t len = 0;
    sc->read_rc = aw_reader_readline(sc->reader, line, sizeof line, &len);
    return NULL;
}

static void *free_under_the_reader(void *arg)
{
    stream_case *sc = arg;
    aw_sleep(0); /* the reader is now waiting for a line */
    aw_reader_free(sc->reader);
    TASK_ASSERT(strstr(aw_last_error(), "still reading") != NULL, "message: %s",
                aw_last_error());
    /* The reader was kept: the waiting task can still finish. */
    TASK_ASSERT(write(sc->peer, "ok\n", 3) == 3, "write");
    return NULL;
}

START_TEST(stream_freed_while_a_task_reads_is_named)
{
    aw_loop *loop = debug_loop();
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    stream_case sc = {.peer = sv[1], .read_rc = 1};
    aw_writer *writer = NULL;
    ck_assert_int_eq(aw_stream_open(loop, sv[0], NULL, &sc.reader, &writer), 0);
    aw_task *reader = aw_task_create(loop, read_a_line, &sc, "line reader");
    aw_task *freer = aw_task_create(loop, free_under_the_reader, &sc, "freer");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(freer)),
                     0);
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(reader)),
                     0);
    ck_assert_int_eq(sc.read_rc, 0);
    const char *text = reported();
    ck_assert_msg(strstr(text, "aw_reader_free: a task is still reading") !=
                      NULL,
                  "report: %s", text);
    ck_assert_msg(strstr(text, "line reader") != NULL,
                  "the report does not name the reading task: %s", text);
    aw_reader_free(sc.reader); /* now it goes */
    aw_writer_free(writer);
    close(sv[1]);
    aw_task_release(reader);
    aw_task_release(freer);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    Suite *s = suite_create("debug_freed");
    TCase *tc = tcase_create("freed");
    tcase_add_test(tc, task_released_twice_is_named);
    tcase_add_test(tc, future_released_twice_is_named);
    tcase_add_test(tc, awaiting_a_released_future_is_named);
    tcase_add_test(tc, loop_closed_twice_is_refused);
    tcase_add_test(tc, stream_freed_while_a_task_reads_is_named);
    suite_add_tcase(s, tc);
    return s;
}
