/*
 * null_test.h - what test_null.c and the calls generated from the
 * headers (gen_null_test.py) share.
 */
#ifndef TESTS_LIB_NULL_TEST_H
#define TESTS_LIB_NULL_TEST_H

#include "aw.h"
#include "aw_fault.h"
#include "aw_mock.h"
#include "aw_system.h"
#include "aw_test.h"

#include <stddef.h>

typedef struct {
    const char *name;
    void (*call)(void); /* calls the function with NULL pointers */
} null_test_case;

/* Every generated case; the list ends with {NULL, NULL}. */
extern const null_test_case null_test_cases[];

/* Around each call: leave a message that is not the function's, then
 * check that the call replaced it with one that names the function and,
 * for an int result, returned an error. `accepts` marks functions for
 * which NULL is valid (free-like ones): they need only return. */
void null_test_before(const char *name);
void null_test_after(const char *name, int accepts, int has_rc, long long rc);

#endif
