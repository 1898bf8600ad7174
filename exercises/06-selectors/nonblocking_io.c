/*
 * Exercise: non-blocking reads and writes.
 *
 * A selector loop never lets one descriptor stop the whole program, so
 * every socket it serves is non-blocking: a read with nothing to read, or
 * a write into a full buffer, fails at once with EAGAIN instead of
 * sleeping. Write the three helpers every readiness-driven program needs:
 *
 *   set_nonblocking(fd)  turn on O_NONBLOCK, keeping the other flags.
 *   recv_some(fd, ...)   read what is there: the byte count, 0 at EOF,
 *                        -EAGAIN if nothing has arrived yet, or another
 *                        negative errno (-ECONNRESET...).
 *   send_some(fd, ...)   send as much as the socket takes right now: the
 *                        byte count (less than len, even 0, when the
 *                        buffer fills), or a negative errno (-EPIPE...).
 *
 * Both retry when a signal interrupts them (EINTR), and send_some must
 * never let SIGPIPE kill the process when the peer has gone.
 *
 * See chapter 6, section "Non-blocking sockets and EAGAIN".
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Return 0, or a negative errno if fcntl fails. */
int set_nonblocking(int fd)
{
    (void)fd;
    return -ENOSYS;
}

ssize_t recv_some(int fd, void *buf, size_t len)
{
    (void)fd;
    (void)buf;
    (void)len;
    return -ENOSYS;
}

ssize_t send_some(int fd, const void *buf, size_t len)
{
    (void)fd;
    (void)buf;
    (void)len;
    return -ENOSYS;
}
