#!/usr/bin/env bats
# The tutorial: never out of date, no broken links, diagrams that parse.

load helpers

pages() {
    echo "$REPO/README.md"
    ls "$REPO"/docs/*.md
}

@test "docs: make docs would change no committed file" {
    need_wine
    local copy=$BATS_TEST_TMPDIR/copy
    mkdir -p "$copy"
    (cd "$REPO" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$copy")
    BIN_DIR=$BIN_DIR WIN_DIR=$WIN_DIR TEST_TOOL_DIR=$TEST_TOOL_DIR run "$copy/scripts/docs.sh"
    assert_success
    run diff -ru "$REPO/docs" "$copy/docs"
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
    for page in 01-data-seg 02-file-mapping 03-sysv-shm; do
        grep -q '!\[[^]]*\](images/[a-z0-9-]*\.svg)' "$REPO/docs/$page.md" || fail "$page.md has no diagram"
    done
}

@test "docs: the top-level README links every page" {
    local page
    for page in "$REPO"/docs/*.md; do
        grep -q "](docs/$(basename "$page"))" "$REPO/README.md" || fail "README.md does not link docs/$(basename "$page")"
    done
}

@test "docs: every excerpt names a marked region, and every transcript has its script" {
    local page
    for page in "$REPO"/docs/*.md; do
        while read -r file name; do
            grep -q "/\* excerpt: $name \*/" "$REPO/$file" || fail "$page: no excerpt $name in $file"
        done < <(sed -n 's/^<!-- excerpt \([^ ]*\) \([^ ]*\) -->$/\1 \2/p' "$page")
        while read -r name; do
            [ -f "$REPO/docs/transcripts/$name.sh" ] || fail "$page: no docs/transcripts/$name.sh"
        done < <(sed -n 's/^<!-- transcript \([^ ]*\) -->$/\1/p' "$page")
    done
}
