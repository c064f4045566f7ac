#!/usr/bin/env bats
# Demo 07, an ELF section named .shared that is not shared: copies that run
# at the same time each count 1; readelf shows the section as WA and
# nothing more; /proc/PID/maps shows the program's pages as private. And the
# minimal version. Nothing is shared, so tests cannot collide.

load helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

setup() {
    PROG=$BIN_DIR/07-elf-section
    MINIMAL=$BIN_DIR/07-elf-section-minimal
    if [ ! -x "$PROG" ] || [ ! -x "$MINIMAL" ]; then fail "build the demo first: make"; fi
}

teardown() {
    cleanup_copies
}

# flags_of_shared FILE: the .shared section's type and flags, from readelf -S.
flags_of_shared() {
    readelf -S -W "$1" | sed -E 's/^ *\[ *[0-9]+\] //' | awk '$1 == ".shared" { print $2, $7 }'
}

# each_counts_one PROGRAM ARGS...: 3 copies, all running at once (each is
# still running when the last has joined), each say instances=1; then each
# leaves with 0.
each_counts_one() {
    local i
    for i in 1 2 3; do
        start_copy "c$i" "$@"
        wait_for_line "c$i" '^joined pid=[0-9]+ instances=[0-9]+$'
    done
    for i in 1 2 3; do
        kill -0 "$(pid_of "c$i")" || fail "copy $i has ended: the copies did not overlap"
    done
    for i in 1 2 3; do kill -INT "$(pid_of "c$i")"; done
    for i in 1 2 3; do
        assert_exit "c$i" 0
        run output_of "c$i"
        assert_output --regexp '^joined pid=[0-9]+ instances=1
left pid=[0-9]+ instances=0$'
    done
}

@test "3 copies running at the same time each count 1: the section is not shared" {
    each_counts_one "$PROG"
}

@test "readelf -S: .shared is PROGBITS with flags WA (write, alloc), and ELF has no shared flag to add" {
    run flags_of_shared "$PROG"
    assert_output "PROGBITS WA"
    # The key to the flags that readelf prints lists no such letter.
    run bash -c "readelf -S -W '$PROG' | sed -n '/^Key to Flags:/,\$p'"
    assert_output --partial "W (write), A (alloc), X (execute)"
    refute_output --regexp '[Ss]hared'
}

@test "/proc/PID/maps: every mapping of the program file is private (p), none shared (s); --peek shows the counter's" {
    start_copy a "$PROG" --quiet
    wait_for_line a '^joined pid=[0-9]+ instances=1$'
    run grep -c " $PROG\$" "/proc/$(pid_of a)/maps"
    [ "$output" -ge 2 ] || fail "expected the program file mapped more than once: $output"
    run grep -E " [r-][w-][x-]s .* $PROG\$" "/proc/$(pid_of a)/maps"
    assert_output ""
    # A peek, while a copy runs: its own copy, fresh from the file, says 0,
    # and the line of its own maps that holds the counter is rw-p.
    run --separate-stderr "$PROG" --peek
    assert_success
    assert_output "instances=0"
    # shellcheck disable=SC2154 # run --separate-stderr sets stderr and stderr_lines
    assert_equal "${stderr_lines[0]}" "note: a peek sees only its own copy of .shared, fresh from the file: no copy of this program can see another's count"
    # shellcheck disable=SC2154 # run --separate-stderr sets stderr
    [[ $stderr =~ $'\n  '[0-9a-f]+-[0-9a-f]+\ rw-p\ [^$'\n']*\ $PROG$'\n' ]] || fail "no rw-p line of $PROG in: $stderr"
    kill -TERM "$(pid_of a)"
    assert_exit a 0
}

@test "GCC's shared attribute, which marks a PE section shared, is ignored on ELF with a warning" {
    printf 'int x __attribute__((section(".shared"), shared)) = 1;\n' >"$BATS_TEST_TMPDIR/s.c"
    run env LC_ALL=C gcc -std=c11 -c -o "$BATS_TEST_TMPDIR/s.o" "$BATS_TEST_TMPDIR/s.c"
    assert_success
    assert_output --partial "'shared' attribute directive ignored"
    run flags_of_shared "$BATS_TEST_TMPDIR/s.o"
    assert_output "PROGBITS WA"
}

@test "a bad command line exits 2 and names the argument; --help explains and exits 0" {
    local args
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        run "$PROG" $args
        assert_equal "$status" 2
        assert_line --index 0 --partial "$expect"
        assert_output --partial "usage: 07-elf-section [--hold SECONDS] [--quiet] [--crash]"
    done <<'EOF'
--bogus|unknown option '--bogus'
--hold abc|--hold: 'abc' is not a whole number
--peek --hold 1|--peek cannot be combined with --hold
--key 5|unknown option '--key'
EOF
    run "$PROG" --help
    assert_success
    assert_output --partial "no shared flag for a section (readelf -S shows WA)"
    # --crash still works as everywhere: SIGKILL, status 137.
    run "$PROG" --hold 0 --crash
    assert_equal "$status" 137
    assert_line --index 1 --regexp '^crashing pid=[0-9]+ instances=1$'
}

@test "the header comment's one-line command builds the demo on its own" {
    build_from_header linux/07-elf-section "$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$REPO/linux/07-elf-section/elf_section.c")"
    run flags_of_shared "$BUILT/07-elf-section"
    assert_output "PROGBITS WA"
    run "$BUILT/07-elf-section" --hold 0
    assert_success
    assert_output --regexp '^joined pid=[0-9]+ instances=1
left pid=[0-9]+ instances=0$'
}

# ------------------------------------------------------------ minimal ----

@test "minimal: 3 copies at the same time each count 1; .shared is WA" {
    each_counts_one "$MINIMAL"
    run flags_of_shared "$MINIMAL"
    assert_output "PROGBITS WA"
    run "$MINIMAL" --peek
    assert_equal "$status" 2
    assert_output --regexp '^usage: .*07-elf-section-minimal \(no options; Ctrl\+C or kill -INT leaves\)$'
}

@test "minimal: at most 80 lines after its header, in one excerpt, nothing of common/; its header's line builds it with no warning" {
    local file=$REPO/linux/07-elf-section/minimal.c n line
    n=$(awk 'header_done { n++ } !header_done && /\*\// { header_done = 1 } END { print n + 0 }' "$file")
    [ "$n" -le 80 ] || fail "minimal.c has $n lines after its header comment; at most 80"
    run awk 'header_done && !first { first = $0 } !header_done && /\*\// { header_done = 1 } END { print first; print $0 }' "$file"
    assert_line --index 0 "/* excerpt: minimal */"
    assert_line --index 1 "/* end excerpt */"
    run grep -c '#include "' "$file"
    assert_output 0
    line=$(sed -n 's/^ \*   \(cc .*\)$/\1/p' "$file")
    assert_equal "$line" "cc -std=c11 minimal.c -o 07-elf-section-minimal"
    build_from_header linux/07-elf-section "$line" "gcc${line#cc} -Wall -Wextra -Wpedantic" "clang${line#cc} -Wall -Wextra -Wpedantic"
    run flags_of_shared "$BUILT/07-elf-section-minimal"
    assert_output "PROGBITS WA"
}

# ----------------------------------------------------- scripts/demo.sh ----

@test "demo.sh: 06 runs once with 3 children; 07's three overlapping copies each count 1, and one line says why" {
    run "$REPO/scripts/demo.sh" "$BIN_DIR/06-mmap-fork" "$PROG"
    assert_success
    assert_line "== 06-mmap-fork: one parent, 3 children sharing an anonymous page (--children 3 --hold 3)"
    assert_line --regexp '^joined pid=[0-9]+ instances=3$'
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
    assert_line "parent: instances=0"
    assert_line "== 07-elf-section: 3 copies, started 1 second apart, leaving together"
    local copy
    for copy in 1 2 3; do
        assert_line --regexp "^\[copy $copy\] joined pid=[0-9]+ instances=1\$"
        assert_line --regexp "^\[copy $copy\] left pid=[0-9]+ instances=0\$"
    done
    assert_line "== each counted 1: ELF has no shared section, the loader maps the program's data private (copy-on-write)"
    refute_output --partial "--peek says"
}
