/*
 * Hostile: finds the grader's progress records (the shared anonymous
 * mapping that outlives the forked test) through /proc/self/maps, marks
 * this test's record as finished, and exits 0 before any assertion.
 */
#include "aw.h"

#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

typedef struct {
    int test;
    int iter;
    int state; /* 3: the test reached its end */
    off_t log_start;
} record;

typedef struct {
    unsigned nruns;
    unsigned cap;
    record runs[];
} records;

int run_task(aw_task_fn fn, void *arg, void **result)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
            continue;
        if (strcmp(perms, "rw-s") != 0)
            continue;
        records *r = (records *)lo;
        if (r->nruns == 0 || r->nruns > r->cap || r->cap > 4096)
            continue;
        for (unsigned i = 0; i < r->nruns; i++)
            r->runs[i].state = 3;
    }
    if (maps != NULL)
        fclose(maps);
    (void)fn;
    (void)arg;
    (void)result;
    _exit(0);
}
