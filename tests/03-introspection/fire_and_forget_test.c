/*
 * Grader for 03-introspection/fire_and_forget: save_all saves what it
 * can, at once, and reports the first failure; debug mode must find no
 * error that nobody retrieved.
 */
// grade-exports: save_all
#include "check_main.h"

#include "aw.h"

#include <string.h>

typedef struct {
    const char *id;
    const char *body;
} record;

int save_all(aw_loop *loop, const record *records, size_t n, char *why,
             size_t why_len);

/* The database the learner's code writes to. */
static const record *stored[16];
static size_t nstored;

void store(const record *r);
void store(const record *r)
{
    if (nstored < 16)
        stored[nstored++] = r;
}

static char report[1200];

static aw_loop *debug_loop(void)
{
    aw_loop_options options = {.debug = true, .virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    ck_assert_msg(loop != NULL, "aw_loop_new_with: %s", aw_last_error());
    return loop;
}

/* Run save_all on a fresh debug loop; close it; keep the debug report. */
static int run_save_all(const record *records, size_t n, char *why,
                        size_t why_len, double *took)
{
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    aw_debug_set_output(out);
    aw_loop *loop = debug_loop();
    nstored = 0;
    why[0] = '\0';
    int rc = save_all(loop, records, n, why, why_len);
    *took = aw_loop_time(loop);
    aw_loop_stats s;
    aw_loop_get_stats(loop, &s);
    ck_assert_msg(s.tasks == 0, "%zu task(s) still pending after save_all",
                  s.tasks);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    aw_debug_set_output(NULL);
    fflush(out);
    rewind(out);
    report[fread(report, 1, sizeof report - 1, out)] = '\0';
    fclose(out);
    if (strstr(report, "never retrieved"))
        printf("Debug mode reported:\n%s", report);
    ck_assert_msg(!strstr(report, "never retrieved"),
                  "debug mode found an error that nobody retrieved (its "
                  "report is printed below)");
    return rc;
}

static bool was_stored(const record *r)
{
    for (size_t i = 0; i < nstored; i++)
        if (stored[i] == r)
            return true;
    return false;
}

static void expect_at_once(double took, size_t n)
{
    ck_assert_msg(took > 0.1 - 1e-9 && took < 0.1 + 1e-9,
                  "saving %zu records took %.3f s of loop time, expected "
                  "0.100 s: the writes must run at the same time",
                  n, took);
}

START_TEST(all_good_records_are_saved_at_once)
{
    record rs[4] = {{"1", "ada"}, {"2", "brian"}, {"3", "clara"}, {"4", "dan"}};
    char why[128];
    double took;
    int rc = run_save_all(rs, 4, why, sizeof why, &took);
    ck_assert_msg(rc == 0, "save_all returned %d (%s)", rc, why);
    ck_assert_msg(nstored == 4, "%zu of 4 records were stored", nstored);
    expect_at_once(took, 4);
}
END_TEST

START_TEST(a_record_without_id_is_reported)
{
    record rs[5] = {{"1", "ada"},
                    {"2", "brian"},
                    {"", "nobody"},
                    {"4", "dan"},
                    {"5", "eve"}};
    char why[128];
    double took;
    int rc = run_save_all(rs, 5, why, sizeof why, &took);
    ck_assert_msg(rc == -EINVAL,
                  "save_all returned %d, expected -EINVAL (%d): the record "
                  "'nobody' has no id",
                  rc, -EINVAL);
    ck_assert_msg(strcmp(why, "record 'nobody' has no id") == 0,
                  "why is \"%s\", expected \"record 'nobody' has no id\"", why);
    ck_assert_msg(nstored == 4 && !was_stored(&rs[2]),
                  "the 4 good records should be stored, and only them "
                  "(%zu stored)",
                  nstored);
    expect_at_once(took, 5);
}
END_TEST

START_TEST(the_first_failure_in_order_wins_and_every_error_is_read)
{
    record rs[4] = {
        {"1", "ada"}, {NULL, "first-bad"}, {"3", "clara"}, {"", "second-bad"}};
    char why[128];
    double took;
    int rc = run_save_all(rs, 4, why, sizeof why, &took);
    ck_assert_int_eq(rc, -EINVAL);
    ck_assert_msg(strcmp(why, "record 'first-bad' has no id") == 0,
                  "why is \"%s\": the first failure in the array should "
                  "win",
                  why);
    ck_assert_msg(nstored == 2, "%zu records stored, expected 2", nstored);
}
END_TEST

START_TEST(why_is_cut_to_fit)
{
    record rs[1] = {{NULL, "a-rather-long-body"}};
    char why[8];
    double took;
    ck_assert_int_eq(run_save_all(rs, 1, why, sizeof why, &took), -EINVAL);
    ck_assert_msg(strcmp(why, "record ") == 0,
                  "why is \"%s\", expected \"record \" (7 characters and "
                  "the '\\0')",
                  why);
}
END_TEST

START_TEST(no_records)
{
    char why[16];
    double took;
    ck_assert_int_eq(run_save_all(NULL, 0, why, sizeof why, &took), 0);
    ck_assert_uint_eq(nstored, 0);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("03-introspection/fire_and_forget");
    TCase *tc = tcase_create("save_all");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, all_good_records_are_saved_at_once);
    tcase_add_test(tc, a_record_without_id_is_reported);
    tcase_add_test(tc, the_first_failure_in_order_wins_and_every_error_is_read);
    tcase_add_test(tc, why_is_cut_to_fit);
    tcase_add_test(tc, no_records);
    suite_add_tcase(s, tc);
    return s;
}
