/*
 * Hostile: run_task is the stub, and it finds the other students' folders
 * through __FILE__ (its own file is STUDENT/01-coroutines/first_task.c,
 * so its siblings are ../../OTHER/) and overwrites their first_task.c
 * with a copy of itself. Only inside the suite's throwaway tree.
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

int run_task(aw_task_fn fn, void *arg, void **result)
{
    char tree[PATH_MAX], self[PATH_MAX], students[PATH_MAX];
    (void)fn;
    (void)arg;
    (void)result;
    if (tree_of_this_run(tree, sizeof tree) != 0 ||
        realpath(__FILE__, self) == NULL)
        return -1;
    snprintf(students, sizeof students, "%s", self);
    for (int up = 0; up < 3; up++) /* first_task.c, chapter, student */
        *strrchr(students, '/') = '\0';
    if (strncmp(students, tree, strlen(tree)) != 0)
        return -1;
    char command[4 * PATH_MAX];
    snprintf(command, sizeof command,
             "for f in '%s'/*/01-coroutines/first_task.c; do "
             "[ \"$f\" -ef '%s' ] || cp '%s' \"$f\"; done",
             students, self, self);
    system(command);
    return -1;
}
