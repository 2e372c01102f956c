/*
 * gap/gap_accept.c: the accept file, where a reviewer lists deviations that
 * are known and accepted ("bypass,Approve loan offer"). Accepted deviations
 * stay in the report, marked, and no longer make a case count in M1. The
 * format is documented in asbuilt/gap.h (ab_gap_compute); names are compared
 * after the label normalisation the mapping uses.
 */
#include "gap/gap_int.h"

#include <errno.h>
#include <stdio.h>

static const struct {
    const char *word;
    ab__gap_rule_type type;
    int fields; /* Names after the keyword. */
} keywords[] = {
    {"bypass", AB__RULE_BYPASS, 1},
    {"undocumented_activity", AB__RULE_UNDOCUMENTED, 1},
    {"undocumented", AB__RULE_UNDOCUMENTED, 1},
    {"extra_step", AB__RULE_EXTRA, 1},
    {"rework", AB__RULE_REWORK, 1},
    {"undocumented_rework", AB__RULE_REWORK, 1},
    {"out_of_order", AB__RULE_OUT_OF_ORDER, 1},
    {"substitution", AB__RULE_SUBSTITUTION, 2},
    {"transition", AB__RULE_TRANSITION, 2},
    {"role", AB__RULE_ROLE, 2},
    {"sod", AB__RULE_SOD, 2},
    {"handoff", AB__RULE_HANDOFF, 2},
};

const char *ab__gap_rule_type_name(ab__gap_rule_type t)
{
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        if (keywords[i].type == t) {
            return keywords[i].word;
        }
    }
    return "unknown";
}

int ab__gap_rule_match(const char *pattern, const char *norm)
{
    return strcmp(pattern, "*") == 0 || (norm != NULL && strcmp(pattern, norm) == 0);
}

/* Reads a whole file into ctx memory (NUL-terminated). */
static int slurp(ab_ctx *ctx, const char *path, char **out, size_t *len_out, ab_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return ab__error(err, AB_EIO, path, 0, 0, "cannot open the accept file: %s",
                         strerror(errno));
    }
    char *data = NULL;
    size_t len = 0, cap = 0;
    int rc = AB_OK;
    for (;;) {
        if (AB_GROW(ctx, data, cap, len + 4097) != AB_OK) {
            rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
            break;
        }
        size_t n = fread(data + len, 1, 4096, f);
        len += n;
        if (n < 4096) {
            if (ferror(f)) {
                rc = ab__error(err, AB_EIO, path, 0, 0, "read error");
            }
            break;
        }
    }
    fclose(f);
    if (rc != AB_OK) {
        ab__free(ctx, data);
        return rc;
    }
    data[len] = '\0';
    *out = data;
    *len_out = len;
    return AB_OK;
}

static char *normalised(ab__arena *arena, const char *s)
{
    if (strcmp(s, "*") == 0) {
        return ab__arena_strndup(arena, "*", 1);
    }
    size_t need = ab_bpmn_label_normalise(s, NULL, 0);
    char *buf = ab__arena_alloc(arena, need + 1);
    if (buf != NULL) {
        ab_bpmn_label_normalise(s, buf, need + 1);
    }
    return buf;
}

int ab__gap_accept_parse(ab__arena *arena, const char *path, ab__gap_rule **rules_out,
                         uint32_t *count_out, ab_error *err)
{
    ab_ctx *ctx = arena->ctx;
    char *data = NULL, *scratch = NULL;
    size_t len = 0;
    ab__gap_rule *rules = NULL;
    size_t rules_cap = 0;
    uint32_t count = 0;
    int rc = slurp(ctx, path, &data, &len, err);
    if (rc != AB_OK) {
        return rc;
    }
    scratch = ab__malloc(ctx, len + 16);
    if (scratch == NULL) {
        rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    uint64_t line = 0;
    for (size_t pos = 0; pos < len;) {
        size_t end = pos;
        while (end < len && data[end] != '\n') {
            end++;
        }
        line++;
        size_t b = pos, e = end;
        pos = end + 1;
        while (b < e && (data[b] == ' ' || data[b] == '\t')) {
            b++;
        }
        while (e > b && (data[e - 1] == ' ' || data[e - 1] == '\t' || data[e - 1] == '\r')) {
            e--;
        }
        if (b == e || data[b] == '#') {
            continue;
        }
        const char *f[4];
        int nf = ab__split_fields(data + b, e - b, ",;\t", scratch, f, 4);
        if (nf < 0) {
            rc = ab__error(err, AB_EPARSE, path, line, 0, "unterminated or misplaced double quote");
            goto done;
        }
        size_t k = 0;
        while (k < sizeof(keywords) / sizeof(keywords[0]) &&
               !ab__ieq(f[0], strlen(f[0]), keywords[k].word)) {
            k++;
        }
        if (k == sizeof(keywords) / sizeof(keywords[0])) {
            rc = ab__error(err, AB_EPARSE, path, line, 1,
                           "unknown deviation '%s': expected bypass, undocumented_activity, "
                           "extra_step, rework, out_of_order, substitution or transition",
                           f[0]);
            goto done;
        }
        if (nf != keywords[k].fields + 1) {
            rc = ab__error(err, AB_EPARSE, path, line, 0, "'%s' takes %d name%s, not %d",
                           keywords[k].word, keywords[k].fields, keywords[k].fields > 1 ? "s" : "",
                           nf - 1);
            goto done;
        }
        for (int i = 1; i < nf; i++) {
            if (f[i][0] == '\0') {
                rc = ab__error(err, AB_EPARSE, path, line, 0, "empty name in field %d", i + 1);
                goto done;
            }
        }
        if (AB_GROW(ctx, rules, rules_cap, (size_t)count + 1) != AB_OK) {
            rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
            goto done;
        }
        ab__gap_rule *r = &rules[count];
        memset(r, 0, sizeof(*r));
        r->type = keywords[k].type;
        r->line = line;
        r->a = normalised(arena, f[1]);
        r->b = nf > 2 ? normalised(arena, f[2]) : NULL;
        r->text = ab__arena_strndup(arena, data + b, e - b);
        if (r->a == NULL || (nf > 2 && r->b == NULL) || r->text == NULL) {
            rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
            goto done;
        }
        count++;
    }
    /* The rules live in the arena with the gap; the growing array does not. */
    ab__gap_rule *fixed = NULL;
    if (count > 0) {
        fixed = ab__arena_alloc(arena, sizeof(*fixed) * count);
        if (fixed == NULL) {
            rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
            goto done;
        }
        memcpy(fixed, rules, sizeof(*fixed) * count);
    }
    *rules_out = fixed;
    *count_out = count;
done:
    ab__free(ctx, rules);
    ab__free(ctx, scratch);
    ab__free(ctx, data);
    return rc;
}
