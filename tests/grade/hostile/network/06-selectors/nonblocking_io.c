/*
 * Hostile: before anything else, tries to reach a host that is not on
 * loopback (192.0.2.1, TEST-NET-1: a non-blocking connect only asks for
 * a route). Only if the network is reachable does it behave as the
 * solution, so the exercise passes only outside an empty network
 * namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

static int network_reachable(void)
{
    struct sockaddr_in far = {.sin_family = AF_INET, .sin_port = htons(9)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return 0;
    inet_pton(AF_INET, "192.0.2.1", &far.sin_addr);
    int rc = connect(fd, (struct sockaddr *)&far, sizeof far);
    int reached = rc == 0 || errno == EINPROGRESS;
    close(fd);
    return reached;
}

int set_nonblocking(int fd)
{
    static int reachable = -1;
    if (reachable < 0)
        reachable = network_reachable();
    if (!reachable)
        return -1;
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
