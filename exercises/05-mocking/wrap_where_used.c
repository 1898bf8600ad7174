/*
 * Exercise (find the bug): a link-time patch in the wrong place.
 *
 * frost_warning(city) says whether there will be frost, from a weather
 * station it reads over HTTP (read tests/05-mocking/station.h,
 * station.c and frost.c: they are short). A test must not reach the
 * network, and none of this code takes its dependencies as parameters:
 * the test replaces them at link time instead. The grader is linked with
 *
 *     -Wl,--wrap=http_get -Wl,--wrap=station_celsius
 *
 * With --wrap=NAME, the linker sends calls to NAME to __wrap_NAME, which
 * you write below, and __real_NAME names the original. So the fake HTTP
 * below should catch the station's request... but the grader sees the
 * real http_get run (it fails with -ENETUNREACH), and the fake never
 * called. Find out why (the linker's manual says exactly which calls
 * --wrap redirects), and move the fake to where it works. It must answer
 * for the city that frost_warning asked about.
 *
 * Both __wrap_ functions must exist (the grader wraps both names); one
 * of them may just call its __real_ function. fake_station is the
 * grader's mock (an aw_mock): each call answers a pointer to a double,
 * the temperature.
 *
 * See chapter 5, section "Patching at link time".
 */
#include "aw_mock.h"
#include "station.h"

#include <stdio.h>

extern aw_mock *fake_station; /* the grader's */

int __real_http_get(const char *url, char *body, size_t cap);
int __real_station_celsius(const char *city, double *celsius);

/* The fake HTTP: answers "celsius=<the mock's number>". */
int __wrap_http_get(const char *url, char *body, size_t cap)
{
    aw_mock_value args[] = {aw_mock_str(url)};
    void *answer = NULL;
    int rc = aw_mock_await(fake_station, args, 1, &answer);
    if (rc == 0)
        snprintf(body, cap, "celsius=%.1f", *(const double *)answer);
    return rc;
}

int __wrap_station_celsius(const char *city, double *celsius)
{
    return __real_station_celsius(city, celsius);
}
