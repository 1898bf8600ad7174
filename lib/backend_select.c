/*
 * backend_select.c - the select selector (the oldest, POSIX).
 *
 * Two bit sets, readers and writers, copied and handed to the kernel on
 * every call, which then scans every bit up to the highest descriptor:
 * the cost grows with the largest descriptor number, not with the
 * number of descriptors watched.
 *
 * An fd_set holds FD_SETSIZE bits (1024 on Linux), fixed at compile
 * time. FD_SET on a larger descriptor writes past the end of the set, so
 * watch() refuses such a descriptor with AW_ELIMIT and a message: the
 * error is clear, and memory is never corrupted. Streams ask at once,
 * when they are opened (aw__backend_fd_check), so that a connection is
 * refused before it is served rather than cut off at its first wait.
 */
#include "internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

typedef struct {
    fd_set readers, writers; /* the interest set */
    int max_fd;              /* highest descriptor watched, -1 if none */
} select_state;

static int select_create_backend(aw_loop *loop)
{
    select_state *s = malloc(sizeof *s);
    if (!s)
        return aw__fail(-ENOMEM, "out of memory");
    FD_ZERO(&s->readers);
    FD_ZERO(&s->writers);
    s->max_fd = -1;
    loop->backend_data = s;
    return 0;
}

static void select_destroy_backend(aw_loop *loop)
{
    free(loop->backend_data);
}

static bool watched(const select_state *s, int fd)
{
    return FD_ISSET(fd, &s->readers) || FD_ISSET(fd, &s->writers);
}

int aw__backend_fd_check(const aw_loop *loop, int fd, const char *who)
{
    if (loop->backend != &aw__backend_select || fd < FD_SETSIZE)
        return 0;
    return aw__fail(AW_ELIMIT,
                    "%s: descriptor %d is past FD_SETSIZE (%d), the most the "
                    "select backend can watch; use the poll or epoll backend "
                    "(AW_BACKEND=epoll)",
                    who, fd, FD_SETSIZE);
}

static int select_watch(aw_loop *loop, int fd, int old_mask, int new_mask)
{
    (void)old_mask;
    select_state *s = loop->backend_data;
    int rc = aw__backend_fd_check(loop, fd, "select");
    if (rc)
        return rc;
    if (new_mask & AW_READABLE)
        FD_SET(fd, &s->readers);
    else
        FD_CLR(fd, &s->readers);
    if (new_mask & AW_WRITABLE)
        FD_SET(fd, &s->writers);
    else
        FD_CLR(fd, &s->writers);
    if (new_mask && fd > s->max_fd)
        s->max_fd = fd;
    while (s->max_fd >= 0 && !watched(s, s->max_fd))
        s->max_fd--;
    return 0;
}

/* select fails with EBADF if any watched descriptor was closed without
 * being unwatched. Report those as ready instead: whoever owns them then
 * sees the error on their next call, and the loop keeps running. */
static int report_closed(aw_loop *loop, select_state *s)
{
    int n = 0;
    for (int fd = 0; fd <= s->max_fd; fd++)
        if (watched(s, fd) && fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            aw__loop_fd_ready(loop, fd, AW_READABLE | AW_WRITABLE);
            n++;
        }
    return n;
}

static int select_poll(aw_loop *loop, int64_t timeout_ns)
{
    select_state *s = loop->backend_data;
    fd_set readable = s->readers, writable = s->writers;
    struct timeval tv, *timeout = NULL;
    if (timeout_ns >= 0) {
        /* Round up to whole microseconds, never waking early. */
        int64_t us = (timeout_ns + 999) / 1000;
        tv.tv_sec = us / 1000000;
        tv.tv_usec = us % 1000000;
        timeout = &tv;
    }
    int n = select(s->max_fd + 1, &readable, &writable, NULL, timeout);
    if (n < 0) {
        if (errno == EINTR)
            return 0;
        if (errno == EBADF)
            return report_closed(loop, s);
        return aw__fail(-errno, "select failed");
    }
    int reported = 0;
    for (int fd = 0; fd <= s->max_fd && reported < n; fd++) {
        int mask = (FD_ISSET(fd, &readable) ? AW_READABLE : 0) |
                   (FD_ISSET(fd, &writable) ? AW_WRITABLE : 0);
        if (mask) {
            aw__loop_fd_ready(loop, fd, mask);
            /* select counts each set a descriptor is in */
            reported +=
                (mask & AW_READABLE ? 1 : 0) + (mask & AW_WRITABLE ? 1 : 0);
        }
    }
    return n;
}

const aw_backend_ops aw__backend_select = {
    .name = "select",
    .create = select_create_backend,
    .destroy = select_destroy_backend,
    .watch = select_watch,
    .poll = select_poll,
};
