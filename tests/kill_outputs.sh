#!/usr/bin/env bash
# tests/kill_outputs.sh: the reports of one `asbuilt diff` are replaced as a
# set. A run writing four reports (--json, --md, --html, --cases) over an
# older set is killed with SIGKILL at many moments, from its start to past
# its end; afterwards the four files are each the old version or each the
# new one, or, when the kill fell among the renames, a mix beside the set's
# commit journal (".asbuilt-commit.PID.XXXXXX"), which the next write into
# the folder completes: the set is then all new. Whatever a kill leaves is a
# hidden ".NAME.asbuilt-tmp.PID.XXXXXX" file or that journal, never a
# report's name, and the next run writing to the same place removes it.
# SIGINT and SIGTERM leave nothing at all. Usage: kill_outputs.sh PATH/TO/asbuilt
set -u
AB=$1
D=${AB_DATASETS:-datasets}
T=$(mktemp -d)
# Only this shell cleans up: a child killed between fork and exec must not.
MAIN=$BASHPID
trap '[ "$BASHPID" = "$MAIN" ] && rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

LOG="$D/logs/simod_LoanApp_simplified_without_approve_loan_offer.csv"
MAP="$D/models/simod_LoanApp_simplified.bpmn"
# The new set comes from a log long enough for the kills to land anywhere in
# the run: the small log's cases repeated under new ids.
awk 'NR == 1 { print; next } { l[n++] = $0 }
     END { for (r = 0; r < 60; r++) for (i = 0; i < n; i++) { s = l[i]; sub(/^[^,]*/, "&-" r, s); print s } }' \
    "$LOG" >"$T/big.csv"

W="$T/w" # Where the reports live.
mkdir "$W"
reports() { # reports LOG: a full diff of LOG writing the four reports in $W
    "$AB" diff "$1" --model "$MAP" -q --json "$W/gap.json" --md "$W/gap.md" --html "$W/gap.html" \
        --cases "$W/gap.cases" >/dev/null 2>"$T/err"
}
names="gap.json gap.md gap.html gap.cases"

reports "$T/big.csv" || { bad "the new set cannot be written"; cat "$T/err"; exit 1; }
mkdir "$T/new" && for f in $names; do cp "$W/$f" "$T/new/$f"; done
start=$(date +%s%N)
reports "$T/big.csv"
took=$((($(date +%s%N) - start) / 1000000)) # ms
start=$(date +%s%N)
reports "$LOG" || { bad "the old set cannot be written"; cat "$T/err"; exit 1; }
took_old=$((($(date +%s%N) - start) / 1000000))
mkdir "$T/old" && for f in $names; do cp "$W/$f" "$T/old/$f"; done
for f in $names; do
    cmp -s "$T/old/$f" "$T/new/$f" && { bad "old and new $f are the same: the test cannot tell"; exit 1; }
done
echo "     a full run takes $took ms"

# state: "old", "new", or "mixed" (with the file names).
state() {
    local o=0 n=0 f
    for f in $names; do
        if cmp -s "$W/$f" "$T/old/$f"; then o=$((o + 1)); elif cmp -s "$W/$f" "$T/new/$f"; then n=$((n + 1)); fi
    done
    if [ $o -eq 4 ]; then echo old; elif [ $n -eq 4 ]; then echo new; else
        echo "mixed ($o old, $n new:$(cd "$W" && for f in $names; do cmp -s "$f" "$T/old/$f" && printf ' %s=old' "$f" || { cmp -s "$f" "$T/new/$f" && printf ' %s=new' "$f" || printf ' %s=other' "$f"; }; done))"
    fi
}
# Files in $W that are not reports must be hidden temporary files.
leftovers_ok() {
    local f
    for f in $(ls -A "$W"); do
        case " $names " in *" $f "*) continue ;; esac
        [[ $f =~ ^\.gap\.(json|md|html|cases)\.asbuilt-tmp\.[0-9]+\.[A-Za-z0-9]{6}$ ]] ||
            [[ $f =~ ^\.asbuilt-commit\.[0-9]+\.[A-Za-z0-9]{6}$ ]] || return 1
    done
    return 0
}

# As many kills as fit in about a minute and a half (slow builds, such as the
# sanitizers', get fewer), from 12 to 40.
kills=$((90000 / (took + took_old + 20)))
[ $kills -gt 40 ] && kills=40
[ $kills -lt 12 ] && kills=12
seen_old=0
seen_new=0
seen_left=0
seen_journal=0
mixed=0
odd=0
stale=0
for k in $(seq 0 $((kills - 1))); do
    # A quarter from the start to 20% past a full run's length; the rest
    # close around the end of a run, where the reports are written.
    if [ $k -lt $((kills / 4)) ]; then
        delay_ms=$((k * took * 12 / 10 / (kills / 4)))
    else
        delay_ms=$((took * 7 / 10 + (k - kills / 4) * took * 4 / 10 / (kills - kills / 4)))
    fi
    "$AB" diff "$T/big.csv" --model "$MAP" -q --json "$W/gap.json" --md "$W/gap.md" \
        --html "$W/gap.html" --cases "$W/gap.cases" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    s=$(state)
    case "$s" in
    old) seen_old=$((seen_old + 1)) ;;
    new) seen_new=$((seen_new + 1)) ;;
    *)
        if ls -A "$W" | grep -q '^\.asbuilt-commit\.'; then
            # Killed among the renames: any write into the folder finishes them.
            seen_journal=$((seen_journal + 1))
            "$AB" stats --json -q -o "$W/probe.json" "$LOG" 2>/dev/null
            rm -f "$W/probe.json"
            s=$(state)
            if [ "$s" = new ] && ! ls -A "$W" | grep -q '^\.asbuilt-commit\.'; then
                seen_new=$((seen_new + 1))
            else
                mixed=$((mixed + 1)); echo "     after a kill at $delay_ms ms and the journal's completion: $s"
            fi
        else
            mixed=$((mixed + 1)); echo "     after a kill at $delay_ms ms: $s"
        fi
        ;;
    esac
    [ -n "$(ls -A "$W" | grep -v -x -F -e gap.json -e gap.md -e gap.html -e gap.cases)" ] &&
        seen_left=$((seen_left + 1))
    leftovers_ok || { odd=$((odd + 1)); echo "     after a kill at $delay_ms ms: $(ls -A "$W" | tr '\n' ' ')"; }
    # The next run writing there (back to the old set) removes the leftovers.
    reports "$LOG" || { bad "a run after a kill failed"; cat "$T/err"; }
    [ "$(ls -A "$W" | wc -l)" -eq 4 ] || { stale=$((stale + 1)); echo "     left after the next run: $(ls -A "$W" | tr '\n' ' ')"; }
done
echo "     $kills kills: $seen_old left the old set, $seen_new the new one ($seen_journal through a journal), $seen_left left temporary files"
[ $mixed -eq 0 ] && ok "every kill left all four reports old or all four new (a journal completing the renames)" ||
    bad "$mixed kills left a mix of old and new reports"
[ $odd -eq 0 ] && ok "what a kill left is only hidden .asbuilt-tmp. files" ||
    bad "$odd kills left files that could pass for reports"
[ $stale -eq 0 ] && ok "the next run removed every leftover" || bad "$stale runs kept leftovers"
[ $seen_old -gt 0 ] && ok "some kills came before the renames" || bad "no kill came before the renames"

# A run asked to stop (SIGINT, SIGTERM) removes its temporary files itself.
for sig in INT TERM; do
    left=0
    for k in $(seq 0 5); do
        delay_ms=$((k * took / 5))
        "$AB" diff "$T/big.csv" --model "$MAP" -q --json "$W/gap.json" --md "$W/gap.md" \
            --html "$W/gap.html" --cases "$W/gap.cases" >/dev/null 2>&1 &
        pid=$!
        sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
        kill -$sig $pid 2>/dev/null
        wait $pid 2>/dev/null
        s=$(state)
        case "$s" in old | new) ;; *) left=$((left + 1)); echo "     SIG$sig at $delay_ms ms: $s" ;; esac
        [ "$(ls -A "$W" | wc -l)" -eq 4 ] || { left=$((left + 1)); echo "     SIG$sig at $delay_ms ms left: $(ls -A "$W" | tr '\n' ' ')"; }
        reports "$LOG"
    done
    [ $left -eq 0 ] && ok "SIG$sig: no temporary file left, the set whole" || bad "SIG$sig: $left runs left files or a mix"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
