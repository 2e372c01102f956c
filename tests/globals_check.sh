#!/usr/bin/env bash
# tests/globals_check.sh LIB: the library keeps no mutable state between calls
# except what is listed here. Programs call it from several threads at once
# (the Python binding releases the GIL), so a global that a call writes (a
# comparison's context set before qsort, a static buffer) is a data race that
# no single-threaded test sees. Every object in .data and .bss must be named
# below, with the reason it is safe.
set -u
lib=$1
allowed=(
    completed.0 __dso_handle __TMC_END__   # the C runtime's own
    pending_mu pending_used pending_name   # core/output.c: outputs in flight, under pending_mu
    progress_mu                            # gap/gap_compute.c: serialises progress lines
)
command -v objdump >/dev/null || { echo "objdump not found (binutils)"; exit 77; }
found=$(objdump -t "$lib" | awk '$4 == ".bss" || $4 == ".data" || $3 == ".bss" || $3 == ".data" { print $NF }' | sort -u)
[ -n "$found" ] || { echo "no symbols read from $lib"; exit 1; }
fail=0
for s in $found; do
    ok=0
    for a in "${allowed[@]}"; do
        [ "$s" = "$a" ] && ok=1
    done
    # Sanitizer builds add their own bookkeeping.
    case $s in __asan* | __ubsan* | __odr_asan* | .L* | *.lto_priv.*) ok=1 ;; esac
    if [ $ok -eq 0 ]; then
        echo "FAIL mutable global in $lib: $s (pass state as an argument, or list it here with why it is safe)"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "ok   $(echo "$found" | wc -l) objects in .data/.bss, all known"
exit $fail
