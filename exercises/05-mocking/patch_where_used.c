/*
 * Exercise (find the bug): a patch in the wrong place.
 *
 * advice_for(city) tells you what to wear, from the weather service (read
 * tests/05-mocking/weather.h, weather.c and advice.c: they are short). A
 * test must not reach the real service, which goes to the network, so
 * the test replaces it with a fake backed by a mock: patch_weather()
 * puts the fake in, unpatch_weather() puts the real one back.
 *
 * The grader does what a test would:
 *
 *     advice_init();        (advice is set up, as a module is imported)
 *     patch_weather();
 *     advice_for("Oslo")    -> must use the fake: -3 degrees, "coat"
 *     unpatch_weather();    -> everything as it was
 *
 * The fake is never called: the real service runs, and the test fails
 * with -ENETUNREACH. Python programmers meet this as "patch where the
 * name is used, not where it is defined": after
 * `from weather import current`, patching weather.current does not
 * change the advice module's own name for it.
 *
 * Fix patch_weather and unpatch_weather. fake_weather is the grader's
 * mock (an aw_mock): each call answers a pointer to a double.
 *
 * See chapter 5, section "Patch where the name is used".
 */
#include "aw_mock.h"
#include "weather.h"

extern aw_mock *fake_weather; /* the grader's */

/* The fake: the real function's signature, answering from the mock. */
static int fake_current(const char *city, double *celsius)
{
    aw_mock_value args[] = {aw_mock_str(city)};
    void *answer = NULL;
    int rc = aw_mock_await(fake_weather, args, 1, &answer);
    if (rc == 0)
        *celsius = *(const double *)answer;
    return rc;
}

static current_fn saved;

void patch_weather(void)
{
    saved = weather.current;
    weather.current = fake_current;
}

void unpatch_weather(void)
{
    weather.current = saved;
}
