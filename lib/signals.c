/*
 * signals.c - Unix signals as ordinary loop callbacks.
 *
 * A signal handler installed with sigaction runs in signal context: it
 * interrupts whatever the thread was doing, even malloc halfway through,
 * so it may call almost nothing (only async-signal-safe functions). The
 * loop sidesteps that entirely. The signal is blocked, so it is never
 * delivered the old way; it waits in the kernel until it is read, as a
 * small record, from a signalfd. The loop watches the signalfd like any
 * socket, and its callback then runs the handler between two other
 * callbacks, where anything a callback may do is allowed: cancel tasks,
 * close a server, stop the loop.
 *
 *   kill(pid, SIGTERM) -> signal pending (blocked) -> signalfd readable
 *   loop: on_signals() -> read(signalfd) -> handler(arg)
 *
 * Signals belong to the process, not to a loop, so one loop at a time
 * owns the handlers, as asyncio allows them only on the main thread's.
 * Hence the state below is per process.
 */
#define _GNU_SOURCE
#include "io_internal.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

typedef struct {
    aw_callback fn;
    void *arg;
    bool was_blocked; /* blocked before we took it: stays blocked after */
} signal_handler;

static struct {
    aw_loop *loop;    /* the loop that owns the handlers, or NULL */
    pthread_t thread; /* the thread that added them: the loop's */
    int fd;           /* the signalfd, -1 while no handler exists */
    sigset_t mask;    /* the signals with a handler */
    signal_handler handlers[_NSIG];
} owner = {.fd = -1};

/* The signalfd is readable: one record per signal that arrived (two of
 * the same kind before a read arrive as one, as with sigaction). */
static void on_signals(void *unused)
{
    (void)unused;
    struct signalfd_siginfo info;
    while (owner.fd >= 0 && read(owner.fd, &info, sizeof info) == sizeof info) {
        int signo = (int)info.ssi_signo;
        if (signo > 0 && signo < _NSIG && sigismember(&owner.mask, signo) &&
            owner.handlers[signo].fn)
            owner.handlers[signo].fn(owner.handlers[signo].arg);
    }
}

static bool catchable(int signo)
{
    switch (signo) {
    case SIGKILL:
    case SIGSTOP: /* the kernel never lets these be caught */
    case SIGSEGV:
    case SIGBUS:
    case SIGFPE:
    case SIGILL: /* a crash must stop the thread that crashed, now */
        return false;
    default:
        return signo > 0 && signo < _NSIG;
    }
}

/* From the thread that owns the loop, or misuse. */
static int check_caller(aw_loop *loop, const char *who)
{
    if (!loop)
        return aw__fail(AW_EMISUSE, "%s: loop is NULL", who);
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "%s: the loop is closed", who);
    if (loop->state != AW_LOOP_IDLE && aw_running_loop() != loop)
        return aw__fail(AW_EMISUSE,
                        "%s: the loop runs in another thread; signal "
                        "handlers are set from the loop's own thread",
                        who);
    if (owner.loop && !pthread_equal(owner.thread, pthread_self()))
        return aw__fail(AW_EMISUSE,
                        "%s: called from a thread that is not the loop's "
                        "(signal handlers belong to the thread that added "
                        "the first one)",
                        who);
    return 0;
}

int aw_add_signal_handler(aw_loop *loop, int signo, aw_callback fn, void *arg)
{
    int rc = check_caller(loop, "aw_add_signal_handler");
    if (rc)
        return rc;
    if (!fn)
        return aw__fail(AW_EMISUSE, "aw_add_signal_handler: callback is NULL");
    if (!catchable(signo))
        return aw__fail(AW_EMISUSE,
                        "aw_add_signal_handler: signal %d (%s) cannot be "
                        "handled by the loop",
                        signo,
                        signo > 0 && signo < _NSIG ? strsignal(signo)
                                                   : "no such signal");
    if (owner.loop && owner.loop != loop)
        return aw__fail(AW_EMISUSE,
                        "aw_add_signal_handler: another loop owns the "
                        "signal handlers; remove them there first");
    bool first = owner.loop == NULL;
    bool already = sigismember(&owner.mask, signo);
    sigset_t one, before;
    sigemptyset(&one);
    sigaddset(&one, signo);
    pthread_sigmask(SIG_BLOCK, &one, &before);
    if (first)
        sigemptyset(&owner.mask);
    sigaddset(&owner.mask, signo);
    int fd = signalfd(owner.fd, &owner.mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) {
        int err = -errno;
        sigdelset(&owner.mask, signo);
        if (!sigismember(&before, signo))
            pthread_sigmask(SIG_UNBLOCK, &one, NULL);
        return aw__fail(err, "aw_add_signal_handler: signalfd: %s",
                        aw_strerror(err));
    }
    if (first) {
        rc = aw_add_reader(loop, fd, on_signals, NULL);
        if (rc) {
            close(fd);
            sigdelset(&owner.mask, signo);
            if (!sigismember(&before, signo))
                pthread_sigmask(SIG_UNBLOCK, &one, NULL);
            return rc;
        }
        owner.fd = fd;
        owner.loop = loop;
        owner.thread = pthread_self();
    }
    if (!already)
        owner.handlers[signo].was_blocked = sigismember(&before, signo);
    owner.handlers[signo].fn = fn;
    owner.handlers[signo].arg = arg;
    return 0;
}

int aw_remove_signal_handler(aw_loop *loop, int signo)
{
    int rc = check_caller(loop, "aw_remove_signal_handler");
    if (rc)
        return rc;
    if (owner.loop != loop || signo <= 0 || signo >= _NSIG ||
        !sigismember(&owner.mask, signo))
        return aw__fail(AW_ESTATE,
                        "aw_remove_signal_handler: no handler for signal %d",
                        signo);
    sigdelset(&owner.mask, signo);
    if (!owner.handlers[signo].was_blocked) {
        /* A signal that arrived meanwhile is still pending: with the
         * handler gone it must not be delivered the default way (which
         * for most signals ends the process). Read it out first. */
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, signo);
        struct timespec now = {0, 0};
        while (sigtimedwait(&one, NULL, &now) == signo)
            ;
        pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    }
    owner.handlers[signo] = (signal_handler){0};
    if (!sigisemptyset(&owner.mask)) {
        signalfd(owner.fd, &owner.mask, 0);
        return 0;
    }
    aw_remove_reader(loop, owner.fd);
    close(owner.fd);
    owner.fd = -1;
    owner.loop = NULL;
    return 0;
}

void aw__signals_loop_closing(aw_loop *loop)
{
    if (owner.loop != loop)
        return;
    for (int signo = 1; signo < _NSIG && owner.loop == loop; signo++)
        if (sigismember(&owner.mask, signo))
            aw_remove_signal_handler(loop, signo);
}
