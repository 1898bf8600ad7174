/*
 * rows.h - how a C benchmark writes its rows for results.json.
 *
 * A benchmark writes one fragment, build/bench/rows/<bench>.json: a JSON
 * list of rows {"bench", "subject", "params", "value", "unit"}, such as
 *
 *   {"bench": "switch", "subject": "aw", "params": {"stat": "median"},
 *    "value": 4.1, "unit": "ns"}
 *
 * tests/bench/collect.sh merges the fragments into results.json.
 */
#ifndef BENCH_ROWS_H
#define BENCH_ROWS_H

#include <stdio.h>

typedef struct {
    FILE *out;
    int count; /* rows written so far */
} bench_rows;

/* Start a fragment at path. 0, or -1 with errno set. */
int bench_rows_open(bench_rows *rows, const char *path);
/* Add one row. params is a JSON object as text, e.g. "{\"n\": 10}". */
void bench_rows_add(bench_rows *rows, const char *bench, const char *subject,
                    const char *params, double value, const char *unit);
/* End the list and close the file. 0, or -1 if anything failed. */
int bench_rows_close(bench_rows *rows);

#endif
