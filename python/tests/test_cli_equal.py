"""The binding gives exactly what the command line gives: stats --json, discover's JSON,
and diff --json, for every log (and every log/map pair) of the reference data."""
import json
import os

import pytest

import asbuilt
from conftest import DATA, cli, cli_json, log_path, logs, pairs


@pytest.mark.parametrize("name", logs())
def test_stats_and_discover_equal_cli(name):
    path = log_path(name)
    with asbuilt.read_log(path) as log:
        assert asbuilt.stats(log) == cli_json("stats", "--json", "-q", path)
        assert asbuilt.stats(log, top=3) == cli_json("stats", "--json", "--top", "3", "-q", path)
        assert asbuilt.discover_json(log) == cli_json("discover", "-q", path)
    with asbuilt.read_log(path, lifecycle="complete") as log:
        assert asbuilt.stats(log) == cli_json("stats", "--json", "--lifecycle", "complete",
                                              "-q", path)


def test_read_options_equal_cli():
    path = os.path.join(DATA, "logs", "pm4py_running-example.csv")
    opts = dict(case="case:concept:name", activity="Activity", timestamp="time:timestamp",
                resource="Resource", delimiter=",", tz="Europe/Amsterdam")
    with asbuilt.read_log(path, **opts) as log:
        got = asbuilt.stats(log)
    want = cli_json("stats", "--json", "-q", "--case", "case:concept:name", "--activity",
                    "Activity", "--timestamp", "time:timestamp", "--resource", "Resource",
                    "--delimiter", ",", "--tz", "Europe/Amsterdam", path)
    assert got == want


# The largest pairs take minutes on a small machine; the suite checks the others.
SLOW = {"bpic2020_DomesticDeclarations.xes.gz", "simod_BPIC15_1.csv.gz"}


@pytest.mark.parametrize("log_name,model", [p for p in pairs() if p[0] not in SLOW])
def test_diff_equal_cli(log_name, model, tmp_path):
    path = log_path(log_name)
    mpath = os.path.join(DATA, "models", model)
    jpath = tmp_path / "gap.json"
    cpath = tmp_path / "cases.jsonl"
    hpath = tmp_path / "gap.html"
    mdpath = tmp_path / "gap.md"
    r = cli("diff", "-q", path, "--model", mpath, "--json", str(jpath), "--cases", str(cpath),
            "--html", str(hpath), "--md", str(mdpath))
    with asbuilt.read_log(path) as log, asbuilt.diff(log, mpath) as gap:
        want = json.loads(jpath.read_text())
        assert gap == want
        assert gap["schema"] == "asbuilt.gap/1"
        assert gap.text().encode() in r.stdout
        assert gap.markdown() == mdpath.read_text()
        out = tmp_path / "py.html"
        gap.html(str(out))
        assert out.read_bytes() == hpath.read_bytes()
        lines = [json.loads(x) for x in cpath.read_text().splitlines()]
        assert gap.case_records() == lines
        # Read in pieces of 7 cases (the last one short): the same records.
        piece = asbuilt._CASE_LINES_PIECE
        asbuilt._CASE_LINES_PIECE = 7
        try:
            assert gap.case_records() == lines
        finally:
            asbuilt._CASE_LINES_PIECE = piece
        df = gap.cases()
        assert list(df["case:concept:name"]) == [x["case"] for x in lines]
        assert list(df["deviating"]) == [x["deviating"] for x in lines]
        assert list(df["deviations"]) == [x["deviations"] for x in lines]
        assert df["deviating"].sum() == sum(x["deviating"] for x in lines)


def test_diff_options_equal_cli(tmp_path):
    log = os.path.join(DATA, "logs", "simod_LoanApp_simplified_without_approve_loan_offer.csv")
    model = os.path.join(DATA, "models", "simod_LoanApp_simplified.bpmn")
    accept = tmp_path / "accept.txt"
    accept.write_text("bypass,*\n")
    jpath = tmp_path / "gap.json"
    cli("diff", "-q", log, "--model", model, "--json", str(jpath), "--accept", str(accept),
        "--open-cases", "exclude", "--controls", "approv", "--threads", "1",
        "--no-ambiguity-check", "--max-states", "50000")
    with asbuilt.diff(log, model, accept=str(accept), open_cases="exclude", controls="approv",
                      threads=1, check_ambiguity=False, max_states=50000) as gap:
        assert gap == json.loads(jpath.read_text())


def test_diff_who_options_equal_cli(tmp_path):
    """Who did the work: --roles, --role-map, --sod and --system-resources as keywords."""
    log = os.path.join(DATA, "logs", "pm4py_running-example.xes")
    model = os.path.join(DATA, "models", "pm4py_running-example.bpmn")
    roles = tmp_path / "roles.csv"
    roles.write_text("resource,role\nPete,clerk\nMike,clerk\nEllen,clerk\nSara,manager\n"
                     "Sue,assistant\nSean,assistant\nSara,clerk\n")
    sod = tmp_path / "sod.csv"
    sod.write_text("register request,decide\nexamine *,check ticket\n")
    jpath = tmp_path / "gap.json"
    cli("diff", "-q", log, "--model", model, "--json", str(jpath), "--roles", str(roles),
        "--sod", str(sod), "--system-resources", "Sue,Se*", "--threads", "1")
    want = json.loads(jpath.read_text())
    with asbuilt.diff(log, model, roles=str(roles), sod=str(sod),
                      system_resources=["Sue", "Se*"], threads=1) as gap:
        assert gap == want
    assert want["who"]["role_source"] == "file"
    assert want["who"]["sod"]["pairs"], "the SoD rules matched no pair"
    assert want["summary"]["sod_violation_rate"]["of"] == 6
