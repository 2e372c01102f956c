"""PM4Py's stored numbers (expected/<log>.json, written by PM4Py 2.7.8.2): counts, activity
counts, variants, the directly-follows graph and start/end activities, from the log file
and from the same log as a DataFrame."""
import os

import pytest

import asbuilt
from conftest import DATA, expected, log_path, logs

NAMES = [n for n in logs() if os.path.exists(os.path.join(DATA, "expected", n + ".json"))]


def check(log, want):
    s = asbuilt.stats(log)
    for k in ("cases", "events", "activities", "variants"):
        assert s[k] == want["log"][k], k
    assert s["activity_counts"] == want["log"]["activity_counts"]
    variants = asbuilt.get_variants(log)
    assert len(variants) == want["log"]["variants"]
    assert sum(variants.values()) == want["log"]["cases"]
    for tv in want["log"].get("top_variants", []):
        assert variants.get(tuple(tv["trace"])) == tv["count"], tv["trace"]
    dfg, start, end = asbuilt.discover_dfg(log)
    assert dfg == {(a, b): n for a, b, n in want["dfg"]}
    assert start == want["start_activities"]
    assert end == want["end_activities"]


def test_reference_set_is_there():
    assert NAMES, f"no expected/<log>.json in {DATA}"


@pytest.mark.parametrize("name", NAMES)
def test_file_equals_pm4py(name):
    with asbuilt.read_log(log_path(name)) as log:
        check(log, expected(name + ".json"))


@pytest.mark.parametrize("name", NAMES)
def test_dataframe_equals_pm4py(name):
    with asbuilt.read_log(log_path(name)) as log:
        df = log.to_dataframe()
    ts = "time:timestamp" if "time:timestamp" in df.columns else None
    with asbuilt.from_dataframe(df, timestamp_key=ts) as log:
        check(log, expected(name + ".json"))


def pair_files():
    out = []
    for f in sorted(os.listdir(os.path.join(DATA, "expected"))):
        if "__" in f and f.endswith(".json") and os.path.exists(log_path(f.split("__")[0])):
            out.append(f)
    return out


@pytest.mark.parametrize("pair", pair_files())
def test_pair_logs_equal_pm4py(pair):
    """The pair files hold PM4Py's numbers for the log as the alignments read it, filtered to
    completions where their input says so."""
    want = expected(pair)
    lc = "complete" if want["input"]["columns"].get("lifecycle_filter") == ["complete"] else "all"
    with asbuilt.read_log(log_path(pair.split("__")[0]), lifecycle=lc) as log:
        check(log, want)
