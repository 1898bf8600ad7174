/*
 * io.c - socket operations inside a task.
 *
 * On a selector backend each operation tries the system call first and
 * waits for readiness only when the kernel says EAGAIN: a socket that
 * already has data costs one system call, not three. On a proactor
 * backend (io_uring) the backend's own recv/send/accept/connect/close
 * do the work, and the task waits for their completion.
 *
 * A readiness wait, step by step:
 *
 *   task: recv() -> EAGAIN -> register interest, suspend
 *   loop: fd readable -> io_ready() -> resume the task
 *   task: resumes -> recv() -> data
 *
 * The wait needs no future of its own on the heap: the task's
 * `awaiting` points at a small future on its stack, only so that
 * aw_task_cancel can reach the wait (through the future's on_cancel).
 * The readiness callback runs the task's step at once (aw__task_wake),
 * so a wake-up costs no extra pass of the loop and no empty poll.
 */
#define _GNU_SOURCE /* accept4 */
#include "io_internal.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

bool aw__is_proactor(const aw_loop *loop)
{
    return loop->backend->recv != NULL;
}

/* One task waiting for one event on one descriptor; on its stack. */
typedef struct {
    aw_future cancel; /* what aw_task_cancel finds in task->awaiting */
    aw_task *task;
    int fd;
    int event;
    bool keep;
    bool skip_stale;         /* ignore one event: it may predate this wait */
    uint64_t polls_at_start; /* loop->polls when the wait began */
    bool ended; /* interest already kept or dropped: don't touch fd */
    int result; /* what the wait returns */
} io_waiter;

static void io_ready(void *arg);

static int set_interest(aw_loop *loop, int fd, int event, aw_callback fn,
                        void *arg)
{
    return event == AW_READABLE ? aw_add_reader(loop, fd, fn, arg)
                                : aw_add_writer(loop, fd, fn, arg);
}

static void drop_interest(aw_loop *loop, int fd, int event)
{
    if (event == AW_READABLE)
        aw_remove_reader(loop, fd);
    else
        aw_remove_writer(loop, fd);
}

/* An event arrived while nobody waited: only now is the interest
 * removed (lazily), so a task that reads, answers and reads again keeps
 * its registration and pays no epoll_ctl per round trip. The
 * descriptor travels packed in the argument, as in fdwatch.c. */
static void unpark_readable(void *fd)
{
    aw_remove_reader(aw_running_loop(), (int)(intptr_t)fd);
}

static void unpark_writable(void *fd)
{
    aw_remove_writer(aw_running_loop(), (int)(intptr_t)fd);
}

/* The wait is over: keep the interest, parked, or drop it. */
static void end_wait(aw_loop *loop, io_waiter *w)
{
    if (w->ended)
        return; /* a cancel after the event, or after aw__io_forget */
    w->ended = true;
    if (w->keep)
        set_interest(loop, w->fd, w->event,
                     w->event == AW_READABLE ? unpark_readable
                                             : unpark_writable,
                     (void *)(intptr_t)w->fd); /* no system call */
    else
        drop_interest(loop, w->fd, w->event);
}

static void io_ready(void *arg)
{
    io_waiter *w = arg;
    /* Stale only if it came from a poll made before this wait began;
     * an event from a later poll is news, and must not cost a poll more. */
    if (w->skip_stale && w->task->loop->polls == w->polls_at_start) {
        w->skip_stale = false;
        return; /* stale: if fd is really ready, the next poll says so */
    }
    end_wait(w->task->loop, w);
    aw__task_wake(w->task); /* runs the task now: no extra pass */
}

/* aw_task_cancel reached the wait: let go of the descriptor and resume
 * the task, which then reports the cancellation. */
static void io_cancelled(aw_future *f, void *arg)
{
    (void)f;
    io_waiter *w = arg;
    end_wait(w->task->loop, w);
    aw__task_schedule(w->task);
}

/* Is fd's interest in event parked (kept, with nobody waiting)? */
static bool parked(aw_loop *loop, int fd, int event)
{
    if (fd >= loop->fds_cap || !(loop->fds[fd].mask & event))
        return false;
    return event == AW_READABLE ? loop->fds[fd].on_readable == unpark_readable
                                : loop->fds[fd].on_writable == unpark_writable;
}

/* The waiter registered on fd for event, or NULL. */
static io_waiter *waiter_on(aw_loop *loop, int fd, int event)
{
    if (fd < 0 || fd >= loop->fds_cap)
        return NULL;
    aw_fd_watch *watch = &loop->fds[fd];
    if (!(watch->mask & event))
        return NULL;
    if (event == AW_READABLE)
        return watch->on_readable == io_ready ? watch->readable_arg : NULL;
    return watch->on_writable == io_ready ? watch->writable_arg : NULL;
}

int aw__io_wait(aw_task *t, int fd, int event, bool keep)
{
    aw_loop *loop = t->loop;
    if (aw__task_take_cancel(t))
        return AW_ECANCELLED;
    if (waiter_on(loop, fd, event))
        return aw__fail(AW_EMISUSE,
                        "task '%s': another task is already waiting to %s "
                        "fd %d",
                        t->name, event == AW_READABLE ? "read" : "write", fd);
    io_waiter w = {.task = t, .fd = fd, .event = event, .keep = keep};
    /* A stale event. The loop polls, then runs what is ready in order:
     * the step of a task woken on the previous pass (which reads fd dry
     * and waits on it again), and after it the event this poll saw on fd
     * before that read. Waking on it would cost a recv that says EAGAIN.
     * Only a parked registration was in the poll: skip one event then.
     * If that skips a real one, level triggering reports it again on the
     * next poll, so nothing is lost. */
    w.skip_stale = keep && parked(loop, fd, event);
    w.polls_at_start = loop->polls;
    int rc = set_interest(loop, fd, event, io_ready, &w);
    if (rc != 0)
        return rc; /* fdwatch.c said why, e.g. FD_SETSIZE on select */
    aw__future_init(&w.cancel, loop);
    w.cancel.on_cancel = io_cancelled;
    w.cancel.on_cancel_arg = &w;
    t->awaiting = &w.cancel;
    aw__task_suspend(t);
    t->awaiting = NULL;
    aw__future_clear(&w.cancel);
    if (aw__task_take_cancel(t))
        return AW_ECANCELLED;
    if (w.result != 0)
        return aw__fail(w.result,
                        "fd %d was closed while task '%s' waited "
                        "on it",
                        fd, t->name);
    return 0;
}

void aw__io_forget(aw_loop *loop, int fd)
{
    if (!loop || !loop->backend->watch || fd < 0 || fd >= loop->fds_cap)
        return;
    for (int event = AW_READABLE; event <= AW_WRITABLE; event++) {
        io_waiter *w = waiter_on(loop, fd, event);
        if (w) {
            w->ended = true; /* fd is about to close: hands off */
            w->result = AW_ESTATE;
            aw__task_schedule(w->task);
        }
    }
    if (loop->fds[fd].mask & AW_READABLE)
        aw_remove_reader(loop, fd);
    if (loop->fds[fd].mask & AW_WRITABLE)
        aw_remove_writer(loop, fd);
}

/* The running task for a public function, or NULL after failing. */
static aw_task *need_task(const char *who)
{
    return aw__task_require(who);
}

/* ---- the operations ------------------------------------------------- */

int aw_wait_readable(int fd)
{
    aw_task *t = need_task("aw_wait_readable");
    if (!t)
        return AW_EMISUSE;
    if (fd < 0)
        return aw__fail(AW_EMISUSE, "aw_wait_readable: invalid fd %d", fd);
    return aw__io_wait(t, fd, AW_READABLE, false);
}

int aw_wait_writable(int fd)
{
    aw_task *t = need_task("aw_wait_writable");
    if (!t)
        return AW_EMISUSE;
    if (fd < 0)
        return aw__fail(AW_EMISUSE, "aw_wait_writable: invalid fd %d", fd);
    return aw__io_wait(t, fd, AW_WRITABLE, false);
}

/* ---- the readiness way: try the call, wait on EAGAIN ------------------ */

ssize_t aw__ready_recv(aw_task *t, int fd, void *buf, size_t len,
                       const char *who)
{
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n >= 0)
            return n;
        int err = errno;
        if (err == EINTR)
            continue;
        if (!would_block(err))
            return aw__fail(-err, "%s: fd %d: %s", who, fd, aw_strerror(-err));
        /* A one-off wait: this descriptor may be closed with close(). */
        int rc = aw__io_wait(t, fd, AW_READABLE, false);
        if (rc != 0)
            return rc;
    }
}

ssize_t aw__ready_send(aw_task *t, int fd, const void *buf, size_t len,
                       const char *who)
{
    for (;;) {
        /* MSG_NOSIGNAL: a vanished peer is -EPIPE, not SIGPIPE. */
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        int err = errno;
        if (err == EINTR)
            continue;
        if (!would_block(err))
            return aw__fail(-err, "%s: fd %d: %s", who, fd, aw_strerror(-err));
        int rc = aw__io_wait(t, fd, AW_WRITABLE, false);
        if (rc != 0)
            return rc;
    }
}

int aw__ready_accept(aw_task *t, int listen_fd, bool keep)
{
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0)
            return fd;
        int err = errno;
        /* A connection that was reset while queued is not our error. */
        if (err == EINTR || err == ECONNABORTED)
            continue;
        if (!would_block(err))
            return aw__fail(-err, "accept: fd %d: %s", listen_fd,
                            aw_strerror(-err));
        int rc = aw__io_wait(t, listen_fd, AW_READABLE, keep);
        if (rc != 0)
            return rc;
    }
}

int aw__ready_connect(aw_task *t, int fd, const struct sockaddr *addr,
                      socklen_t addrlen, const char *who)
{
    if (connect(fd, addr, addrlen) == 0)
        return 0;
    int err = errno;
    /* A non-blocking connect goes on in the background; the socket
     * turns writable when it is done, and SO_ERROR says how it ended. */
    if (err != EINPROGRESS && err != EINTR)
        return aw__fail(-err, "%s: %s", who, aw_strerror(-err));
    int rc = aw__io_wait(t, fd, AW_WRITABLE, false);
    if (rc != 0)
        return rc;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err != 0)
        return aw__fail(-err, "%s: %s", who, aw_strerror(-err));
    return 0;
}

/* ---- the public operations: the backend's own, or the readiness way --- */

ssize_t aw_recv(int fd, void *buf, size_t len)
{
    aw_task *t = need_task("aw_recv");
    if (!t)
        return AW_EMISUSE;
    if (t->loop->backend->recv)
        return t->loop->backend->recv(t->loop, fd, buf, len);
    return aw__ready_recv(t, fd, buf, len, "aw_recv");
}

ssize_t aw_send(int fd, const void *buf, size_t len)
{
    aw_task *t = need_task("aw_send");
    if (!t)
        return AW_EMISUSE;
    const char *p = buf;
    size_t sent = 0;
    while (sent < len) {
        ssize_t n =
            t->loop->backend->send
                ? t->loop->backend->send(t->loop, fd, p + sent, len - sent)
                : aw__ready_send(t, fd, p + sent, len - sent, "aw_send");
        if (n < 0)
            return n;
        sent += (size_t)n;
    }
    return (ssize_t)len;
}

int aw__accept(aw_task *t, int listen_fd, bool keep)
{
    if (t->loop->backend->accept)
        return t->loop->backend->accept(t->loop, listen_fd);
    return aw__ready_accept(t, listen_fd, keep);
}

int aw_accept(int listen_fd)
{
    aw_task *t = need_task("aw_accept");
    if (!t)
        return AW_EMISUSE;
    return aw__accept(t, listen_fd, false);
}

int aw_connect(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    aw_task *t = need_task("aw_connect");
    if (!t)
        return AW_EMISUSE;
    if (!addr)
        return aw__fail(AW_EMISUSE, "aw_connect: address is NULL");
    if (t->loop->backend->connect)
        return t->loop->backend->connect(t->loop, fd, addr, addrlen);
    return aw__ready_connect(t, fd, addr, addrlen, "aw_connect");
}

int aw_close(aw_loop *loop, int fd)
{
    if (fd < 0)
        return aw__fail(AW_EMISUSE, "aw_close: invalid fd %d", fd);
    if (!loop)
        loop = aw_running_loop();
    aw__io_forget(loop, fd); /* readers, writers and waiting tasks first */
    if (loop && loop->backend->close)
        return loop->backend->close(loop, fd);
    if (close(fd) != 0) {
        int err = -errno;
        return aw__fail(err, "aw_close: fd %d: %s", fd, aw_strerror(err));
    }
    return 0;
}
