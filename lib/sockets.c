/*
 * sockets.c - making sockets: addresses, listening, connecting.
 *
 * Every socket is non-blocking from birth (SOCK_NONBLOCK), since a
 * blocking call would stop the whole loop, and close-on-exec
 * (SOCK_CLOEXEC), so a child process never inherits it by accident.
 */
#include "io_internal.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

int aw__resolve(const char *host, int port, struct sockaddr_storage *addr,
                socklen_t *len, const char *who)
{
    if (port < 0 || port > 65535)
        return aw__fail(-EINVAL, "%s: port %d is out of range 0..65535", who,
                        port);
    if (!host || strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    memset(addr, 0, sizeof *addr);
    struct sockaddr_in *in4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *len = sizeof *in4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof *in6;
        return 0;
    }
    return aw__fail(-EINVAL,
                    "%s: '%s' is not a numeric address (names are not "
                    "looked up: a DNS query would block the loop)",
                    who, host);
}

void aw__peer_name(int fd, char *buf, size_t len)
{
    struct sockaddr_storage addr;
    socklen_t addrlen = sizeof addr;
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (getpeername(fd, (struct sockaddr *)&addr, &addrlen) == 0) {
        if (addr.ss_family == AF_INET) {
            struct sockaddr_in *in4 = (struct sockaddr_in *)&addr;
            inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
            port = ntohs(in4->sin_port);
        } else if (addr.ss_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&addr;
            inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
            port = ntohs(in6->sin6_port);
        }
    }
    if (port)
        snprintf(buf, len, "%s:%d", host, port);
    else
        snprintf(buf, len, "?");
}

void aw__set_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int aw_socket_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        int err = -errno;
        return aw__fail(err, "aw_socket_nonblocking: fd %d: %s", fd,
                        aw_strerror(err));
    }
    return 0;
}

int aw_socket_listen(const char *host, int port, int backlog)
{
    struct sockaddr_storage addr;
    socklen_t len;
    int rc = aw__resolve(host, port, &addr, &len, "aw_socket_listen");
    if (rc != 0)
        return rc;
    int fd =
        socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int err = -errno;
        return aw__fail(err, "aw_socket_listen: socket: %s", aw_strerror(err));
    }
    /* Reuse a port whose old connections linger in TIME_WAIT: a server
     * restarted at once can listen again. */
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const char *step = "bind";
    if (bind(fd, (struct sockaddr *)&addr, len) == 0) {
        step = "listen";
        if (listen(fd, backlog > 0 ? backlog : 128) == 0)
            return fd;
    }
    int err = -errno;
    close(fd);
    return aw__fail(err, "aw_socket_listen: %s %s:%d: %s", step,
                    host ? host : "127.0.0.1", port, aw_strerror(err));
}

int aw_socket_port(int fd)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        int err = -errno;
        return aw__fail(err, "aw_socket_port: fd %d: %s", fd, aw_strerror(err));
    }
    if (addr.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&addr)->sin_port);
    if (addr.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    return aw__fail(-EINVAL, "aw_socket_port: fd %d is not an IP socket", fd);
}

int aw_connect_tcp(const char *host, int port)
{
    aw_task *t = aw__task_require("aw_connect_tcp");
    if (!t)
        return AW_EMISUSE;
    struct sockaddr_storage addr;
    socklen_t len;
    int rc = aw__resolve(host, port, &addr, &len, "aw_connect_tcp");
    if (rc != 0)
        return rc;
    int fd =
        socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int err = -errno;
        return aw__fail(err, "aw_connect_tcp: socket: %s", aw_strerror(err));
    }
    rc = aw_connect(fd, (struct sockaddr *)&addr, len);
    if (rc != 0) {
        char why[256];
        snprintf(why, sizeof why, "%s", aw_last_error());
        aw__io_forget(t->loop, fd);
        close(fd);
        return aw__fail(rc, "aw_connect_tcp %s:%d: %s",
                        host ? host : "127.0.0.1", port, why);
    }
    aw__set_nodelay(fd);
    return fd;
}
