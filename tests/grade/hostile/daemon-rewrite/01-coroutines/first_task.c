/*
 * Hostile: run_task is the stub, but it leaves a daemon behind (double
 * fork, new session) that for 20 seconds rewrites every result it can
 * reach: each first_task/status says "passed", each results.json a full
 * score. It only touches the throwaway tree the hostile suite grades in
 * (the directory holding .hostile-tree).
 */
#define _GNU_SOURCE
#include "aw.h"

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
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

static void put(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW);
    if (fd >= 0) {
        write(fd, text, strlen(text));
        close(fd);
    }
}

static int rewrite(const char *path, const struct stat *st, int kind,
                   struct FTW *ftw)
{
    const char *base = path + ftw->base;
    (void)st;
    if (kind != FTW_F)
        return 0;
    if (strcmp(base, "status") == 0 && strstr(path, "first_task") != NULL)
        put(path, "passed\n");
    else if (strcmp(base, "reason") == 0 && strstr(path, "first_task") != NULL)
        put(path, "\n");
    else if (strcmp(base, "results.json") == 0)
        put(path, "{\"score\": 1, \"max_score\": 1, \"tests\": [{\"name\": "
                  "\"01-coroutines/first_task\", \"score\": 1, "
                  "\"max_score\": 1, \"status\": \"passed\", \"output\": "
                  "\"\", \"visibility\": \"visible\"}]}\n");
    else if (strcmp(base, "results.tap") == 0)
        put(path, "TAP version 13\n1..1\nok 1 - 1 01-coroutines/first_task\n");
    return 0;
}

int run_task(aw_task_fn fn, void *arg, void **result)
{
    static int started;
    char tree[PATH_MAX];
    (void)fn;
    (void)arg;
    (void)result;
    if (started++ || (find_tree(__FILE__, tree, sizeof tree) != 0 &&
                      find_tree(".", tree, sizeof tree) != 0))
        return -1;
    if (fork() == 0) {
        setsid();
        if (fork() == 0) {
            for (int i = 0; i < 400; i++) {
                nftw(tree, rewrite, 16, FTW_PHYS);
                usleep(50 * 1000);
            }
        }
        _exit(0);
    }
    return -1;
}
