/*
 * Solution: find the descriptors a test forgot to close.
 *
 * fd_snapshot reads /proc/self/fd with opendir/readdir, skipping "." and
 * "..", and the listing's own descriptor (dirfd). readlink does not
 * terminate what it writes: the length it returns places the NUL.
 * readdir's order is the kernel's, so the entries are sorted.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int fd;
    char target[128];
} fd_info;

enum { MAX_FDS = 1024 }; /* check_no_leaks' snapshots */

static int by_number(const void *a, const void *b)
{
    const fd_info *x = a, *y = b;
    return (x->fd > y->fd) - (x->fd < y->fd);
}

int fd_snapshot(fd_info *out, int max)
{
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return -errno;
    /* Collect all, sort, then keep the first max. */
    int count = 0, cap = 64;
    fd_info *all = malloc((size_t)cap * sizeof *all);
    for (struct dirent *e; all && (e = readdir(dir));) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (e->d_name[0] == '.' || *end != '\0' || fd == dirfd(dir))
            continue;
        if (count == cap) {
            fd_info *bigger = realloc(all, (size_t)cap * 2 * sizeof *all);
            if (!bigger) {
                free(all);
                all = NULL;
                break;
            }
            all = bigger;
            cap *= 2;
        }
        fd_info *info = &all[count++];
        info->fd = (int)fd;
        ssize_t n = readlinkat(dirfd(dir), e->d_name, info->target,
                               sizeof info->target - 1);
        info->target[n > 0 ? n : 0] = '\0';
    }
    closedir(dir);
    if (!all)
        return -ENOMEM;
    qsort(all, (size_t)count, sizeof *all, by_number);
    for (int i = 0; i < count && i < max; i++)
        out[i] = all[i];
    free(all);
    return count;
}

static int was_open(const fd_info *before, int nb, const fd_info *info)
{
    for (int i = 0; i < nb; i++)
        if (before[i].fd == info->fd &&
            strcmp(before[i].target, info->target) == 0)
            return 1;
    return 0;
}

int fd_new(const fd_info *before, int nb, const fd_info *after, int na,
           fd_info *fresh)
{
    int n = 0;
    for (int i = 0; i < na; i++)
        if (!was_open(before, nb, &after[i]))
            fresh[n++] = after[i];
    return n;
}

int check_no_leaks(void (*test)(void *arg), void *arg, char *report, size_t len)
{
    static fd_info before[MAX_FDS], after[MAX_FDS], fresh[MAX_FDS];
    int nb = fd_snapshot(before, MAX_FDS);
    test(arg);
    int na = fd_snapshot(after, MAX_FDS);
    if (len > 0)
        report[0] = '\0';
    if (nb < 0 || na < 0)
        return nb < 0 ? nb : na;
    nb = nb < MAX_FDS ? nb : MAX_FDS;
    na = na < MAX_FDS ? na : MAX_FDS;
    int n = fd_new(before, nb, after, na, fresh);
    size_t used = 0;
    for (int i = 0; i < n && used < len; i++) {
        int w = snprintf(report + used, len - used,
                         "descriptor %d (%s) was left open\n", fresh[i].fd,
                         fresh[i].target);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return n;
}
