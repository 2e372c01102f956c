#!/usr/bin/env python3
"""tests/oom_sweep.py: whole-process allocation-failure sweep of the command line.

Runs a command once without failures (the baseline: its exit code, stdout,
report files and the number of allocations it makes), then once per failure
point N with the malloc shim (tests/oom_shim.c) failing the N-th allocation
of the process: asbuilt's, libxml2's, zlib's and the C library's. Each point
must end in one of two ways:

  clean error   exit 4, a message saying memory ran out, no report file
                (and no temporary file) left behind;
  exact output  the baseline's exit code, stdout and report files, byte for byte
                (the failure was absorbed, e.g. by a cache that was not grown).

Anything else is counted against a class: crash (a signal, or the shim's
exit report missing), leak (more blocks live at exit than the baseline
leaves), wrong result (exit 0 or the baseline's code with other bytes),
exit 0 without the reports, a wrong exit code or message (out of memory
reported as bad data, say), partial output (an error with a report
written), or, for the points run under valgrind (--valgrind K), a memory
error or a definite leak. Exit status: 0 when every class but the two good
ones is 0.

Usage: oom_sweep.py --asbuilt PATH --shim PATH [--scenario NAME]... [--stride K]
                    [--persist] [--jobs J] [--data DIR] [--show N]
Scenarios (all but diff-a32 by default): stats --json on the running example
as XES and CSV, on small gzipped XES and CSV logs and on an XES declared
ISO-8859-1; diff of the running example (XES, and CSV) against its map with
every report, and with a mapping file, accepted deviations and a gate; diff
of the LoanApp log (gzipped CSV) and of pm4py_09_a32f0n00 (13,700 points:
diff-a32, only when named); discover (JSON, SVG, one-pass), model --log,
model of a map declared ISO-8859-1, and sniff. The diffs run with --threads 1
(unless --threads says otherwise), so that the N-th allocation is the same
one from run to run. With --stride K only every K-th point is run, and the
output says so.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

DATA = "datasets"
PROGRAM = "asbuilt"  # The only program the shim acts in (not valgrind's shell).
SLOW = {"diff-a32"}  # Swept only when named.
OOM_WORDS = ("out of memory", "Cannot allocate memory", "Memory allocation failed")


def scenarios(data, threads=1):
    def log(name):
        return os.path.join(data, "logs", name)
    xes = log("pm4py_running-example.xes")
    csv = log("pm4py_running-example.csv")
    bpmn = os.path.join(data, "models", "pm4py_running-example.bpmn")
    reports = ["--json", "gap.json", "--md", "gap.md", "--html", "gap.html", "--cases",
               "cases.jsonl", "--threads", str(threads), "-q"]
    files = ["gap.json", "gap.md", "gap.html", "cases.jsonl"]
    return {
        # name: (arguments after the asbuilt path, report files)
        "xes": (["stats", "--json", xes], []),
        "csv": (["stats", "--json", csv], []),
        "xes-gz": (["stats", "--json", log("pm4py_09_a32f0n00.xes.gz")], []),
        "csv-gz": (["stats", "--json", log("simod_branch_rules_or_1.csv.gz")], []),
        "diff": (["diff", xes, "--model", bpmn] + reports, files),
        "diff-csv": (["diff", csv, "--model", bpmn] + reports, files),
        "discover": (["discover", xes, "-o", "dfg.json"], ["dfg.json"]),
        "discover-svg": (["discover", xes, "--format", "svg", "-o", "dfg.svg"], ["dfg.svg"]),
        "discover-one-pass": (["discover", xes, "--one-pass", "-o", "dfg.json"], ["dfg.json"]),
        "model": (["model", bpmn, "--json", "--log", xes, "-o", "model.json"], ["model.json"]),
        "sniff": (["sniff", csv, "--json", "-o", "sniff.json"], ["sniff.json"]),
        # Declared ISO-8859-1: libxml2 converts, with the handlers it
        # registers at its first use (allocations that can fail too).
        "model-latin1": (["model", os.path.join(data, "models", "miwg_Reference_A.3.0.bpmn"),
                          "--json", "-o", "model.json"], ["model.json"]),
        "xes-latin1": (["stats", "--json", "@latin1.xes"], []),
        # A mapping file, an accepted-deviations file and a gate: the files
        # are read with the C library's stdio.
        # A larger map (lanes, gateways) and a gzipped CSV log: 4,800 points.
        "diff-loan": (["diff", log("simod_LoanApp_simplified.csv.gz"), "--model",
                       os.path.join(data, "models", "simod_LoanApp_simplified.bpmn")] + reports,
                      files),
        # 13,700 points: only when named (bench/oom_sweep.sh samples it).
        "diff-a32": (["diff", log("pm4py_09_a32f0n00.xes.gz"), "--model",
                      os.path.join(data, "models", "pm4py_a32f0n00.bpmn")] + reports, files),
        "diff-files": (["diff", xes, "--model", bpmn, "--map", "@map.csv", "--accept",
                        "@accept.txt", "--fail-above", "M1=0.9"] + reports, files),
    }


def map_csv(data, folder):
    """The running example's tasks mapped one to one, the last one to two activities."""
    names = ["check ticket", "decide", "examine casually", "examine thoroughly",
             "pay compensation", "register request", "reinitiate request", "reject request"]
    path = os.path.join(folder, "map.csv")
    with open(path, "w") as f:
        f.write("task,activity\n")
        for n in names:
            f.write("%s,%s\n" % (n, n))
        f.write("reject request,pay compensation\n")
    return path


def accept_txt(data, folder):
    path = os.path.join(folder, "accept.txt")
    with open(path, "w") as f:
        f.write("# accepted\nbypass,check ticket\nrework,*\ntransition,decide,END\n")
    return path


def latin1_xes(data, folder):
    """The running example declared ISO-8859-1, with one Latin-1 byte."""
    with open(os.path.join(data, "logs", "pm4py_running-example.xes"), "rb") as f:
        src = f.read()
    end = src.index(b"?>") + 2 if src.startswith(b"<?xml") else 0
    text = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + src[end:]
    text = text.replace(b"register request", b"register r\xe9quest")
    path = os.path.join(folder, "latin1.xes")
    with open(path, "wb") as f:
        f.write(text)
    return path


# Under valgrind the shim must keep its malloc: nouserintercepts leaves every
# object but the C library alone, and the shim's calls to __libc_malloc are
# what memcheck sees.
VALGRIND = ["valgrind", "-q", "--soname-synonyms=somalloc=nouserintercepts", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99"]


def run(args, shim, point, persist, workdir):
    """Runs asbuilt in workdir; returns (rc, stdout, stderr, shim report dict or None)."""
    env = dict(os.environ)
    env["LD_PRELOAD"] = shim
    env["AB_OOM_REPORT"] = os.path.join(workdir, ".shim")
    env["AB_OOM_FAIL"] = str(point)
    env["AB_OOM_PERSIST"] = "1" if persist else "0"
    env["AB_OOM_PROGRAM"] = PROGRAM
    p = subprocess.run(args, cwd=workdir, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    rep = None
    try:
        with open(env["AB_OOM_REPORT"]) as f:
            w = f.read().split()
            rep = {w[i]: int(w[i + 1]) for i in range(0, len(w) - 1, 2)}
        os.unlink(env["AB_OOM_REPORT"])
    except (OSError, ValueError, IndexError):
        rep = None
    return p.returncode, p.stdout, p.stderr, rep


def read_outputs(workdir, files):
    out = {}
    for name in files:
        path = os.path.join(workdir, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                out[name] = f.read()
    return out


def classify(base, rc, stdout, stderr, rep, outputs, leftovers):
    """Returns (class, detail). A wrong end is named before a leak."""
    if rc == 99 and b"==" in stderr:
        return "memory", "valgrind: " + stderr.decode("utf-8", "replace").strip().splitlines()[0]
    if rc < 0 or rc >= 128 or rep is None or b"Sanitizer" in stderr:
        return "crash", "signal %d" % -rc if rc < 0 else "exit %d" % rc
    cls, detail = outcome(base, rc, stdout, stderr, outputs, leftovers)
    if cls in ("clean", "exact") and rep["live"] > base["live"]:
        return "leak", "%d blocks live at exit, %d without failures" % (rep["live"], base["live"])
    return cls, detail


def outcome(base, rc, stdout, stderr, outputs, leftovers):
    if rc == base["rc"]:
        if rc == 0 and len(outputs) < len(base["outputs"]):
            return "exit0_no_output", "exit 0, %d of %d reports written" % (
                len(outputs), len(base["outputs"]))
        if stdout == base["stdout"] and outputs == base["outputs"] and not leftovers:
            return "exact", ""
        diff = [n for n in base["outputs"] if outputs.get(n) != base["outputs"][n]]
        if stdout != base["stdout"]:
            diff.append("stdout")
        return "wrong", "exit %d, different bytes in %s" % (rc, ", ".join(diff) or "leftovers")
    if rc == 4:
        if outputs or leftovers:
            return "partial", "exit 4 with %s left behind" % ", ".join(
                sorted(list(outputs) + leftovers))
        text = stderr.decode("utf-8", "replace")
        if not any(w in text for w in OOM_WORDS):
            return "wrong_code", "exit 4 without saying memory ran out"
        return "clean", ""
    return "wrong_code", "exit %d" % rc


CLASSES = [("clean", "clean errors"), ("exact", "exact outputs"), ("crash", "crashes"),
           ("leak", "leaks"), ("wrong", "silent wrong results"),
           ("exit0_no_output", "exit-0-without-output"), ("wrong_code", "wrong exit code or message"),
           ("partial", "errors leaving output behind"), ("memory", "valgrind errors")]


def sweep(name, args, files, shim, stride, persist, jobs, show, valgrind):
    top = tempfile.mkdtemp(prefix="oom-%s-" % name)
    try:
        # Inputs written for the sweep ("@name" in a scenario's arguments).
        made = {"@latin1.xes": latin1_xes, "@map.csv": map_csv, "@accept.txt": accept_txt}
        args = [made[x](DATA, top) if x in made else x for x in args]
        bdir = os.path.join(top, "b000000")  # As long as the points' folders.
        os.mkdir(bdir)
        rc, out, err, rep = run(args, shim, 0, False, bdir)
        if rep is None or rc != 0:
            sys.stderr.write("%s: the run without failures fails (exit %d):\n%s" %
                             (name, rc, err.decode("utf-8", "replace")))
            return None
        base = {"rc": rc, "stdout": out, "outputs": read_outputs(bdir, files),
                "live": rep["live"], "calls": rep["calls"]}
        if len(base["outputs"]) != len(files):
            sys.stderr.write("%s: the run without failures wrote no %s\n" % (name, files))
            return None
        if base["calls"] == 0:
            sys.stderr.write("%s: the shim counted no allocation: it is not preloaded\n" % name)
            return None
        points = list(range(1, base["calls"] + 1, stride))
        # The valgrind sample: evenly spaced among the points swept.
        vg = set(points[i * len(points) // valgrind] for i in range(valgrind)) if valgrind else set()

        def one(point):
            wdir = os.path.join(top, "p%06d" % point)
            os.mkdir(wdir)
            prc, pout, perr, prep = run((VALGRIND if point in vg else []) + args, shim, point,
                                        persist, wdir)
            outputs = read_outputs(wdir, files)
            leftovers = sorted(n for n in os.listdir(wdir) if n not in files)
            cls, detail = classify(base, prc, pout, perr, prep, outputs, leftovers)
            shutil.rmtree(wdir, ignore_errors=True)
            return point, cls, detail, perr

        counts = {c: 0 for c, _ in CLASSES}
        bad = []
        with ThreadPoolExecutor(max_workers=jobs) as ex:
            for point, cls, detail, perr in ex.map(one, points):
                counts[cls] += 1
                if cls not in ("clean", "exact"):
                    bad.append((point, cls, detail, perr))
        for point, cls, detail, perr in (bad if show < 0 else bad[:show]):
            msg = perr.decode("utf-8", "replace").strip().splitlines()
            print("  %s point %d: %s: %s%s" % (name, point, cls, detail,
                                             (" | " + msg[-1]) if msg else ""))
        if 0 <= show < len(bad):
            print("  %s: %d more failing points not shown" % (name, len(bad) - show))
        counts["points"] = len(points)
        counts["calls"] = base["calls"]
        counts["valgrind"] = len(vg)
        return counts
    finally:
        shutil.rmtree(top, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--asbuilt", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--data", default=os.environ.get("AB_DATASETS", "datasets"))
    ap.add_argument("--scenario", action="append", choices=list(scenarios("")))
    ap.add_argument("--stride", type=int, default=1,
                    help="sweep every K-th failure point from 1 (default: every point)")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads of the diff runs; above 1 the N-th allocation is not the same "
                    "one from run to run, but every end must still be clean or exact")
    ap.add_argument("--persist", action="store_true",
                    help="fail every allocation from the N-th on, not only the N-th")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--show", type=int, default=20, help="failing points printed per scenario (-1: all)")
    ap.add_argument("--valgrind", type=int, default=0, metavar="K",
                    help="run K of the points (evenly spaced) under valgrind's memcheck: memory "
                    "errors on the error paths, and leaks by reachability")
    a = ap.parse_args()
    a.data = os.path.abspath(a.data)
    global DATA, PROGRAM
    DATA = a.data
    PROGRAM = os.path.basename(a.asbuilt)
    if os.environ.get("LD_PRELOAD"):
        print("SKIP: LD_PRELOAD is already set (a sanitizer runtime?)")
        return 77
    shim = os.path.abspath(a.shim)
    all_sc = scenarios(a.data, a.threads)
    names = a.scenario or [n for n in all_sc if n not in SLOW]
    total = {c: 0 for c, _ in CLASSES}
    total["points"] = 0
    failed_run = False
    for name in names:
        args, files = all_sc[name]
        stride = a.stride
        counts = sweep(name, [os.path.abspath(a.asbuilt)] + args, files, shim, stride,
                       a.persist, a.jobs, a.show, a.valgrind)
        if counts is None:
            failed_run = True
            continue
        print("%s: %d allocations, %d points swept (every %s%s), %s: %s" % (
            name, counts["calls"], counts["points"],
            "point" if stride == 1 else "%d%s point from 1" % (stride, {2: "nd", 3: "rd"}.get(
                stride, "th")),
            "; %d of them under valgrind" % counts["valgrind"] if counts["valgrind"] else "",
            ("persistent" if a.persist else "one-shot") + " failure" +
            ("" if a.threads == 1 or not name.startswith("diff") else
             ", %d threads (points not reproducible)" % a.threads),
            ", ".join("%s %d" % (label, counts[c]) for c, label in CLASSES)))
        for c in total:
            total[c] += counts[c]
        sys.stdout.flush()
    print("total: points %d, %s" % (total["points"], ", ".join(
        "%s %d" % (label, total[c]) for c, label in CLASSES)))
    bad = sum(total[c] for c, _ in CLASSES if c not in ("clean", "exact"))
    return 1 if bad or failed_run else 0


if __name__ == "__main__":
    sys.exit(main())
