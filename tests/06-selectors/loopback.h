/*
 * loopback.h - what the graders of chapters 6 and 7 share: sockets on
 * 127.0.0.1 with ports the kernel picks, a count of open descriptors
 * (every test must close what it opened), and the backends to run each
 * test on.
 */
#ifndef GRADE_LOOPBACK_H
#define GRADE_LOOPBACK_H

#include "aw.h"

#include <stdbool.h>
#include <stddef.h>

/* How many descriptors this process has open (entries of /proc/self/fd). */
int count_open_fds(void);

/* A listening TCP socket on 127.0.0.1, port chosen by the kernel; its port
 * is stored in *port. Non-blocking if asked. Aborts the test on failure. */
int loopback_listener(int *port, bool nonblocking);
/* A blocking client connected to 127.0.0.1:port, with send and receive
 * timeouts of io_timeout seconds, so a silent server fails a test instead
 * of hanging it. */
int loopback_connect(int port, double io_timeout);
/* Two connected TCP sockets on loopback: fds[0] and fds[1]. Blocking. */
void loopback_pair(int fds[2]);
void set_nonblocking_or_die(int fd);

/* Send all of buf (blocking); false on error or timeout. */
bool send_all_blocking(int fd, const void *buf, size_t len);
/* Receive exactly len bytes (blocking). Returns how many arrived before
 * EOF, an error or the timeout. */
size_t recv_exactly_blocking(int fd, void *buf, size_t len);
/* Wait (up to 10 s) until fd is readable: data, EOF or an error. */
bool await_readable_blocking(int fd);
/* True if the next receive sees EOF (0 bytes) within the timeout. */
bool sees_eof(int fd);
/* Close with a reset (RST) instead of an orderly FIN. */
void close_with_reset(int fd);

/* The backends a test runs on, in *kinds: only $AW_BACKEND if it is set,
 * else every backend that can run here (epoll first). io_uring is one:
 * it reports readiness too (chapter 08). */
int backends_to_test(aw_backend_kind kinds[], int max);
/* A new loop on that backend; aborts the test if it cannot be made. */
aw_loop *new_loop_on(aw_backend_kind kind, bool virtual_clock);

#endif
