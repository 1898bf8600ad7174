/*
 * Reference solution: 11-system/fd_handoff.
 *
 * The listening socket and the accepted connection are closed through
 * aw_close, since the loop waited on them; the socket file goes with
 * unlink, which no close does.
 */
#include "aw.h"

#include <unistd.h>

int receive_descriptor(const char *path, int *fd)
{
    int listener = aw_unix_listen(path, 1);
    if (listener < 0)
        return listener;
    int rc = 0;
    int conn = aw_accept(listener);
    if (conn < 0)
        rc = conn;
    aw_close(NULL, listener);
    unlink(path); /* nobody else is to connect */
    if (rc != 0)
        return rc;
    int received = aw_recv_fd(conn);
    aw_close(NULL, conn);
    if (received < 0)
        return received;
    *fd = received;
    return 0;
}

int send_descriptor(const char *path, int fd)
{
    int sock = aw_connect_unix(path);
    if (sock < 0)
        return sock;
    int rc = aw_send_fd(sock, fd);
    aw_close(NULL, sock);
    return rc;
}
