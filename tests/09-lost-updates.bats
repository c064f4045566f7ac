#!/usr/bin/env bats
# Demo 09, lost updates: plain loses them, the four fixes lose none, on
# Linux and under Wine; bad command lines; no worker left running after
# Ctrl+C, a killed worker or a killed parent; no semaphore set left behind;
# the minimal versions; and the page's assembly, measurement and chart.

load helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

setup() {
    PROG=$BIN_DIR/09-lost-updates
    MINIMAL=$BIN_DIR/09-lost-updates-minimal
    FOUND_WORKERS=() # Linux workers a test found, for teardown
    PRIVATE_DIR=""   # a test's own copy of the Windows programs, for teardown
}

teardown() {
    local pid
    cleanup_copies
    # A worker of ours that is still running: end it (the pid is checked to
    # still be one of our programs, not a newcomer that reused the number).
    for pid in "${FOUND_WORKERS[@]}"; do
        if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q '09-lost-updates'; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    if [ -n "$PRIVATE_DIR" ]; then
        for pid in $(wine_workers "$PRIVATE_DIR"); do kill -KILL "$pid" 2>/dev/null || true; done
    fi
}

need_program() {
    [ -x "$1" ] || fail "build it first: make (it is $1)"
}

# The CPUs this shell may use, as the program counts them (nproc also obeys
# OMP_NUM_THREADS: not here).
cpus() {
    env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc
}

need_two_cpus() {
    [ "$(cpus)" -ge 2 ] || skip "this machine gives the tests $(cpus) CPU: there, plain loses an update only when a worker is preempted between its load and its store, so a loss is likely but not certain"
}

# How long plain runs in the tests that want it to lose. The brief said
# 2000000; on this suite's shared 2-CPU machine, with another process busy
# on one CPU, 3 runs in 10 lost nothing at 2000000 (the two workers ran one
# after the other, within one time slice each), and none in 55 did at
# 20000000 (about 20 ms). If it is ever flaky, raise it further.
PLAIN_LOOPS=20000000

# The line a method prints, with the numbers that must hold.
line_regexp() { # METHOD WORKERS LOOPS EXPECTED GOT-REGEXP LOST-REGEXP
    echo "^method=$1 workers=$2 loops=$3 expected=$4 got=$5 lost=$6 seconds=[0-9]+\.[0-9]{6} ops_per_s=[0-9]+\$"
}

# -------------------------------------------- System V semaphore sets ----
# The semaphore set is the one object the Linux program makes that would
# outlive it. A run goes through ipc-wrapper.sh, which prints a line
# "left: semaphore set ID" for each set that appeared during the run and is
# still there at its end (and removes it, so that a failing test cleans up).
# As root, the wrapper runs in an IPC namespace of its own (unshare --ipc):
# then ipcs shows this run's sets alone, whatever else runs on the machine,
# and the namespace takes anything left with it.
make_ipc_wrapper() {
    cat >"$BATS_TEST_TMPDIR/ipc-wrapper.sh" <<'EOF'
pid_file=$1
shift
before=" $(ipcs -s | awk '/^0x/ { printf "%s ", $2 }')"
"$@" &
echo $! >"$pid_file"
wait $!
status=$?
for id in $(ipcs -s | awk -v before="$before" '/^0x/ && !index(before, " " $2 " ") { print $2 }'); do
    echo "left: semaphore set $id"
    ipcrm -s "$id" 2>/dev/null
done
exit $status
EOF
    IPC=(bash "$BATS_TEST_TMPDIR/ipc-wrapper.sh")
    if unshare --ipc true 2>/dev/null; then IPC=(unshare --ipc -- "${IPC[@]}"); fi
}

# start_wrapped NAME ARGS...: start the program through the wrapper, in
# the background; REAL_PID is the program's own pid.
start_wrapped() {
    local name=$1 i
    shift
    make_ipc_wrapper
    start_copy "$name" "${IPC[@]}" "$BATS_TEST_TMPDIR/$name.realpid" "$PROG" "$@"
    for ((i = 0; i < 100; i++)); do
        [ -s "$BATS_TEST_TMPDIR/$name.realpid" ] && break
        sleep 0.05
    done
    REAL_PID=$(cat "$BATS_TEST_TMPDIR/$name.realpid")
}

# linux_workers_of PID N: wait until PID has N children; they go into
# FOUND_WORKERS and WORKER_LIST.
linux_workers_of() {
    local deadline=$((SECONDS + 20))
    until [ "$(pgrep -c -P "$1")" -eq "$2" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "pid $1 did not start $2 workers: $(pgrep -P "$1" | xargs)"
        sleep 0.02
    done
    mapfile -t WORKER_LIST < <(pgrep -P "$1")
    FOUND_WORKERS+=("${WORKER_LIST[@]}")
    sleep 0.2 # past the start line
}

# all_gone PID...: every one has ended (a zombie whose parent is init has
# ended too: it only waits to be reaped).
all_gone() {
    local pid state deadline=$((SECONDS + 10))
    for pid in "$@"; do
        while state=$(ps -o stat= -p "$pid" 2>/dev/null) && [[ $state != Z* ]]; do
            [ "$SECONDS" -lt "$deadline" ] || fail "worker $pid is still running: $(ps -o pid,stat,args -p "$pid")"
            sleep 0.05
        done
    done
}

# ------------------------------------------------------------ Linux ----

@test "09: atomic, lock, semaphore and batched lose nothing: 4 workers, 200000 loops; no semaphore set is left" {
    need_program "$PROG"
    make_ipc_wrapper
    run "${IPC[@]}" /dev/null "$PROG" --workers 4 --loops 200000 \
        --method atomic --method lock --method semaphore --method batched
    assert_success
    assert_equal "${#lines[@]}" 4
    local i method
    i=0
    for method in atomic lock semaphore batched; do
        assert_line --index "$i" --regexp "$(line_regexp "$method" 4 200000 800000 800000 0)"
        i=$((i + 1))
    done
    refute_line --partial "left: semaphore set"
}

# A process stopped while it waits in semop finds, once continued, that the
# wait failed with EINTR, even with no signal handler (man 7 signal). The
# workers wait again; before they did, this run failed within three stops.
@test "09: workers stopped and continued (as Ctrl+Z and fg do) while they wait in semop lose nothing and fail nothing" {
    need_program "$PROG"
    local stops=0 i all
    start_wrapped run --workers 4 --loops 200000 --method semaphore
    FOUND_WORKERS+=("$REAL_PID") # teardown ends it if the test fails
    linux_workers_of "$REAL_PID" 4
    for ((i = 0; i < 10; i++)); do
        # Continued always: a worker that has ended fails both kills, and
        # the others must not stay stopped.
        all=1
        kill -STOP "${WORKER_LIST[@]}" 2>/dev/null || all=0
        sleep 0.02
        kill -CONT "${WORKER_LIST[@]}" 2>/dev/null || all=0
        [ "$all" = 1 ] || break
        stops=$((stops + 1))
        sleep 0.05
    done
    assert_exit run 0
    [ "$stops" -ge 3 ] || fail "the run ended after $stops stops: make it longer"
    run output_of run
    assert_output --regexp "$(line_regexp semaphore 4 200000 800000 800000 0)"
    refute_line --partial "left: semaphore set"
    run cat "$BATS_TEST_TMPDIR/run.err"
    assert_output ""
}

@test "09: plain loses updates with 2 workers on 2 or more CPUs, and the exit status stays 0" {
    need_program "$PROG"
    need_two_cpus
    run --separate-stderr "$PROG" --workers 2 --loops "$PLAIN_LOOPS" --method plain
    assert_success
    assert_output --regexp "$(line_regexp plain 2 "$PLAIN_LOOPS" $((2 * PLAIN_LOOPS)) '[0-9]+' '[0-9]+')"
    local got lost
    got=$(sed -n 's/.* got=\([0-9]*\) .*/\1/p' <<<"$output")
    lost=$(sed -n 's/.* lost=\([0-9]*\) .*/\1/p' <<<"$output")
    [ "$lost" -gt 0 ] || fail "plain lost nothing: $output"
    assert_equal "$((got + lost))" $((2 * PLAIN_LOOPS))
    # shellcheck disable=SC2154 # run --separate-stderr sets stderr
    assert_equal "$stderr" ""
}

@test "09: with 1 worker, or on 1 CPU, plain says why it may lose nothing" {
    need_program "$PROG"
    run --separate-stderr "$PROG" --workers 1 --loops 100000 --method plain
    assert_success
    assert_output --regexp "$(line_regexp plain 1 100000 100000 100000 0)"
    assert_equal "$stderr" "note: method=plain with 1 worker: no other process can store between its load and its store, so it loses nothing"
    local cpu
    cpu=$(taskset -pc $$ | sed 's/.*: //; s/[-,].*//')
    run --separate-stderr taskset -c "$cpu" "$PROG" --loops 100000 --method plain
    assert_success
    assert_output --regexp "$(line_regexp plain 2 100000 200000 '[0-9]+' '[0-9]+')"
    assert_equal "$stderr" "note: method=plain on 1 CPU: the workers take turns, and an update is lost only when a worker is preempted between its load and its store (then all that the others added meanwhile is lost)"
}

@test "09: by default, one worker per CPU (at least 2), every method in order" {
    need_program "$PROG"
    local n
    n=$(cpus)
    [ "$n" -ge 2 ] || n=2
    [ "$n" -le 64 ] || n=64
    run --separate-stderr "$PROG" --loops 1000
    assert_success
    assert_equal "${#lines[@]}" 5
    local i method
    i=0
    for method in plain atomic lock semaphore batched; do
        assert_line --index "$i" --regexp "^method=$method workers=$n loops=1000 expected=$((n * 1000)) "
        i=$((i + 1))
    done
}

@test "09: --csv prints a header, then the same fields as CSV; --method may repeat" {
    need_program "$PROG"
    run --separate-stderr "$PROG" --csv --workers 3 --loops 1000 --method atomic --method batched --method atomic
    assert_success
    assert_equal "${#lines[@]}" 4
    assert_line --index 0 "method,workers,loops,expected,got,lost,seconds,ops_per_s"
    assert_line --index 1 --regexp '^atomic,3,1000,3000,3000,0,[0-9]+\.[0-9]{6},[0-9]+$'
    assert_line --index 2 --regexp '^batched,3,1000,3000,3000,0,[0-9]+\.[0-9]{6},[0-9]+$'
    assert_line --index 3 --regexp '^atomic,3,1000,3000,3000,0,[0-9]+\.[0-9]{6},[0-9]+$'
}

@test "09: every bad command line exits 2, names the argument, prints the usage, and runs nothing" {
    need_program "$PROG"
    local args expect seventeen
    seventeen=$(printf -- '--method atomic %.0s' {1..17})
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        run --separate-stderr "$PROG" $args
        assert_equal "$status" 2
        assert_output "" # nothing ran, nothing was printed
        assert_equal "$(sed -n 1p <<<"$stderr")" "09-lost-updates: $expect"
        assert_equal "$(sed -n 2p <<<"$stderr")" "usage: 09-lost-updates [--workers N] [--loops M] [--method METHOD]... [--csv]"
        assert_equal "$(sed -n '$p' <<<"$stderr")" "Try '09-lost-updates --help' for more."
    done <<EOF
--workers 0|--workers: '0' is not a whole number from 1 to 64
--workers 65|--workers: '65' is not a whole number from 1 to 64
--workers two|--workers: 'two' is not a whole number from 1 to 64
--workers -2|--workers: '-2' is not a whole number from 1 to 64
--workers=|--workers: '' is not a whole number from 1 to 64
--workers|option '--workers' needs a value
--loops 0|--loops: '0' is not a whole number from 1 to 1000000000
--loops 1000000001|--loops: '1000000001' is not a whole number from 1 to 1000000000
--loops 1e6|--loops: '1e6' is not a whole number from 1 to 1000000000
--method fast|--method: 'fast' is not a method: plain, atomic, lock, semaphore or batched
--method=Atomic|--method: 'Atomic' is not a method: plain, atomic, lock, semaphore or batched
--workers 2 --method|option '--method' needs a value
$seventeen|--method: at most 16 of them
--bogus|unknown option '--bogus'
--csv=yes|unknown option '--csv=yes'
stray|unexpected argument 'stray'
EOF
}

@test "09: --help prints the usage, the methods and the exit status, and exits 0" {
    need_program "$PROG"
    run "$PROG" --help
    assert_success
    assert_line --index 1 "usage: 09-lost-updates [--workers N] [--loops M] [--method METHOD]... [--csv]"
    assert_output --partial "plain, atomic, lock, semaphore or batched"
    assert_output --partial "Exit status: 0 when every method but plain lost nothing, 1 when one lost an"
}

@test "09: SIGINT to the parent stops every worker, removes the semaphore set, and ends by SIGINT (130)" {
    need_program "$PROG"
    start_wrapped run --workers 3 --loops 1000000000 --method semaphore
    linux_workers_of "$REAL_PID" 3
    kill -INT "$REAL_PID"
    assert_exit run 130
    all_gone "${WORKER_LIST[@]}"
    run output_of run
    assert_output "" # no result line, and no set left
    run cat "$BATS_TEST_TMPDIR/run.err"
    assert_output "09-lost-updates: stopped by signal 2 (Interrupt) during method=semaphore; no worker is left running"
}

@test "09: Ctrl+C at a terminal (SIGINT to the whole process group) ends parent and workers, 130" {
    need_program "$PROG"
    # setsid: a process group of its own, as a shell gives each job.
    start_copy run setsid "$PROG" --workers 3 --loops 1000000000 --method lock
    linux_workers_of "$(pid_of run)" 3
    kill -INT -- "-$(pid_of run)"
    assert_exit run 130
    all_gone "${WORKER_LIST[@]}"
    run cat "$BATS_TEST_TMPDIR/run.err"
    assert_output "09-lost-updates: stopped by signal 2 (Interrupt) during method=lock; no worker is left running"
}

@test "09: a worker killed with SIGKILL: the parent says so, stops the others, removes the set, exits 1" {
    need_program "$PROG"
    start_wrapped run --workers 4 --loops 1000000000 --method semaphore
    linux_workers_of "$REAL_PID" 4
    local victim=${WORKER_LIST[2]}
    kill -KILL "$victim"
    assert_exit run 1
    all_gone "${WORKER_LIST[@]}"
    run output_of run
    assert_output ""
    run cat "$BATS_TEST_TMPDIR/run.err"
    assert_output --regexp "^09-lost-updates: worker [1-4] of 4 \(pid $victim\) was killed by signal 9 \(Killed\) during method=semaphore: the run is void; stopping the other workers\$"
}

@test "09: a parent killed with SIGKILL takes its workers with it (PR_SET_PDEATHSIG)" {
    need_program "$PROG"
    start_copy run "$PROG" --workers 3 --loops 1000000000 --method lock
    linux_workers_of "$(pid_of run)" 3
    kill -KILL "$(pid_of run)"
    assert_exit run 137
    all_gone "${WORKER_LIST[@]}"
}

@test "09: the header comment's one-line command builds it with no warning" {
    build_from_header linux/09-lost-updates \
        "$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/09-lost-updates/lost_updates.c")"
    run "$BUILT/09-lost-updates" --workers 2 --loops 1000 --method atomic
    assert_success
    assert_output --regexp "$(line_regexp atomic 2 1000 2000 2000 0)"
}

# ---------------------------------------------------- Linux, minimal ----

# Every line after the one that closes the first comment, blank ones too.
lines_after_header() {
    awk 'done { n++ } !done && /\*\// { done = 1 } END { print n + 0 }' "$1"
}

@test "09 minimal: at most 80 lines after the header, all in one excerpt, nothing from common/" {
    local file n
    for file in linux/09-lost-updates/minimal.c windows/09-lost-updates/minimal.c; do
        n=$(lines_after_header "$REPO/$file")
        [ "$n" -le 80 ] || fail "$file has $n lines after its header comment; at most 80"
        run awk 'done && !first { first = $0 } !done && /\*\// { done = 1 } END { print first; print $0 }' "$REPO/$file"
        assert_line --index 0 "/* excerpt: minimal */"
        assert_line --index 1 "/* end excerpt */"
        run grep -n '#include "' "$REPO/$file"
        assert_output ""
    done
}

@test "09 minimal: two processes lose updates (2 or more CPUs)" {
    need_program "$MINIMAL"
    need_two_cpus
    run --separate-stderr "$MINIMAL"
    assert_success
    assert_output --regexp '^expected=100000000 got=[0-9]+ lost=[0-9]+$'
    local lost=${output##*lost=}
    [ "$lost" -gt 0 ] || fail "the minimal version lost nothing: $output"
    run --separate-stderr "$MINIMAL" --loops 5
    assert_equal "$status" 2
    assert_equal "$stderr" "usage: $MINIMAL (no options)"
}

@test "09 minimal: the header comment's build line builds it with no warning, even at -Wall -Wextra -Wpedantic" {
    local line
    line=$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/09-lost-updates/minimal.c")
    assert_equal "$line" "cc -std=c11 minimal.c -o 09-lost-updates-minimal"
    build_from_header linux/09-lost-updates "$line" "$line -Wall -Wextra -Wpedantic"
    [ -x "$BUILT/09-lost-updates-minimal" ]
}

# ------------------------------------------------------ Windows, Wine ----

# wine_workers DIR: the pids of the running Windows workers started from a
# program in DIR (Wine shows a worker's Windows command line as its args).
wine_workers() {
    local name
    name=$(basename "$1")
    # Fields: pid, state, the program, its first argument. (Matching the whole
    # line would find this awk too: its own arguments hold the same words.)
    ps -ww -eo pid=,stat=,args= | awk -v n="$name" '$2 !~ /^Z/ && index($3, n) && $4 == "--worker" { print $1 }'
}

# wait_wine_workers DIR N: until N workers run.
wait_wine_workers() {
    local deadline=$((SECONDS + 60))
    until [ "$(wine_workers "$1" | wc -l)" -eq "$2" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "no $2 workers from $1: $(wine_workers "$1" | xargs)"
        sleep 0.05
    done
    mapfile -t WORKER_LIST < <(wine_workers "$1")
    sleep 0.2 # past the start line
}

# Wine 8 takes each wait and release of a mutex or semaphore to the
# wineserver process: about 27 microseconds here with 4 workers, where
# Linux takes 0.1 to 2. 200000 loops would take 22 s per method; 10000 take
# about 1 s and still make 40000 locked increments by 4 processes.
WINE_LOCK_LOOPS=10000

windows_fixes() { # EXE
    winrun "$1" --workers 4 --loops 200000 --method atomic --method batched
    assert_success
    assert_line --index 0 --regexp "$(line_regexp atomic 4 200000 800000 800000 0)"
    assert_line --index 1 --regexp "$(line_regexp batched 4 200000 800000 800000 0)"
    assert_equal "${#lines[@]}" 2
    winrun "$1" --workers 4 --loops "$WINE_LOCK_LOOPS" --method lock --method semaphore
    assert_success
    local e=$((4 * WINE_LOCK_LOOPS))
    assert_line --index 0 --regexp "$(line_regexp lock 4 "$WINE_LOCK_LOOPS" "$e" "$e" 0)"
    assert_line --index 1 --regexp "$(line_regexp semaphore 4 "$WINE_LOCK_LOOPS" "$e" "$e" 0)"
    assert_equal "${#lines[@]}" 2
}

@test "09 Windows gcc: atomic, lock, semaphore and batched lose nothing (4 workers)" {
    need_wine
    windows_fixes "$WIN_DIR/09-lost-updates.exe"
}

@test "09 Windows clang: atomic, lock, semaphore and batched lose nothing (4 workers)" {
    need_wine
    windows_fixes "$WIN_DIR/09-lost-updates-clang.exe"
}

@test "09 Windows: plain loses updates with 2 workers on 2 or more CPUs" {
    need_wine
    need_two_cpus
    winrun "$WIN_DIR/09-lost-updates.exe" --workers 2 --loops "$PLAIN_LOOPS" --method plain
    assert_success
    assert_output --regexp "$(line_regexp plain 2 "$PLAIN_LOOPS" $((2 * PLAIN_LOOPS)) '[0-9]+' '[1-9][0-9]*')"
}

@test "09 Windows: a bad command line exits 2 and names the argument" {
    need_wine
    local args expect
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        winrun "$WIN_DIR/09-lost-updates.exe" $args
        assert_equal "$status" 2
        assert_line --index 0 "09-lost-updates.exe: $expect"
        assert_line --index 1 "usage: 09-lost-updates.exe [--workers N] [--loops M] [--method METHOD]... [--csv]"
    done <<'EOF'
--workers 65|--workers: '65' is not a whole number from 1 to 64
--method fast|--method: 'fast' is not a method: plain, atomic, lock, semaphore or batched
--loops|option '--loops' needs a value
EOF
}

@test "09 Windows: Ctrl+C stops every worker; the exit code is STATUS_CONTROL_C_EXIT" {
    need_wine
    PRIVATE_DIR=$(private_copy 09-lost-updates.exe)
    start_copy run wine "$PRIVATE_DIR/09-lost-updates.exe" --workers 3 --loops 1000000000 --method lock
    wait_wine_workers "$PRIVATE_DIR" 3
    kill -INT "$(pid_of run)" # Wine turns SIGINT into a Ctrl+C event
    # 0xC000013A; a Unix exit status keeps its low 8 bits, 0x3A.
    assert_exit run 58
    all_gone "${WORKER_LIST[@]}"
    run bash -c "tr -d '\r' <'$BATS_TEST_TMPDIR/run.err'"
    assert_output "09-lost-updates.exe: stopped by Ctrl+C during method=lock; no worker is left running"
}

@test "09 Windows: a worker killed from outside: the parent notices, ends the others, exits 1" {
    need_wine
    PRIVATE_DIR=$(private_copy 09-lost-updates.exe)
    start_copy run wine "$PRIVATE_DIR/09-lost-updates.exe" --workers 3 --loops 1000000000 --method semaphore
    wait_wine_workers "$PRIVATE_DIR" 3
    kill -KILL "${WORKER_LIST[1]}"
    assert_exit run 1
    all_gone "${WORKER_LIST[@]}"
    run bash -c "tr -d '\r' <'$BATS_TEST_TMPDIR/run.err'"
    # Wine reports exit code 0 for a process that SIGKILL ended: the parent
    # knows better, because the worker never wrote its finishing time.
    assert_output --regexp '^09-lost-updates.exe: worker [1-3] of 3 \(pid [0-9]+\) ended with exit code [0-9]+ before it had finished method=semaphore: the run is void; stopping the other workers$'
}

@test "09 Windows: a parent killed from outside takes its workers with it (job object)" {
    need_wine
    PRIVATE_DIR=$(private_copy 09-lost-updates.exe)
    start_copy run wine "$PRIVATE_DIR/09-lost-updates.exe" --workers 3 --loops 1000000000 --method lock
    wait_wine_workers "$PRIVATE_DIR" 3
    kill -KILL "$(pid_of run)" # as TerminateProcess would: no code of ours runs
    assert_exit run 137
    all_gone "${WORKER_LIST[@]}"
}

@test "09 Windows: the header comment's MinGW and clang lines build it with no warning" {
    need_wine
    local file=$REPO/windows/09-lost-updates/lost_updates.c
    build_from_header windows/09-lost-updates \
        "$(sed -n 's/^ \*   \(x86_64-w64-mingw32-gcc .*\)$/\1/p' "$file")" \
        "$(sed -n 's/^ \*   \(clang .*\)$/\1/p' "$file")"
    winrun "$BUILT/09-lost-updates-clang.exe" --workers 2 --loops 1000 --method atomic
    assert_success
    assert_output --regexp "$(line_regexp atomic 2 1000 2000 2000 0)"
}

@test "09 Windows minimal: two processes lose updates (2 or more CPUs)" {
    need_wine
    need_two_cpus
    winrun "$WIN_DIR/09-lost-updates-minimal.exe"
    assert_success
    assert_output --regexp '^expected=100000000 got=[0-9]+ lost=[1-9][0-9]*$'
    winrun "$WIN_DIR/09-lost-updates-minimal.exe" --loops 5
    assert_equal "$status" 2
    assert_output --regexp '^usage: .*09-lost-updates-minimal\.exe \(no options\)$'
}

@test "09 Windows minimal: the header comment's MinGW and clang lines build it with no warning, even at -Wall -Wextra -Wpedantic" {
    need_wine
    local file=$REPO/windows/09-lost-updates/minimal.c gcc_line clang_line
    gcc_line=$(sed -n 's/^ \*   \(x86_64-w64-mingw32-gcc .*\)$/\1/p' "$file")
    clang_line=$(sed -n 's/^ \*   \(clang .*\)$/\1/p' "$file")
    build_from_header windows/09-lost-updates "$gcc_line" "$clang_line" \
        "$gcc_line -Wall -Wextra -Wpedantic" "$clang_line -Wall -Wextra -Wpedantic"
    winrun "$BUILT/09-lost-updates-minimal-clang.exe"
    assert_success
    assert_output --regexp '^expected=100000000 got=[0-9]+ lost=[0-9]+$'
}

# ------------------------------------------------------------- the page ----
PAGE_FILE=docs/09-lost-updates.md
DATA_FILE=docs/data/09-lost-updates.csv
CHART_FILE=docs/images/09-lost-updates.svg

# page_block: the lines of the fenced block in the page that is marked as
# tested by this very test, as they are written (tests/docs.bats has the
# same helper for its own marks, and accepts a block whose test calls it).
page_block() {
    awk -v me="tests/09-lost-updates.bats \"$BATS_TEST_DESCRIPTION\"" '
        /^<!-- tested: / && index($0, me) { marked = 1; next }
        marked && !on && /^```/ { on = 1; next }
        on && /^```/ { exit }
        on { print; found = 1 }
        END { exit !found }' "$REPO/$PAGE_FILE"
}

# asm_of COMPILER: the assembly COMPILER -O2 makes of loops.c, without
# directives and comments, one space between fields, as the page shows it.
asm_of() {
    "$1" -std=c11 -O2 -S -o - "$REPO/linux/09-lost-updates/loops.c" | awk '
        /^[ \t]*\./ && !/^\.L[A-Za-z0-9_]+:/ { next }
        /^\.LF[BE][0-9]+:/ || /^[ \t]*#/ || /^\.Lfunc_end/ { next }
        { sub(/[ \t]*#.*/, "") }
        /^\t/ { $1 = $1; print "    " $0; next }
        { print }'
}

# csv_table CSV: the Markdown table that the page shows for the CSV.
csv_table() {
    LC_ALL=C awk -F, '
        function group(n,    s, out) {
            s = sprintf("%.0f", n); out = ""
            while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
            return s out
        }
        function ratio(r) { return sprintf(r >= 10 ? "%.0f" : r >= 1 ? "%.1f" : "%.2g", r) " ×" }
        /^#/ || $1 == "method" { next }
        { n++; method[n] = $1; lost[n] = $6; expected[n] = $4; seconds[n] = $7; rate[n] = $8; if ($1 == "atomic") atomic = $8 }
        END {
            printf "| method | lost, of %s | seconds | increments per second | compared with atomic |\n", group(expected[1])
            print "|--------|---:|---:|---:|---:|"
            for (i = 1; i <= n; i++)
                printf "| %s | %s | %s | %s | %s |\n", method[i], group(lost[i]), seconds[i], group(rate[i]),
                    atomic ? ratio(rate[i] / atomic) : "no atomic run"
        }' "$1"
}

@test "docs: the assembly on the page is what gcc -O2 makes of loops.c" {
    run page_block
    assert_success
    local page=$output
    run asm_of gcc
    assert_success
    assert_output "$page"
}

@test "docs: clang's volatile loop on the page is what clang -O2 makes" {
    run page_block
    assert_success
    local page=$output
    asm_of clang >"$BATS_TEST_TMPDIR/clang.s"
    run sed -n '/^\.LBB1_3:/,/jne .LBB1_3/p' "$BATS_TEST_TMPDIR/clang.s"
    assert_output "$page"
}

@test "docs: the page's measured run is docs/data/09-lost-updates.csv" {
    run page_block
    assert_success
    local command
    command=$(sed -n 's/^# command: //p' "$REPO/$DATA_FILE")
    [ -n "$command" ] || fail "$DATA_FILE has no '# command: ' line"
    assert_output "\$ $command
$(grep -v '^#' "$REPO/$DATA_FILE")"
}

@test "docs: the table of ops/s on the page is computed from docs/data/09-lost-updates.csv" {
    run awk '/^<!-- table: docs\/data\/09-lost-updates.csv -->$/ { on = 1; getline; next } on && /^$/ { exit } on { print }' "$REPO/$PAGE_FILE"
    assert_success
    local page=$output
    run csv_table "$REPO/$DATA_FILE"
    assert_output "$page"
}

@test "docs: scripts/chart.sh draws the committed CSV into exactly the committed chart" {
    cd "$REPO"
    run scripts/chart.sh "$DATA_FILE" "$BATS_TEST_TMPDIR/chart.svg"
    assert_success
    assert_output "chart.sh: updated $BATS_TEST_TMPDIR/chart.svg"
    run cmp "$BATS_TEST_TMPDIR/chart.svg" "$REPO/$CHART_FILE"
    assert_success
    run xmllint --noout "$REPO/$CHART_FILE"
    assert_success
    # Unchanged, it is left alone, and nothing is said.
    run scripts/chart.sh "$DATA_FILE" "$BATS_TEST_TMPDIR/chart.svg"
    assert_success
    assert_output ""
}

@test "chart.sh: -h prints the usage; a bad command line exits 2; a CSV not of demo 09 exits 1 and says why" {
    local chart=$REPO/scripts/chart.sh
    run "$chart" -h
    assert_success
    assert_output "usage: scripts/chart.sh CSV SVG"
    run "$chart" only-one
    assert_equal "$status" 2
    assert_output "usage: scripts/chart.sh CSV SVG"
    printf 'a,b\n1,2\n' >"$BATS_TEST_TMPDIR/other.csv"
    run "$chart" "$BATS_TEST_TMPDIR/other.csv" "$BATS_TEST_TMPDIR/out.svg"
    assert_equal "$status" 1
    assert_output "chart.sh: $BATS_TEST_TMPDIR/other.csv: the first line after the notes is not the header of 09-lost-updates --csv"
    [ ! -e "$BATS_TEST_TMPDIR/out.svg" ]
    printf '# a note\nmethod,workers,loops,expected,got,lost,seconds,ops_per_s\nplain,2,10,20,x\n' >"$BATS_TEST_TMPDIR/short.csv"
    run "$chart" "$BATS_TEST_TMPDIR/short.csv" "$BATS_TEST_TMPDIR/out.svg"
    assert_equal "$status" 1
    assert_output "chart.sh: $BATS_TEST_TMPDIR/short.csv: line 3 is not a result line: plain,2,10,20,x"
    [ ! -e "$BATS_TEST_TMPDIR/out.svg" ]
}
