#!/usr/bin/env bash
# install-deps.sh - make sure the tools a make target needs are here.
#
#   scripts/install-deps.sh test|lint|docs|windows
#
# windows: what building and running the Windows demos needs (the MinGW-w64
# cross compiler, clang and lld, Wine); test and docs include it.
# Installs what is missing from the distribution's packages (Debian or
# Ubuntu, with apt-get) when it runs as root or may use sudo, saying what it
# installs. Where it cannot, it prints the exact packages to install and
# exits 1. Exit 2 for a bad command line.
set -euo pipefail

usage() { sed -n '3,4p' "$0" | sed 's/^# \{0,3\}//; 1s/^/usage: /'; }

case "${1:-}" in
-h | --help) usage; exit 0 ;;
test | lint | docs | windows) target=$1 ;;
*) usage >&2; exit 2 ;;
esac

# command-or-file to look for, and the Debian package that brings it
needs=()
want() { needs+=("$1:$2"); }
case "$target" in
test)
    want bats bats
    want /usr/lib/bats/bats-support/load.bash bats-support
    want /usr/lib/bats/bats-assert/load.bash bats-assert
    want ipcs util-linux
    want setpriv util-linux
    want x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
    want x86_64-w64-mingw32-objdump binutils-mingw-w64-x86-64
    want clang clang
    want ld.lld lld
    want wine wine
    want /usr/lib/wine/wine64 wine64
    want xmllint libxml2-utils
    want tmux tmux # a real terminal, for typing Enter and Ctrl+C
    want readelf binutils # demo 07's section flags
    ;;
lint)
    want shellcheck shellcheck
    want cppcheck cppcheck
    want clang-format clang-format
    ;;
windows)
    want x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
    want x86_64-w64-mingw32-objdump binutils-mingw-w64-x86-64
    want clang clang
    want ld.lld lld
    want wine wine
    want /usr/lib/wine/wine64 wine64
    ;;
docs) # the transcripts run every demo, the Windows ones under Wine
    want ipcs util-linux
    want x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
    want clang clang
    want ld.lld lld
    want wine wine
    want /usr/lib/wine/wine64 wine64
    ;;
esac

missing=()
for need in "${needs[@]}"; do
    thing=${need%%:*}
    package=${need#*:}
    if [[ $thing == /* ]]; then [ -e "$thing" ] && continue; else command -v "$thing" >/dev/null && continue; fi
    [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
done
[ ${#missing[@]} -gt 0 ] || exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo); else sudo=(none); fi
fi
if ! command -v apt-get >/dev/null || [ "${sudo[0]:-}" = none ]; then
    echo "make $target needs these packages, which are missing:" >&2
    echo "  ${missing[*]}" >&2
    echo "Install them (Debian or Ubuntu: sudo apt-get install ${missing[*]}) and run make $target again." >&2
    exit 1
fi

echo "install-deps $target: installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
echo "install-deps $target: installed ${missing[*]}"
