#!/usr/bin/env bash
# bench/sha_bench.sh: what the SHA-256 of the log costs `asbuilt diff`.
# 1. Throughput of the engine's hash of a file (bench/bench_sha256, libcrypto)
#    and of the baseline engine's own implementation (the same program built
#    against the baseline revision's library), against `sha256sum` on the
#    same bytes in the same script (the baseline of the ratios).
# 2. `asbuilt diff` wall time, baseline revision against this tree, on the
#    10 M-event log of bench/mpi_bench.sh (the LoanApp map simulated with
#    deviations by tools/absim, 730 MB of CSV), runs in turns; the JSON
#    reports must be byte-identical.
# Usage: bench/sha_bench.sh [CASES]   (default 1430000: 10.0 M events)
# REPEAT: runs of each (default 3; the table shows the fastest). BASE_REV: the
# baseline revision (default: the parent of the commit that replaced the
# engine's own SHA-256 rounds in engine/gap/gap_sha256.c with libcrypto). BENCH_BUILD: this tree's build folder
# (default build-bench), BENCH_DATA: the folder of generated logs and of the
# baseline's build (default /tmp/asbuilt-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-1430000}
B=${BENCH_BUILD:-build-bench}
OUT=${BENCH_DATA:-/tmp/asbuilt-bench}
R=${REPEAT:-3}
if [ -z "${BASE_REV:-}" ]; then
    # The last commit that changed how often the first round constant of
    # SHA-256 appears there: the one that removed the engine's own rounds.
    BASE_REV=$(git log -1 --format=%H -S'0x428a2f98' -- engine/gap/gap_sha256.c)^
fi
base_id=$(git rev-parse --short "$BASE_REV")
mkdir -p "$OUT"
[ -d "$B" ] || meson setup "$B" -Dbuildtype=release -Dbench=enabled -Dtests=disabled >/dev/null
ninja -C "$B" tools/asbuilt tools/absim bench/bench_sha256 >/dev/null

# The baseline: its tree from git, a release build, and bench_sha256 built
# against its library (ab__sha256_files has the same interface there).
BASE="$OUT/sha-base-$base_id"
if [ ! -x "$BASE/build/tools/asbuilt" ] || [ ! -f "$BASE/build/libasbuilt.a" ]; then
    rm -rf "$BASE"
    mkdir -p "$BASE/src"
    git archive "$BASE_REV" | tar -x -C "$BASE/src"
    (cd "$BASE/src" && meson setup "$BASE/build" -Dbuildtype=release -Dtests=disabled >/dev/null &&
        ninja -C "$BASE/build" tools/asbuilt libasbuilt.a >/dev/null)
fi
libs=$(pkg-config --libs libxml-2.0 zlib igraph)
libs="$libs $(pkg-config --libs libisal 2>/dev/null || true)"
# shellcheck disable=SC2086
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$BASE/src/include" -I"$BASE/src/engine" \
    bench/bench_sha256.c "$BASE/build/libasbuilt.a" $libs -lm -pthread -o "$BASE/bench_sha256"

map=datasets/models/simod_LoanApp_simplified.bpmn
log="$OUT/loanapp-dev-$cases.csv"
if [ ! -s "$log" ]; then
    "$B/tools/absim" "$map" --cases "$cases" --seed 11 --format csv -q -o "$log" \
        --truth "$OUT/loanapp-dev-$cases.truth.json" --skip 0.1 --insert 0.05 --repeat 0.05 --swap 0.05
    rm -f "$OUT/loanapp-dev-$cases.truth.json"
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
bytes=$(stat -c %s "$log")
events=$(($(wc -l <"$log") - 1))
cat "$log" >/dev/null # Warm the page cache once for every run.

# wall CMD...: the command's wall seconds on stdout (its own output to $T/out).
wall() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >"$T/out" 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}
# min A B
min() { if [ "$(echo "$1 < $2" | bc -l)" = 1 ]; then echo "$1"; else echo "$2"; fi; }
f2() { printf '%.2f' "$1"; }
f3() { printf '%.3f' "$1"; }

# ---- 1. throughput, the engine's against sha256sum's ----
t_sum=999999
for _ in $(seq "$R"); do
    t_sum=$(min "$t_sum" "$(wall sha256sum "$log")")
done
want=$(cut -d' ' -f1 "$T/out")
read -r h_new _ _ t_new _ < <("$B/bench/bench_sha256" --repeat="$R" "$log")
read -r h_old _ _ t_old _ < <("$BASE/bench_sha256" --repeat="$R" "$log")
[ "$h_new" = "$want" ] && [ "$h_old" = "$want" ] ||
    { echo "digests differ: sha256sum $want, engine $h_new, baseline engine $h_old" >&2; exit 1; }
gbs() { echo "$bytes / $1 / 1000000000" | bc -l; }
echo "## SHA-256 of one file: $((bytes / 1000000)) MB (in the page cache), best of $R; $(grep -c sha_ni /proc/cpuinfo | sed 's/^0$/no/;s/^[0-9]*$/with/') SHA extensions"
echo
echo "| hash | time | GB/s | speed vs sha256sum |"
echo "|---|---|---|---|"
echo "| \`sha256sum\` (coreutils $(sha256sum --version | head -n 1 | awk '{print $NF}')), the baseline | $(f3 "$t_sum") s | $(f2 "$(gbs "$t_sum")") | 1.00× |"
echo "| engine at $base_id (own implementation) | $(f3 "$t_old") s | $(f2 "$(gbs "$t_old")") | $(f2 "$(echo "$t_sum / $t_old" | bc -l)")× |"
echo "| **engine now** (libcrypto $(pkg-config --modversion libcrypto)) | $(f3 "$t_new") s | $(f2 "$(gbs "$t_new")") | $(f2 "$(echo "$t_sum / $t_new" | bc -l)")× |"
echo

# ---- 2. asbuilt diff, the baseline revision's against this tree's ----
d_old=999999
d_new=999999
for k in $(seq "$R"); do
    d_old=$(min "$d_old" "$(wall "$BASE/build/tools/asbuilt" diff -q --json "$T/old.json" --model "$map" "$log")")
    d_new=$(min "$d_new" "$(wall "$B/tools/asbuilt" diff -q --json "$T/new.json" --model "$map" "$log")")
    cmp -s "$T/old.json" "$T/new.json" || { echo "run $k: the JSON reports differ" >&2; exit 1; }
done
echo "## asbuilt diff: $events events, $cases cases, $((bytes / 1000000)) MB of CSV, $(nproc) cores, best of $R (in turns)"
echo
echo "| build | wall time | vs baseline | hash of the log (alone, as above) |"
echo "|---|---|---|---|"
echo "| $base_id, the baseline (hash after reading, own implementation) | $(f2 "$d_old") s | 1.00× | $(f2 "$t_old") s |"
echo "| **now** (hash on a thread while reading, libcrypto) | $(f2 "$d_new") s | $(f2 "$(echo "$d_old / $d_new" | bc -l)")× faster, $(f2 "$(echo "$d_old - $d_new" | bc -l)") s less | $(f2 "$t_new") s |"
echo
echo "The JSON reports are byte-identical."
