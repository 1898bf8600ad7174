/*
 * Exercise: a line-based echo handler.
 *
 * aw_start_server runs one task per connection, and that task calls your
 * handler with the connection's reader and writer. Write the handler of
 * a small line protocol:
 *
 *   - for every line the client sends, answer with the same line in
 *     upper case ("Hello\n" -> "HELLO\n"; toupper each byte);
 *   - the line "quit\n" is answered with "bye\n", and the handler
 *     returns: the server then closes the connection;
 *   - a line longer than the reader's limit (readline says AW_ELIMIT) is
 *     answered with "error: line too long\n", and the session goes on;
 *   - at end of stream, a last line without '\n' is answered like any
 *     other (with a '\n' added), and the handler returns 0;
 *   - any other error ends the session: return it.
 *
 * After each answer, await aw_writer_drain: a client that sends a lot and
 * reads nothing must not make the server buffer without limit.
 *
 * See chapter 7, section "The echo server".
 */
#include "aw.h"

#include <ctype.h>
#include <string.h>

int line_echo_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)reader;
    (void)writer;
    (void)arg;
    return 0;
}
