/*
 * Grader for 05-mocking/faulty_network: one question, one answer line,
 * over a connection whose reads and writes the fault layer (aw_fault.h)
 * breaks in the ways real networks do. Every scenario runs as an
 * aw_test on the virtual clock, so a timeout that leaves a task or a
 * timer behind fails too.
 */
// grade-exports: ask
#include "check_main.h"

#include "aw.h"
#include "aw_fault.h"
#include "aw_test.h"

#include <string.h>
#include <sys/socket.h>

int ask(int fd, const char *question, char *answer, size_t cap, double timeout);

enum { MAX_FAULTS = 3, MAX_PARTS = 4 };

/* The other end of the connection, run by the grader. */
typedef struct {
    const char *parts[MAX_PARTS]; /* the answer, sent in these parts */
    double pause;                 /* loop seconds before each part */
    bool close_after;             /* close the connection after them */
    bool silent;                  /* read the question, never answer */
} peer_script;

typedef struct {
    const char *name;
    int nfaults;
    aw_fault faults[MAX_FAULTS]; /* on the learner's end */
    peer_script peer;
    size_t cap;
    double timeout;
    /* What ask must do. */
    int expect_rc;
    const char *expect_answer; /* if expect_rc is 0 */
    double expect_time;        /* loop seconds ask takes; < 0: any */
} scenario;

typedef struct {
    int fd;
    const peer_script *script;
    char question[64];
    bool closed;
} peer;

static void *peer_main(void *arg)
{
    peer *p = arg;
    size_t len = 0;
    while (len + 1 < sizeof p->question) { /* the question, to its "\n" */
        ssize_t n = aw_recv(p->fd, p->question + len, 1);
        if (n <= 0)
            return aw_raise(n < 0 ? (int)n : AW_EINCOMPLETE, "peer: read");
        if (p->question[len] == '\n')
            break;
        len++;
    }
    p->question[len] = '\0';
    if (p->script->silent)
        return aw_raise(AW_ECANCELLED,
                        aw_sleep(3600) ? "peer: cancelled" : "peer: an hour");
    for (int i = 0; i < MAX_PARTS && p->script->parts[i]; i++) {
        if (p->script->pause > 0 && aw_sleep(p->script->pause) != 0)
            return aw_raise(AW_ECANCELLED, "peer: cancelled");
        const char *part = p->script->parts[i];
        if (aw_send(p->fd, part, strlen(part)) < 0)
            return aw_raise(AW_ESTATE, "peer: send failed");
    }
    if (p->script->close_after) {
        aw_close(NULL, p->fd);
        p->closed = true;
    }
    return NULL;
}

static void *exchange_body(aw_test *t)
{
    const scenario *sc = aw_test_data(t);
    aw_loop *loop = aw_test_loop(t);
    int fds[2];
    ck_assert_int_eq(
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds),
        0);
    for (int i = 0; i < sc->nfaults; i++) {
        aw_fault f = sc->faults[i];
        f.fd = fds[0];
        ck_assert_int_eq(aw_fault_inject(loop, f), 0);
    }
    peer p = {.fd = fds[1], .script = &sc->peer};
    aw_task *pt = aw_task_create(loop, peer_main, &p, "peer");

    char answer[128];
    memset(answer, 0, sizeof answer);
    double start = aw_loop_time(loop);
    int rc = ask(fds[0], "ping", answer, sc->cap, sc->timeout);
    double took = aw_loop_time(loop) - start;

    aw_task_cancel(pt);
    while (!aw_future_done(aw_task_future(pt)))
        aw_await(aw_task_future(pt), NULL);
    aw_task_release(pt);
    aw_close(NULL, fds[0]);
    if (!p.closed)
        aw_close(NULL, fds[1]);

    ck_assert_msg(rc != AW_ECANCELLED || sc->expect_rc == AW_ECANCELLED,
                  "%s: ask was still waiting when nothing else could happen "
                  "(the loop found a deadlock and cancelled it): does it "
                  "have a time limit?",
                  sc->name);
    ck_assert_msg(rc == sc->expect_rc,
                  "%s: ask returned %d (%s), expected %d (%s)", sc->name, rc,
                  aw_strerror(rc), sc->expect_rc, aw_strerror(sc->expect_rc));
    if (sc->expect_rc == 0)
        ck_assert_msg(strcmp(answer, sc->expect_answer) == 0,
                      "%s: answer \"%s\", expected \"%s\"", sc->name, answer,
                      sc->expect_answer);
    if (sc->expect_time >= 0)
        ck_assert_msg(took == sc->expect_time,
                      "%s: ask took %g s of loop time, expected %g s", sc->name,
                      took, sc->expect_time);
    if (!sc->peer.silent && sc->expect_rc != -ECONNRESET)
        ck_assert_msg(strcmp(p.question, "ping") == 0,
                      "%s: the peer received \"%s\", expected \"ping\"",
                      sc->name, p.question);
    if (sc->nfaults > 0 && sc->faults[0].kind == AW_FAULT_SHORT)
        ck_assert_msg(aw_fault_hits(loop) > 0,
                      "%s: no fault was ever injected: use aw_send and "
                      "aw_recv, not send() and recv()",
                      sc->name);
    return NULL;
}

static const scenario SCENARIOS[] = {
    {.name = "a quiet network",
     .peer = {.parts = {"pong\n"}},
     .cap = 64,
     .timeout = 5,
     .expect_answer = "pong",
     .expect_time = 0},
    {.name = "one byte per read",
     .nfaults = 1,
     .faults = {{.op = AW_FAULT_RECV,
                 .kind = AW_FAULT_SHORT,
                 .max_bytes = 1,
                 .times = AW_FAULT_ALWAYS}},
     .peer = {.parts = {"pong\n"}},
     .cap = 64,
     .timeout = 5,
     .expect_answer = "pong",
     .expect_time = -1},
    {.name = "two bytes per write",
     .nfaults = 1,
     .faults = {{.op = AW_FAULT_SEND,
                 .kind = AW_FAULT_SHORT,
                 .max_bytes = 2,
                 .times = AW_FAULT_ALWAYS}},
     .peer = {.parts = {"pong\n"}},
     .cap = 64,
     .timeout = 5,
     .expect_answer = "pong",
     .expect_time = -1},
    {.name = "every call would block first",
     .nfaults = 2,
     .faults = {{.op = AW_FAULT_RECV,
                 .kind = AW_FAULT_EAGAIN,
                 .times = AW_FAULT_ALWAYS},
                {.op = AW_FAULT_SEND,
                 .kind = AW_FAULT_EAGAIN,
                 .times = AW_FAULT_ALWAYS}},
     .peer = {.parts = {"pong\n"}},
     .cap = 64,
     .timeout = 5,
     .expect_answer = "pong",
     .expect_time = -1},
    {.name = "an answer in pieces, a second apart",
     .peer = {.parts = {"po", "ng", "\n"}, .pause = 1},
     .cap = 64,
     .timeout = 5,
     .expect_answer = "pong",
     .expect_time = 3},
    {.name = "a reset connection",
     .nfaults = 1,
     .faults = {{.op = AW_FAULT_RECV,
                 .kind = AW_FAULT_ERROR,
                 .error = -ECONNRESET}},
     .peer = {.parts = {"pong\n"}},
     .cap = 64,
     .timeout = 5,
     .expect_rc = -ECONNRESET,
     .expect_time = -1},
    {.name = "a peer that never answers",
     .peer = {.silent = true},
     .cap = 64,
     .timeout = 30,
     .expect_rc = AW_ETIMEDOUT,
     .expect_time = 30},
    {.name = "a network that stalls",
     .nfaults = 1,
     .faults = {{.op = AW_FAULT_RECV,
                 .kind = AW_FAULT_DELAY,
                 .seconds = AW_FAULT_FOREVER}},
     .peer = {.parts = {"pong\n"}},
     .cap = 64,
     .timeout = 10,
     .expect_rc = AW_ETIMEDOUT,
     .expect_time = 10},
    {.name = "an answer slower than the timeout",
     .peer = {.parts = {"po", "ng\n"}, .pause = 3},
     .cap = 64,
     .timeout = 5,
     .expect_rc = AW_ETIMEDOUT,
     .expect_time = 5},
    {.name = "a peer that closes in the middle of the line",
     .peer = {.parts = {"po"}, .close_after = true},
     .cap = 64,
     .timeout = 5,
     .expect_rc = AW_EINCOMPLETE,
     .expect_time = -1},
    {.name = "an answer of cap - 1 characters, which just fits",
     .peer = {.parts = {"abcd\n"}},
     .cap = 5,
     .timeout = 5,
     .expect_answer = "abcd",
     .expect_time = 0},
    {.name = "an answer of cap - 1 characters, one byte per read",
     .nfaults = 1,
     .faults = {{.op = AW_FAULT_RECV,
                 .kind = AW_FAULT_SHORT,
                 .max_bytes = 1,
                 .times = AW_FAULT_ALWAYS}},
     .peer = {.parts = {"abcd\n"}},
     .cap = 5,
     .timeout = 5,
     .expect_answer = "abcd",
     .expect_time = -1},
    {.name = "an answer of cap characters, one too many",
     .peer = {.parts = {"abcde\n"}},
     .cap = 5,
     .timeout = 5,
     .expect_rc = AW_ELIMIT,
     .expect_time = -1},
    {.name = "an answer too long for the buffer",
     .peer = {.parts = {"a very long answer\n"}},
     .cap = 8,
     .timeout = 5,
     .expect_rc = AW_ELIMIT,
     .expect_time = -1},
};

enum { NSCENARIOS = sizeof SCENARIOS / sizeof SCENARIOS[0] };

START_TEST(scenario_test)
{
    aw_test_case tc = {.name = SCENARIOS[_i].name,
                       .body = exchange_body,
                       .data = (void *)&SCENARIOS[_i],
                       .loop.virtual_clock = true};
    aw_test_run(&tc);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("faulty_network");
    TCase *tc = tcase_create("network");
    /* On the virtual clock a scenario takes milliseconds, however much
     * loop time passes in it; a stub that waits for a silent peer forever
     * fails here, so every make grade pays this limit until it is done. */
    tcase_set_timeout(tc, 4);
    tcase_add_loop_test(tc, scenario_test, 0, NSCENARIOS);
    suite_add_tcase(s, tc);
    return s;
}
