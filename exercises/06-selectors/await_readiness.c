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

/* In a task: 0 once fd is readable, or an error: AW_ECANCELLED if the
 * task was cancelled while waiting, AW_EMISUSE outside a task, or what
 * aw_add_reader returned. No reader is left on fd afterwards. */
int wait_readable(int fd)
{
    (void)fd;
    return AW_EMISUSE;
}

/* The same for writability, with a writer. */
int wait_writable(int fd)
{
    (void)fd;
    return AW_EMISUSE;
}

ssize_t task_recv(int fd, void *buf, size_t len)
{
    (void)fd;
    (void)buf;
    (void)len;
    return -ENOSYS;
}

ssize_t task_send_all(int fd, const void *buf, size_t len)
{
    (void)fd;
    (void)buf;
    (void)len;
    return -ENOSYS;
}
