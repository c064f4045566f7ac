#!/usr/bin/env bash
# docs.sh - refresh what the tutorial takes from elsewhere, so it is never
# out of date: code excerpts from the sources, and transcripts from real
# runs of the built programs. `make docs` builds the programs and calls it.
#
#   scripts/docs.sh
#
# In a page, an excerpt is the block between
#   <!-- excerpt linux/03-sysv-shm/sysv_shm.c layout -->  and  <!-- end -->
# and comes from the lines between /* excerpt: layout */ and
# /* end excerpt */ in that source file. A transcript is the block between
#   <!-- transcript 03-two-copies -->  and  <!-- end -->
# and is the output of docs/transcripts/03-two-copies.sh, run for real,
# with process ids, segment ids and the user's name normalised so that
# every run writes the same text.
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

work=$(mktemp -d "${TMPDIR:-/tmp}/docs.XXXXXX")
cleanup() {
    local pid
    for pid in $(jobs -p); do kill -KILL "$pid" 2>/dev/null || true; done
    if [ -n "${WINEPREFIX:-}" ] && [[ $WINEPREFIX == "$work"/* ]]; then
        wineserver -k >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# excerpt FILE NAME: the marked lines, without the markers, dedented.
excerpt() {
    awk -v name="$2" -v file="$1" '
        $0 ~ "/\\* excerpt: " name " \\*/" { on = 1; match($0, /^ */); cut = RLENGTH; found = 1; next }
        on && /\/\* end excerpt \*\// { on = 0; exit }
        on { print substr($0, 1 + (substr($0, 1, cut) ~ /^ *$/ ? cut : 0)) }
        END { if (!found) { print "docs.sh: no excerpt " name " in " file > "/dev/stderr"; exit 1 } }
    ' "$REPO/$1"
}

# ---------------------------------------------------------- transcripts ----
# The functions a docs/transcripts/*.sh file uses. Each prints what a person
# would see: the prompt and the command, then what the programs printed.
LAB=$work/lab
mkdir -p "$LAB"
declare -A job_pid=() job_shown=()
jobs_started=0

prompt() { printf '%s%s\n' "${PROMPT:-$ }" "$1"; }

# new lines from background job N since we last showed it
flush_job() {
    local file=$work/job$1.out shown=${job_shown[$1]}
    local total
    total=$(wc -l <"$file")
    if [ "$total" -gt "$shown" ]; then
        tail -n +"$((shown + 1))" "$file" | head -n "$((total - shown))" | tr -d '\r'
        job_shown[$1]=$total
    fi
}

wait_for() { # FILE REGEX: until FILE has a line matching REGEX (30 s at most)
    local deadline=$((SECONDS + 30))
    # Complete lines only: a reader can catch the last one half written.
    until head -n "$(wc -l <"$1")" "$1" | tr -d '\r' | grep -Eq "$2"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "docs.sh: timed out waiting for /$2/ in a transcript" >&2
            exit 1
        fi
        sleep 0.02
    done
}

# t_run SHOWN [ACTUAL]: show a command, run it, show its output (stdout and
# stderr, in the order written). ACTUAL is what really runs, if different.
t_run() {
    prompt "$1"
    (cd "$LAB" && eval "${2:-$1}") 2>&1 | tr -d '\r' || true
}

# t_bg SHOWN ACTUAL REGEX: start a background job, wait for REGEX in its
# output (its join line), and show what it printed so far.
t_bg() {
    jobs_started=$((jobs_started + 1))
    local n=$jobs_started
    prompt "$1"
    : >"$work/job$n.out"
    (cd "$LAB" && eval "exec $2" </dev/null >>"$work/job$n.out" 2>&1) &
    job_pid[$n]=$!
    job_shown[$n]=0
    wait_for "$work/job$n.out" "$3"
    flush_job "$n"
}

# t_expect N REGEX: wait until job N prints REGEX, then show its new lines.
t_expect() {
    wait_for "$work/job$1.out" "$2"
    flush_job "$1"
}

# t_stop N SIGNAL SHOWN: show SHOWN (a kill command), signal job N, wait for
# it to end, and show the rest of what it printed.
t_stop() {
    prompt "$3"
    kill -"$2" "${job_pid[$1]}"
    wait "${job_pid[$1]}" || true
    flush_job "$1"
}

# t_end N [SHOWN]: show SHOWN (a command that waits), wait for job N to end
# by itself, and show the rest of what it printed.
t_end() {
    [ -z "$2" ] || prompt "$2"
    wait "${job_pid[$1]}" || true
    flush_job "$1"
}

# Put the programs where the transcripts run them, as a student would.
TEST_TOOL_DIR=${TEST_TOOL_DIR:-$REPO/build/test}
for program in "$BIN_DIR"/* "$WIN_DIR"/*.exe "$WIN_DIR"/*.dll "$TEST_TOOL_DIR/shm-tool"; do
    [ -f "$program" ] && cp "$program" "$LAB/"
done

for program in 03-sysv-shm shm-tool 01-data-seg.exe 01-data-seg-clang.exe 01-dll-client-one.exe \
    01-dll-client-two.exe 02-file-mapping.exe; do
    if [ ! -f "$LAB/$program" ]; then
        echo "docs.sh: no $program: build the programs first (make all windows test-tools)" >&2
        exit 1
    fi
done

# Process ids become 4101, 4102, ... in order of appearance; segment ids and
# the user's name become fixed words.
normalise() {
    awk -v user="$(id -un)" '
        # The shell that ran a command killed by a signal names itself and a
        # line number: show what an interactive shell prints instead.
        / line [0-9]+: +[0-9]+ Killed / { print "Killed"; next }
        {
            line = $0
            sub(/ +$/, "", line)
            out = ""
            while (match(line, /pid=[0-9]+/)) {
                pid = substr(line, RSTART + 4, RLENGTH - 4)
                if (!(pid in seen)) seen[pid] = 4100 + (++count)
                out = out substr(line, 1, RSTART - 1) "pid=" seen[pid]
                line = substr(line, RSTART + RLENGTH)
            }
            line = out line
            gsub(/\(shmid [0-9]+\)/, "(shmid 32768)", line)
            if (line ~ /^0x[0-9a-f]+ +[0-9]+ +/) {
                split(line, f, / +/)
                line = sprintf("%-10s %-10s %-10s %-10s %-10s %-10s", f[1], "32768", "student", f[4], f[5], f[6])
            }
            print line
        }'
}

run_transcript() {
    local name=$1 script=$REPO/docs/transcripts/$1.sh
    [ -f "$script" ] || { echo "docs.sh: no transcript script $script" >&2; exit 1; }
    if grep -q 'PROMPT=.C:' "$script"; then
        command -v wine >/dev/null || { echo "docs.sh: transcript $name needs Wine" >&2; exit 1; }
        if [ -z "${WINEPREFIX:-}" ]; then
            export WINEPREFIX=$work/wineprefix WINEDEBUG=-all
            mkdir -p "$WINEPREFIX"
            wineserver -p </dev/null >/dev/null 2>&1
            wine cmd /c exit >/dev/null 2>&1 </dev/null || true
        fi
    fi
    (
        jobs_started=0
        # shellcheck source=/dev/null
        . "$script"
        for pid in "${job_pid[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    ) | normalise
}

# ---------------------------------------------------------------- splice ----
status=0
for page in docs/*.md; do
    out=$work/page.md
    : >"$out"
    while IFS= read -r line || [ -n "$line" ]; do
        printf '%s\n' "$line" >>"$out"
        if [[ $line =~ ^\<!--\ (excerpt|transcript)\ ([^ ]+)( ([^ ]+))?\ --\>$ ]]; then
            kind=${BASH_REMATCH[1]}
            if [ "$kind" = excerpt ]; then
                body=$(excerpt "${BASH_REMATCH[2]}" "${BASH_REMATCH[4]}") || { status=1; body=""; }
                fence='```c'
            else
                body=$(run_transcript "${BASH_REMATCH[2]}") || { status=1; body=""; }
                fence='```console'
            fi
            printf '%s\n%s\n```\n' "$fence" "$body" >>"$out"
            # Skip the old block, up to its end marker.
            while IFS= read -r line; do
                if [ "$line" = "<!-- end -->" ]; then
                    printf '%s\n' "$line" >>"$out"
                    break
                fi
            done
        fi
    done <"$page"
    if ! cmp -s "$out" "$page"; then
        cp "$out" "$page"
        echo "docs.sh: updated $page"
    fi
done
exit "$status"
