/*
 * Reference solution: 11-system/hash_files.
 *
 * max_parallel worker tasks take the next file index from a shared
 * counter (a pool of tasks rather than a task per file), so that at most
 * that many files are in flight. Each reads a chunk in the loop's thread
 * and hands it to the executor with aw_to_thread; the chunk's buffer is
 * the task's, and it stays alive until the job is done, since the task
 * awaits the job (a cancelled await would not stop the thread).
 */
#include "aw.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

enum { HASH_CHUNK = 64 * 1024 };
#define FNV_OFFSET_BASIS 14695981039346656037ull

uint64_t hash_chunk(uint64_t h, const void *data, size_t len);

typedef struct {
    const char *const *paths;
    size_t n, next; /* the next file to take */
    uint64_t *hashes;
    int *errors; /* per file */
} pool;

typedef struct {
    uint64_t h;
    const char *data;
    size_t len;
} chunk_job;

static int run_chunk(void *arg, void **result)
{
    chunk_job *j = arg;
    j->h = hash_chunk(j->h, j->data, j->len);
    *result = NULL;
    return 0;
}

/* Hash one file: 0 and *out, or a negative error. */
static int hash_one(const char *path, char *buf, uint64_t *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    chunk_job job = {.h = FNV_OFFSET_BASIS, .data = buf};
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, HASH_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -errno : 0;
            break;
        }
        job.len = (size_t)n;
        aw_future *f = aw_to_thread(aw_running_loop(), run_chunk, &job);
        if (!f) {
            rc = -ENOMEM;
            break;
        }
        /* job and buf are ours: wait until the thread is done with them,
         * even if this task is cancelled meanwhile. */
        while ((rc = aw_await(f, NULL)) == AW_ECANCELLED && !aw_future_done(f))
            ;
        aw_future_release(f);
        if (rc != 0)
            break;
    }
    close(fd);
    if (rc == 0)
        *out = job.h;
    return rc;
}

static void *worker(void *arg)
{
    pool *p = arg;
    char *buf = malloc(HASH_CHUNK);
    if (!buf)
        return aw_raise(-ENOMEM, NULL);
    while (p->next < p->n) {
        size_t i = p->next++;
        p->errors[i] = hash_one(p->paths[i], buf, &p->hashes[i]);
        if (p->errors[i] != 0)
            p->hashes[i] = 0;
    }
    free(buf);
    return NULL;
}

int hash_files(const char *const *paths, size_t n, uint64_t *hashes,
               size_t max_parallel)
{
    pool p = {.paths = paths, .n = n, .hashes = hashes};
    p.errors = calloc(n ? n : 1, sizeof *p.errors);
    size_t nworkers = max_parallel < 1 ? 1 : max_parallel;
    if (nworkers > n)
        nworkers = n;
    aw_task **workers = calloc(nworkers ? nworkers : 1, sizeof *workers);
    if (!p.errors || !workers) {
        free(p.errors);
        free(workers);
        return -ENOMEM;
    }
    for (size_t k = 0; k < nworkers; k++)
        workers[k] = aw_task_create(aw_running_loop(), worker, &p, "hasher");
    int rc = 0;
    for (size_t k = 0; k < nworkers; k++) {
        if (!workers[k]) {
            rc = -ENOMEM;
            continue;
        }
        /* Every worker uses p: wait for each, whatever happens. */
        while (!aw_future_done(aw_task_future(workers[k])))
            aw_await(aw_task_future(workers[k]), NULL);
        if (rc == 0)
            rc = aw_task_error(workers[k]);
        aw_task_release(workers[k]);
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = p.errors[i];
    free(p.errors);
    free(workers);
    return rc;
}
