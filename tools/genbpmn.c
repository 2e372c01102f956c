/*
 * tools/genbpmn.c: writes a large, structured BPMN map for benchmarks: one
 * process of nested blocks (sequences, exclusive, parallel and inclusive
 * splits with their joins, rework loops) with a given number of tasks and no
 * diagram. The same seed gives the same file, so benchmark runs compare.
 * With --branches N the map is instead one parallel split into N branches of
 * one task each and their join: the widest concurrency a map of N tasks can
 * have, whose state space has 2^N markings.
 *
 * With --log FILE it also writes an XES log of --traces K cases that fit
 * such a map, each its tasks in an order drawn with the seed.
 *
 *   genbpmn --tasks 2000 --seed 1 -o big.bpmn
 *   genbpmn --branches 5000 -o wide.bpmn --log wide.xes --traces 20
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gen {
    FILE *out;
    uint64_t rng;      /* xorshift state */
    unsigned tasks;    /* Tasks still to place. */
    unsigned next_id;  /* For unique ids. */
    unsigned max_depth;
    unsigned width;    /* Most branches of a split. */
} gen;

static uint32_t rnd(gen *g, uint32_t n)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return (uint32_t)(g->rng % n);
}

static unsigned new_id(gen *g)
{
    return g->next_id++;
}

static void flow(gen *g, unsigned from, unsigned to)
{
    fprintf(g->out, "    <bpmn:sequenceFlow id=\"f%u\" sourceRef=\"n%u\" targetRef=\"n%u\"/>\n",
            new_id(g), from, to);
}

static unsigned node(gen *g, const char *tag, const char *extra)
{
    unsigned id = new_id(g);
    fprintf(g->out, "    <bpmn:%s id=\"n%u\"%s/>\n", tag, id, extra);
    return id;
}

static unsigned task(gen *g)
{
    unsigned id = new_id(g);
    fprintf(g->out, "    <bpmn:task id=\"n%u\" name=\"Task %u\"/>\n", id, id);
    if (g->tasks > 0) {
        g->tasks--;
    }
    return id;
}

/* A block between a fresh entry and exit node; returns them. */
static void block(gen *g, unsigned depth, unsigned budget, unsigned *in, unsigned *out)
{
    if (budget <= 1 || depth >= g->max_depth) {
        *in = *out = task(g);
        return;
    }
    uint32_t kind = rnd(g, 10);
    if (kind < 4) {
        /* A sequence of two to four blocks. */
        unsigned parts = 2 + rnd(g, 3);
        if (parts > budget) {
            parts = budget;
        }
        unsigned prev_out = 0;
        for (unsigned k = 0; k < parts; k++) {
            unsigned bi, bo;
            block(g, depth + 1, budget / parts, &bi, &bo);
            if (k == 0) {
                *in = bi;
            } else {
                flow(g, prev_out, bi);
            }
            prev_out = bo;
        }
        *out = prev_out;
        return;
    }
    if (kind == 9) {
        /* A rework loop: merge, body, decision back to the merge. */
        unsigned merge = node(g, "exclusiveGateway", "");
        unsigned bi, bo;
        block(g, depth + 1, budget - 1, &bi, &bo);
        unsigned decide = node(g, "exclusiveGateway", "");
        flow(g, merge, bi);
        flow(g, bo, decide);
        flow(g, decide, merge);
        *in = merge;
        *out = decide;
        return;
    }
    const char *gw = kind < 6 ? "exclusiveGateway" : kind < 8 ? "parallelGateway" : "inclusiveGateway";
    unsigned branches = 2 + rnd(g, g->width - 1);
    if (branches > budget) {
        branches = budget;
    }
    unsigned split = node(g, gw, "");
    unsigned join = node(g, gw, "");
    for (unsigned k = 0; k < branches; k++) {
        unsigned bi, bo;
        block(g, depth + 1, budget / branches, &bi, &bo);
        if (strcmp(gw, "inclusiveGateway") == 0) {
            fprintf(g->out,
                    "    <bpmn:sequenceFlow id=\"f%u\" sourceRef=\"n%u\" targetRef=\"n%u\">"
                    "<bpmn:conditionExpression>c%u</bpmn:conditionExpression>"
                    "</bpmn:sequenceFlow>\n",
                    new_id(g), split, bi, k);
        } else {
            flow(g, split, bi);
        }
        flow(g, bo, join);
    }
    *in = split;
    *out = join;
}

static int usage(void)
{
    fprintf(stderr, "usage: genbpmn [--tasks N] [--seed S] [--depth D] [--width W] [-o FILE]\n"
                    "       genbpmn --branches N [--seed S] [-o FILE] [--log LOG --traces K]\n"
                    "           one parallel split into N one-task branches and its join; --log\n"
                    "           writes K cases that fit it (XES, tasks in a random order)\n");
    return 2;
}

/* K cases of the parallel map, each a shuffle of its tasks (task k is "Task 6+3k": ids 1-4
 * are the events and gateways, 5 the first flow, and each branch takes three ids). */
static int fitting_log(gen *g, unsigned branches, unsigned traces, const char *path)
{
    FILE *f = fopen(path, "w");
    unsigned *perm = malloc(sizeof(unsigned) * branches);
    if (f == NULL || perm == NULL) {
        perror(path);
        free(perm);
        if (f != NULL) {
            fclose(f);
        }
        return 4;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<log xes.version=\"1.0\">\n");
    for (unsigned c = 0; c < traces; c++) {
        for (unsigned k = 0; k < branches; k++) {
            perm[k] = k;
        }
        for (unsigned k = branches; k > 1; k--) {
            unsigned j = rnd(g, k), tmp = perm[k - 1];
            perm[k - 1] = perm[j];
            perm[j] = tmp;
        }
        fprintf(f, "<trace><string key=\"concept:name\" value=\"case %u\"/>\n", c + 1);
        for (unsigned k = 0; k < branches; k++) {
            unsigned long long s = (unsigned long long)c * 86400ull + k;
            fprintf(
                f,
                "<event><string key=\"concept:name\" value=\"Task %u\"/><date "
                "key=\"time:timestamp\" value=\"2024-%02llu-%02lluT%02llu:%02llu:%02llu.000Z\"/>"
                "</event>\n",
                6 + 3 * perm[k], 1 + s / 86400 / 28 % 12, 1 + s / 86400 % 28, s / 3600 % 24,
                s / 60 % 60, s % 60);
        }
        fprintf(f, "</trace>\n");
    }
    fprintf(f, "</log>\n");
    free(perm);
    if (fclose(f) != 0) {
        perror(path);
        return 4;
    }
    return 0;
}

/* start -> parallel split -> N tasks -> parallel join -> end. */
static void parallel_branches(gen *g, unsigned branches)
{
    unsigned start = node(g, "startEvent", "");
    unsigned split = node(g, "parallelGateway", "");
    unsigned join = node(g, "parallelGateway", "");
    unsigned end = node(g, "endEvent", "");
    flow(g, start, split);
    for (unsigned k = 0; k < branches; k++) {
        unsigned t = task(g);
        flow(g, split, t);
        flow(g, t, join);
    }
    flow(g, join, end);
}

int main(int argc, char **argv)
{
    gen g;
    memset(&g, 0, sizeof(g));
    unsigned tasks = 2000, depth = 6, branches = 0, traces = 10;
    const char *log_path = NULL;
    unsigned long long seed = 1;
    const char *path = NULL;
    g.width = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tasks") == 0 && i + 1 < argc) {
            tasks = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--depth") == 0 && i + 1 < argc) {
            depth = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--width") == 0 && i + 1 < argc) {
            g.width = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--branches") == 0 && i + 1 < argc) {
            branches = (unsigned)strtoul(argv[++i], NULL, 10);
            if (branches == 0) {
                return usage();
            }
        } else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc) {
            log_path = argv[++i];
        } else if (strcmp(argv[i], "--traces") == 0 && i + 1 < argc) {
            traces = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else {
            return usage();
        }
    }
    if (tasks == 0 || g.width < 2 || depth == 0 || (log_path != NULL && branches == 0)) {
        return usage();
    }
    g.out = path != NULL ? fopen(path, "w") : stdout;
    if (g.out == NULL) {
        perror(path);
        return 4;
    }
    g.rng = seed * 2654435761u + 88172645463325252ull;
    g.tasks = tasks;
    g.max_depth = depth;
    g.next_id = 1;
    fprintf(g.out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" "
                   "id=\"generated\" exporter=\"genbpmn\">\n"
                   "  <bpmn:process id=\"process\" name=\"Generated process\">\n");
    if (branches > 0) {
        parallel_branches(&g, branches);
    }
    unsigned start = branches > 0 ? 0 : node(&g, "startEvent", "");
    unsigned prev = start;
    /* Blocks of about 40 tasks in sequence until the budget is spent. */
    while (branches == 0 && g.tasks > 0) {
        unsigned bi, bo, budget = g.tasks < 40 ? g.tasks : 40;
        block(&g, 0, budget, &bi, &bo);
        flow(&g, prev, bi);
        prev = bo;
    }
    if (branches == 0) {
        unsigned end = node(&g, "endEvent", "");
        flow(&g, prev, end);
    }
    fprintf(g.out, "  </bpmn:process>\n</bpmn:definitions>\n");
    if (path != NULL && fclose(g.out) != 0) {
        perror(path);
        return 4;
    }
    return log_path != NULL ? fitting_log(&g, branches, traces, log_path) : 0;
}
