/*
 * bpmn/bpmn_map.c: the label mapping between a map's task names and a log's
 * activity names (gap-metrics.md, R2). A mapping file decides for the tasks it
 * names; other tasks match by equal name, then by normalised name (case, white
 * space, '_' and '-'). What stays unmapped on either side is listed, and near
 * matches (edit distance or shared words) are suggested so that a user can
 * write the mapping file.
 */
#include "bpmn/bpmn_int.h"

#include <stdio.h>
#include <stdlib.h>

struct ab_bpmn_mapping {
    ab_ctx *ctx;
    ab__arena arena;
    ab_bpmn_map_pair *pairs;
    size_t pair_cap;
    uint32_t pair_count;
    const char **unmapped_tasks;
    uint32_t unmapped_task_count;
    const char **unmapped_acts;
    uint32_t unmapped_act_count;
    ab_bpmn_map_suggestion *sugg;
    size_t sugg_cap;
    uint32_t sugg_count;
    const char **warnings;
    size_t warning_cap;
    uint32_t warning_count;
};

/* A distinct name with its normalised form. */
typedef struct name_entry {
    const char *name;
    const char *norm;
    int from_file; /* Tasks: the mapping file decides for it. */
    int used;      /* Activities: some pair names it. */
} name_entry;

static char *norm_dup(ab__arena *a, const char *s)
{
    size_t n = ab_bpmn_label_normalise(s, NULL, 0);
    char *d = ab__arena_alloc(a, n + 1);
    if (d != NULL) {
        ab_bpmn_label_normalise(s, d, n + 1);
    }
    return d;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const name_entry *)a)->name, ((const name_entry *)b)->name);
}

/* Sorted, distinct copies of names with their normalised forms. */
static int make_entries(ab_bpmn_mapping *m, const char *const *names, size_t count,
                        name_entry **out, uint32_t *count_out)
{
    name_entry *e = ab__calloc(m->ctx, count + 1, sizeof(*e));
    if (e == NULL) {
        return AB_ENOMEM;
    }
    uint32_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (names[i] == NULL) {
            continue;
        }
        e[n].name = ab__arena_strndup(&m->arena, names[i], strlen(names[i]));
        e[n].norm = norm_dup(&m->arena, names[i]);
        if (e[n].name == NULL || e[n].norm == NULL) {
            ab__free(m->ctx, e);
            return AB_ENOMEM;
        }
        n++;
    }
    ab__bpmn_sort(e, n, sizeof(*e), cmp_entry);
    uint32_t w = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (w == 0 || strcmp(e[w - 1].name, e[i].name) != 0) {
            e[w++] = e[i];
        }
    }
    *out = e;
    *count_out = w;
    return AB_OK;
}

/* The entry named exactly `name` in a name-sorted array, or NULL. */
static name_entry *find_name(name_entry *e, uint32_t n, const char *name)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(e[mid].name, name) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && strcmp(e[lo].name, name) == 0 ? &e[lo] : NULL;
}

static int cmp_norm_ptr(const void *a, const void *b)
{
    const name_entry *x = *(name_entry *const *)a, *y = *(name_entry *const *)b;
    int c = strcmp(x->norm, y->norm);
    return c != 0 ? c : strcmp(x->name, y->name);
}

/* Entries ordered by normalised name (then name), to look names up by their
 * normalised form without comparing every pair: a log may carry a million
 * activities. */
static name_entry **by_norm(ab_ctx *ctx, name_entry *e, uint32_t n)
{
    name_entry **v = ab__malloc(ctx, sizeof(*v) * ((size_t)n + 1));
    if (v == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        v[i] = &e[i];
    }
    ab__bpmn_sort(v, n, sizeof(*v), cmp_norm_ptr);
    return v;
}

/* The first index in v (sorted by norm) whose norm is `norm`; n when none. */
static uint32_t find_norm(name_entry *const *v, uint32_t n, const char *norm)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid]->norm, norm) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && strcmp(v[lo]->norm, norm) == 0 ? lo : n;
}

static int same_lane(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int add_pair(ab_bpmn_mapping *m, const char *task, const char *act, const char *lane,
                    ab_bpmn_map_how how)
{
    for (uint32_t i = 0; i < m->pair_count; i++) {
        if (m->pairs[i].task == task && m->pairs[i].activity == act &&
            same_lane(m->pairs[i].lane, lane)) {
            return AB_OK;
        }
    }
    if (AB_GROW(m->ctx, m->pairs, m->pair_cap, (size_t)m->pair_count + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    m->pairs[m->pair_count].task = task;
    m->pairs[m->pair_count].activity = act;
    m->pairs[m->pair_count].lane = lane;
    m->pairs[m->pair_count].how = how;
    m->pair_count++;
    return AB_OK;
}

static int add_warning(ab_bpmn_mapping *m, const char *fmt, ...) AB__PRINTF(2, 3);
static int add_warning(ab_bpmn_mapping *m, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (AB_GROW(m->ctx, m->warnings, m->warning_cap, (size_t)m->warning_count + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    char *d = ab__arena_strndup(&m->arena, msg, strlen(msg));
    if (d == NULL) {
        return AB_ENOMEM;
    }
    m->warnings[m->warning_count++] = d;
    return AB_OK;
}

/* ---- The mapping file ---- */

/* Trims spaces in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
    return s;
}

static int read_all(ab_ctx *ctx, const char *path, char **data_out, size_t *len_out,
                    ab_error *err)
{
    ab_input *in = NULL;
    int rc = ab_input_open(&in, ctx, path, err);
    if (rc != AB_OK) {
        return rc;
    }
    char *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (AB_GROW(ctx, data, cap, len + 65536 + 1) != AB_OK) {
            rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
            break;
        }
        ptrdiff_t n = ab_input_read(in, data + len, cap - len - 1, err);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
        if (len > ((size_t)64 << 20)) {
            rc = ab__error(err, AB_ELIMIT, path, 0, 0, "a mapping file larger than 64 MiB");
            break;
        }
    }
    ab_input_destroy(in);
    if (rc != AB_OK) {
        ab__free(ctx, data);
        return rc;
    }
    data[len] = '\0';
    *data_out = data;
    *len_out = len;
    return AB_OK;
}

/* Applies the mapping file's lines; names are looked up by exact name in
 * acts and by normalised form in the indexes tasks_n and acts_n. */
static int apply_file(ab_bpmn_mapping *m, const char *path, name_entry **tasks_n, uint32_t nt,
                      name_entry *acts, name_entry **acts_n, uint32_t na, ab_error *err)
{
    char *data = NULL, *buf = NULL;
    size_t len = 0;
    int rc = read_all(m->ctx, path, &data, &len, err);
    if (rc != AB_OK) {
        return rc;
    }
    buf = ab__malloc(m->ctx, len + 4);
    if (buf == NULL) {
        ab__free(m->ctx, data);
        return ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
    }
    size_t pos = 0;
    uint64_t line_no = 0;
    int seen_data = 0;
    char delim = 0;
    /* A UTF-8 byte order mark, as spreadsheets write. */
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF) {
        pos = 3;
    }
    while (pos < len && rc == AB_OK) {
        size_t end = pos;
        while (end < len && data[end] != '\n') {
            end++;
        }
        line_no++;
        size_t l = end - pos;
        if (l > 0 && data[pos + l - 1] == '\r') {
            l--;
        }
        const char *line = data + pos;
        pos = end + 1;
        size_t k = 0;
        while (k < l && (line[k] == ' ' || line[k] == '\t')) {
            k++;
        }
        if (k == l || line[k] == '#') {
            continue;
        }
        if (delim == 0) {
            delim = memchr(line, ',', l) ? ',' : memchr(line, ';', l) ? ';' : '\t';
        }
        const char *fields[4];
        const char seps[2] = {delim, '\0'};
        int nf = ab__split_fields(line, l, seps, buf, fields, 3);
        if (nf != 2 && nf != 3) {
            rc = ab__error(err, AB_EPARSE, path, line_no, 0,
                           nf < 0 ? "unterminated or misplaced double quote"
                                  : "expected task,activity or task,activity,lane");
            break;
        }
        char *task = trim((char *)fields[0]), *act = trim((char *)fields[1]);
        char *lane_name = nf == 3 ? trim((char *)fields[2]) : NULL;
        if (!seen_data) {
            seen_data = 1;
            if (ab__ieq(task, strlen(task), "task") && ab__ieq(act, strlen(act), "activity")) {
                continue;
            }
        }
        const char *lane = NULL;
        if (lane_name != NULL && *lane_name != '\0') {
            lane = ab__arena_strndup(&m->arena, lane_name, strlen(lane_name));
            if (lane == NULL) {
                rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
                break;
            }
        }
        if (*task == '\0') {
            rc = ab__error(err, AB_EPARSE, path, line_no, 0,
                           "an empty task name (expected task,activity; 'task,' declares a "
                           "task silent)");
            break;
        }
        char tn[1024], an[1024];
        ab_bpmn_label_normalise(task, tn, sizeof(tn));
        /* 'task,' declares the task silent: no step of the log. Otherwise
         * the activity: exact name first, then normalised (the first by name
         * among those that share the normalised form). */
        int silent = *act == '\0';
        name_entry *a = NULL;
        if (!silent) {
            ab_bpmn_label_normalise(act, an, sizeof(an));
            a = find_name(acts, na, act);
            if (a == NULL) {
                uint32_t i = find_norm(acts_n, na, an);
                a = i < na ? acts_n[i] : NULL;
            }
        }
        int task_found = 0;
        for (uint32_t i = find_norm(tasks_n, nt, tn);
             i < nt && strcmp(tasks_n[i]->norm, tn) == 0 && rc == AB_OK; i++) {
            task_found = 1;
            tasks_n[i]->from_file = 1;
            if (silent) {
                rc = add_pair(m, tasks_n[i]->name, "", lane, AB_BPMN_MAP_SILENT);
            } else if (a != NULL) {
                rc = add_pair(m, tasks_n[i]->name, a->name, lane, AB_BPMN_MAP_FILE);
                a->used = 1;
            }
        }
        if (rc == AB_OK && !task_found) {
            rc = add_warning(m, "%s:%llu: the task '%s' is not in the map", path,
                             (unsigned long long)line_no, task);
        }
        if (rc == AB_OK && !silent && a == NULL) {
            rc = add_warning(m, "%s:%llu: the activity '%s' is not in the log", path,
                             (unsigned long long)line_no, act);
        }
        if (rc == AB_ENOMEM) {
            ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
        }
    }
    ab__free(m->ctx, buf);
    ab__free(m->ctx, data);
    return rc;
}

/* ---- Similarity ---- */

/* Levenshtein distance on bytes, with two rows; inputs are capped by the caller. */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb, size_t *row)
{
    size_t *prev = row, *cur = row + nb + 1;
    for (size_t j = 0; j <= nb; j++) {
        prev[j] = j;
    }
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            size_t best = sub < del ? sub : del;
            cur[j] = best < ins ? best : ins;
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb];
}

/* Dice coefficient on the sets of words. */
static double word_dice(const char *a, const char *b)
{
    enum { MAXW = 64 };
    const char *wa[MAXW], *wb[MAXW];
    size_t la[MAXW], lb[MAXW];
    size_t ca = 0, cb = 0;
    for (int side = 0; side < 2; side++) {
        const char *s = side == 0 ? a : b;
        const char **w = side == 0 ? wa : wb;
        size_t *l = side == 0 ? la : lb;
        size_t *c = side == 0 ? &ca : &cb;
        while (*s != '\0' && *c < MAXW) {
            while (*s == ' ') {
                s++;
            }
            if (*s == '\0') {
                break;
            }
            const char *st = s;
            while (*s != '\0' && *s != ' ') {
                s++;
            }
            /* Distinct words only. */
            size_t len = (size_t)(s - st);
            int dup = 0;
            for (size_t k = 0; k < *c; k++) {
                if (l[k] == len && memcmp(w[k], st, len) == 0) {
                    dup = 1;
                }
            }
            if (!dup) {
                w[*c] = st;
                l[*c] = len;
                (*c)++;
            }
        }
    }
    if (ca + cb == 0) {
        return 0.0;
    }
    size_t common = 0;
    for (size_t i = 0; i < ca; i++) {
        for (size_t j = 0; j < cb; j++) {
            if (la[i] == lb[j] && memcmp(wa[i], wb[j], la[i]) == 0) {
                common++;
                break;
            }
        }
    }
    return 2.0 * (double)common / (double)(ca + cb);
}

static double similarity_norm(const char *na, const char *nb)
{
    enum { CAP = 256 };
    size_t la = strlen(na), lb = strlen(nb);
    if (la > CAP) {
        la = CAP;
    }
    if (lb > CAP) {
        lb = CAP;
    }
    double lev = 0.0;
    size_t longest = la > lb ? la : lb;
    if (longest == 0) {
        return 1.0;
    }
    size_t row[2 * (CAP + 1)];
    size_t d = edit_distance(na, la, nb, lb, row);
    lev = 1.0 - (double)d / (double)longest;
    double dice = word_dice(na, nb);
    return lev > dice ? lev : dice;
}

double ab_bpmn_label_similarity(const char *a, const char *b)
{
    char na[512], nb[512];
    ab_bpmn_label_normalise(a, na, sizeof(na));
    ab_bpmn_label_normalise(b, nb, sizeof(nb));
    return similarity_norm(na, nb);
}

static int cmp_pair(const void *pa, const void *pb)
{
    const ab_bpmn_map_pair *a = pa, *b = pb;
    int c = strcmp(a->task, b->task);
    if (c == 0) {
        c = strcmp(a->activity, b->activity);
    }
    if (c == 0 && !same_lane(a->lane, b->lane)) {
        c = a->lane == NULL ? -1 : b->lane == NULL ? 1 : strcmp(a->lane, b->lane);
    }
    return c;
}

static int cmp_sugg(const void *pa, const void *pb)
{
    const ab_bpmn_map_suggestion *a = pa, *b = pb;
    int c = strcmp(a->task, b->task);
    if (c != 0) {
        return c;
    }
    if (a->score != b->score) {
        return a->score > b->score ? -1 : 1;
    }
    return strcmp(a->activity, b->activity);
}

/* Similarity comparisons the suggestions may cost: beyond it (say 400
 * unmapped tasks against a log of a million distinct activities) none are
 * made, and a warning says so, rather than a run that grows with the product. */
#define SUGGEST_BUDGET 4000000u

static int suggest(ab_bpmn_mapping *m, const name_entry *tasks, uint32_t nt,
                   const name_entry *acts, uint32_t na, const ab_bpmn_map_options *o)
{
    uint64_t free_acts = m->unmapped_act_count;
    if ((uint64_t)m->unmapped_task_count * free_acts > SUGGEST_BUDGET) {
        return add_warning(m,
                           "no near matches were searched for the %u unmapped tasks: with %llu "
                           "unmapped activities that is more than %u comparisons",
                           m->unmapped_task_count, (unsigned long long)free_acts, SUGGEST_BUDGET);
    }
    ab_bpmn_map_suggestion *cand = ab__calloc(m->ctx, (size_t)na + 1, sizeof(*cand));
    if (cand == NULL) {
        return AB_ENOMEM;
    }
    int rc = AB_OK;
    for (uint32_t i = 0; i < m->unmapped_task_count && rc == AB_OK; i++) {
        const char *task = m->unmapped_tasks[i];
        const name_entry *te = find_name((name_entry *)tasks, nt, task);
        const char *tnorm = te != NULL ? te->norm : NULL;
        uint32_t nc = 0;
        for (uint32_t k = 0; k < na && tnorm != NULL; k++) {
            if (acts[k].used) {
                continue;
            }
            double s = similarity_norm(tnorm, acts[k].norm);
            if (s >= o->suggest_min) {
                cand[nc].task = task;
                cand[nc].activity = acts[k].name;
                cand[nc].score = s;
                nc++;
            }
        }
        ab__bpmn_sort(cand, nc, sizeof(*cand), cmp_sugg);
        for (uint32_t k = 0; k < nc && k < o->suggest_max; k++) {
            if (AB_GROW(m->ctx, m->sugg, m->sugg_cap, (size_t)m->sugg_count + 1) != AB_OK) {
                rc = AB_ENOMEM;
                break;
            }
            m->sugg[m->sugg_count++] = cand[k];
        }
    }
    ab__free(m->ctx, cand);
    return rc;
}

/* A task named like the artificial start or end that discovery tools (Simod,
 * Split Miner) draw: "Start", "END", "Start event", "process end" ... */
static int looks_artificial(const char *task)
{
    static const char *const names[] = {
        "start", "end", "begin", "finish", "start event", "end event", "start task",
        "end task", "process start", "process end", "artificial start", "artificial end",
    };
    char n[64];
    if (ab_bpmn_label_normalise(task, n, sizeof(n)) >= sizeof(n)) {
        return 0;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(n, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int ab_bpmn_map_create(ab_bpmn_mapping **out, ab_ctx *ctx, const char *const *task_names,
                       size_t task_count, const char *const *act_names, size_t act_count,
                       const ab_bpmn_map_options *opts, ab_error *err)
{
    ab_bpmn_map_options defaults = AB_BPMN_MAP_OPTIONS_INIT;
    if (out == NULL || ctx == NULL || (task_names == NULL && task_count > 0) ||
        (act_names == NULL && act_count > 0)) {
        return ab__error(err, AB_EINVAL, "mapping", 0, 0, "ab_bpmn_map_create: NULL argument");
    }
    *out = NULL;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != AB_BPMN_MAP_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, "mapping", 0, 0, "unknown options version %u",
                         opts->version);
    }
    ab_bpmn_mapping *m = ab__calloc(ctx, 1, sizeof(*m));
    if (m == NULL) {
        return ab__error(err, AB_ENOMEM, "mapping", 0, 0, "out of memory");
    }
    m->ctx = ctx;
    ab__arena_init(&m->arena, ctx, 16 * 1024);
    name_entry *tasks = NULL, *acts = NULL;
    /* Indexes by normalised name: lookups in sorted arrays, since a log may
     * carry a million activities and a map hundreds of tasks. */
    name_entry **tasks_n = NULL, **acts_n = NULL;
    uint32_t nt = 0, na = 0;
    int rc = make_entries(m, task_names, task_count, &tasks, &nt);
    if (rc == AB_OK) {
        rc = make_entries(m, act_names, act_count, &acts, &na);
    }
    if (rc == AB_OK && (opts->normalise || opts->map_file != NULL) &&
        (acts_n = by_norm(ctx, acts, na)) == NULL) {
        rc = AB_ENOMEM;
    }
    if (rc == AB_OK && opts->map_file != NULL && (tasks_n = by_norm(ctx, tasks, nt)) == NULL) {
        rc = AB_ENOMEM;
    }
    if (rc != AB_OK) {
        ab__error(err, rc, "mapping", 0, 0, "out of memory");
        goto done;
    }
    if (opts->map_file != NULL) {
        rc = apply_file(m, opts->map_file, tasks_n, nt, acts, acts_n, na, err);
        if (rc != AB_OK) {
            goto done;
        }
    }
    /* Exact names, then normalised ones. */
    for (uint32_t i = 0; i < nt && rc == AB_OK; i++) {
        if (tasks[i].from_file) {
            continue;
        }
        name_entry *a = find_name(acts, na, tasks[i].name);
        if (a != NULL) {
            rc = add_pair(m, tasks[i].name, a->name, NULL, AB_BPMN_MAP_EXACT);
            a->used = 1;
            continue;
        }
        if (!opts->normalise || *tasks[i].norm == '\0') {
            continue;
        }
        for (uint32_t k = find_norm(acts_n, na, tasks[i].norm);
             k < na && strcmp(acts_n[k]->norm, tasks[i].norm) == 0 && rc == AB_OK; k++) {
            rc = add_pair(m, tasks[i].name, acts_n[k]->name, NULL, AB_BPMN_MAP_NORMALISED);
            acts_n[k]->used = 1;
        }
    }
    if (rc != AB_OK) {
        ab__error(err, rc, "mapping", 0, 0, "out of memory");
        goto done;
    }
    ab__bpmn_sort(m->pairs, m->pair_count, sizeof(*m->pairs), cmp_pair);
    m->unmapped_tasks = ab__arena_alloc(&m->arena, sizeof(char *) * ((size_t)nt + 1));
    m->unmapped_acts = ab__arena_alloc(&m->arena, sizeof(char *) * ((size_t)na + 1));
    if (m->unmapped_tasks == NULL || m->unmapped_acts == NULL) {
        rc = ab__error(err, AB_ENOMEM, "mapping", 0, 0, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < nt; i++) {
        uint32_t first;
        if (ab_bpmn_map_task_pairs(m, tasks[i].name, &first) == 0) {
            m->unmapped_tasks[m->unmapped_task_count++] = tasks[i].name;
        }
    }
    for (uint32_t k = 0; k < na; k++) {
        if (!acts[k].used) {
            m->unmapped_acts[m->unmapped_act_count++] = acts[k].name;
        }
    }
    ab__bpmn_sort(m->unmapped_tasks, m->unmapped_task_count, sizeof(char *), cmp_str);
    for (uint32_t i = 0; i < m->unmapped_task_count && rc == AB_OK; i++) {
        if (looks_artificial(m->unmapped_tasks[i])) {
            rc = add_warning(m,
                             "the task '%s' matches no activity of the log and is named like the "
                             "artificial start or end of a discovered map: every case will be "
                             "said to bypass it. If no case can do it, declare it silent with "
                             "the --map line '%s,'",
                             m->unmapped_tasks[i], m->unmapped_tasks[i]);
        }
    }
    if (rc != AB_OK) {
        ab__error(err, rc, "mapping", 0, 0, "out of memory");
        goto done;
    }
    ab__bpmn_sort(m->unmapped_acts, m->unmapped_act_count, sizeof(char *), cmp_str);
    rc = suggest(m, tasks, nt, acts, na, opts);
    if (rc != AB_OK) {
        ab__error(err, rc, "mapping", 0, 0, "out of memory");
    }
done:
    ab__free(ctx, tasks_n);
    ab__free(ctx, acts_n);
    ab__free(ctx, tasks);
    ab__free(ctx, acts);
    if (rc != AB_OK) {
        ab_bpmn_map_destroy(m);
        return rc;
    }
    *out = m;
    return AB_OK;
}

void ab_bpmn_map_destroy(ab_bpmn_mapping *m)
{
    if (m == NULL) {
        return;
    }
    ab_ctx *ctx = m->ctx;
    ab__free(ctx, m->pairs);
    ab__free(ctx, m->sugg);
    ab__free(ctx, m->warnings);
    ab__arena_finish(&m->arena);
    ab__free(ctx, m);
}

uint32_t ab_bpmn_map_pair_count(const ab_bpmn_mapping *m)
{
    return m->pair_count;
}

const ab_bpmn_map_pair *ab_bpmn_map_pair_at(const ab_bpmn_mapping *m, uint32_t i)
{
    return i < m->pair_count ? &m->pairs[i] : NULL;
}

uint32_t ab_bpmn_map_task_pairs(const ab_bpmn_mapping *m, const char *task, uint32_t *first_out)
{
    /* Pairs are sorted by task: binary search for the first. */
    uint32_t lo = 0, hi = m->pair_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->pairs[mid].task, task) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    uint32_t n = 0;
    while (lo + n < m->pair_count && strcmp(m->pairs[lo + n].task, task) == 0) {
        n++;
    }
    if (first_out != NULL) {
        *first_out = lo;
    }
    return n;
}

uint32_t ab_bpmn_map_unmapped_task_count(const ab_bpmn_mapping *m)
{
    return m->unmapped_task_count;
}

const char *ab_bpmn_map_unmapped_task(const ab_bpmn_mapping *m, uint32_t i)
{
    return i < m->unmapped_task_count ? m->unmapped_tasks[i] : NULL;
}

uint32_t ab_bpmn_map_unmapped_activity_count(const ab_bpmn_mapping *m)
{
    return m->unmapped_act_count;
}

const char *ab_bpmn_map_unmapped_activity(const ab_bpmn_mapping *m, uint32_t i)
{
    return i < m->unmapped_act_count ? m->unmapped_acts[i] : NULL;
}

uint32_t ab_bpmn_map_suggestion_count(const ab_bpmn_mapping *m)
{
    return m->sugg_count;
}

const ab_bpmn_map_suggestion *ab_bpmn_map_suggestion_at(const ab_bpmn_mapping *m, uint32_t i)
{
    return i < m->sugg_count ? &m->sugg[i] : NULL;
}

uint32_t ab_bpmn_map_warning_count(const ab_bpmn_mapping *m)
{
    return m->warning_count;
}

const char *ab_bpmn_map_warning(const ab_bpmn_mapping *m, uint32_t i)
{
    return i < m->warning_count ? m->warnings[i] : NULL;
}

const char *ab_bpmn_map_how_name(ab_bpmn_map_how how)
{
    switch (how) {
    case AB_BPMN_MAP_EXACT:
        return "exact";
    case AB_BPMN_MAP_NORMALISED:
        return "normalised";
    case AB_BPMN_MAP_FILE:
        return "file";
    case AB_BPMN_MAP_SILENT:
        return "silent";
    }
    return "?";
}
