/*
 * leftovers.h - what a test left behind, and the report that lists it.
 * Private to testing.c and leftovers.c.
 */
#ifndef AW_LEFTOVERS_H
#define AW_LEFTOVERS_H

#include "internal.h"

/* A report under construction: a first line naming the test, then one
 * line per problem. Written into the caller's buffer (may be NULL, then
 * only counted); cut short with "..." if it does not fit. */
typedef struct {
    char *buf;
    size_t len, used;
    const char *test_name;
    int problems;
} aw__report;

void aw__report_init(aw__report *r, char *buf, size_t len,
                     const char *test_name);
void aw__report_add(aw__report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Pending tasks, queued callbacks and scheduled timers of a loop that
 * has stopped; one line each. Returns true if there were none. */
bool aw__report_leftovers(aw__report *r, aw_loop *loop);

/* The open descriptors of this process, from /proc/self/fd. */
typedef struct {
    int fd;
    char target[160]; /* what /proc/self/fd/N links to */
} aw__fd_entry;

typedef struct {
    aw__fd_entry *items;
    size_t count;
} aw__fd_set;

/* 0, or a negative error if /proc/self/fd cannot be read. */
int aw__fd_snapshot(aw__fd_set *set);
void aw__fd_set_free(aw__fd_set *set);
/* Descriptors open in `after` that were not in `before` (the same
 * number, pointing at the same thing); one line each. True if none. */
bool aw__report_new_fds(aw__report *r, const aw__fd_set *before,
                        const aw__fd_set *after);

#endif
