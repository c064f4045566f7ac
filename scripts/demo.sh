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
# shows the count is 0. Two demos are shown their own way: 06-mmap-fork
# starts its copies itself (--children 3 --hold 3, once), and the copies of
# 07-elf-section each count 1, which one line then explains.
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
    case "$(basename "$program")" in
    06-mmap-fork)
        # One parent forks the copies, and they share an anonymous page.
        echo "== 06-mmap-fork: one parent, 3 children sharing an anonymous page (--children 3 --hold 3)"
        "$program" --children 3 --hold 3 </dev/null || status=1
        continue
        ;;
    07-elf-section)
        # All three run together for the last second, and leave together.
        label="3 copies, started 1 second apart, leaving together" step=1 ;;
    *) label="3 copies, started 1 second apart, leaving 1 second apart" step=2 ;;
    esac
    echo "== $(basename "$program"): $label"
    copies=()
    for copy in 1 2 3; do
        # Copy 1 stays longest: 5, 3 and 1 seconds after it started (07:
        # 3, 2 and 1 seconds).
        ("${runner[@]}" "$program" --hold $((1 + (3 - copy) * step)) </dev/null 2>&1 |
            sed -u "s/\r$//; s/^/[copy $copy] /") &
        copies+=($!)
        sleep 1
    done
    for copy in "${copies[@]}"; do wait "$copy" || status=1; done
    if [ "$(basename "$program")" = 07-elf-section ]; then
        echo "== each counted 1: ELF has no shared section, the loader maps the program's data private (copy-on-write)"
        continue
    fi
    printf '== after the last one left, --peek says: '
    "${runner[@]}" "$program" --peek </dev/null | tr -d '\r' || status=1
done
exit "$status"
