/*
 * tools/abgen.c: writes large, realistic event logs for benchmarks. It simulates a loan
 * application process in the style of the BPI Challenge 2012 log (Dutch work items, offers,
 * rework loops, parallel steps, skips) and writes it as XES the way OpenXES writes it, or as CSV
 * the way PM4Py writes it, optionally gzip-compressed, with exact ground-truth counts on request.
 *
 * The program stands alone: it needs zlib only (no engine library, no libm), so benchmarks can
 * build it first. The output depends on the options and the seed only. Every random draw happens
 * while a case is simulated, never while it is written, so the XES and the CSV of one seed and
 * event count hold the same events, and a .gz output inflates to the plain output byte for byte.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "gen_util.h"

/* Exit codes, the same as the asbuilt command's (spec/cli.md). */
enum {
    EXIT_OK = 0,
    EXIT_USAGE = 2,
    EXIT_IO = 4,
};

/*
 * Logs are capped at 10^9 events: the simulated calendar advances about two years per million
 * events, and beyond 10^9 events it would leave the four-digit years of xs:dateTime.
 */
#define MAX_EVENTS 1000000000ULL

#define SEC_MS 1000LL
#define MIN_MS (60 * SEC_MS)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)

/* 2011-10-01T00:38:44.546+02:00, the first event of the real BPI Challenge 2012 log. */
#define START_MS 1317422324546LL

/* ---------------------------------------------------------------------------------------------
 * Process vocabulary
 */

enum activity {
    A_SUBMITTED,
    A_PARTLYSUBMITTED,
    A_PREACCEPTED,
    A_ACCEPTED,
    A_FINALIZED,
    A_DECLINED,
    A_CANCELLED,
    A_APPROVED,
    A_REGISTERED,
    A_ACTIVATED,
    O_SELECTED,
    O_CREATED,
    O_SENT,
    O_SENT_BACK,
    O_ACCEPTED,
    O_DECLINED,
    O_CANCELLED,
    W_LEADS,
    W_COMPLETE_APP,
    W_CALL_OFFERS,
    W_VALIDATE,
    W_CALL_MISSING,
    W_FRAUD,
    W_CHANGE_CONTRACT,
    W_BKR_CHECK,
    W_ADD_DETAILS,
    ACT_COUNT
};

/*
 * The 24 activity names of BPI Challenge 2012 plus two work items of the same bank. Those two
 * carry a quote and a comma, so CSV readers meet RFC 4180 quoting and XES readers meet &quot;
 * in the activity column itself, not only in side attributes.
 */
static const char *const act_names[ACT_COUNT] = {
    "A_SUBMITTED",
    "A_PARTLYSUBMITTED",
    "A_PREACCEPTED",
    "A_ACCEPTED",
    "A_FINALIZED",
    "A_DECLINED",
    "A_CANCELLED",
    "A_APPROVED",
    "A_REGISTERED",
    "A_ACTIVATED",
    "O_SELECTED",
    "O_CREATED",
    "O_SENT",
    "O_SENT_BACK",
    "O_ACCEPTED",
    "O_DECLINED",
    "O_CANCELLED",
    "W_Afhandelen leads",
    "W_Completeren aanvraag",
    "W_Nabellen offertes",
    "W_Valideren aanvraag",
    "W_Nabellen incomplete dossiers",
    "W_Beoordelen fraude",
    "W_Wijzigen contractgegevens",
    "W_Controleren \"BKR\"-registratie",
    "W_Aanvullen gegevens, klant",
};

enum lifecycle { LC_SCHEDULE, LC_START, LC_COMPLETE };
static const char *const lc_names[] = {"SCHEDULE", "START", "COMPLETE"};

/* The work-list action behind each transition of a W_ item, as BPI Challenge 2017 records it. */
static const char *const actions[] = {"Created", "Obtained", "Completed"};

/*
 * Employee numbers as they appear in BPI Challenge 2012; "112" is the system account that
 * submits and pre-screens applications. Teams overlap, as people help out across desks.
 */
static const char *const resources[] = {
    "112",   "10138", "10188", "10228", "10609", "10629", "10779", "10789", "10809", "10821",
    "10859", "10861", "10862", "10863", "10880", "10881", "10889", "10899", "10909", "10910",
    "10912", "10913", "10914", "10929", "10931", "10932", "10933", "10935", "10939", "10971",
    "10972", "10982", "11000", "11001", "11002", "11003", "11009", "11019", "11029", "11049",
    "11079", "11111", "11119", "11120", "11121", "11122", "11169", "11179", "11180", "11181",
    "11189", "11200", "11201", "11202", "11203", "11254", "11259", "11269", "11289", "11299",
    "11300", "11302", "11304", "11309", "11319", "11339",
};
#define RES_COUNT ((int)(sizeof resources / sizeof resources[0]))
#define RES_SYSTEM 0
#define RES_NONE 0xffff

/* Team ranges in resources[] (first, count): front office, offer desk, back office. */
#define TEAM_FRONT 1, 30
#define TEAM_OFFERS 16, 28
#define TEAM_BACK 38, 28

/* Loan goals as in BPI Challenge 2017 (same bank), with weights; one holds a real comma. */
static const char *const goals[] = {
    "Car",
    "Home improvement",
    "Existing loan takeover",
    "Other, see explanation",
    "Remaining debt home",
    "Not specified",
    "Unknown",
    "Caravan / Camper",
    "Extra spending limit",
    "Tax payments",
    "Motorcycle",
    "Boat",
    "Business goal",
    "Debt restructuring",
};
static const uint16_t goal_weights[] = {300, 250, 150, 90, 60, 40, 30, 20, 20, 15, 10, 8, 5, 2};
#define GOAL_COUNT ((int)(sizeof goals / sizeof goals[0]))

static const char *const app_types[] = {"New credit", "Limit raise"};

/* Free-text remarks on some completed work items: commas, quotes, & and < on purpose. */
static const char *const notes[] = {
    "",
    "Klant belt terug, na 17:00",
    "Aanvraag via \"Mijn Lening\" portaal",
    "Inkomen & lasten gecontroleerd",
    "Netto inkomen < norm, extra toets",
    "Geen bijzonderheden",
    "Klant wil hoger bedrag",
    "Voicemail ingesproken",
    "Offerte per post verstuurd",
};
#define NOTE_COUNT ((int)(sizeof notes / sizeof notes[0]))

/* Documents a dossier can miss: the list attribute of W_Nabellen incomplete dossiers. */
static const char *const documents[] = {
    "loonstrook", "ID-bewijs", "werkgeversverklaring", "bankafschrift", "taxatierapport",
};
#define DOC_COUNT ((int)(sizeof documents / sizeof documents[0]))

static const char *const regions[] = {
    "Noord-Holland", "Zuid-Holland", "Utrecht",   "Noord-Brabant", "Gelderland", "Limburg",
    "Overijssel",    "Friesland",    "Groningen", "Drenthe",       "Flevoland",  "Zeeland",
};
#define REGION_COUNT ((int)(sizeof regions / sizeof regions[0]))

/* ---------------------------------------------------------------------------------------------
 * Random numbers: xoshiro256** seeded through splitmix64 (Blackman and Vigna), so the sequence
 * is the same on every platform and compiler.
 */

typedef struct {
    uint64_t s[4];
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        r->s[i] = splitmix64(&seed);
    }
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in (0, 1]: never 0, so its logarithm is finite. */
static double rng_unit(rng_t *r)
{
    return (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* Uniform in [0, n) for n < 2^32, by multiply-shift (bias below 2^-32, irrelevant here). */
static uint32_t rng_below(rng_t *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static int rng_chance(rng_t *r, double p)
{
    return rng_unit(r) <= p;
}

/* Extra repetitions of a loop body: each further round happens with probability p, up to max. */
static int rng_repeats(rng_t *r, double p, int max)
{
    int k = 0;
    while (k < max && rng_chance(r, p)) {
        k++;
    }
    return k;
}

static int rng_weighted(rng_t *r, const uint16_t *w, int n)
{
    uint32_t total = 0;
    for (int i = 0; i < n; i++) {
        total += w[i];
    }
    uint32_t x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < w[i]) {
            return i;
        }
        x -= w[i];
    }
    return n - 1;
}

/* Exponentially distributed duration in milliseconds with the given mean. */
static int64_t rng_exp_ms(rng_t *r, int64_t mean)
{
    return (int64_t)(-gen_ln(rng_unit(r)) * (double)mean);
}

/* Erlang-2 duration: like a task time, rarely near zero and with a long right tail. */
static int64_t rng_task_ms(rng_t *r, int64_t mean)
{
    return rng_exp_ms(r, mean / 2) + rng_exp_ms(r, mean / 2);
}

/* ---------------------------------------------------------------------------------------------
 * Calendar: UTC milliseconds to Europe/Amsterdam wall time. Days<->dates follow H. Hinnant's
 * civil-date algorithms; daylight saving time follows the EU rule in force since 1996 (last
 * Sunday of March to last Sunday of October, switching at 01:00 UTC).
 */

typedef struct {
    int64_t year;      /* Year whose switch instants are cached, INT64_MIN = none. */
    int64_t dst_begin; /* UTC ms when summer time starts that year. */
    int64_t dst_end;   /* UTC ms when it ends. */
} cal_t;

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) {
        q--;
    }
    return q;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

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

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int weekday(int64_t days)
{
    return (int)((days % 7 + 11) % 7);
}

static void cal_init(cal_t *cal)
{
    cal->year = INT64_MIN;
    cal->dst_begin = 0;
    cal->dst_end = 0;
}

/* UTC offset of Europe/Amsterdam at a UTC instant, in minutes (60 or 120). */
static int cal_offset_min(cal_t *cal, int64_t ms)
{
    int64_t y;
    int m, d;
    civil_from_days(floor_div(ms, DAY_MS), &y, &m, &d);
    if (y != cal->year) {
        int64_t mar = days_from_civil(y, 3, 31);
        int64_t oct = days_from_civil(y, 10, 31);
        cal->year = y;
        cal->dst_begin = (mar - weekday(mar)) * DAY_MS + HOUR_MS;
        cal->dst_end = (oct - weekday(oct)) * DAY_MS + HOUR_MS;
    }
    return (ms >= cal->dst_begin && ms < cal->dst_end) ? 120 : 60;
}

static char *put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/*
 * Formats a UTC instant as Amsterdam wall time with its offset: "2011-10-01T00:38:44.546+02:00"
 * as OpenXES writes xs:dateTime, or "2011-10-01 00:38:44.546000+02:00" as pandas writes a
 * timezone-aware timestamp into PM4Py's CSV. Returns the length (at most 32).
 */
static size_t fmt_time(cal_t *cal, int64_t ms, int pandas, char *out)
{
    int off = cal_offset_min(cal, ms);
    int64_t local = ms + off * MIN_MS;
    int64_t days = floor_div(local, DAY_MS);
    int64_t rem = local - days * DAY_MS;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    char *p = out;
    p = put_digits(p, (unsigned)y, 4);
    *p++ = '-';
    p = put_digits(p, (unsigned)m, 2);
    *p++ = '-';
    p = put_digits(p, (unsigned)d, 2);
    *p++ = pandas ? ' ' : 'T';
    p = put_digits(p, (unsigned)(rem / HOUR_MS), 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)(rem / MIN_MS % 60), 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)(rem / SEC_MS % 60), 2);
    *p++ = '.';
    p = put_digits(p, (unsigned)(rem % SEC_MS), 3);
    if (pandas) {
        memcpy(p, "000", 3);
        p += 3;
    }
    *p++ = '+';
    p = put_digits(p, (unsigned)(off / 60), 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)(off % 60), 2);
    return (size_t)(p - out);
}

/* ---------------------------------------------------------------------------------------------
 * Simulated data
 */

enum {
    EV_SELECTED = 1,  /* O_CREATED: the offer was the selected one. */
    EV_ACCEPTED = 2,  /* O_CREATED: the customer accepted it in the end. */
    EV_HAS_OFFER = 4, /* O_ events: offer_id is set. */
    EV_DETAILS = 8,   /* O_CREATED: the amount, cost, terms and score fields are set. */
};

typedef struct {
    int64_t ts;            /* time:timestamp, UTC milliseconds since 1970. */
    int64_t due;           /* SCHEDULE events: planned completion, UTC ms; 0 = none. */
    uint64_t uid[2];       /* identity:id, a version 4 UUID. */
    uint32_t offer_id;     /* O_ events: offer number (with EV_HAS_OFFER). */
    int32_t amount_cents;  /* O_CREATED: OfferedAmount in euro cents. */
    int32_t monthly_cents; /* O_CREATED: MonthlyCost in euro cents. */
    uint16_t res;          /* Index into resources[], or RES_NONE. */
    int16_t terms;         /* O_CREATED: NumberOfTerms in months. */
    int16_t credit_score;  /* O_CREATED: CreditScore, 0 = not scored. */
    uint8_t act;           /* enum activity. */
    uint8_t lc;            /* enum lifecycle. */
    uint8_t flags;         /* EV_* bits. */
    uint8_t note;          /* Index into notes[], 0 = no note. */
    uint8_t docs;          /* Bit mask over documents[]: the missing_documents list. */
    uint8_t offer_version; /* O_CREATED: 1 for the first offer, then 2, 3, ... */
} ev_t;

typedef struct case_s {
    uint64_t id;              /* concept:name of the trace (a BPI-style application number). */
    uint64_t seq;             /* Position in simulation order: breaks timestamp ties. */
    int64_t reg_date;         /* REG_DATE, UTC ms (the submission time). */
    int32_t amount_req;       /* AMOUNT_REQ in euros. */
    uint8_t goal;             /* Index into goals[]. */
    uint8_t app_type;         /* Index into app_types[]. */
    uint8_t has_applicant;    /* Whether the trace carries the applicant container. */
    uint8_t age;              /* applicant/age in years. */
    uint8_t region;           /* applicant/region, index into regions[]. */
    uint8_t known;            /* applicant/existing_customer. */
    ev_t *ev;                 /* Events, in time order once case_sort has run. */
    size_t n;                 /* Events kept. */
    size_t cap;               /* Allocated slots in ev. */
    size_t next;              /* Next event to write (interleaved output). */
    struct case_s *free_next; /* Free-list link. */
} case_t;

/* Ground truth, counted on the events as written (after truncation). */
typedef struct {
    uint64_t cases;
    uint64_t events;
    uint64_t act[ACT_COUNT];            /* Events per concept:name. */
    uint64_t start[ACT_COUNT];          /* Cases starting with an activity. */
    uint64_t end[ACT_COUNT];            /* Cases ending with an activity. */
    uint64_t dfg[ACT_COUNT][ACT_COUNT]; /* Directly-follows pairs within cases. */
    uint64_t min_len, max_len;          /* Shortest and longest case in events. */
} truth_t;

typedef struct {
    rng_t rng;
    cal_t cal;
    uint64_t events_left;  /* Events still to simulate before the log is complete. */
    uint64_t next_case_id; /* concept:name of the next case. */
    uint64_t case_seq;     /* Cases simulated so far. */
    int64_t next_arrival;  /* Submission time of the next case, UTC ms. */
    uint32_t offer_seq;    /* Offers created so far. */
    int oom;               /* Set when an event array could not grow. */
    ev_t scratch;          /* Sink for pushes after an allocation failure. */
    truth_t truth;
} gen_t;

static ev_t *push(gen_t *g, case_t *c, int act, int lc, int res, int64_t ts)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        ev_t *p = realloc(c->ev, cap * sizeof *p);
        if (p == NULL) {
            g->oom = 1;
            return &g->scratch;
        }
        c->ev = p;
        c->cap = cap;
    }
    ev_t *e = &c->ev[c->n++];
    memset(e, 0, sizeof *e);
    e->act = (uint8_t)act;
    e->lc = (uint8_t)lc;
    e->res = (uint16_t)res;
    e->ts = ts;
    return e;
}

/* A member of a team, skewed so that some employees do much more work than others. */
static int pick(gen_t *g, int first, int count)
{
    double u = rng_unit(&g->rng);
    int i = (int)(u * u * count);
    return first + (i < count ? i : count - 1);
}

/* A point strictly inside (s, e), at fraction f of the way; parallel steps go there. */
static int64_t inside(int64_t s, int64_t e, double f)
{
    return s + 1 + (int64_t)((double)(e - s - 2) * f);
}

/*
 * The first working moment at or after t (Mon-Fri, 08:00-18:00 Amsterdam time): people pick up
 * work items in office hours, while the system events around them happen at any hour. One item
 * in twenty is picked up out of hours anyway (overtime).
 */
static int64_t office_time(gen_t *g, int64_t t)
{
    if (rng_chance(&g->rng, 0.05)) {
        return t;
    }
    int64_t off = cal_offset_min(&g->cal, t) * MIN_MS;
    int64_t local = t + off;
    int64_t day = floor_div(local, DAY_MS);
    int64_t tod = local - day * DAY_MS;
    int wd = weekday(day);
    if (wd >= 1 && wd <= 5 && tod >= 8 * HOUR_MS && tod < 18 * HOUR_MS) {
        return t;
    }
    if (!(wd >= 1 && wd <= 5 && tod < 8 * HOUR_MS)) {
        day++;
    }
    while (weekday(day) == 0 || weekday(day) == 6) {
        day++;
    }
    return day * DAY_MS + 8 * HOUR_MS + rng_exp_ms(&g->rng, 40 * MIN_MS) - off;
}

/*
 * Submission time of the next application: a Poisson stream whose rate follows the day, about
 * 75 applications per weekday like BPI Challenge 2012, fewer at night and at weekends.
 */
static int64_t next_arrival(gen_t *g, int64_t t)
{
    int64_t local = t + cal_offset_min(&g->cal, t) * MIN_MS;
    int64_t day = floor_div(local, DAY_MS);
    int64_t hour = (local - day * DAY_MS) / HOUR_MS;
    int wd = weekday(day);
    int64_t mean = (hour >= 7 && hour < 23) ? 13 * MIN_MS : 70 * MIN_MS;
    if (wd == 0 || wd == 6) {
        mean = mean * 5 / 2;
    }
    return t + SEC_MS + rng_exp_ms(&g->rng, mean);
}

/* A SCHEDULE event; the work item is due a few working days later. */
static void schedule(gen_t *g, case_t *c, int act, int res, int64_t t)
{
    ev_t *e = push(g, c, act, LC_SCHEDULE, res, t);
    e->due = t + (1 + (int64_t)rng_below(&g->rng, 5)) * DAY_MS;
}

/*
 * One START/COMPLETE pair of a work item, picked up after a wait and done by `res`. Returns the
 * start; *t moves to the completion. One START in thirty lacks its resource, as in the real log.
 */
static int64_t work(gen_t *g, case_t *c, int act, int res, int64_t *t, int64_t wait, int64_t dur)
{
    rng_t *r = &g->rng;
    int64_t s = office_time(g, *t + SEC_MS + rng_exp_ms(r, wait));
    push(g, c, act, LC_START, rng_chance(r, 1.0 / 30) ? RES_NONE : res, s);
    int64_t e = s + 20 * SEC_MS + rng_task_ms(r, dur);
    ev_t *ev = push(g, c, act, LC_COMPLETE, res, e);
    if (rng_chance(r, 0.08)) {
        ev->note = (uint8_t)(1 + rng_below(r, NOTE_COUNT - 1));
    }
    *t = e;
    return s;
}

/* One offer: O_SELECTED, O_CREATED (with the offer's terms), O_SENT, a few seconds apart. */
static uint32_t offer(gen_t *g, case_t *c, int res, int64_t t, int version)
{
    rng_t *r = &g->rng;
    uint32_t id = ++g->offer_seq;
    ev_t *e = push(g, c, O_SELECTED, LC_COMPLETE, res, t);
    e->flags = EV_HAS_OFFER;
    e->offer_id = id;

    int64_t amount = c->amount_req > 0 ? c->amount_req : 5000 + 500 * (int64_t)rng_below(r, 30);
    if (rng_chance(r, 0.3)) {
        amount = amount * (70 + rng_below(r, 30)) / 100 / 250 * 250;
    }
    if (amount < 1000) {
        amount = 1000;
    }
    static const int16_t terms[] = {36, 48, 60, 72, 84, 96, 120, 144, 180};
    int16_t n = terms[rng_below(r, 9)];
    /* Annuity at roughly 6-9% a year, computed in cents; exactness does not matter here. */
    int64_t total = amount * 100 * (1000 + (60 + (int64_t)rng_below(r, 31)) * n / 12) / 1000;
    e = push(g, c, O_CREATED, LC_COMPLETE, res, t + 1500 + rng_exp_ms(r, 2 * SEC_MS));
    e->flags = EV_HAS_OFFER | EV_DETAILS | (rng_chance(r, 0.9) ? EV_SELECTED : 0);
    e->offer_id = id;
    e->amount_cents = (int32_t)(amount * 100);
    e->monthly_cents = (int32_t)(total / n);
    e->terms = n;
    e->credit_score = rng_chance(r, 0.55) ? 0 : (int16_t)(600 + rng_below(r, 550));
    e->offer_version = (uint8_t)version;
    int64_t created = e->ts;

    e = push(g, c, O_SENT, LC_COMPLETE, res, created + 100 + rng_exp_ms(r, SEC_MS));
    e->flags = EV_HAS_OFFER;
    e->offer_id = id;
    return id;
}

/* An offer event (O_SENT_BACK, O_ACCEPTED, ...) about an existing offer. */
static void offer_event(gen_t *g, case_t *c, int act, int res, int64_t t, uint32_t id)
{
    ev_t *e = push(g, c, act, LC_COMPLETE, res, t);
    e->flags = EV_HAS_OFFER;
    e->offer_id = id;
}

/* Marks the O_CREATED of offer `id` as finally accepted by the customer. */
static void offer_mark_accepted(case_t *c, uint32_t id)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->ev[i].act == O_CREATED && c->ev[i].offer_id == id) {
            c->ev[i].flags |= EV_ACCEPTED;
        }
    }
}

/*
 * The life of one application. The shape follows BPI Challenge 2012: automatic pre-screening
 * (about one in five is declined at once), optional lead handling, completing the application with
 * rework rounds while the offer is made in parallel, follow-up calls with re-offers, and
 * validation with loops through missing-document calls, ending in approval, decline or
 * cancellation. Steps that happen while a work item is open get timestamps inside it, so the
 * case's events interleave like concurrent branches once sorted.
 */
static void simulate(gen_t *g, case_t *c, int64_t t)
{
    rng_t *r = &g->rng;
    int res = RES_SYSTEM;
    int64_t s = t; /* Start of the work item in progress; every loop sets it. */

    push(g, c, A_SUBMITTED, LC_COMPLETE, RES_SYSTEM, t);
    t += 200 + rng_exp_ms(r, 400);
    push(g, c, A_PARTLYSUBMITTED, LC_COMPLETE, RES_SYSTEM, t);
    if (rng_chance(r, 0.22)) {
        push(g, c, A_DECLINED, LC_COMPLETE, RES_SYSTEM, t + 5 * SEC_MS + rng_exp_ms(r, MIN_MS));
        return;
    }

    if (rng_chance(r, 0.40)) {
        schedule(g, c, W_LEADS, RES_NONE, t + 500 + rng_exp_ms(r, 2 * SEC_MS));
        int rounds = 1 + rng_repeats(r, 0.35, 6);
        for (int i = 0; i < rounds; i++) {
            res = pick(g, TEAM_FRONT);
            s = work(g, c, W_LEADS, res, &t, 5 * HOUR_MS, 8 * MIN_MS);
            if (i == rounds - 1 && rng_chance(r, 0.30)) {
                push(g, c, A_DECLINED, LC_COMPLETE, res, inside(s, t, 0.6));
                return;
            }
        }
    }

    t += SEC_MS + rng_exp_ms(r, 30 * SEC_MS);
    push(g, c, A_PREACCEPTED, LC_COMPLETE, rng_chance(r, 0.7) ? RES_SYSTEM : res, t);
    schedule(g, c, W_COMPLETE_APP, RES_SYSTEM, t + 300 + rng_exp_ms(r, SEC_MS));

    uint32_t offer_id = 0;
    int rounds = 1 + rng_repeats(r, 0.55, 10);
    for (int i = 0; i < rounds; i++) {
        res = pick(g, TEAM_FRONT);
        s = work(g, c, W_COMPLETE_APP, res, &t, 14 * HOUR_MS, 6 * MIN_MS);
        if (i < rounds - 1) {
            continue;
        }
        double u = rng_unit(r);
        if (u < 0.14) {
            push(g, c, A_DECLINED, LC_COMPLETE, res, inside(s, t, 0.5));
            return;
        }
        if (u < 0.22) {
            push(g, c, A_CANCELLED, LC_COMPLETE, res, inside(s, t, 0.5));
            return;
        }
        /* The offer is prepared during the last round; A_FINALIZED is skipped now and then. */
        push(g, c, A_ACCEPTED, LC_COMPLETE, res, inside(s, t, 0.15));
        int64_t at = inside(s, t, 0.3);
        if (!rng_chance(r, 0.02)) {
            push(g, c, A_FINALIZED, LC_COMPLETE, res, at - 200);
        }
        offer_id = offer(g, c, res, at, 1);
        schedule(g, c, W_CALL_OFFERS, RES_NONE, inside(s, t, 0.9));
    }

    /* Follow-up calls until the customer sends the signed offer back (or gives up). */
    int reoffers = 0;
    int version = 1;
    rounds = 1 + rng_repeats(r, 0.6, 15);
    for (int i = 0; i < rounds; i++) {
        res = pick(g, TEAM_OFFERS);
        s = work(g, c, W_CALL_OFFERS, res, &t, 30 * HOUR_MS, 4 * MIN_MS);
        if (reoffers < 3 && rng_chance(r, 0.10)) {
            reoffers++;
            offer_event(g, c, O_CANCELLED, res, inside(s, t, 0.2), offer_id);
            offer_id = offer(g, c, res, inside(s, t, 0.3), ++version);
        }
    }
    if (rng_chance(r, 0.20)) {
        int64_t at = t + 10 * SEC_MS + rng_exp_ms(r, HOUR_MS);
        int first = rng_chance(r, 0.5);
        offer_event(g, c, O_CANCELLED, res, at + (first ? 0 : 700), offer_id);
        push(g, c, A_CANCELLED, LC_COMPLETE, res, at + (first ? 700 : 0));
        return;
    }
    offer_event(g, c, O_SENT_BACK, res, inside(s, t, 0.5), offer_id);
    schedule(g, c, W_VALIDATE, RES_NONE, inside(s, t, 0.7));

    /* Validation, looping through calls for missing documents. */
    int64_t vs = 0;
    int fraud_checked = 0;
    for (int loop = 0;; loop++) {
        int checker = pick(g, TEAM_BACK);
        vs = work(g, c, W_VALIDATE, checker, &t, 20 * HOUR_MS, 12 * MIN_MS);
        res = checker;
        if (loop == 0 && rng_chance(r, 0.15)) {
            /* The credit registry check runs in parallel with the validation, by a colleague. */
            int other = pick(g, TEAM_BACK);
            int64_t bs = inside(vs, t, 0.2);
            push(g, c, W_BKR_CHECK, LC_START, other, bs);
            int64_t be = bs + 30 * SEC_MS + rng_task_ms(r, 5 * MIN_MS);
            push(g, c, W_BKR_CHECK, LC_COMPLETE, other, be);
        }
        if (!fraud_checked && rng_chance(r, 0.03)) {
            fraud_checked = 1;
            schedule(g, c, W_FRAUD, RES_NONE, inside(vs, t, 0.9));
            int fr = pick(g, TEAM_BACK);
            int64_t fs = work(g, c, W_FRAUD, fr, &t, 2 * DAY_MS, 30 * MIN_MS);
            if (rng_chance(r, 0.5)) {
                int first = rng_chance(r, 0.5);
                offer_event(g, c, O_DECLINED, fr, inside(fs, t, first ? 0.4 : 0.6), offer_id);
                push(g, c, A_DECLINED, LC_COMPLETE, fr, inside(fs, t, first ? 0.6 : 0.4));
                return;
            }
        }
        if (loop >= 4 || !rng_chance(r, 0.38)) {
            break;
        }
        schedule(g, c, W_CALL_MISSING, RES_NONE, inside(vs, t, 0.95));
        int calls = 1 + rng_repeats(r, 0.5, 8);
        for (int j = 0; j < calls; j++) {
            work(g, c, W_CALL_MISSING, pick(g, TEAM_BACK), &t, 22 * HOUR_MS, 5 * MIN_MS);
        }
        /* The last call's COMPLETE lists what is still missing. */
        if (!g->oom) {
            ev_t *last = &c->ev[c->n - 1];
            last->docs = (uint8_t)(1u << rng_below(r, DOC_COUNT));
            if (rng_chance(r, 0.3)) {
                last->docs |= (uint8_t)(1u << rng_below(r, DOC_COUNT));
            }
        }
        if (rng_chance(r, 0.3)) {
            work(g, c, W_ADD_DETAILS, pick(g, TEAM_FRONT), &t, 3 * HOUR_MS, 10 * MIN_MS);
        }
        if (rng_chance(r, 0.08)) {
            int first = rng_chance(r, 0.5);
            int64_t at = t + 10 * SEC_MS + rng_exp_ms(r, HOUR_MS);
            offer_event(g, c, O_CANCELLED, res, at + (first ? 0 : 500), offer_id);
            push(g, c, A_CANCELLED, LC_COMPLETE, res, at + (first ? 500 : 0));
            return;
        }
        schedule(g, c, W_VALIDATE, RES_NONE, t + 2 * SEC_MS + rng_exp_ms(r, MIN_MS));
    }

    /* The decision, taken during the last validation; its steps are concurrent. */
    double u = rng_unit(r);
    if (u < 0.62) {
        int order[4] = {A_APPROVED, A_REGISTERED, A_ACTIVATED, O_ACCEPTED};
        for (int i = 3; i > 0; i--) {
            int j = (int)rng_below(r, (uint32_t)i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (int i = 0; i < 4; i++) {
            int64_t at = inside(vs, t, 0.3 + 0.15 * i);
            if (order[i] == O_ACCEPTED) {
                offer_event(g, c, O_ACCEPTED, res, at, offer_id);
            } else {
                push(g, c, order[i], LC_COMPLETE, res, at);
            }
        }
        if (!g->oom) {
            offer_mark_accepted(c, offer_id);
        }
        if (rng_chance(r, 0.01)) {
            schedule(g, c, W_CHANGE_CONTRACT, RES_NONE, t + 5 * MIN_MS);
            work(g, c, W_CHANGE_CONTRACT, pick(g, TEAM_BACK), &t, 3 * DAY_MS, 15 * MIN_MS);
        }
    } else if (u < 0.92) {
        int first = rng_chance(r, 0.5);
        offer_event(g, c, O_DECLINED, res, inside(vs, t, first ? 0.5 : 0.7), offer_id);
        push(g, c, A_DECLINED, LC_COMPLETE, res, inside(vs, t, first ? 0.7 : 0.5));
    } else {
        int first = rng_chance(r, 0.5);
        offer_event(g, c, O_CANCELLED, res, inside(vs, t, first ? 0.5 : 0.7), offer_id);
        push(g, c, A_CANCELLED, LC_COMPLETE, res, inside(vs, t, first ? 0.7 : 0.5));
    }
}

/*
 * Puts the events in time order (stable insertion sort: cases are short and nearly sorted) and
 * then makes timestamps strictly increasing within the case, so that every reader, whatever its
 * tie-breaking rule, rebuilds the same order and the ground truth holds for all of them.
 */
static void case_sort(case_t *c)
{
    for (size_t i = 1; i < c->n; i++) {
        ev_t tmp = c->ev[i];
        size_t j = i;
        while (j > 0 && c->ev[j - 1].ts > tmp.ts) {
            c->ev[j] = c->ev[j - 1];
            j--;
        }
        c->ev[j] = tmp;
    }
    for (size_t i = 1; i < c->n; i++) {
        if (c->ev[i].ts <= c->ev[i - 1].ts) {
            c->ev[i].ts = c->ev[i - 1].ts + 1;
        }
    }
}

static void truth_add(truth_t *t, const case_t *c)
{
    t->cases++;
    t->events += c->n;
    if (t->cases == 1 || c->n < t->min_len) {
        t->min_len = c->n;
    }
    if (c->n > t->max_len) {
        t->max_len = c->n;
    }
    t->start[c->ev[0].act]++;
    t->end[c->ev[c->n - 1].act]++;
    for (size_t i = 0; i < c->n; i++) {
        t->act[c->ev[i].act]++;
        if (i > 0) {
            t->dfg[c->ev[i - 1].act][c->ev[i].act]++;
        }
    }
}

/*
 * Simulates the next case into c (whose event array is reused), cut short if the log needs
 * fewer events. Returns 0, or -1 when memory ran out.
 */
static int gen_case(gen_t *g, case_t *c)
{
    rng_t *r = &g->rng;
    c->n = 0;
    c->next = 0;
    c->seq = g->case_seq++;
    c->id = g->next_case_id;
    g->next_case_id += 1 + rng_below(r, 3);
    int64_t t = g->next_arrival;
    g->next_arrival = next_arrival(g, t);
    c->reg_date = t;

    double u = rng_unit(r);
    if (u < 0.02) {
        c->amount_req = 0;
    } else if (u < 0.07) {
        c->amount_req = 1000 + (int32_t)rng_below(r, 60000);
    } else if (u < 0.30) {
        c->amount_req = 500 * (1 + (int32_t)rng_below(r, 100));
    } else {
        double v = rng_unit(r);
        c->amount_req = 1000 * (1 + (int32_t)(v * v * 50));
    }
    c->goal = (uint8_t)rng_weighted(r, goal_weights, GOAL_COUNT);
    c->app_type = rng_chance(r, 0.9) ? 0 : 1;
    c->has_applicant = rng_chance(r, 0.08);
    c->age = (uint8_t)(18 + rng_below(r, 60));
    c->region = (uint8_t)rng_below(r, REGION_COUNT);
    c->known = rng_chance(r, 0.4);

    simulate(g, c, t);
    if (g->oom) {
        return -1;
    }
    case_sort(c);
    for (size_t i = 0; i < c->n; i++) {
        /* Random UUIDs (RFC 4122 version 4). */
        c->ev[i].uid[0] = (rng_next(r) & ~0xf000ULL) | 0x4000ULL;
        c->ev[i].uid[1] = (rng_next(r) & ~(3ULL << 62)) | (2ULL << 62);
    }
    if (c->n > g->events_left) {
        c->n = (size_t)g->events_left;
    }
    g->events_left -= c->n;
    truth_add(&g->truth, c);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Output: the generators' shared sink (gen_util.h): one large buffer, flushed as is or through
 * deflate with a gzip wrapper (windowBits 31, header time 0, so the bytes are reproducible).
 */

typedef gen_sink sink_t;


static void put_u64(sink_t *s, uint64_t v)
{
    char tmp[24];
    int i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    gen_put_mem(s, tmp + i, sizeof tmp - (size_t)i);
}

/* Euro cents as Java's Double.toString and Python's repr print them: 15000.0, 498.5, 498.29. */
static void put_cents(sink_t *s, int64_t cents)
{
    put_u64(s, (uint64_t)(cents / 100));
    int frac = (int)(cents % 100);
    char tmp[3] = {'.', (char)('0' + frac / 10), (char)('0' + frac % 10)};
    gen_put_mem(s, tmp, frac % 10 ? 3 : 2);
}

static void put_time(sink_t *s, cal_t *cal, int64_t ms, int pandas)
{
    char tmp[40];
    gen_put_mem(s, tmp, fmt_time(cal, ms, pandas, tmp));
}

static void put_uuid(sink_t *s, const uint64_t uid[2])
{
    static const char hex[] = "0123456789abcdef";
    char tmp[36];
    int k = 0;
    for (int i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20) {
            tmp[k++] = '-';
        }
        uint64_t w = uid[i / 16];
        tmp[k++] = hex[(w >> (60 - 4 * (i % 16))) & 0xf];
    }
    gen_put_mem(s, tmp, sizeof tmp);
}

static const char *origin(int act)
{
    switch (act_names[act][0]) {
    case 'A':
        return "Application";
    case 'O':
        return "Offer";
    default:
        return "Workflow";
    }
}

/* ---------------------------------------------------------------------------------------------
 * Options
 */

enum { FMT_XES, FMT_CSV };

typedef struct {
    uint64_t events;    /* Events to write. */
    int have_events;    /* Whether --events was given. */
    int format;         /* FMT_XES or FMT_CSV, -1 = not given. */
    int gzip;           /* --gzip. */
    int level;          /* Deflate level, -1 = not given (6). */
    uint64_t seed;      /* --seed. */
    int interleaved;    /* --cases-interleaved. */
    const char *output; /* -o FILE, NULL or "-" = stdout. */
    const char *truth;  /* --truth FILE, NULL = none, "-" = stderr. */
    int quiet;          /* -q: no summary on stderr. */
} opts_t;

/* ---------------------------------------------------------------------------------------------
 * XES, laid out as OpenXES 1.0 (ProM) writes it: tabs, extensions, globals, classifiers, log
 * attributes, then each trace's attributes followed by its events.
 */

static void xes_attr_open(sink_t *s, const char *indent, const char *type, const char *key)
{
    gen_put_str(s, indent);
    gen_put_mem(s, "<", 1);
    gen_put_str(s, type);
    GEN_PUT(s, " key=\"");
    gen_put_xml(s, key);
    GEN_PUT(s, "\" value=\"");
}

static void xes_string(sink_t *s, const char *indent, const char *key, const char *value)
{
    xes_attr_open(s, indent, "string", key);
    gen_put_xml(s, value);
    GEN_PUT(s, "\"/>\n");
}

static void xes_header(sink_t *s, const opts_t *o)
{
    GEN_PUT(s, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
           "<!-- Synthetic loan application log in the style of the BPI Challenge 2012, -->\n"
           "<!-- written by abgen for benchmarks. It conforms to the XML serialization -->\n"
           "<!-- of the XES standard for log storage and management. -->\n"
           "<log xes.version=\"1.0\" xes.features=\"nested-attributes\" "
           "openxes.version=\"1.0RC7\" xmlns=\"http://www.xes-standard.org/\">\n"
           "\t<extension name=\"Lifecycle\" prefix=\"lifecycle\" "
           "uri=\"http://www.xes-standard.org/lifecycle.xesext\"/>\n"
           "\t<extension name=\"Organizational\" prefix=\"org\" "
           "uri=\"http://www.xes-standard.org/org.xesext\"/>\n"
           "\t<extension name=\"Time\" prefix=\"time\" "
           "uri=\"http://www.xes-standard.org/time.xesext\"/>\n"
           "\t<extension name=\"Concept\" prefix=\"concept\" "
           "uri=\"http://www.xes-standard.org/concept.xesext\"/>\n"
           "\t<extension name=\"Identity\" prefix=\"identity\" "
           "uri=\"http://www.xes-standard.org/identity.xesext\"/>\n"
           "\t<global scope=\"trace\">\n"
           "\t\t<date key=\"REG_DATE\" value=\"1970-01-01T00:00:00.000+01:00\"/>\n"
           "\t\t<string key=\"concept:name\" value=\"UNKNOWN\"/>\n"
           "\t\t<string key=\"AMOUNT_REQ\" value=\"UNKNOWN\"/>\n"
           "\t</global>\n"
           "\t<global scope=\"event\">\n"
           "\t\t<string key=\"lifecycle:transition\" value=\"UNKNOWN\"/>\n"
           "\t\t<string key=\"concept:name\" value=\"UNKNOWN\"/>\n"
           "\t\t<date key=\"time:timestamp\" value=\"1970-01-01T00:00:00.000+01:00\"/>\n"
           "\t\t<id key=\"identity:id\" value=\"00000000-0000-0000-0000-000000000000\"/>\n"
           "\t\t<string key=\"EventOrigin\" value=\"UNKNOWN\"/>\n"
           "\t</global>\n"
           "\t<classifier name=\"Activity\" keys=\"concept:name\"/>\n"
           "\t<classifier name=\"activity classifier\" "
           "keys=\"concept:name lifecycle:transition\"/>\n"
           "\t<classifier name=\"Resource classifier\" keys=\"org:resource\"/>\n"
           "\t<string key=\"concept:name\" "
           "value=\"Loan applications (synthetic, BPI Challenge 2012 style)\"/>\n"
           "\t<string key=\"lifecycle:model\" value=\"standard\"/>\n");
    /* The parameters that decide the content; --gzip and -o do not, so they are left out. */
    GEN_PUT(s, "\t<string key=\"Generation_Details\" value=\"abgen --events ");
    put_u64(s, o->events);
    GEN_PUT(s, " --format xes --seed ");
    put_u64(s, o->seed);
    GEN_PUT(s, "\">\n\t\t<string key=\"seed\" value=\"");
    put_u64(s, o->seed);
    GEN_PUT(s, "\"/>\n\t\t<int key=\"events\" value=\"");
    put_u64(s, o->events);
    GEN_PUT(s, "\"/>\n\t\t<string key=\"process\" "
           "value=\"BPI Challenge 2012 style loan application\"/>\n"
           "\t</string>\n");
}

static void xes_event(sink_t *s, cal_t *cal, const ev_t *e)
{
    GEN_PUT(s, "\t\t<event>\n");
    /* OpenXES keeps attributes in a hash map, so their order varies between events. */
    if (e->res != RES_NONE) {
        xes_string(s, "\t\t\t", "org:resource", resources[e->res]);
        xes_string(s, "\t\t\t", "lifecycle:transition", lc_names[e->lc]);
        xes_string(s, "\t\t\t", "concept:name", act_names[e->act]);
    } else {
        xes_string(s, "\t\t\t", "concept:name", act_names[e->act]);
        xes_string(s, "\t\t\t", "lifecycle:transition", lc_names[e->lc]);
    }
    GEN_PUT(s, "\t\t\t<date key=\"time:timestamp\" value=\"");
    put_time(s, cal, e->ts, 0);
    GEN_PUT(s, "\"/>\n\t\t\t<id key=\"identity:id\" value=\"");
    put_uuid(s, e->uid);
    GEN_PUT(s, "\"/>\n");
    xes_string(s, "\t\t\t", "EventOrigin", origin(e->act));
    if (act_names[e->act][0] == 'W') {
        xes_string(s, "\t\t\t", "Action", actions[e->lc]);
    }
    if (e->due != 0) {
        GEN_PUT(s, "\t\t\t<date key=\"DueDate\" value=\"");
        put_time(s, cal, e->due, 0);
        GEN_PUT(s, "\"/>\n");
    }
    if (e->flags & EV_HAS_OFFER) {
        GEN_PUT(s, "\t\t\t<string key=\"OfferID\" value=\"Offer_");
        put_u64(s, e->offer_id);
        if (e->offer_version > 1) {
            /* A nested attribute (xes.features="nested-attributes") on re-offers. */
            GEN_PUT(s, "\">\n\t\t\t\t<int key=\"version\" value=\"");
            put_u64(s, e->offer_version);
            GEN_PUT(s, "\"/>\n\t\t\t</string>\n");
        } else {
            GEN_PUT(s, "\"/>\n");
        }
    }
    if (e->flags & EV_DETAILS) {
        GEN_PUT(s, "\t\t\t<float key=\"OfferedAmount\" value=\"");
        put_cents(s, e->amount_cents);
        GEN_PUT(s, "\"/>\n\t\t\t<float key=\"MonthlyCost\" value=\"");
        put_cents(s, e->monthly_cents);
        GEN_PUT(s, "\"/>\n\t\t\t<int key=\"NumberOfTerms\" value=\"");
        put_u64(s, (uint64_t)e->terms);
        GEN_PUT(s, "\"/>\n\t\t\t<int key=\"CreditScore\" value=\"");
        put_u64(s, (uint64_t)e->credit_score);
        GEN_PUT(s, "\"/>\n\t\t\t<boolean key=\"Selected\" value=\"");
        gen_put_str(s, (e->flags & EV_SELECTED) ? "true" : "false");
        GEN_PUT(s, "\"/>\n\t\t\t<boolean key=\"Accepted\" value=\"");
        gen_put_str(s, (e->flags & EV_ACCEPTED) ? "true" : "false");
        GEN_PUT(s, "\"/>\n");
    }
    if (e->note != 0) {
        xes_string(s, "\t\t\t", "note", notes[e->note]);
    }
    if (e->docs != 0) {
        GEN_PUT(s, "\t\t\t<list key=\"missing_documents\">\n\t\t\t\t<values>\n");
        for (int i = 0; i < DOC_COUNT; i++) {
            if (e->docs & (1u << i)) {
                xes_string(s, "\t\t\t\t\t", "document", documents[i]);
            }
        }
        GEN_PUT(s, "\t\t\t\t</values>\n\t\t\t</list>\n");
    }
    GEN_PUT(s, "\t\t</event>\n");
}

static void xes_trace(sink_t *s, cal_t *cal, const case_t *c)
{
    GEN_PUT(s, "\t<trace>\n\t\t<date key=\"REG_DATE\" value=\"");
    put_time(s, cal, c->reg_date, 0);
    GEN_PUT(s, "\"/>\n\t\t<string key=\"concept:name\" value=\"");
    put_u64(s, c->id);
    GEN_PUT(s, "\"/>\n\t\t<string key=\"AMOUNT_REQ\" value=\"");
    put_u64(s, (uint64_t)c->amount_req);
    GEN_PUT(s, "\"/>\n");
    xes_string(s, "\t\t", "LoanGoal", goals[c->goal]);
    xes_string(s, "\t\t", "ApplicationType", app_types[c->app_type]);
    if (c->has_applicant) {
        GEN_PUT(s, "\t\t<container key=\"applicant\">\n\t\t\t<int key=\"age\" value=\"");
        put_u64(s, c->age);
        GEN_PUT(s, "\"/>\n");
        xes_string(s, "\t\t\t", "region", regions[c->region]);
        GEN_PUT(s, "\t\t\t<boolean key=\"existing_customer\" value=\"");
        gen_put_str(s, c->known ? "true" : "false");
        GEN_PUT(s, "\"/>\n\t\t</container>\n");
    }
    for (size_t i = 0; i < c->n; i++) {
        xes_event(s, cal, &c->ev[i]);
    }
    GEN_PUT(s, "\t</trace>\n");
}

/* ---------------------------------------------------------------------------------------------
 * CSV as PM4Py writes a dataframe: trace attributes repeated on every row with a case: prefix,
 * empty fields for missing values, pandas' True/False and float formatting.
 */

static void csv_header(sink_t *s)
{
    GEN_PUT(s, "case:concept:name,concept:name,lifecycle:transition,org:resource,time:timestamp,"
           "case:AMOUNT_REQ,case:REG_DATE,case:LoanGoal,case:ApplicationType,EventOrigin,Action,"
           "identity:id,DueDate,OfferID,OfferedAmount,MonthlyCost,NumberOfTerms,CreditScore,"
           "Selected,Accepted,note\n");
}

static void csv_event(sink_t *s, cal_t *cal, const case_t *c, const ev_t *e)
{
    put_u64(s, c->id);
    GEN_PUT(s, ",");
    gen_put_csv(s, act_names[e->act]);
    GEN_PUT(s, ",");
    gen_put_str(s, lc_names[e->lc]);
    GEN_PUT(s, ",");
    if (e->res != RES_NONE) {
        gen_put_str(s, resources[e->res]);
    }
    GEN_PUT(s, ",");
    put_time(s, cal, e->ts, 1);
    GEN_PUT(s, ",");
    put_u64(s, (uint64_t)c->amount_req);
    GEN_PUT(s, ",");
    put_time(s, cal, c->reg_date, 1);
    GEN_PUT(s, ",");
    gen_put_csv(s, goals[c->goal]);
    GEN_PUT(s, ",");
    gen_put_str(s, app_types[c->app_type]);
    GEN_PUT(s, ",");
    gen_put_str(s, origin(e->act));
    GEN_PUT(s, ",");
    if (act_names[e->act][0] == 'W') {
        gen_put_str(s, actions[e->lc]);
    }
    GEN_PUT(s, ",");
    put_uuid(s, e->uid);
    GEN_PUT(s, ",");
    if (e->due != 0) {
        put_time(s, cal, e->due, 1);
    }
    GEN_PUT(s, ",");
    if (e->flags & EV_HAS_OFFER) {
        GEN_PUT(s, "Offer_");
        put_u64(s, e->offer_id);
    }
    GEN_PUT(s, ",");
    if (e->flags & EV_DETAILS) {
        put_cents(s, e->amount_cents);
        GEN_PUT(s, ",");
        put_cents(s, e->monthly_cents);
        GEN_PUT(s, ",");
        put_u64(s, (uint64_t)e->terms);
        GEN_PUT(s, ",");
        put_u64(s, (uint64_t)e->credit_score);
        GEN_PUT(s, ",");
        gen_put_str(s, (e->flags & EV_SELECTED) ? "True" : "False");
        GEN_PUT(s, ",");
        gen_put_str(s, (e->flags & EV_ACCEPTED) ? "True" : "False");
    } else {
        GEN_PUT(s, ",,,,,");
    }
    GEN_PUT(s, ",");
    if (e->note != 0) {
        gen_put_csv(s, notes[e->note]);
    }
    GEN_PUT(s, "\n");
}

/* ---------------------------------------------------------------------------------------------
 * Interleaved CSV: a k-way merge over the open cases, keyed by (next timestamp, case order).
 * Cases are simulated in submission order, and a case's first event is its submission, so a
 * case can join the merge just before the first event that is not earlier than its submission:
 * memory holds only the cases open at one moment, never the whole log.
 */

typedef struct {
    case_t **a;
    size_t n, cap;
} heap_t;

static int heap_less(const case_t *x, const case_t *y)
{
    int64_t tx = x->ev[x->next].ts;
    int64_t ty = y->ev[y->next].ts;
    return tx < ty || (tx == ty && x->seq < y->seq);
}

static void heap_down(heap_t *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1;
        size_t m = i;
        if (l < h->n && heap_less(h->a[l], h->a[m])) {
            m = l;
        }
        if (l + 1 < h->n && heap_less(h->a[l + 1], h->a[m])) {
            m = l + 1;
        }
        if (m == i) {
            return;
        }
        case_t *tmp = h->a[i];
        h->a[i] = h->a[m];
        h->a[m] = tmp;
        i = m;
    }
}

static int heap_push(heap_t *h, case_t *c)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 1024;
        case_t **p = realloc(h->a, cap * sizeof *p);
        if (p == NULL) {
            return -1;
        }
        h->a = p;
        h->cap = cap;
    }
    size_t i = h->n++;
    h->a[i] = c;
    while (i > 0 && heap_less(h->a[i], h->a[(i - 1) / 2])) {
        case_t *tmp = h->a[i];
        h->a[i] = h->a[(i - 1) / 2];
        h->a[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
    return 0;
}

typedef struct {
    case_t *free_list; /* Finished cases whose event arrays are reused. */
    case_t **owned;    /* Every case object allocated, for cleanup. */
    size_t made;       /* Entries used in owned. */
    size_t owned_cap;  /* Entries allocated in owned. */
} pool_t;

static case_t *pool_get(pool_t *p)
{
    if (p->free_list != NULL) {
        case_t *c = p->free_list;
        p->free_list = c->free_next;
        return c;
    }
    if (p->made == p->owned_cap) {
        size_t cap = p->owned_cap ? p->owned_cap * 2 : 1024;
        case_t **a = realloc(p->owned, cap * sizeof *a);
        if (a == NULL) {
            return NULL;
        }
        p->owned = a;
        p->owned_cap = cap;
    }
    case_t *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return NULL;
    }
    p->owned[p->made++] = c;
    return c;
}

static void pool_put(pool_t *p, case_t *c)
{
    c->free_next = p->free_list;
    p->free_list = c;
}

static void pool_destroy(pool_t *p)
{
    for (size_t i = 0; i < p->made; i++) {
        free(p->owned[i]->ev);
        free(p->owned[i]);
    }
    free(p->owned);
}

/* ---------------------------------------------------------------------------------------------
 * Ground truth as JSON, shaped like the expected files in the shared data folder (log.cases,
 * log.events, log.activities, log.activity_counts, dfg, start_activities, end_activities), so
 * the same comparison code serves both. Lists are sorted by count, then name.
 */

typedef struct {
    int a, b;
    uint64_t n;
} count_t;

static int count_cmp(const void *x, const void *y)
{
    const count_t *p = x;
    const count_t *q = y;
    if (p->n != q->n) {
        return p->n > q->n ? -1 : 1;
    }
    int c = strcmp(act_names[p->a], act_names[q->a]);
    if (c != 0 || p->b < 0) {
        return c;
    }
    return strcmp(act_names[p->b], act_names[q->b]);
}

static void json_str(FILE *fp, const char *str)
{
    fputc('"', fp);
    for (const char *p = str; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', fp);
        }
        fputc(*p, fp);
    }
    fputc('"', fp);
}

static void json_counts(FILE *fp, const char *key, const uint64_t *counts, const char *indent)
{
    count_t list[ACT_COUNT];
    int n = 0;
    for (int i = 0; i < ACT_COUNT; i++) {
        if (counts[i] != 0) {
            list[n].a = i;
            list[n].b = -1;
            list[n].n = counts[i];
            n++;
        }
    }
    qsort(list, (size_t)n, sizeof list[0], count_cmp);
    fprintf(fp, "%s\"%s\": {", indent, key);
    for (int i = 0; i < n; i++) {
        fputs(i ? ", " : "", fp);
        json_str(fp, act_names[list[i].a]);
        fprintf(fp, ": %" PRIu64, list[i].n);
    }
    fputs("}", fp);
}

static int truth_write(const truth_t *t, const opts_t *o, const char *path)
{
    FILE *fp = strcmp(path, "-") == 0 ? stderr : fopen(path, "w");
    if (fp == NULL) {
        return -1;
    }
    int activities = 0;
    for (int i = 0; i < ACT_COUNT; i++) {
        activities += t->act[i] != 0;
    }
    count_t edges[ACT_COUNT * ACT_COUNT];
    int n = 0;
    for (int a = 0; a < ACT_COUNT; a++) {
        for (int b = 0; b < ACT_COUNT; b++) {
            if (t->dfg[a][b] != 0) {
                edges[n].a = a;
                edges[n].b = b;
                edges[n].n = t->dfg[a][b];
                n++;
            }
        }
    }
    qsort(edges, (size_t)n, sizeof edges[0], count_cmp);

    fprintf(fp, "{\n  \"tool\": \"abgen\",\n  \"seed\": \"%" PRIu64 "\",\n", o->seed);
    fprintf(fp,
            "  \"input\": {\"format\": \"%s%s\", \"cases_interleaved\": %s, "
            "\"columns\": {\"case\": \"case:concept:name\", \"activity\": \"concept:name\", "
            "\"timestamp\": \"time:timestamp\"}},\n",
            o->format == FMT_XES ? "xes" : "csv", o->gzip ? ".gz" : "",
            o->interleaved ? "true" : "false");
    fprintf(fp,
            "  \"log\": {\n    \"cases\": %" PRIu64 ",\n    \"events\": %" PRIu64
            ",\n    \"activities\": %d,\n",
            t->cases, t->events, activities);
    fprintf(fp, "    \"min_case_length\": %" PRIu64 ",\n    \"max_case_length\": %" PRIu64 ",\n",
            t->min_len, t->max_len);
    json_counts(fp, "activity_counts", t->act, "    ");
    fputs("\n  },\n  \"dfg\": [", fp);
    for (int i = 0; i < n; i++) {
        fputs(i ? ",\n    [" : "\n    [", fp);
        json_str(fp, act_names[edges[i].a]);
        fputs(", ", fp);
        json_str(fp, act_names[edges[i].b]);
        fprintf(fp, ", %" PRIu64 "]", edges[i].n);
    }
    fprintf(fp, "%s],\n  \"dfg_edges\": %d,\n", n ? "\n  " : "", n);
    json_counts(fp, "start_activities", t->start, "  ");
    fputs(",\n", fp);
    json_counts(fp, "end_activities", t->end, "  ");
    fputs("\n}\n", fp);
    if (fp == stderr) {
        return fflush(fp) == 0 ? 0 : -1;
    }
    int bad = ferror(fp);
    return (fclose(fp) != 0 || bad) ? -1 : 0;
}

/* ---------------------------------------------------------------------------------------------
 * Command line
 */

static const char usage_text[] =
    "Usage: abgen --events N --format xes|csv [options]\n"
    "\n"
    "Writes a synthetic event log of a loan application process in the style of the BPI\n"
    "Challenge 2012 (26 activities: A_/O_ steps and W_ work items with SCHEDULE, START and\n"
    "COMPLETE, rework loops, parallel steps, skips, about 20 events per case), for benchmarks.\n"
    "\n"
    "  --events N           write exactly N events (suffix k = 1000, M = 1000000; at most 10^9).\n"
    "                       The last case is cut short when needed, so it may stop mid-process.\n"
    "  --format xes|csv     XES laid out as OpenXES/ProM write it, or CSV as PM4Py writes it\n"
    "  --gzip               compress the output with gzip (deflate level 6)\n"
    "  --level L            deflate level 1-9 (with --gzip)\n"
    "  --seed S             seed of the random numbers (default 1). The same seed and options\n"
    "                       give byte-identical output; the XES and the CSV of one seed and N\n"
    "                       hold the same events, and a .gz inflates to the plain output.\n"
    "  --cases-interleaved  CSV only: order the rows by timestamp across cases, like a system\n"
    "                       export (default: grouped by case, each case in time order)\n"
    "  -o, --output FILE    write to FILE (default, or \"-\": standard output)\n"
    "  --truth FILE         write the exact ground truth as JSON (cases, events, activity\n"
    "                       counts, directly-follows counts, start and end activities; by\n"
    "                       concept:name); \"-\" writes it to standard error\n"
    "  -q, --quiet          no summary on standard error\n"
    "  -h, --help           show this help\n"
    "\n"
    "Example:\n"
    "  abgen --events 1M --format xes --gzip --seed 7 -o loans-1M.xes.gz --truth loans-1M.json\n"
    "\n"
    "Exit status: 0 success, 2 usage error, 4 I/O error.\n";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "abgen: %s%s%s\nTry 'abgen --help'.\n", msg, arg ? ": " : "", arg ? arg : "");
    return EXIT_USAGE;
}

/*
 * Returns -1 to go on, or an exit code. Options take their value as the next argument or after
 * '=' (--seed=7).
 */
static int parse_args(int argc, char **argv, opts_t *o)
{
    static const char *const with_value[] = {"--events", "--format", "--level", "--seed",
                                             "-o",       "--output", "--truth", NULL};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val;
        char name[32];
        const char *why = gen_option(argc, argv, &i, with_value, name, sizeof(name), &val);
        if (why != NULL) {
            return usage_error(why, strcmp(why, "option needs a value") == 0 ? name : arg);
        }

        if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
            fputs(usage_text, stdout);
            return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
        } else if (strcmp(name, "--events") == 0) {
            if (gen_parse_count(val, MAX_EVENTS, &o->events) != 0) {
                return usage_error("--events wants a count from 0 to 10^9 (e.g. 250000, 1M)", val);
            }
            o->have_events = 1;
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
        } else if (strcmp(name, "--level") == 0) {
            if (val[0] < '1' || val[0] > '9' || val[1] != '\0') {
                return usage_error("--level wants 1 to 9", val);
            }
            o->level = val[0] - '0';
        } else if (strcmp(name, "--seed") == 0) {
            if (gen_parse_count(val, UINT64_MAX, &o->seed) != 0 || strpbrk(val, "kM") != NULL) {
                return usage_error("--seed wants a decimal number below 2^64", val);
            }
        } else if (strcmp(name, "--cases-interleaved") == 0) {
            o->interleaved = 1;
        } else if (strcmp(name, "-o") == 0 || strcmp(name, "--output") == 0) {
            o->output = val;
        } else if (strcmp(name, "--truth") == 0) {
            o->truth = val;
        } else if (strcmp(name, "-q") == 0 || strcmp(name, "--quiet") == 0) {
            o->quiet = 1;
        } else {
            return usage_error("unknown option", arg);
        }
    }
    if (!o->have_events) {
        return usage_error("--events is required", NULL);
    }
    if (o->format < 0) {
        return usage_error("--format is required (xes or csv)", NULL);
    }
    if (o->level >= 0 && !o->gzip) {
        return usage_error("--level needs --gzip", NULL);
    }
    if (o->interleaved && o->format != FMT_CSV) {
        return usage_error("--cases-interleaved applies to CSV only (XES groups events by trace)",
                           NULL);
    }
    return -1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void write_case(sink_t *s, cal_t *cal, const opts_t *o, const case_t *c)
{
    if (o->format == FMT_XES) {
        xes_trace(s, cal, c);
    } else {
        for (size_t i = 0; i < c->n; i++) {
            csv_event(s, cal, c, &c->ev[i]);
        }
    }
}

/* Simulates and writes the whole log. Returns 0, or -1 when memory ran out. */
static int run(gen_t *g, sink_t *s, const opts_t *o)
{
    cal_t cal;
    cal_init(&cal);
    pool_t pool = {0};
    heap_t heap = {0};
    int rc = -1;

    if (!o->interleaved) {
        case_t *c = pool_get(&pool);
        if (c == NULL) {
            goto done;
        }
        while (g->events_left > 0 && s->err == 0) {
            if (gen_case(g, c) != 0) {
                goto done;
            }
            write_case(s, &cal, o, c);
        }
        rc = 0;
        goto done;
    }

    case_t *pending = NULL;
    for (;;) {
        if (pending == NULL && g->events_left > 0) {
            pending = pool_get(&pool);
            if (pending == NULL || gen_case(g, pending) != 0) {
                goto done;
            }
        }
        if (pending != NULL &&
            (heap.n == 0 || pending->ev[0].ts <= heap.a[0]->ev[heap.a[0]->next].ts)) {
            if (heap_push(&heap, pending) != 0) {
                goto done;
            }
            pending = NULL;
            continue;
        }
        if (heap.n == 0 || s->err != 0) {
            break;
        }
        case_t *c = heap.a[0];
        csv_event(s, &cal, c, &c->ev[c->next]);
        if (++c->next == c->n) {
            heap.a[0] = heap.a[--heap.n];
            pool_put(&pool, c);
        }
        heap_down(&heap, 0);
    }
    rc = 0;
done:
    free(heap.a);
    pool_destroy(&pool);
    return rc;
}

int main(int argc, char **argv)
{
    opts_t o = {0};
    o.format = -1;
    o.level = -1;
    o.seed = 1;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    int to_stdout = o.output == NULL || strcmp(o.output, "-") == 0;
    if (to_stdout && o.gzip && isatty(STDOUT_FILENO)) {
        return usage_error("refusing to write gzip data to a terminal; use -o FILE", NULL);
    }

    double t0 = now_seconds();
    sink_t s = {0};
    gen_t *g = calloc(1, sizeof *g);
    s.buf = malloc(GEN_SINK_CAP);
    s.zbuf = o.gzip ? malloc(GEN_SINK_CAP) : NULL;
    if (g == NULL || s.buf == NULL || (o.gzip && s.zbuf == NULL)) {
        fputs("abgen: out of memory\n", stderr);
        rc = EXIT_IO;
        goto out;
    }
    if (o.gzip && deflateInit2(&s.z, o.level < 0 ? 6 : o.level, Z_DEFLATED, 31, 8,
                               Z_DEFAULT_STRATEGY) != Z_OK) {
        fputs("abgen: cannot start zlib deflate\n", stderr);
        o.gzip = 0;
        rc = EXIT_IO;
        goto out;
    }
    s.gzip = o.gzip;
    s.fp = to_stdout ? stdout : fopen(o.output, "wb");
    if (s.fp == NULL) {
        fprintf(stderr, "abgen: cannot open %s: %s\n", o.output, strerror(errno));
        rc = EXIT_IO;
        goto out;
    }

    rng_seed(&g->rng, o.seed);
    cal_init(&g->cal);
    g->events_left = o.events;
    g->next_case_id = 173688;
    g->next_arrival = START_MS;

    if (o.format == FMT_XES) {
        xes_header(&s, &o);
    } else {
        csv_header(&s);
    }
    if (run(g, &s, &o) != 0) {
        fputs("abgen: out of memory\n", stderr);
        rc = EXIT_IO;
        goto out;
    }
    if (o.format == FMT_XES) {
        GEN_PUT(&s, "</log>\n");
    }
    gen_sink_flush(&s, 1);
    if (fflush(s.fp) != 0 && s.err == 0) {
        s.err = errno ? errno : EIO;
    }
    if (s.err != 0) {
        fprintf(stderr, "abgen: cannot write %s: %s\n", to_stdout ? "standard output" : o.output,
                s.err > 0 ? strerror(s.err) : "zlib error");
        rc = EXIT_IO;
        goto out;
    }
    double secs = now_seconds() - t0;

    const truth_t *t = &g->truth;
    if (!o.quiet) {
        fprintf(stderr,
                "abgen: %" PRIu64 " events in %" PRIu64 " cases (%.1f events/case, %" PRIu64
                "-%" PRIu64 "), %s, seed %" PRIu64 "\n",
                t->events, t->cases, t->cases ? (double)t->events / (double)t->cases : 0.0,
                t->min_len, t->max_len, o.format == FMT_XES ? "xes" : "csv", o.seed);
        fprintf(stderr, "abgen: %" PRIu64 " bytes uncompressed, %.1f bytes/event", s.raw_total,
                t->events ? (double)s.raw_total / (double)t->events : 0.0);
        if (o.gzip) {
            fprintf(stderr, "; %" PRIu64 " bytes gzip (%.1f bytes/event, ratio %.1f)", s.out_total,
                    t->events ? (double)s.out_total / (double)t->events : 0.0,
                    s.out_total ? (double)s.raw_total / (double)s.out_total : 0.0);
        }
        fprintf(stderr, "\nabgen: %.2f s, %.2f M events/s, %.0f MB/s uncompressed\n", secs,
                secs > 0 ? (double)t->events / secs / 1e6 : 0.0,
                secs > 0 ? (double)s.raw_total / secs / 1e6 : 0.0);
    }
    rc = EXIT_OK;
    if (o.truth != NULL && truth_write(t, &o, o.truth) != 0) {
        fprintf(stderr, "abgen: cannot write %s: %s\n", o.truth, strerror(errno));
        rc = EXIT_IO;
    }

out:
    if (s.fp != NULL && s.fp != stdout && fclose(s.fp) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "abgen: cannot close %s: %s\n", o.output, strerror(errno));
        rc = EXIT_IO;
    }
    if (o.gzip) {
        deflateEnd(&s.z);
    }
    free(s.zbuf);
    free(s.buf);
    free(g);
    return rc;
}
