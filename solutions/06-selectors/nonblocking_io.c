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

int set_nonblocking(int fd)
{
    /* F_SETFL replaces all the status flags: read them first. */
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return -errno;
    return 0;
}

ssize_t recv_some(int fd, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    }
}

ssize_t send_some(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    size_t sent = 0;
    while (sent < len) {
        /* MSG_NOSIGNAL: a closed peer is an EPIPE error, not a signal. */
        ssize_t n = send(fd, p + sent, len - sent, MSG_NOSIGNAL);
        if (n >= 0) {
            sent += (size_t)n;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break; /* the buffer is full: the rest waits for writability */
        } else if (errno != EINTR) {
            /* Bytes already handed to the kernel count: report them, the
             * error shows up again on the next call. */
            return sent > 0 ? (ssize_t)sent : -errno;
        }
    }
    return (ssize_t)sent;
}
