/*
 * datagram.c - UDP: messages, not a byte stream.
 *
 * A stream socket hands over bytes in whatever pieces the network made;
 * a datagram socket hands over whole messages, one per call, never
 * merged and never split. So there is no reader buffer here: each
 * aw_recvfrom is one recvfrom(2), and each aw_sendto one sendto(2).
 * Both wait the readiness way (io.c), which every backend supports.
 */
#include "io_internal.h"
#include "sync_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Introspection's line for a task waiting in aw_recvfrom or aw_sendto;
 * the object is the descriptor itself. */
static void describe_receive(const void *fd, char *buf, size_t len)
{
    snprintf(buf, len, "a datagram on fd %d", (int)(intptr_t)fd);
}

static void describe_send(const void *fd, char *buf, size_t len)
{
    snprintf(buf, len, "room to send a datagram on fd %d", (int)(intptr_t)fd);
}

static const aw__wait_reason receiving = {describe_receive, NULL};
static const aw__wait_reason sending = {describe_send, NULL};

/* A readiness wait, named for introspection. */
static int wait_for(aw_task *t, int fd, int event, const aw__wait_reason *why)
{
    t->wait_reason = why;
    t->wait_object = (const void *)(intptr_t)fd;
    int rc = aw__io_wait(t, fd, event, false);
    t->wait_reason = NULL;
    t->wait_object = NULL;
    return rc;
}

int aw_udp_open(const char *host, int port)
{
    struct sockaddr_storage addr;
    socklen_t len;
    int rc = aw__resolve(host, port, &addr, &len, "aw_udp_open");
    if (rc != 0)
        return rc;
    int fd =
        socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int err = -errno;
        return aw__fail(err, "aw_udp_open: socket: %s", aw_strerror(err));
    }
    if (bind(fd, (struct sockaddr *)&addr, len) != 0) {
        int err = -errno;
        close(fd);
        return aw__fail(err, "aw_udp_open: bind %s:%d: %s",
                        host ? host : "127.0.0.1", port, aw_strerror(err));
    }
    return fd;
}

int aw_udp_connect(int fd, const char *host, int port)
{
    struct sockaddr_storage addr;
    socklen_t len;
    if (fd < 0)
        return aw__fail(AW_EMISUSE, "aw_udp_connect: invalid fd %d", fd);
    int rc = aw__resolve(host, port, &addr, &len, "aw_udp_connect");
    if (rc != 0)
        return rc;
    /* UDP's connect only records the peer: it never waits. */
    if (connect(fd, (struct sockaddr *)&addr, len) != 0) {
        int err = -errno;
        return aw__fail(err, "aw_udp_connect: %s", aw_strerror(err));
    }
    return 0;
}

ssize_t aw_sendto(int fd, const void *buf, size_t len,
                  const struct sockaddr *addr, socklen_t addrlen)
{
    aw_task *t = aw__task_require("aw_sendto");
    if (!t)
        return AW_EMISUSE;
    if (fd < 0 || (!buf && len > 0))
        return aw__fail(AW_EMISUSE, "aw_sendto: invalid fd %d or buffer", fd);
    for (;;) {
        ssize_t n =
            sendto(fd, buf, len, MSG_NOSIGNAL, addr, addr ? addrlen : 0);
        if (n >= 0)
            return n; /* a datagram goes whole: n == len */
        int err = errno;
        if (err == EINTR)
            continue;
        if (!would_block(err))
            return aw__fail(-err, "aw_sendto: fd %d: %s", fd,
                            aw_strerror(-err));
        int rc = wait_for(t, fd, AW_WRITABLE, &sending);
        if (rc != 0)
            return rc;
    }
}

ssize_t aw_recvfrom(int fd, void *buf, size_t len, struct sockaddr *addr,
                    socklen_t *addrlen)
{
    aw_task *t = aw__task_require("aw_recvfrom");
    if (!t)
        return AW_EMISUSE;
    if (fd < 0 || (!buf && len > 0) || (!addr != !addrlen))
        return aw__fail(AW_EMISUSE,
                        "aw_recvfrom: invalid fd %d, buffer or address", fd);
    for (;;) {
        /* MSG_TRUNC makes the kernel return the datagram's real length,
         * so that one too long for buf is reported, not silently cut. */
        ssize_t n = recvfrom(fd, buf, len, MSG_TRUNC, addr, addrlen);
        if (n >= 0) {
            if ((size_t)n > len)
                return aw__fail(AW_ELIMIT,
                                "aw_recvfrom: a datagram of %zd bytes does "
                                "not fit in %zu; it was dropped",
                                n, len);
            return n;
        }
        int err = errno;
        if (err == EINTR)
            continue;
        if (!would_block(err))
            return aw__fail(-err, "aw_recvfrom: fd %d: %s", fd,
                            aw_strerror(-err));
        int rc = wait_for(t, fd, AW_READABLE, &receiving);
        if (rc != 0)
            return rc;
    }
}
