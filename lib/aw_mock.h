/*
 * aw_mock.h - a mock for async functions, like Python's AsyncMock.
 *
 *   unittest.mock                          aw_mock
 *   m = AsyncMock()                        m = aw_mock_new("get_data")
 *   m.return_value = x                     aw_mock_return(m, x)
 *   m.side_effect = [x, Error(), y]        aw_mock_then_return(m, x);
 *                                          aw_mock_then_fail(m, code, msg);
 *                                          aw_mock_then_return(m, y)
 *   await m(url)                           aw_mock_await(m, args, 1, &result)
 *   coro = m(url)  (await later)           f = aw_mock_call(m, args, 1)
 *   m.call_count, m.await_count            aw_mock_call_count, ..._await_count
 *   m.call_args_list[i]                    aw_mock_call_args(m, i, &n)
 *   m.assert_called_once_with(url)         aw_mock_called_once_with(m, ...)
 *   m.assert_awaited_once()                aw_mock_awaited_once(m)
 *   m.assert_any_call(url)                 aw_mock_any_call(m, args, 1)
 *   m.assert_has_calls(calls, any_order)   aw_mock_has_calls(m, calls, n, ...)
 *   mock.ANY                               aw_mock_any()
 *
 * C has no keyword arguments and no introspection, so the code under
 * test reaches the mock through a small fake with the real function's
 * signature, which packs its arguments into aw_mock_values:
 *
 *   static int fake_get_data(void *mock, const char *url, char **out)
 *   {
 *       aw_mock_value args[] = {aw_mock_str(url)};
 *       return aw_mock_await(mock, args, 1, (void **)out);
 *   }
 *
 * and the test hands the fake to the code (a function pointer, a vtable,
 * or a link-time wrapper; see chapter 5).
 *
 * Checks. Each aw_mock_called... function returns true or false and, when
 * false, leaves the reason in aw_mock_message(m), for Check:
 *
 *   ck_assert_msg(aw_mock_called_once_with(m, args, 1), "%s",
 *                 aw_mock_message(m));
 *
 * The aw_mock_assert_... forms do both, and fail the running Check test
 * with that message. Only they need Check (link with -lcheck); the rest
 * works in any program.
 *
 * "Awaited" means the outcome of the call was collected: its future was
 * awaited (or its error read). A call whose future nobody awaits is
 * called but not awaited, as in Python.
 */
#ifndef AW_MOCK_H
#define AW_MOCK_H

#include "aw.h"

/* ---- argument values -------------------------------------------------- */

typedef enum {
    AW_MOCK_INT,    /* compared by value */
    AW_MOCK_DOUBLE, /* compared by value */
    AW_MOCK_STR,    /* compared by content; NULL matches only NULL */
    AW_MOCK_PTR,    /* compared by address */
    AW_MOCK_BYTES,  /* compared by length and content */
    AW_MOCK_ANY     /* an expectation that matches any value (mock.ANY) */
} aw_mock_type;

typedef struct {
    aw_mock_type type;
    long long i;   /* INT */
    double d;      /* DOUBLE */
    const void *p; /* STR, PTR, BYTES */
    size_t len;    /* BYTES */
} aw_mock_value;

aw_mock_value aw_mock_int(long long v);
aw_mock_value aw_mock_double(double v);
aw_mock_value aw_mock_str(const char *s);
aw_mock_value aw_mock_ptr(const void *p);
aw_mock_value aw_mock_bytes(const void *p, size_t len);
aw_mock_value aw_mock_any(void);

/* An expected call, for aw_mock_has_calls. */
typedef struct {
    const aw_mock_value *args;
    size_t nargs;
} aw_mock_args;

/* ---- making and configuring a mock ------------------------------------ */

typedef struct aw_mock aw_mock;

/* A mock with a name for messages ("get_data"). NULL if out of memory. */
aw_mock *aw_mock_new(const char *name);
/* Free the mock. A call still waiting for a delayed outcome loses its
 * timer and is never completed; freeing after the loop is closed is fine
 * (closing disarms every timer). */
void aw_mock_free(aw_mock *m);
/* Forget every call, keep the configuration (Python's reset_mock). */
void aw_mock_reset(aw_mock *m);

/* What one call does. */
typedef struct {
    void *result;        /* the call's result, if no error */
    int error;           /* 0, or the negative code the call fails with */
    const char *message; /* the error's message; NULL: aw_strerror(error) */
    double delay;        /* seconds of loop time before the outcome;
                            AW_MOCK_FOREVER: never (until cancelled) */
} aw_mock_outcome;

#define AW_MOCK_FOREVER (-1.0)

/* Side effects: each call takes the next queued outcome, in order; when
 * none is left, calls get the default outcome (return_value). */
int aw_mock_then(aw_mock *m, aw_mock_outcome outcome);
int aw_mock_then_return(aw_mock *m, void *result);
int aw_mock_then_fail(aw_mock *m, int code, const char *message);
/* The default outcome: result NULL, no error, no delay until set. */
int aw_mock_set_default(aw_mock *m, aw_mock_outcome outcome);
int aw_mock_return(aw_mock *m, void *result);

/* ---- calling ---------------------------------------------------------- */

/* Record a call with its arguments (copied: strings and bytes too) and
 * return a future of its outcome, which the caller owns (release it).
 * Needs a running loop. NULL on error (see aw_last_error). */
aw_future *aw_mock_call(aw_mock *m, const aw_mock_value *args, size_t nargs);
/* In a task: call and await, as `await m(...)`. Returns 0 or the
 * outcome's error; *result (if not NULL) gets the result. */
int aw_mock_await(aw_mock *m, const aw_mock_value *args, size_t nargs,
                  void **result);

/* ---- looking at the calls --------------------------------------------- */

const char *aw_mock_name(const aw_mock *m);
size_t aw_mock_call_count(const aw_mock *m);
size_t aw_mock_await_count(const aw_mock *m);
/* The arguments of call i (0 is the first); *nargs gets their count.
 * NULL if there is no call i. */
const aw_mock_value *aw_mock_call_args(const aw_mock *m, size_t i,
                                       size_t *nargs);

/* ---- checks: true, or false with the reason in aw_mock_message -------- */

bool aw_mock_called(aw_mock *m); /* at least once */
bool aw_mock_not_called(aw_mock *m);
bool aw_mock_called_once(aw_mock *m);
bool aw_mock_called_times(aw_mock *m, size_t n);
bool aw_mock_awaited_once(aw_mock *m);
bool aw_mock_not_awaited(aw_mock *m);
/* The most recent call had these arguments. */
bool aw_mock_called_with(aw_mock *m, const aw_mock_value *args, size_t nargs);
/* Exactly one call, with these arguments. */
bool aw_mock_called_once_with(aw_mock *m, const aw_mock_value *args,
                              size_t nargs);
/* Some call had these arguments. */
bool aw_mock_any_call(aw_mock *m, const aw_mock_value *args, size_t nargs);
/* These calls were made: one after another (among any others), or, with
 * any_order, each by some call of its own. */
bool aw_mock_has_calls(aw_mock *m, const aw_mock_args *calls, size_t ncalls,
                       bool any_order);
/* Why the last check returned false ("" after one that returned true). */
const char *aw_mock_message(const aw_mock *m);

/* ---- the same checks as Check assertions (need -lcheck) --------------- */

void aw_mock_assert_called(aw_mock *m);
void aw_mock_assert_not_called(aw_mock *m);
void aw_mock_assert_called_once(aw_mock *m);
void aw_mock_assert_called_times(aw_mock *m, size_t n);
void aw_mock_assert_awaited_once(aw_mock *m);
void aw_mock_assert_not_awaited(aw_mock *m);
void aw_mock_assert_called_with(aw_mock *m, const aw_mock_value *args,
                                size_t nargs);
void aw_mock_assert_called_once_with(aw_mock *m, const aw_mock_value *args,
                                     size_t nargs);
void aw_mock_assert_any_call(aw_mock *m, const aw_mock_value *args,
                             size_t nargs);
void aw_mock_assert_has_calls(aw_mock *m, const aw_mock_args *calls,
                              size_t ncalls, bool any_order);

#endif
