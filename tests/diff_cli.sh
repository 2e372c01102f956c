#!/usr/bin/env bash
# tests/diff_cli.sh: `asbuilt diff` as users meet it: exit codes (0 ok, 1 a
# gate exceeded, 2 usage, 3 bad data, 4 I/O), messages that name the file or
# the gate, the report files (JSON that parses, with the schema's field
# names; Markdown; one JSON line per case), byte-identical outputs across
# runs and thread counts, and atomic writes. Usage: diff_cli.sh PATH/TO/asbuilt
set -u
AB=$1
D=${AB_DATASETS:-datasets}
TD=${AB_TESTDATA:-tests/data}
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
# expect_out NAME TEXT : the last command's stdout contains TEXT.
expect_out() {
    if grep -qF -- "$2" "$T/out"; then ok "$1"; else
        bad "$1: stdout lacks '$2'"; sed 's/^/     /' "$T/out" | head -5; fi
}
have_py=0
command -v python3 >/dev/null 2>&1 && have_py=1
# json_check NAME FILE PYTHON-EXPR : the JSON in FILE, bound to d, satisfies EXPR.
json_check() {
    if [ $have_py -eq 0 ]; then ok "$1 (skipped: no python3)"; return; fi
    if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($3) else 1)" "$2" \
        2>"$T/pyerr"; then ok "$1"; else bad "$1"; head -3 "$T/pyerr"; fi
}

LOG="$D/logs/simod_LoanApp_simplified_without_approve_loan_offer.csv"
MAP="$D/models/simod_LoanApp_simplified.bpmn"
RLOG="$TD/gap/review.csv"
RMAP="$TD/gap/review.bpmn"

# ---- usage ----
expect_rc "diff --help" 0 "$AB" diff --help
expect_out "diff --help shows an example" "asbuilt diff log.csv --model"
expect_rc "diff without a log" 2 "$AB" diff --model "$MAP"
expect_rc "diff without a map" 2 "$AB" diff "$LOG"
expect_err "a missing map is explained" "--model"
expect_rc "unknown option" 2 "$AB" diff "$LOG" --model "$MAP" --no-such-option
expect_rc "bad --open-cases" 2 "$AB" diff "$LOG" --model "$MAP" --open-cases maybe
expect_rc "bad --fail-above rate" 2 "$AB" diff "$LOG" --model "$MAP" --fail-above M99=0.1
expect_err "the unknown rate is named" "M99"
expect_rc "bad --fail-above threshold" 2 "$AB" diff "$LOG" --model "$MAP" --fail-above M1=2
expect_rc "bad --threads" 2 "$AB" diff "$LOG" --model "$MAP" --threads 0
expect_rc "bad --seed" 2 "$AB" diff "$LOG" --model "$MAP" --seed -3

# ---- bad input ----
expect_rc "missing log" 4 "$AB" diff "$T/nope.csv" --model "$MAP"
expect_err "missing log is named" "$T/nope.csv"
expect_rc "missing map" 4 "$AB" diff "$LOG" --model "$T/nope.bpmn"
expect_err "missing map is named" "nope.bpmn"
printf '<definitions' >"$T/broken.bpmn"
expect_rc "broken map" 3 "$AB" diff "$LOG" --model "$T/broken.bpmn"
expect_err "broken map is named" "broken.bpmn"
printf 'bypass,Approve loan offer\nskip,Design loan offer\n' >"$T/bad.accept"
expect_rc "bad accept file" 3 "$AB" diff "$LOG" --model "$MAP" --accept "$T/bad.accept"
expect_err "bad accept line is located" "bad.accept:2"
expect_rc "missing accept file" 4 "$AB" diff "$LOG" --model "$MAP" --accept "$T/none.accept"

# ---- the LoanApp pair: 310 of 500 cases skipped the approval ----
expect_rc "diff LoanApp" 0 "$AB" diff "$LOG" --model "$MAP" --json "$T/a.json" --md "$T/a.md" \
    --cases "$T/a.cases"
expect_out "summary gives the headline" "Work Reality Gap (M1): 62% of cases"
expect_out "summary names the bypass" "Approve loan offer: 310 of 310 cases (100%) [control]"
expect_out "summary says where the report went" "JSON report: $T/a.json"
json_check "JSON schema" "$T/a.json" 'd["schema"] == "asbuilt.gap/1"'
json_check "M1 is 310/500" "$T/a.json" \
    'd["summary"]["case_deviation_rate"]["count"] == 310 and d["summary"]["case_deviation_rate"]["of"] == 500'
json_check "bypass with its denominator" "$T/a.json" \
    '[(b["activity"], b["cases"]["count"], b["cases"]["of"]) for b in d["bypasses"]] == [("Approve loan offer", 310, 310)]'
json_check "no undocumented activity" "$T/a.json" 'd["undocumented_activities"] == []'
json_check "time impact has a status or a number" "$T/a.json" \
    'all(("status" in b["time_impact"] and "reason" in b["time_impact"]) or "delta_s" in b["time_impact"] for b in d["bypasses"])'
json_check "header fields" "$T/a.json" \
    'len(d["inputs"]["log"]["sha256"]) == 64 and len(d["inputs"]["model"]["sha256"]) == 64 and len(d["inputs"]["mapping"]["sha256"]) == 64 and d["summary"]["ambiguous_cases"]["status"] == "computed"'
json_check "LoanApp has no ambiguous case (one bypass, one way to align it)" "$T/a.json" \
    'd["summary"]["ambiguous_cases"]["rate"]["count"] == 0 and d["summary"]["ambiguous_cases"]["rate"]["of"] == 500 and d["summary"]["ambiguous_cases"]["unchecked_cases"] == 0'
json_check "spec field names" "$T/a.json" \
    'all(k in d["summary"] for k in ("cases", "events", "possibly_open_cases", "open_cases", "case_deviation_rate", "off_model_event_rate", "missing_step_rate", "fitness", "approximate_variants")) and all(k in d for k in ("bypasses", "undocumented_activities", "undocumented_transitions", "rework", "out_of_order", "substitutions", "dead_steps", "dead_paths", "statements"))'
if command -v sha256sum >/dev/null 2>&1; then
    want=$(sha256sum "$LOG" | cut -d' ' -f1)
    json_check "log hash is the file's" "$T/a.json" "d['inputs']['log']['sha256'] == '$want'"
fi
n=$(wc -l <"$T/a.cases")
[ "$n" -eq 500 ] && ok "one case line per case" || bad "case lines: $n, expected 500"
if [ $have_py -eq 1 ]; then
    if python3 - "$T/a.cases" <<'EOF'; then ok "case lines parse, 310 bypasses"; else bad "case lines"; fi
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
byp = [r for r in rows if any(x["class"] == "bypass" and x["activity"] == "Approve loan offer"
                              for x in r["deviations"])]
ok = len(byp) == 310 and all(set(r) >= {"case", "variant", "deviations"} for r in rows)
ok = ok and all(set(x) >= {"class", "activity", "position", "early_exit"}
                for r in rows for x in r["deviations"])
sys.exit(0 if ok else 1)
EOF
fi
grep -q "^## Bypassed controls (M9c)" "$T/a.md" && ok "Markdown has the controls first" ||
    bad "Markdown lacks the controls section"
grep -q "^## Appendix" "$T/a.md" && ok "Markdown has an appendix" || bad "Markdown lacks the appendix"

expect_rc "HTML report" 0 "$AB" diff "$LOG" --model "$MAP" --html "$T/a.html"
grep -qi "<html" "$T/a.html" && grep -q "Approve loan offer" "$T/a.html" && ok "HTML page written" ||
    bad "HTML page missing or empty"

# ---- gates ----
expect_rc "gate exceeded" 1 "$AB" diff "$LOG" --model "$MAP" --fail-above M1=0.5
expect_err "the gate is named" "M1 = 0.620 (310 of 500) > 0.5"
expect_rc "gate passed" 0 "$AB" diff "$LOG" --model "$MAP" --fail-above M1=70%,M2=0.01
expect_rc "control gate" 1 "$AB" diff "$LOG" --model "$MAP" --fail-above M9c=0.9 -q
expect_err "the control gate is named" "M9c"
printf '# accepted by the review board\nbypass,approve loan offer\n' >"$T/ok.accept"
expect_rc "accepted bypass passes the gates" 0 "$AB" diff "$LOG" --model "$MAP" \
    --accept "$T/ok.accept" --fail-above M1=0,M9c=0 --json "$T/acc.json"
json_check "accepted bypass stays in the report" "$T/acc.json" \
    'd["bypasses"][0]["accepted"] and d["summary"]["case_deviation_rate"]["count"] == 0 and d["summary"]["case_deviation_rate_before_accept"]["count"] == 310'

# ---- determinism: runs, thread counts ----
"$AB" diff "$RLOG" --model "$RMAP" --json "$T/r1.json" --md "$T/r1.md" --cases "$T/r1.cases" \
    --threads 1 >/dev/null 2>&1
"$AB" diff "$RLOG" --model "$RMAP" --json "$T/r2.json" --md "$T/r2.md" --cases "$T/r2.cases" \
    --threads 2 >/dev/null 2>&1
cmp -s "$T/r1.json" "$T/r2.json" && ok "JSON identical with 1 and 2 threads" ||
    bad "JSON differs between thread counts"
cmp -s "$T/r1.md" "$T/r2.md" && ok "Markdown identical with 1 and 2 threads" ||
    bad "Markdown differs between thread counts"
cmp -s "$T/r1.cases" "$T/r2.cases" && ok "case lines identical" || bad "case lines differ"
json_check "planted deviations" "$T/r1.json" \
    'd["summary"]["case_deviation_rate"]["count"] == 201 and d["bypasses"][0]["activity"] == "Review" and d["bypasses"][0]["time_impact"]["n_baseline"] == 150'
expect_rc "open cases excluded" 0 "$AB" diff "$RLOG" --model "$RMAP" --open-cases exclude \
    --json "$T/x.json"
json_check "open cases leave the bypass metrics" "$T/x.json" \
    'd["summary"]["excluded_open_cases"] == 10 and d["summary"]["open_cases"] == "exclude" and d["early_exits"] == []'

# ---- atomic output: a failed write leaves nothing, an old file stays ----
echo "old" >"$T/keep.json"
expect_rc "unwritable output" 4 "$AB" diff "$LOG" --model "$MAP" --json "$T/no/dir/out.json"
expect_rc "rewrite keeps the old file until the new one is complete" 0 "$AB" diff "$LOG" \
    --model "$MAP" --json "$T/keep.json"
grep -q '"schema": "asbuilt.gap/1"' "$T/keep.json" && ok "output replaced whole" ||
    bad "output not replaced"
ls "$T" | grep -q '\.tmp' && bad "temporary file left behind" || ok "no temporary file left"

echo "diff_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
