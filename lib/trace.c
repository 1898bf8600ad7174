/*
 * trace.c - an execution trace in Chrome's trace-event format.
 *
 * $AW_TRACE=trace.json (or aw_loop_trace) records what the loop does:
 * each poll (waiting for I/O or a timer, and how many events came back),
 * each callback, and each task step. The file is a JSON array of
 * "complete" events, one per line:
 *
 *   {"name":"poll","ph":"X","ts":120.5,"dur":998.2,"pid":7,"tid":1,...}
 *
 * ph "X" is a slice with a start (ts) and a duration (dur), both in
 * microseconds; pid/tid choose the row it is drawn on. Row 1 is the loop;
 * each task gets a row of its own (tid 1 + its id), so the picture shows
 * the tasks taking turns. https://ui.perfetto.dev and chrome://tracing
 * open the file; both accept a trace whose closing bracket is missing,
 * so a program that crashes still leaves a readable trace.
 */
#define _GNU_SOURCE /* asprintf */
#include "observer.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOOP_TID 1

struct aw_trace {
    FILE *file;
    char *path;
    int pid;
    aw_ns start;      /* ts 0 */
    bool first_event; /* no comma before it */
    bool *task_named; /* task_named[id]: its row has its name */
    size_t task_named_cap;
};

/* Strings in JSON: quotes, backslashes and control characters escaped. */
static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static double micros(const aw_trace *tr, aw_ns ns)
{
    return (double)(ns - tr->start) / 1000.0;
}

/* The start of an event, up to where its own fields begin. */
static void begin_event(aw_trace *tr, const char *name, const char *phase,
                        int tid)
{
    fputs(tr->first_event ? "" : ",\n", tr->file);
    tr->first_event = false;
    fputs("{\"name\":", tr->file);
    put_json_string(tr->file, name);
    fprintf(tr->file, ",\"ph\":\"%s\",\"pid\":%d,\"tid\":%d", phase, tr->pid,
            tid);
}

/* Metadata: the names of the process and of a row. */
static void name_row(aw_trace *tr, const char *what, int tid, const char *name)
{
    begin_event(tr, what, "M", tid);
    fputs(",\"args\":{\"name\":", tr->file);
    put_json_string(tr->file, name);
    fputs("}}", tr->file);
}

static void complete_event(aw_trace *tr, const char *name, const char *cat,
                           int tid, aw_ns start, aw_ns end)
{
    begin_event(tr, name, "X", tid);
    fprintf(tr->file, ",\"cat\":\"%s\",\"ts\":%.3f,\"dur\":%.3f", cat,
            micros(tr, start), (double)(end - start) / 1000.0);
}

/* Start a trace in the file named path (which it takes over). NULL with
 * errno set if the file cannot be written. */
static aw_trace *trace_create(aw_loop *loop, char *path)
{
    aw_trace *tr = calloc(1, sizeof *tr);
    FILE *file = tr ? fopen(path, "w") : NULL;
    if (!file) {
        int saved_errno = tr ? errno : ENOMEM;
        free(tr);
        free(path);
        errno = saved_errno;
        return NULL;
    }
    tr->file = file;
    tr->path = path;
    tr->pid = (int)getpid();
    tr->start = aw__monotonic_ns();
    tr->first_event = true;
    fputs("[\n", file);
    char process[64];
    snprintf(process, sizeof process, "aw loop (%s)", loop->backend->name);
    name_row(tr, "process_name", LOOP_TID, process);
    name_row(tr, "thread_name", LOOP_TID, "event loop");
    return tr;
}

aw_trace *aw__trace_open(aw_loop *loop, const char *path)
{
    /* One file per loop: the first loop of the program writes path, the
     * next ones path.2, path.3, ... (counted again if $AW_TRACE changes) */
    static char last_path[256];
    static int loops_traced;
    if (strcmp(path, last_path) != 0) {
        snprintf(last_path, sizeof last_path, "%s", path);
        loops_traced = 0;
    }
    int n = ++loops_traced;
    char *name = NULL;
    if (n == 1)
        name = strdup(path);
    else if (asprintf(&name, "%s.%d", path, n) < 0)
        name = NULL;
    aw_trace *tr = name ? trace_create(loop, name) : NULL;
    if (!tr) /* set by the environment: nobody to return an error to */
        fprintf(stderr, "aw: AW_TRACE=%s: cannot write loop %d's trace: %s\n",
                path, n, strerror(name ? errno : ENOMEM));
    return tr;
}

void aw__trace_close(aw_trace *tr)
{
    fputs("\n]\n", tr->file);
    if (fclose(tr->file) != 0)
        fprintf(stderr, "aw: trace: writing '%s' failed: %s\n", tr->path,
                strerror(errno));
    free(tr->task_named);
    free(tr->path);
    free(tr);
}

/* A task's row, named the first time the task runs. */
static int task_row(aw_trace *tr, const aw_task *task)
{
    int tid = LOOP_TID + (int)task->id;
    if (task->id >= tr->task_named_cap) {
        size_t cap = tr->task_named_cap ? tr->task_named_cap : 64;
        while (cap <= task->id)
            cap *= 2;
        bool *named = realloc(tr->task_named, cap * sizeof *named);
        if (!named)
            return tid; /* the row just stays unnamed */
        memset(named + tr->task_named_cap, 0,
               (cap - tr->task_named_cap) * sizeof *named);
        tr->task_named = named;
        tr->task_named_cap = cap;
    }
    if (!tr->task_named[task->id]) {
        tr->task_named[task->id] = true;
        char row[160];
        snprintf(row, sizeof row, "task #%llu %s (%s)",
                 (unsigned long long)task->id, task->name, task->origin);
        name_row(tr, "thread_name", tid, row);
        begin_event(tr, "thread_sort_index", "M", tid);
        fprintf(tr->file, ",\"args\":{\"sort_index\":%d}}", tid);
    }
    return tid;
}

void aw__trace_callback(aw_trace *tr, aw_ns start, aw_ns end, const char *name,
                        const aw_task *task, const char *task_state)
{
    complete_event(tr, name, task ? "task step" : "callback", LOOP_TID, start,
                   end);
    fputc('}', tr->file);
    if (!task)
        return;
    /* The same step on the task's own row: when it ran, and what it was
     * when it gave control back (pending: it awaits something). */
    int tid = task_row(tr, task);
    complete_event(tr, task->name, "task", tid, start, end);
    fprintf(tr->file, ",\"args\":{\"after\":\"%s\"}}", task_state);
}

void aw__trace_poll(aw_trace *tr, aw_ns start, aw_ns end, size_t events)
{
    complete_event(tr, "poll", "io", LOOP_TID, start, end);
    fprintf(tr->file, ",\"args\":{\"callbacks_queued\":%zu}}", events);
}

int aw_loop_trace(aw_loop *loop, const char *path)
{
    if (!loop)
        return aw__fail(AW_EMISUSE, "aw_loop_trace: loop is NULL");
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "aw_loop_trace: the loop is closed");
    aw_observer *o = aw__observer_get(loop);
    if (!o)
        return aw__fail(-ENOMEM, "aw_loop_trace: out of memory");
    if (o->trace) {
        aw__trace_close(o->trace);
        o->trace = NULL;
    }
    if (!path)
        return 0; /* NULL stops the trace and completes its file */
    char *name = strdup(path);
    o->trace = name ? trace_create(loop, name) : NULL;
    if (!o->trace) {
        int err = name ? errno : ENOMEM;
        return aw__fail(-err, "aw_loop_trace: cannot write '%s': %s", path,
                        strerror(err));
    }
    return 0;
}
