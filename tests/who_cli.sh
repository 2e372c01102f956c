#!/bin/bash
# tests/who_cli.sh: the command line of who did the work: bad --roles,
# --role-map and --sod files exit with status 3 and a message naming the
# file and line; the gates ROLE, ROLEc, SOD and HANDOFF; the --cases key;
# discover --network handover formats; stats --sod. Usage: who_cli.sh ASBUILT
set -u
AB=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { # name, condition result (0 = ok)
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
cat > "$T/map.bpmn" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <process id="p" isExecutable="false">
    <laneSet id="ls">
      <lane id="l1" name="Clerk"><flowNodeRef>s</flowNodeRef><flowNodeRef>req</flowNodeRef><flowNodeRef>pay</flowNodeRef><flowNodeRef>e</flowNodeRef></lane>
      <lane id="l2" name="Manager"><flowNodeRef>app</flowNodeRef></lane>
    </laneSet>
    <startEvent id="s"/><task id="req" name="Request"/><task id="app" name="Approve"/>
    <task id="pay" name="Pay"/><endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="req"/><sequenceFlow id="f2" sourceRef="req" targetRef="app"/>
    <sequenceFlow id="f3" sourceRef="app" targetRef="pay"/><sequenceFlow id="f4" sourceRef="pay" targetRef="e"/>
  </process>
</definitions>
XML
cat > "$T/log.csv" <<'CSV'
case,activity,timestamp,resource,role
1,Request,2024-01-01T09:00:00Z,alice,Clerk
1,Approve,2024-01-01T10:00:00Z,bob,Manager
1,Pay,2024-01-01T11:00:00Z,alice,Clerk
2,Request,2024-01-02T09:00:00Z,alice,Clerk
2,Approve,2024-01-02T10:00:00Z,alice,Clerk
2,Pay,2024-01-02T11:00:00Z,sys,System
CSV
printf 'alice,Clerk\nbob\n' > "$T/roles.bad"
printf 'Request,Approve\n\n# x\nRequest\n' > "$T/sod.bad"
printf 'lane,role\nClerk,"Clerk\n' > "$T/map.bad"
for opt in roles:roles.bad:2 sod:sod.bad:4 role-map:map.bad:2; do
    IFS=: read -r name file line <<< "$opt"
    "$AB" diff -q "$T/log.csv" --model "$T/map.bpmn" --"$name" "$T/$file" > "$T/out" 2> "$T/err"
    rc=$?
    check "--$name bad file exits 3 (got $rc)" $([ $rc -eq 3 ]; echo $?)
    grep -q "$file:$line" "$T/err"
    check "--$name message names $file:$line: $(head -1 "$T/err")" $?
done
"$AB" diff -q "$T/log.csv" --model "$T/map.bpmn" --roles "$T/missing.csv" > "$T/out" 2> "$T/err"
rc=$?
check "--roles missing file exits 4 (got $rc)" $([ $rc -eq 4 ]; echo $?)
grep -q "missing.csv" "$T/err"
check "--roles missing file is named" $?
# Gates: case 2 has a role violation (Approve by a clerk, a control) and
# the undocumented hand-off Clerk -> System; alice did Request and Approve.
printf 'Request,Approve\n' > "$T/sod.csv"
for g in ROLE ROLEc SOD HANDOFF; do
    "$AB" diff -q "$T/log.csv" --model "$T/map.bpmn" --sod "$T/sod.csv" --fail-above "$g=0.4" > /dev/null 2> "$T/err"
    rc=$?
    check "--fail-above $g=0.4 exits 1 (got $rc)" $([ $rc -eq 1 ]; echo $?)
    "$AB" diff -q "$T/log.csv" --model "$T/map.bpmn" --sod "$T/sod.csv" --fail-above "$g=0.5" > /dev/null 2> "$T/err"
    rc=$?
    check "--fail-above $g=0.5 exits 0 (got $rc)" $([ $rc -eq 0 ]; echo $?)
done
"$AB" diff -q "$T/log.csv" --model "$T/map.bpmn" --fail-above SOD=0 > /dev/null 2> "$T/err"
rc=$?
check "SOD gate without --sod is not checked (exit $rc)" $([ $rc -eq 0 ]; echo $?)
grep -q "gate SOD not checked" "$T/err"
check "SOD gate without --sod says so" $?
printf 'role,Approve,Clerk\nhandoff,Clerk,System\n' > "$T/accept.csv"
"$AB" diff -q "$T/log.csv" --model "$T/map.bpmn" --accept "$T/accept.csv" --fail-above ROLEc=0,HANDOFF=0 > /dev/null 2>&1
rc=$?
check "--accept role,... and handoff,... pass the gates (exit $rc)" $([ $rc -eq 0 ]; echo $?)
"$AB" diff -q "$T/log.csv" --model "$T/map.bpmn" --cases "$T/cases" --sod "$T/sod.csv" > /dev/null 2>&1
grep -q '"case": "2".*"sod_violations": \[{"a": "Request", "b": "Approve", "resource": "alice"}\]' "$T/cases"
check "--cases lines carry the who key" $?
# The same report with one thread and two.
"$AB" diff -q "$T/log.csv" --model "$T/map.bpmn" --sod "$T/sod.csv" --threads 1 --json "$T/j1" > /dev/null 2>&1
"$AB" diff -q "$T/log.csv" --model "$T/map.bpmn" --sod "$T/sod.csv" --threads 2 --json "$T/j2" > /dev/null 2>&1
cmp -s "$T/j1" "$T/j2"
check "byte-identical with --threads 1 and 2" $?
# discover --network handover.
for f in json csv dot; do
    "$AB" discover -q --network handover --format "$f" "$T/log.csv" > "$T/h.$f"
    check "discover --network handover --format $f" $?
done
grep -q '"total_pairs": 4' "$T/h.json"
check "handover total_pairs" $?
grep -q '^alice,bob,1,0.25$' "$T/h.csv"
check "handover csv line" $?
"$AB" discover -q --network handover --format svg "$T/log.csv" > /dev/null 2>&1
rc=$?
check "handover as svg is a usage error (got $rc)" $([ $rc -eq 2 ]; echo $?)
"$AB" stats -q --json --sod "$T/sod.csv" "$T/log.csv" > "$T/s.json"
grep -q '"with_both": 2, "same_resource": 1' "$T/s.json"
check "stats --sod counts" $?
"$AB" stats -q --sod "$T/sod.bad" "$T/log.csv" > /dev/null 2> "$T/err"
rc=$?
check "stats --sod bad file exits 3 (got $rc)" $([ $rc -eq 3 ]; echo $?)
exit $fail
