#!/usr/bin/env bats
# Demo 04, POSIX shared memory: counts, crashes, the objects it must
# refuse, permissions, rm under a running copy, the command line, and the
# minimal version (the tests named "minimal: ..."). Every test uses its own
# name (fresh_name), and teardown removes /dev/shm/NAME even on failure.

load helpers

setup() {
    PROG=$BIN_DIR/04-posix-shm
    MINIMAL=$BIN_DIR/04-posix-shm-minimal
    if [ ! -x "$PROG" ] || [ ! -x "$MINIMAL" ]; then fail "build the demo first: make"; fi
    fresh_name NAME
    OBJ=/dev/shm$NAME
}

teardown() {
    cleanup_copies
}

# counter_bytes COUNT: the 16 bytes of one of our counters holding COUNT
# (magic "SHMC", version 1, size 16, the count), little-endian.
counter_bytes() {
    local c=$(($1 & 0xffffffff)) escaped
    printf -v escaped '\\x%02x\\x%02x\\x%02x\\x%02x' $((c & 255)) $((c >> 8 & 255)) $((c >> 16 & 255)) $((c >> 24 & 255))
    printf 'SHMC\x01\x00\x00\x00\x10\x00\x00\x00%b' "$escaped"
}

# set_count COUNT: store COUNT in the existing object, in place, as another
# program would (write(2) reaches the same pages that the copies map).
set_count() {
    counter_bytes "$1" | tail -c 4 | dd of="$OBJ" bs=1 seek=12 conv=notrunc status=none
}

# hold_open: start a process that holds $OBJ open for reading and writing
# and does nothing else (a stalled creator), and wait until it has the
# object open: "cmd &" alone may not have opened it yet when the next
# command runs.
hold_open() {
    sleep 60 3<>"$OBJ" &
    COPY_PIDS+=($!)
    local pid=$!
    timeout 10 bash -c "until [ \"\$(readlink /proc/$pid/fd/3)\" = '$OBJ' ]; do sleep 0.02; done" ||
        fail "the holder never opened $OBJ"
}

# Start N copies at once, check every peek says N, stop them, check 0 and
# that the object is gone.
count_together() {
    local n=$1 i
    for ((i = 1; i <= n; i++)); do start_copy "c$i" "$PROG" --name "$NAME" --quiet; done
    for ((i = 1; i <= n; i++)); do wait_for_line "c$i" '^joined '; done
    run "$PROG" --peek --name "$NAME"
    assert_success
    assert_output "instances=$n mappers=$n"
    for ((i = 1; i <= n; i++)); do kill -INT "$(pid_of "c$i")"; done
    for ((i = 1; i <= n; i++)); do
        assert_exit "c$i" 0
        output_of "c$i" | grep -Eq '^left pid=[0-9]+ instances=[0-9]+$' || fail "copy $i printed no left line"
    done
    [ "$(cat "$BATS_TEST_TMPDIR"/c*.out | grep -c '^left .* instances=0$')" -eq 1 ]
    # The join lines name the counts 1 to N, each exactly once: no update lost.
    run bash -c "cat '$BATS_TEST_TMPDIR'/c*.out | sed -n 's/^joined pid=[0-9]* instances=//p' | sort -n | xargs"
    assert_output "$(seq -s ' ' 1 "$n")"
    run "$PROG" --peek --name "$NAME"
    assert_output "instances=0 mappers=0"
    [ ! -e "$OBJ" ] || fail "$OBJ is still there after every copy left"
}

@test "1 copy counts 1, and 0 after it leaves" {
    count_together 1
}

@test "3 copies started at once count 3, and 0 after they leave" {
    count_together 3
}

@test "20 copies started at once count 20, and 0 after they leave" {
    count_together 20
}

@test "200 copies through scripts/launch.sh count 200, leave, and leave no /dev/shm/NAME behind" {
    run "$LAUNCH" -n 200 -- "$PROG" --name "$NAME"
    assert_success
    assert_line "  peek, running    instances=200 mappers=200   ok"
    assert_line "  peek, after      instances=0 mappers=0   ok"
    assert_line "  left behind      no $OBJ   ok"
    assert_line "launch: ok"
}

@test "a copy with --hold 0 joins as 1 and leaves as 0; the object is mode 0600 while it runs, gone after" {
    start_copy a "$PROG" --name "$NAME" --quiet
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    run stat -c '%a %s %u' "$OBJ"
    assert_output "600 16 $(id -u)"
    kill -INT "$(pid_of a)"
    assert_exit a 0
    [ ! -e "$OBJ" ]
    run "$PROG" --name "$NAME" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    [ "${#lines[@]}" -eq 2 ]
    [ ! -e "$OBJ" ]
}

@test "the live loop prints a now line for each change, and --quiet prints none" {
    start_copy watcher "$PROG" --name "$NAME"
    wait_for_line watcher '^joined .* instances=1$'
    start_copy silent "$PROG" --name "$NAME" --quiet
    wait_for_line silent '^joined .* instances=2$'
    wait_for_line watcher '^now instances=2$'
    kill -TERM "$(pid_of silent)"
    wait_for_line watcher '^now instances=1$'
    kill -HUP "$(pid_of watcher)"
    assert_exit watcher 0
    assert_exit silent 0
    run output_of watcher
    assert_output --regexp '^joined pid=[0-9]+ instances=1
now instances=2
now instances=1
left pid=[0-9]+ instances=0$'
    run output_of silent
    refute_line --partial 'now '
    [ ! -e "$OBJ" ]
}

@test "6 copies joining and leaving in a tight loop lose no update and never split the count" {
    local workers=6 rounds=4 per_round=8 round w
    worker() {
        local i
        for ((i = 0; i < per_round; i++)); do
            "$PROG" --name "$NAME" --hold 0 --quiet >>"$BATS_TEST_TMPDIR/worker$1.out" 2>&1 || echo "exit $?" >>"$BATS_TEST_TMPDIR/worker$1.out"
        done
    }
    for ((round = 1; round <= rounds; round++)); do
        for ((w = 1; w <= workers; w++)); do
            worker "$w" &
            COPY_PIDS+=($!)
        done
        # A witness joins while the workers churn the count through 0. Had
        # it joined an object whose name a leaver was unlinking, the name
        # would not count it once the workers are done.
        start_copy "witness$round" "$PROG" --name "$NAME" --quiet
        wait_for_line "witness$round" '^joined '
        wait "${COPY_PIDS[@]:${#COPY_PIDS[@]}-workers-1:workers}"
        run "$PROG" --peek --name "$NAME"
        assert_output "instances=1 mappers=1"
        kill -INT "$(pid_of "witness$round")"
        assert_exit "witness$round" 0
        [ ! -e "$OBJ" ]
    done
    run bash -c "cat '$BATS_TEST_TMPDIR'/worker*.out | grep -c '^left '"
    assert_output "$((workers * rounds * per_round))"
    run grep -hv -e '^joined ' -e '^left ' "$BATS_TEST_TMPDIR"/worker*.out
    assert_output "" # no exit status but 0, and no note
}

@test "kill -9: the count stays high while copies run; the last copy alone removes the object" {
    start_copy a "$PROG" --name "$NAME" --quiet
    wait_for_line a '^joined .* instances=1$'
    local i
    for i in 2 3 4; do
        start_copy "k$i" "$PROG" --name "$NAME" --quiet
        wait_for_line "k$i" "^joined .* instances=$i$"
    done
    kill -KILL "$(pid_of k2)" "$(pid_of k4)"
    assert_exit k2 137
    assert_exit k4 137
    run "$PROG" --peek --name "$NAME"
    assert_line --index 0 "instances=4 mappers=2"
    kill -INT "$(pid_of k3)"
    assert_exit k3 0
    run output_of k3
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=3$'
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run cat "$BATS_TEST_TMPDIR/a.err"
    assert_output "note: the stored count 3 was stale: no other process maps the object, so the other 2 ended without leaving (killed or crashed); closing and unlinking it"
    run output_of a
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    [ ! -e "$OBJ" ]
}

@test "kill -9 of every copy: the object stays with its count; a peek calls it stale; the next copy starts from 1" {
    start_copy a "$PROG" --name "$NAME" --quiet
    wait_for_line a '^joined .* instances=1$'
    run "$PROG" --name "$NAME" --hold 0 --crash
    assert_equal "$status" 137
    kill -KILL "$(pid_of a)"
    assert_exit a 137
    run "$PROG" --peek --name "$NAME"
    assert_success
    assert_output "instances=2 mappers=0
note: instances=2 but no process holds the object open: the count is stale (copies were killed without leaving)"
    run "$PROG" --name "$NAME" --hold 0
    assert_success
    assert_line --index 0 "note: the stored count 2 was stale: no other process maps the object (copies were killed without leaving); starting again from 0"
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
    [ ! -e "$OBJ" ]
}

@test "a stale-looking count is not reset while a process the scan cannot see holds the object" {
    # Another PID namespace with its own /proc: the copy inside sees no
    # other mapper, but the kernel's lease answer says someone holds the
    # object open for writing, so the live count is kept.
    if [ "$(id -u)" -ne 0 ]; then skip "needs root for unshare --pid"; fi
    start_copy a "$PROG" --name "$NAME" --quiet
    wait_for_line a '^joined .* instances=1$'
    run unshare --pid --fork --mount-proc "$PROG" --name "$NAME" --hold 0
    assert_success
    assert_output "joined pid=1 instances=2
left pid=1 instances=1"
    run unshare --pid --fork --mount-proc "$PROG" --name "$NAME" --peek
    assert_output "instances=1 mappers=0
note: instances=1 but mappers=0: copies were killed without leaving, or run where this peek cannot see them (another PID namespace)"
    # An open descriptor without a mapping holds the object too.
    kill -INT "$(pid_of a)"
    assert_exit a 0
    counter_bytes 5 >"$OBJ"
    hold_open
    run "$PROG" --name "$NAME" --hold 0
    assert_success
    assert_output --regexp '^joined pid=[0-9]+ instances=6
left pid=[0-9]+ instances=5$'
}

@test "a newcomer never joins an object its last copy has closed: it unlinks it and starts afresh" {
    local old
    counter_bytes -1 >"$OBJ"
    chmod 600 "$OBJ"
    old=$(stat -c %i "$OBJ")
    run "$PROG" --peek --name "$NAME"
    assert_output "instances=0 mappers=0"
    start_copy newcomer "$PROG" --name "$NAME" --quiet
    wait_for_line newcomer '^joined pid=[0-9]+ instances=1$'
    [ "$(stat -c %i "$OBJ")" != "$old" ] || fail "the name should lead to a new object"
    run cat "$BATS_TEST_TMPDIR/newcomer.err"
    assert_output ""
    kill -INT "$(pid_of newcomer)"
    assert_exit newcomer 0
    [ ! -e "$OBJ" ]
}

@test "a copy whose object is closed while it is counted says so and joins again" {
    start_copy a "$PROG" --name "$NAME" --quiet
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    set_count -1
    timeout 5 bash -c "until [ \"\$(grep -c '^joined ' '$BATS_TEST_TMPDIR/a.out')\" -eq 2 ]; do sleep 0.05; done"
    run cat "$BATS_TEST_TMPDIR/a.err"
    assert_output "note: the object $NAME was closed while this copy was still counted in it; joining again"
    run "$PROG" --peek --name "$NAME"
    assert_output "instances=1 mappers=1"
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --index 1 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 2 --regexp '^left pid=[0-9]+ instances=0$'
    [ ! -e "$OBJ" ]
}

# refused CONTENT-COMMAND MESSAGE-END: make the object with the command,
# then a copy and a peek must both refuse it with exit 1 and the message
# "04-posix-shm: the object NAME " + MESSAGE-END, and leave every byte, its
# size and its mode as they were.
refused() {
    eval "$1" >"$OBJ"
    chmod 600 "$OBJ"
    local before after
    before=$(stat -c '%s %a %i' "$OBJ")-$(sha256sum <"$OBJ")
    run "$PROG" --name "$NAME" --hold 0
    assert_equal "$status" 1
    assert_output "04-posix-shm: the object $NAME $2"
    run "$PROG" --peek --name "$NAME"
    assert_equal "$status" 1
    assert_output "04-posix-shm: the object $NAME $2"
    after=$(stat -c '%s %a %i' "$OBJ")-$(sha256sum <"$OBJ")
    assert_equal "$after" "$before"
}

@test "a foreign object (wrong magic) is refused untouched, exit 1, with the rm hint" {
    refused "printf 'GIF89a-not-ours!'" "is not one of our counters: wrong magic 0x38464947 (ours is 0x434d4853). It was left untouched; use another --name, or if it is yours to remove: rm $OBJ"
}

@test "one of ours from another layout version is refused untouched" {
    refused "printf 'SHMC\\x02\\x00\\x00\\x00\\x10\\x00\\x00\\x00\\x01\\x00\\x00\\x00'" "is not one of our counters: layout version 2 (this program knows 1). It was left untouched; use another --name, or if it is yours to remove: rm $OBJ"
}

@test "a too-small object is refused untouched, without mapping it (no SIGBUS)" {
    refused "printf 'SHMC\\x01\\x00\\x00\\x00'" "is not one of our counters: it is 8 bytes, smaller than the 16 the counter needs. It was left untouched; use another --name, or if it is yours to remove: rm $OBJ"
}

@test "a size-0 object whose creator has gone is refused at once, untouched (no SIGBUS)" {
    # The message itself says it did not wait for the 3 s deadline: that
    # one ends "still has length 0 after 3 s".
    refused "true" "has length 0 and nobody holds it open: its creator ended before it could size it. It was left untouched; it is safe to remove: rm $OBJ"
}

@test "a sized object whose creator never stored the magic, and has gone, is refused at once" {
    refused "head -c 16 /dev/zero" "was never initialised: nobody holds it open, so its creator ended before it could. It was left untouched; it is safe to remove: rm $OBJ"
}

@test "an impossible count is refused untouched" {
    refused "counter_bytes -7; true" "holds one of our counters, but it is damaged: impossible count -7. It was left untouched; once no copy runs, remove it with: rm $OBJ"
}

@test "a size-0 object its creator still holds open is waited for, then refused untouched; sized later, it is used" {
    : >"$OBJ"
    chmod 600 "$OBJ"
    # A creator that opened it for writing and then does nothing.
    hold_open
    SECONDS=0
    run "$PROG" --name "$NAME" --hold 0
    [ "$SECONDS" -ge 2 ] || fail "gave up after $SECONDS s, before its 3 s deadline"
    assert_equal "$status" 1
    assert_output "04-posix-shm: the object $NAME still has length 0 after 3 s, and another process holds it open: its creator may be slow or stopped (Ctrl+Z), or another copy waits like this one. It was left untouched; try again later"
    assert_equal "$(stat -c %s "$OBJ")" 0
    # A waiting copy goes on as soon as the creator has written the header.
    start_copy waiting "$PROG" --name "$NAME" --hold 0
    sleep 0.3
    counter_bytes 0 >"$BATS_TEST_TMPDIR/header"
    cat "$BATS_TEST_TMPDIR/header" >>"$OBJ" # one write: the size goes from 0 to 16 at once
    assert_exit waiting 0
    run output_of waiting
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
}

@test "a sized object without magic that its creator still holds open is waited for, then refused untouched" {
    head -c 16 /dev/zero >"$OBJ"
    chmod 600 "$OBJ"
    hold_open
    SECONDS=0
    run "$PROG" --peek --name "$NAME"
    [ "$SECONDS" -ge 2 ] || fail "gave up after $SECONDS s, before its 3 s deadline"
    assert_equal "$status" 1
    assert_output "04-posix-shm: the object $NAME is still not initialised after 3 s, and another process holds it open: its creator may be slow or stopped (Ctrl+Z), or another copy waits like this one. It was left untouched; try again later"
    run od -An -tx1 "$OBJ"
    assert_output " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
}

@test "another user gets EACCES, explained, and the object is left as it was" {
    start_copy owner "$PROG" --name "$NAME" --quiet
    wait_for_line owner '^joined '
    if [ "$(id -u)" -ne 0 ]; then skip "needs root to run a command as nobody"; fi
    local dir
    dir=$(mktemp -d)
    chmod 755 "$dir"
    cp "$PROG" "$dir/"
    run setpriv --reuid=65534 --regid=65534 --clear-groups "$dir/04-posix-shm" --name "$NAME" --hold 0
    local join_status=$status join_output=$output
    run setpriv --reuid=65534 --regid=65534 --clear-groups "$dir/04-posix-shm" --name "$NAME" --peek
    rm -rf "$dir"
    assert_equal "$join_status" 1
    assert_equal "$join_output" "04-posix-shm: shm_open($NAME): EACCES (Permission denied)
04-posix-shm: $OBJ belongs to uid $(id -u) with mode 0600, which does not let this user (uid 65534) open it: mode 0600 keeps a counter to its owner. Use another --name, or run as that user"
    assert_equal "$status" 1
    assert_line --index 0 "04-posix-shm: shm_open($NAME): EACCES (Permission denied)"
    run "$PROG" --peek --name "$NAME"
    assert_output "instances=1 mappers=1"
}

@test "rm /dev/shm/NAME under a running copy: it says so and keeps counting; a new copy starts a new object" {
    start_copy a "$PROG" --name "$NAME"
    wait_for_line a '^joined .* instances=1$'
    rm "$OBJ"
    timeout 5 bash -c "until grep -q 'was unlinked' '$BATS_TEST_TMPDIR/a.err'; do sleep 0.05; done"
    run cat "$BATS_TEST_TMPDIR/a.err"
    assert_output "note: the object's name $NAME was unlinked (rm $OBJ?): this copy goes on counting in it, but new copies will start a new object"
    start_copy b "$PROG" --name "$NAME" --quiet
    wait_for_line b '^joined .* instances=1$'
    run "$PROG" --peek --name "$NAME"
    assert_output "instances=1 mappers=1"
    kill -INT "$(pid_of a)" "$(pid_of b)"
    assert_exit a 0
    assert_exit b 0
    run output_of a
    assert_output --regexp '^joined pid=[0-9]+ instances=1
left pid=[0-9]+ instances=0$'
    [ ! -e "$OBJ" ]
}

@test "every bad command line exits 2, names the argument and creates nothing" {
    local args long
    long=/$(printf 'a%.0s' {1..255}) # 256 bytes: glibc takes it, POSIX does not promise it
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        run "$PROG" $args
        assert_equal "$status" 2
        assert_line --index 0 --partial "$expect"
        assert_output --partial "usage: 04-posix-shm"
        [ ! -e "$OBJ" ] && [ ! -e /dev/shm/shm-suite-test-bad ] && [ ! -e "/dev/shm$long" ] || fail "'$args' created an object"
    done <<EOF
--bogus --name $NAME|unknown option '--bogus'
--name|option '--name' needs a value
--name shm-suite-test-bad|--name: 'shm-suite-test-bad' must start with '/'
--name /shm-suite/test-bad|--name: '/shm-suite/test-bad' has a '/' after the first
--name /|--name: '/' has nothing after the '/'
--name /..|--name: '/..' names a directory
--name $long|is longer than NAME_MAX (255 bytes, the '/' included)
--name $NAME --hold x|--hold: 'x' is not a whole number
--name $NAME stray|unexpected argument 'stray'
--name $NAME --peek --quiet|--peek cannot be combined with --quiet
EOF
    run "$PROG" --name ""
    assert_equal "$status" 2
    assert_line --index 0 "04-posix-shm: --name: '' is empty: give a name such as /shm-suite-04"
    # 255 bytes, the '/' included, is a good name.
    run "$PROG" --peek --name "/$(printf 'a%.0s' {1..254})"
    assert_success
    assert_output "instances=0 mappers=0"
}

@test "--help prints the usage and exits 0; --peek on a free name creates nothing" {
    run "$PROG" --help
    assert_success
    assert_line --index 0 --partial "count running copies in a POSIX shared memory object"
    assert_output --partial "--name NAME"
    assert_output --partial "(default /shm-suite-04)"
    run "$PROG" --peek --name "$NAME"
    assert_success
    assert_output "instances=0 mappers=0"
    [ ! -e "$OBJ" ]
}

@test "the header comment's one-line command builds the demo on its own" {
    build_from_header linux/04-posix-shm "$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/04-posix-shm/posix_shm.c")"
    run "$BUILT/04-posix-shm" --name "$NAME" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
    [ ! -e "$OBJ" ]
}

# ---------------------------------------------------------------- minimal ----

# wait_lines NAME N: until NAME.out has N complete lines.
wait_lines() {
    timeout 10 bash -c "until [ \$(wc -l <'$BATS_TEST_TMPDIR/$1.out') -ge $2 ]; do sleep 0.02; done" ||
        fail "timed out waiting for $2 lines from $1: $(output_of "$1")"
}

@test "minimal: 3 copies count 3, leave on SIGINT, and the last one unlinks the name" {
    local i
    for i in 1 2 3; do
        start_copy "m$i" "$MINIMAL" "$NAME"
        wait_for_line "m$i" "^joined pid=[0-9]+ instances=$i$"
        wait_lines m1 "$i" # its join line, and a now line for each newcomer
    done
    run stat -c '%a %s' "$OBJ"
    assert_output "600 4"
    for i in 3 2 1; do
        kill -INT "$(pid_of "m$i")"
        assert_exit "m$i" 0
        [ "$i" -eq 1 ] || wait_lines m1 $((7 - i))
        run output_of "m$i"
        assert_line --regexp "^left pid=[0-9]+ instances=$((i - 1))$"
    done
    run output_of m1
    assert_output --regexp '^joined pid=[0-9]+ instances=1
now instances=2
now instances=3
now instances=2
now instances=1
left pid=[0-9]+ instances=0$'
    [ ! -e "$OBJ" ]
}

@test "minimal: a bad argument exits 2 and creates nothing" {
    run "$MINIMAL" shm-suite-test-bad
    assert_equal "$status" 2
    assert_output --regexp '^usage: .*04-posix-shm-minimal \[/NAME\] \(Ctrl\+C or kill -INT leaves\)$'
    run "$MINIMAL" "$NAME" extra
    assert_equal "$status" 2
    [ ! -e "$OBJ" ] && [ ! -e /dev/shm/shm-suite-test-bad ]
}

@test "minimal: a crash leaves its 1 in the object for good, as its page shows" {
    start_copy a "$MINIMAL" "$NAME"
    wait_for_line a '^joined .* instances=1$'
    start_copy b "$MINIMAL" "$NAME"
    wait_for_line b '^joined .* instances=2$'
    kill -KILL "$(pid_of b)"
    assert_exit b 137
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --regexp '^left pid=[0-9]+ instances=1$'
    [ -e "$OBJ" ] || fail "the name should stay: the survivor was not the last by the count"
    # The hardened demo reads it as too small, and leaves it alone.
    run "$PROG" --peek --name "$NAME"
    assert_equal "$status" 1
    assert_output --partial "it is 4 bytes, smaller than the 16 the counter needs"
}

@test "minimal: a foreign object under its name is cut to 4 bytes and its first bytes taken for a count" {
    printf 'GIF89a, the start of a bigger file that is not a counter' >"$OBJ"
    start_copy a "$MINIMAL" "$NAME"
    wait_for_line a '^joined '
    run output_of a
    assert_output --regexp '^joined pid=[0-9]+ instances=944130376$' # "GIF8" + 1
    assert_equal "$(stat -c %s "$OBJ")" 4
    kill -INT "$(pid_of a)"
    assert_exit a 0
}

@test "minimal: at most 80 lines after its header, in one excerpt; its one-line build works, warning-free" {
    local file=$REPO/linux/04-posix-shm/minimal.c n line
    n=$(awk 'header_done { n++ } !header_done && /\*\// { header_done = 1 } END { print n + 0 }' "$file")
    [ "$n" -le 80 ] || fail "minimal.c has $n lines after its header comment; at most 80"
    run grep -c '#include "' "$file"
    assert_output 0
    line=$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$file")
    build_from_header linux/04-posix-shm "$line" "$line -Wall -Wextra -Wpedantic -Werror"
    start_copy built "$BUILT/04-posix-shm-minimal" "$NAME"
    wait_for_line built '^joined pid=[0-9]+ instances=1$'
    kill -INT "$(pid_of built)"
    assert_exit built 0
    [ ! -e "$OBJ" ]
}
