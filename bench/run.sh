#!/usr/bin/env bash
# Benchmarks. Builds an optimised tree with -Dbench=enabled, generates the
# logs it needs with tools/abgen (never committed), and prints the tables
# that the README records. Usage: bench/run.sh [ingest|memory|discover|one-pass|model|wide|conform|all]
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
if [ "$what" = wide ] || [ "$what" = all ]; then
    # One parallel split into N one-task branches (2^N markings) and 20 cases that fit it.
    for n in 1000 5000 10000; do
        [ -s "$OUT/wide-$n.xes" ] || $B/tools/genbpmn --branches $n -o "$OUT/wide-$n.bpmn" \
            --log "$OUT/wide-$n.xes" --traces 20
    done
    echo "## wide parallel maps: soundness within the default memory budget (best of 3)"
    $B/bench/bench_model --repeat=3 "$OUT/wide-1000.bpmn" "$OUT/wide-5000.bpmn" "$OUT/wide-10000.bpmn"
    echo "## wide parallel maps, whole commands: wall time and peak RSS; baseline = asbuilt stats"
    echo "## reading the same log (ratio = command / baseline, same run)"
    echo "| map | stats (s, MB) | model (s, MB) | diff, 20 fitting cases (s, MB) | model / stats | diff / stats |"
    echo "|---|---|---|---|---|---|"
    t() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }
    for n in 1000 5000 10000; do
        read -r s_t s_m <<<"$(t $B/tools/asbuilt stats -q "$OUT/wide-$n.xes")"
        read -r m_t m_m <<<"$(t $B/tools/asbuilt model -q "$OUT/wide-$n.bpmn")"
        read -r d_t d_m <<<"$(t $B/tools/asbuilt diff -q --model "$OUT/wide-$n.bpmn" "$OUT/wide-$n.xes")"
        awk -v n=$n -v st=$s_t -v sm=$s_m -v mt=$m_t -v mm=$m_m -v dt=$d_t -v dm=$d_m 'BEGIN {
            printf "| wide-%s | %.2f, %.0f | %.2f, %.0f | %.2f, %.0f | %.1f | %.1f |\n",
                n, st, sm / 1024, mt, mm / 1024, dt, dm / 1024, mt / st, dt / st }'
    done
fi
if [ "$what" = conform ] || [ "$what" = all ]; then
    echo "## alignments (best of 5, loading excluded; PM4Py's time from the reference data)"
    $B/bench/bench_conform --repeat=5 --data="$SHARED"
    [ -s "$OUT/gen-2000.bpmn" ] || $B/tools/genbpmn --tasks 2000 --seed 7 -o "$OUT/gen-2000.bpmn"
    $B/bench/bench_conform --repeat=1 --simulate="$OUT/gen-2000.bpmn" --traces=1000 --noise=0.1
fi
