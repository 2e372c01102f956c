/*
 * bpmn/bpmn_read.c: walks the XML tree of a BPMN 2.0 file and builds an
 * ab_bpmn. Elements are recognised by namespace URI and local name, so any
 * prefix (bpmn:, bpmn2:, semantic:) or the default namespace works, and
 * vendor extensions (other namespaces, extensionElements) are skipped without
 * failing. References (sourceRef, attachedToRef, flowNodeRef ...) are kept as
 * written during the walk and resolved once every id is known.
 */
#include "bpmn/bpmn_int.h"

#include <stdio.h>
#include <stdlib.h>

#include <libxml/parser.h>

/* A lane's flowNodeRef, resolved after the walk. */
typedef struct lane_ref {
    uint32_t lane;
    const char *node_id;
} lane_ref;

/* A participant of a collaboration. */
typedef struct participant {
    const char *id;
    const char *name;
    const char *process_ref;
} participant;

/* Reader state. Any allocation failure sets rc, and the walk then unwinds. */
typedef struct rd {
    ab_bpmn *m;
    const ab_bpmn_options *opts;
    int rc;
    const char **attached_ref; /* node -> attachedToRef ("" = none). */
    const char **default_ref;  /* node -> default flow id ("" = none). */
    size_t raw_cap;
    lane_ref *lane_refs;
    size_t lane_ref_cap;
    uint32_t lane_ref_count;
    uint32_t *lane_depth;      /* lane -> nesting depth. */
    size_t lane_depth_cap;
    participant *parts;
    size_t part_cap;
    uint32_t part_count;
    uint32_t plane_count;
} rd;

/* ---- Small helpers ---- */

static int is_ns(const xmlNode *n, const char *ns)
{
    return n->type == XML_ELEMENT_NODE && n->ns != NULL && n->ns->href != NULL &&
           strcmp((const char *)n->ns->href, ns) == 0;
}

static int is_bpmn(const xmlNode *n)
{
    return is_ns(n, AB__BPMN_NS);
}

static int named(const xmlNode *n, const char *local)
{
    return strcmp((const char *)n->name, local) == 0;
}

static uint64_t line_of(const xmlNode *n)
{
    long l = xmlGetLineNo(n);
    return l > 0 ? (uint64_t)l : 0;
}

static const char empty[] = "";

/* Copies a string into the model's arena; "" when s is NULL. */
static const char *dup_str(rd *r, const char *s)
{
    if (s == NULL || *s == '\0') {
        return empty;
    }
    char *d = ab__arena_strndup(&r->m->arena, s, strlen(s));
    if (d == NULL) {
        r->rc = AB_ENOMEM;
        return empty;
    }
    return d;
}

/*
 * The value of an unqualified attribute, or NULL when it is absent. A NULL
 * from libxml2 never stands for "absent" here: xmlGetNoNsProp() also returns
 * NULL when it runs out of memory, which would silently blank a name or a
 * reference. The attribute node is looked up first (no allocation), and its
 * value read in place when it is one text node, as it always is without
 * entities; otherwise it is copied into *owned, and a failed copy sets
 * r->rc and reads as absent.
 */
static const char *attr_value(rd *r, const xmlNode *n, const char *name, xmlChar **owned)
{
    *owned = NULL;
    const xmlAttr *a = xmlHasNsProp(n, (const xmlChar *)name, NULL);
    if (a == NULL || a->type != XML_ATTRIBUTE_NODE) {
        return NULL;
    }
    const xmlNode *t = a->children;
    if (t == NULL) {
        return "";
    }
    if (t->next == NULL && t->type == XML_TEXT_NODE && t->content != NULL) {
        return (const char *)t->content;
    }
    *owned = xmlNodeListGetString(n->doc, t, 1);
    if (*owned == NULL) {
        r->rc = AB_ENOMEM;
    }
    return (const char *)*owned;
}

/* An unqualified attribute, copied; "" when absent. */
static const char *attr(rd *r, const xmlNode *n, const char *name)
{
    xmlChar *owned;
    const char *v = attr_value(r, n, name, &owned);
    const char *d = v != NULL ? dup_str(r, v) : empty;
    xmlFree(owned);
    return d;
}

/* Boolean attribute: "true"/"1" or "false"/"0", else the default. */
static int attr_bool(rd *r, const xmlNode *n, const char *name, int dflt)
{
    xmlChar *owned;
    const char *v = attr_value(r, n, name, &owned);
    int res = dflt;
    if (v != NULL && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)) {
        res = 1;
    } else if (v != NULL && (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)) {
        res = 0;
    }
    xmlFree(owned);
    return res;
}

static double attr_num(rd *r, const xmlNode *n, const char *name)
{
    xmlChar *owned;
    const char *v = attr_value(r, n, name, &owned);
    double d = 0.0;
    if (v != NULL) {
        char *end = NULL;
        d = strtod(v, &end);
        if (end == v || !(d == d)) {
            d = 0.0;
        }
    }
    xmlFree(owned);
    return d;
}

/* The text of an element, trimmed, copied. */
static const char *text_of(rd *r, const xmlNode *n)
{
    /* One text child (the usual case) is read in place; anything else is
     * gathered by xmlNodeGetContent(), whose NULL for an element can only
     * mean out of memory. */
    xmlChar *v = NULL;
    const char *s;
    const xmlNode *t = n->children;
    if (t == NULL) {
        return empty;
    }
    if (t->next == NULL && t->type == XML_TEXT_NODE && t->content != NULL) {
        s = (const char *)t->content;
    } else if ((v = xmlNodeGetContent(n)) != NULL) {
        s = (const char *)v;
    } else {
        r->rc = AB_ENOMEM;
        return empty;
    }
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r' ||
                       s[len - 1] == '\t')) {
        len--;
    }
    while (len > 0 && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')) {
        s++;
        len--;
    }
    const char *d = empty;
    if (len > 0) {
        d = ab__arena_strndup(&r->m->arena, s, len);
        if (d == NULL) {
            r->rc = AB_ENOMEM;
            d = empty;
        }
    }
    xmlFree(v);
    return d;
}

char *ab__bpmn_label_dup(ab__arena *a, const char *name)
{
    size_t len = strlen(name);
    char *out = ab__arena_alloc(a, len + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t o = 0;
    int pending_space = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        int space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        /* U+00A0 NO-BREAK SPACE, common in names pasted from documents. */
        if (c == 0xC2 && i + 1 < len && (unsigned char)name[i + 1] == 0xA0) {
            space = 1;
            i++;
        }
        if (space) {
            pending_space = o > 0;
            continue;
        }
        if (pending_space) {
            out[o++] = ' ';
            pending_space = 0;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return out;
}

int ab__bpmn_issue(ab_bpmn *m, ab_bpmn_issue_kind kind, const char *element_id, uint64_t line,
                   const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (AB_GROW(m->ctx, m->issues, m->issue_cap, (size_t)m->issue_count + 1) != AB_OK) {
        return AB_ENOMEM;
    }
    const char *what = ab__arena_strndup(&m->arena, msg, strlen(msg));
    const char *eid = element_id != NULL && *element_id != '\0'
                          ? ab__arena_strndup(&m->arena, element_id, strlen(element_id))
                          : empty;
    if (what == NULL || eid == NULL) {
        return AB_ENOMEM;
    }
    ab_bpmn_issue *is = &m->issues[m->issue_count++];
    is->kind = kind;
    is->element_id = eid;
    is->what = what;
    is->line = line;
    return AB_OK;
}

static void issue(rd *r, ab_bpmn_issue_kind kind, const char *element_id, uint64_t line,
                  const char *fmt, ...) AB__PRINTF(5, 6);
static void issue(rd *r, ab_bpmn_issue_kind kind, const char *element_id, uint64_t line,
                  const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (r->rc == AB_OK && ab__bpmn_issue(r->m, kind, element_id, line, "%s", msg) != AB_OK) {
        r->rc = AB_ENOMEM;
    }
}

/* Registers an id; a repeated id is a warning and keeps the first meaning. */
static void reg_id(rd *r, const char *id, ab__bpmn_idtype type, uint32_t index, uint64_t line)
{
    if (r->rc != AB_OK || *id == '\0') {
        return;
    }
    ab_bpmn *m = r->m;
    uint32_t sid;
    uint32_t before = m->ids.count;
    if (ab__strtab_intern(&m->ids, id, strlen(id), &sid) != AB_OK) {
        r->rc = AB_ENOMEM;
        return;
    }
    if (sid < before) {
        issue(r, AB_BPMN_ISSUE_DUPLICATE_ID, id, line,
              "the id '%s' is used by more than one element; references to it mean the first",
              id);
        return;
    }
    if (AB_GROW(m->ctx, m->idrefs, m->idref_cap, (size_t)sid + 1) != AB_OK) {
        r->rc = AB_ENOMEM;
        return;
    }
    m->idrefs[sid].type = (uint8_t)type;
    m->idrefs[sid].index = index;
}

int ab__bpmn_id_find(const ab_bpmn *m, const char *id, ab__bpmn_idref *out)
{
    uint32_t sid;
    if (id == NULL || *id == '\0' || ab__strtab_find(&m->ids, id, strlen(id), &sid) != AB_OK) {
        return AB_ENOTFOUND;
    }
    *out = m->idrefs[sid];
    return AB_OK;
}

static void count_ignored(rd *r, const char *local)
{
    ab_bpmn *m = r->m;
    for (uint32_t i = 0; i < m->ignored_count; i++) {
        if (strcmp(m->ignored[i].name, local) == 0) {
            m->ignored[i].count++;
            return;
        }
    }
    if (AB_GROW(m->ctx, m->ignored, m->ignored_cap, (size_t)m->ignored_count + 1) != AB_OK) {
        r->rc = AB_ENOMEM;
        return;
    }
    m->ignored[m->ignored_count].name = dup_str(r, local);
    m->ignored[m->ignored_count].count = 1;
    m->ignored_count++;
}

/* ---- Element tables ---- */

typedef struct name_type {
    const char *name;
    int type;
} name_type;

static const name_type task_names[] = {
    {"task", AB_BPMN_TASK_PLAIN},
    {"userTask", AB_BPMN_TASK_USER},
    {"serviceTask", AB_BPMN_TASK_SERVICE},
    {"sendTask", AB_BPMN_TASK_SEND},
    {"receiveTask", AB_BPMN_TASK_RECEIVE},
    {"manualTask", AB_BPMN_TASK_MANUAL},
    {"scriptTask", AB_BPMN_TASK_SCRIPT},
    {"businessRuleTask", AB_BPMN_TASK_BUSINESS_RULE},
};

static const name_type global_task_names[] = {
    {"globalTask", AB_BPMN_TASK_PLAIN},
    {"globalUserTask", AB_BPMN_TASK_USER},
    {"globalManualTask", AB_BPMN_TASK_MANUAL},
    {"globalScriptTask", AB_BPMN_TASK_SCRIPT},
    {"globalBusinessRuleTask", AB_BPMN_TASK_BUSINESS_RULE},
};

static const name_type gateway_names[] = {
    {"exclusiveGateway", AB_BPMN_GW_EXCLUSIVE},   {"parallelGateway", AB_BPMN_GW_PARALLEL},
    {"inclusiveGateway", AB_BPMN_GW_INCLUSIVE},   {"eventBasedGateway", AB_BPMN_GW_EVENT_BASED},
    {"complexGateway", AB_BPMN_GW_COMPLEX},
};

static const name_type event_names[] = {
    {"startEvent", AB_BPMN_START_EVENT},
    {"endEvent", AB_BPMN_END_EVENT},
    {"intermediateCatchEvent", AB_BPMN_CATCH_EVENT},
    {"intermediateThrowEvent", AB_BPMN_THROW_EVENT},
    {"boundaryEvent", AB_BPMN_BOUNDARY_EVENT},
};

static const name_type event_def_names[] = {
    {"messageEventDefinition", AB_BPMN_EV_MESSAGE},
    {"timerEventDefinition", AB_BPMN_EV_TIMER},
    {"signalEventDefinition", AB_BPMN_EV_SIGNAL},
    {"linkEventDefinition", AB_BPMN_EV_LINK},
    {"terminateEventDefinition", AB_BPMN_EV_TERMINATE},
    {"errorEventDefinition", AB_BPMN_EV_ERROR},
    {"escalationEventDefinition", AB_BPMN_EV_ESCALATION},
    {"cancelEventDefinition", AB_BPMN_EV_CANCEL},
    {"compensateEventDefinition", AB_BPMN_EV_COMPENSATE},
    {"conditionalEventDefinition", AB_BPMN_EV_CONDITIONAL},
    {"eventDefinitionRef", AB_BPMN_EV_NONE},
};

static const name_type sub_names[] = {
    {"subProcess", AB_BPMN_SUB_EMBEDDED},
    {"transaction", AB_BPMN_SUB_TRANSACTION},
    {"adHocSubProcess", AB_BPMN_SUB_ADHOC},
};

/* Elements inside a process, sub-process or collaboration that carry no
 * control flow: counted, never compiled. */
static const char *const no_flow_names[] = {
    "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation", "association",
    "group", "property", "ioSpecification", "ioBinding", "resourceRole", "performer",
    "humanPerformer", "potentialOwner", "auditing", "monitoring", "supportedInterfaceRef",
    "correlationSubscription", "category", "conversation", "subConversation",
    "callConversation", "conversationLink", "conversationAssociation", "participantAssociation",
    "messageFlowAssociation", "correlationKey", "dataInput", "dataOutput", "dataInputAssociation",
    "dataOutputAssociation",
};

static int lookup(const name_type *tab, size_t n, const xmlNode *x, int *type_out)
{
    for (size_t i = 0; i < n; i++) {
        if (named(x, tab[i].name)) {
            *type_out = tab[i].type;
            return 1;
        }
    }
    return 0;
}

#define LOOKUP(tab, x, t) lookup((tab), sizeof(tab) / sizeof((tab)[0]), (x), (t))

static int is_no_flow(const xmlNode *x)
{
    for (size_t i = 0; i < sizeof(no_flow_names) / sizeof(no_flow_names[0]); i++) {
        if (named(x, no_flow_names[i])) {
            return 1;
        }
    }
    return 0;
}

/* ---- Nodes ---- */

static uint32_t add_node(rd *r, const xmlNode *x, ab_bpmn_kind kind, int type, uint32_t proc,
                         uint32_t parent)
{
    ab_bpmn *m = r->m;
    if (AB_GROW(m->ctx, m->nodes, m->node_cap, (size_t)m->node_count + 1) != AB_OK) {
        r->rc = AB_ENOMEM;
        return AB_BPMN_NONE;
    }
    size_t need = (size_t)m->node_count + 1;
    size_t cap = r->raw_cap;
    if (AB_GROW(m->ctx, r->attached_ref, cap, need) != AB_OK) {
        r->rc = AB_ENOMEM;
        return AB_BPMN_NONE;
    }
    cap = r->raw_cap;
    if (AB_GROW(m->ctx, r->default_ref, cap, need) != AB_OK) {
        r->rc = AB_ENOMEM;
        return AB_BPMN_NONE;
    }
    r->raw_cap = cap;
    uint32_t idx = m->node_count++;
    ab_bpmn_node *n = &m->nodes[idx];
    memset(n, 0, sizeof(*n));
    n->line = line_of(x);
    n->id = attr(r, x, "id");
    if (*n->id == '\0') {
        char synth[96];
        snprintf(synth, sizeof(synth), "%s@line%llu", (const char *)x->name,
                 (unsigned long long)n->line);
        n->id = dup_str(r, synth);
        issue(r, AB_BPMN_ISSUE_INVALID, n->id, n->line,
              "a <%s> has no id; it is called '%s' here", (const char *)x->name, n->id);
    }
    n->name = attr(r, x, "name");
    n->label = ab__bpmn_label_dup(&m->arena, n->name);
    if (n->label == NULL) {
        r->rc = AB_ENOMEM;
        n->label = empty;
    }
    n->documentation = empty;
    n->kind = kind;
    n->type = type;
    n->event = AB_BPMN_EV_NONE;
    n->loop = AB_BPMN_LOOP_NONE;
    n->process = proc;
    n->parent = parent;
    n->lane = AB_BPMN_NONE;
    n->attached_to = AB_BPMN_NONE;
    n->default_flow = AB_BPMN_NONE;
    n->called_element = empty;
    n->event_ref = empty;
    n->interrupting = 1;
    n->for_compensation = attr_bool(r, x, "isForCompensation", 0);
    r->attached_ref[idx] = empty;
    r->default_ref[idx] = attr(r, x, "default");
    reg_id(r, n->id, AB__ID_NODE, idx, n->line);
    return idx;
}

/* Reads what is common to flow nodes: documentation, loop markers and event
 * definitions. The node pointer is re-fetched because arrays may move. */
static void read_node_children(rd *r, const xmlNode *x, uint32_t idx)
{
    ab_bpmn *m = r->m;
    uint32_t defs = 0;
    int last_def = AB_BPMN_EV_NONE;
    for (const xmlNode *c = x->children; c != NULL && r->rc == AB_OK; c = c->next) {
        if (!is_bpmn(c)) {
            continue;
        }
        ab_bpmn_node *n = &m->nodes[idx];
        int t;
        if (named(c, "documentation")) {
            const char *d = text_of(r, c);
            if (*n->documentation == '\0') {
                n->documentation = d;
            } else if (*d != '\0') {
                size_t a = strlen(n->documentation), b = strlen(d);
                char *cat = ab__arena_alloc(&m->arena, a + b + 2);
                if (cat == NULL) {
                    r->rc = AB_ENOMEM;
                    return;
                }
                memcpy(cat, n->documentation, a);
                cat[a] = '\n';
                memcpy(cat + a + 1, d, b + 1);
                n->documentation = cat;
            }
        } else if (named(c, "standardLoopCharacteristics")) {
            n->loop = AB_BPMN_LOOP_STANDARD;
            n->test_before = attr_bool(r, c, "testBefore", 0);
        } else if (named(c, "multiInstanceLoopCharacteristics")) {
            n->loop = attr_bool(r, c, "isSequential", 0) ? AB_BPMN_LOOP_MI_SEQUENTIAL
                                                         : AB_BPMN_LOOP_MI_PARALLEL;
        } else if (LOOKUP(event_def_names, c, &t)) {
            defs++;
            last_def = t;
            if (t == AB_BPMN_EV_LINK) {
                n->event_ref = attr(r, c, "name");
            } else if (t == AB_BPMN_EV_ERROR) {
                n->event_ref = attr(r, c, "errorRef");
            } else if (t == AB_BPMN_EV_ESCALATION) {
                n->event_ref = attr(r, c, "escalationRef");
            } else if (t == AB_BPMN_EV_MESSAGE) {
                n->event_ref = attr(r, c, "messageRef");
            } else if (t == AB_BPMN_EV_SIGNAL) {
                n->event_ref = attr(r, c, "signalRef");
            }
            /* Definitions carry ids too (duplicates matter). */
            const char *did = attr(r, c, "id");
            reg_id(r, did, AB__ID_OTHER, 0, line_of(c));
        }
    }
    ab_bpmn_node *n = &m->nodes[idx];
    if (defs == 1) {
        n->event = (ab_bpmn_event_def)last_def;
    } else if (defs > 1) {
        n->event = attr_bool(r, x, "parallelMultiple", 0) ? AB_BPMN_EV_PARALLEL_MULTIPLE
                                                          : AB_BPMN_EV_MULTIPLE;
    }
}

static void walk_laneset(rd *r, const xmlNode *ls, uint32_t proc, uint32_t parent_lane,
                         uint32_t depth);

static void walk_container(rd *r, const xmlNode *container, uint32_t proc, uint32_t parent);

static void walk_flow_element(rd *r, const xmlNode *c, uint32_t proc, uint32_t parent)
{
    ab_bpmn *m = r->m;
    int t;
    uint32_t idx = AB_BPMN_NONE;
    if (LOOKUP(task_names, c, &t)) {
        idx = add_node(r, c, AB_BPMN_TASK, t, proc, parent);
    } else if (LOOKUP(gateway_names, c, &t)) {
        idx = add_node(r, c, AB_BPMN_GATEWAY, t, proc, parent);
    } else if (LOOKUP(event_names, c, &t)) {
        idx = add_node(r, c, (ab_bpmn_kind)t, 0, proc, parent);
        if (idx != AB_BPMN_NONE && t == AB_BPMN_BOUNDARY_EVENT) {
            m->nodes[idx].interrupting = attr_bool(r, c, "cancelActivity", 1);
            r->attached_ref[idx] = attr(r, c, "attachedToRef");
        } else if (idx != AB_BPMN_NONE && t == AB_BPMN_START_EVENT) {
            m->nodes[idx].interrupting = attr_bool(r, c, "isInterrupting", 1);
        }
    } else if (named(c, "callActivity")) {
        idx = add_node(r, c, AB_BPMN_CALL_ACTIVITY, 0, proc, parent);
        if (idx != AB_BPMN_NONE) {
            m->nodes[idx].called_element = attr(r, c, "calledElement");
        }
    } else if (LOOKUP(sub_names, c, &t)) {
        if (t == AB_BPMN_SUB_EMBEDDED && attr_bool(r, c, "triggeredByEvent", 0)) {
            t = AB_BPMN_SUB_EVENT;
        }
        idx = add_node(r, c, AB_BPMN_SUBPROCESS, t, proc, parent);
        if (idx != AB_BPMN_NONE) {
            read_node_children(r, c, idx);
            walk_container(r, c, proc, idx);
        }
        return;
    } else {
        return;
    }
    if (idx != AB_BPMN_NONE) {
        read_node_children(r, c, idx);
    }
}

static void add_flow(rd *r, const xmlNode *c, uint32_t proc, uint32_t parent)
{
    ab_bpmn *m = r->m;
    if (AB_GROW(m->ctx, m->flows, m->flow_cap, (size_t)m->flow_count + 1) != AB_OK) {
        r->rc = AB_ENOMEM;
        return;
    }
    uint32_t idx = m->flow_count++;
    ab_bpmn_flow *f = &m->flows[idx];
    memset(f, 0, sizeof(*f));
    f->line = line_of(c);
    f->id = attr(r, c, "id");
    if (*f->id == '\0') {
        char synth[64];
        snprintf(synth, sizeof(synth), "sequenceFlow@line%llu", (unsigned long long)f->line);
        f->id = dup_str(r, synth);
        issue(r, AB_BPMN_ISSUE_INVALID, f->id, f->line,
              "a <sequenceFlow> has no id; it is called '%s' here", f->id);
    }
    f->name = attr(r, c, "name");
    f->source_ref = attr(r, c, "sourceRef");
    f->target_ref = attr(r, c, "targetRef");
    f->source = AB_BPMN_NONE;
    f->target = AB_BPMN_NONE;
    f->process = proc;
    f->parent = parent;
    for (const xmlNode *k = c->children; k != NULL; k = k->next) {
        if (is_bpmn(k) && named(k, "conditionExpression")) {
            f->has_condition = 1;
        }
    }
    reg_id(r, f->id, AB__ID_FLOW, idx, f->line);
}

/* The children of a process or sub-process. */
static void walk_container(rd *r, const xmlNode *container, uint32_t proc, uint32_t parent)
{
    for (const xmlNode *c = container->children; c != NULL && r->rc == AB_OK; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !is_bpmn(c)) {
            continue; /* Vendor extensions and text. */
        }
        int t;
        if (LOOKUP(task_names, c, &t) || LOOKUP(gateway_names, c, &t) ||
            LOOKUP(event_names, c, &t) || LOOKUP(sub_names, c, &t) ||
            named(c, "callActivity")) {
            walk_flow_element(r, c, proc, parent);
        } else if (named(c, "sequenceFlow")) {
            add_flow(r, c, proc, parent);
        } else if (named(c, "laneSet")) {
            walk_laneset(r, c, proc, AB_BPMN_NONE, 0);
        } else if (named(c, "documentation") || named(c, "extensionElements") ||
                   named(c, "incoming") || named(c, "outgoing") ||
                   named(c, "standardLoopCharacteristics") ||
                   named(c, "multiInstanceLoopCharacteristics") ||
                   named(c, "completionCondition")) {
            continue;
        } else if (is_no_flow(c)) {
            count_ignored(r, (const char *)c->name);
            reg_id(r, attr(r, c, "id"), AB__ID_OTHER, 0, line_of(c));
        } else {
            const char *id = attr(r, c, "id");
            issue(r, AB_BPMN_ISSUE_UNSUPPORTED, id, line_of(c),
                  "<%s> is not a BPMN element asbuilt understands; it is ignored",
                  (const char *)c->name);
            reg_id(r, id, AB__ID_OTHER, 0, line_of(c));
        }
    }
}

static void walk_laneset(rd *r, const xmlNode *ls, uint32_t proc, uint32_t parent_lane,
                         uint32_t depth)
{
    ab_bpmn *m = r->m;
    reg_id(r, attr(r, ls, "id"), AB__ID_OTHER, 0, line_of(ls));
    for (const xmlNode *l = ls->children; l != NULL && r->rc == AB_OK; l = l->next) {
        if (!is_bpmn(l) || !named(l, "lane")) {
            continue;
        }
        if (AB_GROW(m->ctx, m->lanes, m->lane_cap, (size_t)m->lane_count + 1) != AB_OK ||
            AB_GROW(m->ctx, r->lane_depth, r->lane_depth_cap, (size_t)m->lane_count + 1) !=
                AB_OK) {
            r->rc = AB_ENOMEM;
            return;
        }
        uint32_t li = m->lane_count++;
        ab_bpmn_lane *lane = &m->lanes[li];
        memset(lane, 0, sizeof(*lane));
        lane->line = line_of(l);
        lane->id = attr(r, l, "id");
        lane->name = attr(r, l, "name");
        lane->process = proc;
        lane->parent = parent_lane;
        r->lane_depth[li] = depth;
        reg_id(r, lane->id, AB__ID_LANE, li, lane->line);
        for (const xmlNode *c = l->children; c != NULL && r->rc == AB_OK; c = c->next) {
            if (!is_bpmn(c)) {
                continue;
            }
            if (named(c, "flowNodeRef")) {
                if (AB_GROW(m->ctx, r->lane_refs, r->lane_ref_cap,
                            (size_t)r->lane_ref_count + 1) != AB_OK) {
                    r->rc = AB_ENOMEM;
                    return;
                }
                r->lane_refs[r->lane_ref_count].lane = li;
                r->lane_refs[r->lane_ref_count].node_id = text_of(r, c);
                r->lane_ref_count++;
            } else if (named(c, "childLaneSet")) {
                walk_laneset(r, c, proc, li, depth + 1);
            }
        }
    }
}

static void walk_process(rd *r, const xmlNode *x)
{
    ab_bpmn *m = r->m;
    if (AB_GROW(m->ctx, m->procs, m->proc_cap, (size_t)m->proc_count + 1) != AB_OK) {
        r->rc = AB_ENOMEM;
        return;
    }
    uint32_t pi = m->proc_count++;
    ab_bpmn_process *p = &m->procs[pi];
    memset(p, 0, sizeof(*p));
    p->line = line_of(x);
    p->id = attr(r, x, "id");
    p->name = attr(r, x, "name");
    p->participant_id = empty;
    p->participant_name = empty;
    reg_id(r, p->id, AB__ID_PROCESS, pi, p->line);
    walk_container(r, x, pi, AB_BPMN_NONE);
}

static void walk_collaboration(rd *r, const xmlNode *x)
{
    ab_bpmn *m = r->m;
    reg_id(r, attr(r, x, "id"), AB__ID_OTHER, 0, line_of(x));
    for (const xmlNode *c = x->children; c != NULL && r->rc == AB_OK; c = c->next) {
        if (!is_bpmn(c)) {
            continue;
        }
        if (named(c, "participant")) {
            if (AB_GROW(m->ctx, r->parts, r->part_cap, (size_t)r->part_count + 1) != AB_OK) {
                r->rc = AB_ENOMEM;
                return;
            }
            participant *p = &r->parts[r->part_count];
            p->id = attr(r, c, "id");
            p->name = attr(r, c, "name");
            p->process_ref = attr(r, c, "processRef");
            reg_id(r, p->id, AB__ID_PARTICIPANT, r->part_count, line_of(c));
            r->part_count++;
        } else if (named(c, "messageFlow")) {
            if (AB_GROW(m->ctx, m->mflows, m->mflow_cap, (size_t)m->mflow_count + 1) != AB_OK) {
                r->rc = AB_ENOMEM;
                return;
            }
            uint32_t mi = m->mflow_count++;
            ab_bpmn_message_flow *f = &m->mflows[mi];
            f->line = line_of(c);
            f->id = attr(r, c, "id");
            f->name = attr(r, c, "name");
            f->source_ref = attr(r, c, "sourceRef");
            f->target_ref = attr(r, c, "targetRef");
            f->source = AB_BPMN_NONE;
            f->target = AB_BPMN_NONE;
            reg_id(r, f->id, AB__ID_MESSAGE_FLOW, mi, f->line);
        } else if (named(c, "documentation") || named(c, "extensionElements")) {
            continue;
        } else if (is_no_flow(c)) {
            count_ignored(r, (const char *)c->name);
            reg_id(r, attr(r, c, "id"), AB__ID_OTHER, 0, line_of(c));
        } else {
            issue(r, AB_BPMN_ISSUE_UNSUPPORTED, attr(r, c, "id"), line_of(c),
                  "<%s> in a collaboration is not understood; it is ignored",
                  (const char *)c->name);
        }
    }
}

/* ---- Diagram interchange (geometry only) ---- */

static void read_bounds(rd *r, const xmlNode *x, double *bx, double *by, double *bw, double *bh)
{
    *bx = attr_num(r, x, "x");
    *by = attr_num(r, x, "y");
    *bw = attr_num(r, x, "width");
    *bh = attr_num(r, x, "height");
}

static void walk_plane(rd *r, const xmlNode *plane, uint32_t pidx)
{
    ab_bpmn *m = r->m;
    for (const xmlNode *c = plane->children; c != NULL && r->rc == AB_OK; c = c->next) {
        if (!is_ns(c, AB__BPMNDI_NS)) {
            continue;
        }
        if (named(c, "BPMNShape")) {
            if (AB_GROW(m->ctx, m->shapes, m->shape_cap, (size_t)m->shape_count + 1) != AB_OK) {
                r->rc = AB_ENOMEM;
                return;
            }
            ab_bpmn_shape *s = &m->shapes[m->shape_count++];
            memset(s, 0, sizeof(*s));
            s->element_id = attr(r, c, "bpmnElement");
            s->node = AB_BPMN_NONE;
            s->plane = pidx;
            s->expanded = attr_bool(r, c, "isExpanded", 0);
            for (const xmlNode *k = c->children; k != NULL; k = k->next) {
                if (k->type != XML_ELEMENT_NODE) {
                    continue;
                }
                if (named(k, "Bounds")) {
                    read_bounds(r, k, &s->x, &s->y, &s->width, &s->height);
                } else if (named(k, "BPMNLabel")) {
                    for (const xmlNode *b = k->children; b != NULL; b = b->next) {
                        if (b->type == XML_ELEMENT_NODE && named(b, "Bounds")) {
                            s->has_label = 1;
                            read_bounds(r, b, &s->label_x, &s->label_y, &s->label_width,
                                        &s->label_height);
                        }
                    }
                }
            }
            reg_id(r, attr(r, c, "id"), AB__ID_OTHER, 0, line_of(c));
        } else if (named(c, "BPMNEdge")) {
            if (AB_GROW(m->ctx, m->edges, m->edge_cap, (size_t)m->edge_count + 1) != AB_OK) {
                r->rc = AB_ENOMEM;
                return;
            }
            ab_bpmn_edge *e = &m->edges[m->edge_count++];
            memset(e, 0, sizeof(*e));
            e->element_id = attr(r, c, "bpmnElement");
            e->flow = AB_BPMN_NONE;
            e->plane = pidx;
            uint32_t np = 0;
            for (const xmlNode *k = c->children; k != NULL; k = k->next) {
                if (k->type == XML_ELEMENT_NODE && named(k, "waypoint")) {
                    np++;
                }
            }
            if (np > 0) {
                double *pts = ab__arena_alloc(&m->arena, sizeof(double) * 2 * np);
                if (pts == NULL) {
                    r->rc = AB_ENOMEM;
                    return;
                }
                uint32_t i = 0;
                for (const xmlNode *k = c->children; k != NULL; k = k->next) {
                    if (k->type == XML_ELEMENT_NODE && named(k, "waypoint")) {
                        pts[2 * i] = attr_num(r, k, "x");
                        pts[2 * i + 1] = attr_num(r, k, "y");
                        i++;
                    }
                }
                e->points = pts;
                e->point_count = np;
            }
            reg_id(r, attr(r, c, "id"), AB__ID_OTHER, 0, line_of(c));
        }
    }
}

static void walk_diagram(rd *r, const xmlNode *d)
{
    for (const xmlNode *c = d->children; c != NULL && r->rc == AB_OK; c = c->next) {
        if (is_ns(c, AB__BPMNDI_NS) && named(c, "BPMNPlane")) {
            if (r->opts->keep_di) {
                walk_plane(r, c, r->plane_count);
            }
            r->plane_count++;
        }
    }
}

/* ---- Resolution ---- */

static uint32_t node_ref(const ab_bpmn *m, const char *id)
{
    ab__bpmn_idref ref;
    if (ab__bpmn_id_find(m, id, &ref) == AB_OK && ref.type == AB__ID_NODE) {
        return ref.index;
    }
    return AB_BPMN_NONE;
}

static int cmp_ignored(const void *a, const void *b)
{
    return strcmp(((const ab__bpmn_ignored *)a)->name, ((const ab__bpmn_ignored *)b)->name);
}

static void resolve(rd *r)
{
    ab_bpmn *m = r->m;
    /* Flows. */
    for (uint32_t i = 0; i < m->flow_count && r->rc == AB_OK; i++) {
        ab_bpmn_flow *f = &m->flows[i];
        f->source = node_ref(m, f->source_ref);
        f->target = node_ref(m, f->target_ref);
        if (f->source == AB_BPMN_NONE || f->target == AB_BPMN_NONE) {
            const char *bad = f->source == AB_BPMN_NONE ? f->source_ref : f->target_ref;
            issue(r, AB_BPMN_ISSUE_DANGLING_FLOW, f->id, f->line,
                  "the sequence flow '%s' %s '%s', which is not a flow node; the flow is "
                  "ignored",
                  f->id, f->source == AB_BPMN_NONE ? "comes from" : "goes to",
                  *bad != '\0' ? bad : "(nothing)");
            continue;
        }
        const ab_bpmn_node *s = &m->nodes[f->source], *t = &m->nodes[f->target];
        if (s->process != t->process) {
            issue(r, AB_BPMN_ISSUE_INVALID, f->id, f->line,
                  "the sequence flow '%s' crosses pools (BPMN needs a message flow there); "
                  "it is ignored",
                  f->id);
            f->source = f->target = AB_BPMN_NONE;
        } else if (s->parent != t->parent || s->parent != f->parent) {
            issue(r, AB_BPMN_ISSUE_INVALID, f->id, f->line,
                  "the sequence flow '%s' crosses a sub-process boundary; it is ignored", f->id);
            f->source = f->target = AB_BPMN_NONE;
        }
    }
    /* Defaults and attachments. */
    for (uint32_t i = 0; i < m->node_count && r->rc == AB_OK; i++) {
        ab_bpmn_node *n = &m->nodes[i];
        if (*r->default_ref[i] != '\0') {
            ab__bpmn_idref ref;
            if (ab__bpmn_id_find(m, r->default_ref[i], &ref) == AB_OK &&
                ref.type == AB__ID_FLOW && m->flows[ref.index].source == i) {
                n->default_flow = ref.index;
                m->flows[ref.index].is_default = 1;
            } else {
                issue(r, AB_BPMN_ISSUE_INVALID, n->id, n->line,
                      "the default flow '%s' of '%s' is not one of its outgoing flows; it is "
                      "ignored",
                      r->default_ref[i], n->id);
            }
        }
        if (n->kind == AB_BPMN_BOUNDARY_EVENT) {
            uint32_t a = node_ref(m, r->attached_ref[i]);
            if (a == AB_BPMN_NONE || (m->nodes[a].kind != AB_BPMN_TASK &&
                                      m->nodes[a].kind != AB_BPMN_SUBPROCESS &&
                                      m->nodes[a].kind != AB_BPMN_CALL_ACTIVITY)) {
                issue(r, AB_BPMN_ISSUE_INVALID, n->id, n->line,
                      "the boundary event '%s' is attached to '%s', which is not an activity; "
                      "it is ignored",
                      n->id, r->attached_ref[i]);
            } else if (m->nodes[a].parent != n->parent || m->nodes[a].process != n->process) {
                issue(r, AB_BPMN_ISSUE_INVALID, n->id, n->line,
                      "the boundary event '%s' is not in the same process or sub-process as "
                      "its activity '%s'; it is ignored",
                      n->id, m->nodes[a].id);
            } else {
                n->attached_to = a;
            }
        }
    }
    /* Lanes: the innermost lane that lists a node wins. */
    for (uint32_t i = 0; i < r->lane_ref_count && r->rc == AB_OK; i++) {
        const lane_ref *lr = &r->lane_refs[i];
        uint32_t ni = node_ref(m, lr->node_id);
        if (ni == AB_BPMN_NONE) {
            issue(r, AB_BPMN_ISSUE_INVALID, m->lanes[lr->lane].id, m->lanes[lr->lane].line,
                  "the lane '%s' lists '%s', which is not a flow node", m->lanes[lr->lane].id,
                  lr->node_id);
            continue;
        }
        ab_bpmn_node *n = &m->nodes[ni];
        if (n->lane == AB_BPMN_NONE || r->lane_depth[lr->lane] > r->lane_depth[n->lane]) {
            n->lane = lr->lane;
        }
    }
    /* A boundary event or a node inside a sub-process without a lane of its
     * own belongs to the lane of what holds it. */
    for (uint32_t i = 0; i < m->node_count; i++) {
        ab_bpmn_node *n = &m->nodes[i];
        if (n->lane == AB_BPMN_NONE && n->attached_to != AB_BPMN_NONE) {
            n->lane = m->nodes[n->attached_to].lane;
        }
        if (n->lane == AB_BPMN_NONE && n->parent != AB_BPMN_NONE) {
            n->lane = m->nodes[n->parent].lane;
        }
        if (n->lane != AB_BPMN_NONE) {
            m->lanes[n->lane].node_count++;
        }
        m->procs[n->process].node_count++;
    }
    /* Pools. */
    for (uint32_t i = 0; i < r->part_count && r->rc == AB_OK; i++) {
        const participant *p = &r->parts[i];
        if (*p->process_ref == '\0') {
            continue; /* A black-box pool. */
        }
        ab__bpmn_idref ref;
        if (ab__bpmn_id_find(m, p->process_ref, &ref) == AB_OK && ref.type == AB__ID_PROCESS) {
            m->procs[ref.index].participant_id = p->id;
            m->procs[ref.index].participant_name = p->name;
        } else {
            issue(r, AB_BPMN_ISSUE_INVALID, p->id, 0,
                  "the pool '%s' refers to the process '%s', which is not in the file", p->id,
                  p->process_ref);
        }
    }
    for (uint32_t i = 0; i < m->mflow_count; i++) {
        m->mflows[i].source = node_ref(m, m->mflows[i].source_ref);
        m->mflows[i].target = node_ref(m, m->mflows[i].target_ref);
    }
    for (uint32_t i = 0; i < m->shape_count; i++) {
        m->shapes[i].node = node_ref(m, m->shapes[i].element_id);
    }
    for (uint32_t i = 0; i < m->edge_count; i++) {
        ab__bpmn_idref ref;
        if (ab__bpmn_id_find(m, m->edges[i].element_id, &ref) == AB_OK &&
            ref.type == AB__ID_FLOW) {
            m->edges[i].flow = ref.index;
        }
    }
    if (r->rc != AB_OK) {
        return;
    }
    /* Incoming, outgoing and boundary lists, laid out in one array. */
    m->links_of = ab__arena_alloc(&m->arena, sizeof(*m->links_of) * (m->node_count + 1));
    if (m->links_of == NULL) {
        r->rc = AB_ENOMEM;
        return;
    }
    memset(m->links_of, 0, sizeof(*m->links_of) * (m->node_count + 1));
    size_t total = 0;
    for (uint32_t i = 0; i < m->flow_count; i++) {
        if (m->flows[i].source != AB_BPMN_NONE && m->flows[i].target != AB_BPMN_NONE) {
            m->links_of[m->flows[i].source].out_count++;
            m->links_of[m->flows[i].target].in_count++;
            total += 2;
        }
    }
    for (uint32_t i = 0; i < m->node_count; i++) {
        if (m->nodes[i].attached_to != AB_BPMN_NONE) {
            m->links_of[m->nodes[i].attached_to].bnd_count++;
            total++;
        }
    }
    m->links = ab__arena_alloc(&m->arena, sizeof(uint32_t) * (total + 1));
    if (m->links == NULL) {
        r->rc = AB_ENOMEM;
        return;
    }
    uint32_t off = 0;
    for (uint32_t i = 0; i < m->node_count; i++) {
        ab__bpmn_links *l = &m->links_of[i];
        l->in_off = off;
        off += l->in_count;
        l->out_off = off;
        off += l->out_count;
        l->bnd_off = off;
        off += l->bnd_count;
        l->in_count = l->out_count = l->bnd_count = 0;
    }
    for (uint32_t i = 0; i < m->flow_count; i++) {
        const ab_bpmn_flow *f = &m->flows[i];
        if (f->source != AB_BPMN_NONE && f->target != AB_BPMN_NONE) {
            ab__bpmn_links *s = &m->links_of[f->source], *t = &m->links_of[f->target];
            m->links[s->out_off + s->out_count++] = i;
            m->links[t->in_off + t->in_count++] = i;
        }
    }
    for (uint32_t i = 0; i < m->node_count; i++) {
        uint32_t a = m->nodes[i].attached_to;
        if (a != AB_BPMN_NONE) {
            ab__bpmn_links *l = &m->links_of[a];
            m->links[l->bnd_off + l->bnd_count++] = i;
        }
    }
    ab__bpmn_sort(m->ignored, m->ignored_count, sizeof(*m->ignored), cmp_ignored);
}

static void walk_definitions(rd *r, const xmlNode *root)
{
    ab_bpmn *m = r->m;
    m->defs_id = attr(r, root, "id");
    m->exporter = attr(r, root, "exporter");
    reg_id(r, m->defs_id, AB__ID_OTHER, 0, line_of(root));
    /* Processes first, so that collaborations can name them in any order. */
    for (const xmlNode *c = root->children; c != NULL && r->rc == AB_OK; c = c->next) {
        int t;
        if (is_bpmn(c) && named(c, "process")) {
            walk_process(r, c);
        } else if (is_bpmn(c) && LOOKUP(global_task_names, c, &t)) {
            if (AB_GROW(m->ctx, m->gtasks, m->gtask_cap, (size_t)m->gtask_count + 1) != AB_OK) {
                r->rc = AB_ENOMEM;
                return;
            }
            uint32_t gi = m->gtask_count++;
            m->gtasks[gi].id = attr(r, c, "id");
            m->gtasks[gi].name = attr(r, c, "name");
            m->gtasks[gi].type = (ab_bpmn_task_type)t;
            reg_id(r, m->gtasks[gi].id, AB__ID_GLOBAL_TASK, gi, line_of(c));
        }
    }
    for (const xmlNode *c = root->children; c != NULL && r->rc == AB_OK; c = c->next) {
        if (is_bpmn(c) && named(c, "collaboration")) {
            walk_collaboration(r, c);
        } else if (is_bpmn(c) && (named(c, "choreography") || named(c, "globalConversation"))) {
            issue(r, AB_BPMN_ISSUE_UNSUPPORTED, attr(r, c, "id"), line_of(c),
                  "<%s> is not understood (choreographies are not processes); it is ignored",
                  (const char *)c->name);
        } else if (is_ns(c, AB__BPMNDI_NS) && named(c, "BPMNDiagram")) {
            walk_diagram(r, c);
        }
    }
}

static void rd_finish(rd *r)
{
    ab_ctx *ctx = r->m->ctx;
    ab__free(ctx, r->attached_ref);
    ab__free(ctx, r->default_ref);
    ab__free(ctx, r->lane_refs);
    ab__free(ctx, r->lane_depth);
    ab__free(ctx, r->parts);
}

static int cmp_issue(const void *pa, const void *pb)
{
    const ab_bpmn_issue *a = pa, *b = pb;
    if (a->line != b->line) {
        return a->line < b->line ? -1 : 1;
    }
    if (a->kind != b->kind) {
        return a->kind < b->kind ? -1 : 1;
    }
    int c = strcmp(a->element_id, b->element_id);
    return c != 0 ? c : strcmp(a->what, b->what);
}

static int read_input(ab_bpmn **out, ab_ctx *ctx, ab_input *in, const ab_bpmn_options *opts,
                      ab_error *err)
{
    ab_bpmn_options defaults = AB_BPMN_OPTIONS_INIT;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != AB_BPMN_OPTIONS_VERSION) {
        return ab__error(err, AB_EINVAL, "bpmn", 0, 0, "unknown ab_bpmn_options version %u",
                         opts->version);
    }
    const char *name = ab_input_name(in);
    xmlDocPtr doc = NULL;
    int rc = ab__bpmn_parse_xml(&doc, ctx, in, err);
    if (rc != AB_OK) {
        return rc;
    }
    ab_bpmn *m = ab__calloc(ctx, 1, sizeof(*m));
    rd r;
    memset(&r, 0, sizeof(r));
    if (m == NULL) {
        xmlFreeDoc(doc);
        return ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
    }
    m->ctx = ctx;
    ab__arena_init(&m->arena, ctx, 64 * 1024);
    if (ab__strtab_init(&m->ids, ctx) != AB_OK) {
        ab__arena_finish(&m->arena);
        ab__free(ctx, m);
        xmlFreeDoc(doc);
        return ab__error(err, AB_ENOMEM, name, 0, 0, "out of memory");
    }
    r.m = m;
    r.opts = opts;
    m->source = dup_str(&r, name);
    m->defs_id = empty;
    m->exporter = empty;
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (root == NULL || !is_bpmn(root) || !named(root, "definitions")) {
        char what[160] = "nothing";
        if (root != NULL) {
            snprintf(what, sizeof(what), "<%s>%s%s", (const char *)root->name,
                     root->ns != NULL ? " in namespace " : " without namespace",
                     root->ns != NULL ? (const char *)root->ns->href : "");
        }
        rc = ab__error(err, AB_EPARSE, name, root != NULL ? line_of(root) : 0, 0,
                       "expected a BPMN 2.0 <definitions> element in namespace " AB__BPMN_NS
                       ", found %s",
                       what);
        goto done;
    }
    walk_definitions(&r, root);
    if (r.rc == AB_OK) {
        resolve(&r);
    }
    if (r.rc == AB_OK) {
        r.rc = ab__bpmn_check(m);
    }
    if (r.rc != AB_OK) {
        rc = ab__error(err, r.rc, name, 0, 0, "out of memory");
        goto done;
    }
    ab__bpmn_sort(m->issues, m->issue_count, sizeof(*m->issues), cmp_issue);
done:
    rd_finish(&r);
    xmlFreeDoc(doc);
    xmlResetLastError(); /* A failed copy leaves its message there. */
    if (rc != AB_OK) {
        ab_bpmn_destroy(m);
        return rc;
    }
    *out = m;
    return AB_OK;
}

int ab_bpmn_read(ab_bpmn **out, ab_ctx *ctx, const char *path, const ab_bpmn_options *opts,
                 ab_error *err)
{
    if (out == NULL || ctx == NULL || path == NULL) {
        return ab__error(err, AB_EINVAL, "bpmn", 0, 0, "ab_bpmn_read: NULL argument");
    }
    *out = NULL;
    ab_input *in = NULL;
    int rc = ab_input_open(&in, ctx, path, err);
    if (rc != AB_OK) {
        return rc;
    }
    rc = read_input(out, ctx, in, opts, err);
    ab_input_destroy(in);
    return rc;
}

int ab_bpmn_read_memory(ab_bpmn **out, ab_ctx *ctx, const void *data, size_t len,
                        const char *name, const ab_bpmn_options *opts, ab_error *err)
{
    if (out == NULL || ctx == NULL || (data == NULL && len > 0)) {
        return ab__error(err, AB_EINVAL, "bpmn", 0, 0, "ab_bpmn_read_memory: NULL argument");
    }
    *out = NULL;
    ab_input *in = NULL;
    int rc = ab_input_open_memory(&in, ctx, data != NULL ? data : "", len,
                                  name != NULL ? name : "<memory>", err);
    if (rc != AB_OK) {
        return rc;
    }
    rc = read_input(out, ctx, in, opts, err);
    ab_input_destroy(in);
    return rc;
}
