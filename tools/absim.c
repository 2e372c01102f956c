/*
 * tools/absim.c: simulates a documented BPMN map into an event log, injects deviations at given
 * rates, and writes the exact ground truth of what was injected and how `asbuilt diff` must
 * classify it (spec gap-metrics.md, rule R3). The map is compiled by the engine; cases are seeded
 * walks on the compiled net's reachable markings, so concurrency yields interleavings and loops
 * repeat up to a bound.
 *
 * A deviation is kept only when it is detectable and has one explanation: every optimal
 * alignment of the deviating trace costs what was injected and classifies into what was
 * injected (absim_check.c), and the engine's own replay accepts each clean trace and rejects
 * each deviating one. The output depends on the options and the seed only.
 */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "absim_int.h"
#include "asbuilt/asbuilt.h"

#include "gen_util.h"

/* Exit codes, the same as the asbuilt command's (spec/cli.md). */
enum {
    EXIT_OK = 0,
    EXIT_USAGE = 2,
    EXIT_DATA = 3,
    EXIT_IO = 4,
};

#define MAX_CASES 100000000ULL
/* Deviations per case at most (each costs at most 2 in the alignment checked). */
#define MAX_DEVIATIONS 4
/* Placements tried per deviation before the case is left without it. */
#define MAX_TRIES 24
/*
 * A repeated step is placed after 1 to REPEAT_SPAN other events following the original. Right
 * after it ("a a") never: the two optimal alignments differ only in which a is synchronous, and
 * rule R3 calls one of them an extra step and the other rework, so the class would be the
 * engine's tie-break.
 */
#define REPEAT_SPAN 2
/* The truth's case lines are kept in memory up to this size, then spilled to a temporary file. */
#define SPILL_BYTES (16u << 20)
/* Draws of a case's resources before --resources is called too small for --sod. */
#define MAX_WHO_TRIES 64u
/* Runs drawn in a row for one case before a map whose runs are all silent is refused. */
#define MAX_SILENT_RUNS 10000u
/* Distinct traces replayed by the engine as a cross-check (see engine_accepts). */
#define REPLAY_BUDGET 20000

#define SEC_MS 1000LL
#define MIN_MS (60 * SEC_MS)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
/* 2024-01-01T08:00:00Z: the first case's start. */
#define START_MS 1704096000000LL

enum kind { K_SKIP, K_INSERT, K_REPEAT, K_SWAP, K_COUNT };
static const char *const kind_names[K_COUNT] = {"skip", "insert", "repeat", "swap"};
/* The alignment cost of each kind. */
static const uint32_t kind_cost[K_COUNT] = {1, 1, 1, 2};

/* Class names as `asbuilt diff --cases` writes them, indexed by enum sim_class. */
static const char *const class_names[] = {
    "out_of_order",          "undocumented_rework", "substitution",
    "undocumented_activity", "extra_step",          "bypass",
};

static const char *const default_inserts[] = {"Call customer back", "Manual override",
                                              "Email supervisor"};

/* ---------------------------------------------------------------------------------------------
 * Options
 */

enum { FMT_XES, FMT_CSV };

typedef struct opts {
    const char *map_path; /* MAP.bpmn. */
    uint64_t cases;       /* --cases. */
    int have_cases;
    uint64_t seed;                  /* --seed (default 1). */
    int format;                     /* FMT_XES or FMT_CSV. */
    int gzip;                       /* --gzip. */
    const char *output;             /* -o FILE. */
    const char *truth;              /* --truth FILE. */
    double rate[K_COUNT];           /* --skip, --insert, --repeat, --swap. */
    const char *rate_text[K_COUNT]; /* As given, for the truth file. */
    uint32_t max_dev;               /* --max-deviations-per-case (default 1). */
    int64_t delay_ms[K_COUNT];      /* --delay KIND=HOURS, in ms (0 = none). */
    const char *mapping;            /* --map FILE. */
    const char *inserts;            /* --insert-activities "a,b". */
    int start_complete;             /* --start-complete. */
    const char *process;            /* --process ID. */
    uint32_t loop_limit;            /* --loop-limit (default 3). */
    uint32_t max_states;            /* --max-states (default 200000). */
    int quiet;                      /* -q. */
    /* Who did the work: 0 resources = one per lane, named as the lane. */
    uint32_t resources;      /* --resources K: resources per lane. */
    double shared;           /* --shared-resources (default 0.1). */
    const char *shared_text; /* As given, for the truth file. */
    const char *roles_out;   /* --roles-out FILE. */
    const char *sod;         /* --sod FILE. */
    double wrong_role;       /* --wrong-role. */
    const char *wrong_role_text;
    double sod_violation; /* --sod-violation. */
    const char *sod_violation_text;
} opts;

static const char usage_text[] =
    "Usage: absim MAP.bpmn --cases N -o LOG --truth TRUTH.json [options]\n"
    "\n"
    "Simulates a documented BPMN map (through the workflow net the engine compiles) into an\n"
    "event log, injects deviations at the given rates, and writes the exact ground truth: what\n"
    "was injected in each case and how `asbuilt diff` must classify it (gap-metrics.md, R3).\n"
    "\n"
    "  --cases N              cases to simulate (suffix k = 1000, M = 1000000)\n"
    "  --seed S               seed of the random numbers (default 1); the same seed and options\n"
    "                         give byte-identical log and truth\n"
    "  --format xes|csv       log format (default xes)\n"
    "  --gzip                 compress the log with gzip\n"
    "  -o, --output LOG       the log file (required)\n"
    "  --truth FILE           the ground truth as JSON (required)\n"
    "  --skip R               share of cases with a mandatory step left out (bypass)\n"
    "  --insert R             share of cases with an undocumented activity inserted\n"
    "  --repeat R             share of cases with a step done again after one or two other\n"
    "                         steps (undocumented rework)\n"
    "  --swap R               share of cases with two sequential steps swapped (out of order)\n"
    "                         (rates are 0 to 1 and add up to at most 1)\n"
    "  --delay KIND=HOURS     every case with a deviation of KIND (skip, insert, repeat, swap)\n"
    "                         waits HOURS longer (decimal, up to 10000) before the step at the\n"
    "                         deviation's position (before the second step when that is the\n"
    "                         first): its cycle time grows by exactly HOURS, a known effect for\n"
    "                         checking time impacts; may be given once per kind. The random\n"
    "                         draws do not change, so the log equals the one without --delay but\n"
    "                         for those times. The truth records each case's delay_ms\n"
    "  --max-deviations-per-case K\n"
    "                         deviations a case may get, 1 to 4 (default 1); with K > 1 each of\n"
    "                         K draws picks a kind with the rates above\n"
    "  --insert-activities \"A,B\"\n"
    "                         names of the inserted activities (default \"Call customer back,\n"
    "                         Manual override,Email supervisor\"); none may be a step of the map\n"
    "  --map FILE             label mapping (task,activity[,lane] lines): the log carries the\n"
    "                         mapped activity names, as `asbuilt diff --map FILE` expects\n"
    "  --process ID           simulate this process (pool) only\n"
    "  --start-complete       write a start and a complete event per step (default: complete)\n"
    "  --loop-limit L         after a transition fired L times in a case, prefer ways out\n"
    "                         (default 3)\n"
    "  --max-states N         largest state space explored (default 200000)\n";

/* The who-options (split: C99 compilers need to support only 4095-byte strings). */
static const char usage_who_text[] =
    "  --resources K          who did the work: each lane gets a pool of K resources named\n"
    "                         <lane>-<n> (n = 1..K, up to 10000), whose role is the lane; every\n"
    "                         event carries org:resource. A step is done by a member of its\n"
    "                         lane's pool (by who did it before in the case, when allowed); an\n"
    "                         inserted activity by a resource of the lane of the step before it\n"
    "                         (after it, when first); a step without a lane by anyone. The\n"
    "                         truth gains each case's \"who\" (role violations, SoD\n"
    "                         violations, undocumented hand-offs) as `asbuilt diff --cases`\n"
    "                         writes it. The log's steps and times equal those without\n"
    "                         --resources (resources come from their own random numbers).\n"
    "                         Without --resources each event's resource is its lane's name\n"
    "  --shared-resources R   share of the resources that also belong to a second lane, 0 to 1\n"
    "                         (default 0.1; none when the map has one lane)\n"
    "  --roles-out FILE       write the roles: resource,role lines, as `asbuilt diff --roles`\n"
    "                         reads them (two lines for a shared resource, its own lane first)\n"
    "  --sod FILE             segregation of duties: A,B lines (activities as in the log, or\n"
    "                         globs such as '*'; '#' comments). No resource does both steps of\n"
    "                         a listed pair in a case, except where --sod-violation puts one\n"
    "                         there. A pair is named once, as the first rule naming it has it\n"
    "  --wrong-role R         share of cases where one step is done by a resource none of\n"
    "                         whose roles is the step's lane (a role violation)\n"
    "  --sod-violation R      share of cases where one listed pair present in the case is done\n"
    "                         by one resource that holds both steps' lanes (not also a role\n"
    "                         violation)\n"
    "                         (who-options need --resources; where nothing fits, the truth's\n"
    "                         who_not_placed says so)\n";

static const char usage_tail_text[] =
    "  -q, --quiet            no summary on standard error\n"
    "  -h, --help             show this help\n"
    "\n"
    "A deviation is placed only where it is detectable and has one explanation: a skipped step\n"
    "is mandatory at that point and occurs once in the case; an inserted activity is carried by\n"
    "no step of the map; a repeated step occurs once and the map allows no repetition there;\n"
    "swapped steps are sequential, not concurrent. When no such place exists in a case, the\n"
    "case keeps fewer deviations and the truth says so (not_placed).\n"
    "\n"
    "Example:\n"
    "  absim invoice.bpmn --cases 5000 --seed 7 --skip 0.1 --insert 0.05 --repeat 0.05 \\\n"
    "        --swap 0.05 -o invoice.xes.gz --gzip --truth invoice.truth.json\n"
    "  asbuilt diff invoice.xes.gz --model invoice.bpmn --json gap.json\n"
    "\n"
    "Exit status: 0 success, 2 usage error, 3 bad map or --sod file, 4 I/O error.\n";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "absim: %s%s%s\nTry 'absim --help'.\n", msg, arg ? ": " : "", arg ? arg : "");
    return EXIT_USAGE;
}

/* A rate in [0, 1]: digits, at most one point; -1 otherwise. */
static int parse_rate(const char *str, double *out)
{
    char *end;
    if (*str == '\0' || strspn(str, "0123456789.") != strlen(str)) {
        return -1;
    }
    errno = 0;
    double v = strtod(str, &end);
    if (errno != 0 || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
        return -1;
    }
    *out = v;
    return 0;
}

/* Returns -1 to go on, or an exit code. Values come as the next argument or after '='. */
static int parse_args(int argc, char **argv, opts *o)
{
    static const char *const with_value[] = {
        "--cases",
        "--seed",
        "--format",
        "-o",
        "--output",
        "--truth",
        "--skip",
        "--insert",
        "--repeat",
        "--swap",
        "--max-deviations-per-case",
        "--delay",
        "--map",
        "--insert-activities",
        "--process",
        "--loop-limit",
        "--max-states",
        "--resources",
        "--shared-resources",
        "--roles-out",
        "--sod",
        "--wrong-role",
        "--sod-violation",
        NULL,
    };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (o->map_path != NULL) {
                return usage_error("one map only; unexpected argument", arg);
            }
            o->map_path = arg;
            continue;
        }
        char name[40];
        const char *val;
        const char *why = gen_option(argc, argv, &i, with_value, name, sizeof(name), &val);
        if (why != NULL) {
            return usage_error(why, strcmp(why, "option needs a value") == 0 ? name : arg);
        }

        if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
            fputs(usage_text, stdout);
            fputs(usage_who_text, stdout);
            fputs(usage_tail_text, stdout);
            return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
        } else if (strcmp(name, "--cases") == 0) {
            if (gen_parse_count(val, MAX_CASES, &o->cases) != 0 || o->cases == 0) {
                return usage_error("--cases wants a count from 1 to 10^8 (e.g. 5000, 20k)", val);
            }
            o->have_cases = 1;
        } else if (strcmp(name, "--seed") == 0) {
            if (gen_parse_count(val, UINT64_MAX, &o->seed) != 0 || strpbrk(val, "kM") != NULL) {
                return usage_error("--seed wants a decimal number below 2^64", val);
            }
        } else if (strcmp(name, "--format") == 0) {
            if (strcmp(val, "xes") == 0) {
                o->format = FMT_XES;
            } else if (strcmp(val, "csv") == 0) {
                o->format = FMT_CSV;
            } else {
                return usage_error("--format wants xes or csv", val);
            }
        } else if (strcmp(name, "--gzip") == 0) {
            o->gzip = 1;
        } else if (strcmp(name, "-o") == 0 || strcmp(name, "--output") == 0) {
            o->output = val;
        } else if (strcmp(name, "--truth") == 0) {
            o->truth = val;
        } else if (strcmp(name, "--skip") == 0 || strcmp(name, "--insert") == 0 ||
                   strcmp(name, "--repeat") == 0 || strcmp(name, "--swap") == 0) {
            int k = name[2] == 's' ? (name[3] == 'k' ? K_SKIP : K_SWAP)
                                   : (name[2] == 'i' ? K_INSERT : K_REPEAT);
            if (parse_rate(val, &o->rate[k]) != 0) {
                return usage_error("a rate is a number from 0 to 1 (e.g. 0.05)", val);
            }
            o->rate_text[k] = val;
        } else if (strcmp(name, "--delay") == 0) {
            const char *eq = strchr(val, '=');
            int kind = K_COUNT;
            for (int k = 0; eq != NULL && k < K_COUNT; k++) {
                if (strlen(kind_names[k]) == (size_t)(eq - val) &&
                    strncmp(val, kind_names[k], (size_t)(eq - val)) == 0) {
                    kind = k;
                }
            }
            if (kind == K_COUNT) {
                return usage_error("--delay wants KIND=HOURS, KIND one of skip, insert, repeat, "
                                   "swap",
                                   val);
            }
            const char *h = eq + 1;
            char *end;
            double hours = -1;
            if (*h != '\0' && strspn(h, "0123456789.") == strlen(h)) {
                errno = 0;
                hours = strtod(h, &end);
                hours = errno != 0 || *end != '\0' ? -1 : hours;
            }
            if (!(hours > 0 && hours <= 10000)) {
                return usage_error("--delay wants hours above 0 and at most 10000", val);
            }
            if (o->delay_ms[kind] != 0) {
                return usage_error("--delay given twice for one kind", val);
            }
            o->delay_ms[kind] = (int64_t)(hours * (double)HOUR_MS + 0.5);
            o->delay_ms[kind] = o->delay_ms[kind] > 0 ? o->delay_ms[kind] : 1;
        } else if (strcmp(name, "--max-deviations-per-case") == 0) {
            uint64_t k;
            if (gen_parse_count(val, MAX_DEVIATIONS, &k) != 0 || k == 0) {
                return usage_error("--max-deviations-per-case wants 1 to 4", val);
            }
            o->max_dev = (uint32_t)k;
        } else if (strcmp(name, "--map") == 0) {
            o->mapping = val;
        } else if (strcmp(name, "--insert-activities") == 0) {
            o->inserts = val;
        } else if (strcmp(name, "--start-complete") == 0) {
            o->start_complete = 1;
        } else if (strcmp(name, "--process") == 0) {
            o->process = val;
        } else if (strcmp(name, "--loop-limit") == 0) {
            uint64_t k;
            if (gen_parse_count(val, 1000, &k) != 0 || k == 0) {
                return usage_error("--loop-limit wants 1 to 1000", val);
            }
            o->loop_limit = (uint32_t)k;
        } else if (strcmp(name, "--max-states") == 0) {
            uint64_t k;
            if (gen_parse_count(val, 50000000, &k) != 0 || k == 0) {
                return usage_error("--max-states wants 1 to 50M", val);
            }
            o->max_states = (uint32_t)k;
        } else if (strcmp(name, "-q") == 0 || strcmp(name, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(name, "--resources") == 0) {
            uint64_t k;
            if (gen_parse_count(val, 10000, &k) != 0 || k == 0) {
                return usage_error("--resources wants 1 to 10000 resources per lane", val);
            }
            o->resources = (uint32_t)k;
        } else if (strcmp(name, "--shared-resources") == 0) {
            if (parse_rate(val, &o->shared) != 0) {
                return usage_error("--shared-resources wants a share from 0 to 1 (e.g. 0.1)", val);
            }
            o->shared_text = val;
        } else if (strcmp(name, "--roles-out") == 0) {
            o->roles_out = val;
        } else if (strcmp(name, "--sod") == 0) {
            o->sod = val;
        } else if (strcmp(name, "--wrong-role") == 0) {
            if (parse_rate(val, &o->wrong_role) != 0) {
                return usage_error("--wrong-role wants a rate from 0 to 1 (e.g. 0.05)", val);
            }
            o->wrong_role_text = val;
        } else if (strcmp(name, "--sod-violation") == 0) {
            if (parse_rate(val, &o->sod_violation) != 0) {
                return usage_error("--sod-violation wants a rate from 0 to 1 (e.g. 0.05)", val);
            }
            o->sod_violation_text = val;
        } else {
            return usage_error("unknown option", arg);
        }
    }
    if (o->map_path == NULL) {
        return usage_error("a map is required (absim MAP.bpmn --cases N ...)", NULL);
    }
    if (!o->have_cases) {
        return usage_error("--cases is required", NULL);
    }
    if (o->output == NULL || strcmp(o->output, "-") == 0) {
        return usage_error("-o LOG is required (a file: the log is renamed into place)", NULL);
    }
    if (o->truth == NULL) {
        return usage_error("--truth FILE is required", NULL);
    }
    /* Both files are renamed into place, which would replace a device or a
     * pipe (/dev/null) with a plain file. */
    struct stat st;
    if (stat(o->output, &st) == 0 && !S_ISREG(st.st_mode)) {
        return usage_error("-o must name a regular file (it is renamed into place)", o->output);
    }
    if (stat(o->truth, &st) == 0 && !S_ISREG(st.st_mode)) {
        return usage_error("--truth must name a regular file (it is renamed into place)",
                           o->truth);
    }
    if (o->resources == 0) {
        const char *who_opt = o->shared_text          ? "--shared-resources"
                              : o->roles_out          ? "--roles-out"
                              : o->sod                ? "--sod"
                              : o->wrong_role_text    ? "--wrong-role"
                              : o->sod_violation_text ? "--sod-violation"
                                                      : NULL;
        if (who_opt != NULL) {
            return usage_error("this option needs --resources K", who_opt);
        }
    }
    if (o->sod_violation > 0 && o->sod == NULL) {
        return usage_error("--sod-violation needs --sod FILE (the pairs it may put together)",
                           NULL);
    }
    if (o->roles_out != NULL) {
        if (strcmp(o->roles_out, "-") == 0 ||
            (stat(o->roles_out, &st) == 0 && !S_ISREG(st.st_mode))) {
            return usage_error("--roles-out must name a regular file (it is renamed into place)",
                               o->roles_out);
        }
        if (strcmp(o->roles_out, o->output) == 0 || strcmp(o->roles_out, o->truth) == 0) {
            return usage_error("--roles-out must differ from the log and the truth", o->roles_out);
        }
    }
    double sum = 0;
    for (int k = 0; k < K_COUNT; k++) {
        sum += o->rate[k];
    }
    if (sum > 1.0 + 1e-9) {
        return usage_error("the rates add up to more than 1", NULL);
    }
    return -1;
}

/* ---------------------------------------------------------------------------------------------
 * Output: the generators' shared sink (gen_util.h).
 */

typedef gen_sink sink;


static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) {
        q--;
    }
    return q;
}

/* H. Hinnant's days-to-civil-date algorithm. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static char *put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/* UTC milliseconds as "2024-01-01T08:00:00.000+00:00" (years 0 to 9999). */
static void put_time(sink *s, int64_t ms)
{
    int64_t days = floor_div(ms, DAY_MS);
    int64_t rem = ms - days * DAY_MS;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    char tmp[32];
    char *p = put_digits(tmp, (unsigned)y, 4);
    *p++ = '-';
    p = put_digits(p, (unsigned)m, 2);
    *p++ = '-';
    p = put_digits(p, (unsigned)d, 2);
    *p++ = 'T';
    p = put_digits(p, (unsigned)(rem / HOUR_MS), 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)(rem / MIN_MS % 60), 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)(rem / SEC_MS % 60), 2);
    *p++ = '.';
    p = put_digits(p, (unsigned)(rem % SEC_MS), 3);
    memcpy(p, "+00:00", 6);
    gen_put_mem(s, tmp, (size_t)(p + 6 - tmp));
}

/* ---------------------------------------------------------------------------------------------
 * The simulator
 */

typedef struct dev {
    uint32_t kind; /* enum kind. */
    uint32_t a;    /* The activity (label id); a swap's first in documented order. */
    uint32_t b;    /* A swap's second activity, else SIM_NONE. */
    uint32_t pos;  /* Position in the case's trace, see truth_case(). */
} dev;

typedef struct pair_count {
    uint32_t a, b;
    uint64_t cases;
    const char *name_a, *name_b; /* Set before sorting. */
} pair_count;

/* One segregation-of-duties rule: which activities (label ids) each side's pattern matches. */
typedef struct sod_rule {
    uint8_t *a, *b; /* n_labels + n_ins flags each. */
} sod_rule;

/* A listed pair done by one resource in the case. */
typedef struct sod_hit {
    uint32_t a, b, r;
} sod_hit;

/* Who did the work (--resources): pools, rules and the case's assignment. */
typedef struct who {
    int on;              /* --resources given. */
    sim_rng rng;         /* Its own draws: the log's steps and times do not change. */
    uint32_t lane_count; /* Lanes of the net's visible steps, in byte order. */
    const char **lanes;
    uint32_t *trans_lane; /* Per transition: lane index, or SIM_NONE. */
    uint32_t k;           /* --resources: resources of each lane's own. */
    uint32_t res_count;   /* lane_count * k; resource r's own lane is r / k. */
    char **res_name;
    uint32_t *res_second; /* Second lane, or SIM_NONE. */
    uint32_t *pool_first; /* Members of lane l: pool[pool_first[l] .. pool_first[l + 1]). */
    uint32_t *pool;
    uint8_t *documented; /* lane_count^2: documented hand-off a -> b. */
    uint8_t *held;       /* (lane_count + 1)^2: some resource holds both (lane_count = none). */
    sod_rule *rules;
    uint32_t rule_count;
    /* The case. */
    uint32_t *res;     /* Per event: resource. */
    uint32_t *scratch; /* Candidates. */
    uint32_t *forbid;  /* Resources a step may not have (SoD). */
    uint32_t res_cap;
    sod_hit *hits;
    uint32_t hit_cap;
    uint32_t inj_wrong;       /* Position of the injected role violation, or SIM_NONE. */
    uint32_t inj_sod[2];      /* Positions of the injected SoD pair, or SIM_NONE. */
    int miss_wrong, miss_sod; /* Requested and not placed in this case. */
    /* Totals. */
    uint64_t requested[2], placed[2]; /* wrong_role, sod_violation. */
    uint64_t cases_role, cases_sod, cases_handoff;
    uint64_t role_violations, sod_violations, handoffs, undocumented;
} who;

typedef struct sim {
    const opts *o;
    ab_ctx *ctx;
    const ab_net *net; /* The net simulated (relabelled with --map). */
    sim_graph g;
    sim_checker *chk;
    sim_seqmap *replay; /* Label sequences already replayed by the engine -> accepted. */
    uint64_t replayed;  /* Distinct sequences replayed by the engine. */
    const char **names; /* Activity of each label id, then the inserted activities. */
    uint32_t n_labels;  /* Visible labels of the net. */
    uint32_t n_ins;     /* Inserted activities. */
    sim_rng rng;
    int64_t next_arrival; /* Start of the next case, UTC ms. */
    /* The case being built. */
    uint32_t *walk, walk_len, walk_cap;
    uint32_t *counts;                       /* Per transition, scratch for walks. */
    uint32_t *ev_label, *ev_trans, *ev_dev; /* Per trace position. */
    uint32_t n, cap;
    uint32_t *cand; /* A candidate deviating trace. */
    uint32_t *pick; /* Candidate placements. */
    uint32_t *occ;  /* Per label id: occurrences in the trace (scratch, zeroed). */
    uint8_t *used;  /* Per label id: part of a deviation of this case. */
    dev devs[MAX_DEVIATIONS];
    uint32_t ndev;
    uint32_t unplaced[MAX_DEVIATIONS];
    uint32_t nunplaced;
    uint32_t delay_at[MAX_DEVIATIONS]; /* --delay: before which step ... */
    int64_t delay_by[MAX_DEVIATIONS];  /* ... how long. */
    uint32_t ndelay;
    int64_t delay_total;
    /* Ground truth. */
    uint64_t events, instances, deviating, cases_unplaced;
    uint64_t requested[K_COUNT], placed[K_COUNT], not_placed[K_COUNT];
    uint64_t *by_label[K_COUNT]; /* Cases per label id and kind (swap: both activities). */
    uint64_t *ins_events;        /* Inserted events per label id. */
    pair_count *pairs;
    size_t pair_count, pair_cap;
    ab_buf case_json; /* The truth's case lines not yet spilled. */
    FILE *case_spill; /* Case lines past SPILL_BYTES, in an anonymous temporary file. */
    sink out;
    who w;
} sim;

/* Makes room for `need` events in the per-position arrays and the scratch built from them. */
static int ev_reserve(sim *s, uint32_t need)
{
    if (need <= s->cap) {
        return 0;
    }
    uint32_t cap = s->cap ? s->cap : 64;
    while (cap < need) {
        cap *= 2;
    }
    uint32_t *a = realloc(s->ev_label, sizeof(uint32_t) * cap);
    if (a == NULL) {
        return -1;
    }
    s->ev_label = a;
    a = realloc(s->ev_trans, sizeof(uint32_t) * cap);
    if (a == NULL) {
        return -1;
    }
    s->ev_trans = a;
    a = realloc(s->ev_dev, sizeof(uint32_t) * cap);
    if (a == NULL) {
        return -1;
    }
    s->ev_dev = a;
    a = realloc(s->cand, sizeof(uint32_t) * cap);
    if (a == NULL) {
        return -1;
    }
    s->cand = a;
    a = realloc(s->pick, sizeof(uint32_t) * cap * REPEAT_SPAN);
    if (a == NULL) {
        return -1;
    }
    s->pick = a;
    s->cap = cap;
    return 0;
}

static void ev_insert(sim *s, uint32_t p, uint32_t label, uint32_t trans, uint32_t devid)
{
    memmove(s->ev_label + p + 1, s->ev_label + p, sizeof(uint32_t) * (s->n - p));
    memmove(s->ev_trans + p + 1, s->ev_trans + p, sizeof(uint32_t) * (s->n - p));
    memmove(s->ev_dev + p + 1, s->ev_dev + p, sizeof(uint32_t) * (s->n - p));
    s->ev_label[p] = label;
    s->ev_trans[p] = trans;
    s->ev_dev[p] = devid;
    s->n++;
    /* Positions at or after p move one on (a skip's gap stays before the event it preceded). */
    for (uint32_t i = 0; i < s->ndev; i++) {
        if (s->devs[i].pos >= p) {
            s->devs[i].pos++;
        }
    }
}

static void ev_remove(sim *s, uint32_t p)
{
    s->n--;
    memmove(s->ev_label + p, s->ev_label + p + 1, sizeof(uint32_t) * (s->n - p));
    memmove(s->ev_trans + p, s->ev_trans + p + 1, sizeof(uint32_t) * (s->n - p));
    memmove(s->ev_dev + p, s->ev_dev + p + 1, sizeof(uint32_t) * (s->n - p));
    for (uint32_t i = 0; i < s->ndev; i++) {
        if (s->devs[i].pos > p) {
            s->devs[i].pos--;
        }
    }
}

/* Whether an event may be put at position p: never between the two events of a swap. */
static int insertable(const sim *s, uint32_t p)
{
    if (p == 0 || p >= s->n) {
        return 1;
    }
    uint32_t d = s->ev_dev[p - 1];
    return d == SIM_NONE || d != s->ev_dev[p] || s->devs[d].kind != K_SWAP;
}

static sim_expect expect_of(const dev *d)
{
    sim_expect e = {0, {d->a, d->a}, 1};
    switch (d->kind) {
    case K_SKIP:
        e.cls = SIM_C_BYPASS;
        break;
    case K_INSERT:
        e.cls = SIM_C_UNDOCUMENTED;
        break;
    case K_REPEAT:
        e.cls = SIM_C_REWORK;
        break;
    default:
        e.cls = SIM_C_OUT_OF_ORDER;
        e.label[1] = d->b;
        e.label_alts = 2;
        break;
    }
    return e;
}

/*
 * Asks the checker whether the candidate trace s->cand[0..len) with the case's deviations plus
 * `add` has exactly the expected explanation. 1 yes, 0 no, -1 out of memory.
 */
static int candidate_ok(sim *s, uint32_t len, const dev *add)
{
    sim_expect exp[MAX_DEVIATIONS + 1];
    uint32_t cost = kind_cost[add->kind];
    for (uint32_t i = 0; i < s->ndev; i++) {
        exp[i] = expect_of(&s->devs[i]);
        cost += kind_cost[s->devs[i].kind];
    }
    exp[s->ndev] = expect_of(add);
    /*
     * An activity no step carries, inserted into a trace the net accepts, can only be a log
     * move, and every other event can then be synchronous: the one explanation, no search
     * needed.
     */
    if (s->ndev == 0 && add->kind == K_INSERT) {
        return 1;
    }
    return sim_check(s->chk, s->cand, len, cost, exp, s->ndev + 1);
}

/* Tries to place one deviation of the kind. Returns 1 placed, 0 not placed, -1 out of memory. */
static int place(sim *s, uint32_t kind)
{
    uint32_t n = s->n;
    uint32_t total = s->n_labels + s->n_ins;
    if (ev_reserve(s, n + 2) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        s->occ[s->ev_label[i]]++;
    }
    /* Candidates: an event that is a step of the map, occurs once, is not part of a deviation. */
    uint32_t np = 0;
    uint32_t ins = SIM_NONE;
    if (kind == K_INSERT) {
        uint32_t free_count = 0;
        for (uint32_t x = s->n_labels; x < total; x++) {
            free_count += !s->used[x];
        }
        if (free_count > 0) {
            uint32_t pick = sim_rng_below(&s->rng, free_count);
            for (uint32_t x = s->n_labels; x < total && ins == SIM_NONE; x++) {
                if (!s->used[x] && pick-- == 0) {
                    ins = x;
                }
            }
            for (uint32_t p = 0; p <= n; p++) {
                if (insertable(s, p)) {
                    s->pick[np++] = p;
                }
            }
        }
    } else {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t a = s->ev_label[i];
            if (a >= s->n_labels || s->occ[a] != 1 || s->used[a] || s->ev_dev[i] != SIM_NONE) {
                continue;
            }
            if (kind == K_SKIP) {
                /* A case keeps at least one event: an empty trace is no case in a log. */
                if (n > 1) {
                    s->pick[np++] = i;
                }
            } else if (kind == K_REPEAT) {
                for (uint32_t d = 2; d <= REPEAT_SPAN + 1 && i + d <= n; d++) {
                    if (insertable(s, i + d)) {
                        s->pick[np++] = i * REPEAT_SPAN + (d - 2);
                    }
                }
            } else if (i + 1 < n) {
                uint32_t b = s->ev_label[i + 1];
                if (b < s->n_labels && b != a && s->occ[b] == 1 && !s->used[b] &&
                    s->ev_dev[i + 1] == SIM_NONE) {
                    s->pick[np++] = i;
                }
            }
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        s->occ[s->ev_label[i]] = 0;
    }
    sim_rng_shuffle(&s->rng, s->pick, np);

    for (uint32_t t = 0; t < np && t < MAX_TRIES; t++) {
        uint32_t c = s->pick[t];
        dev d = {kind, SIM_NONE, SIM_NONE, 0};
        uint32_t len = n;
        memcpy(s->cand, s->ev_label, sizeof(uint32_t) * n);
        uint32_t i = c, p = c;
        switch (kind) {
        case K_SKIP:
            d.a = s->ev_label[i];
            memmove(s->cand + i, s->cand + i + 1, sizeof(uint32_t) * (n - i - 1));
            len = n - 1;
            break;
        case K_INSERT:
            d.a = ins;
            memmove(s->cand + p + 1, s->cand + p, sizeof(uint32_t) * (n - p));
            s->cand[p] = ins;
            len = n + 1;
            break;
        case K_REPEAT:
            i = c / REPEAT_SPAN;
            p = i + 2 + c % REPEAT_SPAN;
            d.a = s->ev_label[i];
            memmove(s->cand + p + 1, s->cand + p, sizeof(uint32_t) * (n - p));
            s->cand[p] = d.a;
            len = n + 1;
            break;
        default:
            d.a = s->ev_label[i];
            d.b = s->ev_label[i + 1];
            s->cand[i] = d.b;
            s->cand[i + 1] = d.a;
            break;
        }
        int ok = candidate_ok(s, len, &d);
        if (ok < 0) {
            return -1;
        }
        if (!ok) {
            continue;
        }
        uint32_t id = s->ndev;
        switch (kind) {
        case K_SKIP:
            ev_remove(s, i);
            d.pos = i;
            break;
        case K_INSERT:
            ev_insert(s, p, ins, SIM_NONE, id);
            d.pos = p;
            break;
        case K_REPEAT:
            ev_insert(s, p, d.a, s->ev_trans[i], id);
            s->ev_dev[i] = id;
            d.pos = p;
            break;
        default: {
            uint32_t tr = s->ev_trans[i];
            s->ev_label[i] = d.b;
            s->ev_label[i + 1] = d.a;
            s->ev_trans[i] = s->ev_trans[i + 1];
            s->ev_trans[i + 1] = tr;
            s->ev_dev[i] = s->ev_dev[i + 1] = id;
            d.pos = i;
            break;
        }
        }
        s->devs[s->ndev++] = d;
        s->used[d.a] = 1;
        if (d.b != SIM_NONE) {
            s->used[d.b] = 1;
        }
        return 1;
    }
    return 0;
}

/*
 * Replays a label sequence with the engine: 1 accepted, 0 rejected, <0 an error code. This
 * checks the state graph against the engine's own replay; it is cached per distinct sequence
 * and stops after REPLAY_BUDGET of them (returning `expected`), since maps with wide inclusive
 * gateways have a distinct sequence per case and the state graph already decides the same.
 */
static int engine_accepts(sim *s, const uint32_t *labels, uint32_t n, int expected, ab_error *err)
{
    int known = sim_seqmap_get(s->replay, labels, n);
    if (known >= 0) {
        return known;
    }
    if (s->replayed >= REPLAY_BUDGET) {
        return expected;
    }
    s->replayed++;
    int accepted = 0;
    int rc = ab_net_accepts_ids(s->net, labels, n, NULL, &accepted, err);
    if (rc != AB_OK) {
        return rc;
    }
    if (sim_seqmap_put(s->replay, labels, n, accepted) != 0) {
        return AB_ENOMEM;
    }
    return accepted;
}

static void add_pair(sim *s, uint32_t a, uint32_t b, int *oom)
{
    for (size_t i = 0; i < s->pair_count; i++) {
        if (s->pairs[i].a == a && s->pairs[i].b == b) {
            s->pairs[i].cases++;
            return;
        }
    }
    if (s->pair_count == s->pair_cap) {
        size_t cap = s->pair_cap ? s->pair_cap * 2 : 16;
        pair_count *p = realloc(s->pairs, cap * sizeof *p);
        if (p == NULL) {
            *oom = 1;
            return;
        }
        s->pairs = p;
        s->pair_cap = cap;
    }
    s->pairs[s->pair_count].a = a;
    s->pairs[s->pair_count].b = b;
    s->pairs[s->pair_count].cases = 1;
    s->pair_count++;
}

/* ---------------------------------------------------------------------------------------------
 * Who did the work: setup
 */

static int sod_directed(const who *w, uint32_t x, uint32_t y);

static int lane_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static uint32_t lane_index(const who *w, const char *lane)
{
    if (lane == NULL || *lane == '\0') {
        return SIM_NONE;
    }
    const char **hit = bsearch(&lane, w->lanes, w->lane_count, sizeof *w->lanes, lane_cmp);
    return hit ? (uint32_t)(hit - w->lanes) : SIM_NONE;
}

/* Splits a line into up to cap CSV fields in place (double quotes, "" for a quote); spaces and
 * tabs around a field are dropped. Returns the number of fields, or -1 for an open quote. */
static int split_fields(char *line, char **field, int cap)
{
    int nf = 0;
    char *r = line, *w = line;
    for (;;) {
        while (*r == ' ' || *r == '\t') {
            r++;
        }
        char *start = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (*r == '\0') {
                    return -1;
                }
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
            while (*r == ' ' || *r == '\t') {
                r++;
            }
        } else {
            while (*r != '\0' && *r != ',') {
                *w++ = *r++;
            }
            while (w > start && (w[-1] == ' ' || w[-1] == '\t')) {
                w--;
            }
        }
        int more = *r == ',';
        if (*r != '\0' && !more) {
            return -1; /* Text after a closing quote. */
        }
        if (more) {
            r++;
        }
        *w++ = '\0';
        if (nf < cap) {
            field[nf] = start;
        }
        nf++;
        if (!more) {
            return nf;
        }
    }
}

/* A side of an SoD rule: the activities its pattern matches ('*' and other fnmatch globs, or a
 * name). Returns how many, or -1 when memory ran out. */
static int sod_side(const sim *s, const char *pattern, uint8_t **out)
{
    uint32_t total = s->n_labels + s->n_ins;
    *out = calloc((size_t)total + 1, 1);
    if (*out == NULL) {
        return -1;
    }
    int n = 0;
    for (uint32_t l = 0; l < total; l++) {
        (*out)[l] = fnmatch(pattern, s->names[l], 0) == 0;
        n += (*out)[l];
    }
    return n;
}

/* Reads --sod FILE: "A,B" lines, '#' comments. Returns an exit code. */
static int read_sod(sim *s)
{
    who *w = &s->w;
    const char *path = s->o->sod;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "absim: %s: cannot open: %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    uint64_t lineno = 0;
    int rc = EXIT_OK;
    while (rc == EXIT_OK && (got = getline(&line, &line_cap, fp)) > 0) {
        lineno++;
        size_t l = (size_t)got;
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r')) {
            line[--l] = '\0';
        }
        char *p = line;
        if (lineno == 1 && l >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
        }
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '\0' || *p == '#') {
            continue;
        }
        if (strlen(p) != strlen(line) - (size_t)(p - line)) {
            fprintf(stderr, "absim: %s:%" PRIu64 ": a NUL byte; expected A,B\n", path, lineno);
            rc = EXIT_DATA;
            break;
        }
        char *field[2];
        int nf = split_fields(p, field, 2);
        if (nf != 2 || *field[0] == '\0' || *field[1] == '\0') {
            fprintf(stderr,
                    "absim: %s:%" PRIu64 ": expected two activities A,B (quoted when they hold a "
                    "comma)\n",
                    path, lineno);
            rc = EXIT_DATA;
            break;
        }
        sod_rule *grown = realloc(w->rules, sizeof *grown * (w->rule_count + 1));
        if (grown == NULL) {
            fputs("absim: out of memory\n", stderr);
            rc = EXIT_IO;
            break;
        }
        w->rules = grown;
        sod_rule *r = &w->rules[w->rule_count++];
        r->a = r->b = NULL;
        for (int f = 0; f < 2; f++) {
            int matched = sod_side(s, field[f], f ? &r->b : &r->a);
            if (matched < 0) {
                fputs("absim: out of memory\n", stderr);
                rc = EXIT_IO;
                break;
            }
            if (matched == 0 && !s->o->quiet) {
                fprintf(stderr,
                        "absim: warning: %s:%" PRIu64 ": %s matches no activity of the log\n", path,
                        lineno, field[f]);
            }
        }
    }
    if (rc == EXIT_OK && (ferror(fp) || !feof(fp))) { /* getline fails on ENOMEM too. */
        fprintf(stderr, "absim: %s: cannot read: %s\n", path,
                errno == ENOMEM ? "out of memory" : strerror(errno));
        rc = EXIT_IO;
    }
    free(line);
    fclose(fp);
    return rc;
}

/*
 * Lanes, resources and pools, the SoD rules and the documented hand-offs. Shared resources are
 * drawn from the who random numbers: first one per pair of lanes that a listed pair joins (so
 * that an SoD violation can be put there without a role violation), then a second lane
 * uniformly among the others. Returns an exit code.
 */
static int who_setup(sim *s, const ab_bpmn *model)
{
    who *w = &s->w;
    const opts *o = s->o;
    const ab_net *net = s->net;
    uint32_t nt = ab_net_transition_count(net);
    w->on = 1;
    w->k = o->resources;
    sim_rng_seed(&w->rng, o->seed ^ 0x77686f2d726f6c65ULL);
    w->lanes = malloc(sizeof(char *) * ((size_t)nt + 1));
    w->trans_lane = malloc(sizeof(uint32_t) * ((size_t)nt + 1));
    if (w->lanes == NULL || w->trans_lane == NULL) {
        goto oom;
    }
    for (uint32_t t = 0; t < nt; t++) {
        const ab_net_transition *tr = ab_net_transition_at(net, t);
        if (tr->label_id != AB_NET_SILENT && tr->lane != NULL && *tr->lane != '\0') {
            w->lanes[w->lane_count++] = tr->lane;
        }
    }
    if (w->lane_count == 0) {
        fprintf(stderr,
                "absim: %s: no step of the map is in a lane; --resources gives each lane a pool\n",
                o->map_path);
        return EXIT_DATA;
    }
    qsort(w->lanes, w->lane_count, sizeof *w->lanes, lane_cmp);
    uint32_t distinct = 1;
    for (uint32_t i = 1; i < w->lane_count; i++) {
        if (strcmp(w->lanes[i], w->lanes[distinct - 1]) != 0) {
            w->lanes[distinct++] = w->lanes[i];
        }
    }
    w->lane_count = distinct;
    uint32_t nl = w->lane_count;
    if ((uint64_t)nl * w->k > 50000000u) {
        return usage_error("--resources: lanes times resources passes 50M", NULL);
    }
    /* A label carried by steps of two lanes would leave open which lane an event is in. */
    uint32_t *label_lane = malloc(sizeof(uint32_t) * ((size_t)s->n_labels + 1));
    if (label_lane == NULL) {
        goto oom;
    }
    for (uint32_t l = 0; l < s->n_labels; l++) {
        label_lane[l] = SIM_NONE - 1; /* Not seen yet. */
    }
    int clash = 0;
    for (uint32_t t = 0; t < nt; t++) {
        const ab_net_transition *tr = ab_net_transition_at(net, t);
        w->trans_lane[t] = lane_index(w, tr->lane);
        if (tr->label_id == AB_NET_SILENT || clash) {
            continue;
        }
        uint32_t *seen = &label_lane[tr->label_id];
        if (*seen == SIM_NONE - 1) {
            *seen = w->trans_lane[t];
        } else if (*seen != w->trans_lane[t]) {
            fprintf(stderr,
                    "absim: %s: activity %s is a step of lanes %s and %s, so the truth could not "
                    "say which lane an event of it is in; give --map with a lane column that "
                    "names them apart\n",
                    o->map_path, tr->label, *seen == SIM_NONE ? "(none)" : w->lanes[*seen],
                    w->trans_lane[t] == SIM_NONE ? "(none)" : w->lanes[w->trans_lane[t]]);
            clash = 1;
        }
    }
    free(label_lane);
    if (clash) {
        return EXIT_DATA;
    }
    if (o->sod != NULL) {
        int rc = read_sod(s);
        if (rc != EXIT_OK) {
            return rc;
        }
    }

    /* Resources: lane l's own are l * k .. l * k + k - 1. */
    w->res_count = nl * w->k;
    w->res_name = calloc(w->res_count, sizeof(char *));
    w->res_second = malloc(sizeof(uint32_t) * w->res_count);
    w->scratch = malloc(sizeof(uint32_t) * w->res_count);
    w->documented = calloc((size_t)nl * nl, 1);
    w->held = calloc((size_t)(nl + 1) * (nl + 1), 1);
    w->pool_first = calloc((size_t)nl + 1, sizeof(uint32_t));
    if (w->res_name == NULL || w->res_second == NULL || w->scratch == NULL ||
        w->documented == NULL || w->held == NULL || w->pool_first == NULL) {
        goto oom;
    }
    for (uint32_t r = 0; r < w->res_count; r++) {
        const char *lane = w->lanes[r / w->k];
        size_t len = strlen(lane) + 16;
        w->res_name[r] = malloc(len);
        if (w->res_name[r] == NULL) {
            goto oom;
        }
        snprintf(w->res_name[r], len, "%s-%" PRIu32, lane, r % w->k + 1);
        w->res_second[r] = SIM_NONE;
    }
    uint32_t shared = nl < 2 ? 0 : (uint32_t)(o->shared * (double)w->res_count + 0.5);
    if (shared > 0) {
        uint32_t *order = w->scratch;
        for (uint32_t r = 0; r < w->res_count; r++) {
            order[r] = r;
        }
        sim_rng_shuffle(&w->rng, order, w->res_count);
        /* Lane pairs a listed pair joins, in lane order. */
        uint8_t *need = calloc((size_t)nl * nl, 1);
        if (need == NULL) {
            goto oom;
        }
        for (uint32_t t = 0; t < nt && w->rule_count > 0; t++) {
            const ab_net_transition *ta = ab_net_transition_at(net, t);
            for (uint32_t u = 0; u < nt && ta->label_id != AB_NET_SILENT; u++) {
                const ab_net_transition *tb = ab_net_transition_at(net, u);
                uint32_t la = w->trans_lane[t], lb = w->trans_lane[u];
                if (tb->label_id != AB_NET_SILENT && la != SIM_NONE && lb != SIM_NONE && la != lb &&
                    sod_directed(w, ta->label_id, tb->label_id)) {
                    need[la < lb ? (size_t)la * nl + lb : (size_t)lb * nl + la] = 1;
                }
            }
        }
        uint32_t done = 0;
        for (uint32_t la = 0; la < nl && done < shared; la++) {
            for (uint32_t lb = la + 1; lb < nl && done < shared; lb++) {
                if (!need[(size_t)la * nl + lb]) {
                    continue;
                }
                for (uint32_t i = 0; i < w->res_count; i++) {
                    uint32_t r = order[i], own = r / w->k;
                    if (w->res_second[r] == SIM_NONE && (own == la || own == lb)) {
                        w->res_second[r] = own == la ? lb : la;
                        done++;
                        break;
                    }
                }
            }
        }
        free(need);
        for (uint32_t i = 0; i < w->res_count && done < shared; i++) {
            uint32_t r = order[i], own = r / w->k;
            if (w->res_second[r] == SIM_NONE) {
                uint32_t x = sim_rng_below(&w->rng, nl - 1);
                w->res_second[r] = x >= own ? x + 1 : x;
                done++;
            }
        }
    }
    /* Pools: the lane's own resources, then those that have it as second lane. */
    for (uint32_t r = 0; r < w->res_count; r++) {
        w->pool_first[r / w->k + 1]++;
        if (w->res_second[r] != SIM_NONE) {
            w->pool_first[w->res_second[r] + 1]++;
        }
    }
    for (uint32_t l = 0; l < nl; l++) {
        w->pool_first[l + 1] += w->pool_first[l];
    }
    w->pool = malloc(sizeof(uint32_t) * ((size_t)w->pool_first[nl] + 1));
    if (w->pool == NULL) {
        goto oom;
    }
    for (uint32_t l = 0; l < nl; l++) {
        uint32_t at = w->pool_first[l];
        for (uint32_t q = 0; q < w->k; q++) {
            w->pool[at++] = l * w->k + q;
        }
        for (uint32_t r = 0; r < w->res_count; r++) {
            if (w->res_second[r] == l) {
                w->pool[at++] = r;
            }
        }
    }
    for (uint32_t r = 0; r < w->res_count; r++) {
        uint32_t a = r / w->k, b = w->res_second[r] == SIM_NONE ? a : w->res_second[r];
        w->held[(size_t)a * (nl + 1) + a] = w->held[(size_t)b * (nl + 1) + b] = 1;
        w->held[(size_t)a * (nl + 1) + b] = w->held[(size_t)b * (nl + 1) + a] = 1;
    }
    for (uint32_t l = 0; l <= nl; l++) {
        w->held[(size_t)l * (nl + 1) + nl] = w->held[(size_t)nl * (nl + 1) + l] = 1;
    }
    if (sim_documented_lanes(model, net, w->trans_lane, nl, w->documented) != 0) {
        goto oom;
    }
    return EXIT_OK;
oom:
    fputs("absim: out of memory\n", stderr);
    return EXIT_IO;
}

static void who_free(who *w)
{
    for (uint32_t r = 0; w->res_name != NULL && r < w->res_count; r++) {
        free(w->res_name[r]);
    }
    free(w->res_name);
    free(w->res_second);
    free(w->pool_first);
    free(w->pool);
    free(w->documented);
    free(w->held);
    for (uint32_t i = 0; i < w->rule_count; i++) {
        free(w->rules[i].a);
        free(w->rules[i].b);
    }
    free(w->rules);
    free(w->res);
    free(w->scratch);
    free(w->forbid);
    free(w->hits);
    free(w->trans_lane);
    free(w->lanes);
}

/* A CSV field of the roles file: quoted when it holds a comma, a quote, a line break or
 * starts with '#'. */
static void roles_field(FILE *fp, const char *str)
{
    if (strpbrk(str, ",\"\r\n") == NULL && str[0] != '#' && str[0] != ' ' && str[0] != '\t' &&
        (str[0] == '\0' || (str[strlen(str) - 1] != ' ' && str[strlen(str) - 1] != '\t'))) {
        fputs(str, fp);
        return;
    }
    fputc('"', fp);
    for (const char *p = str; *p; p++) {
        if (*p == '"') {
            fputc('"', fp);
        }
        fputc(*p, fp);
    }
    fputc('"', fp);
}

/* --roles-out: "resource,role" lines (own lane first), into place by rename. */
static int write_roles(sim *s)
{
    const who *w = &s->w;
    const char *path = s->o->roles_out;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.part-%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "wb");
    if (fp == NULL) {
        fprintf(stderr, "absim: cannot write %s: %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    fprintf(fp,
            "# Roles of the resources absim simulated for %s (seed %" PRIu64
            "): a role per lane\nresource,role\n",
            s->o->map_path, s->o->seed);
    for (uint32_t r = 0; r < w->res_count; r++) {
        roles_field(fp, w->res_name[r]);
        fputc(',', fp);
        roles_field(fp, w->lanes[r / w->k]);
        fputc('\n', fp);
        if (w->res_second[r] != SIM_NONE) {
            roles_field(fp, w->res_name[r]);
            fputc(',', fp);
            roles_field(fp, w->lanes[w->res_second[r]]);
            fputc('\n', fp);
        }
    }
    int bad = ferror(fp) != 0;
    bad |= fclose(fp) != 0;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "absim: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
        return EXIT_IO;
    }
    return EXIT_OK;
}

/* The truth's "who" summary: options, lanes, pools, documented hand-offs and counts. */
static int who_truth_head(sim *s, ab_buf *b)
{
    const who *w = &s->w;
    const opts *o = s->o;
    ab_ctx *ctx = s->ctx;
    int rc = ab_buf_printf(b, ctx,
                           "  \"who\": {\n    \"resources_per_lane\": %" PRIu32
                           ",\n    \"shared_resources\": %s,\n    \"wrong_role\": %s,\n"
                           "    \"sod_violation\": %s,\n    \"sod\": ",
                           w->k, o->shared_text ? o->shared_text : "0.1",
                           o->wrong_role_text ? o->wrong_role_text : "0",
                           o->sod_violation_text ? o->sod_violation_text : "0");
    rc = rc ? rc : ab_buf_append_json_string(b, ctx, o->sod);
    rc = rc ? rc : ab_buf_printf(b, ctx, ",\n    \"lanes\": [");
    for (uint32_t l = 0; l < w->lane_count && rc == AB_OK; l++) {
        uint32_t members = w->pool_first[l + 1] - w->pool_first[l];
        rc = ab_buf_printf(b, ctx, "%s\n      {\"lane\": ", l ? "," : "");
        rc = rc ? rc : ab_buf_append_json_string(b, ctx, w->lanes[l]);
        rc = rc ? rc
                : ab_buf_printf(b, ctx, ", \"own\": %" PRIu32 ", \"shared_in\": %" PRIu32 "}", w->k,
                                members - w->k);
    }
    uint32_t shared = 0;
    for (uint32_t r = 0; r < w->res_count; r++) {
        shared += w->res_second[r] != SIM_NONE;
    }
    rc = rc ? rc
            : ab_buf_printf(b, ctx,
                            "\n    ],\n    \"resources\": %" PRIu32 ",\n    \"shared\": %" PRIu32
                            ",\n    \"sod_rules\": %" PRIu32 ",\n    \"documented_handoffs\": [",
                            w->res_count, shared, w->rule_count);
    uint32_t nd = 0;
    for (uint32_t a = 0; a < w->lane_count && rc == AB_OK; a++) {
        for (uint32_t c = 0; c < w->lane_count && rc == AB_OK; c++) {
            if (w->documented[(size_t)a * w->lane_count + c]) {
                rc = ab_buf_printf(b, ctx, "%s[", nd++ ? ", " : "");
                rc = rc ? rc : ab_buf_append_json_string(b, ctx, w->lanes[a]);
                rc = rc ? rc : ab_buf_printf(b, ctx, ", ");
                rc = rc ? rc : ab_buf_append_json_string(b, ctx, w->lanes[c]);
                rc = rc ? rc : ab_buf_printf(b, ctx, "]");
            }
        }
    }
    rc = rc ? rc
            : ab_buf_printf(
                  b, ctx,
                  "],\n    \"requested\": {\"wrong_role\": %" PRIu64 ", \"sod_violation\": %" PRIu64
                  "},\n    \"injected\": {\"wrong_role\": %" PRIu64 ", \"sod_violation\": %" PRIu64
                  "},\n    \"cases_with\": {\"role_violation\": %" PRIu64
                  ", \"sod_violation\": %" PRIu64 ", \"undocumented_handoff\": %" PRIu64
                  "},\n    \"events\": {\"role_violations\": %" PRIu64
                  ", \"sod_violations\": %" PRIu64 ", \"handoffs\": %" PRIu64
                  ", \"undocumented_handoffs\": %" PRIu64 "}\n  },\n",
                  w->requested[0], w->requested[1], w->placed[0], w->placed[1], w->cases_role,
                  w->cases_sod, w->cases_handoff, w->role_violations, w->sod_violations,
                  w->handoffs, w->undocumented);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Who did the work (--resources), under the definitions of asbuilt diff's who-checks
 * (docs/metrics.md, "Who did the work")
 *
 * Each lane has K resources of its own, named "<lane>-<n>"; a share of them also belong to a
 * second lane. A resource's roles are its lanes, its own first. A step is done by a member of
 * its lane's pool: the one who did the activity before in the case when --sod allows, else one
 * drawn uniformly among those --sod allows. The events of a deviation (a repeated or swapped step,
 * an inserted activity) are done by resources whose own lane is the step's lane (for an inserted
 * activity: the lane of the nearest step before it, else after it), so that what the truth says of
 * them does not depend on which of the two events an alignment calls the log move. Injections touch
 * steps outside deviations only.
 */

static uint32_t w_lane_of(const sim *s, uint32_t k)
{
    return s->ev_trans[k] == SIM_NONE ? SIM_NONE : s->w.trans_lane[s->ev_trans[k]];
}

/* Whether resource r holds lane's role (every resource holds "no lane"). */
static int w_member(const who *w, uint32_t r, uint32_t lane)
{
    return lane == SIM_NONE || r / w->k == lane || w->res_second[r] == lane;
}

/* Whether a rule lists labels x, y in this order (x != y). */
static int sod_directed(const who *w, uint32_t x, uint32_t y)
{
    if (x == y) {
        return 0;
    }
    for (uint32_t i = 0; i < w->rule_count; i++) {
        if (w->rules[i].a[x] && w->rules[i].b[y]) {
            return 1;
        }
    }
    return 0;
}

/*
 * How a case's entry names the pair of distinct activities {x, y}: a pair is listed once, in
 * the orientation of the first rule (in file order) naming it either way; a rule naming it
 * both ways ('*,*') puts the name first in byte order first. Returns 1 for (x, y), 0 for
 * (y, x), -1 when no rule names the pair.
 */
static int sod_orientation(const sim *s, uint32_t x, uint32_t y)
{
    const who *w = &s->w;
    for (uint32_t i = 0; i < w->rule_count; i++) {
        int xy = w->rules[i].a[x] && w->rules[i].b[y];
        int yx = w->rules[i].a[y] && w->rules[i].b[x];
        if (xy && yx) {
            return strcmp(s->names[x], s->names[y]) < 0;
        }
        if (xy || yx) {
            return xy;
        }
    }
    return -1;
}

static int in_list(const uint32_t *a, uint32_t n, uint32_t v)
{
    for (uint32_t i = 0; i < n; i++) {
        if (a[i] == v) {
            return 1;
        }
    }
    return 0;
}

/* The resources of assigned events that event k may not share (SoD), in w->forbid. */
static uint32_t w_forbidden(sim *s, uint32_t k)
{
    who *w = &s->w;
    uint32_t nf = 0;
    if (w->rule_count == 0) {
        return 0;
    }
    uint32_t x = s->ev_label[k];
    for (uint32_t f = 0; f < s->n; f++) {
        uint32_t y = s->ev_label[f];
        if (f != k && w->res[f] != SIM_NONE && !in_list(w->forbid, nf, w->res[f]) &&
            (sod_directed(w, x, y) || sod_directed(w, y, x))) {
            w->forbid[nf++] = w->res[f];
        }
    }
    return nf;
}

/* One of cand[0..nc) not among the nf forbidden, uniformly; SIM_NONE when none is left. */
static uint32_t w_draw(who *w, const uint32_t *cand, uint32_t nc, uint32_t nf)
{
    uint32_t ok = 0;
    for (uint32_t i = 0; i < nc; i++) {
        ok += nf == 0 || !in_list(w->forbid, nf, cand[i]);
    }
    if (ok == 0) {
        return SIM_NONE;
    }
    uint32_t pick = sim_rng_below(&w->rng, ok);
    for (uint32_t i = 0; i < nc; i++) {
        if ((nf == 0 || !in_list(w->forbid, nf, cand[i])) && pick-- == 0) {
            return cand[i];
        }
    }
    return SIM_NONE;
}

/* Resources holding both lanes' roles, into w->scratch; their count. */
static uint32_t w_holders(who *w, uint32_t la, uint32_t lb)
{
    uint32_t nc = 0;
    for (uint32_t r = 0; r < w->res_count; r++) {
        if (w_member(w, r, la) && w_member(w, r, lb)) {
            w->scratch[nc++] = r;
        }
    }
    return nc;
}

static int w_sod_candidate(sim *s, uint32_t i, uint32_t j)
{
    who *w = &s->w;
    if (i == j || s->ev_dev[i] != SIM_NONE || s->ev_dev[j] != SIM_NONE ||
        s->ev_trans[i] == SIM_NONE || s->ev_trans[j] == SIM_NONE ||
        !sod_directed(w, s->ev_label[i], s->ev_label[j])) {
        return 0;
    }
    uint32_t la = w_lane_of(s, i), lb = w_lane_of(s, j);
    uint32_t l1 = la == SIM_NONE ? w->lane_count : la, l2 = lb == SIM_NONE ? w->lane_count : lb;
    return w->held[(size_t)l1 * (w->lane_count + 1) + l2];
}

/*
 * Gives every event of the case its resource: the injections first (an SoD pair done by one
 * resource holding both lanes, a step done by a resource outside its lane), then the other
 * events in order from their pools, never two steps of a listed pair by one resource. Returns
 * an exit code.
 */
static uint32_t who_try(sim *s, int want_sod, int want_wrong);

static int who_case(sim *s, const char *case_id)
{
    who *w = &s->w;
    const opts *o = s->o;
    uint32_t n = s->n;
    if (n > w->res_cap) {
        uint32_t cap = w->res_cap ? w->res_cap : 64;
        while (cap < n) {
            cap *= 2;
        }
        uint32_t *a = realloc(w->res, sizeof(uint32_t) * cap);
        if (a != NULL) {
            w->res = a;
            a = realloc(w->forbid, sizeof(uint32_t) * cap);
        }
        if (a == NULL) {
            fputs("absim: out of memory\n", stderr);
            return EXIT_IO;
        }
        w->forbid = a;
        w->res_cap = cap;
    }
    double u_sod = sim_rng_unit(&w->rng);
    double u_wrong = sim_rng_unit(&w->rng);
    int want_sod = o->sod_violation > 0 && u_sod <= o->sod_violation;
    int want_wrong = o->wrong_role > 0 && u_wrong <= o->wrong_role;
    /* A draw can leave a later step without an allowed resource (a small pool, --sod and a
     * loop): the case's resources are drawn again, from the who random numbers only. */
    uint32_t stuck = SIM_NONE;
    for (uint32_t attempt = 0; attempt < MAX_WHO_TRIES; attempt++) {
        stuck = who_try(s, want_sod, want_wrong);
        if (stuck == SIM_NONE) {
            break;
        }
    }
    if (stuck != SIM_NONE) {
        uint32_t lane = w_lane_of(s, stuck);
        fprintf(stderr,
                "absim: case %s: after %u draws, every resource of lane %s has done a step "
                "that --sod keeps apart from %s; give more --resources\n",
                case_id, MAX_WHO_TRIES, lane == SIM_NONE ? "(none)" : w->lanes[lane],
                s->names[s->ev_label[stuck]]);
        return EXIT_USAGE;
    }
    w->requested[0] += (uint64_t)want_wrong;
    w->requested[1] += (uint64_t)want_sod;
    w->placed[0] += w->inj_wrong != SIM_NONE;
    w->placed[1] += w->inj_sod[0] != SIM_NONE;
    return EXIT_OK;
}

/*
 * One draw of the case's resources (see who_case). Returns SIM_NONE, or the event left without
 * an allowed resource.
 */
static uint32_t who_try(sim *s, int want_sod, int want_wrong)
{
    who *w = &s->w;
    uint32_t n = s->n;
    for (uint32_t k = 0; k < n; k++) {
        w->res[k] = SIM_NONE;
    }
    w->inj_wrong = w->inj_sod[0] = w->inj_sod[1] = SIM_NONE;
    w->miss_wrong = w->miss_sod = 0;
    if (want_sod) {
        uint32_t c = 0;
        for (uint32_t i = 0; i < n; i++) {
            for (uint32_t j = 0; j < n; j++) {
                c += (uint32_t)w_sod_candidate(s, i, j);
            }
        }
        if (c > 0) {
            uint32_t pick = sim_rng_below(&w->rng, c);
            for (uint32_t i = 0; i < n && w->inj_sod[0] == SIM_NONE; i++) {
                for (uint32_t j = 0; j < n; j++) {
                    if (w_sod_candidate(s, i, j) && pick-- == 0) {
                        w->inj_sod[0] = i;
                        w->inj_sod[1] = j;
                        break;
                    }
                }
            }
            uint32_t i = w->inj_sod[0], j = w->inj_sod[1];
            uint32_t nc = w_holders(w, w_lane_of(s, i), w_lane_of(s, j));
            uint32_t r = w_draw(w, w->scratch, nc, 0);
            w->res[i] = w->res[j] = r;
        } else {
            w->miss_sod = 1;
        }
    }
    if (want_wrong) {
        uint32_t c = 0;
        for (uint32_t k = 0; k < n; k++) {
            c += w->res[k] == SIM_NONE && s->ev_dev[k] == SIM_NONE && w_lane_of(s, k) != SIM_NONE;
        }
        uint32_t r = SIM_NONE, at = SIM_NONE;
        if (c > 0 && w->lane_count > 1) {
            uint32_t pick = sim_rng_below(&w->rng, c);
            for (uint32_t k = 0; k < n && at == SIM_NONE; k++) {
                if (w->res[k] == SIM_NONE && s->ev_dev[k] == SIM_NONE &&
                    w_lane_of(s, k) != SIM_NONE && pick-- == 0) {
                    at = k;
                }
            }
            uint32_t lane = w_lane_of(s, at), nc = 0;
            for (uint32_t q = 0; q < w->res_count; q++) {
                if (!w_member(w, q, lane)) {
                    w->scratch[nc++] = q;
                }
            }
            r = w_draw(w, w->scratch, nc, w_forbidden(s, at));
        }
        if (r != SIM_NONE) {
            w->res[at] = r;
            w->inj_wrong = at;
        } else {
            w->miss_wrong = 1;
        }
    }
    for (uint32_t k = 0; k < n; k++) {
        if (w->res[k] != SIM_NONE) {
            continue;
        }
        uint32_t lane = w_lane_of(s, k);
        int own_only = s->ev_dev[k] != SIM_NONE;
        if (s->ev_trans[k] == SIM_NONE) {
            /* An inserted activity: done in the lane of the step before it, else after it. */
            for (uint32_t q = k; q > 0 && lane == SIM_NONE; q--) {
                lane = w_lane_of(s, q - 1);
            }
            for (uint32_t q = k + 1; q < n && lane == SIM_NONE; q++) {
                lane = w_lane_of(s, q);
            }
        }
        const uint32_t *cand = w->scratch;
        uint32_t nc = 0;
        if (lane == SIM_NONE) {
            for (uint32_t q = 0; q < w->res_count; q++) {
                w->scratch[nc++] = q;
            }
        } else if (own_only) {
            for (uint32_t q = 0; q < w->k; q++) {
                w->scratch[nc++] = lane * w->k + q;
            }
        } else {
            cand = w->pool + w->pool_first[lane];
            nc = w->pool_first[lane + 1] - w->pool_first[lane];
        }
        uint32_t nf = w_forbidden(s, k);
        /* The one who did the activity before in the case does it again, where allowed. */
        uint32_t r = SIM_NONE;
        for (uint32_t f = 0; f < k && r == SIM_NONE; f++) {
            uint32_t q = w->res[f];
            if (s->ev_label[f] == s->ev_label[k] && q != SIM_NONE && !in_list(w->forbid, nf, q) &&
                (lane == SIM_NONE || (own_only ? q / w->k == lane : w_member(w, q, lane)))) {
                r = q;
            }
        }
        r = r != SIM_NONE ? r : w_draw(w, cand, nc, nf);
        if (r == SIM_NONE) {
            return k;
        }
        w->res[k] = r;
    }
    return SIM_NONE;
}

/* The effective role of event k (a lane index): the step's lane when the resource holds it,
 * else the resource's own lane. */
static uint32_t w_effective(const sim *s, uint32_t k)
{
    const who *w = &s->w;
    uint32_t lane = w_lane_of(s, k), r = w->res[k];
    return lane != SIM_NONE && w_member(w, r, lane) ? lane : r / w->k;
}

/* Whether SoD entry p sorts before q: by a, then b, in byte order. */
static int sod_hit_before(const sim *s, const sod_hit *p, const sod_hit *q)
{
    int c = strcmp(s->names[p->a], s->names[q->a]);
    return c ? c < 0 : strcmp(s->names[p->b], s->names[q->b]) < 0;
}

/* Appends the case's "who" object (the `asbuilt diff --cases` format) and what was injected. */
static int who_truth_case(sim *s, ab_buf *b)
{
    who *w = &s->w;
    ab_ctx *ctx = s->ctx;
    uint32_t n = s->n;
    int rc = ab_buf_printf(b, ctx, ", \"who\": {\"role_violations\": [");
    uint32_t count = 0;
    for (uint32_t k = 0; k < n && rc == AB_OK; k++) {
        uint32_t lane = w_lane_of(s, k), r = w->res[k];
        if (lane == SIM_NONE || w_member(w, r, lane)) {
            continue;
        }
        const ab_net_transition *t = ab_net_transition_at(s->net, s->ev_trans[k]);
        rc = ab_buf_printf(b, ctx,
                           "%s{\"position\": %" PRIu32 ", \"activity\": ", count ? ", " : "", k);
        rc = rc ? rc : ab_buf_append_json_string(b, ctx, s->names[s->ev_label[k]]);
        rc = rc ? rc : ab_buf_printf(b, ctx, ", \"task\": ");
        rc = rc ? rc : ab_buf_append_json_string(b, ctx, t->task ? t->task : t->label);
        rc = rc ? rc : ab_buf_printf(b, ctx, ", \"lane\": ");
        rc = rc ? rc : ab_buf_append_json_string(b, ctx, w->lanes[lane]);
        rc = rc ? rc : ab_buf_printf(b, ctx, ", \"resource\": ");
        rc = rc ? rc : ab_buf_append_json_string(b, ctx, w->res_name[r]);
        rc = rc ? rc : ab_buf_printf(b, ctx, ", \"roles\": [");
        rc = rc ? rc : ab_buf_append_json_string(b, ctx, w->lanes[r / w->k]);
        if (w->res_second[r] != SIM_NONE && rc == AB_OK) {
            rc = ab_buf_printf(b, ctx, ", ");
            rc = rc ? rc : ab_buf_append_json_string(b, ctx, w->lanes[w->res_second[r]]);
        }
        rc = rc ? rc : ab_buf_printf(b, ctx, "]}");
        count++;
    }
    w->role_violations += count;
    w->cases_role += count > 0;

    /* SoD: per listed pair done by one resource, the smallest such resource name. */
    rc = rc ? rc : ab_buf_printf(b, ctx, "], \"sod_violations\": [");
    uint32_t hits = 0;
    for (uint32_t i = 0; i < n && w->rule_count > 0; i++) {
        for (uint32_t j = i + 1; j < n; j++) {
            uint32_t x = s->ev_label[i], y = s->ev_label[j], r = w->res[i];
            int orient = x == y || r != w->res[j] ? -1 : sod_orientation(s, x, y);
            if (orient < 0) {
                continue;
            }
            if (!orient) {
                uint32_t t = x;
                x = y;
                y = t;
            }
            uint32_t h = 0;
            while (h < hits && !(w->hits[h].a == x && w->hits[h].b == y)) {
                h++;
            }
            if (h == hits) {
                if (hits == w->hit_cap) {
                    uint32_t cap = w->hit_cap ? w->hit_cap * 2 : 16;
                    sod_hit *p = realloc(w->hits, sizeof *p * cap);
                    if (p == NULL) {
                        return AB_ENOMEM;
                    }
                    w->hits = p;
                    w->hit_cap = cap;
                }
                w->hits[hits++] = (sod_hit){x, y, r};
            } else if (strcmp(w->res_name[r], w->res_name[w->hits[h].r]) < 0) {
                w->hits[h].r = r;
            }
        }
    }
    for (uint32_t h = 1; h < hits; h++) { /* A few entries: insertion sort. */
        sod_hit v = w->hits[h];
        uint32_t q = h;
        for (; q > 0 && sod_hit_before(s, &v, &w->hits[q - 1]); q--) {
            w->hits[q] = w->hits[q - 1];
        }
        w->hits[q] = v;
    }
    for (uint32_t h = 0; h < hits && rc == AB_OK; h++) {
        rc = ab_buf_printf(b, ctx, "%s{\"a\": ", h ? ", " : "");
        rc = rc ? rc : ab_buf_append_json_string(b, ctx, s->names[w->hits[h].a]);
        rc = rc ? rc : ab_buf_printf(b, ctx, ", \"b\": ");
        rc = rc ? rc : ab_buf_append_json_string(b, ctx, s->names[w->hits[h].b]);
        rc = rc ? rc : ab_buf_printf(b, ctx, ", \"resource\": ");
        rc = rc ? rc : ab_buf_append_json_string(b, ctx, w->res_name[w->hits[h].r]);
        rc = rc ? rc : ab_buf_printf(b, ctx, "}");
    }
    w->sod_violations += hits;
    w->cases_sod += hits > 0;

    /* Hand-offs between consecutive events, anchored at the first. */
    rc = rc ? rc : ab_buf_printf(b, ctx, "], \"undocumented_handoffs\": [");
    count = 0;
    uint32_t prev = n > 0 ? w_effective(s, 0) : SIM_NONE;
    for (uint32_t k = 1; k < n && rc == AB_OK; k++) {
        uint32_t cur = w_effective(s, k);
        if (cur != prev) {
            w->handoffs++;
            if (!w->documented[(size_t)prev * w->lane_count + cur]) {
                rc = ab_buf_printf(b, ctx, "%s{\"position\": %" PRIu32 ", \"from_role\": ",
                                   count ? ", " : "", k - 1);
                rc = rc ? rc : ab_buf_append_json_string(b, ctx, w->lanes[prev]);
                rc = rc ? rc : ab_buf_printf(b, ctx, ", \"to_role\": ");
                rc = rc ? rc : ab_buf_append_json_string(b, ctx, w->lanes[cur]);
                rc = rc ? rc : ab_buf_printf(b, ctx, ", \"from\": ");
                rc = rc ? rc : ab_buf_append_json_string(b, ctx, s->names[s->ev_label[k - 1]]);
                rc = rc ? rc : ab_buf_printf(b, ctx, ", \"to\": ");
                rc = rc ? rc : ab_buf_append_json_string(b, ctx, s->names[s->ev_label[k]]);
                rc = rc ? rc : ab_buf_printf(b, ctx, "}");
                count++;
            }
        }
        prev = cur;
    }
    w->undocumented += count;
    w->cases_handoff += count > 0;
    rc = rc ? rc : ab_buf_printf(b, ctx, "]}");
    /* What was injected, only where something was (most cases have nothing: a smaller file). */
    if (w->inj_wrong != SIM_NONE && rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, ", \"who_injected\": {\"wrong_role\": %" PRIu32, w->inj_wrong);
    }
    if (w->inj_sod[0] != SIM_NONE && rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "%s\"sod_violation\": [%" PRIu32 ", %" PRIu32 "]",
                           w->inj_wrong != SIM_NONE ? ", " : ", \"who_injected\": {", w->inj_sod[0],
                           w->inj_sod[1]);
    }
    if ((w->inj_wrong != SIM_NONE || w->inj_sod[0] != SIM_NONE) && rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, "}");
    }
    if ((w->miss_wrong || w->miss_sod) && rc == AB_OK) {
        rc = ab_buf_printf(
            b, ctx, ", \"who_not_placed\": [%s%s%s]", w->miss_wrong ? "\"wrong_role\"" : "",
            w->miss_wrong && w->miss_sod ? ", " : "", w->miss_sod ? "\"sod_violation\"" : "");
    }
    return rc;
}

/*
 * The case's line of the truth file. Positions are 0-based indices in the case's trace of
 * steps (one per activity instance, in completion order): skip, the index the left-out step
 * would have had (the index of the step that followed it); insert and repeat, the index of the
 * added event; swap, the index of the first of the two swapped events (which now holds b).
 */
static int truth_case(sim *s, const char *case_id)
{
    ab_buf *b = &s->case_json;
    ab_ctx *ctx = s->ctx;
    int rc = ab_buf_printf(b, ctx, "    {\"case\": ");
    rc = rc ? rc : ab_buf_append_json_string(b, ctx, case_id);
    rc = rc ? rc : ab_buf_printf(b, ctx, ", \"deviations\": [");
    for (uint32_t i = 0; i < s->ndev && rc == AB_OK; i++) {
        const dev *d = &s->devs[i];
        sim_expect e = expect_of(d);
        rc = ab_buf_printf(b, ctx, "%s{\"kind\": \"%s\", ", i ? ", " : "", kind_names[d->kind]);
        if (d->kind == K_SWAP) {
            rc = rc ? rc : ab_buf_printf(b, ctx, "\"activities\": [");
            rc = rc ? rc : ab_buf_append_json_string(b, ctx, s->names[d->a]);
            rc = rc ? rc : ab_buf_printf(b, ctx, ", ");
            rc = rc ? rc : ab_buf_append_json_string(b, ctx, s->names[d->b]);
            rc = rc ? rc : ab_buf_printf(b, ctx, "]");
        } else {
            rc = rc ? rc : ab_buf_printf(b, ctx, "\"activity\": ");
            rc = rc ? rc : ab_buf_append_json_string(b, ctx, s->names[d->a]);
        }
        rc = rc ? rc
                : ab_buf_printf(b, ctx,
                                ", \"position\": %" PRIu32 ", \"expect\": {\"class\": \"%s\""
                                ", \"activities\": [",
                                d->pos, class_names[e.cls]);
        for (uint32_t k = 0; k < e.label_alts && rc == AB_OK; k++) {
            rc = ab_buf_printf(b, ctx, "%s", k ? ", " : "");
            rc = rc ? rc : ab_buf_append_json_string(b, ctx, s->names[e.label[k]]);
        }
        rc = rc ? rc : ab_buf_printf(b, ctx, "]}}");
    }
    rc = rc ? rc : ab_buf_printf(b, ctx, "]");
    if (s->delay_total > 0 && rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, ", \"delay_ms\": %" PRId64, s->delay_total);
    }
    if (s->nunplaced > 0 && rc == AB_OK) {
        rc = ab_buf_printf(b, ctx, ", \"not_placed\": [");
        for (uint32_t i = 0; i < s->nunplaced && rc == AB_OK; i++) {
            rc = ab_buf_printf(b, ctx, "%s\"%s\"", i ? ", " : "", kind_names[s->unplaced[i]]);
        }
        rc = rc ? rc : ab_buf_printf(b, ctx, "]");
    }
    if (s->w.on && rc == AB_OK) {
        rc = who_truth_case(s, b);
    }
    rc = rc ? rc : ab_buf_printf(b, ctx, "}");
    return rc;
}

static void write_event(sim *s, const char *case_id, uint32_t k, int start, int64_t ts)
{
    sink *o = &s->out;
    const char *act = s->names[s->ev_label[k]];
    const char *lane = NULL;
    if (s->w.on) {
        lane = s->w.res_name[s->w.res[k]]; /* The resource, on every event. */
    } else if (s->ev_trans[k] != SIM_NONE) {
        lane = ab_net_transition_at(s->net, s->ev_trans[k])->lane;
    }
    const char *lc = start ? "start" : "complete";
    if (s->o->format == FMT_XES) {
        GEN_PUT(o, "\t\t<event>\n\t\t\t<string key=\"concept:name\" value=\"");
        gen_put_xml(o, act);
        GEN_PUT(o, "\"/>\n\t\t\t<string key=\"lifecycle:transition\" value=\"");
        gen_put_str(o, lc);
        GEN_PUT(o, "\"/>\n");
        if (lane != NULL && *lane != '\0') {
            GEN_PUT(o, "\t\t\t<string key=\"org:resource\" value=\"");
            gen_put_xml(o, lane);
            GEN_PUT(o, "\"/>\n");
        }
        GEN_PUT(o, "\t\t\t<date key=\"time:timestamp\" value=\"");
        put_time(o, ts);
        GEN_PUT(o, "\"/>\n\t\t</event>\n");
    } else {
        gen_put_csv(o, case_id);
        GEN_PUT(o, ",");
        gen_put_csv(o, act);
        GEN_PUT(o, ",");
        gen_put_str(o, lc);
        GEN_PUT(o, ",");
        if (lane != NULL) {
            gen_put_csv(o, lane);
        }
        GEN_PUT(o, ",");
        put_time(o, ts);
        GEN_PUT(o, "\n");
    }
    s->events++;
}

/* Writes the case: a start time, then for each step a wait and a duration. */
static void write_case(sim *s, const char *case_id)
{
    sink *o = &s->out;
    sim_rng *r = &s->rng;
    int64_t t = s->next_arrival;
    s->next_arrival += SEC_MS + sim_rng_exp_ms(r, 20 * MIN_MS);
    if (s->o->format == FMT_XES) {
        GEN_PUT(o, "\t<trace>\n\t\t<string key=\"concept:name\" value=\"");
        gen_put_xml(o, case_id);
        GEN_PUT(o, "\"/>\n");
    }
    for (uint32_t k = 0; k < s->n; k++) {
        /* Strictly increasing times: every reader rebuilds the same order. */
        t += SEC_MS + sim_rng_exp_ms(r, 40 * MIN_MS);
        for (uint32_t i = 0; i < s->ndelay; i++) {
            t += s->delay_at[i] == k ? s->delay_by[i] : 0;
        }
        if (s->o->start_complete) {
            write_event(s, case_id, k, 1, t);
        }
        t += SEC_MS + sim_rng_exp_ms(r, 15 * MIN_MS);
        write_event(s, case_id, k, 0, t);
        s->instances++;
    }
    if (s->o->format == FMT_XES) {
        GEN_PUT(o, "\t</trace>\n");
    }
}

static int report(const ab_error *err)
{
    char msg[1024];
    ab_error_format(err, msg, sizeof msg);
    fprintf(stderr, "absim: %s\n", msg);
    switch (err->code) {
    case AB_EPARSE:
    case AB_ELIMIT:
    case AB_ENOTFOUND:
        return EXIT_DATA;
    default:
        return EXIT_IO;
    }
}

/* Simulates every case. Returns an exit code. */
static int run(sim *s)
{
    const opts *o = s->o;
    ab_error err;
    ab_error_clear(&err);
    char case_id[32];
    int width = 6; /* Digits: at least 6, enough for o->cases (at most 10^8: 9). */
    for (uint64_t v = o->cases; v >= 1000000; v /= 10) {
        width++;
    }
    for (uint64_t ci = 0; ci < o->cases; ci++) {
        /* Zero-padded, so that byte order is case order. */
        memcpy(case_id, "case-", 5);
        uint64_t v = ci + 1;
        for (int k = width - 1; k >= 0; k--) {
            case_id[5 + k] = (char)('0' + v % 10);
            v /= 10;
        }
        case_id[5 + width] = '\0';
        /*
         * A run without a visible step would be a case without events, which no log can hold:
         * draw again (maps whose every run is silent were refused before).
         */
        s->walk_len = 0;
        for (uint32_t attempt = 0; s->walk_len == 0; attempt++) {
            if (attempt == MAX_SILENT_RUNS) {
                fprintf(stderr,
                        "absim: %s: %u runs in a row without a visible step; the map has too "
                        "few named tasks on its paths\n",
                        o->map_path, MAX_SILENT_RUNS);
                return EXIT_DATA;
            }
            if (sim_graph_walk(&s->g, &s->rng, o->loop_limit, s->counts, &s->walk, &s->walk_len,
                               &s->walk_cap) != 0) {
                goto oom;
            }
        }
        if (ev_reserve(s, s->walk_len + 2 * MAX_DEVIATIONS + 2) != 0) {
            goto oom;
        }
        s->n = s->walk_len;
        for (uint32_t k = 0; k < s->n; k++) {
            s->ev_trans[k] = s->walk[k];
            s->ev_label[k] = ab_net_transition_at(s->net, s->walk[k])->label_id;
            s->ev_dev[k] = SIM_NONE;
        }
        int acc = engine_accepts(s, s->ev_label, s->n, 1, &err);
        if (acc < 0) {
            if (acc == AB_ENOMEM) {
                goto oom; /* The replay cache could not grow: err says nothing. */
            }
            return report(&err);
        }
        if (acc != 1) {
            fprintf(stderr,
                    "absim: internal error: the engine's replay rejects simulated case "
                    "%s\n",
                    case_id);
            return EXIT_IO;
        }

        s->ndev = 0;
        s->nunplaced = 0;
        for (uint32_t slot = 0; slot < o->max_dev; slot++) {
            double u = sim_rng_unit(&s->rng);
            uint32_t kind = K_COUNT;
            double acc_rate = 0;
            for (uint32_t k = 0; k < K_COUNT && kind == K_COUNT; k++) {
                acc_rate += o->rate[k];
                if (o->rate[k] > 0 && u <= acc_rate) {
                    kind = k;
                }
            }
            if (kind == K_COUNT) {
                continue;
            }
            s->requested[kind]++;
            int placed = place(s, kind);
            if (placed < 0) {
                goto oom;
            }
            if (placed) {
                s->placed[kind]++;
            } else {
                s->not_placed[kind]++;
                s->unplaced[s->nunplaced++] = kind;
            }
        }
        if (s->nunplaced > 0) {
            s->cases_unplaced++;
        }
        if (s->ndev > 0) {
            acc = engine_accepts(s, s->ev_label, s->n, 0, &err);
            if (acc < 0) {
                if (acc == AB_ENOMEM) {
                    goto oom;
                }
                return report(&err);
            }
            if (acc != 0) {
                fprintf(stderr,
                        "absim: internal error: the engine's replay accepts deviating "
                        "case %s\n",
                        case_id);
                return EXIT_IO;
            }
            s->deviating++;
        }
        /* --delay: a wait before the step at the deviation's position, never before the
         * first step (the cycle time starts there). */
        s->ndelay = 0;
        s->delay_total = 0;
        for (uint32_t i = 0; i < s->ndev && s->n >= 2; i++) {
            const dev *d = &s->devs[i];
            if (o->delay_ms[d->kind] > 0) {
                uint32_t p = d->pos >= s->n ? s->n - 1 : d->pos;
                s->delay_at[s->ndelay] = p == 0 ? 1 : p;
                s->delay_by[s->ndelay++] = o->delay_ms[d->kind];
                s->delay_total += o->delay_ms[d->kind];
            }
        }
        if (s->w.on) {
            int wrc = who_case(s, case_id);
            if (wrc != EXIT_OK) {
                return wrc;
            }
        }
        int oom = 0;
        for (uint32_t i = 0; i < s->ndev; i++) {
            const dev *d = &s->devs[i];
            s->by_label[d->kind][d->a]++;
            if (d->kind == K_SWAP) {
                s->by_label[d->kind][d->b]++;
                add_pair(s, d->a, d->b, &oom);
            }
            if (d->kind == K_INSERT) {
                s->ins_events[d->a]++;
            }
            s->used[d->a] = 0;
            if (d->b != SIM_NONE) {
                s->used[d->b] = 0;
            }
        }
        if (oom || truth_case(s, case_id) != AB_OK ||
            ab_buf_append(&s->case_json, s->ctx, ci + 1 < o->cases ? ",\n" : "\n",
                          ci + 1 < o->cases ? 2 : 1) != AB_OK) {
            goto oom;
        }
        if (s->case_json.len > SPILL_BYTES) {
            if (s->case_spill == NULL && (s->case_spill = tmpfile()) == NULL) {
                fprintf(stderr, "absim: cannot create a temporary file: %s\n", strerror(errno));
                return EXIT_IO;
            }
            if (fwrite(s->case_json.ptr, 1, s->case_json.len, s->case_spill) != s->case_json.len) {
                fprintf(stderr, "absim: cannot write a temporary file: %s\n", strerror(errno));
                return EXIT_IO;
            }
            s->case_json.len = 0;
            s->case_json.ptr[0] = '\0';
        }
        write_case(s, case_id);
        if (s->out.err != 0) {
            break;
        }
    }
    return EXIT_OK;
oom:
    fputs("absim: out of memory\n", stderr);
    return EXIT_IO;
}

/* ---------------------------------------------------------------------------------------------
 * Ground truth
 */

typedef struct entry {
    const char *name;
    uint64_t cases;
    uint64_t events;
} entry;

/* Lists are sorted as the gap report sorts them: by cases, descending, then by name. */
static int entry_cmp(const void *x, const void *y)
{
    const entry *p = x, *q = y;
    if (p->cases != q->cases) {
        return p->cases > q->cases ? -1 : 1;
    }
    return strcmp(p->name, q->name);
}

static int pair_cmp(const void *x, const void *y)
{
    const pair_count *p = x, *q = y;
    if (p->cases != q->cases) {
        return p->cases > q->cases ? -1 : 1;
    }
    int c = strcmp(p->name_a, q->name_a);
    return c ? c : strcmp(p->name_b, q->name_b);
}

/* A list of {"activity", "cases"[, "events"]} from per-label counts, sorted. */
static int truth_list(sim *s, ab_buf *b, const char *key, const uint64_t *cases,
                      const uint64_t *events, int last)
{
    uint32_t total = s->n_labels + s->n_ins;
    entry *list = malloc(sizeof(entry) * (total ? total : 1));
    if (list == NULL) {
        return AB_ENOMEM;
    }
    uint32_t n = 0;
    for (uint32_t l = 0; l < total; l++) {
        if (cases[l] != 0) {
            list[n].name = s->names[l];
            list[n].cases = cases[l];
            list[n].events = events ? events[l] : 0;
            n++;
        }
    }
    qsort(list, n, sizeof *list, entry_cmp);
    int rc = ab_buf_printf(b, s->ctx, "    \"%s\": [", key);
    for (uint32_t i = 0; i < n && rc == AB_OK; i++) {
        rc = ab_buf_printf(b, s->ctx, "%s\n      {\"activity\": ", i ? "," : "");
        rc = rc ? rc : ab_buf_append_json_string(b, s->ctx, list[i].name);
        rc = rc ? rc : ab_buf_printf(b, s->ctx, ", \"cases\": %" PRIu64, list[i].cases);
        if (events != NULL && rc == AB_OK) {
            rc = ab_buf_printf(b, s->ctx, ", \"events\": %" PRIu64, list[i].events);
        }
        rc = rc ? rc : ab_buf_printf(b, s->ctx, "}");
    }
    rc = rc ? rc : ab_buf_printf(b, s->ctx, "%s]%s\n", n ? "\n    " : "", last ? "" : ",");
    free(list);
    return rc;
}

static int truth_counts(sim *s, ab_buf *b, const char *key, const uint64_t *v, int last)
{
    int rc = ab_buf_printf(b, s->ctx, "    \"%s\": {", key);
    for (int k = 0; k < K_COUNT && rc == AB_OK; k++) {
        rc = ab_buf_printf(b, s->ctx, "%s\"%s\": %" PRIu64, k ? ", " : "", kind_names[k], v[k]);
    }
    return rc ? rc : ab_buf_printf(b, s->ctx, "}%s\n", last ? "" : ",");
}

static int truth_write(sim *s)
{
    const opts *o = s->o;
    ab_ctx *ctx = s->ctx;
    ab_buf b = AB_BUF_INIT;
    uint64_t cases = o->cases;
    int rc = ab_buf_printf(&b, ctx,
                           "{\n  \"tool\": \"absim\",\n  \"schema\": \"absim.truth/1\",\n"
                           "  \"seed\": \"%" PRIu64 "\",\n  \"options\": {\n    \"map\": ",
                           o->seed);
    rc = rc ? rc : ab_buf_append_json_string(&b, ctx, o->map_path);
    rc = rc ? rc : ab_buf_printf(&b, ctx, ",\n    \"process\": ");
    rc = rc ? rc : ab_buf_append_json_string(&b, ctx, o->process);
    rc = rc ? rc : ab_buf_printf(&b, ctx, ",\n    \"mapping\": ");
    rc = rc ? rc : ab_buf_append_json_string(&b, ctx, o->mapping);
    rc = rc ? rc
            : ab_buf_printf(&b, ctx,
                            ",\n    \"cases\": %" PRIu64 ",\n    \"format\": \"%s\",\n"
                            "    \"gzip\": %s,\n    \"start_complete\": %s,\n    \"rates\": {",
                            cases, o->format == FMT_XES ? "xes" : "csv", o->gzip ? "true" : "false",
                            o->start_complete ? "true" : "false");
    for (int k = 0; k < K_COUNT && rc == AB_OK; k++) {
        rc = ab_buf_printf(&b, ctx, "%s\"%s\": %s", k ? ", " : "", kind_names[k],
                           o->rate_text[k] ? o->rate_text[k] : "0");
    }
    rc = rc ? rc : ab_buf_printf(&b, ctx, "},\n    \"delay_ms\": {");
    for (int k = 0, first = 1; k < K_COUNT && rc == AB_OK; k++) {
        if (o->delay_ms[k] > 0) {
            rc = ab_buf_printf(&b, ctx, "%s\"%s\": %" PRId64, first ? "" : ", ", kind_names[k],
                               o->delay_ms[k]);
            first = 0;
        }
    }
    rc = rc ? rc
            : ab_buf_printf(&b, ctx,
                            "},\n    \"max_deviations_per_case\": %" PRIu32
                            ",\n    \"loop_limit\": %" PRIu32 ",\n    \"insert_activities\": [",
                            o->max_dev, o->loop_limit);
    for (uint32_t x = 0; x < s->n_ins && rc == AB_OK; x++) {
        rc = ab_buf_printf(&b, ctx, "%s", x ? ", " : "");
        rc = rc ? rc : ab_buf_append_json_string(&b, ctx, s->names[s->n_labels + x]);
    }
    rc = rc ? rc
            : ab_buf_printf(
                  &b, ctx,
                  "]\n  },\n  \"model\": {\"transitions\": %" PRIu32 ", \"labels\": %" PRIu32
                  ", \"states\": %" PRIu32 ", \"edges\": %" PRIu32 "},\n",
                  ab_net_transition_count(s->net), s->n_labels, s->g.state_count, s->g.edge_count);
    rc = rc ? rc
            : ab_buf_printf(&b, ctx,
                            "  \"counts\": {\n    \"cases\": %" PRIu64 ",\n    \"events\": %" PRIu64
                            ",\n    \"instances\": %" PRIu64 ",\n    \"deviating_cases\": %" PRIu64
                            ",\n    \"clean_cases\": %" PRIu64
                            ",\n    \"cases_with_not_placed\": %" PRIu64 ",\n",
                            cases, s->events, s->instances, s->deviating, cases - s->deviating,
                            s->cases_unplaced);
    rc = rc ? rc : truth_counts(s, &b, "deviations", s->placed, 0);
    rc = rc ? rc : truth_counts(s, &b, "requested", s->requested, 0);
    rc = rc ? rc : truth_counts(s, &b, "not_placed", s->not_placed, 1);
    rc = rc ? rc
            : ab_buf_printf(&b, ctx,
                            "  },\n  \"aggregates\": {\n    \"case_deviation_rate\": "
                            "{\"count\": %" PRIu64 ", \"of\": %" PRIu64 "},\n",
                            s->deviating, cases);
    rc = rc ? rc : truth_list(s, &b, "bypasses", s->by_label[K_SKIP], NULL, 0);
    rc = rc ? rc
            : truth_list(s, &b, "undocumented_activities", s->by_label[K_INSERT], s->ins_events, 0);
    rc = rc ? rc : truth_list(s, &b, "rework", s->by_label[K_REPEAT], NULL, 0);
    /* Either activity of a swap may be the one the alignment moves: an upper bound each. */
    rc = rc ? rc : truth_list(s, &b, "out_of_order_candidates", s->by_label[K_SWAP], NULL, 0);
    if (rc == AB_OK) {
        for (size_t i = 0; i < s->pair_count; i++) {
            s->pairs[i].name_a = s->names[s->pairs[i].a];
            s->pairs[i].name_b = s->names[s->pairs[i].b];
        }
        if (s->pair_count > 1) {
            qsort(s->pairs, s->pair_count, sizeof *s->pairs, pair_cmp);
        }
        rc = ab_buf_printf(&b, ctx, "    \"swaps\": [");
    }
    for (size_t i = 0; i < s->pair_count && rc == AB_OK; i++) {
        rc = ab_buf_printf(&b, ctx, "%s\n      {\"activities\": [", i ? "," : "");
        rc = rc ? rc : ab_buf_append_json_string(&b, ctx, s->names[s->pairs[i].a]);
        rc = rc ? rc : ab_buf_printf(&b, ctx, ", ");
        rc = rc ? rc : ab_buf_append_json_string(&b, ctx, s->names[s->pairs[i].b]);
        rc = rc ? rc : ab_buf_printf(&b, ctx, "], \"cases\": %" PRIu64 "}", s->pairs[i].cases);
    }
    rc = rc ? rc : ab_buf_printf(&b, ctx, "%s]\n  },\n", s->pair_count ? "\n    " : "");
    if (s->w.on && rc == AB_OK) {
        rc = who_truth_head(s, &b);
    }
    rc = rc ? rc : ab_buf_printf(&b, ctx, "  \"cases\": [\n");
    if (rc != AB_OK) {
        ab_buf_dispose(&b);
        fputs("absim: out of memory\n", stderr);
        return EXIT_IO;
    }
    /* Head, spilled case lines, the rest, into a temporary file renamed into place. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.part-%ld", o->truth, (long)getpid());
    FILE *fp = fopen(tmp, "wb");
    if (fp == NULL) {
        fprintf(stderr, "absim: cannot write %s: %s\n", o->truth, strerror(errno));
        ab_buf_dispose(&b);
        return EXIT_IO;
    }
    int bad = fwrite(b.ptr, 1, b.len, fp) != b.len;
    ab_buf_dispose(&b);
    if (s->case_spill != NULL && !bad) {
        char chunk[65536];
        size_t got;
        bad = fflush(s->case_spill) != 0 || fseek(s->case_spill, 0, SEEK_SET) != 0;
        while (!bad && (got = fread(chunk, 1, sizeof chunk, s->case_spill)) > 0) {
            bad = fwrite(chunk, 1, got, fp) != got;
        }
        bad |= ferror(s->case_spill) != 0;
    }
    if (!bad && s->case_json.len > 0) {
        bad = fwrite(s->case_json.ptr, 1, s->case_json.len, fp) != s->case_json.len;
    }
    bad |= fputs("  ]\n}\n", fp) == EOF;
    bad |= fclose(fp) != 0;
    if (bad || rename(tmp, o->truth) != 0) {
        fprintf(stderr, "absim: cannot write %s: %s\n", o->truth, strerror(errno));
        remove(tmp);
        return EXIT_IO;
    }
    return EXIT_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Setup
 */

/* Trims spaces and tabs in place, as the engine's mapping reader does. */
static char *trim(char *str)
{
    while (*str == ' ' || *str == '\t') {
        str++;
    }
    size_t n = strlen(str);
    while (n > 0 && (str[n - 1] == ' ' || str[n - 1] == '\t')) {
        str[--n] = '\0';
    }
    return str;
}

/*
 * The activity column of a mapping file (the engine needs the log's activities to build the
 * mapping; here the log is still to be written, so they are the ones the file names). The
 * split follows the engine's reader: the delimiter is the first line's ',', else ';', else TAB;
 * fields may be double-quoted. Returns an exit code; names are appended to *acts.
 */
static int read_map_activities(const char *path, char ***acts, uint32_t *count)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "absim: %s: cannot open: %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    char delim = 0;
    int first = 1;
    int rc = EXIT_OK;
    while ((got = getline(&line, &line_cap, fp)) > 0) {
        size_t l = (size_t)got;
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r')) {
            line[--l] = '\0';
        }
        char *p = line;
        if (first && l >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
        }
        char *t = p;
        while (*t == ' ' || *t == '\t') {
            t++;
        }
        if (*t == '\0' || *t == '#') {
            continue;
        }
        if (delim == 0) {
            delim = strchr(p, ',') ? ',' : strchr(p, ';') ? ';' : '\t';
        }
        /* Fields 0 and 1, unquoted in place. */
        char *field[2] = {NULL, NULL};
        char *w = p;
        const char *r = p;
        for (int f = 0; f < 2 && *r != '\0'; f++) {
            field[f] = w;
            const char *q = r;
            while ((*q == ' ' || *q == '\t') && *q != delim) {
                q++;
            }
            if (*q == '"') {
                r = q + 1;
                while (*r != '\0') {
                    if (*r == '"' && r[1] == '"') {
                        *w++ = '"';
                        r += 2;
                    } else if (*r == '"') {
                        r++;
                        break;
                    } else {
                        *w++ = *r++;
                    }
                }
                while (*r != '\0' && *r != delim) {
                    r++;
                }
            } else {
                while (*r != '\0' && *r != delim) {
                    *w++ = *r++;
                }
            }
            int at_delim = *r == delim;
            *w++ = '\0';
            if (at_delim) {
                r++;
            }
        }
        if (field[1] == NULL) {
            continue; /* The engine reports the malformed line. */
        }
        char *task = trim(field[0]), *act = trim(field[1]);
        if (first) {
            first = 0;
            if (strcasecmp(task, "task") == 0 && strcasecmp(act, "activity") == 0) {
                continue;
            }
        }
        if (*act == '\0') {
            continue;
        }
        char **grown = realloc(*acts, sizeof(char *) * (*count + 1));
        char *copy = strdup(act);
        if (grown == NULL || copy == NULL) {
            free(copy);
            if (grown != NULL) {
                *acts = grown;
            }
            rc = EXIT_IO;
            fputs("absim: out of memory\n", stderr);
            break;
        }
        *acts = grown;
        (*acts)[(*count)++] = copy;
    }
    if (rc == EXIT_OK && (ferror(fp) || !feof(fp))) { /* getline fails on ENOMEM too. */
        fprintf(stderr, "absim: %s: cannot read: %s\n", path,
                errno == ENOMEM ? "out of memory" : strerror(errno));
        rc = EXIT_IO;
    }
    free(line);
    fclose(fp);
    return rc;
}

/* Whether name equals, after the engine's normalisation, a label of the net. */
static int clashes(const ab_net *net, const char *name)
{
    char a[1024], b[1024];
    ab_bpmn_label_normalise(name, a, sizeof a);
    for (uint32_t l = 0; l < ab_net_label_count(net); l++) {
        ab_bpmn_label_normalise(ab_net_label(net, l), b, sizeof b);
        if (strcmp(a, b) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The inserted activities from --insert-activities (or the defaults). Returns an exit code. */
static int setup_inserts(sim *s, const ab_net *original, char **store)
{
    const char *list[64];
    uint32_t n = 0;
    if (s->o->inserts == NULL) {
        for (size_t i = 0; i < sizeof default_inserts / sizeof default_inserts[0]; i++) {
            list[n++] = default_inserts[i];
        }
    } else {
        *store = strdup(s->o->inserts);
        if (*store == NULL) {
            fputs("absim: out of memory\n", stderr);
            return EXIT_IO;
        }
        for (char *tok = *store; tok != NULL;) {
            char *comma = strchr(tok, ',');
            if (comma != NULL) {
                *comma = '\0';
            }
            char *name = trim(tok);
            if (*name != '\0') {
                if (n == 64) {
                    return usage_error("--insert-activities takes at most 64 names", NULL);
                }
                list[n++] = name;
            }
            tok = comma ? comma + 1 : NULL;
        }
        if (n == 0) {
            return usage_error("--insert-activities names no activity", s->o->inserts);
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        if (clashes(s->net, list[i]) || clashes(original, list[i])) {
            return usage_error("an inserted activity must not be a step of the map", list[i]);
        }
        for (uint32_t k = 0; k < i; k++) {
            char a[1024], b[1024];
            ab_bpmn_label_normalise(list[i], a, sizeof a);
            ab_bpmn_label_normalise(list[k], b, sizeof b);
            if (strcmp(a, b) == 0) {
                return usage_error("--insert-activities names an activity twice", list[i]);
            }
        }
    }
    s->n_ins = n;
    s->n_labels = ab_net_label_count(s->net);
    s->names = malloc(sizeof(char *) * (s->n_labels + n + 1));
    if (s->names == NULL) {
        fputs("absim: out of memory\n", stderr);
        return EXIT_IO;
    }
    for (uint32_t l = 0; l < s->n_labels; l++) {
        s->names[l] = ab_net_label(s->net, l);
    }
    for (uint32_t i = 0; i < n; i++) {
        s->names[s->n_labels + i] = list[i];
    }
    return EXIT_OK;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Opens the log's temporary file beside it; it is renamed into place once complete. */
static int open_output(sim *s, char *tmp, size_t tmp_cap)
{
    const opts *o = s->o;
    snprintf(tmp, tmp_cap, "%s.part-%ld", o->output, (long)getpid());
    s->out.fp = fopen(tmp, "wb");
    if (s->out.fp == NULL) {
        fprintf(stderr, "absim: cannot write %s: %s\n", o->output, strerror(errno));
        return EXIT_IO;
    }
    s->out.buf = malloc(GEN_SINK_CAP);
    s->out.zbuf = o->gzip ? malloc(GEN_SINK_CAP) : NULL;
    if (s->out.buf == NULL || (o->gzip && s->out.zbuf == NULL)) {
        fputs("absim: out of memory\n", stderr);
        return EXIT_IO;
    }
    if (o->gzip) {
        if (deflateInit2(&s->out.z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            fputs("absim: cannot start zlib deflate\n", stderr);
            return EXIT_IO;
        }
        s->out.gzip = 1;
    }
    return EXIT_OK;
}

static void write_header(sim *s)
{
    sink *o = &s->out;
    if (s->o->format == FMT_CSV) {
        GEN_PUT(o, "case:concept:name,concept:name,lifecycle:transition,org:resource,time:timestamp\n");
        return;
    }
    GEN_PUT(o, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
           "<log xes.version=\"1.0\" xes.features=\"\" xmlns=\"http://www.xes-standard.org/\">\n"
           "\t<extension name=\"Concept\" prefix=\"concept\" "
           "uri=\"http://www.xes-standard.org/concept.xesext\"/>\n"
           "\t<extension name=\"Time\" prefix=\"time\" "
           "uri=\"http://www.xes-standard.org/time.xesext\"/>\n"
           "\t<extension name=\"Lifecycle\" prefix=\"lifecycle\" "
           "uri=\"http://www.xes-standard.org/lifecycle.xesext\"/>\n"
           "\t<extension name=\"Organizational\" prefix=\"org\" "
           "uri=\"http://www.xes-standard.org/org.xesext\"/>\n"
           "\t<classifier name=\"Activity\" keys=\"concept:name\"/>\n"
           "\t<string key=\"concept:name\" value=\"");
    gen_put_xml(o, s->o->map_path);
    GEN_PUT(o, " (simulated by absim, seed ");
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%" PRIu64, s->o->seed);
    gen_put_str(o, tmp);
    GEN_PUT(o, ")\"/>\n");
}

int main(int argc, char **argv)
{
    opts o = {0};
    o.seed = 1;
    o.format = FMT_XES;
    o.max_dev = 1;
    o.loop_limit = 3;
    o.max_states = 200000;
    o.shared = 0.1;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }

    double t0 = now_seconds();
    sim s;
    memset(&s, 0, sizeof s);
    s.o = &o;
    ab_bpmn *model = NULL;
    ab_net *net = NULL, *relabelled = NULL;
    ab_bpmn_mapping *mapping = NULL;
    char **map_acts = NULL;
    uint32_t map_act_count = 0;
    char *insert_store = NULL;
    char tmp_path[4096] = "";
    int output_open = 0;
    ab_error err;
    ab_error_clear(&err);

    if (ab_ctx_create(&s.ctx, NULL) != AB_OK) {
        fputs("absim: out of memory\n", stderr);
        return EXIT_IO;
    }
    rc = ab_bpmn_read(&model, s.ctx, o.map_path, NULL, &err);
    if (rc != AB_OK) {
        rc = report(&err);
        goto out;
    }
    ab_net_options nopts = AB_NET_OPTIONS_INIT;
    nopts.process_id = o.process;
    rc = ab_net_compile(&net, s.ctx, model, &nopts, &err);
    if (rc != AB_OK) {
        rc = report(&err);
        goto out;
    }
    s.net = net;
    if (o.mapping != NULL) {
        rc = read_map_activities(o.mapping, &map_acts, &map_act_count);
        if (rc != EXIT_OK) {
            goto out;
        }
        ab_bpmn_map_options mopts = AB_BPMN_MAP_OPTIONS_INIT;
        mopts.map_file = o.mapping;
        rc = ab_bpmn_map_create(&mapping, s.ctx, ab_net_labels(net), ab_net_label_count(net),
                                (const char *const *)map_acts, map_act_count, &mopts, &err);
        if (rc == AB_OK) {
            rc = ab_net_relabel(&relabelled, net, mapping, &err);
        }
        if (rc != AB_OK) {
            rc = report(&err);
            goto out;
        }
        for (uint32_t i = 0; i < ab_bpmn_map_warning_count(mapping); i++) {
            fprintf(stderr, "absim: warning: %s\n", ab_bpmn_map_warning(mapping, i));
        }
        s.net = relabelled;
    }
    rc = setup_inserts(&s, net, &insert_store);
    if (rc != EXIT_OK) {
        goto out;
    }
    if (o.resources > 0) {
        rc = who_setup(&s, model);
        if (rc != EXIT_OK) {
            goto out;
        }
    }
    char msg[512];
    int g_rc = sim_graph_build(&s.g, s.net, o.max_states, msg, sizeof msg);
    if (g_rc != 0) {
        fprintf(stderr, "absim: %s: %s\n", o.map_path, msg);
        rc = g_rc == -1 ? EXIT_DATA : EXIT_IO;
        goto out;
    }
    uint32_t visible_edges = 0;
    for (uint32_t e = 0; e < s.g.edge_count; e++) {
        visible_edges += s.g.out_label[e] != SIM_TAU && s.g.dist[s.g.out_to[e]] != SIM_NONE;
    }
    if (visible_edges == 0) {
        fprintf(stderr, "absim: %s: no run of the compiled net has a visible step (a named task)\n",
                o.map_path);
        rc = EXIT_DATA;
        goto out;
    }
    uint32_t total = s.n_labels + s.n_ins;
    s.chk = sim_checker_create(&s.g);
    s.replay = sim_seqmap_create();
    s.counts = calloc((size_t)s.g.trans_count + 1, sizeof(uint32_t));
    s.occ = calloc((size_t)total + 1, sizeof(uint32_t));
    s.used = calloc((size_t)total + 1, 1);
    s.ins_events = calloc((size_t)total + 1, sizeof(uint64_t));
    int oom = s.chk == NULL || s.replay == NULL || s.counts == NULL || s.occ == NULL ||
              s.used == NULL || s.ins_events == NULL;
    for (int k = 0; k < K_COUNT && !oom; k++) {
        s.by_label[k] = calloc((size_t)total + 1, sizeof(uint64_t));
        oom = s.by_label[k] == NULL;
    }
    if (oom) {
        fputs("absim: out of memory\n", stderr);
        rc = EXIT_IO;
        goto out;
    }
    sim_rng_seed(&s.rng, o.seed);
    s.next_arrival = START_MS;

    rc = open_output(&s, tmp_path, sizeof tmp_path);
    output_open = s.out.fp != NULL;
    if (rc != EXIT_OK) {
        goto out;
    }
    write_header(&s);
    rc = run(&s);
    if (rc != EXIT_OK) {
        goto out;
    }
    if (o.format == FMT_XES) {
        GEN_PUT(&s.out, "</log>\n");
    }
    gen_sink_flush(&s.out, 1);
    if (fflush(s.out.fp) != 0 && s.out.err == 0) {
        s.out.err = errno ? errno : EIO;
    }
    if (fclose(s.out.fp) != 0 && s.out.err == 0) {
        s.out.err = errno ? errno : EIO;
    }
    s.out.fp = NULL;
    if (s.out.err != 0) {
        fprintf(stderr, "absim: cannot write %s: %s\n", o.output,
                s.out.err > 0 ? strerror(s.out.err) : "zlib error");
        rc = EXIT_IO;
        goto out;
    }
    /* The roles and the truth first, then the log into place: a failed run leaves none of
     * them behind. */
    if (o.roles_out != NULL) {
        rc = write_roles(&s);
        if (rc != EXIT_OK) {
            goto out;
        }
    }
    rc = truth_write(&s);
    if (rc != EXIT_OK) {
        if (o.roles_out != NULL) {
            remove(o.roles_out);
        }
        goto out;
    }
    if (rename(tmp_path, o.output) != 0) {
        fprintf(stderr, "absim: cannot write %s: %s\n", o.output, strerror(errno));
        remove(o.truth);
        if (o.roles_out != NULL) {
            remove(o.roles_out);
        }
        rc = EXIT_IO;
        goto out;
    }
    output_open = 0;
    if (!o.quiet) {
        uint64_t asked, cached, nodes;
        sim_checker_stats(s.chk, &asked, &cached, &nodes);
        fprintf(stderr,
                "absim: %" PRIu64 " cases, %" PRIu64 " events, %" PRIu64 " deviating (skip %" PRIu64
                ", insert %" PRIu64 ", repeat %" PRIu64 ", swap %" PRIu64 "), %" PRIu64
                " not placed\n",
                o.cases, s.events, s.deviating, s.placed[K_SKIP], s.placed[K_INSERT],
                s.placed[K_REPEAT], s.placed[K_SWAP],
                s.not_placed[K_SKIP] + s.not_placed[K_INSERT] + s.not_placed[K_REPEAT] +
                    s.not_placed[K_SWAP]);
        fprintf(stderr,
                "absim: net of %" PRIu32 " reachable markings; %" PRIu64 " placements checked "
                "(%" PRIu64 " cached, %" PRIu64 " search nodes); %" PRIu64
                " distinct traces replayed by the engine; %.2f s\n",
                s.g.state_count, asked, cached, nodes, s.replayed, now_seconds() - t0);
        if (s.w.on) {
            fprintf(stderr,
                    "absim: %" PRIu32 " lanes, %" PRIu32 " resources; cases with a role violation "
                    "%" PRIu64 " (%" PRIu64 " injected), an SoD violation %" PRIu64 " (%" PRIu64
                    " injected), an undocumented hand-off %" PRIu64 "\n",
                    s.w.lane_count, s.w.res_count, s.w.cases_role, s.w.placed[0], s.w.cases_sod,
                    s.w.placed[1], s.w.cases_handoff);
        }
    }
    rc = EXIT_OK;

out:
    if (s.out.fp != NULL) {
        fclose(s.out.fp);
    }
    if (output_open && tmp_path[0] != '\0') {
        remove(tmp_path);
    }
    if (s.out.gzip) {
        deflateEnd(&s.out.z);
    }
    free(s.out.buf);
    free(s.out.zbuf);
    ab_buf_dispose(&s.case_json);
    if (s.case_spill != NULL) {
        fclose(s.case_spill);
    }
    free(s.pairs);
    for (int k = 0; k < K_COUNT; k++) {
        free(s.by_label[k]);
    }
    free(s.ins_events);
    free(s.used);
    free(s.occ);
    free(s.counts);
    free(s.walk);
    free(s.ev_label);
    free(s.ev_trans);
    free(s.ev_dev);
    free(s.cand);
    free(s.pick);
    free(s.names);
    sim_seqmap_destroy(s.replay);
    sim_checker_destroy(s.chk);
    sim_graph_free(&s.g);
    who_free(&s.w);
    free(insert_store);
    for (uint32_t i = 0; i < map_act_count; i++) {
        free(map_acts[i]);
    }
    free(map_acts);
    ab_net_destroy(relabelled);
    ab_bpmn_map_destroy(mapping);
    ab_net_destroy(net);
    ab_bpmn_destroy(model);
    ab_ctx_destroy(s.ctx);
    return rc;
}
