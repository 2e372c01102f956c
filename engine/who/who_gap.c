/*
 * who/who_gap.c: who did the work, and who was allowed to, as part of the
 * gap. From the alignments it takes which event is an instance of which
 * documented task (synchronous moves); from the roles (a roles file, or
 * the events' org:role / org:group / a CSV column) and the lanes' roles
 * (exact, then normalised names, or a lane,role file) it finds role
 * violations per task, segregation-of-duties violations per pair, the
 * hand-offs between roles (documented when the map makes that lane change
 * along its sequence flows), the controls' performers who also did another
 * step, and the share of each task done by system accounts. One pass over
 * the cases; every list is sorted so that the report is byte-identical.
 * The definitions are in docs/metrics.md ("Who did the work").
 */
#include "gap/gap_int.h"
#include "who/who_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

typedef struct role_viol {
    uint32_t pos, trans;
    uint64_t event;
} role_viol;

typedef struct sod_hit {
    uint32_t pair, resource;
} sod_hit;

typedef struct handoff {
    uint32_t pos, from_role, to_role, from_act, to_act;
} handoff;

typedef struct task {
    const char *name, *element_id, *lane;
    uint32_t lane_id;
    int control;
    uint64_t instances, events, unknown, with_resource, by_system;
    uint64_t cases, of; /* Cases with a violation; cases with an instance. */
    uint32_t last_case, last_of;
    uint32_t examples[3];
    uint32_t example_count;
} task;

typedef struct counted {
    uint64_t cases, count;
    uint32_t last_case;
    uint32_t examples[3];
    uint32_t example_count;
    uint32_t anchor_act;  /* Handoffs: the from-role's last step in the first case ... */
    uint32_t anchor_case; /* ... which is this one. */
    uint32_t *list;       /* Handoffs: their cases, ascending (over processes, this */
    uint64_t listed;      /* one's alone): listed of them. */
    size_t list_cap;
} counted;

typedef struct lane_info {
    const char *name;
    uint32_t *roles;
    uint32_t role_count;
    const char *how;
} lane_info;

struct ab__who {
    const char *role_source;
    ab__strtab roles; /* Role names; ids index it. */
    uint32_t role_count;
    int have_roles;
    int rates_known; /* Roles, and some lane allows one: the role rates mean something. */
    /* Roles file: per resource of the log, its roles [off[r], off[r + 1]). */
    uint32_t *res_off, *res_roles;
    uint32_t *file_res; /* Resources of the file, in file order (strtab ids). */
    ab__strtab file_names;
    uint32_t *file_roles_off, *file_roles;
    uint32_t file_res_count;
    /* Roles from the events: one per event. */
    uint32_t *ev_role;
    /* Lanes and tasks. */
    lane_info *lanes;
    uint32_t lane_count;
    uint32_t *trans_task; /* Per net transition: its task, or NONE. */
    task *tasks;
    uint32_t task_count;
    /* Per (task, role): instances with that effective role. */
    ab__gap_map seen_map;
    uint64_t *seen_count;
    size_t seen_cap;
    /* Segregation of duties. */
    ab_sod_rules *sod;
    ab__sod_expand x;
    counted *pair_stats;
    uint64_t *pair_both;
    uint64_t sod_cases;
    /* Controls' performers: (task, other activity). */
    ab__gap_map ctrl_map;
    counted *ctrl;
    size_t ctrl_cap;
    /* Hand-offs. */
    uint64_t *documented; /* Sorted (from << 32 | to). */
    uint32_t documented_count;
    uint64_t *matrix; /* role_count x role_count. */
    ab__gap_map ho_map;
    counted *ho;
    ab_gap_time *ho_time;
    size_t ho_cap;
    /* Per case. */
    uint64_t *rv_off, *sod_off, *ho_off;
    role_viol *rv;
    sod_hit *sh;
    handoff *hv;
    size_t rv_n, rv_cap, sh_n, sh_cap, hv_n, hv_cap;
    uint64_t ev_with_res, ev_without_res, ev_without_role;
    uint64_t c_role, c_ctrl, c_ho;
    char *system_resources;
    uint8_t *is_system;                                   /* Per log resource: a system account. */
    char *in_roles, *in_role_map, *in_sod, *in_role_attr; /* The options, as given. */
    char sha_roles[65], sha_role_map[65], sha_sod[65];    /* The files' SHA-256 ("" = none). */
    /* Accept rules: normalised names (each share's tally counts their cases). */
    char **role_norm, **task_norm;
};

typedef struct ab__who who;

/* ---- Roles ---- */

static int intern_role(who *h, const char *s, uint32_t *id)
{
    int rc = ab__strtab_intern(&h->roles, s, strlen(s), id);
    if (rc == AB_OK && *id + 1 > h->role_count) {
        h->role_count = *id + 1;
    }
    return rc;
}

/*
 * The common shape of the roles and role-map files' lines: two non-empty
 * fields, the first line possibly a header naming them. Returns 1 for that
 * header (skip it), 0 for a line to use, or an error status.
 */
static int two_fields(const char **f, int n, uint64_t line, const char *path, const char *first,
                      const char *second, size_t lines_taken, ab_error *err)
{
    if (n != 2 || f[0][0] == '\0' || f[1][0] == '\0') {
        return ab__error(err, AB_EPARSE, path, line, 0,
                         "expected '%s,%s' (two non-empty fields, got %d)", first, second, n);
    }
    return lines_taken == 0 && strcmp(f[0], first) == 0 && strcmp(f[1], second) == 0;
}

typedef struct roles_load {
    ab_gap *g;
    who *h;
    const char *path;
    uint32_t *pair_res, *pair_role;
    size_t n, cap;
    ab__strtab seen; /* The (resource, role) pairs taken, as 8-byte keys. */
} roles_load;

static int roles_line(const char **f, int n, uint64_t line, void *payload, ab_error *err)
{
    roles_load *L = payload;
    int rc = two_fields(f, n, line, L->path, "resource", "role", L->n, err);
    if (rc != 0) {
        return rc == 1 ? AB_OK : rc;
    }
    ab_ctx *ctx = L->g->ctx;
    if (AB_GROW(ctx, L->pair_res, L->cap, L->n + 1) != AB_OK) {
        return ab__error(err, AB_ENOMEM, L->path, line, 0, "out of memory");
    }
    size_t cap2 = L->cap;
    uint32_t *pr = ab__realloc(ctx, L->pair_role, sizeof(uint32_t) * cap2);
    if (pr == NULL) {
        return ab__error(err, AB_ENOMEM, L->path, line, 0, "out of memory");
    }
    L->pair_role = pr;
    uint32_t rid, role;
    if (ab__strtab_intern(&L->h->file_names, f[0], strlen(f[0]), &rid) != AB_OK ||
        intern_role(L->h, f[1], &role) != AB_OK) {
        return ab__error(err, AB_ENOMEM, L->path, line, 0, "out of memory");
    }
    /* A repeated line adds nothing. */
    uint64_t key = (uint64_t)rid << 32 | role;
    uint32_t before = L->seen.count, id;
    if (ab__strtab_intern(&L->seen, (const char *)&key, sizeof(key), &id) != AB_OK) {
        return ab__error(err, AB_ENOMEM, L->path, line, 0, "out of memory");
    }
    if (L->seen.count == before) {
        return AB_OK;
    }
    L->pair_res[L->n] = rid;
    L->pair_role[L->n] = role;
    L->n++;
    return AB_OK;
}

/* The roles file: per log resource its roles in file order. */
static int load_roles_file(ab_gap *g, who *h, const char *path, ab_error *err)
{
    ab_ctx *ctx = g->ctx;
    roles_load L = {g, h, path, NULL, NULL, 0, 0, {0}};
    int rc = ab__strtab_init(&L.seen, ctx) == AB_OK
                 ? ab__who_read_csv(ctx, path, "roles file", roles_line, &L, err)
                 : ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
    ab__strtab_finish(&L.seen);
    uint32_t nr = ab_log_resource_count(g->log);
    uint32_t nf = h->file_names.count;
    if (rc == AB_OK) {
        h->res_off = ab__calloc(ctx, (size_t)nr + 2, sizeof(uint32_t));
        h->res_roles = ab__malloc(ctx, sizeof(uint32_t) * (L.n + 1));
        h->file_roles_off = ab__calloc(ctx, (size_t)nf + 2, sizeof(uint32_t));
        h->file_roles = ab__malloc(ctx, sizeof(uint32_t) * (L.n + 1));
        uint32_t *logres = ab__malloc(ctx, sizeof(uint32_t) * (L.n + 1));
        if (h->res_off == NULL || h->res_roles == NULL || h->file_roles_off == NULL ||
            h->file_roles == NULL || logres == NULL) {
            ab__free(ctx, logres);
            rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
        } else {
            /* File names to log resources (by name). */
            uint32_t *f2l = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nf + 1));
            ab__strtab byname;
            int ok = f2l != NULL && ab__strtab_init(&byname, ctx) == AB_OK;
            for (uint32_t r = 0; ok && r < nr; r++) {
                const char *s = ab_log_resource_name(g->log, r);
                uint32_t id;
                ok = ab__strtab_intern(&byname, s, strlen(s), &id) == AB_OK;
            }
            for (uint32_t k = 0; ok && k < nf; k++) {
                uint32_t id;
                f2l[k] = ab__strtab_find(&byname, ab__strtab_str(&h->file_names, k),
                                         ab__strtab_len(&h->file_names, k), &id) == AB_OK
                             ? id
                             : NONE;
            }
            if (ok) {
                for (size_t k = 0; k < L.n; k++) {
                    logres[k] = f2l[L.pair_res[k]];
                    if (logres[k] != NONE) {
                        h->res_off[logres[k] + 1]++;
                    }
                    h->file_roles_off[L.pair_res[k] + 1]++;
                }
                for (uint32_t r = 0; r < nr; r++) {
                    h->res_off[r + 1] += h->res_off[r];
                }
                for (uint32_t r = 0; r < nf; r++) {
                    h->file_roles_off[r + 1] += h->file_roles_off[r];
                }
                uint32_t *fill = ab__calloc(ctx, (size_t)(nr > nf ? nr : nf) + 1, sizeof(uint32_t));
                if (fill == NULL) {
                    ok = 0;
                } else {
                    for (size_t k = 0; k < L.n; k++) {
                        if (logres[k] != NONE) {
                            h->res_roles[h->res_off[logres[k]] + fill[logres[k]]++] =
                                L.pair_role[k];
                        }
                    }
                    memset(fill, 0, sizeof(uint32_t) * ((size_t)(nr > nf ? nr : nf) + 1));
                    for (size_t k = 0; k < L.n; k++) {
                        uint32_t fr = L.pair_res[k];
                        h->file_roles[h->file_roles_off[fr] + fill[fr]++] = L.pair_role[k];
                    }
                    ab__free(ctx, fill);
                }
            }
            if (f2l != NULL) {
                ab__free(ctx, f2l);
                ab__strtab_finish(&byname);
            }
            ab__free(ctx, logres);
            h->file_res_count = nf;
            if (!ok) {
                rc = ab__error(err, AB_ENOMEM, path, 0, 0, "out of memory");
            }
        }
    }
    ab__free(ctx, L.pair_res);
    ab__free(ctx, L.pair_role);
    h->role_source = "file";
    h->have_roles = 1;
    return rc;
}

/* Roles from an event attribute: 1 when some event has it. */
static int load_role_attr(ab_gap *g, who *h, const char *key, int *found)
{
    const ab_log *log = g->log;
    uint64_t n = ab_log_event_count(log);
    *found = 0;
    if (h->ev_role == NULL) {
        h->ev_role = ab__malloc(g->ctx, sizeof(uint32_t) * (n + 1));
        if (h->ev_role == NULL) {
            return AB_ENOMEM;
        }
    }
    uint32_t last = NONE;
    const char *last_s = NULL;
    size_t last_len = 0;
    for (uint64_t e = 0; e < n; e++) {
        ab_value v;
        h->ev_role[e] = NONE;
        if (ab_log_event_attr(log, e, key, &v) != AB_OK ||
            (v.type != AB_ATTR_STRING && v.type != AB_ATTR_ID) || v.u.s.len == 0) {
            continue;
        }
        /* Consecutive events often share the role: skip the lookup. */
        if (last != NONE && v.u.s.len == last_len && memcmp(v.u.s.ptr, last_s, last_len) == 0) {
            h->ev_role[e] = last;
            *found = 1;
            continue;
        }
        uint32_t id;
        int rc = ab__strtab_intern(&h->roles, v.u.s.ptr, v.u.s.len, &id);
        if (rc != AB_OK) {
            return rc;
        }
        h->role_count = h->roles.count;
        h->ev_role[e] = last = id;
        last_s = v.u.s.ptr;
        last_len = v.u.s.len;
        *found = 1;
    }
    return AB_OK;
}

/* ---- Bytes between processes (a driver's exchange) ---- */

/* Where other processes hold other cases: flags[i] set when it is set in
 * any process. */
static int or_flags(ab_gap *g, int *flags, int n)
{
    if (ab__gap_cases_here(g)) {
        return AB_OK;
    }
    uint8_t mine[8];
    for (int i = 0; i < n; i++) {
        mine[i] = (uint8_t)(flags[i] != 0);
    }
    void **all = NULL;
    size_t *lens = NULL;
    uint32_t count = 0;
    int rc = g->parts.exchange(g->parts.payload, mine, (size_t)n, &all, &lens, &count);
    for (uint32_t p = 0; rc == AB_OK && p < count; p++) {
        if (lens[p] != (size_t)n) {
            rc = AB_EINVAL;
            break;
        }
        for (int i = 0; i < n; i++) {
            flags[i] |= ((const uint8_t *)all[p])[i];
        }
    }
    ab__gap_exchange_free(all, lens, count);
    return rc;
}

typedef struct role_first {
    uint64_t key; /* The whole log's case index << 32 | the event's place in it. */
    const char *name;
    uint32_t len;
} role_first;

static int cmp_role_first(const void *pa, const void *pb)
{
    uint64_t a = ((const role_first *)pa)->key, b = ((const role_first *)pb)->key;
    return a < b ? -1 : a > b;
}

/*
 * Where other processes hold other cases, after load_role_attr: the roles
 * of every process numbered in the order one process meets them (by the
 * whole log's first event that has each), so that a role's id is the same
 * everywhere and the same as in one process; this process's events
 * renumbered.
 */
static int unify_roles(ab_gap *g, who *h)
{
    if (ab__gap_cases_here(g)) {
        return AB_OK;
    }
    ab_ctx *ctx = g->ctx;
    const ab_log *log = g->log;
    const uint32_t *ecase = ab_log_col_case(log);
    uint32_t R = h->roles.count;
    uint64_t n = ab_log_event_count(log);
    uint64_t *first = ab__malloc(ctx, sizeof(uint64_t) * ((size_t)R + 1));
    uint32_t *map = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)R + 1));
    ab_buf bytes = AB_BUF_INIT;
    ab__wbytes w = {&bytes, ctx, first != NULL && map != NULL ? AB_OK : AB_ENOMEM};
    for (uint32_t r = 0; first != NULL && r < R; r++) {
        first[r] = UINT64_MAX;
    }
    for (uint64_t e = 0; w.rc == AB_OK && e < n; e++) {
        uint32_t r = h->ev_role[e];
        if (r != NONE && first[r] == UINT64_MAX) {
            uint32_t c = ecase[e];
            first[r] = (uint64_t)ab__gap_case_global(g, c) << 32 |
                       (uint64_t)(e - ab_log_case_first(log, c));
        }
    }
    ab__put_u32(&w, R);
    for (uint32_t r = 0; w.rc == AB_OK && r < R; r++) {
        const char *name = ab__strtab_str(&h->roles, r);
        ab__put_u64(&w, first[r]);
        ab__put_str(&w, name, strlen(name));
    }
    void **all = NULL;
    size_t *lens = NULL;
    uint32_t count = 0, total = 0;
    role_first *rf = NULL;
    int rc = w.rc;
    if (rc == AB_OK) {
        rc = g->parts.exchange(g->parts.payload, bytes.ptr, bytes.len, &all, &lens, &count);
    }
    ab_buf_dispose(&bytes);
    for (uint32_t p = 0; rc == AB_OK && p < count; p++) {
        ab__rbytes r = {all[p], lens[p], 0, 0};
        uint32_t k = ab__get_u32(&r);
        role_first *grown = realloc(rf, sizeof(*rf) * ((size_t)total + k + 1));
        if (grown == NULL) {
            rc = AB_ENOMEM;
            break;
        }
        rf = grown;
        for (uint32_t i = 0; i < k && !r.bad; i++) {
            role_first *x = &rf[total++];
            x->key = ab__get_u64(&r);
            x->name = ab__get_str(&r, &x->len);
        }
        rc = r.bad ? AB_EINVAL : rc;
    }
    if (rc == AB_OK) {
        qsort(rf, total, sizeof(*rf), cmp_role_first);
        ab__strtab ids;
        rc = ab__strtab_init(&ids, ctx);
        for (uint32_t i = 0; rc == AB_OK && i < total; i++) {
            uint32_t id;
            rc = ab__strtab_intern(&ids, rf[i].name, rf[i].len, &id);
        }
        for (uint32_t r = 0; rc == AB_OK && r < R; r++) {
            const char *name = ab__strtab_str(&h->roles, r);
            rc = ab__strtab_intern(&ids, name, strlen(name), &map[r]);
        }
        if (rc == AB_OK) {
            ab__strtab_finish(&h->roles);
            h->roles = ids;
            h->role_count = ids.count;
            for (uint64_t e = 0; e < n; e++) {
                h->ev_role[e] = h->ev_role[e] != NONE ? map[h->ev_role[e]] : NONE;
            }
        } else {
            ab__strtab_finish(&ids);
        }
    }
    free(rf);
    ab__gap_exchange_free(all, lens, count);
    ab__free(ctx, first);
    ab__free(ctx, map);
    return rc;
}

/* Which of org:role, role and org:group an event has (top-level string
 * attributes with a value). */
typedef struct key_scan {
    int seen[3];
} key_scan;

static int scan_key(const char *key, const ab_value *v, int depth, void *payload)
{
    key_scan *ks = payload;
    if (depth != 0 || (v->type != AB_ATTR_STRING && v->type != AB_ATTR_ID) || v->u.s.len == 0) {
        return 0;
    }
    static const char *const keys[] = {"org:role", "role", "org:group"};
    for (int k = 0; k < 3; k++) {
        if (strcmp(key, keys[k]) == 0) {
            ks->seen[k] = 1;
        }
    }
    return ks->seen[0];
}

/* The candidate roles of an event. */
static const uint32_t *event_roles(const who *h, const ab_gap *g, uint64_t e, uint32_t *n)
{
    if (h->res_off != NULL) {
        uint32_t r = ab_log_col_resource(g->log)[e];
        if (r == NONE) {
            *n = 0;
            return NULL;
        }
        *n = h->res_off[r + 1] - h->res_off[r];
        return h->res_roles + h->res_off[r];
    }
    if (h->ev_role != NULL && h->ev_role[e] != NONE) {
        *n = 1;
        return &h->ev_role[e];
    }
    *n = 0;
    return NULL;
}

/* ---- Lanes ---- */

static char *norm(ab__arena *a, const char *s)
{
    size_t need = ab_bpmn_label_normalise(s, NULL, 0);
    char *buf = ab__arena_alloc(a, need + 1);
    if (buf != NULL) {
        ab_bpmn_label_normalise(s, buf, need + 1);
    }
    return buf;
}

typedef struct rolemap_load {
    ab_gap *g;
    who *h;
    const char *path;
    char **lane;
    uint32_t *role;
    size_t n, cap;
} rolemap_load;

static int rolemap_line(const char **f, int n, uint64_t line, void *payload, ab_error *err)
{
    rolemap_load *L = payload;
    int rc = two_fields(f, n, line, L->path, "lane", "role", L->n, err);
    if (rc != 0) {
        return rc == 1 ? AB_OK : rc;
    }
    ab_ctx *ctx = L->g->ctx;
    if (AB_GROW(ctx, L->lane, L->cap, L->n + 1) != AB_OK) {
        return ab__error(err, AB_ENOMEM, L->path, line, 0, "out of memory");
    }
    uint32_t *r = ab__realloc(ctx, L->role, sizeof(uint32_t) * L->cap);
    if (r == NULL) {
        return ab__error(err, AB_ENOMEM, L->path, line, 0, "out of memory");
    }
    L->role = r;
    L->lane[L->n] = norm(&L->g->arena, f[0]);
    if (L->lane[L->n] == NULL || intern_role(L->h, f[1], &L->role[L->n]) != AB_OK) {
        return ab__error(err, AB_ENOMEM, L->path, line, 0, "out of memory");
    }
    L->n++;
    return AB_OK;
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

/* A transition's lane: its BPMN lane, else the lane its --map line names. */
static const char *trans_lane(const ab_gap *g, const ab_net_transition *t)
{
    if (t->lane != NULL && t->lane[0] != '\0') {
        return t->lane;
    }
    const ab_bpmn_mapping *m = g->opts.mapping;
    if (m == NULL || t->task == NULL) {
        return NULL;
    }
    uint32_t first = 0, n = ab_bpmn_map_task_pairs(m, t->task, &first);
    for (uint32_t k = 0; k < n; k++) {
        const ab_bpmn_map_pair *p = ab_bpmn_map_pair_at(m, first + k);
        if (p->lane != NULL && p->lane[0] != '\0' && t->label != NULL &&
            strcmp(p->activity, t->label) == 0) {
            return p->lane;
        }
    }
    return NULL;
}

/* Lanes, their allowed roles, and the tasks (one per map element). */
static int lanes_and_tasks(ab_gap *g, who *h, const char *role_map, ab_error *err)
{
    ab_ctx *ctx = g->ctx;
    const ab_net *net = g->net;
    uint32_t T = ab_net_transition_count(net);
    rolemap_load RL = {g, h, role_map, NULL, NULL, 0, 0};
    int rc = AB_OK;
    if (role_map != NULL) {
        rc = ab__who_read_csv(ctx, role_map, "role map", rolemap_line, &RL, err);
        if (rc != AB_OK) {
            goto done;
        }
    }
    h->trans_task = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)T + 1));
    h->tasks = ab__calloc(ctx, (size_t)T + 1, sizeof(task));
    h->lanes = ab__calloc(ctx, (size_t)T + 1, sizeof(lane_info));
    ab__strtab elems, lanes;
    if (h->trans_task == NULL || h->tasks == NULL || h->lanes == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    if (ab__strtab_init(&elems, ctx) != AB_OK) {
        rc = AB_ENOMEM;
        goto done;
    }
    if (ab__strtab_init(&lanes, ctx) != AB_OK) {
        ab__strtab_finish(&elems);
        rc = AB_ENOMEM;
        goto done;
    }
    uint32_t R = h->role_count;
    char **role_norm = ab__calloc(ctx, (size_t)R + 1, sizeof(char *));
    for (uint32_t r = 0; role_norm != NULL && r < R; r++) {
        role_norm[r] = norm(&g->arena, ab__strtab_str(&h->roles, r));
    }
    for (uint32_t i = 0; rc == AB_OK && i < T; i++) {
        const ab_net_transition *t = ab_net_transition_at(net, i);
        h->trans_task[i] = NONE;
        if (t->label == NULL || t->label_id == AB_NET_SILENT) {
            continue;
        }
        uint32_t eid;
        if (ab__strtab_intern(&elems, t->element_id, strlen(t->element_id), &eid) != AB_OK) {
            rc = AB_ENOMEM;
            break;
        }
        h->trans_task[i] = eid;
        task *k = &h->tasks[eid];
        if (eid + 1 > h->task_count) {
            h->task_count = eid + 1;
            k->name = t->task != NULL ? t->task : t->label;
            k->element_id = t->element_id;
            k->last_case = k->last_of = NONE;
            k->lane_id = NONE;
            const char *ln = trans_lane(g, t);
            k->lane = ln;
            if (ln != NULL) {
                uint32_t lid;
                if (ab__strtab_intern(&lanes, ln, strlen(ln), &lid) != AB_OK) {
                    rc = AB_ENOMEM;
                    break;
                }
                k->lane_id = lid;
                if (lid + 1 > h->lane_count) {
                    h->lane_count = lid + 1;
                    h->lanes[lid].name = ln;
                }
            }
        }
        if (t->label_id < g->label_count && g->control[t->label_id]) {
            k->control = 1;
        }
    }
    /* Each lane's roles: the role map's lines for it; else the roles of the
     * same name; else those of the same normalised name. */
    for (uint32_t l = 0; rc == AB_OK && l < h->lane_count && role_norm != NULL; l++) {
        lane_info *li = &h->lanes[l];
        li->roles = ab__arena_alloc(&g->arena, sizeof(uint32_t) * ((size_t)R + RL.n + 1));
        char *ln = norm(&g->arena, li->name);
        if (li->roles == NULL || ln == NULL) {
            rc = AB_ENOMEM;
            break;
        }
        li->how = "none";
        for (size_t k = 0; k < RL.n; k++) {
            if (strcmp(RL.lane[k], ln) == 0) {
                uint32_t dup = 0;
                for (uint32_t q = 0; q < li->role_count; q++) {
                    dup |= li->roles[q] == RL.role[k];
                }
                if (!dup) {
                    li->roles[li->role_count++] = RL.role[k];
                }
                li->how = "file";
            }
        }
        if (li->role_count > 0) {
            continue;
        }
        uint32_t id;
        if (ab__strtab_find(&h->roles, li->name, strlen(li->name), &id) == AB_OK && id < R) {
            li->roles[li->role_count++] = id;
            li->how = "exact";
            continue;
        }
        for (uint32_t r = 0; r < R; r++) {
            if (role_norm[r] != NULL && strcmp(role_norm[r], ln) == 0) {
                li->roles[li->role_count++] = r;
                li->how = "normalised";
            }
        }
    }
    if (role_norm == NULL) {
        rc = AB_ENOMEM;
    }
    ab__free(ctx, role_norm);
    ab__strtab_finish(&elems);
    ab__strtab_finish(&lanes);
done:
    ab__free(ctx, RL.lane);
    ab__free(ctx, RL.role);
    if (rc == AB_ENOMEM) {
        rc = ab__error(err, AB_ENOMEM, "who", 0, 0, "out of memory");
    }
    return rc;
}

static int role_allowed(const who *h, uint32_t lane, uint32_t role)
{
    if (lane == NONE) {
        return 0;
    }
    const lane_info *li = &h->lanes[lane];
    for (uint32_t k = 0; k < li->role_count; k++) {
        if (li->roles[k] == role) {
            return 1;
        }
    }
    return 0;
}

/* The documented hand-offs: for each visible transition x, the visible
 * transitions y reached from x's output places through silent transitions
 * only; when their lanes differ, every allowed role pair. */
static int documented_handoffs(ab_gap *g, who *h)
{
    ab_ctx *ctx = g->ctx;
    const ab_net *net = g->net;
    uint32_t T = ab_net_transition_count(net), P = ab_net_place_count(net);
    uint32_t *off = ab__calloc(ctx, (size_t)P + 2, sizeof(uint32_t));
    uint64_t arcs = 0;
    for (uint32_t i = 0; off != NULL && i < T; i++) {
        const ab_net_transition *t = ab_net_transition_at(net, i);
        for (uint32_t k = 0; k < t->in_count; k++) {
            off[t->in[k].place + 1]++;
        }
        arcs += t->in_count;
    }
    uint32_t *cons = ab__malloc(ctx, sizeof(uint32_t) * (arcs + 1));
    uint32_t *fill = ab__calloc(ctx, (size_t)P + 1, sizeof(uint32_t));
    uint32_t *stack = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)P + 1));
    uint32_t *seen = ab__calloc(ctx, (size_t)P + 1, sizeof(uint32_t));
    uint32_t *tseen = ab__calloc(ctx, (size_t)T + 1, sizeof(uint32_t));
    uint64_t *pairs = NULL;
    size_t np = 0, cap = 0;
    int rc = AB_OK;
    if (off == NULL || cons == NULL || fill == NULL || stack == NULL || seen == NULL ||
        tseen == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t p = 0; p < P; p++) {
        off[p + 1] += off[p];
    }
    for (uint32_t i = 0; i < T; i++) {
        const ab_net_transition *t = ab_net_transition_at(net, i);
        for (uint32_t k = 0; k < t->in_count; k++) {
            uint32_t p = t->in[k].place;
            cons[off[p] + fill[p]++] = i;
        }
    }
    for (uint32_t x = 0; x < T && rc == AB_OK; x++) {
        uint32_t tx = h->trans_task[x];
        if (tx == NONE || h->tasks[tx].lane_id == NONE) {
            continue;
        }
        uint32_t lx = h->tasks[tx].lane_id, sp = 0, mark = x + 1;
        const ab_net_transition *t = ab_net_transition_at(net, x);
        for (uint32_t k = 0; k < t->out_count; k++) {
            if (seen[t->out[k].place] != mark) {
                seen[t->out[k].place] = mark;
                stack[sp++] = t->out[k].place;
            }
        }
        while (sp > 0 && rc == AB_OK) {
            uint32_t p = stack[--sp];
            /* Only places that stand for flows lead along the map's sequence flows. A skip
             * place is an inclusive branch not taken (no path of the map goes that way), and
             * a scope's idle counter leads into its branch splits as well as to the scope's
             * end: of its consumers, only the end continues the flow. */
            ab_net_prole role = ab_net_place_at(net, p)->role;
            if (role == AB_NET_P_SKIP) {
                continue;
            }
            for (uint32_t q = off[p]; q < off[p + 1]; q++) {
                uint32_t y = cons[q];
                if (tseen[y] == mark) {
                    continue;
                }
                if (role == AB_NET_P_COUNTER &&
                    ab_net_transition_at(net, y)->kind != AB_NET_T_SCOPE) {
                    continue;
                }
                tseen[y] = mark;
                uint32_t ty = h->trans_task[y];
                if (ty != NONE) {
                    uint32_t ly = h->tasks[ty].lane_id;
                    if (ly == NONE || ly == lx) {
                        continue;
                    }
                    const lane_info *a = &h->lanes[lx], *b = &h->lanes[ly];
                    for (uint32_t i = 0; i < a->role_count; i++) {
                        for (uint32_t j = 0; j < b->role_count; j++) {
                            if (AB_GROW(ctx, pairs, cap, np + 1) != AB_OK) {
                                rc = AB_ENOMEM;
                                break;
                            }
                            pairs[np++] = (uint64_t)a->roles[i] << 32 | b->roles[j];
                        }
                    }
                    continue;
                }
                const ab_net_transition *u = ab_net_transition_at(net, y);
                for (uint32_t k = 0; k < u->out_count; k++) {
                    if (seen[u->out[k].place] != mark) {
                        seen[u->out[k].place] = mark;
                        stack[sp++] = u->out[k].place;
                    }
                }
            }
        }
    }
    if (rc == AB_OK && np > 0) {
        qsort(pairs, np, sizeof(uint64_t), cmp_u64);
        size_t d = 0;
        for (size_t i = 0; i < np; i++) {
            if (d == 0 || pairs[d - 1] != pairs[i]) {
                pairs[d++] = pairs[i];
            }
        }
        h->documented = pairs;
        h->documented_count = (uint32_t)d;
        pairs = NULL;
    }
done:
    ab__free(ctx, pairs);
    ab__free(ctx, off);
    ab__free(ctx, cons);
    ab__free(ctx, fill);
    ab__free(ctx, stack);
    ab__free(ctx, seen);
    ab__free(ctx, tseen);
    return rc;
}

static int is_documented(const who *h, uint32_t from, uint32_t to)
{
    uint64_t key = (uint64_t)from << 32 | to;
    return h->documented_count > 0 &&
           bsearch(&key, h->documented, h->documented_count, sizeof(uint64_t), cmp_u64) != NULL;
}

/* Whether an accept rule of this type covers (a, b) (normalised names); the
 * rule's case count grows once per case. */
/*
 * What the cases of one share add up: the counters of who did the work, the
 * way a share kept elsewhere would hold them. add_tally() adds one into the
 * who: sums, the smallest cases as examples, a hand-off's anchor from its
 * smallest case, its cases' lists joined.
 */
typedef struct tally {
    task *tasks;          /* The who's tasks with their counters at zero. */
    uint64_t *seen;       /* Roles seen per task: a dense table when it is small ... */
    ab__gap_map seen_map; /* ... else this map. */
    uint64_t *seen_count;
    size_t seen_cap;
    uint64_t *matrix; /* role_count x role_count. */
    ab__gap_map ho_map, ctrl_map;
    counted *ho, *ctrl;
    size_t ho_cap, ctrl_cap;
    counted *pair_stats;
    uint64_t *pair_both;
    uint64_t sod_cases, ev_with_res, ev_without_res, ev_without_role, c_role, c_ctrl, c_ho;
    uint64_t *rule_cases; /* Per accept rule: cases where it accepted something. */
    uint32_t *rule_last;  /* The last case each rule counted. */
} tally;

static int accepted(ab_gap *g, tally *k, ab__gap_rule_type type, const char *a, const char *b,
                    uint32_t c, int sym)
{
    int hit = 0;
    for (uint32_t r = 0; r < g->rule_count; r++) {
        ab__gap_rule *rule = &g->rules[r];
        if (rule->type != type) {
            continue;
        }
        int m = ab__gap_rule_match(rule->a, a) && ab__gap_rule_match(rule->b, b);
        if (!m && sym) {
            m = ab__gap_rule_match(rule->a, b) && ab__gap_rule_match(rule->b, a);
        }
        if (m) {
            hit = 1;
            if (k->rule_last[r] != c) {
                k->rule_last[r] = c;
                k->rule_cases[r]++;
            }
        }
    }
    return hit;
}

static int prepare_accept(ab_gap *g, who *h)
{
    h->role_norm = ab__arena_alloc(&g->arena, sizeof(char *) * ((size_t)h->role_count + 1));
    h->task_norm = ab__arena_alloc(&g->arena, sizeof(char *) * ((size_t)h->task_count + 1));
    if (h->role_norm == NULL || h->task_norm == NULL) {
        return AB_ENOMEM;
    }
    for (uint32_t r = 0; r < h->role_count; r++) {
        if ((h->role_norm[r] = norm(&g->arena, ab__strtab_str(&h->roles, r))) == NULL) {
            return AB_ENOMEM;
        }
    }
    for (uint32_t t = 0; t < h->task_count; t++) {
        if ((h->task_norm[t] = norm(&g->arena, h->tasks[t].name)) == NULL) {
            return AB_ENOMEM;
        }
    }
    return AB_OK;
}

/* ---- The pass over the cases ---- */

static int grow_counted(ab_ctx *ctx, counted **arr, size_t *cap, uint32_t index)
{
    size_t old = *cap;
    if (AB_GROW(ctx, *arr, *cap, (size_t)index + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    for (size_t k = old; k < *cap; k++) {
        memset(&(*arr)[k], 0, sizeof(counted));
        (*arr)[k].last_case = NONE;
    }
    return AB_OK;
}

/* Keeps the three smallest cases (the first in case order, whatever order
 * the cases are run in), ascending. */
static void keep_example(uint32_t *ex, uint32_t *count, uint32_t c)
{
    uint32_t j = *count;
    while (j > 0 && ex[j - 1] > c) {
        j--;
    }
    if (j == 3) {
        return;
    }
    uint32_t n = *count < 3 ? *count : 2;
    memmove(ex + j + 1, ex + j, sizeof(uint32_t) * (n - j));
    ex[j] = c;
    *count += *count < 3;
}

static void count_case(counted *c, uint32_t cs)
{
    if (c->last_case != cs) {
        c->last_case = cs;
        c->cases++;
        keep_example(c->examples, &c->example_count, cs);
    }
}

typedef struct case_sod {
    who *h;
    tally *k;
    ab_ctx *ctx;
    int rc;
} case_sod;

static void on_sod(uint32_t pair, uint32_t resource, void *payload)
{
    case_sod *s = payload;
    who *h = s->h;
    if (s->rc != AB_OK) {
        return;
    }
    if (AB_GROW(s->ctx, h->sh, h->sh_cap, h->sh_n + 1) != AB_OK) {
        s->rc = AB_ENOMEM;
        return;
    }
    h->sh[h->sh_n].pair = pair;
    h->sh[h->sh_n].resource = resource;
    h->sh_n++;
}

static void on_both(uint32_t pair, uint32_t resource, void *payload)
{
    (void)resource;
    ((case_sod *)payload)->k->pair_both[pair]++;
}

/* SoD entries of a case sorted by (a, b) names. */
typedef struct {
    const ab_log *log;
    const ab__sod_expand *x;
} hit_order;

static int cmp_hit(const void *pa, const void *pb, void *arg)
{
    const hit_order *o = arg;
    const ab_log *log = o->log;
    const ab__sod_expand *x = o->x;
    const sod_hit *a = pa, *b = pb;
    int c =
        strcmp(ab_log_activity_name(log, x->a[a->pair]), ab_log_activity_name(log, x->a[b->pair]));
    return c != 0 ? c
                  : strcmp(ab_log_activity_name(log, x->b[a->pair]),
                           ab_log_activity_name(log, x->b[b->pair]));
}

/*
 * Puts a per-case list in case order. The cases ran in any order: case c's
 * entries start at off[c], lens[3 c + which] of them; afterwards they are
 * [off[c], off[c + 1]) (off has N + 1 entries). A list already in case
 * order (one share) stays as it is.
 */
static int case_order(ab_ctx *ctx, void **list, size_t elem, size_t *cap, uint64_t *off,
                      const uint32_t *lens, int which, uint32_t N)
{
    uint64_t next = 0;
    int ordered = 1;
    for (uint32_t c = 0; c < N; c++) {
        ordered &= off[c] == next;
        next += lens[3 * (size_t)c + which];
    }
    if (ordered) {
        off[N] = next;
        return AB_OK;
    }
    unsigned char *out = ab__malloc(ctx, elem * (next + 1));
    if (out == NULL) {
        return AB_ENOMEM;
    }
    uint64_t at = 0;
    for (uint32_t c = 0; c < N; c++) {
        uint32_t n = lens[3 * (size_t)c + which];
        if (n > 0) {
            memcpy(out + at * elem, (unsigned char *)*list + off[c] * elem, elem * n);
        }
        off[c] = at;
        at += n;
    }
    off[N] = at;
    ab__free(ctx, *list);
    *list = out;
    *cap = next + 1;
    return AB_OK;
}

static int cmp_case(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

/* Sorts a list of cases ascending (most are already: one share). */
static void sort_cases(uint32_t *v, uint64_t n)
{
    for (uint64_t i = 1; i < n; i++) {
        if (v[i - 1] > v[i]) {
            qsort(v, n, sizeof(uint32_t), cmp_case);
            return;
        }
    }
}

static void tally_free(ab_ctx *ctx, tally *k)
{
    for (size_t i = 0; k->ho != NULL && i < k->ho_cap; i++) {
        ab__free(ctx, k->ho[i].list);
    }
    ab__free(ctx, k->tasks);
    ab__free(ctx, k->seen);
    ab__gap_map_finish(&k->seen_map);
    ab__free(ctx, k->seen_count);
    ab__free(ctx, k->matrix);
    ab__gap_map_finish(&k->ho_map);
    ab__gap_map_finish(&k->ctrl_map);
    ab__free(ctx, k->ho);
    ab__free(ctx, k->ctrl);
    ab__free(ctx, k->pair_stats);
    ab__free(ctx, k->pair_both);
    ab__free(ctx, k->rule_cases);
    ab__free(ctx, k->rule_last);
    memset(k, 0, sizeof(*k));
}

static int tally_init(const ab_gap *g, const who *h, int dense, tally *k)
{
    ab_ctx *ctx = g->ctx;
    uint32_t T = h->task_count, R = h->role_count, X = h->sod != NULL ? h->x.count : 0;
    memset(k, 0, sizeof(*k));
    k->tasks = ab__malloc(ctx, sizeof(task) * ((size_t)T + 1));
    k->seen = dense ? ab__calloc(ctx, (size_t)T * R + 1, sizeof(uint64_t)) : NULL;
    k->matrix = ab__calloc(ctx, (size_t)R * R + 1, sizeof(uint64_t));
    k->pair_stats = ab__calloc(ctx, (size_t)X + 1, sizeof(counted));
    k->pair_both = ab__calloc(ctx, (size_t)X + 1, sizeof(uint64_t));
    k->rule_cases = ab__calloc(ctx, (size_t)g->rule_count + 1, sizeof(uint64_t));
    k->rule_last = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)g->rule_count + 1));
    int rc = ab__gap_map_init(&k->seen_map, ctx);
    if (rc == AB_OK) {
        rc = ab__gap_map_init(&k->ho_map, ctx);
    }
    if (rc == AB_OK) {
        rc = ab__gap_map_init(&k->ctrl_map, ctx);
    }
    if (rc != AB_OK || k->tasks == NULL || (dense && k->seen == NULL) || k->matrix == NULL ||
        k->pair_stats == NULL || k->pair_both == NULL || k->rule_cases == NULL ||
        k->rule_last == NULL) {
        tally_free(ctx, k);
        return AB_ENOMEM;
    }
    for (uint32_t t = 0; t < T; t++) {
        task *tk = &k->tasks[t];
        *tk = h->tasks[t];
        tk->instances = tk->events = tk->unknown = tk->with_resource = tk->by_system = 0;
        tk->cases = tk->of = 0;
        tk->example_count = 0;
        tk->last_case = tk->last_of = NONE;
    }
    for (uint32_t x = 0; x < X; x++) {
        k->pair_stats[x].last_case = NONE;
    }
    for (uint32_t r = 0; r < g->rule_count; r++) {
        k->rule_last[r] = NONE;
    }
    return AB_OK;
}

/* Adds src's count of cases, count and examples into dst. */
static void add_counted(counted *dst, const counted *src)
{
    dst->cases += src->cases;
    dst->count += src->count;
    for (uint32_t i = 0; i < src->example_count; i++) {
        keep_example(dst->examples, &dst->example_count, src->examples[i]);
    }
}

/* Adds the entries of a share's map (kind, a, b) into the who's. */
static int add_map(ab_ctx *ctx, ab__gap_map *dm, counted **darr, size_t *dcap,
                   const ab__gap_map *sm, const counted *sarr, int lists)
{
    for (uint32_t i = 0; i < sm->count; i++) {
        uint32_t di;
        int fresh;
        if (ab__gap_map_get(dm, sm->keys[i], &di, &fresh) != AB_OK ||
            grow_counted(ctx, darr, dcap, di) != AB_OK) {
            return AB_ENOMEM;
        }
        counted *d = &(*darr)[di];
        const counted *x = &sarr[i];
        if (lists) {
            if (d->cases == 0 || x->anchor_case < d->anchor_case) {
                d->anchor_act = x->anchor_act;
                d->anchor_case = x->anchor_case;
            }
            /* Over processes, a tally from elsewhere lists nothing. */
            if (x->listed > 0) {
                if (AB_GROW(ctx, d->list, d->list_cap, (size_t)(d->listed + x->listed) + 1) !=
                    AB_OK) {
                    return AB_ENOMEM;
                }
                memcpy(d->list + d->listed, x->list, sizeof(uint32_t) * (size_t)x->listed);
                d->listed += x->listed;
            }
        }
        add_counted(d, x);
    }
    return AB_OK;
}

/* Adds a share's tally into the who; seen_total is the dense table of all
 * shares (NULL: the who's seen map). */
static int add_tally(ab_gap *g, who *h, const tally *k, uint64_t *seen_total)
{
    ab_ctx *ctx = g->ctx;
    uint32_t T = h->task_count, R = h->role_count, X = h->sod != NULL ? h->x.count : 0;
    for (uint32_t t = 0; t < T; t++) {
        task *d = &h->tasks[t];
        const task *x = &k->tasks[t];
        d->instances += x->instances;
        d->events += x->events;
        d->unknown += x->unknown;
        d->with_resource += x->with_resource;
        d->by_system += x->by_system;
        d->cases += x->cases;
        d->of += x->of;
        for (uint32_t i = 0; i < x->example_count; i++) {
            keep_example(d->examples, &d->example_count, x->examples[i]);
        }
    }
    if (seen_total != NULL) {
        for (size_t i = 0; i < (size_t)T * R; i++) {
            seen_total[i] += k->seen[i];
        }
    } else {
        for (uint32_t i = 0; i < k->seen_map.count; i++) {
            uint32_t si;
            int fresh;
            if (ab__gap_map_get(&h->seen_map, k->seen_map.keys[i], &si, &fresh) != AB_OK ||
                AB_GROW(ctx, h->seen_count, h->seen_cap, (size_t)si + 1) != AB_OK) {
                return AB_ENOMEM;
            }
            h->seen_count[si] = (fresh ? 0 : h->seen_count[si]) + k->seen_count[i];
        }
    }
    for (size_t i = 0; i < (size_t)R * R; i++) {
        h->matrix[i] += k->matrix[i];
    }
    if (add_map(ctx, &h->ho_map, &h->ho, &h->ho_cap, &k->ho_map, k->ho, 1) != AB_OK ||
        add_map(ctx, &h->ctrl_map, &h->ctrl, &h->ctrl_cap, &k->ctrl_map, k->ctrl, 0) != AB_OK) {
        return AB_ENOMEM;
    }
    for (uint32_t x = 0; x < X; x++) {
        add_counted(&h->pair_stats[x], &k->pair_stats[x]);
        h->pair_both[x] += k->pair_both[x];
    }
    for (uint32_t r = 0; r < g->rule_count; r++) {
        g->rules[r].cases += k->rule_cases[r];
    }
    h->sod_cases += k->sod_cases;
    h->ev_with_res += k->ev_with_res;
    h->ev_without_res += k->ev_without_res;
    h->ev_without_role += k->ev_without_role;
    h->c_role += k->c_role;
    h->c_ctrl += k->c_ctrl;
    h->c_ho += k->c_ho;
    return AB_OK;
}

/* Scratch of run_share, sized for the longest case. */
typedef struct case_scratch {
    uint32_t *eff, *cact, *cres;
    uint32_t *lens; /* Per case: its entries in rv, sh and hv. */
    ab__sod_work sw;
} case_scratch;

/* The cases of share s, their counters into k and their lists into h. */
static int run_share(ab_gap *g, who *h, tally *k, uint32_t s, case_scratch *w)
{
    ab_ctx *ctx = g->ctx;
    const ab_log *log = g->log;
    const uint32_t *res = ab_log_col_resource(log);
    const uint32_t *act = ab_log_col_activity(log);
    uint32_t R = h->role_count;
    uint32_t *eff = w->eff, *cact = w->cact, *cres = w->cres, *lens = w->lens;
    int rc = AB_OK;
    case_sod cs = {h, k, ctx, AB_OK};
    for (uint32_t at = 0, sn = ab__gap_share_size(g, s); at < sn && rc == AB_OK; at++) {
        /* c indexes this process's cases (events, per-case lists); cg is
         * the whole log's index, which the counts and examples keep. */
        uint32_t c = ab__gap_share_case(g, s, at), cg = ab__gap_case_global(g, c);
        const ab__gap_group *gr = &g->groups[ab__gap_case_group(g, c)];
        const ab_move *mv = gr->v->moves;
        uint32_t n = 0;
        const uint64_t *ev = g->view->case_events(g->view->src, c, &n);
        int any_role = 0, any_ctrl = 0, any_ho = 0;
        h->rv_off[c] = h->rv_n;
        h->sod_off[c] = h->sh_n;
        h->ho_off[c] = h->hv_n;
        for (uint32_t p = 0; p < n && rc == AB_OK; p++) {
            uint64_t e = ev[p];
            uint32_t r = res[e], nr = 0;
            const uint32_t *roles = event_roles(h, g, e, &nr);
            cact[p] = act[e];
            cres[p] = r;
            if (r == NONE) {
                k->ev_without_res++;
            } else {
                k->ev_with_res++;
            }
            if (nr == 0) {
                k->ev_without_role++;
            }
            const ab_move *m = p < gr->v->length ? &mv[gr->pos_move[p]] : NULL;
            uint32_t ti =
                m != NULL && m->kind == AB_MOVE_SYNC ? h->trans_task[m->transition] : NONE;
            uint32_t lane = ti != NONE ? h->tasks[ti].lane_id : NONE;
            eff[p] = nr > 0 ? roles[0] : NONE;
            for (uint32_t q = 0; q < nr; q++) {
                if (role_allowed(h, lane, roles[q])) {
                    eff[p] = roles[q];
                    break;
                }
            }
            if (ti == NONE) {
                continue;
            }
            task *tk = &k->tasks[ti];
            tk->instances++;
            if (tk->last_of != cg) {
                tk->last_of = cg;
                tk->of++;
            }
            if (r != NONE) {
                tk->with_resource++;
                tk->by_system += h->is_system != NULL && h->is_system[r];
            }
            if (r == NONE || nr == 0) {
                tk->unknown++;
                continue;
            }
            if (k->seen != NULL) {
                k->seen[(size_t)ti * R + eff[p]]++;
            } else {
                uint32_t si;
                int fresh;
                if (ab__gap_map_get(&k->seen_map, (ab__gap_key){0, ti, eff[p], 0}, &si, &fresh) !=
                        AB_OK ||
                    AB_GROW(ctx, k->seen_count, k->seen_cap, (size_t)si + 1) != AB_OK) {
                    rc = AB_ENOMEM;
                    break;
                }
                k->seen_count[si] = fresh ? 1 : k->seen_count[si] + 1;
            }
            if (lane == NONE || h->lanes[lane].role_count == 0 || role_allowed(h, lane, eff[p])) {
                continue;
            }
            /* A role violation. */
            tk->events++;
            if (tk->last_case != cg) {
                tk->last_case = cg;
                tk->cases++;
                keep_example(tk->examples, &tk->example_count, cg);
            }
            if (!accepted(g, k, AB__RULE_ROLE, h->task_norm[ti], h->role_norm[eff[p]], cg, 0)) {
                any_role = 1;
                any_ctrl |= tk->control;
            }
            if (AB_GROW(ctx, h->rv, h->rv_cap, h->rv_n + 1) != AB_OK) {
                rc = AB_ENOMEM;
                break;
            }
            h->rv[h->rv_n].pos = p;
            h->rv[h->rv_n].trans = m->transition;
            h->rv[h->rv_n].event = e;
            h->rv_n++;
        }
        if (rc != AB_OK) {
            break;
        }
        /* Hand-offs between consecutive events with an effective role. */
        for (uint32_t p = 1; p < n; p++) {
            uint32_t a = eff[p - 1], b = eff[p];
            if (a == NONE || b == NONE || a == b) {
                continue;
            }
            k->matrix[(size_t)a * R + b]++;
            if (is_documented(h, a, b)) {
                continue;
            }
            uint32_t hi;
            int fresh;
            if (ab__gap_map_get(&k->ho_map, (ab__gap_key){1, a, b, 0}, &hi, &fresh) != AB_OK ||
                grow_counted(ctx, &k->ho, &k->ho_cap, hi) != AB_OK ||
                AB_GROW(ctx, h->hv, h->hv_cap, h->hv_n + 1) != AB_OK) {
                rc = AB_ENOMEM;
                break;
            }
            counted *ho = &k->ho[hi];
            if (ho->cases == 0 || cg < ho->anchor_case) {
                ho->anchor_act = cact[p - 1];
                ho->anchor_case = cg;
            }
            if (ho->last_case != cg) {
                if (AB_GROW(ctx, ho->list, ho->list_cap, (size_t)ho->listed + 1) != AB_OK) {
                    rc = AB_ENOMEM;
                    break;
                }
                ho->list[ho->listed++] = cg;
            }
            count_case(ho, cg);
            ho->count++;
            if (!accepted(g, k, AB__RULE_HANDOFF, h->role_norm[a], h->role_norm[b], cg, 0)) {
                any_ho = 1;
            }
            handoff *hv = &h->hv[h->hv_n++];
            hv->pos = p - 1;
            hv->from_role = a;
            hv->to_role = b;
            hv->from_act = cact[p - 1];
            hv->to_act = cact[p];
        }
        /* Controls' performers who also did another step. */
        for (uint32_t p = 0; p < n && rc == AB_OK; p++) {
            const ab_move *m = p < gr->v->length ? &mv[gr->pos_move[p]] : NULL;
            uint32_t ti =
                m != NULL && m->kind == AB_MOVE_SYNC ? h->trans_task[m->transition] : NONE;
            if (ti == NONE || !h->tasks[ti].control || cres[p] == NONE) {
                continue;
            }
            for (uint32_t q = 0; q < n; q++) {
                if (q == p || cres[q] != cres[p] || cact[q] == cact[p]) {
                    continue;
                }
                uint32_t ci;
                int fresh;
                if (ab__gap_map_get(&k->ctrl_map, (ab__gap_key){2, ti, cact[q], 0}, &ci, &fresh) !=
                        AB_OK ||
                    grow_counted(ctx, &k->ctrl, &k->ctrl_cap, ci) != AB_OK) {
                    rc = AB_ENOMEM;
                    break;
                }
                count_case(&k->ctrl[ci], cg);
            }
        }
        /* Segregation of duties. */
        if (h->sod != NULL && rc == AB_OK) {
            size_t before = h->sh_n;
            rc = ab__sod_case(&h->x, log, cact, cres, n, &w->sw, on_sod, on_both, &cs);
            rc = rc == AB_OK ? cs.rc : rc;
            int any_sod = 0;
            for (size_t q = before; q < h->sh_n; q++) {
                any_sod |= !accepted(g, k, AB__RULE_SOD, g->act_norm[h->x.a[h->sh[q].pair]],
                                     g->act_norm[h->x.b[h->sh[q].pair]], cg, 1);
            }
            k->sod_cases += any_sod;
            if (h->sh_n > before) {
                hit_order ho = {log, &h->x};
                ab__sort_r(h->sh + before, h->sh_n - before, sizeof(sod_hit), cmp_hit, &ho);
                for (size_t q = before; q < h->sh_n; q++) {
                    count_case(&k->pair_stats[h->sh[q].pair], cg);
                    k->pair_stats[h->sh[q].pair].count++;
                }
            }
        }
        k->c_role += any_role;
        k->c_ctrl += any_ctrl;
        k->c_ho += any_ho;
        lens[3 * (size_t)c] = (uint32_t)(h->rv_n - h->rv_off[c]);
        lens[3 * (size_t)c + 1] = (uint32_t)(h->sh_n - h->sod_off[c]);
        lens[3 * (size_t)c + 2] = (uint32_t)(h->hv_n - h->ho_off[c]);
    }
    return rc;
}

/* ---- Over processes: every process's tally ---- */

/* A hand-off's case list stays with the process whose cases it lists
 * (add_own_lists): what travels is its counts, examples and anchor. */
static void put_counted(ab__wbytes *w, const counted *c)
{
    ab__put_u64(w, c->cases);
    ab__put_u64(w, c->count);
    ab__put_u32(w, c->example_count);
    ab__put(w, c->examples, sizeof(c->examples));
    ab__put_u32(w, c->anchor_act);
    ab__put_u32(w, c->anchor_case);
}

static int get_counted(ab__rbytes *r, counted *c)
{
    c->cases = ab__get_u64(r);
    c->count = ab__get_u64(r);
    c->example_count = ab__get_u32(r);
    ab__get(r, c->examples, sizeof(c->examples));
    c->anchor_act = ab__get_u32(r);
    c->anchor_case = ab__get_u32(r);
    if (r->bad || c->example_count > 3) {
        r->bad = 1;
        return AB_EINVAL;
    }
    return AB_OK;
}

/* A map of counted entries: its keys and entries. */
static void put_map(ab__wbytes *w, const ab__gap_map *m, const counted *arr)
{
    ab__put_u32(w, m->count);
    for (uint32_t i = 0; i < m->count; i++) {
        ab__put(w, &m->keys[i], sizeof(ab__gap_key));
        put_counted(w, &arr[i]);
    }
}

static int get_map(ab__rbytes *r, ab_ctx *ctx, ab__gap_map *m, counted **arr, size_t *cap)
{
    uint32_t n = ab__get_u32(r);
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        ab__gap_key key;
        uint32_t at;
        int fresh;
        ab__get(r, &key, sizeof(key));
        if (r->bad || ab__gap_map_get(m, key, &at, &fresh) != AB_OK ||
            grow_counted(ctx, arr, cap, at) != AB_OK) {
            return r->bad ? AB_EINVAL : AB_ENOMEM;
        }
        int rc = get_counted(r, &(*arr)[at]);
        if (rc != AB_OK) {
            return rc;
        }
    }
    return r->bad ? AB_EINVAL : AB_OK;
}

/* A tally as bytes, in the order get_tally reads them. */
static int put_tally(const ab_gap *g, const who *h, const tally *k, ab_buf *out)
{
    uint32_t T = h->task_count, R = h->role_count, X = h->sod != NULL ? h->x.count : 0;
    ab__wbytes w = {out, g->ctx, AB_OK};
    for (uint32_t t = 0; t < T; t++) {
        const task *x = &k->tasks[t];
        uint64_t v[7] = {x->instances, x->events, x->unknown, x->with_resource,
                         x->by_system, x->cases,  x->of};
        ab__put(&w, v, sizeof(v));
        ab__put_u32(&w, x->example_count);
        ab__put(&w, x->examples, sizeof(x->examples));
    }
    if (k->seen != NULL) {
        ab__put(&w, k->seen, sizeof(uint64_t) * (size_t)T * R);
    } else {
        ab__put_u32(&w, k->seen_map.count);
        for (uint32_t i = 0; i < k->seen_map.count; i++) {
            ab__put(&w, &k->seen_map.keys[i], sizeof(ab__gap_key));
            ab__put_u64(&w, k->seen_count[i]);
        }
    }
    ab__put(&w, k->matrix, sizeof(uint64_t) * (size_t)R * R);
    put_map(&w, &k->ho_map, k->ho);
    put_map(&w, &k->ctrl_map, k->ctrl);
    for (uint32_t x = 0; x < X; x++) {
        put_counted(&w, &k->pair_stats[x]);
    }
    ab__put(&w, k->pair_both, sizeof(uint64_t) * X);
    ab__put(&w, k->rule_cases, sizeof(uint64_t) * g->rule_count);
    uint64_t v[7] = {k->sod_cases, k->ev_with_res, k->ev_without_res, k->ev_without_role, k->c_role,
                     k->c_ctrl,    k->c_ho};
    ab__put(&w, v, sizeof(v));
    return w.rc;
}

/* Reads a tally put_tally wrote into k (fresh from tally_init). */
static int get_tally(const ab_gap *g, const who *h, tally *k, const void *p, size_t len)
{
    ab_ctx *ctx = g->ctx;
    uint32_t T = h->task_count, R = h->role_count, X = h->sod != NULL ? h->x.count : 0;
    ab__rbytes r = {p, len, 0, 0};
    for (uint32_t t = 0; t < T; t++) {
        task *x = &k->tasks[t];
        uint64_t v[7];
        ab__get(&r, v, sizeof(v));
        x->instances = v[0];
        x->events = v[1];
        x->unknown = v[2];
        x->with_resource = v[3];
        x->by_system = v[4];
        x->cases = v[5];
        x->of = v[6];
        x->example_count = ab__get_u32(&r);
        ab__get(&r, x->examples, sizeof(x->examples));
        r.bad |= x->example_count > 3;
    }
    if (k->seen != NULL) {
        ab__get(&r, k->seen, sizeof(uint64_t) * (size_t)T * R);
    } else {
        uint32_t n = ab__get_u32(&r);
        for (uint32_t i = 0; i < n && !r.bad; i++) {
            ab__gap_key key;
            uint32_t at;
            int fresh;
            ab__get(&r, &key, sizeof(key));
            if (ab__gap_map_get(&k->seen_map, key, &at, &fresh) != AB_OK ||
                AB_GROW(ctx, k->seen_count, k->seen_cap, (size_t)at + 1) != AB_OK) {
                return AB_ENOMEM;
            }
            k->seen_count[at] = ab__get_u64(&r);
        }
    }
    ab__get(&r, k->matrix, sizeof(uint64_t) * (size_t)R * R);
    int rc = get_map(&r, ctx, &k->ho_map, &k->ho, &k->ho_cap);
    if (rc == AB_OK) {
        rc = get_map(&r, ctx, &k->ctrl_map, &k->ctrl, &k->ctrl_cap);
    }
    for (uint32_t x = 0; x < X && rc == AB_OK; x++) {
        rc = get_counted(&r, &k->pair_stats[x]);
    }
    ab__get(&r, k->pair_both, sizeof(uint64_t) * X);
    ab__get(&r, k->rule_cases, sizeof(uint64_t) * g->rule_count);
    uint64_t v[7];
    ab__get(&r, v, sizeof(v));
    k->sod_cases = v[0];
    k->ev_with_res = v[1];
    k->ev_without_res = v[2];
    k->ev_without_role = v[3];
    k->c_role = v[4];
    k->c_ctrl = v[5];
    k->c_ho = v[6];
    if (rc == AB_OK && (r.bad || r.off != r.len)) {
        rc = AB_EINVAL;
    }
    return rc;
}

/* The hand-offs' case lists of this process's tally k, into the who's
 * (over processes, each keeps the cases it holds). */
static int add_own_lists(ab_ctx *ctx, who *h, const tally *k)
{
    for (uint32_t i = 0; i < k->ho_map.count; i++) {
        uint32_t di;
        int fresh;
        if (ab__gap_map_get(&h->ho_map, k->ho_map.keys[i], &di, &fresh) != AB_OK) {
            return AB_ENOMEM;
        }
        counted *d = &h->ho[di];
        const counted *x = &k->ho[i];
        if (x->listed == 0) {
            continue;
        }
        if (AB_GROW(ctx, d->list, d->list_cap, (size_t)(d->listed + x->listed) + 1) != AB_OK) {
            return AB_ENOMEM;
        }
        memcpy(d->list + d->listed, x->list, sizeof(uint32_t) * (size_t)x->listed);
        d->listed += x->listed;
    }
    return AB_OK;
}

/* Adds every process's tally (this one's is k) into the who, in the
 * exchange's order: the same sums on every process. */
static int add_tallies(ab_gap *g, who *h, const tally *k, int dense, uint64_t *seen_total)
{
    ab_buf mine = AB_BUF_INIT;
    void **all = NULL;
    size_t *lens = NULL;
    uint32_t n = 0;
    int rc = put_tally(g, h, k, &mine);
    if (rc == AB_OK) {
        rc = g->parts.exchange(g->parts.payload, mine.ptr, mine.len, &all, &lens, &n);
    }
    ab_buf_dispose(&mine);
    for (uint32_t i = 0; i < n && rc == AB_OK; i++) {
        tally x;
        rc = tally_init(g, h, dense, &x);
        if (rc == AB_OK) {
            rc = get_tally(g, h, &x, all[i], lens[i]);
        }
        if (rc == AB_OK) {
            rc = add_tally(g, h, &x, seen_total);
        }
        tally_free(g->ctx, &x);
    }
    ab__gap_exchange_free(all, lens, n);
    return rc == AB_OK ? add_own_lists(g->ctx, h, k) : rc;
}

/*
 * Runs the cases share by share, as they would run where they are: each
 * share adds up its own tally, which is then added into the who; nothing
 * depends on the order the cases are met (every count is a sum, every
 * example among the smallest cases) and each case's lists are put in case
 * order at the end.
 */
static int run_cases(ab_gap *g, who *h)
{
    ab_ctx *ctx = g->ctx;
    const ab_log *log = g->log;
    /* This process's cases (every case, unless a driver holds the others). */
    uint32_t N = ab__gap_cases_here(g) ? g->case_count : ab_log_case_count(log);
    uint32_t R = h->role_count, maxlen = 0;
    for (uint32_t c = 0; c < N; c++) {
        uint32_t n = 0;
        g->view->case_events(g->view->src, c, &n);
        maxlen = n > maxlen ? n : maxlen;
    }
    case_scratch w = {NULL, NULL, NULL, NULL, {ctx, NULL, NULL, 0, 0}};
    w.eff = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)maxlen + 1));
    w.cact = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)maxlen + 1));
    w.cres = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)maxlen + 1));
    w.lens = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)N * 3 + 1));
    /* Roles seen per task: a dense table when it is small, else the map. */
    uint64_t *seen = NULL;
    int dense = (uint64_t)h->task_count * R <= ((uint64_t)1 << 22);
    if (dense) {
        seen = ab__calloc(ctx, (size_t)h->task_count * R + 1, sizeof(uint64_t));
    }
    h->rv_off = ab__calloc(ctx, (size_t)N + 1, sizeof(uint64_t));
    h->sod_off = ab__calloc(ctx, (size_t)N + 1, sizeof(uint64_t));
    h->ho_off = ab__calloc(ctx, (size_t)N + 1, sizeof(uint64_t));
    h->matrix = ab__calloc(ctx, (size_t)R * R + 1, sizeof(uint64_t));
    tally k;
    memset(&k, 0, sizeof(k));
    int rc = AB_OK;
    if (h->system_resources != NULL) {
        uint32_t nr = ab_log_resource_count(log);
        h->is_system = ab__calloc(ctx, (size_t)nr + 1, 1);
        if (h->is_system == NULL) {
            rc = AB_ENOMEM;
            goto done;
        }
        for (uint32_t r = 0; r < nr; r++) {
            h->is_system[r] =
                (uint8_t)ab__who_glob_list(h->system_resources, ab_log_resource_name(log, r));
        }
    }
    if (w.eff == NULL || w.cact == NULL || w.cres == NULL || w.lens == NULL || h->rv_off == NULL ||
        h->sod_off == NULL || h->ho_off == NULL || h->matrix == NULL || (dense && seen == NULL)) {
        rc = AB_ENOMEM;
        goto done;
    }
    for (uint32_t s = 0, S = ab__gap_share_count(g); s < S && rc == AB_OK; s++) {
        rc = tally_init(g, h, dense, &k);
        if (rc == AB_OK) {
            rc = run_share(g, h, &k, s, &w);
        }
        if (rc == AB_OK) {
            rc = ab__gap_cases_here(g) ? add_tally(g, h, &k, seen)
                                       : add_tallies(g, h, &k, dense, seen);
        }
        tally_free(ctx, &k);
    }
    if (rc == AB_OK) {
        rc = case_order(ctx, (void **)&h->rv, sizeof(role_viol), &h->rv_cap, h->rv_off, w.lens, 0,
                        N);
    }
    if (rc == AB_OK) {
        rc =
            case_order(ctx, (void **)&h->sh, sizeof(sod_hit), &h->sh_cap, h->sod_off, w.lens, 1, N);
    }
    if (rc == AB_OK) {
        rc = case_order(ctx, (void **)&h->hv, sizeof(handoff), &h->hv_cap, h->ho_off, w.lens, 2, N);
    }
    /* A hand-off's cases, ascending. */
    for (uint32_t i = 0; rc == AB_OK && i < h->ho_map.count; i++) {
        sort_cases(h->ho[i].list, h->ho[i].listed);
    }
    for (uint32_t t = 0; seen != NULL && rc == AB_OK && t < h->task_count; t++) {
        for (uint32_t r = 0; r < R && rc == AB_OK; r++) {
            uint64_t n = seen[(size_t)t * R + r];
            uint32_t si;
            int fresh;
            if (n == 0) {
                continue;
            }
            if (ab__gap_map_get(&h->seen_map, (ab__gap_key){0, t, r, 0}, &si, &fresh) != AB_OK ||
                AB_GROW(ctx, h->seen_count, h->seen_cap, (size_t)si + 1) != AB_OK) {
                rc = AB_ENOMEM;
                break;
            }
            h->seen_count[si] = n;
        }
    }
done:
    ab__free(ctx, seen);
    ab__free(ctx, w.lens);
    ab__free(ctx, w.eff);
    ab__free(ctx, w.cact);
    ab__free(ctx, w.cres);
    ab__sod_work_finish(&w.sw);
    return rc;
}

/* ---- Time impact of undocumented hand-offs ---- */

/*
 * The spec's rules with the from-role's last step as anchor: the stratum is
 * the closed cases containing that step's activity (the anchor of the
 * hand-off's first case in case order); the baseline its conforming cases
 * without the hand-off, else all its cases without it, each with at least
 * min_group cases; the deviating cases are the closed cases with the
 * hand-off in the stratum. Cycle times as everywhere in the report, and
 * closed as everywhere: every case by default, the possibly open ones left
 * out (their groups) only under --open-cases exclude.
 */
/* Whether conformance variant v contains activity a (its sorted activities). */
static int variant_has(const ab_gap *g, uint32_t v, uint32_t a)
{
    const uint32_t *acts = g->variant_acts[v];
    uint32_t lo = 0, hi = g->variant_act_count[v], n = hi;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (acts[mid] < a) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && acts[lo] == a;
}

static int cmp_anchor(const void *pa, const void *pb, void *arg)
{
    const who *h = arg;
    uint32_t a = h->ho[*(const uint32_t *)pa].anchor_act;
    uint32_t b = h->ho[*(const uint32_t *)pb].anchor_act;
    return a < b ? -1 : a > b;
}

/* Sorted multiset difference: y = cand minus rm (rm sorted, a sub-multiset). */
static uint32_t sorted_minus(const int64_t *cand, uint32_t n, const int64_t *rm, uint32_t r,
                             int64_t *y)
{
    uint32_t q = 0, m = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (q < r && rm[q] == cand[i]) {
            q++;
        } else {
            y[m++] = cand[i];
        }
    }
    return m;
}

/* One thread's work space for hand-off time impacts. */
typedef struct ho_work {
    const ab_gap *g;
    const who *h;
    const uint32_t *ord; /* Hand-offs by anchor. */
    uint32_t lo, hi;     /* This thread's share of ord. */
    int64_t *x, *y, *rm, *tmp, *cand_all, *cand_conf;
    uint8_t *in_all, *in_conf; /* Per group: in the stratum (closed, its variant has the
                                  current anchor), and conforming too. */
    ab__gap_sel sel;
    int ok;
    int rc; /* The first failure of the shares' cts. */
} ho_work;

/* A hand-off's sizes: n of its cases in the stratum, mc of the stratum's
 * conforming cases without it, mw of all its cases without it. Sets what
 * the report says of them; 1 when the time impact is measured. */
static int ho_sizes(ab_gap_time *t, uint64_t n, uint64_t mc, uint64_t mw, uint32_t min_group)
{
    int use_conf = mc >= min_group;
    t->local.status = AB_GAP_TIME_NOT_APPLICABLE;
    t->n_deviating = (uint32_t)n;
    t->n_stratum_conforming = (uint32_t)mc;
    t->n_stratum_without = (uint32_t)mw;
    t->n_baseline_conforming = (uint32_t)mc;
    t->baseline_kind = use_conf ? AB_GAP_BASELINE_CONFORMING : AB_GAP_BASELINE_WITHOUT;
    t->n_baseline = (uint32_t)(use_conf ? mc : mw);
    t->status = n < min_group               ? AB_GAP_TIME_TOO_FEW
                : t->n_baseline < min_group ? AB_GAP_TIME_NO_BASELINE
                                            : AB_GAP_TIME_OK;
    return t->status == AB_GAP_TIME_OK;
}

/* The stratum of an anchor: per group, closed with the anchor in its
 * variant (in_all), and conforming too (in_conf); with only_here, of the
 * groups with cases in this process alone. */
static void ho_stratum(const ab_gap *g, uint32_t anchor, int only_here, uint8_t *in_all,
                       uint8_t *in_conf)
{
    for (uint32_t gi = 0; gi < g->group_count; gi++) {
        const ab__gap_group *gr = &g->groups[gi];
        in_all[gi] =
            !gr->open && (!only_here || gr->here > 0) && variant_has(g, gr->variant, anchor);
        in_conf[gi] = in_all[gi] && !gr->deviating;
    }
}

static void ho_job(ho_work *w, uint32_t i, uint32_t *cached, uint32_t *n_all, uint32_t *n_conf)
{
    const ab_gap *g = w->g;
    const who *h = w->h;
    uint32_t min_group = g->opts.min_group;
    ab_gap_time *t = &h->ho_time[i];
    const counted *ho = &h->ho[i];
    uint32_t anchor = ho->anchor_act;
    if (t->status == AB_GAP_TIME_BELOW_SUPPORT) {
        return;
    }
    if (anchor != *cached) {
        /* The stratum: closed cases with a cycle time containing the anchor,
         * from the shares, sorted once for the hand-offs of this anchor. */
        ho_stratum(g, anchor, 0, w->in_all, w->in_conf);
        *n_all = *n_conf = 0;
        const ab__gap_parts *P = &g->parts;
        int rc = P->cts(P->payload, w->in_all, w->cand_all, n_all);
        if (rc == AB_OK) {
            rc = P->cts(P->payload, w->in_conf, w->cand_conf, n_conf);
        }
        if (rc != AB_OK) {
            w->rc = w->rc != AB_OK ? w->rc : rc;
            *cached = NONE;
            t->status = AB_GAP_TIME_TOO_FEW;
            return;
        }
        ab__sort_i64(w->cand_all, *n_all, w->tmp);
        ab__sort_i64(w->cand_conf, *n_conf, w->tmp);
        *cached = anchor;
    }
    /* The cases with the hand-off in the stratum, and those of them that
     * conform (they leave the conforming candidates). */
    uint32_t n = 0, r = 0;
    const ab__gap_parts *P = &g->parts;
    int rc = P->list_cts(P->payload, ho->list, ho->listed, w->in_all, w->x, &n);
    if (rc == AB_OK) {
        rc = P->list_cts(P->payload, ho->list, ho->listed, w->in_conf, w->rm, &r);
    }
    if (rc != AB_OK) {
        w->rc = w->rc != AB_OK ? w->rc : rc;
        t->status = AB_GAP_TIME_TOO_FEW;
        return;
    }
    if (!ho_sizes(t, n, *n_conf - r, *n_all - n, min_group)) {
        return;
    }
    ab__sort_i64(w->x, n, w->tmp);
    uint32_t m;
    if (t->baseline_kind == AB_GAP_BASELINE_CONFORMING) {
        ab__sort_i64(w->rm, r, w->tmp);
        m = sorted_minus(w->cand_conf, *n_conf, w->rm, r, w->y);
    } else {
        m = sorted_minus(w->cand_all, *n_all, w->x, n, w->y);
    }
    t->status = AB_GAP_TIME_OK;
    ab__gap_shift sh;
    ab__gap_shift_ci(w->x, n, w->y, m, &w->sel, &sh);
    ab__gap_time_figures(t, ab__gap_median_sorted(w->x, n), ab__gap_median_sorted(w->y, m), &sh);
}

static void *ho_thread(void *arg)
{
    ho_work *w = arg;
    uint32_t cached = NONE, n_all = 0, n_conf = 0;
    for (uint32_t k = w->lo; k < w->hi; k++) {
        ho_job(w, w->ord[k], &cached, &n_all, &n_conf);
    }
    return NULL;
}

/* The baselines in words, on the calling thread (the arena is not shared). */
static int ho_words(ab_gap *g, who *h)
{
    for (uint32_t i = 0; i < h->ho_map.count; i++) {
        ab_gap_time *t = &h->ho_time[i];
        if (t->status == AB_GAP_TIME_BELOW_SUPPORT) {
            continue;
        }
        int conf = t->baseline_kind == AB_GAP_BASELINE_CONFORMING;
        char buf[1024];
        snprintf(buf, sizeof(buf), "closed %scases containing %s%s", conf ? "conforming " : "",
                 ab_log_activity_name(g->log, h->ho[i].anchor_act),
                 conf ? "" : " without this hand-off");
        t->stratum = ab__arena_strndup(&g->arena, buf, strlen(buf));
        if (t->stratum == NULL) {
            return AB_ENOMEM;
        }
    }
    return AB_OK;
}

/* Over processes: this process's cases in the stratum of an anchor (closed,
 * with a cycle time, the anchor in their variant), ascending, each with its
 * cycle time and whether its group conforms. */
typedef struct ho_here {
    uint32_t anchor; /* NONE: not yet made. */
    uint32_t n, conforming;
    uint32_t *c;
    int64_t *ct;
    uint8_t *conf;
    uint8_t *listed; /* Per position: listed by the hand-off at hand. */
} ho_here;

static void ho_here_make(const ab_gap *g, ho_here *s, uint32_t anchor, uint8_t *in_all,
                         uint8_t *in_conf)
{
    if (s->anchor == anchor) {
        return;
    }
    const ab__gap_parts *P = &g->parts;
    uint32_t N = ab_log_case_count(g->log), G = g->group_count;
    ho_stratum(g, anchor, 1, in_all, in_conf);
    s->n = s->conforming = 0;
    for (uint32_t c = 0; c < N; c++) {
        uint32_t gi = P->case_group(P->payload, c);
        int64_t ct = gi < G && in_all[gi] ? P->case_ct(P->payload, c) : INT64_MIN;
        if (ct != INT64_MIN) {
            s->c[s->n] = c;
            s->ct[s->n] = ct;
            s->conf[s->n] = in_conf[gi];
            s->conforming += in_conf[gi];
            s->n++;
        }
    }
    s->anchor = anchor;
}

/* Marks (on: 1, off: 0) the stratum's cases that hand-off ho lists (its
 * list holds this process's cases alone, by index in the whole log, as the
 * stratum's are ascending); the number marked, and *conf of them conforming. */
static uint64_t ho_here_mark(const ab_gap *g, ho_here *s, const counted *ho, uint8_t on,
                             uint64_t *conf)
{
    uint64_t n = 0;
    *conf = 0;
    uint32_t lo = 0;
    for (uint64_t q = 0; q < ho->listed; q++) {
        uint32_t hi = s->n;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (ab__gap_case_global(g, s->c[mid]) < ho->list[q]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < s->n && ab__gap_case_global(g, s->c[lo]) == ho->list[q]) {
            s->listed[lo] = on;
            n++;
            *conf += s->conf[lo];
        }
    }
    return n;
}

/* What the counts of a hand-off take of this process's cases. */
enum { HO_N, HO_R, HO_ALL, HO_CONF, HO_WORDS };

/*
 * The same time impacts where the cases are in other processes (parts with
 * alltoall): each process counts its own cases of every hand-off and of its
 * stratum, the counts are summed, and each measured hand-off is measured by
 * all processes together (ab__gap_dist_measure), one after the other, each
 * taking its own cases' cycle times. No process holds more than its cases'.
 * A stratum's cases are found once for the hand-offs of its anchor (they
 * are sorted by anchor); a hand-off then walks its own cases, and the
 * stratum's when it is measured.
 */
static int handoff_times_spread(ab_gap *g, who *h, const uint32_t *ord, uint32_t H)
{
    ab_ctx *ctx = g->ctx;
    const ab__gap_parts *P = &g->parts;
    uint32_t N = ab_log_case_count(g->log), G = g->group_count, min_group = g->opts.min_group;
    uint8_t *in_all = ab__malloc(ctx, (size_t)G + 1), *in_conf = ab__malloc(ctx, (size_t)G + 1);
    ho_here s = {NONE, 0, 0, NULL, NULL, NULL, NULL};
    s.c = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)N + 1));
    s.ct = ab__malloc(ctx, sizeof(int64_t) * ((size_t)N + 1));
    s.conf = ab__malloc(ctx, (size_t)N + 1);
    s.listed = ab__calloc(ctx, (size_t)N + 1, 1);
    int64_t *x = ab__malloc(ctx, sizeof(int64_t) * ((size_t)N + 1));
    int64_t *y = ab__malloc(ctx, sizeof(int64_t) * ((size_t)N + 1));
    size_t words = 1 + (size_t)HO_WORDS * H;
    uint64_t *mine = ab__calloc(ctx, words, sizeof(uint64_t));
    uint64_t *sum = ab__calloc(ctx, words, sizeof(uint64_t));
    int rc = in_all == NULL || in_conf == NULL || s.c == NULL || s.ct == NULL || s.conf == NULL ||
                     s.listed == NULL || x == NULL || y == NULL || mine == NULL || sum == NULL
                 ? AB_ENOMEM
                 : AB_OK;
    /* This process's counts; the first word says whether it could. */
    for (uint32_t k = 0; rc == AB_OK && k < H; k++) {
        uint32_t i = ord[k];
        const counted *ho = &h->ho[i];
        if (h->ho_time[i].status == AB_GAP_TIME_BELOW_SUPPORT) {
            continue;
        }
        ho_here_make(g, &s, ho->anchor_act, in_all, in_conf);
        uint64_t *v = mine + 1 + (size_t)HO_WORDS * i;
        v[HO_ALL] = s.n;
        v[HO_CONF] = s.conforming;
        v[HO_N] = ho_here_mark(g, &s, ho, 0, &v[HO_R]);
    }
    if (mine != NULL) {
        mine[0] = rc != AB_OK;
    }
    void **all = NULL;
    size_t *lens = NULL;
    uint32_t count = 0;
    int xrc =
        P->exchange(P->payload, mine != NULL ? (const void *)mine : (const void *)&rc,
                    mine != NULL ? sizeof(uint64_t) * words : sizeof(rc), &all, &lens, &count);
    for (uint32_t q = 0; xrc == AB_OK && q < count; q++) {
        if (lens[q] != sizeof(uint64_t) * words || ((const uint64_t *)all[q])[0] != 0) {
            xrc = AB_ENOMEM; /* That process ran out of memory (it said so, or sent less). */
            break;
        }
        for (size_t j = 1; sum != NULL && j < words; j++) {
            sum[j] += ((const uint64_t *)all[q])[j];
        }
    }
    ab__gap_exchange_free(all, lens, count);
    rc = rc != AB_OK ? rc : xrc;
    /* Each measured hand-off, by all processes together. */
    for (uint32_t k = 0; rc == AB_OK && k < H; k++) {
        uint32_t i = ord[k];
        const counted *ho = &h->ho[i];
        ab_gap_time *t = &h->ho_time[i];
        if (t->status == AB_GAP_TIME_BELOW_SUPPORT) {
            continue;
        }
        const uint64_t *v = sum + 1 + (size_t)HO_WORDS * i;
        if (!ho_sizes(t, v[HO_N], v[HO_CONF] - v[HO_R], v[HO_ALL] - v[HO_N], min_group)) {
            continue;
        }
        ho_here_make(g, &s, ho->anchor_act, in_all, in_conf);
        int conf_only = t->baseline_kind == AB_GAP_BASELINE_CONFORMING;
        uint32_t nx = 0, ny = 0;
        uint64_t r;
        ho_here_mark(g, &s, ho, 1, &r);
        for (uint32_t q = 0; q < s.n; q++) {
            if (s.listed[q]) {
                x[nx++] = s.ct[q];
            } else if (!conf_only || s.conf[q]) {
                y[ny++] = s.ct[q];
            }
        }
        ho_here_mark(g, &s, ho, 0, &r);
        ab__gap_dist d;
        rc = ab__gap_dist_measure(P, ctx, x, nx, y, ny, 0, 0, &d);
        if (rc == AB_OK) {
            ab__gap_time_figures(t, d.median_x, d.median_y, &d.shift);
        }
    }
    ab__free(ctx, in_all);
    ab__free(ctx, in_conf);
    ab__free(ctx, s.c);
    ab__free(ctx, s.ct);
    ab__free(ctx, s.conf);
    ab__free(ctx, s.listed);
    ab__free(ctx, x);
    ab__free(ctx, y);
    ab__free(ctx, mine);
    ab__free(ctx, sum);
    return rc;
}

/*
 * The time impacts of the undocumented hand-offs, on up to opts.threads
 * threads: hand-offs sorted by anchor, each thread a contiguous share (so
 * that it sorts a stratum's candidates once for the hand-offs that share
 * it). A hand-off's result depends on its samples only: the report does not
 * depend on the thread count.
 */
static int handoff_times(ab_gap *g, who *h)
{
    ab_ctx *ctx = g->ctx;
    uint32_t H = h->ho_map.count;
    if (H == 0) {
        return AB_OK;
    }
    h->ho_time = ab__calloc(ctx, H, sizeof(ab_gap_time));
    uint32_t *ord = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)H + 1));
    if (h->ho_time == NULL || ord == NULL) {
        ab__free(ctx, ord);
        return AB_ENOMEM;
    }
    int timed = g->hdr.has_timestamps;
    for (uint32_t i = 0; i < H; i++) {
        ord[i] = i;
        /* As the other findings: below the minimum support, not measured. */
        h->ho_time[i].status = !timed                            ? AB_GAP_TIME_NO_TIMESTAMPS
                               : h->ho[i].cases < g->min_support ? AB_GAP_TIME_BELOW_SUPPORT
                                                                 : AB_GAP_TIME_TOO_FEW;
        h->ho_time[i].local.status = AB_GAP_TIME_NOT_APPLICABLE;
    }
    if (!timed) {
        ab__free(ctx, ord);
        return AB_OK;
    }
    ab__sort_r(ord, H, sizeof(uint32_t), cmp_anchor, h);
    if (!ab__gap_cases_here(g) && g->parts.alltoall != NULL) {
        int rc = handoff_times_spread(g, h, ord, H);
        if (rc == AB_OK) {
            rc = ho_words(g, h);
        }
        ab__free(ctx, ord);
        return rc;
    }
    /* Parts that are collectives take their calls from one thread. */
    unsigned T = g->opts.threads > 1 && ab__gap_cases_here(g) ? g->opts.threads : 1;
    T = T > H ? H : T;
    T = T > 16 ? 16 : T;
    ho_work w[16];
    memset(w, 0, sizeof(w));
    int rc = AB_OK;
    /* The closed cases with a cycle time (valid per group, from the
     * shares): no stratum holds more. */
    uint32_t *valid = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)g->group_count + 1));
    size_t sn = 0;
    if (valid == NULL) {
        rc = AB_ENOMEM;
    } else if ((rc = ab__gap_parts_valid(g, valid)) == AB_OK) {
        for (uint32_t gi = 0; gi < g->group_count; gi++) {
            sn += valid[gi];
        }
    }
    ab__free(ctx, valid);
    /* A thread's samples: a hand-off's cases (at most the most frequent
     * measured one's), a stratum of closed cases with a cycle time (at
     * most sn): sized by those, not by the cases of the log, since every
     * thread holds its own. */
    size_t n_max = 0;
    for (uint32_t i = 0; i < H; i++) {
        if (h->ho_time[i].status != AB_GAP_TIME_BELOW_SUPPORT && h->ho[i].cases > n_max) {
            n_max = (size_t)h->ho[i].cases;
        }
    }
    for (unsigned k = 0; k < T; k++) {
        ho_work *x = &w[k];
        x->g = g;
        x->h = h;
        x->ord = ord;
        x->lo = (uint32_t)((uint64_t)H * k / T);
        x->hi = (uint32_t)((uint64_t)H * (k + 1) / T);
        x->x = ab__malloc(ctx, sizeof(int64_t) * (n_max + 1));
        x->y = ab__malloc(ctx, sizeof(int64_t) * (sn + 1));
        x->rm = ab__malloc(ctx, sizeof(int64_t) * (n_max + 1));
        x->tmp = ab__malloc(ctx, sizeof(int64_t) * ((n_max > sn ? n_max : sn) + 1));
        x->cand_all = ab__malloc(ctx, sizeof(int64_t) * (sn + 1));
        x->cand_conf = ab__malloc(ctx, sizeof(int64_t) * (sn + 1));
        x->in_all = ab__malloc(ctx, (size_t)g->group_count + 1);
        x->in_conf = ab__malloc(ctx, (size_t)g->group_count + 1);
        x->ok = x->in_all != NULL && x->in_conf != NULL && x->x != NULL && x->y != NULL &&
                x->rm != NULL && x->tmp != NULL && x->cand_all != NULL && x->cand_conf != NULL &&
                ab__gap_sel_init(&x->sel, ctx, n_max, sn) == AB_OK;
        if (!x->ok) {
            rc = AB_ENOMEM;
        }
    }
    if (rc == AB_OK) {
        pthread_t tid[16];
        unsigned started = 1;
        for (unsigned k = 1; k < T; k++) {
            if (pthread_create(&tid[k], NULL, ho_thread, &w[k]) != 0) {
                break;
            }
            started = k + 1;
        }
        ho_thread(&w[0]);
        /* Shares of threads that could not start run here. */
        for (unsigned k = started; k < T; k++) {
            ho_thread(&w[k]);
        }
        for (unsigned k = 1; k < started; k++) {
            pthread_join(tid[k], NULL);
        }
        for (unsigned k = 0; k < T && rc == AB_OK; k++) {
            rc = w[k].rc;
        }
        if (rc == AB_OK) {
            rc = ho_words(g, h);
        }
    }
    for (unsigned k = 0; k < T; k++) {
        ab__free(ctx, w[k].x);
        ab__free(ctx, w[k].y);
        ab__free(ctx, w[k].rm);
        ab__free(ctx, w[k].tmp);
        ab__free(ctx, w[k].cand_all);
        ab__free(ctx, w[k].cand_conf);
        ab__free(ctx, w[k].in_all);
        ab__free(ctx, w[k].in_conf);
        ab__gap_sel_finish(&w[k].sel, ctx);
    }
    ab__free(ctx, ord);
    return rc;
}

/* ---- Compute and destroy ---- */

int ab__who_compute(ab_gap *g, ab_error *err)
{
    ab_ctx *ctx = g->ctx;
    const ab_who_options *o = g->opts.who;
    ab_who_options none = AB_WHO_OPTIONS_INIT;
    if (o == NULL) {
        o = &none;
    }
    who *h = ab__calloc(ctx, 1, sizeof(*h));
    if (h == NULL) {
        return ab__error(err, AB_ENOMEM, "who", 0, 0, "out of memory");
    }
    g->who = h;
    int rc = ab__strtab_init(&h->roles, ctx);
    if (rc == AB_OK) {
        rc = ab__strtab_init(&h->file_names, ctx);
    }
    if (rc == AB_OK) {
        rc = ab__gap_map_init(&h->seen_map, ctx);
    }
    if (rc == AB_OK) {
        rc = ab__gap_map_init(&h->ctrl_map, ctx);
    }
    if (rc == AB_OK) {
        rc = ab__gap_map_init(&h->ho_map, ctx);
    }
    if (rc != AB_OK) {
        return ab__error(err, AB_ENOMEM, "who", 0, 0, "out of memory");
    }
    /* The options as given, and the files' digests, for the report. */
    const char *given[5] = {o->system_resources, o->roles_file, o->role_map_file, o->sod_file,
                            o->role_attr};
    char **kept[5] = {&h->system_resources, &h->in_roles, &h->in_role_map, &h->in_sod,
                      &h->in_role_attr};
    for (int k = 0; k < 5; k++) {
        if (given[k] != NULL &&
            (*kept[k] = ab__arena_strndup(&g->arena, given[k], strlen(given[k]))) == NULL) {
            return ab__error(err, AB_ENOMEM, "who", 0, 0, "out of memory");
        }
    }
    char *sha[3] = {h->sha_roles, h->sha_role_map, h->sha_sod};
    for (int k = 0; k < 3; k++) {
        sha[k][0] = '\0';
        if (given[k + 1] != NULL &&
            (rc = ab__sha256_files(&given[k + 1], 1, sha[k], err)) != AB_OK) {
            return rc;
        }
    }
    /* Roles: a file, else an attribute of the events. */
    h->role_source = "none";
    if (o->roles_file != NULL) {
        rc = load_roles_file(g, h, o->roles_file, err);
        if (rc != AB_OK) {
            return rc;
        }
    } else {
        static const char *const keys[] = {"org:role", "role", "org:group"};
        static const char *const sources[] = {"log:org:role", "column", "log:org:group"};
        /* Which of the usual keys the events have: one pass over their
         * attributes, ended by the first org:role. */
        key_scan ks = {{0, 0, 0}};
        uint64_t ne = ab_log_event_count(g->log);
        for (uint64_t e = 0; o->role_attr == NULL && e < ne && !ks.seen[0]; e++) {
            ab_log_event_attrs_visit(g->log, e, scan_key, &ks);
        }
        if ((rc = or_flags(g, ks.seen, 3)) != AB_OK) {
            return ab__error(err, rc, "who", 0, 0, "out of memory");
        }
        for (int k = 0; k < 3; k++) {
            if (o->role_attr == NULL && !ks.seen[k]) {
                continue;
            }
            const char *key = o->role_attr != NULL ? o->role_attr : keys[k];
            int found = 0;
            rc = load_role_attr(g, h, key, &found);
            if (rc == AB_OK) {
                rc = or_flags(g, &found, 1);
            }
            if (rc == AB_OK && found) {
                rc = unify_roles(g, h);
            }
            if (rc != AB_OK) {
                return ab__error(err, rc, "who", 0, 0, "out of memory");
            }
            if (found) {
                h->role_source = o->role_attr != NULL ? "column" : sources[k];
                h->have_roles = 1;
                break;
            }
            if (o->role_attr != NULL) {
                break;
            }
        }
        if (!h->have_roles) {
            ab__free(ctx, h->ev_role);
            h->ev_role = NULL;
        }
    }
    rc = lanes_and_tasks(g, h, o->role_map_file, err);
    if (rc != AB_OK) {
        return rc;
    }
    if (o->sod_file != NULL) {
        rc = ab_sod_read(&h->sod, ctx, o->sod_file, err);
        if (rc != AB_OK) {
            return rc;
        }
        rc = ab__sod_expand_log(&h->x, ctx, h->sod, g->log);
        if (rc == AB_OK) {
            h->pair_stats = ab__calloc(ctx, (size_t)h->x.count + 1, sizeof(counted));
            h->pair_both = ab__calloc(ctx, (size_t)h->x.count + 1, sizeof(uint64_t));
            rc = h->pair_stats != NULL && h->pair_both != NULL ? AB_OK : AB_ENOMEM;
            for (uint32_t i = 0; rc == AB_OK && i < h->x.count; i++) {
                h->pair_stats[i].last_case = NONE;
            }
        }
    }
    if (rc == AB_OK) {
        rc = documented_handoffs(g, h);
    }
    if (rc == AB_OK) {
        rc = prepare_accept(g, h);
    }
    if (rc == AB_OK) {
        rc = run_cases(g, h);
    }
    if (rc == AB_OK) {
        rc = handoff_times(g, h);
    }
    if (rc != AB_OK) {
        return ab__error(err, rc, "who", 0, 0, "out of memory");
    }
    ab_gap_summary *s = &g->summary;
    uint64_t N = s->cases;
    /* Without roles, or with a map none of whose lanes allows a role (a map
     * without lanes), nothing can be judged: the rates are null, the lists
     * stay as defined. */
    for (uint32_t l = 0; h->have_roles && l < h->lane_count; l++) {
        h->rates_known |= h->lanes[l].role_count > 0;
    }
    if (h->rates_known) {
        s->role_violation = ab__gap_rate(h->c_role, N);
        s->control_outside_lane = ab__gap_rate(h->c_ctrl, N);
        s->undocumented_handoff = ab__gap_rate(h->c_ho, N);
    }
    if (h->sod != NULL) {
        s->sod_violation = ab__gap_rate(h->sod_cases, N);
    }
    return AB_OK;
}

void ab__who_destroy(ab_gap *g)
{
    who *h = g->who;
    if (h == NULL) {
        return;
    }
    ab_ctx *ctx = g->ctx;
    ab__strtab_finish(&h->roles);
    ab__strtab_finish(&h->file_names);
    ab__free(ctx, h->res_off);
    ab__free(ctx, h->res_roles);
    ab__free(ctx, h->file_res);
    ab__free(ctx, h->file_roles_off);
    ab__free(ctx, h->file_roles);
    ab__free(ctx, h->ev_role);
    ab__free(ctx, h->lanes);
    ab__free(ctx, h->trans_task);
    ab__free(ctx, h->tasks);
    ab__gap_map_finish(&h->seen_map);
    ab__free(ctx, h->seen_count);
    ab_sod_destroy(h->sod);
    ab__sod_expand_finish(&h->x, ctx);
    ab__free(ctx, h->pair_stats);
    ab__free(ctx, h->pair_both);
    ab__gap_map_finish(&h->ctrl_map);
    ab__free(ctx, h->ctrl);
    ab__free(ctx, h->documented);
    ab__free(ctx, h->matrix);
    for (size_t i = 0; h->ho != NULL && i < h->ho_cap; i++) {
        ab__free(ctx, h->ho[i].list);
    }
    ab__gap_map_finish(&h->ho_map);
    ab__free(ctx, h->ho);
    ab__free(ctx, h->ho_time);
    ab__free(ctx, h->rv_off);
    ab__free(ctx, h->sod_off);
    ab__free(ctx, h->ho_off);
    ab__free(ctx, h->rv);
    ab__free(ctx, h->sh);
    ab__free(ctx, h->hv);
    ab__free(ctx, h->is_system);
    ab__free(ctx, h);
    g->who = NULL;
}

/* The cases the who's writers name (its examples): their count, and them
 * into out unless it is NULL. */
size_t ab__who_named_cases(const ab_gap *g, uint32_t *out)
{
    const who *h = g->who;
    size_t n = 0;
    if (h == NULL) {
        return 0;
    }
    for (uint32_t t = 0; t < h->task_count; t++) {
        for (uint32_t i = 0; i < h->tasks[t].example_count; i++, n++) {
            if (out != NULL) {
                out[n] = h->tasks[t].examples[i];
            }
        }
    }
    const counted *lists[3] = {h->sod != NULL ? h->pair_stats : NULL, h->ho, h->ctrl};
    uint32_t counts[3] = {h->sod != NULL ? h->x.count : 0, h->ho_map.count, h->ctrl_map.count};
    for (int k = 0; k < 3; k++) {
        for (uint32_t j = 0; lists[k] != NULL && j < counts[k]; j++) {
            for (uint32_t i = 0; i < lists[k][j].example_count; i++, n++) {
                if (out != NULL) {
                    out[n] = lists[k][j].examples[i];
                }
            }
        }
    }
    return n;
}

/* ---- Writers ---- */

static const char *role_name(const who *h, uint32_t r)
{
    return ab__strtab_str(&h->roles, r);
}

static void null_rate(ab__gw *w, const ab_gap_rate *r, int known)
{
    if (!known) {
        ab__gw_puts(w, "null");
    } else {
        ab__gap_json_rate(w, r);
    }
}

void ab__who_json_summary(ab__gw *w, const ab_gap *g)
{
    const who *h = g->who;
    const ab_gap_summary *s = &g->summary;
    int roles = h != NULL && h->rates_known, sod = h != NULL && h->sod != NULL;
    ab__gw_puts(w, ",\n    \"role_violation_rate\": ");
    null_rate(w, &s->role_violation, roles);
    ab__gw_puts(w, ",\n    \"control_outside_lane_rate\": ");
    null_rate(w, &s->control_outside_lane, roles);
    ab__gw_puts(w, ",\n    \"sod_violation_rate\": ");
    null_rate(w, &s->sod_violation, sod);
    ab__gw_puts(w, ",\n    \"undocumented_handoff_rate\": ");
    null_rate(w, &s->undocumented_handoff, roles);
}

static void case_ids(ab__gw *w, const ab_gap *g, const uint32_t *cs, uint32_t n)
{
    ab__gw_puts(w, "[");
    for (uint32_t i = 0; i < n; i++) {
        ab__gw_puts(w, i ? ", " : "");
        ab__gw_jstr(w, ab__gap_case_id(g, cs[i]));
    }
    ab__gw_puts(w, "]");
}

static void role_list(ab__gw *w, const who *h, const uint32_t *r, uint32_t n)
{
    ab__gw_puts(w, "[");
    for (uint32_t i = 0; i < n; i++) {
        ab__gw_puts(w, i ? ", " : "");
        ab__gw_jstr(w, role_name(h, r[i]));
    }
    ab__gw_puts(w, "]");
}

/* Sorting of the lists: controls first, then cases descending, then names.
 * Each comparison takes the gap as its argument. */

static int cmp_task(const void *pa, const void *pb, void *arg)
{
    const ab_gap *g = arg;
    const task *a = &g->who->tasks[*(const uint32_t *)pa];
    const task *b = &g->who->tasks[*(const uint32_t *)pb];
    if (a->control != b->control) {
        return b->control - a->control;
    }
    if (a->cases != b->cases) {
        return a->cases > b->cases ? -1 : 1;
    }
    int c = strcmp(a->name, b->name);
    return c != 0 ? c : strcmp(a->element_id, b->element_id);
}

static int cmp_auto(const void *pa, const void *pb, void *arg)
{
    const ab_gap *g = arg;
    const task *a = &g->who->tasks[*(const uint32_t *)pa];
    const task *b = &g->who->tasks[*(const uint32_t *)pb];
    if (a->by_system != b->by_system) {
        return a->by_system > b->by_system ? -1 : 1;
    }
    int c = strcmp(a->name, b->name);
    return c != 0 ? c : strcmp(a->element_id, b->element_id);
}

static int cmp_ctrl(const void *pa, const void *pb, void *arg)
{
    const ab_gap *g = arg;
    const who *h = g->who;
    uint32_t i = *(const uint32_t *)pa, j = *(const uint32_t *)pb;
    if (h->ctrl[i].cases != h->ctrl[j].cases) {
        return h->ctrl[i].cases > h->ctrl[j].cases ? -1 : 1;
    }
    const ab__gap_key *a = &h->ctrl_map.keys[i], *b = &h->ctrl_map.keys[j];
    int c = strcmp(h->tasks[a->a].name, h->tasks[b->a].name);
    c = c != 0 ? c : strcmp(h->tasks[a->a].element_id, h->tasks[b->a].element_id);
    return c != 0 ? c
                  : strcmp(ab_log_activity_name(g->log, a->b), ab_log_activity_name(g->log, b->b));
}

static int cmp_ho(const void *pa, const void *pb, void *arg)
{
    const ab_gap *g = arg;
    const who *h = g->who;
    uint32_t i = *(const uint32_t *)pa, j = *(const uint32_t *)pb;
    if (h->ho[i].cases != h->ho[j].cases) {
        return h->ho[i].cases > h->ho[j].cases ? -1 : 1;
    }
    const ab__gap_key *a = &h->ho_map.keys[i], *b = &h->ho_map.keys[j];
    int c = strcmp(role_name(h, a->a), role_name(h, b->a));
    return c != 0 ? c : strcmp(role_name(h, a->b), role_name(h, b->b));
}

static int cmp_doc(const void *pa, const void *pb, void *arg)
{
    const ab_gap *g = arg;
    const who *h = g->who;
    uint64_t a = h->documented[*(const uint32_t *)pa], b = h->documented[*(const uint32_t *)pb];
    int c = strcmp(role_name(h, (uint32_t)(a >> 32)), role_name(h, (uint32_t)(b >> 32)));
    return c != 0 ? c : strcmp(role_name(h, (uint32_t)a), role_name(h, (uint32_t)b));
}

static int cmp_role_name(const void *pa, const void *pb, void *arg)
{
    const ab_gap *g = arg;
    const who *h = g->who;
    return strcmp(role_name(h, *(const uint32_t *)pa), role_name(h, *(const uint32_t *)pb));
}

static int cmp_seen(const void *pa, const void *pb, void *arg)
{
    const ab_gap *g = arg;
    const who *h = g->who;
    uint32_t i = *(const uint32_t *)pa, j = *(const uint32_t *)pb;
    if (h->seen_count[i] != h->seen_count[j]) {
        return h->seen_count[i] > h->seen_count[j] ? -1 : 1;
    }
    return strcmp(role_name(h, h->seen_map.keys[i].b), role_name(h, h->seen_map.keys[j].b));
}

static uint32_t *order(const ab_gap *g, uint32_t n, int (*cmp)(const void *, const void *, void *))
{
    uint32_t *o = ab__malloc(g->ctx, sizeof(uint32_t) * ((size_t)n + 1));
    if (o != NULL) {
        for (uint32_t i = 0; i < n; i++) {
            o[i] = i;
        }
        ab__sort_r(o, n, sizeof(uint32_t), cmp, (void *)g);
    }
    return o;
}

void ab__who_json(ab__gw *w, const ab_gap *g)
{
    const who *h = g->who;
    if (h == NULL || w->rc != AB_OK) {
        return;
    }
    ab_ctx *ctx = g->ctx;
    uint32_t R = h->role_count;
    ab__gw_puts(w, ",\n  \"who\": {\"options\": {\"roles\": ");
    ab__gw_jstr(w, h->in_roles);
    ab__gw_puts(w, ", \"roles_sha256\": ");
    ab__gw_jstr(w, h->sha_roles[0] ? h->sha_roles : NULL);
    ab__gw_puts(w, ", \"role\": ");
    ab__gw_jstr(w, h->in_role_attr);
    ab__gw_puts(w, ", \"role_map\": ");
    ab__gw_jstr(w, h->in_role_map);
    ab__gw_puts(w, ", \"role_map_sha256\": ");
    ab__gw_jstr(w, h->sha_role_map[0] ? h->sha_role_map : NULL);
    ab__gw_puts(w, ", \"sod\": ");
    ab__gw_jstr(w, h->in_sod);
    ab__gw_puts(w, ", \"sod_sha256\": ");
    ab__gw_jstr(w, h->sha_sod[0] ? h->sha_sod : NULL);
    ab__gw_puts(w, ", \"system_resources\": ");
    ab__gw_jstr(w, h->system_resources);
    ab__gw_puts(w, "},\n    \"role_source\": ");
    ab__gw_jstr(w, h->role_source);
    ab__gw_printf(w,
                  ",\n    \"events\": {\"with_resource\": %llu, \"without_resource\": %llu, "
                  "\"without_role\": %llu}",
                  (unsigned long long)h->ev_with_res, (unsigned long long)h->ev_without_res,
                  (unsigned long long)h->ev_without_role);
    if (h->file_roles_off != NULL) {
        /* The roles file's resources, by name. */
        uint32_t nf = h->file_res_count;
        uint32_t *o = ab__malloc(ctx, sizeof(uint32_t) * ((size_t)nf + 1));
        if (o == NULL) {
            w->rc = AB_ENOMEM;
            return;
        }
        for (uint32_t i = 0; i < nf; i++) {
            o[i] = i;
        }
        /* Insertion sort by name: files are small. */
        for (uint32_t i = 1; i < nf; i++) {
            uint32_t v = o[i], j = i;
            while (j > 0 && strcmp(ab__strtab_str(&h->file_names, o[j - 1]),
                                   ab__strtab_str(&h->file_names, v)) > 0) {
                o[j] = o[j - 1];
                j--;
            }
            o[j] = v;
        }
        ab__gw_puts(w, ",\n    \"resource_roles\": [");
        for (uint32_t i = 0; i < nf; i++) {
            uint32_t f = o[i];
            ab__gw_puts(w, i ? ",\n      {\"resource\": " : "\n      {\"resource\": ");
            ab__gw_jstr(w, ab__strtab_str(&h->file_names, f));
            ab__gw_puts(w, ", \"roles\": ");
            role_list(w, h, h->file_roles + h->file_roles_off[f],
                      h->file_roles_off[f + 1] - h->file_roles_off[f]);
            ab__gw_puts(w, "}");
        }
        ab__gw_puts(w, nf ? "\n    ]" : "]");
        ab__free(ctx, o);
    }
    ab__gw_puts(w, ",\n    \"lane_roles\": [");
    for (uint32_t l = 0; l < h->lane_count; l++) {
        const lane_info *li = &h->lanes[l];
        ab__gw_puts(w, l ? ",\n      {\"lane\": " : "\n      {\"lane\": ");
        ab__gw_jstr(w, li->name);
        ab__gw_puts(w, ", \"roles\": ");
        role_list(w, h, li->roles, li->role_count);
        ab__gw_puts(w, ", \"how\": ");
        ab__gw_jstr(w, li->how);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, h->lane_count ? "\n    ]" : "]");
    /* Role conformance per task. */
    uint32_t *to = order(g, h->task_count, cmp_task);
    uint32_t *so = order(g, h->seen_map.count, cmp_seen);
    if (to == NULL || so == NULL) {
        ab__free(ctx, to);
        ab__free(ctx, so);
        w->rc = AB_ENOMEM;
        return;
    }
    ab__gw_puts(w, ",\n    \"role_conformance\": [");
    for (uint32_t i = 0; i < h->task_count; i++) {
        const task *t = &h->tasks[to[i]];
        ab__gw_puts(w, i ? ",\n      {\"task\": " : "\n      {\"task\": ");
        ab__gw_jstr(w, t->name);
        ab__gw_puts(w, ", \"element_id\": ");
        ab__gw_jstr(w, t->element_id);
        ab__gw_puts(w, ", \"lane\": ");
        ab__gw_jstr(w, t->lane);
        ab__gw_printf(w, ", \"control\": %s, \"cases\": ", t->control ? "true" : "false");
        ab_gap_rate r = ab__gap_rate(t->cases, t->of);
        ab__gap_json_rate(w, &r);
        ab__gw_printf(w, ", \"events\": %llu, \"instances\": %llu, \"unknown\": %llu",
                      (unsigned long long)t->events, (unsigned long long)t->instances,
                      (unsigned long long)t->unknown);
        ab__gw_puts(w, ", \"roles_seen\": [");
        uint32_t n = 0;
        for (uint32_t k = 0; k < h->seen_map.count; k++) {
            uint32_t si = so[k];
            if (h->seen_map.keys[si].a != to[i]) {
                continue;
            }
            ab__gw_puts(w, n++ ? ", {\"role\": " : "{\"role\": ");
            ab__gw_jstr(w, role_name(h, h->seen_map.keys[si].b));
            ab__gw_printf(w, ", \"events\": %llu}", (unsigned long long)h->seen_count[si]);
        }
        ab__gw_puts(w, "], \"examples\": ");
        case_ids(w, g, t->examples, t->example_count);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, h->task_count ? "\n    ]" : "]");
    ab__free(ctx, so);
    /* Segregation of duties. */
    ab__gw_puts(w, ",\n    \"sod\": ");
    if (h->sod == NULL) {
        ab__gw_puts(w, "null");
    } else {
        ab__gw_puts(w, "{\"rules\": [");
        for (uint32_t i = 0; i < h->sod->count; i++) {
            ab__gw_puts(w, i ? ", " : "");
            ab__gw_jstr(w, h->sod->text[i]);
        }
        ab__gw_puts(w, "], \"cases\": ");
        ab__gap_json_rate(w, &g->summary.sod_violation);
        ab__gw_puts(w, ", \"pairs\": [");
        for (uint32_t i = 0; i < h->x.count; i++) {
            ab__gw_puts(w, i ? ",\n      {\"a\": " : "\n      {\"a\": ");
            ab__gw_jstr(w, ab_log_activity_name(g->log, h->x.a[i]));
            ab__gw_puts(w, ", \"b\": ");
            ab__gw_jstr(w, ab_log_activity_name(g->log, h->x.b[i]));
            ab__gw_printf(
                w, ", \"with_both\": %llu, \"cases\": ", (unsigned long long)h->pair_both[i]);
            ab_gap_rate r = ab__gap_rate(h->pair_stats[i].cases, g->summary.cases);
            ab__gap_json_rate(w, &r);
            ab__gw_puts(w, ", \"examples\": ");
            case_ids(w, g, h->pair_stats[i].examples, h->pair_stats[i].example_count);
            ab__gw_puts(w, "}");
        }
        ab__gw_puts(w, h->x.count ? "\n    ]}" : "]}");
    }
    /* Controls' performers. */
    uint32_t *co = order(g, h->ctrl_map.count, cmp_ctrl);
    if (co == NULL) {
        ab__free(ctx, to);
        w->rc = AB_ENOMEM;
        return;
    }
    ab__gw_puts(w, ",\n    \"control_performers\": [");
    for (uint32_t i = 0; i < h->ctrl_map.count; i++) {
        const ab__gap_key *k = &h->ctrl_map.keys[co[i]];
        ab__gw_puts(w, i ? ",\n      {\"control\": " : "\n      {\"control\": ");
        ab__gw_jstr(w, h->tasks[k->a].name);
        ab__gw_puts(w, ", \"element_id\": ");
        ab__gw_jstr(w, h->tasks[k->a].element_id);
        ab__gw_puts(w, ", \"lane\": ");
        ab__gw_jstr(w, h->tasks[k->a].lane);
        ab__gw_puts(w, ", \"also_did\": ");
        ab__gw_jstr(w, ab_log_activity_name(g->log, k->b));
        ab__gw_printf(w, ", \"cases\": %llu}", (unsigned long long)h->ctrl[co[i]].cases);
    }
    ab__gw_puts(w, h->ctrl_map.count ? "\n    ]" : "]");
    ab__free(ctx, co);
    /* Hand-offs. */
    ab__gw_puts(w, ",\n    \"handoffs\": {\"documented\": [");
    uint32_t *dord = order(g, h->documented_count, cmp_doc);
    if (dord == NULL) {
        ab__free(ctx, to);
        w->rc = AB_ENOMEM;
        return;
    }
    for (uint32_t i = 0; i < h->documented_count; i++) {
        uint64_t d = h->documented[dord[i]];
        ab__gw_puts(w, i ? ", [" : "[");
        ab__gw_jstr(w, role_name(h, (uint32_t)(d >> 32)));
        ab__gw_puts(w, ", ");
        ab__gw_jstr(w, role_name(h, (uint32_t)d));
        ab__gw_puts(w, "]");
    }
    ab__free(ctx, dord);
    ab__gw_puts(w, "],\n      \"undocumented\": [");
    uint32_t *ho = order(g, h->ho_map.count, cmp_ho);
    uint32_t *ro = order(g, R, cmp_role_name);
    if (ho == NULL || ro == NULL) {
        ab__free(ctx, ho);
        ab__free(ctx, ro);
        ab__free(ctx, to);
        w->rc = AB_ENOMEM;
        return;
    }
    for (uint32_t i = 0; i < h->ho_map.count; i++) {
        const ab__gap_key *k = &h->ho_map.keys[ho[i]];
        const counted *c = &h->ho[ho[i]];
        ab__gw_puts(w, i ? ",\n        {\"from_role\": " : "\n        {\"from_role\": ");
        ab__gw_jstr(w, role_name(h, k->a));
        ab__gw_puts(w, ", \"to_role\": ");
        ab__gw_jstr(w, role_name(h, k->b));
        ab__gw_puts(w, ", \"cases\": ");
        ab_gap_rate r = ab__gap_rate(c->cases, g->summary.cases);
        ab__gap_json_rate(w, &r);
        ab__gw_printf(w, ", \"count\": %llu, \"time_impact\": ", (unsigned long long)c->count);
        ab__gap_json_time(w, g, &h->ho_time[ho[i]]);
        ab__gw_puts(w, ", \"examples\": ");
        case_ids(w, g, c->examples, c->example_count);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, h->ho_map.count ? "\n      ]" : "]");
    ab__gw_puts(w, ",\n      \"matrix\": {\"roles\": ");
    role_list(w, h, ro, R);
    ab__gw_puts(w, ", \"counts\": [");
    for (uint32_t i = 0; i < R; i++) {
        ab__gw_puts(w, i ? ", [" : "[");
        for (uint32_t j = 0; j < R; j++) {
            ab__gw_printf(w, "%s%llu", j ? ", " : "",
                          (unsigned long long)h->matrix[(size_t)ro[i] * R + ro[j]]);
        }
        ab__gw_puts(w, "]");
    }
    ab__gw_puts(w, "]}}");
    ab__free(ctx, ho);
    ab__free(ctx, ro);
    /* Automation. */
    uint32_t *ao = order(g, h->task_count, cmp_auto);
    ab__free(ctx, to);
    if (ao == NULL) {
        w->rc = AB_ENOMEM;
        return;
    }
    ab__gw_puts(w, ",\n    \"automation\": [");
    for (uint32_t i = 0; i < h->task_count; i++) {
        const task *t = &h->tasks[ao[i]];
        ab__gw_puts(w, i ? ",\n      {\"task\": " : "\n      {\"task\": ");
        ab__gw_jstr(w, t->name);
        ab__gw_puts(w, ", \"element_id\": ");
        ab__gw_jstr(w, t->element_id);
        ab__gw_puts(w, ", \"lane\": ");
        ab__gw_jstr(w, t->lane);
        ab__gw_printf(w, ", \"instances\": %llu, \"by_system\": %llu, \"share\": ",
                      (unsigned long long)t->instances, (unsigned long long)t->by_system);
        if (t->with_resource > 0) {
            ab__gw_printf(w, "%.3f}", (double)t->by_system / (double)t->with_resource);
        } else {
            ab__gw_puts(w, "null}");
        }
    }
    ab__gw_puts(w, h->task_count ? "\n    ]}" : "]}");
    ab__free(ctx, ao);
}

void ab__who_json_case(ab__gw *w, const ab_gap *g, uint32_t c)
{
    const who *h = g->who;
    if (h == NULL) {
        return;
    }
    const ab_log *log = g->log;
    const ab_net *net = g->net;
    if (h->rv_off[c] == h->rv_off[c + 1] && h->sod_off[c] == h->sod_off[c + 1] &&
        h->ho_off[c] == h->ho_off[c + 1]) {
        ab__gw_puts(w, ", \"who\": {\"role_violations\": [], \"sod_violations\": [], "
                       "\"undocumented_handoffs\": []}");
        return;
    }
    ab__gw_puts(w, ", \"who\": {\"role_violations\": [");
    for (uint64_t q = h->rv_off[c]; q < h->rv_off[c + 1]; q++) {
        const role_viol *v = &h->rv[q];
        const ab_net_transition *t = ab_net_transition_at(net, v->trans);
        const task *tk = &h->tasks[h->trans_task[v->trans]];
        uint32_t nr = 0;
        const uint32_t *roles = event_roles(h, g, v->event, &nr);
        ab__gw_printf(w, "%s{\"position\": %u, \"activity\": ", q > h->rv_off[c] ? ", " : "",
                      v->pos);
        ab__gw_jstr(w, ab_log_activity_name(log, ab_log_col_activity(log)[v->event]));
        ab__gw_puts(w, ", \"task\": ");
        ab__gw_jstr(w, t->task != NULL ? t->task : t->label);
        ab__gw_puts(w, ", \"lane\": ");
        ab__gw_jstr(w, tk->lane);
        ab__gw_puts(w, ", \"resource\": ");
        ab__gw_jstr(w, ab_log_resource_name(log, ab_log_col_resource(log)[v->event]));
        ab__gw_puts(w, ", \"roles\": ");
        role_list(w, h, roles, nr);
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, "], \"sod_violations\": [");
    for (uint64_t q = h->sod_off[c]; q < h->sod_off[c + 1]; q++) {
        const sod_hit *s = &h->sh[q];
        ab__gw_puts(w, q > h->sod_off[c] ? ", {\"a\": " : "{\"a\": ");
        ab__gw_jstr(w, ab_log_activity_name(log, h->x.a[s->pair]));
        ab__gw_puts(w, ", \"b\": ");
        ab__gw_jstr(w, ab_log_activity_name(log, h->x.b[s->pair]));
        ab__gw_puts(w, ", \"resource\": ");
        ab__gw_jstr(w, ab_log_resource_name(log, s->resource));
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, "], \"undocumented_handoffs\": [");
    for (uint64_t q = h->ho_off[c]; q < h->ho_off[c + 1]; q++) {
        const handoff *v = &h->hv[q];
        ab__gw_printf(w, "%s{\"position\": %u, \"from_role\": ", q > h->ho_off[c] ? ", " : "",
                      v->pos);
        ab__gw_jstr(w, role_name(h, v->from_role));
        ab__gw_puts(w, ", \"to_role\": ");
        ab__gw_jstr(w, role_name(h, v->to_role));
        ab__gw_puts(w, ", \"from\": ");
        ab__gw_jstr(w, ab_log_activity_name(log, v->from_act));
        ab__gw_puts(w, ", \"to\": ");
        ab__gw_jstr(w, ab_log_activity_name(log, v->to_act));
        ab__gw_puts(w, "}");
    }
    ab__gw_puts(w, "]}");
}

void ab__who_markdown(ab__gw *w, const ab_gap *g)
{
    const who *h = g->who;
    if (h == NULL || w->rc != AB_OK) {
        return;
    }
    ab_ctx *ctx = g->ctx;
    const ab_gap_summary *s = &g->summary;
    char p[32];
    ab__gw_puts(w, "\n## Who did the work\n\n");
    if (!h->have_roles) {
        ab__gw_puts(w, "The log gives no roles (no org:role or org:group, no --roles file): role "
                       "conformance and hand-offs are not computed.\n");
    } else if (!h->rates_known) {
        ab__gw_puts(w, "No lane of the map matches a role (the map has no lanes, or a --role-map "
                       "file is needed): role conformance and hand-offs are not judged.\n");
    } else {
        ab__gap_fmt_pct(s->role_violation.rate, p, sizeof(p));
        ab__gw_printf(w, "- Cases with a step done outside its lane: %s%% (%llu of %llu)\n", p,
                      (unsigned long long)s->role_violation.count,
                      (unsigned long long)s->role_violation.of);
        ab__gap_fmt_pct(s->control_outside_lane.rate, p, sizeof(p));
        ab__gw_printf(w, "- Cases with a control done outside its lane: %s%% (%llu of %llu)\n", p,
                      (unsigned long long)s->control_outside_lane.count,
                      (unsigned long long)s->control_outside_lane.of);
        ab__gap_fmt_pct(s->undocumented_handoff.rate, p, sizeof(p));
        ab__gw_printf(w, "- Cases with an undocumented hand-off: %s%% (%llu of %llu)\n", p,
                      (unsigned long long)s->undocumented_handoff.count,
                      (unsigned long long)s->undocumented_handoff.of);
    }
    if (h->sod != NULL) {
        ab__gap_fmt_pct(s->sod_violation.rate, p, sizeof(p));
        ab__gw_printf(w,
                      "- Cases where one person did both steps of a segregation-of-duties pair: "
                      "%s%% (%llu of %llu)\n",
                      p, (unsigned long long)s->sod_violation.count,
                      (unsigned long long)s->sod_violation.of);
    }
    ab__gw_printf(w, "- Roles from: %s; events without a resource: %llu; without a role: %llu\n",
                  h->role_source, (unsigned long long)h->ev_without_res,
                  (unsigned long long)h->ev_without_role);
    /* Who did the work per lane. */
    if (h->lane_count > 0 && h->have_roles) {
        ab__gw_puts(w, "\n| Lane | Roles allowed (matched) | Instances | Done outside the lane | "
                       "Unknown |\n|---|---|---:|---:|---:|\n");
        for (uint32_t l = 0; l < h->lane_count; l++) {
            const lane_info *li = &h->lanes[l];
            uint64_t inst = 0, out = 0, unk = 0;
            for (uint32_t t = 0; t < h->task_count; t++) {
                if (h->tasks[t].lane_id == l) {
                    inst += h->tasks[t].instances;
                    out += h->tasks[t].events;
                    unk += h->tasks[t].unknown;
                }
            }
            ab__gw_puts(w, "| ");
            ab__gw_md(w, li->name);
            ab__gw_puts(w, " | ");
            for (uint32_t k = 0; k < li->role_count; k++) {
                ab__gw_puts(w, k ? ", " : "");
                ab__gw_md(w, role_name(h, li->roles[k]));
            }
            if (li->role_count == 0) {
                ab__gw_puts(w, "(none matched)");
            } else {
                ab__gw_printf(w, " (%s)", li->how);
            }
            ab__gap_fmt_pct(inst > unk ? (double)out / (double)(inst - unk) : 0, p, sizeof(p));
            ab__gw_printf(w, " | %llu | %llu (%s%%) | %llu |\n", (unsigned long long)inst,
                          (unsigned long long)out, p, (unsigned long long)unk);
        }
    }
    /* Role conformance: the tasks with violations. */
    uint32_t *to = order(g, h->task_count, cmp_task);
    if (to == NULL) {
        w->rc = AB_ENOMEM;
        return;
    }
    uint32_t shown = 0;
    for (uint32_t i = 0; i < h->task_count; i++) {
        const task *t = &h->tasks[to[i]];
        if (t->events == 0) {
            continue;
        }
        if (shown++ == 0) {
            ab__gw_puts(w, "\n### Steps done outside their lane\n\n| Step | Lane | Cases | "
                           "Events | Example cases |\n|---|---|---:|---:|---|\n");
        }
        ab__gw_puts(w, "| ");
        ab__gw_md(w, t->name);
        ab__gw_puts(w, t->control ? " (control) | " : " | ");
        ab__gw_md(w, t->lane != NULL ? t->lane : "");
        ab__gap_fmt_pct(t->of ? (double)t->cases / (double)t->of : 0, p, sizeof(p));
        ab__gw_printf(w, " | %llu (%s%%) | %llu | ", (unsigned long long)t->cases, p,
                      (unsigned long long)t->events);
        for (uint32_t k = 0; k < t->example_count; k++) {
            ab__gw_puts(w, k ? ", " : "");
            ab__gw_md(w, ab__gap_case_id(g, t->examples[k]));
        }
        ab__gw_puts(w, " |\n");
    }
    ab__free(ctx, to);
    if (h->sod != NULL && h->x.count > 0) {
        ab__gw_puts(w, "\n### Segregation of duties\n\n| Pair | Cases with both | Same person "
                       "|\n|---|---:|---:|\n");
        for (uint32_t i = 0; i < h->x.count; i++) {
            ab__gw_puts(w, "| ");
            ab__gw_md(w, ab_log_activity_name(g->log, h->x.a[i]));
            ab__gw_puts(w, " / ");
            ab__gw_md(w, ab_log_activity_name(g->log, h->x.b[i]));
            ab__gw_printf(w, " | %llu | %llu |\n", (unsigned long long)h->pair_both[i],
                          (unsigned long long)h->pair_stats[i].cases);
        }
    }
    if (h->ho_map.count > 0) {
        uint32_t *ho = order(g, h->ho_map.count, cmp_ho);
        if (ho == NULL) {
            w->rc = AB_ENOMEM;
            return;
        }
        ab__gw_puts(w, "\n### Undocumented hand-offs\n\n| From role | To role | Cases | Hand-offs "
                       "|\n|---|---|---:|---:|\n");
        for (uint32_t i = 0; i < h->ho_map.count && i < 20; i++) {
            const ab__gap_key *k = &h->ho_map.keys[ho[i]];
            ab__gw_puts(w, "| ");
            ab__gw_md(w, role_name(h, k->a));
            ab__gw_puts(w, " | ");
            ab__gw_md(w, role_name(h, k->b));
            ab__gw_printf(w, " | %llu | %llu |\n", (unsigned long long)h->ho[ho[i]].cases,
                          (unsigned long long)h->ho[ho[i]].count);
        }
        ab__free(ctx, ho);
    }
    /* The controls' performers: for a reviewer, never gated. */
    if (h->ctrl_map.count > 0) {
        uint32_t *co = order(g, h->ctrl_map.count, cmp_ctrl);
        if (co == NULL) {
            w->rc = AB_ENOMEM;
            return;
        }
        ab__gw_puts(w, "\n### Who did the controls, and what else they did in the case\n\n"
                       "Listed for a reviewer to judge; not counted in any gate.\n\n"
                       "| Control | The same person also did | Cases |\n|---|---|---:|\n");
        for (uint32_t i = 0; i < h->ctrl_map.count && i < 20; i++) {
            const ab__gap_key *k = &h->ctrl_map.keys[co[i]];
            ab__gw_puts(w, "| ");
            ab__gw_md(w, h->tasks[k->a].name);
            if (h->tasks[k->a].lane != NULL) {
                ab__gw_puts(w, " (");
                ab__gw_md(w, h->tasks[k->a].lane);
                ab__gw_puts(w, ")");
            }
            ab__gw_puts(w, " | ");
            ab__gw_md(w, ab_log_activity_name(g->log, k->b));
            ab__gw_printf(w, " | %llu |\n", (unsigned long long)h->ctrl[co[i]].cases);
        }
        ab__free(ctx, co);
    }
    /* System accounts. */
    if (h->system_resources != NULL && h->task_count > 0) {
        uint32_t *ao = order(g, h->task_count, cmp_auto);
        if (ao == NULL) {
            w->rc = AB_ENOMEM;
            return;
        }
        ab__gw_puts(w, "\n### Steps done by system accounts (");
        ab__gw_md(w, h->system_resources);
        ab__gw_puts(w, ")\n\n| Step | Lane | Instances | By system accounts |\n"
                       "|---|---|---:|---:|\n");
        for (uint32_t i = 0; i < h->task_count; i++) {
            const task *t = &h->tasks[ao[i]];
            ab__gw_puts(w, "| ");
            ab__gw_md(w, t->name);
            ab__gw_puts(w, " | ");
            ab__gw_md(w, t->lane != NULL ? t->lane : "");
            ab__gap_fmt_pct(t->with_resource ? (double)t->by_system / (double)t->with_resource : 0,
                            p, sizeof(p));
            ab__gw_printf(w, " | %llu | %llu (%s%%) |\n", (unsigned long long)t->instances,
                          (unsigned long long)t->by_system, p);
        }
        ab__free(ctx, ao);
    }
}
