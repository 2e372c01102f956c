/*
 * fuzz/fuzz_csv.c: libFuzzer target for the CSV reader and sniffer. Each
 * input is sniffed, then read twice: with recognised columns, and with
 * options picked by its first byte (a fixed delimiter, a fixed timestamp
 * layout, no timestamp column, a tiny read-ahead, a strict builder), so the
 * option paths see hostile data too. Limits are small to keep runs fast.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/csv.h"
#include "asbuilt/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_once(ab_ctx *ctx, const uint8_t *data, size_t size, const ab_csv_options *co,
                      const ab_log_options *lo)
{
    ab_input *in = NULL;
    ab_log_builder *b = NULL;
    ab_log *log = NULL;
    ab_error err;
    if (ab_input_open_memory(&in, ctx, data, size, "fuzz.csv", &err) != AB_OK) {
        return;
    }
    if (ab_log_builder_create(&b, ctx, lo) != AB_OK) {
        ab_input_destroy(in);
        return;
    }
    if (ab_csv_read(b, in, co, &err) != AB_OK) {
        ab_log_builder_destroy(b);
        ab_input_destroy(in);
        return;
    }
    if (ab_log_builder_finish(b, &log, &err) == AB_OK) {
        /* Touch what a reader produced, so bad pointers show. */
        size_t sum = 0;
        for (uint32_t c = 0; c < ab_log_case_count(log); c++) {
            sum += strlen(ab_log_case_id(log, c));
        }
        for (uint32_t a = 0; a < ab_log_activity_count(log); a++) {
            sum += strlen(ab_log_activity_name(log, a));
        }
        for (uint64_t e = 0; e < ab_log_event_count(log) && e < 64; e++) {
            ab_value v;
            sum += ab_log_event_attr(log, e, "note", &v) == AB_OK;
        }
        (void)sum;
        ab_log_destroy(log);
    }
    ab_input_destroy(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ab_ctx_options o = AB_CTX_OPTIONS_INIT;
    o.limits.max_field_len = 1 << 16;
    o.limits.max_events = 1 << 20;
    ab_ctx *ctx = NULL;
    if (ab_ctx_create(&ctx, &o) != AB_OK) {
        return 0;
    }

    ab_input *in = NULL;
    ab_error err;
    ab_csv_dialect *d = malloc(sizeof(*d));
    if (d != NULL && ab_input_open_memory(&in, ctx, data, size, "fuzz.csv", &err) == AB_OK) {
        ab_csv_sniff(d, in, NULL, &err);
        ab_input_destroy(in);
    }
    free(d);

    read_once(ctx, data, size, NULL, NULL);

    ab_csv_options co = AB_CSV_OPTIONS_INIT;
    ab_log_options lo = AB_LOG_OPTIONS_INIT;
    unsigned sel = size > 0 ? data[0] : 0;
    static const char delims[] = {',', ';', '\t', '|'};
    static const ab_ts_layout layouts[] = {AB_TS_AUTO, AB_TS_ISO8601, AB_TS_DMY, AB_TS_MDY,
                                           AB_TS_EPOCH_MS, AB_TS_YMD_SLASH, AB_TS_EPOCH_S,
                                           AB_TS_AUTO};
    co.delimiter = delims[sel & 3];
    co.ts_format.layout = layouts[(sel >> 2) & 7];
    co.ts_probe_bytes = 64;
    if (sel & 0x20) {
        co.timestamp_col = "";
    }
    lo.strict = (sel & 0x40) != 0;
    lo.lifecycle = (sel & 0x80) ? AB_LCF_COMPLETE : AB_LCF_ALL;
    read_once(ctx, data, size, &co, &lo);

    ab_ctx_destroy(ctx);
    return 0;
}
