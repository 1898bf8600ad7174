/*
 * reader_fuzz.c - libFuzzer drives the stream reader: each input decodes
 * (tests/lib/reader_model.h) into a limit, the chunks a peer sends and a
 * script of reads, which run on a real socket pair and are compared,
 * call by call, with the model. A difference aborts with the case and
 * the call, which libFuzzer saves as a crash file.
 *
 *   make fuzz-reader                       epoll and io_uring, 60 s each
 *   make fuzz-reader FUZZ_SECONDS=600 FUZZ_BACKENDS=poll
 *   build/fuzz/reader_fuzz CRASH_FILE      replay one input
 */
#include "aw.h"
#include "reader_model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static aw_loop *loop; /* one for the whole run: inputs come fast */
    if (!loop) {
        loop = aw_loop_new(); /* on $AW_BACKEND */
        if (!loop) {
            fprintf(stderr, "aw_loop_new: %s\n", aw_last_error());
            abort();
        }
    }
    static rm_case c;
    rm_decode(data, size, &c);
    char why[512];
    if (rm_run(loop, &c, why, sizeof why) != 0) {
        rm_describe(&c, stderr);
        fprintf(stderr, "the reader and the model differ: %s\n", why);
        abort();
    }
    return 0;
}
