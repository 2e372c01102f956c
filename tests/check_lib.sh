# tests/check_lib.sh: what the shell tests share, sourced after `set -u`: a
# scratch folder $T removed at exit, ok/bad, which count and print checks
# (the script ends with `echo "$pass passed, $fail failed"; [ $fail -eq 0 ]`),
# and python3 as the interpreter it resolves to.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
# python3 runs as the interpreter it resolves to, found once: a version
# manager's shim on PATH costs some 0.3 s a call, which the tests that compare
# JSON hundreds of times would pay each time.
if command -v python3 >/dev/null; then
    AB_PYTHON3=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
    [ -x "${AB_PYTHON3:-}" ] && python3() { "$AB_PYTHON3" "$@"; }
fi
