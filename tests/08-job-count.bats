#!/usr/bin/env bats
# Demo 08 for Windows, a named job object, under Wine; its minimal version
# too (the tests named "minimal: ..."). Each test uses names of its own.
# Both builds run in every scenario: the name, not the file, is the
# identity, so MinGW GCC and clang + lld copies share one job. Wine starts
# are slow, so each test starts few programs and checks much with them.

load helpers

setup() {
    need_wine
    NAME=test08-$$-$BATS_TEST_NUMBER-$RANDOM
    TOOL=$TEST_TOOL_DIR/mapping-tool.exe
    GCC=$WIN_DIR/08-job-count.exe
    CLANG=$WIN_DIR/08-job-count-clang.exe
    MIN_NAME=$(sed -n 's/^#define NAME L"Local\\\\\([^"]*\)"$/\1/p' "$REPO/windows/08-job-count/minimal.c")
}

teardown() {
    if [ -n "${TMUX_SOCKET:-}" ]; then
        tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
        rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCKET"
    fi
    cleanup_copies
}

# joined_numbers: the instances= of every join line of this test, sorted.
joined_numbers() {
    cat "$BATS_TEST_TMPDIR"/*.out | tr -d '\r' | sed -n 's/^joined pid=[0-9]* instances=//p' | sort -n | xargs
}

# wait_for_nth NAME LINE N: until NAME.out has N lines that are exactly
# LINE (a count can come back: "now instances=2" twice).
wait_for_nth() {
    local deadline=$((SECONDS + 30))
    until [ "$(output_of "$1" | grep -cxF -- "$2")" -ge "$3" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for '$2' number $3 from $1: $(output_of "$1")"
        sleep 0.02
    done
}

left_numbers() { # FILES...: the instances= of their left lines, sorted
    cat "$@" | tr -d '\r' | sed -n 's/^left pid=[0-9]* instances=//p' | sort -n | xargs
}

@test "08: 1 copy, then 3 (both builds), count exactly, leave on Ctrl+C, and the job is gone after" {
    windows_count_together 1 "$GCC" --name "$NAME"
    rm -f "$BATS_TEST_TMPDIR"/c*.out
    windows_count_together 3 "$CLANG" --name "$NAME"
}

# 20 copies (10 of each build) count 20; kill -9 (TerminateProcess, as
# taskkill /f does) of a random half: the next peek, at once, counts the
# survivors, and so does each survivor's live loop; they leave 9 to 0.
@test "08: 20 copies count 20; kill -9 of a random half, and the peek equals the survivors at once" {
    local i exe victims=() survivors=() files=()
    for ((i = 1; i <= 20; i++)); do
        exe=$GCC
        [ $((i % 2)) -eq 0 ] || exe=$CLANG
        start_copy "c$i" wine "$exe" --name "$NAME" --quiet
    done
    for ((i = 1; i <= 20; i++)); do wait_for_line "c$i" '^joined ' 60; done
    run joined_numbers
    assert_output "$(seq 1 20 | xargs)"
    winrun "$GCC" --peek --name "$NAME"
    assert_output "instances=20"
    mapfile -t victims < <(seq 1 20 | shuf | head -n 10)
    for i in "${victims[@]}"; do kill -KILL "$(pid_of "c$i")"; done
    for i in "${victims[@]}"; do assert_exit "c$i" 137; done
    # No waiting, no stale period: the kernel took them out as they died.
    winrun "$CLANG" --peek --name "$NAME"
    assert_output "instances=10"
    mapfile -t survivors < <(seq 1 20 | grep -vxF -f <(printf '%s\n' "${victims[@]}"))
    [ "${#survivors[@]}" -eq 10 ]
    for i in "${survivors[@]}"; do kill -INT "$(pid_of "c$i")"; done
    for i in "${survivors[@]}"; do assert_exit "c$i" 0; done
    files=()
    for i in "${survivors[@]}"; do files+=("$BATS_TEST_TMPDIR/c$i.out"); done
    run left_numbers "${files[@]}"
    assert_output "0 1 2 3 4 5 6 7 8 9"
    winrun "$GCC" --peek --name "$NAME"
    assert_output "instances=0"
}

# Copies are killed at random moments while they start and join (some
# before Wine has even started them, some holding the lock), then a later
# copy finds nothing left of them: it counts from 1.
@test "08: a kill -9 storm while copies are joining; a later copy counts from 1" {
    local i exe order=()
    for ((i = 1; i <= 12; i++)); do
        exe=$GCC
        [ $((i % 2)) -eq 0 ] || exe=$CLANG
        start_copy "s$i" wine "$exe" --name "$NAME" --quiet
    done
    mapfile -t order < <(seq 1 12 | shuf)
    for i in "${order[@]}"; do
        sleep "0.0$((RANDOM % 6))"
        kill -KILL "$(pid_of "s$i")" 2>/dev/null || true
    done
    for i in "${order[@]}"; do wait "$(pid_of "s$i")" 2>/dev/null || true; done
    winrun "$CLANG" --peek --name "$NAME"
    assert_output "instances=0"
    winrun "$GCC" --name "$NAME" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 1 --regexp '^left pid=[0-9]+ instances=0$'
}

# --crash ends a copy with TerminateProcess: it never leaves, yet the count
# is right at once, for the peek and for the copy still running.
@test "08: --crash: exit 9, never leaves, and the count drops at once" {
    start_copy a wine "$GCC" --name "$NAME"
    wait_for_line a '^joined pid=[0-9]+ instances=1$' 60
    winrun "$CLANG" --name "$NAME" --hold 0 --crash
    assert_equal "$status" 9
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=2$'
    assert_line --index 1 --regexp '^crashing pid=[0-9]+ instances=2$'
    refute_line --partial 'left '
    winrun "$GCC" --peek --name "$NAME"
    assert_output "instances=1"
    # The running copy may have seen the crashed one (it lived for less than
    # one look, or more); if it saw it come, it sees it go.
    if output_of a | grep -qx 'now instances=2'; then wait_for_line a '^now instances=1$' 30; fi
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_output --regexp '^joined pid=[0-9]+ instances=1
(now instances=2
now instances=1
)?left pid=[0-9]+ instances=0$'
}

# The counter-example: a semaphore that each copy raises at join and lowers
# at leave. kill -9 one copy of three: the job counts 2, the semaphore still
# 3, and the survivors leave saying 2 and 1. When the last handle closes the
# semaphore is gone, and the leak with it.
@test "08: --semaphore: after kill -9 the semaphore keeps the dead copy's 1; the job count is right" {
    start_copy a wine "$GCC" --name "$NAME" --semaphore
    wait_for_line a '^joined pid=[0-9]+ instances=1$' 60
    start_copy b wine "$CLANG" --name "$NAME" --semaphore --quiet
    wait_for_line b '^joined pid=[0-9]+ instances=2$' 60
    wait_for_line a '^now instances=2$' 30
    start_copy killed wine "$GCC" --name "$NAME" --semaphore --quiet
    wait_for_line killed '^joined pid=[0-9]+ instances=3$' 60
    wait_for_line a '^now instances=3$' 30
    kill -KILL "$(pid_of killed)"
    assert_exit killed 137
    winrun "$CLANG" --peek --name "$NAME"
    assert_output "instances=2"
    winrun "$GCC" --peek --name "$NAME" --semaphore
    assert_output "instances=3"
    kill -INT "$(pid_of b)"
    assert_exit b 0
    run output_of b
    assert_line --regexp '^left pid=[0-9]+ instances=2$' # one too many: the dead copy's
    wait_for_nth a 'now instances=2' 2
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_output --regexp '^joined pid=[0-9]+ instances=1
now instances=2
now instances=3
now instances=2
left pid=[0-9]+ instances=1$'
    winrun "$GCC" --peek --name "$NAME" --semaphore
    assert_output "instances=0"
    winrun "$GCC" --peek --name "$NAME"
    assert_output "instances=0"
}

# (launch.bat is tested once, with demo 02, in tests/launch-bat.bats: each
# of its peeks is a Wine start inside Wine's cmd, the slowest and least
# predictable thing the suite does.)
@test "08: launch.sh with 5 copies under Wine, for each build" {
    local exe
    for exe in "$GCC" "$CLANG"; do
        run "$LAUNCH" -n 5 -- "$exe" --name "$NAME"
        assert_success
        assert_line --regexp "^  joined +5 of 5 \(their join lines said instances=1 to 5\)   ok$"
        assert_line --regexp "^  peek, running +instances=5   ok$"
        assert_line --regexp "^  stopped +SIGINT to every copy; 5 of 5 exited 0$WINE_LATE_NOTE   ok$"
        assert_line --regexp "^  left +5 of 5 \(their left lines said instances=0 to 4\)   ok$"
        assert_line --regexp "^  peek, after +instances=0   ok$"
        assert_line "launch: ok"
    done
}

@test "08: a name that holds a file mapping (not a job) is refused, untouched; so is a lock name that is not a mutex" {
    start_copy tool wine "$TOOL" "$NAME" 16 zero 30
    wait_for_line tool '^ready$' 60
    winrun "$GCC" --name "$NAME" --hold 0
    assert_equal "$status" 1
    assert_line --index 0 --partial "08-job-count.exe: CreateJobObjectW(Local\\$NAME): error 6 ("
    assert_line --index 1 "08-job-count.exe: Local\\$NAME exists and is not a job object: events, semaphores, mutexes, waitable timers, file mappings and job objects share one namespace. It was left untouched; use another --name"
    winrun "$CLANG" --peek --name "$NAME"
    assert_equal "$status" 1
    assert_line --index 0 --partial "08-job-count-clang.exe: OpenJobObjectW(Local\\$NAME): error 6 ("
    assert_line --index 1 --partial "Local\\$NAME exists and is not a job object"
    kill -INT "$(pid_of tool)"
    assert_exit tool 0 "$TOOL_LAST_LINE"
    run output_of tool
    assert_line --index 1 "unchanged"
    # The job is free, its lock's name is not: refused, and the job made a
    # moment before went with its only handle.
    start_copy tool2 wine "$TOOL" "$NAME-x-lock" 16 zero 30
    wait_for_line tool2 '^ready$' 60
    winrun "$CLANG" --name "$NAME-x" --hold 0
    assert_equal "$status" 1
    assert_line --index 0 --partial "CreateMutexW(Local\\$NAME-x-lock): error 6 ("
    assert_line --index 1 --partial "Local\\$NAME-x-lock exists and is not a mutex"
    winrun "$GCC" --peek --name "$NAME-x"
    assert_output "instances=0"
    kill -INT "$(pid_of tool2)"
    assert_exit tool2 0 "$TOOL_LAST_LINE"
    # --semaphore, when its name holds a mapping: refused too, and peeked at.
    start_copy tool3 wine "$TOOL" "$NAME-y-semaphore" 16 zero 30
    wait_for_line tool3 '^ready$' 60
    winrun "$GCC" --name "$NAME-y" --semaphore --hold 0
    assert_equal "$status" 1
    assert_line --index 0 --partial "CreateSemaphoreW(Local\\$NAME-y-semaphore): error 6 ("
    assert_line --index 1 --partial "Local\\$NAME-y-semaphore exists and is not a semaphore"
    winrun "$CLANG" --peek --name "$NAME-y" --semaphore
    assert_equal "$status" 1
    assert_line --index 0 --partial "OpenSemaphoreW(Local\\$NAME-y-semaphore): error 6 ("
    kill -INT "$(pid_of tool3)"
    assert_exit tool3 0 "$TOOL_LAST_LINE"
}

# A job whose security descriptor lets nobody in (an empty DACL): a copy
# and a peek both get error 5, and say that the creator decides who may.
@test "08: a job whose security descriptor lets nobody in is refused, and the reason named" {
    cat >"$BATS_TEST_TMPDIR/deny.c" <<'EOF'
#include <windows.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    wchar_t name[256];
    SECURITY_DESCRIPTOR sd;
    ACL acl;
    SECURITY_ATTRIBUTES sa = { sizeof sa, &sd, FALSE };
    if (argc != 2 || swprintf(name, 256, L"Local\\%hs", argv[1]) < 0 ||
        !InitializeAcl(&acl, sizeof acl, ACL_REVISION) ||
        !InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION) ||
        !SetSecurityDescriptorDacl(&sd, TRUE, &acl, FALSE) || CreateJobObjectW(&sa, name) == NULL)
        return 1;
    printf("ready\n");
    fflush(stdout);
    Sleep(30000);
    return 0;
}
EOF
    x86_64-w64-mingw32-gcc -std=c11 -o "$BATS_TEST_TMPDIR/deny.exe" "$BATS_TEST_TMPDIR/deny.c"
    start_copy deny wine "$BATS_TEST_TMPDIR/deny.exe" "$NAME"
    wait_for_line deny '^ready$' 60
    winrun "$GCC" --name "$NAME" --hold 0
    assert_equal "$status" 1
    assert_line --index 0 --partial "08-job-count.exe: CreateJobObjectW(Local\\$NAME): error 5 ("
    assert_line --index 1 "08-job-count.exe: Local\\$NAME exists, and its security descriptor does not let you in: its creator decides who may"
    winrun "$CLANG" --peek --name "$NAME"
    assert_equal "$status" 1
    assert_line --index 0 --partial "08-job-count-clang.exe: OpenJobObjectW(Local\\$NAME): error 5 ("
    assert_line --index 1 --partial "its security descriptor does not let you in"
}

@test "08: --global uses the Global\\ namespace; --peek creates nothing" {
    start_copy g wine "$GCC" --name "$NAME" --global --quiet
    wait_for_line g '^joined pid=[0-9]+ instances=1$' 60
    winrun "$CLANG" --peek --name "$NAME" --global
    assert_output "instances=1"
    winrun "$CLANG" --peek --name "$NAME" # Local\ is another name
    assert_output "instances=0"
    kill -INT "$(pid_of g)"
    assert_exit g 0
    winrun "$GCC" --peek --name "$NAME" --global
    assert_output "instances=0"
    winrun "$GCC" --peek --name "$NAME" --global --semaphore
    assert_output "instances=0"
}

# Copies started from a console that already runs in a job (here a
# launcher that puts itself in an unnamed job, then starts each command
# line once Local\NAME counts the ones before it): since Windows 8, and
# under Wine, ours nests in that job, and counts as usual. But a job that
# already holds a copy from outside cannot also nest in another job: that
# copy is refused with error 5, explained.
@test "08: copies from a console that runs in a job nest ours in it; a job with outside copies refuses them" {
    local dir=$BATS_TEST_TMPDIR
    cat >"$dir/injob.c" <<'EOF'
#include <windows.h>

#include <wchar.h>

/* Until Local\NAME counts `want` processes (a minute at most): waiting for
 * the count, not for a fixed time, so a slow start cannot reorder lines. */
static BOOL counts(const char *name, DWORD want)
{
    wchar_t wide[256];
    swprintf(wide, 256, L"Local\\%hs", name);
    for (int i = 0; i < 1200; i++, Sleep(50)) {
        JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info;
        HANDLE job = OpenJobObjectW(JOB_OBJECT_QUERY, FALSE, wide);
        BOOL ok = job != NULL && QueryInformationJobObject(job, JobObjectBasicAccountingInformation,
                                                           &info, sizeof info, NULL);
        if (job != NULL)
            CloseHandle(job);
        if (ok && info.ActiveProcesses >= want)
            return TRUE;
    }
    return FALSE;
}

int main(int argc, char **argv) /* injob NAME COMMAND... */
{
    STARTUPINFOA si = { sizeof si };
    PROCESS_INFORMATION pi[8];
    DWORD code = 0, one;
    HANDLE job = CreateJobObjectW(NULL, NULL); /* unnamed: the console's job, say */
    if (argc < 3 || argc > 10 || job == NULL || !AssignProcessToJobObject(job, GetCurrentProcess()))
        return 3;
    for (int i = 2; i < argc; i++) {
        if (i > 2 && !counts(argv[1], (DWORD)(i - 2)))
            return 4;
        if (!CreateProcessA(NULL, argv[i], NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi[i - 2]))
            return 3;
    }
    for (int i = 2; i < argc; i++) {
        WaitForSingleObject(pi[i - 2].hProcess, INFINITE);
        GetExitCodeProcess(pi[i - 2].hProcess, &one);
        code = code > one ? code : one;
    }
    return (int)code;
}
EOF
    x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -o "$dir/injob.exe" "$dir/injob.c"
    # The GCC copy holds long enough for the clang copy to start, join and
    # leave inside it on a slow machine too (a Wine start can take seconds).
    winrun "$dir/injob.exe" "$NAME" "$(win_path "$GCC") --name $NAME --hold 8 --quiet" \
        "$(win_path "$CLANG") --name $NAME --hold 0"
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --index 1 --regexp '^joined pid=[0-9]+ instances=2$'
    assert_line --index 2 --regexp '^left pid=[0-9]+ instances=1$'
    # 0, not 1: the launcher still holds the ended clang copy's process
    # handle, and the job has let it go all the same.
    assert_line --index 3 --regexp '^left pid=[0-9]+ instances=0$'
    start_copy a wine "$GCC" --name "$NAME" --quiet
    wait_for_line a '^joined pid=[0-9]+ instances=1$' 60
    winrun "$dir/injob.exe" "$NAME" "$(win_path "$CLANG") --name $NAME --hold 0"
    assert_equal "$status" 1
    assert_line --index 0 --partial "08-job-count-clang.exe: AssignProcessToJobObject(Local\\$NAME): error 5 ("
    assert_line --index 1 --partial "this process already runs in a job"
    winrun "$GCC" --peek --name "$NAME"
    assert_output "instances=1"
    kill -INT "$(pid_of a)"
    assert_exit a 0
}

@test "08: --help says what keeps the count, and what a job cannot do across sessions" {
    winrun "$GCC" --help
    assert_success
    assert_output --partial "The count is the job's ActiveProcesses"
    assert_output --partial "a copy from"
    assert_output --partial "--semaphore"
    assert_output --partial "start /b ... <nul"
}

@test "08: every bad command line exits 2, names the argument, and creates nothing" {
    local args expect
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        winrun "$GCC" $args
        assert_equal "$status" 2
        assert_line --index 0 --partial "$expect"
        assert_output --partial "usage: 08-job-count.exe"
    done <<LINES
--name|option '--name' needs a value
--name a\\b|--name: 'a\\b' may not contain
--global=1|option '--global' takes no value
--semaphore=yes|option '--semaphore' takes no value
--key 5|unknown option '--key'
--file x|unknown option '--file'
--hold abc|--hold: 'abc' is not a whole number
--hold -1|--hold: '-1' is not a whole number
stray|unexpected argument 'stray'
--peek --crash|--peek cannot be combined with --crash
--name $NAME --peek --hold 1|--peek cannot be combined with --hold
LINES
    winrun "$CLANG" --name "$(printf 'x%.0s' {1..201})"
    assert_equal "$status" 2
    assert_output --partial "must be 1 to 200 characters"
    winrun "$CLANG" --peek --name "$NAME"
    assert_output "instances=0"
}

@test "08: the header comment's one-line commands build the demo, each into a file of its own" {
    local src=$REPO/windows/08-job-count/job_count.c lines=() file
    run bash -c "sed -n 's/^ \*   .*\(-o \|\/Fe\)\([^ ]*\) .*$/\2/p' '$src' | sort | uniq -d"
    assert_output ""
    mapfile -t lines < <(sed -n 's/^ \*   \(\(x86_64-w64-mingw32-gcc\|clang\) .*\)$/\1/p' "$src")
    [ "${#lines[@]}" -eq 2 ]
    build_from_header windows/08-job-count "${lines[@]}"
    for file in 08-job-count.exe 08-job-count-clang.exe; do
        winrun "$BUILT/$file" --peek --name "$NAME"
        assert_output "instances=0"
    done
}

# ----------------------------------------------------- Ctrl+C in a console ----
# A real console: tmux gives Wine a terminal. mapping-tool.exe starts the
# copy with Ctrl+C ignored, as start /b does, and then presses Ctrl+C once a
# second; the copy turns Ctrl+C back on, leaves, and exits 0.
tmux_run() {
    command -v tmux >/dev/null || skip "tmux is not installed"
    TMUX_SOCKET=shm-$NAME
    # bash itself, not tmux's default shell ($SHELL, else the passwd shell,
    # else /bin/sh); -f /dev/null: no tmux.conf of the user's.
    env -u TMUX tmux -f /dev/null -L "$TMUX_SOCKET" new-session -d -s test -x 250 -y 50 \
        bash -c "export WINEPREFIX=$(printf %q "$WINEPREFIX") WINEDEBUG=-all; $1; sleep 600" 3>&-
}

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

@test "08: Ctrl+C in a console: the copy (each build in turn) leaves, and exits 0" {
    tmux_run "for e in $(printf %q "$GCC") $(printf %q "$CLANG"); do wine $(printf %q "$TOOL") --ctrl-c-ignored \$e --name $NAME --hold 60; echo status=\$?; done"
    wait_for_pane '^joined pid=[0-9]+ instances=1$' 60
    wait_for_pane '^left pid=[0-9]+ instances=0$' 20
    wait_for_pane '^status=0$' 10
    run bash -c "tmux -L '$TMUX_SOCKET' capture-pane -p -J -t test | grep -c '^status=0$'"
    until [ "$output" -ge 2 ] || [ "${tries:=0}" -ge 300 ]; do
        sleep 0.1
        tries=$((tries + 1))
        run bash -c "tmux -L '$TMUX_SOCKET' capture-pane -p -J -t test | grep -c '^status=0$'"
    done
    assert_output 2
    run bash -c "tmux -L '$TMUX_SOCKET' capture-pane -p -J -t test | grep -c '^left pid=[0-9]* instances=0$'"
    assert_output 2
}

# ---------------------------------------------------------------- minimal ----

@test "minimal: at most 80 lines after its header, all in one excerpt, nothing of common/" {
    local file=$REPO/windows/08-job-count/minimal.c n
    n=$(awk 'header_done { n++ } !header_done && /\*\// { header_done = 1 } END { print n + 0 }' "$file")
    [ "$n" -le 80 ] || fail "minimal.c has $n lines after its header comment; at most 80"
    run awk 'header_done && !first { first = $0 } !header_done && /\*\// { header_done = 1 } END { print first; print $0 }' "$file"
    assert_line --index 0 "/* excerpt: minimal */"
    assert_line --index 1 "/* end excerpt */"
    run grep -n '#include "' "$file"
    assert_output ""
    [ "$MIN_NAME" = shm-suite-08-minimal ]
}

# Three copies join one after another (both builds: one name), the first
# sees each change; kill -9 of the last drops the count at once, which the
# first copy's live loop shows; Ctrl+C takes the rest to 0.
@test "minimal: copies count 1, 2, 3; kill -9 of one drops the count at once; Ctrl+C takes them to 0" {
    local i exe
    for i in 1 2 3; do
        exe=$WIN_DIR/08-job-count-minimal.exe
        [ "$i" -ne 2 ] || exe=$WIN_DIR/08-job-count-minimal-clang.exe
        start_copy "m$i" wine "$exe"
        wait_for_line "m$i" "^joined pid=[0-9]+ instances=$i\$" 60
        wait_for_line m1 "^(joined pid=[0-9]+ |now )instances=$i\$" 30
    done
    kill -KILL "$(pid_of m3)"
    assert_exit m3 137
    wait_for_nth m1 'now instances=2' 2
    kill -INT "$(pid_of m2)"
    assert_exit m2 0
    wait_for_line m1 '^now instances=1$' 30
    kill -INT "$(pid_of m1)"
    assert_exit m1 0
    run output_of m1
    assert_output --regexp '^joined pid=[0-9]+ instances=1
now instances=2
now instances=3
now instances=2
now instances=1
left pid=[0-9]+ instances=0$'
    run output_of m2
    assert_line --regexp '^left pid=[0-9]+ instances=1$'
    winrun "$WIN_DIR/08-job-count-minimal-clang.exe" --hold 0
    assert_success
    assert_output --regexp '^joined pid=[0-9]+ instances=1
left pid=[0-9]+ instances=0$'
}

@test "minimal: a bad command line exits 2 with a usage line; a name that is not a job gives error 6" {
    winrun "$WIN_DIR/08-job-count-minimal.exe" --peek
    assert_equal "$status" 2
    assert_output --regexp '^usage: .*08-job-count-minimal\.exe \[--hold SECONDS\]$'
    winrun "$WIN_DIR/08-job-count-minimal-clang.exe" --hold x
    assert_equal "$status" 2
    start_copy tool wine "$TOOL" "$MIN_NAME" 16 zero 30
    wait_for_line tool '^ready$' 60
    winrun "$WIN_DIR/08-job-count-minimal.exe" --hold 0
    assert_equal "$status" 1
    assert_output "CreateJobObjectW failed for Local\\$MIN_NAME: error 6"
    kill -INT "$(pid_of tool)"
    assert_exit tool 0 "$TOOL_LAST_LINE"
}

@test "minimal: the header comment's MinGW and clang lines build it alone, with no warning" {
    local dir=$BATS_TEST_TMPDIR/scratch line
    mkdir -p "$dir"
    cp -r "$REPO/windows/08-job-count" "$dir/"
    for line in "$(sed -n 's/^ \*   \(x86_64-w64-mingw32-gcc .*\)$/\1/p' "$dir/08-job-count/minimal.c")" \
        "$(sed -n 's/^ \*   \(clang .*\)$/\1/p' "$dir/08-job-count/minimal.c")"; do
        [ -n "$line" ] || fail "no build line found in the header comment"
        run bash -c "cd '$dir/08-job-count' && $line -Wall -Wextra -Wpedantic 2>&1"
        assert_success
        assert_output ""
    done
    winrun "$dir/08-job-count/08-job-count-minimal-clang.exe" --hold 0
    assert_success
    assert_line --index 0 --regexp '^joined pid=[0-9]+ instances=1$'
}
