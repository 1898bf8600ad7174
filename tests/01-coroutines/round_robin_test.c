/*
 * Grader for 01-coroutines/round_robin: n tasks write their letters,
 * yielding after each one, so the letters interleave turn by turn.
 */
// grade-exports: round_robin
#include "check_main.h"

#include "aw.h"

#include <string.h>

int round_robin(const int *counts, size_t n, char *out);

/* The order the turns produce: in each round, every task that still has
 * letters writes one, in the order the tasks were created. */
static void expected_order(const int *counts, size_t n, char *out)
{
    size_t len = 0;
    for (int round = 0;; round++) {
        bool wrote = false;
        for (size_t i = 0; i < n; i++) {
            if (counts[i] > round) {
                out[len++] = (char)('A' + i);
                wrote = true;
            }
        }
        if (!wrote)
            break;
    }
    out[len] = '\0';
}

/* Do a and b hold the same letters, perhaps in another order? */
static bool same_letters(const char *a, const char *b)
{
    int count[256] = {0};
    for (; *a; a++)
        count[(unsigned char)*a]++;
    for (; *b; b++)
        count[(unsigned char)*b]--;
    for (int i = 0; i < 256; i++)
        if (count[i] != 0)
            return false;
    return true;
}

static void check_turns(const int *counts, size_t n)
{
    char want[1024], got[1024];
    char counts_text[256] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(counts_text + strlen(counts_text),
                 sizeof counts_text - strlen(counts_text), "%s%d",
                 i ? ", " : "", counts[i]);
    expected_order(counts, n, want);
    memset(got, '#', sizeof got);
    got[sizeof got - 1] = '\0';
    int rc = round_robin(counts, n, got);
    ck_assert_msg(rc == 0, "round_robin({%s}) returned %d, expected 0 (%s)",
                  counts_text, rc, aw_last_error());
    ck_assert_msg(memchr(got, '\0', strlen(want) + 1) != NULL,
                  "round_robin({%s}): out does not end with a '\\0' after "
                  "the %zu letters",
                  counts_text, strlen(want));
    ck_assert_msg(strcmp(got, want) == 0,
                  "round_robin({%s}) wrote \"%s\", expected \"%s\"%s",
                  counts_text, got, want,
                  same_letters(got, want)
                      ? ": right letters, wrong order (yield after each "
                        "letter; create all tasks before running the loop)"
                      : "");
}

START_TEST(three_players)
{
    int counts[] = {3, 1, 2};
    check_turns(counts, 3);
}
END_TEST

START_TEST(two_players)
{
    int counts[] = {2, 2};
    check_turns(counts, 2);
}
END_TEST

START_TEST(players_with_nothing_to_say)
{
    int counts[] = {0, 2, 0, 1};
    check_turns(counts, 4);
}
END_TEST

START_TEST(one_player)
{
    int counts[] = {4};
    check_turns(counts, 1);
}
END_TEST

START_TEST(a_full_table)
{
    int counts[26];
    for (int i = 0; i < 26; i++)
        counts[i] = (i * 7) % 5 + 1;
    check_turns(counts, 26);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("01-coroutines/round_robin");
    TCase *tc = tcase_create("round_robin");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, three_players);
    tcase_add_test(tc, two_players);
    tcase_add_test(tc, players_with_nothing_to_say);
    tcase_add_test(tc, one_player);
    tcase_add_test(tc, a_full_table);
    suite_add_tcase(s, tc);
    return s;
}
