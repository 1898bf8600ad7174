/*
 * mock_check.c - the aw_mock checks as Check assertions.
 *
 * Each runs the check of the same name and, if it is false, fails the
 * running Check test with the check's message. Kept apart from mock.c
 * because only these call Check: a program that uses mocks without
 * Check never pulls this file out of libaw.a.
 */
#include "aw_mock.h"

#include <check.h>

/* Fail the test with the mock's message, or mark that it got here. */
static void verdict(aw_mock *m, bool ok)
{
    ck_assert_msg(ok, "%s", aw_mock_message(m));
}

void aw_mock_assert_called(aw_mock *m)
{
    verdict(m, aw_mock_called(m));
}

void aw_mock_assert_not_called(aw_mock *m)
{
    verdict(m, aw_mock_not_called(m));
}

void aw_mock_assert_called_once(aw_mock *m)
{
    verdict(m, aw_mock_called_once(m));
}

void aw_mock_assert_called_times(aw_mock *m, size_t n)
{
    verdict(m, aw_mock_called_times(m, n));
}

void aw_mock_assert_awaited_once(aw_mock *m)
{
    verdict(m, aw_mock_awaited_once(m));
}

void aw_mock_assert_not_awaited(aw_mock *m)
{
    verdict(m, aw_mock_not_awaited(m));
}

void aw_mock_assert_called_with(aw_mock *m, const aw_mock_value *args,
                                size_t nargs)
{
    verdict(m, aw_mock_called_with(m, args, nargs));
}

void aw_mock_assert_called_once_with(aw_mock *m, const aw_mock_value *args,
                                     size_t nargs)
{
    verdict(m, aw_mock_called_once_with(m, args, nargs));
}

void aw_mock_assert_any_call(aw_mock *m, const aw_mock_value *args,
                             size_t nargs)
{
    verdict(m, aw_mock_any_call(m, args, nargs));
}

void aw_mock_assert_has_calls(aw_mock *m, const aw_mock_args *calls,
                              size_t ncalls, bool any_order)
{
    verdict(m, aw_mock_has_calls(m, calls, ncalls, any_order));
}
