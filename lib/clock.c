/* clock.c - the loop's time: monotonic, or virtual for tests. */
#include "internal.h"

#include <math.h>
#include <time.h>

aw_ns aw__monotonic_ns(void)
{
    struct timespec ts;
    /* CLOCK_MONOTONIC never jumps when the wall clock is set. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (aw_ns)ts.tv_sec * AW_NS_PER_SEC + ts.tv_nsec;
}

aw_ns aw__loop_now(const aw_loop *loop)
{
    return loop->virtual_clock ? loop->virtual_now : aw__monotonic_ns();
}

aw_ns aw__seconds_to_ns(double seconds)
{
    if (!(seconds > 0)) /* also catches NaN */
        return 0;
    if (seconds > 1e9) /* about 31 years: "never" for our purposes */
        seconds = 1e9;
    return (aw_ns)llround(seconds * 1e9);
}

double aw_loop_time(const aw_loop *loop)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_loop_time: loop is NULL");
        return 0;
    }
    return (double)aw__loop_now(loop) / 1e9;
}
