#!/usr/bin/env bats
# scripts/demo.sh and make demo: three copies of each demo come and go, the
# Windows ones under Wine, and nothing is left running or on disk after.

load helpers

DEMO=$REPO/scripts/demo.sh

# The demo's default key: demo.sh runs each program with no options.
DEFAULT_KEY=0x53484d03

# demo.sh runs demo 03 under its default key: never next to a real one.
need_default_key_free() {
    if segment_exists "$DEFAULT_KEY"; then
        skip "a segment under demo 03's default key $DEFAULT_KEY exists (ipcs -m)"
    fi
}

teardown() {
    cleanup_copies
}

# every Wine process whose WINEPREFIX is DIR, as "PID ARGS" lines
wine_processes_of() {
    local pid
    for pid in $(pgrep -f .); do
        if tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qx "WINEPREFIX=$1"; then
            ps -o pid=,stat=,args= -p "$pid" | grep -v ' Z' || true
        fi
    done
}

@test "demo.sh: three copies of demo 03 count 1, 2, 3 and back down to 0" {
    need_default_key_free
    run "$DEMO" "$BIN_DIR/03-sysv-shm"
    assert_success
    assert_line "== 03-sysv-shm: 3 copies, started 1 second apart, leaving 1 second apart"
    assert_line --regexp '^\[copy 1\] joined pid=[0-9]+ instances=1$'
    assert_line --regexp '^\[copy 2\] joined pid=[0-9]+ instances=2$'
    assert_line --regexp '^\[copy 3\] joined pid=[0-9]+ instances=3$'
    assert_line --regexp '^\[copy 3\] left pid=[0-9]+ instances=2$'
    assert_line --regexp '^\[copy 2\] left pid=[0-9]+ instances=1$'
    assert_line --regexp '^\[copy 1\] left pid=[0-9]+ instances=0$'
    assert_line "== after the last one left, --peek says: instances=0 nattch=0"
    run segment_exists "$DEFAULT_KEY"
    assert_failure
}

@test "demo.sh without WINEPREFIX makes a prefix of its own, says so, and leaves nothing behind" {
    need_wine
    local exe
    exe=$(private_copy 01-data-seg.exe)/01-data-seg.exe
    run env -u WINEPREFIX TMPDIR="$BATS_TEST_TMPDIR" "$DEMO" "$exe"
    assert_success
    assert_line --index 0 "== making a temporary Wine prefix for the Windows demos (about 10 seconds;"
    assert_line --regexp '^\[copy 3\] joined pid=[0-9]+ instances=3$'
    assert_line --regexp '^\[copy 1\] left pid=[0-9]+ instances=0$'
    assert_line "== after the last one left, --peek says: instances=0"
    # Its prefix is gone, and so is every Wine process that served it.
    run find "$BATS_TEST_TMPDIR" -maxdepth 1 -name 'demo.*'
    assert_output ""
    run bash -c "ps -eo pid=,stat=,args= | grep -F '$BATS_TEST_TMPDIR/demo.' | grep -v -e grep -e ' Z'"
    assert_output ""
}

@test "demo.sh with WINEPREFIX set uses that prefix and leaves it as it was" {
    need_wine
    local exe
    exe=$(private_copy 01-data-seg.exe)/01-data-seg.exe
    run "$DEMO" "$exe"
    assert_success
    refute_output --partial "making a temporary Wine prefix"
    assert_line "== after the last one left, --peek says: instances=0"
    [ -d "$WINEPREFIX/drive_c" ] || fail "the suite's prefix was removed"
    # The suite's persistent server still serves it.
    run wine_processes_of "$WINEPREFIX"
    assert_output --partial "wineserver"
}

@test "make demo on a machine without the Windows tools names what it skipped and how to install it" {
    need_default_key_free
    # TMPDIR: demo 05 leaves its file there, holding 0, as it should.
    # Two of the Linux demos are enough here: "docs: make demo, as the
    # README shows it, runs every demo" runs them all.
    run env TMPDIR="$BATS_TEST_TMPDIR" make -C "$REPO" --no-print-directory BUILD="$BATS_TEST_TMPDIR/build" \
        LINUX_DEMOS="03-sysv-shm 05-mmap-file" MINGW_CC=no-such-mingw-gcc demo
    assert_success
    assert_line "== 03-sysv-shm: 3 copies, started 1 second apart, leaving 1 second apart"
    assert_line "== 05-mmap-file: 3 copies, started 1 second apart, leaving 1 second apart"
    assert_line "== after the last one left, --peek says: instances=0 mappers=0"
    assert_line "== skipped the Windows demos (01-data-seg.exe 02-file-mapping.exe 08-job-count.exe): this machine lacks no-such-mingw-gcc."
    assert_line "   scripts/install-deps.sh windows installs them (as root, or with sudo); then run make demo again."
    refute_output --partial "01-data-seg.exe: 3 copies"
}

@test "demo.sh: no program is a usage error; --help prints the usage" {
    run "$DEMO"
    assert_equal "$status" 2
    assert_output "usage: scripts/demo.sh PROGRAM..."
    run "$DEMO" --help
    assert_success
    assert_output "usage: scripts/demo.sh PROGRAM..."
}
