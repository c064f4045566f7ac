#!/usr/bin/env bash
# demo.sh - show each counting demo at work: three copies start one after
# another, watch the count rise, then leave one by one as it falls.
#
#   scripts/demo.sh PROGRAM...
#
# make demo calls it with every demo this host can run. Programs ending in
# .exe run under Wine, in a prefix made for this run. Each copy's lines are
# labelled [copy N]; a peek after the last one has left shows the count is 0.
set -euo pipefail

if [ $# -eq 0 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
    sed -n '5p' "$0" | sed 's/^# \{0,3\}/usage: /'
    [ $# -gt 0 ] && exit 0 || exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/demo.XXXXXX")
cleanup() {
    jobs -p | xargs -r kill -INT 2>/dev/null || true
    wait 2>/dev/null || true
    if [ -n "${WINEPREFIX:-}" ] && [[ $WINEPREFIX == "$work"/* ]]; then
        wineserver -k >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

status=0
for program in "$@"; do
    runner=()
    if [[ $program == *.exe ]]; then
        if ! command -v wine >/dev/null; then
            echo "== $(basename "$program"): skipped, Wine is not installed"
            continue
        fi
        export WINEDEBUG=-all WINEPREFIX=$work/wineprefix
        if [ ! -d "$WINEPREFIX" ]; then
            echo "== preparing a Wine prefix for the Windows demos (about 10 seconds, once)"
            mkdir -p "$WINEPREFIX"
            wineserver -p </dev/null >/dev/null 2>&1 # one server for the whole demo
            wine cmd /c exit >/dev/null 2>&1 </dev/null || true
        fi
        runner=(wine)
    fi
    echo "== $(basename "$program"): 3 copies, started 1 second apart, leaving 1 second apart"
    for copy in 1 2 3; do
        # Copy 1 stays longest: 5, 3 and 1 seconds after it started.
        ("${runner[@]}" "$program" --hold $((7 - 2 * copy)) </dev/null 2>&1 |
            sed -u "s/\r$//; s/^/[copy $copy] /") &
        sleep 1
    done
    wait
    printf '== after the last one left, --peek says: '
    "${runner[@]}" "$program" --peek </dev/null | tr -d '\r' || status=1

done
exit "$status"
