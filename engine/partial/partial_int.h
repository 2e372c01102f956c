/*
 * partial/partial_int.h: the body of a partial (after the 48-byte header of
 * asbuilt/partial.h), section by section. Integers are unsigned LEB128
 * varints unless said otherwise; "zz" is a zigzag varint; strings are a
 * varint length then the bytes (no NUL).
 *
 *   1 options   string: the options text (ab_partial_options_text)
 *   2 facts     varint n; n x (key string, value string)      (ab_log_meta)
 *   3 quality   byte 0/1; when 1: varint records; per drop reason (in
 *               ab_drop_reason order, AB__PART_DROPS of them) varint count,
 *               varint lines (<= AB_DQ_LINES), the line varints; varint
 *               timestamps coerced
 *   4 log attrs varint chunks; each an attribute list (below)
 *   5 activities varint n; n strings (the activity table)
 *   6 resources varint n; n strings
 *   7 keys      varint n; n strings (attribute keys)
 *   8 variants  varint n; each: varint length, then that many activity ids
 *   9 cases     (header count) each: id string, varint variant, varint case
 *               attribute chunks and the chunks, then per event (the variant's
 *               length): byte flags (bit 0 time, bit 1 start time, bit 2
 *               resource, bit 3 attributes, bits 4-7 lifecycle), [zz time -
 *               previous time of the case (0 for the first)], [zz start -
 *               time (or start itself without a time)], [varint resource id],
 *               [attribute list]
 *
 * An attribute list: varint count; per attribute varint key id, byte type
 * (ab_attr_type), varint parent + 1, then the value: string and id as a
 * string, int and date as zz, float as 8 bytes (IEEE 754, little-endian),
 * boolean as a byte, list and container nothing.
 */
#ifndef AB_PARTIAL_INT_H
#define AB_PARTIAL_INT_H

#include "asbuilt/partial.h"
#include "core/core_int.h"

#define AB__PART_HEADER 48
#define AB__PART_TRAILER 4
/* Drop reasons stored in version 1 (ab_drop_reason as of that version). */
#define AB__PART_DROPS 7

/* Reads the rest of in (a partial: ingest saw its magic) into memory and validates it. */
int ab__partial_open_input(ab_partial **out, ab_ctx *ctx, ab_input *in, ab_error *err);

#define AB__EV_TIME 0x01u
#define AB__EV_START 0x02u
#define AB__EV_RES 0x04u
#define AB__EV_ATTRS 0x08u

#endif
