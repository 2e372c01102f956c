"""Loading libasbuilt.so.0 and declaring the part of its C API the package uses.

The structures mirror include/asbuilt/*.h field by field; each carries the
version number of the header it mirrors, and the library refuses a version it
does not know. ctypes releases the GIL around every call into a CDLL, so long
calls (reading, aligning) let other Python threads run; the one call that keeps it,
ab_names_factorize, goes through a PyDLL handle (see _names_factorize).
"""
import ctypes
import ctypes.util
import os

from ctypes import (POINTER, Structure, c_char, c_char_p, c_double, c_int, c_int32, c_int64,
                    c_size_t, c_uint, c_uint8, c_uint32, c_uint64, c_void_p)

SONAME = "libasbuilt.so.0"
ABI_MAJOR = 0


def _candidates():
    env = os.environ.get("ASBUILT_LIBRARY")
    if env:
        yield env
        return  # An explicit choice is never second-guessed.
    here = os.path.dirname(os.path.abspath(__file__))
    local = os.path.join(here, SONAME)
    if os.path.exists(local):
        yield local
    yield SONAME
    found = ctypes.util.find_library("asbuilt")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"{path}: {e}")
    raise ImportError("asbuilt: cannot load the asbuilt library (set ASBUILT_LIBRARY to the "
                      "path of libasbuilt.so.0, or install it): " + "; ".join(tried))


lib, path = _load()


class Error(Structure):
    _fields_ = [("code", c_int), ("msg", c_char * 512), ("source", c_char * 256),
                ("line", c_uint64), ("col", c_uint64), ("offset", c_uint64),
                ("has_offset", c_int)]


class Buf(Structure):
    _fields_ = [("ptr", c_void_p), ("len", c_size_t), ("cap", c_size_t), ("ctx", c_void_p)]

    def bytes(self):
        return ctypes.string_at(self.ptr, self.len) if self.ptr else b""


class LogOptions(Structure):  # ab_log_options, version 1
    _fields_ = [("version", c_uint), ("lifecycle", c_int), ("keep_attributes", c_int),
                ("strict", c_int), ("case_sink", c_void_p), ("case_sink_payload", c_void_p)]


class XesOptions(Structure):  # ab_xes_options, version 1
    _fields_ = [("version", c_uint), ("classifier", c_char_p)]


class TsFormat(Structure):
    _fields_ = [("layout", c_int), ("pattern", c_char * 64)]


class CsvOptions(Structure):  # ab_csv_options, version 2
    _fields_ = [("version", c_uint), ("delimiter", c_char), ("case_col", c_char_p),
                ("activity_col", c_char_p), ("timestamp_col", c_char_p),
                ("start_col", c_char_p), ("resource_col", c_char_p),
                ("lifecycle_col", c_char_p), ("ts_format", TsFormat), ("tz", c_void_p),
                ("ts_probe_bytes", c_size_t), ("first_line", c_uint64),
                ("first_offset", c_uint64)]


class ReadOptions(Structure):  # ab_read_options, version 2
    _fields_ = [("version", c_uint), ("log", LogOptions), ("xes", XesOptions),
                ("csv", CsvOptions), ("progress", c_void_p), ("progress_payload", c_void_p),
                ("inflate_thread", c_int)]


def read_options():
    o = ReadOptions()
    o.version = 2
    o.log.version = 1
    o.log.keep_attributes = 1
    o.xes.version = 1
    o.csv.version = 2
    o.inflate_thread = 1
    return o


class DictColumn(Structure):  # ab_log_dict_column
    _fields_ = [("codes", POINTER(c_int32)), ("names", c_char_p), ("names_len", c_size_t),
                ("offsets", POINTER(c_uint64)), ("count", c_uint32)]


class LogColumns(Structure):  # ab_log_columns, version 2
    _fields_ = [("version", c_uint), ("rows", c_uint64), ("case_id", DictColumn),
                ("activity", DictColumn), ("timestamp", POINTER(c_int64)),
                ("start_timestamp", POINTER(c_int64)), ("resource", DictColumn),
                ("lifecycle", DictColumn), ("timestamps_without_zone", c_int),
                ("source", c_char_p), ("role", DictColumn), ("role_key", c_char_p)]


class ColumnsDfgCounts(Structure):  # ab_columns_dfg_counts
    _fields_ = [("cases", c_uint64), ("events", c_uint64), ("activity_count", c_uint32),
                ("activity_code", POINTER(c_int32)), ("activity_events", POINTER(c_uint64)),
                ("starts", POINTER(c_uint64)), ("ends", POINTER(c_uint64)),
                ("edge_count", c_uint32), ("edge_from", POINTER(c_uint32)),
                ("edge_to", POINTER(c_uint32)), ("edge_counts", POINTER(c_uint64)),
                ("edge_cases", POINTER(c_uint64))]


class DfgOptions(Structure):  # ab_dfg_options, version 2
    _fields_ = [("version", c_uint), ("quantiles", c_int), ("min_edge_cases", c_uint64),
                ("top_variants", c_uint32), ("activities_percent", c_double),
                ("examples", c_uint32), ("max_variants", c_uint32), ("instances", c_int)]


class DfgStats(Structure):
    _fields_ = [("count", c_uint64), ("min", c_double), ("median", c_double),
                ("mean", c_double), ("p90", c_double), ("max", c_double)]


class DfgActivity(Structure):
    _fields_ = [("name", c_char_p), ("events", c_uint64), ("cases", c_uint64),
                ("starts", c_uint64), ("ends", c_uint64), ("service", DfgStats)]


class DfgEdge(Structure):
    _fields_ = [("from_", c_uint32), ("to", c_uint32), ("count", c_uint64),
                ("cases", c_uint64), ("duration", DfgStats)]


class DfgEndpoint(Structure):
    _fields_ = [("activity", c_uint32), ("count", c_uint64)]


class NetOptions(Structure):  # ab_net_options, version 1
    _fields_ = [("version", c_uint), ("library", POINTER(c_void_p)), ("library_count", c_size_t),
                ("process_id", c_char_p), ("visible_events", c_int),
                ("max_inclusive_subsets", c_uint32), ("max_states", c_uint64),
                ("max_cancel_markings", c_uint32)]


class BpmnMapOptions(Structure):  # ab_bpmn_map_options, version 1
    _fields_ = [("version", c_uint), ("map_file", c_char_p), ("normalise", c_int),
                ("suggest_min", c_double), ("suggest_max", c_uint)]


class ConformOptions(Structure):  # ab_conform_options, up to version 4 (progress, align unused)
    _fields_ = [("version", c_uint), ("threads", c_uint), ("max_states", c_uint64),
                ("max_memory", c_uint64), ("check_ambiguity", c_int),
                ("progress", c_void_p), ("progress_payload", c_void_p),
                ("align", c_void_p), ("align_payload", c_void_p)]


class WhoOptions(Structure):  # ab_who_options, version 1
    _fields_ = [("version", c_uint), ("roles_file", c_char_p), ("role_attr", c_char_p),
                ("role_map_file", c_char_p), ("sod_file", c_char_p),
                ("system_resources", c_char_p)]


class GapOptions(Structure):  # ab_gap_options, up to version 4; passed as version 3 (progress unused)
    _fields_ = [("version", c_uint), ("open_cases", c_int), ("open_horizon", c_double),
                ("controls", c_char_p), ("max_states", c_uint64), ("seed", c_uint64),
                ("resamples", c_uint32), ("min_group", c_uint32), ("threads", c_uint),
                ("accept_file", c_char_p), ("log_files", POINTER(c_char_p)),
                ("log_file_count", c_size_t), ("model_file", c_char_p),
                ("library_files", POINTER(c_char_p)), ("library_file_count", c_size_t),
                ("map_file", c_char_p), ("model", c_void_p), ("mapping", c_void_p),
                ("conform_max_states", c_uint64), ("gate", c_char_p),
                ("progress", c_void_p), ("progress_payload", c_void_p),  # version 2
                ("who", POINTER(WhoOptions)),  # version 3
                ("log_sha256", c_char_p)]  # version 4 (unused: the binding passes version 3)


P = c_void_p
PP = POINTER(c_void_p)
E = POINTER(Error)
B = POINTER(Buf)


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


ab_version = _fn("ab_version", c_char_p)
ab_version_number = _fn("ab_version_number", c_uint)
ab_status_str = _fn("ab_status_str", c_char_p, c_int)
ab_error_format = _fn("ab_error_format", c_size_t, E, c_char_p, c_size_t)
ab_ctx_create = _fn("ab_ctx_create", c_int, PP, c_void_p)
ab_ctx_destroy = _fn("ab_ctx_destroy", None, P)
ab_buf_dispose = _fn("ab_buf_dispose", None, B)
ab_ts_format_parse = _fn("ab_ts_format_parse", c_int, POINTER(TsFormat), c_char_p, E)
ab_tz_load = _fn("ab_tz_load", c_int, PP, P, c_char_p, E)
ab_tz_destroy = _fn("ab_tz_destroy", None, P)
ab_write_file_atomic = _fn("ab_write_file_atomic", c_int, c_char_p, c_void_p, c_size_t, E)

ab_ingest_files = _fn("ab_ingest_files", c_int, PP, P, POINTER(c_char_p), c_size_t,
                      POINTER(ReadOptions), E)
ab_log_from_columns = _fn("ab_log_from_columns", c_int, PP, P, POINTER(LogColumns),
                          POINTER(LogOptions), E)
ab_keys_factorize = _fn("ab_keys_factorize", c_int, P, c_void_p, c_uint64, c_uint32, c_void_p,
                        c_void_p, POINTER(c_uint32), E)
ab_columns_dfg_count = _fn("ab_columns_dfg_count", c_int, PP, P, POINTER(LogColumns),
                           POINTER(LogOptions), E)
ab_columns_dfg_get = _fn("ab_columns_dfg_get", POINTER(ColumnsDfgCounts), P)
ab_columns_dfg_destroy = _fn("ab_columns_dfg_destroy", None, P)
ab_log_destroy = _fn("ab_log_destroy", None, P)
ab_log_case_count = _fn("ab_log_case_count", c_uint32, P)
ab_log_event_count = _fn("ab_log_event_count", c_uint64, P)
ab_log_activity_count = _fn("ab_log_activity_count", c_uint32, P)
ab_log_activity_name = _fn("ab_log_activity_name", c_char_p, P, c_uint32)
ab_log_variant_count = _fn("ab_log_variant_count", c_uint32, P)
ab_log_variant_cases = _fn("ab_log_variant_cases", c_uint32, P, c_uint32)
ab_log_variant_length = _fn("ab_log_variant_length", c_uint32, P, c_uint32)
ab_log_variant_activities = _fn("ab_log_variant_activities", POINTER(c_uint32), P, c_uint32)
ab_log_case_id = _fn("ab_log_case_id", c_char_p, P, c_uint32)
ab_log_resource_count = _fn("ab_log_resource_count", c_uint32, P)
ab_log_resource_name = _fn("ab_log_resource_name", c_char_p, P, c_uint32)
ab_log_col_case = _fn("ab_log_col_case", POINTER(c_uint32), P)
ab_log_col_activity = _fn("ab_log_col_activity", POINTER(c_uint32), P)
ab_log_col_time = _fn("ab_log_col_time", POINTER(c_int64), P)
ab_log_col_start = _fn("ab_log_col_start", POINTER(c_int64), P)
ab_log_col_resource = _fn("ab_log_col_resource", POINTER(c_uint32), P)
ab_log_col_lifecycle = _fn("ab_log_col_lifecycle", POINTER(c_uint8), P)
ab_log_has_timestamps = _fn("ab_log_has_timestamps", c_int, P)
ab_lifecycle_name = _fn("ab_lifecycle_name", c_char_p, c_int)
ab_log_write_stats_json = _fn("ab_log_write_stats_json", c_int, B, P, P, POINTER(c_char_p),
                              c_size_t, c_int, c_uint32)

ab_dfg_discover = _fn("ab_dfg_discover", c_int, PP, P, P, POINTER(DfgOptions), E)
ab_dfg_destroy = _fn("ab_dfg_destroy", None, P)
ab_dfg_write_json = _fn("ab_dfg_write_json", c_int, B, P)
ab_dfg_activity_count = _fn("ab_dfg_activity_count", c_uint32, P)
ab_dfg_activities = _fn("ab_dfg_activities", POINTER(DfgActivity), P)
ab_dfg_edge_count = _fn("ab_dfg_edge_count", c_uint32, P)
ab_dfg_edges = _fn("ab_dfg_edges", POINTER(DfgEdge), P)
ab_dfg_starts = _fn("ab_dfg_starts", POINTER(DfgEndpoint), P, POINTER(c_uint32))
ab_dfg_ends = _fn("ab_dfg_ends", POINTER(DfgEndpoint), P, POINTER(c_uint32))

ab_bpmn_read = _fn("ab_bpmn_read", c_int, PP, P, c_char_p, c_void_p, E)
ab_bpmn_destroy = _fn("ab_bpmn_destroy", None, P)
ab_net_compile = _fn("ab_net_compile", c_int, PP, P, P, POINTER(NetOptions), E)
ab_net_destroy = _fn("ab_net_destroy", None, P)
ab_net_label_count = _fn("ab_net_label_count", c_uint32, P)
ab_net_labels = _fn("ab_net_labels", POINTER(c_char_p), P)
ab_net_relabel = _fn("ab_net_relabel", c_int, PP, P, P, E)
ab_bpmn_map_create = _fn("ab_bpmn_map_create", c_int, PP, P, POINTER(c_char_p), c_size_t,
                         POINTER(c_char_p), c_size_t, POINTER(BpmnMapOptions), E)
ab_bpmn_map_destroy = _fn("ab_bpmn_map_destroy", None, P)
ab_bpmn_map_warning_count = _fn("ab_bpmn_map_warning_count", c_uint32, P)
ab_bpmn_map_warning = _fn("ab_bpmn_map_warning", c_char_p, P, c_uint32)
ab_conform_run = _fn("ab_conform_run", c_int, PP, P, P, P, POINTER(ConformOptions), E)
ab_conform_destroy = _fn("ab_conform_destroy", None, P)
ab_gap_compute = _fn("ab_gap_compute", c_int, PP, P, P, P, P, POINTER(GapOptions), E)
ab_gap_destroy = _fn("ab_gap_destroy", None, P)
ab_gap_write_json = _fn("ab_gap_write_json", c_int, P, B, E)
ab_gap_write_markdown = _fn("ab_gap_write_markdown", c_int, P, B, E)
ab_gap_write_text = _fn("ab_gap_write_text", c_int, P, B, E)
ab_gap_write_cases = _fn("ab_gap_write_cases", c_int, P, B, E)
ab_gap_write_cases_range = _fn("ab_gap_write_cases_range", c_int, P, B, c_uint32, c_uint32, E)
ab_report_gap_html = _fn("ab_report_gap_html", c_int, B, P, P, P, c_void_p, E)

version = ab_version().decode()
if ab_version_number() // 10000 != ABI_MAJOR:
    raise ImportError(f"asbuilt: {path} is version {version}; this package needs "
                      f"{ABI_MAJOR}.x")


def _names_factorize():
    """ab_names_factorize through a PyDLL handle of the same library, and the address of
    CPython's PyUnicode_AsUTF8AndSize to pass it as the name getter; (None, None) on other
    Pythons. Unlike every other call, this one keeps the GIL: the getter reads the str
    objects (and may cache their UTF-8 in them), which only the GIL's holder may do. A
    PyDLL call also raises the Python error the getter sets when a cell is not a str."""
    import platform

    if platform.python_implementation() != "CPython":
        return None, None
    try:
        f = ctypes.PyDLL(path).ab_names_factorize
        getter = ctypes.cast(ctypes.pythonapi.PyUnicode_AsUTF8AndSize, c_void_p).value
    except (OSError, AttributeError):
        return None, None
    f.restype = c_int
    f.argtypes = [P, c_void_p, c_uint64, c_void_p, c_void_p, c_void_p, POINTER(c_uint32),
                  POINTER(c_uint64), E]
    return f, getter


ab_names_factorize_gil, PyUnicode_AsUTF8AndSize = _names_factorize()
