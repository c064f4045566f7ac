#!/usr/bin/env bats
# scripts/launch.sh: starts N copies, checks the counts, reports mismatches.

load helpers

setup() {
    PROG=$BIN_DIR/03-sysv-shm
    [ -x "$PROG" ] || fail "build the demo first: make"
    KEY="" # set by fresh_key
    fresh_key KEY
}

teardown() {
    cleanup_copies
}

launch_ok() {
    run "$LAUNCH" -n "$1" -- "$PROG" --key "$KEY" --quiet
    assert_success
    assert_line --index 0 "launch: $1 copies of 03-sysv-shm --key $KEY --quiet"
    assert_line --regexp "^  joined +$1 of $1 \(their join lines said instances=1 to $1\)   ok$"
    assert_line --regexp "^  peek, running +instances=$1 nattch=$1   ok$"
    assert_line --regexp "^  stopped +SIGINT to every copy; $1 of $1 exited 0   ok$"
    assert_line --regexp "^  peek, after +instances=0 nattch=0   ok$"
    assert_line --regexp "^  left behind +nothing under key $KEY in ipcs -m   ok$"
    assert_line "launch: ok"
    run segment_exists "$KEY"
    assert_failure
}

@test "launch.sh with 1 copy" {
    launch_ok 1
}

@test "launch.sh with 5 copies" {
    launch_ok 5
}

@test "launch.sh with 200 copies" {
    launch_ok 200
}

@test "launch.sh --hold lets the hold run out instead of sending SIGINT" {
    run "$LAUNCH" -n 3 --hold 1 -- "$PROG" --key "$KEY"
    assert_success
    assert_line --regexp "^  stopped +after --hold 1; 3 of 3 exited 0   ok$"
}

@test "launch.sh reports a mismatch when copies crash instead of leaving" {
    run "$LAUNCH" -n 3 --hold 1 -- "$PROG" --key "$KEY" --crash
    assert_equal "$status" 1
    assert_line --regexp "^  peek, running +instances=3 nattch=3   ok$"
    assert_line --regexp "^  stopped +after --hold 1; 0 of 3 exited 0 \(copy 1: exit 137,copy 2: exit 137,copy 3: exit 137\)   MISMATCH$"
    assert_line --regexp "^  peek, after +instances=3 nattch=0 \(expected instances=0\)   MISMATCH$"
    assert_line --regexp "^  left behind +a segment under key $KEY is still in ipcs -m   MISMATCH$"
    assert_line "launch: 4 check(s) failed"
}

@test "launch.sh reports a mismatch when the copies cannot start" {
    "$TEST_TOOL_DIR/shm-tool" create "$KEY" 8 garbage >/dev/null
    run "$LAUNCH" -n 2 -- "$PROG" --key "$KEY"
    assert_equal "$status" 1
    assert_line --regexp "^  joined +0 of 2 copies printed a join line   MISMATCH$"
    assert_output --partial "is not one of our counters"
}

@test "Ctrl+C on launch.sh stops every copy it started" {
    # Hold long so that only the interrupt can end them. A background job
    # starts with SIGINT ignored; env gives the script the terminal's default.
    env --default-signal=INT "$LAUNCH" -n 4 --hold 60 -- "$PROG" --key "$KEY" >"$BATS_TEST_TMPDIR/launch.out" 2>&1 &
    local launcher=$!
    COPY_PIDS+=("$launcher")
    timeout 20 bash -c "until grep -q 'peek, running' '$BATS_TEST_TMPDIR/launch.out'; do sleep 0.05; done"
    kill -INT "$launcher"
    local status=0
    wait "$launcher" || status=$?
    assert_equal "$status" 130
    run "$PROG" --peek --key "$KEY"
    assert_output "instances=0 nattch=0"
    run segment_exists "$KEY"
    assert_failure
}

@test "launch.sh: bad command lines exit 2 with a message" {
    run "$LAUNCH" -n 0 -- "$PROG"
    assert_equal "$status" 2
    assert_output --partial "-n: '0' is not a number from 1 to 2000"
    run "$LAUNCH" --hold x -- "$PROG"
    assert_equal "$status" 2
    assert_output --partial "--hold: 'x' is not a whole number of seconds"
    run "$LAUNCH" --bogus
    assert_equal "$status" 2
    assert_output --partial "unknown option '--bogus'"
    run "$LAUNCH"
    assert_equal "$status" 2
    assert_output --partial "no PROGRAM given"
    run "$LAUNCH" -- no-such-program
    assert_equal "$status" 2
    assert_output --partial "no program 'no-such-program'"
    run "$LAUNCH" --help
    assert_success
    assert_line --index 0 --partial "usage: scripts/launch.sh [-n N] [--hold S] [--] PROGRAM [ARGS...]"
}

@test "launch.sh runs .exe programs under Wine and counts them" {
    need_wine
    local name=launch-$$-$RANDOM
    run "$LAUNCH" -n 3 -- "$WIN_DIR/02-file-mapping.exe" --name "$name"
    assert_success
    assert_line --regexp "^  joined +3 of 3 \(their join lines said instances=1 to 3\)   ok$"
    assert_line --regexp "^  peek, running +instances=3   ok$"
    assert_line --regexp "^  stopped +SIGINT to every copy; 3 of 3 exited 0$WINE_LATE_NOTE   ok$"
    assert_line --regexp "^  peek, after +instances=0   ok$"
    assert_line "launch: ok"
    local exe
    exe=$(private_copy 01-data-seg-clang.exe)/01-data-seg-clang.exe
    run "$LAUNCH" -n 2 --hold 3 -- "$exe"
    assert_success
    assert_line --regexp "^  peek, running +instances=2   ok$"
}

# Wine's server sends SIGKILL to a process that is still there about 0.48 s
# after it closed its connection (scripts/wine-prefix.bash says more). A
# "wine" that preloads build/test/slow-exit.so makes every copy end 3 s
# late, so that here it happens to each.
@test "launch.sh under Wine: copies that Wine's server kills after their left line count as exited 0, and it says how many" {
    need_wine
    local name=launch-$$-$RANDOM fake=$BATS_TEST_TMPDIR/fake-bin
    [ -f "$TEST_TOOL_DIR/slow-exit.so" ] || fail "build the test tools first: make test-tools"
    mkdir "$fake"
    printf '#!/bin/sh\nLD_PRELOAD=%q exec %q "$@"\n' "$TEST_TOOL_DIR/slow-exit.so" "$(command -v wine)" >"$fake/wine"
    chmod +x "$fake/wine"
    # (A log of its own: these are no news for the run's summary.)
    PATH=$fake:$PATH WINE_KILL_LOG=$BATS_TEST_TMPDIR/kills run "$LAUNCH" -n 2 -- "$WIN_DIR/02-file-mapping.exe" --name "$name"
    assert_success
    assert_line --regexp "^  stopped +SIGINT to every copy; 2 of 2 exited 0 \(2 of them as exit 137: SIGKILL from Wine's server after their left line, see README.md\)   ok$"
    assert_line --regexp "^  left +2 of 2 \(their left lines said instances=0 to 1\)   ok$"
    assert_line "launch: ok"
    refute_output --partial "Killed" # the shell's own line for each
    run cat "$BATS_TEST_TMPDIR/kills"
    assert_output "launch.sh: copy 1 of 02-file-mapping.exe
launch.sh: copy 2 of 02-file-mapping.exe"
}

@test "launch.sh judges a program without --peek (a minimal version) from its join and left lines" {
    local minimal=$BIN_DIR/03-sysv-shm-minimal key=0x4d494e03
    if segment_exists "$key"; then skip "a segment under the minimal version's key $key exists"; fi
    KEYS+=("$key") # teardown removes it even if the launch fails
    run "$LAUNCH" -n 4 -- "$minimal"
    assert_success
    assert_line "  (03-sysv-shm-minimal has no --peek: judged from the join and left lines)"
    assert_line --regexp "^  joined +4 of 4 \(their join lines said instances=1 to 4\)   ok$"
    assert_line --regexp "^  left +4 of 4 \(their left lines said instances=0 to 3\)   ok$"
    refute_line --partial "peek, "
    run segment_exists "$key"
    assert_failure
    # A copy that cannot join is a mismatch, not a pass.
    run "$LAUNCH" -n 2 -- "$minimal" --bogus
    assert_equal "$status" 1
    assert_line --regexp "^  joined +0 of 2 copies printed a join line   MISMATCH$"
}
