#!/usr/bin/env bash
# What the who-did-the-work checks add to `asbuilt diff` (issue: at most 30%
# of the whole run on a 1 M-case log with resources). Simulates the BPIC 2020
# declaration map (five lanes) with absim, gives every event a resource from
# its lane's pool of 20 (3% from another lane's pool, 2% a system account)
# and that pool's role as org:role (awk), then times the whole diff pipeline
# and, in the same run, its resource-perspective part (bench_who.c): roles
# from the log, two segregation-of-duties rules, system accounts.
# Usage: bench/who_overhead.sh [CASES] (default 1000000). BENCH_BUILD names
# the build folder (default build-bench); logs go to BENCH_DATA
# (default /tmp/asbuilt-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
B=${BENCH_BUILD:-build-bench}
OUT=${BENCH_DATA:-/tmp/asbuilt-bench}
mkdir -p "$OUT"
[ -d "$B" ] || meson setup "$B" -Dbuildtype=release -Dbench=enabled -Dtests=disabled >/dev/null
ninja -C "$B" >/dev/null
map=datasets/models/bpic2020_declaration_documents.bpmn
log="$OUT/who-$n.csv"
if [ ! -s "$log" ]; then
    "$B/tools/absim" "$map" --cases "$n" --seed 13 --format csv -q -o "$OUT/who-$n.sim.csv" \
        --truth "$OUT/who-$n.truth.json" --skip 0.05 --insert 0.05 --repeat 0.05 --swap 0.05
    awk -F, -v OFS=, 'BEGIN { srand(2026); split("Employee,Travel Administration,Budget Owner,Supervisor,Director", L, ",") }
        NR == 1 { print $0, "org:role"; next }
        { lane = $4; r = rand();
          if (lane == "" || r < 0.03) lane = L[int(rand() * 5) + 1];
          if (r > 0.98) { $4 = "SYS-1"; print $0, "System"; next }
          $4 = lane "-" (int(rand() * 20) + 1); print $0, lane }' "$OUT/who-$n.sim.csv" > "$log"
    rm -f "$OUT/who-$n.sim.csv" "$OUT/who-$n.truth.json"
fi
printf 'submit travel request,approve\n*,prepare payment\n' > "$OUT/who.sod.csv"
echo "## who-did-the-work checks inside the whole diff (best of 3, 2 threads; BPIC 2020 map simulated)"
"$B/bench/bench_who" --repeat=3 --threads=2 "$log" "$map" - "$OUT/who.sod.csv" 'SYS-*'
