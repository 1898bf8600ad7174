/*
 * Solution: survive a faulty network.
 *
 * Two changes. A read returns what has arrived, which may be one byte:
 * keep reading until the "\n" is there, and tell the peer's close (0
 * bytes) and a full buffer apart. And the time limit covers the whole
 * exchange: it runs in a task of its own, which aw_wait_for cancels, and
 * waits for, when the time is up.
 */
#include "aw.h"

#include <string.h>

typedef struct {
    int fd;
    const char *question;
    char *answer;
    size_t cap;
} exchange;

/* Read until "\n": 0, AW_EINCOMPLETE, AW_ELIMIT or the error. The "\n"
 * itself may take the last byte of the buffer: it becomes the '\0', so a
 * line of cap - 1 characters fits. */
static int read_line(int fd, char *line, size_t cap)
{
    size_t len = 0;
    for (;;) {
        if (len >= cap)
            return AW_ELIMIT;
        ssize_t n = aw_recv(fd, line + len, cap - len);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return AW_EINCOMPLETE;
        char *newline = memchr(line + len, '\n', (size_t)n);
        len += (size_t)n;
        if (newline) {
            *newline = '\0';
            return 0;
        }
    }
}

static void *run_exchange(void *arg)
{
    exchange *x = arg;
    ssize_t n = aw_send(x->fd, x->question, strlen(x->question));
    if (n >= 0)
        n = aw_send(x->fd, "\n", 1);
    int rc = n < 0 ? (int)n : read_line(x->fd, x->answer, x->cap);
    return rc ? aw_raise(rc, aw_last_error()) : NULL;
}

int ask(int fd, const char *question, char *answer, size_t cap, double timeout)
{
    if (cap == 0)
        return AW_ELIMIT;
    exchange x = {fd, question, answer, cap};
    aw_task *t = aw_task_create(aw_running_loop(), run_exchange, &x, "ask");
    if (!t)
        return AW_EMISUSE;
    int rc = aw_wait_for(aw_task_future(t), timeout, NULL);
    aw_task_release(t);
    return rc;
}
