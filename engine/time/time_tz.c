/*
 * time/time_tz.c: zones for times written without one (--tz): UTC, fixed
 * offsets, and IANA zones read from the system's TZif files (RFC 8536,
 * versions 1 to 4) with the POSIX TZ footer for times after the last
 * transition. No libc time function and no TZ variable is involved, so a
 * zone is a plain immutable value that threads may share.
 */
#include "time/time_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where Debian, Fedora, Alpine and the BSDs keep zoneinfo, searched in order. */
static const char *const zoneinfo_dirs[] = {
    "/usr/share/zoneinfo",
    "/usr/lib/zoneinfo",
    "/usr/share/lib/zoneinfo",
};

/* TZif files are a few KiB; anything larger is not one. */
#define TZIF_MAX_BYTES ((size_t)1 << 20)

/* zic's "big bang" is -2^59; times beyond ±2^60 would overflow the key arithmetic. */
#define TZIF_TIME_LIMIT (INT64_C(1) << 60)

/* ---- POSIX TZ strings ---- */

typedef struct pz {
    const char *p;   /* Next byte. */
    const char *end; /* One past the last byte. */
} pz;

static bool pz_digits(pz *z, int max_digits, int *out)
{
    int v = 0;
    int n = 0;
    while (n < max_digits && z->p < z->end && *z->p >= '0' && *z->p <= '9') {
        v = v * 10 + (*z->p - '0');
        z->p++;
        n++;
    }
    *out = v;
    return n > 0;
}

static bool pz_char(pz *z, char c)
{
    if (z->p < z->end && *z->p == c) {
        z->p++;
        return true;
    }
    return false;
}

/* An abbreviation: three or more letters, or <...> of letters, digits, '+' and '-'. */
static bool pz_name(pz *z)
{
    if (pz_char(z, '<')) {
        const char *start = z->p;
        while (z->p < z->end && *z->p != '>') {
            char c = *z->p;
            bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '+' || c == '-';
            if (!ok) {
                return false;
            }
            z->p++;
        }
        return z->p > start && pz_char(z, '>');
    }
    const char *start = z->p;
    while (z->p < z->end && ((*z->p >= 'A' && *z->p <= 'Z') || (*z->p >= 'a' && *z->p <= 'z'))) {
        z->p++;
    }
    return z->p - start >= 3;
}

/* [+-]h[h[h]][:mm[:ss]] in seconds; hours up to max_hours. */
static bool pz_hms(pz *z, int max_hours, int32_t *out)
{
    int sign = 1;
    if (pz_char(z, '-')) {
        sign = -1;
    } else {
        pz_char(z, '+');
    }
    int h;
    int m = 0;
    int s = 0;
    if (!pz_digits(z, 3, &h) || h > max_hours) {
        return false;
    }
    if (pz_char(z, ':')) {
        if (!pz_digits(z, 2, &m) || m > 59) {
            return false;
        }
        if (pz_char(z, ':') && (!pz_digits(z, 2, &s) || s > 59)) {
            return false;
        }
    }
    *out = (int32_t)(sign * (h * 3600 + m * 60 + s));
    return true;
}

/* Jn, n or Mm.w.d, then an optional /time (02:00:00 by default). */
static bool pz_date(pz *z, ab__tz_date *d)
{
    memset(d, 0, sizeof(*d));
    if (pz_char(z, 'M')) {
        d->kind = AB__TZ_MONTH_WEEK_DAY;
        if (!pz_digits(z, 2, &d->month) || d->month < 1 || d->month > 12 || !pz_char(z, '.') ||
            !pz_digits(z, 1, &d->week) || d->week < 1 || d->week > 5 || !pz_char(z, '.') ||
            !pz_digits(z, 1, &d->day) || d->day > 6) {
            return false;
        }
    } else if (pz_char(z, 'J')) {
        d->kind = AB__TZ_JULIAN_1;
        if (!pz_digits(z, 3, &d->day) || d->day < 1 || d->day > 365) {
            return false;
        }
    } else {
        d->kind = AB__TZ_JULIAN_0;
        if (!pz_digits(z, 3, &d->day) || d->day > 365) {
            return false;
        }
    }
    d->time = 2 * 3600;
    /* RFC 8536 3.3.1 extends the POSIX time of day to -167..167 hours. */
    if (pz_char(z, '/') && !pz_hms(z, 167, &d->time)) {
        return false;
    }
    return true;
}

int ab__tz_posix_parse(ab__tz_posix *out, const char *s, size_t len)
{
    pz z = {s, s + len};
    int32_t west;
    memset(out, 0, sizeof(*out));
    /* POSIX offsets count hours west of Greenwich: "CET-1" is UTC+1. */
    if (!pz_name(&z) || !pz_hms(&z, 24, &west)) {
        return AB_EPARSE;
    }
    out->std_off = -west;
    if (z.p == z.end) {
        return AB_OK;
    }
    if (!pz_name(&z)) {
        return AB_EPARSE;
    }
    out->has_dst = true;
    out->dst_off = out->std_off + 3600;
    if (z.p < z.end && *z.p != ',') {
        if (!pz_hms(&z, 24, &west)) {
            return AB_EPARSE;
        }
        out->dst_off = -west;
    }
    /* zic always writes the rule; POSIX leaves the default to the system, so refuse to guess. */
    if (!pz_char(&z, ',') || !pz_date(&z, &out->start) || !pz_char(&z, ',') ||
        !pz_date(&z, &out->end) || z.p != z.end) {
        return AB_EPARSE;
    }
    return AB_OK;
}

/* Day number (since 1970) of a rule date in a given year. */
static int64_t posix_rule_day(int64_t year, const ab__tz_date *d)
{
    int64_t jan1 = ab__days_from_civil(year, 1, 1);
    switch (d->kind) {
    case AB__TZ_JULIAN_1:
        /* Jn counts 1..365 and never the leap day: J60 is March 1st in every year. */
        return jan1 + d->day - 1 + (ab__is_leap(year) && d->day >= 60 ? 1 : 0);
    case AB__TZ_JULIAN_0:
        return jan1 + d->day;
    default: {
        int64_t first = ab__days_from_civil(year, d->month, 1);
        /* 1970-01-01 was a Thursday (weekday 4, Sunday = 0). */
        int wd_first = (int)(first + 4 - ab__floordiv(first + 4, 7) * 7);
        int64_t day = first + (d->day - wd_first + 7) % 7 + 7 * (d->week - 1);
        if (day >= first + ab__days_in_month(year, d->month)) {
            day -= 7; /* Week 5 means the last such weekday of the month. */
        }
        return day;
    }
    }
}

/* One switch of a POSIX rule: its UTC time and the offsets around it. */
typedef struct posix_switch {
    int64_t t;      /* UTC seconds. */
    int32_t before; /* Offset in force before t. */
    int32_t after;  /* Offset in force from t on. */
} posix_switch;

/* The switches of years y-1..y+1, sorted by time (stable, so ties keep year order). */
static void posix_switches(const ab__tz_posix *z, int64_t y, posix_switch sw[6])
{
    int n = 0;
    for (int64_t year = y - 1; year <= y + 1; year++) {
        sw[n].t = posix_rule_day(year, &z->start) * 86400 + z->start.time - z->std_off;
        sw[n].before = z->std_off;
        sw[n].after = z->dst_off;
        n++;
        sw[n].t = posix_rule_day(year, &z->end) * 86400 + z->end.time - z->dst_off;
        sw[n].before = z->dst_off;
        sw[n].after = z->std_off;
        n++;
    }
    for (int i = 1; i < 6; i++) {
        posix_switch x = sw[i];
        int j = i;
        while (j > 0 && sw[j - 1].t > x.t) {
            sw[j] = sw[j - 1];
            j--;
        }
        sw[j] = x;
    }
}

/* Keeps the rule arithmetic far from int64 overflow; offsets there mean nothing anyway. */
static int64_t clamp_sec(int64_t s)
{
    const int64_t lo = AB__SEC_MIN - 400 * INT64_C(86400);
    const int64_t hi = AB__SEC_MAX + 400 * INT64_C(86400);
    return s < lo ? lo : (s > hi ? hi : s);
}

static int64_t year_of(int64_t sec)
{
    int64_t y;
    int m;
    int d;
    ab__civil_from_days(ab__floordiv(clamp_sec(sec), 86400), &y, &m, &d);
    return y;
}

static int32_t posix_offset_utc(const ab__tz_posix *z, int64_t utc)
{
    if (!z->has_dst) {
        return z->std_off;
    }
    posix_switch sw[6];
    utc = clamp_sec(utc);
    posix_switches(z, year_of(utc), sw);
    int32_t off = sw[0].before;
    for (int i = 0; i < 6 && sw[i].t <= utc; i++) {
        off = sw[i].after;
    }
    return off;
}

static inline int32_t max32(int32_t a, int32_t b)
{
    return a > b ? a : b;
}

/*
 * A switch applies to local times from t + max(before, after) on. Below that
 * the offset before it is used: in a gap (clocks jump forward) that reads the
 * missing wall time with the old offset, as if the clocks had not yet been
 * changed, and in an overlap (clocks fall back) it picks the first of the two
 * instants. That is Python's fold=0 and RFC 5545's rule for DTSTART.
 */
static int32_t posix_offset_local(const ab__tz_posix *z, int64_t local)
{
    if (!z->has_dst) {
        return z->std_off;
    }
    posix_switch sw[6];
    local = clamp_sec(local);
    posix_switches(z, year_of(local), sw);
    int32_t off = sw[0].before;
    for (int i = 0; i < 6 && sw[i].t + max32(sw[i].before, sw[i].after) <= local; i++) {
        off = sw[i].after;
    }
    return off;
}

/* ---- Lookups ---- */

/* Index of the last element of a[0..n) that is <= x, or -1. */
static int64_t last_le(const int64_t *a, uint32_t n, int64_t x)
{
    uint32_t lo = 0;
    uint32_t hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= x) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (int64_t)lo - 1;
}

int32_t ab__tz_offset_at(const ab_tz *tz, int64_t utc_sec)
{
    int64_t i = last_le(tz->trans, tz->count, utc_sec);
    if (tz->has_posix && i == (int64_t)tz->count - 1) {
        return posix_offset_utc(&tz->posix, utc_sec);
    }
    return i < 0 ? tz->first_off : tz->offs[i];
}

int64_t ab__tz_local_to_utc(const ab_tz *tz, int64_t local_sec)
{
    int64_t i = last_le(tz->keys, tz->count, local_sec);
    int32_t off;
    if (tz->has_posix && i == (int64_t)tz->count - 1) {
        off = posix_offset_local(&tz->posix, local_sec);
    } else {
        off = i < 0 ? tz->first_off : tz->offs[i];
    }
    return local_sec - off;
}

/* ---- Loading ---- */

static const char zone_hint[] = "expected UTC, an offset like +02:00 or -0530, or an IANA name "
                               "like Europe/Amsterdam";

/* "+HH", "+HH:MM" or "+HHMM" (or '-'), hours 0..23. */
static bool parse_fixed(const char *s, size_t len, int32_t *off)
{
    if (len < 3 || (s[0] != '+' && s[0] != '-')) {
        return false;
    }
    pz z = {s + 1, s + len};
    int h;
    int m = 0;
    const char *hstart = z.p;
    if (!pz_digits(&z, 2, &h) || z.p - hstart != 2 || h > 23) {
        return false;
    }
    if (z.p < z.end) {
        pz_char(&z, ':');
        const char *mstart = z.p;
        if (!pz_digits(&z, 2, &m) || z.p - mstart != 2 || m > 59 || z.p != z.end) {
            return false;
        }
    }
    *off = (int32_t)((h * 60 + m) * 60 * (s[0] == '-' ? -1 : 1));
    return true;
}

/*
 * An IANA name is a relative path of letters, digits, '_', '-', '+' and '.'
 * components; no empty, "." or ".." component, so it cannot leave the
 * zoneinfo directory.
 */
static bool zone_name_valid(const char *s, size_t len)
{
    if (len == 0 || len > 255) {
        return false;
    }
    size_t comp = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '/') {
            size_t n = i - comp;
            if (n == 0 || (n == 1 && s[comp] == '.') ||
                (n == 2 && s[comp] == '.' && s[comp + 1] == '.')) {
                return false;
            }
            comp = i + 1;
            continue;
        }
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '+' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

static int new_zone(ab_tz **out, ab_ctx *ctx, const char *name)
{
    ab_tz *tz = ab__calloc(ctx, 1, sizeof(*tz));
    if (tz == NULL) {
        return AB_ENOMEM;
    }
    tz->ctx = ctx;
    tz->name = ab__strdup(ctx, name);
    if (tz->name == NULL) {
        ab__free(ctx, tz);
        return AB_ENOMEM;
    }
    *out = tz;
    return AB_OK;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The counts of a TZif header (RFC 8536 3.1). */
typedef struct tzif_head {
    int version;       /* 1..4. */
    uint32_t isutcnt;  /* UT/local indicators. */
    uint32_t isstdcnt; /* Standard/wall indicators. */
    uint32_t leapcnt;  /* Leap-second records. */
    uint32_t timecnt;  /* Transitions. */
    uint32_t typecnt;  /* Local time types. */
    uint32_t charcnt;  /* Bytes of abbreviations. */
} tzif_head;

static const char *tzif_head_read(const unsigned char *p, size_t len, tzif_head *h)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0) {
        return "no TZif header";
    }
    h->version = p[4] == 0 ? 1 : p[4] - '0';
    if (h->version < 1 || h->version > 4) {
        return "unknown TZif version";
    }
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    if (h->typecnt == 0 || h->typecnt > 256 || h->timecnt > TZIF_MAX_BYTES ||
        h->leapcnt > TZIF_MAX_BYTES || h->charcnt > TZIF_MAX_BYTES ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt)) {
        return "inconsistent counts in the TZif header";
    }
    return NULL;
}

static size_t tzif_block_len(const tzif_head *h, size_t tsize)
{
    return (size_t)h->timecnt * tsize + h->timecnt + (size_t)h->typecnt * 6 + h->charcnt +
           (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/*
 * Reads a TZif image into tz. Version 2+ files repeat the data with 64-bit
 * times after the 32-bit block; only that second block and the footer are
 * used. Leap-second records ("right/" zones) are skipped: ab_time counts
 * POSIX seconds. Returns NULL or what is wrong, with *rc set.
 */
static const char *tzif_load(ab_tz *tz, const unsigned char *p, size_t len, int *rc)
{
    tzif_head h;
    const char *why = tzif_head_read(p, len, &h);
    *rc = AB_EPARSE;
    if (why != NULL) {
        return why;
    }
    size_t tsize = 4;
    size_t at = 44;
    if (h.version >= 2) {
        at += tzif_block_len(&h, 4);
        if (at > len) {
            return "truncated version 1 block";
        }
        why = tzif_head_read(p + at, len - at, &h);
        if (why != NULL) {
            return why;
        }
        at += 44;
        tsize = 8;
    }
    size_t block = tzif_block_len(&h, tsize);
    if (block > len - at) {
        return "truncated data block";
    }
    const unsigned char *times = p + at;
    const unsigned char *idx = times + (size_t)h.timecnt * tsize;
    const unsigned char *types = idx + h.timecnt;
    int32_t type_off[256];
    for (uint32_t i = 0; i < h.typecnt; i++) {
        int32_t off = (int32_t)be32(types + 6 * i);
        if (off < -26 * 3600 || off > 26 * 3600 || types[6 * i + 5] >= h.charcnt) {
            return "local time type out of range";
        }
        type_off[i] = off;
    }
    size_t n = h.timecnt;
    if (n > 0) {
        /* One block for the three per-transition arrays: 8 + 8 + 4 bytes each. */
        unsigned char *mem = ab__malloc(tz->ctx, n * 20);
        if (mem == NULL) {
            *rc = AB_ENOMEM;
            return "out of memory";
        }
        tz->trans = (int64_t *)(void *)mem;
        tz->keys = (int64_t *)(void *)(mem + n * 8);
        tz->offs = (int32_t *)(void *)(mem + n * 16);
    }
    tz->first_off = type_off[0];
    int32_t prev = tz->first_off;
    for (size_t i = 0; i < n; i++) {
        int64_t t = tsize == 8 ? be64(times + 8 * i) : (int64_t)(int32_t)be32(times + 4 * i);
        if (idx[i] >= h.typecnt || t < -TZIF_TIME_LIMIT || t > TZIF_TIME_LIMIT ||
            (i > 0 && t <= tz->trans[i - 1])) {
            return "transitions out of order or out of range";
        }
        tz->trans[i] = t;
        tz->offs[i] = type_off[idx[i]];
        tz->keys[i] = t + max32(prev, tz->offs[i]);
        prev = tz->offs[i];
    }
    tz->count = (uint32_t)n;
    at += block;
    if (h.version >= 2) {
        /* The footer: '\n', a POSIX TZ string (possibly empty), '\n'. */
        if (at >= len || p[at] != '\n') {
            return "missing footer";
        }
        const unsigned char *nl = memchr(p + at + 1, '\n', len - at - 1);
        if (nl == NULL) {
            return "unterminated footer";
        }
        size_t flen = (size_t)(nl - (p + at + 1));
        if (flen > 0) {
            if (ab__tz_posix_parse(&tz->posix, (const char *)p + at + 1, flen) != AB_OK) {
                return "unreadable POSIX TZ footer";
            }
            tz->has_posix = true;
        }
    }
    *rc = AB_OK;
    return NULL;
}

/* Loads a TZif image into tz; errors name source (a path or "<memory>"). */
static int tzif_into(ab_tz *tz, const unsigned char *data, size_t len, const char *source,
                     ab_error *err)
{
    int rc;
    const char *why = tzif_load(tz, data, len, &rc);
    if (why == NULL) {
        return AB_OK;
    }
    if (rc == AB_ENOMEM) {
        return rc;
    }
    return ab__error(err, rc, source, 0, 0, "time zone '%s' is not a valid TZif file: %s", tz->name,
                     why);
}

int ab__tz_from_tzif(ab_tz **out, ab_ctx *ctx, const char *name, const void *data, size_t len,
                     ab_error *err)
{
    ab_tz *tz = NULL;
    *out = NULL;
    int rc = new_zone(&tz, ctx, name);
    if (rc == AB_OK) {
        rc = tzif_into(tz, data, len, "<memory>", err);
    }
    if (rc == AB_ENOMEM) {
        ab__error(err, rc, NULL, 0, 0, "out of memory loading time zone '%s'", name);
    }
    if (rc != AB_OK) {
        ab_tz_destroy(tz);
        return rc;
    }
    *out = tz;
    return AB_OK;
}

/* Reads a whole regular file of at most TZIF_MAX_BYTES. */
static int read_zone_file(ab_ctx *ctx, const char *path, unsigned char **data, size_t *len,
                          int *errno_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *errno_out = errno;
        return AB_EIO;
    }
    int rc = AB_OK;
    unsigned char *buf = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *errno_out = errno;
        rc = AB_EIO;
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        *errno_out = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        rc = AB_EIO;
        goto done;
    }
    if ((uint64_t)st.st_size > TZIF_MAX_BYTES) {
        rc = AB_EPARSE;
        goto done;
    }
    size_t size = (size_t)st.st_size;
    buf = ab__malloc(ctx, size > 0 ? size : 1);
    if (buf == NULL) {
        rc = AB_ENOMEM;
        goto done;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            *errno_out = r < 0 ? errno : EIO;
            rc = AB_EIO;
            goto done;
        }
        got += (size_t)r;
    }
    *data = buf;
    *len = size;
    buf = NULL;
done:
    ab__free(ctx, buf);
    close(fd);
    return rc;
}

static int load_iana(ab_tz *tz, const char *name, ab_error *err)
{
    char path[512];
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = AB_ENOTFOUND;
    int e = 0;
    for (size_t i = 0; i < sizeof(zoneinfo_dirs) / sizeof(zoneinfo_dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", zoneinfo_dirs[i], name);
        e = 0;
        rc = read_zone_file(tz->ctx, path, &data, &len, &e);
        if (rc != AB_EIO || (e != ENOENT && e != ENOTDIR)) {
            break;
        }
    }
    if (rc == AB_ENOMEM) {
        return rc;
    }
    if (rc == AB_EIO && (e == ENOENT || e == ENOTDIR)) {
        return ab__error(err, AB_ENOTFOUND, NULL, 0, 0,
                         "unknown time zone '%s': no such zone in %s (is tzdata installed?); %s",
                         name, zoneinfo_dirs[0], zone_hint);
    }
    if (rc == AB_EIO && e == EISDIR) {
        return ab__error(err, AB_ENOTFOUND, NULL, 0, 0,
                         "unknown time zone '%s': that is a region, not a zone; %s", name,
                         zone_hint);
    }
    if (rc == AB_EIO) {
        return ab__error(err, AB_EIO, path, 0, 0, "cannot read time zone '%s': %s", name,
                         strerror(e));
    }
    if (rc == AB_EPARSE) {
        return ab__error(err, AB_ENOTFOUND, path, 0, 0,
                         "unknown time zone '%s': not a TZif file; %s", name, zone_hint);
    }
    if (len < 4 || memcmp(data, "TZif", 4) != 0) {
        /* zone.tab, leapseconds and the like sit next to the zones. */
        ab__free(tz->ctx, data);
        return ab__error(err, AB_ENOTFOUND, path, 0, 0,
                         "unknown time zone '%s': not a TZif file; %s", name, zone_hint);
    }
    rc = tzif_into(tz, data, len, path, err);
    ab__free(tz->ctx, data);
    return rc;
}

int ab_tz_load(ab_tz **out, ab_ctx *ctx, const char *name, ab_error *err)
{
    if (out == NULL || ctx == NULL || name == NULL) {
        return ab__error(err, AB_EINVAL, NULL, 0, 0, "ab_tz_load: NULL argument");
    }
    *out = NULL;
    size_t len = strlen(name);
    int32_t off = 0;
    char shown[256];
    ab__ts_quote(shown, sizeof(shown), name, len);
    bool fixed = ab__ieq(name, len, "UTC") || ab__ieq(name, len, "Z");
    if (!fixed && len > 0 && (name[0] == '+' || name[0] == '-')) {
        if (!parse_fixed(name, len, &off)) {
            return ab__error(err, AB_EINVAL, NULL, 0, 0, "bad time zone offset '%s'; %s", shown,
                             zone_hint);
        }
        fixed = true;
    }
    if (!fixed && !zone_name_valid(name, len)) {
        return ab__error(err, AB_EINVAL, NULL, 0, 0,
                         "invalid time zone name '%s' (a relative zoneinfo name without "
                         "'..' is needed); %s",
                         shown, zone_hint);
    }
    ab_tz *tz = NULL;
    int rc = new_zone(&tz, ctx, name);
    if (rc != AB_OK) {
        return ab__error(err, rc, NULL, 0, 0, "out of memory loading time zone");
    }
    if (fixed) {
        tz->first_off = off;
    } else {
        rc = load_iana(tz, name, err);
        if (rc != AB_OK) {
            if (rc == AB_ENOMEM) {
                ab__error(err, rc, NULL, 0, 0, "out of memory loading time zone '%s'", name);
            }
            ab_tz_destroy(tz);
            return rc;
        }
    }
    *out = tz;
    return AB_OK;
}

void ab_tz_destroy(ab_tz *tz)
{
    if (tz == NULL) {
        return;
    }
    ab_ctx *ctx = tz->ctx;
    ab__free(ctx, tz->trans); /* Also holds keys and offs. */
    ab__free(ctx, tz->name);
    ab__free(ctx, tz);
}

const char *ab_tz_name(const ab_tz *tz)
{
    return tz != NULL ? tz->name : NULL;
}
