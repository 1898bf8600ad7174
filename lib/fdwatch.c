/*
 * fdwatch.c - readers and writers on file descriptors (selector style).
 *
 * The loop keeps, per descriptor, which events are wanted and what to call.
 * The backend is told only about changes to the set of wanted events.
 */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static aw_fd_watch *watch_for(aw_loop *loop, int fd)
{
    if (fd >= loop->fds_cap) {
        int cap = loop->fds_cap ? loop->fds_cap : 64;
        while (cap <= fd)
            cap *= 2;
        aw_fd_watch *fds = realloc(loop->fds, (size_t)cap * sizeof *fds);
        if (!fds)
            return NULL;
        memset(fds + loop->fds_cap, 0,
               (size_t)(cap - loop->fds_cap) * sizeof *fds);
        loop->fds = fds;
        loop->fds_cap = cap;
    }
    return &loop->fds[fd];
}

static int change(aw_loop *loop, int fd, int event, aw_callback fn, void *arg,
                  const char *who)
{
    if (!loop)
        return aw__fail(AW_EMISUSE, "%s: loop is NULL", who);
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "%s: the loop is closed", who);
    if (fd < 0)
        return aw__fail(AW_EMISUSE, "%s: invalid descriptor %d", who, fd);
    if (!loop->backend->watch)
        return aw__fail(AW_EMISUSE,
                        "%s: the %s backend reports completions, "
                        "not readiness",
                        who, loop->backend->name);
    aw_fd_watch *w = fd < loop->fds_cap || fn ? watch_for(loop, fd) : NULL;
    if (!w)
        return fn ? aw__fail(-ENOMEM, "%s: out of memory", who) : 0;
    int old_mask = w->mask;
    int new_mask = fn ? old_mask | event : old_mask & ~event;
    if (new_mask != old_mask) {
        int rc = loop->backend->watch(loop, fd, old_mask, new_mask);
        /* A descriptor closed before its watch was removed has already
         * left the kernel's set (EBADF): forget it anyway, as asyncio
         * does, or the loop would wait on it forever. */
        if (rc == -EBADF && new_mask == 0)
            rc = 0;
        if (rc != 0)
            return aw__fail(rc, "%s: fd %d: %s", who, fd, aw_last_error());
        loop->watched_fds += (new_mask != 0) - (old_mask != 0);
        w->mask = new_mask;
    }
    if (event == AW_READABLE) {
        w->on_readable = fn;
        w->readable_arg = arg;
    } else {
        w->on_writable = fn;
        w->writable_arg = arg;
    }
    return 0;
}

int aw_add_reader(aw_loop *loop, int fd, aw_callback fn, void *arg)
{
    if (!fn)
        return aw__fail(AW_EMISUSE, "aw_add_reader: callback is NULL");
    return change(loop, fd, AW_READABLE, fn, arg, "aw_add_reader");
}

int aw_remove_reader(aw_loop *loop, int fd)
{
    return change(loop, fd, AW_READABLE, NULL, NULL, "aw_remove_reader");
}

int aw_add_writer(aw_loop *loop, int fd, aw_callback fn, void *arg)
{
    if (!fn)
        return aw__fail(AW_EMISUSE, "aw_add_writer: callback is NULL");
    return change(loop, fd, AW_WRITABLE, fn, arg, "aw_add_writer");
}

int aw_remove_writer(aw_loop *loop, int fd)
{
    return change(loop, fd, AW_WRITABLE, NULL, NULL, "aw_remove_writer");
}

/* ANCHOR: dispatch */
/* The ready queue holds the descriptor, not the callback: the watch is
 * looked up when the item runs, so a reader removed earlier in the same
 * pass is not called with an argument its owner may have freed. */
static void dispatch(aw_loop *loop, int fd, int event)
{
    if (fd >= loop->fds_cap)
        return;
    aw_fd_watch *w = &loop->fds[fd];
    if (!(w->mask & event))
        return;
    if (event == AW_READABLE)
        w->on_readable(w->readable_arg);
    else
        w->on_writable(w->writable_arg);
}

/* Pack the descriptor into the item's argument: no allocation per event. */
static void dispatch_readable(void *arg)
{
    dispatch(aw_running_loop(), (int)(intptr_t)arg, AW_READABLE);
}

static void dispatch_writable(void *arg)
{
    dispatch(aw_running_loop(), (int)(intptr_t)arg, AW_WRITABLE);
}

void aw__loop_fd_ready(aw_loop *loop, int fd, int mask)
{
    void *arg = (void *)(intptr_t)fd;
    if (mask & AW_READABLE)
        aw__ready_push(&loop->ready, dispatch_readable, arg);
    if (mask & AW_WRITABLE)
        aw__ready_push(&loop->ready, dispatch_writable, arg);
}
/* ANCHOR_END: dispatch */
