/*
 * Grader for 07-servers/chat_room: the chat handler and its room, served
 * by aw_start_server on every backend, with clients in the same loop.
 */
// grade-exports: chat_handler chat_room_free chat_room_members chat_room_new
// grade-sources: tests/06-selectors/loopback.c
// grade-sources: tests/07-servers/server_harness.c
#include "check_main.h"
#include "server_harness.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

typedef struct chat_room chat_room;
chat_room *chat_room_new(void);
void chat_room_free(chat_room *room);
size_t chat_room_members(const chat_room *room);
int chat_handler(aw_reader *reader, aw_writer *writer, void *room);

/* A fresh room for each backend's run. */
static chat_room *room;

static void new_room(void *ctx)
{
    (void)ctx;
    if (room)
        chat_room_free(room);
    room = chat_room_new();
    ck_assert_msg(room != NULL, "chat_room_new returned NULL");
}

/* A fixed, modest send buffer on the server's side of every connection:
 * the kernel's automatic sizing could otherwise hold many megabytes for a
 * member who does not read, and the test would depend on the machine. */
static int handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)arg;
    int size = 64 * 1024;
    setsockopt(aw_writer_fd(writer), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    return chat_handler(reader, writer, room);
}

static void run(const char *what, scenario_fn scenario)
{
    server_test t = {.what = what,
                     .handler = handler,
                     .scenario = scenario,
                     .limit = 15,
                     .before_each = new_room};
    run_server_test(&t);
    chat_room_free(room);
    room = NULL;
}

static void expect_members(size_t n, const char *when)
{
    size_t got = chat_room_members(room);
    ck_assert_msg(got == n, "[%s] %s: chat_room_members is %zu, expected %zu",
                  harness_backend, when, got, n);
}

static client *join(int port, const char *name)
{
    client *c = client_open(port, name);
    client_expect(c, "name?\n");
    char line[80];
    snprintf(line, sizeof line, "%s\n", name);
    client_send(c, line);
    snprintf(line, sizeof line, "welcome %s\n", name);
    client_expect(c, line);
    return c;
}

/* ---- scenarios
 * --------------------------------------------------------------- */

static void talk(int port, void *ctx)
{
    (void)ctx;
    client *alice = join(port, "alice");
    expect_members(1, "after alice joined");
    client *bob = join(port, "bob");
    client_expect(alice, "* bob joined\n");
    expect_members(2, "after bob joined");
    client_send(alice, "hi bob\n");
    client_expect(bob, "alice: hi bob\n");
    client_send(bob, "hi alice\n");
    /* Alice's next line is bob's: her own line was not sent back. */
    client_expect(alice, "bob: hi alice\n");
    client_close(bob);
    client_expect(alice, "* bob left\n");
    expect_members(1, "after bob left");
    client_close(alice);
}

START_TEST(join_talk_leave)
{
    run("alice and bob", talk);
}
END_TEST

static void three_way(int port, void *ctx)
{
    (void)ctx;
    client *a = join(port, "a");
    client *b = join(port, "b");
    client_expect(a, "* b joined\n");
    client *c = join(port, "c");
    client_expect(a, "* c joined\n");
    client_expect(b, "* c joined\n");
    char line[64], want[64];
    for (int i = 0; i < 200; i++) {
        snprintf(line, sizeof line, "message %d\n", i);
        client_send(c, line);
    }
    for (int i = 0; i < 200; i++) {
        snprintf(want, sizeof want, "c: message %d\n", i);
        client_expect(a, want);
        client_expect(b, want);
    }
    client_close(c);
    client_expect(a, "* c left\n");
    client_expect(b, "* c left\n");
    client_close(b);
    client_expect(a, "* b left\n");
    client_close(a);
}

START_TEST(everyone_else_gets_every_line_in_order)
{
    run("three members", three_way);
}
END_TEST

static void nameless(int port, void *ctx)
{
    (void)ctx;
    client *alice = join(port, "alice");
    client *shy = client_open(port, "a client that never says its name");
    client_expect(shy, "name?\n");
    client_close(shy);
    client *bob = join(port, "bob");
    /* Alice hears of bob, and of nobody before him. */
    client_expect(alice, "* bob joined\n");
    expect_members(2, "after a nameless visit and bob's arrival");
    client_close(bob);
    client_expect(alice, "* bob left\n");
    client_close(alice);
}

START_TEST(leaving_before_the_name_is_silent)
{
    run("a client that leaves before its name", nameless);
}
END_TEST

/* Alice talks a lot, in batches; bob reads each batch before the next,
 * so he is never far behind; dave reads nothing. */
enum { LINES = 2000, LEN = 1000, BATCH = 16 };

static void make_line(char *buf, int i)
{
    int n = snprintf(buf, LEN + 16, "%05d ", i);
    memset(buf + n, 'a' + i % 26, LEN - 1 - (size_t)n);
    buf[LEN - 1] = '\n';
    buf[LEN] = '\0';
}

/* Bob's next line from alice; notes "* dave left" on the way. */
static void bob_expects(client *bob, int i, int *dave_left_at)
{
    static char got[LEN + 64], want[LEN + 16];
    for (;;) {
        size_t n = client_line(bob, got, sizeof got);
        ck_assert_msg(n > 0, "[%s] bob's connection ended at alice's line %d",
                      harness_backend, i);
        if (strcmp(got, "* dave left\n") != 0)
            break;
        *dave_left_at = i;
    }
    make_line(want, i);
    ck_assert_msg(strncmp(got, "alice: ", 7) == 0 && strcmp(got + 7, want) == 0,
                  "[%s] bob's line %d is not \"alice: \" and alice's line %d: "
                  "\"%.30s...\"",
                  harness_backend, i, i, got);
}

static void slow_member(int port, void *ctx)
{
    (void)ctx;
    client *alice = join(port, "alice");
    client *bob = join(port, "bob");
    client_expect(alice, "* bob joined\n");
    client *dave = join(port, "dave");
    client_expect(alice, "* dave joined\n");
    client_expect(bob, "* dave joined\n");
    int small = 4096;
    setsockopt(aw_writer_fd(dave->writer), SOL_SOCKET, SO_RCVBUF, &small,
               sizeof small);

    static char line[LEN + 16];
    int dave_left_at = -1;
    for (int i = 0; i < LINES; i += BATCH) {
        harness_step("bob waits for lines %d-%d (stuck? one member who does "
                     "not read holds up the room: never drain another "
                     "member's writer)",
                     i, i + BATCH - 1);
        for (int j = i; j < i + BATCH; j++) {
            make_line(line, j);
            client_send_bytes(alice, line, LEN);
        }
        for (int j = i; j < i + BATCH; j++)
            bob_expects(bob, j, &dave_left_at);
    }
    if (dave_left_at < 0) {
        harness_step("bob waits for \"* dave left\" (drop a member whose "
                     "backlog passes CHAT_MAX_BACKLOG)");
        client_expect(bob, "* dave left\n");
    }
    client_expect(alice, "* dave left\n");
    expect_members(2, "after dave was dropped");
    client_close(dave);
    client_close(bob);
    client_expect(alice, "* bob left\n");
    client_close(alice);
}

START_TEST(slow_member_is_dropped)
{
    run("a member who does not read", slow_member);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("07-servers/chat_room");
    TCase *tc = tcase_create("chat_room");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, join_talk_leave);
    tcase_add_test(tc, everyone_else_gets_every_line_in_order);
    tcase_add_test(tc, leaving_before_the_name_is_silent);
    tcase_add_test(tc, slow_member_is_dropped);
    suite_add_tcase(s, tc);
    return s;
}
