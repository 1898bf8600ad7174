/*
 * io_internal.h - what sockets, streams and servers share inside the
 * library: readiness waits (io.c), byte buffers (buffer.c), lists of
 * waiting tasks (waitlist.c) and addresses (sockets.c).
 */
#ifndef AW_IO_INTERNAL_H
#define AW_IO_INTERNAL_H

#include "internal.h"

#include <netinet/in.h>

/* A non-blocking call's "try again later": not an error. */
static inline bool would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK;
}

/* ---- readiness waits (io.c) ------------------------------------------ */

/* True if the loop's backend performs socket I/O itself (io_uring):
 * then streams call its recv and send instead of the system calls. */
bool aw__is_proactor(const aw_loop *loop);

/* In task t: suspend until fd has `event` (AW_READABLE or AW_WRITABLE).
 * 0, AW_ECANCELLED, AW_ESTATE if fd was closed (aw__io_forget) while t
 * waited, or the error of registering fd.
 *
 * keep: leave the loop's interest in fd registered after the wait, so
 * that the next wait on fd costs no system call; if an event arrives
 * while nobody waits, that event removes it. Only for descriptors the
 * library closes itself (through aw__io_forget), since a close() behind
 * the loop's back would leave epoll believing in a registration the
 * kernel has dropped. */
int aw__io_wait(aw_task *t, int fd, int event, bool keep);

/* Before closing fd: drop the loop's interest in it, and wake any task
 * waiting on it (its wait returns AW_ESTATE). */
void aw__io_forget(aw_loop *loop, int fd);

/* accept4 for a task, waiting as needed (keep as for aw__io_wait). */
int aw__accept(aw_task *t, int listen_fd, bool keep);

/* The readiness way, used by selector backends (and by fault.c's layer
 * over them): try the system call, and on EAGAIN wait with aw__io_wait
 * and try again. `who` names the caller in error messages. recv and
 * send move what they can in one call; accept4 makes the new socket
 * non-blocking and close-on-exec. */
ssize_t aw__ready_recv(aw_task *t, int fd, void *buf, size_t len,
                       const char *who);
ssize_t aw__ready_send(aw_task *t, int fd, const void *buf, size_t len,
                       const char *who);
int aw__ready_accept(aw_task *t, int listen_fd, bool keep);
int aw__ready_connect(aw_task *t, int fd, const struct sockaddr *addr,
                      socklen_t addrlen, const char *who);

/* Streams on a socket accept4 made non-blocking already (stream.c). */
int aw__stream_accepted(aw_loop *loop, int fd, const aw_stream_options *o,
                        aw_reader **reader, aw_writer **writer);

/* A server on a listening socket it then owns (server.c): TCP, or Unix
 * with unix_path (the socket file, for the task's name). NULL on failure,
 * listen_fd then closed. */
aw_server *aw__server_start(aw_loop *loop, int listen_fd,
                            aw_client_handler handler, void *arg,
                            const aw_server_options *options, const char *who,
                            const char *unix_path);
/* The socket file to remove when the server is freed (malloc'd). */
void aw__server_set_unix_path(aw_server *s, char *path);

/* ---- byte buffers (buffer.c) ----------------------------------------- */

/* Bytes data[start, end) are held; [end, cap) is free room. */
typedef struct {
    char *data;
    size_t start, end, cap;
} aw_buffer;

static inline size_t aw__buffer_len(const aw_buffer *b)
{
    return b->end - b->start;
}

/* Make room for at least `room` bytes after end (moving or growing).
 * 0 or -ENOMEM. */
int aw__buffer_reserve(aw_buffer *b, size_t room);
int aw__buffer_append(aw_buffer *b, const void *data, size_t len);
void aw__buffer_consume(aw_buffer *b, size_t len);
void aw__buffer_free(aw_buffer *b);

/* ---- tasks waiting for a condition (waitlist.c) ----------------------- */

/* Tasks waiting until something happens (a writer drained, a server
 * idle). Each waiter awaits a future of its own, so cancelling one
 * waiter leaves the others waiting. */
typedef struct aw_waiter {
    aw_future *future;
    struct aw_waiter *prev, *next;
} aw_waiter;

typedef struct {
    aw_waiter *head;
} aw_waitlist;

/* In task t: wait until aw__waitlist_wake; returns the code it passed,
 * or AW_ECANCELLED. */
int aw__waitlist_wait(aw_waitlist *list, aw_task *t);
/* The same for at most timeout seconds (< 0: no limit): AW_ETIMEDOUT
 * when the time is up. */
int aw__waitlist_wait_for(aw_waitlist *list, aw_task *t, double timeout);
/* Wake every waiter with code (0 or a negative error). */
void aw__waitlist_wake(aw_waitlist *list, int code);

/* ---- addresses (sockets.c) ---------------------------------------------- */

/* host:port as a socket address: host is numeric IPv4 or IPv6,
 * "localhost", or NULL for 127.0.0.1. A name is never looked up: a DNS
 * query would block the whole loop. 0 or -EINVAL with a message. */
int aw__resolve(const char *host, int port, struct sockaddr_storage *addr,
                socklen_t *len, const char *who);

/* The peer of a connected socket as "addr:port" ("?" if unknown). */
void aw__peer_name(int fd, char *buf, size_t len);

/* Small writes go out at once (Nagle's algorithm off), as asyncio does;
 * harmless on sockets that are not TCP. */
void aw__set_nodelay(int fd);

#endif
