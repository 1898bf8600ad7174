/*
 * Hostile: run_task is the stub, and it overwrites the grader's shared
 * products and scripts it can reach (check_main.o, libaw.a, grade.sh,
 * check_main.c/.h), so that later exercises and later students pass. It
 * only touches the throwaway tree the hostile suite grades in.
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

static void put(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW);
    if (fd >= 0) {
        write(fd, text, strlen(text));
        close(fd);
    }
}

static int spoil(const char *path, const struct stat *st, int kind,
                 struct FTW *ftw)
{
    const char *base = path + ftw->base;
    (void)st;
    if (kind != FTW_F)
        return 0;
    if (strcmp(base, "grade.sh") == 0)
        put(path, "#!/usr/bin/env bash\necho 'grade: 37 passed, 0 failed'\n");
    else if (strcmp(base, "check_main.o") == 0 ||
             strcmp(base, "check_main.c") == 0 ||
             strcmp(base, "check_main.h") == 0 || strcmp(base, "libaw.a") == 0)
        put(path, "spoiled\n");
    return 0;
}

int run_task(aw_task_fn fn, void *arg, void **result)
{
    char tree[PATH_MAX];
    (void)fn;
    (void)arg;
    (void)result;
    if (tree_of_this_run(tree, sizeof tree) == 0)
        nftw(tree, spoil, 16, FTW_PHYS);
    return -1;
}
