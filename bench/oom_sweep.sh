#!/usr/bin/env bash
# The whole-process allocation-failure sweep, every point: each run of
# asbuilt fails one allocation of the process (its own, libxml2's, zlib's,
# the C library's; tests/oom_shim.c) and must end in a clean error (exit 4,
# "out of memory", no report left) or in the exact output of the run without
# failures. Runs every scenario of tests/oom_sweep.py (stats on XES, CSV and
# their gzipped forms; diff of the running example, from XES and from CSV,
# with every report; discover, model --log, sniff), once with one-shot failures (the N-th allocation
# fails) and once with persistent ones (every allocation from the N-th on),
# then every 13th point of a diff of a larger log, then samples under
# valgrind, then the diffs again with 2 threads, and prints the totals: points, clean errors, exact outputs, crashes, leaks,
# silent wrong results, exit 0 without the reports, wrong exit codes or
# messages, errors leaving output behind, valgrind errors. Exits 1 when any failure class is
# not 0.
#
# Usage: bench/oom_sweep.sh [one-shot|persistent|sample|valgrind|threads|all]
# OOM_BUILD names the build folder (default build-oom: a debugoptimized build
# without sanitizers, whose allocator would not mix with the shim);
# AB_SHARED_DATA the reference data (default ../shared/data, else datasets/).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
B=${OOM_BUILD:-build-oom}
SHARED=${AB_SHARED_DATA:-../shared/data}
[ -d "$SHARED/logs" ] || SHARED=datasets
[ -d "$B" ] || meson setup "$B" -Dbuildtype=debugoptimized >/dev/null
ninja -C "$B" tools/asbuilt tests/oom_shim.so >/dev/null
status=0
run() { # run LABEL [extra sweep options...]
    echo "## $1"
    shift
    python3 tests/oom_sweep.py --asbuilt "$B/tools/asbuilt" --shim "$B/tests/oom_shim.so" \
        --data "$SHARED" --show 10 "$@" || status=1
}
if [ "$what" = one-shot ] || [ "$what" = all ]; then
    run "one-shot: the N-th allocation fails"
fi
if [ "$what" = persistent ] || [ "$what" = all ]; then
    run "persistent: every allocation from the N-th on fails" --persist
fi
if [ "$what" = sample ] || [ "$what" = all ]; then
    # 13,700 allocations: every 13th (about 1,050 runs).
    run "one-shot, a larger log (pm4py_09_a32f0n00), every 13th point" --scenario diff-a32 --stride 13
fi
if [ "$what" = valgrind ] || [ "$what" = all ]; then
    # Memory errors on the error paths, which the sanitizer builds cannot see
    # here (their allocator does not mix with the shim): 40 points of each
    # of these under memcheck, the rest as usual.
    run "one-shot, 40 points of each under valgrind" --valgrind 40 --scenario xes \
        --scenario csv-gz --scenario xes-latin1 --scenario model-latin1 --scenario diff \
        --scenario diff-files
fi
if [ "$what" = threads ] || [ "$what" = all ]; then
    # The failure lands in whichever thread makes the N-th allocation.
    run "one-shot, diff with 2 threads" --scenario diff --scenario diff-csv --threads 2
fi
exit $status
