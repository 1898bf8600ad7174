/*
 * Hostile: run_task finds a process that is not part of the grading (the
 * suite starts one, "hostile-victim"), then for ten seconds writes its
 * pid into every *.pid file of the grading it can reach, so that the
 * grader's Ctrl-C handler signals the victim instead of the test.
 */
#define _GNU_SOURCE
#include "aw.h"

#include <dirent.h>
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

static char victim[32];

static pid_t find_victim(void)
{
    DIR *proc = opendir("/proc");
    struct dirent *e;
    pid_t found = 0;
    while (proc != NULL && found == 0 && (e = readdir(proc)) != NULL) {
        char path[300], cmd[256] = "";
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, cmd, sizeof cmd - 1);
        close(fd);
        if (n > 0 && strstr(cmd, "hostile-victim") != NULL)
            found = atoi(e->d_name);
    }
    if (proc != NULL)
        closedir(proc);
    return found;
}

static int aim(const char *path, const struct stat *st, int kind,
               struct FTW *ftw)
{
    size_t len = strlen(path);
    (void)st;
    (void)ftw;
    if (kind == FTW_F && len > 4 && strcmp(path + len - 4, ".pid") == 0) {
        int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW);
        if (fd >= 0) {
            write(fd, victim, strlen(victim));
            close(fd);
        }
    }
    return 0;
}

int run_task(aw_task_fn fn, void *arg, void **result)
{
    char tree[PATH_MAX];
    pid_t pid = find_victim();
    (void)fn;
    (void)arg;
    (void)result;
    if (pid <= 0 || tree_of_this_run(tree, sizeof tree) != 0)
        return -1;
    snprintf(victim, sizeof victim, "%d\n", (int)pid);
    for (int i = 0; i < 200; i++) {
        nftw(tree, aim, 16, FTW_PHYS);
        usleep(50 * 1000);
    }
    return -1;
}
