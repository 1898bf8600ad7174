/* weather.c - the weather service (see weather.h). */
#include "weather.h"

#include "aw.h"

int weather_real_calls;

/* The real thing would ask a server far away. In a test it must not run:
 * this one counts the call, takes a network's round trip, and fails. */
static int real_current(const char *city, double *celsius)
{
    (void)city;
    (void)celsius;
    weather_real_calls++;
    aw_sleep(0.2);
    return -ENETUNREACH;
}

weather_module weather = {.current = real_current};
