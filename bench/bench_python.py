#!/usr/bin/env python3
"""The Python binding against PM4Py, as ratios.

1. BPI Challenge 2012 as a pandas DataFrame with object columns, as pm4py.read_xes
   gives it: asbuilt.from_dataframe + asbuilt.discover_dfg, against PM4Py's
   pm4py.discover_dfg time stored in expected/pm4py_bpic2012.xes.gz.json, and
   against the same directly-follows count done with pandas in this process
   (sort, shift, group by: what PM4Py's DataFrame path does).
2. The a32f0n00 pair: asbuilt.diff (map read and compiled, every case aligned,
   the ambiguity check, the gap metrics and the JSON report) against PM4Py's
   BPMN import, conversion to a Petri net and alignments, stored in
   expected/pm4py_09_a32f0n00.xes.gz__pm4py_a32f0n00.bpmn.json.

PM4Py cannot be installed on these machines, so its stored timings (PM4Py
2.7.8.2, measured on a machine of the same class) are the baseline; the pandas
figure is measured here. Best of 15 after a warm-up (3 for pandas). Usage:

    ASBUILT_LIBRARY=build-rel/libasbuilt.so.0 /usr/bin/python3 bench/bench_python.py

(a release build: meson setup build-rel -Dbuildtype=release).
"""
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
if not os.environ.get("ASBUILT_LIBRARY"):
    os.environ["ASBUILT_LIBRARY"] = os.path.join(ROOT, "build-rel", "libasbuilt.so.0")

import pandas as pd  # noqa: E402

import asbuilt  # noqa: E402

DATA = os.environ.get("AB_SHARED_DATA") or os.path.join(ROOT, "..", "shared", "data")
if not os.path.isdir(os.path.join(DATA, "logs")):
    DATA = os.path.join(ROOT, "datasets")


def best(fn, repeat=15):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def expected(name):
    with open(os.path.join(DATA, "expected", name)) as f:
        return json.load(f)


def pandas_dfg(df):
    """Directly-follows counts the way PM4Py's DataFrame path computes them."""
    d = df[["case:concept:name", "concept:name", "time:timestamp"]].copy()
    d["@@index"] = range(len(d))
    d = d.sort_values(["case:concept:name", "time:timestamp", "@@index"], kind="mergesort")
    nxt = d.shift(-1)
    same = d["case:concept:name"] == nxt["case:concept:name"]
    pairs = pd.DataFrame({"a": d["concept:name"][same], "b": nxt["concept:name"][same]})
    return pairs.groupby(["a", "b"]).size().to_dict()


def main():
    print(f"asbuilt {asbuilt.library_version} from {asbuilt.library_path}")
    bpic = os.path.join(DATA, "logs", "pm4py_bpic2012.xes.gz")
    if os.path.exists(bpic):
        with asbuilt.read_log(bpic) as log:
            df = log.to_dataframe()
        # pm4py.read_xes gives object (str) columns and UTC times.
        for c in ("case:concept:name", "concept:name", "org:resource", "lifecycle:transition"):
            if c in df.columns:
                df[c] = df[c].astype(object)
        exp = expected("pm4py_bpic2012.xes.gz.json")

        def ours():
            with asbuilt.from_dataframe(df) as lg:
                return asbuilt.discover_dfg(lg)

        dfg, start, end = ours()
        assert dfg == {(a, b): n for a, b, n in exp["dfg"]}, "DFG differs from PM4Py's"
        assert start == exp["start_activities"] and end == exp["end_activities"]
        assert pandas_dfg(df) == dfg, "the pandas baseline disagrees"
        t_ours = best(ours)
        t_pandas = best(lambda: pandas_dfg(df), repeat=3)
        t_pm4py = exp["timings"]["dfg"]
        print(f"\nBPI 2012 as a DataFrame ({len(df)} events, {df['case:concept:name'].nunique()} "
              f"cases), from_dataframe + discover_dfg: {t_ours * 1000:.1f} ms")
        print(f"  vs pm4py.discover_dfg (stored, PM4Py {exp['pm4py_version']}): "
              f"{t_pm4py * 1000:.1f} ms -> {t_pm4py / t_ours:.1f}x faster (target 50x)")
        print(f"  vs the same count in pandas, here: {t_pandas * 1000:.1f} ms -> "
              f"{t_pandas / t_ours:.1f}x faster")
        # Where the time goes.
        keys = [c for c in ("case:concept:name", "concept:name", "lifecycle:transition")
                if c in df.columns]
        t_codes = best(lambda: [pd.factorize(df[c], sort=False) for c in keys])
        with asbuilt.from_dataframe(df) as lg:
            t_dfg = best(lambda: asbuilt.discover_dfg(lg))
        cat = df.copy()
        for c in keys:
            cat[c] = cat[c].astype("category")
        t_cat = best(lambda: asbuilt.from_dataframe(cat).close())
        print(f"  of which: codes of the {len(keys)} string columns (pandas.factorize) "
              f"{t_codes * 1000:.1f} ms, discover_dfg {t_dfg * 1000:.1f} ms; from_dataframe of "
              f"categorical columns {t_cat * 1000:.1f} ms -> with discover_dfg "
              f"{t_pm4py / (t_cat + t_dfg):.1f}x faster")
    else:
        print(f"\n{bpic} is absent: the DFG comparison needs the shared data set")

    log_path = os.path.join(DATA, "logs", "pm4py_09_a32f0n00.xes.gz")
    model = os.path.join(DATA, "models", "pm4py_a32f0n00.bpmn")
    exp = expected("pm4py_09_a32f0n00.xes.gz__pm4py_a32f0n00.bpmn.json")
    tm = exp["timings"]
    t_pm4py = tm["model_import"] + tm["model_to_petri"] + tm["alignments"]
    print(f"\na32f0n00 ({exp['log']['cases']} cases) against its map; PM4Py (stored): BPMN "
          f"import + Petri net + alignments {t_pm4py:.3f} s (alignments alone "
          f"{tm['alignments']:.3f} s)")
    with asbuilt.read_log(log_path) as log:
        for threads, label in ((1, "1 thread"), (None, f"{os.cpu_count()} threads")):
            def run():
                asbuilt.diff(log, model, threads=threads).close()

            t = best(run)
            print(f"  asbuilt.diff, {label}: {t * 1000:.1f} ms -> {t_pm4py / t:.1f}x faster "
                  f"(target 100x)")
        t = best(lambda: asbuilt.diff(log, model, threads=1, check_ambiguity=False).close())
        print(f"  asbuilt.diff, 1 thread, without the ambiguity check (PM4Py has none): "
              f"{t * 1000:.1f} ms -> {t_pm4py / t:.1f}x faster")
    t = best(lambda: asbuilt.diff(log_path, model).close())
    print(f"  with reading the log ({os.path.basename(log_path)}) as well: {t * 1000:.1f} ms "
          f"(PM4Py's read: {tm['import_log']:.3f} s more) -> "
          f"{(t_pm4py + tm['import_log']) / t:.1f}x faster")


if __name__ == "__main__":
    main()
