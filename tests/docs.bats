#!/usr/bin/env bats
# The tutorial: never out of date, no broken links, diagrams that parse, and
# no command block that nobody runs.
#
# Every fenced block (``` ... ```) in README.md and docs/*.md must be one of:
#  1. Generated. Inside <!-- excerpt FILE NAME -->, <!-- build FILE WORD -->
#     or <!-- transcript NAME --> ... <!-- end -->: make docs (scripts/
#     docs.sh) fills it from the source, from a header comment's build
#     lines, or from a real run of exactly the lines shown.
#  2. Tested. Right after <!-- tested: SOURCE; SOURCE... -->, where a SOURCE
#     is a .bats file and a test name in double quotes (tests/X.bats "name"),
#     or a file that runs commands as they are written (.ci/run). The block
#     passes if every command in it (comments and blank lines aside) appears
#     in one of the named tests or files, or if a named test calls
#     page_block, which pulls this very block out of the page and runs or
#     checks it as it is written.
#  3. Needs what this machine lacks. Right after
#     <!-- needs: WHAT; instead: EQUIVALENT -->, where WHAT names real
#     Windows, Visual Studio (cl), handle.exe or Process Explorer, and
#     EQUIVALENT names what runs here instead: "transcript NAME" (on the
#     same page) or a test, tests/X.bats "name".
# A block of output alone has no kind of its own: output comes from a
# transcript (1), or a test checks it (2). So does the command-line
# synopsis in the README: a test compares it with every program's usage.
# Anything else fails, naming the page and the line of the block.
# (Blank lines may stand between a mark and its block; other text may not.)

load helpers

pages() {
    echo "$REPO/README.md"
    ls "$REPO"/docs/*.md
}

# One run of docs.sh (it runs every transcript, about two minutes) checks
# both that the pages are fresh and that it cleans up after itself: run as
# a student runs it, without WINEPREFIX, so it makes a prefix of its own in
# its folder under TMPDIR, and must stop its wineserver and remove it all.
@test "docs: make docs would change no committed file, and leaves no process or prefix behind" {
    need_wine
    local copy=$BATS_TEST_TMPDIR/copy mark=$BATS_TEST_TMPDIR/docs-tmp
    mkdir -p "$copy" "$mark"
    (cd "$REPO" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$copy")
    run env -u WINEPREFIX TMPDIR="$mark" BIN_DIR="$BIN_DIR" WIN_DIR="$WIN_DIR" \
        TEST_TOOL_DIR="$TEST_TOOL_DIR" "$copy/scripts/docs.sh" 3>&-
    assert_success
    local pid left=""
    for pid in $(ps -eo pid=); do
        if tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qF "$mark/"; then
            left+="$pid $(ps -o args= -p "$pid" 2>/dev/null); "
        fi
    done
    [ -z "$left" ] || fail "still running after docs.sh: $left"
    run ls -A "$mark"
    assert_output ""
    run diff -ru "$REPO/docs" "$copy/docs"
    assert_success
    assert_output ""
    run diff -u "$REPO/README.md" "$copy/README.md"
    assert_success
    assert_output ""
}

# GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
anchors_of() {
    sed -n 's/^#\{1,6\} \(.*\)$/\1/p' "$1" |
        tr '[:upper:]' '[:lower:]' | sed 's/[^a-z0-9 _-]//g; s/ /-/g'
}

# broken_links PAGE...: print every relative link (file or #heading) that
# leads nowhere, one per line; print nothing when all are good.
broken_links() {
    local page link target anchor
    for page in "$@"; do
        while read -r link; do
            case "$link" in http://* | https://* | mailto:*) continue ;; esac
            target=${link%%#*}
            anchor=""
            [[ $link != *#* ]] || anchor=${link#*#}
            if [ -z "$target" ]; then target=$page; else target=$(dirname "$page")/$target; fi
            if [ ! -e "$target" ]; then
                echo "$page: $link (no such file)"
            elif [ -n "$anchor" ] && ! anchors_of "$target" | grep -qx -- "$anchor"; then
                echo "$page: $link (no such heading)"
            fi
        done < <(grep -o '](\([^)]*\))' "$page" | sed 's/^](\(.*\))$/\1/')
    done
}

@test "docs: every relative link and anchor in the pages exists" {
    local all=()
    mapfile -t all < <(pages)
    run broken_links "${all[@]}"
    assert_success
    assert_output ""
}

@test "docs: the link check itself reports a missing heading and a missing file" {
    local page=$BATS_TEST_TMPDIR/page.md
    printf '# A title\n## The idea\n[ok](#the-idea) [bad](#no-such) [gone](nowhere.md) [web](https://example.org)\n' >"$page"
    run broken_links "$page"
    assert_equal "${#lines[@]}" 2
    assert_line --index 0 "$page: #no-such (no such heading)"
    assert_line --index 1 "$page: nowhere.md (no such file)"
}

@test "docs: every diagram is an SVG that parses and is used by a page" {
    local svg count=0
    for svg in "$REPO"/docs/images/*.svg; do
        run xmllint --noout "$svg"
        assert_success
        run grep -q "<svg" "$svg"
        assert_success
        grep -q "](images/$(basename "$svg"))" "$REPO"/docs/*.md || fail "$svg is used by no page"
        count=$((count + 1))
    done
    [ "$count" -ge 3 ]
}

@test "docs: each technique's page has a diagram" {
    local page
    for page in 01-data-seg 02-file-mapping 03-sysv-shm 04-posix-shm 05-mmap-file 06-mmap-fork \
        08-kernel-count; do
        grep -q '!\[[^]]*\](images/[a-z0-9-]*\.svg)' "$REPO/docs/$page.md" || fail "$page.md has no diagram"
    done
}

@test "docs: the top-level README links every page" {
    local page
    for page in "$REPO"/docs/*.md; do
        grep -q "](docs/$(basename "$page"))" "$REPO/README.md" || fail "README.md does not link docs/$(basename "$page")"
    done
}

@test "docs: every excerpt and build line names a marked region, and every transcript has its script" {
    local page
    while read -r page; do
        while read -r file name; do
            grep -q "/\* excerpt: $name \*/" "$REPO/$file" || fail "$page: no excerpt $name in $file"
        done < <(sed -n 's/^<!-- excerpt \([^ ]*\) \([^ ]*\) -->$/\1 \2/p' "$page")
        while read -r file name; do
            grep -q "^ \*   $name " "$REPO/$file" || fail "$page: no build line starting with $name in $file"
        done < <(sed -n 's/^<!-- build \([^ ]*\) \([^ ]*\) -->$/\1 \2/p' "$page")
        while read -r name; do
            [ -f "$REPO/docs/transcripts/$name.sh" ] || fail "$page: no docs/transcripts/$name.sh"
        done < <(sed -n 's/^<!-- transcript \([^ ]*\) -->$/\1/p' "$page")
    done < <(pages)
}

# ---------------------------------------------------------- command blocks ----
# unchecked_blocks PAGE...: print "PAGE:LINE: why" for every fenced block
# that is none of the three kinds described at the top; nothing when all
# are good.
unchecked_blocks() {
    local page n text region marker start in_block
    local -a block content
    for page in "$@"; do
        n=0 region="" marker="" in_block=0
        mapfile -t content <"$page"
        for text in "${content[@]}"; do
            n=$((n + 1))
            if [ "$in_block" = 1 ]; then
                if [[ $text == '```'* ]]; then
                    in_block=0
                    check_block "$page" "$start" "$region" "$marker" "${block[@]}"
                    marker=""
                else
                    block+=("$text")
                fi
                continue
            fi
            case "$text" in
            '<!-- excerpt '* | '<!-- build '* | '<!-- transcript '*) region=$text marker="" ;;
            '<!-- end -->') region="" ;;
            '<!-- tested: '* | '<!-- needs: '*) marker=$text ;;
            '```'*) in_block=1 start=$n block=() ;;
            '') ;;
            *) marker="" ;;
            esac
        done
    done
}

# check_block PAGE LINE REGION MARKER BLOCK-LINE...
check_block() {
    local page=$1 line=$2 region=$3 marker=$4
    shift 4
    if [ -n "$region" ]; then
        return 0
    elif [[ $marker == '<!-- tested: '* ]]; then
        check_tested "$page" "$line" "$marker" "$@"
    elif [[ $marker == '<!-- needs: '* ]]; then
        check_needs "$page" "$line" "$marker"
    else
        echo "$page:$line: a block that nothing runs: make it a transcript, or mark it <!-- tested: ... --> or <!-- needs: ... -->"
    fi
}

# test_body FILE NAME: the lines of the test NAME in FILE (relative to the
# repository), up to its closing brace; status 1 if there is no such test.
test_body() {
    [ -f "$REPO/$1" ] || return 1
    awk -v head="@test \"$2\" {" '
        index($0, head) == 1 { on = 1; found = 1; next }
        on && /^}/ { exit }
        on { print }
        END { exit !found }' "$REPO/$1"
}

check_tested() {
    local page=$1 line=$2 marker=$3 source file name sources text="" body command
    local -a list
    shift 3
    sources=${marker#'<!-- tested: '}
    sources=${sources%' -->'}
    IFS=';' read -ra list <<<"$sources"
    for source in "${list[@]}"; do
        source=${source# }
        file=${source%% *}
        name=""
        [[ $source != *'"'* ]] || { name=${source#*'"'}; name=${name%'"'*}; }
        if [ ! -f "$REPO/$file" ]; then
            echo "$page:$line: tested by $file, which does not exist"
            return
        fi
        if [ -n "$name" ]; then
            if ! body=$(test_body "$file" "$name"); then
                echo "$page:$line: tested by $file \"$name\", which is not a test there"
                return
            fi
            [[ $body != *page_block* ]] || return 0
        else
            body=$(cat "$REPO/$file")
        fi
        text+=$body$'\n'
    done
    for command in "$@"; do
        command=$(sed -E 's/[[:space:]]+#.*$//; s/^[[:space:]]+//; s/[[:space:]]+$//' <<<"$command")
        if [ -z "$command" ] || [[ $command == '#'* ]]; then continue; fi
        [[ $text == *"$command"* ]] || echo "$page:$line: '$command' is not run by $sources"
    done
}

check_needs() {
    local page=$1 line=$2 marker=$3 what instead name file
    what=${marker#'<!-- needs: '}
    what=${what%%;*}
    what=${what%' -->'}
    if ! [[ $what =~ real\ Windows|Visual\ Studio|handle\.exe|Process\ Explorer ]]; then
        echo "$page:$line: needs '$what', which this machine has: run it"
        return
    fi
    if [[ $marker != *'; instead: '* ]]; then
        echo "$page:$line: needs a tested equivalent ('; instead: transcript NAME')"
        return
    fi
    instead=${marker#*'; instead: '}
    instead=${instead%' -->'}
    if [[ $instead == 'transcript '* ]]; then
        grep -qxF "<!-- transcript ${instead#transcript } -->" "$page" ||
            echo "$page:$line: instead names $instead, which is not on this page"
    else
        file=${instead%% *}
        name=${instead#*'"'}
        name=${name%'"'*}
        test_body "$file" "$name" >/dev/null ||
            echo "$page:$line: instead names $instead, which is not a test"
    fi
}

# page_block PAGE: the lines of the block in PAGE that is marked as tested
# by this very test (tests/docs.bats and its name), as they are written.
page_block() {
    awk -v me="tests/docs.bats \"$BATS_TEST_DESCRIPTION\"" '
        /^<!-- tested: / && index($0, me) { marked = 1; next }
        marked && !on && /^```/ { on = 1; next }
        on && /^```/ { exit }
        on { print; found = 1 }
        END { exit !found }' "$1"
}

@test "docs: every command block is generated, run by a test, or needs what this machine lacks" {
    local all=()
    mapfile -t all < <(pages)
    run unchecked_blocks "${all[@]}"
    assert_success
    assert_output ""
}

@test "docs: the block check itself reports what nothing runs" {
    local page=$BATS_TEST_TMPDIR/page.md fence='```'
    cat >"$page" <<PAGE
# A page
<!-- transcript 03-live -->
${fence}console
\$ anything at all
${fence}
<!-- end -->
${fence}sh
echo nobody runs this
${fence}
<!-- tested: tests/docs.bats "no such test" -->
${fence}sh
make demo
${fence}
<!-- tested: .ci/run -->
${fence}sh
make test   # run in CI
make nothing-like-this
${fence}
<!-- needs: a bigger computer; instead: transcript 03-live -->
${fence}sh
make bigger
${fence}
<!-- needs: real Windows; instead: transcript no-such -->
${fence}bat
tasklist
${fence}
<!-- needs: real Windows; instead: transcript 03-live -->
${fence}bat
tasklist
${fence}
<!-- tested: .ci/run -->
Some words in between: the mark no longer counts.
${fence}sh
make test
${fence}
PAGE
    run unchecked_blocks "$page"
    assert_equal "${#lines[@]}" 6
    assert_line --index 0 --partial "$page:7: a block that nothing runs"
    assert_line --index 1 "$page:11: tested by tests/docs.bats \"no such test\", which is not a test there"
    assert_line --index 2 "$page:15: 'make nothing-like-this' is not run by .ci/run"
    assert_line --index 3 "$page:20: needs 'a bigger computer', which this machine has: run it"
    assert_line --index 4 "$page:24: instead names transcript no-such, which is not on this page"
    assert_line --index 5 --partial "$page:33: a block that nothing runs"
}

@test "docs: the README's synopsis is every program's usage" {
    need_wine
    run page_block "$REPO/README.md"
    assert_success
    local synopsis=$output usage program
    # The usage lines, with the program's name as PROG and its identity
    # options (none, for demo 01) as [identity option].
    as_synopsis() {
        tr -d '\r' | sed -n '/^usage: /,+2p' |
            sed -E 's/^(usage:)? +//; s/^[^ ]+/PROG/; s/(\[--crash\]|--peek)( \[.*)?$/\1 [identity option]/'
    }
    # Every program that shares the command line: not 06 and 09, which
    # have their own (the README says so), nor 10, the benchmark.
    for program in 03-sysv-shm 04-posix-shm 05-mmap-file 07-elf-section 08-sem-undo; do
        usage=$("$BIN_DIR/$program" --help | as_synopsis)
        assert_equal "$usage" "$synopsis"
    done
    for program in 01-data-seg 01-dll-client-one 02-file-mapping 08-job-count; do
        usage=$(wine "$WIN_DIR/$program.exe" --help </dev/null 2>/dev/null | as_synopsis)
        assert_equal "$usage" "$synopsis"
    done
}

@test "docs: make demo, as the README shows it, runs every demo" {
    need_wine
    local copy=$BATS_TEST_TMPDIR/copy
    mkdir -p "$copy/build"
    # The suite as a student has it, with the programs already built (and
    # their times kept, so that make finds nothing to rebuild).
    (cd "$REPO" && git ls-files -co --exclude-standard -z | xargs -0 cp -p --parents -t "$copy")
    cp -pr "$BIN_DIR" "$copy/build/bin"
    cp -pr "$WIN_DIR" "$copy/build/win64"
    # Demo 05 leaves its file in TMPDIR, holding 0, as it should: remove it
    # after, unless it was there before.
    local count_file=${TMPDIR:-/tmp}/shm-suite-05.count had_file=""
    [ ! -e "$count_file" ] || had_file=yes
    run bash -c "cd '$copy' && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make demo 2>&1 3>&-"
    [ -n "$had_file" ] || rm -f "$count_file"
    assert_success
    local demo
    for demo in 03-sysv-shm 04-posix-shm 05-mmap-file 08-sem-undo 01-data-seg.exe \
        02-file-mapping.exe 08-job-count.exe; do
        assert_line "== $demo: 3 copies, started 1 second apart, leaving 1 second apart"
    done
    assert_line --partial "== 06-mmap-fork: one parent, 3 children"
    assert_line --partial "== 07-elf-section: "
    assert_line --partial "== each counted 1: ELF has no shared section"
}
