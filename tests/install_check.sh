#!/usr/bin/env bash
# tests/install_check.sh: the library as an integrator meets it. Installs the
# build into a scratch prefix, then compiles and runs a small program of its
# own through pkg-config, in strict C99: --cflags must not need the headers of
# libxml2, zlib or igraph (the public headers do not include them), the
# program links against the shared library, and ab_version() says what runs.
# Usage: install_check.sh BUILD_DIR
set -u
B=$1
. "$(dirname "$0")/check_lib.sh"

if meson install -C "$B" --no-rebuild --destdir "$T/root" --quiet >"$T/log" 2>&1; then ok "meson install"; else
    bad "meson install"; tail -5 "$T/log"; echo "$pass passed, $fail failed"; exit 1; fi
pc=$(find "$T/root" -name asbuilt.pc | head -n 1)
[ -n "$pc" ] && ok "asbuilt.pc installed" || bad "asbuilt.pc installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
# No other .pc file is reachable: Requires.private would fail here.
export PKG_CONFIG_LIBDIR=$(dirname "$pc")
unset PKG_CONFIG_PATH
pcv=(pkg-config --define-variable=prefix="$T/root$prefix")
cflags=$("${pcv[@]}" --cflags asbuilt 2>"$T/err") && ok "pkg-config --cflags alone" ||
    { bad "pkg-config --cflags alone"; cat "$T/err"; }
case "$cflags" in *libxml2* | *igraph*) bad "cflags name a private dependency: $cflags" ;;
*) ok "cflags name no private dependency" ;; esac
libs=$("${pcv[@]}" --libs asbuilt)
cat >"$T/consumer.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <asbuilt/asbuilt.h>

int main(void)
{
    ab_ctx *ctx = NULL;
    if (ab_ctx_create(&ctx, NULL) != AB_OK) {
        return 1;
    }
    printf("%s %u\n", ab_version(), ab_version_number());
    int same = strcmp(ab_version(), AB_VERSION_STRING) == 0 &&
               ab_version_number() == AB_VERSION_NUMBER;
    ab_ctx_destroy(ctx);
    return same ? 0 : 2;
}
C
if cc -std=c99 -pedantic -Wall -Wextra -Werror $cflags "$T/consumer.c" -o "$T/consumer" $libs \
    2>"$T/err"; then ok "a C99 consumer compiles and links"; else
    bad "a C99 consumer compiles and links"; head -10 "$T/err"; fi
libdir=$(dirname "$(find "$T/root" -name 'libasbuilt.so.0' | head -n 1)")
if out=$(LD_LIBRARY_PATH="$libdir" "$T/consumer"); then ok "ab_version() at run time: $out"; else
    bad "the consumer runs and agrees with the headers"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
