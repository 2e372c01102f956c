# tests/check_lib.sh: what the shell tests share, sourced after `set -u`: a
# scratch folder $T removed at exit, and ok/bad, which count and print checks
# (the script ends with `echo "$pass passed, $fail failed"; [ $fail -eq 0 ]`).
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
