/*
 * leftovers.c - what a test left behind: the clean-state check of
 * aw_test (see aw_test.h and testing.c).
 *
 * Two kinds of leftovers:
 *   - in the loop: pending tasks, callbacks queued but never run, timers
 *     still scheduled. Read from the loop itself once it has stopped.
 *   - in the process: file descriptors. The kernel lists a process's
 *     open descriptors in /proc/self/fd, each a symbolic link to what it
 *     is ("socket:[81234]", "pipe:[5678]", "/tmp/data.txt"). A snapshot
 *     before the test and one after, compared, give the descriptors the
 *     test opened and never closed.
 */
#define _GNU_SOURCE /* readlinkat's declaration in older glibc */
#include "leftovers.h"
#include "observer.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the report ------------------------------------------------------- */

static void append(aw__report *r, const char *fmt, va_list ap)
{
    if (!r->buf || r->len == 0 || r->used + 1 >= r->len)
        return;
    size_t room = r->len - r->used;
    int n = vsnprintf(r->buf + r->used, room, fmt, ap);
    if (n < 0)
        return;
    if ((size_t)n < room) {
        r->used += (size_t)n;
        return;
    }
    /* Cut short: end with "..." so the reader knows there is more. */
    r->used = r->len - 1;
    if (r->len > 4)
        memcpy(r->buf + r->len - 4, "...", 4);
}

static void append_text(aw__report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    append(r, fmt, ap);
    va_end(ap);
}

void aw__report_init(aw__report *r, char *buf, size_t len,
                     const char *test_name)
{
    *r = (aw__report){.buf = buf, .len = len, .test_name = test_name};
    if (buf && len)
        buf[0] = '\0';
}

void aw__report_add(aw__report *r, const char *fmt, ...)
{
    if (r->problems++ == 0) {
        if (r->test_name)
            append_text(r, "async test '%s' failed:", r->test_name);
        else
            append_text(r, "async test failed:");
    }
    append_text(r, "\n  ");
    va_list ap;
    va_start(ap, fmt);
    append(r, fmt, ap);
    va_end(ap);
}

/* ---- leftovers in the loop -------------------------------------------- */

static void report_tasks(aw__report *r, aw_loop *loop)
{
    /* The list is newest first; report in creation order. */
    aw_task *t = loop->tasks;
    while (t && t->next)
        t = t->next;
    for (; t; t = t->prev) {
        char awaiting[160];
        aw_task_describe_awaiting(t, awaiting, sizeof awaiting);
        if (strcmp(awaiting, "-") == 0)
            snprintf(awaiting, sizeof awaiting, "nothing (ready to run)");
        aw__report_add(r,
                       "task '%s' (#%llu), created at %s, is still pending, "
                       "awaiting %s",
                       t->name, (unsigned long long)t->id, t->origin, awaiting);
    }
}

static void report_ready(aw__report *r, aw_loop *loop)
{
    const aw_ready_queue *q = &loop->ready;
    for (size_t i = 0; i < q->len; i++) {
        const aw_ready_item *item = &q->items[(q->head + i) & (q->cap - 1)];
        aw_task *task = aw__task_of_step(item->fn, item->arg);
        if (task && task->state != AW_TASK_DONE &&
            task->state != AW_TASK_CANCELLED)
            continue; /* a pending task's next step: reported as a task */
        char name[200];
        aw__callback_name(item->fn, item->arg, name, sizeof name);
        aw__report_add(r,
                       "callback %s is still queued: it was scheduled "
                       "but never ran",
                       name);
    }
}

static int by_deadline(const void *a, const void *b)
{
    const aw_timer *x = *(aw_timer *const *)a, *y = *(aw_timer *const *)b;
    if (x->when != y->when)
        return x->when < y->when ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Timers of aw_call_later and aw_call_at. The library's own timers (a
 * sleeping task's, aw_wait_for's) belong to a pending task, reported
 * with it. */
static void report_timers(aw__report *r, aw_loop *loop)
{
    const aw_timer_heap *h = &loop->timers;
    aw_timer **sorted = malloc((h->len + 1) * sizeof *sorted);
    if (!sorted) {
        if (h->len)
            aw__report_add(r, "%zu timer(s) still scheduled", h->len);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < h->len; i++)
        if (h->items[i]->owned_by_heap)
            sorted[n++] = h->items[i];
    qsort(sorted, n, sizeof *sorted, by_deadline);
    aw_ns now = aw__loop_now(loop);
    for (size_t i = 0; i < n; i++) {
        char name[200];
        aw__symbol_name((const void *)sorted[i]->fn, name, sizeof name);
        aw__report_add(r,
                       "timer #%llu (aw_call_later/aw_call_at) is still "
                       "scheduled: due in %.3f s, it would call %s",
                       (unsigned long long)aw__timer_id(sorted[i]),
                       (double)(sorted[i]->when - now) / 1e9, name);
    }
    free(sorted);
}

bool aw__report_leftovers(aw__report *r, aw_loop *loop)
{
    int before = r->problems;
    report_tasks(r, loop);
    report_ready(r, loop);
    report_timers(r, loop);
    return r->problems == before;
}

/* ---- leftovers in the process: descriptors ---------------------------- */

static int by_fd(const void *a, const void *b)
{
    const aw__fd_entry *x = a, *y = b;
    return (x->fd > y->fd) - (x->fd < y->fd);
}

void aw__fd_set_free(aw__fd_set *set)
{
    free(set->items);
    *set = (aw__fd_set){0};
}

int aw__fd_snapshot(aw__fd_set *set)
{
    *set = (aw__fd_set){0};
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return aw__fail(-errno, "cannot list /proc/self/fd");
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (e->d_name[0] == '.' || *end != '\0' || fd == dirfd(dir))
            continue; /* ".", "..", and the listing's own descriptor */
        if (set->count == cap) {
            cap = cap ? cap * 2 : 32;
            aw__fd_entry *items = realloc(set->items, cap * sizeof *items);
            if (!items) {
                closedir(dir);
                aw__fd_set_free(set);
                return aw__fail(-ENOMEM, "out of memory");
            }
            set->items = items;
        }
        aw__fd_entry *item = &set->items[set->count++];
        item->fd = (int)fd;
        ssize_t n = readlinkat(dirfd(dir), e->d_name, item->target,
                               sizeof item->target - 1);
        item->target[n > 0 ? n : 0] = '\0';
    }
    closedir(dir);
    /* readdir's order is the kernel's; reports list descriptors in order. */
    qsort(set->items, set->count, sizeof *set->items, by_fd);
    return 0;
}

static bool was_open(const aw__fd_set *set, const aw__fd_entry *item)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i].fd == item->fd &&
            strcmp(set->items[i].target, item->target) == 0)
            return true;
    return false;
}

bool aw__report_new_fds(aw__report *r, const aw__fd_set *before,
                        const aw__fd_set *after)
{
    int problems = r->problems;
    for (size_t i = 0; i < after->count; i++)
        if (!was_open(before, &after->items[i]))
            aw__report_add(r,
                           "descriptor %d (%s) was opened during the test "
                           "and is still open",
                           after->items[i].fd, after->items[i].target);
    return r->problems == problems;
}
