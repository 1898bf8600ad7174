/*
 * backend_poll.c - the poll selector (POSIX).
 *
 * We keep the interest set ourselves, as an array of struct pollfd handed
 * whole to the kernel on every call: a poll costs time in the number of
 * descriptors watched, ready or not. No limit on descriptor numbers,
 * unlike select. An index from descriptor to array slot makes a change
 * O(1); removal moves the last slot into the hole.
 */
#include "internal.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    struct pollfd *fds; /* the interest set, dense */
    int len, cap;
    int *slot_of; /* descriptor -> index in fds, -1 if not watched */
    int slot_cap;
} poll_state;

static int poll_create_backend(aw_loop *loop)
{
    poll_state *s = calloc(1, sizeof *s);
    if (!s)
        return aw__fail(-ENOMEM, "out of memory");
    loop->backend_data = s;
    return 0;
}

static void poll_destroy_backend(aw_loop *loop)
{
    poll_state *s = loop->backend_data;
    free(s->fds);
    free(s->slot_of);
    free(s);
}

static short poll_events(int mask)
{
    return (short)((mask & AW_READABLE ? POLLIN : 0) |
                   (mask & AW_WRITABLE ? POLLOUT : 0));
}

/* Room for one more slot, and an index entry for fd. */
static int grow(poll_state *s, int fd)
{
    if (fd >= s->slot_cap) {
        int cap = s->slot_cap ? s->slot_cap : 64;
        while (cap <= fd)
            cap *= 2;
        int *slot_of = realloc(s->slot_of, (size_t)cap * sizeof *slot_of);
        if (!slot_of)
            return -ENOMEM;
        for (int i = s->slot_cap; i < cap; i++)
            slot_of[i] = -1;
        s->slot_of = slot_of;
        s->slot_cap = cap;
    }
    if (s->len == s->cap) {
        int cap = s->cap ? s->cap * 2 : 64;
        struct pollfd *fds = realloc(s->fds, (size_t)cap * sizeof *fds);
        if (!fds)
            return -ENOMEM;
        s->fds = fds;
        s->cap = cap;
    }
    return 0;
}

static int poll_watch(aw_loop *loop, int fd, int old_mask, int new_mask)
{
    (void)old_mask;
    poll_state *s = loop->backend_data;
    int slot = fd < s->slot_cap ? s->slot_of[fd] : -1;
    if (new_mask == 0) {
        if (slot < 0)
            return 0;
        /* Fill the hole with the last slot: the array stays dense. */
        s->fds[slot] = s->fds[--s->len];
        s->slot_of[s->fds[slot].fd] = slot;
        s->slot_of[fd] = -1;
        return 0;
    }
    if (slot < 0) {
        if (grow(s, fd) != 0)
            return aw__fail(-ENOMEM, "poll: out of memory");
        slot = s->len++;
        s->slot_of[fd] = slot;
        s->fds[slot].fd = fd;
    }
    s->fds[slot].events = poll_events(new_mask);
    s->fds[slot].revents = 0;
    return 0;
}

static int poll_poll(aw_loop *loop, int64_t timeout_ns)
{
    poll_state *s = loop->backend_data;
    /* Round up to whole milliseconds, as epoll does: rounding down would
     * wake early and spin until the timer is due. */
    int timeout_ms = timeout_ns < 0 ? -1
                     : timeout_ns > (int64_t)INT32_MAX * 1000000
                         ? INT32_MAX
                         : (int)((timeout_ns + 999999) / 1000000);
    int n = poll(s->fds, (nfds_t)s->len, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : aw__fail(-errno, "poll failed");
    int reported = 0;
    for (int i = 0; i < s->len && reported < n; i++) {
        short e = s->fds[i].revents;
        if (!e)
            continue;
        reported++;
        int mask = 0;
        /* Errors, hang-ups and a closed descriptor (POLLNVAL) count as
         * both: the next read or write reports what happened, and a
         * waiter that is gone drops the interest. */
        if (e & (POLLIN | POLLERR | POLLHUP | POLLNVAL))
            mask |= AW_READABLE;
        if (e & (POLLOUT | POLLERR | POLLHUP | POLLNVAL))
            mask |= AW_WRITABLE;
        aw__loop_fd_ready(loop, s->fds[i].fd, mask);
    }
    return reported;
}

const aw_backend_ops aw__backend_poll = {
    .name = "poll",
    .create = poll_create_backend,
    .destroy = poll_destroy_backend,
    .watch = poll_watch,
    .poll = poll_poll,
};
