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
        ipcs -m | awk -v k="$key" '$1 == k { found = 1 } END { exit found }' && break
    done
    KEYS+=("$key")
    printf -v "$1" '%s' "$key"
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
    "$@" </dev/null >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" &
    COPY_PID=$!
    COPY_PIDS+=("$COPY_PID")
    echo "$COPY_PID" >"$BATS_TEST_TMPDIR/$name.pid"
}

# wait_for_line NAME REGEX [SECONDS]: until NAME.out has a matching line.
wait_for_line() {
    local file=$BATS_TEST_TMPDIR/$1.out deadline=$((SECONDS + ${3:-30}))
    # Complete lines only: a reader can catch the last one half written.
    until [ -f "$file" ] && head -n "$(wc -l <"$file")" "$file" | tr -d '\r' | grep -Eq "$2"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "timed out waiting for /$2/ in $1.out:" >&2
            cat "$file" "$BATS_TEST_TMPDIR/$1.err" >&2 || true
            ps -o pid,stat,wchan:20,args -p "$(pid_of "$1")" >&2 || true
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

# assert_exit NAME STATUS: wait for the copy NAME and check how it ended.
# (Not in a $(...) subshell: only this shell can wait for its children.)
assert_exit() {
    local status=0
    wait "$(pid_of "$1")" || status=$?
    [ "$status" -eq "$2" ] || fail "copy $1 exited $status, expected $2"
}

# Teardown for every test, even a failing one: kill what we started,
# remove every segment under the keys we used.
cleanup_copies() {
    local pid key
    for pid in "${COPY_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${COPY_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for key in "${KEYS[@]}"; do ipcrm -M "$key" 2>/dev/null || true; done
}

# ------------------------------------------------------------------ Wine ----
# Windows programs run under Wine in the prefix setup_suite.bash made.
need_wine() {
    [ -z "${SKIP_WINE:-}" ] || skip "SKIP_WINE is set: this run tests the Linux programs only"
    command -v wine >/dev/null || fail "Wine is not installed: make test installs it"
    [ -n "${WINEPREFIX:-}" ] || fail "no Wine prefix: run the tests with bats (setup_suite.bash makes one)"
}

# winrun PROGRAM ARGS...: like run, for a Windows program under Wine, with
# the carriage returns of its line ends removed.
winrun() {
    run bash -o pipefail -c 'wine "$@" </dev/null 2>&1 | tr -d "\r"' winrun "$@"
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
        # Debian's clang needs to be told where MinGW's libgcc is (the Makefile does the same).
        [[ $line != clang* ]] || line="$line -L$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")"
        run bash -c "cd '$BUILT' && $line 2>&1"
        assert_success
        assert_output "" # not even a warning
    done
}
