/*
 * backend_epoll.c - the epoll selector (Linux).
 *
 * The kernel keeps the interest set, so a poll costs time in the number of
 * ready descriptors, not the number watched: the reason epoll is the
 * default. Level-triggered, like select and poll, so a descriptor that is
 * still readable is reported again on the next pass.
 */
#include "internal.h"

#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

enum { MAX_EVENTS = 256 }; /* reported per epoll_wait call */

typedef struct {
    int epfd;
    struct epoll_event events[MAX_EVENTS];
} epoll_state;

static int epoll_create_backend(aw_loop *loop)
{
    epoll_state *s = malloc(sizeof *s);
    if (!s)
        return aw__fail(-ENOMEM, "out of memory");
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0) {
        int err = -errno;
        free(s);
        return aw__fail(err, "epoll_create1: %s", aw_strerror(err));
    }
    loop->backend_data = s;
    return 0;
}

static void epoll_destroy_backend(aw_loop *loop)
{
    epoll_state *s = loop->backend_data;
    close(s->epfd);
    free(s);
}

static int epoll_watch(aw_loop *loop, int fd, int old_mask, int new_mask)
{
    epoll_state *s = loop->backend_data;
    struct epoll_event ev = {0};
    ev.data.fd = fd;
    if (new_mask & AW_READABLE)
        ev.events |= EPOLLIN;
    if (new_mask & AW_WRITABLE)
        ev.events |= EPOLLOUT;
    int op = old_mask == 0   ? EPOLL_CTL_ADD
             : new_mask == 0 ? EPOLL_CTL_DEL
                             : EPOLL_CTL_MOD;
    if (epoll_ctl(s->epfd, op, fd, &ev) != 0) {
        int err = -errno;
        return aw__fail(err, "epoll_ctl: %s", aw_strerror(err));
    }
    return 0;
}

/* ANCHOR: poll */
static int epoll_poll(aw_loop *loop, int64_t timeout_ns)
{
    epoll_state *s = loop->backend_data;
    /* Round up to whole milliseconds: rounding down would wake early and
     * spin until the timer is due. */
    int timeout_ms = timeout_ns < 0 ? -1
                     : timeout_ns > (int64_t)INT32_MAX * 1000000
                         ? INT32_MAX
                         : (int)((timeout_ns + 999999) / 1000000);
    int n = epoll_wait(s->epfd, s->events, MAX_EVENTS, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : aw__fail(-errno, "epoll_wait failed");
    for (int i = 0; i < n; i++) {
        uint32_t e = s->events[i].events;
        int mask = 0;
        /* Errors and hang-ups count as both: the next read or write
         * then reports what happened. */
        if (e & (EPOLLIN | EPOLLERR | EPOLLHUP))
            mask |= AW_READABLE;
        if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            mask |= AW_WRITABLE;
        aw__loop_fd_ready(loop, s->events[i].data.fd, mask);
    }
    return n;
}
/* ANCHOR_END: poll */

const aw_backend_ops aw__backend_epoll = {
    .name = "epoll",
    .create = epoll_create_backend,
    .destroy = epoll_destroy_backend,
    .watch = epoll_watch,
    .poll = epoll_poll,
};
