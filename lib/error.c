/* error.c - error codes, their names, and the last error's message. */
#include "internal.h"

#include <string.h>

/* One message per thread, like errno: the detail behind a return code. */
static __thread char last_error[512];

int aw__fail(int code, const char *fmt, ...)
{
    /* Format aside first: an argument may be the last message itself,
     * when a caller adds context to the failure of a call it made. */
    char message[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    memcpy(last_error, message, sizeof last_error);
    return code;
}

const char *aw_last_error(void)
{
    return last_error;
}

const char *aw_strerror(int code)
{
    switch (code) {
    case AW_OK:
        return "success";
    case AW_ECANCELLED:
        return "operation cancelled";
    case AW_ETIMEDOUT:
        return "timed out";
    case AW_EMISUSE:
        return "library misuse";
    case AW_ESTATE:
        return "invalid state";
    case AW_EDEADLOCK:
        return "deadlock: tasks wait but nothing can wake them";
    case AW_EINCOMPLETE:
        return "end of stream before the expected data";
    case AW_ELIMIT:
        return "limit exceeded";
    case AW_EUNAVAILABLE:
        return "backend unavailable";
    default:
        /* Every other code is a negated errno value. */
        return code < 0 ? strerror(-code) : "unknown error";
    }
}
