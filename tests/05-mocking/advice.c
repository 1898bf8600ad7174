/* advice.c - what to wear, from the weather (see weather.h). */
#include "weather.h"

#include <stdio.h>

/* advice's own name for the weather function, like the name that
 * `from weather import current` binds in a Python module. */
current_fn advice_current;

void advice_init(void)
{
    advice_current = weather.current;
}

int advice_for(const char *city, char *advice, size_t cap)
{
    double celsius;
    int rc = advice_current(city, &celsius);
    if (rc != 0)
        return rc;
    snprintf(advice, cap, "%s", celsius < 10 ? "coat" : "t-shirt");
    return 0;
}
