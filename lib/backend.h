/*
 * backend.h - the interface between the loop and the kernel.
 *
 * A backend is five functions, as in Redis's ae.c: create, destroy, watch
 * (set the events wanted on a descriptor), poll (wait for events, report
 * each with aw__loop_fd_ready), and a name. The loop core never names a
 * system call; each backend is one file: backend_epoll.c, backend_poll.c,
 * backend_select.c, backend_uring.c.
 */
#ifndef AW_BACKEND_H
#define AW_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

enum { AW_READABLE = 1, AW_WRITABLE = 2 };

struct aw_loop;

typedef struct aw_backend_ops {
    const char *name;
    /* Optional: can this backend run on this machine? 0 if so, else a
     * negative error with the cause written to why. NULL: always. */
    int (*probe)(char *why, size_t len);
    /* Set up loop->backend_data. Returns 0 or a negative error. */
    int (*create)(struct aw_loop *loop);
    void (*destroy)(struct aw_loop *loop);
    /* Change the events wanted on fd from old_mask to new_mask (either
     * may be 0: a new descriptor, or one no longer watched). */
    int (*watch)(struct aw_loop *loop, int fd, int old_mask, int new_mask);
    /* Wait at most timeout_ns (-1: no limit, 0: don't block) and report
     * each ready descriptor. Returns the number reported or an error. */
    int (*poll)(struct aw_loop *loop, int64_t timeout_ns);

    /* A proactor (io_uring) performs I/O itself and reports completions.
     * It fills in these; selectors leave them NULL, and io.c then tries
     * the system call and waits for readiness on EAGAIN. Each is called
     * inside a task, may suspend it, and returns a count, a descriptor,
     * 0, or a negative error. */
    ssize_t (*recv)(struct aw_loop *loop, int fd, void *buf, size_t len);
    ssize_t (*send)(struct aw_loop *loop, int fd, const void *buf, size_t len);
    int (*accept)(struct aw_loop *loop, int listen_fd);
    int (*connect)(struct aw_loop *loop, int fd, const struct sockaddr *addr,
                   socklen_t addrlen);
    int (*close)(struct aw_loop *loop, int fd);
} aw_backend_ops;

extern const aw_backend_ops aw__backend_epoll;
extern const aw_backend_ops aw__backend_poll, aw__backend_select;
extern const aw_backend_ops aw__backend_uring;

/* What the io_uring backend has done, counted (backend_uring.c): for the
 * tests, and for chapter 08's measurements of batching. */
typedef struct {
    uint64_t enters;       /* io_uring_enter system calls */
    uint64_t submitted;    /* SQEs handed to the kernel by those calls */
    uint64_t completions;  /* CQEs reaped */
    uint64_t ops;          /* recv, send, accept, connect, close started */
    uint64_t cancels;      /* cancellations asked of the kernel */
    uint64_t no_buffer;    /* receives that found every provided buffer
                            * taken (ENOBUFS): a task's then uses one of
                            * its own, a stream's is submitted again */
    bool buffer_ring;      /* receives use a provided-buffer ring */
    bool multishot_accept; /* accept is multishot (until the kernel says
                            * it cannot be) */
    bool multishot_recv;   /* a stream's standing receive is multishot */
} aw_uring_stats;

/* Copy the counters of a loop on io_uring into *out: 0, or AW_EMISUSE
 * for a loop on another backend. */
int aw__uring_stats(const struct aw_loop *loop, aw_uring_stats *out);

#endif
