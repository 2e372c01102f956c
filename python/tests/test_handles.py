"""Handles are freed deterministically (close, with) or by the finalizer, and 1,000
open/close cycles leave no handle and no memory behind."""
import gc
import os

import pandas as pd

import asbuilt
from conftest import DATASETS

RE_XES = os.path.join(DATASETS, "logs", "pm4py_running-example.xes")
RE_BPMN = os.path.join(DATASETS, "models", "pm4py_running-example.bpmn")


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def cycle(df):
    with asbuilt.read_log(RE_XES) as log:
        asbuilt.discover_dfg(log)
        asbuilt.stats(log)
    with asbuilt.from_dataframe(df) as log:
        asbuilt.get_variants(log)


def test_thousand_cycles_leave_nothing():
    with asbuilt.read_log(RE_XES) as log:
        df = log.to_dataframe()
    base = asbuilt._live_handles()
    for _ in range(50):  # Warm-up: allocator pools, lazy imports.
        cycle(df)
    gc.collect()
    before = rss_kib()
    for _ in range(1000):
        cycle(df)
        assert asbuilt._live_handles() == base
    gc.collect()
    grown = rss_kib() - before
    # A leaked running-example log is about 20 KiB: 1,000 of them would show.
    assert grown < 4096, f"RSS grew by {grown} KiB over 1,000 cycles"


def test_diff_cycles_leave_nothing():
    base = asbuilt._live_handles()
    with asbuilt.read_log(RE_XES) as log:
        for _ in range(20):
            asbuilt.diff(log, RE_BPMN, threads=1).close()
        gc.collect()
        before = rss_kib()
        for _ in range(200):
            with asbuilt.diff(log, RE_BPMN, threads=1) as gap:
                gap.cases()
            assert asbuilt._live_handles() == base + 2
        gc.collect()
        grown = rss_kib() - before
    assert asbuilt._live_handles() == base
    assert grown < 4096, f"RSS grew by {grown} KiB over 200 diffs"


def test_finalizer_frees_what_was_not_closed():
    base = asbuilt._live_handles()
    log = asbuilt.read_log(RE_XES)
    gap = asbuilt.diff(log, RE_BPMN, threads=1)
    assert asbuilt._live_handles() > base
    del log  # The report keeps the log alive...
    gc.collect()
    assert asbuilt._live_handles() > base
    del gap  # ...and both go with the report.
    gc.collect()
    assert asbuilt._live_handles() == base


def test_functions_close_what_they_open():
    base = asbuilt._live_handles()
    asbuilt.stats(RE_XES)
    asbuilt.discover_dfg(RE_XES)
    asbuilt.get_variants(pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
                                       "time:timestamp": pd.to_datetime(["2020-01-01"])}))
    with asbuilt.diff(RE_XES, RE_BPMN) as gap:
        assert gap["summary"]["cases"] == 6
    assert asbuilt._live_handles() == base
