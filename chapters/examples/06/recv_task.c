/*
 * recv_task.c - a task waits for data; the loop goes on meanwhile.
 *
 * The task calls aw_recv on a socket that is empty: the recv fails with
 * EAGAIN inside the library, which registers a reader for the socket and
 * suspends the task. A ticker task keeps running. When a timer makes the
 * peer send, the descriptor becomes readable, the reader reschedules the
 * task, and its aw_recv returns the data.
 *
 * The loop uses the virtual clock, so the times printed are always the
 * same: time jumps ahead whenever nothing is ready.
 */
#define _GNU_SOURCE
#include "aw.h"

#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static aw_loop *loop;
static int client, server;
static aw_task *receiving;

static void say(const char *who, const char *what)
{
    printf("[%.3f] %-7s %s\n", aw_loop_time(loop), who, what);
}

// ANCHOR: receiver
static void *receiver(void *arg)
{
    (void)arg;
    char buf[64];
    say("task", "aw_recv: nothing there yet, so the task waits");
    ssize_t n = aw_recv(server, buf, sizeof buf);
    char line[96];
    snprintf(line, sizeof line, "aw_recv returned %zd bytes: \"%.*s\"", n,
             (int)n, buf);
    say("task", line);
    return NULL;
}
// ANCHOR_END: receiver

static void *ticker(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 3; i++) {
        aw_sleep(0.01);
        char line[80];
        if (aw_task_state_of(receiving) == AW_TASK_PENDING) {
            aw_loop_stats st;
            aw_loop_get_stats(loop, &st);
            snprintf(line, sizeof line,
                     "tick %d: the task waits; descriptors watched: %zu", i,
                     st.watched_fds);
        } else {
            snprintf(line, sizeof line, "tick %d: the task is done", i);
        }
        say("ticker", line);
    }
    return NULL;
}

static void peer_sends(void *arg)
{
    (void)arg;
    say("timer", "the peer sends \"hello\"");
    send(client, "hello", 5, 0);
}

int main(void)
{
    aw_loop_options opts = {.virtual_clock = true};
    loop = aw_loop_new_with(&opts);
    int listener = aw_socket_listen("127.0.0.1", 0, 1);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                               .sin_port = htons(aw_socket_port(listener))};
    client = socket(AF_INET, SOCK_STREAM, 0);
    connect(client, (struct sockaddr *)&addr, sizeof addr);
    server = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
    close(listener);

    aw_task *r = aw_task_create(loop, receiver, NULL, "receiver");
    receiving = r;
    aw_task *t = aw_task_create(loop, ticker, NULL, "ticker");
    aw_call_later(loop, 0.025, peer_sends, NULL);
    aw_future *both[] = {aw_task_future(r), aw_task_future(t)};
    aw_future *all = aw_gather(loop, both, 2);
    aw_loop_run_until_complete(loop, all);

    aw_future_release(all);
    aw_task_release(r);
    aw_task_release(t);
    aw_close(loop, server);
    close(client);
    aw_loop_close(loop);
    return 0;
}
