/*
 * Reference solution: 11-system/udp_query.
 *
 * Each try sends its request and then receives until its deadline. A
 * receive runs in a child task awaited with aw_wait_for, for the time
 * left before the deadline, so that a datagram to ignore does not give
 * the try more time; on a timeout aw_wait_for cancels the child and
 * waits for it, which leaves nothing behind.
 */
#include "aw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DATAGRAM_MAX = 1500 };

typedef struct {
    int fd;
    char buf[DATAGRAM_MAX + 1];
    ssize_t len;
    struct sockaddr_storage from;
    socklen_t fromlen;
} receive;

static void *receive_one(void *arg)
{
    receive *r = arg;
    r->fromlen = sizeof r->from;
    r->len = aw_recvfrom(r->fd, r->buf, DATAGRAM_MAX,
                         (struct sockaddr *)&r->from, &r->fromlen);
    return r->len < 0 ? aw_raise((int)r->len, NULL) : NULL;
}

/* One datagram, waiting at most `seconds`: 0, AW_ETIMEDOUT or an error. */
static int receive_for(receive *r, double seconds)
{
    aw_task *t =
        aw_task_create(aw_running_loop(), receive_one, r, "udp receive");
    if (!t)
        return -ENOMEM;
    int rc = aw_wait_for(aw_task_future(t), seconds, NULL);
    aw_task_release(t);
    return rc;
}

static bool from_server(const receive *r, const struct sockaddr *server,
                        socklen_t server_len)
{
    return r->fromlen == server_len &&
           memcmp(&r->from, server, server_len) == 0;
}

int udp_query(int fd, const struct sockaddr *server, socklen_t server_len,
              const char *name, double timeout, int tries, char *answer,
              size_t cap)
{
    aw_loop *loop = aw_running_loop();
    unsigned first_id = 1 + (unsigned)rand() % 60000;
    for (int try = 0; try < tries; try++) {
        unsigned id = first_id + (unsigned)try;
        char request[300];
        int n = snprintf(request, sizeof request, "Q %u %s", id, name);
        ssize_t sent = aw_sendto(fd, request, (size_t)n, server, server_len);
        if (sent < 0)
            return (int)sent;
        double deadline = aw_loop_time(loop) + timeout;
        for (;;) {
            double left = deadline - aw_loop_time(loop);
            if (left <= 0)
                break;
            receive r = {.fd = fd};
            int rc = receive_for(&r, left);
            if (rc == AW_ETIMEDOUT)
                break;
            if (rc != 0)
                return rc;
            if (!from_server(&r, server, server_len))
                continue; /* a stranger */
            r.buf[r.len] = '\0';
            char kind;
            unsigned got;
            int used = 0;
            if (sscanf(r.buf, "%c %u%n", &kind, &got, &used) != 2 ||
                got < first_id || got > id)
                continue; /* malformed, or not an id of ours */
            if (kind == 'N' && r.buf[used] == '\0')
                return -ENOENT;
            if (kind != 'A' || r.buf[used] != ' ')
                continue;
            const char *text = r.buf + used + 1;
            if (strlen(text) + 1 > cap)
                return AW_ELIMIT;
            strcpy(answer, text);
            return 0;
        }
    }
    return AW_ETIMEDOUT;
}
