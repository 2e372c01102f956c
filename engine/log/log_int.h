/*
 * log/log_int.h: the layout of an event log, shared by the builder (which
 * fills it) and the getters. Events are columns indexed by event number;
 * after finish, event numbers run case by case. The other attributes are
 * packed in a byte stream (varints) so a typical event costs a few bytes per
 * attribute rather than a struct per attribute.
 */
#ifndef AB_LOG_INT_H
#define AB_LOG_INT_H

#include "asbuilt/log.h"
#include "core/core_int.h"

typedef struct ab__meta {
    char *key;
    char *value;
} ab__meta;

/*
 * Packed attribute values: the type byte carries AB__ATTR_INLINE when a
 * string or id value is stored in place (varint length, bytes, NUL) rather
 * than as an id in `vals`. Values that rarely repeat (event ids, free text)
 * go in place: interning them would cost a hash table entry each and find
 * nothing to share.
 */
#define AB__ATTR_INLINE 0x80u

/* Attribute keys of one event are usually the same, in the same order, as the last one's. */
#define AB__ENC_POSITIONS 32
/* Entries of the encoder's memo of keys whose positions moved. */
#define AB__ENC_MEMO 64

/* What the encoder learnt about the values of one key. */
typedef struct ab__key_stats {
    uint32_t last_vid; /* Id + 1 of the last interned value (0 = none). */
    uint32_t seen;     /* Values interned so far. */
    uint32_t fresh;    /* Of those, values new to the table. */
    uint8_t inline_;   /* Values of this key are stored in place from now on. */
} ab__key_stats;

/* Builder-side state of the attribute encoder (freed at finish). */
typedef struct ab__attr_enc {
    uint32_t pos_key[AB__ENC_POSITIONS]; /* Key id + 1 last seen at each position (0 = none). */
    uint32_t memo_key[AB__ENC_MEMO];     /* Key id + 1 by ab__memo_slot (0 = none). */
    ab__key_stats *ks;                   /* Per key id. */
    size_t ks_cap;                       /* Entries in ks. */
} ab__attr_enc;

struct ab_log {
    ab_ctx *ctx;
    ab__strtab acts;          /* Activity names. */
    ab__strtab res;           /* Resource names. */
    ab__strtab cases;         /* Case ids, in order of first appearance (builder ids). */
    ab__strtab keys;          /* Attribute keys. */
    ab__strtab vals;          /* String and id attribute values. */

    uint64_t n_events;        /* Events kept. */
    size_t ev_cap;            /* Capacity of the event columns. */
    uint32_t *ev_case;        /* Case index per event. */
    uint32_t *ev_act;         /* Activity id per event. */
    ab_time *ev_ts;           /* Completion (or only) time per event. */
    ab_time *ev_start;        /* Start time per event; NULL while no event has one. */
    uint32_t *ev_res;         /* Resource id per event; UINT32_MAX = none. */
    uint8_t *ev_lc;           /* ab_lifecycle per event. */
    uint64_t *ev_attr;        /* Offset+1 of the event's attributes in attr_blob; 0 = none. */

    uint8_t *attr_blob;       /* Packed event attributes. */
    size_t attr_len;
    size_t attr_cap;
    uint8_t *cattr_blob;      /* Packed case attribute chunks. */
    size_t cattr_len;
    size_t cattr_cap;
    uint8_t *lattr_blob;      /* Packed log attributes (one chunk per call). */
    size_t lattr_len;
    size_t lattr_cap;

    uint32_t n_cases;         /* Cases with at least one event. */
    uint32_t *case_sid;       /* Case index -> id in `cases`. */
    uint64_t *case_first;     /* First event of each case. */
    uint32_t *case_len;       /* Events of each case. */
    uint32_t *case_variant;   /* Variant of each case. */
    uint64_t *case_cattr;     /* Offset+1 of the latest attribute chunk per case; 0 = none. */

    uint32_t n_variants;
    uint32_t *var_cases;      /* Cases per variant. */
    uint32_t *var_len;        /* Sequence length per variant. */
    uint64_t *var_seq_off;    /* Offset of each variant's sequence in var_seq. */
    uint32_t *var_seq;        /* Activity ids of all variants, concatenated. */
    uint32_t *var_case_off;   /* Offset of each variant's cases in var_case_list. */
    uint32_t *var_case_list;  /* Case indices grouped by variant. */

    uint64_t *act_events;     /* Events per activity. */
    uint32_t *act_sorted;     /* Activity ids in byte order of their names. */

    int has_ts;               /* Some event has a timestamp. */
    ab_time first_ts, last_ts;
    ab_data_quality dq;
    ab__meta *meta;
    size_t meta_count;
    ab__attr_enc *enc;        /* While building: caches of the attribute encoder; NULL after. */
};

/* Encoding helpers shared by builder and reader. */
int ab__log_put_attrs(ab_log *log, uint8_t **blob, size_t *len, size_t *cap,
                      const ab_attr_in *attrs, size_t count);
/* Decodes one attribute at *pos; fills key id, value, parent (-1 = none). */
size_t ab__log_get_attr(const ab_log *log, const uint8_t *p, uint32_t *key_out, ab_value *val_out,
                        int32_t *parent_out);
uint64_t ab__varint_get(const uint8_t **p);

void ab__log_free(ab_log *log);

/*
 * The canonical order of cases, the order of a log's case indices: by the
 * earliest completion time of their events (fa, fb), then by id in byte
 * order. Negative, 0 or positive, as memcmp.
 */
int ab__case_key_cmp(ab_time fa, const char *a, uint32_t la, ab_time fb, const char *b,
                     uint32_t lb);

/*
 * Widens a finished log's activity table to hold names[0..count) too (a
 * share of a larger log's cases, given the larger log's activities): the
 * table becomes the union in byte order, the ids of its events and
 * variants follow, and the names it did not have count no events. Ids
 * keep their order, so the variants keep theirs. AB_OK, or AB_ENOMEM with
 * the log unchanged.
 */
int ab__log_add_activities(ab_log *log, const char *const *names, uint32_t count);

/*
 * The input guarantees that each case's events arrive together and that a
 * case never comes back (a single XES file, whose traces are its cases, as
 * in PM4Py): one-pass reading then skips its check that no case id
 * reappears, whose memory grows with the cases.
 */
void ab__log_builder_trust_grouping(ab_log_builder *b);

/* The context a builder allocates from (readers allocate their buffers from it too). */
ab_ctx *ab__log_builder_ctx(const ab_log_builder *b);

/*
 * The 1-based number of the next XES trace read into this builder. Traces
 * are numbered across all files of one log, so generated case ids ("#N")
 * never merge traces of different files.
 */
uint64_t ab__log_builder_next_trace(ab_log_builder *b);

/*
 * Partials (engine/partial): the data quality of a partial is added to the
 * builder's, less the records of the `fed` events that ab_log_builder_add_event
 * counted again while the partial was fed. The counts the builder derives at
 * finish (duplicates, equal timestamps, events without timestamps) are not
 * added: they are computed again over the merged cases.
 */
void ab__log_builder_merge_quality(ab_log_builder *b, const ab_data_quality *dq, uint64_t fed);

/*
 * The options fingerprint of what the builder reads: the first call sets it
 * (text describes it, source names where it came from); a later call with
 * another fingerprint fails with AB_EPARSE naming both. AB_ENOMEM as well.
 */
int ab__log_builder_fingerprint(ab_log_builder *b, uint64_t fp, const char *text,
                                const char *source, ab_error *err);

/* The builder's options (for the lifecycle filter). */
const ab_log_options *ab__log_builder_options(const ab_log_builder *b);

#endif
