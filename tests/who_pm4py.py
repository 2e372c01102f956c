#!/usr/bin/env python3
"""Compares who-did-the-work numbers with PM4Py's, stored in
$AB_SHARED_DATA/expected/who/LOG[.complete].json (see the data README,
"Who did the work"):

- handover of work: `asbuilt discover --network handover` against
  pm4py.discover_handover_of_work_network(beta=0): the number of consecutive
  pairs, the number of distinct resource pairs, and every stored pair's count;
- four-eyes counts: `asbuilt stats --sod FILE --json` with the stored
  activity pairs against `with_both` and `same_resource` of each pair.

`.complete` files are checked with --lifecycle complete. A log whose file is
missing from the logs folder is reported as skipped, never as passed.
Prints one line per check and a closing "N passed, N failed, N skipped" line.
"""
import json
import os
import subprocess
import sys
import tempfile

ASBUILT = sys.argv[1]
DATA = os.environ.get("AB_SHARED_DATA", "../shared/data")
WHO = os.path.join(DATA, "expected", "who")
# The logs the issue names; each must have its expected file.
NAMED = ["pm4py_08_receipt.xes.gz", "pm4py_bpic2012.xes.gz", "simod_PurchasingExample.xes.gz",
         "eventdatar_hospital_billing.csv.gz", "bpic2020_DomesticDeclarations.xes.gz",
         "pm4py_running-example.xes"]

passed = failed = skipped = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def run(args):
    r = subprocess.run([ASBUILT, *args], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return json.loads(r.stdout), ""


if not os.path.isdir(WHO):
    print(f"expected who numbers not found at {WHO}")
    print("0 passed, 1 failed, 0 skipped")
    sys.exit(1)

files = sorted(f for f in os.listdir(WHO) if f.endswith(".json"))
for log in NAMED:
    if not any(f.startswith(log + ".") for f in files):
        check(f"{log} expected file", False, "no expected/who file for a log the issue names")

for f in files:
    exp = json.load(open(os.path.join(WHO, f)))
    log = exp["log"]
    path = os.path.join(DATA, "logs", log)
    label = f[:-5]
    if not os.path.exists(path):
        skipped += 1
        print(f"skip {label}: {path} not found")
        continue
    lc = ["--lifecycle", "complete"] if exp["lifecycle"] == "complete" else []
    before = passed
    # Handover of work.
    got, err = run(["discover", "--network", "handover", "--quiet", *lc, path])
    if got is None:
        check(f"{label} handover", False, err)
        continue
    h = exp["handover"]
    check(f"{label} handover total_pairs", got["total_pairs"] == h["total_pairs"],
          f"asbuilt {got['total_pairs']}, PM4Py {h['total_pairs']}")
    check(f"{label} handover pairs", len(got["pairs"]) == h["pairs"],
          f"asbuilt {len(got['pairs'])}, PM4Py {h['pairs']}")
    counts = {(p["from"], p["to"]): p["count"] for p in got["pairs"]}
    for frm, to, value, count in h["top"]:
        check(f"{label} handover {frm} -> {to}", counts.get((frm, to)) == count,
              f"asbuilt {counts.get((frm, to))}, PM4Py {count}")
        got_value = counts.get((frm, to), 0) / got["total_pairs"] if got["total_pairs"] else 0
        check(f"{label} handover value {frm} -> {to}", abs(got_value - value) < 1e-12,
              f"asbuilt {got_value}, PM4Py {value}")
    # Four eyes: every stored ordered pair (A, B). The counts are symmetric,
    # and asbuilt lists a pair of activities once, so (B, A) answers too.
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as sod:
        for e in exp["four_eyes"]:
            sod.write('"%s","%s"\n' % (e["A"].replace('"', '""'), e["B"].replace('"', '""')))
    try:
        got, err = run(["stats", "--json", "--quiet", "--top", "0", "--sod", sod.name, *lc, path])
    finally:
        os.unlink(sod.name)
    if got is None:
        check(f"{label} four-eyes", False, err)
        continue
    pairs = {}
    for p in got["sod"]["pairs"]:
        pairs[(p["a"], p["b"])] = p
        pairs[(p["b"], p["a"])] = p
    for e in exp["four_eyes"]:
        name = f"{label} four-eyes {e['A']} / {e['B']}"
        p = pairs.get((e["A"], e["B"]))
        if p is None:
            check(name, False, "pair missing from asbuilt's output")
            continue
        check(name + " with_both", p["with_both"] == e["with_both"],
              f"asbuilt {p['with_both']}, PM4Py {e['with_both']}")
        check(name + " same_resource", p["same_resource"] == e["same_resource"],
              f"asbuilt {p['same_resource']}, PM4Py {e['same_resource']}")
        # pm4py_kept is not asserted: PM4Py documents filter_four_eyes_principle
        # by the intersection of the two resource sets (a case is dropped when
        # one resource did both), but its pandas code compares each A event
        # with the case's last B event only. Cases where the shared resource
        # did an earlier B but not the last one are kept by PM4Py although the
        # definition drops them, so with_both - pm4py_kept can be smaller than
        # same_resource (7 of 30 pairs on receipt); where PM4Py keeps cases it
        # has no B event for, it can be larger. asbuilt follows the definition.
    print(f"ok   {label}: {passed - before} checks")

print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
