/*
 * bpmn/bpmn_xml.c: turns the bytes of a BPMN file into a libxml2 tree, safely.
 * The push parser is fed in chunks from an ab_input (so gzip works), with no
 * network, no DTD loading and no entity substitution; a document that declares
 * any entity is refused outright, and nesting is capped by the context's
 * max_depth. Errors arrive through this parser's own SAX `serror` hook: the
 * global libxml2 handlers are never touched.
 */
#include "bpmn/bpmn_int.h"

#include <errno.h>
#include <stdio.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

/* Per-parse state, reached from the parser context's _private field. */
typedef struct xml_state {
    ab_error *err;
    const char *name; /* Source name for messages. */
    int rc;           /* First failure (0 = none yet). */
    size_t depth;     /* Current element depth. */
    size_t max_depth; /* From ab_limits. */
    int nomem;        /* An allocation failed inside libxml2 (errno ENOMEM). */
} xml_state;

static xml_state *state_of(void *ctx)
{
    return ((xmlParserCtxtPtr)ctx)->_private;
}

/*
 * Records the first failure and silences the parser: everything after the
 * first error is noise. The parser is never stopped from inside a callback:
 * xmlStopParser() frees the input buffer while libxml2 may still be reading
 * the current start tag's attributes from it (libxml2 2.9, on an xml:id error
 * raised inside xmlSAX2StartElementNs). Setting disableSAX, as libxml2 does
 * itself on a fatal error, only ends the callbacks; the chunk loop stops
 * feeding the parser once xmlParseChunk() returns, which bounds the work.
 */
static void halt_soon(xmlParserCtxtPtr ctxt)
{
    ctxt->disableSAX = 1;
}

static void fail_at(void *ctx, int code, const char *fmt, ...) AB__PRINTF(3, 4);
static void fail_at(void *ctx, int code, const char *fmt, ...)
{
    xmlParserCtxtPtr ctxt = ctx;
    xml_state *st = state_of(ctx);
    if (st->rc == 0) {
        va_list ap;
        va_start(ap, fmt);
        st->rc = code;
        ab__verror(st->err, code, st->name, (uint64_t)xmlSAX2GetLineNumber(ctxt),
                   (uint64_t)xmlSAX2GetColumnNumber(ctxt), fmt, ap);
        va_end(ap);
    }
    halt_soon(ctxt);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    fail_at(ctx, AB_EPARSE,
            "the document declares the entity '%s'; BPMN maps never need entities and they "
            "are refused (no DTD or entity processing)",
            (const char *)name);
}

static void on_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
                                    const xmlChar *system_id, const xmlChar *notation)
{
    (void)public_id;
    (void)system_id;
    (void)notation;
    on_entity_decl(ctx, name, 0, NULL, NULL, NULL);
}

static void on_reference(void *ctx, const xmlChar *name)
{
    fail_at(ctx, AB_EPARSE, "reference to the entity '&%s;' is refused", (const char *)name);
}

/* Never load anything from outside the document. */
static xmlParserInputPtr on_resolve_entity(void *ctx, const xmlChar *public_id,
                                           const xmlChar *system_id)
{
    (void)public_id;
    fail_at(ctx, AB_EPARSE, "the document refers to the external resource '%s', which is refused",
            system_id != NULL ? (const char *)system_id : "?");
    return NULL;
}

static void on_external_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                               const xmlChar *system_id)
{
    (void)ctx;
    (void)name;
    (void)external_id;
    (void)system_id;
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xml_state *st = state_of(ctx);
    if (st->rc != 0) {
        return;
    }
    if (++st->depth > st->max_depth) {
        fail_at(ctx, AB_ELIMIT, "elements nested deeper than %zu levels (limits.max_depth)",
                st->max_depth);
        return;
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    xml_state *st = state_of(ctx);
    if (st->depth > 0) {
        st->depth--;
    }
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

static void on_error(void *user, xmlErrorPtr e)
{
    /* userData of a tree-building parser is the parser context itself. */
    xmlParserCtxtPtr ctxt = user;
    xml_state *st = ctxt != NULL ? ctxt->_private : NULL;
    if (st == NULL || e == NULL || st->rc != 0 ||
        (e->level < XML_ERR_ERROR && e->code != XML_ERR_NO_MEMORY)) {
        return;
    }
    char msg[400];
    snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message : "malformed XML");
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) {
        msg[--n] = '\0';
    }
    int code = AB_EPARSE;
    if (e->code == XML_ERR_NO_MEMORY) {
        code = AB_ENOMEM;
    }
    st->rc = code;
    if (strstr(msg, "Huge input lookup") != NULL || strstr(msg, "too long") != NULL) {
        /* libxml2's size limits, kept on: an attribute value over the limit
         * is reported at the start of its element. */
        ab__error(st->err, code, st->name, e->line > 0 ? (uint64_t)e->line : 0,
                  e->int2 > 0 ? (uint64_t)e->int2 : 0,
                  "an attribute value in the element that starts here is longer than the XML "
                  "parser's limit of %d bytes: expected values under that size (libxml2: %s)",
                  XML_MAX_LOOKUP_LIMIT, msg);
        long at = xmlByteConsumed(ctxt);
        if (at >= 0) {
            ab__error_offset(st->err, (uint64_t)at);
        }
    } else if (strstr(msg, "huge text node") != NULL) {
        /* A text is reported where the limit was passed: name the element
         * that holds it and the line where that element starts. */
        const xmlNode *node = ctxt->node;
        ab__error(st->err, code, st->name, e->line > 0 ? (uint64_t)e->line : 0,
                  e->int2 > 0 ? (uint64_t)e->int2 : 0,
                  "the text of <%s> (element starting at line %ld) is longer than the XML "
                  "parser's limit of %d bytes: expected texts under that size",
                  node != NULL && node->name != NULL ? (const char *)node->name : "?",
                  node != NULL ? xmlGetLineNo(node) : 0L, XML_MAX_TEXT_LENGTH);
    } else {
        ab__error(st->err, code, st->name, e->line > 0 ? (uint64_t)e->line : 0,
                  e->int2 > 0 ? (uint64_t)e->int2 : 0, "%s: %s",
                  code == AB_ENOMEM ? "out of memory (XML parser)" : "malformed XML", msg);
    }
    halt_soon(ctxt);
}

int ab__bpmn_parse_xml(xmlDocPtr *out, ab_ctx *ctx, ab_input *in, ab_error *err)
{
    enum { CHUNK = 64 * 1024 };
    *out = NULL;
    xml_state st = {err, ab_input_name(in), 0, 0, ctx->limits.max_depth, 0};
    char *buf = ab__malloc(ctx, CHUNK);
    if (buf == NULL) {
        return ab__error(err, AB_ENOMEM, st.name, 0, 0, "out of memory");
    }
    /* The first bytes go to the constructor so that it can detect the
     * encoding (UTF-16, ISO-8859-1 declarations ...). */
    size_t have = 0;
    while (have < 4) {
        ptrdiff_t n = ab_input_read(in, buf + have, 4 - have, err);
        if (n < 0) {
            ab__free(ctx, buf);
            return (int)n;
        }
        if (n == 0) {
            break;
        }
        have += (size_t)n;
    }
    /* libxml2's first use sets up its globals and encoding handlers, and
     * carries on without those it could not allocate (a declared encoding
     * then goes through iconv, whose tables stay allocated): out of memory
     * here is said now. */
    xmlResetLastError();
    errno = 0;
    xmlInitParser();
    const xmlError *init_err = xmlGetLastError();
    if (errno == ENOMEM || (init_err != NULL && init_err->code == XML_ERR_NO_MEMORY)) {
        ab__free(ctx, buf);
        xmlResetLastError();
        return ab__error(err, AB_ENOMEM, st.name, 0, 0, "out of memory (XML parser)");
    }
    /* No file name: messages name the source themselves, and libxml2 2.9
     * leaks its input stream when copying the name runs out of memory. */
    xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(NULL, NULL, buf, (int)have, NULL);
    if (ctxt == NULL) {
        ab__free(ctx, buf);
        xmlResetLastError();
        return ab__error(err, AB_ENOMEM, st.name, 0, 0, "out of memory (XML parser)");
    }
    ctxt->_private = &st;
    /* Never NOENT, DTDLOAD, DTDATTR or DTDVALID: see the file comment. */
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
    ctxt->replaceEntities = 0;
    ctxt->loadsubset = 0;
    ctxt->validate = 0;
    xmlSAXHandlerPtr sax = ctxt->sax;
    sax->entityDecl = on_entity_decl;
    sax->unparsedEntityDecl = on_unparsed_entity_decl;
    sax->reference = on_reference;
    sax->resolveEntity = on_resolve_entity;
    sax->externalSubset = on_external_subset;
    sax->startElementNs = on_start;
    sax->endElementNs = on_end;
    sax->serror = on_error;
    sax->error = NULL;
    sax->warning = NULL;
    sax->fatalError = NULL;
    ctxt->vctxt.error = NULL;
    ctxt->vctxt.warning = NULL;

    int rc = AB_OK;
    for (;;) {
        if (st.rc != 0) {
            break;
        }
        ptrdiff_t n = ab_input_read(in, buf, CHUNK, err);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        errno = 0;
        int res = xmlParseChunk(ctxt, buf, (int)n, n == 0);
        st.nomem |= errno == ENOMEM;
        if (res != 0 && st.rc == 0) {
            st.rc = AB_EPARSE;
            ab__error(err, AB_EPARSE, st.name, (uint64_t)xmlSAX2GetLineNumber(ctxt),
                      (uint64_t)xmlSAX2GetColumnNumber(ctxt), "malformed XML (libxml2 error %d)",
                      res);
        }
        if (n == 0) {
            break;
        }
    }
    if (rc == AB_OK && st.rc != 0) {
        rc = st.rc;
    }
    if (rc == AB_OK && (!ctxt->wellFormed || ctxt->myDoc == NULL)) {
        rc = ab__error(err, AB_EPARSE, st.name, (uint64_t)xmlSAX2GetLineNumber(ctxt),
                       (uint64_t)xmlSAX2GetColumnNumber(ctxt), "malformed XML");
    }
    /*
     * libxml2 2.9 does not pass every allocation failure to the handler. A
     * namespace the tree builder could not copy is dropped with a message
     * to the generic handler only, and the parse "succeeds" with a wrong
     * tree; other failures surface as a different complaint ("not a valid
     * URI", "Empty XML namespace", a chunk refused with -1). Only the C
     * library's errno sees them all: malloc sets ENOMEM when it fails, and
     * nothing else the parser calls does. A successful malloc that had to
     * fall back from brk to mmap may leave it too, but then memory is short
     * indeed, and the map is small: better refused than read wrong.
     */
    if ((rc == AB_OK || rc == AB_EPARSE) && st.nomem) {
        rc = ab__error(err, AB_ENOMEM, st.name, 0, 0, "out of memory (XML parser)");
    }
    if (rc == AB_OK) {
        *out = ctxt->myDoc;
    } else if (ctxt->myDoc != NULL) {
        xmlFreeDoc(ctxt->myDoc);
    }
    ctxt->myDoc = NULL;
    xmlFreeParserCtxt(ctxt);
    /* libxml2 keeps a copy of the thread's last error (its message and
     * file name allocated) even when a handler took it: ours is read. */
    xmlResetLastError();
    ab__free(ctx, buf);
    return rc;
}
