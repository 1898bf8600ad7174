/*
 * test_signals.c - signal handlers that run as loop callbacks: the
 * handler runs in the loop, not in signal context; removing it restores
 * the signal's blocking; closing the loop removes every handler; misuse
 * is refused with a message.
 */
// lib-test-backends: epoll poll select io_uring
#include "runner.h"

#include "aw.h"
#include "backend_skip.h"
#include "net_helpers.h"

#include <pthread.h>
#include <signal.h>

typedef struct {
    aw_loop *loop;
    int calls;
    bool in_loop; /* the handler ran with the loop running */
} seen;

static void on_usr1(void *arg)
{
    seen *s = arg;
    s->calls++;
    s->in_loop = aw_running_loop() == s->loop;
    aw_loop_stop(s->loop);
}

static void send_usr1(void *unused)
{
    (void)unused;
    raise(SIGUSR1); /* to this thread, which blocks it: queued for the fd */
}

static bool blocked(int signo)
{
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, signo);
}

START_TEST(handler_runs_as_a_loop_callback)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    seen s = {.loop = loop};
    ck_assert_int_eq(aw_add_signal_handler(loop, SIGUSR1, on_usr1, &s), 0);
    ck_assert(blocked(SIGUSR1));
    aw_call_soon(loop, send_usr1, NULL);
    ck_assert_int_eq(aw_loop_run_forever(loop), 0);
    ck_assert_int_eq(s.calls, 1);
    ck_assert(s.in_loop);
    ck_assert_int_eq(aw_remove_signal_handler(loop, SIGUSR1), 0);
    ck_assert_msg(!blocked(SIGUSR1), "SIGUSR1 is still blocked after the "
                                     "handler was removed");
    ck_assert_int_eq(aw_remove_signal_handler(loop, SIGUSR1), AW_ESTATE);
    close_loop_check_fds(loop, before);
}
END_TEST

START_TEST(closing_the_loop_removes_handlers)
{
    int before = count_open_fds();
    aw_loop *loop = new_loop();
    seen s = {.loop = loop};
    ck_assert_int_eq(aw_add_signal_handler(loop, SIGUSR2, on_usr1, &s), 0);
    ck_assert_int_eq(aw_add_signal_handler(loop, SIGHUP, on_usr1, &s), 0);
    close_loop_check_fds(loop, before); /* the signalfd is gone too */
    ck_assert(!blocked(SIGUSR2));
    ck_assert(!blocked(SIGHUP));
    /* Another loop may now take them. */
    aw_loop *next = new_loop();
    ck_assert_int_eq(aw_add_signal_handler(next, SIGUSR2, on_usr1, &s), 0);
    ck_assert_int_eq(aw_loop_close(next), 0);
}
END_TEST

START_TEST(a_signal_blocked_before_stays_blocked)
{
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &one, NULL);
    aw_loop *loop = new_loop();
    seen s = {.loop = loop};
    ck_assert_int_eq(aw_add_signal_handler(loop, SIGUSR1, on_usr1, &s), 0);
    ck_assert_int_eq(aw_remove_signal_handler(loop, SIGUSR1), 0);
    ck_assert(blocked(SIGUSR1));
    ck_assert_int_eq(aw_loop_close(loop), 0);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL); /* for the tests after */
}
END_TEST

typedef struct {
    aw_loop *loop;
    int rc;
} from_thread;

static void *add_from_another_thread(void *arg)
{
    from_thread *f = arg;
    f->rc = aw_add_signal_handler(f->loop, SIGUSR2, send_usr1, NULL);
    return NULL;
}

START_TEST(misuse_is_refused)
{
    aw_loop *loop = new_loop();
    seen s = {.loop = loop};
    ck_assert_int_eq(aw_add_signal_handler(loop, SIGKILL, on_usr1, &s),
                     AW_EMISUSE);
    ck_assert_int_eq(aw_add_signal_handler(loop, SIGSEGV, on_usr1, &s),
                     AW_EMISUSE);
    ck_assert_int_eq(aw_add_signal_handler(loop, 0, on_usr1, &s), AW_EMISUSE);
    ck_assert_int_eq(aw_add_signal_handler(loop, SIGUSR1, NULL, &s),
                     AW_EMISUSE);
    ck_assert_int_eq(aw_add_signal_handler(NULL, SIGUSR1, on_usr1, &s),
                     AW_EMISUSE);
    /* Once the loop's thread owns the handlers, no other thread adds. */
    ck_assert_int_eq(aw_add_signal_handler(loop, SIGUSR1, on_usr1, &s), 0);
    from_thread f = {.loop = loop};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, add_from_another_thread, &f), 0);
    pthread_join(th, NULL);
    ck_assert_int_eq(f.rc, AW_EMISUSE);
    /* A second loop cannot take signals another loop owns. */
    aw_loop *other = new_loop();
    ck_assert_int_eq(aw_add_signal_handler(other, SIGUSR2, on_usr1, &s),
                     AW_EMISUSE);
    ck_assert_int_eq(aw_loop_close(other), 0);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

Suite *lib_suite(void)
{
    skip_unless_backend_available();
    Suite *s = suite_create("signals");
    TCase *tc = tcase_create("signals");
    tcase_add_test(tc, handler_runs_as_a_loop_callback);
    tcase_add_test(tc, closing_the_loop_removes_handlers);
    tcase_add_test(tc, a_signal_blocked_before_stays_blocked);
    tcase_add_test(tc, misuse_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
