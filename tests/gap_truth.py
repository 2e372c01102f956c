#!/usr/bin/env python3
"""Checks `asbuilt diff` against the ground truth that tools/absim writes.

absim simulates a documented map into a log and injects deviations that have
exactly one explanation under the gap rules (spec gap-metrics.md, R3): a skipped
mandatory step (bypass), an activity no step carries (undocumented activity), a
step done again where the map has no repetition (undocumented rework), two
sequential steps swapped (out of order, of one of the two). For several maps and
rates this script runs absim, then

    asbuilt diff LOG --model MAP --json REPORT.json --cases CASES.jsonl

and asserts that every case's deviations are recovered exactly (class and
activity; for a swap, either activity), that clean cases have none, and that
the report's aggregates equal the truth: bypasses[].cases.count per activity,
undocumented_activities[].cases.count and .events, rework[].cases.count
(undocumented entries), out_of_order (one activity per swapped case), and
summary.case_deviation_rate.count. Deviations below the report's minimum
support (max(5 cases, 0.5% of N)) may be grouped, so the aggregate check
requires those entries only when they reach it; the per-case file is checked in
full.

Time impact: absim --delay swap=HOURS makes every swapped case wait HOURS
longer, on a map that is one sequence of steps (every case has the same path,
so the delay is the only systematic difference in cycle time). For several
seeds, every out_of_order finding must report a time impact whose 95% interval
holds the injected delay (at least 90% of them, 95% expected) and excludes 0;
the same logs without the delay must give intervals that hold 0 as often. Each
reported shift and interval must also equal the Lehmann-Moses definition
computed here by brute force from the log (all pairwise differences sorted,
the normal-approximation rank with tie correction), to the report's two
significant digits.

Prints one line per check and "N passed, N failed". Exits 77 (skipped) only
when `asbuilt diff` does not exist yet (`asbuilt diff --help` exits 2 with
"unknown command"); any other failure fails.
Usage: gap_truth.py ASBUILT ABSIM
"""
import calendar
import json
import math
import os
import subprocess
import sys
import tempfile
import time

ASBUILT, ABSIM = sys.argv[1], sys.argv[2]
SHARED = os.environ.get("AB_SHARED_DATA", "/work/shared/data")
DATASETS = os.environ.get("AB_DATASETS", os.path.join(os.path.dirname(__file__), "..", "datasets"))
TESTDATA = os.environ.get("AB_TESTDATA", os.path.join(os.path.dirname(__file__), "data"))

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")
    return ok


def diff_available():
    r = subprocess.run([ASBUILT, "diff", "--help"], capture_output=True, text=True)
    if r.returncode == 2 and "unknown command" in r.stderr:
        return False
    if r.returncode != 0:
        check("asbuilt diff --help", False, f"exit {r.returncode}: {r.stderr.strip()}")
    return True


# (label, map, extra absim options, extra diff options). Rates and case counts give every
# kind well over the minimum support in total; per activity, the per-case file decides.
RATES = ["--skip", "0.1", "--insert", "0.06", "--repeat", "0.08", "--swap", "0.08"]
RUNS = [
    ("running-example", f"{SHARED}/models/pm4py_running-example.bpmn", ["--cases", "2000"], []),
    ("LoanApp csv, two per case", f"{SHARED}/models/simod_LoanApp_simplified.bpmn",
     ["--cases", "2000", "--format", "csv", "--max-deviations-per-case", "2"], []),
    ("a32f0n00", f"{SHARED}/models/pm4py_a32f0n00.bpmn", ["--cases", "1500"], []),
    ("branch_rules_or", f"{SHARED}/models/simod_branch_rules_or.bpmn", ["--cases", "1500"], []),
    ("invoice start+complete", f"{SHARED}/models/camunda_invoice.v2.bpmn",
     ["--cases", "2000", "--start-complete", "--gzip"], []),
    ("selfloop", f"{TESTDATA}/sim/selfloop.bpmn", ["--cases", "1500"], []),
]
MAPPED = f"{DATASETS}/maps/bpic2020_declaration_documents.map.csv"
if os.path.exists(MAPPED):
    RUNS.append(("bpic2020 mapped", f"{SHARED}/models/bpic2020_declaration_documents.bpmn",
                 ["--cases", "2000", "--map", MAPPED], ["--map", MAPPED]))


def case_set(devs):
    """The (class, activity) pairs of a case's deviations in the diff's per-case file."""
    return {(d.get("class"), d.get("activity")) for d in devs}


def expected_sets(devs):
    """Every acceptable set for a case: one choice of activity per swap."""
    sets = [set()]
    for d in devs:
        e = d["expect"]
        sets = [s | {(e["class"], a)} for s in sets for a in e["activities"]]
    return sets


def by_activity(entries, key="activity"):
    out = {}
    for e in entries or []:
        out[e[key]] = e
    return out


def count_of(rate):
    return rate["count"] if isinstance(rate, dict) else rate


def run_one(tmp, label, model, absim_opts, diff_opts, index):
    ext = ".csv" if "csv" in absim_opts else ".xes"
    if "--gzip" in absim_opts:
        ext += ".gz"
    log = os.path.join(tmp, f"log{index}{ext}")
    truth_path = os.path.join(tmp, f"truth{index}.json")
    report_path = os.path.join(tmp, f"gap{index}.json")
    cases_path = os.path.join(tmp, f"cases{index}.jsonl")
    seed = [] if "--seed" in absim_opts else ["--seed", str(20 + index)]
    r = subprocess.run([ABSIM, model, *seed, *RATES, *absim_opts, "-q", "-o", log,
                        "--truth", truth_path], capture_output=True, text=True)
    if not check(f"{label}: absim", r.returncode == 0, r.stderr.strip()):
        return
    with open(truth_path) as f:
        truth = json.load(f)
    t0 = time.time()
    r = subprocess.run([ASBUILT, "diff", log, "--model", model, "--json", report_path,
                        "--cases", cases_path, *diff_opts],
                       capture_output=True, text=True)
    if not check(f"{label}: asbuilt diff", r.returncode == 0,
                 f"exit {r.returncode}: {r.stderr.strip()}"):
        return
    print(f"     ({time.time() - t0:.1f} s)")
    with open(report_path) as f:
        report = json.load(f)
    got = {}
    with open(cases_path) as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                obj = json.loads(line)
                got[obj["case"]] = obj.get("deviations", [])

    # Per case, exactly.
    n_cases = truth["counts"]["cases"]
    bad = []
    ooo_by_activity = {}
    for tc in truth["cases"]:
        cid = tc["case"]
        have = case_set(got.get(cid, []))
        want = expected_sets(tc["deviations"])
        if have not in want:
            bad.append(f"{cid}: diff {sorted(have)}, truth {sorted(want[0])}"
                       + (" (or the other swap activity)" if len(want) > 1 else ""))
        for cls, act in have:
            if cls == "out_of_order":
                ooo_by_activity[act] = ooo_by_activity.get(act, 0) + 1
    unknown = set(got) - {tc["case"] for tc in truth["cases"]}
    check(f"{label}: every case's deviations ({n_cases} cases, "
          f"{truth['counts']['deviating_cases']} deviating)", not bad and not unknown,
          f"{len(bad)} cases differ, e.g. {bad[:3]}; unknown cases {sorted(unknown)[:3]}")

    # Aggregates.
    agg = truth["aggregates"]
    support = max(5, math.ceil(0.005 * n_cases))
    summary = report.get("summary", {})
    dev_rate = summary.get("case_deviation_rate")
    check(f"{label}: summary.case_deviation_rate.count",
          dev_rate is not None and count_of(dev_rate) == truth["counts"]["deviating_cases"],
          f"report {dev_rate}, truth {truth['counts']['deviating_cases']}")

    def compare(name, truth_entries, report_entries, fields):
        report_map = by_activity(report_entries)
        problems = []
        for e in truth_entries:
            r_e = report_map.pop(e["activity"], None)
            if r_e is None:
                if e["cases"] >= support:
                    problems.append(f"{e['activity']}: missing ({e['cases']} cases)")
                continue
            for field, truth_key in fields:
                value = r_e.get(field)
                value = count_of(value) if value is not None else None
                if value != e[truth_key]:
                    problems.append(f"{e['activity']}: {field} {value}, truth {e[truth_key]}")
        for act in report_map:
            problems.append(f"{act}: in the report, not injected")
        check(f"{label}: {name}", not problems, "; ".join(problems[:5]))

    compare("bypasses", agg["bypasses"], report.get("bypasses"), [("cases", "cases")])
    compare("undocumented_activities", agg["undocumented_activities"],
            report.get("undocumented_activities"), [("cases", "cases"), ("events", "events")])
    rework = [e for e in report.get("rework", []) or [] if not e.get("documented", False)]
    compare("rework (undocumented)", agg["rework"], rework, [("cases", "cases")])

    # Out of order: one of the two activities per swapped case, as the per-case file says;
    # each activity at most its candidate count.
    swaps = sum(p["cases"] for p in agg["swaps"])
    cand = {e["activity"]: e["cases"] for e in agg["out_of_order_candidates"]}
    report_ooo = by_activity(report.get("out_of_order"))
    problems = []
    if sum(ooo_by_activity.values()) != swaps:
        problems.append(f"{sum(ooo_by_activity.values())} out-of-order cases, {swaps} swapped")
    for act, n in ooo_by_activity.items():
        if n > cand.get(act, 0):
            problems.append(f"{act}: {n} cases out of order, at most {cand.get(act, 0)}")
        r_e = report_ooo.pop(act, None)
        if r_e is None:
            if n >= support:
                problems.append(f"{act}: missing from out_of_order ({n} cases)")
        elif count_of(r_e.get("cases")) != n:
            problems.append(f"{act}: out_of_order {count_of(r_e.get('cases'))}, cases file {n}")
    for act in report_ooo:
        problems.append(f"{act}: out of order in the report, never swapped")
    check(f"{label}: out_of_order ({swaps} swapped cases)", not problems,
          "; ".join(problems[:5]))
    for p in (log, truth_path, report_path, cases_path):
        if os.path.exists(p):
            os.remove(p)


def sig2_close(reported, exact):
    """The report writes durations with two significant digits."""
    if exact == 0:
        return reported == 0
    e = math.floor(math.log10(abs(exact)))
    return abs(reported - exact) <= 0.5 * 10 ** (e - 1) * 1.0001 + 1e-9


def lehmann_moses(x, y):
    """Hodges-Lehmann shift of x over y and its 95% interval, from all pairs."""
    d = sorted(a - b for a in x for b in y)
    nm = len(d)
    shift = d[nm // 2] if nm % 2 else (d[nm // 2 - 1] + d[nm // 2]) / 2
    counts = {}
    for v in list(x) + list(y):
        counts[v] = counts.get(v, 0) + 1
    big_n = len(x) + len(y)
    ties = sum(t ** 3 - t for t in counts.values())
    var = len(x) * len(y) / 12 * ((big_n + 1) - ties / (big_n * (big_n - 1)))
    k = math.floor(nm / 2 - 0.5 - 1.959963984540054 * math.sqrt(var)) + 1
    return shift, d[k - 1], d[nm - k]


def cycle_times(log):
    """Seconds from the first to the last event of each case (absim CSV, complete only)."""
    first, last = {}, {}
    with open(log) as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split(",")
            case, stamp = parts[0], parts[-1]
            t = calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) + float(stamp[19:23])
            first[case] = min(first.get(case, t), t)
            last[case] = max(last.get(case, t), t)
    return {c: last[c] - first[c] for c in first}


def run_time(tmp):
    model = f"{TESTDATA}/sim/sequence.bpmn"
    hours = 2
    found = {True: [], False: []}  # delayed -> [(label, lo, hi)]
    for seed in range(1, 7):
        cts, delays = {}, {}
        for delayed in (True, False):
            tag = f"time seed {seed}{' delay' if delayed else ''}"
            log = os.path.join(tmp, f"time{seed}{int(delayed)}.csv")
            truth_path = os.path.join(tmp, f"time{seed}{int(delayed)}.json")
            report_path = os.path.join(tmp, f"timegap{seed}{int(delayed)}.json")
            cases_path = os.path.join(tmp, f"timecases{seed}{int(delayed)}.jsonl")
            delay = ["--delay", f"swap={hours}"] if delayed else []
            r = subprocess.run([ABSIM, model, "--seed", str(seed), "--cases", "2000", "--swap",
                                "0.5", "--format", "csv", *delay, "-q", "-o", log, "--truth",
                                truth_path], capture_output=True, text=True)
            if not check(f"{tag}: absim", r.returncode == 0, r.stderr.strip()):
                return
            with open(truth_path) as f:
                truth = json.load(f)
            want_ms = hours * 3600000 if delayed else 0
            bad = [c["case"] for c in truth["cases"]
                   if c.get("delay_ms", 0) != (want_ms if c["deviations"] else 0)]
            check(f"{tag}: truth delays", not bad, f"cases {bad[:3]}")
            r = subprocess.run([ASBUILT, "diff", log, "--model", model, "--json", report_path,
                                "--cases", cases_path], capture_output=True, text=True)
            if not check(f"{tag}: asbuilt diff", r.returncode == 0, r.stderr.strip()):
                return
            with open(report_path) as f:
                report = json.load(f)
            ct = cycle_times(log)
            cts[delayed] = ct
            delays[delayed] = {c["case"]: c.get("delay_ms", 0) for c in truth["cases"]}
            by_ooo, clean = {}, []
            with open(cases_path) as f:
                for line in f:
                    obj = json.loads(line)
                    devs = obj.get("deviations", [])
                    if not devs:
                        clean.append(ct[obj["case"]])
                    for d in devs:
                        by_ooo.setdefault(d["activity"], []).append(ct[obj["case"]])
            problems = []
            for item in report.get("out_of_order", []):
                t = item["time_impact"]
                act = item["activity"]
                if t.get("status") is not None or t.get("baseline_kind") != "conforming":
                    problems.append(f"{act}: {t}")
                    continue
                x, y = by_ooo.get(act, []), clean
                if (t["n_deviating"], t["n_baseline"]) != (len(x), len(y)):
                    problems.append(f"{act}: groups {t['n_deviating']}/{t['n_baseline']}, "
                                    f"cases file {len(x)}/{len(y)}")
                    continue
                shift, lo, hi = lehmann_moses(x, y)
                rep = (t["hodges_lehmann_s"], *t["ci95_s"])
                if not all(sig2_close(a, b) for a, b in zip(rep, (shift, lo, hi))):
                    problems.append(f"{act}: reported {rep}, by definition "
                                    f"({shift:.1f}, {lo:.1f}, {hi:.1f})")
                found[delayed].append((f"seed {seed} {act}", lo, hi))
            check(f"{tag}: {len(report.get('out_of_order', []))} out-of-order time impacts equal "
                  f"the Lehmann-Moses definition", not problems and report.get("out_of_order"),
                  "; ".join(problems[:3]))
            for p in (log, truth_path, report_path, cases_path):
                os.remove(p)
        # The same seed without the delay: each cycle time differs by exactly the case's delay.
        off = [c for c in cts[False]
               if abs(cts[True][c] - cts[False][c] - delays[True][c] / 1000) > 1e-6]
        check(f"time seed {seed}: cycle times grow by exactly the delay", not off and cts[False],
              f"cases {off[:3]}")
    for delayed, true_shift in ((True, hours * 3600), (False, 0)):
        found_list = found[delayed]
        held = [f for f in found_list if f[1] <= true_shift <= f[2]]
        check(f"time: the 95% intervals hold the true shift {true_shift} s in "
              f"{len(held)} of {len(found_list)} findings",
              len(found_list) >= 20 and len(held) >= 0.9 * len(found_list),
              f"missed: {[f for f in found_list if f not in held][:4]}")
    zero = [f for f in found[True] if f[1] <= 0 <= f[2]]
    check(f"time: every interval with the delay excludes 0", not zero, f"{zero[:4]}")


def main():
    if not diff_available():
        print("diff command not available")
        return 77
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, model, absim_opts, diff_opts) in enumerate(RUNS):
            if not os.path.exists(model):
                check(f"{label}: map", False, f"missing {model}")
                continue
            run_one(tmp, label, model, absim_opts, diff_opts, i)
        run_time(tmp)
    print(f"{passed} passed, {failed} failed ({time.time() - start:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
