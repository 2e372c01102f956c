/*
 * bench/bench_conform.c: alignment speed and memory. For each pair of log
 * and map of the reference data it loads both (timed apart), then aligns
 * every conformance variant with one thread and with all cores, and with
 * one thread again with the ambiguity check (spec R1), keeping the fastest
 * of --repeat runs after one warm-up. It prints variants/s, search nodes
 * expanded, the peak bytes the run held (through a counting allocator),
 * the time with the check and its ratio to the time without (processor
 * time, which other load on the machine disturbs less), the nodes the
 * check expanded beyond the alignments', and, when the reference set has
 * PM4Py's timings for the pair, PM4Py's alignment time and the ratio
 * PM4Py / asbuilt (one thread, no check).
 * With --simulate MAP it also plays a log out of a map (a random walk over
 * its net, a share --noise of the traces with one random skip, swap or
 * extra step) and aligns that, e.g. on the generated 2,000-task map:
 *
 *   genbpmn --tasks 2000 --seed 1 -o big.bpmn
 *   bench_conform [--repeat=N] [--data=DIR] [--simulate=big.bpmn --traces=1000 --noise=0.1]
 *
 * With --distinct=CASES:PER_CASE it aligns, against the running example's
 * map, a log of CASES cases of PER_CASE events whose activities are all
 * different and undocumented (the log bench/gen_distinct.sh writes as CSV).
 * --only-distinct skips the reference pairs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "asbuilt/asbuilt.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Processor time of the whole process: on a shared machine, the fairer
 * measure of work done on one thread. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- A counting allocator (the library serialises calls from its workers) ---- */

typedef struct counter {
    size_t live;
    size_t peak;
} counter;

typedef struct hdr {
    size_t size;
    size_t pad;
} hdr;

static void *c_malloc(size_t n, void *payload)
{
    counter *c = payload;
    hdr *h = malloc(sizeof(hdr) + n);
    if (h == NULL) {
        return NULL;
    }
    h->size = n;
    c->live += n;
    if (c->live > c->peak) {
        c->peak = c->live;
    }
    return h + 1;
}

static void *c_realloc(void *p, size_t n, void *payload)
{
    counter *c = payload;
    if (p == NULL) {
        return c_malloc(n, payload);
    }
    hdr *old = (hdr *)p - 1;
    size_t before = old->size;
    hdr *h = realloc(old, sizeof(hdr) + n);
    if (h == NULL) {
        return NULL;
    }
    h->size = n;
    c->live = c->live - before + n;
    if (c->live > c->peak) {
        c->peak = c->live;
    }
    return h + 1;
}

static void c_free(void *p, void *payload)
{
    counter *c = payload;
    if (p != NULL) {
        hdr *h = (hdr *)p - 1;
        c->live -= h->size;
        free(h);
    }
}

/* ---- Reading the reference numbers ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)len + 1);
    if (s == NULL || fread(s, 1, (size_t)len, f) != (size_t)len) {
        free(s);
        fclose(f);
        return NULL;
    }
    s[len] = '\0';
    fclose(f);
    return s;
}

/* PM4Py's "timings": {"alignments": seconds}, or a negative value. */
static double pm4py_alignment_time(const char *doc)
{
    const char *t = doc != NULL ? strstr(doc, "\"timings\"") : NULL;
    if (t == NULL) {
        return -1;
    }
    const char *end = strchr(t, '}');
    const char *a = strstr(t, "\"alignments\"");
    if (a == NULL || end == NULL || a > end) {
        return -1;
    }
    a = strchr(a, ':');
    return a != NULL ? strtod(a + 1, NULL) : -1;
}

/* ---- Aligning ---- */

typedef struct result {
    double secs;
    double cpu; /* Processor seconds. */
    uint64_t states;
    uint64_t check_states;
    uint32_t variants;
    uint32_t approximate;
    uint32_t fitting_cases;
    uint32_t cases;
    size_t peak;
} result;

static int align_once(const ab_log *log, const ab_net *net, unsigned threads, int check,
                      result *out)
{
    counter cnt = {0, 0};
    ab_ctx_options co = AB_CTX_OPTIONS_INIT;
    co.alloc.malloc_fn = c_malloc;
    co.alloc.realloc_fn = c_realloc;
    co.alloc.free_fn = c_free;
    co.alloc.payload = &cnt;
    ab_ctx *ctx;
    if (ab_ctx_create(&ctx, &co) != AB_OK) {
        return 1;
    }
    cnt.peak = cnt.live;
    ab_conform_options o = AB_CONFORM_OPTIONS_INIT;
    o.threads = threads;
    o.check_ambiguity = check;
    ab_conform *c;
    ab_error err;
    double t0 = now(), c0 = cpu_now();
    if (ab_conform_run(&c, ctx, log, net, &o, &err) != AB_OK) {
        fprintf(stderr, "align: %s\n", err.msg);
        ab_ctx_destroy(ctx);
        return 1;
    }
    out->secs = now() - t0;
    out->cpu = cpu_now() - c0;
    const ab_conform_stats *s = ab_conform_get_stats(c);
    out->states = s->states;
    out->check_states = s->check_states;
    out->variants = s->variants;
    out->approximate = s->approximate_variants;
    out->cases = s->cases;
    out->fitting_cases = 0;
    for (uint32_t v = 0; v < ab_conform_variant_count(c); v++) {
        const ab_conform_variant *x = ab_conform_variant_at(c, v);
        out->fitting_cases += x->cost == 0 ? x->case_count : 0;
    }
    out->peak = cnt.peak;
    ab_conform_destroy(c);
    ab_ctx_destroy(ctx);
    return 0;
}

static int best_of(const ab_log *log, const ab_net *net, unsigned threads, int check, int repeat,
                   result *best)
{
    best->secs = 1e30;
    double cpu = 1e30;
    for (int r = 0; r <= repeat; r++) {
        result x;
        if (align_once(log, net, threads, check, &x) != 0) {
            return 1;
        }
        if ((r > 0 || repeat == 0) && x.secs < best->secs) {
            *best = x;
        }
        if ((r > 0 || repeat == 0) && x.cpu < cpu) {
            cpu = x.cpu;
        }
    }
    best->cpu = cpu; /* The least of each, apart. */
    return 0;
}

static void report(const char *name, const ab_log *log, double load_s, const result *one,
                   const result *all, const result *chk, double pm4py_s)
{
    printf("%-58s %6u %6u %7.3f %9.4f %9.4f %10.0f %10llu %5u %6u %8.1f %9.4f %6.2f %10llu %8.1f",
           name, ab_log_case_count(log), one->variants, load_s, one->secs, all->secs,
           one->variants / (one->secs > 0 ? one->secs : 1e-9), (unsigned long long)one->states,
           one->approximate, one->fitting_cases, (double)one->peak / 1e6, chk->secs,
           chk->cpu / (one->cpu > 0 ? one->cpu : 1e-9), (unsigned long long)chk->check_states,
           (double)chk->peak / 1e6);
    if (pm4py_s > 0) {
        printf(" %8.3f %7.0fx", pm4py_s, pm4py_s / one->secs);
    } else {
        printf(" %8s %8s", "-", "-");
    }
    printf("\n");
}

static void header(void)
{
    printf("%-58s %6s %6s %7s %9s %9s %10s %10s %5s %6s %8s %9s %6s %10s %8s %8s %8s\n", "pair",
           "cases", "vars", "load_s", "align_1t", "align_Nt", "vars/s_1t", "states", "apprx",
           "fitcas", "peak_MB", "check_1t", "chk/1t", "chk_states", "chk_MB", "pm4py_s", "ratio");
}

static int load(ab_ctx *ctx, const char *log_path, const char *map_path, const char *ts_col,
                ab_log **log_out, ab_net **net_out, double *secs_out)
{
    ab_error err;
    ab_bpmn *m;
    double t0 = now();
    if (ab_bpmn_read(&m, ctx, map_path, NULL, &err) != AB_OK) {
        fprintf(stderr, "%s: %s\n", map_path, err.msg);
        return 1;
    }
    int rc = ab_net_compile(net_out, ctx, m, NULL, &err);
    ab_bpmn_destroy(m);
    if (rc != AB_OK) {
        fprintf(stderr, "%s: %s\n", map_path, err.msg);
        return 1;
    }
    if (log_path != NULL) {
        ab_read_options ro = AB_READ_OPTIONS_INIT;
        if (ts_col != NULL) {
            ro.csv.timestamp_col = ts_col;
        }
        if (ab_ingest_files(log_out, ctx, &log_path, 1, &ro, &err) != AB_OK) {
            fprintf(stderr, "%s: %s\n", log_path, err.msg);
            ab_net_destroy(*net_out);
            return 1;
        }
    }
    *secs_out = now() - t0;
    return 0;
}

/* ---- Playing a log out of a net ---- */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Place -> the transitions consuming from it, to find enabled ones fast. */
typedef struct consumers {
    uint32_t *first; /* place_count + 1 */
    uint32_t *list;
} consumers;

static int consumers_build(const ab_net *net, consumers *c)
{
    uint32_t np = ab_net_place_count(net), nt = ab_net_transition_count(net);
    size_t arcs = 0;
    for (uint32_t t = 0; t < nt; t++) {
        arcs += ab_net_transition_at(net, t)->in_count;
    }
    c->first = calloc((size_t)np + 2, sizeof(uint32_t));
    c->list = malloc(sizeof(uint32_t) * (arcs + 1));
    uint32_t *fill = malloc(sizeof(uint32_t) * ((size_t)np + 1));
    if (c->first == NULL || c->list == NULL || fill == NULL) {
        return 1;
    }
    for (uint32_t t = 0; t < nt; t++) {
        const ab_net_transition *x = ab_net_transition_at(net, t);
        for (uint32_t a = 0; a < x->in_count; a++) {
            c->first[x->in[a].place + 1]++;
        }
    }
    for (uint32_t p = 0; p < np; p++) {
        c->first[p + 1] += c->first[p];
        fill[p] = c->first[p];
    }
    for (uint32_t t = 0; t < nt; t++) {
        const ab_net_transition *x = ab_net_transition_at(net, t);
        for (uint32_t a = 0; a < x->in_count; a++) {
            c->list[fill[x->in[a].place]++] = t;
        }
    }
    free(fill);
    return 0;
}

/* The places holding tokens, with each one's slot (UINT32_MAX: none). */
typedef struct marked {
    uint32_t *list;
    uint32_t *slot;
    uint32_t count;
} marked;

static void mark_add(marked *m, uint32_t p)
{
    if (m->slot[p] == UINT32_MAX) {
        m->slot[p] = m->count;
        m->list[m->count++] = p;
    }
}

static void mark_remove(marked *m, uint32_t p)
{
    uint32_t k = m->slot[p];
    if (k != UINT32_MAX) {
        uint32_t last = m->list[--m->count];
        m->list[k] = last;
        m->slot[last] = k;
        m->slot[p] = UINT32_MAX;
    }
}

/* One random complete run's visible labels into labels[]; 0 when the walk
 * got stuck or too long (the caller retries). Transitions are drawn among
 * the enabled ones (one with several marked inputs is listed once per input,
 * which only skews the draw). */
static size_t play(const ab_net *net, const consumers *cs, uint64_t *seed, int64_t *tokens,
                   marked *mk, uint32_t *enabled, uint32_t *labels, size_t cap)
{
    uint32_t np = ab_net_place_count(net);
    memset(tokens, 0, sizeof(int64_t) * np);
    for (uint32_t p = 0; p < np; p++) {
        mk->slot[p] = UINT32_MAX;
    }
    mk->count = 0;
    tokens[ab_net_source(net)] = 1;
    mark_add(mk, ab_net_source(net));
    size_t n = 0;
    for (size_t step = 0; step < cap * 4; step++) {
        if (mk->count == 1 && mk->list[0] == ab_net_sink(net) && tokens[mk->list[0]] == 1) {
            return n;
        }
        uint32_t ne = 0;
        for (uint32_t k = 0; k < mk->count; k++) {
            uint32_t p = mk->list[k];
            for (uint32_t i = cs->first[p]; i < cs->first[p + 1]; i++) {
                const ab_net_transition *x = ab_net_transition_at(net, cs->list[i]);
                int ok = 1;
                for (uint32_t a = 0; a < x->in_count && ok; a++) {
                    ok = tokens[x->in[a].place] >= x->in[a].weight;
                }
                if (ok) {
                    enabled[ne++] = cs->list[i];
                }
            }
        }
        if (ne == 0) {
            return 0;
        }
        const ab_net_transition *x = ab_net_transition_at(net, enabled[rnd(seed) % ne]);
        for (uint32_t a = 0; a < x->in_count; a++) {
            tokens[x->in[a].place] -= x->in[a].weight;
            if (tokens[x->in[a].place] == 0) {
                mark_remove(mk, x->in[a].place);
            }
        }
        for (uint32_t a = 0; a < x->out_count; a++) {
            tokens[x->out[a].place] += x->out[a].weight;
            mark_add(mk, x->out[a].place);
        }
        if (x->label != NULL) {
            if (n == cap) {
                return 0;
            }
            labels[n++] = x->label_id;
        }
    }
    return 0;
}

static int simulate(ab_ctx *ctx, const ab_net *net, uint32_t traces, double noise, ab_log **out)
{
    ab_log_builder *b;
    if (ab_log_builder_create(&b, ctx, NULL) != AB_OK) {
        return 1;
    }
    uint32_t np = ab_net_place_count(net), nt = ab_net_transition_count(net);
    consumers cs;
    marked mk;
    size_t cap = 4096;
    int64_t *tokens = malloc(sizeof(int64_t) * (np + 1));
    uint32_t *enabled = NULL;
    uint32_t *labels = malloc(sizeof(uint32_t) * (cap + 2));
    mk.list = malloc(sizeof(uint32_t) * (np + 1));
    mk.slot = malloc(sizeof(uint32_t) * (np + 1));
    if (tokens == NULL || labels == NULL || mk.list == NULL || mk.slot == NULL ||
        consumers_build(net, &cs) != 0) {
        return 1;
    }
    enabled = malloc(sizeof(uint32_t) * ((size_t)cs.first[np] + nt + 1));
    if (enabled == NULL) {
        return 1;
    }
    uint64_t seed = 0x2026;
    for (uint32_t k = 0; k < traces; k++) {
        size_t n = 0;
        for (int tries = 0; tries < 100 && n == 0; tries++) {
            n = play(net, &cs, &seed, tokens, &mk, enabled, labels, cap);
        }
        if (n == 0) {
            fprintf(stderr, "simulate: no complete run found\n");
            return 1;
        }
        if ((double)(rnd(&seed) % 10000) / 10000.0 < noise) {
            size_t i = rnd(&seed) % n;
            switch (rnd(&seed) % 3) {
            case 0: /* skip */
                memmove(labels + i, labels + i + 1, sizeof(uint32_t) * (n - i - 1));
                n--;
                break;
            case 1: /* swap */
                if (i + 1 < n) {
                    uint32_t t = labels[i];
                    labels[i] = labels[i + 1];
                    labels[i + 1] = t;
                }
                break;
            default: /* an extra step */
                memmove(labels + i + 1, labels + i, sizeof(uint32_t) * (n - i));
                labels[i] = (uint32_t)(rnd(&seed) % ab_net_label_count(net));
                n++;
                break;
            }
        }
        char cid[32];
        snprintf(cid, sizeof(cid), "sim%06u", k);
        for (size_t i = 0; i < n; i++) {
            ab_event_in ev;
            memset(&ev, 0, sizeof(ev));
            ev.case_id = cid;
            ev.case_id_len = strlen(cid);
            ev.activity = ab_net_label(net, labels[i]);
            ev.activity_len = strlen(ev.activity);
            ev.ts = (ab_time)((int64_t)k * 100000 + (int64_t)i) * 1000000;
            ev.start_ts = AB_TIME_NONE;
            if (ab_log_builder_add_event(b, &ev, NULL) != AB_OK) {
                return 1;
            }
        }
    }
    free(tokens);
    free(enabled);
    free(labels);
    free(mk.list);
    free(mk.slot);
    free(cs.first);
    free(cs.list);
    return ab_log_builder_finish(b, out, NULL) != AB_OK;
}

/* CASES cases of PER_CASE events, every activity "u<case>_<event>" of its own. */
static int distinct_log(ab_ctx *ctx, uint32_t cases, uint32_t per_case, ab_log **out)
{
    ab_log_builder *b;
    if (ab_log_builder_create(&b, ctx, NULL) != AB_OK) {
        return 1;
    }
    for (uint32_t k = 0; k < cases; k++) {
        char cid[32], act[64];
        snprintf(cid, sizeof(cid), "c%u", k + 1);
        for (uint32_t i = 0; i < per_case; i++) {
            snprintf(act, sizeof(act), "u%u_%u", k + 1, i + 1);
            ab_event_in ev;
            memset(&ev, 0, sizeof(ev));
            ev.case_id = cid;
            ev.case_id_len = strlen(cid);
            ev.activity = act;
            ev.activity_len = strlen(act);
            ev.ts = (ab_time)((int64_t)k * 86400 + (int64_t)i * 60) * 1000000;
            ev.start_ts = AB_TIME_NONE;
            if (ab_log_builder_add_event(b, &ev, NULL) != AB_OK) {
                return 1;
            }
        }
    }
    return ab_log_builder_finish(b, out, NULL) != AB_OK;
}

static const char *const pairs[][3] = {
    {"pm4py_running-example.xes", "pm4py_running-example.bpmn", NULL},
    {"pm4py_08_receipt.xes.gz", "pm4py_receipt.bpmn", NULL},
    {"pm4py_receipt.csv", "pm4py_receipt.bpmn", NULL},
    {"pm4py_09_a32f0n00.xes.gz", "pm4py_a32f0n00.bpmn", NULL},
    {"simod_LoanApp_simplified.csv.gz", "simod_LoanApp_simplified.bpmn", NULL},
    {"simod_LoanApp_simplified_without_approve_loan_offer.csv", "simod_LoanApp_simplified.bpmn",
     NULL},
    {"simod_branch_rules_or_1.csv.gz", "simod_branch_rules_or.bpmn", "end_time"},
    {"simod_PurchasingExample.xes.gz", "simod_PurchasingExample.bpmn", NULL},
    {"bpic2020_DomesticDeclarations.xes.gz", "bpic2020_declaration_documents.bpmn", NULL},
    /* 1,199 cases, 1,137 variants, a 398-task map: 80% of the events are log moves. */
    {"simod_BPIC15_1.csv.gz", "simod_BPIC15_1.bpmn", NULL},
};

int main(int argc, char **argv)
{
    int repeat = 3;
    const char *data = getenv("AB_SHARED_DATA");
    const char *sim_map = NULL;
    uint32_t traces = 1000;
    double noise = 0.2;
    uint32_t distinct_cases = 0, distinct_per = 0;
    int only_distinct = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--repeat=", 9) == 0) {
            repeat = atoi(argv[i] + 9);
        } else if (strncmp(argv[i], "--data=", 7) == 0) {
            data = argv[i] + 7;
        } else if (strncmp(argv[i], "--simulate=", 11) == 0) {
            sim_map = argv[i] + 11;
        } else if (strncmp(argv[i], "--traces=", 9) == 0) {
            traces = (uint32_t)atoi(argv[i] + 9);
        } else if (strncmp(argv[i], "--noise=", 8) == 0) {
            noise = atof(argv[i] + 8);
        } else if (strncmp(argv[i], "--distinct=", 11) == 0 &&
                   sscanf(argv[i] + 11, "%u:%u", &distinct_cases, &distinct_per) == 2) {
        } else if (strcmp(argv[i], "--only-distinct") == 0) {
            only_distinct = 1;
        } else {
            fprintf(stderr, "usage: bench_conform [--repeat=N] [--data=DIR] "
                            "[--simulate=MAP [--traces=N] [--noise=P]] "
                            "[--distinct=CASES:PER_CASE [--only-distinct]]\n");
            return 2;
        }
    }
    if (data == NULL) {
        data = "../shared/data";
    }
    ab_ctx *ctx;
    if (ab_ctx_create(&ctx, NULL) != AB_OK) {
        return 1;
    }
    printf("# fastest of %d runs after a warm-up; align_Nt uses every online core; check_1t "
           "with the ambiguity check; chk/1t = processor time with / without the check, one "
           "thread; ratio = PM4Py alignments time / align_1t\n",
           repeat);
    header();
    for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]) && !only_distinct; k++) {
        char log_path[4096], map_path[4096], exp_path[4096];
        snprintf(log_path, sizeof(log_path), "%s/logs/%s", data, pairs[k][0]);
        snprintf(map_path, sizeof(map_path), "%s/models/%s", data, pairs[k][1]);
        snprintf(exp_path, sizeof(exp_path), "%s/expected/%s__%s.json", data, pairs[k][0],
                 pairs[k][1]);
        FILE *f = fopen(log_path, "rb");
        if (f == NULL) {
            continue;
        }
        fclose(f);
        ab_log *log;
        ab_net *net;
        double load_s;
        if (load(ctx, log_path, map_path, pairs[k][2], &log, &net, &load_s) != 0) {
            return 1;
        }
        result one, all, chk;
        if (best_of(log, net, 1, 0, repeat, &one) != 0 ||
            best_of(log, net, 0, 0, repeat, &all) != 0 ||
            best_of(log, net, 1, 1, repeat, &chk) != 0) {
            return 1;
        }
        char *doc = slurp(exp_path);
        char name[256];
        snprintf(name, sizeof(name), "%s", pairs[k][0]);
        report(name, log, load_s, &one, &all, &chk, pm4py_alignment_time(doc));
        free(doc);
        ab_log_destroy(log);
        ab_net_destroy(net);
    }
    if (sim_map != NULL) {
        ab_log *log;
        ab_net *net;
        double load_s;
        if (load(ctx, NULL, sim_map, NULL, &log, &net, &load_s) != 0) {
            return 1;
        }
        double t0 = now();
        if (simulate(ctx, net, traces, noise, &log) != 0) {
            return 1;
        }
        double sim_s = now() - t0;
        result one, all, chk;
        if (best_of(log, net, 1, 0, repeat, &one) != 0 ||
            best_of(log, net, 0, 0, repeat, &all) != 0 ||
            best_of(log, net, 1, 1, repeat, &chk) != 0) {
            return 1;
        }
        char name[256];
        snprintf(name, sizeof(name), "simulated (%u traces, noise %.2f; %.1fs to simulate)", traces,
                 noise, sim_s);
        report(name, log, load_s, &one, &all, &chk, -1);
        printf("# %s: %u places, %u transitions\n", sim_map, ab_net_place_count(net),
               ab_net_transition_count(net));
        ab_log_destroy(log);
        ab_net_destroy(net);
    }
    if (distinct_cases > 0) {
        char map_path[4096];
        snprintf(map_path, sizeof(map_path), "%s/models/pm4py_running-example.bpmn", data);
        ab_log *log;
        ab_net *net;
        double load_s;
        if (load(ctx, NULL, map_path, NULL, &log, &net, &load_s) != 0 ||
            distinct_log(ctx, distinct_cases, distinct_per, &log) != 0) {
            return 1;
        }
        result one, all, chk;
        if (best_of(log, net, 1, 0, repeat, &one) != 0 ||
            best_of(log, net, 0, 0, repeat, &all) != 0 ||
            best_of(log, net, 1, 1, repeat, &chk) != 0) {
            return 1;
        }
        char name[256];
        snprintf(name, sizeof(name), "distinct activities (%u x %u, running-example map)",
                 distinct_cases, distinct_per);
        report(name, log, load_s, &one, &all, &chk, -1);
        ab_log_destroy(log);
        ab_net_destroy(net);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("# peak RSS of the whole process %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    ab_ctx_destroy(ctx);
    return 0;
}
