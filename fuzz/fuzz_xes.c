/*
 * fuzz/fuzz_xes.c: libFuzzer target for the XES reader. The bytes go through
 * ab_input_open_memory (so gzip-wrapped input is fuzzed as well) and
 * ab_xes_read into a log builder, which is finished and destroyed. A crash,
 * a sanitizer report or a leak is a finding; error returns are expected.
 */
#include <stddef.h>
#include <stdint.h>

#include "asbuilt/input.h"
#include "asbuilt/log.h"
#include "asbuilt/xes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ab_ctx *ctx = NULL;
    if (ab_ctx_create(&ctx, NULL) != AB_OK) {
        return 0;
    }
    ab_log_builder *b = NULL;
    ab_input *in = NULL;
    ab_error err;
    ab_xes_options xo = AB_XES_OPTIONS_INIT;
    /* One input in four also runs the classifier path (joined keys). */
    if (size % 4 == 1) {
        xo.classifier = "concept:name lifecycle:transition";
    }
    if (ab_log_builder_create(&b, ctx, NULL) == AB_OK &&
        ab_input_open_memory(&in, ctx, data, size, "fuzz.xes", &err) == AB_OK &&
        ab_xes_read(b, in, &xo, &err) == AB_OK) {
        ab_log *log = NULL;
        /* finish() destroys the builder, also on failure. */
        ab_log_builder *done = b;
        b = NULL;
        if (ab_log_builder_finish(done, &log, &err) == AB_OK) {
            (void)ab_log_event_count(log);
            ab_log_destroy(log);
        }
    }
    ab_input_destroy(in);
    ab_log_builder_destroy(b);
    ab_ctx_destroy(ctx);
    return 0;
}
