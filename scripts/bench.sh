#!/usr/bin/env bash
# bench.sh - run demo 10's full benchmark once and keep it: its CSV, with
# notes on where, when and under what load it ran, then the chart and the
# page's tables redrawn from that CSV. `make bench` calls it.
#
#   scripts/bench.sh PROGRAM CSV
#
# For CSV docs/data/NAME.csv, the chart is docs/images/NAME.svg and the
# tables go into docs/NAME.md (see scripts/chart.sh --table). BENCH_NOTE
# adds a note line of your own: say what else the machine was doing.
# BENCH_BUILD says how the program was built (make passes its CC and
# CFLAGS). Nothing is written unless the run succeeds.
# Exit status: 0 done, 1 the run or a step failed, 2 bad usage.
set -euo pipefail
usage() { sed -n '6p' "$0" | sed 's/^# \{0,3\}/usage: /'; }
case "${1:-}" in
-h | --help) usage; exit 0 ;;
esac
if [ $# -ne 2 ]; then
    usage >&2
    exit 2
fi
program=$1 csv=$2
name=$(basename "$csv" .csv)
root=$(dirname "$(dirname "$csv")") # docs
svg=$root/images/$name.svg page=$root/$name.md
export LC_ALL=C

run=$(mktemp "${TMPDIR:-/tmp}/bench.XXXXXX")
trap 'rm -f "$run" "$run.csv"' EXIT
load_before=$(cut -d' ' -f1 /proc/loadavg)
when=$(date -u '+%Y-%m-%d at %H:%M UTC')
"$program" --csv "$run.csv" # the table on the terminal, the numbers in the file
load_after=$(cut -d' ' -f1 /proc/loadavg)

model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
family=$(awk -F': ' '/^cpu family/ { print $2; exit }' /proc/cpuinfo)
number=$(awk -F': ' '/^model\t/ { print $2; exit }' /proc/cpuinfo)
vm=$(systemd-detect-virt --vm 2>/dev/null || true)
container=$(systemd-detect-virt --container 2>/dev/null || true)
[ "$vm" != none ] || vm=""
[ "$container" != none ] || container=""
{
    echo "# command: $program --csv $csv"
    echo "# run by make bench on $when; built with ${BENCH_BUILD:-cc -O2}"
    echo "# machine: ${model:-an unknown CPU}${family:+ (family $family, model $number)}, $(getconf _NPROCESSORS_ONLN) CPUs${vm:+, a ${vm^^} virtual machine}${container:+, in a $container container}, Linux $(uname -r)"
    echo "# load average (1 minute): $load_before just before the run, $load_after just after"
    [ -z "${BENCH_NOTE:-}" ] || echo "# $BENCH_NOTE"
    cat "$run.csv"
} >"$csv"
echo "bench.sh: wrote $csv"
"$(dirname "${BASH_SOURCE[0]}")/chart.sh" "$csv" "$svg"
"$(dirname "${BASH_SOURCE[0]}")/chart.sh" --table "$csv" "$page"
