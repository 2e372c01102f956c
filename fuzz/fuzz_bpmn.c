/*
 * fuzz/fuzz_bpmn.c: feeds arbitrary bytes to the BPMN reader, and compiles,
 * checks and replays whatever map comes out, with small state limits so that
 * each input stays fast. Any crash, hang, leak or sanitizer report is a bug:
 * bad input must end in an error code.
 */
#include <stddef.h>
#include <stdint.h>

#include "asbuilt/bpmn.h"
#include "asbuilt/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ab_ctx *ctx = NULL;
    if (ab_ctx_create(&ctx, NULL) != AB_OK) {
        return 0;
    }
    ab_bpmn *m = NULL;
    if (ab_bpmn_read_memory(&m, ctx, data, size, "fuzz.bpmn", NULL, NULL) == AB_OK) {
        ab_net_options no = AB_NET_OPTIONS_INIT;
        no.max_states = 2000;
        ab_net *n = NULL;
        if (ab_net_compile(&n, ctx, m, &no, NULL) == AB_OK) {
            ab_net_check_options co = AB_NET_CHECK_OPTIONS_INIT;
            co.max_states = 5000;
            ab_net_verdict v;
            (void)ab_net_check(n, &co, &v, NULL);
            ab_net_replay_options ro = AB_NET_REPLAY_OPTIONS_INIT;
            ro.max_states = 5000;
            const char *trace[3];
            size_t len = 0;
            for (uint32_t i = 0; i < ab_net_label_count(n) && len < 3; i++) {
                trace[len++] = ab_net_label(n, i);
            }
            int acc = 0;
            (void)ab_net_accepts(n, trace, len, &ro, &acc, NULL);
            (void)ab_net_accepts(n, trace, 0, &ro, &acc, NULL);
            ab_bpmn_mapping *map = NULL;
            if (ab_bpmn_map_create(&map, ctx, ab_net_labels(n), ab_net_label_count(n), trace, len,
                                   NULL, NULL) == AB_OK) {
                ab_net *r = NULL;
                if (ab_net_relabel(&r, n, map, NULL) == AB_OK) {
                    ab_net_destroy(r);
                }
                ab_bpmn_map_destroy(map);
            }
            ab_net_destroy(n);
        }
        ab_bpmn_destroy(m);
    }
    ab_ctx_destroy(ctx);
    return 0;
}
