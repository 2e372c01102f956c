#!/usr/bin/env python3
"""Role conformance on the BPI Challenge 2020 domestic declarations log against
its documented map (five lanes), with the shipped lane-to-role mapping
datasets/maps/bpic2020_declaration_lanes.map.csv.

The log is read here independently (gzip + XML) and every number of the
role-conformance section is checked against it:
- each case line's role violations name the event at that position (events
  in timestamp order), with its activity, resource and org:role, and that
  role is not the role the lane maps to;
- per task, the violations listed in the case lines add up to the report's
  `events` and its cases to `cases.count`; the roles seen never exceed the
  log's events of the task's activity with that role;
- ROLE counts the cases whose line has a violation, and the only task with
  violations is the one whose log events carry a role outside its lane.
Skipped (exit 77) when the log is not in $AB_SHARED_DATA.
"""
import collections
import gzip
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

AB = sys.argv[1]
DATA = os.environ.get("AB_SHARED_DATA", "../shared/data")
DS = os.environ.get("AB_DATASETS", "datasets")
LOG = os.path.join(DATA, "logs", "bpic2020_DomesticDeclarations.xes.gz")
MODEL = os.path.join(DS, "models", "bpic2020_declaration_documents.bpmn")
TASKS = os.path.join(DS, "maps", "bpic2020_declaration_documents.map.csv")
LANES = os.path.join(DS, "maps", "bpic2020_declaration_lanes.map.csv")
if not os.path.exists(LOG):
    print(f"skip: {LOG} not found")
    sys.exit(77)

failed = 0


def check(name, ok, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))
    failed += not ok


# The log, read independently: per case its events in timestamp order.
cases = {}
with gzip.open(LOG) as f:
    for _, el in ET.iterparse(f):
        if el.tag.endswith("trace"):
            cid, evs = None, []
            for ch in el:
                if ch.tag.endswith("string") and ch.get("key") == "concept:name":
                    cid = ch.get("value")
                elif ch.tag.endswith("event"):
                    a = {c.get("key"): c.get("value") for c in ch}
                    evs.append((a.get("time:timestamp"), a.get("concept:name"),
                                a.get("org:resource"), a.get("org:role")))
            # Timestamps of one log share a format and zone: text order is time order.
            evs = [e for _, e in sorted(enumerate(evs), key=lambda x: (x[1][0], x[0]))]
            cases[cid] = evs
            el.clear()
lane_role = {}
for line in open(LANES):
    if line.startswith("#") or line.startswith("lane,"):
        continue
    lane, role = line.strip().split(",")
    lane_role.setdefault(lane, []).append(role)

with tempfile.TemporaryDirectory() as t:
    j, c = os.path.join(t, "gap.json"), os.path.join(t, "cases.jsonl")
    r = subprocess.run([AB, "diff", "-q", LOG, "--model", MODEL, "--map", TASKS, "--role-map", LANES,
                        "--json", j, "--cases", c], capture_output=True, text=True)
    check("diff runs", r.returncode == 0, r.stderr)
    rep = json.load(open(j))
    lines = [json.loads(x) for x in open(c)]

who = rep["who"]
check("roles come from org:role", who["role_source"] == "log:org:role", who["role_source"])
check("the five lanes are mapped by the file",
      sorted((l["lane"], tuple(l["roles"]), l["how"]) for l in who["lane_roles"]) ==
      sorted((k, tuple(v), "file") for k, v in lane_role.items()), who["lane_roles"])
check("every case has a line", len(lines) == len(cases), (len(lines), len(cases)))

per_task = collections.Counter()
per_task_cases = collections.Counter()
bad = []
with_viol = 0
for ln in lines:
    evs = cases[ln["case"]]
    vs = ln["who"]["role_violations"]
    with_viol += bool(vs)
    seen = set()
    for v in vs:
        ts, act, res, role = evs[v["position"]]
        allowed = lane_role.get(v["lane"], [])
        if act != v["activity"] or res != v["resource"] or v["roles"] != [role] or role in allowed:
            bad.append((ln["case"], v, evs[v["position"]]))
        key = (v["task"], v["lane"])
        per_task[key] += 1
        if key not in seen:
            per_task_cases[key] += 1
            seen.add(key)
check("each violation is the log's event, with a role its lane does not allow", not bad, bad[:3])
check("ROLE counts the cases with a violation",
      rep["summary"]["role_violation_rate"]["count"] == with_viol,
      (rep["summary"]["role_violation_rate"], with_viol))

# The log's events per (activity, role), and the task -> activity mapping.
act_role = collections.Counter((e[1], e[3]) for evs in cases.values() for e in evs)
task_acts = collections.defaultdict(set)
for line in open(TASKS):
    if line.startswith("#") or line.startswith("task,"):
        continue
    f = line.strip().split(",")
    task_acts[f[0]].add(f[1])
for t in who["role_conformance"]:
    name = t["task"]
    # One task per (name, lane) in this map ("approve" is in three lanes).
    check(f"{name} ({t['lane']}): events = the case lines' violations",
          t["events"] == per_task[(name, t["lane"])], (t["events"], per_task[(name, t["lane"])]))
    check(f"{name} ({t['lane']}): roles seen + unknown = instances",
          sum(r["events"] for r in t["roles_seen"]) + t["unknown"] == t["instances"], t)
    for r in t["roles_seen"]:
        n = sum(act_role[(a, r["role"])] for a in task_acts[name])
        check(f"{name}: {r['role']} seen no more often than in the log", r["events"] <= n,
              (r["events"], n))
    allowed = lane_role.get(t["lane"], [])
    viol = sum(r["events"] for r in t["roles_seen"] if r["role"] not in allowed)
    check(f"{name} ({t['lane']}): violations = instances in a role the lane does not allow",
          viol == t["events"], (viol, t["events"]))
# The one task whose activity is done by a role outside its lane in the log:
# prepare payment (Request Payment, by the SYSTEM resource, role UNDEFINED).
pp = [t for t in who["role_conformance"] if t["task"] == "prepare payment"][0]
n_log = act_role[("Request Payment", "UNDEFINED")]
check("prepare payment: violations are its synchronous instances by UNDEFINED",
      0 < pp["events"] <= n_log and pp["roles_seen"] == [{"role": "UNDEFINED", "events": pp["events"]}],
      (pp, n_log))
key = ("prepare payment", pp["lane"])
check("prepare payment: cases = the case lines' cases", pp["cases"]["count"] == per_task_cases[key],
      (pp["cases"], per_task_cases[key]))
sys.exit(1 if failed else 0)
