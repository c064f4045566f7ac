#!/usr/bin/env bats
# scripts/launch.bat, run by Wine's cmd: start /b copies, count, report.

load helpers

setup() {
    need_wine
    NAME=launchbat-$$-$BATS_TEST_NUMBER-$RANDOM
    BAT=$(win_path "$REPO/scripts/launch.bat")
    EXE=$(win_path "$WIN_DIR/02-file-mapping.exe")
}

teardown() {
    cleanup_copies
}

batrun() {
    run bash -o pipefail -c 'LAUNCH_HOLD=${LAUNCH_HOLD:-4} wine cmd /c "$@" </dev/null 2>&1 | tr -d "\r"' batrun "$@"
}

@test "launch.bat starts 3 copies with start /b, counts 3, then 0, and exits 0" {
    batrun "$BAT" 3 "$EXE" --name "$NAME"
    assert_success
    assert_line "launch: 3 copies of 02-file-mapping.exe --quiet --hold 4 --name $NAME"
    assert_line "  (each copy leaves when its --hold runs out: a batch file cannot send Ctrl+C to one copy)"
    assert_line --regexp "^  joined +3 of 3 \(their join lines said instances=1 to 3\)   ok$"
    assert_line --regexp "^  peek, running +instances=3   ok$"
    assert_line --regexp "^  left +3 of 3 \(their left lines said instances=0 to 2\)   ok$"
    assert_line --regexp "^  peek, after +instances=0   ok$"
    assert_line "launch: ok"
}

@test "launch.bat and launch.sh make the same checks in the same words" {
    batrun "$BAT" 2 "$EXE" --name "$NAME"
    assert_success
    local bat_checks
    bat_checks=$(grep '^  [a-z]' <<<"$output")
    run "$LAUNCH" -n 2 -- "$WIN_DIR/02-file-mapping.exe" --name "$NAME-sh"
    assert_success
    # launch.sh alone can read exit statuses ("stopped") and ipcs ("left behind").
    assert_equal "$bat_checks" "$(grep '^  [a-z]' <<<"$output" | grep -v -e '^  stopped ' -e '^  left behind ')"
    assert_equal "$(wc -l <<<"$bat_checks")" 4
}

@test "launch.bat counts the data-segment demo too" {
    local exe
    exe=$(private_copy 01-data-seg.exe)/01-data-seg.exe
    batrun "$BAT" 2 "$(win_path "$exe")"
    assert_success
    assert_line --regexp "^  peek, running +instances=2   ok$"
    assert_line "launch: ok"
}

@test "launch.bat exits 1 and reports the mismatch when copies crash" {
    batrun "$BAT" 2 "$EXE" --name "$NAME" --crash
    assert_equal "$status" 1
    assert_line --regexp "^  joined +2 of 2 \(their join lines said instances=1 to 2\)   ok$"
    assert_line --regexp "^  left +0 of 2 copies printed a left line   MISMATCH$"
    assert_line "launch: 1 check(s) failed"
}

@test "launch.bat: bad command lines exit 2" {
    batrun "$BAT" 0 "$EXE"
    assert_equal "$status" 2
    assert_output --partial "N: '0' is not a number from 1 to 200"
    batrun "$BAT" x "$EXE"
    assert_equal "$status" 2
    batrun "$BAT" 2 'C:\no\such.exe'
    assert_equal "$status" 2
    assert_output --partial "no program"
    batrun "$BAT" 2 "$EXE" --hold 5
    assert_equal "$status" 2
    assert_output --partial "--hold is chosen by launch.bat itself"
    batrun "$BAT"
    assert_equal "$status" 2
    assert_output --partial "usage: scripts\\launch.bat N PROGRAM [ARGS...]"
    batrun "$BAT" 2 "$(win_path "$WIN_DIR/02-file-mapping-minimal.exe")"
    assert_equal "$status" 2
    assert_output --partial "02-file-mapping-minimal.exe has no --peek"
    batrun "$BAT" --help
    assert_success
    assert_line --index 0 "usage: scripts\\launch.bat N PROGRAM [ARGS...]"
}
