/*
 * Grader for 11-system/hash_files: real files of several sizes in a
 * temporary directory; hash_chunk (defined here) checks that it runs in
 * a worker thread, counts how many calls run at once, and holds its first
 * call until a second one joins it, which proves that files are hashed
 * side by side. Missing and unreadable files on the error path. On every
 * backend.
 */
// grade-exports: hash_files
#include "check_main.h"

#include "aw.h"
#include "each_backend.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FNV_OFFSET_BASIS 14695981039346656037ull
#define FNV_PRIME 1099511628211ull

int hash_files(const char *const *paths, size_t n, uint64_t *hashes,
               size_t max_parallel);

/* ---- the grader's hash_chunk ----------------------------------------------
 */

static atomic_int in_flight, most_in_flight, calls, calls_in_loop;
static atomic_bool waited_for_partner;

static void pause_ms(int ms)
{
    struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

uint64_t hash_chunk(uint64_t h, const void *data, size_t len);
uint64_t hash_chunk(uint64_t h, const void *data, size_t len)
{
    if (aw_running_loop() != NULL)
        atomic_fetch_add(&calls_in_loop, 1); /* a loop's thread, not a worker */
    int now = atomic_fetch_add(&in_flight, 1) + 1;
    for (int most = atomic_load(&most_in_flight);
         now > most &&
         !atomic_compare_exchange_weak(&most_in_flight, &most, now);)
        ;
    atomic_fetch_add(&calls, 1);
    /* The first call waits (up to 5 s, the machine may be busy) for a second
     * one to run beside it. */
    bool expected = false;
    if (atomic_compare_exchange_strong(&waited_for_partner, &expected, true))
        for (int i = 0; i < 5000 && atomic_load(&most_in_flight) < 2; i++)
            pause_ms(1);
    else
        pause_ms(2); /* hashing takes a while */
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    atomic_fetch_sub(&in_flight, 1);
    return h;
}

static uint64_t reference_hash(const char *data, size_t len)
{
    uint64_t h = FNV_OFFSET_BASIS;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)data[i]) * FNV_PRIME;
    return h;
}

/* ---- files ------------------------------------------------------------------
 */

static char dir[64];
static char paths[24][128];
static const char *path_list[24];
static uint64_t want[24];

static void make_dir(void)
{
    strcpy(dir, "/tmp/aw-hash-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* File i of the given size, with contents that differ from file to file. */
static void make_file(int i, size_t size)
{
    snprintf(paths[i], sizeof paths[i], "%s/file%d", dir, i);
    path_list[i] = paths[i];
    char *data = malloc(size ? size : 1);
    for (size_t k = 0; k < size; k++)
        data[k] = (char)((k * 31 + (size_t)i * 7) % 251);
    int fd = open(paths[i], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
    close(fd);
    want[i] = reference_hash(data, size);
    free(data);
}

static void name_missing(int i)
{
    snprintf(paths[i], sizeof paths[i], "%s/missing%d", dir, i);
    path_list[i] = paths[i];
    want[i] = 0;
}

static void name_directory(int i)
{
    snprintf(paths[i], sizeof paths[i], "%s/subdir%d", dir, i);
    ck_assert_int_eq(mkdir(paths[i], 0700), 0);
    path_list[i] = paths[i];
    want[i] = 0;
}

static void remove_all(int n)
{
    for (int i = 0; i < n; i++) {
        unlink(paths[i]);
        rmdir(paths[i]);
    }
    rmdir(dir);
}

/* ---- running it
 * --------------------------------------------------------------- */

typedef struct {
    size_t n, max_parallel;
    int want_rc;
    int rc;
    uint64_t got[24];
} job;

static void *caller(void *arg)
{
    job *j = arg;
    for (size_t i = 0; i < j->n; i++)
        j->got[i] = 0x5555;
    j->rc = hash_files(path_list, j->n, j->got, j->max_parallel);
    return NULL;
}

static job *current;

static void run_on(aw_backend_kind kind)
{
    job *j = current;
    atomic_store(&in_flight, 0);
    atomic_store(&most_in_flight, 0);
    atomic_store(&calls, 0);
    atomic_store(&calls_in_loop, 0);
    atomic_store(&waited_for_partner, j->max_parallel < 2);
    int fds = open_fds(); /* before the loop: its executor has an fd */
    aw_loop *loop = loop_on(kind, false);
    aw_task *t = aw_task_create(loop, caller, j, "caller");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    ck_assert_msg(rc == 0, "[%s] the task calling hash_files failed (%s)",
                  backend_now, aw_strerror(rc));
    ck_assert_msg(j->rc == j->want_rc,
                  "[%s] hash_files returned %d (%s), expected %d (%s)",
                  backend_now, j->rc, aw_strerror(j->rc), j->want_rc,
                  aw_strerror(j->want_rc));
    for (size_t i = 0; i < j->n; i++)
        ck_assert_msg(j->got[i] == want[i],
                      "[%s] hashes[%zu] (%s) is %016llx, expected %016llx",
                      backend_now, i, strrchr(paths[i], '/') + 1,
                      (unsigned long long)j->got[i],
                      (unsigned long long)want[i]);
    ck_assert_msg(atomic_load(&calls_in_loop) == 0,
                  "[%s] hash_chunk ran %d time(s) in the loop's thread: "
                  "run it in a worker thread (aw_to_thread)",
                  backend_now, atomic_load(&calls_in_loop));
    ck_assert_msg(atomic_load(&most_in_flight) <= (int)j->max_parallel,
                  "[%s] %d chunks were hashed at once, but max_parallel is "
                  "%zu",
                  backend_now, atomic_load(&most_in_flight), j->max_parallel);
    if (j->max_parallel >= 2 && atomic_load(&calls) >= 2)
        ck_assert_msg(atomic_load(&most_in_flight) >= 2,
                      "[%s] only one file was hashed at a time, though "
                      "max_parallel is %zu",
                      backend_now, j->max_parallel);
    expect_loop_clean(loop, "hash_files");
    ck_assert_int_eq(aw_loop_close(loop), 0);
    ck_assert_msg(open_fds() == fds, "[%s] %d file(s) left open", backend_now,
                  open_fds() - fds);
}

static void check(job *j)
{
    current = j;
    each_backend(run_on);
}

START_TEST(files_of_every_size)
{
    make_dir();
    make_file(0, 0);
    make_file(1, 1);
    make_file(2, 64 * 1024);
    make_file(3, 200 * 1024 + 17);
    job j = {.n = 4, .max_parallel = 2};
    check(&j);
    remove_all(4);
}
END_TEST

START_TEST(one_at_a_time)
{
    make_dir();
    for (int i = 0; i < 5; i++)
        make_file(i, 1000 * (size_t)(i + 1));
    job j = {.n = 5, .max_parallel = 1};
    check(&j);
    remove_all(5);
}
END_TEST

START_TEST(many_files_few_at_once)
{
    make_dir();
    for (int i = 0; i < 20; i++)
        make_file(i, 70 * 1024 + (size_t)i);
    job j = {.n = 20, .max_parallel = 3};
    check(&j);
    remove_all(20);
}
END_TEST

START_TEST(a_missing_file_while_others_are_hashed)
{
    make_dir();
    make_file(0, 5000);
    name_missing(1);
    make_file(2, 130 * 1024);
    make_file(3, 10);
    job j = {.n = 4, .max_parallel = 2, .want_rc = -ENOENT};
    check(&j);
    remove_all(4);
}
END_TEST

START_TEST(the_first_error_in_paths_order)
{
    make_dir();
    make_file(0, 100);
    name_directory(1); /* open works, read fails: EISDIR */
    name_missing(2);
    job j = {.n = 3, .max_parallel = 3, .want_rc = -EISDIR};
    check(&j);
    remove_all(3);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("hash_files");
    TCase *tc = tcase_create("hash_files");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, files_of_every_size);
    tcase_add_test(tc, one_at_a_time);
    tcase_add_test(tc, many_files_few_at_once);
    tcase_add_test(tc, a_missing_file_while_others_are_hashed);
    tcase_add_test(tc, the_first_error_in_paths_order);
    suite_add_tcase(s, tc);
    return s;
}
