/*
 * net/net_replay.c: does the net accept a sequence of labels? The set of
 * markings the net can be in is followed label by label: after each label
 * (and at the start) it is closed under silent transitions, then only the
 * transitions carrying the next label may fire. The set is bounded by a
 * state limit, so a net with silent cycles or wide concurrency cannot make
 * the check run away.
 */
#include "net/net_int.h"

#include <stdlib.h>

typedef struct replay {
    const ab_net *n;
    ab__netidx silent; /* Index over silent transitions. */
    uint32_t *by_label_first; /* label -> range in by_label. */
    uint32_t *by_label;
    uint32_t *buf;
    size_t buf_cap;
    uint32_t growth; /* Most tokens a transition adds. */
    uint64_t max_states;
} replay;

/* Room in buf for a marking of len tokens and a successor (two halves). */
static int buf_room(replay *r, ab_ctx *ctx, uint32_t len)
{
    size_t half = (size_t)len + r->growth + 64;
    if (half * 2 <= r->buf_cap) {
        return AB_OK;
    }
    uint32_t *nb = ab__realloc(ctx, r->buf, sizeof(uint32_t) * half * 2);
    if (nb == NULL) {
        return AB_ENOMEM;
    }
    r->buf = nb;
    r->buf_cap = half * 2;
    return AB_OK;
}

/* Closes the markings [from, st->count) under silent transitions. */
static int close_silent(replay *r, ab__mstore *st, uint32_t from)
{
    const ab_net *n = r->n;
    for (uint32_t s = from; s < st->count; s++) {
        uint32_t len;
        const uint32_t *m = ab__mstore_get(st, s, &len);
        if (buf_room(r, n->ctx, len) != AB_OK) {
            return AB_ENOMEM;
        }
        uint32_t *cur = r->buf, *next = r->buf + r->buf_cap / 2;
        memcpy(cur, m, sizeof(uint32_t) * len);
        for (uint32_t i = 0; i < len; i++) {
            if (i > 0 && cur[i] == cur[i - 1]) {
                continue;
            }
            for (uint32_t k = r->silent.first[cur[i]]; k < r->silent.first[cur[i] + 1]; k++) {
                uint32_t t = r->silent.trans[k];
                if (!ab__net_enabled(n, t, cur, len)) {
                    continue;
                }
                uint32_t nl = ab__net_fire(n, t, cur, len, next, NULL);
                uint32_t id;
                int is_new;
                int rc = ab__mstore_add(st, next, nl, &id, &is_new);
                if (rc != AB_OK) {
                    return rc;
                }
                if ((uint64_t)st->count > r->max_states) {
                    return AB_ELIMIT;
                }
            }
        }
    }
    return AB_OK;
}

int ab_net_accepts_ids(const ab_net *n, const uint32_t *labels, size_t count,
                       const ab_net_replay_options *opts, int *accepted_out, ab_error *err)
{
    ab_net_replay_options defaults = AB_NET_REPLAY_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != AB_NET_REPLAY_OPTIONS_VERSION || accepted_out == NULL ||
        (labels == NULL && count > 0)) {
        return ab__error(err, AB_EINVAL, "net", 0, 0, "ab_net_accepts: bad arguments");
    }
    *accepted_out = 0;
    for (size_t i = 0; i < count; i++) {
        if (labels[i] >= n->label_count) {
            return AB_OK; /* A label the net does not have. */
        }
    }
    ab_ctx *ctx = n->ctx;
    replay r;
    memset(&r, 0, sizeof(r));
    r.n = n;
    r.max_states = opts->max_states != 0 ? opts->max_states : 100000;
    r.buf_cap = 2 * 8192;
    r.growth = ab__net_max_growth(n);
    ab__mstore a, b;
    int rc = AB_OK;
    uint8_t *silent = ab__calloc(ctx, (size_t)n->trans_count + 1, 1);
    r.by_label_first = ab__calloc(ctx, (size_t)n->label_count + 2, sizeof(uint32_t));
    r.by_label = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)n->trans_count + 1));
    r.buf = ab__malloc(ctx, sizeof(uint32_t) * r.buf_cap);
    int have_a = ab__mstore_init(&a, ctx) == AB_OK;
    int have_b = ab__mstore_init(&b, ctx) == AB_OK;
    if (silent == NULL || r.by_label_first == NULL || r.by_label == NULL || r.buf == NULL ||
        !have_a || !have_b) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t t = 0; t < n->trans_count; t++) {
        uint32_t l = n->pub_trans[t].label_id;
        silent[t] = l == AB_NET_SILENT;
        if (l != AB_NET_SILENT) {
            r.by_label_first[l + 1]++;
        }
    }
    for (uint32_t l = 0; l < n->label_count; l++) {
        r.by_label_first[l + 1] += r.by_label_first[l];
    }
    {
        uint32_t *fill = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)n->label_count + 1));
        if (fill == NULL) {
            rc = AB_ENOMEM;
            goto done;
        }
        memcpy(fill, r.by_label_first, sizeof(uint32_t) * n->label_count);
        for (uint32_t t = 0; t < n->trans_count; t++) {
            uint32_t l = n->pub_trans[t].label_id;
            if (l != AB_NET_SILENT) {
                r.by_label[fill[l]++] = t;
            }
        }
        ab__free(ctx, fill);
    }
    AB_TRY(ab__netidx_build(&r.silent, ctx, n, silent));
    uint32_t id;
    int is_new;
    AB_TRY(ab__mstore_add(&a, &n->source, 1, &id, &is_new));
    AB_TRY(close_silent(&r, &a, 0));
    ab__mstore *cur = &a, *nxt = &b;
    for (size_t i = 0; i < count && cur->count > 0; i++) {
        ab__mstore_clear(nxt);
        uint32_t l = labels[i];
        for (uint32_t s = 0; s < cur->count; s++) {
            uint32_t len;
            const uint32_t *m = ab__mstore_get(cur, s, &len);
            for (uint32_t k = r.by_label_first[l]; k < r.by_label_first[l + 1]; k++) {
                uint32_t t = r.by_label[k];
                if (!ab__net_enabled(n, t, m, len)) {
                    continue;
                }
                AB_TRY(buf_room(&r, ctx, len));
                m = ab__mstore_get(cur, s, &len);
                uint32_t nl = ab__net_fire(n, t, m, len, r.buf, NULL);
                AB_TRY(ab__mstore_add(nxt, r.buf, nl, &id, &is_new));
            }
        }
        AB_TRY(close_silent(&r, nxt, 0));
        ab__mstore *tmp = cur;
        cur = nxt;
        nxt = tmp;
    }
    for (uint32_t s = 0; s < cur->count; s++) {
        uint32_t len;
        const uint32_t *m = ab__mstore_get(cur, s, &len);
        if (len == 1 && m[0] == n->sink) {
            *accepted_out = 1;
            break;
        }
    }
done:
    ab__free(ctx, silent);
    ab__free(ctx, r.by_label_first);
    ab__free(ctx, r.by_label);
    ab__free(ctx, r.buf);
    ab__netidx_finish(&r.silent, ctx);
    if (have_a) {
        ab__mstore_finish(&a);
    }
    if (have_b) {
        ab__mstore_finish(&b);
    }
    if (rc == AB_ELIMIT) {
        return ab__error(err, AB_ELIMIT, "net", 0, 0,
                         "not decided within the budget (the replay followed more than %llu "
                         "markings: max_states)",
                         (unsigned long long)r.max_states);
    }
    if (rc != AB_OK) {
        return ab__error(err, rc, "net", 0, 0, "out of memory");
    }
    return AB_OK;
}

int ab_net_accepts(const ab_net *n, const char *const *labels, size_t count,
                   const ab_net_replay_options *opts, int *accepted_out, ab_error *err)
{
    if (accepted_out == NULL || (labels == NULL && count > 0)) {
        return ab__error(err, AB_EINVAL, "net", 0, 0, "ab_net_accepts: bad arguments");
    }
    *accepted_out = 0;
    uint32_t *ids = ab__malloc(n->ctx, sizeof(uint32_t) * (count + 1));
    if (ids == NULL) {
        return ab__error(err, AB_ENOMEM, "net", 0, 0, "out of memory");
    }
    for (size_t i = 0; i < count; i++) {
        if (ab_net_label_find(n, labels[i], &ids[i]) != AB_OK) {
            ab__free(n->ctx, ids);
            return AB_OK; /* Never accepted: the net has no such label. */
        }
    }
    int rc = ab_net_accepts_ids(n, ids, count, opts, accepted_out, err);
    ab__free(n->ctx, ids);
    return rc;
}
