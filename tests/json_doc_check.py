#!/usr/bin/env python3
"""tests/json_doc_check.py: every key of every JSON output is documented.

Runs `asbuilt diff --json` and `--cases`, `stats --json`, `model --json`,
`discover` and `sniff --json` on shipped logs and maps, collects every key
path of what they write (recursively, the elements of a list merged), and
checks that docs/json-report.md lists each one, so that the document cannot
fall behind the writers. A key that appears only in some reports (a status
object, the fields of a measured time impact) is checked whenever a run
writes it.

The document's notation: tables under an HTML comment `<!-- keys: NAME -->`
(gap, cases, stats, model, dfg, sniff; `types` for the shared objects),
whose first cell holds one or more backticked key paths: `a.b` is key b of
object a, `a[]` an element of list a, `*` any key (a name that is data).
A row whose type cell names a shared object (`RATE`, `list of EXAMPLE`...)
stands for that object's rows (`RATE.count`...) under its own path.

Usage: json_doc_check.py PATH/TO/asbuilt [DOC]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def parse_doc(path):
    """Returns {schema: set of key-path tuples} with shared objects expanded."""
    rows = {}  # schema -> list of (path, type cell)
    schema = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*<!--\s*keys:\s*(\w+)\s*-->", line)
            if m:
                schema = m.group(1)
                rows.setdefault(schema, [])
                continue
            if schema is None or not line.startswith("| `"):
                continue
            # Split on | not escaped as \|.
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if len(cells) < 2:
                continue
            for p in re.findall(r"`([^`]+)`", cells[0]):
                rows[schema].append((p, cells[1]))
    types = {}  # shared object name -> list of (relative path, type cell)
    for p, t in rows.get("types", []):
        name, _, rest = p.partition(".")
        types.setdefault(name, []).append((rest, t))

    def expand(path, tcell, out, depth=0):
        out.add(tuple(path.split(".")))
        if depth > 8:
            return
        for name in types:
            m = re.search(r"(list of\s+)?\b%s\b" % re.escape(name), tcell)
            if not m:
                continue
            base = path + "[]" if m.group(1) else path
            for rel, t in types[name]:
                expand(base + "." + rel, t, out, depth + 1)

    result = {}
    for schema, rs in rows.items():
        if schema == "types":
            continue
        out = set()
        for p, t in rs:
            expand(p, t, out)
        result[schema] = out
    return result


def key_paths(value, prefix=(), out=None):
    """Every key path of a JSON value, as tuples of segments; list items merged."""
    if out is None:
        out = set()
    if isinstance(value, dict):
        for k, v in value.items():
            p = prefix + (k,)
            out.add(p)
            key_paths(v, p, out)
    elif isinstance(value, list):
        if prefix:
            prefix = prefix[:-1] + (prefix[-1] + "[]",)
        for v in value:
            key_paths(v, prefix, out)
    return out


def matches(path, pattern):
    if len(path) != len(pattern):
        return False
    for s, p in zip(path, pattern):
        if p == s:
            continue
        if p == "*" or (p == "*[]" and s.endswith("[]")):
            continue
        return False
    return True


def documented(path, patterns):
    return path in patterns or any(matches(path, p) for p in patterns if len(p) == len(path))


def main():
    if len(sys.argv) < 2:
        print("usage: json_doc_check.py PATH/TO/asbuilt [DOC]", file=sys.stderr)
        return 2
    ab = sys.argv[1]
    doc = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "docs", "json-report.md")
    ds = os.environ.get("AB_DATASETS", os.path.join(ROOT, "datasets"))
    td = os.environ.get("AB_TESTDATA", os.path.join(HERE, "data"))
    pats = parse_doc(doc)
    for schema in ("gap", "cases", "stats", "model", "dfg", "sniff"):
        if len(pats.get(schema, ())) < 5:
            print("FAIL %s: no table of key paths for '%s' (<!-- keys: %s -->)" % (doc, schema,
                  schema))
            return 1

    logs = os.path.join(ds, "logs")
    models = os.path.join(ds, "models")
    loan_log = os.path.join(logs, "simod_LoanApp_simplified_without_approve_loan_offer.csv")
    loan_map = os.path.join(models, "simod_LoanApp_simplified.bpmn")
    bpic_log = os.path.join(logs, "bpic2020_DomesticDeclarations.xes.gz")
    bpic_map = os.path.join(models, "bpic2020_declaration_documents.bpmn")
    bpic_tasks = os.path.join(ds, "maps", "bpic2020_declaration_documents.map.csv")
    review_log = os.path.join(td, "gap", "review.csv")
    review_map = os.path.join(td, "gap", "review.bpmn")
    bpic_accept = os.path.join(td, "gap", "bpic2020.accept")

    seen = {}  # schema -> {path: first run that wrote it}
    failures = 0

    def run(args, ok_codes=(0,)):
        p = subprocess.run([ab] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode not in ok_codes:
            raise RuntimeError("asbuilt %s: exit %d\n%s" % (" ".join(args), p.returncode,
                                                            p.stderr.decode(errors="replace")))
        return p.stdout

    def collect(schema, what, value):
        for path in key_paths(value):
            seen.setdefault(schema, {}).setdefault(path, what)

    with tempfile.TemporaryDirectory() as tmp:
        gap_runs = [
            ("LoanApp pair", [loan_log, "--model", loan_map]),
            ("review pair", [review_log, "--model", review_map]),
            ("review pair, --open-cases exclude",
             [review_log, "--model", review_map, "--open-cases", "exclude"]),
            ("BPIC 2020 pair with --map, --accept, --fail-above",
             [bpic_log, "--model", bpic_map, "--map", bpic_tasks, "--accept", bpic_accept,
              "--fail-above", "M1=0.999,M9c=0.999"]),
        ]
        for i, (what, args) in enumerate(gap_runs):
            j = os.path.join(tmp, "gap%d.json" % i)
            c = os.path.join(tmp, "gap%d.cases" % i)
            run(["diff", "-q", "--threads", "1", "--json", j, "--cases", c] + args, (0, 1))
            with open(j, encoding="utf-8") as f:
                collect("gap", "diff --json, " + what, json.load(f))
            with open(c, encoding="utf-8") as f:
                for line in f:
                    collect("cases", "diff --cases, " + what, json.loads(line))
        for name in sorted(os.listdir(logs)):
            out = run(["stats", "--json", "-q", os.path.join(logs, name)])
            collect("stats", "stats --json " + name, json.loads(out))
        for name in sorted(os.listdir(models)):
            if name.endswith(".bpmn"):
                out = run(["model", "--json", "-q", os.path.join(models, name)])
                collect("model", "model --json " + name, json.loads(out))
        out = run(["model", "--json", "-q", "--log", bpic_log, "--map", bpic_tasks, bpic_map])
        collect("model", "model --json --log --map (BPIC 2020)", json.loads(out))
        out = run(["model", "--json", "-q", "--log", loan_log, loan_map])
        collect("model", "model --json --log (LoanApp)", json.loads(out))
        for args in ([os.path.join(logs, "pm4py_running-example.xes")],
                     [os.path.join(logs, "simod_LoanApp_simplified.csv.gz")],
                     ["--sketch", "--min-edge-cases", "2", "--top-variants", "3",
                      os.path.join(logs, "simod_PurchasingExample.xes.gz")],
                     ["--activities", "80%", os.path.join(logs, "pm4py_08_receipt.xes.gz")]):
            out = run(["discover", "--format", "json", "-q"] + args)
            collect("dfg", "discover " + " ".join(os.path.basename(a) for a in args),
                    json.loads(out))
        for name in sorted(os.listdir(logs)):
            if ".csv" in name:
                out = run(["sniff", "--json", "-q", os.path.join(logs, name)])
                collect("sniff", "sniff --json " + name, json.loads(out))

    total = 0
    for schema, paths in sorted(seen.items()):
        for path in sorted(paths):
            total += 1
            if not documented(path, pats[schema]):
                failures += 1
                print("FAIL %s: key '%s' (written by %s) is not documented in %s "
                      "(<!-- keys: %s --> tables)" % (schema, ".".join(path), paths[path],
                                                      os.path.relpath(doc, ROOT), schema))
    for schema in ("gap", "cases", "stats", "model", "dfg", "sniff"):
        if not seen.get(schema):
            failures += 1
            print("FAIL %s: no run wrote any key" % schema)
    # Documented keys no run wrote: for information (fields of the time-impact
    # revision, statuses that the shipped data does not reach).
    unseen = []
    for schema, ps in sorted(pats.items()):
        for p in sorted(ps):
            if not any(matches(q, p) for q in seen.get(schema, {})):
                unseen.append("%s:%s" % (schema, ".".join(p)))
    if unseen:
        print("note: %d documented keys not written by these runs: %s" % (len(unseen),
              ", ".join(unseen)))
    print("%d key paths checked, %d undocumented" % (total, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
