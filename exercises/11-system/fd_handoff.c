/*
 * Exercise: hand an open file to another process over a Unix socket.
 *
 * A process can give another one an open file, a socket or a pipe: not
 * its name, the open file itself. The kernel does it over a Unix socket
 * (SCM_RIGHTS), and the receiver gets a new descriptor of its own for
 * the same open file. Servers hand connections to workers this way.
 * Write both ends, each called in a task:
 *
 *   receive_descriptor(path, &fd): listen on the Unix socket `path` (it
 *     must not exist yet), accept one connection, receive one descriptor
 *     from it into *fd, and return 0. Whatever happens, close every
 *     socket it opened and remove the socket file before returning. If the
 *     client closes without sending a descriptor: AW_EINCOMPLETE.
 *   send_descriptor(path, fd): connect to the Unix socket `path`, send
 *     fd over it, close the connection, and return 0; or the error
 *     (-ENOENT when nobody listens on path, say), with nothing left open.
 *
 * Both wait the loop's way (never blocking the loop), and may be called
 * from two tasks of the same loop, which is how the grader calls them.
 *
 * See chapter 11, "Unix sockets and passing descriptors".
 */
#include "aw.h"

#include <unistd.h>

int receive_descriptor(const char *path, int *fd)
{
    (void)path;
    (void)fd;
    return AW_EINCOMPLETE; /* replace with your code */
}

int send_descriptor(const char *path, int fd)
{
    (void)path;
    (void)fd;
    return -ENOENT; /* replace with your code */
}
