#!/usr/bin/env bash
# tests/mpi_check.sh: `mpirun -np N asbuilt-mpi stats|discover|diff` gives
# the JSON of the single-process `asbuilt` byte for byte (apart from the
# top-level input/inputs member that names the files) with 1, 2 and 4
# ranks: on the shipped real logs and maps, on an absim log with deviations
# (XES and CSV), on a CSV whose quoted fields hold line breaks, quotes and
# delimiters and whose bad rows are dropped (line numbers must be the
# file's), on a case split over two files, and with shuffle rounds of a few
# hundred bytes. Errors: the same exit code and message as asbuilt.
# Usage: mpi_check.sh ASBUILT ASBUILT_MPI ABSIM
# MPI_CHECK_NP lists the rank counts (default 1 2 4); MPI_CHECK_ONLY, a
# regular expression, runs only the comparisons whose names match it;
# MPI_CHECK_TIMEOUT (seconds, default 300) fails a comparison whose run hangs.
set -u
AB=$1
ABM=$2
SIM=${3:-}
D=${AB_DATASETS:-datasets}
if [ ! -x "$ABM" ]; then
    echo "SKIP: asbuilt-mpi is not built (no MPI found; meson setup -Dmpi=enabled to require it)"
    exit 77
fi
command -v mpirun >/dev/null || { echo "SKIP: no mpirun"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3 to compare the JSON"; exit 77; }
. "$(dirname "$0")/check_lib.sh"
NPS=${MPI_CHECK_NP:-1 2 4}
# One machine: shared memory through ob1, the one messaging layer these
# transports use; naming it spares each mpirun probing the others (half its
# start-up). A run whose ranks exit non-zero (every rank agrees on the exit
# code, after MPI_Finalize) is ended without mpirun's second of grace
# between SIGTERM and SIGKILL, twice over, which the error checks would pay.
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --mca btl self,vader --mca pml ob1
    --mca rmaps_base_oversubscribe 1 --mca odls_base_sigkill_timeout 0)
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# Where rank 0 gathers the log (discover on a log without timestamps), every
# rank also numbers its own cases and widens its activities, and rank 0
# checks both against the log it merges: a difference fails the run with exit 4.
export ASBUILT_MPI_CHECK=1
# Under AddressSanitizer: Open MPI's own allocations at exit are not ours to
# report. Its plugins stay loaded so that their frames have names, and full
# stacks reach a frame in its libraries; a leak of ours is still reported.
printf '%s\n' leak:libmpi.so leak:libopen-pal.so leak:libopen-rte.so leak:mca_ leak:libhwloc \
    leak:libevent leak:libpmix >"$T/lsan.supp"
export OMPI_MCA_mca_base_component_disable_dlclose=1
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T/lsan.supp"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

# strip FILE: the JSON text without its top-level "input"/"inputs" member.
cat >"$T/strip.py" <<'PY'
import json, sys
t = open(sys.argv[1], encoding="utf-8").read()
dec = json.JSONDecoder()
depth, i, instr, out = 0, 0, False, None
while i < len(t):
    c = t[i]
    if instr:
        if c == "\\":
            i += 2
            continue
        if c == '"':
            instr = False
    elif c == '"':
        if depth == 1:
            key, end = dec.raw_decode(t, i)
            if key in ("input", "inputs"):
                j = end
                while t[j] in " \n:":
                    j += 1
                _, vend = dec.raw_decode(t, j)
                while vend < len(t) and t[vend] in " ,\n":
                    vend += 1
                out = t[:i] + t[vend:]
                break
        instr = True
    elif c in "{[":
        depth += 1
    elif c in "}]":
        depth -= 1
    i += 1
sys.stdout.write(out if out is not None else t)
PY
strip() { python3 "$T/strip.py" "$1"; }

# same NAME REF OUT: the two JSON files agree byte for byte but for input(s).
same() {
    if cmp -s <(strip "$2") <(strip "$3"); then ok "$1"; else
        bad "$1"; diff <(strip "$2") <(strip "$3") | head -8 | sed 's/^/     /'; fi
}

# check NAME CMD ARGS...: asbuilt CMD ARGS against asbuilt-mpi CMD ARGS on each rank count,
# the JSON written to the file that @OUT@ stands for.
check() {
    local name=$1
    shift
    [[ -n ${MPI_CHECK_ONLY:-} && ! $name =~ $MPI_CHECK_ONLY ]] && return
    local args=("$@") ref=() k
    for k in "${args[@]}"; do ref+=("${k//@OUT@/$T/ref.json}"); done
    "$AB" "${ref[@]}" >"$T/ref.stdout" 2>"$T/ref.err"
    local rrc=$?
    if [ $rrc -ne 0 ] && [ $rrc -ne 1 ]; then
        bad "$name: asbuilt failed (exit $rrc)"; head -3 "$T/ref.err"; return
    fi
    for np in $NPS; do
        local m=()
        for k in "${args[@]}"; do m+=("${k//@OUT@/$T/mpi.json}"); done
        rm -f "$T/mpi.json"
        # Ranks that disagree on the collectives they call wait for ever:
        # a run that hangs fails (exit 124) instead of stalling the suite.
        timeout "${MPI_CHECK_TIMEOUT:-300}" "${MPIRUN[@]}" -np "$np" "$ABM" "${m[@]}" \
            >"$T/mpi.stdout" 2>"$T/mpi.err"
        local rc=$?
        [ $rc -eq 124 ] && echo "timed out after ${MPI_CHECK_TIMEOUT:-300} s" >>"$T/mpi.err"
        if [ $rc -ne $rrc ]; then
            bad "$name -np $np: exit $rc, asbuilt gave $rrc"; head -5 "$T/mpi.err" | sed 's/^/     /'
            continue
        fi
        same "$name -np $np" "$T/ref.json" "$T/mpi.json"
    done
}

# The three commands on one log (and its map, when given).
trio() {
    local name=$1 log=$2 model=${3:-} extra=("${@:4}")
    check "$name stats" stats --json -o @OUT@ "${extra[@]}" "$log"
    check "$name discover" discover --format json -o @OUT@ "${extra[@]}" "$log"
    if [ -n "$model" ]; then
        check "$name diff" diff --json @OUT@ --model "$model" "${extra[@]}" "$log"
    fi
}

# Shipped real logs with their maps.
trio running-xes "$D/logs/pm4py_running-example.xes" "$D/models/pm4py_running-example.bpmn"
trio running-csv "$D/logs/pm4py_running-example.csv" "$D/models/pm4py_running-example.bpmn"
trio loanapp "$D/logs/simod_LoanApp_simplified_without_approve_loan_offer.csv" \
    "$D/models/simod_LoanApp_simplified.bpmn"
trio loanapp-gz "$D/logs/simod_LoanApp_simplified.csv.gz" "$D/models/simod_LoanApp_simplified.bpmn"
trio receipt "$D/logs/pm4py_08_receipt.xes.gz" "$D/models/pm4py_receipt.bpmn"
trio a32f0n00 "$D/logs/pm4py_09_a32f0n00.xes.gz" "$D/models/pm4py_a32f0n00.bpmn"
trio purchasing "$D/logs/simod_PurchasingExample.xes.gz" "$D/models/simod_PurchasingExample.bpmn"
trio branch-or "$D/logs/simod_branch_rules_or_1.csv.gz" "$D/models/simod_branch_rules_or.bpmn"
check bpic2020 diff --json @OUT@ --model "$D/models/bpic2020_declaration_documents.bpmn" \
    --map "$D/maps/bpic2020_declaration_documents.map.csv" "$D/logs/bpic2020_DomesticDeclarations.xes.gz"
check bpic2020 stats --json -o @OUT@ "$D/logs/bpic2020_DomesticDeclarations.xes.gz"
# Who did the work over the ranks (roles from the events, lanes by a role map,
# system accounts, duties kept apart, accepted deviations), and the Markdown
# report, which names example cases; possibly open cases kept apart.
printf 'Declaration SUBMITTED*,Declaration FINAL_APPROVED*\nDeclaration SUBMITTED*,Payment Handled\n' \
    >"$T/bpic.sod"
printf 'role,*,EMPLOYEE\nhandoff,EMPLOYEE,*\nrework,*\n' >"$T/bpic.accept"
BPIC=(--model "$D/models/bpic2020_declaration_documents.bpmn"
    --map "$D/maps/bpic2020_declaration_documents.map.csv" "$D/logs/bpic2020_DomesticDeclarations.xes.gz")
WHO=(--role-map "$D/maps/bpic2020_declaration_lanes.map.csv" --system-resources SYSTEM
    --sod "$T/bpic.sod" --accept "$T/bpic.accept")
check "bpic2020 who" diff --json @OUT@ "${WHO[@]}" "${BPIC[@]}"
check "bpic2020 who markdown" diff --md @OUT@ "${WHO[@]}" "${BPIC[@]}"
check "bpic2020 open cases apart" diff --json @OUT@ --open-cases exclude "${BPIC[@]}"
# Every case's line, each rank's merged on rank 0 in the log's order.
check "bpic2020 who case lines" diff --cases @OUT@ "${WHO[@]}" "${BPIC[@]}"
# Time impacts whose samples are too large to gather to one rank are measured
# by all ranks together (medians, shift and interval selected by counts summed
# over the ranks). Here every one of them is: the same figures, to the bit.
# (One rank runs diff as asbuilt does: only more ranks measure together.)
export ASBUILT_MPI_GATHER_MAX=0
MANY=$(for np in $NPS; do [ "$np" -gt 1 ] && echo "$np"; done)
NPS=$MANY check "bpic2020 time impacts together" diff --json @OUT@ "${BPIC[@]}"
NPS=$MANY check "loanapp time impacts together" diff --json @OUT@ \
    --model "$D/models/simod_LoanApp_simplified.bpmn" "$D/logs/simod_LoanApp_simplified.csv.gz"
NPS=$MANY check "receipt time impacts together" diff --json @OUT@ \
    --model "$D/models/pm4py_receipt.bpmn" "$D/logs/pm4py_08_receipt.xes.gz"
unset ASBUILT_MPI_GATHER_MAX

# Several files form one log; CSV files are cut in record ranges across ranks.
check "several files" stats --json -o @OUT@ "$D/logs/pm4py_running-example.csv" \
    "$D/logs/simod_LoanApp_simplified_without_approve_loan_offer.csv" "$D/logs/pm4py_running-example.xes"

# An absim log with deviations, as XES and as CSV.
if [ -n "$SIM" ] && [ -x "$SIM" ]; then
    M="$D/models/pm4py_receipt.bpmn"
    for fmt in xes csv; do
        "$SIM" "$M" --cases 3000 --seed 7 --format $fmt --skip 0.1 --insert 0.1 --repeat 0.1 --swap 0.1 \
            -o "$T/sim.$fmt" --truth "$T/truth.json" >/dev/null 2>&1 || bad "absim --format $fmt"
        trio "absim-$fmt" "$T/sim.$fmt" "$M"
    done
    # The same CSV cut into two files with cases crossing them.
    half=$(($(wc -l <"$T/sim.csv") / 2))
    head -n "$half" "$T/sim.csv" >"$T/part1.csv"
    { head -n 1 "$T/sim.csv"; tail -n +$((half + 1)) "$T/sim.csv"; } >"$T/part2.csv"
    check "absim-csv in two files" diff --json @OUT@ --model "$M" "$T/part1.csv" "$T/part2.csv"
    # Who did the work on a log with conforming cases: absim's resources on
    # the invoice map, whose undocumented hand-offs are measured against
    # conforming cases, counted and sampled where the cases are.
    I="$D/models/camunda_invoice.v2.bpmn"
    "$SIM" "$I" --cases 3000 --seed 7 --format xes --resources 4 --roles-out "$T/inv.roles" \
        --skip 0.05 --insert 0.05 --repeat 0.05 --swap 0.05 -o "$T/inv.xes" --truth "$T/truth.json" \
        >/dev/null 2>&1 || bad "absim --resources"
    check "absim who, conforming baselines" diff --json @OUT@ --roles "$T/inv.roles" --model "$I" \
        "$T/inv.xes"
    # Many distinct variants (up to four deviations a case on the larger
    # map), whose alignments are spread over the ranks: the report and every
    # case's line, with and without the ambiguity check.
    P="$D/models/simod_PurchasingExample.bpmn"
    "$SIM" "$P" --cases 2000 --seed 3 --format csv --skip 0.2 --insert 0.2 --repeat 0.2 --swap 0.2 \
        --max-deviations-per-case 4 -o "$T/many.csv" --truth "$T/truth.json" >/dev/null 2>&1 ||
        bad "absim many variants"
    check "many variants diff" diff --json @OUT@ --model "$P" "$T/many.csv"
    check "many variants cases" diff --cases @OUT@ --model "$P" "$T/many.csv"
    check "many variants, no ambiguity check" diff --json @OUT@ --no-ambiguity-check --model "$P" \
        "$T/many.csv"
    # The most frequent of some 1,900 variants: each rank keeps its best 50 in a heap.
    check "many variants stats --top 50" stats --json --top 50 -o @OUT@ "$T/many.csv"
    # Every variant listed: each rank sends rank 0 all the variants it owns.
    check "many variants discover --variants 0" discover --variants 0 -o @OUT@ "$T/many.csv"
    # The ten most frequent of them, chosen from each owner's ten.
    check "many variants discover --top-variants 10 --activities 90%" discover --top-variants 10 \
        --activities 90% -o @OUT@ "$T/many.csv"
    # Rounds of a few hundred bytes: the shuffle and the gather take many rounds.
    ASBUILT_MPI_ROUND_BYTES=777 check "absim-csv small rounds" stats --json -o @OUT@ "$T/sim.csv"
else
    bad "absim not built: no simulated log to check"
fi

# A CSV whose quoted fields hold line breaks, quotes and delimiters, with rows
# that are dropped (their line numbers are in the report) and duplicates.
python3 - "$T/quoted.csv" <<'PY'
import random, sys
random.seed(5)
acts = ["register", "check, twice", "decide \"now\"", "pay", "reject"]
rows = []
for c in range(400):
    t = 1_600_000_000 + c * 3600
    for k in range(random.randint(2, 7)):
        t += random.randint(0, 900)
        note = random.choice(["", "plain", "\"two\nlines, one comma\"", "\"a \"\"quoted\"\" word\"",
                              "\"\n\n\"", "\"ends with newline\n\"", "\"\"\"\""])
        ts = "2020-01-%02dT%02d:%02d:%02dZ" % (1 + t // 86400 % 28, t // 3600 % 24, t // 60 % 60, t % 60)
        # Dropped rows in the last third only: their lines come from ranks other than 0.
        if c > 260 and random.random() < 0.04:
            ts = "not a time"
        if c > 260 and random.random() < 0.04:
            ts = ""
        act = random.choice(acts)
        act = '"%s"' % act.replace('"', '""') if ("," in act or '"' in act) else act
        rows.append("case%03d,%s,%s,%s" % (random.randint(0, 150), act, ts, note))
        if random.random() < 0.03:
            rows.append(rows[-1])
with open(sys.argv[1], "w", newline="") as f:
    f.write("case:concept:name,concept:name,time:timestamp,note\n")
    f.write("\n".join(rows) + "\n")
PY
trio quoted "$T/quoted.csv"
# Cases that start at the same time, many of them: their order in the log is
# their ids' byte order (ids of different lengths, prefixes of one another).
python3 - "$T/tied.csv" <<'PY'
import random, sys
random.seed(13)
acts = ["register request", "examine casually", "check ticket", "decide", "reject request"]
ids = sorted({"c" + "".join(random.choice("ab9Z_") for _ in range(random.randint(0, 6))) for _ in range(900)})
random.shuffle(ids)
with open(sys.argv[1], "w", newline="") as f:
    f.write("case,activity,time\n")
    for i, c in enumerate(ids):
        start = 0 if i % 3 else random.randint(0, 5)
        for k, a in enumerate(random.sample(acts, random.randint(1, 5))):
            f.write("%s,%s,2022-05-01T10:%02d:%02dZ\n" % (c, a, start + k, i % 7))
PY
check "tied starts diff" diff --json @OUT@ --model "$D/models/pm4py_running-example.bpmn" "$T/tied.csv"
# Most line breaks inside quotes: a cut at a line break is nearly always inside a field.
python3 - "$T/multiline.csv" <<'PY'
import random, sys
random.seed(9)
with open(sys.argv[1], "w", newline="") as f:
    f.write("case,activity,time,note\n")
    for i in range(3000):
        lines = "".join("l%d, \"\"q\"\"\n" % k for k in range(random.randint(5, 15)))
        f.write('c%d,"a%d","2021-03-%02dT10:%02d:00Z","%s"\n' % (i % 97, i % 5, 1 + i % 28, i % 60, lines))
PY
trio multiline "$T/multiline.csv"
sed 's/$/\r/' "$T/quoted.csv" >"$T/quoted-crlf.csv"
trio quoted-crlf "$T/quoted-crlf.csv"
# Lines ended by CR alone (read whole by one rank).
tr '\n' '\r' <"$T/quoted.csv" >"$T/quoted-cr.csv"
check "quoted-cr stats" stats --json -o @OUT@ "$T/quoted-cr.csv"
# Chunks parsed in pieces of a few KB (records longer than a piece included):
# line numbers and records must not change at the pieces' cuts.
ASBUILT_MPI_PIECE_BYTES=3000 check "quoted in pieces" stats --json -o @OUT@ "$T/quoted.csv"
ASBUILT_MPI_PIECE_BYTES=3000 check "quoted-crlf in pieces" stats --json -o @OUT@ "$T/quoted-crlf.csv"
ASBUILT_MPI_PIECE_BYTES=100 check "multiline in pieces" stats --json -o @OUT@ "$T/multiline.csv"

# stats is counted on the ranks that own the cases: no log reaches rank 0
# (no gather), and the text and the --top variants are asbuilt's too.
B="$D/logs/bpic2020_DomesticDeclarations.xes.gz"
check "stats text" stats -o @OUT@ "$B"
check "stats --top 3" stats --json --top 3 -o @OUT@ "$B"
check "stats --top 0 text" stats --top 0 -o @OUT@ "$D/logs/simod_LoanApp_simplified.csv.gz"
check "stats --lifecycle complete" stats --lifecycle complete --json -o @OUT@ \
    "$D/logs/simod_PurchasingExample.xes.gz"
"$AB" stats --json -o "$T/ref.json" "$B" >/dev/null 2>&1
for np in $NPS; do
    [ "$np" -gt 1 ] || continue
    ASBUILT_MPI_VERBOSE=1 "${MPIRUN[@]}" -np "$np" "$ABM" stats --json -o "$T/mpi.json" "$B" \
        >/dev/null 2>"$T/mpi.err"
    # Each phase says rank 0's memory then and its peak so far.
    if grep -q "stats on rank 0" "$T/mpi.err" && ! grep -q "gather:" "$T/mpi.err" &&
        ! grep '^asbuilt-mpi: .* s  ' "$T/mpi.err" | grep -qv ' \[rank 0: [0-9]* MiB, peak [0-9]* MiB\]$'; then
        same "stats without gathering the log -np $np" "$T/ref.json" "$T/mpi.json"
    else
        bad "stats without gathering the log -np $np"; grep -v '^ ' "$T/mpi.err" | tail -4
    fi
done
# discover is summarised on the ranks that own the cases too: rank 0 loads
# their counters, and the medians and p90 are found by counting over the
# ranks (a distributed selection), exact and in sketch buckets, for events
# and for activity instances, with few or all variants listed. The case and
# activity filters choose on the whole log (the variants' counts and the
# activities' events summed over the ranks) and every rank applies the choice.
check "discover --sketch" discover --sketch -o @OUT@ "$B"
check "discover --instances --variants 0" discover --instances --variants 0 -o @OUT@ \
    "$D/logs/pm4py_08_receipt.xes.gz"
check "discover --sketch --instances" discover --sketch --instances -o @OUT@ \
    "$D/logs/simod_LoanApp_simplified.csv.gz"
check "discover --min-edge-cases 5 --examples 16 --variants 7" discover --min-edge-cases 5 \
    --examples 16 --variants 7 -o @OUT@ "$D/logs/simod_PurchasingExample.xes.gz"
check "discover --top-variants 3" discover --top-variants 3 -o @OUT@ "$B"
check "discover --activities 80%" discover --activities 80% -o @OUT@ "$B"
check "discover --top-variants 5 --activities 60% --instances" discover --top-variants 5 \
    --activities 60% --instances -o @OUT@ "$D/logs/pm4py_08_receipt.xes.gz"
for filters in "" "--top-variants 4 --activities 70%"; do
    "$AB" discover $filters -o "$T/ref.json" "$B" >/dev/null 2>&1
    for np in $NPS; do
        [ "$np" -gt 1 ] || continue
        ASBUILT_MPI_VERBOSE=1 "${MPIRUN[@]}" -np "$np" "$ABM" discover $filters -o "$T/mpi.json" "$B" \
            >/dev/null 2>"$T/mpi.err"
        if grep -q "order statistics found" "$T/mpi.err" && ! grep -q "gather:" "$T/mpi.err"; then
            same "discover $filters without gathering the log -np $np" "$T/ref.json" "$T/mpi.json"
        else
            bad "discover $filters without gathering the log -np $np"
            grep -v '^ ' "$T/mpi.err" | tail -4
        fi
    done
done
# The same at each step of diff on every rank: the conformance of its cases,
# the header, the parts, a time impact's samples, a time impact measured by
# all ranks together, the ids the reports name.
for np in $NPS; do
    [ "$np" -gt 1 ] || continue
    for f in 0:conform $((np - 1)):conform $((np - 1)):header $((np - 1)):parts 0:values \
        $((np - 1)):values $((np - 1)):ids 0:select $((np - 1)):select; do
        rm -f "$T/mpi.json"
        # select: a time impact measured by all ranks together.
        ASBUILT_MPI_GATHER_MAX=$([ "${f#*:}" = select ] && echo 0) ASBUILT_MPI_FAIL=$f timeout 120 "${MPIRUN[@]}" -np "$np" "$ABM" diff --json "$T/mpi.json" \
            --model "$D/models/simod_LoanApp_simplified.bpmn" \
            "$D/logs/simod_LoanApp_simplified_without_approve_loan_offer.csv" >/dev/null 2>"$T/mpi.err"
        rc=$?
        n=$(grep -c "out of memory" "$T/mpi.err")
        if [ $rc -eq 4 ] && [ "$n" -eq 1 ] && [ ! -e "$T/mpi.json" ]; then
            ok "diff, rank ${f%%:*} out of memory at ${f#*:} -np $np: exit 4, said once"
        else
            bad "diff, rank ${f%%:*} out of memory at ${f#*:} -np $np: exit $rc, $n messages"
            grep -v '^ ' "$T/mpi.err" | head -4 | sed 's/^/     /'
        fi
    done
done
# A rank out of memory while the case lines are merged on rank 0: every rank
# exits 4, the failure said once, and no report is written (they are one set).
for np in $NPS; do
    [ "$np" -gt 1 ] || continue
    for f in 0:lines $((np - 1)):lines; do
        rm -f "$T/mpi.json" "$T/mpi.cases"
        ASBUILT_MPI_FAIL=$f timeout 120 "${MPIRUN[@]}" -np "$np" "$ABM" diff --json "$T/mpi.json" \
            --cases "$T/mpi.cases" --model "$D/models/simod_LoanApp_simplified.bpmn" \
            "$D/logs/simod_LoanApp_simplified_without_approve_loan_offer.csv" >/dev/null 2>"$T/mpi.err"
        rc=$?
        n=$(grep -c "out of memory" "$T/mpi.err")
        if [ $rc -eq 4 ] && [ "$n" -eq 1 ] && [ ! -e "$T/mpi.json" ] && [ ! -e "$T/mpi.cases" ]; then
            ok "diff --cases, rank ${f%%:*} out of memory at its lines -np $np: exit 4, said once"
        else
            bad "diff --cases, rank ${f%%:*} out of memory at its lines -np $np: exit $rc, $n messages"
            grep -v '^ ' "$T/mpi.err" | head -4 | sed 's/^/     /'
        fi
    done
done
# A rank that runs out of memory at any step of discover (ASBUILT_MPI_FAIL):
# every rank exits 4 with one message, none is left waiting.
for np in $NPS; do
    [ "$np" -gt 1 ] || continue
    for f in 0:filters $((np - 1)):filters $((np - 1)):summarise $((np - 1)):owners 0:load 0:orders \
        $((np - 1)):bind 0:bind; do
        rm -f "$T/mpi.json"
        ASBUILT_MPI_FAIL=$f timeout 120 "${MPIRUN[@]}" -np "$np" "$ABM" discover --top-variants 3 \
            --activities 90% -o "$T/mpi.json" "$B" >/dev/null 2>"$T/mpi.err"
        rc=$?
        n=$(grep -c "out of memory" "$T/mpi.err")
        if [ $rc -eq 4 ] && [ "$n" -eq 1 ] && [ ! -e "$T/mpi.json" ]; then
            ok "discover, rank ${f%%:*} out of memory at ${f#*:} -np $np: exit 4, said once"
        else
            bad "discover, rank ${f%%:*} out of memory at ${f#*:} -np $np: exit $rc, $n messages"
            grep -v '^ ' "$T/mpi.err" | head -4 | sed 's/^/     /'
        fi
        rm -f "$T/mpi.json"
    done
done
# A log without timestamps keeps file order, decided on the whole input:
# stats then gathers the log, and the report is still asbuilt's. discover
# summarises on the ranks when every rank's cases are untimed (each case's
# events arrive in input order), here with cases split over two files read
# by different ranks, and gathers when timed and untimed cases meet.
python3 - "$T" <<'PY'
import sys
d = sys.argv[1]
def xes(name, part, timed):
    with open("%s/%s" % (d, name), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n')
        for c in range(400):
            n = (c * 7) % 6 + 1
            ks = range(n) if part is None else (range(n // 2) if part == 0 else range(n // 2, n))
            if not ks:
                continue
            f.write('<trace><string key="concept:name" value="c%d"/>\n' % c)
            for k in ks:
                t = ('<date key="time:timestamp" value="2024-01-01T%02d:%02d:00Z"/>' % (c % 24, k)
                     if timed and c % 2 == 0 else '')
                f.write('<event><string key="concept:name" value="a%d"/>'
                        '<string key="org:resource" value="r%d"/>%s</event>\n'
                        % ((c + k * 3) % 5, (c + k) % 9, t))
            f.write('</trace>\n')
        f.write('</log>\n')
xes("untimed.xes", None, False)
xes("untimed-1.xes", 0, False)
xes("untimed-2.xes", 1, False)
xes("mixed.xes", None, True)
PY
trio untimed "$T/untimed.xes"
check "untimed in two files discover" discover --variants 0 -o @OUT@ "$T/untimed-1.xes" "$T/untimed-2.xes"
check "untimed in two files stats" stats --json -o @OUT@ "$T/untimed-1.xes" "$T/untimed-2.xes"
check "timed and untimed discover" discover -o @OUT@ "$T/untimed-1.xes" "$T/mixed.xes"
for np in $NPS; do
    [ "$np" -gt 1 ] || continue
    "$AB" discover --variants 0 -o "$T/ref.json" "$T/untimed-1.xes" "$T/untimed-2.xes" >/dev/null 2>&1
    ASBUILT_MPI_VERBOSE=1 "${MPIRUN[@]}" -np "$np" "$ABM" discover --variants 0 -o "$T/mpi.json" \
        "$T/untimed-1.xes" "$T/untimed-2.xes" >/dev/null 2>"$T/mpi.err"
    if grep -q "summarised:" "$T/mpi.err" && ! grep -q "gather:" "$T/mpi.err"; then
        same "untimed discover without gathering the log -np $np" "$T/ref.json" "$T/mpi.json"
    else
        bad "untimed discover without gathering the log -np $np"; grep -v '^ ' "$T/mpi.err" | tail -4
    fi
done

# Rows dropped for every reason, all past the first half of the file (so that
# their lines in data_quality come from ranks other than 0, and the head that
# rank 0 reads to settle the layout, strict or not, is clean), among blank lines
# and quoted line breaks; LF, and CRLF with a BOM and a blank line before the
# header. Each rank reads its chunk after the header, told the chunk's first
# line and byte offset: the lines must be the file's, also in small pieces.
python3 - "$T/dirty.csv" "$T/dirty-crlf.csv" <<'PY'
import random, sys
random.seed(13)
rows = []
n = 16000  # 560 KB: rank 0 settles the layout on the first 256 KiB, which must hold no drop.
for i in range(n):
    late = i > n * 0.55
    case = "c%d" % (i % 211)
    act = random.choice(["register", "check", "\"decide, now\"", "pay"])
    t = 1_600_000_000 + i * 97
    ts = "2020-02-%02dT%02d:%02d:%02dZ" % (1 + t // 86400 % 28, t // 3600 % 24, t // 60 % 60, t % 60)
    note = random.choice(["", "plain", "\"two\nlines\"", "\"three\n\nlines, \"\"q\"\"\""])
    r = random.random() if late else 1.0
    if r < 0.01:
        ts = "31/31/2020 25:00"
    elif r < 0.02:
        ts = ""
    elif r < 0.03:
        case = ""
    elif r < 0.035:
        act = ""
    elif r < 0.045:
        rows.append("%s,%s,%s" % (case, act, ts))  # Ragged.
        continue
    if random.random() < 0.02:
        rows.append("")
    rows.append("%s,%s,%s,%s" % (case, act, ts, note))
text = "case:concept:name,concept:name,time:timestamp,note\n" + "\n".join(rows) + "\n"
open(sys.argv[1], "w", newline="").write(text)
open(sys.argv[2], "w", newline="").write("\ufeff\r\n" + text.replace("\n", "\r\n"))
assert len(text) > 2 * 256 * 1024
PY
# The reference must drop rows of each reason, their first lines all past the file's middle.
python3 - "$T/dirty.csv" "$T/dirty-crlf.csv" "$AB" <<'PY' && ok "dirty: drops of every reason past the middle" || bad "dirty: drops of every reason past the middle"
import json, subprocess, sys
for f in sys.argv[1:3]:
    half = open(f, "rb").read().count(b"\n") // 2
    d = json.loads(subprocess.run([sys.argv[3], "stats", "--json", f], capture_output=True,
                                  check=True).stdout)["data_quality"]["dropped"]
    for k in ("missing_case_id", "missing_activity", "missing_timestamp", "unparsable_timestamp",
              "ragged_row"):
        assert d[k]["count"] > 0 and min(d[k]["first_lines"]) > half, (f, k, d[k], half)
PY
trio dirty "$T/dirty.csv"
trio dirty-crlf "$T/dirty-crlf.csv"
for pb in 700 3000 40000; do
    ASBUILT_MPI_PIECE_BYTES=$pb check "dirty in pieces of $pb" stats --json -o @OUT@ "$T/dirty.csv"
    ASBUILT_MPI_PIECE_BYTES=$pb check "dirty-crlf in pieces of $pb" stats --json -o @OUT@ \
        "$T/dirty-crlf.csv"
done

# same_error NAME FILE ARGS...: asbuilt and asbuilt-mpi stats ARGS FILE fail with exit 3 and
# the same message (file, line, column, byte offset), on each rank count, whole and in pieces
# (ASBUILT_MPI_PIECE_BYTES=PIECES when set); the line named must lie past the file's
# middle (in the chunk of rank 1 of 2, not rank 0's).
same_error() {
    local name=$1 f=$2
    shift 2
    [[ -n ${MPI_CHECK_ONLY:-} && ! $name =~ $MPI_CHECK_ONLY ]] && return
    "$AB" stats "$@" "$f" >/dev/null 2>"$T/ref.err"
    local rrc=$? want
    want=$(grep '^asbuilt' "$T/ref.err" | head -1)
    local line half
    line=$(printf '%s\n' "$want" | sed -n 's/^asbuilt: [^:]*:\([0-9]*\):.*/\1/p')
    half=$(($(wc -l <"$f") / 2))
    if [ $rrc -ne 3 ] || [ -z "$line" ] || [ "$line" -le "$half" ]; then
        bad "$name: asbuilt gave exit $rrc, '$want' (line past $half expected)"
        return
    fi
    for np in $NPS; do
        for pb in "" ${PIECES:-}; do
            ASBUILT_MPI_PIECE_BYTES=$pb "${MPIRUN[@]}" -np "$np" "$ABM" stats "$@" "$f" \
                >/dev/null 2>"$T/mpi.err"
            local rc=$?
            if [ $rc -eq 3 ] && grep -qxF -- "$want" "$T/mpi.err"; then
                ok "$name -np $np${pb:+ pieces $pb}: '$want'"
            else
                bad "$name -np $np${pb:+ pieces $pb}: exit $rc, wanted '$want'"
                head -3 "$T/mpi.err" | sed 's/^/     /'
            fi
        done
    done
}
PIECES="600 5000" same_error "dirty --strict" "$T/dirty.csv" --strict
PIECES="600 5000" same_error "dirty-crlf --strict" "$T/dirty-crlf.csv" --strict
# An error with a byte offset, on the second line of a record with a quoted line break, three
# quarters into the file.
for v in dirty dirty-crlf; do
    python3 - "$T/$v.csv" "$T/$v-utf8.csv" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
nl = b"\r\n" if b"\r\n" in b else b"\n"
at = b.index(nl + b"c", len(b) * 3 // 4) + len(nl)
open(sys.argv[2], "wb").write(b[:at] + b"c9,pay,2020-02-03T10:00:00Z,\"ok" + nl + b"bad \xc3\x28 byte\"" + nl + b[at:])
PY
    PIECES="600 5000" same_error "$v invalid UTF-8" "$T/$v-utf8.csv"
done

# Errors: the same exit code and message (the file and its line) as asbuilt,
# from the last rank's chunk (the file is large enough to be cut).
{ cat "$D/logs/simod_LoanApp_simplified_without_approve_loan_offer.csv"
  printf '9,"unterminated,2011-01-01 10:00:00\n'; } >"$T/broken.csv"
for np in $NPS; do
    "$AB" stats --strict "$T/broken.csv" >/dev/null 2>"$T/ref.err"
    rrc=$?
    ASBUILT_MPI_PIECE_BYTES=$((np * 20000)) "${MPIRUN[@]}" -np "$np" "$ABM" stats --strict \
        "$T/broken.csv" >/dev/null 2>"$T/mpi.err"
    rc=$?
    want=$(grep '^asbuilt' "$T/ref.err" | head -1)
    if [ $rc -eq $rrc ] && [ $rc -eq 3 ] && grep -qF -- "$want" "$T/mpi.err"; then
        ok "broken CSV -np $np: exit 3, '$want'"
    else
        bad "broken CSV -np $np: exit $rc (asbuilt $rrc)"; head -3 "$T/mpi.err" | sed 's/^/     /'
    fi
done
"${MPIRUN[@]}" -np 2 "$ABM" stats --json "$T/missing.csv" >/dev/null 2>"$T/mpi.err"
rc=$?
if [ $rc -eq 4 ] && grep -q "missing.csv" "$T/mpi.err"; then ok "missing file: exit 4, named"; else
    bad "missing file: exit $rc"; head -3 "$T/mpi.err"; fi
"${MPIRUN[@]}" -np 2 "$ABM" stats --no-such-option x >/dev/null 2>"$T/mpi.err"
rc=$?
n=$(grep -c "unknown option\|no-such-option" "$T/mpi.err")
if [ $rc -eq 2 ] && [ "$n" -eq 1 ]; then ok "usage error: exit 2, printed once"; else
    bad "usage error: exit $rc, printed $n times"; head -3 "$T/mpi.err"; fi

# A map that cannot be read: every rank compiles it under diff; the error is
# rank 0's, once, with asbuilt's exit code, and no rank is left waiting.
printf '<definitions><process id="p"><task id="t"' >"$T/bad.bpmn"
"$AB" diff --model "$T/bad.bpmn" "$D/logs/pm4py_running-example.csv" >/dev/null 2>"$T/ref.err"
rrc=$?
for np in $NPS; do
    timeout 120 "${MPIRUN[@]}" -np "$np" "$ABM" diff --model "$T/bad.bpmn" \
        "$D/logs/pm4py_running-example.csv" >/dev/null 2>"$T/mpi.err"
    rc=$?
    n=$(grep -c "bad.bpmn" "$T/mpi.err")
    if [ $rc -eq $rrc ] && [ $rc -eq 3 ] && [ "$n" -eq 1 ]; then ok "bad map -np $np: exit 3, named once"; else
        bad "bad map -np $np: exit $rc (asbuilt $rrc), named $n times"; head -3 "$T/mpi.err"; fi
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
