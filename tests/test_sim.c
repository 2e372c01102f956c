/*
 * tests/test_sim.c: the absim simulator (tools/absim). It runs the program on the shared maps
 * and on small maps in tests/data/sim/, reads back the log with the engine's readers and the
 * ground truth with a small JSON reader, and checks each case against the engine's replay:
 * every clean case is accepted by the compiled net, every deviating one is rejected, and each
 * injected deviation sits where the truth says. For single deviations it also checks, by brute
 * force with ab_net_accepts and independently of absim's own alignment search, that the
 * deviation is the only cheapest explanation. Determinism, gzip, the lifecycle option, the
 * label mapping and the command-line errors are covered too.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "test_util.h"

#include "asbuilt/bpmn.h"
#include "asbuilt/ingest.h"
#include "asbuilt/net.h"

extern char **environ;

/* ---------------------------------------------------------------------------------------------
 * A small JSON reader, enough for the truth file.
 */

typedef struct jv {
    char type;    /* 'o' object, 'a' array, 's' string, 'n' number, 'b' boolean, 'z' null. */
    char *s;      /* String value. */
    double num;   /* Number value. */
    int b;        /* Boolean value. */
    size_t n;     /* Items of an array or object. */
    char **keys;  /* Object keys. */
    struct jv *v; /* Items. */
} jv;

static void jv_free(jv *x)
{
    for (size_t i = 0; i < x->n; i++) {
        jv_free(&x->v[i]);
        if (x->keys != NULL) {
            free(x->keys[i]);
        }
    }
    free(x->keys);
    free(x->v);
    free(x->s);
    memset(x, 0, sizeof *x);
}

static const char *jp_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') {
        p++;
    }
    return p;
}

static void put_utf8(char **w, unsigned cp)
{
    unsigned char *o = (unsigned char *)*w;
    if (cp < 0x80) {
        *o++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *o++ = (unsigned char)(0xc0 | (cp >> 6));
        *o++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (unsigned char)(0xe0 | (cp >> 12));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (unsigned char)(0xf0 | (cp >> 18));
        *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (unsigned char)(0x80 | (cp & 0x3f));
    }
    *w = (char *)o;
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v = v * 16 + (unsigned)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
    }
    return v;
}

static char *jp_string(const char **pp)
{
    const char *p = *pp + 1;
    const char *e = p;
    while (*e != '"') {
        assert_true(*e != '\0');
        e += *e == '\\' ? 2 : 1;
    }
    char *out = malloc((size_t)(e - p) * 2 + 1);
    assert_non_null(out);
    char *w = out;
    while (*p != '"') {
        if (*p != '\\') {
            *w++ = *p++;
            continue;
        }
        p++;
        switch (*p) {
        case 'n':
            *w++ = '\n';
            break;
        case 't':
            *w++ = '\t';
            break;
        case 'r':
            *w++ = '\r';
            break;
        case 'b':
            *w++ = '\b';
            break;
        case 'f':
            *w++ = '\f';
            break;
        case 'u': {
            unsigned cp = hex4(p + 1);
            p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && p[1] == '\\' && p[2] == 'u') {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(p + 3) - 0xdc00);
                p += 6;
            }
            put_utf8(&w, cp);
            break;
        }
        default:
            *w++ = *p;
            break;
        }
        p++;
    }
    *w = '\0';
    *pp = p + 1;
    return out;
}

static void jp_value(const char **pp, jv *out)
{
    const char *p = jp_ws(*pp);
    memset(out, 0, sizeof *out);
    if (*p == '{' || *p == '[') {
        int obj = *p == '{';
        out->type = obj ? 'o' : 'a';
        size_t cap = 0;
        p = jp_ws(p + 1);
        while (*p != (obj ? '}' : ']')) {
            if (out->n == cap) {
                cap = cap ? cap * 2 : 8;
                out->v = realloc(out->v, cap * sizeof *out->v);
                assert_non_null(out->v);
                if (obj) {
                    out->keys = realloc(out->keys, cap * sizeof *out->keys);
                    assert_non_null(out->keys);
                }
            }
            if (obj) {
                assert_int_equal(*p, '"');
                out->keys[out->n] = jp_string(&p);
                p = jp_ws(p);
                assert_int_equal(*p, ':');
                p++;
            }
            jp_value(&p, &out->v[out->n]);
            out->n++;
            p = jp_ws(p);
            if (*p == ',') {
                p = jp_ws(p + 1);
            }
        }
        *pp = p + 1;
    } else if (*p == '"') {
        out->type = 's';
        out->s = jp_string(&p);
        *pp = p;
    } else if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
        out->type = 'b';
        out->b = *p == 't';
        *pp = p + (*p == 't' ? 4 : 5);
    } else if (strncmp(p, "null", 4) == 0) {
        out->type = 'z';
        *pp = p + 4;
    } else {
        char *end;
        out->type = 'n';
        out->num = strtod(p, &end);
        assert_true(end != p);
        *pp = end;
    }
}

static const jv *jv_get(const jv *o, const char *key)
{
    assert_int_equal(o->type, 'o');
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->keys[i], key) == 0) {
            return &o->v[i];
        }
    }
    return NULL;
}

static const jv *jv_req(const jv *o, const char *key)
{
    const jv *v = jv_get(o, key);
    if (v == NULL) {
        fail_msg("truth: missing key '%s'", key);
    }
    return v;
}

static uint64_t jv_u64(const jv *o, const char *key)
{
    const jv *v = jv_req(o, key);
    assert_int_equal(v->type, 'n');
    return (uint64_t)v->num;
}

static void json_load(const char *path, jv *out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)len + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
    data[len] = '\0';
    fclose(f);
    const char *p = data;
    jp_value(&p, out);
    assert_int_equal(*jp_ws(p), '\0');
    free(data);
}

/* ---------------------------------------------------------------------------------------------
 * Running absim
 */

static const char *absim_path(void)
{
    static char path[4096];
    const char *root = getenv("AB_BUILD_ROOT");
    snprintf(path, sizeof path, "%s/tools/absim", root ? root : ".");
    return path;
}

static char tmpdir[256];

static const char *tmp(const char *name)
{
    static char bufs[8][512];
    static unsigned slot;
    char *p = bufs[slot++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

/* Runs absim with args (NULL-terminated); stderr goes to err_path (or /dev/null). */
static int run_absim_v(const char *err_path, const char *const *args)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = absim_path();
    for (int i = 0; args[i] != NULL; i++) {
        assert_true(n < 63);
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, err_path ? err_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fail_msg("cannot run %s (build it first)", argv[0]);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    data[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return data;
}

static int files_equal(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    assert_non_null(x);
    assert_non_null(y);
    int eq = la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return eq;
}

/* ---------------------------------------------------------------------------------------------
 * Checking a log against its truth
 */

/* A set of strings (distinct placements already checked by brute force). */
typedef struct strset {
    char **items;
    size_t n, cap;
} strset;

static int strset_add(strset *s, const char *str)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->items[i], str) == 0) {
            return 0;
        }
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->items = realloc(s->items, s->cap * sizeof *s->items);
        assert_non_null(s->items);
    }
    s->items[s->n] = strdup(str);
    assert_non_null(s->items[s->n]);
    s->n++;
    return 1;
}

static void strset_free(strset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i]);
    }
    free(s->items);
}

static int accepts(const ab_net *net, const uint32_t *ids, size_t n)
{
    int ok = 0;
    ab_error err;
    ab_error_clear(&err);
    int rc = ab_net_accepts_ids(net, ids, n, NULL, &ok, &err);
    if (rc != AB_OK) {
        fail_msg("ab_net_accepts: %s", err.msg);
    }
    return ok;
}

/* t with label l inserted at p, into out. */
static size_t with_insert(const uint32_t *t, size_t n, size_t p, uint32_t l, uint32_t *out)
{
    memcpy(out, t, sizeof(uint32_t) * p);
    out[p] = l;
    memcpy(out + p + 1, t + p, sizeof(uint32_t) * (n - p));
    return n + 1;
}

static size_t with_delete(const uint32_t *t, size_t n, size_t p, uint32_t *out)
{
    memcpy(out, t, sizeof(uint32_t) * p);
    memcpy(out + p, t + p + 1, sizeof(uint32_t) * (n - p - 1));
    return n - 1;
}

/*
 * The repairs of t by one edit that the net accepts. Returns how many; *ins_label_ok is cleared
 * when an accepted insertion's label differs from want_ins (SIM: any = UINT32_MAX accepts none),
 * del_pos lists accepted deletions (up to 8).
 */
typedef struct repairs {
    size_t inserts;       /* Accepted insertions. */
    size_t inserts_other; /* Of them, with a label other than `want`. */
    size_t deletes;       /* Accepted deletions. */
    size_t del_pos[8];    /* Their positions. */
} repairs;

static void one_edit(const ab_net *net, const uint32_t *t, size_t n, uint32_t want, repairs *r)
{
    uint32_t L = ab_net_label_count(net);
    uint32_t *buf = malloc(sizeof(uint32_t) * (n + 2));
    assert_non_null(buf);
    memset(r, 0, sizeof *r);
    for (size_t p = 0; p <= n; p++) {
        for (uint32_t l = 0; l < L; l++) {
            size_t m = with_insert(t, n, p, l, buf);
            if (accepts(net, buf, m)) {
                r->inserts++;
                r->inserts_other += l != want;
            }
        }
    }
    for (size_t p = 0; p < n; p++) {
        size_t m = with_delete(t, n, p, buf);
        if (accepts(net, buf, m)) {
            if (r->deletes < 8) {
                r->del_pos[r->deletes] = p;
            }
            r->deletes++;
        }
    }
    free(buf);
}

/*
 * Every accepted repair of t by two edits must move a or move b (delete one occurrence and
 * insert the same label). Returns the number of accepted two-edit repairs seen.
 */
static size_t two_edits_only_moves(const ab_net *net, const uint32_t *t, size_t n, uint32_t a,
                                   uint32_t b)
{
    uint32_t L = ab_net_label_count(net);
    uint32_t *b1 = malloc(sizeof(uint32_t) * (n + 3));
    uint32_t *b2 = malloc(sizeof(uint32_t) * (n + 3));
    assert_non_null(b1);
    assert_non_null(b2);
    size_t found = 0;
    /* Two deletions. */
    for (size_t p = 0; p < n; p++) {
        size_t m1 = with_delete(t, n, p, b1);
        for (size_t q = p; q < m1; q++) {
            size_t m2 = with_delete(b1, m1, q, b2);
            if (accepts(net, b2, m2)) {
                fail_msg("two deletions (%zu, %zu) repair a swap", p, q);
            }
        }
    }
    /* A deletion and an insertion: only of the same label, a or b. */
    for (size_t p = 0; p < n; p++) {
        size_t m1 = with_delete(t, n, p, b1);
        for (size_t q = 0; q <= m1; q++) {
            for (uint32_t l = 0; l < L; l++) {
                size_t m2 = with_insert(b1, m1, q, l, b2);
                if (accepts(net, b2, m2)) {
                    found++;
                    if (!(l == t[p] && (l == a || l == b))) {
                        fail_msg("deleting position %zu and inserting label %u repairs a swap", p,
                                 l);
                    }
                }
            }
        }
    }
    /* Two insertions. */
    for (size_t p = 0; p <= n; p++) {
        for (uint32_t l1 = 0; l1 < L; l1++) {
            size_t m1 = with_insert(t, n, p, l1, b1);
            for (size_t q = p; q <= m1; q++) {
                for (uint32_t l2 = 0; l2 < L; l2++) {
                    size_t m2 = with_insert(b1, m1, q, l2, b2);
                    if (accepts(net, b2, m2)) {
                        fail_msg("two insertions repair a swap");
                    }
                }
            }
        }
    }
    free(b1);
    free(b2);
    return found;
}

typedef struct run_check {
    const char *map;     /* The map absim simulated. */
    const char *mapping; /* --map file or NULL. */
    int start_complete;
    int single;          /* --max-deviations-per-case 1: brute-force uniqueness checks. */
    size_t brute_budget; /* Distinct placements checked by brute force at most. */
    size_t swap_budget;  /* Distinct swaps checked with two-edit repairs at most. */
    /* Filled in: */
    uint64_t deviating;
    uint64_t kinds[4];
    uint64_t not_placed[4];
    size_t brute_checked;
    size_t swaps_checked;
} run_check;

static const char *const kinds[4] = {"skip", "insert", "repeat", "swap"};

static int kind_index(const char *k)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(kinds[i], k) == 0) {
            return i;
        }
    }
    fail_msg("unknown kind '%s'", k);
    return 0; /* Not reached: fail_msg ends the test. */
}

/* The net the log's activities are matched against: the map's, relabelled with the mapping. */
static ab_net *net_for(ab_ctx *ctx, const char *map, const char *mapping, const ab_log *log,
                       ab_bpmn **model_out)
{
    ab_error err;
    ab_error_clear(&err);
    ab_bpmn *m = NULL;
    ab_net *net = NULL;
    assert_int_equal(ab_bpmn_read(&m, ctx, map, NULL, &err), AB_OK);
    assert_int_equal(ab_net_compile(&net, ctx, m, NULL, &err), AB_OK);
    *model_out = m;
    if (mapping == NULL) {
        return net;
    }
    uint32_t na = ab_log_activity_count(log);
    const char **acts = malloc(sizeof(char *) * (na + 1));
    assert_non_null(acts);
    for (uint32_t a = 0; a < na; a++) {
        acts[a] = ab_log_activity_name(log, a);
    }
    ab_bpmn_map_options mo = AB_BPMN_MAP_OPTIONS_INIT;
    mo.map_file = mapping;
    ab_bpmn_mapping *mp = NULL;
    assert_int_equal(ab_bpmn_map_create(&mp, ctx, ab_net_labels(net), ab_net_label_count(net), acts,
                                        na, &mo, &err),
                     AB_OK);
    ab_net *rl = NULL;
    assert_int_equal(ab_net_relabel(&rl, net, mp, &err), AB_OK);
    ab_bpmn_map_destroy(mp);
    ab_net_destroy(net);
    free(acts);
    return rl;
}

static uint32_t label_of(const ab_net *net, const char *name)
{
    uint32_t id;
    return ab_net_label_find(net, name, &id) == AB_OK ? id : AB_NET_SILENT;
}

/* Checks one single deviation by brute force (see the file comment). */
static void brute_force(run_check *rc, const ab_net *net, const uint32_t *t, size_t n, int kind,
                        uint32_t a, uint32_t b, size_t pos, const char *case_id)
{
    repairs r;
    uint32_t L = ab_net_label_count(net);
    if (kind == 0) {
        /* Skip: only inserting the skipped label repairs the trace. */
        one_edit(net, t, n, a, &r);
        if (r.inserts == 0 || r.inserts_other != 0 || r.deletes != 0) {
            fail_msg("%s: skip of label %u is not the only cheapest explanation (%zu insertions, "
                     "%zu of another label, %zu deletions)",
                     case_id, a, r.inserts, r.inserts_other, r.deletes);
        }
    } else if (kind == 1) {
        /* Insert: deleting the inserted activity repairs the trace, nothing else does. */
        one_edit(net, t, n, UINT32_MAX, &r);
        if (r.inserts != 0 || r.deletes != 1 || r.del_pos[0] != pos) {
            fail_msg("%s: the inserted activity is not the only explanation", case_id);
        }
    } else if (kind == 2) {
        /* Repeat: only deleting the copy repairs the trace, and it is not next to the original. */
        one_edit(net, t, n, UINT32_MAX, &r);
        if (r.inserts != 0 || r.deletes != 1 || r.del_pos[0] != pos || t[pos - 1] == a) {
            fail_msg("%s: repeat at %zu has %zu insertions and %zu deletions repairing it", case_id,
                     pos, r.inserts, r.deletes);
        }
    } else {
        /* Swap: no single edit repairs it; every two-edit repair moves a or b. */
        one_edit(net, t, n, UINT32_MAX, &r);
        if (r.inserts != 0 || r.deletes != 0) {
            fail_msg("%s: a swap that one edit repairs", case_id);
        }
        if (rc->swaps_checked < rc->swap_budget && (n + 1) * L <= 160) {
            rc->swaps_checked++;
            assert_true(two_edits_only_moves(net, t, n, a, b) > 0);
        }
    }
}

/* Reads the log and the truth of one absim run and checks every case. */
static void check_run(run_check *rc, const char *log_path, const char *truth_path)
{
    ab_ctx *ctx = tu_ctx();
    ab_error err;
    ab_error_clear(&err);
    ab_read_options ro = AB_READ_OPTIONS_INIT;
    ab_log *log = NULL;
    if (rc->start_complete) {
        ro.log.lifecycle = AB_LCF_COMPLETE;
    }
    if (ab_ingest_files(&log, ctx, &log_path, 1, &ro, &err) != AB_OK) {
        fail_msg("%s: %s", log_path, err.msg);
    }
    jv truth;
    json_load(truth_path, &truth);
    const jv *counts = jv_req(&truth, "counts");
    const jv *cases = jv_req(&truth, "cases");
    assert_int_equal(cases->type, 'a');
    assert_int_equal(ab_log_case_count(log), jv_u64(counts, "cases"));
    assert_int_equal(cases->n, jv_u64(counts, "cases"));
    assert_int_equal(ab_log_event_count(log),
                     jv_u64(counts, rc->start_complete ? "instances" : "events"));
    if (rc->start_complete) {
        assert_int_equal(jv_u64(counts, "events"), 2 * jv_u64(counts, "instances"));
    }

    ab_bpmn *model = NULL;
    ab_net *net = net_for(ctx, rc->map, rc->mapping, log, &model);
    const uint32_t *col = ab_log_col_activity(log);
    uint32_t na = ab_log_activity_count(log);
    uint32_t *act_label = malloc(sizeof(uint32_t) * (na + 1));
    assert_non_null(act_label);
    for (uint32_t a = 0; a < na; a++) {
        act_label[a] = label_of(net, ab_log_activity_name(log, a));
    }
    strset seen = {0};
    uint64_t deviating = 0, kind_count[4] = {0};
    uint64_t events_of_inserted = 0;
    uint32_t *t = NULL;
    size_t t_cap = 0;
    for (uint32_t c = 0; c < ab_log_case_count(log); c++) {
        /* Cases come in canonical order (first time, then id): the truth's entry by id. */
        const jv *tc = NULL;
        for (size_t k = 0; k < cases->n && tc == NULL; k++) {
            if (strcmp(jv_req(&cases->v[k], "case")->s, ab_log_case_id(log, c)) == 0) {
                tc = &cases->v[k];
            }
        }
        assert_non_null(tc);
        const char *case_id = jv_req(tc, "case")->s;
        uint32_t n = ab_log_case_length(log, c);
        uint64_t first = ab_log_case_first(log, c);
        if (n + 4 > t_cap) {
            t_cap = (n + 4) * 2;
            t = realloc(t, sizeof(uint32_t) * t_cap);
            assert_non_null(t);
        }
        for (uint32_t k = 0; k < n; k++) {
            t[k] = act_label[col[first + k]];
        }
        const jv *devs = jv_req(tc, "deviations");
        int ok = accepts(net, t, n);
        if (devs->n == 0) {
            if (!ok) {
                fail_msg("%s: a clean case the net rejects", case_id);
            }
        } else if (ok) {
            fail_msg("%s: a deviating case the net accepts", case_id);
        }
        deviating += devs->n > 0;
        for (size_t d = 0; d < devs->n; d++) {
            const jv *dv = &devs->v[d];
            int kind = kind_index(jv_req(dv, "kind")->s);
            kind_count[kind]++;
            size_t pos = (size_t)jv_u64(dv, "position");
            const char *an =
                kind == 3 ? jv_req(dv, "activities")->v[0].s : jv_req(dv, "activity")->s;
            const char *bn = kind == 3 ? jv_req(dv, "activities")->v[1].s : NULL;
            const jv *expect = jv_req(dv, "expect");
            static const char *const want_class[4] = {"bypass", "undocumented_activity",
                                                      "undocumented_rework", "out_of_order"};
            assert_string_equal(jv_req(expect, "class")->s, want_class[kind]);
            uint32_t a = label_of(net, an), b = bn ? label_of(net, bn) : AB_NET_SILENT;
            uint32_t occ_a = 0;
            for (uint32_t k = 0; k < n; k++) {
                occ_a += kind == 1 ? strcmp(ab_log_activity_name(log, col[first + k]), an) == 0
                                   : t[k] == a;
            }
            switch (kind) {
            case 0:
                assert_true(a != AB_NET_SILENT);
                assert_true(pos <= n);
                assert_int_equal(occ_a, 0);
                break;
            case 1:
                assert_true(a == AB_NET_SILENT); /* No step carries it. */
                assert_true(pos < n);
                assert_string_equal(ab_log_activity_name(log, col[first + pos]), an);
                events_of_inserted += occ_a;
                break;
            case 2:
                assert_true(pos < n && pos > 0);
                assert_int_equal(t[pos], a);
                assert_int_equal(occ_a, 2);
                break;
            default:
                assert_true(pos + 1 < n);
                assert_int_equal(t[pos], b);
                assert_int_equal(t[pos + 1], a);
                break;
            }
            if (!rc->single || rc->brute_checked >= rc->brute_budget) {
                continue;
            }
            /* Distinct (trace, deviation) only: cases of one variant are alike. */
            char key[4096];
            size_t kl = (size_t)snprintf(key, sizeof key, "%d/%zu/%u/%u:", kind, pos, a, b);
            for (uint32_t k = 0; k < n && kl + 12 < sizeof key; k++) {
                kl += (size_t)snprintf(key + kl, sizeof key - kl, "%u,", t[k]);
            }
            if (strset_add(&seen, key)) {
                rc->brute_checked++;
                brute_force(rc, net, t, n, kind, a, b, pos, case_id);
            }
        }
        const jv *np = jv_get(tc, "not_placed");
        for (size_t i = 0; np != NULL && i < np->n; i++) {
            rc->not_placed[kind_index(np->v[i].s)]++;
        }
    }
    assert_int_equal(deviating, jv_u64(counts, "deviating_cases"));
    const jv *placed = jv_req(counts, "deviations");
    const jv *not_placed = jv_req(counts, "not_placed");
    for (int k = 0; k < 4; k++) {
        assert_int_equal(kind_count[k], jv_u64(placed, kinds[k]));
        assert_int_equal(rc->not_placed[k], jv_u64(not_placed, kinds[k]));
        rc->kinds[k] = kind_count[k];
    }
    /* The aggregates are the per-case entries summed. */
    const jv *agg = jv_req(&truth, "aggregates");
    assert_int_equal(jv_u64(jv_req(agg, "case_deviation_rate"), "count"), deviating);
    uint64_t sum = 0, sum_events = 0;
    const jv *lists[3] = {jv_req(agg, "bypasses"), jv_req(agg, "undocumented_activities"),
                          jv_req(agg, "rework")};
    for (int k = 0; k < 3; k++) {
        sum = 0;
        for (size_t i = 0; i < lists[k]->n; i++) {
            sum += jv_u64(&lists[k]->v[i], "cases");
            if (k == 1) {
                sum_events += jv_u64(&lists[k]->v[i], "events");
            }
            if (i > 0) {
                assert_true(jv_u64(&lists[k]->v[i - 1], "cases") >=
                            jv_u64(&lists[k]->v[i], "cases"));
            }
        }
        assert_int_equal(sum, kind_count[k]);
    }
    assert_int_equal(sum_events, events_of_inserted);
    sum = 0;
    for (size_t i = 0; i < jv_req(agg, "swaps")->n; i++) {
        sum += jv_u64(&jv_req(agg, "swaps")->v[i], "cases");
    }
    assert_int_equal(sum, kind_count[3]);
    rc->deviating = deviating;

    free(t);
    free(act_label);
    strset_free(&seen);
    jv_free(&truth);
    ab_net_destroy(net);
    ab_bpmn_destroy(model);
    ab_log_destroy(log);
    ab_ctx_destroy(ctx);
}

/* ---------------------------------------------------------------------------------------------
 * Tests
 */

typedef struct map_case {
    const char *rel; /* Map under the shared data (or tests/data with testdata = 1). */
    int testdata;
} map_case;

static const map_case shared_maps[] = {
    {"models/pm4py_running-example.bpmn", 0},
    {"models/simod_LoanApp_simplified.bpmn", 0},
    {"models/pm4py_a32f0n00.bpmn", 0},
    {"models/simod_branch_rules_or.bpmn", 0},
    {"models/camunda_invoice.v2.bpmn", 0},
    {"sim/parallel.bpmn", 1},
    {"sim/selfloop.bpmn", 1},
};

static const char *map_path(const map_case *m)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s", m->testdata ? tu_testdata(m->rel) : tu_shared(m->rel));
    return path;
}

/* Every map, two mixes of rates, one deviation per case: replay and brute-force checks. */
static void test_single_deviations(void **state)
{
    (void)state;
    static const char *const rates[2][8] = {
        {"--skip", "0.1", "--insert", "0.1", "--repeat", "0.1", "--swap", "0.1"},
        {"--skip", "0.3", "--insert", "0.05", "--repeat", "0.2", "--swap", "0.3"},
    };
    for (size_t m = 0; m < sizeof shared_maps / sizeof shared_maps[0]; m++) {
        const char *map = map_path(&shared_maps[m]);
        if (!tu_exists(map)) {
            fail_msg("missing map %s", map);
        }
        uint64_t total[4] = {0};
        for (int r = 0; r < 2; r++) {
            const char *fmt = r == 0 ? "xes" : "csv";
            const char *log = tmp(r == 0 ? "single.xes" : "single.csv");
            const char *truth = tmp("single.json");
            const char *args[] = {
                map,         "--cases",   "3000",      "--seed",    r == 0 ? "11" : "12",
                "--format",  fmt,         "-o",        log,         "--truth",
                truth,       "-q",        rates[r][0], rates[r][1], rates[r][2],
                rates[r][3], rates[r][4], rates[r][5], rates[r][6], rates[r][7],
                NULL};
            assert_int_equal(run_absim_v(NULL, args), 0);
            run_check rc = {0};
            rc.map = map;
            rc.single = 1;
            rc.brute_budget = 120;
            rc.swap_budget = 15;
            check_run(&rc, log, truth);
            /* Rates are honoured: a skip is asked in 10% / 30% of 3000 cases. */
            assert_true(rc.deviating >= 300);
            for (int k = 0; k < 4; k++) {
                total[k] += rc.kinds[k];
            }
        }
        /* Each map gets skips, inserts and repeats; swaps where it has sequential steps. */
        assert_true(total[0] > 100);
        assert_true(total[1] > 100);
        assert_true(total[2] > 100);
        if (strstr(map, "branch_rules_or") == NULL) {
            assert_true(total[3] > 50);
        }
    }
}

/* Several deviations per case: every deviating case is rejected, every clean one accepted. */
static void test_multiple_deviations(void **state)
{
    (void)state;
    for (size_t m = 0; m < sizeof shared_maps / sizeof shared_maps[0]; m++) {
        const char *map = map_path(&shared_maps[m]);
        const char *log = tmp("multi.xes.gz");
        const char *truth = tmp("multi.json");
        const char *args[] = {map,       "--cases",  "2000", "--seed",
                              "5",       "--gzip",   "-o",   log,
                              "--truth", truth,      "-q",   "--skip",
                              "0.2",     "--insert", "0.2",  "--repeat",
                              "0.2",     "--swap",   "0.2",  "--max-deviations-per-case",
                              "3",       NULL};
        assert_int_equal(run_absim_v(NULL, args), 0);
        run_check rc = {0};
        rc.map = map;
        check_run(&rc, log, truth);
        assert_true(rc.deviating > 1000);
    }
}

/* The same seed and options give byte-identical files; gzip inflates to the plain file. */
static void test_deterministic(void **state)
{
    (void)state;
    const char *map = tu_shared("models/simod_LoanApp_simplified.bpmn");
    const char *logs[3] = {tmp("d1.xes"), tmp("d2.xes"), tmp("d3.xes.gz")};
    const char *truths[3] = {tmp("d1.json"), tmp("d2.json"), tmp("d3.json")};
    for (int i = 0; i < 3; i++) {
        const char *args[] = {map,
                              "--cases",
                              "1500",
                              "--seed",
                              "99",
                              "-o",
                              logs[i],
                              "--truth",
                              truths[i],
                              "-q",
                              "--skip",
                              "0.1",
                              "--swap",
                              "0.1",
                              "--repeat",
                              "0.1",
                              "--insert",
                              "0.1",
                              i == 2 ? "--gzip" : NULL,
                              NULL};
        assert_int_equal(run_absim_v(NULL, args), 0);
    }
    assert_true(files_equal(logs[0], logs[1]));
    assert_true(files_equal(truths[0], truths[1]));
    /* The truth records gzip; the log inflates to the same bytes. */
    size_t plain_len;
    char *plain = slurp(logs[0], &plain_len);
    gzFile gz = gzopen(logs[2], "rb");
    assert_non_null(gz);
    char *inflated = malloc(plain_len + 16);
    assert_non_null(inflated);
    int got = gzread(gz, inflated, (unsigned)plain_len + 16);
    gzclose(gz);
    assert_int_equal((size_t)got, plain_len);
    assert_memory_equal(inflated, plain, plain_len);
    free(inflated);
    free(plain);

    /* Another seed gives another log. */
    const char *args[] = {map,        "--cases", "1500",     "--seed", "100", "-o",     logs[1],
                          "--truth",  truths[1], "-q",       "--skip", "0.1", "--swap", "0.1",
                          "--repeat", "0.1",     "--insert", "0.1",    NULL};
    assert_int_equal(run_absim_v(NULL, args), 0);
    assert_false(files_equal(logs[0], logs[1]));
}

/* Start and complete events: the conformance trace (completions) is the one the truth speaks of. */
static void test_start_complete(void **state)
{
    (void)state;
    const char *map = tu_shared("models/camunda_invoice.v2.bpmn");
    const char *log = tmp("sc.csv");
    const char *truth = tmp("sc.json");
    const char *args[] = {map,   "--cases", "2000",    "--format", "csv", "--start-complete",
                          "-o",  log,       "--truth", truth,      "-q",  "--skip",
                          "0.2", "--swap",  "0.2",     "--insert", "0.1", "--repeat",
                          "0.1", NULL};
    assert_int_equal(run_absim_v(NULL, args), 0);
    run_check rc = {0};
    rc.map = map;
    rc.start_complete = 1;
    rc.single = 1;
    rc.brute_budget = 60;
    rc.swap_budget = 10;
    check_run(&rc, log, truth);
    assert_true(rc.deviating > 500);

    /* Resources are the lanes. */
    size_t len;
    char *text = slurp(log, &len);
    assert_non_null(strstr(text, ",start,Team Assistant,"));
    assert_non_null(strstr(text, ",complete,Approver,"));
    free(text);
}

/* Maps where a kind cannot be placed: the truth says so and the rest stays exact. */
static void test_not_placed(void **state)
{
    (void)state;
    /* Check A/B/C run in parallel: they are never swapped with each other. */
    const char *log = tmp("par.xes");
    const char *truth = tmp("par.json");
    const char *args[] = {tu_testdata("sim/parallel.bpmn"),
                          "--cases",
                          "1000",
                          "-o",
                          log,
                          "--truth",
                          truth,
                          "-q",
                          "--swap",
                          "1",
                          NULL};
    assert_int_equal(run_absim_v(NULL, args), 0);
    jv t;
    json_load(truth, &t);
    const jv *swaps = jv_req(jv_req(&t, "aggregates"), "swaps");
    assert_true(swaps->n > 0);
    for (size_t i = 0; i < swaps->n; i++) {
        const jv *acts = jv_req(&swaps->v[i], "activities");
        int checks =
            strncmp(acts->v[0].s, "Check", 5) == 0 && strncmp(acts->v[1].s, "Check", 5) == 0;
        assert_false(checks);
    }
    jv_free(&t);

    /* Review may repeat through the loop: a repeat right after it is documented, never placed. */
    const char *args2[] = {tu_testdata("sim/selfloop.bpmn"),
                           "--cases",
                           "3000",
                           "-o",
                           log,
                           "--truth",
                           truth,
                           "-q",
                           "--repeat",
                           "1",
                           "--loop-limit",
                           "2",
                           NULL};
    assert_int_equal(run_absim_v(NULL, args2), 0);
    run_check rc = {0};
    rc.map = tu_testdata("sim/selfloop.bpmn");
    rc.single = 1;
    rc.brute_budget = 200;
    check_run(&rc, log, truth);
    json_load(truth, &t);
    const jv *cases = jv_req(&t, "cases");
    size_t repeated_review = 0;
    for (size_t c = 0; c < cases->n; c++) {
        const jv *devs = jv_req(&cases->v[c], "deviations");
        for (size_t d = 0; d < devs->n; d++) {
            if (strcmp(jv_req(&devs->v[d], "activity")->s, "Review") == 0) {
                repeated_review++;
                /* Only after File, where the loop cannot bring it back. */
                size_t pos = (size_t)jv_u64(&devs->v[d], "position");
                assert_true(pos >= 3);
            }
        }
    }
    assert_true(repeated_review > 0);
    /* Every case asked for a repeat; those that got none are recorded. */
    assert_int_equal(jv_u64(jv_req(&t, "counts"), "deviating_cases") + rc.not_placed[2], 3000);
    jv_free(&t);
}

/* --map: the log carries the mapped activity names, and replays against the relabelled net. */
static void test_mapping(void **state)
{
    (void)state;
    const char *map = tu_shared("models/bpic2020_declaration_documents.bpmn");
    const char *mapping = tu_datasets("maps/bpic2020_declaration_documents.map.csv");
    if (!tu_exists(map) || !tu_exists(mapping)) {
        fail_msg("missing %s or %s", map, mapping);
    }
    const char *log = tmp("mapped.xes");
    const char *truth = tmp("mapped.json");
    const char *args[] = {map,        "--map", mapping,  "--cases", "2000", "-o",       log,
                          "--truth",  truth,   "-q",     "--skip",  "0.1",  "--insert", "0.1",
                          "--repeat", "0.1",   "--swap", "0.1",     NULL};
    assert_int_equal(run_absim_v(NULL, args), 0);
    size_t len;
    char *text = slurp(log, &len);
    assert_non_null(strstr(text, "Declaration SUBMITTED by EMPLOYEE"));
    free(text);
    run_check rc = {0};
    rc.map = map;
    rc.mapping = mapping;
    rc.single = 1;
    rc.brute_budget = 60;
    rc.swap_budget = 5;
    check_run(&rc, log, truth);
    assert_true(rc.deviating > 200);
}

static int run_expect(int want, const char *needle, const char *const *args)
{
    const char *err_path = tmp("stderr.txt");
    int rc = run_absim_v(err_path, args);
    size_t len;
    char *text = slurp(err_path, &len);
    assert_non_null(text);
    if (rc != want || (needle != NULL && strstr(text, needle) == NULL)) {
        fail_msg("absim exited %d (want %d), stderr: %s", rc, want, text);
    }
    free(text);
    return rc;
}

static void test_errors(void **state)
{
    (void)state;
    const char *map = tu_shared("models/pm4py_running-example.bpmn");
    char log[512], truth[512];
    snprintf(log, sizeof log, "%s", tmp("e.xes"));
    snprintf(truth, sizeof truth, "%s", tmp("e.json"));
    const char *a1[] = {map, "-o", log, "--truth", truth, NULL};
    run_expect(2, "--cases is required", a1);
    const char *a2[] = {map, "--cases", "10", "-o", log, "--truth", truth, "--skip", "1.5", NULL};
    run_expect(2, "rate", a2);
    const char *a3[] = {map,   "--cases", "10",  "-o",     log,   "--truth",
                        truth, "--skip",  "0.6", "--swap", "0.6", NULL};
    run_expect(2, "add up", a3);
    const char *a4[] = {map, "--cases", "10", "-o", log, "--truth", truth, "--bogus", NULL};
    run_expect(2, "unknown option", a4);
    const char *a5[] = {
        map, "--cases", "10", "-o", log, "--truth", truth, "--insert-activities", "decide", NULL};
    run_expect(2, "must not be a step", a5);
    const char *a6[] = {
        map, "--cases", "10", "-o", log, "--truth", truth, "--max-deviations-per-case", "9", NULL};
    run_expect(2, "1 to 4", a6);
    const char *a7[] = {map, "--cases", "10", "--truth", truth, NULL};
    run_expect(2, "-o LOG", a7);
    const char *d1[] = {map, "--cases", "10", "-o", log, "--truth", truth, "--delay", "late=2",
                        NULL};
    run_expect(2, "KIND=HOURS", d1);
    const char *d2[] = {map, "--cases", "10", "-o", log, "--truth", truth, "--delay", "skip=-1",
                        NULL};
    run_expect(2, "hours above 0", d2);
    const char *d3[] = {map, "--cases", "10", "-o", log, "--truth", truth, "--delay", "swap=0",
                        NULL};
    run_expect(2, "hours above 0", d3);
    const char *d4[] = {map,     "--cases", "10",      "-o",      log,      "--truth",
                        truth,   "--delay", "skip=1",  "--delay", "skip=2", NULL};
    run_expect(2, "twice", d4);
    /* An unreadable map: I/O error; a malformed one: bad data, with the engine's message. */
    const char *a8[] = {tmp("no-such.bpmn"), "--cases", "10", "-o", log, "--truth", truth, NULL};
    run_expect(4, "no-such.bpmn", a8);
    const char *bad = tu_tmpfile("<definitions><process id=\"p\">", 30, ".bpmn");
    const char *a9[] = {bad, "--cases", "10", "-o", log, "--truth", truth, NULL};
    run_expect(3, ".bpmn", a9);
    const char *a10[] = {map,       "--cases", "10",        "-o",   log,
                         "--truth", truth,     "--process", "nope", NULL};
    run_expect(3, NULL, a10);
    /* Maps absim cannot simulate: too many markings, no complete run, no visible step. */
    const char *a11[] = {tu_shared("models/pm4py_a32f0n00.bpmn"),
                         "--cases",
                         "10",
                         "-o",
                         log,
                         "--truth",
                         truth,
                         "--max-states",
                         "100",
                         NULL};
    run_expect(3, "more than 100 reachable markings", a11);
    const char *a12[] = {tu_shared("models/miwg_Reference_B.2.0.bpmn"),
                         "--cases",
                         "10",
                         "-o",
                         log,
                         "--truth",
                         truth,
                         NULL};
    run_expect(3, "no complete run", a12);
    const char *a13[] = {tu_shared("models/bpmnjs_kitchen-sink.bpmn"),
                         "--cases",
                         "10",
                         "-o",
                         log,
                         "--truth",
                         truth,
                         NULL};
    run_expect(3, "no run of the compiled net has a visible step", a13);
    /* Nothing is left behind by a failed run. */
    assert_false(tu_exists(log));
    assert_false(tu_exists(truth));
    const char *h[] = {"--help", NULL};
    assert_int_equal(run_absim_v(NULL, h), 0);
    remove(bad);
}

static int setup(void **state)
{
    (void)state;
    const char *dir = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/abtest-sim-XXXXXX", dir ? dir : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = {
        "single.xes", "single.csv",  "single.json", "multi.xes.gz", "multi.json",
        "d1.xes",     "d2.xes",      "d3.xes.gz",   "d1.json",      "d2.json",
        "d3.json",    "sc.csv",      "sc.json",     "par.xes",      "par.json",
        "mapped.xes", "mapped.json", "stderr.txt",  NULL,
    };
    for (int i = 0; names[i] != NULL; i++) {
        remove(tmp(names[i]));
    }
    rmdir(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_single_deviations),
        cmocka_unit_test(test_multiple_deviations),
        cmocka_unit_test(test_start_complete),
        cmocka_unit_test(test_not_placed),
        cmocka_unit_test(test_mapping),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
