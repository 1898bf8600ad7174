/*
 * unix.c - Unix sockets: connections by filesystem path, and passing a
 * descriptor from one process to another.
 *
 * A Unix stream socket behaves like a TCP connection on loopback, so
 * streams and servers work on it unchanged: only making the socket
 * differs. What TCP cannot do is carry an open file: with SCM_RIGHTS the
 * kernel installs a new descriptor for the same open file in the
 * receiving process (which is how a server hands a connection to a
 * worker, or a supervisor a listening socket to its children).
 */
#include "io_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

static int unix_address(const char *path, struct sockaddr_un *addr,
                        const char *who)
{
    if (!path || !*path)
        return aw__fail(AW_EMISUSE, "%s: the path is empty", who);
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr->sun_path)
        return aw__fail(-ENAMETOOLONG,
                        "%s: '%s' is longer than the %zu bytes a Unix "
                        "socket path may have",
                        who, path, sizeof addr->sun_path - 1);
    strcpy(addr->sun_path, path);
    return 0;
}

static int unix_socket(const char *who)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int err = -errno;
        return aw__fail(err, "%s: socket: %s", who, aw_strerror(err));
    }
    return fd;
}

int aw_unix_listen(const char *path, int backlog)
{
    struct sockaddr_un addr;
    int rc = unix_address(path, &addr, "aw_unix_listen");
    if (rc != 0)
        return rc;
    int fd = unix_socket("aw_unix_listen");
    if (fd < 0)
        return fd;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(fd, backlog > 0 ? backlog : 128) != 0) {
        int err = -errno;
        close(fd);
        return aw__fail(err, "aw_unix_listen: %s: %s", path, aw_strerror(err));
    }
    return fd;
}

int aw_connect_unix(const char *path)
{
    aw_task *t = aw__task_require("aw_connect_unix");
    if (!t)
        return AW_EMISUSE;
    struct sockaddr_un addr;
    int rc = unix_address(path, &addr, "aw_connect_unix");
    if (rc != 0)
        return rc;
    int fd = unix_socket("aw_connect_unix");
    if (fd < 0)
        return fd;
    rc = aw_connect(fd, (struct sockaddr *)&addr, sizeof addr);
    if (rc != 0) {
        aw_close(t->loop, fd);
        return rc;
    }
    return fd;
}

int aw_open_unix_connection(const char *path, const aw_stream_options *options,
                            aw_reader **reader, aw_writer **writer)
{
    if (reader)
        *reader = NULL;
    if (writer)
        *writer = NULL;
    if (!reader || !writer)
        return aw__fail(AW_EMISUSE, "aw_open_unix_connection: places for "
                                    "the reader and writer are required");
    aw_task *t = aw__task_require("aw_open_unix_connection");
    if (!t)
        return AW_EMISUSE;
    int fd = aw_connect_unix(path);
    if (fd < 0)
        return fd;
    int rc = aw_stream_open(t->loop, fd, options, reader, writer);
    if (rc != 0)
        aw_close(t->loop, fd);
    return rc;
}

aw_server *aw_start_unix_server(aw_loop *loop, const char *path,
                                aw_client_handler handler, void *arg,
                                const aw_server_options *options)
{
    char *copy = path ? strdup(path) : NULL;
    if (path && !copy) {
        aw__fail(-ENOMEM, "aw_start_unix_server: out of memory");
        return NULL;
    }
    int fd = aw_unix_listen(path, options ? options->backlog : 0);
    if (fd < 0) {
        free(copy);
        return NULL; /* aw_unix_listen said why */
    }
    aw_server *s = aw__server_start(loop, fd, handler, arg, options,
                                    "aw_start_unix_server", path);
    if (!s) {
        unlink(path);
        free(copy);
        return NULL;
    }
    aw__server_set_unix_path(s, copy);
    return s;
}

/* ---- passing descriptors ------------------------------------------------ */

/* Room for one descriptor's control message, aligned as cmsg needs. */
typedef union {
    char bytes[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
} one_fd_control;

int aw_send_fd(int sock, int fd_to_pass)
{
    aw_task *t = aw__task_require("aw_send_fd");
    if (!t)
        return AW_EMISUSE;
    if (sock < 0 || fd_to_pass < 0)
        return aw__fail(AW_EMISUSE, "aw_send_fd: invalid descriptor");
    char byte = 'F'; /* SCM_RIGHTS rides on at least one byte of data */
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    one_fd_control control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.bytes,
                         .msg_controllen = sizeof control.bytes};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
    for (;;) {
        if (sendmsg(sock, &msg, MSG_NOSIGNAL) == 1)
            return 0;
        int err = errno;
        if (err == EINTR)
            continue;
        if (!would_block(err))
            return aw__fail(-err, "aw_send_fd: fd %d: %s", sock,
                            aw_strerror(-err));
        int rc = aw__io_wait(t, sock, AW_WRITABLE, false);
        if (rc != 0)
            return rc;
    }
}

int aw_recv_fd(int sock)
{
    aw_task *t = aw__task_require("aw_recv_fd");
    if (!t)
        return AW_EMISUSE;
    if (sock < 0)
        return aw__fail(AW_EMISUSE, "aw_recv_fd: invalid descriptor %d", sock);
    for (;;) {
        char byte;
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        one_fd_control control;
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = control.bytes,
                             .msg_controllen = sizeof control.bytes};
        /* MSG_CMSG_CLOEXEC: the new descriptor must not leak into a
         * child process started later, like every descriptor of ours. */
        ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        if (n > 0) {
            struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
            if (c && c->cmsg_level == SOL_SOCKET &&
                c->cmsg_type == SCM_RIGHTS &&
                c->cmsg_len == CMSG_LEN(sizeof(int))) {
                int fd;
                memcpy(&fd, CMSG_DATA(c), sizeof fd);
                return fd;
            }
            return aw__fail(AW_ESTATE,
                            "aw_recv_fd: a message came without a "
                            "descriptor%s",
                            (msg.msg_flags & MSG_CTRUNC)
                                ? " (it held more than one: truncated)"
                                : "");
        }
        if (n == 0)
            return aw__fail(AW_EINCOMPLETE,
                            "aw_recv_fd: the peer closed before sending a "
                            "descriptor");
        int err = errno;
        if (err == EINTR)
            continue;
        if (!would_block(err))
            return aw__fail(-err, "aw_recv_fd: fd %d: %s", sock,
                            aw_strerror(-err));
        int rc = aw__io_wait(t, sock, AW_READABLE, false);
        if (rc != 0)
            return rc;
    }
}
