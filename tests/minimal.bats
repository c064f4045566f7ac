#!/usr/bin/env bats
# The minimal versions (minimal.c in the folders of demos 01, 02 and 03):
# they count exactly, leave on Ctrl+C, build from their header line alone,
# stay short, and fail exactly where their pages say they fail.
#
# The 03 program has one fixed key and the 02 program one fixed name, with
# no option to change them (the fixed identity is part of the lesson). So
# the tests in this file never run at the same time, a test refuses to start
# when a segment already sits under the key, and teardown removes whatever
# a test left under it, even when the test fails. The 01 tests run private
# copies of the EXE, each with a section of its own.

load helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

setup_file() {
    # One fixed key, one fixed name: no two tests of this file may overlap.
    export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}

setup() {
    PROG=$BIN_DIR/03-sysv-shm-minimal
    HARDENED=$BIN_DIR/03-sysv-shm
    MIN_KEY=$(sed -n 's/^#define KEY \(0x[0-9a-f]*\) .*/\1/p' "$REPO/linux/03-sysv-shm/minimal.c")
    MIN_NAME=$(sed -n 's/^#define NAME L"Local\\\\\([^"]*\)"$/\1/p' "$REPO/windows/02-file-mapping/minimal.c")
    OWN_KEY=""
    WINE_CHILDREN=()
}

teardown() {
    local child
    # Windows programs that a launcher started are not this shell's children:
    # end each one that is still running (and still that program) by its pid.
    for child in "${WINE_CHILDREN[@]}"; do
        [ "$(ps -o args= -p "${child%%:*}" | awk '{ print $1 }')" != "${child#*:}" ] || kill -KILL "${child%%:*}"
    done
    cleanup_copies
    # Only a key this test took: a segment that was there before is not ours.
    if [ -n "$OWN_KEY" ]; then ipcrm -M "$MIN_KEY" 2>/dev/null || true; fi
}

# take_fixed_key: the 03 tests start here. The key is free, or the test stops.
take_fixed_key() {
    [ -x "$PROG" ] || fail "build it first: make minimal"
    [[ $MIN_KEY =~ ^0x[0-9a-f]{8}$ ]] || fail "no '#define KEY 0x...' found in minimal.c"
    if segment_exists "$MIN_KEY"; then
        fail "a segment under $MIN_KEY is there already (a copy of 03-sysv-shm-minimal running, or one killed earlier); stop it, or remove it with: ipcrm -M $MIN_KEY"
    fi
    OWN_KEY=yes
}

# The kernel's view of the segment under the key: "perms bytes nattch".
segment_view() {
    ipcs -m | awk -v k="$MIN_KEY" '$1 == k { print $4, $5, $6 }'
}

# wait_for_lines NAME N: until NAME.out has N complete lines.
wait_for_lines() {
    local deadline=$((SECONDS + 30))
    until [ "$(output_of "$1" | wc -l)" -ge "$2" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $2 lines from $1: $(output_of "$1")"
        sleep 0.02
    done
}

# scratch_copy FOLDER: copy one demo folder, and nothing else of the
# repository, to a scratch place; print where.
scratch_copy() {
    local dir=$BATS_TEST_TMPDIR/scratch
    mkdir -p "$dir"
    cp -r "$REPO/$1" "$dir/"
    echo "$dir/$(basename "$1")"
}

# build_line DIR LINE: run one build line exactly as written, then again
# with every warning on; neither may print anything.
build_line() {
    [ -n "$2" ] || fail "no build line found in the header comment"
    run bash -c "cd '$1' && $2 2>&1"
    assert_success
    assert_output ""
    run bash -c "cd '$1' && $2 -Wall -Wextra -Wpedantic 2>&1"
    assert_success
    assert_output "" # not even a warning
}

# header_line FILE REGEX: the header comment's build line starting with REGEX.
header_line() {
    sed -n "s/^ \*   \($2 .*\)\$/\1/p" "$1"
}

MINIMAL_SOURCES=(linux/03-sysv-shm/minimal.c windows/01-data-seg/minimal.c windows/02-file-mapping/minimal.c)

# ------------------------------------------------------------ every file ----

@test "minimal: each file has at most 80 lines after its header, all in one excerpt, and includes nothing of common/" {
    local file n
    for file in "${MINIMAL_SOURCES[@]}"; do
        # Every line after the one that closes the first comment, blank ones too.
        n=$(awk 'header_done { n++ } !header_done && /\*\// { header_done = 1 } END { print n + 0 }' "$REPO/$file")
        [ "$n" -le 80 ] || fail "$file has $n lines after its header comment; at most 80"
        run awk 'header_done && !first { first = $0 } !header_done && /\*\// { header_done = 1 } END { print first; print $0 }' "$REPO/$file"
        assert_line --index 0 "/* excerpt: minimal */"
        assert_line --index 1 "/* end excerpt */"
        run grep -n '#include "' "$REPO/$file"
        assert_output ""
    done
}

# calls_in_order FILE CALL...: every CALL( appears in main only, first
# occurrences in the order given (the order the page explains them).
calls_in_order() {
    local file=$REPO/$1 main previous=0 call first
    shift
    main=$(grep -n '^int main(' "$file" | cut -d: -f1)
    [ -n "$main" ] || fail "$file has no main"
    for call in "$@"; do
        first=$(awk -v from="$main" -v c="$call" 'NR > from && index($0, c) { print NR; exit }' "$file")
        [ -n "$first" ] || fail "$file: no $call in main"
        [ "$first" -gt "$previous" ] || fail "$file: $call (line $first) comes before the call it should follow"
        previous=$first
        run awk -v to="$main" -v c="$call" 'NR < to && index($0, c) && !/^ \*/ { print NR ": " $0 }' "$file"
        assert_output "" # not in a helper function either
    done
}

@test "minimal: the technique's calls are all in main, in the order the pages explain them" {
    calls_in_order linux/03-sysv-shm/minimal.c "shmget(" "shmat(" "atomic_fetch_add(" "atomic_load(" \
        "atomic_fetch_sub(" "shmctl(id, IPC_RMID" "shmdt("
    calls_in_order windows/01-data-seg/minimal.c "InterlockedIncrement(" "InterlockedDecrement("
    calls_in_order windows/02-file-mapping/minimal.c "CreateFileMappingW(" "MapViewOfFile(" \
        "InterlockedIncrement(" "InterlockedDecrement(" "UnmapViewOfFile(" "CloseHandle(mapping)"
}

# ---------------------------------------------------------- 03, Linux ----

@test "03 minimal: 1 copy counts 1 in a 4-byte segment of mode 0600; SIGINT leaves at 0 and removes it" {
    take_fixed_key
    start_copy one "$PROG"
    wait_for_line one '^joined pid=[0-9]+ instances=1$'
    run segment_view
    assert_output "600 4 1"
    kill -INT "$(pid_of one)"
    assert_exit one 0
    run output_of one
    assert_output --regexp "^joined pid=$(pid_of one) instances=1
left pid=$(pid_of one) instances=0\$"
    run segment_exists "$MIN_KEY"
    assert_failure
}

@test "03 minimal: 3 copies started at once count 1, 2 and 3; SIGINT and SIGTERM take them back to 0" {
    take_fixed_key
    local i
    for i in 1 2 3; do start_copy "c$i" "$PROG"; done
    for i in 1 2 3; do wait_for_line "c$i" '^joined '; done
    # No lost update: the join lines name 1, 2 and 3, once each.
    run bash -c "cat '$BATS_TEST_TMPDIR'/c*.out | sed -n 's/^joined pid=[0-9]* instances=//p' | sort -n | xargs"
    assert_output "1 2 3"
    run segment_view
    assert_output "600 4 3"
    kill -INT "$(pid_of c1)"
    assert_exit c1 0
    kill -TERM "$(pid_of c2)"
    assert_exit c2 0
    kill -INT "$(pid_of c3)"
    assert_exit c3 0
    for i in 1 2 3; do
        run output_of "c$i"
        assert_line --regexp "^left pid=$(pid_of "c$i") instances=$((3 - i))\$"
    done
    run segment_exists "$MIN_KEY"
    assert_failure
}

@test "03 minimal: the live loop prints a now line for each change" {
    take_fixed_key
    start_copy a "$PROG"
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    start_copy b "$PROG"
    wait_for_line b '^joined pid=[0-9]+ instances=2$'
    wait_for_line a '^now instances=2$'
    kill -INT "$(pid_of b)"
    assert_exit b 0
    wait_for_line a '^now instances=1$'
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_output --regexp '^joined pid=[0-9]+ instances=1
now instances=2
now instances=1
left pid=[0-9]+ instances=0$'
    run output_of b
    assert_output --regexp '^joined pid=[0-9]+ instances=2
left pid=[0-9]+ instances=1$'
}

@test "03 minimal: any argument exits 2 with a usage line on stderr and creates nothing" {
    take_fixed_key
    local arg
    for arg in --peek --key --hold=1 x; do
        run --separate-stderr "$PROG" "$arg"
        assert_equal "$status" 2
        assert_output ""
        # shellcheck disable=SC2154 # run --separate-stderr sets stderr
        assert_equal "$stderr" "usage: $PROG (no options; Ctrl+C or kill -INT leaves)"
        run segment_exists "$MIN_KEY"
        assert_failure
    done
}

@test "03 minimal fails: a copy killed with SIGKILL leaves its 1 in the segment for good" {
    take_fixed_key
    start_copy a "$PROG"
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    start_copy killed "$PROG"
    wait_for_line killed '^joined pid=[0-9]+ instances=2$'
    kill -KILL "$(pid_of killed)"
    assert_exit killed 137
    run segment_view
    assert_output "600 4 1" # the kernel detached it; the count still has it
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --regexp '^left pid=[0-9]+ instances=1$' # not the last, so no removal
    run segment_view
    assert_output "600 4 0" # nobody attached, and still there
    start_copy later "$PROG"
    wait_for_line later '^joined pid=[0-9]+ instances=2$' # alone, but counted as 2
    kill -INT "$(pid_of later)"
    assert_exit later 0
    run output_of later
    assert_line --regexp '^left pid=[0-9]+ instances=1$'
    run segment_view
    assert_output "600 4 0"
}

@test "03 minimal fails: SIGHUP, as when its terminal closes, ends a copy without leaving" {
    take_fixed_key
    start_copy a "$PROG"
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    start_copy hup "$PROG"
    wait_for_line hup '^joined pid=[0-9]+ instances=2$'
    kill -HUP "$(pid_of hup)"
    assert_exit hup 129 # killed by the signal: no handler for it
    run output_of hup
    refute_line --partial 'left '
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --regexp '^left pid=[0-9]+ instances=1$'
    run segment_view
    assert_output "600 4 0"
}

@test "03 minimal fails: with its output piped to head -n 1, SIGPIPE ends a copy at its next line without leaving" {
    take_fixed_key
    # head ends after the join line; the copy's next line then meets a
    # closed pipe, and SIGPIPE, left at its default, ends the copy (141).
    start_copy piped bash -c "'$PROG' | head -n 1; exit \${PIPESTATUS[0]}"
    wait_for_line piped '^joined pid=[0-9]+ instances=1$'
    start_copy b "$PROG"
    wait_for_line b '^joined pid=[0-9]+ instances=2$' # the piped copy's next line: now instances=2
    assert_exit piped 141
    run output_of piped
    refute_line --partial 'left '
    kill -INT "$(pid_of b)"
    assert_exit b 0
    run output_of b
    assert_line --regexp '^left pid=[0-9]+ instances=1$' # the piped copy's 1 stays
    run segment_view
    assert_output "600 4 0"
}

# hold_rmid: build a library that, preloaded into a copy, holds that copy's
# shmctl(IPC_RMID) until the file $BATS_TEST_TMPDIR/go exists. It makes the
# moment between the last copy's decrement and its removal last as long as
# the test needs; the race is there without it, only too short to hit at will.
hold_rmid() {
    cat >"$BATS_TEST_TMPDIR/hold_rmid.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

int shmctl(int id, int cmd, struct shmid_ds *buf)
{
    int (*real)(int, int, struct shmid_ds *) = (int (*)(int, int, struct shmid_ds *))dlsym(RTLD_NEXT, "shmctl");
    const char *until = getenv("HOLD_RMID_UNTIL");
    if (cmd == IPC_RMID && until != NULL) {
        struct timespec tick = { 0, 10000000L };
        if (write(2, "hold-rmid: holding IPC_RMID\n", 28) < 0)
            return -1;
        while (access(until, F_OK) != 0)
            nanosleep(&tick, NULL);
    }
    return real(id, cmd, buf);
}
EOF
    cc -shared -fPIC -o "$BATS_TEST_TMPDIR/hold_rmid.so" "$BATS_TEST_TMPDIR/hold_rmid.c"
}

@test "03 minimal fails: split brain, a copy joining as the last one leaves counts alone in a removed segment" {
    take_fixed_key
    hold_rmid
    # ASAN_OPTIONS: a sanitizer build refuses a library preloaded before its own.
    start_copy last env ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD="$BATS_TEST_TMPDIR/hold_rmid.so" HOLD_RMID_UNTIL="$BATS_TEST_TMPDIR/go" "$PROG"
    wait_for_line last '^joined pid=[0-9]+ instances=1$'
    local old
    old=$(ipcs -m | awk -v k="$MIN_KEY" '$1 == k { print $2 }')
    kill -INT "$(pid_of last)"
    # The last copy has taken the count to 0 and is about to remove the segment.
    timeout 10 bash -c "until grep -q '^hold-rmid: holding' '$BATS_TEST_TMPDIR/last.err'; do sleep 0.02; done"
    start_copy newcomer "$PROG"
    wait_for_line newcomer '^joined pid=[0-9]+ instances=1$' # in the old segment
    touch "$BATS_TEST_TMPDIR/go"
    assert_exit last 0
    run output_of last
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
    # The key is free again, though the newcomer still counts in the old segment...
    run segment_exists "$MIN_KEY"
    assert_failure
    run bash -c "ipcs -m | awk '\$2 == $old { print \$1, \$6, \$7 }'"
    assert_output "0x00000000 1 dest"
    # ...so the next copy makes a new one: two copies, each counting itself alone.
    start_copy later "$PROG"
    wait_for_line later '^joined pid=[0-9]+ instances=1$'
    sleep 0.3 # three polls: the newcomer would have seen a change by now
    run output_of newcomer
    refute_line --partial 'now '
    kill -INT "$(pid_of newcomer)" "$(pid_of later)"
    assert_exit newcomer 0
    assert_exit later 0
    run cat "$BATS_TEST_TMPDIR/newcomer.out" "$BATS_TEST_TMPDIR/later.out"
    assert_equal "$(grep -c '^left pid=[0-9]* instances=0$' <<<"$output")" 2
    run segment_exists "$MIN_KEY"
    assert_failure
}

@test "03 minimal fails: it counts blindly in a foreign segment under its key; sysv_shm.c refuses the minimal's" {
    take_fixed_key
    [ -x "$HARDENED" ] || fail "build the hardened demo first: make"
    # sysv_shm.c's segment starts with its magic number, "SHMC" (0x434d4853).
    start_copy hardened "$HARDENED" --key "$MIN_KEY" --quiet
    wait_for_line hardened '^joined pid=[0-9]+ instances=1$'
    start_copy minimal "$PROG"
    wait_for_line minimal '^joined '
    run output_of minimal
    assert_output --regexp "^joined pid=[0-9]+ instances=$((0x434d4853 + 1))\$"
    run "$HARDENED" --peek --key "$MIN_KEY"
    assert_equal "$status" 1
    assert_output --partial "is not one of our counters: wrong magic 0x434d4854"
    kill -INT "$(pid_of minimal)"
    assert_exit minimal 0
    kill -INT "$(pid_of hardened)"
    assert_exit hardened 0
    run segment_exists "$MIN_KEY"
    assert_failure
    # The other way round, the hardened demo checks first and touches nothing.
    start_copy minimal2 "$PROG"
    wait_for_line minimal2 '^joined pid=[0-9]+ instances=1$'
    run "$HARDENED" --key "$MIN_KEY" --hold 0
    assert_equal "$status" 1
    assert_output --partial "is not one of our counters: it is 4 bytes, smaller than the 16 the counter needs"
    kill -INT "$(pid_of minimal2)"
    assert_exit minimal2 0
    run output_of minimal2
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
}

@test "03 minimal: the header comment's one-line command builds it alone, with no warning, with gcc and clang too" {
    take_fixed_key
    local dir line
    dir=$(scratch_copy linux/03-sysv-shm)
    line=$(header_line "$dir/minimal.c" cc)
    assert_equal "$line" "cc -std=c11 minimal.c -o 03-sysv-shm-minimal"
    build_line "$dir" "$line"
    build_line "$dir" "gcc${line#cc}"
    build_line "$dir" "clang${line#cc}"
    start_copy built "$dir/03-sysv-shm-minimal"
    wait_for_line built '^joined pid=[0-9]+ instances=1$'
    kill -INT "$(pid_of built)"
    assert_exit built 0
    run output_of built
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
}

# ------------------------------------------------------ 01 and 02, Wine ----

# three_then_one EXE: three copies join one after another (1, 2, 3), and
# the first prints each change; Ctrl+C makes them leave, last first (2, 1,
# 0). Then one more copy, with --hold 0, counts 1 and leaves 0.
three_then_one() {
    local exe=$1 i
    for i in 1 2 3; do
        start_copy "c$i" wine "$exe"
        wait_for_line "c$i" "^joined pid=[0-9]+ instances=$i\$" 60
        wait_for_lines c1 "$i" # the first copy has seen this one join
    done
    for i in 3 2; do
        kill -INT "$(pid_of "c$i")"
        assert_exit "c$i" 0
        run output_of "c$i"
        assert_line --regexp "^left pid=[0-9]+ instances=$((i - 1))\$"
        wait_for_lines c1 $((7 - i))
    done
    kill -INT "$(pid_of c1)"
    assert_exit c1 0
    run output_of c1
    assert_output --regexp '^joined pid=[0-9]+ instances=1
now instances=2
now instances=3
now instances=2
now instances=1
left pid=[0-9]+ instances=0$'
    winrun "$exe" --hold 0
    assert_success
    assert_output --regexp '^joined pid=[0-9]+ instances=1
left pid=[0-9]+ instances=0$'
}

# killed_copy_stays EXE: a copy ended by force keeps its 1 while another
# runs; once every copy has gone, the count starts again from 0.
killed_copy_stays() {
    local exe=$1
    start_copy a wine "$exe"
    wait_for_line a '^joined pid=[0-9]+ instances=1$' 60
    start_copy killed wine "$exe"
    wait_for_line killed '^joined pid=[0-9]+ instances=2$' 60
    wait_for_line a '^now instances=2$'
    kill -KILL "$(pid_of killed)" # TerminateProcess, as taskkill /f and Task Manager's End process do
    assert_exit killed 137
    sleep 0.3 # three polls: the count does not go down
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_output --regexp '^joined pid=[0-9]+ instances=1
now instances=2
left pid=[0-9]+ instances=1$'
    winrun "$exe" --hold 0
    assert_output --regexp '^joined pid=[0-9]+ instances=1
left pid=[0-9]+ instances=0$'
}

# bad_arguments EXE: exit 2 and a usage line for an option it does not have.
bad_arguments() {
    local exe=$1
    winrun "$exe" --peek # the hardened demo's option; the minimal has none of them
    assert_equal "$status" 2
    assert_output --regexp '^usage: .*minimal\.exe \[--hold SECONDS\]$'
}

@test "01 minimal gcc: 3 copies count 1 to 3, Ctrl+C takes them to 0; then 1 copy counts 1 and 0" {
    need_wine
    three_then_one "$(private_copy 01-data-seg-minimal.exe)/01-data-seg-minimal.exe"
}

@test "01 minimal clang: 3 copies count 1 to 3, Ctrl+C takes them to 0; then 1 copy counts 1 and 0" {
    need_wine
    three_then_one "$(private_copy 01-data-seg-minimal-clang.exe)/01-data-seg-minimal-clang.exe"
}

@test "01 minimal: the .shared section is marked SHARED in both builds" {
    need_wine
    local file
    for file in 01-data-seg-minimal.exe 01-data-seg-minimal-clang.exe; do
        run bash -c "x86_64-w64-mingw32-objdump -h '$WIN_DIR/$file' | awk '\$2 == \".shared\" { getline; print; exit }' | xargs"
        assert_output "CONTENTS, ALLOC, LOAD, DATA, SHARED"
    done
}

@test "01 minimal fails: a killed copy's 1 stays while another runs, until every copy has gone" {
    need_wine
    killed_copy_stays "$(private_copy 01-data-seg-minimal.exe)/01-data-seg-minimal.exe"
}

# launch_with_ctrl_c_ignored NAME DIR EXE: start DIR/EXE the way start /b
# does on Windows, with Ctrl+C ignored (here: in a new process group), from
# a launcher built for the test; the launcher's output is NAME.out. Sets
# CHILD to the Linux pid of EXE itself, the process a Ctrl+C must reach.
launch_with_ctrl_c_ignored() {
    local name=$1 dir=$2 exe=$3 i
    if [ ! -f "$dir/launch.exe" ]; then
        cat >"$dir/launch.c" <<'EOF'
#include <windows.h>

int main(int argc, char **argv)
{
    STARTUPINFOA si = { sizeof si };
    PROCESS_INFORMATION pi;
    DWORD code = 1;
    if (argc != 2 || !CreateProcessA(NULL, argv[1], NULL, NULL, TRUE, CREATE_NEW_PROCESS_GROUP,
                                     NULL, NULL, &si, &pi))
        return 1;
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    return (int)code;
}
EOF
        x86_64-w64-mingw32-gcc -o "$dir/launch.exe" "$dir/launch.c"
    fi
    start_copy "$name" wine "$dir/launch.exe" "$exe"
    wait_for_line "$name" '^joined pid=[0-9]+ instances=1$' 60
    for ((i = 0; i < 50; i++)); do
        CHILD=$(ps -eo pid=,args= | awk -v e="$exe" '$2 == e { print $1 }')
        [ -z "$CHILD" ] || break
        sleep 0.1
    done
    [[ $CHILD =~ ^[0-9]+$ ]] || fail "cannot find the process of $exe: '$CHILD'"
    WINE_CHILDREN+=("$CHILD:$exe")
}

@test "01 and 02 minimal: started with Ctrl+C ignored, as start /b starts them, they still leave on Ctrl+C" {
    need_wine
    local dir=$BATS_TEST_TMPDIR/ignored program
    mkdir -p "$dir"
    # With SetConsoleCtrlHandler(NULL, FALSE), the minimal programs leave...
    for program in 01-data-seg-minimal 02-file-mapping-minimal; do
        cp "$WIN_DIR/$program.exe" "$dir/$program-$$.exe"
        launch_with_ctrl_c_ignored "$program" "$dir" "$program-$$.exe"
        kill -INT "$CHILD"
        assert_exit "$program" 0
        run output_of "$program"
        assert_output --regexp '^joined pid=[0-9]+ instances=1
left pid=[0-9]+ instances=0$'
    done
    # ...and without it, the same program ignores Ctrl+C.
    sed 's/ || !SetConsoleCtrlHandler(NULL, FALSE)//' "$REPO/windows/01-data-seg/minimal.c" >"$dir/without.c"
    run grep -c 'SetConsoleCtrlHandler(NULL' "$dir/without.c"
    assert_output "1" # only the comment is left
    x86_64-w64-mingw32-gcc -std=c11 -o "$dir/without-$$.exe" "$dir/without.c"
    launch_with_ctrl_c_ignored without "$dir" "without-$$.exe"
    kill -INT "$CHILD"
    sleep 1 # ten polls
    kill -0 "$CHILD" || fail "the copy without SetConsoleCtrlHandler(NULL, FALSE) obeyed Ctrl+C"
    run output_of without
    refute_line --partial 'left '
    kill -KILL "$CHILD"
}

@test "01 minimal: a bad command line exits 2 with a usage line" {
    need_wine
    bad_arguments "$WIN_DIR/01-data-seg-minimal.exe"
}

@test "01 minimal: the header comment's MinGW and clang lines build it alone, with no warning" {
    need_wine
    local dir file
    dir=$(scratch_copy windows/01-data-seg)
    build_line "$dir" "$(header_line "$dir/minimal.c" x86_64-w64-mingw32-gcc)"
    build_line "$dir" "$(header_line "$dir/minimal.c" clang)"
    for file in 01-data-seg-minimal.exe 01-data-seg-minimal-clang.exe; do
        run bash -c "x86_64-w64-mingw32-objdump -h '$dir/$file' | awk '\$2 == \".shared\" { getline; print; exit }' | xargs"
        assert_output "CONTENTS, ALLOC, LOAD, DATA, SHARED"
        winrun "$dir/$file" --hold 0
        assert_success
        assert_output --regexp '^joined pid=[0-9]+ instances=1
left pid=[0-9]+ instances=0$'
    done
}

@test "02 minimal gcc: 3 copies count 1 to 3, Ctrl+C takes them to 0; then 1 copy counts 1 and 0" {
    need_wine
    three_then_one "$WIN_DIR/02-file-mapping-minimal.exe"
}

@test "02 minimal clang: 3 copies count 1 to 3, Ctrl+C takes them to 0; then 1 copy counts 1 and 0" {
    need_wine
    three_then_one "$WIN_DIR/02-file-mapping-minimal-clang.exe"
}

@test "02 minimal fails: a killed copy's 1 stays while another runs, until the last handle closes" {
    need_wine
    killed_copy_stays "$WIN_DIR/02-file-mapping-minimal.exe"
}

@test "02 minimal fails: it counts blindly in a foreign mapping under its name; file_mapping.c refuses the minimal's" {
    need_wine
    local exe=$WIN_DIR/02-file-mapping-minimal.exe hardened=$WIN_DIR/02-file-mapping.exe
    [ -f "$hardened" ] || fail "build the hardened demo first: make windows"
    [ -n "$MIN_NAME" ] || fail "no '#define NAME L\"Local\\\\...\"' found in minimal.c"
    # file_mapping.c's mapping starts with its magic number, "SHMC" (0x434d4853).
    start_copy hardened wine "$hardened" --name "$MIN_NAME" --quiet
    wait_for_line hardened '^joined pid=[0-9]+ instances=1$' 60
    winrun "$exe" --hold 0
    assert_success
    assert_output --regexp "^joined pid=[0-9]+ instances=$((0x434d4853 + 1))
left pid=[0-9]+ instances=$((0x434d4853))\$"
    kill -INT "$(pid_of hardened)"
    assert_exit hardened 0
    # The other way round, the hardened demo checks first and touches nothing.
    start_copy minimal wine "$exe"
    wait_for_line minimal '^joined pid=[0-9]+ instances=1$' 60
    winrun "$hardened" --name "$MIN_NAME" --hold 0
    assert_equal "$status" 1
    assert_output --partial "the mapping Local\\$MIN_NAME is not one of our counters: wrong magic 0x00000001"
    kill -INT "$(pid_of minimal)"
    assert_exit minimal 0
    run output_of minimal
    assert_output --regexp '^joined pid=[0-9]+ instances=1
left pid=[0-9]+ instances=0$'
}

@test "02 minimal: a bad command line exits 2 with a usage line" {
    need_wine
    bad_arguments "$WIN_DIR/02-file-mapping-minimal.exe"
}

@test "02 minimal: the header comment's MinGW and clang lines build it alone, with no warning; the builds count together" {
    need_wine
    local dir
    dir=$(scratch_copy windows/02-file-mapping)
    build_line "$dir" "$(header_line "$dir/minimal.c" x86_64-w64-mingw32-gcc)"
    build_line "$dir" "$(header_line "$dir/minimal.c" clang)"
    # The name, not the file, is the identity: the two builds count together.
    start_copy gcc wine "$dir/02-file-mapping-minimal.exe"
    wait_for_line gcc '^joined pid=[0-9]+ instances=1$' 60
    winrun "$dir/02-file-mapping-minimal-clang.exe" --hold 0
    assert_success
    assert_output --regexp '^joined pid=[0-9]+ instances=2
left pid=[0-9]+ instances=1$'
    kill -INT "$(pid_of gcc)"
    assert_exit gcc 0
}
