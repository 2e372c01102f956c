/*
 * csv/csv_scan.c: the RFC 4180 record scanner and the dialect prelude. The
 * scanner finds field boundaries in a byte range without copying or
 * allocating: unquoted fields are searched eight bytes at a time for the
 * delimiter or the terminator, quoted ones with memchr for the next quote.
 * The prelude checks that the input is text and sniffs the delimiter from
 * the field counts of the first records.
 */
#include "csv/csv_int.h"

#include <stdio.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define CSV_SWAR 1
#else
#define CSV_SWAR 0
#endif

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Position of the first delim or nl in p[from..avail), or avail. */
static inline size_t scan_plain(const char *p, size_t from, size_t avail, char delim, char nl)
{
    size_t j = from;
#if CSV_SWAR
    /*
     * A byte of v ^ pattern is zero where v holds the searched byte; the
     * classic has-zero-byte test flags it. Only the lowest flag is exact
     * (borrows can flag bytes above it), and that is the one we take.
     */
    const uint64_t dm = ONES * (unsigned char)delim;
    const uint64_t nm = ONES * (unsigned char)nl;
    while (j + 8 <= avail) {
        uint64_t v;
        memcpy(&v, p + j, 8);
        uint64_t a = v ^ dm, b = v ^ nm;
        uint64_t hit = ((a - ONES) & ~a & HIGHS) | ((b - ONES) & ~b & HIGHS);
        if (hit != 0) {
            return j + ((size_t)__builtin_ctzll(hit) >> 3);
        }
        j += 8;
    }
#endif
    while (j < avail && p[j] != delim && p[j] != nl) {
        j++;
    }
    return j;
}

static uint32_t count_byte(const char *p, size_t len, char c)
{
    uint32_t n = 0;
    const char *end = p + len;
    while (p < end && (p = memchr(p, c, (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

ptrdiff_t ab__csv_scan_record_scalar(ab__csv_scan *s, const char *p, size_t avail, int eof)
{
    const char delim = s->delim, nl = s->nl;
    uint32_t count = 0, newlines = 0, escaped = 0;
    size_t i = 0;
    for (;;) {
        size_t start, end, j;
        uint32_t flags = 0;
        if (i < avail && p[i] == '"') {
            /* A quoted field: find the closing quote, stepping over doubled ones. */
            size_t k = i + 1;
            flags = AB__CSV_QUOTED;
            for (;;) {
                const char *q = memchr(p + k, '"', avail - k);
                if (q == NULL) {
                    if (!eof) {
                        return 0;
                    }
                    s->quote_off = i;
                    return AB__CSV_UNTERMINATED;
                }
                k = (size_t)(q - p);
                if (k + 1 == avail && !eof) {
                    return 0; /* Cannot tell a closing quote from a doubled one yet. */
                }
                if (k + 1 < avail && p[k + 1] == '"') {
                    flags |= AB__CSV_ESCAPED;
                    k += 2;
                    continue;
                }
                break;
            }
            newlines += count_byte(p + i + 1, k - i - 1, nl);
            j = scan_plain(p, k + 1, avail, delim, nl);
            if (j == avail && !eof) {
                return 0;
            }
            end = j;
            if ((j == avail || p[j] == nl) && nl == '\n' && end > k + 1 && p[end - 1] == '\r') {
                end--;
            }
            if (end > k + 1) {
                flags |= AB__CSV_ESCAPED; /* Text after the closing quote. */
            }
            if (flags & AB__CSV_ESCAPED) {
                start = i;
            } else {
                start = i + 1;
                end = k;
            }
        } else {
            j = scan_plain(p, i, avail, delim, nl);
            if (j == avail && !eof) {
                return 0;
            }
            start = i;
            end = j;
            /* CRLF: the CR belongs to the terminator, not to the last field. */
            if ((j == avail || p[j] == nl) && end > start && p[end - 1] == '\r' && nl == '\n') {
                end--;
            }
        }
        if (count < s->cap) {
            s->fields[count].off = start;
            s->fields[count].len = (uint32_t)(end - start);
            s->fields[count].flags = flags;
        }
        escaped += (flags & AB__CSV_ESCAPED) != 0;
        count++;
        if (j < avail && p[j] == delim) {
            i = j + 1;
            continue;
        }
        s->count = count;
        s->newlines = newlines;
        s->escaped = escaped;
        return (ptrdiff_t)(j < avail ? j + 1 : avail);
    }
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* Stores the field that ends at `end` (before the delimiter or terminator at `end`). */
static inline uint32_t put_field(ab__csv_scan *s, uint32_t count, const char *p, size_t start,
                                 size_t end, int last, uint32_t flags, size_t qclose)
{
    if (last && s->nl == '\n' && end > start && p[end - 1] == '\r' &&
        (!(flags & AB__CSV_QUOTED) || end > qclose + 1)) {
        end--; /* CRLF: the CR belongs to the terminator. */
    }
    if (flags & AB__CSV_QUOTED) {
        if (end > qclose + 1) {
            flags |= AB__CSV_ESCAPED; /* Text after the closing quote. */
        }
        if (!(flags & AB__CSV_ESCAPED)) {
            start++;
            end = qclose;
        }
    }
    if (count < s->cap) {
        s->fields[count].off = start;
        s->fields[count].len = (uint32_t)(end - start);
        s->fields[count].flags = flags;
    }
    return flags;
}

/*
 * The same grammar as the scalar scanner, driven by a bitmap: sixteen bytes
 * at a time are compared with the delimiter, the terminator and the quote,
 * and only the positions that hit are visited, so a field costs a few
 * instructions whatever its length. Quotes toggle a state; a doubled quote
 * inside quotes is skipped as one.
 */
ptrdiff_t ab__csv_scan_record(ab__csv_scan *s, const char *p, size_t avail, int eof)
{
    const char delim = s->delim, nl = s->nl;
    const __m128i vd = _mm_set1_epi8(delim), vn = _mm_set1_epi8(nl), vq = _mm_set1_epi8('"');
    uint32_t count = 0, newlines = 0, escaped = 0, flags = 0;
    size_t start = 0, qopen = 0, qclose = 0, skip = SIZE_MAX;
    int inq = 0;
    for (size_t base = 0; base < avail; base += 16) {
        __m128i v;
        uint32_t m;
        if (base + 16 <= avail) {
            v = _mm_loadu_si128((const __m128i *)(const void *)(p + base));
            m = (uint32_t)_mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vn)), _mm_cmpeq_epi8(v, vq)));
        } else {
            /* The tail: copy it out rather than read past avail (NUL is never a hit). */
            char tail[16] = {0};
            memcpy(tail, p + base, avail - base);
            v = _mm_loadu_si128((const __m128i *)(const void *)tail);
            m = (uint32_t)_mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vn)), _mm_cmpeq_epi8(v, vq)));
        }
        while (m != 0) {
            size_t i = base + (size_t)__builtin_ctz(m);
            m &= m - 1;
            char c = p[i];
            if (inq) {
                if (c == '"' && i != skip) {
                    if (i + 1 == avail && !eof) {
                        return 0; /* Cannot tell a closing quote from a doubled one yet. */
                    }
                    if (i + 1 < avail && p[i + 1] == '"') {
                        flags |= AB__CSV_ESCAPED;
                        skip = i + 1;
                    } else {
                        inq = 0;
                        qclose = i;
                    }
                } else if (c == nl) {
                    newlines++;
                }
                continue;
            }
            if (c == '"') {
                if (i == start) {
                    inq = 1;
                    qopen = i;
                    flags = AB__CSV_QUOTED;
                }
                continue; /* Elsewhere a quote is text, as pandas reads it. */
            }
            flags = put_field(s, count, p, start, i, c == nl, flags, qclose);
            escaped += (flags & AB__CSV_ESCAPED) != 0;
            count++;
            if (c == delim) {
                start = i + 1;
                flags = 0;
                continue;
            }
            s->count = count;
            s->newlines = newlines;
            s->escaped = escaped;
            return (ptrdiff_t)(i + 1);
        }
    }
    if (!eof) {
        return 0;
    }
    if (inq) {
        s->quote_off = qopen;
        return AB__CSV_UNTERMINATED;
    }
    flags = put_field(s, count, p, start, avail, 1, flags, qclose);
    escaped += (flags & AB__CSV_ESCAPED) != 0;
    s->count = count + 1;
    s->newlines = newlines;
    s->escaped = escaped;
    return (ptrdiff_t)avail;
}
#else
ptrdiff_t ab__csv_scan_record(ab__csv_scan *s, const char *p, size_t avail, int eof)
{
    return ab__csv_scan_record_scalar(s, p, avail, eof);
}
#endif

size_t ab__csv_unescape(char *dst, const char *src, size_t len)
{
    size_t i = 1, o = 0; /* src[0] is the opening quote. */
    while (i < len) {
        if (src[i] == '"') {
            if (i + 1 < len && src[i + 1] == '"') {
                dst[o++] = '"';
                i += 2;
                continue;
            }
            i++; /* The closing quote; what follows is kept as written. */
            break;
        }
        dst[o++] = src[i++];
    }
    while (i < len) {
        dst[o++] = src[i++];
    }
    return o;
}

const char *ab__csv_field_text(const char *rec, const ab__csv_field *f, char *tmp, size_t cap,
                               size_t *len_out)
{
    if (!(f->flags & AB__CSV_ESCAPED)) {
        *len_out = f->len;
        return rec + f->off;
    }
    /* Unescaping never lengthens, so a prefix of the source is enough. */
    size_t n = f->len < cap ? f->len : cap;
    *len_out = ab__csv_unescape(tmp, rec + f->off, n);
    return tmp;
}

int ab__csv_is_na(const char *s, size_t len)
{
    /* pandas' default na_values, which PM4Py's CSV import inherits, and "NaT". */
    static const struct {
        char text[9];
        uint8_t len;
    } na[] = {
        {"#N/A", 4}, {"#N/A N/A", 8}, {"#NA", 3},  {"-1.#IND", 7}, {"-1.#QNAN", 8},
        {"-NaN", 4}, {"-nan", 4},     {"1.#IND", 6}, {"1.#QNAN", 7}, {"<NA>", 4},
        {"N/A", 3},  {"NA", 2},       {"NULL", 4}, {"NaN", 3},     {"None", 4},
        {"n/a", 3},  {"nan", 3},      {"null", 4}, {"NaT", 3},
    };
    if (len < 2 || len > 8) {
        return 0;
    }
    switch (s[0]) {
    case '#': case '<': case 'N': case 'n':
        break;
    case '1': /* Only "1.#IND" and "1.#QNAN": ids and numbers leave here. */
        if (s[1] != '.') {
            return 0;
        }
        break;
    case '-':
        if (s[1] != '1' && s[1] != 'N' && s[1] != 'n') {
            return 0;
        }
        break;
    default:
        return 0;
    }
    for (size_t i = 0; i < sizeof(na) / sizeof(na[0]); i++) {
        if (na[i].len == len && memcmp(na[i].text, s, len) == 0) {
            return 1;
        }
    }
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int ab__csv_has_zone(const char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
        len--;
    }
    if (len == 0) {
        return 0;
    }
    char last = s[len - 1];
    if (last == 'Z' || last == 'z') {
        return 1;
    }
    if (len >= 4 && (last == 'C' || last == 'c' || last == 'T' || last == 't') &&
        (ab__ieq(s + len - 4, 4, " UTC") || ab__ieq(s + len - 4, 4, " GMT"))) {
        return 1;
    }
    /* An offset follows the time of day: [+-]HH[:MM] after the first ':'. */
    const char *colon = memchr(s, ':', len);
    if (colon == NULL) {
        return 0;
    }
    size_t k = len;
    while (k > 0 && (is_digit(s[k - 1]) || s[k - 1] == ':')) {
        k--;
    }
    size_t tail = len - k;
    return k > 0 && (s[k - 1] == '+' || s[k - 1] == '-') && s + k - 1 > colon && tail >= 2 &&
           tail <= 5;
}

/* ---- The prelude: text check, terminator and delimiter. ---- */

/* Field counts of the first records under one candidate delimiter. */
typedef struct delim_score {
    uint32_t header;  /* Fields in the header. */
    uint32_t rows;    /* Data records seen (blank lines excluded). */
    uint32_t match;   /* Of those, records with the header's field count. */
} delim_score;

static void score_delim(delim_score *sc, const char *p, size_t len, int eof, char delim,
                        char nl)
{
    ab__csv_field one;
    ab__csv_scan s = {delim, nl, &one, 1, 0, 0, 0, 0};
    size_t pos = 0;
    int first = 1;
    memset(sc, 0, sizeof(*sc));
    while (pos < len && sc->rows < 1000) {
        ptrdiff_t n = ab__csv_scan_record(&s, p + pos, len - pos, eof);
        if (n <= 0) {
            break;
        }
        pos += (size_t)n;
        if (s.count == 1 && one.len == 0 && one.flags == 0) {
            continue; /* A blank line. */
        }
        if (first) {
            sc->header = s.count;
            first = 0;
            continue;
        }
        sc->rows++;
        sc->match += s.count == sc->header;
    }
}

int ab__csv_nul_check(const char *p, size_t len, uint64_t line0, uint64_t off0, const char *source,
                      ab_error *err)
{
    const char *nul = memchr(p, '\0', len);
    if (nul == NULL) {
        return AB_OK;
    }
    uint64_t off = off0 + (uint64_t)(nul - p);
    int rc = ab__error(err, AB_EPARSE, source, line0 + count_byte(p, (size_t)(nul - p), '\n'), 0,
                       "binary data (a NUL byte at byte offset %llu): expected CSV text",
                       (unsigned long long)off);
    ab__error_offset(err, off);
    return rc;
}

int ab__csv_prelude_read(ab__csv_prelude *out, const char *p, size_t len, int eof, int check_nul,
                         const ab_csv_options *opts, const char *source, ab_error *err)
{
    memset(out, 0, sizeof(*out));
    if (len == 0) {
        int rc = ab__error(err, AB_EPARSE, source, 0, 0,
                           "empty file: expected a CSV header line");
        ab__error_offset(err, 0);
        return rc;
    }
    if (len >= 2 && (((unsigned char)p[0] == 0xFF && (unsigned char)p[1] == 0xFE) ||
                     ((unsigned char)p[0] == 0xFE && (unsigned char)p[1] == 0xFF))) {
        int rc = ab__error(err, AB_EPARSE, source, 1, 1,
                           "UTF-16 text (byte-order mark %02X %02X): expected UTF-8; convert "
                           "with iconv -f UTF-16 -t UTF-8",
                           (unsigned char)p[0], (unsigned char)p[1]);
        ab__error_offset(err, 0);
        return rc;
    }
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        out->bom_len = 3;
    }
    if (check_nul) {
        int rc = ab__csv_nul_check(p, len, 1, 0, source, err);
        if (rc != AB_OK) {
            return rc;
        }
    }
    p += out->bom_len;
    len -= out->bom_len;
    if (len == 0) {
        int rc = ab__error(err, AB_EPARSE, source, 1, 0,
                           "empty file (only a byte-order mark): expected a CSV header line");
        ab__error_offset(err, out->bom_len);
        return rc;
    }

    const char *lf = memchr(p, '\n', len);
    const char *cr = memchr(p, '\r', len);
    out->nl = '\n';
    strcpy(out->newline, "\n");
    if (lf != NULL && lf > p && lf[-1] == '\r') {
        strcpy(out->newline, "\r\n");
    } else if (lf == NULL && cr != NULL) {
        /* Classic Mac OS files end lines with CR alone. */
        out->nl = '\r';
        strcpy(out->newline, "\r");
    }

    if (opts != NULL && opts->delimiter != 0) {
        if (opts->delimiter == '"' || opts->delimiter == '\n' || opts->delimiter == '\r') {
            return ab__error(err, AB_EINVAL, source, 0, 0,
                             "the delimiter cannot be a quote or a line end");
        }
        out->delim = opts->delimiter;
        return AB_OK;
    }
    static const char cands[] = {',', ';', '\t', '|'};
    int best = -1;
    delim_score bs = {0, 0, 0};
    for (int c = 0; c < 4; c++) {
        delim_score sc;
        score_delim(&sc, p, len, eof, cands[c], out->nl);
        if (sc.header < 2) {
            continue;
        }
        /*
         * Rank by the share of records whose field count matches the header
         * (cross-multiplied to stay in integers), then by the field count:
         * a delimiter that also occurs inside values gives uneven counts.
         */
        if (best >= 0) {
            uint64_t lhs = (uint64_t)(sc.match + 1) * (bs.rows + 1);
            uint64_t rhs = (uint64_t)(bs.match + 1) * (sc.rows + 1);
            if (lhs < rhs || (lhs == rhs && sc.header <= bs.header)) {
                continue;
            }
        }
        best = c;
        bs = sc;
    }
    out->delim = best >= 0 ? cands[best] : ',';
    return AB_OK;
}
