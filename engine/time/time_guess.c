/*
 * time/time_guess.c: inferring a column's timestamp layout from its values.
 * Every sample is tried in every fixed layout and counted; the verdict picks
 * the layout that read all of them, so one odd value is enough to rule a
 * layout out and a mixed column ends in AB_ENOTFOUND rather than a guess.
 */
#include "time/time_int.h"

/* ab_ts_guess.flags bits: the magnitudes of plain numbers seen. */
enum {
    GUESS_EPOCH_S = 1u << 0,  /* A number in [10^8, 10^11): plausible epoch seconds. */
    GUESS_EPOCH_MS = 1u << 1, /* A number from 10^11 on: epoch milliseconds. */
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Reads 1..max digits at s[*i]; -1 when there are none. */
static int small_number(const char *s, size_t len, size_t *i, int max)
{
    int v = 0;
    int n = 0;
    while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    return n == 0 ? -1 : v;
}

/*
 * For "A?B?YYYY" dates (? one of . / -, the same twice), counts a first field
 * above 12 (only day-first reads it) and a second above 12 (only month-first).
 */
static void count_day_month(ab_ts_guess *g, const char *s, size_t len)
{
    size_t i = 0;
    int a = small_number(s, len, &i, 2);
    if (a < 0 || i >= len || (s[i] != '.' && s[i] != '/' && s[i] != '-')) {
        return;
    }
    char sep = s[i++];
    int b = small_number(s, len, &i, 2);
    if (b < 0 || i >= len || s[i] != sep) {
        return;
    }
    i++;
    size_t ystart = i;
    if (small_number(s, len, &i, 4) < 0 || i - ystart != 4) {
        return;
    }
    if (a > 12) {
        g->dayfirst++;
    }
    if (b > 12) {
        g->monthfirst++;
    }
}

void ab_ts_guess_feed(ab_ts_guess *g, const char *text, size_t len)
{
    if (g == NULL || text == NULL) {
        return;
    }
    while (len > 0 && is_space(*text)) {
        text++;
        len--;
    }
    while (len > 0 && is_space(text[len - 1])) {
        len--;
    }
    if (len == 0) {
        return;
    }
    g->seen++;
    for (int layout = AB_TS_ISO8601; layout <= AB_TS_EPOCH_MS; layout++) {
        ab_time t;
        if (ab__time_parse_layout(&t, text, len, (ab_ts_layout)layout, NULL, NULL, NULL) == AB_OK) {
            g->ok[layout]++;
        }
    }
    count_day_month(g, text, len);
    ab__ts_number num;
    if (ab__ts_scan_number(text, len, &num)) {
        g->numeric++;
        if (num.ipart >= AB__EPOCH_MS_MIN) {
            g->flags |= GUESS_EPOCH_MS;
        } else if (num.ipart >= AB__EPOCH_MIN) {
            g->flags |= GUESS_EPOCH_S;
        }
    }
}

int ab_ts_guess_result(const ab_ts_guess *g, ab_ts_format *out, int *ambiguous_out)
{
    if (ambiguous_out != NULL) {
        *ambiguous_out = 0;
    }
    if (g == NULL || out == NULL || g->seen == 0) {
        return AB_ENOTFOUND;
    }
    uint32_t n = g->seen;
    ab_ts_layout layout = AB_TS_AUTO;
    if (g->ok[AB_TS_ISO8601] == n) {
        layout = AB_TS_ISO8601;
    } else if (g->ok[AB_TS_YMD_SLASH] == n) {
        layout = AB_TS_YMD_SLASH;
    } else if (g->ok[AB_TS_DMY] == n && g->ok[AB_TS_MDY] == n) {
        /* No day above 12 anywhere: month-first, as most export tools write. */
        layout = AB_TS_MDY;
        if (ambiguous_out != NULL) {
            *ambiguous_out = 1;
        }
    } else if (g->ok[AB_TS_DMY] == n) {
        layout = AB_TS_DMY;
    } else if (g->ok[AB_TS_MDY] == n) {
        layout = AB_TS_MDY;
    } else if (g->numeric == n) {
        bool secs = (g->flags & GUESS_EPOCH_S) != 0;
        bool millis = (g->flags & GUESS_EPOCH_MS) != 0;
        if (millis && !secs && g->ok[AB_TS_EPOCH_MS] == n) {
            layout = AB_TS_EPOCH_MS;
        } else if (secs && !millis && g->ok[AB_TS_EPOCH_S] == n) {
            layout = AB_TS_EPOCH_S;
        }
    }
    if (layout == AB_TS_AUTO) {
        return AB_ENOTFOUND;
    }
    memset(out, 0, sizeof(*out));
    out->layout = layout;
    return AB_OK;
}
