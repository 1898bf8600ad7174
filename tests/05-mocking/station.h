/*
 * station.h - two small modules for 05-mocking/wrap_where_used.
 *
 * station (station.c): reads a weather station over HTTP. station_celsius
 * calls http_get; both are defined in station.c.
 * frost (frost.c): the code under test. frost_warning calls
 * station_celsius, which is defined in another file.
 *
 * Everything here runs inside a task.
 */
#ifndef STATION_H
#define STATION_H

#include <stddef.h>

/* GET url; the body goes to body[cap]. 0 or an error. The real one goes
 * to the network, which a test must never do. */
int http_get(const char *url, char *body, size_t cap);
/* How many times the real http_get has run. */
extern int station_http_calls;

/* The temperature at city's station: GET http://station.example/<city>,
 * whose body is "celsius=<number>". 0 or an error. */
int station_celsius(const char *city, double *celsius);

/* "frost" below 0 degrees, "no frost" otherwise, into msg[cap]. 0 or the
 * station's error. */
int frost_warning(const char *city, char *msg, size_t cap);

#endif
