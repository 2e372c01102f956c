#!/usr/bin/env python3
"""The Python binding against PM4Py, as ratios.

1. BPI Challenge 2012 as a pandas DataFrame: asbuilt.from_dataframe +
   asbuilt.discover_dfg, against PM4Py's pm4py.discover_dfg time stored in
   expected/pm4py_bpic2012.xes.gz.json, with the string columns three ways:
   - object columns whose equal strings share one object, as pandas.read_csv
     and astype(object) give them;
   - object columns with one string object per cell (the case id shared by
     the events of a trace), as an XML reader that makes a string per
     attribute gives them (pm4py.read_xes);
   - categorical columns.
   And against the same directly-follows count done with pandas in this
   process (sort, shift, group by: what PM4Py's DataFrame path does).
2. The a32f0n00 pair: asbuilt.diff (map read and compiled, every case aligned,
   the ambiguity check, the gap metrics and the JSON report) against PM4Py's
   BPMN import, conversion to a Petri net and alignments, stored in
   expected/pm4py_09_a32f0n00.xes.gz__pm4py_a32f0n00.bpmn.json.

PM4Py cannot be installed on these machines, so its stored timings (PM4Py
2.7.8.2, measured on a machine of the same class) are the baseline; the pandas
figure is measured here. Medians of 21 runs after a warm-up, in elapsed time and
in processor time (the DFG: one thread, so the latter leaves out the waits for
a core on a shared machine); the diff: best of 15; pandas: 3. Usage:

    ASBUILT_LIBRARY=build-rel/libasbuilt.so.0 /usr/bin/python3 bench/bench_python.py

(a release build: meson setup build-rel -Dbuildtype=release).
"""
import json
import os
import statistics
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


def median(fn, repeat=21, clock=time.perf_counter):
    fn()
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def cpu_median(fn, repeat=21):
    """The median processor time of this process: on a machine shared with other work, the
    time spent waiting for a core is left out (everything measured with it runs in one
    thread)."""
    return median(fn, repeat, time.process_time)


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


STRINGS = ("case:concept:name", "concept:name", "org:resource", "lifecycle:transition")


def dfg_bench(bpic):
    with asbuilt.read_log(bpic) as log:
        cat = log.to_dataframe()  # Categorical string columns, UTC times.
    shared = cat.copy()
    for c in STRINGS:
        if c in shared.columns:
            shared[c] = shared[c].astype(object)  # Equal strings share one object.
    apart = shared.copy()
    for c in STRINGS[1:]:
        if c in apart.columns:
            # A fresh string object per cell; the case id stays shared by its trace's events.
            apart[c] = [s if not isinstance(s, str) else (s + ".")[:-1] for s in apart[c]]
    exp = expected("pm4py_bpic2012.xes.gz.json")
    t_pm4py = exp["timings"]["dfg"]
    want = ({(a, b): n for a, b, n in exp["dfg"]}, exp["start_activities"],
            exp["end_activities"])
    print(f"\nBPI 2012 as a DataFrame ({len(cat)} events, {cat['case:concept:name'].nunique()} "
          f"cases): from_dataframe + discover_dfg, median of 21 runs, against "
          f"pm4py.discover_dfg (stored, PM4Py {exp['pm4py_version']}: {t_pm4py * 1000:.0f} ms; "
          f"target 50x)")
    keys = ("case:concept:name", "concept:name")
    for label, df in (("strings, shared objects", shared),
                      ("strings, one object per cell", apart),
                      ("categorical", cat)):
        def ours():
            with asbuilt.from_dataframe(df) as lg:
                return asbuilt.discover_dfg(lg)

        assert ours() == want, f"{label}: the DFG differs from PM4Py's"
        t = median(ours)
        t_cpu = cpu_median(ours)
        t_read = median(lambda: asbuilt.from_dataframe(df).close())
        with asbuilt.from_dataframe(df) as lg:
            t_count = median(lambda: asbuilt.discover_dfg(lg))
        t_cols = [median(lambda: asbuilt._dict_column(df[c])) for c in keys]
        t_time = median(lambda: asbuilt._time_column(df["time:timestamp"], "timestamp"))
        print(f"  {label + ':':31s}{t * 1000:6.1f} ms -> {t_pm4py / t:5.1f}x faster "
              f"(processor time {t_cpu * 1000:.1f} ms -> {t_pm4py / t_cpu:.1f}x)")
        print(f"    from_dataframe {t_read * 1000:.1f} ms (case ids {t_cols[0] * 1000:.1f}, "
              f"activities {t_cols[1] * 1000:.1f}, times {t_time * 1000:.1f}), "
              f"discover_dfg {t_count * 1000:.1f} ms")
    assert pandas_dfg(shared) == want[0], "the pandas baseline disagrees"
    t_pandas = best(lambda: pandas_dfg(shared), repeat=3)

    def ours_shared():
        with asbuilt.from_dataframe(shared) as lg:
            return asbuilt.discover_dfg(lg)

    t = median(ours_shared)
    print(f"  the same count in pandas, here: {t_pandas * 1000:.1f} ms -> {t_pandas / t:.1f}x "
          f"slower than asbuilt with shared strings")


def main():
    print(f"asbuilt {asbuilt.library_version} from {asbuilt.library_path}")
    bpic = os.path.join(DATA, "logs", "pm4py_bpic2012.xes.gz")
    if os.path.exists(bpic):
        dfg_bench(bpic)
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
