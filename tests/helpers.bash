# helpers.bash - shared by every .bats file: where the programs are, fresh
# keys, and starting copies in the background and cleaning them up.
# shellcheck shell=bash

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BIN_DIR=${BIN_DIR:-$REPO/build/bin}
WIN_DIR=${WIN_DIR:-$REPO/build/win64}
TEST_TOOL_DIR=${TEST_TOOL_DIR:-$REPO/build/test}
# shellcheck disable=SC2034 # used by the .bats files
LAUNCH=$REPO/scripts/launch.sh
BATS_LIB=${BATS_LIB:-/usr/lib/bats}
load "$BATS_LIB/bats-support/load"
load "$BATS_LIB/bats-assert/load"

COPY_PIDS=()
KEYS=()
# Every key the tests use starts with these two hex digits, so the end of
# the run can prove that none was left behind (tests/zz-leftovers.bats).
TEST_KEY_PREFIX=7e

# fresh_key VAR: store in VAR a System V key that nothing uses now, and
# remember it for teardown. Call it directly, never as KEY=$(fresh_key): a
# $(...) subshell cannot add to this shell's KEYS, and teardown would then
# leave the test's segments behind.
fresh_key() {
    local key
    while :; do
        key=$(printf '0x%s%02x%04x' "$TEST_KEY_PREFIX" $((RANDOM % 256)) $((RANDOM % 65536)))
        # Free as a segment and as a semaphore set (demo 08 uses sets).
        ipcs -m -s | awk -v k="$key" '$1 == k { found = 1 } END { exit found }' && break
    done
    KEYS+=("$key")
    printf -v "$1" '%s' "$key"
}

# fresh_name VAR: store in VAR a POSIX shared memory name (/shm-suite-test-...)
# that nothing uses now, and remember it for teardown, which removes
# /dev/shm/NAME. As with fresh_key, never NAME=$(fresh_name).
SHM_NAMES=()
fresh_name() {
    local name
    while :; do
        name=$(printf '/shm-suite-test-%04x%04x' $((RANDOM % 65536)) $((RANDOM % 65536)))
        [ -e "/dev/shm$name" ] || break
    done
    SHM_NAMES+=("$name")
    printf -v "$1" '%s' "$name"
}

# Does a segment exist under this key?
segment_exists() {
    ipcs -m | awk -v k="$1" '$1 == k { found = 1 } END { exit !found }'
}

# start_copy NAME PROGRAM ARGS...: run in the background; its output goes
# to $BATS_TEST_TMPDIR/NAME.out and .err, its pid to COPY_PID and NAME.pid.
start_copy() {
    local name=$1
    shift
    printf '%q ' "$@" >"$BATS_TEST_TMPDIR/$name.cmd"
    # (A test may give the copy an LD_PRELOAD; a retry must too.)
    printf '%q' "${LD_PRELOAD:-}" >"$BATS_TEST_TMPDIR/$name.preload"
    rm -f "$BATS_TEST_TMPDIR/$name.status"
    "$@" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" &
    COPY_PID=$!
    COPY_PIDS+=("$COPY_PID")
    echo "$COPY_PID" >"$BATS_TEST_TMPDIR/$name.pid"
}

# --------------------------------------------------- Wine start failures ----
# Every demo prints at least one line on every path, and exits 0, 1, 2 or
# (--crash under Wine) 9. A Wine program that ends with another status and
# has printed nothing at all never ran: Wine failed to start it. Only that
# case is retried, at most WINE_START_RETRIES times in one test, and every
# retry is reported in the test output and counted in the run's summary.
WINE_START_RETRIES=2
wine_start_failures=0

# wine_never_ran STATUS OUTPUT-FILES...: true when the status is none of a
# demo's and the files are empty.
wine_never_ran() {
    local status=$1 file
    shift
    case "$status" in 0 | 1 | 2 | 9) return 1 ;; esac
    for file in "$@"; do [ ! -s "$file" ] || return 1; done
}

# note_wine_start_failure WHAT STATUS: say so, and count it for the summary.
note_wine_start_failure() {
    wine_start_failures=$((wine_start_failures + 1))
    echo "# Wine did not start $1 (exit $2, no output at all): not a demo failure; retry $wine_start_failures of $WINE_START_RETRIES" >&3
    [ -z "${WINE_START_LOG:-}" ] || echo "$BATS_TEST_NAME: $1 exit $2" >>"$WINE_START_LOG"
}

# ------------------------------------------------ Wine's late SIGKILL ----
# Wine's server sends SIGKILL to a process that is still there about 0.48 s
# after it closed its connection to the server, which it does just before
# exit(); on a starved CPU a copy that has left cleanly can thus end with
# status 137 (scripts/wine-prefix.bash, wine_killed_after_exit, says more).
# assert_exit counts such a copy as exit 0 when it was expected to exit 0,
# its standard error is empty and its last line is its "left" line (or the
# one the test names); each case is reported and counted in the run's
# summary.
# shellcheck source=scripts/wine-prefix.bash
. "$REPO/scripts/wine-prefix.bash"
# What launch.sh adds to its "stopped" line when that happened there.
# shellcheck disable=SC2034 # used by the .bats files
WINE_LATE_NOTE='( \([0-9]+ of them as exit 137: [^)]*\))?'
# The lines build/test/mapping-tool.exe prints last.
# shellcheck disable=SC2034 # used by the .bats files
TOOL_LAST_LINE='^(unchanged|changed|held)$'

# wine_copy_killed_after_exit NAME STATUS [LAST-LINE-REGEX]: that case, for
# the copy NAME.
wine_copy_killed_after_exit() {
    [[ $(cat "$BATS_TEST_TMPDIR/$1.cmd") == wine\ * ]] &&
        wine_killed_after_exit "$2" "$BATS_TEST_TMPDIR/$1.out" "$BATS_TEST_TMPDIR/$1.err" "${3:-}"
}

note_wine_late_kill() {
    echo "# Wine's server sent SIGKILL to copy $1 after its last line (exit 137): its Windows side had already ended; counted as exit 0" >&3
    [ -z "${WINE_KILL_LOG:-}" ] || echo "$BATS_TEST_NAME: copy $1" >>"$WINE_KILL_LOG"
}

# wait_for_line NAME REGEX [SECONDS]: until NAME.out has a matching line.
# Fails at once when the copy has ended without printing it.
wait_for_line() {
    local file=$BATS_TEST_TMPDIR/$1.out deadline=$((SECONDS + ${3:-30})) pid status
    # Complete lines only: a reader can catch the last one half written.
    until [ -f "$file" ] && head -n "$(wc -l <"$file")" "$file" | tr -d '\r' | grep -Eq "$2"; do
        pid=$(pid_of "$1")
        if ! kill -0 "$pid" 2>/dev/null; then
            status=0
            wait "$pid" 2>/dev/null || status=$?
            echo "$status" >"$BATS_TEST_TMPDIR/$1.status" # for assert_exit
            # The last bytes may have landed just before it ended.
            head -n "$(wc -l <"$file")" "$file" | tr -d '\r' | grep -Eq "$2" && return 0
            if [[ $(cat "$BATS_TEST_TMPDIR/$1.cmd") == wine\ * ]] &&
                wine_never_ran "$status" "$file" "$BATS_TEST_TMPDIR/$1.err" &&
                [ "$wine_start_failures" -lt "$WINE_START_RETRIES" ]; then
                note_wine_start_failure "copy $1" "$status"
                eval "LD_PRELOAD=$(cat "$BATS_TEST_TMPDIR/$1.preload") start_copy $1 $(cat "$BATS_TEST_TMPDIR/$1.cmd")"
                continue
            fi
            echo "copy $1 ended (exit $status) without printing /$2/:" >&2
            cat "$file" "$BATS_TEST_TMPDIR/$1.err" >&2 || true
            return 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "timed out waiting for /$2/ in $1.out:" >&2
            cat "$file" "$BATS_TEST_TMPDIR/$1.err" >&2 || true
            ps -o pid,stat,wchan:20,args -p "$pid" >&2 || true
            return 1
        fi
        sleep 0.02
    done
}

# output_of NAME: the copy's standard output, without Windows line ends.
output_of() {
    tr -d '\r' <"$BATS_TEST_TMPDIR/$1.out"
}

pid_of() {
    cat "$BATS_TEST_TMPDIR/$1.pid"
}

# assert_exit NAME STATUS [LAST-LINE-REGEX]: wait for the copy NAME and
# check how it ended. (Not in a $(...) subshell: only this shell can wait
# for its children.) LAST-LINE-REGEX, for a Windows program that is not a
# demo, is the line it prints last before it returns (see above).
assert_exit() {
    local status=0
    if [ -f "$BATS_TEST_TMPDIR/$1.status" ]; then # wait_for_line has waited already
        status=$(cat "$BATS_TEST_TMPDIR/$1.status")
    else
        wait "$(pid_of "$1")" || status=$?
    fi
    if [ "$status" -ne "$2" ] && [ "$2" -eq 0 ] && wine_copy_killed_after_exit "$1" "$status" "${3:-}"; then
        note_wine_late_kill "$1"
        return 0
    fi
    [ "$status" -eq "$2" ] || fail "copy $1 exited $status, expected $2"
}

# Teardown for every test, even a failing one: kill what we started,
# remove every segment under the keys we used.
cleanup_copies() {
    local pid key live
    # Only the copies this shell has not waited for yet: the number of one
    # that was waited for may already belong to another process.
    live=" $(jobs -p | tr '\n' ' ') "
    for pid in "${COPY_PIDS[@]}"; do
        [[ $live != *" $pid "* ]] || kill -KILL "$pid" 2>/dev/null || true
    done
    for pid in "${COPY_PIDS[@]}"; do
        [[ $live != *" $pid "* ]] || wait "$pid" 2>/dev/null || true
    done
    for key in "${KEYS[@]}"; do
        ipcrm -M "$key" 2>/dev/null || true
        ipcrm -S "$key" 2>/dev/null || true
    done
    for key in "${SHM_NAMES[@]}"; do rm -f "/dev/shm$key"; done
}

# ------------------------------------------------------------------ Wine ----
# Windows programs run under Wine in the prefix setup_suite.bash made.
need_wine() {
    [ -z "${SKIP_WINE:-}" ] || skip "SKIP_WINE is set: this run tests the Linux programs only"
    command -v wine >/dev/null || fail "Wine is not installed: make test installs it"
    [ -n "${WINEPREFIX:-}" ] || fail "no Wine prefix: run the tests with bats (setup_suite.bash makes one)"
}

# winrun PROGRAM ARGS...: like run, for a Windows program under Wine, with
# the carriage returns of its line ends removed (and a Wine start failure
# retried, as above).
winrun() {
    run bash -o pipefail -c 'wine "$@" </dev/null 2>&1 | tr -d "\r"' winrun "$@"
    while [ -z "$output" ] && wine_never_ran "$status" &&
        [ "$wine_start_failures" -lt "$WINE_START_RETRIES" ]; do
        note_wine_start_failure "$(basename "$1")" "$status"
        run bash -o pipefail -c 'wine "$@" </dev/null 2>&1 | tr -d "\r"' winrun "$@"
    done
}

# win_path PATH: the name a Windows program under Wine gives the absolute
# Linux PATH (wine_path in scripts/wine-prefix.bash).
win_path() {
    [[ $1 == /* ]] || fail "win_path needs an absolute path: $1"
    wine_path "$1"
}

# private_copy FILE...: copy Windows programs (and DLLs) into a folder of
# this test's own and print the folder. A shared section belongs to the
# file, so a private copy counts on its own.
private_copy() {
    local dir file
    dir=$(mktemp -d "$BATS_TEST_TMPDIR/bin.XXXXXX")
    for file in "$@"; do cp "$WIN_DIR/$file" "$dir/"; done
    echo "$dir"
}

# windows_count_together N EXE [ARGS...]: N copies of EXE (with ARGS) count
# N together, every one leaves cleanly on Ctrl+C, and the count is 0 after.
windows_count_together() {
    local n=$1 exe=$2 i
    shift 2
    for ((i = 1; i <= n; i++)); do start_copy "c$i" wine "$exe" "$@" --quiet; done
    for ((i = 1; i <= n; i++)); do wait_for_line "c$i" '^joined ' 60; done
    winrun "$exe" --peek "$@"
    assert_success
    assert_output "instances=$n"
    for ((i = 1; i <= n; i++)); do kill -INT "$(pid_of "c$i")"; done
    for ((i = 1; i <= n; i++)); do assert_exit "c$i" 0; done
    # The join lines name each count from 1 to N once; one copy left it at 0.
    run bash -c "cat '$BATS_TEST_TMPDIR'/c*.out | tr -d '\r' | sed -n 's/^joined pid=[0-9]* instances=//p' | sort -n | uniq | wc -l"
    assert_output "$n"
    [ "$(cat "$BATS_TEST_TMPDIR"/c*.out | tr -d '\r' | grep -c '^left pid=[0-9]* instances=0$')" -eq 1 ]
    winrun "$exe" --peek "$@"
    assert_output "instances=0"
}

# build_from_header SOURCE-FOLDER LINE...: copy the folder and common/ into a
# tree of this test's own, and run each one-line build command there.
build_from_header() {
    local folder=$1 line
    shift
    BUILT=$BATS_TEST_TMPDIR/tree/$folder
    mkdir -p "$BATS_TEST_TMPDIR/tree/$(dirname "$folder")"
    cp -r "$REPO/common" "$BATS_TEST_TMPDIR/tree/"
    cp -r "$REPO/$folder" "$BATS_TEST_TMPDIR/tree/$(dirname "$folder")/"
    for line in "$@"; do
        [ -n "$line" ] || fail "no build line found in the header comment"
        # Exactly as a student would paste it into bash: nothing added.
        run bash -c "cd '$BUILT' && $line 2>&1"
        assert_success
        assert_output "" # not even a warning
    done
}
