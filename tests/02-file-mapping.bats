#!/usr/bin/env bats
# Demo 02, a named file mapping, under Wine. Each test uses its own name.
# Every scenario runs for the MinGW GCC build and for the clang + lld build.

load helpers

setup() {
    need_wine
    NAME=test-$$-$BATS_TEST_NUMBER-$RANDOM
    TOOL=$TEST_TOOL_DIR/mapping-tool.exe
}

teardown() {
    cleanup_copies
}

exe() { echo "$WIN_DIR/02-file-mapping$1.exe"; }

count_together() {
    windows_count_together "$2" "$(exe "$1")" --name "$NAME"
}

@test "02 gcc: 1 copy counts 1" { count_together "" 1; }
@test "02 clang: 1 copy counts 1" { count_together -clang 1; }
@test "02 gcc: 3 copies count 3, then 0" { count_together "" 3; }
@test "02 clang: 3 copies count 3, then 0" { count_together -clang 3; }
@test "02 gcc: 20 copies count 20, then 0" { count_together "" 20; }
@test "02 clang: 20 copies count 20, then 0" { count_together -clang 20; }

@test "02: the two builds count together: the name, not the file, is the identity" {
    start_copy g wine "$(exe "")" --name "$NAME" --quiet
    wait_for_line g '^joined pid=[0-9]+ instances=1$' 60
    winrun "$(exe -clang)" --name "$NAME" --hold 0
    assert_success
    assert_line --regexp '^joined pid=[0-9]+ instances=2$'
    assert_line --regexp '^left pid=[0-9]+ instances=1$'
    kill -INT "$(pid_of g)"
    assert_exit g 0
}

@test "02: different names count apart" {
    start_copy a wine "$(exe "")" --name "$NAME-a" --quiet
    wait_for_line a '^joined ' 60
    winrun "$(exe "")" --peek --name "$NAME-b"
    assert_output "instances=0"
    winrun "$(exe "")" --peek --name "$NAME-a"
    assert_output "instances=1"
    kill -INT "$(pid_of a)"
    assert_exit a 0
}

crash_and_recover() {
    local prog
    prog=$(exe "$1")
    start_copy a wine "$prog" --name "$NAME" --quiet
    start_copy b wine "$prog" --name "$NAME"
    wait_for_line a '^joined ' 60
    wait_for_line b '^joined ' 60
    winrun "$prog" --name "$NAME" --hold 0 --crash
    assert_equal "$status" 9
    assert_line --regexp '^crashing pid=[0-9]+ instances=3$'
    refute_line --partial 'left '
    winrun "$prog" --peek --name "$NAME"
    assert_output "instances=3"
    # The running copy shows the stale count too. (Wait for it: a copy polls
    # every 100 ms, so a count that changes and changes back can slip by.)
    wait_for_line b '^now instances=3$' 30
    kill -INT "$(pid_of a)"
    assert_exit a 0
    wait_for_line b '^now instances=2$' 30
    kill -INT "$(pid_of b)"
    assert_exit b 0
    run output_of b
    assert_line --regexp '^left pid=[0-9]+ instances=1$'
    # The last handle closed destroyed the mapping: the next copy starts afresh.
    winrun "$prog" --peek --name "$NAME"
    assert_output "instances=0"
    winrun "$prog" --name "$NAME" --hold 0
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
}

@test "02 gcc: Ctrl+C leaves cleanly; --crash leaves a stale count until all are gone" { crash_and_recover ""; }
@test "02 clang: Ctrl+C leaves cleanly; --crash leaves a stale count until all are gone" { crash_and_recover -clang; }

refuse_precreated() { # SIZE CONTENT EXPECTED-REASON
    start_copy tool wine "$TOOL" "$NAME" "$1" "$2" 4
    wait_for_line tool '^ready$' 60
    winrun "$(exe "")" --name "$NAME" --hold 0
    assert_equal "$status" 1
    assert_output --partial "the mapping Local\\$NAME is not one of our counters: $3"
    assert_output --partial "It was left untouched"
    winrun "$(exe -clang)" --peek --name "$NAME"
    assert_equal "$status" 1
    assert_exit tool 0
    run output_of tool
    assert_line --index 1 "unchanged"
}

@test "02: a smaller mapping full of garbage under the name is refused and left untouched" {
    refuse_precreated 8 garbage "wrong magic 0x"
}

@test "02: a large mapping full of garbage is refused and left untouched" {
    refuse_precreated 65536 garbage "wrong magic 0x"
}

@test "02: a smaller zero-filled mapping nobody initialises is refused" {
    refuse_precreated 8 zero "it was never initialised"
}

@test "02: --peek creates nothing: no mapping, and no file" {
    local file=$BATS_TEST_TMPDIR/counter.bin
    winrun "$(exe "")" --peek --name "$NAME"
    assert_success
    assert_output "instances=0"
    winrun "$(exe "")" --peek --name "$NAME" --file "$(winepath -w "$file")"
    assert_success
    assert_output "instances=0"
    [ ! -e "$file" ]
}

@test "02: --file keeps the count in the file, so a crash leaves it stale for good" {
    local file=$BATS_TEST_TMPDIR/counter.bin wfile
    wfile=$(winepath -w "$file")
    winrun "$(exe "")" --name "$NAME" --file "$wfile" --hold 0
    assert_success
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
    [ "$(stat -c %s "$file")" -eq 16 ]
    winrun "$(exe "")" --name "$NAME" --file "$wfile" --hold 0 --crash
    assert_equal "$status" 9
    # Every copy has gone, yet the file still counts the crashed one.
    winrun "$(exe -clang)" --peek --name "$NAME" --file "$wfile"
    assert_output "instances=1"
    run od -An -tx1 "$file"
    assert_output --regexp "53 48 4d 43 01 00 00 00 10 00 00 00 01 00 00 00"
    winrun "$(exe "")" --name "$NAME" --file "$wfile" --hold 0
    assert_line --regexp '^joined pid=[0-9]+ instances=2$'
    # Removing the file is the reset.
    rm "$file"
    winrun "$(exe "")" --name "$NAME" --file "$wfile" --hold 0
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
}

@test "02: --file refuses a file that is not a counter, and leaves it untouched" {
    local small=$BATS_TEST_TMPDIR/small.bin junk=$BATS_TEST_TMPDIR/junk.bin
    printf 'abc' >"$small"
    head -c 64 /dev/urandom >"$junk"
    cp "$junk" "$junk.orig"
    winrun "$(exe "")" --name "$NAME" --file "$(winepath -w "$small")" --hold 0
    assert_equal "$status" 1
    assert_output --partial "is not one of our counters: it is 3 bytes, smaller than the 16 the counter needs"
    assert_equal "$(cat "$small")" "abc"
    winrun "$(exe "")" --name "$NAME-2" --file "$(winepath -w "$junk")" --hold 0
    assert_equal "$status" 1
    assert_output --partial "(backed by "
    assert_output --partial "is not one of our counters: wrong magic"
    cmp "$junk" "$junk.orig"
}

@test "02: --global uses the Global\\ namespace" {
    start_copy g wine "$(exe "")" --name "$NAME" --global --quiet
    wait_for_line g '^joined pid=[0-9]+ instances=1$' 60
    winrun "$(exe "")" --peek --name "$NAME" --global
    assert_output "instances=1"
    winrun "$(exe "")" --peek --name "$NAME" # Local\ is another name
    assert_output "instances=0"
    kill -INT "$(pid_of g)"
    assert_exit g 0
}

@test "02: every bad command line exits 2 and names the argument" {
    local args expect
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        winrun "$(exe "")" $args
        assert_equal "$status" 2
        assert_line --index 0 --partial "$expect"
        assert_output --partial "usage: 02-file-mapping.exe"
    done <<'LINES'
--name|option '--name' needs a value
--name a\b|--name: 'a\b' may not contain
--file|option '--file' needs a value
--global=1|option '--global' takes no value
--key 5|unknown option '--key'
--hold abc|--hold: 'abc' is not a whole number
--hold -1|--hold: '-1' is not a whole number
stray|unexpected argument 'stray'
--peek --quiet|--peek cannot be combined with --quiet
LINES
    winrun "$(exe "")" --name "$(printf 'x%.0s' {1..201})"
    assert_equal "$status" 2
    assert_output --partial "must be 1 to 200 characters"
}

@test "02: the header comment's MinGW and clang one-line commands build the demo" {
    local src=$REPO/windows/02-file-mapping/file_mapping.c line
    for line in "$(sed -n 's/^ \*   \(x86_64-w64-mingw32-gcc .*\)$/\1/p' "$src")" \
        "$(sed -n 's/^ \*   \(clang .*\)$/\1/p' "$src")"; do
        rm -f "$BATS_TEST_TMPDIR/tree/windows/02-file-mapping/02-file-mapping.exe"
        build_from_header windows/02-file-mapping "$line"
        winrun "$BUILT/02-file-mapping.exe" --peek --name "$NAME"
        assert_output "instances=0"
    done
}
