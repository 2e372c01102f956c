"""The ctypes mirrors have the size and field offsets of the C structures (printed by
abi_sizes.c, built by meson as python_abi_sizes): a header changed under the binding fails
here rather than corrupting memory."""
import json
import os
import subprocess

import pytest

from asbuilt import _lib as L

MIRRORS = {
    "ab_error": L.Error, "ab_buf": L.Buf, "ab_log_options": L.LogOptions,
    "ab_xes_options": L.XesOptions, "ab_csv_options": L.CsvOptions,
    "ab_read_options": L.ReadOptions, "ab_log_dict_column": L.DictColumn,
    "ab_log_columns": L.LogColumns, "ab_columns_dfg_counts": L.ColumnsDfgCounts,
    "ab_dfg_options": L.DfgOptions,
    "ab_dfg_activity": L.DfgActivity, "ab_dfg_edge": L.DfgEdge,
    "ab_dfg_endpoint": L.DfgEndpoint, "ab_net_options": L.NetOptions,
    "ab_bpmn_map_options": L.BpmnMapOptions, "ab_conform_options": L.ConformOptions,
    "ab_gap_options": L.GapOptions,
}


def test_struct_layouts_match_the_headers():
    exe = os.environ.get("ASBUILT_ABI_SIZES")
    if not exe:
        pytest.skip("ASBUILT_ABI_SIZES is not set (meson sets it)")
    c = json.loads(subprocess.run([exe], capture_output=True, check=True, text=True).stdout)
    assert set(c) == set(MIRRORS)
    for name, mirror in MIRRORS.items():
        want = c[name]
        assert ctypesizeof(mirror) == want["size"], name
        fields = {f[0].rstrip("_"): getattr(mirror, f[0]).offset for f in mirror._fields_}
        for field, off in want.items():
            if field != "size":
                assert fields[field] == off, f"{name}.{field}"


def ctypesizeof(t):
    import ctypes
    return ctypes.sizeof(t)
