/*
 * Exercise: find the descriptors a test forgot to close.
 *
 * aw_test's clean-state check names every descriptor a test opened and
 * left open: "descriptor 7 (socket:[81234]) was opened during the test
 * and is still open". Build that check yourself.
 *
 * Linux lists a process's open descriptors in the directory
 * /proc/self/fd: one entry per descriptor, named by its number, each a
 * symbolic link to what the descriptor is: "/dev/null", "pipe:[5678]",
 * "socket:[81234]", "anon_inode:[eventpoll]" (an epoll instance: a
 * loop!). Try `ls -l /proc/self/fd`.
 *
 * fd_snapshot(out, max)
 *     Lists the open descriptors into out[], in increasing order of
 *     number, each with its target (readlink of /proc/self/fd/N, cut to
 *     fit fd_info.target, always NUL-terminated). Returns how many
 *     descriptors there are - which may be more than max: then only the
 *     first max go into out[] - or a negative error. Careful: listing a
 *     directory opens a descriptor too (opendir); it is not one of the
 *     process's own, so leave it out.
 *
 * fd_new(before, nb, after, na, fresh)
 *     Stores in fresh[] (room for na) every descriptor of after[] that
 *     was not open before, in order, and returns how many. The same
 *     number pointing at the same target is the same descriptor; the
 *     same number pointing at something else is new (a test closed one
 *     and opened another, which got the number back).
 *
 * check_no_leaks(test, arg, report, len)
 *     Snapshots, runs test(arg), snapshots again, and writes into report
 *     one line per descriptor the test left open:
 *         descriptor 7 (socket:[81234]) was left open\n
 *     Returns how many were left open (report is "" if none).
 *
 * The type and prototypes below are fixed: the grader uses them.
 *
 * See chapter 4, section "Leftovers: the clean-state check".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int fd;
    char target[128];
} fd_info;

int fd_snapshot(fd_info *out, int max)
{
    (void)out;
    (void)max;
    return -1;
}

int fd_new(const fd_info *before, int nb, const fd_info *after, int na,
           fd_info *fresh)
{
    (void)before;
    (void)nb;
    (void)after;
    (void)na;
    (void)fresh;
    return 0;
}

int check_no_leaks(void (*test)(void *arg), void *arg, char *report, size_t len)
{
    test(arg);
    if (len > 0)
        report[0] = '\0';
    return 0;
}
