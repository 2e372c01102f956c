/*
 * bench/bench_model.c: load and compile speed of documented maps. For each
 * BPMN file it times, in the same process, (1) the baseline: libxml2 parsing
 * the same bytes into a tree (what any BPMN tool pays at least), (2) reading
 * the map with ab_bpmn_read, (3) compiling it to a workflow net, and (4) the
 * soundness check, keeping the fastest of --repeat runs after a warm-up.
 * Usage: bench_model [--repeat N] MAP.bpmn...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "asbuilt/asbuilt.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

typedef struct timing {
    double xml, read, compile, check;
    uint32_t tasks, places, transitions;
    uint64_t states;
    int sound;
} timing;

static int run_once(ab_ctx *ctx, const char *path, const char *text, size_t len, timing *t)
{
    double t0 = now();
    xmlDocPtr doc = xmlReadMemory(text, (int)len, path, NULL, XML_PARSE_NONET);
    t->xml = now() - t0;
    if (doc == NULL) {
        fprintf(stderr, "%s: libxml2 cannot parse it\n", path);
        return 1;
    }
    xmlFreeDoc(doc);

    ab_error err;
    ab_bpmn *m;
    t0 = now();
    if (ab_bpmn_read(&m, ctx, path, NULL, &err) != AB_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return 1;
    }
    t->read = now() - t0;
    ab_net *net;
    t0 = now();
    if (ab_net_compile(&net, ctx, m, NULL, &err) != AB_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        ab_bpmn_destroy(m);
        return 1;
    }
    t->compile = now() - t0;
    ab_net_verdict v;
    t0 = now();
    if (ab_net_check(net, NULL, &v, &err) != AB_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        ab_net_destroy(net);
        ab_bpmn_destroy(m);
        return 1;
    }
    t->check = now() - t0;
    t->tasks = ab_bpmn_count(m, AB_BPMN_TASK, -1);
    t->places = ab_net_place_count(net);
    t->transitions = ab_net_transition_count(net);
    t->states = v.states;
    t->sound = v.sound;
    ab_net_destroy(net);
    ab_bpmn_destroy(m);
    return 0;
}

static double min2(double a, double b)
{
    return a < b ? a : b;
}

int main(int argc, char **argv)
{
    int repeat = 5;
    int first = 1;
    if (argc > 2 && strncmp(argv[1], "--repeat=", 9) == 0) {
        repeat = atoi(argv[1] + 9);
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: bench_model [--repeat=N] MAP.bpmn...\n");
        return 2;
    }
    ab_ctx *ctx;
    if (ab_ctx_create(&ctx, NULL) != AB_OK) {
        return 4;
    }
    printf("| map | KB | tasks | net P/T | libxml2 tree (ms) | read (ms) | compile (ms) | "
           "read+compile / libxml2 | soundness (ms, states) |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    int rc = 0;
    for (int i = first; i < argc; i++) {
        size_t len;
        char *text = slurp(argv[i], &len);
        if (text == NULL) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            rc = 4;
            continue;
        }
        timing best = {1e9, 1e9, 1e9, 1e9, 0, 0, 0, 0, 0};
        for (int r = 0; r <= repeat; r++) {
            timing t;
            if (run_once(ctx, argv[i], text, len, &t) != 0) {
                rc = 3;
                break;
            }
            if (r == 0) {
                best.tasks = t.tasks; /* warm-up run: counts only */
                continue;
            }
            best.xml = min2(best.xml, t.xml);
            best.read = min2(best.read, t.read);
            best.compile = min2(best.compile, t.compile);
            best.check = min2(best.check, t.check);
            best.tasks = t.tasks;
            best.places = t.places;
            best.transitions = t.transitions;
            best.states = t.states;
            best.sound = t.sound;
        }
        free(text);
        const char *name = strrchr(argv[i], '/');
        printf("| %s | %.0f | %u | %u/%u | %.2f | %.2f | %.2f | %.1f | %.2f, %llu%s |\n",
               name ? name + 1 : argv[i], (double)len / 1024.0, best.tasks, best.places,
               best.transitions, best.xml * 1e3, best.read * 1e3, best.compile * 1e3,
               (best.read + best.compile) / best.xml, best.check * 1e3,
               (unsigned long long)best.states, best.sound == AB_NET_UNKNOWN ? " (limit)" : "");
    }
    ab_ctx_destroy(ctx);
    return rc;
}
