#!/usr/bin/env bats
# Demo 06, anonymous shared memory across fork: exact counts with 1, 3 and
# 20 children, --private (copy-on-write: every child counts 1), Ctrl+C and
# Enter at a terminal, signals, crashes, a killed parent, the command line,
# and the minimal version. The page has no name, so tests cannot collide:
# each runs its own process tree.

load helpers

setup() {
    PROG=$BIN_DIR/06-mmap-fork
    MINIMAL=$BIN_DIR/06-mmap-fork-minimal
    if [ ! -x "$PROG" ] || [ ! -x "$MINIMAL" ]; then fail "build the demo first: make"; fi
}

teardown() {
    if [ -n "${TMUX_SOCKET:-}" ]; then
        tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
        rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCKET" # tmux leaves its socket behind
    fi
    # Children of a copy that a test killed: end those still running, by pid.
    local pid
    for pid in ${ORPHANS:-}; do kill -KILL "$pid" 2>/dev/null || true; done
    cleanup_copies
}

# gone_or_zombie PID: the process has ended (a zombie has ended too).
gone_or_zombie() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    [ "$(cut -d ' ' -f 1 <<<"${stat##*) }")" = Z ]
}

# wait_in_waitpid PID: until the minimal parent sleeps, which after its
# last fork it only does in waitpid. A SIGTERM that came earlier would be
# lost (the race its header describes) and the test would hang.
wait_in_waitpid() {
    local deadline=$((SECONDS + 30)) stat
    while stat=$(cat "/proc/$1/stat" 2>/dev/null) && [ "$(cut -d ' ' -f 1 <<<"${stat##*) }")" != S ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "the parent $1 never sat down to wait"
        sleep 0.02
    done
}

# expected_run N: the exact lines of N children that join one after another
# and are told to leave, the last started first, as a regular expression.
expected_run() {
    local n=$1 i
    for ((i = 1; i <= n; i++)); do echo "joined pid=[0-9]+ instances=$i"; done
    for ((i = n - 1; i >= 0; i--)); do echo "left pid=[0-9]+ instances=$i"; done
    echo "parent: instances=0"
}

# exact_run N: N children with --hold 0 --quiet print exactly those lines.
exact_run() {
    run --separate-stderr "$PROG" --children "$1" --hold 0 --quiet
    assert_success
    assert_output --regexp "^$(expected_run "$1")\$"
    # shellcheck disable=SC2154 # run --separate-stderr sets stderr
    assert_equal "$stderr" ""
    # Every child is a process of its own: N different pids.
    assert_equal "$(grep -o '^joined pid=[0-9]*' <<<"$output" | sort -u | wc -l)" "$1"
}

bats_require_minimum_version 1.5.0 # run --separate-stderr

@test "1, 3 and 20 children count 1 to N and back down to 0, in order; the parent prints 0 last" {
    exact_run 1
    exact_run 3
    exact_run 20
}

@test "--private: copy-on-write gives every child its own page, so each counts 1; the parent's stays 0, even after a crash" {
    run --separate-stderr "$PROG" --children 3 --hold 0 --quiet --private
    assert_success
    assert_output --regexp '^joined pid=[0-9]+ instances=1
joined pid=[0-9]+ instances=1
joined pid=[0-9]+ instances=1
left pid=[0-9]+ instances=0
left pid=[0-9]+ instances=0
left pid=[0-9]+ instances=0
parent: instances=0$'
    # shellcheck disable=SC2154 # run --separate-stderr sets stderr
    assert_equal "$stderr" "note: --private: each child's first write to the page gave it a copy of its own (copy-on-write), so each counted only itself; the parent's page was never written after fork and still holds 0"
    # A crash costs nothing here: the dead child's count was in its own copy.
    run --separate-stderr "$PROG" --children 2 --hold 0 --quiet --private --crash
    assert_equal "$status" 1
    assert_equal "${lines[-1]}" "parent: instances=0"
    # shellcheck disable=SC2154 # run --separate-stderr sets stderr_lines
    assert_equal "${stderr_lines[0]}" "06-mmap-fork: child 2 (pid $(sed -n 's/^crashing pid=\([0-9]*\) .*/\1/p' <<<"$output")) was killed by signal 9 (Killed) without leaving: its count was in its own copy of the page, gone with it"
}

@test "the kernel's view: a shared anonymous page is rw-s /dev/zero (deleted) in every child; a private one is rw-p" {
    local child
    start_copy shared "$PROG" --children 2 --quiet
    wait_for_line shared '^joined pid=[0-9]+ instances=2$'
    while read -r child; do
        run grep -c ' rw-s 00000000 00:[0-9a-f]* [0-9]* *[/]dev[/]zero (deleted)$' "/proc/$child/maps"
        assert_output 1
    done < <(sed -n 's/^joined pid=\([0-9]*\) .*/\1/p' "$BATS_TEST_TMPDIR/shared.out")
    kill -TERM "$(pid_of shared)"
    assert_exit shared 0
    start_copy private "$PROG" --children 1 --quiet --private
    wait_for_line private '^joined pid=[0-9]+ instances=1$'
    child=$(sed -n 's/^joined pid=\([0-9]*\) .*/\1/p' "$BATS_TEST_TMPDIR/private.out")
    run grep -c ' rw-s .*/dev/zero' "/proc/$child/maps"
    assert_output 0
    kill -TERM "$(pid_of private)"
    assert_exit private 0
}

@test "the live loop prints now lines as children join" {
    # No --hold: the children stay until told, however slowly the first
    # one gets to look at the count.
    start_copy p "$PROG" --children 2
    wait_for_line p '^now instances=2$'
    kill -TERM "$(pid_of p)"
    assert_exit p 0
    run output_of p
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 1 --regexp '^joined pid=[0-9]+ instances=2$'
    assert_line 'now instances=2'
    # (--quiet: the exact runs above show no now line at all.)
}

@test "SIGTERM to the parent alone: it tells the children to leave, last first, and exits 0" {
    start_copy p "$PROG" --children 3 --quiet
    wait_for_line p '^joined pid=[0-9]+ instances=3$'
    kill -TERM "$(pid_of p)"
    assert_exit p 0
    run output_of p
    assert_output --regexp "^$(expected_run 3)\$"
}

# ----------------------------------------------------- at a terminal ----
# tmux_run COMMAND: run COMMAND (a bash command line) in a terminal of this
# test's own, in the foreground, as a person would type it.
tmux_run() {
    command -v tmux >/dev/null || skip "tmux is not installed"
    TMUX_SOCKET=shm-06-$$-$BATS_TEST_NUMBER
    # bash itself, not tmux's default shell ($SHELL, else the passwd shell,
    # else /bin/sh): dash dies of the Ctrl+C that the copies survive.
    # -f /dev/null: no tmux.conf of the user's.
    env -u TMUX tmux -f /dev/null -L "$TMUX_SOCKET" new-session -d -s test -x 200 -y 60 \
        bash -c "$1; sleep 600" 3>&-
}

pane() {
    tmux -L "$TMUX_SOCKET" capture-pane -p -J -S - -t test
}

# wait_for_pane REGEX [COUNT]: until COUNT lines (default 1) of the terminal match.
wait_for_pane() {
    local deadline=$((SECONDS + 20))
    until [ "$(pane | grep -cE "$1")" -ge "${2:-1}" ]; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "timed out waiting for /$1/ in the terminal:" >&2
            pane >&2
            return 1
        fi
        sleep 0.05
    done
}

@test "Ctrl+C at the terminal reaches the parent and every child: all leave, the parent prints its line last, exit 0" {
    tmux_run "$(printf %q "$PROG") --children 3 --quiet; echo status=\$?"
    wait_for_pane '^joined pid=[0-9]+ instances=3$'
    tmux -L "$TMUX_SOCKET" send-keys -t test C-c
    wait_for_pane '^status=[0-9]+$'
    run pane
    assert_line 'status=0'
    # Every child left, in some order (they all got SIGINT at once); one
    # of them left the count at 0; the parent's line comes after them all.
    # (The terminal echoes ^C just before the first left line.)
    assert_equal "$(grep -cE '^(\^C)?left pid=[0-9]+ instances=[0-2]$' <<<"$output")" 3
    assert_equal "$(grep -cE '^(\^C)?left pid=[0-9]+ instances=0$' <<<"$output")" 1
    assert_equal "$(grep -v '^$' <<<"$output" | tail -n 2 | head -n 1)" "parent: instances=0"
}

@test "Enter at the terminal is the parent's: it tells the children to leave, last first" {
    tmux_run "$(printf %q "$PROG") --children 3 --quiet; echo status=\$?"
    wait_for_pane '^joined pid=[0-9]+ instances=3$'
    tmux -L "$TMUX_SOCKET" send-keys -t test Enter
    wait_for_pane '^status=[0-9]+$'
    run bash -c "tmux -L '$TMUX_SOCKET' capture-pane -p -J -S - -t test | grep -E '^(joined|left|parent|status)'"
    assert_output --regexp "^$(expected_run 3)
status=0\$"
}

# ------------------------------------------------------------ crashes ----

@test "--crash: the last child dies without leaving; its 1 stays, the parent reports it and exits 1" {
    run --separate-stderr "$PROG" --children 3 --hold 0 --quiet --crash
    assert_equal "$status" 1
    assert_output --regexp '^joined pid=[0-9]+ instances=1
joined pid=[0-9]+ instances=2
joined pid=([0-9]+) instances=3
crashing pid=[0-9]+ instances=3
left pid=[0-9]+ instances=2
left pid=[0-9]+ instances=1
parent: instances=1$'
    local crashed
    crashed=$(sed -n 's/^crashing pid=\([0-9]*\) .*/\1/p' <<<"$output")
    # shellcheck disable=SC2154 # run --separate-stderr sets stderr
    assert_equal "$stderr" "06-mmap-fork: child 3 (pid $crashed) was killed by signal 9 (Killed) without leaving: its 1 stays in the shared count
note: the count is 1 after every child has ended: children that ended without leaving keep their 1 in it"
}

@test "kill -9 of one child: the others go on, its 1 stays in the count, and the parent exits 1 naming it" {
    local victim
    start_copy p "$PROG" --children 3 --quiet
    wait_for_line p '^joined pid=[0-9]+ instances=3$'
    victim=$(sed -n '2s/^joined pid=\([0-9]*\) .*/\1/p' "$BATS_TEST_TMPDIR/p.out")
    kill -KILL "$victim"
    kill -TERM "$(pid_of p)"
    assert_exit p 1
    run output_of p
    assert_output --regexp '^joined pid=[0-9]+ instances=1
joined pid=[0-9]+ instances=2
joined pid=[0-9]+ instances=3
left pid=[0-9]+ instances=2
left pid=[0-9]+ instances=1
parent: instances=1$'
    run cat "$BATS_TEST_TMPDIR/p.err"
    assert_line --index 0 "06-mmap-fork: child 2 (pid $victim) was killed by signal 9 (Killed) without leaving: its 1 stays in the shared count"
}

@test "kill -9 of the parent: every child gets SIGTERM from the kernel and leaves by itself" {
    local child
    start_copy p "$PROG" --children 3 --quiet
    wait_for_line p '^joined pid=[0-9]+ instances=3$'
    ORPHANS=$(sed -n 's/^joined pid=\([0-9]*\) .*/\1/p' "$BATS_TEST_TMPDIR/p.out")
    kill -KILL "$(pid_of p)"
    assert_exit p 137
    # No parent is left for wait_for_line to watch: wait for the left lines
    # themselves (no time limit but the generous one of every wait here),
    # then for each child to be gone. A zombie counts as gone: whoever
    # adopted it reaps it when it likes, and kill -0 still finds it until then.
    local deadline=$((SECONDS + 30))
    until [ "$(grep -c '^left pid=[0-9]* instances=[0-2]$' "$BATS_TEST_TMPDIR/p.out")" -eq 3 ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "the children did not all leave: $(cat "$BATS_TEST_TMPDIR/p.out")"
        sleep 0.05
    done
    for child in $ORPHANS; do
        until gone_or_zombie "$child"; do
            [ "$SECONDS" -lt "$deadline" ] || fail "child $child still runs after its parent was killed"
            sleep 0.05
        done
    done
    ORPHANS="" # all gone: teardown must not kill their pids, which may be reused
    run output_of p
    assert_equal "$(grep -c '^left pid=[0-9]* instances=[0-2]$' <<<"$output")" 3
    refute_line --partial 'parent:'
}

@test "started with SIGCHLD ignored (inherited across execve), both versions still wait for their children" {
    # perl sets SIGCHLD to SIG_IGN and execs the program, which inherits it.
    # shellcheck disable=SC2016 # perl's variables, not the shell's
    local ignoring=(perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV or die "exec: $!"')
    # The kernel would reap the children itself: the crash would go unseen.
    run --separate-stderr "${ignoring[@]}" "$PROG" --children 2 --hold 0 --quiet --crash
    assert_equal "$status" 1
    assert_equal "${lines[-1]}" "parent: instances=1"
    # shellcheck disable=SC2154 # run --separate-stderr sets stderr_lines
    assert_regex "${stderr_lines[0]}" '^06-mmap-fork: child 2 \(pid [0-9]+\) was killed by signal 9 '
    # The minimal parent's waitpid would fail with ECHILD, and it would
    # loop for ever: wait for it to end, with a limit, rather than hang.
    start_copy m "${ignoring[@]}" "$MINIMAL" 2
    wait_for_line m '^joined pid=[0-9]+ instances=2$'
    wait_in_waitpid "$(pid_of m)"
    kill -TERM "$(pid_of m)"
    local deadline=$((SECONDS + 30))
    until gone_or_zombie "$(pid_of m)"; do
        [ "$SECONDS" -lt "$deadline" ] || fail "the minimal parent did not end: $(cat "$BATS_TEST_TMPDIR/m.out")"
        sleep 0.05
    done
    assert_exit m 0
    run output_of m
    assert_equal "${lines[-1]}" "parent: instances=0"
}

# ------------------------------------------------------- command line ----

@test "every bad command line exits 2, names the argument, and starts no child, and --help exits 0" {
    local args
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        run "$PROG" $args
        assert_equal "$status" 2
        assert_line --index 0 --partial "$expect"
        assert_output --partial "usage: 06-mmap-fork --children N"
        refute_output --partial "joined"
    done <<'EOF'
|--children N is required
--hold 0|--children N is required
--children|option '--children' needs a value
--children 0|--children: '0' is not a whole number from 1 to 1000
--children 1001|--children: '1001' is not a whole number from 1 to 1000
--children -3|--children: '-3' is not a whole number from 1 to 1000
--children 2x|--children: '2x' is not a whole number from 1 to 1000
--children 2 --hold abc|--hold: 'abc' is not a whole number of seconds
--children 2 --hold -1|--hold: '-1' is not a whole number of seconds
--children 2 --private=yes|option '--private' takes no value
--children 2 --bogus|unknown option '--bogus'
--children 2 stray|unexpected argument 'stray'
--children 2 --peek|--peek: there is nothing to look up: the shared page has no name
--peek|--peek: there is nothing to look up
--children 2 --key 0x1234|--key: the shared page has no name, key or file
--children 2 --name=/x|--name: the shared page has no name, key or file
--children 2 --file f|--file: the shared page has no name, key or file
EOF
    run "$PROG" --help
    assert_success
    assert_line --index 0 --partial "a parent maps an anonymous page and its N children count themselves in it"
    assert_output --partial "usage: 06-mmap-fork --children N [--private] [--hold SECONDS] [--quiet] [--crash]"
    assert_output --partial "nothing to look up"
}

@test "the header comment's one-line command builds the demo on its own" {
    build_from_header linux/06-mmap-fork "$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/06-mmap-fork/mmap_fork.c")"
    run "$BUILT/06-mmap-fork" --children 2 --hold 0 --quiet
    assert_success
    assert_output --regexp "^$(expected_run 2)\$"
}

# ------------------------------------------------------------ minimal ----

@test "minimal: 3 children count 1 to 3 together; SIGTERM to the parent ends them all, the parent sees 0" {
    start_copy m "$MINIMAL" 3
    wait_for_line m '^joined pid=[0-9]+ instances=3$'
    wait_in_waitpid "$(pid_of m)"
    kill -TERM "$(pid_of m)"
    assert_exit m 0
    run output_of m
    # The children join and leave in any order: the counts, not the order.
    assert_equal "$(sed -n 's/^joined pid=[0-9]* instances=//p' <<<"$output" | sort -n | xargs)" "1 2 3"
    assert_equal "$(sed -n 's/^left pid=[0-9]* instances=//p' <<<"$output" | sort -n | xargs)" "0 1 2"
    assert_equal "${lines[-1]}" "parent: instances=0"
}

@test "minimal: Ctrl+C to the whole process group ends every child and the parent, which prints 0" {
    start_copy m setsid "$MINIMAL" 2 # a process group of its own, as a terminal's foreground job
    wait_for_line m '^joined pid=[0-9]+ instances=2$'
    kill -INT -- "-$(pid_of m)"
    assert_exit m 0
    run output_of m
    assert_equal "$(grep -c '^left ' <<<"$output")" 2
    assert_equal "${lines[-1]}" "parent: instances=0"
}

@test "minimal: a bad argument exits 2 with a usage line and starts nothing" {
    local arg
    for arg in "" 0 1001 3x --children; do
        # shellcheck disable=SC2086 # "" stands for no argument at all
        run "$MINIMAL" $arg
        assert_equal "$status" 2
        assert_output --regexp '^usage: .*06-mmap-fork-minimal N \(children, 1 to 1000; Ctrl\+C leaves\)$'
    done
    run "$MINIMAL" 1 2
    assert_equal "$status" 2
}

@test "minimal: at most 80 lines after its header, in one excerpt, nothing of common/; its header's line builds it with no warning" {
    local file=$REPO/linux/06-mmap-fork/minimal.c n line
    n=$(awk 'header_done { n++ } !header_done && /\*\// { header_done = 1 } END { print n + 0 }' "$file")
    [ "$n" -le 80 ] || fail "minimal.c has $n lines after its header comment; at most 80"
    run awk 'header_done && !first { first = $0 } !header_done && /\*\// { header_done = 1 } END { print first; print $0 }' "$file"
    assert_line --index 0 "/* excerpt: minimal */"
    assert_line --index 1 "/* end excerpt */"
    run grep -c '#include "' "$file"
    assert_output 0
    line=$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/06-mmap-fork/minimal.c")
    assert_equal "$line" "cc -std=c11 minimal.c -o 06-mmap-fork-minimal"
    build_from_header linux/06-mmap-fork "$line" "gcc${line#cc} -Wall -Wextra -Wpedantic" "clang${line#cc} -Wall -Wextra -Wpedantic"
    start_copy built "$BUILT/06-mmap-fork-minimal" 1
    wait_for_line built '^joined pid=[0-9]+ instances=1$'
    wait_in_waitpid "$(pid_of built)"
    kill -TERM "$(pid_of built)"
    assert_exit built 0
}
