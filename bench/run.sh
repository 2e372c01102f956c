#!/usr/bin/env bash
# Benchmarks. Builds an optimised tree with -Dbench=enabled, generates the
# logs it needs with tools/abgen (never committed), and prints the tables
# that the README records. Usage: bench/run.sh [ingest|memory|discover|one-pass|model|conform|ambiguity|all]
# BENCH_BUILD names the build folder (default build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
B=${BENCH_BUILD:-build-bench}
OUT=${BENCH_DATA:-/tmp/asbuilt-bench}
SHARED=${AB_SHARED_DATA:-../shared/data}
[ -d "$SHARED/logs" ] || SHARED=datasets
mkdir -p "$OUT"
[ -d $B ] || meson setup $B -Dbuildtype=release -Dbench=enabled -Dtests=disabled >/dev/null
ninja -C $B >/dev/null

gen() { # gen EVENTS FORMAT FILE [extra...]
    local n=$1 fmt=$2 file=$3
    shift 3
    [ -s "$OUT/$file" ] || $B/tools/abgen --events "$n" --format "$fmt" --seed 2026 -q "$@" -o "$OUT/$file"
}

if [ "$what" = ingest ] || [ "$what" = all ]; then
    gen 1M xes loans-1M.xes.gz --gzip
    gen 1M csv loans-1M.csv.gz --gzip
    echo "## ingest (best of 3 after a warm-up). Baselines in the same run: inflate alone (zlib, and the"
    echo "## build's inflater: ISA-L when built in), and the floor: inflate plus libxml2's SAX2 parser with"
    echo "## empty callbacks, one thread (inflate alone for CSV). Modes: one-thread = inflate and parse on one"
    echo "## core, bg-inflate = inflate on a second thread; -zlib = with zlib's inflate)"
    $B/bench/bench_ingest --repeat=3 "$OUT/loans-1M.xes.gz" "$OUT/loans-1M.csv.gz" \
        "$SHARED/logs/pm4py_bpic2012.xes.gz"
fi
if [ "$what" = memory ] || [ "$what" = all ]; then
    gen 5M xes loans-5M.xes.gz --gzip
    echo "## peak memory (one ingest per process)"
    $B/bench/bench_ingest --memory "$OUT/loans-5M.xes.gz"
    $B/bench/bench_ingest --memory --no-attributes "$OUT/loans-5M.xes.gz"
fi
if [ "$what" = discover ] || [ "$what" = all ]; then
    gen 5M xes loans-5M.xes.gz --gzip
    echo "## discovery beside ingest (best of 3; discovery on the finished log)"
    $B/bench/bench_discover --repeat=3 "$OUT/loans-5M.xes.gz"
fi
if [ "$what" = one-pass ] || [ "$what" = all ]; then
    gen 1M xes loans-1M.xes.gz --gzip
    gen 10M xes loans-10M.xes.gz --gzip
    echo "## one-pass discovery (one file per process: peak RSS should not grow with the events)"
    $B/bench/bench_discover --one-pass "$OUT/loans-1M.xes.gz"
    $B/bench/bench_discover --one-pass "$OUT/loans-10M.xes.gz"
    # A process with a bounded set of variants (abgen's keep growing): the
    # LoanApp map simulated, 140,000 and 1,400,000 cases (about 1M and 10M events).
    for n in 140000 1400000; do
        [ -s "$OUT/loanmap-$n.xes.gz" ] || $B/tools/absim "$SHARED/models/simod_LoanApp_simplified.bpmn" \
            --cases $n --seed 3 --format xes --gzip -q -o "$OUT/loanmap-$n.xes.gz" --truth "$OUT/loanmap-$n.truth.json"
        $B/bench/bench_discover --one-pass "$OUT/loanmap-$n.xes.gz"
    done
fi
if [ "$what" = model ] || [ "$what" = all ]; then
    [ -s "$OUT/gen-2000.bpmn" ] || $B/tools/genbpmn --tasks 2000 --seed 7 -o "$OUT/gen-2000.bpmn"
    echo "## documented maps: load and compile (best of 5; baseline = libxml2 building a tree of the same bytes)"
    $B/bench/bench_model --repeat=5 "$SHARED/models/miwg_Reference_B.2.0.bpmn" \
        "$SHARED/models/pm4py_receipt.bpmn" "$SHARED/models/pm4py_a32f0n00.bpmn" "$OUT/gen-2000.bpmn"
fi
if [ "$what" = conform ] || [ "$what" = all ]; then
    echo "## alignments (best of 5, loading excluded; PM4Py's time from the reference data)"
    $B/bench/bench_conform --repeat=5 --data="$SHARED"
    [ -s "$OUT/gen-2000.bpmn" ] || $B/tools/genbpmn --tasks 2000 --seed 7 -o "$OUT/gen-2000.bpmn"
    $B/bench/bench_conform --repeat=1 --simulate="$OUT/gen-2000.bpmn" --traces=1000 --noise=0.1
fi
if [ "$what" = ambiguity ] || [ "$what" = all ]; then
    # Cases of 1,000 activities each, every one different and undocumented (bench/gen_distinct.sh):
    # the whole diff (with its ambiguity check) against stats of the same file, and the alignments
    # with and without the check.
    MAP="$SHARED/models/pm4py_running-example.bpmn"
    echo "## diff against stats on 1, 10, 100, 1,000 cases of 1,000 distinct undocumented activities"
    echo "## (wall seconds and peak RSS, one run each; running-example map)"
    for cases in 1 10 100 1000; do
        f="$OUT/distinct-$cases.csv"
        [ -s "$f" ] || bench/gen_distinct.sh $cases 1000 > "$f"
        s=$( { /usr/bin/time -f "%e %M" $B/tools/asbuilt stats "$f" -q > /dev/null; } 2>&1 | tail -1)
        d=$( { /usr/bin/time -f "%e %M" $B/tools/asbuilt diff "$f" --model "$MAP" -q > /dev/null; } 2>&1 | tail -1)
        echo "$cases $s $d" | awk '{ printf "%5d x 1000 events: stats %6.2f s %7.1f MB, diff %7.2f s %7.1f MB, diff/stats %5.1fx, %5.0f bytes/event\n",
            $1, $2, $3 / 1024, $4, $5 / 1024, $4 / ($2 > 0 ? $2 : 0.01), $5 * 1024 / ($1 * 1000) }'
    done
    for cases in 1 10 100 1000; do
        $B/bench/bench_conform --repeat=3 --data="$SHARED" --only-distinct --distinct=$cases:1000 | grep distinct
    done
fi
