/*
 * csv/csv_roles.c: which column is the case, the activity, the timestamp...
 * Columns named in the options come first; the others are recognised from
 * the names that PM4Py, bupaR, Disco, Celonis, Apromore and Simod write,
 * compared without case, spaces, '_', '-' and '.'. The XES names win over
 * export names, so a PM4Py frame that kept a Disco "Activity" column next
 * to concept:name reads concept:name, as PM4Py does.
 */
#include "csv/csv_int.h"

#include <stdio.h>

/* Candidate names per role, normalised, in order of preference. */
static const char *const cand_case[] = {
    "case:concept:name", "caseid", "case", "casekey", "caseconceptname", "traceid",
    "casenumber", "caseidentifier", NULL,
};
static const char *const cand_activity[] = {
    "concept:name", "activity", "activityname", "activityen", "activitylabel", "activityid",
    "event", "eventname", "task", "taskname", NULL,
};
static const char *const cand_timestamp[] = {
    "time:timestamp", "timestamp", "completetimestamp", "endtimestamp", "endtime",
    "completetime", "eventtime", "eventtimestamp", "timestampcomplete", "complete", "end",
    "enddate", "datetime", "time", "date", NULL,
};
static const char *const cand_start[] = {
    "starttimestamp", "starttime", "timestampstart", "start", "startdate", NULL,
};
static const char *const cand_resource[] = {
    "org:resource", "resource", "resourceid", "user", "username", "userid", "originator",
    "performer", NULL,
};
static const char *const cand_lifecycle[] = {
    "lifecycle:transition", "lifecycle", "lifecycleid", "lifecycletransition", "transition", NULL,
};

static const char *const *const cands[AB__R_COUNT] = {
    cand_case, cand_activity, cand_timestamp, cand_start, cand_resource, cand_lifecycle,
};
static const char *const role_flag[AB__R_COUNT] = {
    "--case", "--activity", "--timestamp", "--start-timestamp", "--resource", "--lifecycle-column",
};
static const char *const role_word[AB__R_COUNT] = {
    "case", "activity", "timestamp", "start timestamp", "resource", "lifecycle",
};

/* Lower-cases ASCII and drops ' ', '_', '-', '.'; returns 0 when the result does not fit. */
static size_t normalise(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t') {
            continue;
        }
        if (o + 1 >= cap) {
            return 0;
        }
        out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    out[o] = '\0';
    return o;
}

static int opt_given(const char *v)
{
    return v != NULL;
}

/* The column named exactly v, else the only one equal to it without ASCII case; -1 if none. */
static int find_named(const ab__csv_name *names, uint32_t count, const char *v)
{
    size_t vlen = strlen(v);
    for (uint32_t c = 0; c < count; c++) {
        if (names[c].len == vlen && memcmp(names[c].ptr, v, vlen) == 0) {
            return (int)c;
        }
    }
    int found = -1;
    for (uint32_t c = 0; c < count; c++) {
        if (ab__ieq(names[c].ptr, names[c].len, v)) {
            if (found >= 0) {
                return -1;
            }
            found = (int)c;
        }
    }
    return found;
}

/* Appends the header names to msg, quoted, as far as they fit. */
static void list_header(char *msg, size_t cap, const ab__csv_name *names, uint32_t count)
{
    size_t len = strlen(msg);
    for (uint32_t c = 0; c < count && len + 8 < cap; c++) {
        int n = snprintf(msg + len, cap - len, "%s'%.*s'", c > 0 ? ", " : "",
                         (int)(names[c].len > 40 ? 40 : names[c].len), names[c].ptr);
        if (n < 0 || (size_t)n >= cap - len) {
            if (cap > 5) {
                strcpy(msg + cap - 5, "...");
            }
            return;
        }
        len += (size_t)n;
    }
}

int ab__csv_roles(const ab__csv_name *names, uint32_t count, const ab_csv_options *opts,
                  uint8_t *roles_out, int idx_out[AB__R_COUNT], const char *source,
                  ab_error *err)
{
    const char *given[AB__R_COUNT] = {0};
    if (opts != NULL) {
        given[AB__R_CASE] = opts->case_col;
        given[AB__R_ACTIVITY] = opts->activity_col;
        given[AB__R_TIMESTAMP] = opts->timestamp_col;
        given[AB__R_START] = opts->start_col;
        given[AB__R_RESOURCE] = opts->resource_col;
        given[AB__R_LIFECYCLE] = opts->lifecycle_col;
    }
    memset(roles_out, AB_CSV_ROLE_NONE, count);
    int rc = AB_OK;
    char msg[sizeof(((ab_error *)0)->msg)];

    /* 1. Columns named on the command line. */
    for (int r = 0; r < AB__R_COUNT; r++) {
        idx_out[r] = -1;
        if (!opt_given(given[r]) || given[r][0] == '\0') {
            continue;
        }
        int c = find_named(names, count, given[r]);
        if (c < 0) {
            if (rc == AB_OK) {
                snprintf(msg, sizeof(msg), "no column '%.80s' (%s) in the header: ", given[r],
                         role_flag[r]);
                list_header(msg, sizeof(msg), names, count);
                rc = ab__error(err, AB_ENOTFOUND, source, 1, 0, "%s", msg);
            }
            continue;
        }
        if (roles_out[c] != AB_CSV_ROLE_NONE) {
            if (rc == AB_OK) {
                rc = ab__error(err, AB_ENOTFOUND, source, 1, 0,
                               "column '%.80s' is named for two roles (%s and %s)", given[r],
                               role_flag[roles_out[c] - 1], role_flag[r]);
            }
            continue;
        }
        idx_out[r] = c;
        roles_out[c] = (uint8_t)(AB_CSV_ROLE_CASE + r);
    }

    /* 2. An unnamed first column is the row index pandas writes with to_csv(). */
    int unnamed = names[0].len == 0 ||
                  (names[0].len == 10 && memcmp(names[0].ptr, "Unnamed: 0", 10) == 0);
    if (count > 1 && roles_out[0] == AB_CSV_ROLE_NONE && unnamed) {
        roles_out[0] = AB_CSV_ROLE_INDEX;
    }

    /* 3. Recognised names, role by role, best candidate first. */
    char norm[96];
    for (int r = 0; r < AB__R_COUNT; r++) {
        if (idx_out[r] >= 0 || opt_given(given[r])) {
            continue;
        }
        int best = -1, best_rank = 1 << 20;
        for (uint32_t c = 0; c < count; c++) {
            if (roles_out[c] != AB_CSV_ROLE_NONE) {
                continue;
            }
            if (normalise(names[c].ptr, names[c].len, norm, sizeof(norm)) == 0) {
                continue;
            }
            for (int k = 0; cands[r][k] != NULL && k < best_rank; k++) {
                if (strcmp(norm, cands[r][k]) == 0) {
                    best = (int)c;
                    best_rank = k;
                    break;
                }
            }
        }
        if (best >= 0) {
            idx_out[r] = best;
            roles_out[best] = (uint8_t)(AB_CSV_ROLE_CASE + r);
        }
    }
    /* A log with only a start column (an export of activity starts) uses it as the time. */
    if (idx_out[AB__R_TIMESTAMP] < 0 && !opt_given(given[AB__R_TIMESTAMP]) &&
        idx_out[AB__R_START] >= 0 && !opt_given(given[AB__R_START])) {
        idx_out[AB__R_TIMESTAMP] = idx_out[AB__R_START];
        idx_out[AB__R_START] = -1;
        roles_out[idx_out[AB__R_TIMESTAMP]] = AB_CSV_ROLE_TIMESTAMP;
    }

    /* 4. "case:" columns are case attributes (PM4Py writes trace attributes so). */
    for (uint32_t c = 0; c < count; c++) {
        if (roles_out[c] == AB_CSV_ROLE_NONE && names[c].len > 5 &&
            ab__ieq(names[c].ptr, 5, "case:")) {
            roles_out[c] = AB_CSV_ROLE_CASE_ATTR;
        }
    }
    if (rc != AB_OK) {
        return rc;
    }

    /* 5. The three columns every log needs ("" for the timestamp: none wanted). */
    int missing[3], n_missing = 0;
    for (int r = AB__R_CASE; r <= AB__R_TIMESTAMP; r++) {
        if (idx_out[r] < 0 && !(r == AB__R_TIMESTAMP && opt_given(given[r]))) {
            missing[n_missing++] = r;
        }
    }
    if (n_missing == 0) {
        return AB_OK;
    }
    size_t len = 0;
    for (int k = 0; k < n_missing; k++) {
        len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s", k == 0 ? "no " :
                                k + 1 == n_missing ? " or " : ", ", role_word[missing[k]]);
    }
    len += (size_t)snprintf(msg + len, sizeof(msg) - len, " column recognised; name %s with",
                            n_missing == 1 ? "it" : "them");
    for (int k = 0; k < n_missing; k++) {
        len += (size_t)snprintf(msg + len, sizeof(msg) - len, " %s COLUMN", role_flag[missing[k]]);
    }
    snprintf(msg + len, sizeof(msg) - len, ". The header has %u column%s: ", (unsigned)count,
             count == 1 ? "" : "s");
    list_header(msg, sizeof(msg), names, count);
    return ab__error(err, AB_ENOTFOUND, source, 1, 0, "%s", msg);
}

uint32_t ab__csv_ts_choose(const ab_ts_guess *g, ab_ts_format *out, int *ambiguous_out)
{
    memset(out, 0, sizeof(*out));
    out->layout = AB_TS_AUTO;
    *ambiguous_out = 0;
    if (g->seen == 0) {
        return 0;
    }
    int amb = 0;
    if (ab_ts_guess_result(g, out, &amb) == AB_OK) {
        *ambiguous_out = amb;
        return g->ok[out->layout];
    }
    /* No layout reads every value: take the one that reads most (the rest are dropped). */
    static const ab_ts_layout order[] = {AB_TS_ISO8601, AB_TS_YMD_SLASH, AB_TS_MDY,
                                         AB_TS_DMY,     AB_TS_EPOCH_S,   AB_TS_EPOCH_MS};
    ab_ts_layout best = AB_TS_AUTO;
    uint32_t best_ok = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (g->ok[order[i]] > best_ok) {
            best_ok = g->ok[order[i]];
            best = order[i];
        }
    }
    memset(out, 0, sizeof(*out));
    out->layout = best;
    *ambiguous_out = (best == AB_TS_DMY || best == AB_TS_MDY) &&
                     g->ok[AB_TS_DMY] == g->ok[AB_TS_MDY];
    return best_ok;
}
