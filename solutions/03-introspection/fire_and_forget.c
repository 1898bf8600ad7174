/*
 * Solution: errors that vanish.
 * See exercises/03-introspection/fire_and_forget.c for the task.
 *
 * Debug mode said: task 'save-2' failed and its error was never
 * retrieved. The batch released each task the moment it created it, so
 * nobody could await it or read its error. Now the batch keeps the
 * tasks, gathers them, and reads each one's error in order.
 */
#include "aw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *id; /* NULL or "": the record is invalid */
    const char *body;
} record;

void store(const record *r);

static void *save_record(void *arg)
{
    const record *r = arg;
    int rc = aw_sleep(0.1); /* the write takes 0.1 s */
    if (rc)
        return aw_raise(rc, "save interrupted");
    if (!r->id || !*r->id) {
        char message[96];
        snprintf(message, sizeof message, "record '%s' has no id", r->body);
        return aw_raise(-EINVAL, message);
    }
    store(r);
    return NULL;
}

typedef struct {
    const record *records;
    size_t n;
    char *why;
    size_t why_len;
} batch;

static void *save_batch(void *arg)
{
    batch *b = arg;
    aw_loop *loop = aw_running_loop();
    aw_task **tasks = calloc(b->n + 1, sizeof *tasks);
    aw_future **futures = calloc(b->n + 1, sizeof *futures);
    if (!tasks || !futures) {
        free(tasks);
        free(futures);
        return aw_raise(-ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < b->n; i++) {
        char name[32];
        snprintf(name, sizeof name, "save-%zu", i);
        tasks[i] =
            aw_task_create(loop, save_record, (void *)&b->records[i], name);
        futures[i] = aw_task_future(tasks[i]);
    }
    /* Wait for all: gather fails early on the first error, so wait on
     * each task too; awaiting a finished task returns at once. */
    aw_future *all = aw_gather(loop, futures, b->n);
    aw_await(all, NULL);
    aw_future_release(all);
    int first = 0;
    for (size_t i = 0; i < b->n; i++) {
        while (!aw_future_done(futures[i]))
            aw_await(futures[i], NULL);
        int rc = aw_task_error(tasks[i]); /* read every error */
        if (rc && !first) {
            first = rc;
            snprintf(b->why, b->why_len, "%s", aw_task_message(tasks[i]));
        }
        aw_task_release(tasks[i]);
    }
    free(tasks);
    free(futures);
    return first ? aw_raise(first, b->why) : NULL;
}

int save_all(aw_loop *loop, const record *records, size_t n, char *why,
             size_t why_len)
{
    batch b = {records, n, why, why_len};
    aw_task *t = aw_task_create(loop, save_batch, &b, "save-all");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    return rc;
}
