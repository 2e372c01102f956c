"""Bad input raises the exception of its exit-code class, with the library's message."""
import gzip
import os
import pickle

import pandas as pd
import pytest

import asbuilt
from conftest import DATASETS

RE_CSV = os.path.join(DATASETS, "logs", "pm4py_running-example.csv")
RE_BPMN = os.path.join(DATASETS, "models", "pm4py_running-example.bpmn")


def test_missing_file_is_io_error(tmp_path):
    missing = str(tmp_path / "nope.xes")
    with pytest.raises(asbuilt.AsbuiltIOError) as e:
        asbuilt.read_log(missing)
    assert isinstance(e.value, OSError) and isinstance(e.value, asbuilt.AsbuiltError)
    assert e.value.exit_code == 4
    assert "nope.xes" in str(e.value)


def test_malformed_xes_is_data_error_with_position(tmp_path):
    p = tmp_path / "bad.xes"
    p.write_text('<?xml version="1.0"?>\n<log>\n<trace><event>\n</log>\n')
    with pytest.raises(asbuilt.DataError) as e:
        asbuilt.read_log(str(p))
    assert e.value.exit_code == 3
    assert e.value.source and e.value.source.endswith("bad.xes")
    assert e.value.line is not None and e.value.line >= 2
    assert "bad.xes" in str(e.value)


def test_truncated_gzip_is_data_error(tmp_path):
    data = gzip.compress(open(RE_CSV, "rb").read())
    p = tmp_path / "cut.csv.gz"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(asbuilt.DataError):
        asbuilt.read_log(str(p))


def test_unknown_column_is_data_error():
    with pytest.raises(asbuilt.DataError) as e:
        asbuilt.read_log(RE_CSV, activity="no such column")
    assert "no such column" in str(e.value)


def test_strict_names_the_line(tmp_path):
    p = tmp_path / "gap.csv"
    p.write_text("case,activity,timestamp\n1,a,2020-01-01T00:00:00Z\n,b,2020-01-01T00:01:00Z\n")
    with asbuilt.read_log(str(p)) as log:
        assert log.events == 1
    with pytest.raises(asbuilt.DataError) as e:
        asbuilt.read_log(str(p), strict=True)
    assert e.value.line == 3


def test_bad_options_are_usage_errors():
    for kw in (dict(delimiter="x"), dict(lifecycle="some"), dict(timestamp_format="%Q"),
               dict(tz="Nowhere/Atlantis")):
        with pytest.raises(asbuilt.UsageError) as e:
            asbuilt.read_log(RE_CSV, **kw)
        assert e.value.exit_code == 2 and isinstance(e.value, ValueError)
    with pytest.raises(asbuilt.UsageError):
        asbuilt.stats(RE_CSV, top=-1)
    with pytest.raises(asbuilt.UsageError):
        asbuilt.discover_dfg(42)
    with pytest.raises(asbuilt.UsageError):
        asbuilt.diff(RE_CSV, RE_BPMN, open_cases="sometimes")
    with pytest.raises(asbuilt.UsageError):
        asbuilt.diff(RE_CSV, RE_BPMN, fail_above={"M99": 0.1})


def test_bad_map_is_data_error(tmp_path):
    p = tmp_path / "bad.bpmn"
    p.write_text("<definitions><process id='p'><task id='t'></process>")
    with pytest.raises(asbuilt.DataError) as e:
        asbuilt.diff(RE_CSV, str(p))
    assert "bad.bpmn" in str(e.value)
    with pytest.raises(asbuilt.AsbuiltIOError):
        asbuilt.diff(RE_CSV, str(tmp_path / "missing.bpmn"))


def test_bad_accept_file_is_data_error(tmp_path):
    p = tmp_path / "accept.txt"
    p.write_text("no_such_class,x\n")
    with pytest.raises(asbuilt.DataError) as e:
        asbuilt.diff(RE_CSV, RE_BPMN, accept=str(p))
    assert e.value.line == 1


def test_gate():
    log = os.path.join(DATASETS, "logs", "simod_LoanApp_simplified_without_approve_loan_offer.csv")
    model = os.path.join(DATASETS, "models", "simod_LoanApp_simplified.bpmn")
    with pytest.raises(asbuilt.GateExceeded) as e:
        asbuilt.diff(log, model, fail_above={"m1": 0.0})
    assert e.value.exit_code == 1
    assert e.value.report["schema"] == "asbuilt.gap/1"
    e.value.report.close()
    with asbuilt.diff(log, model, fail_above={"M1": 1.0}) as gap:
        assert gap["summary"]["case_deviation_rate"]["rate"] > 0


def test_dataframe_errors():
    df = pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["a"],
                       "time:timestamp": ["2020-01-01"]})
    with pytest.raises(asbuilt.UsageError) as e:
        asbuilt.from_dataframe(df)
    assert "time:timestamp" in str(e.value) and "to_datetime" in str(e.value)
    with pytest.raises(asbuilt.UsageError) as e:
        asbuilt.from_dataframe(df, activity_key="Activity")
    assert "Activity" in str(e.value)
    df["time:timestamp"] = pd.to_datetime(df["time:timestamp"])
    with pytest.raises(asbuilt.UsageError):
        asbuilt.from_dataframe(df, resource_key="org:resource")
    df.loc[0, "concept:name"] = None
    with pytest.raises(asbuilt.DataError) as e:
        asbuilt.from_dataframe(df, strict=True)
    assert e.value.line == 1


def test_closed_objects_refuse_use():
    before = asbuilt._live_handles()
    log = asbuilt.read_log(RE_CSV)
    gap = asbuilt.diff(log, RE_BPMN)
    log.close()
    log.close()  # Twice is harmless.
    assert log.closed
    with pytest.raises(asbuilt.UsageError):
        asbuilt.stats(log)
    with pytest.raises(asbuilt.UsageError):
        asbuilt.diff(log, RE_BPMN)
    # The report points into the log, which stays until the report is closed.
    assert asbuilt._live_handles() > before
    assert "<html" in gap.html()
    assert gap["summary"]["cases"] == 6
    assert pickle.loads(pickle.dumps(gap)) == gap  # As the plain dict.
    gap.close()
    assert asbuilt._live_handles() == before
    assert gap["summary"]["cases"] == 6  # The dict stays.
    with pytest.raises(asbuilt.UsageError):
        gap.html()
    with pytest.raises(asbuilt.UsageError):
        gap.cases()


def test_columns_entry_point_checks_its_arrays():
    import ctypes

    import numpy as np

    from asbuilt import _lib as L

    def build(case_codes, offsets):
        keep = []

        def col(codes, names, offs):
            c = np.array(codes, dtype=np.int32)
            o = np.array(offs, dtype=np.uint64)
            keep.extend([c, o, names])
            return L.DictColumn(c.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), names,
                                len(names), o.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64)),
                                len(offs) - 1)

        cols = L.LogColumns()
        cols.version = 1
        cols.rows = 2
        cols.case_id = col(case_codes, b"c1c2", offsets)
        cols.activity = col([0, 0], b"a", [0, 1])
        ctx = asbuilt._new_ctx()
        out = ctypes.c_void_p()
        err = L.Error()
        st = L.ab_log_from_columns(ctypes.byref(out), ctx, ctypes.byref(cols), None,
                                   ctypes.byref(err))
        L.ab_log_destroy(out)
        L.ab_ctx_destroy(ctx)
        return st, err.msg.decode(), err.line

    assert build([0, 1], [0, 2, 4])[0] == 0
    st, msg, line = build([0, 2], [0, 2, 4])
    assert st == -7 and "outside" in msg and line == 2
    st, msg, _ = build([0, -2], [0, 2, 4])
    assert st == -7 and "outside" in msg
    st, msg, _ = build([0, 1], [0, 3, 2])
    assert st == -7 and "offset" in msg
    st, msg, _ = build([0, 1], [0, 2, 9])
    assert st == -7 and "past" in msg
