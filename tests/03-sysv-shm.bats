#!/usr/bin/env bats
# Demo 03, System V shared memory: counts, signals, crashes, refusals,
# permissions and the command line. Every test uses its own key.

load helpers

setup() {
    PROG=$BIN_DIR/03-sysv-shm
    SHM_TOOL=$TEST_TOOL_DIR/shm-tool
    [ -x "$PROG" ] || fail "build the demo first: make"
    fresh_key KEY
}

teardown() {
    cleanup_copies
}

# Start N copies at once, check every peek says N, stop them, check 0.
count_together() {
    local n=$1 i
    for ((i = 1; i <= n; i++)); do start_copy "c$i" "$PROG" --key "$KEY" --quiet; done
    for ((i = 1; i <= n; i++)); do wait_for_line "c$i" '^joined '; done
    run "$PROG" --peek --key "$KEY"
    assert_success
    assert_output "instances=$n nattch=$n"
    for ((i = 1; i <= n; i++)); do kill -INT "$(pid_of "c$i")"; done
    for ((i = 1; i <= n; i++)); do
        assert_exit "c$i" 0
        output_of "c$i" | grep -Eq '^left pid=[0-9]+ instances=[0-9]+$' || fail "copy $i printed no left line"
    done
    # Exactly one copy left the count at 0.
    [ "$(cat "$BATS_TEST_TMPDIR"/c*.out | grep -c '^left .* instances=0$')" -eq 1 ]
    # The join lines name the counts 1 to N, each exactly once: no update lost.
    run bash -c "cat '$BATS_TEST_TMPDIR'/c*.out | sed -n 's/^joined pid=[0-9]* instances=//p' | sort -n | xargs"
    assert_output "$(seq -s ' ' 1 "$n")"
    run "$PROG" --peek --key "$KEY"
    assert_output "instances=0 nattch=0"
    run segment_exists "$KEY"
    assert_failure
}

@test "1 copy counts 1, and 0 after it leaves" {
    count_together 1
}

@test "3 copies started at once count 3, and 0 after they leave" {
    count_together 3
}

@test "50 copies started at once count 50, and 0 after they leave" {
    count_together 50
}

@test "a copy with --hold 0 joins as 1 and leaves as 0, removing the segment" {
    run "$PROG" --key "$KEY" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    [ "${#lines[@]}" -eq 2 ]
    run segment_exists "$KEY"
    assert_failure
}

@test "the live loop prints a now line for each change, and --quiet prints none" {
    start_copy watcher "$PROG" --key "$KEY"
    wait_for_line watcher '^joined .* instances=1$'
    start_copy silent "$PROG" --key "$KEY" --quiet
    wait_for_line silent '^joined .* instances=2$'
    wait_for_line watcher '^now instances=2$'
    kill -INT "$(pid_of silent)"
    wait_for_line watcher '^now instances=1$'
    kill -INT "$(pid_of watcher)"
    assert_exit watcher 0
    assert_exit silent 0
    run output_of watcher
    assert_line --index 1 'now instances=2'
    assert_line --index 2 'now instances=1'
    assert_line --index 3 --regexp '^left pid=[0-9]+ instances=0$'
    run output_of silent
    refute_line --partial 'now '
}

@test "8 copies joining and leaving in a tight loop lose no update and never split the count" {
    local workers=8 rounds=15 per_round=10 round w
    worker() {
        local i
        for ((i = 0; i < per_round; i++)); do
            "$PROG" --key "$KEY" --hold 0 --quiet >>"$BATS_TEST_TMPDIR/worker$1.out" || echo "exit $?" >>"$BATS_TEST_TMPDIR/worker$1.out"
        done
    }
    for ((round = 1; round <= rounds; round++)); do
        for ((w = 1; w <= workers; w++)); do
            worker "$w" &
            COPY_PIDS+=($!)
        done
        # A witness joins while the workers churn the count through 0. If it
        # joined a segment that a leaver was removing (split brain), the
        # keyed segment would not count it once the workers are done.
        start_copy "witness$round" "$PROG" --key "$KEY" --quiet
        wait_for_line "witness$round" '^joined '
        wait "${COPY_PIDS[@]:${#COPY_PIDS[@]}-workers-1:workers}"
        run "$PROG" --peek --key "$KEY"
        assert_output "instances=1 nattch=1"
        kill -INT "$(pid_of "witness$round")"
        assert_exit "witness$round" 0
        run "$PROG" --peek --key "$KEY"
        assert_output "instances=0 nattch=0"
    done
    # Every run joined and left, and exited 0.
    run bash -c "cat '$BATS_TEST_TMPDIR'/worker*.out | grep -c '^joined '"
    assert_output "$((workers * rounds * per_round))"
    run bash -c "cat '$BATS_TEST_TMPDIR'/worker*.out | grep -c '^left '"
    assert_output "$((workers * rounds * per_round))"
    run grep -h '^exit ' "$BATS_TEST_TMPDIR"/worker*.out
    assert_output ""
    # With at most 9 copies alive, no count can ever exceed 9.
    run bash -c "cat '$BATS_TEST_TMPDIR'/*.out | sed -n 's/.*instances=\([0-9]*\)$/\1/p' | sort -n | tail -1"
    [ "$output" -le 9 ]
    run segment_exists "$KEY"
    assert_failure
}

@test "a newcomer never joins a segment its last copy has closed: it removes it and starts afresh" {
    # The moment between the last leaver's atomic close and its IPC_RMID,
    # made to last: a counter marked closed (-1) under the key.
    local old
    old=$("$SHM_TOOL" counter "$KEY" -1)
    run "$PROG" --peek --key "$KEY"
    assert_output "instances=0 nattch=0"
    start_copy newcomer "$PROG" --key "$KEY" --quiet
    wait_for_line newcomer '^joined pid=[0-9]+ instances=1$'
    run "$PROG" --peek --key "$KEY"
    assert_output "instances=1 nattch=1"
    run bash -c "ipcs -m | awk '\$1 == \"$KEY\" { print \$2 }'"
    [ -n "$output" ] && [ "$output" != "$old" ] || fail "the key should name a new segment, not shmid $old"
    run bash -c "ipcs -m | awk '\$2 == $old'"
    assert_output ""
    kill -INT "$(pid_of newcomer)"
    assert_exit newcomer 0
}

@test "a segment left with a count but nobody attached is stale: the next copy starts from 1" {
    "$SHM_TOOL" counter "$KEY" 5 >/dev/null
    run "$PROG" --peek --key "$KEY"
    assert_line --index 0 "instances=5 nattch=0"
    assert_output --partial "note: instances=5 but nattch=0: the count is stale"
    run "$PROG" --key "$KEY" --hold 0
    assert_success
    assert_line --index 0 --partial "note: the stored count 5 was stale"
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
}

@test "an impossible count is refused with exit 1 and left untouched" {
    local id
    id=$("$SHM_TOOL" counter "$KEY" -7)
    run "$PROG" --key "$KEY" --hold 0
    assert_equal "$status" 1
    assert_output "03-sysv-shm: the segment under key=$KEY (shmid $id) holds one of our counters, but it is damaged: impossible count -7. It was left untouched; once nothing is attached to it (nattch 0 in ipcs -m), remove it with: ipcrm -m $id"
    run "$SHM_TOOL" dump "$KEY"
    assert_output "53484d430100000010000000f9ffffff" # SHMC, 1, 16, -7
}

@test "SIGINT, SIGTERM, SIGHUP and SIGQUIT each make a copy leave cleanly with exit 0" {
    local sig
    for sig in INT TERM HUP QUIT; do
        start_copy "$sig" "$PROG" --key "$KEY"
        wait_for_line "$sig" '^joined .* instances=1$'
        kill -"$sig" "$(pid_of "$sig")"
        assert_exit "$sig" 0
        run output_of "$sig"
        assert_line --regexp "^left pid=$(pid_of "$sig") instances=0$"
        run segment_exists "$KEY"
        assert_failure
    done
}

@test "under nohup SIGHUP stays ignored; SIGINT still makes the copy leave with exit 0" {
    local pid ignored caught
    start_copy hup nohup "$PROG" --key "$KEY" --quiet
    wait_for_line hup '^joined pid=[0-9]+ instances=1$'
    pid=$(pid_of hup)
    # The kernel's view, one bit per signal (bit N-1 for signal N). start_copy
    # runs it in the background of a shell without job control, so SIGINT
    # and SIGQUIT started ignored too: the demo handles them all the same.
    ignored=$(awk '$1 == "SigIgn:" { print $2 }' "/proc/$pid/status")
    caught=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$pid/status")
    assert_equal "$(((0x$ignored >> 0) & 1))" 1  # SIGHUP ignored
    assert_equal "$(((0x$caught >> 0) & 1))" 0   # and not handled
    assert_equal "$(((0x$caught >> 1) & 1))" 1   # SIGINT handled
    assert_equal "$(((0x$caught >> 2) & 1))" 1   # SIGQUIT handled
    assert_equal "$(((0x$caught >> 14) & 1))" 1  # SIGTERM handled
    kill -HUP "$pid"
    sleep 0.3 # three turns of the live loop
    kill -0 "$pid" || fail "SIGHUP ended the copy under nohup"
    run "$PROG" --peek --key "$KEY"
    assert_output "instances=1 nattch=1"
    kill -INT "$pid"
    timeout 5 tail --pid="$pid" -f /dev/null || fail "SIGINT did not end the copy"
    assert_exit hup 0
    run output_of hup
    assert_line --index 1 "left pid=$pid instances=0"
    [ "${#lines[@]}" -eq 2 ]
    run segment_exists "$KEY"
    assert_failure
}

@test "a stop signal that the parent left blocked still reaches the copy" {
    command -v python3 >/dev/null || skip "needs python3 to start a program with signals blocked"
    # The signal mask survives execve: python blocks SIGINT and SIGTERM, then
    # becomes the demo.
    start_copy blocked python3 -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
os.execv(sys.argv[1], sys.argv[1:])' "$PROG" --key "$KEY" --quiet
    wait_for_line blocked '^joined pid=[0-9]+ instances=1$'
    kill -TERM "$(pid_of blocked)"
    timeout 5 tail --pid="$(pid_of blocked)" -f /dev/null || fail "SIGTERM did not end the copy"
    assert_exit blocked 0
    run output_of blocked
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    run segment_exists "$KEY"
    assert_failure
}

@test "a copy whose segment is closed while it is counted says so and joins again" {
    local old
    start_copy a "$PROG" --key "$KEY" --quiet
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    old=$(ipcs -m | awk -v k="$KEY" '$1 == k { print $2 }')
    # What a leaver's close looks like to a copy it stranded (the ABA race
    # in leave), made on purpose: the count set to CLOSED.
    "$SHM_TOOL" set "$KEY" -1
    timeout 5 bash -c "until [ \"\$(grep -c '^joined ' '$BATS_TEST_TMPDIR/a.out')\" -eq 2 ]; do sleep 0.05; done"
    run cat "$BATS_TEST_TMPDIR/a.err"
    assert_output "note: segment $old was closed while this copy was still counted in it; joining again"
    run "$PROG" --peek --key "$KEY"
    assert_output "instances=1 nattch=1"
    run bash -c "ipcs -m | awk '\$2 == $old'"
    assert_output ""
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --index 1 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 2 --regexp '^left pid=[0-9]+ instances=0$'
    [ "${#lines[@]}" -eq 3 ]
    run segment_exists "$KEY"
    assert_failure
}

# stopped_with_sigint_unblocked PID: wait until PID is stopped, then say
# whether SIGINT is unblocked in its signal mask (SigBlk, one bit per
# signal, bit N-1 for signal N, in /proc/PID/status).
stopped_with_sigint_unblocked() {
    local state blocked i
    for ((i = 0; i < 500; i++)); do
        state=$(awk '$1 == "State:" { print $2 }' "/proc/$1/status")
        [ "$state" != T ] || break
        sleep 0.01
    done
    [ "$state" = T ] || fail "process $1 did not stop"
    blocked=$(awk '$1 == "SigBlk:" { print $2 }' "/proc/$1/status")
    [ $(((0x$blocked >> 1) & 1)) -eq 0 ]
}

@test "a copy that finds its segment closed as it leaves says so, removes it and exits 0" {
    local pid id tries=0
    start_copy a "$PROG" --key "$KEY" --quiet
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    pid=$(pid_of a)
    id=$(ipcs -m | awk -v k="$KEY" '$1 == k { print $2 }')
    # Stop it where it waits in ppoll, the one place SIGINT is unblocked
    # (bit 1 of SigBlk clear): a SIGINT sent while it is stopped then ends
    # the wait as soon as it runs again. Stopped anywhere else, it would
    # look at the count first, find it closed and join again (the test
    # above); so until then, let it run on and stop it again.
    until kill -STOP "$pid" && stopped_with_sigint_unblocked "$pid"; do
        kill -CONT "$pid"
        tries=$((tries + 1))
        [ "$tries" -lt 100 ] || fail "never caught the copy waiting in ppoll"
    done
    "$SHM_TOOL" set "$KEY" -1
    kill -INT "$pid" # pending: on SIGCONT it ends the wait before the loop looks again
    kill -CONT "$pid"
    assert_exit a 0
    run cat "$BATS_TEST_TMPDIR/a.err"
    assert_output "note: segment $id was closed while this copy was still counted in it: nobody counted this copy any more"
    run output_of a
    assert_line --index 1 "left pid=$pid instances=0"
    run segment_exists "$KEY"
    assert_failure
}

@test "a count changed under a leaving copy is reported with exit 1, and the segment is left alone" {
    local pid id
    start_copy a "$PROG" --key "$KEY" --quiet
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    pid=$(pid_of a)
    id=$(ipcs -m | awk -v k="$KEY" '$1 == k { print $2 }')
    kill -STOP "$pid"
    "$SHM_TOOL" set "$KEY" 0
    kill -INT "$pid"
    kill -CONT "$pid"
    assert_exit a 1
    run cat "$BATS_TEST_TMPDIR/a.err"
    assert_output "03-sysv-shm: the counter in the segment under key=$KEY (shmid $id) holds 0, which cannot be while this copy is counted in it: something else changed it. It was left alone; once nothing is attached to it (nattch 0 in ipcs -m), remove it with: ipcrm -m $id"
    run output_of a
    refute_line --partial 'left '
    assert_equal "$("$SHM_TOOL" stat "$KEY")" "size=16 nattch=0 mode=600"
}

@test "a closed segment this user may not remove: one error when the join deadline passes, exit 1" {
    if [ "$(id -u)" -ne 0 ]; then skip "needs root to run a command as nobody"; fi
    local id dir
    id=$("$SHM_TOOL" counter "$KEY" -1 666)
    dir=$(mktemp -d)
    chmod 755 "$dir"
    cp "$PROG" "$dir/"
    SECONDS=0
    run setpriv --reuid=nobody --regid=nogroup --clear-groups "$dir/03-sysv-shm" --key "$KEY" --hold 0
    local took=$SECONDS
    rm -rf "$dir"
    assert_equal "$status" 1
    # Exactly one line, though every try failed to remove it.
    assert_output "03-sysv-shm: gave up after 3 s: the segment under key=$KEY (shmid $id) is marked closed (count -1, as the last copy to leave marks it), but it could not be removed: shmctl(IPC_RMID): EPERM (Operation not permitted). Its owner, its creator or root can remove it: ipcrm -m $id"
    [ "$took" -ge 2 ] && [ "$took" -le 6 ] || fail "gave up after $took s, expected about 3"
    assert_equal "$("$SHM_TOOL" dump "$KEY")" "53484d430100000010000000ffffffff"
}

@test "a stopped copy is still counted, and leaves normally after SIGCONT" {
    start_copy stopped "$PROG" --key "$KEY" --quiet
    wait_for_line stopped '^joined '
    start_copy other "$PROG" --key "$KEY" --quiet
    wait_for_line other '^joined .* instances=2$'
    kill -STOP "$(pid_of stopped)"
    run "$PROG" --peek --key "$KEY"
    assert_output "instances=2 nattch=2"
    kill -INT "$(pid_of stopped)" # waits, pending, until the copy runs again
    kill -INT "$(pid_of other)"
    assert_exit other 0
    run "$PROG" --peek --key "$KEY"
    assert_output "instances=1 nattch=1"
    kill -CONT "$(pid_of stopped)"
    assert_exit stopped 0
    run output_of stopped
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
    run segment_exists "$KEY"
    assert_failure
}

@test "--crash leaves a stale count that peek shows next to nattch; the last copy attached removes the segment" {
    start_copy a "$PROG" --key "$KEY" --quiet
    start_copy b "$PROG" --key "$KEY" --quiet
    wait_for_line a '^joined '
    wait_for_line b '^joined '
    run "$PROG" --key "$KEY" --hold 0 --crash
    assert_equal "$status" 137
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=3$'
    assert_line --index 1 --regexp '^crashing pid=[0-9]+ instances=3$'
    refute_line --partial 'left '
    run "$PROG" --peek --key "$KEY"
    assert_success
    assert_line --index 0 "instances=3 nattch=2"
    # The running copies notice too.
    timeout 5 bash -c "until grep -q 'instances=3 but nattch=2' '$BATS_TEST_TMPDIR/a.err'; do sleep 0.05; done"
    # One at a time: two copies that leave at the same moment can each still
    # see the other attached, and then neither closes the segment.
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run "$PROG" --peek --key "$KEY"
    assert_line --index 0 "instances=2 nattch=1"
    kill -INT "$(pid_of b)"
    assert_exit b 0
    run output_of b
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    run cat "$BATS_TEST_TMPDIR/b.err"
    assert_line "note: the stored count 2 was stale: only this copy is attached, so the other 1 ended without leaving (killed or crashed); closing and removing the segment"
    run segment_exists "$KEY"
    assert_failure
}

@test "kill -9 of one of three copies leaves instances=3 nattch=2" {
    local i
    for i in 1 2 3; do start_copy "k$i" "$PROG" --key "$KEY" --quiet; done
    for i in 1 2 3; do wait_for_line "k$i" '^joined '; done
    kill -KILL "$(pid_of k2)"
    assert_exit k2 137
    run "$PROG" --peek --key "$KEY"
    assert_line --index 0 "instances=3 nattch=2"
    kill -INT "$(pid_of k1)" "$(pid_of k3)"
    assert_exit k1 0
    assert_exit k3 0
    run "$PROG" --key "$KEY" --hold 0
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    run segment_exists "$KEY"
    assert_failure
}

@test "kill -9 of one of three, then stop the other two: the last one attached removes the segment and says why" {
    local i
    for i in 1 2 3; do start_copy "k$i" "$PROG" --key "$KEY" --quiet; done
    for i in 1 2 3; do wait_for_line "k$i" '^joined '; done
    kill -KILL "$(pid_of k2)"
    assert_exit k2 137
    kill -INT "$(pid_of k1)"
    assert_exit k1 0
    run output_of k1
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=2$'
    run grep -c 'was stale' "$BATS_TEST_TMPDIR/k1.err"
    assert_output 0
    kill -INT "$(pid_of k3)"
    assert_exit k3 0
    run output_of k3
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    run grep '^note: the stored count' "$BATS_TEST_TMPDIR/k3.err"
    assert_output "note: the stored count 2 was stale: only this copy is attached, so the other 1 ended without leaving (killed or crashed); closing and removing the segment"
    run bash -c "ipcs -m | awk -v k='$KEY' '\$1 == k'"
    assert_output ""
}

@test "kill -9 of the last copy attached too: the segment stays with its stale count until the next copy" {
    local i
    for i in 1 2 3; do start_copy "k$i" "$PROG" --key "$KEY" --quiet; done
    for i in 1 2 3; do wait_for_line "k$i" '^joined '; done
    kill -KILL "$(pid_of k2)"
    assert_exit k2 137
    kill -INT "$(pid_of k1)"
    assert_exit k1 0
    kill -KILL "$(pid_of k3)"
    assert_exit k3 137
    run "$PROG" --peek --key "$KEY"
    assert_success
    assert_output "instances=2 nattch=0
note: instances=2 but nattch=0: the count is stale (copies were killed without leaving)"
    run "$PROG" --key "$KEY" --hold 0
    assert_success
    assert_line --index 0 "note: the stored count 2 was stale: nobody else is attached (copies were killed without leaving); starting again from 0"
    assert_line --index 1 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 2 --regexp '^left pid=[0-9]+ instances=0$'
    [ "${#lines[@]}" -eq 3 ]
    run segment_exists "$KEY"
    assert_failure
}

@test "a smaller segment under the key is refused with exit 1 and left untouched" {
    local id before
    id=$("$SHM_TOOL" create "$KEY" 8 garbage)
    before=$("$SHM_TOOL" dump "$KEY")
    run "$PROG" --key "$KEY" --hold 0
    assert_equal "$status" 1
    assert_output "03-sysv-shm: the segment under key=$KEY (shmid $id) is not one of our counters: it is 8 bytes, smaller than the 16 the counter needs. It was left untouched; use another --key, or if the segment is yours to remove: ipcrm -m $id"
    run "$PROG" --peek --key "$KEY"
    assert_equal "$status" 1
    assert_equal "$("$SHM_TOOL" dump "$KEY")" "$before"
    assert_equal "$("$SHM_TOOL" stat "$KEY")" "size=8 nattch=0 mode=600"
}

@test "a segment full of garbage is refused with exit 1 and left untouched" {
    local id before
    id=$("$SHM_TOOL" create "$KEY" 64 garbage)
    before=$("$SHM_TOOL" dump "$KEY")
    run "$PROG" --key "$KEY" --hold 0
    assert_equal "$status" 1
    assert_output "03-sysv-shm: the segment under key=$KEY (shmid $id) is not one of our counters: wrong magic 0xcaef80a5 (ours is 0x434d4853). It was left untouched; use another --key, or if the segment is yours to remove: ipcrm -m $id"
    run "$PROG" --peek --key "$KEY"
    assert_equal "$status" 1
    assert_equal "$("$SHM_TOOL" dump "$KEY")" "$before"
    # The command in the message does what it says.
    ipcrm -m "$id"
    run segment_exists "$KEY"
    assert_failure
}

@test "never initialised, creator gone, nothing attached: refused at once, and called safe to remove with the exact ipcrm" {
    local creator id
    "$SHM_TOOL" create "$KEY" 16 zero >"$BATS_TEST_TMPDIR/id" &
    creator=$!
    wait "$creator"
    id=$(cat "$BATS_TEST_TMPDIR/id")
    SECONDS=0
    run "$PROG" --key "$KEY" --hold 0
    [ "$SECONDS" -le 1 ] || fail "took $SECONDS s: nobody can initialise it, there is nothing to wait for"
    assert_equal "$status" 1
    assert_output "03-sysv-shm: the segment under key=$KEY (shmid $id) was never initialised: its creator, pid $creator, ended before it could, and nothing else is attached. It was left untouched; it is safe to remove: ipcrm -m $id"
    assert_equal "$("$SHM_TOOL" dump "$KEY")" "00000000000000000000000000000000"
    assert_equal "$("$SHM_TOOL" stat "$KEY")" "size=16 nattch=0 mode=600"
    ipcrm -m "$id"
    run "$PROG" --key "$KEY" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
}

@test "never initialised, creator gone, but something still attached: refused, and not called safe yet" {
    local creator id
    "$SHM_TOOL" create "$KEY" 16 zero >"$BATS_TEST_TMPDIR/id" &
    creator=$!
    wait "$creator"
    id=$(cat "$BATS_TEST_TMPDIR/id")
    start_copy holder "$SHM_TOOL" attach "$KEY" 60
    wait_for_line holder '^[0-9]+$'
    run "$PROG" --key "$KEY" --hold 0
    assert_equal "$status" 1
    assert_output "03-sysv-shm: the segment under key=$KEY (shmid $id) was never initialised: its creator, pid $creator, has ended, but 1 other attachment remains. It was left untouched; once nothing else is attached (nattch 0 in ipcs -m), run this program again"
    kill "$(pid_of holder)"
    wait "$(pid_of holder)" || true
    run "$PROG" --peek --key "$KEY"
    assert_equal "$status" 1
    assert_output "03-sysv-shm: the segment under key=$KEY (shmid $id) was never initialised: its creator, pid $creator, ended before it could, and nothing else is attached. It was left untouched; it is safe to remove: ipcrm -m $id"
    assert_equal "$("$SHM_TOOL" stat "$KEY")" "size=16 nattch=0 mode=600"
}

@test "no magic and not the size this program makes: refused at once as not ours, though its creator runs" {
    local id
    start_copy creator "$SHM_TOOL" create "$KEY" 64 zero 60
    wait_for_line creator '^[0-9]+$'
    id=$(output_of creator)
    SECONDS=0
    run "$PROG" --key "$KEY" --hold 0
    [ "$SECONDS" -le 1 ] || fail "took $SECONDS s: none of our creators makes this size, there is nothing to wait for"
    assert_equal "$status" 1
    assert_output "03-sysv-shm: the segment under key=$KEY (shmid $id) is not one of our counters: it has no magic number (0), and it is 64 bytes, not the 16 this program makes. It was left untouched; use another --key, or if the segment is yours to remove: ipcrm -m $id"
}

@test "never initialised while its creator still runs, slow or stopped: waited for, then refused and left alone" {
    local id creator message
    start_copy creator "$SHM_TOOL" create "$KEY" 16 zero 60
    wait_for_line creator '^[0-9]+$'
    id=$(output_of creator)
    creator=$(pid_of creator)
    message="03-sysv-shm: the segment under key=$KEY (shmid $id) is still not initialised after 3 s, and its creator's pid, $creator, still exists: the creator may be slow, or stopped (Ctrl+Z; kill -CONT $creator resumes it), or it has ended but is a zombie its parent has not reaped, or the pid was reused (ps -o stat,args -p $creator tells: T stopped, Z zombie). It was left untouched; try again later"
    SECONDS=0
    run "$PROG" --key "$KEY" --hold 0
    [ "$SECONDS" -ge 2 ] && [ "$SECONDS" -le 5 ] || fail "gave up after $SECONDS s, expected about 3"
    assert_equal "$status" 1
    assert_output "$message"
    kill -STOP "$creator"
    run "$PROG" --peek --key "$KEY"
    assert_equal "$status" 1
    assert_output "$message"
    assert_equal "$("$SHM_TOOL" stat "$KEY")" "size=16 nattch=1 mode=600"
    assert_equal "$("$SHM_TOOL" dump "$KEY")" "00000000000000000000000000000000"
    # A copy that is waiting sees the creator end, and stops waiting then.
    start_copy waiting "$PROG" --key "$KEY" --hold 0
    sleep 0.5
    kill -KILL "$creator"
    assert_exit creator 137 # reaps it: a zombie would still pass kill(pid, 0)
    assert_exit waiting 1
    run cat "$BATS_TEST_TMPDIR/waiting.err"
    assert_output "03-sysv-shm: the segment under key=$KEY (shmid $id) was never initialised: its creator, pid $creator, ended before it could, and nothing else is attached. It was left untouched; it is safe to remove: ipcrm -m $id"
}

@test "a creator that ended but was never reaped still exists for kill(pid, 0): the refusal says a zombie can be why" {
    command -v python3 >/dev/null || skip "needs python3 for a parent that does not reap its child"
    local id creator
    # The parent starts the creator, which ends at once, and reaps it only
    # once the file "reap" exists: until then the creator is a zombie.
    start_copy parent python3 -c 'import os, sys, time
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execv(sys.argv[1], sys.argv[1:4] + ["16", "zero"])
print(pid, flush=True)
while not os.path.exists(sys.argv[4]):
    time.sleep(0.02)
os.waitpid(pid, 0)
print("reaped", flush=True)' "$SHM_TOOL" create "$KEY" "$BATS_TEST_TMPDIR/reap"
    wait_for_line parent '^[0-9]+$'
    creator=$(head -n 1 "$BATS_TEST_TMPDIR/parent.out")
    timeout 5 bash -c "until [ \"\$(ps -o stat= -p $creator)\" = Z ]; do sleep 0.02; done" || fail "the creator never became a zombie"
    id=$(ipcs -m | awk -v k="$KEY" '$1 == k { print $2 }')
    run "$PROG" --peek --key "$KEY"
    assert_equal "$status" 1
    assert_output --partial "(shmid $id) is still not initialised after 3 s, and its creator's pid, $creator, still exists: "
    assert_output --partial "or it has ended but is a zombie its parent has not reaped"
    touch "$BATS_TEST_TMPDIR/reap"
    wait_for_line parent '^reaped$'
    assert_exit parent 0
    run "$PROG" --peek --key "$KEY"
    assert_equal "$status" 1
    assert_output --partial "its creator, pid $creator, ended before it could, and nothing else is attached. It was left untouched; it is safe to remove: ipcrm -m $id"
}

@test "the segment is mode 0600, owned by its creator; another user gets EACCES" {
    start_copy owner "$PROG" --key "$KEY" --quiet
    wait_for_line owner '^joined '
    run ipcs -m
    assert_line --regexp "^$KEY +[0-9]+ +$(id -un) +600 +16 +1 "
    if [ "$(id -u)" -ne 0 ]; then skip "needs root to run a command as nobody"; fi
    # nobody must be able to reach the program itself.
    local dir
    dir=$(mktemp -d)
    chmod 755 "$dir"
    cp "$PROG" "$dir/"
    run setpriv --reuid=nobody --regid=nogroup --clear-groups "$dir/03-sysv-shm" --key "$KEY" --hold 0
    rm -rf "$dir"
    assert_equal "$status" 1
    assert_output --regexp "key=$KEY\): EACCES \(Permission denied\)"
    run "$PROG" --peek --key "$KEY"
    assert_output "instances=1 nattch=1"
}

@test "every bad command line exits 2, names the argument and creates nothing" {
    local args
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        run "$PROG" $args
        assert_equal "$status" 2
        assert_line --index 0 --partial "$expect"
        assert_output --partial "usage: 03-sysv-shm"
        run segment_exists "$KEY"
        assert_failure
    done <<EOF
--bogus --key $KEY|unknown option '--bogus'
--key $KEY --hold|option '--hold' needs a value
--key|option '--key' needs a value
--key $KEY --hold abc|--hold: 'abc' is not a whole number
--key $KEY --hold -1|--hold: '-1' is not a whole number
--key $KEY --hold 1.5|--hold: '1.5' is not a whole number
--key 0|--key: '0' is IPC_PRIVATE
--key 0x0|--key: '0x0' is IPC_PRIVATE
--key zzz|--key: 'zzz' is not a key
--key 0x1ffffffff|--key: '0x1ffffffff' is not a key
--key -5|--key: '-5' is not a key
--key $KEY stray|unexpected argument 'stray'
--key $KEY --quiet=yes|option '--quiet' takes no value
--key $KEY --peek --hold 3|--peek cannot be combined with --hold
EOF
}

@test "--help prints the usage and exits 0" {
    run "$PROG" --help
    assert_success
    assert_line --index 0 --partial "count running copies in a System V shared memory segment"
    assert_output --partial "--key KEY"
    assert_output --partial "Exit status: 0 success, 1 a system call failed or the shared memory is not
one of our counters, 2 bad command line.
With --crash the program kills itself with SIGKILL, so it has no exit
status of its own: a shell reports 137 (128 + 9, the signal's number)."
}

@test "--peek on a key with no segment says instances=0 nattch=0 and creates nothing" {
    run "$PROG" --peek --key "$KEY"
    assert_success
    assert_output "instances=0 nattch=0"
    run segment_exists "$KEY"
    assert_failure
}

# hold_peek: build a library that, preloaded into a peek, holds it where a
# copy can join or leave unseen, until a file exists: its shmat until the
# file named by HOLD_SHMAT_UNTIL exists (between its first look at the
# kernel's view and its attach), and its first IPC_STAT after attaching
# (the second look, just after it has read the count) until the one named
# by HOLD_STAT_UNTIL does. Each hold says so on standard error. The races
# are there without it, only too short to hit at will.
hold_peek() {
    cat >"$BATS_TEST_TMPDIR/hold_peek.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

static int attached;

static void hold(const char *file, const char *what)
{
    struct timespec tick = { 0, 10000000L };
    if (write(2, what, strlen(what)) < 0)
        return;
    while (access(file, F_OK) != 0)
        nanosleep(&tick, NULL);
}

void *shmat(int id, const void *addr, int flags)
{
    void *(*real)(int, const void *, int) = (void *(*)(int, const void *, int))dlsym(RTLD_NEXT, "shmat");
    if (getenv("HOLD_SHMAT_UNTIL") != NULL)
        hold(getenv("HOLD_SHMAT_UNTIL"), "hold: shmat\n");
    void *p = real(id, addr, flags);
    attached = p != (void *)-1;
    return p;
}

int shmctl(int id, int cmd, struct shmid_ds *buf)
{
    int (*real)(int, int, struct shmid_ds *) = (int (*)(int, int, struct shmid_ds *))dlsym(RTLD_NEXT, "shmctl");
    if (cmd == IPC_STAT && attached && getenv("HOLD_STAT_UNTIL") != NULL) {
        attached = 0; /* the first one only */
        hold(getenv("HOLD_STAT_UNTIL"), "hold: IPC_STAT\n");
    }
    return real(id, cmd, buf);
}
EOF
    cc -shared -fPIC -o "$BATS_TEST_TMPDIR/hold_peek.so" "$BATS_TEST_TMPDIR/hold_peek.c" -ldl
}

# start_held_peek NAME VAR=FILE...: a peek in the background, with
# hold_peek's library and these variables; returns once it holds at shmat.
start_held_peek() {
    local name=$1
    shift
    # ASAN_OPTIONS: a sanitizer build refuses a library preloaded before its own.
    start_copy "$name" env ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD="$BATS_TEST_TMPDIR/hold_peek.so" "$@" "$PROG" --peek --key "$KEY"
    timeout 10 bash -c "until grep -q '^hold: shmat' '$BATS_TEST_TMPDIR/$name.err'; do sleep 0.02; done" || fail "the peek never reached shmat"
}

@test "a peek that copies join, or join and leave, while it looks never calls the count stale" {
    hold_peek
    start_copy a "$PROG" --key "$KEY" --quiet
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    # b attaches and joins after the peek's first look at nattch.
    start_held_peek joiner HOLD_SHMAT_UNTIL="$BATS_TEST_TMPDIR/go-shmat"
    start_copy b "$PROG" --key "$KEY" --quiet
    wait_for_line b '^joined pid=[0-9]+ instances=2$'
    touch "$BATS_TEST_TMPDIR/go-shmat"
    assert_exit joiner 0
    run output_of joiner
    assert_output "instances=2 nattch=2"
    run grep -c '^note:' "$BATS_TEST_TMPDIR/joiner.err"
    assert_output 0
    # c joins before the peek reads the count, then leaves and detaches
    # before the peek's second look: it is in the count, and in neither
    # look at nattch.
    rm "$BATS_TEST_TMPDIR/go-shmat"
    start_held_peek passer HOLD_SHMAT_UNTIL="$BATS_TEST_TMPDIR/go-shmat" HOLD_STAT_UNTIL="$BATS_TEST_TMPDIR/go-stat"
    start_copy c "$PROG" --key "$KEY" --quiet
    wait_for_line c '^joined pid=[0-9]+ instances=3$'
    touch "$BATS_TEST_TMPDIR/go-shmat"
    timeout 10 bash -c "until grep -q '^hold: IPC_STAT' '$BATS_TEST_TMPDIR/passer.err'; do sleep 0.02; done" || fail "the peek never reached its second look"
    kill -INT "$(pid_of c)"
    assert_exit c 0
    touch "$BATS_TEST_TMPDIR/go-stat"
    assert_exit passer 0
    run output_of passer
    assert_output "instances=3 nattch=2" # what it read, at two moments
    run grep -c '^note:' "$BATS_TEST_TMPDIR/passer.err"
    assert_output 0
    kill -INT "$(pid_of a)" "$(pid_of b)"
    assert_exit a 0
    assert_exit b 0
}

@test "a peek whose segment the last copy removes before it attaches says instances=0 nattch=0 and exits 0" {
    hold_peek
    start_copy last "$PROG" --key "$KEY" --quiet
    wait_for_line last '^joined pid=[0-9]+ instances=1$'
    start_held_peek peek HOLD_SHMAT_UNTIL="$BATS_TEST_TMPDIR/go-shmat"
    kill -INT "$(pid_of last)"
    assert_exit last 0
    run segment_exists "$KEY"
    assert_failure
    touch "$BATS_TEST_TMPDIR/go-shmat"
    assert_exit peek 0
    run output_of peek
    assert_output "instances=0 nattch=0"
    run cat "$BATS_TEST_TMPDIR/peek.err"
    assert_output "hold: shmat"
}

@test "ipcrm while copies run: they keep running and leave cleanly; a new copy starts fresh" {
    start_copy a "$PROG" --key "$KEY" --quiet
    start_copy b "$PROG" --key "$KEY" --quiet
    wait_for_line a '^joined '
    wait_for_line b '^joined '
    ipcrm -M "$KEY"
    run segment_exists "$KEY"
    assert_failure
    timeout 5 bash -c "until grep -q 'was removed (ipcrm?)' '$BATS_TEST_TMPDIR/a.err'; do sleep 0.05; done"
    run "$PROG" --key "$KEY" --hold 0
    assert_success
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    kill -INT "$(pid_of a)" "$(pid_of b)"
    assert_exit a 0
    assert_exit b 0
    cat "$BATS_TEST_TMPDIR/a.out" "$BATS_TEST_TMPDIR/b.out" | grep -q '^left .* instances=0$'
    run segment_exists "$KEY"
    assert_failure
}

@test "a closed pipe on standard output does not stop a copy from leaving" {
    # head ends after the join line, so the left line meets a closed pipe.
    # The copy's own exit status, not head's: SIGPIPE would end it with 141.
    run bash -c "'$PROG' --key '$KEY' --hold 1 | head -n 1; exit \${PIPESTATUS[0]}"
    assert_success
    assert_output --regexp '^joined pid=[0-9]+ instances=1$'
    run segment_exists "$KEY"
    assert_failure
}

@test "Enter on an interactive terminal makes a copy leave" {
    command -v script >/dev/null || skip "needs script(1) for a terminal"
    # script(1) gives the copy a terminal; Enter arrives after the join.
    # script passes end of input on as Ctrl+D, which ends a copy too, so its
    # input stays open long after the newline: only Enter can end the copy
    # before timeout does (exit 124).
    mkfifo "$BATS_TEST_TMPDIR/keys"
    (sleep 0.5; printf '\n'; exec sleep 8) >"$BATS_TEST_TMPDIR/keys" &
    COPY_PIDS+=($!) # teardown ends it
    run bash -c "SHELL=/bin/sh timeout 4 script -qec \"exec '$PROG' --key '$KEY'\" /dev/null <'$BATS_TEST_TMPDIR/keys' | tr -d '\r'; exit \${PIPESTATUS[0]}"
    assert_success
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
    run segment_exists "$KEY"
    assert_failure
}

@test "the header comment's one-line command builds the demo on its own" {
    build_from_header linux/03-sysv-shm "$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/03-sysv-shm/sysv_shm.c")"
    run "$BUILT/03-sysv-shm" --peek --key "$KEY"
    assert_success
    assert_output "instances=0 nattch=0"
}
