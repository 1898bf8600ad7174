/*
 * weather.h - two small modules for 05-mocking/patch_where_used.
 *
 * weather, the service: its function is reached through a table, the way
 * a Python module's functions are reached through its attributes:
 *
 *     weather.current(city, &celsius)       # weather.current(city)
 *
 * advice, the code that uses it: like `from weather import current`, it
 * takes its own reference to the function when it is set up
 * (advice_init), and from then on calls through that reference.
 *
 * Both are in tests/05-mocking/ (weather.c, advice.c): read them.
 */
#ifndef WEATHER_H
#define WEATHER_H

#include <stddef.h>

/* In a task: the temperature in city, in *celsius; 0 or an error. */
typedef int (*current_fn)(const char *city, double *celsius);

typedef struct {
    current_fn current;
} weather_module;

/* The weather module. Its current() is the real one: it goes to the
 * network, which a test must never do. */
extern weather_module weather;
/* How many times the real current() has run. */
extern int weather_real_calls;

/* advice's own reference to the weather function, taken by advice_init
 * (`from weather import current`). */
extern current_fn advice_current;
void advice_init(void);
/* In a task: "coat" below 10 degrees, "t-shirt" otherwise, into
 * advice[cap]. 0, or the weather's error. */
int advice_for(const char *city, char *advice, size_t cap);

#endif
