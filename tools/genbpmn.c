/*
 * tools/genbpmn.c: writes a large, structured BPMN map for benchmarks: one
 * process of nested blocks (sequences, exclusive, parallel and inclusive
 * splits with their joins, rework loops) with a given number of tasks and no
 * diagram. The same seed gives the same file, so benchmark runs compare.
 * With --branches N the map is instead one parallel split into N branches of
 * one task each and their join: the widest concurrency a map of N tasks can
 * have, whose state space has 2^N markings.
 *
 *   genbpmn --tasks 2000 --seed 1 -o big.bpmn
 *   genbpmn --branches 5000 -o wide.bpmn
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
                    "       genbpmn --branches N [-o FILE]   one parallel split into N one-task\n"
                    "                                        branches and its join\n");
    return 2;
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
    unsigned tasks = 2000, depth = 6, branches = 0;
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
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else {
            return usage();
        }
    }
    if (tasks == 0 || g.width < 2 || depth == 0) {
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
    return 0;
}
