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

enum { LINE_MAX_BYTES = 64 * 1024 };

static int answer(aw_writer *writer, const char *text, size_t len)
{
    int rc = aw_writer_write(writer, text, len);
    return rc != 0 ? rc : aw_writer_drain(writer);
}

int line_echo_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)arg;
    static const char too_long[] = "error: line too long\n";
    char line[LINE_MAX_BYTES + 2];
    for (;;) {
        size_t len = 0;
        int rc = aw_reader_readline(reader, line, sizeof line - 1, &len);
        if (rc == AW_ELIMIT) {
            rc = answer(writer, too_long, sizeof too_long - 1);
            if (rc != 0)
                return rc;
            continue;
        }
        if (rc != 0)
            return rc;
        if (len == 0)
            return 0; /* end of stream */
        if (strcmp(line, "quit\n") == 0)
            return answer(writer, "bye\n", 4);
        if (line[len - 1] != '\n') /* the last line, cut short by EOF */
            line[len++] = '\n';
        for (size_t i = 0; i < len; i++)
            line[i] = (char)toupper((unsigned char)line[i]);
        rc = answer(writer, line, len);
        if (rc != 0)
            return rc;
    }
}
