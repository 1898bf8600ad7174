/*
 * Grader for 04-testing/fd_leak_check: listing /proc/self/fd, telling new
 * descriptors from old ones, and reporting those a test left open.
 */
// grade-exports: check_no_leaks fd_new fd_snapshot
#include "check_main.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
    int fd;
    char target[128];
} fd_info;

int fd_snapshot(fd_info *out, int max);
int fd_new(const fd_info *before, int nb, const fd_info *after, int na,
           fd_info *fresh);
int check_no_leaks(void (*test)(void *arg), void *arg, char *report,
                   size_t len);

enum { MAX = 256 };

static fd_info snap[MAX];

static int snapshot(void)
{
    int n = fd_snapshot(snap, MAX);
    ck_assert_msg(n >= 0, "fd_snapshot returned %d", n);
    ck_assert_msg(n <= MAX, "fd_snapshot says %d descriptors: too many", n);
    return n;
}

static const fd_info *find(const fd_info *list, int n, int fd)
{
    for (int i = 0; i < n; i++)
        if (list[i].fd == fd)
            return &list[i];
    return NULL;
}

/* What the kernel says fd is. */
static void target_of(int fd, char *buf, size_t len)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, buf, len - 1);
    buf[n > 0 ? n : 0] = '\0';
}

START_TEST(lists_every_open_descriptor_with_its_target)
{
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    int n = snapshot();
    for (int fd = 0; fd < 64; fd++) {
        bool open_now = fcntl(fd, F_GETFD) != -1;
        const fd_info *info = find(snap, n, fd);
        ck_assert_msg(!open_now || info,
                      "descriptor %d is open but fd_snapshot missed it", fd);
        ck_assert_msg(open_now || !info,
                      "fd_snapshot lists descriptor %d, which is not open "
                      "now: the listing's own descriptor (dirfd) must be "
                      "left out",
                      fd);
        if (info) {
            char expected[128];
            target_of(fd, expected, sizeof expected);
            ck_assert_msg(strcmp(info->target, expected) == 0,
                          "descriptor %d: target \"%.127s\", expected \"%s\" "
                          "(readlink does not add a '\\0')",
                          fd, info->target, expected);
        }
    }
    ck_assert_str_eq(find(snap, n, devnull)->target, "/dev/null");
    ck_assert_msg(strncmp(find(snap, n, p[0])->target, "pipe:[", 6) == 0,
                  "a pipe's target starts with \"pipe:[\"");
    close(devnull);
    close(p[0]);
    close(p[1]);
}
END_TEST

START_TEST(lists_in_increasing_order)
{
    /* Open some high numbers so that the kernel's order shows. */
    int fds[] = {60, 45, 50};
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(dup2(1, fds[i]), fds[i]);
    int n = snapshot();
    for (int i = 1; i < n; i++)
        ck_assert_msg(snap[i - 1].fd < snap[i].fd,
                      "not in increasing order: %d comes before %d",
                      snap[i - 1].fd, snap[i].fd);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
}
END_TEST

START_TEST(stores_at_most_max_but_counts_all)
{
    int total = snapshot();
    fd_info canary = {.fd = -77, .target = "canary"};
    fd_info buf[3];
    buf[2] = canary;
    int n = fd_snapshot(buf, 2);
    ck_assert_msg(n == total,
                  "fd_snapshot(out, 2) returned %d, but there are %d "
                  "descriptors: return the count of all of them",
                  n, total);
    ck_assert_msg(buf[2].fd == -77, "fd_snapshot(out, 2) wrote past out[1]");
}
END_TEST

START_TEST(new_descriptors_are_found)
{
    static fd_info before[MAX], after[MAX], fresh[MAX];
    int nb = fd_snapshot(before, MAX);
    int s[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    int na = fd_snapshot(after, MAX);
    int n = fd_new(before, nb, after, na, fresh);
    ck_assert_msg(n == 2, "two new sockets, fd_new found %d", n);
    ck_assert_int_eq(fresh[0].fd, s[0] < s[1] ? s[0] : s[1]);
    ck_assert_msg(strncmp(fresh[0].target, "socket:[", 8) == 0, "target \"%s\"",
                  fresh[0].target);
    ck_assert_int_eq(fd_new(after, na, after, na, fresh), 0);
    close(s[0]);
    close(s[1]);
}
END_TEST

START_TEST(a_reused_number_is_a_new_descriptor)
{
    static fd_info before[MAX], after[MAX], fresh[MAX];
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int nb = fd_snapshot(before, MAX);
    close(devnull);
    int p[2];
    ck_assert_int_eq(pipe(p), 0); /* p[0] gets devnull's number back */
    ck_assert_int_eq(p[0], devnull);
    int na = fd_snapshot(after, MAX);
    int n = fd_new(before, nb, after, na, fresh);
    ck_assert_msg(n == 2,
                  "descriptor %d was /dev/null and is now a pipe: it is new "
                  "(so is %d); fd_new found %d",
                  p[0], p[1], n);
    close(p[0]);
    close(p[1]);
}
END_TEST

static int leaked[2] = {-1, -1};

static void leaks_a_socket(void *arg)
{
    (void)arg;
    int s[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    close(s[1]);
    leaked[0] = s[0];
}

static void tidy(void *arg)
{
    int *runs = arg;
    (*runs)++;
    int fd = open("/dev/null", O_RDONLY);
    close(fd);
}

START_TEST(check_no_leaks_names_the_leak)
{
    char report[512], expected[200], target[128];
    int n = check_no_leaks(leaks_a_socket, NULL, report, sizeof report);
    ck_assert_msg(leaked[0] >= 0, "the test did not run");
    target_of(leaked[0], target, sizeof target);
    snprintf(expected, sizeof expected, "descriptor %d (%s) was left open\n",
             leaked[0], target);
    close(leaked[0]);
    ck_assert_msg(n == 1, "check_no_leaks returned %d, expected 1", n);
    ck_assert_msg(strcmp(report, expected) == 0,
                  "report \"%s\", expected \"%s\"", report, expected);
}
END_TEST

START_TEST(check_no_leaks_is_quiet_for_a_clean_test)
{
    char report[512] = "garbage";
    int runs = 0;
    int n = check_no_leaks(tidy, &runs, report, sizeof report);
    ck_assert_msg(runs == 1, "the test ran %d times", runs);
    ck_assert_msg(n == 0, "a clean test: check_no_leaks returned %d", n);
    ck_assert_msg(report[0] == '\0', "a clean test: report \"%s\"", report);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("fd_leak_check");
    TCase *snapshot_tc = tcase_create("snapshot");
    tcase_add_test(snapshot_tc, lists_every_open_descriptor_with_its_target);
    tcase_add_test(snapshot_tc, lists_in_increasing_order);
    tcase_add_test(snapshot_tc, stores_at_most_max_but_counts_all);
    suite_add_tcase(s, snapshot_tc);

    TCase *diff = tcase_create("diff");
    tcase_add_test(diff, new_descriptors_are_found);
    tcase_add_test(diff, a_reused_number_is_a_new_descriptor);
    tcase_add_test(diff, check_no_leaks_names_the_leak);
    tcase_add_test(diff, check_no_leaks_is_quiet_for_a_clean_test);
    suite_add_tcase(s, diff);
    return s;
}
