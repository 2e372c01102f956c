#!/usr/bin/env bash
# tests/cli_tests.sh: the command line as users meet it. Exit codes (0 ok,
# 2 usage, 3 bad data, 4 I/O), messages that name the file, atomic outputs,
# and the outputs of each command on shipped datasets, checked with python3,
# Graphviz and xmllint when present. Usage: cli_tests.sh PATH/TO/asbuilt
set -u
AB=$1
D=${AB_DATASETS:-datasets}
. "$(dirname "$0")/check_lib.sh"

# expect_rc NAME RC CMD... : runs CMD, checks its exit code; stderr kept in $T/err.
expect_rc() {
    local name=$1 want=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$name (exit $rc)"; else
        bad "$name: exit $rc, expected $want"; sed 's/^/     /' "$T/err" | head -5; fi
}
# expect_err NAME TEXT : the last command's stderr contains TEXT.
expect_err() {
    if grep -qF -- "$2" "$T/err"; then ok "$1"; else
        bad "$1: stderr lacks '$2'"; sed 's/^/     /' "$T/err" | head -5; fi
}
# json_check NAME FILE PYTHON-EXPR : the JSON in FILE, bound to d, satisfies EXPR.
json_check() {
    if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($3) else 1)" "$2" \
        2>"$T/pyerr"; then ok "$1"; else bad "$1"; head -3 "$T/pyerr"; fi
}

# ---- usage and help ----
expect_rc "no arguments is a usage error" 2 "$AB"
expect_rc "--help" 0 "$AB" --help
expect_rc "--version" 0 "$AB" --version
expect_rc "unknown command" 2 "$AB" frobnicate
expect_err "unknown command is named" "frobnicate"
for c in stats sniff discover model; do
    expect_rc "$c --help" 0 "$AB" $c --help
    grep -q "asbuilt $c" "$T/out" && ok "$c --help shows an example" || bad "$c --help lacks an example"
    expect_rc "$c unknown option" 2 "$AB" $c --no-such-option "$D/logs/pm4py_running-example.xes"
done
expect_rc "stats without a log" 2 "$AB" stats

# ---- bad input: exit 3 or 4, the file named, never a crash ----
expect_rc "missing file" 4 "$AB" stats "$T/nope.xes"
expect_err "missing file is named" "$T/nope.xes"
: >"$T/empty.csv"
expect_rc "empty file" 3 "$AB" stats "$T/empty.csv"
expect_err "empty file is named" "empty.csv"
head -c 4096 /dev/urandom >"$T/binary.xes"
printf '\0' >>"$T/binary.xes"
expect_rc "binary file" 3 "$AB" stats "$T/binary.xes"
expect_err "binary file is named" "binary.xes"
expect_rc "a directory" 4 "$AB" stats "$T"
gzip -c "$D/logs/pm4py_running-example.xes" >"$T/full.xes.gz"
head -c $(($(wc -c <"$T/full.xes.gz") / 2)) "$T/full.xes.gz" >"$T/truncated.xes.gz"
expect_rc "truncated gzip" 3 "$AB" stats "$T/truncated.xes.gz"
expect_err "truncated gzip is named" "truncated.xes.gz"
head -c 200 "$D/logs/pm4py_running-example.xes" >"$T/unclosed.xes"
expect_rc "unclosed XML" 3 "$AB" stats "$T/unclosed.xes"
expect_err "unclosed XML gives a line" "unclosed.xes:"
printf 'case,activity,timestamp\n1,a,2024-01-01 10:00\n2,b\n' >"$T/ragged.csv"
expect_rc "ragged CSV row is counted" 0 "$AB" stats --json "$T/ragged.csv"
expect_rc "ragged CSV row with --strict" 3 "$AB" stats --strict "$T/ragged.csv"
expect_err "ragged row names its line" "ragged.csv:3"
printf 'case,activity,timestamp\n1,a,2024-01-01 10:00\n1,b,yesterday\n' >"$T/badts.csv"
expect_rc "unparsable timestamp with --strict" 3 "$AB" stats --strict "$T/badts.csv"
expect_err "unparsable timestamp names its line" "badts.csv:3"

# ---- atomic output: a failed run leaves no file, a good run replaces it whole ----
expect_rc "output into a missing folder" 4 "$AB" stats --json -o "$T/no/such/dir/out.json" \
    "$D/logs/pm4py_running-example.xes"
echo "previous" >"$T/keep.json"
expect_rc "failed run keeps the old output" 3 "$AB" stats --json -o "$T/keep.json" "$T/binary.xes"
[ "$(cat "$T/keep.json")" = "previous" ] && ok "old output untouched" || bad "old output overwritten"
expect_rc "stats -o" 0 "$AB" stats --json -q -o "$T/keep.json" "$D/logs/pm4py_running-example.xes"
json_check "stats -o wrote the report" "$T/keep.json" 'd["cases"] == 6 and d["events"] == 42'
ls "$T" | grep -q '\.tmp' && bad "temporary file left behind" || ok "no temporary file left"

# ---- stats ----
expect_rc "stats text" 0 "$AB" stats -q "$D/logs/pm4py_running-example.xes"
grep -q "cases" "$T/out" && ok "stats text names cases" || bad "stats text"
"$AB" stats --json -q "$D/logs/pm4py_running-example.csv" >"$T/s_csv.json"
"$AB" stats --json -q "$D/logs/pm4py_running-example.xes" >"$T/s_xes.json"
json_check "stats XES == CSV counts" "$T/s_xes.json" \
    'all(d[k] == json.load(open("'"$T/s_csv.json"'"))[k] for k in ("cases","events","activities","variants","activity_counts"))'
cat "$D/logs/pm4py_running-example.csv" | "$AB" stats --json -q - >"$T/s_stdin.json"
json_check "stats reads stdin" "$T/s_stdin.json" 'd["events"] == 42'

# ---- sniff: the printed flags re-run ----
expect_rc "sniff" 0 "$AB" sniff "$D/logs/simod_LoanApp_simplified.csv.gz"
rerun=$(grep -A1 '^re-run with' "$T/out" | tail -n 1)
case "$rerun" in
"  asbuilt stats "*)
    flags=${rerun#  asbuilt stats }
    flags=${flags% *}
    # shellcheck disable=SC2086
    "$AB" stats --json -q $flags "$D/logs/simod_LoanApp_simplified.csv.gz" >"$T/rerun.json" &&
        json_check "sniff flags re-run to the same log" "$T/rerun.json" 'd["cases"] == 500' ;;
*) bad "sniff prints no re-run line" ;;
esac

# ---- discover ----
expect_rc "discover json" 0 "$AB" discover -q -o "$T/dfg.json" "$D/logs/pm4py_running-example.xes"
json_check "discover json schema" "$T/dfg.json" \
    'd["schema"] == "asbuilt.dfg/1" and len(d["edges"]) > 0 and all(k in e for e in d["edges"] for k in ("from","to","count","cases","duration"))'
expect_rc "discover dot" 0 "$AB" discover -q --format dot -o "$T/dfg.dot" "$D/logs/pm4py_running-example.xes"
if command -v dot >/dev/null; then
    dot -Tsvg "$T/dfg.dot" >/dev/null 2>"$T/err" && ok "Graphviz accepts the DOT" || bad "Graphviz rejects the DOT"
fi
expect_rc "discover svg" 0 "$AB" discover -q --format svg -o "$T/dfg.svg" "$D/logs/pm4py_running-example.xes"
if command -v xmllint >/dev/null; then
    xmllint --noout "$T/dfg.svg" 2>"$T/err" && ok "SVG is well-formed" || bad "SVG is not well-formed"
fi
grep -q "register request" "$T/dfg.svg" && ok "SVG is labelled" || bad "SVG lacks labels"
"$AB" discover -q "$D/logs/pm4py_running-example.xes" >"$T/a.json"
"$AB" discover -q "$D/logs/pm4py_running-example.xes" >"$T/b.json"
cmp -s "$T/a.json" "$T/b.json" && ok "discover is deterministic" || bad "discover differs between runs"

# ---- model ----
expect_rc "model text" 0 "$AB" model "$D/models/pm4py_running-example.bpmn"
expect_rc "model json" 0 "$AB" model --json -o "$T/m.json" "$D/models/pm4py_running-example.bpmn"
json_check "running example: 8 tasks, sound" "$T/m.json" \
    'd["tasks"]["total"] == 8 and d["sound"] is True and d["approximations"] == []'
expect_rc "model with log and mapping" 0 "$AB" model --json -q -o "$T/bpic.json" \
    "$D/models/bpic2020_declaration_documents.bpmn" \
    --log "$D/logs/bpic2020_DomesticDeclarations.xes.gz" --map "$D/maps/bpic2020_declaration_documents.map.csv"
json_check "BPI 2020 mapping: 6 pairs from the file" "$T/bpic.json" \
    'len(d["mapping"]["pairs"]) == 6 and all(p["how"] == "file" for p in d["mapping"]["pairs"])'
expect_rc "model: missing mapping file" 4 "$AB" model "$D/models/pm4py_running-example.bpmn" \
    --log "$D/logs/pm4py_running-example.xes" --map "$T/nope.csv"
expect_err "missing mapping file is named" "nope.csv"
echo "garbage<<" >"$T/g.bpmn"
expect_rc "model: not XML" 3 "$AB" model "$T/g.bpmn"
expect_err "bad map is named" "g.bpmn"
cat >"$T/xxe.bpmn" <<EOF
<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p"><task id="t" name="&x;"/></process></definitions>
EOF
expect_rc "model: external entity refused" 3 "$AB" model "$T/xxe.bpmn"
grep -q "root:" "$T/out" "$T/err" && bad "external entity was read" || ok "external entity never read"

# ---- a map that does not document the log ----
expect_rc "diff: unrelated map still runs" 0 "$AB" diff "$D/logs/pm4py_running-example.xes" \
    --model "$D/models/pm4py_receipt.bpmn" --json "$T/unrel.json" --md "$T/unrel.md"
expect_err "unrelated map: warning on stderr" "barely match"
[ "$(grep -c 'barely match' "$T/err")" = 1 ] && ok "unrelated map: warning given once" ||
    bad "unrelated map: warning not given exactly once"
json_check "unrelated map: warning in the JSON summary" "$T/unrel.json" \
    'd["summary"]["mapping_coverage"]["weak"] and d["summary"]["mapping_coverage"]["events"]["count"] == 0 and "barely match" in d["summary"]["mapping_coverage"]["warning"]'
grep -q '^> \*\*Warning:\*\* The map and the log barely match' "$T/unrel.md" &&
    ok "unrelated map: warning in the Markdown headline" || bad "unrelated map: no warning in the Markdown headline"
rm -f "$T/unrel.json"
expect_rc "diff --strict-mapping: unrelated map is bad data" 3 "$AB" diff \
    "$D/logs/pm4py_running-example.xes" --model "$D/models/pm4py_receipt.bpmn" --strict-mapping \
    --json "$T/unrel.json"
[ -e "$T/unrel.json" ] && bad "--strict-mapping wrote a report" || ok "--strict-mapping wrote no report"
# The coverage is checked before the alignments and the gap: a malformed
# accept file, which the gap would reject, is never read.
printf 'not a rule\n' >"$T/bad.accept"
expect_rc "diff --strict-mapping stops before the run" 3 "$AB" diff \
    "$D/logs/pm4py_running-example.xes" --model "$D/models/pm4py_receipt.bpmn" --strict-mapping \
    --accept "$T/bad.accept" --json "$T/unrel.json"
expect_err "--strict-mapping: says why" "--strict-mapping: no report written"
grep -q "bad.accept" "$T/err" && bad "--strict-mapping read the accept file" ||
    ok "--strict-mapping: the run did not start"
[ "$(grep -c 'barely match' "$T/err")" = 1 ] && ok "mapping warning given once" ||
    bad "mapping warning not given exactly once"
expect_rc "diff --strict-mapping: its own map passes" 0 "$AB" diff \
    "$D/logs/pm4py_running-example.xes" --model "$D/models/pm4py_running-example.bpmn" \
    --strict-mapping --json "$T/own.json"
grep -q "barely match" "$T/err" && bad "own map: spurious mapping warning" || ok "own map: no mapping warning"
json_check "own map: full coverage" "$T/own.json" \
    'not d["summary"]["mapping_coverage"]["weak"] and d["summary"]["mapping_coverage"]["warning"] is None and d["summary"]["mapping_coverage"]["tasks"]["rate"] == 1'

# ---- artificial start and end tasks of a discovered map ----
expect_rc "model --log: artificial Start/End named" 0 "$AB" model "$D/models/simod_PurchasingExample.bpmn" \
    --log "$D/logs/simod_PurchasingExample.xes.gz"
grep -q "declare it silent with the --map line 'Start,'" "$T/out" "$T/err" &&
    ok "model --log suggests 'Start,'" || bad "model --log does not suggest 'Start,'"
printf 'Start,\nEnd,\n' >"$T/silent.csv"
expect_rc "diff: Start/End declared silent" 0 "$AB" diff "$D/logs/simod_PurchasingExample.xes.gz" \
    --model "$D/models/simod_PurchasingExample.bpmn" --map "$T/silent.csv" --json "$T/silent.json"
json_check "silent Start/End are no bypasses" "$T/silent.json" \
    'not any(b["activity"] in ("Start", "End") for b in d["bypasses"]) and sum(p["how"] == "silent" for p in d["inputs"]["mapping"]["pairs"]) == 2'

# ---- discover on a start/complete log: events (PM4Py) or activity instances ----
expect_rc "discover --instances" 0 "$AB" discover --instances -q -o "$T/inst.json" \
    "$D/logs/simod_PurchasingExample.xes.gz"
json_check "instances: no start -> completion self-edges, half the events" "$T/inst.json" \
    'd["counts"] == "activity_instances" and d["events"] == 9119 and not any(e["from"] == e["to"] and e["count"] > 300 for e in d["edges"])'
expect_rc "discover --one-pass --instances is a usage error" 2 "$AB" discover --one-pass --instances \
    "$D/logs/simod_PurchasingExample.xes.gz"

# ---- the ambiguity check can be left out, and the report says so ----
expect_rc "diff --no-ambiguity-check" 0 "$AB" diff "$D/logs/pm4py_running-example.xes" \
    --model "$D/models/pm4py_running-example.bpmn" --no-ambiguity-check --json "$T/noamb.json"
json_check "no ambiguity check: 'not computed'" "$T/noamb.json" \
    'd["summary"]["ambiguous_cases"]["status"] == "not computed"'

# ---- outputs through symbolic links: written through, as cp does; the link stays ----
RE="$D/logs/pm4py_running-example.xes"
echo "old" >"$T/real.json"
ln -s real.json "$T/link.json"
expect_rc "stats -o through a link" 0 "$AB" stats --json -q -o "$T/link.json" "$RE"
[ -L "$T/link.json" ] && ok "the link stays a link" || bad "the link was replaced by a file"
json_check "the file the link names got the report" "$T/real.json" 'd["events"] == 42'
ln -s "$T/made.json" "$T/dangling.json"
expect_rc "stats -o through a dangling link" 0 "$AB" stats --json -q -o "$T/dangling.json" "$RE"
[ -L "$T/dangling.json" ] && ok "the dangling link stays a link" || bad "the dangling link was replaced"
json_check "the file is made where the dangling link points" "$T/made.json" 'd["events"] == 42'
ln -s /dev/stdout "$T/to-stdout"
"$AB" stats --json -q -o "$T/to-stdout" "$RE" >"$T/captured" 2>"$T/err"
[ -L "$T/to-stdout" ] && ok "a link to /dev/stdout stays a link" || bad "a link to /dev/stdout was replaced"
json_check "a link to /dev/stdout writes to stdout" "$T/captured" 'd["events"] == 42'
if [ "$(id -u)" -ne 0 ]; then # As root, a wrong build would replace the system's /dev/stdout.
    "$AB" stats --json -q -o /dev/stdout "$RE" >"$T/captured" 2>"$T/err"
    json_check "-o /dev/stdout into a file" "$T/captured" 'd["events"] == 42'
fi
ls -A "$T" | grep -q 'tmp' && bad "temporary file left behind" || ok "no temporary file left"

# ---- diff: a report on stdout is stdout's alone ----
DLOG="$D/logs/simod_LoanApp_simplified_without_approve_loan_offer.csv"
DMAP="$D/models/simod_LoanApp_simplified.bpmn"
"$AB" diff "$DLOG" --model "$DMAP" --json - --md "$T/p.md" >"$T/pipe.json" 2>"$T/err"
json_check "diff --json - puts only the report on stdout" "$T/pipe.json" '"summary" in d'
grep -q "Work Reality Gap" "$T/err" && ok "the summary goes to stderr" || bad "the summary is not on stderr"
grep -q "JSON report: stdout" "$T/err" && ok "the notes go to stderr" || bad "the notes are not on stderr"
"$AB" diff "$DLOG" --model "$DMAP" --cases - -q >"$T/pipe.cases" 2>"$T/err"
python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$T/pipe.cases" 2>/dev/null &&
    ok "diff --cases - is JSON lines only" || bad "diff --cases - mixes other text in"
grep -q "case lines" "$T/err" && bad "-q still prints the notes" || ok "-q silences the notes"
"$AB" diff "$DLOG" --model "$DMAP" -q --json "$T/q.json" >"$T/out" 2>"$T/err"
grep -q "JSON report" "$T/out" "$T/err" && bad "-q still prints the notes (files)" || ok "-q silences the notes (files)"
expect_rc "two reports on stdout" 2 "$AB" diff "$DLOG" --model "$DMAP" --json - --md /dev/stdout
expect_err "two reports on stdout are named" "--json and --md both write to stdout"

# ---- habits ----
cp "$RE" "$T/-dash.xes"
ABS=$(realpath "$AB")
(cd "$T" && "$ABS" stats --json -q -- -dash.xes) >"$T/dash.json" 2>"$T/err"
json_check "-- ends the options" "$T/dash.json" 'd["events"] == 42'
expect_rc "help stats" 0 "$AB" help stats
grep -q "usage: asbuilt stats" "$T/out" && ok "help CMD shows that command's help" || bad "help CMD shows the general help"
expect_rc "help of an unknown command" 2 "$AB" help frobnicate
"$AB" sniff --json "$D/logs/simod_LoanApp_simplified.csv.gz" >"$T/sniff.json"
json_check "sniff --json carries a schema" "$T/sniff.json" 'd["schema"] == "asbuilt.sniff/1"'

# ---- progress: on a terminal only, every phase named, never repeated ----
# progress_check FILE MODE: the terminal transcript FILE; MODE "on" (every
# phase, percentages that never go down within a phase, no line written twice
# in a row), "off" (no progress at all) or "dumb" (on, without escape sequences).
progress_check() {
    python3 - "$1" "$2" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
mode = sys.argv[2]
phases = ["reading ", "compiling the map", "building traces and variants", "aligning variants", "hashing inputs",
          "analysing the map", "classifying", "replaying on the map", "time impacts", "writing reports"]
if mode == "dumb" and "\x1b" in raw:
    sys.exit("an escape sequence with TERM=dumb")
lines = [re.sub(r"\x1b\[K", "", s).rstrip() for s in raw.split("\r")]
lines = [s for s in lines if s and any(s.startswith(p) for p in phases)]
if mode == "off":
    sys.exit("progress without a terminal or with -q: %r" % lines[:3] if lines else 0)
missing = [p for p in phases if not any(s.startswith(p) for s in lines)]
if missing:
    sys.exit("phases not shown: %s (saw %r)" % (missing, lines))
last = {}
for a, b in zip(lines, lines[1:]):
    if a == b:
        sys.exit("the same line twice: %r" % a)
for s in lines:
    m = re.match(r"(.*?): (\d+)%", s)
    if m:
        if int(m.group(2)) < last.get(m.group(1), 0):
            sys.exit("%s went down to %s%%" % (m.group(1), m.group(2)))
        last[m.group(1)] = int(m.group(2))
if not any(v == 100 for v in last.values()):
    sys.exit("no phase reached 100%%: %r" % last)
PY
}
if command -v script >/dev/null 2>&1; then
    DARGS="$DLOG --model $DMAP --json $T/t.json --md $T/t.md --html $T/t.html --cases $T/t.cases"
    TERM=xterm script -qec "$AB diff $DARGS >/dev/null" /dev/null </dev/null >"$T/tty" 2>&1
    progress_check "$T/tty" on 2>"$T/err" && ok "progress on a terminal: every phase, going up" ||
        { bad "progress on a terminal"; cat "$T/err"; }
    TERM=dumb script -qec "$AB diff $DARGS >/dev/null" /dev/null </dev/null >"$T/tty" 2>&1
    progress_check "$T/tty" dumb 2>"$T/err" && ok "progress with TERM=dumb: no escape sequences" ||
        { bad "progress with TERM=dumb"; cat "$T/err"; }
    TERM=xterm script -qec "$AB diff -q $DARGS" /dev/null </dev/null >"$T/tty" 2>&1
    progress_check "$T/tty" off 2>"$T/err" && ok "no progress with -q" || { bad "progress with -q"; cat "$T/err"; }
else
    ok "progress on a terminal (skipped: no script(1))"
fi
# shellcheck disable=SC2086
TERM=xterm "$AB" diff $DLOG --model $DMAP --json "$T/t.json" >/dev/null 2>"$T/tty"
progress_check "$T/tty" off 2>"$T/err" && [ ! -s "$T/tty" ] && ok "no progress when stderr is no terminal" ||
    { bad "progress when stderr is no terminal"; cat "$T/err"; }

# A wide map: the soundness check stops at the memory budget, and says so.
G="$AB_BUILD_ROOT/tools/genbpmn"
if [ -x "$G" ]; then
    "$G" --branches 9000 -o "$T/wide.bpmn"
    expect_rc "model: 9,000 parallel branches" 0 "$AB" model --model-memory 8M "$T/wide.bpmn"
    grep -q "not decided within the budget (.*8 MiB)" "$T/out" && ok "budget named" || bad "budget named"
    grep -q "unbounded" "$T/out" && bad "wide map called unbounded" || ok "wide map not called unbounded"
fi
expect_rc "model: bad --model-memory" 2 "$AB" model --model-memory 12Q "$D/models/pm4py_running-example.bpmn"
expect_err "bad size is named" "12Q"
# diff: the model analyses stop at the same kind of budget, and a fitting log still fits.
if [ -x "$G" ]; then
    "$G" --branches 200 -o "$T/w200.bpmn" --log "$T/w200.xes" --traces 5
    expect_rc "diff --model-memory 1M on 200 parallel branches" 0 "$AB" diff "$T/w200.xes" \
        --model "$T/w200.bpmn" --model-memory 1M --json "$T/w200.json" -q
    json_check "diff: the model relation is not decided within 1 MiB, every case fits" "$T/w200.json" \
        'd["summary"]["model_relation"]["status"] == "unknown" and "1 MiB" in d["summary"]["model_relation"]["reason"] and d["summary"]["case_deviation_rate"]["count"] == 0'
fi
expect_rc "diff: bad --model-memory" 2 "$AB" diff "$D/logs/pm4py_running-example.xes" \
    --model "$D/models/pm4py_running-example.bpmn" --model-memory 0

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
