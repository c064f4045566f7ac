#!/usr/bin/env bash
# launch.sh - start N copies of a counting demo, check that they count
# together, stop them, and check that the count goes back to 0.
#
#   scripts/launch.sh [-n N] [--hold S] [--] PROGRAM [ARGS...]
#
# Example:
#   $ scripts/launch.sh -n 3 -- build/bin/03-sysv-shm --key 0x1234
#   launch: 3 copies of 03-sysv-shm --key 0x1234
#     joined           3 of 3 (their join lines said instances=1 to 3)   ok
#     peek, running    instances=3 nattch=3   ok
#     stopped          SIGINT to every copy; 3 of 3 exited 0   ok
#     left             3 of 3 (their left lines said instances=0 to 2)   ok
#     peek, after      instances=0 nattch=0   ok
#     left behind      nothing under key 0x00001234 in ipcs -m   ok
#   launch: ok
#
# scripts\launch.bat, its Windows twin, makes the same checks in the same
# words, except "stopped" and "left behind" (a batch file cannot read the
# exit status of a start /b copy, and Windows has no ipcs).
# For demo 04 (its peek shows mappers=) "left behind" checks that
# /dev/shm/NAME is gone.
# A program without --peek (the minimal versions) is judged from its join
# and left lines alone: they must say 1 to N, and N-1 to 0, once each.
# PROGRAM ending in .exe runs under Wine, in $WINEPREFIX if it is set, or
# else in a new prefix made for this run and removed at the end. ARGS are
# passed to every copy; --peek gets the identity options among them.
# Under Wine, a copy that ends with status 137 after its left line, with
# nothing on standard error, was killed by Wine's server after it had
# finished (scripts/wine-prefix.bash says why): it counts as exited 0, and
# the "stopped" line says how many there were.
# Exit status: 0 every check passed, 1 a check failed, 2 bad command line.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/launch.sh [-n N] [--hold S] [--] PROGRAM [ARGS...]

  -n N        how many copies to start (default 3; 1 to 2000)
  --hold S    pass --hold S to every copy and let it run out, instead of
              stopping the copies with SIGINT after the peek
  -h, --help  print this help

Starts the copies in the background, waits for every join line, peeks the
count (it must be N), stops the copies, waits for them, and checks that the
count is back to 0, every copy exited 0 and nothing was left behind.
Exit status: 0 all checks passed, 1 a check failed, 2 bad command line.
EOF
}

die_usage() {
    printf 'launch.sh: %s\n' "$1" >&2
    printf "Try 'scripts/launch.sh --help'.\n" >&2
    exit 2
}

count=3
hold=""
while [ $# -gt 0 ]; do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    -n)
        [ $# -ge 2 ] || die_usage "-n needs a number"
        count=$2; shift 2 ;;
    --hold)
        [ $# -ge 2 ] || die_usage "--hold needs a number of seconds"
        hold=$2; shift 2 ;;
    --) shift; break ;;
    -*) die_usage "unknown option '$1'" ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || die_usage "no PROGRAM given"
if ! [[ $count =~ ^[0-9]+$ ]] || [ "$count" -lt 1 ] || [ "$count" -gt 2000 ]; then
    die_usage "-n: '$count' is not a number from 1 to 2000"
fi
[ -z "$hold" ] || [[ $hold =~ ^[0-9]+$ ]] || die_usage "--hold: '$hold' is not a whole number of seconds"

program=$1
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ ! -f "$program" ]; then
    for dir in "${BIN_DIR:-$here/build/bin}" "${WIN_DIR:-$here/build/win64}"; do
        if [ -f "$dir/$program" ]; then program=$dir/$program; break; fi
    done
fi
[ -f "$program" ] || die_usage "no program '$program' (build it with make)"

# The identity options (--key K, --name N, --global, --file F) go to --peek
# too; --hold, --quiet and --crash do not.
copy_args=("$@")
peek_args=()
while [ $# -gt 0 ]; do
    case "$1" in
    --hold) shift 2 || true ;;
    --hold=* | --quiet | --crash) shift ;;
    *) peek_args+=("$1"); shift ;;
    esac
done
[ -z "$hold" ] || copy_args+=(--hold "$hold")

made_prefix=""
runner=()
if [[ $program == *.exe ]]; then
    command -v wine >/dev/null || die_usage "'$program' needs Wine, which is not installed"
    # shellcheck source=scripts/wine-prefix.bash
    . "$here/scripts/wine-prefix.bash"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/launch.XXXXXX")
if [[ $program == *.exe ]]; then
    if [ -z "${WINEPREFIX:-}" ]; then
        # Made whole before N copies race to make it, and removed at the end.
        made_prefix=$work/wineprefix
        wine_prefix_make "$made_prefix" || { rm -rf "$work"; exit 1; }
    fi
    runner=(wine)
fi

pids=()
stop_all() {
    local pid
    for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
}
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    if [ -n "$made_prefix" ]; then wine_prefix_remove "$made_prefix"; fi
    rm -rf "$work"
}
interrupted() {
    printf '\nlaunch: interrupted: stopping %d copies\n' "${#pids[@]}" >&2
    stop_all
    wait 2>/dev/null || true
    pids=()
    exit 130
}
trap cleanup EXIT
trap interrupted INT TERM HUP

failures=0
check() { # check OK|FAIL "label" "detail"
    if [ "$1" = OK ]; then
        printf '  %-16s %s   ok\n' "$2" "$3"
    else
        printf '  %-16s %s   MISMATCH\n' "$2" "$3"
        failures=$((failures + 1))
    fi
}

peek() {
    "${runner[@]}" "$program" --peek "${peek_args[@]}" </dev/null 2>"$work/peek.err" | tr -d '\r'
}

# Does the program have --peek? A program without it (a minimal version)
# rejects the option as a bad command line, with exit status 2.
has_peek=yes
peek_status=0
# (In braces, with the shell's own standard error too: a program killed by
# a signal makes the shell print a "Killed" line; its status says enough.)
{ "${runner[@]}" "$program" --peek "${peek_args[@]}" </dev/null >/dev/null; } 2>/dev/null || peek_status=$?
[ "$peek_status" -ne 2 ] || has_peek=""

# the numbers after instances= in the lines starting with WORD, sorted
numbers_in() {
    cat "$work"/[0-9]*.out | tr -d '\r' | sed -n "s/^$1 pid=[0-9]* instances=\([0-9]*\)\$/\1/p" | sort -n
}

# check_each_once WORD FIRST LAST: every copy printed one WORD line ("joined"
# or "left"), and together they said instances=FIRST to LAST, each once.
check_each_once() {
    local word=$1 first=$2 last=$3 label=$1 noun=${1%ed} said expected
    said=$(numbers_in "$word" | tr '\n' ' ')
    said=${said% }
    expected=$(seq "$first" "$last" | tr '\n' ' ')
    expected=${expected% }
    local lines
    lines=$(cat "$work"/[0-9]*.out | tr -d '\r' | grep -c "^$word " || true)
    if [ "$lines" -ne "$count" ]; then
        check FAIL "$label" "$lines of $count copies printed a $noun line"
    elif [ "$said" != "$expected" ]; then
        check FAIL "$label" "$count of $count, but their $noun lines said instances=${said:0:60} (expected $first to $last, once each)"
    else
        check OK "$label" "$count of $count (their $noun lines said instances=$first to $last)"
    fi
}

name=$(basename "$program")
printf 'launch: %d copies of %s\n' "$count" "$name${copy_args[*]:+ ${copy_args[*]}}"
[ -n "$has_peek" ] || echo "  ($name has no --peek: judged from the join and left lines)"

for ((i = 1; i <= count; i++)); do
    # Made here, not by the copy's redirection: a file that a copy has not
    # made yet would be missing from the list of those still waiting.
    : >"$work/$i.out"
    "${runner[@]}" "$program" "${copy_args[@]}" </dev/null >"$work/$i.out" 2>"$work/$i.err" &
    pids+=($!)
done

join_line='^joined pid=[0-9]+ instances=[0-9]+[[:space:]]*$'
# Wait for every join line (or for a copy to die before it joined).
deadline=$((SECONDS + ${LAUNCH_TIMEOUT:-120}))
while :; do
    # A whole join line: a reader can catch a line half written.
    mapfile -t waiting < <(grep -LE "$join_line" "$work"/[0-9]*.out 2>/dev/null || true)
    joined=$((count - ${#waiting[@]}))
    [ "$joined" -lt "$count" ] || break
    dead=0
    for file in "${waiting[@]}"; do
        i=${file##*/}
        if ! kill -0 "${pids[${i%.out} - 1]}" 2>/dev/null && ! grep -qE "$join_line" "$file"; then
            dead=$((dead + 1))
        fi
    done
    if [ "$dead" -gt 0 ] || [ "$SECONDS" -ge "$deadline" ]; then break; fi
    sleep 0.05
done
# Peek first, while every copy is surely running; then read the join lines,
# whose last bytes have surely landed by now.
running=""
[ -z "$has_peek" ] || running=$(peek || true)
check_each_once joined 1 "$count"

if [ -n "$has_peek" ]; then
    # Demo 03 adds nattch=N, demos 04 and 05 mappers=N (processes that map
    # the object); demo 08 adds sempid=PID, the last process to change its
    # semaphore.
    if [[ $running =~ ^instances=$count( (nattch|mappers)=$count| sempid=[0-9]+)?$ ]]; then
        check OK "peek, running" "$running"
    else
        check FAIL "peek, running" "${running:-no answer: $(head -c 300 "$work/peek.err")} (expected instances=$count)"
    fi
fi

if [ -z "$hold" ]; then
    how="SIGINT to every copy"
    stop_all
else
    how="after --hold $hold"
fi
exited_ok=0
late_kills=0
bad_exits=()
for ((i = 0; i < count; i++)); do
    status=0
    wait "${pids[i]}" || status=$?
    if [ "$status" -eq 0 ]; then
        exited_ok=$((exited_ok + 1))
    elif [ -n "${runner[*]}" ] && wine_killed_after_exit "$status" "$work/$((i + 1)).out" "$work/$((i + 1)).err"; then
        # Wine's server sent SIGKILL to a copy that had printed its left
        # line and ended on the Windows side (scripts/wine-prefix.bash
        # says why); only its Linux exit status, 0, was lost.
        exited_ok=$((exited_ok + 1))
        late_kills=$((late_kills + 1))
        # The tests count these in their summary.
        [ -z "${WINE_KILL_LOG:-}" ] || echo "launch.sh: copy $((i + 1)) of $name" >>"$WINE_KILL_LOG"
    else
        bad_exits+=("copy $((i + 1)): exit $status")
    fi
done 2>/dev/null # the shell's "Killed" lines: each status says it
pids=()
late=""
[ "$late_kills" -eq 0 ] ||
    late=" ($late_kills of them as exit 137: SIGKILL from Wine's server after their left line, see README.md)"
if [ "$exited_ok" -eq "$count" ]; then
    check OK stopped "$how; $exited_ok of $count exited 0$late"
else
    check FAIL stopped "$how; $exited_ok of $count exited 0 ($(IFS=,; echo "${bad_exits[*]:0:5}"))"
fi
check_each_once left 0 "$((count - 1))"

after=""
if [ -n "$has_peek" ]; then
    after=$(peek || true)
    # A demo 08 set that is still there says sempid=P: "left behind" below
    # reports the set; the count itself, 0, is right.
    if [[ $after =~ ^instances=0( (nattch|mappers)=0| sempid=[0-9]+)?$ ]]; then
        check OK "peek, after" "$after"
    else
        check FAIL "peek, after" "${after:-no answer: $(head -c 300 "$work/peek.err")} (expected instances=0)"
    fi
fi

# A System V demo must leave nothing behind: no segment (its peek shows
# nattch), no semaphore set (its running peek showed sempid).
ipc_kind=""
[[ $after != *nattch=* ]] || ipc_kind=m
[[ $running != *sempid=* ]] || ipc_kind=s
if [ -n "$ipc_kind" ] && command -v ipcs >/dev/null; then
    key=""
    for ((i = 0; i < ${#peek_args[@]}; i++)); do
        case "${peek_args[i]}" in
        --key) key=${peek_args[i + 1]:-} ;;
        --key=*) key=${peek_args[i]#--key=} ;;
        esac
    done
    # Without --key, the default is the one its --help names.
    [ -n "$key" ] || key=$("$program" --help | sed -n 's/.*(default \(0x[0-9a-fA-F]*\).*/\1/p')
    if [ -n "$key" ] && hex=$(printf '0x%08x' "$((key))" 2>/dev/null); then
        what=segment
        [ "$ipc_kind" = m ] || what="semaphore set"
        if ipcs -"$ipc_kind" | awk -v k="$hex" 'tolower($1) == k { found = 1 } END { exit !found }'; then
            check FAIL "left behind" "a $what under key $hex is still in ipcs -$ipc_kind"
        else
            check OK "left behind" "nothing under key $hex in ipcs -$ipc_kind"
        fi
    fi
fi

# A file-mapping demo (05: its peek shows mappers, and it takes --file)
# keeps its file, holding 0: it must leave no temporary file beside it.
if [[ $after == *mappers=* ]]; then
    file=""
    for ((i = 0; i < ${#peek_args[@]}; i++)); do
        case "${peek_args[i]}" in
        --file) file=${peek_args[i + 1]:-} ;;
        --file=*) file=${peek_args[i]#--file=} ;;
        esac
    done
    if [ -n "$file" ]; then
        temps=$(compgen -G "$file.init-??????" || true)
        if [ -n "$temps" ]; then
            check FAIL "left behind" "a temporary file beside $file: ${temps%%$'\n'*}"
        else
            check OK "left behind" "$file holds 0; no temporary $file.init-* beside it"
        fi
    fi
fi

# A POSIX demo (its peek shows mappers) must leave no /dev/shm/NAME behind.
if [[ $after == *mappers=* ]]; then
    name=""
    for ((i = 0; i < ${#peek_args[@]}; i++)); do
        case "${peek_args[i]}" in
        --name) name=${peek_args[i + 1]:-} ;;
        --name=*) name=${peek_args[i]#--name=} ;;
        esac
    done
    # Without --name, the default is the one its --help names.
    [ -n "$name" ] || name=$("$program" --help | sed -n 's/.*(default \(\/[^)]*\)).*/\1/p')
    if [ -n "$name" ]; then
        if [ -e "/dev/shm$name" ]; then
            check FAIL "left behind" "/dev/shm$name still exists"
        else
            check OK "left behind" "no /dev/shm$name"
        fi
    fi
fi

# On a failure, show what the first copy that printed an error said.
for ((i = 1; i <= count; i++)); do
    if [ "$failures" -gt 0 ] && [ -s "$work/$i.err" ]; then
        printf '  copy %d said: %s\n' "$i" "$(head -n 3 "$work/$i.err" | tr -d '\r')"
        break
    fi
done
if [ "$failures" -eq 0 ]; then
    echo "launch: ok"
else
    echo "launch: $failures check(s) failed"
    exit 1
fi
