/*
 * python/tests/abi_sizes.c: prints, as JSON, the size and field offsets of
 * every structure the Python binding mirrors with ctypes, so that its tests
 * catch a header that changed under it.
 */
#include <stddef.h>
#include <stdio.h>

#include "asbuilt/asbuilt.h"

#define S(T) printf("%s\"%s\": {\"size\": %zu", first ? "" : ",\n", #T, sizeof(T)), first = 0
#define F(T, f) printf(", \"%s\": %zu", #f, offsetof(T, f))
#define E() printf("}")

int main(void)
{
    int first = 1;
    printf("{\n");
    S(ab_error);
    F(ab_error, msg);
    F(ab_error, source);
    F(ab_error, line);
    F(ab_error, has_offset);
    E();
    S(ab_buf);
    F(ab_buf, len);
    F(ab_buf, ctx);
    E();
    S(ab_log_options);
    F(ab_log_options, strict);
    F(ab_log_options, case_sink_payload);
    E();
    S(ab_xes_options);
    F(ab_xes_options, classifier);
    E();
    S(ab_csv_options);
    F(ab_csv_options, case_col);
    F(ab_csv_options, lifecycle_col);
    F(ab_csv_options, ts_format);
    F(ab_csv_options, tz);
    F(ab_csv_options, ts_probe_bytes);
    F(ab_csv_options, first_line);
    F(ab_csv_options, first_offset);
    E();
    S(ab_read_options);
    F(ab_read_options, log);
    F(ab_read_options, xes);
    F(ab_read_options, csv);
    F(ab_read_options, progress);
    F(ab_read_options, inflate_thread);
    E();
    S(ab_log_dict_column);
    F(ab_log_dict_column, names_len);
    F(ab_log_dict_column, count);
    E();
    S(ab_log_columns);
    F(ab_log_columns, rows);
    F(ab_log_columns, case_id);
    F(ab_log_columns, activity);
    F(ab_log_columns, timestamp);
    F(ab_log_columns, start_timestamp);
    F(ab_log_columns, resource);
    F(ab_log_columns, lifecycle);
    F(ab_log_columns, timestamps_without_zone);
    F(ab_log_columns, source);
    E();
    S(ab_columns_dfg_counts);
    F(ab_columns_dfg_counts, activity_count);
    F(ab_columns_dfg_counts, activity_code);
    F(ab_columns_dfg_counts, ends);
    F(ab_columns_dfg_counts, edge_count);
    F(ab_columns_dfg_counts, edge_from);
    F(ab_columns_dfg_counts, edge_cases);
    E();
    S(ab_dfg_options);
    F(ab_dfg_options, min_edge_cases);
    F(ab_dfg_options, activities_percent);
    F(ab_dfg_options, max_variants);
    F(ab_dfg_options, instances);
    E();
    S(ab_dfg_activity);
    F(ab_dfg_activity, events);
    F(ab_dfg_activity, service);
    E();
    S(ab_dfg_edge);
    F(ab_dfg_edge, count);
    F(ab_dfg_edge, duration);
    E();
    S(ab_dfg_endpoint);
    F(ab_dfg_endpoint, count);
    E();
    S(ab_net_options);
    F(ab_net_options, library_count);
    F(ab_net_options, process_id);
    F(ab_net_options, max_states);
    F(ab_net_options, max_cancel_markings);
    E();
    S(ab_bpmn_map_options);
    F(ab_bpmn_map_options, map_file);
    F(ab_bpmn_map_options, suggest_min);
    F(ab_bpmn_map_options, suggest_max);
    E();
    S(ab_conform_options);
    F(ab_conform_options, max_states);
    F(ab_conform_options, check_ambiguity);
    F(ab_conform_options, progress);
    F(ab_conform_options, align);
    E();
    S(ab_gap_options);
    F(ab_gap_options, controls);
    F(ab_gap_options, seed);
    F(ab_gap_options, threads);
    F(ab_gap_options, accept_file);
    F(ab_gap_options, log_files);
    F(ab_gap_options, model_file);
    F(ab_gap_options, map_file);
    F(ab_gap_options, mapping);
    F(ab_gap_options, conform_max_states);
    F(ab_gap_options, gate);
    F(ab_gap_options, progress);
    E();
    printf("\n}\n");
    return 0;
}
