#!/usr/bin/env bash
# tests/diff_hash.sh: the SHA-256 digests that `asbuilt diff` records in its
# report's "inputs" are `sha256sum`'s: the log's over its files one after the
# other (a log in two files; one of over 1 MiB, past the reader's piece size;
# a gzip file, hashed as stored), the map's and the accept file's. A log read
# through a pipe is read whole (the hash made while the log is read must not
# take its bytes). Usage: diff_hash.sh PATH/TO/asbuilt
set -u
AB=$1
D=${AB_DATASETS:-datasets}
. "$(dirname "$0")/check_lib.sh"

if ! command -v sha256sum >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
    echo "0 passed, 0 failed, 1 skipped: needs sha256sum and python3"
    exit 0
fi

LOG="$D/logs/simod_LoanApp_simplified_without_approve_loan_offer.csv"
MAP="$D/models/simod_LoanApp_simplified.bpmn"

# field FILE PYTHON-EXPR: the value of EXPR on the JSON report in FILE (bound to d).
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
# run NAME LOGS... -- OPTIONS...: diff with a JSON report in $T/NAME.json; exit 0 expected.
run() {
    local name=$1
    shift
    if "$AB" diff -q --model "$MAP" --json "$T/$name.json" "$@" >"$T/out" 2>"$T/err"; then
        ok "$name: diff exits 0"
    else
        bad "$name: diff exits $?"
        sed 's/^/     /' "$T/err" | head -5
    fi
}
# same NAME WHAT GOT WANT
same() {
    if [ "$3" = "$4" ]; then ok "$1: $2"; else bad "$1: $2: $3, expected $4"; fi
}

# One log in two files (each with its header): the digest of the two.
head -n 1 "$LOG" >"$T/part1.csv"
cp "$T/part1.csv" "$T/part2.csv"
n=$(($(wc -l <"$LOG") - 1))
tail -n +2 "$LOG" | head -n $((n / 2)) >>"$T/part1.csv"
tail -n +$((n / 2 + 2)) "$LOG" >>"$T/part2.csv"
run two-files "$T/part1.csv" "$T/part2.csv"
same two-files "log digest" "$(field "$T/two-files.json" 'd["inputs"]["log"]["sha256"]')" \
    "$(cat "$T/part1.csv" "$T/part2.csv" | sha256sum | cut -d' ' -f1)"
same two-files "map digest" "$(field "$T/two-files.json" 'd["inputs"]["model"]["sha256"]')" \
    "$(sha256sum <"$MAP" | cut -d' ' -f1)"
same two-files "all events read" "$(field "$T/two-files.json" 'd["inputs"]["log"]["events"]')" "$n"

# Over 1 MiB, not a whole number of MiB: the LoanApp cases five times, renamed.
{
    head -n 1 "$LOG"
    for k in 1 2 3 4 5; do tail -n +2 "$LOG" | sed "s/^/$k-/"; done
} >"$T/big.csv"
size=$(stat -c %s "$T/big.csv")
[ "$size" -gt 1048576 ] && ok "big log is over 1 MiB ($size bytes)" || bad "big log: $size bytes"
printf 'bypass,Approve loan offer\n' >"$T/ok.accept"
run big "$T/big.csv" --accept "$T/ok.accept"
same big "log digest" "$(field "$T/big.json" 'd["inputs"]["log"]["sha256"]')" \
    "$(sha256sum <"$T/big.csv" | cut -d' ' -f1)"
same big "accept file digest" "$(field "$T/big.json" 'd["inputs"]["accept"]["sha256"]')" \
    "$(sha256sum <"$T/ok.accept" | cut -d' ' -f1)"
same big "cases" "$(field "$T/big.json" 'd["summary"]["cases"]')" 2500

# The who files (--roles, --role-map, --sod): named in who.options, with their digests.
printf 'resource,role\nnobody,Clerk\n' >"$T/roles.csv"
printf 'lane,role\nX,Clerk\n' >"$T/lanes.csv"
printf 'A*,B*\n' >"$T/sod.csv"
run who "$LOG" --roles "$T/roles.csv" --role-map "$T/lanes.csv" --sod "$T/sod.csv"
for k in roles:roles.csv role_map:lanes.csv sod:sod.csv; do
    same who "${k%%:*} file" "$(field "$T/who.json" "d['who']['options']['${k%%:*}']")" "$T/${k#*:}"
    same who "${k%%:*} digest" "$(field "$T/who.json" "d['who']['options']['${k%%:*}_sha256']")" \
        "$(sha256sum <"$T/${k#*:}" | cut -d' ' -f1)"
done

# gzip: the compressed bytes, as stored.
gzip -c "$T/big.csv" >"$T/big.csv.gz"
run gz "$T/big.csv.gz"
same gz "log digest" "$(field "$T/gz.json" 'd["inputs"]["log"]["sha256"]')" \
    "$(sha256sum <"$T/big.csv.gz" | cut -d' ' -f1)"

# Through a pipe: every event reaches the reader.
run pipe <(cat "$T/big.csv")
same pipe "cases" "$(field "$T/pipe.json" 'd["summary"]["cases"]')" 2500
# A pipe cannot be read again: no digest, rather than the digest of what is
# left of it (nothing).
same pipe "log digest" "$(field "$T/pipe.json" 'd["inputs"]["log"]["sha256"]')" None
same pipe "deviating cases" "$(field "$T/pipe.json" 'd["summary"]["case_deviation_rate"]["count"]')" \
    "$(field "$T/gz.json" 'd["summary"]["case_deviation_rate"]["count"]')"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
