/*
 * Exercise: fail with a code and a message.
 *
 * parse_port is a task function. Its argument is a string such as
 * "8080". It ends in one of three ways:
 *
 *   - the string is a whole decimal number from 1 to 65535: the task's
 *     result is that number, carried in the pointer itself:
 *         return (void *)(intptr_t)port;
 *   - the string is not a decimal number at all ("", "http", "80x"):
 *     the task fails with -EINVAL and the message
 *         'TEXT' is not a number
 *   - it is a number, but outside 1..65535 ("0", "70000", "-1"): the
 *     task fails with -ERANGE and the message
 *         port TEXT is out of range (1-65535)
 *   where TEXT is the string exactly as given. A task fails by
 *   returning aw_raise(code, message).
 *
 * port_of(text, &port, why, why_size) runs parse_port as a task on a
 * loop of its own. On success it stores the port and returns 0. On
 * failure it returns the task's error code and copies the task's
 * message into why (cut to fit why_size bytes, always '\0'-terminated).
 * It releases the task and closes the loop either way.
 *
 * strtol(text, &end, 10) reads a number; look at errno and at *end to
 * tell "12" from "12x" and from a number too big for a long.
 *
 * See chapter 1, section "Returning values and errors".
 */
#include "aw.h"

#include <stdint.h>
#include <stdlib.h>

void *parse_port(void *text)
{
    (void)text;
    return NULL;
}

int port_of(const char *text, int *port, char *why, size_t why_size)
{
    (void)text;
    (void)port;
    (void)why;
    (void)why_size;
    return 0;
}
