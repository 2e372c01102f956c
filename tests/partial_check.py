#!/usr/bin/env python3
"""Partials give the report of the whole input, byte for byte.

For each shipped real log (with its map) and a log simulated with deviations
by absim, the input is split by case into 7 parts (contiguous, round robin and
by hash of the case id) and by time into 5 parts (cut at timestamps, so that
cases cross parts). Each part is written as a log file of its own format, made
into a partial with `asbuilt partial` (and the whole input into 7 partials with
`asbuilt partial --rank R/7`), and the partials are read as one log by
`stats --json`, `discover --format json` and `diff --json` (and its `--cases`
lines): every output must
equal the one process over the whole input, byte for byte, once the section
that names the input files ("input" / "inputs") is taken out.

Then the four bad partials: truncated, wrong version, checksum mismatch, and
partials built with different options must each exit 3 with a message naming
the file, the byte offset and what was expected.

usage: partial_check.py ASBUILT ABSIM [DATASETS]
"""
import csv
import datetime
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ASBUILT = sys.argv[1]
ABSIM = sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[3] if len(sys.argv) > 3 else os.path.join(HERE, "..", "datasets")
LOGS = os.path.join(DATA, "logs")
MODELS = os.path.join(DATA, "models")
MAPS = os.path.join(DATA, "maps")
XES_NS = "http://www.xes-standard.org"

# log, map, extra options (the same for every run on that log).
PAIRS = [
    ("pm4py_running-example.xes", "pm4py_running-example.bpmn", []),
    ("pm4py_running-example.csv", "pm4py_running-example.bpmn", []),
    ("pm4py_08_receipt.xes.gz", "pm4py_receipt.bpmn", []),
    ("pm4py_09_a32f0n00.xes.gz", "pm4py_a32f0n00.bpmn", []),
    ("simod_LoanApp_simplified.csv.gz", "simod_LoanApp_simplified.bpmn", []),
    ("simod_LoanApp_simplified_without_approve_loan_offer.csv", "simod_LoanApp_simplified.bpmn", []),
    ("simod_branch_rules_or_1.csv.gz", "simod_branch_rules_or.bpmn", []),
    ("simod_PurchasingExample.xes.gz", "simod_PurchasingExample.bpmn", []),
    ("bpic2020_DomesticDeclarations.xes.gz", "bpic2020_declaration_documents.bpmn",
     ["--map", os.path.join(MAPS, "bpic2020_declaration_documents.map.csv")]),
]

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg, flush=True)


def run(args, expect=0):
    p = subprocess.run([ASBUILT] + args, capture_output=True)
    if p.returncode != expect:
        raise RuntimeError("asbuilt %s: exit %d, expected %d\n%s" % (
            " ".join(args), p.returncode, expect, p.stderr.decode(errors="replace")))
    return p


def opener(path, mode):
    return gzip.open(path, mode) if path.endswith(".gz") else open(path, mode)


def parse_time(text):
    t = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return t.timestamp()


# ---- Reading and writing the inputs as units: (case id, time, payload). ----

def read_csv(path):
    with opener(path, "rt") as f:
        text = f.read()
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    names = [h.strip() for h in header]
    case = next(i for i, h in enumerate(names)
                if h in ("case:concept:name", "case_id", "Case ID", "case"))
    ts = next(i for i, h in enumerate(names)
              if h in ("time:timestamp", "end_time", "Complete Timestamp", "timestamp"))
    events = [(r[case], parse_time(r[ts]), r) for r in body]
    return header, events


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def read_xes(path):
    ET.register_namespace("", XES_NS)
    with opener(path, "rb") as f:
        root = ET.parse(f).getroot()
    traces = [c for c in root if c.tag.endswith("trace")]
    for t in traces:
        root.remove(t)
    out = []
    for k, t in enumerate(traces):
        cid = None
        for a in t:
            if not a.tag.endswith("event") and a.get("key") == "concept:name":
                cid = a.get("value")
        out.append((cid if cid is not None else "#%d" % k, t))
    return root, out


def event_time(ev):
    for a in ev:
        if a.get("key") == "time:timestamp":
            return parse_time(a.get("value"))
    return 0.0


def write_xes(path, root, traces):
    shell = ET.Element(root.tag, root.attrib)
    for c in root:
        shell.append(c)
    for t in traces:
        shell.append(t)
    ET.ElementTree(shell).write(path, encoding="utf-8", xml_declaration=True)


def split_by_case(cases, parts, how):
    """cases: ids in first-appearance order -> {id: part}."""
    if how == "contiguous":
        per = (len(cases) + parts - 1) // parts
        return {c: min(i // max(per, 1), parts - 1) for i, c in enumerate(cases)}
    if how == "round-robin":
        return {c: i % parts for i, c in enumerate(cases)}
    import hashlib
    return {c: int(hashlib.sha1(c.encode()).hexdigest(), 16) % parts for c in cases}


def time_cuts(times, parts):
    s = sorted(times)
    cuts = []
    for k in range(1, parts):
        cuts.append(s[len(s) * k // parts])
    return cuts


def time_part(t, cuts):
    p = 0
    while p < len(cuts) and t >= cuts[p]:
        p += 1
    return p


def make_parts(log, work, mode):
    """Writes the parts of log for mode ("case:HOW" or "time"); returns their paths."""
    base = os.path.basename(log)
    is_xes = ".xes" in base
    paths = []
    crossing = 0
    if is_xes:
        root, traces = read_xes(log)
        if mode.startswith("case:"):
            n = 7
            owner = split_by_case([c for c, _ in traces], n, mode[5:])
            groups = [[t for c, t in traces if owner[c] == k] for k in range(n)]
        else:
            n = 5
            times = [event_time(e) for _, t in traces for e in t if e.tag.endswith("event")]
            cuts = time_cuts(times, n)
            untimed = len(set(times)) < n
            groups = [[] for _ in range(n)]
            for _, t in traces:
                head = [a for a in t if not a.tag.endswith("event")]
                evs = [e for e in t if e.tag.endswith("event")]
                by = {}
                for j, e in enumerate(evs):
                    # A log without timestamps keeps file order: cut each case by position.
                    k = j * n // len(evs) if untimed else time_part(event_time(e), cuts)
                    by.setdefault(k, []).append(e)
                crossing += len(by) > 1
                for k, es in sorted(by.items()):
                    nt = ET.Element(t.tag, t.attrib)
                    for a in head:
                        nt.append(a)
                    for e in es:
                        nt.append(e)
                    groups[k].append(nt)
        for k, g in enumerate(groups):
            if not g:
                continue
            p = os.path.join(work, "part%d.xes" % k)
            write_xes(p, root, g)
            paths.append(p)
    else:
        header, events = read_csv(log)
        if mode.startswith("case:"):
            n = 7
            order = list(dict.fromkeys(c for c, _, _ in events))
            owner = split_by_case(order, n, mode[5:])
            groups = [[r for c, _, r in events if owner[c] == k] for k in range(n)]
        else:
            n = 5
            cuts = time_cuts([t for _, t, _ in events], n)
            groups = [[] for _ in range(n)]
            seen = {}
            for c, t, r in events:
                k = time_part(t, cuts)
                groups[k].append(r)
                seen.setdefault(c, set()).add(k)
            crossing = sum(1 for s in seen.values() if len(s) > 1)
        for k, g in enumerate(groups):
            if not g:
                continue
            p = os.path.join(work, "part%d.csv" % k)
            write_csv(p, header, g)
            paths.append(p)
    if mode == "time" and crossing == 0:
        fail("%s: the time split has no case crossing parts" % base)
    return paths, crossing


def outputs(inputs, model, extra):
    """The three JSON outputs, without the sections that name the files."""
    res = {}
    st = run(["stats", "--json", "-q"] + extra_read(extra) + inputs).stdout
    res["stats"] = strip_inputs(st)
    res["discover"] = run(["discover", "--format", "json", "-q"] + extra_read(extra) + inputs).stdout
    fd, cases = tempfile.mkstemp(suffix=".jsonl")
    os.close(fd)
    res["diff"] = strip_inputs(run(["diff", "--json", "-", "-q", "--cases", cases, "--model", model]
                                   + extra + inputs).stdout)
    with open(cases, "rb") as f:
        res["diff --cases"] = f.read()
    os.unlink(cases)
    return res


def extra_read(extra):
    """The options of extra that every command takes (log-reading ones)."""
    out = []
    i = 0
    while i < len(extra):
        if extra[i] in ("--map",):
            i += 2
            continue
        out.append(extra[i])
        i += 1
    return out


def strip_inputs(raw):
    d = json.loads(raw)
    d.pop("input", None)
    d.pop("inputs", None)
    return json.dumps(d, indent=1).encode()


def compare(name, whole, got):
    for k in whole:
        if whole[k] != got[k]:
            a = whole[k].decode().splitlines()
            b = got[k].decode().splitlines()
            first = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]),
                         min(len(a), len(b)))
            fail("%s: %s differs from the one process over the whole input at line %d:\n"
                 "  whole: %s\n  split: %s" % (name, k, first + 1,
                                               a[first] if first < len(a) else "<end>",
                                               b[first] if first < len(b) else "<end>"))


def check_pair(log, model, extra, work, modes):
    whole = outputs([log], model, extra)
    # The partial of the whole file reads as the file.
    whole_part = os.path.join(work, "whole.part")
    run(["partial", "-q"] + extra_read(extra) + [log, "-o", whole_part])
    compare("%s as one partial" % os.path.basename(log), whole,
            outputs([whole_part], model, extra))
    # Partials of the whole file by rank of the case id's hash (asbuilt partial --rank R/7).
    ranks = []
    for r in range(7):
        q = os.path.join(work, "rank%d.part" % r)
        run(["partial", "-q", "--rank", "%d/7" % r] + extra_read(extra) + [log, "-o", q])
        ranks.append(q)
    before = len(failures)
    compare("%s as 7 partials by --rank" % os.path.basename(log), whole,
            outputs(ranks, model, extra))
    if len(failures) == before:
        print("ok  %-58s %-16s 7 partials" % (os.path.basename(log), "--rank"), flush=True)
    for mode in modes:
        d = os.path.join(work, mode.replace(":", "-"))
        os.makedirs(d)
        paths, crossing = make_parts(log, d, mode)
        parts = []
        for p in paths:
            q = p + ".part"
            run(["partial", "-q"] + extra_read(extra) + [p, "-o", q])
            parts.append(q)
        before = len(failures)
        compare("%s split %s into %d partials (%d cases crossing)" % (
            os.path.basename(log), mode, len(parts), crossing), whole,
            outputs(parts, model, extra))
        if len(failures) == before:
                print("ok  %-58s %-16s %d partials, %d cases crossing" % (
                    os.path.basename(log), mode, len(parts), crossing), flush=True)


def check_bad(work):
    log = os.path.join(LOGS, "pm4py_running-example.csv")
    good = os.path.join(work, "good.part")
    run(["partial", "-q", log, "-o", good])
    data = open(good, "rb").read()

    def expect(name, content, args_extra, want):
        p = os.path.join(work, name)
        with open(p, "wb") as f:
            f.write(content)
        r = subprocess.run([ASBUILT, "stats", "-q"] + args_extra + [p], capture_output=True)
        msg = r.stderr.decode(errors="replace")
        if r.returncode != 3:
            fail("%s: exit %d, expected 3 (%s)" % (name, r.returncode, msg.strip()))
        elif p not in msg or not all(w in msg for w in want):
            fail("%s: the message does not name the file and %s: %s" % (name, want, msg.strip()))
        else:
            print("ok  bad partial %-20s %s" % (name, msg.strip()), flush=True)

    expect("truncated.part", data[:len(data) // 2], [],
           ["truncated", "byte %d" % (len(data) // 2), "expected %d bytes" % len(data)])
    bad = bytearray(data)
    bad[8] = 2
    expect("version.part", bytes(bad), [], ["version 2", "byte 8", "expected version 1"])
    bad = bytearray(data)
    bad[len(data) // 2] ^= 0x01
    expect("checksum.part", bytes(bad), [], ["checksum", "byte %d" % (len(data) - 4)])
    # Partials built with different options: a lifecycle filter, a classifier.
    other = os.path.join(work, "other.part")
    run(["partial", "-q", "--lifecycle", "complete", log, "-o", other])
    r = subprocess.run([ASBUILT, "stats", "-q", good, other], capture_output=True)
    msg = r.stderr.decode(errors="replace")
    if r.returncode != 3 or other not in msg or "lifecycle" not in msg or "byte 16" not in msg:
        fail("partials with different options: exit %d, %s" % (r.returncode, msg.strip()))
    else:
        print("ok  bad partial %-20s %s" % ("other options", msg.strip()), flush=True)
    r = subprocess.run([ASBUILT, "stats", "-q", "--tz", "+02:00", good], capture_output=True)
    msg = r.stderr.decode(errors="replace")
    if r.returncode != 3 or good not in msg or "tz" not in msg:
        fail("a partial read with other options: exit %d, %s" % (r.returncode, msg.strip()))
    else:
        print("ok  bad partial %-20s %s" % ("read with --tz", msg.strip()), flush=True)


def main():
    only = os.environ.get("PARTIAL_CHECK_ONLY")
    work = tempfile.mkdtemp(prefix="asbuilt-partial-")
    try:
        check_bad(work)
        # A log simulated from the LoanApp map with every kind of deviation.
        sim = os.path.join(work, "sim.csv")
        subprocess.run([ABSIM, os.path.join(MODELS, "simod_LoanApp_simplified.bpmn"),
                        "--cases", "3000", "--seed", "7", "--format", "csv", "-o", sim,
                        "--truth", os.path.join(work, "sim.truth.json"), "--skip", "0.1",
                        "--insert", "0.05", "--repeat", "0.05", "--swap", "0.05", "-q"],
                       check=True)
        pairs = [(sim, os.path.join(MODELS, "simod_LoanApp_simplified.bpmn"), [])]
        pairs += [(os.path.join(LOGS, l), os.path.join(MODELS, m), e) for l, m, e in PAIRS]
        for i, (log, model, extra) in enumerate(pairs):
            if only and only not in log:
                continue
            if not os.path.exists(log):
                fail("missing %s" % log)
                continue
            # Every split on the small logs; round robin and time on the others.
            small = os.path.getsize(log) < 200000
            modes = (["case:contiguous", "case:round-robin", "case:hash", "time"] if small
                     else ["case:round-robin" if i % 2 else "case:hash", "time"])
            d = os.path.join(work, "pair%d" % i)
            os.makedirs(d)
            check_pair(log, model, extra, d, modes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("all partials give the report of the whole input")


if __name__ == "__main__":
    main()
