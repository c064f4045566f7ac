#!/usr/bin/env bash
# run-tests.sh - run the bats tests, prove that the run left nothing behind,
# and end with one summary line: "N passed, N failed" (", N skipped" when
# some were skipped). `make test` and `make test-only` call it.
#
#   scripts/run-tests.sh [FILE-OR-FOLDER...]   (default: tests)
#
# The run gets a temporary folder of its own (TMPDIR), so that everything
# it makes, Wine prefixes included, is inside it. After bats has finished,
# three more checks run, each counted like a test:
#   - no System V segment or semaphore set under a test key (0x7e......),
#     a transcript key (0x5eed....) or a demo's default key, no private
#     (key 0) segment, set or message queue, and no POSIX object named
#     shm-suite-* in /dev/shm or 10-ipc-bench-* in /dev/mqueue is left
#     that was not there before the run;
#   - no process that the run started is still running (a process is the
#     run's when its environment names the run's folder: Wine's own
#     servers and services inherit it too);
#   - the run's temporary folder is empty: no Wine prefix, no scratch copy.
# BATS_FLAGS adds options for bats (for example --filter 'crash').
# RESULTS_FILE, when set, receives "passed failed skipped" for .ci/run.
# Exit status: 0 every test and check passed, 1 otherwise, 2 bad usage.
set -uo pipefail

case "${1:-}" in
-h | --help) sed -n '6p' "$0" | sed 's/^# \{0,3\}/usage: /'; exit 0 ;;
-*) sed -n '6p' "$0" | sed 's/^# \{0,3\}/usage: /' >&2; exit 2 ;;
esac
[ $# -gt 0 ] || set -- tests
command -v bats >/dev/null || { echo "run-tests.sh: bats is not installed: run make test" >&2; exit 2; }

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/shm-suite-run.XXXXXX")
log=$(mktemp "${TMPDIR:-/tmp}/shm-suite-log.XXXXXX")
# tests/helpers.bash notes here every time Wine failed to start a program.
export WINE_START_LOG=$log.wine
# ... and every time Wine's server killed a copy that had already ended.
export WINE_KILL_LOG=$log.winekill
trap 'rm -f "$log" "$WINE_START_LOG" "$WINE_KILL_LOG"' EXIT

# The processes whose environment names the run's folder, one per line as
# "PID COMMAND"; zombies are already gone and only wait to be reaped.
run_processes() {
    local pid
    for pid in $(ps -eo pid=,stat= | awk '$2 !~ /^Z/ { print $1 }'); do
        [ "$pid" -ne $$ ] || continue
        if tr "\0" "\n" 2>/dev/null <"/proc/$pid/environ" | grep -qF "$run_dir"; then
            echo "$pid $(ps -o args= -p "$pid" 2>/dev/null | cut -c1-100)"
        fi
    done
}

# What the suite's programs make: System V objects (ipcs -m, -s, -q) under
# a test key (0x7e......), a transcript key (0x5eed....), a demo's default
# key (0x53484dNN, or 0x4d494eNN for the minimal versions) or no key at all
# (IPC_PRIVATE, demo 10), and POSIX objects by name. A student's copies may
# hold some of these before the run: only what is new counts against it.
suite_objects() {
    local kind
    for kind in m s q; do
        ipcs -"$kind" 2>/dev/null | awk -v kind="$kind" '
            $1 ~ /^0x(7e|5eed|53484d0|4d494e0|00000000$)/ && length($1) == 10 {
                print (kind == "m" ? "segment" : kind == "s" ? "semaphore set" : "message queue") \
                    " key " $1 " id " $2
            }'
    done
    find /dev/shm -maxdepth 1 -name 'shm-suite-*' -printf 'POSIX shared memory /dev/shm/%f\n' 2>/dev/null
    find /dev/mqueue -maxdepth 1 -name '10-ipc-bench-*' -printf 'POSIX message queue /dev/mqueue/%f\n' 2>/dev/null
}
objects_before=$(suite_objects)

# bats' TAP output, shown as it comes and kept for the counts.
# shellcheck disable=SC2086 # BATS_FLAGS is a list of options
TMPDIR=$run_dir bats --formatter tap ${BATS_FLAGS:-} "$@" | tee "$log"
bats_status=${PIPESTATUS[0]}

passed=$(grep -Ec '^ok [0-9]+ ' "$log")
skipped=$(grep -Ec '^ok [0-9]+ .*# skip' "$log")
failed=$(grep -Ec '^not ok [0-9]+ ' "$log")
passed=$((passed - skipped))
number=$(grep -Ec '^(not )?ok [0-9]+ ' "$log")

check() { # check "what was checked" PROBLEMS...
    local what=$1
    shift
    number=$((number + 1))
    if [ $# -eq 0 ] || [ -z "$*" ]; then
        echo "ok $number left behind: $what"
        passed=$((passed + 1))
    else
        echo "not ok $number left behind: $what"
        printf '# %s\n' "$@"
        failed=$((failed + 1))
    fi
}

objects=$(comm -13 <(sort <<<"$objects_before") <(suite_objects | sort) | grep -v '^$')
check "no shared memory, semaphore set or message queue of the suite's (ipcs, /dev/shm, /dev/mqueue)" "$objects"

# Processes being ended by the last teardown may need a moment.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    procs=$(run_processes)
    [ -n "$procs" ] || break
    sleep 0.5
done
check "no process started by the run is still running" "$procs"
if [ -n "$procs" ]; then # do not let them outlive the report either
    awk '{ print $1 }' <<<"$procs" | xargs -r kill -KILL 2>/dev/null || true
fi

# bats removes its own folder, and Wine keeps its servers' lock files in
# TMPDIR/wine-XXXXXX/server-*/lock for good; anything else was left by a
# test or a script.
left=$(find "$run_dir" -mindepth 1 ! -name 'bats-run-*' ! -path '*/bats-run-*/*' \
    ! -regex '.*/wine-[^/]*\(/server-[^/]*\(/lock\)?\)?' -printf 'left in TMPDIR: %P\n' 2>/dev/null | head -n 20)
check "no Wine prefix or temporary folder left in the run's TMPDIR" "$left"
rm -rf "$run_dir"

if [ -s "$WINE_START_LOG" ]; then
    echo "# Wine failed to start a program $(wc -l <"$WINE_START_LOG") time(s); each was retried:"
    sed 's/^/#   /' "$WINE_START_LOG"
fi
if [ -s "$WINE_KILL_LOG" ]; then
    echo "# Wine's server sent SIGKILL $(wc -l <"$WINE_KILL_LOG") time(s) to a copy whose Windows side had ended (exit 137 after its left line):"
    sed 's/^/#   /' "$WINE_KILL_LOG"
fi
summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary="$summary, $skipped skipped"
[ -z "${RESULTS_FILE:-}" ] || echo "$passed $failed $skipped" >"$RESULTS_FILE"
echo "$summary"
[ "$failed" -eq 0 ] && [ "$bats_status" -eq 0 ]
