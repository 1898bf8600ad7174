/* rows.c - write a benchmark's rows as a JSON list; see rows.h. */
#include "rows.h"

int bench_rows_open(bench_rows *rows, const char *path)
{
    rows->count = 0;
    rows->out = fopen(path, "w");
    if (!rows->out)
        return -1;
    fputs("[", rows->out);
    return 0;
}

/* Names and units are plain words chosen by the benchmark, so they need
 * no JSON escaping; params is already JSON. */
void bench_rows_add(bench_rows *rows, const char *bench, const char *subject,
                    const char *params, double value, const char *unit)
{
    fprintf(rows->out,
            "%s\n  {\"bench\": \"%s\", \"subject\": \"%s\", \"params\": %s, "
            "\"value\": %.6g, \"unit\": \"%s\"}",
            rows->count ? "," : "", bench, subject, params ? params : "{}",
            value, unit);
    rows->count++;
}

int bench_rows_close(bench_rows *rows)
{
    fputs("\n]\n", rows->out);
    int failed = ferror(rows->out);
    return fclose(rows->out) != 0 || failed ? -1 : 0;
}
