/*
 * gather_second_error.c - twin of gather_second_error.py: the gather
 * passes on the first of two errors and marks the second as retrieved,
 * so debug mode does not warn that it was lost; a lone task's lost error
 * is warned about. Debug mode's reports go to a temporary file, whose
 * warnings are counted.
 */
#include "twin.h"

#include <string.h>

static FILE *debug_log;

typedef struct {
    const char *name;
    aw_future *go;
} job;

static void *fail(void *arg)
{
    job *j = arg;
    aw_await(j->go, NULL);
    printf("%s: fails\n", j->name);
    char message[64];
    snprintf(message, sizeof message, "%s failed", j->name);
    return aw_raise(-EIO, message);
}

/* How many "never retrieved" reports debug mode wrote since last time. */
static void report(const char *what)
{
    int warnings = 0;
    char line[512];
    fflush(debug_log);
    rewind(debug_log);
    while (fgets(line, sizeof line, debug_log))
        warnings += strstr(line, "never retrieved") != NULL;
    printf("%s: %d never-retrieved warning(s)\n", what, warnings);
    debug_log = freopen(NULL, "w+", debug_log);
    aw_debug_set_output(debug_log);
}

static void gathered_errors(aw_loop *loop)
{
    aw_future *go_a = aw_future_new(loop), *go_b = aw_future_new(loop);
    job jobs[2] = {{"a", go_a}, {"b", go_b}};
    aw_task *a = aw_task_create(loop, fail, &jobs[0], NULL);
    aw_task *b = aw_task_create(loop, fail, &jobs[1], NULL);
    aw_future *inputs[2] = {aw_task_future(a), aw_task_future(b)};
    aw_future *gathered = aw_gather(loop, inputs, 2);
    aw_future_set_result(go_a, NULL);
    if (aw_await(gathered, NULL) != 0)
        printf("main: gather raised '%s'\n", aw_future_message(gathered));
    aw_future_release(gathered);
    aw_future_set_result(go_b, NULL); /* b fails only now */
    aw_sleep(0.01);
    aw_future_release(go_a);
    aw_future_release(go_b);
    aw_task_release(a);
    aw_task_release(b);
}

static void lone_error(aw_loop *loop)
{
    aw_future *go = aw_future_new(loop);
    aw_future_set_result(go, NULL);
    job c_job = {"c", go};
    aw_task *c = aw_task_create(loop, fail, &c_job, NULL);
    aw_sleep(0.01);
    aw_future_release(go);
    aw_task_release(c);
}

static void *main_task(void *arg)
{
    (void)arg;
    gathered_errors(aw_running_loop());
    report("gather");
    lone_error(aw_running_loop());
    report("lone task");
    return NULL;
}

int main(void)
{
    debug_log = tmpfile();
    if (!debug_log)
        return 1;
    aw_debug_set_output(debug_log);
    int rc = run_twin(main_task, NULL, true);
    aw_debug_set_output(NULL);
    fclose(debug_log);
    return rc;
}
