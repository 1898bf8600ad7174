/* frost.c - frost warnings from the station (see station.h). */
#include "station.h"

#include <stdio.h>

int frost_warning(const char *city, char *msg, size_t cap)
{
    double celsius;
    int rc = station_celsius(city, &celsius); /* defined in station.c */
    if (rc != 0)
        return rc;
    snprintf(msg, cap, "%s", celsius < 0 ? "frost" : "no frost");
    return 0;
}
