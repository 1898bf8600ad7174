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

#include <stdint.h>

enum { AW_READABLE = 1, AW_WRITABLE = 2 };

struct aw_loop;

typedef struct aw_backend_ops {
    const char *name;
    /* Set up loop->backend_data. Returns 0 or a negative error. */
    int (*create)(struct aw_loop *loop);
    void (*destroy)(struct aw_loop *loop);
    /* Change the events wanted on fd from old_mask to new_mask (either
     * may be 0: a new descriptor, or one no longer watched). */
    int (*watch)(struct aw_loop *loop, int fd, int old_mask, int new_mask);
    /* Wait at most timeout_ns (-1: no limit, 0: don't block) and report
     * each ready descriptor. Returns the number reported or an error. */
    int (*poll)(struct aw_loop *loop, int64_t timeout_ns);
} aw_backend_ops;

extern const aw_backend_ops aw__backend_epoll;

#endif
