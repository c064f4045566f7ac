#!/usr/bin/env bats
# Demo 08 on Linux, a System V semaphore with SEM_UNDO: exact counts, a count
# that stays right through kill -9 and --crash, the last copy's removal,
# refusals, permissions, limits, the command line, and the minimal version.
# Every test of the hardened demo uses its own key; the minimal version's
# key is fixed, so its tests take it only when it is free.

load helpers

setup() {
    PROG=$BIN_DIR/08-sem-undo
    MIN=$BIN_DIR/08-sem-undo-minimal
    SEM_TOOL=$TEST_TOOL_DIR/sem-tool
    [ -x "$PROG" ] || fail "build the demo first: make"
    [ -x "$SEM_TOOL" ] || fail "build the test tools first: make test-tools"
    fresh_key KEY
    MIN_KEY=$(sed -n 's/^#define KEY \(0x[0-9a-f]*\) .*/\1/p' "$REPO/linux/08-sem-undo/minimal.c")
    OWN_MIN_KEY=""
}

teardown() {
    cleanup_copies
    # Only if this test took the minimal's key: a set that was there before is not ours.
    if [ -n "$OWN_MIN_KEY" ]; then ipcrm -S "$MIN_KEY" 2>/dev/null || true; fi
}

# Is there a semaphore set under this key?
set_exists() {
    ipcs -s | awk -v k="$1" '$1 == k { found = 1 } END { exit !found }'
}

# The copies' join (or left) numbers, sorted, on one line.
numbers_said() {
    cat "$BATS_TEST_TMPDIR"/*.out | sed -n "s/^$1 pid=[0-9]* instances=//p" | sort -n | xargs
}

# Start N copies at once, check every peek says N, stop them, check 0.
count_together() {
    local n=$1 i
    for ((i = 1; i <= n; i++)); do start_copy "c$i" "$PROG" --key "$KEY" --quiet; done
    for ((i = 1; i <= n; i++)); do wait_for_line "c$i" '^joined '; done
    run "$PROG" --peek --key "$KEY"
    assert_success
    assert_output --regexp "^instances=$n sempid=[0-9]+$"
    for ((i = 1; i <= n; i++)); do kill -INT "$(pid_of "c$i")"; done
    for ((i = 1; i <= n; i++)); do assert_exit "c$i" 0; done
    # The join lines name the counts 1 to N, the left lines N-1 to 0, each once.
    assert_equal "$(numbers_said joined)" "$(seq -s ' ' 1 "$n")"
    assert_equal "$(numbers_said left)" "$(seq -s ' ' 0 $((n - 1)))"
    run "$PROG" --peek --key "$KEY"
    assert_output "instances=0"
    run set_exists "$KEY"
    assert_failure
}

@test "1 copy counts 1, and 0 after it leaves; the set is removed" {
    count_together 1
}

@test "3 copies started at once count 3, and 0 after they leave" {
    count_together 3
}

@test "20 copies started at once count 20, and 0 after they leave" {
    count_together 20
}

@test "a copy with --hold 0 joins as 1 and leaves as 0, removing the set" {
    run "$PROG" --key "$KEY" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    [ "${#lines[@]}" -eq 2 ]
    run set_exists "$KEY"
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

@test "6 copies joining and leaving in a tight loop never split the count: a witness that joins meanwhile is counted" {
    local workers=6 rounds=5 per_round=10 round w
    worker() {
        local i
        for ((i = 0; i < per_round; i++)); do
            "$PROG" --key "$KEY" --hold 0 --quiet >>"$BATS_TEST_TMPDIR/worker$1.out" 2>>"$BATS_TEST_TMPDIR/worker$1.err" ||
                echo "exit $?" >>"$BATS_TEST_TMPDIR/worker$1.out"
        done
    }
    for ((round = 1; round <= rounds; round++)); do
        for ((w = 1; w <= workers; w++)); do
            worker "$w" &
            COPY_PIDS+=($!)
        done
        # The witness joins while the workers take the count through 0 and
        # remove the set, again and again. Had it joined a set being
        # removed, the set under the key would not count it afterwards.
        start_copy "witness$round" "$PROG" --key "$KEY" --quiet
        wait_for_line "witness$round" '^joined '
        wait "${COPY_PIDS[@]:${#COPY_PIDS[@]}-workers-1:workers}"
        run "$PROG" --peek --key "$KEY"
        assert_output --regexp '^instances=1 sempid=[0-9]+$'
        kill -INT "$(pid_of "witness$round")"
        assert_exit "witness$round" 0
        run "$PROG" --peek --key "$KEY"
        assert_output "instances=0"
    done
    # Failures first, with what the copies said: a bare count would hide why.
    run grep -h '^exit ' "$BATS_TEST_TMPDIR"/worker*.out
    assert_output ""
    run cat "$BATS_TEST_TMPDIR"/worker*.err
    assert_output ""
    run bash -c "cat '$BATS_TEST_TMPDIR'/worker*.out | grep -c '^left '"
    assert_output "$((workers * rounds * per_round))"
    run set_exists "$KEY"
    assert_failure
}

@test "kill -9 of a random half of 20 copies: the peek at once counts the survivors, and sempid names a killed copy" {
    local i killed=() survivors=() pid
    for ((i = 1; i <= 20; i++)); do start_copy "c$i" "$PROG" --key "$KEY" --quiet; done
    for ((i = 1; i <= 20; i++)); do wait_for_line "c$i" '^joined '; done
    start_copy watcher "$PROG" --key "$KEY"
    wait_for_line watcher '^joined .* instances=21$'
    mapfile -t killed < <(seq 1 20 | shuf | head -n 10)
    for i in "${killed[@]}"; do kill -KILL "$(pid_of "c$i")"; done
    for i in "${killed[@]}"; do assert_exit "c$i" 137; done
    # No stale period: the kernel applied each undo as the copy ended.
    run "$PROG" --peek --key "$KEY"
    assert_success
    assert_output --regexp '^instances=11 sempid=[0-9]+$'
    pid=${output#*sempid=}
    for i in "${killed[@]}"; do [ "$(pid_of "c$i")" != "$pid" ] || break; done
    [ "$(pid_of "c$i")" = "$pid" ] || fail "sempid $pid is none of the killed copies"
    wait_for_line watcher '^now instances=11$'
    for ((i = 1; i <= 20; i++)); do [[ " ${killed[*]} " == *" $i "* ]] || survivors+=("$i"); done
    for i in "${survivors[@]}"; do kill -INT "$(pid_of "c$i")"; done
    for i in "${survivors[@]}"; do assert_exit "c$i" 0; done
    wait_for_line watcher '^now instances=1$'
    kill -INT "$(pid_of watcher)"
    assert_exit watcher 0
    run output_of watcher
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
    run set_exists "$KEY"
    assert_failure
}

@test "a kill -9 storm while copies join: a later copy counts from 1, and nothing stale is left" {
    local i j
    for ((i = 1; i <= 30; i++)); do
        start_copy "s$i" "$PROG" --key "$KEY" --quiet
        # Kill some at once, some a moment later, some never until the end:
        # in exec, in semget, in the join's semop, or in the live loop.
        if ((RANDOM % 3 == 0)); then kill -KILL "$(pid_of "s$i")"; fi
        if ((RANDOM % 3 == 0)); then
            j=$((RANDOM % i + 1))
            kill -KILL "$(pid_of "s$j")" 2>/dev/null || true
        fi
    done
    for ((i = 1; i <= 30; i++)); do kill -KILL "$(pid_of "s$i")" 2>/dev/null || true; done
    for ((i = 1; i <= 30; i++)); do wait "$(pid_of "s$i")" 2>/dev/null || true; done
    # Nobody runs: the peek says 0, whether the set is there or not.
    run "$PROG" --peek --key "$KEY"
    assert_success
    assert_line --index 0 --regexp '^instances=0( sempid=[0-9]+)?$'
    run "$PROG" --key "$KEY" --hold 0
    assert_success
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
    refute_output --partial 'error'
    run set_exists "$KEY"
    assert_failure
}

@test "--crash: the peek at once counts only the live copies, and sempid is the crashed copy" {
    local crashed
    start_copy a "$PROG" --key "$KEY" --quiet
    wait_for_line a '^joined .* instances=1$'
    start_copy b "$PROG" --key "$KEY" --quiet
    wait_for_line b '^joined .* instances=2$'
    run "$PROG" --key "$KEY" --hold 0 --crash
    assert_equal "$status" 137
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=3$'
    assert_line --index 1 --regexp '^crashing pid=[0-9]+ instances=3$'
    refute_line --partial 'left '
    crashed=$(sed -n 's/^joined pid=\([0-9]*\) .*/\1/p' <<<"$output")
    run "$PROG" --peek --key "$KEY"
    assert_success
    assert_output "instances=2 sempid=$crashed"
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=1$'
    kill -INT "$(pid_of b)"
    assert_exit b 0
    run output_of b
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    run set_exists "$KEY"
    assert_failure
}

@test "every copy killed: the set stays, holding 0; the next copy counts from 1 and removes it" {
    local i
    for i in 1 2 3; do start_copy "k$i" "$PROG" --key "$KEY" --quiet; done
    for i in 1 2 3; do wait_for_line "k$i" '^joined '; done
    for i in 1 2 3; do kill -KILL "$(pid_of "k$i")"; done
    for i in 1 2 3; do assert_exit "k$i" 137; done
    run bash -c "ipcs -s | awk -v k='$KEY' '\$1 == k { print \$4, \$5 }'"
    assert_output "600 3"
    assert_equal "$("$SEM_TOOL" get "$KEY")" "nsems=3 values=0,0,21256 otime=set mode=600"
    run "$PROG" --peek --key "$KEY"
    assert_output --regexp '^instances=0 sempid=[0-9]+$'
    run "$PROG" --key "$KEY" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
    [ "${#lines[@]}" -eq 2 ]
    run set_exists "$KEY"
    assert_failure
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
        run set_exists "$KEY"
        assert_failure
    done
}

@test "Ctrl+C on a real terminal makes a copy leave cleanly" {
    command -v script >/dev/null || skip "needs script(1) for a terminal"
    local out=$BATS_TEST_TMPDIR/term.out
    mkfifo "$BATS_TEST_TMPDIR/keys"
    : >"$out"
    # The terminal's Ctrl+C (byte 3) once the copy has joined; the line
    # discipline turns it into SIGINT for the foreground process group.
    (
        timeout 10 bash -c "until grep -q '^joined' '$out'; do sleep 0.05; done"
        printf '\003'
        exec sleep 8
    ) >"$BATS_TEST_TMPDIR/keys" &
    COPY_PIDS+=($!) # teardown ends it
    # script runs its command with "$SHELL -c", here /bin/sh: on Debian,
    # dash, which forks for it and waits. The Ctrl+C would end dash too
    # (script -e then returns 130): exec makes the copy the only process in
    # the foreground group, as at a prompt.
    run bash -c "SHELL=/bin/sh timeout 6 script -qec \"exec '$PROG' --key '$KEY'\" /dev/null <'$BATS_TEST_TMPDIR/keys' >'$out'; s=\$?; tr -d '\r' <'$out'; exit \$s"
    assert_success
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    # The terminal echoes the Ctrl+C as ^C, as a rule just before the left
    # line; the line discipline signals first and echoes after, so a busy
    # machine may let the copy's line go first.
    assert_line --regexp '^(\^C)?left pid=[0-9]+ instances=0$'
    run set_exists "$KEY"
    assert_failure
}

@test "every bad command line exits 2, names the argument and creates nothing" {
    local args
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        run "$PROG" $args
        assert_equal "$status" 2
        assert_line --index 0 --partial "$expect"
        assert_output --partial "usage: 08-sem-undo"
        run set_exists "$KEY"
        assert_failure
    done <<EOF
--bogus --key $KEY|unknown option '--bogus'
--key $KEY --hold|option '--hold' needs a value
--key|option '--key' needs a value
--key $KEY --hold abc|--hold: 'abc' is not a whole number
--key $KEY --hold -1|--hold: '-1' is not a whole number
--key 0|--key: '0' is IPC_PRIVATE
--key 0x0|--key: '0x0' is IPC_PRIVATE
--key zzz|--key: 'zzz' is not a key
--key 0x1ffffffff|--key: '0x1ffffffff' is not a key
--key -5|--key: '-5' is not a key
--key $KEY stray|unexpected argument 'stray'
--key $KEY --crash=yes|option '--crash' takes no value
--key $KEY --peek --quiet|--peek cannot be combined with --quiet
EOF
}

@test "--help prints the usage and what the peek shows, and exits 0" {
    run "$PROG" --help
    assert_success
    assert_line --index 0 "08-sem-undo: count running copies with a System V semaphore and SEM_UNDO"
    assert_output --partial "  --key KEY       the System V key (default 0x53484d08; not 0)"
    assert_output --partial "Peek prints instances=N sempid=P"
}

@test "--peek with no set under the key says instances=0 and creates nothing" {
    run "$PROG" --peek --key "$KEY"
    assert_success
    assert_output "instances=0"
    run set_exists "$KEY"
    assert_failure
}

# refused_untouched WHY: a copy and a peek are refused with exit 1 and
# this message, and the set is exactly as it was.
refused_untouched() {
    local before id
    before=$("$SEM_TOOL" get "$KEY")
    id=$(ipcs -s | awk -v k="$KEY" '$1 == k { print $2 }')
    local message="08-sem-undo: the semaphore set under key=$KEY (semid $id) is not one of our counters: $1. It was left untouched; use another --key, or if the set is yours to remove: ipcrm -S $KEY"
    run "$PROG" --key "$KEY" --hold 0
    assert_equal "$status" 1
    assert_output "$message"
    run "$PROG" --peek --key "$KEY"
    assert_equal "$status" 1
    assert_output "$message"
    assert_equal "$("$SEM_TOOL" get "$KEY")" "$before"
    run bash -c "ipcs -s | awk -v k='$KEY' '\$1 == k { print \$2 }'"
    assert_output "$id"
}

@test "a set with the wrong number of semaphores is refused with exit 1 and left untouched" {
    "$SEM_TOOL" create "$KEY" 2 5 1 >/dev/null
    refused_untouched "it has 2 semaphores, ours have 3"
    assert_equal "$("$SEM_TOOL" get "$KEY")" "nsems=2 values=5,1 otime=0 mode=600"
}

@test "a set of three without our mark is refused with exit 1 and left untouched" {
    "$SEM_TOOL" create "$KEY" 3 4 0 99 >/dev/null
    "$SEM_TOOL" touch "$KEY"
    refused_untouched "semaphore 2 holds 99, not our mark 21256"
}

@test "a set with our mark but a lock value that makes no sense is refused and left untouched" {
    "$SEM_TOOL" ours "$KEY" 2 7 >/dev/null
    refused_untouched "its lock, semaphore 1, holds 7: a lock is 0 or 1"
    assert_equal "$("$SEM_TOOL" get "$KEY")" "nsems=3 values=2,7,21256 otime=set mode=600"
}

@test "a set that never got its first semop: peek says 0; a copy waits 3 s for its creator, then publishes it" {
    local id
    # A creator killed between semget and its first semop leaves exactly this.
    id=$("$SEM_TOOL" create "$KEY" 3)
    run "$PROG" --peek --key "$KEY"
    assert_success
    assert_line --index 0 "instances=0 sempid=0"
    assert_line --index 1 "note: the set under key=$KEY (semid $id) is new and not yet published: being created, or its creator died first; the next copy to join publishes it"
    SECONDS=0
    run "$PROG" --key "$KEY" --hold 0
    [ "$SECONDS" -ge 2 ] && [ "$SECONDS" -le 12 ] || fail "took $SECONDS s, expected about 3"
    assert_success
    assert_line --index 0 "note: the semaphore set under key=$KEY (semid $id) was not published within 3 s: its creator was killed (or stopped) between semget and its first semop. This copy published it"
    assert_line --index 1 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 2 --regexp '^left pid=[0-9]+ instances=0$'
    run set_exists "$KEY"
    assert_failure
}

@test "at SEMVMX (32767) copies, a newcomer gets ERANGE, says so, exits 1 and changes nothing" {
    local before
    "$SEM_TOOL" ours "$KEY" 32767 >/dev/null
    before=$("$SEM_TOOL" get "$KEY")
    assert_equal "$before" "nsems=3 values=32767,0,21256 otime=set mode=600"
    run "$PROG" --key "$KEY" --hold 0
    assert_equal "$status" 1
    assert_output "08-sem-undo: semop(key=$KEY): ERANGE: the count is at SEMVMX (32767), the most a System V semaphore can hold: no more copies can join"
    assert_equal "$("$SEM_TOOL" get "$KEY")" "$before"
}

@test "the pitfall: SETVAL wipes every copy's undo; a kill -9 after it, and even a clean leave, leave the count too high" {
    start_copy a "$PROG" --key "$KEY" --quiet
    wait_for_line a '^joined .* instances=1$'
    start_copy b "$PROG" --key "$KEY" --quiet
    wait_for_line b '^joined .* instances=2$'
    "$SEM_TOOL" setval "$KEY" 0 2 # the same value: only the undo entries change
    kill -KILL "$(pid_of b)"
    assert_exit b 137
    run "$PROG" --peek --key "$KEY"
    assert_output --regexp '^instances=2 sempid=[0-9]+$'
    # a leaves normally, but is no longer the last, so the set stays; and
    # its leave's -1, made with SEM_UNDO, is undone at its exit: back to 2.
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=1$'
    assert_equal "$("$SEM_TOOL" get "$KEY")" "nsems=3 values=2,0,21256 otime=set mode=600"
}

@test "ipcrm while copies run: each says so and joins a new set, and the count is right again" {
    start_copy a "$PROG" --key "$KEY" --quiet
    wait_for_line a '^joined .* instances=1$'
    start_copy b "$PROG" --key "$KEY" --quiet
    wait_for_line b '^joined .* instances=2$'
    ipcrm -S "$KEY"
    wait_for_line a 'instances=' # still running
    timeout 5 bash -c "until [ \$(cat '$BATS_TEST_TMPDIR/a.out' '$BATS_TEST_TMPDIR/b.out' | grep -c '^joined ') -eq 4 ]; do sleep 0.05; done" ||
        fail "the copies did not join again: $(cat "$BATS_TEST_TMPDIR"/[ab].out "$BATS_TEST_TMPDIR"/[ab].err)"
    run cat "$BATS_TEST_TMPDIR/a.err"
    assert_output --regexp "^note: the semaphore set under key=$KEY \(semid [0-9]+\) was removed \(ipcrm\?\); joining again$"
    run "$PROG" --peek --key "$KEY"
    assert_output --regexp '^instances=2 sempid=[0-9]+$'
    kill -INT "$(pid_of a)" "$(pid_of b)"
    assert_exit a 0
    assert_exit b 0
    run set_exists "$KEY"
    assert_failure
}

@test "a lock held too long: a newcomer gives up after 3 s naming the holder; killing the holder frees it at once" {
    local holder
    start_copy a "$PROG" --key "$KEY" --quiet
    wait_for_line a '^joined .* instances=1$'
    start_copy holder "$SEM_TOOL" lock "$KEY" 60
    wait_for_line holder '^[0-9]+$'
    holder=$(pid_of holder)
    SECONDS=0
    run "$PROG" --key "$KEY" --hold 0
    [ "$SECONDS" -ge 2 ] && [ "$SECONDS" -le 12 ] || fail "took $SECONDS s, expected about 3"
    assert_equal "$status" 1
    assert_output --partial "08-sem-undo: gave up after 3 s: the lock of the semaphore set under key=$KEY (semid "
    assert_output --partial ") is held by pid $holder. A copy holds it only for a moment"
    # The holder took the lock with SEM_UNDO: its death releases it.
    kill -KILL "$holder"
    assert_exit holder 137
    run "$PROG" --key "$KEY" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=2$'
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run set_exists "$KEY"
    assert_failure
}

@test "the set is mode 0600 with 3 semaphores; another user gets EACCES, explained" {
    start_copy owner "$PROG" --key "$KEY" --quiet
    wait_for_line owner '^joined '
    run ipcs -s
    assert_line --regexp "^$KEY +[0-9]+ +$(id -un) +600 +3 *$"
    if [ "$(id -u)" -ne 0 ]; then skip "needs root to run a command as nobody"; fi
    local dir
    dir=$(mktemp -d)
    chmod 755 "$dir"
    cp "$PROG" "$dir/"
    run setpriv --reuid=nobody --regid=nogroup --clear-groups "$dir/08-sem-undo" --key "$KEY" --hold 0
    assert_equal "$status" 1
    assert_line --index 0 "08-sem-undo: semctl(IPC_STAT)(key=$KEY): EACCES (Permission denied)"
    assert_line --index 1 "08-sem-undo: EACCES: this user may not use the semaphore set under key=$KEY: it belongs to another user, and the mode this program gives its sets, 0600, lets only the owner in (ipcs -s shows owner and perms). Run as that user, or pick another --key"
    run setpriv --reuid=nobody --regid=nogroup --clear-groups "$dir/08-sem-undo" --key "$KEY" --peek
    rm -rf "$dir"
    assert_equal "$status" 1
    assert_line --index 0 --partial "EACCES (Permission denied)"
    run "$PROG" --peek --key "$KEY"
    assert_output --regexp '^instances=1 sempid=[0-9]+$'
}

@test "launch.sh: 200 copies count 200 together, leave cleanly, and leave no set behind" {
    run "$LAUNCH" -n 200 -- "$PROG" --key "$KEY"
    assert_success
    assert_line "  joined           200 of 200 (their join lines said instances=1 to 200)   ok"
    assert_line --regexp '^  peek, running    instances=200 sempid=[0-9]+   ok$'
    assert_line "  stopped          SIGINT to every copy; 200 of 200 exited 0   ok"
    assert_line "  peek, after      instances=0   ok"
    assert_line "  left behind      nothing under key $KEY in ipcs -s   ok"
    assert_line "launch: ok"
}

@test "launch.sh reports a semaphore set left behind" {
    # A program that counts like the demo but leaves a set behind, as the
    # minimal version does: the demo, then sem-tool making a set.
    local wrapper=$BATS_TEST_TMPDIR/keeps-set
    cat >"$wrapper" <<EOF
#!/usr/bin/env bash
"$PROG" "\$@"; s=\$?
case " \$* " in *" --peek "*) ;; *) "$SEM_TOOL" ours "$KEY" 0 >/dev/null ;; esac
exit \$s
EOF
    chmod +x "$wrapper"
    run "$LAUNCH" -n 1 --hold 1 -- "$wrapper" --key "$KEY"
    assert_failure
    assert_line --regexp '^  peek, running    instances=1 sempid=[0-9]+   ok$'
    # The count, 0, is right: only the set that stays is reported.
    assert_line --regexp '^  peek, after      instances=0 sempid=[0-9]+   ok$'
    assert_line "  left behind      a semaphore set under key $KEY is still in ipcs -s   MISMATCH"
}

@test "the header comment's one-line command builds the demo on its own" {
    build_from_header linux/08-sem-undo "$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/08-sem-undo/sem_undo.c")"
    run "$BUILT/08-sem-undo" --peek --key "$KEY"
    assert_success
    assert_output "instances=0"
}

# ---------------------------------------------------------- minimal ----

# take_min_key: the minimal's fixed key is free, or the test stops.
take_min_key() {
    [ -x "$MIN" ] || fail "build it first: make minimal"
    [[ $MIN_KEY =~ ^0x[0-9a-f]{8}$ ]] || fail "no '#define KEY 0x...' found in minimal.c"
    if set_exists "$MIN_KEY"; then
        fail "a semaphore set under $MIN_KEY is there already (a copy of 08-sem-undo-minimal running, or one left by earlier copies); stop it, or remove it with: ipcrm -S $MIN_KEY"
    fi
    OWN_MIN_KEY=yes
}

@test "minimal: at most 80 lines after its header, all in one excerpt, nothing from common/" {
    local file=$REPO/linux/08-sem-undo/minimal.c n
    n=$(awk 'header_done { n++ } !header_done && /\*\// { header_done = 1 } END { print n + 0 }' "$file")
    [ "$n" -le 80 ] || fail "minimal.c has $n lines after its header comment; at most 80"
    run awk 'header_done && !first { first = $0 } !header_done && /\*\// { header_done = 1 } END { print first; print $0 }' "$file"
    assert_line --index 0 "/* excerpt: minimal */"
    assert_line --index 1 "/* end excerpt */"
    run grep -n '#include "' "$file"
    assert_output ""
}

@test "minimal: 3 copies started at once count 1, 2 and 3; SIGINT takes them to 0; the set stays, holding 0" {
    take_min_key
    local i
    for i in 1 2 3; do start_copy "m$i" "$MIN"; done
    for i in 1 2 3; do wait_for_line "m$i" '^joined '; done
    assert_equal "$(numbers_said joined)" "1 2 3"
    for i in 1 2 3; do kill -INT "$(pid_of "m$i")"; done
    for i in 1 2 3; do assert_exit "m$i" 0; done
    assert_equal "$(numbers_said left)" "0 1 2"
    assert_equal "$("$SEM_TOOL" get "$MIN_KEY")" "nsems=2 values=0,0 otime=set mode=600"
}

@test "minimal: kill -9 of one copy of two: the other sees the count drop to 1 at once" {
    take_min_key
    start_copy a "$MIN"
    wait_for_line a '^joined .* instances=1$'
    start_copy b "$MIN"
    wait_for_line b '^joined .* instances=2$'
    wait_for_line a '^now instances=2$'
    kill -KILL "$(pid_of b)"
    assert_exit b 137
    wait_for_line a '^now instances=1$'
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --index 3 --regexp '^left pid=[0-9]+ instances=0$'
    assert_equal "$("$SEM_TOOL" get "$MIN_KEY")" "nsems=2 values=0,0 otime=set mode=600"
}

@test "minimal: any argument exits 2 with a usage line and creates nothing" {
    take_min_key
    run "$MIN" --peek
    assert_equal "$status" 2
    assert_output --regexp '^usage: .*08-sem-undo-minimal \(no options; Ctrl\+C or kill -INT leaves\)$'
    run set_exists "$MIN_KEY"
    assert_failure
}

@test "minimal: the hardened demo refuses the minimal's set, which has 2 semaphores" {
    take_min_key
    start_copy m "$MIN"
    wait_for_line m '^joined .* instances=1$'
    run "$PROG" --key "$MIN_KEY" --peek
    assert_equal "$status" 1
    assert_output --partial "is not one of our counters: it has 2 semaphores, ours have 3"
    kill -INT "$(pid_of m)"
    assert_exit m 0
}

@test "minimal: the header comment's one-line command builds it alone, with no warning, with gcc and clang too" {
    local line
    line=$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/08-sem-undo/minimal.c")
    assert_equal "$line" "cc -std=c11 minimal.c -o 08-sem-undo-minimal"
    build_from_header linux/08-sem-undo "$line" "$line -Wall -Wextra -Wpedantic" \
        "${line/cc/gcc} -Wall -Wextra -Wpedantic" "${line/cc/clang} -Wall -Wextra -Wpedantic"
    [ -x "$BUILT/08-sem-undo-minimal" ]
}
