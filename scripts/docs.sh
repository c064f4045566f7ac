#!/usr/bin/env bash
# docs.sh - refresh what the tutorial takes from elsewhere, so it is never
# out of date: code excerpts and build lines from the sources, and
# transcripts from real runs of the built programs. `make docs` builds the
# programs and calls it.
#
#   scripts/docs.sh
#
# The pages are README.md and docs/*.md (DOCS_PAGES="docs/04-posix-shm.md
# ..." refreshes only those, while you write one). Between a marker and
# <!-- end -->:
#   <!-- excerpt linux/03-sysv-shm/sysv_shm.c layout -->
#       the lines between /* excerpt: layout */ and /* end excerpt */ in
#       that source file;
#   <!-- build windows/02-file-mapping/file_mapping.c x86_64-w64-mingw32-gcc -->
#       the one-line build commands in that file's header comment that
#       start with that word (cc, cl, x86_64-w64-mingw32-gcc, clang);
#   <!-- transcript 03-two-copies -->
#       a session run for real from docs/transcripts/03-two-copies.sh.
#
# A transcript script declares a session and the lines a person types:
#   session bash build/bin      (or: session cmd build/win64)
#   line './03-sysv-shm --key 0x5eed0003 --quiet &'
#   await '^joined .* instances=1$'
#   line './03-sysv-shm --key 0x5eed0003 --peek'
# docs.sh writes the lines, exactly as shown, into a bash script or a
# batch file and runs it in a lab folder laid out like the repository
# (build/bin, build/test, build/win64, scripts); a cmd session runs under
# Wine with `wine cmd /c`. Before each line it prints the prompt and the
# line. `await REGEX [COUNT]` runs nothing and shows nothing: before the
# next line it waits, as a person would, until COUNT lines (default 1) of
# the output so far match REGEX. Process ids, segment ids, addresses and
# the user's name are normalised, so every run writes the same text.
#
# Wine: $WINEPREFIX if it is set (its wineserver is never stopped),
# otherwise a prefix made for this run, whose wineserver is stopped at the
# end. Either way docs.sh exits only when nothing it started is running (a
# wineserver that its first program started in the user's prefix ends by
# itself, seconds after the last program).
# Exit status: 0 done, 1 an excerpt or transcript could not be made.
set -euo pipefail
if [ $# -gt 0 ]; then
    sed -n '7p' "$0" | sed 's/^# \{0,3\}/usage: /'
    { [ "$1" = -h ] || [ "$1" = --help ]; } && exit 0 || exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
BIN_DIR=${BIN_DIR:-$REPO/build/bin}
WIN_DIR=${WIN_DIR:-$REPO/build/win64}
TEST_TOOL_DIR=${TEST_TOOL_DIR:-$REPO/build/test}
export LC_ALL=C # the programs' and tools' messages in one language

work=$(mktemp -d "${TMPDIR:-/tmp}/docs.XXXXXX")
# Every process a transcript starts carries DOCS_RUN=$work in its
# environment (Wine passes it on to Windows processes too), so that we can
# find whatever is left, and nothing else.
own_prefix=""

# run_processes [--programs]: "PID ARGS" of every live process that carries
# our mark; with --programs, leave out Wine's own (the wineserver and the
# services under C:\windows), which stay between transcripts.
run_processes() {
    local pid args
    for pid in $(ps -eo pid=,stat= | awk '$2 !~ /^Z/ { print $1 }'); do
        if tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qxF "DOCS_RUN=$work"; then
            args=$(ps -o args= -p "$pid" 2>/dev/null || true)
            if [ "${1:-}" = --programs ] && [[ $args =~ wineserver|^[Cc]:\\[Ww][Ii][Nn][Dd][Oo][Ww][Ss]\\ ]]; then
                continue
            fi
            echo "$pid $args"
        fi
    done
}

# wait_run_gone SECONDS [--programs]: until no such process is left; 1 on
# timeout.
wait_run_gone() {
    local deadline=$((SECONDS + $1))
    while [ -n "$(run_processes "${2:-}")" ]; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

cleanup() {
    local pid left
    for pid in $(jobs -p); do kill -KILL "$pid" 2>/dev/null || true; done
    # Our own prefix: stop its wineserver and every Wine process in it.
    [ -z "$own_prefix" ] || wine_prefix_remove "$own_prefix"
    # With the user's prefix, a wineserver that our first program started
    # goes away by itself a few seconds after our last program. Whatever
    # else of ours is still running after 30 seconds is stopped; Wine's own
    # server and services in the user's prefix are only named, since the
    # user's programs may be using them by now.
    if ! wait_run_gone 30; then
        left=$(run_processes --programs)
        if [ -n "$left" ]; then
            echo "docs.sh: still running after 30 seconds, stopped now:" >&2
            echo "$left" >&2
            for pid in $(echo "$left" | awk '{ print $1 }'); do kill -KILL "$pid" 2>/dev/null || true; done
        fi
        left=$(run_processes)
        [ -z "$left" ] || { echo "docs.sh: Wine processes in $WINEPREFIX that this run started are still running:" >&2; echo "$left" >&2; }
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# ------------------------------------------------------------- excerpts ----
# excerpt FILE NAME: the marked lines, without the markers, dedented.
excerpt() {
    awk -v name="$2" -v file="$1" '
        $0 ~ "/\\* excerpt: " name " \\*/" { on = 1; match($0, /^ */); cut = RLENGTH; found = 1; next }
        on && /\/\* end excerpt \*\// { on = 0; exit }
        on { print substr($0, 1 + (substr($0, 1, cut) ~ /^ *$/ ? cut : 0)) }
        END { if (!found) { print "docs.sh: no excerpt " name " in " file > "/dev/stderr"; exit 1 } }
    ' "$REPO/$1"
}

# build_lines FILE WORD: the header comment's one-line build commands that
# start with WORD, as a student copies them (without " *   ").
build_lines() {
    local lines
    lines=$(sed -n "s/^ \*   \($2 .*\)$/\1/p" "$REPO/$1")
    if [ -z "$lines" ]; then
        echo "docs.sh: no build line starting with '$2' in the header of $1" >&2
        return 1
    fi
    printf '%s\n' "$lines"
}

# ----------------------------------------------------------------- Wine ----
# One prefix for every transcript that runs Windows programs, made in the
# main shell before the first transcript, so that cleanup sees it.
prepare_wine() {
    command -v wine >/dev/null || { echo "docs.sh: the Windows transcripts need Wine" >&2; exit 1; }
    # shellcheck source=scripts/wine-prefix.bash
    . "$REPO/scripts/wine-prefix.bash" # quiet Wine, no Mono or Gecko prompts
    if [ -z "${WINEPREFIX:-}" ]; then
        own_prefix=$work/wineprefix
        # Wine keeps its server's socket in $TMPDIR/wine-XXXXXX, and leaves
        # that folder behind: make it one of ours. (Not with the user's
        # prefix: under another TMPDIR, Wine would start a second server.)
        export TMPDIR=$work/tmp
        mkdir -p "$TMPDIR"
        # A whole prefix, and one server for the whole run (see there).
        DOCS_RUN=$work wine_prefix_make "$own_prefix" || exit 1
    else
        DOCS_RUN=$work wine cmd /c exit </dev/null >/dev/null 2>&1 || true
    fi
    # The work folder as Windows programs name it.
    WORK_WIN=$(wine_path "$(cd "$work" && pwd)")
}

# ------------------------------------------------------------------ lab ----
# The lab is laid out like the repository, with the programs built.
LAB=$work/lab
mkdir -p "$LAB/build/bin" "$LAB/build/test" "$LAB/build/win64" "$LAB/scripts"
for program in "$BIN_DIR"/*; do [ -f "$program" ] && cp "$program" "$LAB/build/bin/"; done
for program in "$WIN_DIR"/*.exe "$WIN_DIR"/*.dll; do [ -f "$program" ] && cp "$program" "$LAB/build/win64/"; done
for program in "$TEST_TOOL_DIR/shm-tool" "$TEST_TOOL_DIR/mapping-tool.exe"; do
    [ -f "$program" ] && cp "$program" "$LAB/build/test/"
done
cp scripts/* "$LAB/scripts/"
for program in bin/03-sysv-shm test/shm-tool test/mapping-tool.exe win64/01-data-seg.exe win64/01-data-seg-clang.exe \
    win64/01-dll-client-one.exe win64/01-dll-client-two.exe win64/02-file-mapping.exe \
    win64/01-data-seg-pragma-gnu-ld.exe; do
    if [ ! -f "$LAB/build/$program" ]; then
        echo "docs.sh: no build/$program: build the programs first" \
            "(make all windows windows-negative test-tools windows-test-tools)" >&2
        exit 1
    fi
done

# ---------------------------------------------------------- transcripts ----
# What a transcript script calls (it is sourced by run_transcript).
session() { t_shell=$1; t_dir=${2:-.}; }
line() { t_lines+=("$1"); t_awaits+=(""); }
await() {
    [ "${#t_lines[@]}" -gt 0 ] || { echo "docs.sh: await before the first line" >&2; exit 1; }
    t_awaits[-1]+="${2:-1} $1"$'\n'
}

# count_lines FILE REGEX: how many complete lines of FILE match REGEX.
# (A reader can catch the last line half written: leave it out.)
count_lines() {
    head -n "$(wc -l <"$1")" "$1" | tr -d '\r' | grep -cE -- "$2" || true
}

# wait_lines FILE COUNT REGEX [PID]: until COUNT lines match (60 s at most;
# give up at once if process PID, the session, has ended).
wait_lines() {
    local deadline=$((SECONDS + 60))
    until [ "$(count_lines "$1" "$3")" -ge "$2" ]; do
        if [ "$SECONDS" -ge "$deadline" ] || { [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; }; then
            echo "docs.sh: transcript $name: no ${2}th line matching /$3/; it printed:" >&2
            tr -d '\r' <"$1" >&2
            return 1
        fi
        sleep 0.05
    done
}

# The bash session: the lines as a script, with the waits in between.
write_bash_session() {
    local i count regex
    cat <<'EOF'
__await() { # COUNT REGEX: until the output so far has COUNT matching lines
    local deadline=$((SECONDS + 60))
    until [ "$(head -n "$(wc -l <"$__OUT")" "$__OUT" | tr -d '\r' | grep -cE -- "$2")" -ge "$1" ]; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "docs.sh: transcript $__NAME: timed out waiting for /$2/" >&9
            exit 1
        fi
        sleep 0.05
    done
}
EOF
    for i in "${!t_lines[@]}"; do
        printf 'printf "%%s\\n" %q\n' "\$ ${t_lines[i]}"
        printf '%s\n' "${t_lines[i]}"
        while read -r count regex; do
            [ -z "$count" ] || printf '__await %q %q\n' "$count" "$regex"
        done <<<"${t_awaits[i]}"
    done
    # A session must end with every job it started: a job still running
    # here was not shown ending.
    cat <<'EOF'
if [ -n "$(jobs -rp)" ]; then
    echo "docs.sh: transcript $__NAME left a job running: $(jobs -r)" >&9
    kill -KILL $(jobs -rp)
    exit 1
fi
EOF
}

run_bash_session() {
    local script=$work/session.sh
    write_bash_session >"$script"
    (
        cd "$LAB/$t_dir"
        __OUT=$out __NAME=$name DOCS_RUN=$work bash --norc --noprofile "$script" </dev/null >"$out" 2>&1 9>&2
    )
}

# cmd_echo TEXT: an echo command that prints TEXT as it is. Outside double
# quotes ^ & | < > need a ^; % is %% everywhere. (echo, unlike type, leaves
# %errorlevel% alone for the line that follows.)
cmd_echo() {
    local text=$1 out="echo " quoted=0 i c
    for ((i = 0; i < ${#text}; i++)); do
        c=${text:i:1}
        case "$c" in
        '"') quoted=$((1 - quoted)); out+=$c ;;
        '%') out+='%%' ;;
        '^' | '&' | '|' | '<' | '>') if [ "$quoted" = 1 ]; then out+=$c; else out+="^$c"; fi ;;
        *) out+=$c ;;
        esac
    done
    printf '%s' "$out"
}

# The cmd session: the lines as a batch file run by `wine cmd /c`. The
# batch file echoes each prompt and line before it runs the line, and waits
# for a flag file that we create when the awaited lines appear.
run_cmd_session() {
    local bat=$work/session.bat dir=$work/session i count regex n=0 session_pid
    rm -rf "$dir"
    mkdir -p "$dir"
    local -a waits=()
    # The prompt shows the folder as a Windows console would, with the
    # lab standing for the suite's folder.
    local prompt='C:\lab'
    [ "$t_dir" = . ] || prompt+="\\${t_dir//\//\\}"
    {
        printf '@echo off\r\n'
        for i in "${!t_lines[@]}"; do
            if [[ ${t_lines[i]} =~ %[^%]*(%|$) ]] && ! [[ ${t_lines[i]} =~ ^([^%]|%[A-Za-z_]+%)*$ ]]; then
                echo "docs.sh: transcript $name: a lone % means something else in a batch file: ${t_lines[i]}" >&2
                return 1
            fi
            printf '%s\r\n' "$(cmd_echo "$prompt> ${t_lines[i]}")"
            printf '%s\r\n' "${t_lines[i]}"
            while read -r count regex; do
                [ -n "$count" ] || continue
                n=$((n + 1))
                waits+=("$count $regex")
                printf 'call :await %s\r\n' "$n"
            done <<<"${t_awaits[i]}"
        done
        printf 'exit /b 0\r\n'
        printf ':await\r\n'
        printf 'if exist "%s\\session\\flag%%1" exit /b 0\r\n' "$WORK_WIN"
        printf 'ping -n 1 127.0.0.1 >nul\r\n'
        printf 'goto await\r\n'
    } >"$bat"
    (cd "$LAB/$t_dir" && exec env DOCS_RUN="$work" wine cmd /c "$WORK_WIN\\session.bat" \
        </dev/null >"$out" 2>&1) &
    session_pid=$!
    for i in "${!waits[@]}"; do
        read -r count regex <<<"${waits[i]}"
        wait_lines "$out" "$count" "$regex" "$session_pid" || { kill -KILL "$session_pid" 2>/dev/null; return 1; }
        : >"$dir/flag$((i + 1))"
    done
    wait "$session_pid" || true
}

# Process ids become 4101, 4102, ... in order of appearance; segment ids,
# addresses and the user's name become fixed words.
normalise() {
    LAB_WIN="$WORK_WIN\\lab" awk -v user="$(id -un)" '
        function pid(p) { if (!(p in seen)) seen[p] = 4100 + (++count); return seen[p] }
        # The shell that ran a command killed by a signal names itself and a
        # line number: show what an interactive shell prints instead.
        / line [0-9]+: +[0-9]+ Killed / { print "Killed"; next }
        # shm-tool prints the shmid of the segment it made.
        made && /^[0-9]+$/ { print "32768"; made = 0; next }
        { made = /^\$ .*shm-tool (create|counter) / }
        {
            line = $0
            sub(/ +$/, "", line)
            # The lab folder as Windows programs see it (Z:\tmp\docs.XXXXXX\lab)
            # is the suite'"'"'s folder, C:\lab, on the page.
            while ((i = index(tolower(line), tolower(ENVIRON["LAB_WIN"]))) > 0)
                line = substr(line, 1, i - 1) "C:\\lab" substr(line, i + length(ENVIRON["LAB_WIN"]))
            out = ""
            while (match(line, /pid=[0-9]+/)) {
                out = out substr(line, 1, RSTART - 1) "pid=" pid(substr(line, RSTART + 4, RLENGTH - 4))
                line = substr(line, RSTART + RLENGTH)
            }
            line = out line
            # "pid 1234", "pid, 1234,", "kill -CONT 1234" and "ps ... -p 1234" in messages
            out = ""
            while (match(line, /(pid,? |PID |kill -CONT |stat,args -p )[0-9]+/)) {
                word = substr(line, RSTART, RLENGTH)
                sub(/[0-9]+$/, "", word)
                out = out substr(line, 1, RSTART - 1) word pid(substr(line, RSTART + length(word), RLENGTH - length(word)))
                line = substr(line, RSTART + RLENGTH)
            }
            line = out line
            gsub(/\(shmid [0-9]+\)/, "(shmid 32768)", line)
            gsub(/segment [0-9]+ /, "segment 32768 ", line)
            gsub(/ipcrm -m [0-9]+/, "ipcrm -m 32768", line)
            n = split(line, f, / +/)
            if (line ~ /^0x[0-9a-f]+ +[0-9]+ +/) {
                # ipcs -m: key shmid owner perms bytes nattch [status]
                line = sprintf("%-10s %-10s %-10s %-10s %-10s %-10s %s", f[1], "32768", "student", f[4], f[5], f[6], f[7])
                sub(/ +$/, "", line)
            } else if (line ~ /^[0-9]+ +[^ ]+ +[0-9]+ +[0-9]+$/) {
                # ipcs -m -p: shmid owner cpid lpid
                line = sprintf("%-10s %-10s %-10s %-10s", "32768", "student", pid(f[3]), pid(f[4]))
                sub(/ +$/, "", line)
            } else if (line ~ /^ *[0-9]+ +[0-9]+ +[0-7]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$/) {
                # /proc/sysvipc/shm: key shmid perms size cpid lpid nattch
                # uid gid cuid cgid atime dtime ctime rss swap
                i = (f[1] == "") ? 1 : 0
                line = sprintf("%10d %10d  %4s %21s %5d %5d  %5s %5d %5d %5d %5d %10d %10d %10d %21s %21s",
                               f[1 + i], 32768, f[3 + i], f[4 + i], pid(f[5 + i]), pid(f[6 + i]), f[7 + i],
                               1000, 1000, 1000, 1000, f[12 + i] ? 1700000000 : 0, f[13 + i] ? 1700000000 : 0,
                               1700000000, f[15 + i], f[16 + i])
            } else if (line ~ /^[0-9a-f]+-[0-9a-f]+ [-r][-w][-x][sp] [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ [0-9]+ +\/SYSV/) {
                # /proc/PID/maps: address perms offset device inode name
                sub(/^[0-9a-f]+-[0-9a-f]+/, "7f3c5a2b1000-7f3c5a2b2000", line)
                sub(/ [0-9a-f]+:[0-9a-f]+ [0-9]+ +/, " 00:01 32768                      ", line)
            }
            print line
        }'
}

# run_transcript NAME FILE: run docs/transcripts/NAME.sh, write what a
# person would have seen to FILE.
run_transcript() {
    name=$1
    local script=$REPO/docs/transcripts/$1.sh
    [ -f "$script" ] || { echo "docs.sh: no transcript script $script" >&2; return 1; }
    t_shell="" t_dir=. t_lines=() t_awaits=()
    # shellcheck source=/dev/null
    . "$script"
    out=$work/session.out
    : >"$out"
    case "$t_shell" in
    bash) run_bash_session || { cat "$out" >&2; return 1; } ;;
    cmd) run_cmd_session || return 1 ;;
    *) echo "docs.sh: $script: no session line (session bash DIR, or session cmd DIR)" >&2; return 1 ;;
    esac
    # A session must wait for every program it started (a program that
    # start /b started may outlive the batch file): one still running would
    # write after we stopped reading, and disturb the next transcript.
    if ! wait_run_gone 5 --programs; then
        echo "docs.sh: transcript $name left programs running:" >&2
        run_processes --programs >&2
        return 1
    fi
    tr -d '\r' <"$out" | normalise >"$2"
}

# ---------------------------------------------------------------- splice ----
prepare_wine
status=0
body=$work/body
# shellcheck disable=SC2086 # DOCS_PAGES is a list of paths
for page in ${DOCS_PAGES:-README.md docs/*.md}; do
    new=$work/page.md
    : >"$new"
    while IFS= read -r text || [ -n "$text" ]; do
        printf '%s\n' "$text" >>"$new"
        if [[ $text =~ ^\<!--\ (excerpt|transcript|build)\ ([^ ]+)( ([^ ]+))?\ --\>$ ]]; then
            kind=${BASH_REMATCH[1]}
            : >"$body"
            case "$kind" in
            excerpt)
                fence='```c'
                excerpt "${BASH_REMATCH[2]}" "${BASH_REMATCH[4]}" >"$body" || status=1
                ;;
            build)
                fence='```sh'
                [ "${BASH_REMATCH[4]}" != cl ] || fence='```bat'
                build_lines "${BASH_REMATCH[2]}" "${BASH_REMATCH[4]}" >"$body" || status=1
                ;;
            transcript)
                fence='```console'
                run_transcript "${BASH_REMATCH[2]}" "$body" || { status=1; : >"$body"; }
                ;;
            esac
            { printf '%s\n' "$fence"; cat "$body"; printf '```\n'; } >>"$new"
            # Skip the old block, up to its end marker.
            while IFS= read -r text; do
                if [ "$text" = "<!-- end -->" ]; then
                    printf '%s\n' "$text" >>"$new"
                    break
                fi
            done
        fi
    done <"$page"
    if ! cmp -s "$new" "$page"; then
        cp "$new" "$page"
        echo "docs.sh: updated $page"
    fi
done
# Demo 09's chart, drawn from the committed measurement (never measured here).
scripts/chart.sh docs/data/09-lost-updates.csv docs/images/09-lost-updates.svg || status=1
# Demo 10's chart and its page's tables, from the committed run (make bench).
scripts/chart.sh docs/data/10-ipc-bench.csv docs/images/10-ipc-bench.svg || status=1
scripts/chart.sh --table docs/data/10-ipc-bench.csv docs/10-ipc-bench.md || status=1
exit "$status"
