#!/usr/bin/env python3
"""Compares `asbuilt stats --json` with PM4Py's numbers for every shared log.

For each log in $AB_SHARED_DATA/logs with an expected file
$AB_SHARED_DATA/expected/<log>.json, the cases, events, activities, variants
and activity counts must be equal. Pairs (<log>__<model>.json) that say PM4Py
filtered the log by lifecycle are checked with `--lifecycle complete`. Logs
that hold the same data in two formats must give the same counts.
Prints one line per check and a closing "N passed, N failed" line.
"""
import json
import os
import subprocess
import sys

ASBUILT = sys.argv[1]
DATA = os.environ.get("AB_SHARED_DATA", "../shared/data")
KEYS = ("cases", "events", "activities", "variants")

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def stats(path, *extra):
    r = subprocess.run([ASBUILT, "stats", "--json", "--quiet", *extra, path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return json.loads(r.stdout), ""


def compare(label, got, want):
    for k in KEYS:
        check(f"{label} {k}", got[k] == want[k], f"asbuilt {got[k]}, PM4Py {want[k]}")
    wc = want["activity_counts"]
    gc = got["activity_counts"]
    diff = {a: (gc.get(a), wc.get(a)) for a in set(wc) | set(gc) if gc.get(a) != wc.get(a)}
    check(f"{label} activity_counts", not diff,
          "; ".join(f"{a!r}: asbuilt {g}, PM4Py {w}" for a, (g, w) in sorted(diff.items())[:5]))


if not os.path.isdir(os.path.join(DATA, "logs")):
    print(f"shared data not found at {DATA}")
    print("0 passed, 1 failed")
    sys.exit(1)

results = {}
for name in sorted(os.listdir(os.path.join(DATA, "logs"))):
    exp_path = os.path.join(DATA, "expected", name + ".json")
    pairs = sorted(f for f in os.listdir(os.path.join(DATA, "expected"))
                   if f.startswith(name + "__"))
    variants = []
    if os.path.exists(exp_path):
        variants.append((exp_path, []))
    for p in pairs:
        with open(os.path.join(DATA, "expected", p)) as f:
            e = json.load(f)
        if e["input"]["columns"].get("lifecycle_filter") == ["complete"]:
            variants.append((os.path.join(DATA, "expected", p), ["--lifecycle", "complete"]))
        elif not os.path.exists(exp_path) and not variants:
            variants.append((os.path.join(DATA, "expected", p), []))
    for exp, extra in variants:
        with open(exp) as f:
            want = json.load(f)["log"]
        label = name + (" " + " ".join(extra) if extra else "")
        got, err = stats(os.path.join(DATA, "logs", name), *extra)
        if got is None:
            check(label, False, err)
            continue
        compare(label, got, want)
        if not extra:
            results[name] = got

# The same data as XES and as CSV gives the same counts.
for a, b in [("pm4py_running-example.xes", "pm4py_running-example.csv"),
             ("pm4py_08_receipt.xes.gz", "pm4py_receipt.csv")]:
    if a in results and b in results:
        same = all(results[a][k] == results[b][k] for k in KEYS + ("activity_counts",))
        check(f"{a} == {b}", same, "counts differ between formats")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
