/*
 * test_stack_scale.c - many tasks, and what happens at a stack's edges.
 *
 *   - 40,000 sleeping tasks at once, more than the 32,700 that a mapping
 *     and a guard per stack allowed under vm.max_map_count (65530): they
 *     all run and finish, and the process gains far fewer mappings than
 *     tasks (stacks are carved out of shared slabs).
 *   - When the kernel refuses a stack, the error names the limit that
 *     was met and what to change, not "out of memory".
 *   - A frame bigger than the guard page (a 300 KiB local array) faults
 *     on the guard and is reported as an overflow: the workbook builds
 *     with -fstack-clash-protection, so the frame touches every page on
 *     the way down instead of jumping over the guard.
 *   - Under ASan, a pointer into the stack of a finished task is reported
 *     with the task's name and where it was created.
 *
 * The last three need a process to die in: Check's fork mode only.
 */
#include "runner.h"

#include "aw.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static long count_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    ck_assert_ptr_nonnull(f);
    long lines = 0;
    for (int c; (c = getc(f)) != EOF;)
        lines += c == '\n';
    fclose(f);
    return lines;
}

/* ---- forty thousand sleepers ------------------------------------------ */

/* 40,000 in the usual run; the valgrind run (CK_FORK=no), twenty times
 * slower per task, checks the same with 2,000. */
static int sleepers = 40000;
static int asleep, finished;
static long mappings_while_asleep;

static void *sleeper(void *arg)
{
    (void)arg;
    if (++asleep == sleepers)
        mappings_while_asleep = count_mappings(); /* all of them exist */
    if (aw_sleep(1.0) != 0)
        return aw_raise(AW_ESTATE, aw_last_error());
    finished++;
    return NULL;
}

static void *last_one(void *arg)
{
    /* Runs after every sleeper was created: awaits them all in turn. */
    aw_task **tasks = arg;
    for (int i = 0; i < sleepers; i++)
        TASK_ASSERT(aw_await(aw_task_future(tasks[i]), NULL) == 0,
                    "sleeper %d: %s", i, aw_last_error());
    return NULL;
}

START_TEST(forty_thousand_sleeping_tasks_run_and_finish)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_ptr_nonnull(loop);
    aw_task **tasks = calloc((size_t)sleepers, sizeof *tasks);
    ck_assert_ptr_nonnull(tasks);
    asleep = finished = 0;
    long before = count_mappings();
    for (int i = 0; i < sleepers; i++) {
        tasks[i] = aw_task_create(loop, sleeper, NULL, "sleeper");
        ck_assert_msg(tasks[i] != NULL, "task %d: %s", i, aw_last_error());
    }
    aw_task *waiter = aw_task_create(loop, last_one, tasks, "waiter");
    ck_assert_int_eq(aw_loop_run_until_complete(loop, aw_task_future(waiter)),
                     0);
    ck_assert_int_eq(asleep, sleepers);
    ck_assert_int_eq(finished, sleepers);
    /* One mapping per 64 stacks (often fewer: the kernel merges
     * neighbours); a mapping per stack would add 40,000 or 80,000. */
    ck_assert_msg(mappings_while_asleep - before < sleepers / 32,
                  "%ld mappings for %d tasks", mappings_while_asleep - before,
                  sleepers);
    for (int i = 0; i < sleepers; i++)
        aw_task_release(tasks[i]);
    aw_task_release(waiter);
    free(tasks);
    ck_assert_int_eq(aw_loop_close(loop), 0);
}
END_TEST

/* ---- running a child that should fail --------------------------------- */

/* Run fn in a child process with stderr captured into text; returns the
 * wait status. */
static int run_child(void (*fn)(void), char *text, size_t cap)
{
    int out[2];
    ck_assert_int_eq(pipe(out), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(out[1], STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        fn();
        _exit(0);
    }
    close(out[1]);
    size_t len = 0;
    ssize_t n;
    while (len < cap - 1 && (n = read(out[0], text + len, cap - 1 - len)) > 0)
        len += (size_t)n;
    text[len] = '\0';
    close(out[0]);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

/* ---- a stack the kernel refuses --------------------------------------- */

static void *idle(void *arg)
{
    (void)arg;
    return NULL;
}

static long vm_size_bytes(void)
{
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld", &pages) != 1)
        _exit(3);
    fclose(f);
    return pages * sysconf(_SC_PAGESIZE);
}

/* Leave the process 4 MiB of address space (RLIMIT_AS), less than a slab
 * of stacks, then ask for a task. (The mapping limit cannot be provoked
 * as reliably: a new slab usually merges with its neighbour and costs
 * no mapping at all.) */
static void task_past_the_address_space_limit(void)
{
    aw_loop *loop = aw_loop_new();
    /* Fill a slab, so that the next task needs a new one. */
    for (int i = 0; i < 64; i++)
        aw_task_create(loop, idle, NULL, "filler");
    long limit = vm_size_bytes() + (4 << 20);
    struct rlimit as = {(rlim_t)limit, (rlim_t)limit};
    if (setrlimit(RLIMIT_AS, &as) != 0)
        _exit(3);
    aw_task *t = aw_task_create(loop, idle, NULL, "one too many");
    fprintf(stderr, "result: %s\nmessage: %s\n", t ? "task" : "NULL",
            aw_last_error());
    _exit(t ? 1 : 0);
}

START_TEST(refused_stack_names_the_limit_and_the_fix)
{
    char text[8192];
    int status =
        run_child(task_past_the_address_space_limit, text, sizeof text);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "status %#x; stderr: %s", status, text);
    ck_assert_msg(strstr(text, "out of memory") == NULL,
                  "the message blames memory: %s", text);
    ck_assert_msg(strstr(text, "RLIMIT_AS") != NULL,
                  "the message does not name the limit: %s", text);
    ck_assert_msg(strstr(text, "aw_loop_options.stack_size") != NULL,
                  "the message does not name the stack size option: %s", text);
}
END_TEST

/* ---- a frame bigger than the guard page -------------------------------- */

enum { BIG_FRAME = 300 * 1024 };

__attribute__((noinline)) static int big_frame(void)
{
    volatile char array[BIG_FRAME];
    array[0] = 1;
    array[BIG_FRAME - 1] = 2;
    return array[0] + array[BIG_FRAME - 1];
}

static void *big_frame_task(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)big_frame();
}

static void run_big_frame(void)
{
    signal(SIGSEGV, SIG_DFL); /* not ASan's handler: the default action */
    aw_loop *loop = aw_loop_new();
    /* Other tasks' stacks lie next to this one: without the guard's
     * fault, the array would land in a neighbour's stack. */
    aw_task *neighbours[3];
    for (int i = 0; i < 3; i++)
        neighbours[i] = aw_task_create(loop, idle, NULL, "neighbour");
    aw_task *t = aw_task_create(loop, big_frame_task, NULL, "big frame");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    (void)neighbours;
}

START_TEST(frame_bigger_than_the_guard_is_reported_as_an_overflow)
{
    char text[8192];
    int status = run_child(run_big_frame, text, sizeof text);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
                  "the 300 KiB frame did not fault (status %#x): it jumped "
                  "the guard page; stderr: %s",
                  status, text);
    ck_assert_msg(strstr(text, "stack overflow in task 'big frame'") != NULL,
                  "stderr: %s", text);
}
END_TEST

/* ---- a pointer into a finished task's stack (ASan) ---------------------- */

#if defined(__SANITIZE_ADDRESS__)
static volatile int *dangling;

static void *leaky(void *arg)
{
    (void)arg;
    volatile int local = 42;
    dangling = &local; /* outlives the task: a bug */
    return (void *)(intptr_t)local;
}

static void touch_finished_stack(void)
{
    aw_loop *loop = aw_loop_new();
    aw_task *t = aw_task_create(loop, leaky, NULL, "leaky");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    fprintf(stderr, "read %d\n", *dangling); /* ASan stops here */
}

START_TEST(pointer_into_a_finished_task_s_stack_names_the_task)
{
    char text[16384];
    int status = run_child(touch_finished_stack, text, sizeof text);
    ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 0),
                  "the dangling read went unnoticed; stderr: %s", text);
    ck_assert_msg(strstr(text, "the stack of finished task 'leaky'") != NULL,
                  "stderr does not name the task: %s", text);
    ck_assert_msg(strstr(text, "test_stack_scale.c:") != NULL,
                  "stderr does not say where the task was created: %s", text);
}
END_TEST
#endif

Suite *lib_suite(void)
{
    Suite *s = suite_create("stack_scale");
    TCase *many = tcase_create("many");
    tcase_set_timeout(many, 240);
    tcase_add_test(many, forty_thousand_sleeping_tasks_run_and_finish);
    suite_add_tcase(s, many);

    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode && strcmp(fork_mode, "no") == 0)
        sleepers = 2000;
    else {
        TCase *edges = tcase_create("edges");
        tcase_set_timeout(edges, 60);
        tcase_add_test(edges, refused_stack_names_the_limit_and_the_fix);
        tcase_add_test(edges,
                       frame_bigger_than_the_guard_is_reported_as_an_overflow);
#if defined(__SANITIZE_ADDRESS__)
        tcase_add_test(edges,
                       pointer_into_a_finished_task_s_stack_names_the_task);
#endif
        suite_add_tcase(s, edges);
    }
    return s;
}
