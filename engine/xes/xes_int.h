/*
 * xes/xes_int.h: internals of the XES reader shared by its files: a string
 * store that is rewound at every trace, the typed value parsers (XES values
 * are XML Schema lexical forms) and the classifier key-list splitter.
 */
#ifndef AB_XES_INT_H
#define AB_XES_INT_H

#include "asbuilt/xes.h"
#include "core/core_int.h"

/* ---- Store: bump allocation rewound per trace, keeping its blocks. ---- */

typedef struct ab__xes_block ab__xes_block;

/*
 * Strings of one trace live here until its events reach the builder (which
 * copies what it keeps). A reset rewinds to the first block but keeps every
 * block, so after the largest trace no more allocations happen.
 */
typedef struct ab__xes_store {
    ab_ctx *ctx;
    ab__xes_block *first; /* Blocks in fill order. */
    ab__xes_block *cur;   /* Block being filled; NULL right after a reset. */
    char *next;           /* First free byte of cur. */
    size_t room;          /* Free bytes from next on (0: none, and always with AB_ARENA_DEBUG). */
} ab__xes_store;

void ab__xes_store_init(ab__xes_store *s, ab_ctx *ctx);
/* Forgets every string; the memory is reused by the next allocations. */
void ab__xes_store_reset(ab__xes_store *s);
void ab__xes_store_finish(ab__xes_store *s);
/* n bytes, unaligned (strings only); NULL on out of memory. */
char *ab__xes_store_alloc(ab__xes_store *s, size_t n);

/*
 * Copies an attribute value as libxml2 hands it over and NUL-terminates it.
 * Without XML_PARSE_NOENT, libxml2 passes '&' (written &amp; or &#38;) on as
 * the five bytes "&#38;" so that a tree builder could re-parse the value;
 * other predefined entities and character references arrive decoded. This
 * turns "&#38;" back into '&'. NULL on out of memory.
 */
const char *ab__xes_store_value_any(ab__xes_store *s, const char *v, size_t len, size_t *len_out);

/*
 * ab__xes_store_value_any with the common case inline: a value of at most
 * 64 bytes without '&' that fits in the current block, copied and searched
 * for '&' in one pass, eight bytes at a time (a zero byte of w ^ "&&&&&&&&"
 * is an '&').
 */
static inline const char *ab__xes_store_value(ab__xes_store *s, const char *v, size_t len,
                                              size_t *len_out)
{
    char *d = s->next;
    if (len <= 64 && s->room > len) {
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        uint64_t amp = 0;
        if (len >= 8) {
            /* Whole words, the last one overlapping the one before. */
            uint64_t w, x;
            for (size_t i = 0; i + 8 < len; i += 8) {
                memcpy(&w, v + i, 8);
                memcpy(d + i, &w, 8);
                x = w ^ (ones * '&');
                amp |= (x - ones) & ~x & highs;
            }
            memcpy(&w, v + len - 8, 8);
            memcpy(d + len - 8, &w, 8);
            x = w ^ (ones * '&');
            amp |= (x - ones) & ~x & highs;
        } else {
            for (size_t i = 0; i < len; i++) {
                d[i] = v[i];
                amp |= v[i] == '&';
            }
        }
        if (!amp) {
            d[len] = '\0';
            s->next = d + len + 1;
            s->room -= len + 1;
            *len_out = len;
            return d;
        }
    }
    return ab__xes_store_value_any(s, v, len, len_out);
}

/* ---- Typed values (XML Schema lexical forms, surrounding spaces allowed). ---- */

/* xs:long. AB_OK or AB_EPARSE (not an integer, or out of the int64 range). */
int ab__xes_parse_int(const char *s, size_t len, int64_t *out);
/*
 * xs:double, including INF, -INF and NaN. decimal_point is the C library's
 * current one (strtod follows LC_NUMERIC; XES always writes '.').
 */
int ab__xes_parse_float(const char *s, size_t len, char decimal_point, double *out);
/* xs:boolean: true, false, 1, 0 (any case, as some writers use True/False). */
int ab__xes_parse_bool(const char *s, size_t len, int *out);

/* ---- Classifier keys. ---- */

/* Most keys in one classifier. */
#define AB__XES_MAX_KEYS 32

typedef struct ab__xes_key {
    const char *ptr; /* Points into the split text. */
    size_t len;
} ab__xes_key;

/*
 * Splits a classifier's keys attribute (IEEE 1849-2016: keys separated by
 * white space; a key that contains spaces is written in single quotes).
 * Returns AB_OK, AB_EPARSE (an unclosed quote) or AB_ELIMIT (more than
 * AB__XES_MAX_KEYS keys).
 */
int ab__xes_split_keys(const char *s, size_t len, ab__xes_key *keys, size_t *count_out);

#endif
