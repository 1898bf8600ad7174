/*
 * Grader for 11-system/udp_query: a fake server in the same loop, on the
 * virtual clock, that answers, drops, answers late, sends junk, or sends
 * from a stranger's socket, as each scenario says; the times at which
 * the query gives up are exact. On every backend.
 */
// grade-exports: udp_query
#include "check_main.h"

#include "aw.h"
#include "each_backend.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int udp_query(int fd, const struct sockaddr *server, socklen_t server_len,
              const char *name, double timeout, int tries, char *answer,
              size_t cap);

/* What the fake server does with the n-th request (from 0). */
typedef enum {
    ANSWER,      /* "A id text" at once */
    DROP,        /* nothing */
    NO_SUCH,     /* "N id" */
    JUNK_THEN,   /* junk (wrong id, malformed, a stranger's), then answer */
    JUNK_ONLY,   /* junk every 0.3 s until the next request, no answer */
    LATE_ANSWER, /* answer this request 1.5 timeouts later */
    LONG_ANSWER, /* an answer of 100 characters */
} action;

typedef struct {
    const action *plan; /* one per request; past the end: DROP */
    size_t nplan;
    const char *text; /* the answer */
    double timeout;
    int tries;
    size_t cap;
    /* what must come out, on every backend */
    int want_rc;
    double want_elapsed;
    int want_requests;
    const char *want_answer; /* NULL: not checked */
    const char *why;         /* said when the answer is wrong */
    /* filled in */
    int server_fd, stranger_fd, client_fd;
    int requests;
    unsigned ids[16];
    char names[16][64];
    int rc;
    char answer[128];
    double elapsed;
    bool query_done;
} scenario;

static void send_text(int from_fd, const struct sockaddr_storage *to,
                      socklen_t tolen, const char *text)
{
    aw_sendto(from_fd, text, strlen(text), (const struct sockaddr *)to, tolen);
}

typedef struct {
    scenario *s;
    struct sockaddr_storage to;
    socklen_t tolen;
    unsigned id;
} late;

static void *answer_late(void *arg)
{
    late *l = arg;
    aw_sleep(1.5 * l->s->timeout);
    char msg[160];
    snprintf(msg, sizeof msg, "A %u %s", l->id, l->s->text);
    send_text(l->s->server_fd, &l->to, l->tolen, msg);
    return NULL;
}

static void *fake_server(void *arg)
{
    scenario *s = arg;
    late pending = {.s = s};
    aw_task *late_task = NULL;
    while (!s->query_done) {
        char buf[512];
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        ssize_t n = aw_recvfrom(s->server_fd, buf, sizeof buf - 1,
                                (struct sockaddr *)&from, &fromlen);
        if (n < 0)
            break; /* cancelled: the query is over */
        buf[n] = '\0';
        unsigned id = 0;
        char name[64] = "";
        if (sscanf(buf, "Q %u %63s", &id, name) != 2 || s->requests >= 16)
            continue;
        int k = s->requests++;
        s->ids[k] = id;
        snprintf(s->names[k], sizeof s->names[k], "%s", name);
        action a = (size_t)k < s->nplan ? s->plan[k] : DROP;
        char msg[160];
        switch (a) {
        case ANSWER:
            snprintf(msg, sizeof msg, "A %u %s", id, s->text);
            send_text(s->server_fd, &from, fromlen, msg);
            break;
        case NO_SUCH:
            snprintf(msg, sizeof msg, "N %u", id);
            send_text(s->server_fd, &from, fromlen, msg);
            break;
        case JUNK_THEN:
            snprintf(msg, sizeof msg, "A %u wrong-id", id + 1000);
            send_text(s->server_fd, &from, fromlen, msg);
            send_text(s->server_fd, &from, fromlen, "garbage");
            snprintf(msg, sizeof msg, "A %u stranger", id);
            send_text(s->stranger_fd, &from, fromlen, msg);
            snprintf(msg, sizeof msg, "A %u %s", id, s->text);
            send_text(s->server_fd, &from, fromlen, msg);
            break;
        case JUNK_ONLY:
            for (int i = 1; i * 0.3 < s->timeout; i++) {
                if (aw_sleep(0.3) != 0)
                    break;
                snprintf(msg, sizeof msg, "A %u stranger", id);
                send_text(s->stranger_fd, &from, fromlen, msg);
            }
            break;
        case LATE_ANSWER:
            pending.to = from;
            pending.tolen = fromlen;
            pending.id = id;
            late_task = aw_task_create(aw_running_loop(), answer_late, &pending,
                                       "late");
            break;
        case LONG_ANSWER:
            snprintf(msg, sizeof msg, "A %u %0100d", id, 7);
            send_text(s->server_fd, &from, fromlen, msg);
            break;
        case DROP:
            break;
        }
    }
    if (late_task) {
        aw_task_cancel(late_task);
        while (!aw_future_done(aw_task_future(late_task)))
            aw_await(aw_task_future(late_task), NULL);
        aw_task_release(late_task);
    }
    return NULL;
}

static void *client(void *arg)
{
    scenario *s = arg;
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    getsockname(s->server_fd, (struct sockaddr *)&addr, &len);
    double t0 = aw_loop_time(aw_running_loop());
    s->rc = udp_query(s->client_fd, (struct sockaddr *)&addr, len, "example",
                      s->timeout, s->tries, s->answer, s->cap);
    s->elapsed = aw_loop_time(aw_running_loop()) - t0;
    s->query_done = true;
    return NULL;
}

static void expect(const scenario *s)
{
    ck_assert_msg(s->rc == s->want_rc,
                  "[%s] udp_query returned %d (%s), expected %d (%s)",
                  backend_now, s->rc, aw_strerror(s->rc), s->want_rc,
                  aw_strerror(s->want_rc));
    ck_assert_msg(s->elapsed > s->want_elapsed - 1e-6 &&
                      s->elapsed < s->want_elapsed + 1e-6,
                  "[%s] udp_query returned after %.3f s of loop time, "
                  "expected %.3f s",
                  backend_now, s->elapsed, s->want_elapsed);
    ck_assert_msg(s->requests == s->want_requests,
                  "[%s] the server got %d request(s), expected %d", backend_now,
                  s->requests, s->want_requests);
    if (s->want_answer)
        ck_assert_msg(strcmp(s->answer, s->want_answer) == 0,
                      "[%s] the answer is \"%s\", expected \"%s\"%s",
                      backend_now, s->answer, s->want_answer,
                      s->why ? s->why : "");
}

static scenario *current;

static void run_on(aw_backend_kind kind)
{
    scenario *s = current;
    s->requests = 0;
    s->rc = 1;
    s->query_done = false;
    memset(s->answer, 0, sizeof s->answer);
    aw_loop *loop = loop_on(kind, true);
    s->server_fd = aw_udp_open("127.0.0.1", 0);
    s->stranger_fd = aw_udp_open("127.0.0.1", 0);
    s->client_fd = aw_udp_open("127.0.0.1", 0);
    ck_assert(s->server_fd >= 0 && s->stranger_fd >= 0 && s->client_fd >= 0);
    aw_task *server = aw_task_create(loop, fake_server, s, "fake server");
    aw_task *c = aw_task_create(loop, client, s, "client");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(c));
    ck_assert_msg(rc == 0, "[%s] the query's task failed: %s", backend_now,
                  aw_task_message(c));
    aw_task_cancel(server);
    aw_loop_run_until_complete(loop, aw_task_future(server));
    aw_task_release(c);
    aw_task_release(server);
    aw_close(loop, s->server_fd);
    aw_close(loop, s->stranger_fd);
    expect_loop_clean(loop, "udp_query");
    aw_close(loop, s->client_fd);
    ck_assert_int_eq(aw_loop_close(loop), 0);
    for (int i = 0; i < s->requests; i++) {
        ck_assert_msg(strcmp(s->names[i], "example") == 0,
                      "[%s] request %d asked for \"%s\", expected \"example\"",
                      backend_now, i + 1, s->names[i]);
        for (int j = 0; j < i; j++)
            ck_assert_msg(s->ids[i] != s->ids[j],
                          "[%s] tries %d and %d used the same id %u: every "
                          "try needs an id of its own",
                          backend_now, j + 1, i + 1, s->ids[i]);
        ck_assert_msg(s->ids[i] >= 1 && s->ids[i] <= 65535,
                      "[%s] id %u is not in 1..65535", backend_now, s->ids[i]);
    }
    expect(s);
}

static void run(scenario *s)
{
    if (!s->cap)
        s->cap = sizeof s->answer;
    current = s;
    each_backend(run_on);
}

START_TEST(answered_at_once)
{
    static const action plan[] = {ANSWER};
    scenario s = {.plan = plan,
                  .nplan = 1,
                  .text = "10.0.0.7",
                  .timeout = 1.0,
                  .tries = 3,
                  .want_requests = 1};
    s.want_answer = "10.0.0.7";
    run(&s);
}
END_TEST

START_TEST(two_lost_then_answered)
{
    static const action plan[] = {DROP, DROP, ANSWER};
    scenario s = {.plan = plan,
                  .nplan = 3,
                  .text = "ok",
                  .timeout = 0.5,
                  .tries = 3,
                  .want_elapsed = 1.0,
                  .want_requests = 3,
                  .want_answer = "ok"};
    run(&s);
}
END_TEST

START_TEST(never_answered_times_out)
{
    scenario s = {.text = "x",
                  .timeout = 0.25,
                  .tries = 4,
                  .want_rc = AW_ETIMEDOUT,
                  .want_elapsed = 1.0,
                  .want_requests = 4};
    run(&s);
}
END_TEST

START_TEST(junk_is_ignored)
{
    static const action plan[] = {JUNK_THEN};
    scenario s = {.plan = plan,
                  .nplan = 1,
                  .text = "right",
                  .timeout = 1.0,
                  .tries = 2,
                  .want_requests = 1,
                  .want_answer = "right",
                  .why = ": ignore other ids, malformed datagrams and other "
                         "senders"};
    run(&s);
}
END_TEST

START_TEST(junk_gives_no_extra_time)
{
    static const action plan[] = {JUNK_ONLY, JUNK_ONLY};
    scenario s = {.plan = plan,
                  .nplan = 2,
                  .text = "x",
                  .timeout = 1.0,
                  .tries = 2,
                  .want_rc = AW_ETIMEDOUT,
                  .want_elapsed = 2.0,
                  .want_requests = 2};
    run(&s);
}
END_TEST

START_TEST(a_late_answer_counts)
{
    static const action plan[] = {LATE_ANSWER};
    scenario s = {.plan = plan,
                  .nplan = 1,
                  .text = "late but good",
                  .timeout = 1.0,
                  .tries = 3,
                  .want_elapsed = 1.5,
                  .want_requests = 2,
                  .want_answer = "late but good",
                  .why = ": an answer to an earlier try counts"};
    run(&s);
}
END_TEST

START_TEST(no_such_name)
{
    static const action plan[] = {NO_SUCH};
    scenario s = {.plan = plan,
                  .nplan = 1,
                  .text = "x",
                  .timeout = 1.0,
                  .tries = 3,
                  .want_rc = -ENOENT,
                  .want_requests = 1};
    run(&s);
}
END_TEST

START_TEST(an_answer_too_long_for_cap)
{
    static const action plan[] = {LONG_ANSWER};
    scenario s = {.plan = plan,
                  .nplan = 1,
                  .text = "x",
                  .timeout = 1.0,
                  .tries = 1,
                  .cap = 100,
                  .want_rc = AW_ELIMIT,
                  .want_requests = 1};
    run(&s);
}
END_TEST

START_TEST(an_answer_that_just_fits)
{
    static const action plan[] = {LONG_ANSWER};
    scenario s = {.plan = plan,
                  .nplan = 1,
                  .text = "x",
                  .timeout = 1.0,
                  .tries = 1,
                  .cap = 101,
                  .want_requests = 1,
                  .want_answer = "0000000000000000000000000000000000000000"
                                 "0000000000000000000000000000000000000000"
                                 "00000000000000000007"};
    run(&s);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("udp_query");
    TCase *tc = tcase_create("udp_query");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, answered_at_once);
    tcase_add_test(tc, two_lost_then_answered);
    tcase_add_test(tc, never_answered_times_out);
    tcase_add_test(tc, junk_is_ignored);
    tcase_add_test(tc, junk_gives_no_extra_time);
    tcase_add_test(tc, a_late_answer_counts);
    tcase_add_test(tc, no_such_name);
    tcase_add_test(tc, an_answer_too_long_for_cap);
    tcase_add_test(tc, an_answer_that_just_fits);
    suite_add_tcase(s, tc);
    return s;
}
