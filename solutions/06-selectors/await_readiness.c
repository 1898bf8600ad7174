/*
 * Exercise: from readiness to a resumed task.
 *
 * A reader callback runs when a descriptor is readable; a task wants to
 * write `n = recv(...)` and simply wait when nothing has arrived. The
 * bridge between the two is a future:
 *
 *   wait_readable(fd)   make a future, register a reader on fd whose
 *                       callback completes the future, await it, and
 *                       remove the reader again - also when the await
 *                       fails (the task was cancelled) - and release the
 *                       future.
 *   wait_writable(fd)   the same with a writer.
 *   task_recv(fd, ...)  try recv() first; only on EAGAIN wait_readable
 *                       and try again. Bytes, 0 at EOF, or a negative
 *                       error (-ECONNRESET, AW_ECANCELLED...).
 *   task_send_all(...)  send everything, waiting for writability each
 *                       time the socket's buffer is full. len, or a
 *                       negative error (-EPIPE, AW_ECANCELLED...); never
 *                       SIGPIPE.
 *
 * The descriptors are non-blocking already. Write these with
 * aw_future_new, aw_add_reader/aw_add_writer and aw_await: the grader
 * does not let you call the library's own aw_wait_readable,
 * aw_wait_writable, aw_recv or aw_send, which do the same.
 *
 * See chapter 6, section "From readiness to a resumed task".
 */
#include "aw.h"

#include <errno.h>
#include <sys/socket.h>

static void complete(void *arg)
{
    aw_future *f = arg;
    /* Level-triggered: the callback may run again in the same pass
     * before the task has removed it. Complete the future only once. */
    if (!aw_future_done(f))
        aw_future_set_result(f, NULL);
}

typedef int (*add_fn)(aw_loop *, int, aw_callback, void *);
typedef int (*remove_fn)(aw_loop *, int);

static int wait_for_event(int fd, add_fn add, remove_fn remove)
{
    aw_loop *loop = aw_running_loop();
    if (!loop)
        return AW_EMISUSE; /* not inside a task: nothing could resume us */
    aw_future *f = aw_future_new(loop);
    if (!f)
        return -ENOMEM;
    int rc = add(loop, fd, complete, f);
    if (rc == 0) {
        rc = aw_await(f, NULL);
        /* Whatever woke us (readiness or cancellation), the loop must no
         * longer call `complete` with a future we are about to free. */
        remove(loop, fd);
    }
    aw_future_release(f);
    return rc;
}

int wait_readable(int fd)
{
    return wait_for_event(fd, aw_add_reader, aw_remove_reader);
}

int wait_writable(int fd)
{
    return wait_for_event(fd, aw_add_writer, aw_remove_writer);
}

ssize_t task_recv(int fd, void *buf, size_t len)
{
    for (;;) {
        /* Data often is there already: try first, wait only if not. */
        ssize_t n = recv(fd, buf, len, 0);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        int rc = wait_readable(fd);
        if (rc != 0)
            return rc;
    }
}

ssize_t task_send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, p + sent, len - sent, MSG_NOSIGNAL);
        if (n >= 0) {
            sent += (size_t)n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        int rc = wait_writable(fd);
        if (rc != 0)
            return rc;
    }
    return (ssize_t)len;
}
