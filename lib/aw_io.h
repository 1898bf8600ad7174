/*
 * aw_io.h - sockets, streams and servers (included by aw.h).
 *
 * Three layers, each built on the one before, as in asyncio:
 *
 *   asyncio                               aw
 *   await loop.sock_recv(sock, n)         aw_recv(fd, buf, n)
 *   await loop.sock_sendall(sock, data)   aw_send(fd, data, len)
 *   await loop.sock_accept(sock)          aw_accept(listen_fd)
 *   await loop.sock_connect(sock, addr)   aw_connect(fd, addr, len)
 *   r, w = await open_connection(h, p)    aw_open_connection(h, p, NULL,
 *                                                            &r, &w)
 *   await r.read(n)                       aw_reader_read(r, buf, n)
 *   await r.readexactly(n)                aw_reader_readexactly(r, buf, n,
 *                                                               &got)
 *   await r.readline()                    aw_reader_readline(r, buf, cap,
 *                                                            &len)
 *   await r.readuntil(sep)                aw_reader_readuntil(...)
 *   r.at_eof()                            aw_reader_at_eof(r)
 *   w.write(data)                         aw_writer_write(w, data, len)
 *   await w.drain()                       aw_writer_drain(w)
 *   w.close(); await w.wait_closed()      aw_writer_close(w);
 *                                         aw_writer_wait_closed(w)
 *   srv = await start_server(h, host, p)  aw_start_server(loop, host, p,
 *                                                         h, arg, NULL)
 *   srv.close(); await srv.wait_closed()  aw_server_close(srv);
 *                                         aw_server_wait_closed(srv)
 *
 * "In a task" below means the function may suspend the running task
 * (like an await); called outside a task it returns AW_EMISUSE.
 *
 * How the waiting works. On a selector backend (epoll, poll, select)
 * every operation first tries the system call; only when the kernel
 * says EAGAIN does the task register for readiness and suspend. On a
 * proactor backend (io_uring) the backend performs the operation and
 * the task waits for its completion. Either way the task looks the same.
 *
 * Signals. Sends use MSG_NOSIGNAL: a peer that has gone away is an
 * error (-EPIPE, -ECONNRESET) on that connection only, never SIGPIPE.
 *
 * Descriptors. Sockets made here are non-blocking and close-on-exec.
 * A descriptor the loop has waited on must be closed with aw_close (or
 * through its stream or server), not close(): the loop may still hold
 * interest in it, and with epoll a reused descriptor number would then
 * never be reported.
 */
#ifndef AW_IO_H
#define AW_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

typedef struct aw_loop aw_loop;

/* ------------------------------------------------------------------ */
/* Sockets                                                             */
/* ------------------------------------------------------------------ */

/* A TCP socket listening on host:port (port 0: the kernel picks one;
 * read it back with aw_socket_port). host is a numeric IPv4 or IPv6
 * address or "localhost"; NULL means "127.0.0.1". backlog 0 means 128.
 * Returns the descriptor (non-blocking, close-on-exec, SO_REUSEADDR) or
 * a negative error. Does not need a task or a loop. */
int aw_socket_listen(const char *host, int port, int backlog);

/* The local port a socket is bound to, or a negative error. */
int aw_socket_port(int fd);

/* Make an existing descriptor non-blocking and close-on-exec. */
int aw_socket_nonblocking(int fd);

/* In a task: a new TCP socket connected to host:port (host as for
 * aw_socket_listen). Returns the descriptor or a negative error, e.g.
 * -ECONNREFUSED. TCP_NODELAY is set: small messages go out at once. */
int aw_connect_tcp(const char *host, int port);

/* ------------------------------------------------------------------ */
/* Socket operations inside a task                                     */
/* ------------------------------------------------------------------ */

/* In a task: receive up to len bytes. Returns the count, 0 at end of
 * stream (the peer closed), or a negative error (-ECONNRESET...). */
ssize_t aw_recv(int fd, void *buf, size_t len);

/* In a task: send all len bytes, waiting for room as needed (asyncio's
 * sock_sendall). Returns len, or a negative error (-EPIPE...). */
ssize_t aw_send(int fd, const void *buf, size_t len);

/* In a task: accept a connection on a listening socket. Returns the new
 * descriptor (non-blocking, close-on-exec) or a negative error. */
int aw_accept(int listen_fd);

/* In a task: connect a non-blocking socket. 0 or a negative error. */
int aw_connect(int fd, const struct sockaddr *addr, socklen_t addrlen);

/* In a task: suspend until fd is readable (or writable). 0, or
 * AW_ECANCELLED, or the error of registering fd (AW_ELIMIT when the
 * select backend cannot watch a descriptor >= FD_SETSIZE). */
int aw_wait_readable(int fd);
int aw_wait_writable(int fd);

/* Stop watching fd in loop, then close it. loop NULL means the running
 * loop (if none, fd is just closed). On a proactor backend the close
 * goes through the backend, which first cancels the operations in
 * flight on fd; inside a task it is itself an operation. 0 or a negative
 * error. */
int aw_close(aw_loop *loop, int fd);

/* ------------------------------------------------------------------ */
/* Streams: a reader and a writer on one connected socket              */
/* ------------------------------------------------------------------ */

typedef struct aw_reader aw_reader;
typedef struct aw_writer aw_writer;

typedef struct {
    size_t limit;      /* longest line readline/readuntil accept; 0: 64 KiB */
    size_t high_water; /* drain waits once more is buffered; 0: 64 KiB */
    size_t low_water;  /* ... until the buffer is down to this; 0: high/4 */
} aw_stream_options;

/* In a task: connect to host:port and return a reader and a writer on
 * the connection (options may be NULL). 0 or a negative error; on error
 * *reader and *writer are NULL. Release both with aw_reader_free and
 * aw_writer_free when done. */
int aw_open_connection(const char *host, int port,
                       const aw_stream_options *options, aw_reader **reader,
                       aw_writer **writer);

/* Wrap an already connected socket (which the streams then own, and
 * close) in a reader and a writer on loop; the socket is made
 * non-blocking, and TCP_NODELAY is set on TCP. 0 or a negative error;
 * on error fd is left open. Works outside a task. */
int aw_stream_open(aw_loop *loop, int fd, const aw_stream_options *options,
                   aw_reader **reader, aw_writer **writer);

/* --- Reader (every read is "in a task"; one reading task at a time) -- */

/* Limits, and what a reader holds after AW_ELIMIT.
 *
 * readline and readuntil return a record: the bytes up to and including
 * the separator. It must fit in M = min(limit, cap - 1) bytes, the
 * separator counted (asyncio does not count it; here a record always
 * fits a buffer of limit + 1). The answer never depends on how the bytes
 * were cut into packets:
 *   - the first separator ends within M bytes: the record;
 *   - the stream ends with M bytes or fewer left and no separator: the
 *     last bytes (readline: as a line; readuntil: AW_EINCOMPLETE);
 *   - otherwise AW_ELIMIT, decided as soon as M + 1 bytes are here.
 *
 * After AW_ELIMIT, as asyncio's LimitOverrunError and readline's
 * ValueError:
 *   - readuntil consumes nothing: the bytes stay in the reader, for read
 *     or readexactly to take (or a readuntil with a bigger buffer);
 *   - readline drops the line: through its '\n' if that is here, or
 *     else all that is here, as asyncio does, and then also what is left
 *     of the line as it arrives, through its '\n' or to the end of the
 *     stream. asyncio hands that tail out as if it were a line, so what
 *     comes next would depend on the packets; here every later read (of
 *     any kind) starts after the dropped line.
 * A read that meets the end of the stream (readexactly's and readuntil's
 * AW_EINCOMPLETE) consumes what it returns. */

/* Up to n bytes: whatever has arrived, waiting only if nothing has.
 * Returns the count, 0 at end of stream, or a negative error. Not bound
 * by the limit (asyncio's read(n) is not). */
ssize_t aw_reader_read(aw_reader *reader, void *buf, size_t n);

/* Exactly n bytes. Returns 0, or AW_EINCOMPLETE if the stream ended
 * first: buf then holds the partial data, and *got (if not NULL) says
 * how much; on success *got is n. Other errors as for read. Not bound
 * by the limit: n bytes are buffered. */
int aw_reader_readexactly(aw_reader *reader, void *buf, size_t n, size_t *got);

/* A line up to and including '\n', stored NUL-terminated in buf of
 * size cap (at least 2); *len (if not NULL) is its length without the
 * NUL. At end of stream the last, unterminated line is returned as it
 * is (if it fits: M bytes, see above), and after it *len is 0. A line
 * longer than the reader's limit (or than cap - 1), '\n' included, is
 * AW_ELIMIT with *len 0: the whole line is dropped, through its '\n'
 * even if that arrives later, so the next call reads the next line.
 * Never buffers much more than the limit. */
int aw_reader_readline(aw_reader *reader, char *buf, size_t cap, size_t *len);

/* Data up to and including the separator (seplen bytes), stored in buf
 * like readline. EOF first: AW_EINCOMPLETE, the partial data (which may
 * end with part of the separator) is in buf and *len, and is consumed.
 * Over the limit: AW_ELIMIT with *len 0, and the data is left in the
 * reader. */
int aw_reader_readuntil(aw_reader *reader, const void *sep, size_t seplen,
                        char *buf, size_t cap, size_t *len);

/* True once the peer has closed and every byte has been read. */
bool aw_reader_at_eof(const aw_reader *reader);

/* Bytes received and not yet read. A reader receives only while a read
 * waits, and only what that read can use, so this stays within what the
 * reads asked for: n for read and readexactly, min(limit, cap - 1) + 1
 * for readline and readuntil (16 KiB while dropping a long line's rest).
 * When nobody reads, nothing more is received, on every backend: the
 * kernel's buffers fill and TCP makes the peer wait. */
size_t aw_reader_buffered(const aw_reader *reader);

/* Let go of the reader (the connection closes when the writer is also
 * released). Not while a task reads from it (debug mode reports that and
 * keeps the reader), and not in a server's handler: the server frees its
 * streams. Before the loop is closed. NULL is ignored, as by free(). */
void aw_reader_free(aw_reader *reader);

/* --- Writer ----------------------------------------------------------- */

/* Queue len bytes. Never suspends: it sends at once what the socket
 * takes and buffers the rest, which the loop sends as room appears.
 * 0, or the connection's error, or AW_ESTATE once closing. */
int aw_writer_write(aw_writer *writer, const void *data, size_t len);

/* In a task: flow control. Returns at once unless more than the high
 * water mark is buffered; then waits until the buffer is down to the
 * low water mark. 0, or the error that broke the connection. */
int aw_writer_drain(aw_writer *writer);

/* Close the sending side (shutdown SHUT_WR) once the buffer is sent:
 * the peer reads end of stream, and can still answer. */
int aw_writer_write_eof(aw_writer *writer);

/* Close the connection once the buffered data is sent. Never suspends.
 * Closing twice is harmless. */
int aw_writer_close(aw_writer *writer);

/* Close the connection now, dropping whatever is still buffered. */
void aw_writer_abort(aw_writer *writer);

/* In a task: wait until the connection is closed (call close first).
 * 0, or the error that ended the connection (the buffer was lost). */
int aw_writer_wait_closed(aw_writer *writer);

bool aw_writer_is_closing(const aw_writer *writer);
/* Bytes written but not yet handed to the kernel. */
size_t aw_writer_buffered(const aw_writer *writer);
/* Change the flow-control marks (0 low: high / 4). AW_EMISUSE if
 * low > high. */
int aw_writer_set_limits(aw_writer *writer, size_t high, size_t low);
/* The peer as "127.0.0.1:54321" ("?" if unknown). */
const char *aw_writer_peername(const aw_writer *writer);
/* The socket, for getsockopt and the like (-1 once closed). */
int aw_writer_fd(const aw_writer *writer);

/* Let go of the writer; if still open, the connection is aborted. Not
 * while a task waits on it, and not in a server's handler: the server
 * frees its streams. Before the loop is closed. */
void aw_writer_free(aw_writer *writer);

/* ------------------------------------------------------------------ */
/* Servers: one task per connection                                    */
/* ------------------------------------------------------------------ */

typedef struct aw_server aw_server;

/* Runs in its own task for each connection. The reader and writer
 * belong to the server: when the handler returns, the server closes the
 * writer (sending what is buffered first) and frees both. Return 0, or a
 * negative error (logged in debug mode). Cancellation (server shutdown)
 * shows up as AW_ECANCELLED from the read or drain the handler is in. */
typedef int (*aw_client_handler)(aw_reader *reader, aw_writer *writer,
                                 void *arg);

typedef struct {
    aw_stream_options stream; /* for every connection's streams */
    int backlog;              /* listen() backlog; 0: 128 */
} aw_server_options;

/* Listen on host:port (port 0: the kernel picks; see aw_server_port)
 * and serve each connection with handler(reader, writer, arg) in a task
 * of its own. Works in or outside a task; serving starts when the loop
 * runs. options may be NULL. NULL on failure (see aw_last_error). */
aw_server *aw_start_server(aw_loop *loop, const char *host, int port,
                           aw_client_handler handler, void *arg,
                           const aw_server_options *options);

/* The port the server listens on. */
int aw_server_port(const aw_server *server);
/* Handlers running right now. */
size_t aw_server_connections(const aw_server *server);

/* Stop accepting: the listening socket is closed. Running handlers go
 * on. Never suspends; closing twice is harmless. */
int aw_server_close(aw_server *server);

/* In a task: wait until the server is closed and every handler has
 * finished. 0 or AW_ECANCELLED. */
int aw_server_wait_closed(aw_server *server);

/* In a task: graceful shutdown. Close, give the handlers up to timeout
 * seconds to finish, then cancel those still running and wait for them.
 * 0 if all finished in time; AW_ETIMEDOUT if some had to be cancelled
 * (they have all finished when it returns either way). */
int aw_server_shutdown(aw_server *server, double timeout);

/* Free a server whose accept task and handlers have all finished (after
 * aw_server_wait_closed, aw_server_shutdown or aw_loop_shutdown).
 * AW_EMISUSE, leaving it untouched, while anything still runs. */
int aw_server_free(aw_server *server);

#endif
