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
    if [ -n "${TMUX_SOCKET:-}" ]; then
        tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
        rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCKET" # tmux leaves its socket behind
    fi
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

# Wine's server sends SIGKILL to a process that is still there about 0.48 s
# after it closed its connection (scripts/wine-prefix.bash says more).
# build/test/slow-exit.so makes a Wine process end 3 s late, so that here it
# happens every time. The tests forgive that 137, and nothing like it.
@test "02: a copy that Wine's server kills after its left line exits 137; assert_exit counts it as 0, a kill while it runs not" {
    local status copy
    [ -f "$TEST_TOOL_DIR/slow-exit.so" ] || fail "build the test tools first: make test-tools"
    LD_PRELOAD=$TEST_TOOL_DIR/slow-exit.so start_copy late wine "$(exe "")" --name "$NAME" --quiet
    wait_for_line late '^joined pid=[0-9]+ instances=1$' 60
    start_copy killed wine "$(exe -clang)" --name "$NAME" --quiet
    wait_for_line killed '^joined pid=[0-9]+ instances=2$' 60
    kill -KILL "$(pid_of killed)"
    kill -INT "$(pid_of late)"
    for copy in late killed; do
        status=0
        wait "$(pid_of "$copy")" || status=$?
        assert_equal "$status" 137
        echo "$status" >"$BATS_TEST_TMPDIR/$copy.status"
    done
    run output_of late
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=1$'
    WINE_KILL_LOG=$BATS_TEST_TMPDIR/kills assert_exit late 0 3>"$BATS_TEST_TMPDIR/note"
    run cat "$BATS_TEST_TMPDIR/note"
    assert_output "# Wine's server sent SIGKILL to copy late after its last line (exit 137): its Windows side had already ended; counted as exit 0"
    run cat "$BATS_TEST_TMPDIR/kills"
    assert_output "$BATS_TEST_NAME: copy late"
    # Killed while it ran: its last line is its join line.
    run assert_exit killed 0
    assert_failure
    assert_output --partial "copy killed exited 137, expected 0"
    # A copy that wrote to standard error, or was expected to exit 1: no.
    echo "02-file-mapping.exe: something went wrong" >"$BATS_TEST_TMPDIR/late.err"
    run assert_exit late 0
    assert_failure
    : >"$BATS_TEST_TMPDIR/late.err"
    run assert_exit late 1
    assert_failure
}

NEVER_READY="its magic number was still 0 after 1 second: not a counter, or its creator died before it could initialise it"

# stop_tool: Ctrl+C (kill -INT) ends the tool's hold early; it then says
# whether anybody changed its mapping, and exits 0.
stop_tool() {
    kill -INT "$(pid_of tool)"
    assert_exit tool 0 "$TOOL_LAST_LINE"
}

# refuse_precreated SIZE CONTENT REASON [TOOL-OPTIONS...]: while the tool
# holds a mapping under our name, a joining copy (MinGW build) and --peek
# (clang build) both refuse it with exit status 1 and REASON, and nobody
# changes a byte of it. The tool holds it for up to 30 s, time for two
# Wine starts and two 1-second waits on a loaded machine, and is stopped
# at the end.
refuse_precreated() {
    local size=$1 content=$2 reason=$3 build
    shift 3
    start_copy tool wine "$TOOL" "$NAME" "$size" "$content" 30 "$@"
    wait_for_line tool '^ready$' 60
    for build in "" -clang; do
        if [ -z "$build" ]; then
            winrun "$(exe "$build")" --name "$NAME" --hold 0
        else
            winrun "$(exe "$build")" --peek --name "$NAME"
        fi
        assert_equal "$status" 1
        assert_output "02-file-mapping$build.exe: the mapping Local\\$NAME is not one of our counters: $reason. It was left untouched"
    done
    stop_tool
    run output_of tool
    assert_line --index 1 "${TOOL_SAYS:-unchanged}"
}

# A paging-file section is made of whole pages: asked for 4 or 8 bytes,
# Windows (and Wine) make 4096, and NtQuerySection says so. So the size is
# not what gives these away: their header is.
@test "02: a 4-byte mapping full of garbage under the name is refused and left untouched" {
    refuse_precreated 4 garbage "wrong magic 0xcaef80a5 (ours is 0x434d4853)"
}

@test "02: a 4-byte zero-filled mapping nobody initialises is refused" {
    refuse_precreated 4 zero "$NEVER_READY"
}

@test "02: an 8-byte mapping full of garbage under the name is refused and left untouched" {
    refuse_precreated 8 garbage "wrong magic 0xcaef80a5 (ours is 0x434d4853)"
}

@test "02: an 8-byte zero-filled mapping nobody initialises is refused" {
    refuse_precreated 8 zero "$NEVER_READY"
}

@test "02: a large mapping full of garbage is refused and left untouched" {
    refuse_precreated 65536 garbage "wrong magic 0xcaef80a5 (ours is 0x434d4853)"
}

# A file-backed section is as big as its file: 4 or 8 bytes, and
# NtQuerySection tells the demo so.
refuse_small_file() { # SIZE CONTENT
    local file=$BATS_TEST_TMPDIR/small.bin
    refuse_precreated "$1" "$2" "it is $1 bytes, smaller than the 16 the counter needs" \
        --file "$(win_path "$file")"
    [ "$(stat -c %s "$file")" -eq "$1" ]
}

@test "02: a 4-byte file-backed mapping under the name is refused for its size and left untouched" {
    refuse_small_file 4 garbage
}

@test "02: an 8-byte file-backed mapping under the name is refused for its size and left untouched" {
    refuse_small_file 8 zero
}

# On Windows a read of a reserved, uncommitted page is an access violation;
# Wine maps zeros there, so under Wine only the message shows the check.
@test "02: a mapping of reserved pages (SEC_RESERVE) is refused before a byte of it is read" {
    TOOL_SAYS=held refuse_precreated 4096 zero \
        "its pages are only reserved (SEC_RESERVE), not committed: reading them would fault" --reserve
}

@test "02: a program file mapped as an image (SEC_IMAGE) under the name is refused" {
    TOOL_SAYS=held refuse_precreated 16 zero \
        "it maps a program file as an image (SEC_IMAGE), not data" --image
}

@test "02: a mapping whose security descriptor lets nobody in is refused, and the reason named" {
    # (Creating a Global\ name without SeCreateGlobalPrivilege cannot be shown
    # here: Wine lets everybody create one.)
    start_copy tool wine "$TOOL" "$NAME" 16 zero 30 --deny-all
    wait_for_line tool '^ready$' 60
    winrun "$(exe "")" --name "$NAME" --hold 0
    assert_equal "$status" 1
    assert_line --index 0 --partial "02-file-mapping.exe: CreateFileMappingW(Local\\$NAME): error 5 ("
    assert_line --index 1 "02-file-mapping.exe: Local\\$NAME exists, and its security descriptor does not let you open it for reading and writing: its creator decides who may"
    refute_output --partial "SeCreateGlobalPrivilege"
    winrun "$(exe -clang)" --peek --name "$NAME"
    assert_equal "$status" 1
    assert_line --index 0 --partial "02-file-mapping-clang.exe: OpenFileMappingW(Local\\$NAME): error 5 ("
    assert_line --index 1 "02-file-mapping-clang.exe: Local\\$NAME exists, and its security descriptor does not let you read it: its creator decides who may"
    stop_tool
    run output_of tool
    assert_line --index 1 "unchanged"
}

# "Nothing made" holds on the error paths too: the empty file that --file
# created a moment before is deleted when CreateFileMappingW fails (a name
# nobody may open) or MapViewOfFile does (a read-only section under the name).
@test "02: --file makes nothing when CreateFileMappingW or MapViewOfFile fails" {
    local new=$BATS_TEST_TMPDIR/new.bin wnew
    wnew=$(win_path "$new")
    start_copy tool wine "$TOOL" "$NAME" 16 zero 30 --deny-all
    wait_for_line tool '^ready$' 60
    winrun "$(exe "")" --name "$NAME" --file "$wnew" --hold 0
    assert_equal "$status" 1
    assert_line --index 0 --partial "02-file-mapping.exe: CreateFileMappingW(Local\\$NAME): error 5 ("
    [ ! -e "$new" ]
    stop_tool
    start_copy tool wine "$TOOL" "$NAME-ro" 16 zero 30 --file "$(win_path "$BATS_TEST_TMPDIR/ro.bin")" --read-only
    wait_for_line tool '^ready$' 60
    winrun "$(exe -clang)" --name "$NAME-ro" --file "$wnew" --hold 0
    assert_equal "$status" 1
    assert_output --partial "02-file-mapping-clang.exe: MapViewOfFile(Local\\$NAME-ro): error 5 ("
    [ ! -e "$new" ]
    stop_tool
    run output_of tool
    assert_line --index 1 "unchanged"
}

@test "02: --peek creates nothing: no mapping, and no file" {
    local file=$BATS_TEST_TMPDIR/counter.bin
    winrun "$(exe "")" --peek --name "$NAME"
    assert_success
    assert_output "instances=0"
    winrun "$(exe "")" --peek --name "$NAME" --file "$(win_path "$file")"
    assert_success
    assert_output "instances=0"
    [ ! -e "$file" ]
}

@test "02: --file keeps the count in the file, so a crash leaves it stale for good" {
    local file=$BATS_TEST_TMPDIR/counter.bin wfile
    wfile=$(win_path "$file")
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
    local zeros=$BATS_TEST_TMPDIR/zeros.bin busy=$BATS_TEST_TMPDIR/busy.bin
    printf 'abc' >"$small"
    head -c 64 /dev/urandom >"$junk"
    cp "$junk" "$junk.orig"
    # Zeros are not an empty file: only a file that was empty is initialised.
    head -c 64 /dev/zero >"$zeros"
    winrun "$(exe "")" --name "$NAME-z" --file "$(win_path "$zeros")" --hold 0
    assert_equal "$status" 1
    assert_output --partial "is not one of our counters: $NEVER_READY. It was left untouched"
    cmp "$zeros" <(head -c 64 /dev/zero)
    # "BUSY" for good: the copy that won the election died writing the header.
    { printf 'BUSY'; head -c 12 /dev/zero; } >"$busy"
    cp "$busy" "$busy.orig"
    winrun "$(exe -clang)" --name "$NAME-b" --file "$(win_path "$busy")" --hold 0
    assert_equal "$status" 1
    assert_output --partial "is not one of our counters: its header was still being written after 1 second: the copy writing it died. It was left untouched"
    cmp "$busy" "$busy.orig"
    winrun "$(exe "")" --name "$NAME" --file "$(win_path "$small")" --hold 0
    assert_equal "$status" 1
    assert_output --partial "is not one of our counters: it is 3 bytes, smaller than the 16 the counter needs"
    assert_equal "$(cat "$small")" "abc"
    winrun "$(exe "")" --name "$NAME-2" --file "$(win_path "$junk")" --hold 0
    assert_equal "$status" 1
    assert_output --partial "(backed by "
    assert_output --partial "is not one of our counters: wrong magic"
    cmp "$junk" "$junk.orig"
}

@test "02: --file when the name exists backed by another file: refused, both named, nothing made" {
    local a=$BATS_TEST_TMPDIR/a.bin b=$BATS_TEST_TMPDIR/b.bin wa wb why
    wa=$(win_path "$a")
    wb=$(win_path "$b")
    start_copy holder wine "$(exe "")" --name "$NAME" --file "$wa" --quiet
    wait_for_line holder '^joined pid=[0-9]+ instances=1$' 60
    why="a.bin, not by $wb: an existing name wins over --file. It was left untouched"
    winrun "$(exe "")" --name "$NAME" --file "$wb" --hold 0
    assert_equal "$status" 1
    assert_output --partial "02-file-mapping.exe: the mapping Local\\$NAME already exists, backed by "
    assert_output --partial "$why"
    [ ! -e "$b" ] # the empty file it had made was taken back
    winrun "$(exe -clang)" --peek --name "$NAME" --file "$wb"
    assert_equal "$status" 1
    assert_output --partial "02-file-mapping-clang.exe: the mapping Local\\$NAME already exists, backed by "
    assert_output --partial "$why"
    # The file that does back it is welcome, however it is spelled.
    winrun "$(exe -clang)" --peek --name "$NAME" --file "${wa^^}"
    assert_output "instances=1"
    winrun "$(exe "")" --name "$NAME" --file "$wa" --hold 0
    assert_success
    assert_line --regexp '^joined pid=[0-9]+ instances=2$'
    kill -INT "$(pid_of holder)"
    assert_exit holder 0
    run od -An -tx1 "$a"
    assert_output --regexp "53 48 4d 43 01 00 00 00 10 00 00 00 00 00 00 00"
}

# With --file, the file, not the name, is the identity: copies under
# different names that share one file count together, and one copy
# initialises it, however many start at once on an empty file.
@test "02: --file: copies under 10 names started at once on one new file count 10 together" {
    local file=$BATS_TEST_TMPDIR/shared.bin wfile i
    wfile=$(win_path "$file")
    for i in 1 2 3 4 5 6 7 8 9 10; do
        start_copy "c$i" wine "$(exe "")" --name "$NAME-$i" --file "$wfile" --quiet
    done
    for i in 1 2 3 4 5 6 7 8 9 10; do wait_for_line "c$i" '^joined ' 60; done
    run bash -c "cat '$BATS_TEST_TMPDIR'/c*.out | tr -d '\r' | sed -n 's/^joined pid=[0-9]* instances=//p' | sort -n | xargs"
    assert_output "1 2 3 4 5 6 7 8 9 10"
    winrun "$(exe -clang)" --peek --name "$NAME-other" --file "$wfile"
    assert_output "instances=10"
    for i in 1 2 3 4 5 6 7 8 9 10; do kill -INT "$(pid_of "c$i")"; done
    for i in 1 2 3 4 5 6 7 8 9 10; do assert_exit "c$i" 0; done
    run od -An -tx1 "$file"
    assert_output --regexp "53 48 4d 43 01 00 00 00 10 00 00 00 00 00 00 00"
}

# The check compares files, not names: a hard link is the same file.
@test "02: --file when the name exists backed by the same file under another name (a hard link): welcome" {
    local a=$BATS_TEST_TMPDIR/a.bin link=$BATS_TEST_TMPDIR/link.bin
    start_copy holder wine "$(exe "")" --name "$NAME" --file "$(win_path "$a")" --quiet
    wait_for_line holder '^joined pid=[0-9]+ instances=1$' 60
    ln "$a" "$link"
    winrun "$(exe -clang)" --name "$NAME" --file "$(win_path "$link")" --hold 0
    assert_success
    assert_line --regexp '^joined pid=[0-9]+ instances=2$'
    winrun "$(exe "")" --peek --name "$NAME" --file "$(win_path "$link")"
    assert_output "instances=1"
    kill -INT "$(pid_of holder)"
    assert_exit holder 0
}

@test "02: --file when the name exists backed by the paging file: refused, nothing made" {
    local b=$BATS_TEST_TMPDIR/b.bin wb why
    wb=$(win_path "$b")
    start_copy holder wine "$(exe "")" --name "$NAME" --quiet
    wait_for_line holder '^joined pid=[0-9]+ instances=1$' 60
    why="the mapping Local\\$NAME already exists, backed by the paging file, not by $wb: an existing name wins over --file. It was left untouched"
    winrun "$(exe -clang)" --name "$NAME" --file "$wb" --hold 0
    assert_equal "$status" 1
    assert_output "02-file-mapping-clang.exe: $why"
    [ ! -e "$b" ]
    winrun "$(exe "")" --peek --name "$NAME" --file "$wb"
    assert_equal "$status" 1
    assert_output "02-file-mapping.exe: $why"
    winrun "$(exe "")" --peek --name "$NAME"
    assert_output "instances=1"
    kill -INT "$(pid_of holder)"
    assert_exit holder 0
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

@test "02: --help says who may create a Global\\ name, and what Local\\ is per" {
    winrun "$(exe "")" --help
    assert_success
    assert_output --partial "Local\\NAME is seen in this session only"
    assert_output --partial "SeCreateGlobalPrivilege, which by default only"
    assert_output --partial "the file, not the name, is what copies share"
    assert_output --partial "start /b ... <nul"
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

@test "02: the header comment's one-line commands build the demo, each into a file of its own" {
    local src=$REPO/windows/02-file-mapping/file_mapping.c lines=() file
    run bash -c "sed -n 's/^ \*   .*\(-o \|\/Fe\)\([^ ]*\) .*$/\2/p' '$src' | sort | uniq -d"
    assert_output ""
    mapfile -t lines < <(sed -n 's/^ \*   \(\(x86_64-w64-mingw32-gcc\|clang\) .*\)$/\1/p' "$src")
    [ "${#lines[@]}" -eq 2 ]
    build_from_header windows/02-file-mapping "${lines[@]}"
    for file in 02-file-mapping.exe 02-file-mapping-clang.exe; do
        winrun "$BUILT/$file" --peek --name "$NAME"
        assert_output "instances=0"
    done
}

# ----------------------------------------------------- Ctrl+C in a console ----
# These need a terminal, so Wine gives the programs a console: tmux.

# tmux_run COMMAND: run COMMAND (a bash command line) in a terminal of this
# test's own; the terminal stays open after it ends.
tmux_run() {
    command -v tmux >/dev/null || skip "tmux is not installed"
    TMUX_SOCKET=shm-$NAME
    # bash itself, not tmux's default shell ($SHELL, else the passwd shell,
    # else /bin/sh); -f /dev/null: no tmux.conf of the user's.
    env -u TMUX tmux -f /dev/null -L "$TMUX_SOCKET" new-session -d -s test -x 250 -y 50 \
        bash -c "export WINEPREFIX=$(printf %q "$WINEPREFIX") WINEDEBUG=-all; $1; sleep 600" 3>&-
}

# wait_for_pane REGEX [SECONDS]: until the terminal shows a matching line.
wait_for_pane() {
    local deadline=$((SECONDS + ${2:-30}))
    until tmux -L "$TMUX_SOCKET" capture-pane -p -J -t test | grep -Eq "$1"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "timed out waiting for /$1/ in the terminal:" >&2
            tmux -L "$TMUX_SOCKET" capture-pane -p -J -t test >&2
            return 1
        fi
        sleep 0.1
    done
}

# As start /b does on Windows, the tool ignores Ctrl+C, which its child
# inherits, and then sends Ctrl+C once a second. A copy that did not turn
# Ctrl+C back on would sit out its whole 60 s hold.
ctrl_c_reaches_a_copy_started_ignoring_it() {
    tmux_run "wine $(printf %q "$TOOL") --ctrl-c-ignored $(printf %q "$(exe "$1")") --name $NAME --hold 60; echo status=\$?"
    wait_for_pane '^joined pid=[0-9]+ instances=1$' 60
    wait_for_pane '^left pid=[0-9]+ instances=0$' 20
    wait_for_pane '^status=0$' 10
}

@test "02 gcc: a copy that inherits 'ignore Ctrl+C' turns it back on, and leaves on Ctrl+C" {
    ctrl_c_reaches_a_copy_started_ignoring_it ""
}
@test "02 clang: a copy that inherits 'ignore Ctrl+C' turns it back on, and leaves on Ctrl+C" {
    ctrl_c_reaches_a_copy_started_ignoring_it -clang
}
