/*
 * aw_system.h - the loop and the rest of the system: datagrams, Unix
 * sockets, signals and child processes (included by aw.h).
 *
 *   asyncio                                   aw
 *   loop.sock_sendto(sock, data, addr)        aw_sendto(fd, data, len,
 *                                                       addr, addrlen)
 *   loop.sock_recvfrom(sock, n)               aw_recvfrom(fd, buf, n,
 *                                                         &addr, &addrlen)
 *   open_unix_connection(path)                aw_open_unix_connection(...)
 *   start_unix_server(cb, path)               aw_start_unix_server(...)
 *   socket.send_fds / recv_fds                aw_send_fd / aw_recv_fd
 *   loop.add_signal_handler(sig, cb)          aw_add_signal_handler(...)
 *   loop.remove_signal_handler(sig)           aw_remove_signal_handler(...)
 *   create_subprocess_exec(*argv, ...)        aw_subprocess_exec(...)
 *   create_subprocess_shell(cmd, ...)         aw_subprocess_shell(...)
 *   await proc.wait()                         aw_subprocess_wait(p, &status)
 *   await proc.communicate(input)             aw_subprocess_communicate(...)
 *   proc.terminate() / proc.kill()            aw_subprocess_terminate(p) /
 *                                             aw_subprocess_kill(p)
 *   loop.call_soon_threadsafe(cb)             aw_call_soon_threadsafe(...)
 *   await asyncio.to_thread(fn, arg)          aw_await(aw_to_thread(loop,
 *                                                      fn, arg), &result)
 *   await loop.shutdown_default_executor()    aw_loop_shutdown_executor(l)
 *
 * Everything here waits the selector way (try the call, wait for
 * readiness on EAGAIN), which every backend supports, io_uring included
 * through its readiness watches. Chapter 11 teaches it.
 */
#ifndef AW_SYSTEM_H
#define AW_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* aw.h includes this after aw_io.h, whose types it uses. */

/* ------------------------------------------------------------------ */
/* Datagrams (UDP)                                                     */
/* ------------------------------------------------------------------ */

/* A UDP socket bound to host:port (host as for aw_socket_listen; port 0:
 * the kernel picks, read it with aw_socket_port). Non-blocking and
 * close-on-exec. The descriptor, or a negative error. Close it with
 * aw_close. */
int aw_udp_open(const char *host, int port);

/* Connect a UDP socket to host:port: it then sends there by default
 * (aw_sendto with a NULL address) and receives only from there. Never
 * waits: a UDP connect only records the peer. 0 or a negative error. */
int aw_udp_connect(int fd, const char *host, int port);

/* In a task: send one datagram of len bytes to addr (NULL on a connected
 * socket). A datagram goes whole or not at all. Returns len or a
 * negative error (-EMSGSIZE when it is too big for one datagram). */
ssize_t aw_sendto(int fd, const void *buf, size_t len,
                  const struct sockaddr *addr, socklen_t addrlen);

/* In a task: receive one datagram into buf. Returns its length; a
 * datagram never merges with the next one. One longer than len is
 * never returned cut: it is dropped and AW_ELIMIT names its length.
 * addr and addrlen (both NULL, or both set; *addrlen the room in addr)
 * receive the sender's address. */
ssize_t aw_recvfrom(int fd, void *buf, size_t len, struct sockaddr *addr,
                    socklen_t *addrlen);

/* ------------------------------------------------------------------ */
/* Unix sockets                                                        */
/* ------------------------------------------------------------------ */

/* A stream socket listening on the filesystem path (which must not
 * exist yet; shorter than 108 bytes). Non-blocking, close-on-exec.
 * The descriptor or a negative error. */
int aw_unix_listen(const char *path, int backlog);

/* In a task: a stream socket connected to path. The descriptor or a
 * negative error (-ENOENT: nobody listens there; -ECONNREFUSED). */
int aw_connect_unix(const char *path);

/* In a task: connect to path and return streams on the connection, as
 * aw_open_connection does for TCP. */
int aw_open_unix_connection(const char *path, const aw_stream_options *options,
                            aw_reader **reader, aw_writer **writer);

/* Serve each connection to path with handler, as aw_start_server does
 * for TCP. The path is removed when the server is freed. NULL on
 * failure (see aw_last_error). */
aw_server *aw_start_unix_server(aw_loop *loop, const char *path,
                                aw_client_handler handler, void *arg,
                                const aw_server_options *options);

/* In a task: pass the descriptor fd_to_pass over the Unix socket sock,
 * with one byte of ordinary data (SCM_RIGHTS needs some). The receiver
 * gets its own descriptor for the same open file. 0 or a negative
 * error. */
int aw_send_fd(int sock, int fd_to_pass);

/* In a task: receive a descriptor sent with aw_send_fd. Returns it
 * (close-on-exec), AW_EINCOMPLETE if the peer closed first, AW_ESTATE
 * if a message came without a descriptor, or another negative error. */
int aw_recv_fd(int sock);

/* ------------------------------------------------------------------ */
/* Signals                                                             */
/* ------------------------------------------------------------------ */

/* Call fn(arg) as an ordinary loop callback each time signal signo
 * arrives: never in signal context, so the callback may do anything a
 * callback may (cancel tasks, close a server, stop the loop). The
 * signal is blocked in the calling thread and read from a signalfd.
 * One handler per signal; adding again replaces it. Only from the thread
 * that runs (or will run) the loop, and not for SIGKILL, SIGSTOP or the
 * signals of a crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL): AW_EMISUSE. */
int aw_add_signal_handler(aw_loop *loop, int signo, aw_callback fn, void *arg);

/* Remove the handler for signo and restore the signal's old blocking.
 * 0, or AW_ESTATE if there was none. aw_loop_close removes them all. */
int aw_remove_signal_handler(aw_loop *loop, int signo);

/* ------------------------------------------------------------------ */
/* Child processes                                                     */
/* ------------------------------------------------------------------ */

typedef struct aw_subprocess aw_subprocess;

typedef enum {
    AW_STDIO_INHERIT = 0, /* the child shares the parent's descriptor */
    AW_STDIO_PIPE,        /* a stream of the loop's (asyncio's PIPE) */
    AW_STDIO_DEVNULL      /* /dev/null */
} aw_stdio;

typedef struct {
    aw_stdio in, out, err;
    bool err_to_out;   /* stderr goes where stdout goes (STDOUT) */
    const char *cwd;   /* NULL: the parent's */
    char *const *envp; /* NULL: the parent's environment */
} aw_subprocess_options;

/* Start argv[0] (searched in PATH) with arguments argv (NULL-ended) on
 * loop. Works in or outside a task. 0 and *proc, or a negative error
 * (-ENOENT: no such program) with *proc NULL. */
int aw_subprocess_exec(aw_loop *loop, char *const argv[],
                       const aw_subprocess_options *options,
                       aw_subprocess **proc);

/* The same through /bin/sh -c command. */
int aw_subprocess_shell(aw_loop *loop, const char *command,
                        const aw_subprocess_options *options,
                        aw_subprocess **proc);

pid_t aw_subprocess_pid(const aw_subprocess *proc);

/* The child's stdin (a writer), stdout and stderr (readers): NULL unless
 * that stream was AW_STDIO_PIPE. They belong to the process object. */
aw_writer *aw_subprocess_stdin(aw_subprocess *proc);
aw_reader *aw_subprocess_stdout(aw_subprocess *proc);
aw_reader *aw_subprocess_stderr(aw_subprocess *proc);

/* In a task: wait until the child has exited. *status (may be NULL)
 * gets the exit code, or -N if signal N ended it, as asyncio's
 * returncode. 0, AW_ECANCELLED (the child goes on running), or AW_EMISUSE
 * for a process of another loop. */
int aw_subprocess_wait(aw_subprocess *proc, int *status);

/* After the child exited: its status as above; AW_ESTATE while it runs. */
int aw_subprocess_returncode(const aw_subprocess *proc, int *status);

/* In a task: write input (may be NULL) to stdin and close it, read
 * stdout and stderr to their ends at the same time (so that no pipe
 * fills up and deadlocks), and wait for the child. *out and *err
 * (each may be NULL) get malloc'd, NUL-terminated buffers, to free();
 * their lengths go to *outlen and *errlen. 0 or a negative error. */
int aw_subprocess_communicate(aw_subprocess *proc, const void *input,
                              size_t inlen, char **out, size_t *outlen,
                              char **err, size_t *errlen, int *status);

/* Send SIGTERM or SIGKILL (or any signal). Harmless once it exited. */
int aw_subprocess_send_signal(aw_subprocess *proc, int signo);
int aw_subprocess_terminate(aw_subprocess *proc);
int aw_subprocess_kill(aw_subprocess *proc);

/* Free the process object and its streams. A child still running is
 * killed (SIGKILL) and reaped first: no zombie is ever left behind. Not
 * while a task waits on it. aw_loop_close does the same to the children
 * of the loop still running, and frees their streams; the process
 * objects must still be freed. */
void aw_subprocess_free(aw_subprocess *proc);

/* ------------------------------------------------------------------ */
/* Threads                                                             */
/* ------------------------------------------------------------------ */

/* A loop belongs to the thread that runs it: from any other thread, the
 * only call allowed is aw_call_soon_threadsafe. */

/* From the loop's thread: say that other threads will call into the
 * loop, until aw_loop_threadsafe_close. While open, the loop watches its
 * wake-up descriptor, so it waits for them instead of reporting a
 * deadlock. (asyncio's loop always waits, and so can hang for ever;
 * aw's reports the deadlock unless told.) 0 or a negative error. */
int aw_loop_threadsafe_open(aw_loop *loop);
int aw_loop_threadsafe_close(aw_loop *loop);

/* From any thread: run fn(arg) in the loop's thread on its next pass,
 * waking the loop if it waits. The loop must have opened its channel
 * (aw_loop_threadsafe_open, or a job of aw_to_thread) and must outlive
 * every thread that calls this. 0 or a negative error. */
int aw_call_soon_threadsafe(aw_loop *loop, aw_callback fn, void *arg);

/* A function for a worker thread: store its result in *result, and
 * return 0 or a negative error code. It must not touch the loop. */
typedef int (*aw_thread_fn)(void *arg, void **result);

/* From the loop's thread: run fn(arg) in a worker thread of the loop's
 * executor (at most min(32, CPUs + 4) of them; more jobs wait their
 * turn) and return a pending future, which the loop completes with fn's
 * result or error. The caller owns one reference. Cancelling the future,
 * or the task awaiting it, does not stop fn: a thread cannot be stopped
 * from outside, so fn runs to its end and its result is dropped; arg
 * must stay valid until then. NULL on failure (AW_EMISUSE once the
 * executor was shut down). */
aw_future *aw_to_thread(aw_loop *loop, aw_thread_fn fn, void *arg);

/* From the loop's thread: let every queued and running job finish (this
 * blocks the thread until they do), then stop the workers; later
 * aw_to_thread calls fail. aw_loop_close does the same. */
int aw_loop_shutdown_executor(aw_loop *loop);

#endif
