/*
 * Solution: fail with a code and a message.
 * See chapter 1, section "Returning values and errors".
 */
#include "aw.h"

#include <stdint.h>
#include <stdlib.h>

void *parse_port(void *arg)
{
    const char *text = arg;
    char message[200];
    char *end;
    errno = 0;
    long port = strtol(text, &end, 10);
    if (end == text || *end != '\0') {
        snprintf(message, sizeof message, "'%s' is not a number", text);
        return aw_raise(-EINVAL, message);
    }
    if (errno == ERANGE || port < 1 || port > 65535) {
        snprintf(message, sizeof message, "port %s is out of range (1-65535)",
                 text);
        return aw_raise(-ERANGE, message);
    }
    return (void *)(intptr_t)port;
}

int port_of(const char *text, int *port, char *why, size_t why_size)
{
    aw_loop *loop = aw_loop_new();
    if (!loop)
        return -ENOMEM;
    /* The task only reads the text; the cast drops const for void *. */
    aw_task *task = aw_task_create(loop, parse_port, (void *)text, "parse");
    if (!task) {
        aw_loop_close(loop);
        return -ENOMEM;
    }
    int rc = aw_loop_run_until_complete(loop, aw_task_future(task));
    if (rc == 0)
        *port = (int)(intptr_t)aw_task_result(task);
    else
        snprintf(why, why_size, "%s", aw_task_message(task));
    aw_task_release(task);
    aw_loop_close(loop);
    return rc;
}
