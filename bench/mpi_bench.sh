#!/usr/bin/env bash
# bench/mpi_bench.sh: `asbuilt-mpi diff`, `stats` and `discover` over 1 and
# 2 MPI ranks against the same `asbuilt` command (the baseline, in the same
# script) on one generated log,
# plain CSV so that the ranks cut it in record ranges:
#   loanapp (default): about 10 M events, the LoanApp map simulated with
#     deviations (tools/absim, 7 events a case, few distinct variants: the
#     read and the per-event work dominate);
#   variants: 5 M events, the Purchasing map with up to four deviations a
#     case (nearly every case a variant of its own: the alignments of the
#     distinct variants, which asbuilt-mpi spreads over the ranks, weigh).
# Prints the wall time of each run, the speed-up, each rank's peak RSS (diff
# also on 2 ranks with every time impact measured by the ranks together,
# ASBUILT_MPI_GATHER_MAX=0, none gathered to one rank), the
# phases of the MPI runs (read, shuffle, the cases completed on their owners,
# then under diff each rank's cases numbered, aligned, the variants made
# global, the gap over the ranks, the reports written by rank 0) and the
# per-event costs that docs/scaling-model.md rests on. The JSON reports must
# agree byte for byte (apart from "inputs").
# Usage: bench/mpi_bench.sh [loanapp|variants] [CASES]
#   (default cases: 1430000 for loanapp, 10.0 M events; 200000 for variants)
# REPEAT runs each configuration that many times, in turns (default 2); the
# table shows the fastest run of each, the phases those of the fastest.
# BENCH_BUILD names the build folder (default build-bench), BENCH_DATA the
# folder of generated logs (default /tmp/asbuilt-bench). BASELINE_MPI, an
# asbuilt-mpi of another build (an earlier commit's), adds its diff on 2
# ranks to the turns, so that a change is measured against it in the same
# script.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=loanapp
case "${1:-}" in
loanapp | variants) kind=$1; shift ;;
esac
B=${BENCH_BUILD:-build-bench}
OUT=${BENCH_DATA:-/tmp/asbuilt-bench}
mkdir -p "$OUT"
[ -d "$B" ] || meson setup "$B" -Dbuildtype=release -Dbench=enabled -Dtests=disabled -Dmpi=enabled >/dev/null
ninja -C "$B" tools/asbuilt tools/asbuilt-mpi tools/absim >/dev/null
[ -x "$B/tools/asbuilt-mpi" ] || { echo "asbuilt-mpi is not built in $B (MPI not found?)"; exit 1; }
if [ "$kind" = loanapp ]; then
    cases=${1:-1430000}
    map=datasets/models/simod_LoanApp_simplified.bpmn
    log="$OUT/loanapp-dev-$cases.csv"
    sim=(--seed 11 --skip 0.1 --insert 0.05 --repeat 0.05 --swap 0.05)
else
    cases=${1:-200000}
    map=datasets/models/simod_PurchasingExample.bpmn
    log="$OUT/purchasing-variants-$cases.csv"
    sim=(--seed 3 --skip 0.2 --insert 0.2 --repeat 0.2 --swap 0.2 --max-deviations-per-case 4)
fi
if [ ! -s "$log" ]; then
    "$B/tools/absim" "$map" --cases "$cases" --format csv -q -o "$log" --truth "$log.truth.json" "${sim[@]}"
    rm -f "$log.truth.json"
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# Unbound: rank 0 runs the command with a thread per core, as asbuilt does.
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none --mca btl self,vader)

# run NAME CMD...: wall seconds and the peak RSS of the process tree's largest process.
run() {
    local name=$1
    shift
    python3 - "$T/$name" "$@" <<'PY'
import resource, subprocess, sys, time
out = sys.argv[1]
t = time.monotonic()
with open(out + ".err", "w") as err:
    rc = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=err)
dt = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(out + ".time", "w").write("%.3f %d %d\n" % (dt, rss, rc))
PY
}

events=$(($(wc -l <"$log") - 1))
bytes=$(stat -c %s "$log")
cat "$log" >/dev/null # Warm the page cache once for every run.
# keep NAME: the run just made becomes NAME's when it is NAME's fastest so far.
keep() {
    local t old
    read -r t _ <"$T/$1.new.time"
    if [ -s "$T/$1.time" ]; then read -r old _ <"$T/$1.time"; else old=999999; fi
    if [ "$(echo "$t < $old" | bc -l)" = 1 ]; then
        mv "$T/$1.new.time" "$T/$1.time"
        mv "$T/$1.new.err" "$T/$1.err"
    fi
}
for k in $(seq "${REPEAT:-2}"); do
    run base.new "$B/tools/asbuilt" diff -q --json "$T/base.json" --model "$map" "$log"
    keep base
    for np in 1 2; do
        ASBUILT_MPI_VERBOSE=1 run "np$np.new" "${MPIRUN[@]}" -np $np "$B/tools/asbuilt-mpi" diff -q \
            --json "$T/np$np.json" --model "$map" "$log"
        keep "np$np"
    done
    if [ -n "${BASELINE_MPI:-}" ]; then
        ASBUILT_MPI_VERBOSE=1 run "prev.new" "${MPIRUN[@]}" -np 2 "$BASELINE_MPI" diff -q \
            --json "$T/prev.json" --model "$map" "$log"
        keep prev
    fi
    # Every time impact measured by the two ranks together, none gathered to one.
    ASBUILT_MPI_GATHER_MAX=0 ASBUILT_MPI_VERBOSE=1 run "np2t.new" "${MPIRUN[@]}" -np 2 \
        "$B/tools/asbuilt-mpi" diff -q --json "$T/np2t.json" --model "$map" "$log"
    keep np2t
done
# stats, which asbuilt-mpi counts on the cases' owners without gathering
# the log: the memory of rank 0 against one process's.
for k in $(seq "${REPEAT:-2}"); do
    run sbase.new "$B/tools/asbuilt" stats -q --json -o "$T/sbase.json" "$log"
    keep sbase
    for np in 1 2; do
        ASBUILT_MPI_VERBOSE=1 run "snp$np.new" "${MPIRUN[@]}" -np $np "$B/tools/asbuilt-mpi" stats -q \
            --json -o "$T/snp$np.json" "$log"
        keep "snp$np"
    done
done
# discover, which asbuilt-mpi summarises on the cases' owners: rank 0 merges
# their counters and the percentiles are selected over the ranks.
for k in $(seq "${REPEAT:-2}"); do
    run dbase.new "$B/tools/asbuilt" discover -q -o "$T/dbase.json" "$log"
    keep dbase
    for np in 1 2; do
        ASBUILT_MPI_VERBOSE=1 run "dnp$np.new" "${MPIRUN[@]}" -np $np "$B/tools/asbuilt-mpi" discover \
            -q -o "$T/dnp$np.json" "$log"
        keep "dnp$np"
    done
done

strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("inputs",None); print(json.dumps(d))' "$1"; }
# table CMD BASE PRE: asbuilt CMD's run (BASE) against asbuilt-mpi CMD's on 1
# and 2 ranks (PREnp1, PREnp2): wall time, speed-up, memory, the same JSON.
table() {
    local cmd=$1 base=$2 pre=$3 t0 r0 t r c rss same
    echo "| run | wall time | speed-up vs asbuilt | peak RSS per rank | JSON as asbuilt's |"
    echo "|---|---|---|---|---|"
    read -r t0 r0 _ <"$T/$base.time"
    printf '| asbuilt %s | %.2f s | 1.00x | %.0f MB | - |\n' "$cmd" "$t0" "$(echo "$r0 / 1024" | bc -l)"
    for np in 1 2; do
        row "$base" "${pre}np$np" "asbuilt-mpi $cmd -np $np"
    done
    if [ "$cmd" = diff ]; then
        row "$base" np2t "asbuilt-mpi diff -np 2, every time impact measured together"
        if [ -s "$T/prev.time" ]; then
            row "$base" prev "baseline asbuilt-mpi diff -np 2 (BASELINE_MPI)"
        fi
    fi
}
# row BASE RUN LABEL: one MPI run against the baseline.
row() {
    local t0 t r c rss same
    read -r t0 _ <"$T/$1.time"
    read -r t r c <"$T/$2.time"
    rss=$(sed -n 's/.*peak RSS per rank (MiB): //p' "$T/$2.err")
    same=no
    [ "$c" -eq 0 ] && cmp -s <(strip "$T/$1.json") <(strip "$T/$2.json") && same=yes
    printf '| %s | %.2f s | %.2fx | %s MiB | %s |\n' "$3" "$t" "$(echo "$t0 / $t" | bc -l)" "$rss" "$same"
}
variants=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["inputs"]["log"]["conformance_variants"])' "$T/base.json" 2>/dev/null || echo "?")
# The findings whose time impact is measured (each one's samples go to one rank).
measured=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(1 for v in d.values() if isinstance(v, list) for it in v
          if isinstance(it, dict) and "deviating_median_s" in it.get("time_impact", {})))' "$T/base.json" 2>/dev/null || echo "?")
echo "## asbuilt-mpi diff vs asbuilt diff ($kind): $events events, $cases cases, $variants variants, $measured time impacts measured, $((bytes / 1000000)) MB of CSV, $(nproc) cores"
echo
table diff base ""
echo
echo "### asbuilt-mpi stats vs asbuilt stats (the log is not gathered)"
echo
table stats sbase s
echo
echo "### asbuilt-mpi discover vs asbuilt discover (the log is not gathered)"
echo
table discover dbase d
for np in 1 2; do
    echo
    echo "### discover phases, -np $np"
    grep '^asbuilt-mpi:' "$T/dnp$np.err" | sed 's/^asbuilt-mpi: */    /'
done
for name in np1 np2 np2t $([ -s "$T/prev.time" ] && echo prev); do
    echo
    case $name in
    prev) echo "### phases, baseline -np 2 (seconds since start, rank 0's clock)" ;;
    *) echo "### phases, -np ${name#np} (seconds since start, rank 0's clock)" ;;
    esac
    grep '^asbuilt-mpi:' "$T/$name.err" | sed 's/^asbuilt-mpi: */    /'
done
# Per-event costs of the 2-rank runs. The phases every rank runs at once
# (read, shuffle, completion of cases; under diff the conformance and the
# gap; under discover the summaries and the selection): CPU-ns per event is
# the phase's seconds times the ranks over the events. What rank 0 runs
# alone (the reports): ns per event of wall time.
cat >"$T/costs.py" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
ev, kind = int(sys.argv[2]), sys.argv[3]
ts = {}
for l in lines:
    m = re.match(r"asbuilt-mpi:\s+([\d.]+) s\s+(\w+)", l)
    if m:
        ts[m.group(2)] = float(m.group(1))
start = [("read", "every rank", 2), ("shuffle", "every rank", 2), ("cases", "every rank", 2)]
phases = start + ([("numbered", "every rank: its cases' order, the activities widened", 2),
                   ("conformance", "every rank: its cases' traces and variants aligned", 2),
                   ("variants", "every rank: the variants made global", 2),
                   ("gap", "every rank: the gap, its calls collectives", 2),
                   ("done", "rank 0: the ids named fetched, the reports written", 1)]
                  if kind == "diff" else
                  [("summarised", "every rank: the cases into an accumulator", 2),
                   ("loaded", "every rank: variants to their owners, counters to rank 0, loaded there", 2),
                   ("asked", "rank 0: the merged graph", 1),
                   ("selected", "every rank: durations sorted, the percentiles selected", 2),
                   ("done", "rank 0: the output written", 1)])
prev = 0.0
for k, who, n in phases:
    if k in ts:
        print("    %-10s %6.3f s  %6.0f ns/event  (%s)" % (k, ts[k] - prev, (ts[k] - prev) * n * 1e9 / ev, who))
        prev = ts[k]
for pat, what in ((r"(\d+) bytes between ranks", "shuffled between ranks"), (r"gather: (\d+) bytes", "gathered to rank 0 from rank 1")):
    m = [re.search(pat, l) for l in lines]
    m = [x for x in m if x]
    if m:
        print("    %s: %.1f bytes/event" % (what, int(m[0].group(1)) / ev))
PY
echo
echo "### per-event costs (-np 2)"
python3 "$T/costs.py" "$T/np2.err" "$events" diff
echo
echo "### per-event costs of discover (-np 2)"
python3 "$T/costs.py" "$T/dnp2.err" "$events" discover
