/*
 * xes/xes_reader.c: the streaming XES reader (IEEE 1849-2016). Bytes from an
 * ab_input go in 64 KiB chunks to a libxml2 SAX2 push parser whose callbacks
 * follow the log / trace / event / attribute structure on a small stack. A
 * trace's events are buffered until </trace> (its concept:name may come after
 * them) and then handed to the log builder, so memory grows with the largest
 * trace, not with the file.
 *
 * Safety: no DTD is loaded, no external entity resolved and no entity ever
 * expanded: the first entity declaration stops the parse. Errors arrive
 * through the parser's own structured-error callback, never through
 * libxml2's process-wide handlers.
 */
#include "xes/xes_int.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "log/log_int.h"
#include "time/time_int.h"

/* libxml2's SAX2 parser reaches its full speed with chunks of 64 KiB (larger
 * ones gain nothing and leave the caches sooner). */
#define XES_CHUNK (64u * 1024u)

/* What an element is, as far as the reader cares. */
typedef enum xes_kind {
    K_SKIP = 0, /* Ignored with everything inside (unknown elements, globals). */
    K_LOG,      /* The root. */
    K_TRACE,    /* A trace: its attributes describe the case. */
    K_EVENT,    /* An event of a trace (or, invalidly, of the log). */
    K_ATTR,     /* An attribute element; its children are nested attributes. */
    K_VALUES,   /* <values> of a list (XES 2.0): children are the list's items. */
} xes_kind;

/* Where the attributes met inside an element go. */
typedef enum xes_owner {
    O_NONE = 0, /* Nowhere: skipped. */
    O_LOG,      /* Log attributes (lattrs). */
    O_TRACE,    /* The current trace (tattrs). */
    O_EVENT,    /* The current event (eattrs). */
} xes_owner;

typedef struct xes_frame {
    const xmlChar *name; /* Local name, from the parser's dictionary (for messages). */
    uint64_t line;       /* Line of the start tag. */
    uint8_t kind;        /* xes_kind. */
    uint8_t owner;       /* xes_owner of the attributes inside. */
    int32_t attr;        /* K_ATTR/K_VALUES: the attribute's index in its owner, -1 = none. */
} xes_frame;

/* A growable list of attributes as the builder takes them. */
typedef struct xes_attrs {
    ab_attr_in *v; /* The attributes; strings point into a store. */
    size_t count;  /* Entries used. */
    size_t cap;    /* Entries allocated. */
} xes_attrs;

/* A buffered event; its attributes are eattrs[attr_first, attr_first + ev.attr_count). */
typedef struct xes_event {
    ab_event_in ev;    /* Everything but case_id and attrs, filled at </trace>. */
    size_t attr_first; /* Its first attribute in eattrs. */
} xes_event;

/* A key met before: its bytes as libxml2 passed them, and its decoded copy. */
typedef struct xes_key_memo {
    const char *raw;  /* Stable copy of the bytes as passed; NULL = empty entry. */
    size_t raw_len;   /* Their length. */
    const char *key;  /* Decoded, NUL-terminated (== raw when nothing was decoded). */
    size_t key_len;   /* Its length. */
} xes_key_memo;

/* Keys are few and repeat on every event: remembering them saves a copy per
 * attribute. Entries live in hstore to the end, at most KEY_MEMO_BYTES. */
#define KEY_MEMO 64
#define KEY_MEMO_BYTES (1u << 20)

typedef struct xes_classifier {
    const char *name; /* In hstore, NUL-terminated. */
    const char *keys; /* The keys attribute as written, in hstore. */
    size_t keys_len;  /* Its length in bytes. */
} xes_classifier;

/* Names compared by pointer: libxml2 interns every element and attribute name. */
enum {
    N_LOG,
    N_TRACE,
    N_EVENT,
    N_GLOBAL,
    N_CLASSIFIER,
    N_EXTENSION,
    N_VALUES,
    N_STRING,
    N_DATE,
    N_INT,
    N_FLOAT,
    N_BOOLEAN,
    N_ID,
    N_LIST,
    N_CONTAINER,
    N_KEY,
    N_VALUE,
    N_NAME,
    N_KEYS,
    N_PREFIX,
    N_SCOPE,
    N_XES_VERSION,
    N__COUNT
};

static const char *const name_text[N__COUNT] = {
    "log",   "trace", "event", "global",  "classifier", "extension",   "values",    "string",
    "date",  "int",   "float", "boolean", "id",         "list",        "container", "key",
    "value", "name",  "keys",  "prefix",  "scope",      "xes.version",
};

/* The attribute type of element names N_STRING .. N_CONTAINER. */
static const ab_attr_type name_type[] = {
    AB_ATTR_STRING,  AB_ATTR_DATE, AB_ATTR_INT,  AB_ATTR_FLOAT,
    AB_ATTR_BOOLEAN, AB_ATTR_ID,   AB_ATTR_LIST, AB_ATTR_CONTAINER,
};

/* Standard keys whose values become event columns (XES standard extensions). */
#define KEY_IS(k, n, lit) ((n) == sizeof(lit) - 1 && memcmp((k), (lit), sizeof(lit) - 1) == 0)

typedef struct xes_reader {
    ab_ctx *ctx;                    /* Allocations (the builder's context). */
    ab_log_builder *b;              /* Receives the events. */
    ab_input *in;                   /* The bytes. */
    ab_error *err;                  /* The caller's error, or NULL. */
    const char *source;             /* The input's name, for messages. */
    xmlParserCtxtPtr xml;           /* The push parser. */
    int rc;                         /* First failure; once set every callback returns at once. */
    int terminating;                /* The final xmlParseChunk() is running. */
    int nomem;                      /* errno said ENOMEM after a chunk. */
    char decimal_point;             /* The C library's, for strtod. */
    size_t max_depth;               /* ab_limits.max_depth. */
    size_t max_attrs;               /* ab_limits.max_attrs. */
    size_t max_field;               /* ab_limits.max_field_len. */
    const xmlChar *names[N__COUNT]; /* name_text[] in the parser's dictionary. */

    xes_frame *frames; /* Open elements; frames[depth - 1] is the innermost. */
    size_t frames_cap; /* Capacity of frames (at most max_depth). */
    size_t depth;      /* Open elements. */
    int seen_root;     /* <log> started. */
    int log_closed;    /* </log> seen: the document is complete. */

    ab__xes_store hstore;        /* Log attributes and header items: kept to the end. */
    xes_key_memo memo[KEY_MEMO]; /* Attribute keys met, by a hash of their bytes. */
    size_t memo_bytes;           /* Bytes of hstore the memo holds. */
    xes_attrs lattrs;            /* Log attributes not yet handed to the builder. */
    xes_classifier *classifiers; /* Declared in the header. */
    size_t n_classifiers;        /* Entries in classifiers. */
    size_t classifiers_cap;      /* Capacity of classifiers. */
    ab_buf extensions;           /* Prefixes of the declared extensions, space-separated. */

    const char *cls_text;               /* ab_xes_options.classifier, or NULL. */
    int cls_resolved;                   /* The classifier was chosen (at the first trace). */
    int cls_keyed;                      /* 0 = activity is concept:name; 1 = joined keys. */
    int cls_named;                      /* The keys come from a classifier of the log. */
    int cls_checked;                    /* The first event was checked against a key list. */
    ab__xes_key keys[AB__XES_MAX_KEYS]; /* The classifier's keys (cls_keyed). */
    size_t n_keys;                      /* Entries in keys. */

    ab__xes_store tstore;   /* Strings of the current trace. */
    xes_attrs tattrs;       /* Attributes of the current trace (not concept:name). */
    xes_attrs eattrs;       /* Attributes of the current trace's events. */
    xes_event *events;      /* Events of the current trace. */
    size_t n_events;        /* Entries in events. */
    size_t events_cap;      /* Capacity of events. */
    const char *case_id;    /* The trace's concept:name, or NULL. */
    size_t case_id_len;     /* Its length in bytes. */
    uint64_t trace_no;      /* 1-based number of the trace, counted across files. */
    uint64_t trace_records; /* Event elements met in the current trace. */
    uint64_t coerced;       /* Timestamps without a zone (UTC assumed). */

    xes_event cur;                      /* The event being read. */
    int cur_orphan;                     /* It sits directly under <log>. */
    int ts_bad;                         /* Its time:timestamp did not parse. */
    char ts_msg[600];                   /* Why, for the data-quality entry. */
    const char *slot[AB__XES_MAX_KEYS]; /* Classifier key values of the event. */
    size_t slot_len[AB__XES_MAX_KEYS];  /* Their lengths. */
    int any_slot;                       /* Some key of the classifier was present. */
} xes_reader;

/* ---- Errors. ---- */

/* The position helpers are also reached from the error callback while
 * xmlCreatePushParserCtxt() is still running (out of memory), before r->xml
 * is set. */
static uint64_t xml_line(const xes_reader *r)
{
    return r->xml != NULL && r->xml->input != NULL && r->xml->input->line > 0 ? (uint64_t)r->xml->input->line : 0;
}

static uint64_t xml_col(const xes_reader *r)
{
    return r->xml != NULL && r->xml->input != NULL && r->xml->input->col > 0 ? (uint64_t)r->xml->input->col : 0;
}

static uint64_t xml_offset(const xes_reader *r)
{
    long n = r->xml != NULL ? xmlByteConsumed(r->xml) : 0;
    return n > 0 ? (uint64_t)n : 0;
}

/*
 * Ends the callbacks after a failure. The parser itself is never stopped from
 * inside a callback: xmlStopParser() frees input that libxml2 may still be
 * reading (the rest of the current start tag). parse_all() stops feeding it
 * once xmlParseChunk() returns and r->rc is set.
 */
static void halt_soon(xes_reader *r)
{
    if (r->xml != NULL) {
        r->xml->disableSAX = 1;
    }
}

/* Records the first failure at the parser's position and silences the parser. */
static void fail(xes_reader *r, int code, const char *fmt, ...) AB__PRINTF(3, 4);
static void fail(xes_reader *r, int code, const char *fmt, ...)
{
    if (r->rc != 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    ab__verror(r->err, code, r->source, xml_line(r), xml_col(r), fmt, ap);
    va_end(ap);
    ab__error_offset(r->err, xml_offset(r));
    r->rc = code;
    halt_soon(r);
}

/* A failure whose message is already in err (from the builder). */
static void fail_rc(xes_reader *r, int rc)
{
    if (r->rc != 0) {
        return;
    }
    if (r->err != NULL && !r->err->has_offset) {
        ab__error_offset(r->err, xml_offset(r));
    }
    r->rc = rc;
    halt_soon(r);
}

static void fail_nomem(xes_reader *r)
{
    fail(r, AB_ENOMEM, "out of memory");
}

/* The input ended inside the document: names what is still open. */
static void fail_truncated(xes_reader *r, uint64_t line, uint64_t col)
{
    if (r->rc != 0) {
        return;
    }
    char expect[160] = "";
    size_t used = 0;
    for (size_t i = r->depth; i > 0 && used + 24 < sizeof(expect); i--) {
        int n = snprintf(expect + used, sizeof(expect) - used, "%s</%.12s>",
                         i == r->depth ? "" : " ", (const char *)r->frames[i - 1].name);
        used += n > 0 ? (size_t)n : 0;
    }
    const xes_frame *f = &r->frames[r->depth - 1];
    ab__error(r->err, AB_EPARSE, r->source, line, col,
              "unexpected end of input: the document ends inside <%.40s> opened at line %llu "
              "(truncated file?); expected %s",
              (const char *)f->name, (unsigned long long)f->line, expect);
    ab__error_offset(r->err, ab_input_offset(r->in));
    r->rc = AB_EPARSE;
}

/* Copies a libxml2 message on one line, without its trailing newline. */
static void flatten(char *dst, size_t cap, const char *msg)
{
    size_t o = 0;
    for (const char *p = msg != NULL ? msg : ""; *p != '\0' && o + 1 < cap; p++) {
        char c = *p == '\n' ? ' ' : *p;
        if (c == ' ' && (o == 0 || dst[o - 1] == ' ')) {
            continue;
        }
        dst[o++] = c;
    }
    while (o > 0 && dst[o - 1] == ' ') {
        o--;
    }
    dst[o] = '\0';
}

/*
 * The parser's structured-error callback. Only fatal errors fail the read:
 * namespace errors (level ERROR) leave the XES structure intact, and after a
 * fatal error libxml2 makes no more callbacks, so the chunk loop ends.
 */
static void on_xml_error(void *payload, xmlErrorPtr e)
{
    xes_reader *r = payload;
    /* libxml2 raises some of its allocation failures (in SAX2.c) at level
     * ERROR, and stops the parser all the same. */
    if (r->rc != 0 || e == NULL || (e->level < XML_ERR_FATAL && e->code != XML_ERR_NO_MEMORY)) {
        return;
    }
    uint64_t line = e->line > 0 ? (uint64_t)e->line : xml_line(r);
    uint64_t col = e->int2 > 0 ? (uint64_t)e->int2 : 0;
    if (e->code == XML_ERR_NO_MEMORY) {
        ab__error(r->err, AB_ENOMEM, r->source, line, col, "out of memory (XML parser)");
        ab__error_offset(r->err, xml_offset(r));
        r->rc = AB_ENOMEM;
        return;
    }
    if (r->terminating && r->depth > 0) {
        /* Whatever libxml2 says at the very end (often "Extra content at the
         * end of the document"), the document is cut short. */
        fail_truncated(r, line, col);
        return;
    }
    if (r->terminating && !r->seen_root) {
        ab__error(r->err, AB_EPARSE, r->source, line, col,
                  "no <log> element: expected an XES document (a <log> root element)");
        ab__error_offset(r->err, ab_input_offset(r->in));
        r->rc = AB_EPARSE;
        return;
    }
    char msg[300];
    flatten(msg, sizeof(msg), e->message);
    if (e->code == XML_ERR_INVALID_CHAR && strstr(msg, "UTF-8") != NULL) {
        const char *bytes = strstr(msg, "Bytes:");
        ab__error(r->err, AB_EPARSE, r->source, line, col,
                  "invalid UTF-8%s%s%s: expected UTF-8 text (or an encoding declared in the XML "
                  "header)",
                  bytes != NULL ? " (bytes " : "", bytes != NULL ? bytes + 7 : "",
                  bytes != NULL ? ")" : "");
    } else if (strstr(msg, "Huge input lookup") != NULL || strstr(msg, "huge text node") != NULL ||
               strstr(msg, "too long") != NULL) {
        /* libxml2's size limits, kept on (no XML_PARSE_HUGE): the position
         * is the start of the element that holds the value. */
        ab__error(r->err, AB_EPARSE, r->source, line, col,
                  "an attribute value or text in the element that starts here is longer than the "
                  "XML parser's limit of %d bytes: expected values under that size (libxml2: %s)",
                  XML_MAX_LOOKUP_LIMIT, msg);
    } else if (e->code == XML_ERR_DOCUMENT_EMPTY) {
        ab__error(r->err, AB_EPARSE, r->source, line, col,
                  "not an XML document (%s): expected an XES document starting with '<?xml' or "
                  "'<log>'",
                  msg);
    } else {
        ab__error(r->err, AB_EPARSE, r->source, line, col, "malformed XML: %s", msg);
    }
    ab__error_offset(r->err, xml_offset(r));
    r->rc = AB_EPARSE;
}

/* ---- DOCTYPE: entity declarations are refused, nothing is ever loaded. ---- */

static void on_internal_subset(void *payload, const xmlChar *name, const xmlChar *external_id,
                               const xmlChar *system_id)
{
    /* A DOCTYPE alone is harmless: its external subset is never fetched
     * (see on_external_subset) and nothing in it is used. */
    (void)payload;
    (void)name;
    (void)external_id;
    (void)system_id;
}

static void on_external_subset(void *payload, const xmlChar *name, const xmlChar *external_id,
                               const xmlChar *system_id)
{
    /* libxml2's own handler would load the DTD here; ours never does. */
    (void)payload;
    (void)name;
    (void)external_id;
    (void)system_id;
}

static void on_entity_decl(void *payload, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
    xes_reader *r = payload;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    /* The entity is neither stored nor resolved, so a later reference can
     * expand nothing (no external file read, no "billion laughs"). */
    fail(r, AB_EPARSE,
         "DOCTYPE with entity declarations is not accepted (entity '%.60s'): expected an XES "
         "document without entity declarations",
         (const char *)name);
}

static void on_unparsed_entity_decl(void *payload, const xmlChar *name, const xmlChar *public_id,
                                    const xmlChar *system_id, const xmlChar *notation)
{
    (void)notation;
    on_entity_decl(payload, name, 0, public_id, system_id, NULL);
}

/* ---- Lists of attributes. ---- */

static int element_is(const xes_reader *r, const xmlChar *ln, int which)
{
    /* libxml2 interns names in its dictionary; the string test is a safety net. */
    return ln == r->names[which] || (r->names[which] != NULL && xmlStrEqual(ln, r->names[which]));
}

static int attrs_push(xes_reader *r, xes_attrs *a, ab_attr_in **out)
{
    if (a->count == a->cap && AB_GROW(r->ctx, a->v, a->cap, a->count + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    *out = &a->v[a->count++];
    return AB_OK;
}

static void attrs_free(ab_ctx *ctx, xes_attrs *a)
{
    ab__free(ctx, a->v);
    a->v = NULL;
    a->count = a->cap = 0;
}

/* ---- Header: classifiers, extensions, log attributes. ---- */

static void on_classifier(xes_reader *r, const xmlChar **atts, int natts)
{
    const char *name = NULL, *keys = NULL, *scope = NULL;
    size_t name_len = 0, keys_len = 0, scope_len = 0;
    for (int i = 0; i < natts; i++) {
        const xmlChar *ln = atts[5 * i];
        const char *v = (const char *)atts[5 * i + 3];
        size_t n = (size_t)(atts[5 * i + 4] - atts[5 * i + 3]);
        if (ln == r->names[N_NAME]) {
            name = v;
            name_len = n;
        } else if (ln == r->names[N_KEYS]) {
            keys = v;
            keys_len = n;
        } else if (ln == r->names[N_SCOPE]) {
            scope = v;
            scope_len = n;
        }
    }
    /* XES 2.0 classifiers may classify traces; only event classifiers name activities. */
    if (name == NULL || keys == NULL || (scope != NULL && !KEY_IS(scope, scope_len, "event"))) {
        return;
    }
    if (AB_GROW(r->ctx, r->classifiers, r->classifiers_cap, r->n_classifiers + 1) != AB_OK) {
        fail_nomem(r);
        return;
    }
    xes_classifier *c = &r->classifiers[r->n_classifiers];
    size_t len;
    c->name = ab__xes_store_value(&r->hstore, name, name_len, &len);
    c->keys = ab__xes_store_value(&r->hstore, keys, keys_len, &c->keys_len);
    if (c->name == NULL || c->keys == NULL) {
        fail_nomem(r);
        return;
    }
    r->n_classifiers++;
}

static void on_extension(xes_reader *r, const xmlChar **atts, int natts)
{
    for (int i = 0; i < natts; i++) {
        if (atts[5 * i] == r->names[N_PREFIX]) {
            const char *v = (const char *)atts[5 * i + 3];
            size_t n = (size_t)(atts[5 * i + 4] - atts[5 * i + 3]);
            if ((r->extensions.len > 0 && ab_buf_append(&r->extensions, r->ctx, " ", 1) != AB_OK) ||
                ab_buf_append(&r->extensions, r->ctx, v, n) != AB_OK) {
                fail_nomem(r);
            }
            return;
        }
    }
}

static void on_log_start(xes_reader *r, const xmlChar **atts, int natts)
{
    for (int i = 0; i < natts; i++) {
        if (atts[5 * i] == r->names[N_XES_VERSION]) {
            char v[64];
            size_t n = (size_t)(atts[5 * i + 4] - atts[5 * i + 3]);
            snprintf(v, sizeof(v), "%.*s", (int)(n < sizeof(v) ? n : sizeof(v) - 1),
                     (const char *)atts[5 * i + 3]);
            int rc = ab_log_builder_set_meta(r->b, "xes_version", v);
            if (rc != AB_OK) {
                fail_nomem(r);
            }
            return;
        }
    }
}

static void flush_log_attrs(xes_reader *r)
{
    if (r->lattrs.count == 0) {
        return;
    }
    int rc = ab_log_builder_add_log_attrs(r->b, r->lattrs.v, r->lattrs.count, r->err);
    if (rc != AB_OK) {
        fail_rc(r, rc);
        return;
    }
    r->lattrs.count = 0;
}

/* Lists the classifier names of the log for a message. */
static void classifier_names(const xes_reader *r, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->n_classifiers && o + 4 < cap; i++) {
        int n = snprintf(buf + o, cap - o, "%s'%s'", i > 0 ? ", " : "", r->classifiers[i].name);
        o += n > 0 ? (size_t)n : 0;
    }
    if (r->n_classifiers == 0) {
        snprintf(buf, cap, "none");
    }
}

/*
 * Chooses how activities are named, once the header has been read (the
 * standard puts classifiers before the first trace). A classifier of the log
 * is looked up by name (exactly, then ignoring case); anything else is taken
 * as a key list. Like PM4Py's insert_classifier and ProM, the values of the
 * keys are joined with '+'.
 */
static void resolve_classifier(xes_reader *r)
{
    if (r->cls_resolved || r->rc != 0) {
        return;
    }
    r->cls_resolved = 1;
    const char *text = r->cls_text;
    const char *keys = text;
    size_t keys_len = text != NULL ? strlen(text) : 0;
    const char *meta = "concept:name";
    if (text != NULL) {
        const xes_classifier *found = NULL;
        for (size_t i = 0; i < r->n_classifiers && found == NULL; i++) {
            if (strcmp(r->classifiers[i].name, text) == 0) {
                found = &r->classifiers[i];
            }
        }
        for (size_t i = 0; i < r->n_classifiers && found == NULL; i++) {
            if (ab__ieq(r->classifiers[i].name, strlen(r->classifiers[i].name), text)) {
                found = &r->classifiers[i];
            }
        }
        if (found != NULL) {
            keys = found->keys;
            keys_len = found->keys_len;
            r->cls_named = 1;
        }
        meta = found != NULL ? found->name : text;
        int rc = ab__xes_split_keys(keys, keys_len, r->keys, &r->n_keys);
        if (rc != AB_OK || r->n_keys == 0) {
            char names[200];
            classifier_names(r, names, sizeof(names));
            fail(r, rc == AB_ELIMIT ? AB_ELIMIT : AB_ENOTFOUND,
                 "classifier '%.80s' has %s: expected a classifier of the log (%s) or a "
                 "space-separated list of attribute keys",
                 text,
                 rc == AB_ELIMIT ? "too many keys"
                 : rc != AB_OK   ? "an unclosed quote in its keys"
                                 : "no keys",
                 names);
            return;
        }
        r->cls_keyed = !(r->n_keys == 1 && KEY_IS(r->keys[0].ptr, r->keys[0].len, "concept:name"));
    }
    if (ab_log_builder_set_meta(r->b, "classifier", meta) != AB_OK) {
        fail_nomem(r);
    }
}

/* ---- Attributes. ---- */

/* Copies a string into the store of the owner (log: kept; trace/event: per trace). */
static const char *keep(xes_reader *r, xes_owner owner, const char *v, size_t n, size_t *len_out)
{
    ab__xes_store *s = owner == O_LOG ? &r->hstore : &r->tstore;
    return ab__xes_store_value(s, v, n, len_out);
}

/* An attribute key, from the memo when met before; NULL on out of memory. */
static const char *key_of(xes_reader *r, xes_owner owner, const char *k, size_t n,
                          size_t *len_out)
{
    if (n == 0) {
        return keep(r, owner, k, n, len_out);
    }
    xes_key_memo *m = &r->memo[ab__memo_slot(k, n, KEY_MEMO)];
    if (m->raw != NULL && m->raw_len == n && ab__same_bytes(m->raw, k, n)) {
        *len_out = m->key_len;
        return m->key;
    }
    if (r->memo_bytes + 2 * n + 2 > KEY_MEMO_BYTES) {
        return keep(r, owner, k, n, len_out);
    }
    size_t dlen;
    const char *d = ab__xes_store_value(&r->hstore, k, n, &dlen);
    if (d == NULL) {
        return NULL;
    }
    const char *raw = d;
    if (dlen != n) {
        /* An entity was decoded: keep the bytes as passed to compare with. */
        char *copy = ab__xes_store_alloc(&r->hstore, n);
        if (copy == NULL) {
            return NULL;
        }
        memcpy(copy, k, n);
        raw = copy;
    }
    r->memo_bytes += 2 * n + 2;
    m->raw = raw;
    m->raw_len = n;
    m->key = d;
    m->key_len = dlen;
    *len_out = dlen;
    return d;
}

/* Fills a typed value from its text; 0 or fails the read with the position. */
static int typed_value(xes_reader *r, ab_value *out, ab_attr_type type, xes_owner owner,
                       const char *key, size_t key_len, const char *v, size_t n)
{
    const char *what = NULL;
    switch (type) {
    case AB_ATTR_STRING:
    case AB_ATTR_ID: {
        size_t len;
        const char *s = keep(r, owner, v, n, &len);
        if (s == NULL) {
            fail_nomem(r);
            return -1;
        }
        out->u.s.ptr = s;
        out->u.s.len = len;
        return 0;
    }
    case AB_ATTR_INT:
        if (ab__xes_parse_int(v, n, &out->u.i) == AB_OK) {
            return 0;
        }
        what = "an integer (xs:long)";
        break;
    case AB_ATTR_FLOAT:
        if (ab__xes_parse_float(v, n, r->decimal_point, &out->u.f) == AB_OK) {
            return 0;
        }
        what = "a number (xs:double)";
        break;
    case AB_ATTR_BOOLEAN:
        if (ab__xes_parse_bool(v, n, &out->u.b) == AB_OK) {
            return 0;
        }
        what = "true or false";
        break;
    case AB_ATTR_DATE: {
        static const ab_ts_format iso = {AB_TS_ISO8601, {0}};
        bool zone;
        if (ab__time_parse_fast(&out->u.t, v, n, &iso, NULL, &zone) == AB_OK) {
            return 0;
        }
        /* Parsed again for the message, which the fast path does not build. */
        ab_error terr;
        ab_time_parse(&out->u.t, v, n, &iso, NULL, &terr);
        fail(r, AB_EPARSE, "bad <date> value for key '%.*s': %s",
             (int)(key_len < 80 ? key_len : 80), key, terr.msg);
        return -1;
    }
    default:
        return 0;
    }
    fail(r, AB_EPARSE, "bad value '%.*s' for key '%.*s': expected %s", (int)(n < 60 ? n : 60), v,
         (int)(key_len < 80 ? key_len : 80), key, what);
    return -1;
}

/* Appends a generic attribute to the owner's list; sets f->attr to its index. */
static void push_attr(xes_reader *r, const xes_frame *parent, xes_frame *f, ab_attr_type type,
                      const char *key, size_t key_len, const char *v, size_t n)
{
    xes_owner owner = (xes_owner)f->owner;
    xes_attrs *a = owner == O_LOG ? &r->lattrs : owner == O_TRACE ? &r->tattrs : &r->eattrs;
    size_t base = owner == O_EVENT ? r->cur.attr_first : 0;
    /* The log itself is exempt: OpenXES headers carry thousands of nested
     * statistics (BPI 2012 has more than 4096), and there is one log. */
    if (owner != O_LOG && a->count - base >= r->max_attrs) {
        fail(r, AB_ELIMIT, "more than %zu attributes on one %s (ab_limits.max_attrs)", r->max_attrs,
             owner == O_TRACE ? "trace" : "event");
        return;
    }
    ab_attr_in *x;
    if (attrs_push(r, a, &x) != AB_OK) {
        fail_nomem(r);
        return;
    }
    size_t klen;
    x->key = key_of(r, owner, key, key_len, &klen);
    if (x->key == NULL) {
        a->count--;
        fail_nomem(r);
        return;
    }
    x->key_len = klen;
    x->parent = (parent->kind == K_ATTR || parent->kind == K_VALUES) ? parent->attr : -1;
    memset(&x->value, 0, sizeof(x->value));
    x->value.type = type;
    if (type == AB_ATTR_STRING || type == AB_ATTR_ID) {
        /* Most attributes: the text is the value. */
        x->value.u.s.ptr = keep(r, owner, v, n, &x->value.u.s.len);
        if (x->value.u.s.ptr == NULL) {
            a->count--;
            fail_nomem(r);
            return;
        }
    } else if (typed_value(r, &x->value, type, owner, key, key_len, v, n) != 0) {
        /* typed_value may grow nothing but the store, so x stayed valid. */
        a->count--;
        return;
    }
    f->attr = (int32_t)(a->count - 1 - base);
}

/* Keeps the text of a classifier key of the current event. */
static void note_slot(xes_reader *r, const char *key, size_t key_len, const char *v, size_t n)
{
    for (size_t k = 0; k < r->n_keys; k++) {
        if (r->keys[k].len == key_len && memcmp(r->keys[k].ptr, key, key_len) == 0) {
            size_t len;
            const char *s = keep(r, O_EVENT, v, n, &len);
            if (s == NULL) {
                fail_nomem(r);
                return;
            }
            r->slot[k] = s;
            r->slot_len[k] = len;
            r->any_slot = 1;
        }
    }
}

/* The standard field a top-level event attribute's key names, if any. */
typedef enum xes_role {
    R_OTHER = 0, /* None: kept as an attribute. */
    R_ACTIVITY,  /* concept:name */
    R_TIME,      /* time:timestamp */
    R_RESOURCE,  /* org:resource */
    R_LIFECYCLE, /* lifecycle:transition */
} xes_role;

/* One branch on the length, then one compare: the keys' lengths differ. */
static inline xes_role key_role(const char *k, size_t n)
{
    switch (n) {
    case 12:
        return KEY_IS(k, n, "concept:name")   ? R_ACTIVITY
               : KEY_IS(k, n, "org:resource") ? R_RESOURCE
                                              : R_OTHER;
    case 14:
        return KEY_IS(k, n, "time:timestamp") ? R_TIME : R_OTHER;
    case 20:
        return KEY_IS(k, n, "lifecycle:transition") ? R_LIFECYCLE : R_OTHER;
    default:
        return R_OTHER;
    }
}

/* An event's time:timestamp that did not parse: the event is dropped at its end, with why. */
static AB__NOINLINE void ts_failed(xes_reader *r, const char *v, size_t n)
{
    static const ab_ts_format iso = {AB_TS_ISO8601, {0}};
    /* Parsed again for the message, which the fast path does not build. */
    ab_error terr;
    ab_time ignored;
    ab_time_parse(&ignored, v, n, &iso, NULL, &terr);
    r->ts_bad = 1;
    r->cur.ev.ts = AB_TIME_NONE;
    snprintf(r->ts_msg, sizeof(r->ts_msg), "unparsable time:timestamp: %.500s", terr.msg);
}

/*
 * A top-level event attribute. The standard fields (concept, time, org and
 * lifecycle extensions) become the event's columns; everything else is kept
 * as an attribute. A standard field that carries nested attributes (XES 1.0
 * meta-attributes) loses them: f->attr stays -1 so they are skipped.
 */
static AB__ALWAYS_INLINE void event_attr(xes_reader *r, const xes_frame *parent, xes_frame *f,
                                         ab_attr_type type, const char *key, size_t key_len,
                                         const char *v, size_t n, int has_value)
{
    if (r->cls_keyed) {
        note_slot(r, key, key_len, v, n);
    }
    switch (has_value ? key_role(key, key_len) : R_OTHER) {
    case R_ACTIVITY:
        if (r->cls_keyed) {
            /* The classifier names the activity: this is an attribute. */
            break;
        }
        r->cur.ev.activity = keep(r, O_EVENT, v, n, &r->cur.ev.activity_len);
        if (r->cur.ev.activity == NULL) {
            fail_nomem(r);
        }
        return;
    case R_TIME: {
        static const ab_ts_format iso = {AB_TS_ISO8601, {0}};
        bool zone;
        if (ab__time_parse_fast(&r->cur.ev.ts, v, n, &iso, NULL, &zone) == AB_OK) {
            r->ts_bad = 0;
            r->coerced += !zone;
        } else {
            ts_failed(r, v, n);
        }
        return;
    }
    case R_RESOURCE:
        r->cur.ev.resource = keep(r, O_EVENT, v, n, &r->cur.ev.resource_len);
        if (r->cur.ev.resource == NULL) {
            fail_nomem(r);
        }
        return;
    case R_LIFECYCLE:
        r->cur.ev.lifecycle = ab_lifecycle_from_string(v, n);
        if (r->cur.ev.lifecycle != AB_LC_OTHER) {
            return;
        }
        /* A transition outside the standard model keeps its text. */
        break;
    default:
        break;
    }
    push_attr(r, parent, f, type, key, key_len, v, n);
}

/* An attribute element (string, date, int, float, boolean, id, list, container). */
static void on_attr(xes_reader *r, const xes_frame *parent, xes_frame *f, ab_attr_type type,
                    const xmlChar **atts, int natts)
{
    const char *key = NULL, *v = NULL;
    size_t key_len = 0, n = 0;
    /* As nearly every writer puts them: key, then value. */
    if (natts == 2 && atts[0] == r->names[N_KEY] && atts[5] == r->names[N_VALUE]) {
        key = (const char *)atts[3];
        key_len = (size_t)(atts[4] - atts[3]);
        v = (const char *)atts[8];
        n = (size_t)(atts[9] - atts[8]);
        natts = 0;
    }
    for (int i = 0; i < natts; i++) {
        const xmlChar *ln = atts[5 * i];
        /* Pointer tests first: libxml2 interns attribute names. */
        if (ln == r->names[N_KEY] || (ln != r->names[N_VALUE] && element_is(r, ln, N_KEY))) {
            key = (const char *)atts[5 * i + 3];
            key_len = (size_t)(atts[5 * i + 4] - atts[5 * i + 3]);
        } else if (ln == r->names[N_VALUE] || element_is(r, ln, N_VALUE)) {
            v = (const char *)atts[5 * i + 3];
            n = (size_t)(atts[5 * i + 4] - atts[5 * i + 3]);
        }
    }
    int nested = parent->kind == K_ATTR || parent->kind == K_VALUES;
    f->kind = K_ATTR;
    f->owner = parent->owner;
    f->attr = -1;
    if (key == NULL) {
        if (!nested) {
            fail(r, AB_EPARSE, "<%s> without a key: expected key=\"...\" on every attribute",
                 (const char *)f->name);
            return;
        }
        /* Items of an XES 2.0 list need no key. */
        key = "";
    }
    int has_value = v != NULL;
    if (type != AB_ATTR_LIST && type != AB_ATTR_CONTAINER) {
        if (v == NULL && type != AB_ATTR_STRING && type != AB_ATTR_ID) {
            fail(r, AB_EPARSE, "<%s key=\"%.*s\"> without a value: expected value=\"...\"",
                 (const char *)f->name, (int)(key_len < 80 ? key_len : 80), key);
            return;
        }
        if (v == NULL) {
            v = "";
        }
        if (n > r->max_field) {
            fail(r, AB_ELIMIT, "a value of %zu bytes (ab_limits.max_field_len is %zu)", n,
                 r->max_field);
            return;
        }
    } else {
        /* Lists and containers have no value of their own. */
        v = "";
        n = 0;
        has_value = 0;
    }
    if (!nested && f->owner == O_EVENT) {
        event_attr(r, parent, f, type, key, key_len, v, n, has_value);
        return;
    }
    if (!nested && f->owner == O_TRACE && has_value && KEY_IS(key, key_len, "concept:name")) {
        size_t len;
        const char *s = keep(r, O_TRACE, v, n, &len);
        if (s == NULL) {
            fail_nomem(r);
            return;
        }
        r->case_id = s;
        r->case_id_len = len;
        return;
    }
    push_attr(r, parent, f, type, key, key_len, v, n);
}

/* ---- Events and traces. ---- */

static void event_start(xes_reader *r, int orphan)
{
    memset(&r->cur, 0, sizeof(r->cur));
    r->cur.ev.ts = AB_TIME_NONE;
    r->cur.ev.start_ts = AB_TIME_NONE;
    r->cur.ev.lifecycle = AB_LC_NONE;
    r->cur.ev.line = xml_line(r);
    r->cur.attr_first = r->eattrs.count;
    r->cur_orphan = orphan;
    r->ts_bad = 0;
    if (r->any_slot) {
        memset(r->slot, 0, sizeof(r->slot));
        memset(r->slot_len, 0, sizeof(r->slot_len));
        r->any_slot = 0;
    }
    if (!orphan) {
        r->trace_records++;
    }
}

/* Builds the activity from the classifier's keys ('+' between values). */
static int join_slots(xes_reader *r)
{
    if (!r->any_slot) {
        return AB_OK;
    }
    if (r->n_keys == 1) {
        r->cur.ev.activity = r->slot[0];
        r->cur.ev.activity_len = r->slot_len[0];
        return AB_OK;
    }
    size_t total = r->n_keys - 1;
    for (size_t k = 0; k < r->n_keys; k++) {
        total += r->slot_len[k];
    }
    char *d = ab__xes_store_alloc(&r->tstore, total + 1);
    if (d == NULL) {
        return AB_ENOMEM;
    }
    size_t o = 0;
    for (size_t k = 0; k < r->n_keys; k++) {
        if (k > 0) {
            d[o++] = '+';
        }
        if (r->slot_len[k] > 0) {
            memcpy(d + o, r->slot[k], r->slot_len[k]);
            o += r->slot_len[k];
        }
    }
    d[o] = '\0';
    r->cur.ev.activity = d;
    r->cur.ev.activity_len = o;
    return AB_OK;
}

static void event_end(xes_reader *r)
{
    xes_event *e = &r->cur;
    size_t attr_count = r->eattrs.count - e->attr_first;
    if (r->cls_keyed && !r->cls_named && !r->cls_checked) {
        /* A key list that the first event does not carry is a typo, not a
         * log whose every event lacks an activity. */
        r->cls_checked = 1;
        if (!r->any_slot) {
            char names[200];
            classifier_names(r, names, sizeof(names));
            fail(r, AB_ENOTFOUND,
                 "classifier '%.80s' not found: it is not a classifier of the log (%s), and the "
                 "first event has none of its keys",
                 r->cls_text, names);
            return;
        }
    }
    if (r->cur_orphan) {
        /* IEEE 1849 puts events only inside traces; one outside has no case.
         * No trace is open, so its strings can go at once. */
        r->eattrs.count = e->attr_first;
        ab__xes_store_reset(&r->tstore);
        int rc = ab_log_builder_drop(r->b, AB_DROP_MISSING_CASE, e->ev.line,
                                     "an <event> outside any <trace> has no case", r->err);
        if (rc != AB_OK) {
            fail_rc(r, rc);
        }
        return;
    }
    if (r->ts_bad) {
        r->eattrs.count = e->attr_first;
        int rc = ab_log_builder_drop(r->b, AB_DROP_BAD_TIMESTAMP, e->ev.line, r->ts_msg, r->err);
        if (rc != AB_OK) {
            fail_rc(r, rc);
        }
        return;
    }
    if (r->cls_keyed && join_slots(r) != AB_OK) {
        fail_nomem(r);
        return;
    }
    e->ev.attr_count = attr_count;
    if (r->n_events == r->events_cap &&
        AB_GROW(r->ctx, r->events, r->events_cap, r->n_events + 1) != AB_OK) {
        fail_nomem(r);
        return;
    }
    r->events[r->n_events++] = *e;
}

static void trace_start(xes_reader *r)
{
    resolve_classifier(r);
    flush_log_attrs(r);
    r->trace_no = ab__log_builder_next_trace(r->b);
    r->trace_records = 0;
    r->case_id = NULL;
    r->case_id_len = 0;
}

static void trace_reset(xes_reader *r)
{
    ab__xes_store_reset(&r->tstore);
    r->tattrs.count = 0;
    r->eattrs.count = 0;
    r->n_events = 0;
    r->case_id = NULL;
    r->case_id_len = 0;
}

static void trace_end(xes_reader *r, uint64_t trace_line)
{
    char num[32];
    const char *cid = r->case_id;
    size_t cid_len = r->case_id_len;
    if (cid == NULL) {
        /* No concept:name: the trace's number names the case. */
        int n = snprintf(num, sizeof(num), "#%llu", (unsigned long long)r->trace_no);
        cid = num;
        cid_len = (size_t)n;
    }
    int rc = AB_OK;
    if (r->trace_records == 0) {
        rc = ab_log_builder_drop(r->b, AB_DROP_EMPTY_TRACE, trace_line, "a <trace> without events",
                                 r->err);
    } else if (r->n_events > 0) {
        if (r->tattrs.count > 0) {
            rc = ab_log_builder_add_case_attrs(r->b, cid, cid_len, r->tattrs.v, r->tattrs.count,
                                               r->err);
        }
        for (size_t i = 0; i < r->n_events && rc == AB_OK; i++) {
            ab_event_in *ev = &r->events[i].ev;
            ev->case_id = cid;
            ev->case_id_len = cid_len;
            ev->attrs = ev->attr_count > 0 ? r->eattrs.v + r->events[i].attr_first : NULL;
            rc = ab_log_builder_add_event(r->b, ev, r->err);
        }
    }
    trace_reset(r);
    if (rc != AB_OK) {
        fail_rc(r, rc);
    }
}

/* ---- SAX callbacks. ---- */

/* Returns N_* of a known element name, or -1. */
static int element_id(const xes_reader *r, const xmlChar *ln)
{
    /* <event> first: most attribute elements never get here (event_attr_fast). */
    if (ln == r->names[N_EVENT]) {
        return N_EVENT;
    }
    for (int i = N_STRING; i <= N_CONTAINER; i++) {
        if (ln == r->names[i]) {
            return i;
        }
    }
    for (int i = N_LOG; i < N_STRING; i++) {
        if (ln == r->names[i]) {
            return i;
        }
    }
    for (int i = N_LOG; i <= N_CONTAINER; i++) {
        if (element_is(r, ln, i)) {
            return i;
        }
    }
    return -1;
}

/*
 * The start tag that makes up most of any log, <string|date|id|int|float|boolean
 * key="..." value="..."/> directly inside an <event>, taken with the fewest
 * tests; false for anything else, which on_start then reads in full. What
 * it does is what on_start and on_attr do for such an element.
 */
static AB__ALWAYS_INLINE bool event_attr_fast(xes_reader *r, const xmlChar *localname, int natts,
                                              const xmlChar **atts)
{
    size_t d = r->depth;
    if (r->rc != 0 || d == 0 || d >= r->max_depth || d >= r->frames_cap || natts != 2 ||
        r->frames[d - 1].kind != K_EVENT || atts[0] != r->names[N_KEY] ||
        atts[5] != r->names[N_VALUE]) {
        return false;
    }
    ab_attr_type type;
    if (localname == r->names[N_STRING]) {
        type = AB_ATTR_STRING;
    } else if (localname == r->names[N_DATE]) {
        type = AB_ATTR_DATE;
    } else if (localname == r->names[N_ID]) {
        type = AB_ATTR_ID;
    } else if (localname == r->names[N_INT]) {
        type = AB_ATTR_INT;
    } else if (localname == r->names[N_FLOAT]) {
        type = AB_ATTR_FLOAT;
    } else if (localname == r->names[N_BOOLEAN]) {
        type = AB_ATTR_BOOLEAN;
    } else {
        return false;
    }
    const char *v = (const char *)atts[8];
    size_t n = (size_t)(atts[9] - atts[8]);
    if (n > r->max_field) {
        return false;
    }
    const xes_frame *parent = &r->frames[d - 1];
    xes_frame *f = &r->frames[d];
    f->name = localname;
    f->line = xml_line(r);
    f->kind = K_ATTR;
    f->owner = O_EVENT;
    f->attr = -1;
    r->depth = d + 1;
    event_attr(r, parent, f, type, (const char *)atts[3], (size_t)(atts[4] - atts[3]), v, n, 1);
    return true;
}

/* Any start tag (after the fast path). */
static AB__NOINLINE void start_tag(xes_reader *r, const xmlChar *localname, int nb_attributes,
                                   const xmlChar **atts)
{
    if (r->rc != 0) {
        return;
    }
    if (r->depth >= r->max_depth) {
        fail(r, AB_ELIMIT,
             "elements nested deeper than %zu levels (ab_limits.max_depth): expected the flat "
             "log/trace/event structure of XES",
             r->max_depth);
        return;
    }
    if (r->depth == r->frames_cap &&
        AB_GROW(r->ctx, r->frames, r->frames_cap, r->depth + 1) != AB_OK) {
        fail_nomem(r);
        return;
    }
    xes_frame *f = &r->frames[r->depth];
    const xes_frame *parent = r->depth > 0 ? &r->frames[r->depth - 1] : NULL;
    f->name = localname;
    f->line = xml_line(r);
    f->kind = K_SKIP;
    f->owner = O_NONE;
    f->attr = -1;
    r->depth++;
    if (parent == NULL) {
        if (!element_is(r, localname, N_LOG)) {
            fail(r, AB_EPARSE,
                 "the root element is <%.60s>: expected <log> (an XES document, IEEE 1849)",
                 (const char *)localname);
            return;
        }
        r->seen_root = 1;
        f->kind = K_LOG;
        f->owner = O_LOG;
        on_log_start(r, atts, nb_attributes);
        return;
    }
    if (parent->kind == K_SKIP) {
        return;
    }
    int id = element_id(r, localname);
    if (id >= N_STRING && id <= N_CONTAINER) {
        if (parent->kind == K_ATTR || parent->kind == K_VALUES) {
            if (parent->attr < 0) {
                return;
            }
        }
        on_attr(r, parent, f, name_type[id - N_STRING], atts, nb_attributes);
        return;
    }
    switch (id) {
    case N_EVENT:
        if (parent->kind == K_TRACE || parent->kind == K_LOG) {
            if (parent->kind == K_LOG) {
                resolve_classifier(r);
                flush_log_attrs(r);
            }
            f->kind = K_EVENT;
            f->owner = O_EVENT;
            event_start(r, parent->kind == K_LOG);
            return;
        }
        break;
    case N_TRACE:
        if (parent->kind == K_LOG) {
            f->kind = K_TRACE;
            f->owner = O_TRACE;
            trace_start(r);
            return;
        }
        break;
    case N_LOG:
        break;
    case N_VALUES:
        if (parent->kind == K_ATTR && parent->attr >= 0) {
            f->kind = K_VALUES;
            f->owner = parent->owner;
            f->attr = parent->attr;
        }
        return;
    case N_CLASSIFIER:
        if (parent->kind == K_LOG) {
            on_classifier(r, atts, nb_attributes);
        }
        return;
    case N_EXTENSION:
        if (parent->kind == K_LOG) {
            on_extension(r, atts, nb_attributes);
        }
        return;
    default:
        /* <global> (defaults that PM4Py and ProM do not apply to events) and
         * elements unknown to XES are skipped with their content. */
        return;
    }
    /* A log, trace or event where the structure does not allow it. */
    fail(r, AB_EPARSE, "unexpected <%s> inside <%.40s> (opened at line %llu): expected %s",
         (const char *)localname, (const char *)parent->name, (unsigned long long)parent->line,
         parent->kind == K_EVENT   ? "attributes, then </event>"
         : parent->kind == K_TRACE ? "attributes and <event> elements, then </trace>"
         : parent->kind == K_LOG   ? "header elements, attributes and <trace> elements"
                                   : "nested attributes only");
}

static void on_start(void *payload, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **atts)
{
    xes_reader *r = payload;
    (void)prefix;
    (void)uri;
    (void)nb_namespaces;
    (void)namespaces;
    (void)nb_defaulted;
    if (!event_attr_fast(r, localname, nb_attributes, atts)) {
        start_tag(r, localname, nb_attributes, atts);
    }
}

static void frame_end(xes_reader *r, const xes_frame *f);

static void on_end(void *payload, const xmlChar *localname, const xmlChar *prefix,
                   const xmlChar *uri)
{
    xes_reader *r = payload;
    (void)localname;
    (void)prefix;
    (void)uri;
    if (r->rc != 0 || r->depth == 0) {
        return;
    }
    xes_frame *f = &r->frames[--r->depth];
    /* Attribute elements (nearly every end tag) need nothing here. */
    if (f->kind != K_EVENT && f->kind != K_TRACE && f->kind != K_LOG) {
        return;
    }
    frame_end(r, f);
}

/* The end of an event, a trace or the log. */
static AB__NOINLINE void frame_end(xes_reader *r, const xes_frame *f)
{
    switch (f->kind) {
    case K_EVENT:
        event_end(r);
        break;
    case K_TRACE:
        trace_end(r, f->line);
        break;
    case K_LOG:
        resolve_classifier(r);
        flush_log_attrs(r);
        r->log_closed = 1;
        break;
    default:
        break;
    }
}

/* ---- Driver. ---- */

/* Refuses empty and non-XML input with a message that says what was expected. */
static int check_start(xes_reader *r)
{
    const void *data;
    size_t len;
    int rc = ab_input_peek(r->in, &data, &len, r->err);
    if (rc != AB_OK) {
        return rc;
    }
    const unsigned char *p = data;
    if (len == 0) {
        rc = ab__error(r->err, AB_EPARSE, r->source, 0, 0,
                       "empty input: expected an XES document (<?xml ...?> and a <log> element)");
        ab__error_offset(r->err, 0);
        return rc;
    }
    if (len >= 2 && ((p[0] == 0xFE && p[1] == 0xFF) || (p[0] == 0xFF && p[1] == 0xFE))) {
        return AB_OK; /* UTF-16: libxml2 converts it. */
    }
    size_t i = (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) ? 3 : 0;
    uint64_t line = 1, col = 1;
    for (; i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'); i++) {
        if (p[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    /* All white space: when the peek window (64 KiB) is full, more may
     * follow and libxml2 decides; otherwise the input has no content. */
    if (i == len && len < 64u * 1024u) {
        rc = ab__error(r->err, AB_EPARSE, r->source, line, col,
                       "no content (only white space): expected an XES document with a <log> "
                       "element");
        ab__error_offset(r->err, i);
        return rc;
    }
    if (i < len && p[i] != '<') {
        rc = ab__error(r->err, AB_EPARSE, r->source, line, col,
                       "not an XML document (byte 0x%02X%s): expected an XES document starting "
                       "with '<?xml' or '<log>'",
                       p[i], (p[i] < 0x20 || p[i] >= 0x7F) ? ", binary data?" : "");
        ab__error_offset(r->err, i);
        return rc;
    }
    return AB_OK;
}

static void reader_free(xes_reader *r)
{
    ab_ctx *ctx = r->ctx;
    if (r->xml != NULL) {
        /* libxml2 records entity declarations in a stand-in document even in
         * SAX mode ("expat compatibility"); the parser context does not own it. */
        if (r->xml->myDoc != NULL) {
            xmlFreeDoc(r->xml->myDoc);
            r->xml->myDoc = NULL;
        }
        xmlFreeParserCtxt(r->xml);
    }
    /* libxml2 keeps a copy of the last error of the thread (its message
     * and file name allocated) even when a handler took it: ours is read. */
    xmlResetLastError();
    ab__free(ctx, r->frames);
    ab__xes_store_finish(&r->hstore);
    ab__xes_store_finish(&r->tstore);
    attrs_free(ctx, &r->lattrs);
    attrs_free(ctx, &r->tattrs);
    attrs_free(ctx, &r->eattrs);
    ab__free(ctx, r->classifiers);
    ab__free(ctx, r->events);
    ab_buf_dispose(&r->extensions);
    ab__free(ctx, r);
}

/* Feeds the whole input to the parser. */
static int parse_all(xes_reader *r, char *buf)
{
    for (;;) {
        const void *data;
        ptrdiff_t n = ab__input_borrow(r->in, buf, XES_CHUNK, &data, r->err);
        if (n < 0) {
            return (int)n;
        }
        if (n == 0) {
            break;
        }
        errno = 0;
        xmlParseChunk(r->xml, data, (int)n, 0);
        r->nomem |= errno == ENOMEM;
        if (r->rc != 0) {
            return r->rc;
        }
        if (r->xml->disableSAX && r->xml->instate == XML_PARSER_EOF) {
            /* Stopped without a fatal error through our callback: a chunk
             * libxml2 could not buffer (out of memory, said only in the
             * thread's last error), or something unforeseen; never read on
             * silently. */
            const xmlError *last = xmlGetLastError();
            if (r->xml->errNo == XML_ERR_NO_MEMORY ||
                (last != NULL && last->code == XML_ERR_NO_MEMORY)) {
                fail(r, AB_ENOMEM, "out of memory (XML parser)");
            } else {
                fail(r, AB_EPARSE, "malformed XML: the parser stopped");
            }
            return r->rc;
        }
    }
    r->terminating = 1;
    errno = 0;
    xmlParseChunk(r->xml, NULL, 0, 1);
    r->nomem |= errno == ENOMEM;
    r->terminating = 0;
    if (r->rc != 0) {
        return r->rc;
    }
    if (!r->seen_root) {
        int rc = ab__error(r->err, AB_EPARSE, r->source, xml_line(r), xml_col(r),
                           "no <log> element: expected an XES document (a <log> root element)");
        ab__error_offset(r->err, ab_input_offset(r->in));
        return rc;
    }
    if (!r->log_closed) {
        if (r->depth > 0) {
            fail_truncated(r, xml_line(r), xml_col(r));
        } else {
            r->rc = ab__error(r->err, AB_EPARSE, r->source, xml_line(r), xml_col(r),
                              "unexpected end of input: expected </log>");
        }
        return r->rc;
    }
    return AB_OK;
}

static int intern_names(xes_reader *r)
{
    for (int i = 0; i < N__COUNT; i++) {
        r->names[i] = xmlDictLookup(r->xml->dict, (const xmlChar *)name_text[i], -1);
        if (r->names[i] == NULL) {
            return AB_ENOMEM;
        }
    }
    return AB_OK;
}

int ab_xes_read(ab_log_builder *b, ab_input *in, const ab_xes_options *opts, ab_error *err)
{
    static const ab_xes_options defaults = AB_XES_OPTIONS_INIT;
    if (b == NULL || in == NULL) {
        return ab__error(err, AB_EINVAL, NULL, 0, 0, "ab_xes_read: NULL builder or input");
    }
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != AB_XES_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, NULL, 0, 0,
                         "ab_xes_options version %u, expected %u (use AB_XES_OPTIONS_INIT)",
                         opts->version, (unsigned)AB_XES_OPTIONS_VERSION);
    }
    ab_ctx *ctx = ab__log_builder_ctx(b);
    const char *source = ab_input_name(in);
    xes_reader *r = ab__calloc(ctx, 1, sizeof(*r));
    if (r == NULL) {
        return ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory");
    }
    r->ctx = ctx;
    r->b = b;
    r->in = in;
    r->err = err;
    r->source = source;
    r->cls_text = opts->classifier;
    const ab_limits *lim = ab_ctx_limits(ctx);
    r->max_depth = lim->max_depth > 0 ? lim->max_depth : 256;
    r->max_attrs = lim->max_attrs > 0 ? lim->max_attrs : 4096;
    r->max_field = lim->max_field_len > 0 ? lim->max_field_len : (size_t)16 << 20;
    const struct lconv *lc = localeconv();
    r->decimal_point = lc != NULL && lc->decimal_point != NULL && lc->decimal_point[0] != '\0'
                           ? lc->decimal_point[0]
                           : '.';
    ab__xes_store_init(&r->hstore, ctx);
    ab__xes_store_init(&r->tstore, ctx);
    r->extensions.ctx = ctx;

    char *buf = NULL;
    int rc = check_start(r);
    if (rc != AB_OK) {
        goto done;
    }
    if (ab_log_builder_set_source(b, source) != AB_OK ||
        ab_log_builder_set_meta(b, "format", "xes") != AB_OK) {
        rc = ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory");
        goto done;
    }
    buf = ab__malloc(ctx, XES_CHUNK);
    if (buf == NULL) {
        rc = ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory");
        goto done;
    }

    xmlSAXHandler sax;
    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.serror = on_xml_error;
    sax.internalSubset = on_internal_subset;
    sax.externalSubset = on_external_subset;
    sax.entityDecl = on_entity_decl;
    sax.unparsedEntityDecl = on_unparsed_entity_decl;
    /* characters, getEntity, resolveEntity stay NULL: XES has no text
     * content, and no entity is ever looked up or loaded. */
    /* libxml2's first use sets up its globals and encoding handlers, and
     * carries on without those it could not allocate (a declared encoding
     * then goes through iconv, whose tables stay allocated): out of memory
     * here is said now. Only this read's errors are looked at. */
    xmlResetLastError();
    errno = 0;
    xmlInitParser();
    const xmlError *init_err = xmlGetLastError();
    if (errno == ENOMEM || (init_err != NULL && init_err->code == XML_ERR_NO_MEMORY)) {
        rc = ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory (XML parser)");
        goto done;
    }
    /* No file name: messages name the source themselves, and libxml2 2.9
     * leaks its input stream when copying the name runs out of memory. */
    r->xml = xmlCreatePushParserCtxt(&sax, r, NULL, 0, NULL);
    if (r->xml == NULL) {
        rc = ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory (XML parser)");
        goto done;
    }
    /* No NOENT (entities stay unexpanded), no DTDLOAD, no HUGE (libxml2's
     * own size limits stay on), no network. */
    xmlCtxtUseOptions(r->xml, XML_PARSE_NONET);
    if (intern_names(r) != AB_OK) {
        rc = ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory (XML parser)");
        goto done;
    }
    rc = parse_all(r, buf);
    if (rc == AB_EPARSE && r->nomem) {
        /* libxml2 2.9 reports some of its allocation failures as something
         * else ("switching encoding: encoder error"), or drops what it could
         * not convert and the document looks empty. malloc's errno tells
         * (see bpmn_xml.c); a failed read only is reclassified. */
        rc = ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory (XML parser)");
    }
    if (rc == AB_OK && r->coerced > 0) {
        ab_log_builder_note_coerced(b, r->coerced);
    }
    if (rc == AB_OK && r->extensions.len > 0 &&
        ab_log_builder_set_meta(b, "xes_extensions", r->extensions.ptr) != AB_OK) {
        rc = ab__error(err, AB_ENOMEM, source, 0, 0, "out of memory");
    }
done:
    ab__free(ctx, buf);
    reader_free(r);
    return rc;
}
