/*
 * Exercise (find the bug): errors that vanish.
 *
 * save_all(loop, records, n, why, why_len) saves n records, each in a
 * task of its own so that all the writes happen at the same time (0.1 s
 * of loop time in all, not n times 0.1 s). It must return
 *   - 0 if every record was saved;
 *   - otherwise the error of the first record that failed, first in the
 *     order of the records array, with that task's message copied into
 *     why (cut to fit why_len, '\0'-terminated).
 *
 * It always returns 0. A record without an id fails its task, and
 * nobody ever looks: the tasks are fire and forget. The grader runs in
 * debug mode; its report "failed and its error was never retrieved"
 * names each task whose error was lost.
 *
 * Fix save_all: keep every task, wait until all have finished, read
 * every task's error (every one: an error read by nobody is what debug
 * mode reports), and release them. The records that can be saved must
 * still be saved, all at once.
 *
 * store(r) is the database: the grader provides it.
 *
 * See chapter 3, sections "Debug mode" and "Pitfalls".
 */
#include "aw.h"

#include <stdio.h>
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
} batch;

static void *save_batch(void *arg)
{
    batch *b = arg;
    aw_loop *loop = aw_running_loop();
    for (size_t i = 0; i < b->n; i++) {
        char name[32];
        snprintf(name, sizeof name, "save-%zu", i);
        /* Start the write and move on: it runs by itself. */
        aw_task_release(
            aw_task_create(loop, save_record, (void *)&b->records[i], name));
    }
    return aw_sleep(0.2) == 0 ? b : NULL; /* give the writes time */
}

int save_all(aw_loop *loop, const record *records, size_t n, char *why,
             size_t why_len)
{
    batch b = {records, n};
    aw_task *t = aw_task_create(loop, save_batch, &b, "save-all");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    if (rc)
        snprintf(why, why_len, "%s", aw_last_error());
    aw_task_release(t);
    return rc;
}
