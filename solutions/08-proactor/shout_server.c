/*
 * Solution: a server that runs on both kinds of loop.
 */
#include "aw.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

enum { SHOUT_LINE_MAX = 100 };

static const char too_long[] = "ERROR line too long\n";

int shout_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)arg;
    char line[SHOUT_LINE_MAX + 1]; /* the line and its NUL */
    for (;;) {
        size_t len;
        int rc = aw_reader_readline(reader, line, sizeof line, &len);
        const char *answer = line;
        bool last = false;
        if (rc == AW_ELIMIT) {
            answer = too_long;
            len = sizeof too_long - 1;
        } else if (rc != 0) {
            return rc;
        } else if (len == 0) {
            return 0; /* the client has closed */
        } else if (len == 4 && strncasecmp(line, "bye\n", 4) == 0) {
            answer = "BYE\n";
            last = true;
        } else {
            for (size_t i = 0; i < len; i++)
                line[i] = (char)toupper((unsigned char)line[i]);
        }
        rc = aw_writer_write(writer, answer, len);
        if (rc == 0)
            rc = aw_writer_drain(writer);
        if (rc != 0 || last)
            return rc;
    }
}
