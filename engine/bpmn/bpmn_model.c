/*
 * bpmn/bpmn_model.c: read access to a loaded map (getters, lookups by id,
 * counts by kind), the names of the enums used in reports, and label
 * normalisation. A model is immutable once read, so all of this is
 * read-only and safe to call from several threads.
 */
#include "bpmn/bpmn_int.h"

void ab_bpmn_destroy(ab_bpmn *m)
{
    if (m == NULL) {
        return;
    }
    ab_ctx *ctx = m->ctx;
    ab__free(ctx, m->nodes);
    ab__free(ctx, m->flows);
    ab__free(ctx, m->procs);
    ab__free(ctx, m->lanes);
    ab__free(ctx, m->mflows);
    ab__free(ctx, m->gtasks);
    ab__free(ctx, m->shapes);
    ab__free(ctx, m->edges);
    ab__free(ctx, m->ignored);
    ab__free(ctx, m->issues);
    ab__free(ctx, m->idrefs);
    ab__strtab_finish(&m->ids);
    ab__arena_finish(&m->arena);
    ab__free(ctx, m);
}

const char *ab_bpmn_source(const ab_bpmn *m)
{
    return m->source;
}

const char *ab_bpmn_definitions_id(const ab_bpmn *m)
{
    return m->defs_id;
}

const char *ab_bpmn_exporter(const ab_bpmn *m)
{
    return m->exporter;
}

uint32_t ab_bpmn_node_count(const ab_bpmn *m)
{
    return m->node_count;
}

const ab_bpmn_node *ab_bpmn_node_at(const ab_bpmn *m, uint32_t i)
{
    return i < m->node_count ? &m->nodes[i] : NULL;
}

const uint32_t *ab_bpmn_node_incoming(const ab_bpmn *m, uint32_t i, uint32_t *count_out)
{
    if (i >= m->node_count) {
        *count_out = 0;
        return NULL;
    }
    *count_out = m->links_of[i].in_count;
    return m->links + m->links_of[i].in_off;
}

const uint32_t *ab_bpmn_node_outgoing(const ab_bpmn *m, uint32_t i, uint32_t *count_out)
{
    if (i >= m->node_count) {
        *count_out = 0;
        return NULL;
    }
    *count_out = m->links_of[i].out_count;
    return m->links + m->links_of[i].out_off;
}

const uint32_t *ab_bpmn_node_boundary(const ab_bpmn *m, uint32_t i, uint32_t *count_out)
{
    if (i >= m->node_count) {
        *count_out = 0;
        return NULL;
    }
    *count_out = m->links_of[i].bnd_count;
    return m->links + m->links_of[i].bnd_off;
}

static int find_typed(const ab_bpmn *m, const char *id, ab__bpmn_idtype type, uint32_t *out)
{
    ab__bpmn_idref ref;
    if (ab__bpmn_id_find(m, id, &ref) != AB_OK || ref.type != type) {
        return AB_ENOTFOUND;
    }
    if (out != NULL) {
        *out = ref.index;
    }
    return AB_OK;
}

int ab_bpmn_node_find(const ab_bpmn *m, const char *id, uint32_t *out)
{
    return find_typed(m, id, AB__ID_NODE, out);
}

int ab_bpmn_flow_find(const ab_bpmn *m, const char *id, uint32_t *out)
{
    return find_typed(m, id, AB__ID_FLOW, out);
}

int ab_bpmn_process_find(const ab_bpmn *m, const char *id, uint32_t *out)
{
    return find_typed(m, id, AB__ID_PROCESS, out);
}

int ab_bpmn_global_task_find(const ab_bpmn *m, const char *id, uint32_t *out)
{
    return find_typed(m, id, AB__ID_GLOBAL_TASK, out);
}

uint32_t ab_bpmn_count(const ab_bpmn *m, ab_bpmn_kind kind, int subtype)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < m->node_count; i++) {
        const ab_bpmn_node *n = &m->nodes[i];
        if (n->kind == kind && (subtype < 0 || n->type == subtype)) {
            c++;
        }
    }
    return c;
}

uint32_t ab_bpmn_flow_count(const ab_bpmn *m)
{
    return m->flow_count;
}

const ab_bpmn_flow *ab_bpmn_flow_at(const ab_bpmn *m, uint32_t i)
{
    return i < m->flow_count ? &m->flows[i] : NULL;
}

uint32_t ab_bpmn_process_count(const ab_bpmn *m)
{
    return m->proc_count;
}

const ab_bpmn_process *ab_bpmn_process_at(const ab_bpmn *m, uint32_t i)
{
    return i < m->proc_count ? &m->procs[i] : NULL;
}

uint32_t ab_bpmn_lane_count(const ab_bpmn *m)
{
    return m->lane_count;
}

const ab_bpmn_lane *ab_bpmn_lane_at(const ab_bpmn *m, uint32_t i)
{
    return i < m->lane_count ? &m->lanes[i] : NULL;
}

uint32_t ab_bpmn_message_flow_count(const ab_bpmn *m)
{
    return m->mflow_count;
}

const ab_bpmn_message_flow *ab_bpmn_message_flow_at(const ab_bpmn *m, uint32_t i)
{
    return i < m->mflow_count ? &m->mflows[i] : NULL;
}

uint32_t ab_bpmn_global_task_count(const ab_bpmn *m)
{
    return m->gtask_count;
}

const ab_bpmn_global_task *ab_bpmn_global_task_at(const ab_bpmn *m, uint32_t i)
{
    return i < m->gtask_count ? &m->gtasks[i] : NULL;
}

uint32_t ab_bpmn_shape_count(const ab_bpmn *m)
{
    return m->shape_count;
}

const ab_bpmn_shape *ab_bpmn_shape_at(const ab_bpmn *m, uint32_t i)
{
    return i < m->shape_count ? &m->shapes[i] : NULL;
}

uint32_t ab_bpmn_edge_count(const ab_bpmn *m)
{
    return m->edge_count;
}

const ab_bpmn_edge *ab_bpmn_edge_at(const ab_bpmn *m, uint32_t i)
{
    return i < m->edge_count ? &m->edges[i] : NULL;
}

uint32_t ab_bpmn_ignored_count(const ab_bpmn *m)
{
    return m->ignored_count;
}

const char *ab_bpmn_ignored_name(const ab_bpmn *m, uint32_t i)
{
    return i < m->ignored_count ? m->ignored[i].name : "";
}

uint32_t ab_bpmn_ignored_elements(const ab_bpmn *m, uint32_t i)
{
    return i < m->ignored_count ? m->ignored[i].count : 0;
}

uint32_t ab_bpmn_issue_count(const ab_bpmn *m)
{
    return m->issue_count;
}

const ab_bpmn_issue *ab_bpmn_issue_at(const ab_bpmn *m, uint32_t i)
{
    return i < m->issue_count ? &m->issues[i] : NULL;
}

const char *ab_bpmn_kind_name(ab_bpmn_kind kind)
{
    static const char *const names[] = {
        "task",           "callActivity",           "subProcess",
        "startEvent",     "endEvent",               "intermediateCatchEvent",
        "intermediateThrowEvent", "boundaryEvent",  "gateway",
    };
    return (unsigned)kind < AB_BPMN_KIND__COUNT ? names[kind] : "?";
}

const char *ab_bpmn_task_type_name(ab_bpmn_task_type type)
{
    static const char *const names[] = {
        "task",       "userTask",   "serviceTask", "sendTask",
        "receiveTask", "manualTask", "scriptTask", "businessRuleTask",
    };
    return (unsigned)type < AB_BPMN_TASK__COUNT ? names[type] : "?";
}

const char *ab_bpmn_sub_type_name(ab_bpmn_sub_type type)
{
    static const char *const names[] = {"embedded", "event", "transaction", "adHoc"};
    return (unsigned)type < AB_BPMN_SUB__COUNT ? names[type] : "?";
}

const char *ab_bpmn_gateway_type_name(ab_bpmn_gateway_type type)
{
    static const char *const names[] = {"exclusive", "parallel", "inclusive", "eventBased",
                                        "complex"};
    return (unsigned)type < AB_BPMN_GW__COUNT ? names[type] : "?";
}

const char *ab_bpmn_event_def_name(ab_bpmn_event_def def)
{
    static const char *const names[] = {
        "none",       "message", "timer",      "signal", "link",        "terminate",
        "error",      "escalation", "cancel",  "compensate", "conditional", "multiple",
        "parallelMultiple",
    };
    return (unsigned)def < AB_BPMN_EV__COUNT ? names[def] : "?";
}

const char *ab_bpmn_issue_kind_name(ab_bpmn_issue_kind kind)
{
    static const char *const names[] = {"duplicate_id", "dangling_flow", "unreachable",
                                        "no_end",       "unsupported",   "invalid",
                                        "other"};
    return (unsigned)kind <= AB_BPMN_ISSUE_OTHER ? names[kind] : "?";
}

size_t ab_bpmn_label_normalise(const char *s, char *buf, size_t cap)
{
    size_t o = 0;
    int pending = 0;
    for (size_t i = 0; s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        int space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
                    c == '_' || c == '-';
        if (c == 0xC2 && (unsigned char)s[i + 1] == 0xA0) {
            space = 1;
            i++;
        }
        if (space) {
            pending = o > 0;
            continue;
        }
        if (pending) {
            if (o + 1 < cap) {
                buf[o] = ' ';
            }
            o++;
            pending = 0;
        }
        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c + 32);
        }
        if (o + 1 < cap) {
            buf[o] = (char)c;
        }
        o++;
    }
    if (cap > 0) {
        buf[o < cap ? o : cap - 1] = '\0';
    }
    return o;
}
