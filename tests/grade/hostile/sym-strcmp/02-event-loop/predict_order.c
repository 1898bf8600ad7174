/*
 * Hostile: a wrong prediction, and a strcmp that calls every pair of
 * strings equal. The grader's own strcmp(prediction, actual) now says
 * the prediction is right.
 */
#include <stddef.h>

const char *predicted_order(void)
{
    return "ABCDEFGHIJK"; /* well formed, in the wrong order */
}

int strcmp(const char *a, const char *b)
{
    (void)a;
    (void)b;
    return 0;
}
