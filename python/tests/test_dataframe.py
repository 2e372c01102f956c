"""A DataFrame and the file it came from give the same log, graph, variants and gap."""
import os

import pandas as pd
import pytest

import asbuilt
from conftest import DATASETS

CSV = [
    # (file, columns read as times, from_dataframe keywords)
    ("pm4py_running-example.csv", ["time:timestamp"], dict(resource_key="org:resource")),
    ("simod_LoanApp_simplified_without_approve_loan_offer.csv",
     ["time:timestamp", "start_timestamp"],
     dict(resource_key="org:resource", start_timestamp_key="start_timestamp", role_key="role")),
]
MODEL = {
    "pm4py_running-example.csv": "pm4py_running-example.bpmn",
    "simod_LoanApp_simplified_without_approve_loan_offer.csv": "simod_LoanApp_simplified.bpmn",
}


def frame(name, times):
    df = pd.read_csv(os.path.join(DATASETS, "logs", name))
    for c in times:
        # Times with a zone become UTC; times without stay naive (read as UTC, as the CSV
        # reader reads them).
        aware = df[c].astype(str).str.contains(r"[+-]\d\d:\d\d$|Z$").any()
        df[c] = pd.to_datetime(df[c], utc=True) if aware else pd.to_datetime(df[c])
    return df


def without_input(d):
    return {k: v for k, v in d.items() if k != "input"}


@pytest.mark.parametrize("name,times,kw", CSV)
def test_frame_equals_file(name, times, kw):
    path = os.path.join(DATASETS, "logs", name)
    df = frame(name, times)
    with asbuilt.read_log(path) as flog, asbuilt.from_dataframe(df, **kw) as dlog:
        assert dlog.cases == flog.cases and dlog.events == flog.events
        fs, ds = asbuilt.stats(flog), asbuilt.stats(dlog)
        assert ds["input"] == {"files": [], "format": "columns", "lifecycle": "all"}
        assert without_input(ds) == without_input(fs)
        assert asbuilt.discover_dfg(dlog) == asbuilt.discover_dfg(flog)
        assert asbuilt.discover_json(dlog) == asbuilt.discover_json(flog)
        assert asbuilt.get_variants(dlog) == asbuilt.get_variants(flog)
        model = os.path.join(DATASETS, "models", MODEL[name])
        with asbuilt.diff(flog, model) as fg, asbuilt.diff(dlog, model) as dg:
            for k in fg:
                if k != "inputs":
                    assert dg[k] == fg[k], k
            assert dg["inputs"]["model"] == fg["inputs"]["model"]
            assert dg["inputs"]["log"]["files"] == []
            assert fg.cases().equals(dg.cases())


def test_frame_functions_take_a_dataframe():
    df = frame("pm4py_running-example.csv", ["time:timestamp"])
    with asbuilt.from_dataframe(df) as log:
        assert asbuilt.discover_dfg(df) == asbuilt.discover_dfg(log)
        assert asbuilt.get_variants(df) == asbuilt.get_variants(log)


def test_categorical_and_plain_columns_agree():
    df = frame("pm4py_running-example.csv", ["time:timestamp"])
    cat = df.copy()
    for c in ("case:concept:name", "concept:name", "org:resource"):
        cat[c] = cat[c].astype(str).astype("category")
    with asbuilt.from_dataframe(df) as a, asbuilt.from_dataframe(cat) as b:
        assert asbuilt.stats(a) == asbuilt.stats(b)


def test_missing_values_are_counted_with_their_rows():
    df = frame("pm4py_running-example.csv", ["time:timestamp"])
    df.loc[4, "case:concept:name"] = None
    df.loc[7, "concept:name"] = None
    df.loc[9, "time:timestamp"] = pd.NaT
    with asbuilt.from_dataframe(df) as log:
        dq = asbuilt.stats(log)["data_quality"]
    assert log.closed
    assert dq["records"] == 42
    assert dq["dropped"]["missing_case_id"] == {"count": 1, "first_lines": [5]}
    assert dq["dropped"]["missing_activity"] == {"count": 1, "first_lines": [8]}
    assert dq["dropped"]["missing_timestamp"] == {"count": 1, "first_lines": [10]}


def test_naive_times_are_counted_as_coerced():
    df = frame("pm4py_running-example.csv", ["time:timestamp"])
    naive = df.copy()
    naive["time:timestamp"] = naive["time:timestamp"].dt.tz_localize(None)
    with asbuilt.from_dataframe(df) as a, asbuilt.from_dataframe(naive) as b:
        sa, sb = asbuilt.stats(a), asbuilt.stats(b)
    assert sa["data_quality"]["timestamps_coerced"] == 0
    assert sb["data_quality"]["timestamps_coerced"] == 42
    assert sa["time_span"] == sb["time_span"]


def test_sub_microsecond_times_floor():
    df = pd.DataFrame({"case:concept:name": ["a", "a"], "concept:name": ["x", "y"],
                       "time:timestamp": pd.to_datetime([-1, 1999], unit="ns", utc=True)})
    with asbuilt.from_dataframe(df) as log:
        s = asbuilt.stats(log)
    assert s["time_span"]["start"].startswith("1969-12-31T23:59:59.999999")
    assert s["time_span"]["seconds"] == pytest.approx(2e-6)


def test_round_trip_through_to_dataframe():
    path = os.path.join(DATASETS, "logs", "pm4py_running-example.xes")
    with asbuilt.read_log(path) as log:
        df = log.to_dataframe()
        assert list(df.columns[:3]) == ["case:concept:name", "concept:name", "time:timestamp"]
        assert str(df["time:timestamp"].dt.tz) == "UTC"
        with asbuilt.from_dataframe(df, resource_key="org:resource") as back:
            assert without_input(asbuilt.stats(back)) == without_input(asbuilt.stats(log))


def test_lifecycle_column_round_trip():
    path = os.path.join(DATASETS, "logs", "simod_PurchasingExample.xes.gz")
    with asbuilt.read_log(path, lifecycle="complete") as flog, asbuilt.read_log(path) as full:
        df = full.to_dataframe()
        assert set(df["lifecycle:transition"].dropna()) > {"complete"}
        with asbuilt.from_dataframe(df, resource_key="org:resource", lifecycle="complete") as dlog:
            fs, ds = asbuilt.stats(flog), asbuilt.stats(dlog)
            assert ds["events"] < asbuilt.stats(full)["events"]
            # Dropped records are counted alike; their lines are rows here, lines there.
            for d in (fs, ds):
                for v in d["data_quality"]["dropped"].values():
                    v.pop("first_lines")
            assert ds["data_quality"]["dropped"]["lifecycle_filter"]["count"] > 0
            assert without_input(ds) == without_input(fs)
            assert asbuilt.discover_dfg(dlog) == asbuilt.discover_dfg(flog)
        with asbuilt.from_dataframe(df, lifecycle_key=None, lifecycle="complete") as nolc:
            assert asbuilt.stats(nolc)["events"] == asbuilt.stats(full)["events"]
