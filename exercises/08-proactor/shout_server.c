/*
 * Exercise: a server that runs on both kinds of loop.
 *
 * shout_handler serves one connection of a small line protocol. The
 * server (aw_start_server) runs it in a task of its own per connection,
 * as in chapter 7, and closes the connection when it returns.
 *
 *   - Each line the client sends, '\n' included, comes back in capitals:
 *     "hello\n" -> "HELLO\n". Only the letters a-z change.
 *   - The line "bye\n", in any mix of cases, is answered "BYE\n", and
 *     then the handler returns 0: the server closes the connection once
 *     the answer is sent.
 *   - A line longer than SHOUT_LINE_MAX bytes ('\n' included) is
 *     answered "ERROR line too long\n", and the connection goes on with
 *     the next line. (aw_reader_readline says AW_ELIMIT, and skips the
 *     rest of the line for you.)
 *   - At the end of the stream (the client has closed) return 0; after
 *     any other error, return it. A last line that ends without '\n' is
 *     answered like any other, without '\n'.
 *   - After each answer, aw_writer_drain: a client that sends and does
 *     not read must be slowed down, not buffered without limit.
 *
 * The grader runs the same clients against your server on epoll and on
 * io_uring. Nothing in your code needs to know which loop it runs on:
 * that is the point.
 *
 * See chapter 8, section "What changes for the programmer, and what does
 * not", and its example same_code.c.
 */
#include "aw.h"

#include <ctype.h>
#include <string.h>

enum { SHOUT_LINE_MAX = 100 };

int shout_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)reader;
    (void)writer;
    (void)arg;
    return 0;
}
