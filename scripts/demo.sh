#!/usr/bin/env bash
# demo.sh - show each counting demo at work: three copies start one after
# another, watch the count rise, then leave one by one as it falls.
#
#   scripts/demo.sh PROGRAM...
#
# make demo calls it with every demo this host can run. Programs ending in
# .exe run under Wine: in $WINEPREFIX if you set it (left as it is), or else
# in a temporary prefix made for this run and removed at the end. Each
# copy's lines are labelled [copy N]; a peek after the last one has left
# shows the count is 0.
# Exit status: 0 every demo ran, 1 one failed, 2 bad command line.
set -euo pipefail

if [ $# -eq 0 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
    sed -n '5p' "$0" | sed 's/^# \{0,3\}/usage: /'
    [ $# -gt 0 ] && exit 0 || exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/demo.XXXXXX")
made_prefix=""
cleanup() {
    jobs -p | xargs -r kill -INT 2>/dev/null || true
    wait 2>/dev/null || true
    if [ -n "$made_prefix" ]; then wine_prefix_remove "$made_prefix"; fi
    rm -rf "$work"
}
trap cleanup EXIT

status=0
for program in "$@"; do
    runner=()
    if [[ $program == *.exe ]]; then
        if ! command -v wine >/dev/null; then
            echo "== $(basename "$program"): skipped, Wine is not installed (scripts/install-deps.sh windows installs it)"
            continue
        fi
        if [ -z "${WINEPREFIX:-}" ] && [ -z "$made_prefix" ]; then
            echo "== making a temporary Wine prefix for the Windows demos (about 10 seconds;"
            echo "   removed at the end; set WINEPREFIX to use a prefix of your own instead)"
            # shellcheck source=scripts/wine-prefix.bash
            . "$here/scripts/wine-prefix.bash"
            made_prefix=$work/wineprefix
            wine_prefix_make "$made_prefix"
        fi
        export WINEDEBUG=${WINEDEBUG:--all}
        runner=(wine)
    fi
    echo "== $(basename "$program"): 3 copies, started 1 second apart, leaving 1 second apart"
    copies=()
    for copy in 1 2 3; do
        # Copy 1 stays longest: 5, 3 and 1 seconds after it started.
        ("${runner[@]}" "$program" --hold $((7 - 2 * copy)) </dev/null 2>&1 |
            sed -u "s/\r$//; s/^/[copy $copy] /") &
        copies+=($!)
        sleep 1
    done
    for copy in "${copies[@]}"; do wait "$copy" || status=1; done
    printf '== after the last one left, --peek says: '
    "${runner[@]}" "$program" --peek </dev/null | tr -d '\r' || status=1
done
exit "$status"
