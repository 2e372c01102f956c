#!/usr/bin/env bash
# Benchmarks. Builds an optimised tree with -Dbench=enabled, generates the
# logs it needs with tools/abgen (never committed), and prints the tables
# that the README records. Usage:
#   bench/run.sh [ingest|memory|discover|one-pass|model|wide|conform|ambiguity|diff-scale|case-lines|long-case|partial|all]
# DIFF_SCALE_CASES overrides the case counts of diff-scale (default "10000 100000 1000000 10000000").
# PARTIAL_CASES the case count of partial (default 1000000).
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

# The LoanApp map, and a log of N cases simulated from it with deviations
# (10% skipped, 5% inserted, 5% repeated, 5% swapped steps; 7 events a case,
# CSV.gz), made once: loanapp_dev N prints its path.
loan_map="$SHARED/models/simod_LoanApp_simplified.bpmn"
[ -f "$loan_map" ] || loan_map=datasets/models/simod_LoanApp_simplified.bpmn
loanapp_dev() {
    local n=$1 log="$OUT/loanapp-dev-$1.csv.gz"
    if [ ! -s "$log" ]; then
        $B/tools/absim "$loan_map" --cases "$n" --seed 11 --format csv --gzip -q -o "$log" \
            --truth "$OUT/loanapp-dev-$n.truth.json" --skip 0.1 --insert 0.05 --repeat 0.05 --swap 0.05
        rm -f "$OUT/loanapp-dev-$n.truth.json"
    fi
    echo "$log"
}

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
if [ "$what" = diff-scale ] || [ "$what" = all ]; then
    # The whole gap run against ingest alone, on the same file in the same
    # script: `asbuilt stats` reads and summarises the log (the ingest
    # baseline), `asbuilt diff` adds the map, the alignments, the metrics, the
    # time impacts and the reports. Logs: the LoanApp map simulated with
    # deviations, 7 events a case. Peak memory is the process's maximum RSS.
    map=$loan_map
    echo "## diff scaling: whole diff vs stats (ingest) on the same file, one run each, 2 threads"
    printf '| cases | events | stats (s) | diff (s) | diff / stats | diff peak RSS | bytes per event |\n'
    printf '|---|---|---|---|---|---|---|\n'
    for n in ${DIFF_SCALE_CASES:-10000 100000 1000000 10000000}; do
        log=$(loanapp_dev "$n")
        ev=$($B/tools/asbuilt stats --json "$log" -q | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
        st=$( { /usr/bin/time -f '%e %M' $B/tools/asbuilt stats -q "$log" >/dev/null; } 2>&1 | tail -n 1)
        df=$( { /usr/bin/time -f '%e %M' $B/tools/asbuilt diff -q "$log" --model "$map" \
            --json "$OUT/gap-$n.json" >/dev/null; } 2>&1 | tail -n 1)
        python3 - "$n" "$ev" $st $df <<'PY'
import sys
n, ev, st, _, dt, dk = sys.argv[1:7]
n, ev, st, dt, dk = int(n), int(ev), float(st), float(dt), int(dk)
print(f"| {n:,} | {ev:,} | {st:.2f} | {dt:.2f} | {dt / max(st, 0.01):.2f}x | {dk / 1024:.0f} MB | {dk * 1024 / ev:.0f} |")
PY
    done
    if [ -f "$SHARED/logs/simod_BPIC15_1.csv.gz" ] && [ -f "$SHARED/models/simod_BPIC15_1.bpmn" ]; then
        echo "## BPIC 2015 (1,199 cases) against its 398-task map: whole diff, best of 3"
        for check in with without; do
            extra=()
            [ "$check" = without ] && extra=(--no-ambiguity-check)
            best=
            for _ in 1 2 3; do
                t=$( { /usr/bin/time -f '%e' $B/tools/asbuilt diff -q "$SHARED/logs/simod_BPIC15_1.csv.gz" \
                    --model "$SHARED/models/simod_BPIC15_1.bpmn" "${extra[@]}" --json "$OUT/bpic15.json" \
                    >/dev/null; } 2>&1 | tail -n 1)
                best=$(python3 -c "import sys; a=sys.argv[1:]; print(min(float(x) for x in a if x))" $t $best)
            done
            echo "ambiguity check $check: $best s"
        done
    fi
fi
if [ "$what" = case-lines ] || [ "$what" = all ]; then
    # `diff --cases` against `diff` alone on the same file, in the same
    # script: the case lines are made and written a range of cases at a
    # time, so they should add time but no memory (the 1 M-case log of
    # diff-scale; CASE_LINES_CASES overrides it).
    map=$loan_map
    n=${CASE_LINES_CASES:-1000000}
    log=$(loanapp_dev "$n")
    echo "## case lines: diff with --cases vs without, $n cases, one run each, 2 threads"
    printf '| run | time (s) | peak RSS | case lines |\n|---|---|---|---|\n'
    for with in no yes; do
        extra=()
        [ $with = yes ] && extra=(--cases "$OUT/cases-$n.jsonl")
        r=$( { /usr/bin/time -f '%e %M' $B/tools/asbuilt diff -q "$log" --model "$map" \
            --json "$OUT/gap-$n.json" "${extra[@]}" >/dev/null; } 2>&1 | tail -n 1)
        size=0
        [ $with = yes ] && size=$(stat -c %s "$OUT/cases-$n.jsonl")
        python3 - "$with" $r "$size" <<'PY'
import sys
w, t, k, size = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"| {'--cases' if w == 'yes' else 'without'} | {t:.2f} | {k / 1024:.0f} MB | "
      f"{size / 1e6:.0f} MB |" if w == 'yes' else f"| without | {t:.2f} | {k / 1024:.0f} MB | - |")
PY
    done
    rm -f "$OUT/cases-$n.jsonl"
fi
if [ "$what" = long-case ] || [ "$what" = all ]; then
    # One very long case (machine logs, a case per system): N events drawn
    # from the LoanApp map's activities and two it lacks, a minute apart.
    # Classification (rule R3) must stay near-linear in the trace's length;
    # `asbuilt stats` on the same file is the baseline.
    map=$loan_map
    echo "## one long case: diff vs stats on the same file"
    printf '| events in the case | stats (s) | diff (s) | diff peak RSS |\n|---|---|---|---|\n'
    for n in ${LONG_CASE_EVENTS:-8000 32000 128000}; do
        log="$OUT/long-case-$n.csv"
        [ -s "$log" ] || python3 - "$n" "$log" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
acts = ["Check application form completeness", "Check credit history", "Appraise property",
        "Assess loan risk", "Design loan offer", "Approve loan offer",
        "Return application back to applicant", "Receive updated application",
        "Approve application", "Cancel application", "Reject application",
        "Call customer back", "Manual override"]
rng = random.Random(1)
with open(path, "w") as f:
    f.write("case,activity,timestamp\n")
    for i in range(n):
        t = 60 * (i + 1)
        d = t // 86400
        f.write("c1,%s,2024-%02d-%02dT%02d:%02d:%02dZ\n" % (rng.choice(acts), 1 + d // 28, 1 + d % 28,
                (t % 86400) // 3600, (t % 3600) // 60, t % 60))
PY
        s0=$(date +%s.%N)
        $B/tools/asbuilt stats "$log" -q >/dev/null
        s1=$(date +%s.%N)
        peak=$( { /usr/bin/time -f %M $B/tools/asbuilt diff "$log" --model "$map" --json /dev/null -q \
            >/dev/null; } 2>&1 | tail -n 1)
        s2=$(date +%s.%N)
        awk -v n="$n" -v a="$s0" -v b="$s1" -v c="$s2" -v p="$peak" \
            'BEGIN { printf "| %s | %.2f | %.2f | %d MB |\n", n, b - a, c - b, p / 1024 }'
    done
fi
if [ "$what" = partial ] || [ "$what" = all ]; then
    # `asbuilt partial` against `asbuilt stats` on the same file in the same
    # script (the target: at most 1.3 times), alternating, best of 3 after a
    # warm-up; then reading the partial back (stats of the partial) and the
    # partial's size. The log is diff-scale's: LoanApp simulated with
    # deviations, CSV.gz, 7 events a case.
    map=$loan_map
    n=${PARTIAL_CASES:-1000000}
    log=$(loanapp_dev "$n")
    part="$OUT/loanapp-dev-$n.part"
    t() { { /usr/bin/time -f '%e %U %S %M' "$@" >/dev/null; } 2>&1 | tail -n 1; }
    $B/tools/asbuilt stats -q "$log" >/dev/null
    runs=()
    for _ in 1 2 3 4 5; do
        runs+=($(t $B/tools/asbuilt stats -q "$log") $(t $B/tools/asbuilt partial -q "$log" -o "$part") \
            $(t $B/tools/asbuilt stats -q "$part"))
    done
    echo "## partial vs stats on the same file (alternating, best of 5 by wall time and by CPU time)"
    python3 - "$n" "$(stat -c %s "$log")" "$(stat -c %s "$part")" "${runs[@]}" <<'PY'
import sys
n, logsize, partsize = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
v = [float(x) for x in sys.argv[4:]]
rows = [v[i:i + 4] for i in range(0, len(v), 4)]           # wall, user, sys, max RSS (KB)
st, pt, rt = rows[0::3], rows[1::3], rows[2::3]
wall = lambda r: min(x[0] for x in r)
cpu = lambda r: min(x[1] + x[2] for x in r)
rss = lambda r: max(x[3] for x in r) / 1024
print("| cases | log (CSV.gz) | partial | stats wall / CPU | partial wall / CPU | partial / stats, wall / CPU "
      "| stats of the partial, wall | peak RSS stats / partial / stats of the partial |")
print("|---|---|---|---|---|---|---|---|")
print(f"| {n:,} | {logsize / 1e6:.0f} MB | {partsize / 1e6:.0f} MB | {wall(st):.2f} / {cpu(st):.2f} s "
      f"| {wall(pt):.2f} / {cpu(pt):.2f} s | {wall(pt) / wall(st):.2f}x / {cpu(pt) / cpu(st):.2f}x "
      f"| {wall(rt):.2f} s | {rss(st):.0f} / {rss(pt):.0f} / {rss(rt):.0f} MB |")
PY
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
