#!/usr/bin/env bats
# Demo 10, the IPC benchmark: --quick runs every method and writes a CSV
# that parses; --only; bad command lines; one CPU; Ctrl+C or a killed child
# leaves no child and no IPC object; the minimal version; make bench's
# script and the page's chart and tables, drawn from the committed CSV.
# One timing assertion only: shm-spin's p50 is below pipe's (by orders of
# magnitude on every machine we know).

load helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

LATENCY=(baseline-threads shm-spin shm-futex pipe unix-socket tcp-loopback sysv-msg posix-mq eventfd)
THROUGHPUT=(memcpy shm-ring pipe unix-socket)

# One --quick run for the whole file (a few seconds): its table, progress
# and CSV are shared by the tests that only read them.
setup_file() {
    local status=0
    if [ -x "$BIN_DIR/10-ipc-bench" ]; then
        "$BIN_DIR/10-ipc-bench" --quick --csv "$BATS_FILE_TMPDIR/quick.csv" \
            >"$BATS_FILE_TMPDIR/quick.out" 2>"$BATS_FILE_TMPDIR/quick.err" </dev/null || status=$?
        echo "$status" >"$BATS_FILE_TMPDIR/quick.status"
    fi
}

setup() {
    PROG=$BIN_DIR/10-ipc-bench
    MINIMAL=$BIN_DIR/10-ipc-bench-minimal
    QUICK=$BATS_FILE_TMPDIR
    FOUND_CHILDREN=() # children a test found, for teardown
}

teardown() {
    local pid
    cleanup_copies
    # A child of ours still running: end it (the pid must still be our
    # program's, not a newcomer's that reused the number).
    for pid in "${FOUND_CHILDREN[@]}"; do
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q '10-ipc-bench'; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}

need_program() {
    [ -x "$1" ] || fail "build it first: make (it is $1)"
}

need_quick_run() {
    need_program "$PROG"
    [ -f "$QUICK/quick.status" ] || fail "setup_file did not run the program"
}

# The CSV's rows without its header: "kind,method,...".
csv_rows() {
    grep -v -e '^#' -e '^kind,' "$1"
}

# csv_field CSV KIND METHOD COLUMN: one number of the CSV.
csv_field() {
    awk -F, -v k="$2" -v m="$3" -v c="$4" '$1 == k && $2 == m { print $c }' "$1"
}

@test "10: --quick runs every method, prints every row and the four goals, and exits 0" {
    need_quick_run
    assert_equal "$(cat "$QUICK/quick.status")" 0
    run cat "$QUICK/quick.out"
    local method
    assert_line --index 0 --regexp '^Latency: round trip of one 8-byte word, parent on CPU [0-9]+, child on CPU [0-9]+$'
    for method in "${LATENCY[@]}"; do
        assert_line --regexp "^$method +([0-9]+ +){3}[0-9.e-]+ +[0-9.e-]+ +300 +[0-9]+\$|^$method +skipped: .+\$"
    done
    assert_line --regexp '^Throughput: 64 MiB in 64 KiB chunks, child on CPU [0-9]+ to parent on CPU [0-9]+, every byte checked$'
    for method in "${THROUGHPUT[@]}"; do
        assert_line --regexp "^$method +[0-9]+\.[0-9]{2} +([0-9.]+ +){3}[0-9.e-]+ +[0-9.e-]+ +960\$"
    done
    assert_line "Goals (ratios within this run):"
    run grep -cE '^  (PASS|MISS)  ' "$QUICK/quick.out"
    assert_output 4
    # Progress on standard error, one line per method (not a terminal).
    run grep -c '^10-ipc-bench: [0-9]*/13 ' "$QUICK/quick.err"
    assert_output 13
}

@test "10: the CSV has the header and a parseable row per method; every number is positive" {
    need_quick_run
    run sed -n 1p "$QUICK/quick.csv"
    assert_output "kind,method,p50_ns,p99_ns,max_ns,gib_per_s,samples,cpus"
    run csv_rows "$QUICK/quick.csv"
    assert_equal "${#lines[@]}" 13
    local i=0 method
    for method in "${LATENCY[@]}"; do
        # A skipped method (posix-mq without the mqueue file system) keeps
        # its row, with the numbers empty and 0 samples.
        assert_line --index $i --regexp "^latency,$method,([1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*,,300|,,,,0),[0-9]+\+[0-9]+\$"
        i=$((i + 1))
    done
    for method in "${THROUGHPUT[@]}"; do
        assert_line --index $i --regexp "^throughput,$method,[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*,[0-9]+\.[0-9]{3},960,[0-9]+(\+[0-9]+)?\$"
        i=$((i + 1))
    done
    # GiB/s has three decimals: positive means not 0.000.
    run awk -F, '$1 == "throughput" && $6 + 0 <= 0' "$QUICK/quick.csv"
    assert_output ""
}

@test "10: the table shows the CSV's numbers" {
    need_quick_run
    local method p50
    for method in "${LATENCY[@]}"; do
        p50=$(csv_field "$QUICK/quick.csv" latency "$method" 3)
        [ -n "$p50" ] || continue # skipped
        run grep -E "^$method +$p50 " "$QUICK/quick.out"
        assert_success
    done
    # GiB/s: the CSV keeps three decimals, the table two, both rounded from
    # the same number, so they may differ by one in the table's last digit
    # (10.9449 is 10.945 in the CSV, but 10.94 in the table).
    local csv_gib table_gib
    csv_gib=$(csv_field "$QUICK/quick.csv" throughput shm-ring 6)
    table_gib=$(awk '$1 == "shm-ring" && $2 ~ /^[0-9]+\.[0-9][0-9]$/ { print $2 }' "$QUICK/quick.out")
    [ -n "$table_gib" ] || fail "no shm-ring throughput row in the table"
    awk -v a="$csv_gib" -v b="$table_gib" 'BEGIN { d = a - b; exit !(d <= 0.0051 && d >= -0.0051) }' ||
        fail "shm-ring: the table says $table_gib GiB/s, the CSV $csv_gib"
}

@test "10: shm-spin p50 < pipe p50 (the only timing assertion)" {
    need_quick_run
    # On one CPU a spinning side waits for the scheduler, and pipe wins.
    [ "$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)" -ge 2 ] ||
        skip "this machine gives the tests one CPU: there a spinning side waits for the scheduler"
    local spin pipe
    spin=$(csv_field "$QUICK/quick.csv" latency shm-spin 3)
    pipe=$(csv_field "$QUICK/quick.csv" latency pipe 3)
    [ "$spin" -lt "$pipe" ] || fail "shm-spin p50 $spin ns is not below pipe p50 $pipe ns"
}

@test "10: --only pipe,shm-spin runs just those (pipe is a latency and a throughput method)" {
    need_program "$PROG"
    run --separate-stderr "$PROG" --quick --only pipe,shm-spin --csv "$BATS_TEST_TMPDIR/only.csv"
    assert_success
    run csv_rows "$BATS_TEST_TMPDIR/only.csv"
    assert_equal "${#lines[@]}" 3
    assert_line --index 0 --regexp '^latency,shm-spin,'
    assert_line --index 1 --regexp '^latency,pipe,'
    assert_line --index 2 --regexp '^throughput,pipe,'
    run --separate-stderr "$PROG" --quick --only=shm-spin
    assert_success
    assert_line --regexp '^shm-spin +[0-9]+ '
    refute_line --regexp '^(pipe|baseline-threads|memcpy) '
    refute_line --partial 'Throughput'
    assert_line --regexp '^  n/a   shm-spin p50 <= 2 x baseline-threads p50 +\(not measured in this run\)$'
    # shellcheck disable=SC2154 # run --separate-stderr sets stderr
    assert_equal "$stderr" "10-ipc-bench: 1/1 latency shm-spin"
}

@test "10: every bad command line exits 2, names the argument, prints the usage, and runs nothing" {
    need_program "$PROG"
    local args expect allowed
    allowed=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/$$/status) # the kernel's list format, as the program's
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        run --separate-stderr "$PROG" $args --csv "$BATS_TEST_TMPDIR/never.csv"
        assert_equal "$status" 2
        assert_output ""
        assert_equal "$(sed -n 1p <<<"$stderr")" "10-ipc-bench: $expect"
        assert_equal "$(sed -n 2p <<<"$stderr")" "usage: 10-ipc-bench [--quick] [--only NAME[,NAME...]] [--csv FILE] [--cpus A,B]"
        assert_equal "$(sed -n '$p' <<<"$stderr")" "Try '10-ipc-bench --help' for more."
        [ ! -e "$BATS_TEST_TMPDIR/never.csv" ] || fail "$args made the CSV"
    done <<EOF
--only fast|--only: 'fast' is not a method: baseline-threads, shm-spin, shm-futex, pipe, unix-socket, tcp-loopback, sysv-msg, posix-mq, eventfd, memcpy or shm-ring
--only pipe,,shm-spin|--only: '' is not a method: baseline-threads, shm-spin, shm-futex, pipe, unix-socket, tcp-loopback, sysv-msg, posix-mq, eventfd, memcpy or shm-ring
--only=Pipe|--only: 'Pipe' is not a method: baseline-threads, shm-spin, shm-futex, pipe, unix-socket, tcp-loopback, sysv-msg, posix-mq, eventfd, memcpy or shm-ring
--cpus 0|--cpus: '0' is not two CPU numbers A,B
--cpus 0,1,2|--cpus: '0,1,2' is not two CPU numbers A,B
--cpus a,1|--cpus: 'a,1' is not two CPU numbers A,B
--cpus -1,0|--cpus: '-1,0' is not two CPU numbers A,B
--cpus 0,1023|--cpus: CPU 1023 is not one this process may use (allowed: $allowed)
--cpus 0,1024|--cpus: '0,1024' is not two CPU numbers A,B
--quick=yes|unknown option '--quick=yes'
-q|unknown option '-q'
stray|unexpected argument 'stray'
--csv=|--csv: the file name is empty
EOF
    # A missing value: the option is the last argument.
    for args in --only --cpus --csv; do
        run --separate-stderr "$PROG" --quick "$args"
        assert_equal "$status" 2
        assert_equal "$(sed -n 1p <<<"$stderr")" "10-ipc-bench: option '$args' needs a value"
    done
}

@test "10: --help names every method and the exit status, and exits 0" {
    need_program "$PROG"
    run "$PROG" --help
    assert_success
    assert_line --index 2 "usage: 10-ipc-bench [--quick] [--only NAME[,NAME...]] [--csv FILE] [--cpus A,B]"
    local method
    for method in "${LATENCY[@]}" memcpy shm-ring; do
        assert_line --regexp "^  $method +[a-z]"
    done
    assert_output --partial "Exit status: 0 done (a MISSed goal is a finding, not an error), 1 a call"
}

@test "10: --csv FILE that cannot be made: exit 1, the call and the file named, nothing run" {
    need_program "$PROG"
    run --separate-stderr "$PROG" --quick --csv "$BATS_TEST_TMPDIR/no/such/folder.csv"
    assert_equal "$status" 1
    assert_output ""
    assert_equal "$stderr" "10-ipc-bench: fopen($BATS_TEST_TMPDIR/no/such/folder.csv): ENOENT (No such file or directory)"
}

@test "10: on one CPU it says pinning across CPUs is impossible, and still runs" {
    need_program "$PROG"
    local cpu
    cpu=$(taskset -pc $$ | sed 's/.*: //; s/[-,].*//')
    run --separate-stderr taskset -c "$cpu" "$PROG" --quick --only shm-spin,sysv-msg,shm-ring
    assert_success
    assert_line --index 0 "Latency: round trip of one 8-byte word, parent on CPU $cpu, child on CPU $cpu"
    assert_line --regexp '^shm-spin +[0-9]+ '
    assert_line --regexp '^sysv-msg +[0-9]+ '
    assert_line --regexp '^shm-ring +[0-9]+\.[0-9]{2} '
    assert_equal "$(sed -n 1p <<<"$stderr")" "note: both sides on CPU $cpu: pinning across two CPUs is impossible (this process may use one CPU); the figures show scheduler round trips (a spinning side yields the CPU after 4000 pauses)"
}

# ------------------------------------------- interrupted, or a dead child ----
# A run goes through ipc-wrapper.sh, which starts the program in a process
# group of its own (setsid, as a shell starts a job), waits for it, and then
# prints "left: ..." for each IPC object that appeared during the run and is
# still there (and removes it, so that a failing test cleans up): System V
# message queues and segments (ipcs -q, ipcs -m), POSIX queues (in a mqueue
# file system mounted for the run), and files in /dev/shm whose name is the
# program's. As root it runs in IPC and mount namespaces of its own (unshare):
# then ipcs and the mqueue file system show this run's objects alone,
# whatever else runs on the machine. /dev/shm is not in a namespace: only
# names with "ipc-bench" in them count, so other people's files do not.
make_ipc_wrapper() {
    cat >"$BATS_TEST_TMPDIR/ipc-wrapper.sh" <<'EOF'
pid_file=$1 mq_dir=$2
shift 2
mkdir -p "$mq_dir"
mount -t mqueue none "$mq_dir" 2>/dev/null || mq_dir=""
ids() { ipcs "$1" | awk '/^0x/ { print $2 }' | sort; }
shm_names() { ls -A /dev/shm | grep 'ipc-bench' | sort; }
queues_before=$(ids -q) segments_before=$(ids -m) shm_before=$(shm_names)
mq_before=$([ -z "$mq_dir" ] || ls -A "$mq_dir")
setsid "$@" &
echo $! >"$pid_file"
wait $!
status=$?
for id in $(comm -13 <(echo "$queues_before") <(ids -q)); do echo "left: message queue $id"; ipcrm -q "$id"; done
for id in $(comm -13 <(echo "$segments_before") <(ids -m)); do echo "left: segment $id"; ipcrm -m "$id"; done
for name in $(comm -13 <(echo "$shm_before") <(shm_names)); do echo "left: /dev/shm/$name"; rm -f "/dev/shm/$name"; done
if [ -n "$mq_dir" ]; then
    for name in $(comm -13 <(echo "$mq_before") <(ls -A "$mq_dir")); do echo "left: POSIX queue /$name"; rm -f "$mq_dir/$name"; done
    umount "$mq_dir"
fi
exit $status
EOF
    IPC=(bash "$BATS_TEST_TMPDIR/ipc-wrapper.sh")
    if unshare --ipc --mount true 2>/dev/null; then IPC=(unshare --ipc --mount -- "${IPC[@]}"); fi
}

# start_wrapped NAME ARGS...: the program through the wrapper, in the
# background; REAL_PID is the program's own pid (and its process group's).
start_wrapped() {
    local name=$1 i
    shift
    make_ipc_wrapper
    start_copy "$name" "${IPC[@]}" "$BATS_TEST_TMPDIR/$name.realpid" "$BATS_TEST_TMPDIR/mqueue" "$PROG" "$@"
    for ((i = 0; i < 100; i++)); do
        [ -s "$BATS_TEST_TMPDIR/$name.realpid" ] && break
        sleep 0.05
    done
    REAL_PID=$(cat "$BATS_TEST_TMPDIR/$name.realpid")
}

# child_during NAME KIND METHOD: wait until the program says it runs that
# method and has its child; CHILD is the child's pid.
child_during() {
    local deadline=$((SECONDS + 20))
    until grep -q "^10-ipc-bench: [0-9]*/[0-9]* $2 $3\$" "$BATS_TEST_TMPDIR/$1.err" &&
        CHILD=$(pgrep -P "$REAL_PID"); do
        [ "$SECONDS" -lt "$deadline" ] || fail "no child during $2 $3: $(cat "$BATS_TEST_TMPDIR/$1.err")"
        sleep 0.02
    done
    FOUND_CHILDREN+=("$CHILD")
    sleep 0.3 # into the samples
}

# gone PID: it has ended (a zombie whose parent is init has ended too).
gone() {
    local state deadline=$((SECONDS + 10))
    while state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "child $1 is still running: $(ps -o pid,stat,args -p "$1")"
        sleep 0.05
    done
}

@test "10: Ctrl+C (SIGINT to the process group) during sysv-msg: no child, no queue left, no CSV, exit 130" {
    need_program "$PROG"
    start_wrapped run --only sysv-msg,posix-mq --csv "$BATS_TEST_TMPDIR/new.csv"
    child_during run latency sysv-msg
    kill -INT -- "-$REAL_PID"
    assert_exit run 130
    gone "$CHILD"
    run output_of run
    assert_output "" # no table, and nothing left
    run tail -n 1 "$BATS_TEST_TMPDIR/run.err"
    assert_output "10-ipc-bench: stopped by signal 2 (Interrupt) during latency sysv-msg; no child is left running and no IPC object is left behind"
    [ ! -e "$BATS_TEST_TMPDIR/new.csv" ] || fail "the CSV this run made is still there"
}

@test "10: SIGINT during posix-mq, SIGTERM during shm-futex: no child, nothing in the mqueue file system or /dev/shm" {
    need_program "$PROG"
    local method signal status
    while read -r method signal status; do
        start_wrapped "$method" --only "$method"
        child_during "$method" latency "$method"
        kill "-$signal" -- "-$REAL_PID"
        assert_exit "$method" "$status"
        gone "$CHILD"
        run output_of "$method"
        assert_output ""
    done <<'EOF2'
posix-mq INT 130
shm-futex TERM 143
EOF2
}

@test "10: a child killed with SIGKILL: the method fails, the queue is removed, an older CSV is kept, exit 1" {
    need_program "$PROG"
    echo "an older run" >"$BATS_TEST_TMPDIR/old.csv"
    start_wrapped run --only sysv-msg --csv "$BATS_TEST_TMPDIR/old.csv"
    child_during run latency sysv-msg
    kill -KILL "$CHILD"
    assert_exit run 1
    run output_of run
    assert_output ""
    run tail -n 1 "$BATS_TEST_TMPDIR/run.err"
    assert_output "10-ipc-bench: latency sysv-msg: the child was killed by signal 9 (Killed): the run is void"
    run cat "$BATS_TEST_TMPDIR/old.csv"
    assert_output "an older run"
}

@test "10: the header comment's one-line command builds it with no warning" {
    build_from_header linux/10-ipc-bench \
        "$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/10-ipc-bench/ipc_bench.c")"
    run --separate-stderr "$BUILT/10-ipc-bench" --quick --only shm-spin
    assert_success
    assert_line --regexp '^shm-spin +[0-9]+ '
}

# ---------------------------------------------------------------- minimal ----
@test "10 minimal: at most 80 lines after the header, all in one excerpt, nothing from common/" {
    local file=$REPO/linux/10-ipc-bench/minimal.c n
    n=$(awk 'done { n++ } !done && /\*\// { done = 1 } END { print n + 0 }' "$file")
    [ "$n" -le 80 ] || fail "minimal.c has $n lines after its header comment; at most 80"
    run awk 'done && !first { first = $0 } !done && /\*\// { done = 1 } END { print first; print $0 }' "$file"
    assert_line --index 0 "/* excerpt: minimal */"
    assert_line --index 1 "/* end excerpt */"
    run grep -n '#include "' "$file"
    assert_output ""
}

@test "10 minimal: it prints the mean round trip of shm-spin and of pipe; a bad argument exits 2" {
    need_program "$MINIMAL"
    run --separate-stderr "$MINIMAL"
    assert_success
    assert_line --index 0 --regexp '^shm-spin: 200000 round trips, mean [0-9]+ ns$'
    assert_line --index 1 --regexp '^pipe: 20000 round trips, mean [0-9]+ ns$'
    assert_equal "${#lines[@]}" 2
    run --separate-stderr "$MINIMAL" --quick
    assert_equal "$status" 2
    assert_equal "$stderr" "usage: $MINIMAL (no options)"
}

@test "10 minimal: the header comment's build line builds it with no warning, even at -Wall -Wextra -Wpedantic" {
    local line
    line=$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/10-ipc-bench/minimal.c")
    assert_equal "$line" "cc -std=c11 -O2 minimal.c -o 10-ipc-bench-minimal"
    build_from_header linux/10-ipc-bench "$line" "$line -Wall -Wextra -Wpedantic"
    [ -x "$BUILT/10-ipc-bench-minimal" ]
}

# --------------------------------------------- make bench, chart, tables ----
DATA_FILE=docs/data/10-ipc-bench.csv

@test "docs: scripts/chart.sh draws the committed 10 CSV into exactly the committed chart and page tables" {
    cd "$REPO"
    run scripts/chart.sh "$DATA_FILE" "$BATS_TEST_TMPDIR/chart.svg"
    assert_success
    run cmp "$BATS_TEST_TMPDIR/chart.svg" docs/images/10-ipc-bench.svg
    assert_success
    run xmllint --noout docs/images/10-ipc-bench.svg
    assert_success
    cp docs/10-ipc-bench.md "$BATS_TEST_TMPDIR/page.md"
    run scripts/chart.sh --table "$DATA_FILE" "$BATS_TEST_TMPDIR/page.md"
    assert_success
    assert_output "" # unchanged
    # The committed CSV is a full run: every method, 2000 samples, 1 GiB.
    run csv_rows "$DATA_FILE"
    assert_equal "${#lines[@]}" 13
    run awk -F, '$1 == "latency" && $7 != 2000 && $7 != 0 || $1 == "throughput" && $7 != 15360' "$DATA_FILE"
    assert_output ""
}

@test "chart.sh: a line of demo 10's CSV that does not parse: exit 1, the line named; --table needs the marker" {
    local chart=$REPO/scripts/chart.sh csv=$BATS_TEST_TMPDIR/bad.csv
    printf 'kind,method,p50_ns,p99_ns,max_ns,gib_per_s,samples,cpus\nlatency,pipe,0,1,2,,300,0+1\n' >"$csv"
    run "$chart" "$csv" "$BATS_TEST_TMPDIR/out.svg"
    assert_equal "$status" 1
    assert_output "chart.sh: $csv: line 2 is not a result line: latency,pipe,0,1,2,,300,0+1"
    [ ! -e "$BATS_TEST_TMPDIR/out.svg" ]
    printf 'kind,method,p50_ns,p99_ns,max_ns,gib_per_s,samples,cpus\nlatency,posix-mq,,,,,0,0+1\n' >"$csv"
    printf 'text\n' >"$BATS_TEST_TMPDIR/page.md"
    run "$chart" --table "$csv" "$BATS_TEST_TMPDIR/page.md"
    assert_equal "$status" 1
    assert_output "chart.sh: $BATS_TEST_TMPDIR/page.md has no line <!-- table $csv -->"
}

@test "bench.sh: writes the CSV with its notes, then the chart and the page's tables (a stand-in program)" {
    local tree=$BATS_TEST_TMPDIR/tree
    mkdir -p "$tree/docs/data" "$tree/docs/images" "$tree/scripts"
    cp "$REPO/scripts/bench.sh" "$REPO/scripts/chart.sh" "$tree/scripts/"
    printf 'intro\n<!-- table docs/data/10-ipc-bench.csv -->\nold\n<!-- end -->\nafter\n' >"$tree/docs/10-ipc-bench.md"
    # The stand-in writes a small CSV where --csv says, as the program does.
    cat >"$tree/fake-bench" <<'EOF'
#!/bin/bash
[ "$1" = --csv ] || exit 2
printf 'kind,method,p50_ns,p99_ns,max_ns,gib_per_s,samples,cpus\nlatency,shm-spin,120,160,900,,2000,0+1\nlatency,pipe,9000,12000,50000,,2000,0+1\nlatency,posix-mq,,,,,0,0+1\nthroughput,memcpy,5000,6000,9000,11.500,15360,0\n' >"$2"
echo "the table"
EOF
    chmod +x "$tree/fake-bench"
    cd "$tree"
    run env BENCH_NOTE="a quiet machine" BENCH_BUILD="gcc -O2 -g" scripts/bench.sh ./fake-bench docs/data/10-ipc-bench.csv
    assert_success
    assert_output "the table
bench.sh: wrote docs/data/10-ipc-bench.csv
chart.sh: updated docs/images/10-ipc-bench.svg
chart.sh: updated docs/10-ipc-bench.md"
    run grep '^# ' docs/data/10-ipc-bench.csv
    assert_line --index 0 "# command: ./fake-bench --csv docs/data/10-ipc-bench.csv"
    assert_line --index 1 --regexp '^# run by make bench on [0-9]{4}-[0-9]{2}-[0-9]{2} at [0-9]{2}:[0-9]{2} UTC; built with gcc -O2 -g$'
    assert_line --index 2 --regexp '^# machine: .+, [0-9]+ CPUs(, .+)?, Linux .+$'
    assert_line --index 3 --regexp '^# load average \(1 minute\): [0-9.]+ just before the run, [0-9.]+ just after$'
    assert_line --index 4 "# a quiet machine"
    run xmllint --noout docs/images/10-ipc-bench.svg
    assert_success
    run cat docs/10-ipc-bench.md
    assert_line --index 0 "intro"
    assert_line "| shm-spin | 120 ns | 160 ns | 900 ns | - | 0.013 × | 2000 |"
    assert_line "| posix-mq | skipped | | | | | 0 |"
    assert_line "- n/a: shm-spin p50 ≤ 2 × baseline-threads p50 (not measured in this run)"
    assert_line "- PASS: pipe p50 ≥ 20 × shm-spin p50 (75.0 ×)"
    assert_line "- a quiet machine"
    refute_line "old"
    assert_line --index "$((${#lines[@]} - 1))" "after"
}
