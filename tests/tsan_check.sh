#!/usr/bin/env bash
# tests/tsan_check.sh BUILD_ROOT SOURCE_ROOT PYTHON: the library's threaded
# paths under ThreadSanitizer (a build with -Db_sanitize=thread). A data race
# need not show in a result to be one: TSan reports the unsynchronised access
# itself, whichever thread wins. Runs `asbuilt diff` with several threads
# (alignments, time impacts, who did the work) and the Python binding's
# thread tests (two diffs at once in one process, the GIL released).
set -u
. "$(dirname "$0")/check_lib.sh"
build=$1
src=$2
py=$3
bin=$build/tools/asbuilt
ds=$src/datasets
export TSAN_OPTIONS="halt_on_error=0 exitcode=66 report_signal_unsafe=0"

run() { # name, command...
    local name=$1
    shift
    if "$@" >"$T/out" 2>"$T/err" && ! grep -q "ThreadSanitizer" "$T/err"; then
        ok "$name"
    else
        bad "$name"
        grep -A30 -m1 "WARNING: ThreadSanitizer" "$T/err" || tail -n 20 "$T/err"
    fi
}

run "diff, 4 threads, with who did the work" "$bin" diff \
    "$ds/logs/bpic2020_DomesticDeclarations.xes.gz" \
    --model "$ds/models/bpic2020_declaration_documents.bpmn" \
    --map "$ds/maps/bpic2020_declaration_documents.map.csv" \
    --role-map "$ds/maps/bpic2020_declaration_lanes.map.csv" --system-resources SYSTEM \
    --threads 4 --json "$T/a.json" --html "$T/a.html" -q
run "diff, 3 threads, LoanApp" "$bin" diff \
    "$ds/logs/simod_LoanApp_simplified_without_approve_loan_offer.csv" \
    --model "$ds/models/simod_LoanApp_simplified.bpmn" --threads 3 --json "$T/b.json" -q

# Python loads the library into an interpreter built without TSan: the
# runtime has to come first.
rt=$(ldd "$build/libasbuilt.so.0" | awk '/libtsan/ { print $3 }')
if [ -z "$rt" ] || ! "$py" -c 'import pandas, pytest' 2>/dev/null; then
    echo "skip the Python thread tests (no TSan runtime or no Python with pandas and pytest)"
else
    run "python: two diffs in two threads" env LD_PRELOAD="$rt" \
        ASBUILT_LIBRARY="$build/libasbuilt.so.0" ASBUILT_CLI="$bin" AB_BUILD_ROOT="$build" \
        PYTHONDONTWRITEBYTECODE=1 "$py" -m pytest -q -s -p no:cacheprovider \
        "$src/python/tests/test_threads.py"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
