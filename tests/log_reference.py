#!/usr/bin/env python3
"""Random logs against a reference that follows the documented rules.

Each seed writes a small log in one to three files, XES or CSV, with what
real exports hold: events without timestamps, lifecycle starts, resources or
none, ties, cases spread over files, interleaved or grouped by case, sorted by
time or not, and XES cases met again in later traces (an export whose first
traces hold only untimed events, say). The reference, written from the rules
in asbuilt/log.h and not from the code:
- a log with some timestamp drops the events without one; a log with none
  keeps them all;
- a case's events are ordered by timestamp, ties in input order (the files
  in the order given, each from its top);
- activities and resources are those of the events kept.
`asbuilt stats --json` must give its cases, events, activities, resources and
every variant with its cases; the partials of the files, one each, must give
the same JSON (apart from "input") under stats and discover.

usage: log_reference.py ASBUILT [SEEDS]
"""
import collections
import json
import os
import random
import subprocess
import sys
import tempfile

ASBUILT = sys.argv[1]
SEEDS = int(sys.argv[2]) if len(sys.argv) > 2 else 120
ACTS = ["A", "B", "C", "D", "E"]
failures = []


def stamp(t):
    return "2024-01-%02dT%02d:%02d:%02dZ" % (1 + t // 86400, t // 3600 % 24, t // 60 % 60, t % 60)


def make_log(rnd):
    """Cases as (id, [(activity, time or None, lifecycle, resource)])."""
    untimed = rnd.choice([0.0, 0.0, 0.1, 0.5, 1.0])
    cases = []
    for c in range(rnd.randint(5, 60)):
        t = rnd.randint(0, 5000)
        evs = []
        for _ in range(rnd.randint(1, 8)):
            t += rnd.choice([0, 0, 1, 5, 60, 3600])
            evs.append((rnd.choice(ACTS), None if rnd.random() < untimed else t,
                        rnd.choice(["complete", "complete", "start", None]),
                        rnd.choice(["r1", "r2", "r3", None])))
        cases.append(("c%d" % c, evs))
    return cases


def layout(rnd, cases, nfiles):
    """The events file by file, in writing order; and the format."""
    events = [(cid, e) for cid, evs in cases for e in evs]
    grouped = rnd.random() < 0.3
    if grouped:
        # Grouped by case in order of the first event, after traces that
        # hold one untimed event of some cases.
        for _, evs in cases:
            evs[:] = sorted(((a, 0 if t is None else t, lc, r) for a, t, lc, r in evs),
                            key=lambda e: e[1])
        cases.sort(key=lambda ce: (ce[1][0][1], ce[0]))
        pre = [(cid, ("Z", None, None, None)) for cid, _ in rnd.sample(cases, len(cases) // 3)]
        return [pre + [(cid, e) for cid, evs in cases for e in evs]], "xes"
    if rnd.random() < 0.5:
        events.sort(key=lambda x: x[1][1] if x[1][1] is not None else rnd.randint(0, 9000))
    files = [[] for _ in range(nfiles)]
    for ev in events:
        files[rnd.randrange(nfiles)].append(ev)
    return files, rnd.choice(["xes", "csv"])


def write(files, fmt, base):
    paths = []
    for i, f in enumerate(files):
        path = "%s-%d.%s" % (base, i, fmt)
        with open(path, "w") as w:
            if fmt == "csv":
                w.write("case,activity,lifecycle,resource,timestamp\n")
                for cid, (a, t, lc, r) in f:
                    w.write("%s,%s,%s,%s,%s\n" % (cid, a, lc or "", r or "",
                                                  stamp(t) if t is not None else ""))
            else:
                # A trace per run of one case's events: a case may come back.
                runs = []
                for cid, e in f:
                    if not runs or runs[-1][0] != cid:
                        runs.append((cid, []))
                    runs[-1][1].append(e)
                w.write('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n')
                for cid, run in runs:
                    w.write('<trace><string key="concept:name" value="%s"/>\n' % cid)
                    for a, t, lc, r in run:
                        w.write('<event><string key="concept:name" value="%s"/>' % a)
                        if t is not None:
                            w.write('<date key="time:timestamp" value="%s"/>' % stamp(t))
                        if lc:
                            w.write('<string key="lifecycle:transition" value="%s"/>' % lc)
                        if r:
                            w.write('<string key="org:resource" value="%s"/>' % r)
                        w.write("</event>\n")
                    w.write("</trace>\n")
                w.write("</log>\n")
        paths.append(path)
    return paths


def reference(files, fmt):
    events = [ev for f in files for ev in f]
    if fmt == "csv":
        # A CSV row without a timestamp is dropped as it is read.
        events = [ev for ev in events if ev[1][1] is not None]
    timed = any(e[1] is not None for _, e in events)
    per = collections.OrderedDict()
    for i, (cid, (a, t, lc, r)) in enumerate(events):
        if timed and t is None:
            continue
        per.setdefault(cid, []).append((t if t is not None else 0, i, a, r))
    variants = collections.Counter(tuple(a for _, _, a, _ in sorted(x)) for x in per.values())
    kept = [e for x in per.values() for e in x]
    return {
        "cases": len(per),
        "events": len(kept),
        "activities": len({a for _, _, a, _ in kept}),
        "resources": len({r for _, _, _, r in kept if r is not None}),
    }, variants


def run(args):
    p = subprocess.run([ASBUILT] + args, capture_output=True, text=True)
    return p.returncode, p.stderr


def without_input(path):
    with open(path) as f:
        d = json.load(f)
    d.pop("input", None)
    d.pop("inputs", None)
    return d


with tempfile.TemporaryDirectory() as tmp:
    checked = 0
    for seed in range(1, SEEDS + 1):
        rnd = random.Random(seed)
        cases = make_log(rnd)
        files, fmt = layout(rnd, cases, rnd.randint(1, 3))
        base = os.path.join(tmp, "s%d" % seed)
        paths = write(files, fmt, base)
        out = base + ".stats.json"
        rc, err = run(["stats", "-q", "--json", "--top", "1000000", "-o", out] + paths)
        want, want_vars = reference(files, fmt)
        if want["events"] == 0:
            # Every row dropped (a CSV without one timestamp): a report of
            # nothing, with the drops, or a refusal; never a crash.
            if rc not in (0, 3):
                failures.append("seed %d: a log of dropped rows, exit %d" % (seed, rc))
            continue
        if rc != 0:
            failures.append("seed %d: stats exit %d: %s" % (seed, rc, err.strip()[:200]))
            continue
        with open(out) as f:
            got = json.load(f)
        have = {k: got[k] for k in want}
        have_vars = collections.Counter(
            {tuple(v["activities"]): v["cases"] for v in got["top_variants"]})
        if have != want:
            failures.append("seed %d (%s): stats %s, reference %s" % (seed, fmt, have, want))
        if have_vars != want_vars:
            diff = (have_vars - want_vars) + (want_vars - have_vars)
            failures.append("seed %d (%s): variants differ, e.g. %s" %
                            (seed, fmt, list(diff.items())[:2]))
        # The partials of the files, read as one log: the same JSON.
        parts = []
        for p in paths:
            rc, err = run(["partial", "-q", p, "-o", p + ".part"])
            if rc != 0:
                failures.append("seed %d: partial exit %d: %s" % (seed, rc, err.strip()[:200]))
            parts.append(p + ".part")
        for cmd in (["stats", "--json", "--top", "1000000"], ["discover", "--variants", "0"],
                    ["discover", "--instances"]):
            a, b = base + ".a.json", base + ".b.json"
            ra, _ = run(cmd[:1] + ["-q", "-o", a] + cmd[1:] + paths)
            rb, _ = run(cmd[:1] + ["-q", "-o", b] + cmd[1:] + parts)
            if ra != 0 or rb != 0 or without_input(a) != without_input(b):
                failures.append("seed %d: %s of the partials differs from the files'" %
                                (seed, " ".join(cmd)))
        checked += 1

for f in failures:
    print("FAIL", f)
print("%d seeds checked against the reference, %d failures" % (checked, len(failures)))
sys.exit(1 if failures or checked < SEEDS // 2 else 0)
