#!/usr/bin/env bash
# bench/absim_who.sh: what --resources costs absim. Simulates CASES cases (default 1M) of
# shipped maps with lanes, with the control-flow deviations only and then with resources,
# roles, an SoD file and both who-injections, and prints the wall and CPU times (of the fastest
# of RUNS runs, default 3) and their ratios, measured in the same run (the machine is shared,
# so only the ratios count), and how much larger the truth file grows. Logs go to BENCH_DATA (default /tmp/asbuilt-bench), uncompressed so that the
# generator, not zlib, is measured. Usage:
#   bench/absim_who.sh [CASES] [RUNS]
# BENCH_BUILD names an optimised build folder (default build-rel; set up when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${1:-1M}
RUNS=${2:-3}
B=${BENCH_BUILD:-build-rel}
OUT=${BENCH_DATA:-/tmp/asbuilt-bench}
mkdir -p "$OUT"
[ -d "$B" ] || meson setup "$B" -Dbuildtype=release -Dtests=disabled >/dev/null
ninja -C "$B" tools/absim >/dev/null
ABSIM=$B/tools/absim
D=datasets
DEV=(--skip 0.05 --insert 0.05 --repeat 0.05 --swap 0.05)

best() { # best ARGS...: "WALL CPU" (seconds; CPU = user + system) of the fastest of RUNS runs
    local b="" line w c
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %U %S' -o "$OUT/absim-who.time" "$ABSIM" "$@" -q >/dev/null
        read -r w u s <"$OUT/absim-who.time"
        c=$(echo "$u + $s" | bc -l)
        if [ -z "$b" ] || [ "$(echo "$w < ${b%% *}" | bc -l)" = 1 ]; then b="$w $c"; fi
    done
    echo "$b"
}

printf '## absim, %s cases, best of %s: without and with --resources 5 (--shared-resources 0.2, --sod,\n' "$CASES" "$RUNS"
printf '## --wrong-role 0.1, --sod-violation 0.1, --roles-out). Wall time; CPU = user + system\n'
printf '%-22s %9s %9s %7s   %9s %9s %7s   %s\n' map wall wall+who ratio cpu cpu+who ratio truth-size-ratio
for spec in \
    "bpic2020-mapped xes|$D/models/bpic2020_declaration_documents.bpmn|--map $D/maps/bpic2020_declaration_documents.map.csv|tests/data/who/bpic2020.sod.csv|xes" \
    "invoice csv|$D/models/camunda_invoice.v2.bpmn||tests/data/who/invoice.sod.csv|csv" \
    "dispatch xes|$D/models/ebi_Dispatch-of-goods.bpmn||tests/data/who/dispatch.sod.csv|xes"; do
    IFS='|' read -r label model mapopt sod fmt <<<"$spec"
    # shellcheck disable=SC2206
    mapargs=($mapopt)
    common=("$model" --cases "$CASES" --seed 7 --format "$fmt" "${mapargs[@]}" "${DEV[@]}"
        -o "$OUT/absim-who.$fmt" --truth "$OUT/absim-who.json")
    read -r w0 c0 <<<"$(best "${common[@]}")"
    s0=$(stat -c %s "$OUT/absim-who.json")
    read -r w1 c1 <<<"$(best "${common[@]}" --resources 5 --shared-resources 0.2 --sod "$sod" \
        --wrong-role 0.1 --sod-violation 0.1 --roles-out "$OUT/absim-who.roles")"
    s1=$(stat -c %s "$OUT/absim-who.json")
    printf '%-22s %8.2fs %8.2fs %6.2fx   %8.2fs %8.2fs %6.2fx   %.2fx\n' "$label" "$w0" "$w1" \
        "$(echo "$w1 / $w0" | bc -l)" "$c0" "$c1" "$(echo "$c1 / $c0" | bc -l)" \
        "$(echo "$s1 / $s0" | bc -l)"
done
rm -f "$OUT"/absim-who.*
