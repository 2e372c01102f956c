/*
 * gap/gap_format.c: number and text formatting shared by the writers, so
 * that JSON, Markdown and text round the same way: rates to 0.1 percentage
 * points, durations to two significant digits (spec, "Stability and
 * traceability rules"), times in ISO 8601 UTC.
 */
#include "gap/gap_int.h"

#include <math.h>
#include <stdio.h>

#include "asbuilt/time.h"

void ab__gw_printf(ab__gw *w, const char *fmt, ...)
{
    if (w->rc != AB_OK) {
        return;
    }
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        w->rc = AB_ERROR;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        w->rc = ab_buf_append(w->buf, w->ctx, small, (size_t)n);
        return;
    }
    char *big = ab__malloc(w->ctx, (size_t)n + 1);
    if (big == NULL) {
        w->rc = AB_ENOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    w->rc = ab_buf_append(w->buf, w->ctx, big, (size_t)n);
    ab__free(w->ctx, big);
}

void ab__gw_puts(ab__gw *w, const char *s)
{
    if (w->rc == AB_OK) {
        w->rc = ab_buf_append(w->buf, w->ctx, s, strlen(s));
    }
}

void ab__gw_jstr(ab__gw *w, const char *s)
{
    if (w->rc == AB_OK) {
        w->rc = ab_buf_append_json_string(w->buf, w->ctx, s);
    }
}

void ab__gw_md(ab__gw *w, const char *s)
{
    if (s == NULL) {
        return;
    }
    /* Escape what Markdown would read as formatting or table cells. */
    const char *run = s;
    for (const char *p = s; *p != '\0'; p++) {
        if (strchr("\\`*_[]|<>#", *p) != NULL || *p == '\n' || *p == '\r') {
            if (w->rc == AB_OK && p > run) {
                w->rc = ab_buf_append(w->buf, w->ctx, run, (size_t)(p - run));
            }
            if (*p == '\n' || *p == '\r') {
                ab__gw_puts(w, " ");
            } else {
                char esc[3] = {'\\', *p, '\0'};
                ab__gw_puts(w, esc);
            }
            run = p + 1;
        }
    }
    ab__gw_puts(w, run);
}

void ab__gap_fmt_sig2(double v, char *buf, size_t cap)
{
    if (!isfinite(v) || v == 0) {
        snprintf(buf, cap, "0");
        return;
    }
    double a = fabs(v);
    int e = (int)floor(log10(a));
    double scale = pow(10, e - 1);
    double r = round(a / scale) * scale;
    if (r >= pow(10, e + 1)) {
        e++; /* 99.6 rounds to 100: one more integer digit. */
    }
    if (e >= 1) {
        snprintf(buf, cap, "%s%.0f", v < 0 ? "-" : "", r);
    } else {
        snprintf(buf, cap, "%s%.*f", v < 0 ? "-" : "", 1 - e, r);
    }
}

void ab__gw_dur(ab__gw *w, double s)
{
    char b[64];
    ab__gap_fmt_sig2(s, b, sizeof(b));
    ab__gw_puts(w, b);
}

void ab__gap_fmt_pct(double rate, char *buf, size_t cap)
{
    char t[64];
    snprintf(t, sizeof(t), "%.1f", rate * 100);
    size_t n = strlen(t);
    if (n >= 2 && strcmp(t + n - 2, ".0") == 0) {
        t[n - 2] = '\0';
    }
    snprintf(buf, cap, "%s", t);
}

void ab__gap_fmt_hours(double s, char *buf, size_t cap)
{
    char t[64];
    ab__gap_fmt_sig2(s / 3600.0, t, sizeof(t));
    snprintf(buf, cap, "%s h", t);
}

void ab__gap_fmt_time(ab_time t, char *buf, size_t cap)
{
    if (t == AB_TIME_NONE) {
        if (cap > 0) {
            buf[0] = '\0';
        }
        return;
    }
    ab_time_format(t, buf, cap);
}

/* How the report reads the spec where it leaves a choice (also in the
 * Markdown appendix). */
const char *const ab__gap_notes[] = {
    "E counts activity instances: a start event and its completion are one instance.",
    "M9 counts a documented step as bypassed when the alignment skips it (R3.6) or replaces it "
    "(R3.3); an out-of-order step was done and is not bypassed.",
    "M10 counts the closed cases with a bypass tagged early exit.",
    "R3.2 also counts as rework a log move followed, event after event, by log moves and then a "
    "synchronous move of the same activity: \"a a\" aligned with the second a matched costs the "
    "same as with the first matched, and the repetition is the same step done again.",
    "M9 and M9c gates use the bypassed steps that meet the minimum support and are not "
    "accepted; the step with the highest rate decides.",
    "Accepted deviations stay in every list; only M1 and the gates leave them out.",
    "A substitution counts for M4 when the activity done instead is undocumented, and for M9.",
    "Examples: one case per variant, most frequent variant first, smallest case id in each; then "
    "further ids of the first variant.",
    "Time impact: the stratum of a bypass or substitution of a is the closed cases whose "
    "documented path requires a; of rework, out-of-order or extra a, those containing a; of an "
    "undocumented activity x, those containing its most frequent predecessor (and only the cases "
    "with x among them count as deviating); of a transition (a, b), those containing a; without "
    "such a step, those ending at the end most of the deviating cases reached. The baseline is "
    "its conforming cases (no deviation that is not accepted) without the deviation; when fewer "
    "than the smallest group conform, its cases without the deviation, whatever else they do "
    "(the report says how many of them conform). The 95% interval of the Hodges-Lehmann shift "
    "is Lehmann-Moses: the pairwise differences at ranks k and nm+1-k, k-1 the largest c with "
    "P(U <= c) <= 2.5% (exact when both groups have fewer than 50 cases and no tied values, "
    "else the normal approximation with tie and continuity correction); nothing is resampled.",
    "Local impact: in a case with the deviation, the span from the last step done as documented "
    "before the deviation's first occurrence to the first one done after it (completion to "
    "completion; the case's first or last timestamp when there is none; for a transition a -> "
    "b, the steps done up to a and from b on). The pair of steps most deviating cases have is "
    "kept, with those cases only; in a baseline case the span runs from the first time the first "
    "step is done as documented to the first time the second is done as documented after it, "
    "and cases without both are left out.",
    "M6: an undocumented transition is caused by a bypass when only skipped or replaced "
    "documented steps lie between its two moves, by an extra step when either end is a log move, "
    "and by reordering otherwise (also when an end is a step done out of order).",
    "M13 lists, per gateway, the branches that were on offer at a marking some case's documented "
    "path reached but that no case took, and whose sequence flow no case used.",
    "Ambiguous cases (R1): a case is ambiguous when an optimal alignment of its trace other than "
    "the canonical one has a different multiset of deviations (log moves by activity, model "
    "moves by step). Each kind of deviation of the canonical alignment is searched again with "
    "its moves made slightly dearer; fewer of them at the same cost proves another multiset. The "
    "classification and every metric use the canonical alignment.",
};

const size_t ab__gap_note_count = sizeof(ab__gap_notes) / sizeof(ab__gap_notes[0]);
