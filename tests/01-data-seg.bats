#!/usr/bin/env bats
# Demo 01, a shared data section, in an EXE and in a DLL, under Wine. Each
# test runs private copies of the programs, so its section is its own.
# Every scenario runs for the MinGW GCC build and for the clang + lld build.

load helpers

setup() {
    need_wine
}

teardown() {
    cleanup_copies
}

# count_together BUILD N: N copies of a private EXE count N, then 0.
count_together() {
    windows_count_together "$2" "$(private_copy "01-data-seg$1.exe")/01-data-seg$1.exe"
}

@test "01 gcc: 1 copy counts 1" { count_together "" 1; }
@test "01 clang: 1 copy counts 1" { count_together -clang 1; }
@test "01 gcc: 3 copies count 3, then 0" { count_together "" 3; }
@test "01 clang: 3 copies count 3, then 0" { count_together -clang 3; }
@test "01 gcc: 20 copies count 20, then 0" { count_together "" 20; }
@test "01 clang: 20 copies count 20, then 0" { count_together -clang 20; }

section_flags() { # the flags objdump shows for the .shared section of FILE
    x86_64-w64-mingw32-objdump -h "$1" | awk '$2 == ".shared" { getline; print; exit }' | xargs
}

@test "01: the .shared section is marked SHARED in both builds of the EXE and the DLL" {
    local file
    for file in 01-data-seg.exe 01-data-seg-clang.exe 01-shared-dll.dll 01-shared-dll-clang.dll; do
        run section_flags "$WIN_DIR/$file"
        assert_output "CONTENTS, ALLOC, LOAD, DATA, SHARED"
    done
}

@test "01 negative: the pragma route linked by GNU ld gets a section that is not shared" {
    # clang put the data in .shared and asked for /SECTION:.shared,RWS; GNU ld
    # ignored the request. The section is there, without SHARED...
    run section_flags "$WIN_DIR/01-data-seg-pragma-gnu-ld.exe"
    assert_output "CONTENTS, ALLOC, LOAD, DATA"
    # ...and so two running copies each count alone.
    local exe
    exe=$(private_copy 01-data-seg-pragma-gnu-ld.exe)/01-data-seg-pragma-gnu-ld.exe
    start_copy first wine "$exe" --quiet
    wait_for_line first '^joined ' 60
    winrun "$exe" --hold 0
    assert_success
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    kill -INT "$(pid_of first)"
    assert_exit first 0
}

dll_clients_count_together() {
    local dir
    dir=$(private_copy "01-shared-dll$1.dll" "01-dll-client-one$1.exe" "01-dll-client-two$1.exe")
    start_copy one wine "$dir/01-dll-client-one$1.exe" --quiet
    wait_for_line one '^joined pid=[0-9]+ instances=1$' 60
    start_copy two wine "$dir/01-dll-client-two$1.exe"
    wait_for_line two '^joined pid=[0-9]+ instances=2$' 60
    winrun "$dir/01-dll-client-one$1.exe" --peek
    assert_output "instances=2"
    kill -INT "$(pid_of one)"
    assert_exit one 0
    wait_for_line two '^now instances=1$' 30
    kill -INT "$(pid_of two)"
    assert_exit two 0
    run output_of two
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
    winrun "$dir/01-dll-client-two$1.exe" --peek
    assert_output "instances=0"
}

@test "01 gcc: two different programs count together through one DLL" { dll_clients_count_together ""; }
@test "01 clang: two different programs count together through one DLL" { dll_clients_count_together -clang; }

apart_by_path() {
    local a b
    a=$(private_copy "01-data-seg$1.exe")/01-data-seg$1.exe
    b=$(private_copy "01-data-seg$1.exe")/01-data-seg$1.exe
    start_copy a wine "$a" --quiet
    wait_for_line a '^joined ' 60
    winrun "$a" --peek
    assert_output "instances=1"
    winrun "$b" --peek # the same bytes at another path: its own section
    assert_output "instances=0"
    kill -INT "$(pid_of a)"
    assert_exit a 0
}

@test "01 gcc: copies of the EXE at different paths count apart" { apart_by_path ""; }
@test "01 clang: copies of the EXE at different paths count apart" { apart_by_path -clang; }

# The section belongs to the file, not to its name: a hard link to the EXE,
# and the EXE renamed while a copy runs it, are the same file.
same_file_other_name() {
    local dir exe
    dir=$(private_copy "01-data-seg$1.exe")
    exe=$dir/01-data-seg$1.exe
    ln "$exe" "$dir/link.exe"
    start_copy a wine "$exe" --quiet
    wait_for_line a '^joined ' 60
    winrun "$dir/link.exe" --peek
    assert_output "instances=1"
    mv "$exe" "$dir/renamed.exe"
    winrun "$dir/renamed.exe" --hold 0
    assert_success
    assert_line --regexp '^joined pid=[0-9]+ instances=2$'
    kill -INT "$(pid_of a)"
    assert_exit a 0
    run output_of a
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
}

@test "01 gcc: a hard link and a rename are the same file, and count together" { same_file_other_name ""; }
@test "01 clang: a hard link and a rename are the same file, and count together" { same_file_other_name -clang; }

crash_and_recover() {
    local exe
    exe=$(private_copy "01-data-seg$1.exe")/01-data-seg$1.exe
    start_copy a wine "$exe" --quiet
    start_copy b wine "$exe" --quiet
    wait_for_line a '^joined ' 60
    wait_for_line b '^joined ' 60
    winrun "$exe" --hold 0 --crash
    assert_equal "$status" 9
    assert_line --regexp '^crashing pid=[0-9]+ instances=3$'
    refute_line --partial 'left '
    winrun "$exe" --peek
    assert_output "instances=3" # stale: the crashed copy never left
    kill -INT "$(pid_of a)"
    assert_exit a 0
    winrun "$exe" --peek
    assert_output "instances=2"
    kill -INT "$(pid_of b)"
    assert_exit b 0
    run output_of b
    assert_line --regexp '^left pid=[0-9]+ instances=1$'
    # Nobody has the image loaded now: the section starts again from the file.
    winrun "$exe" --hold 0
    assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    assert_line --regexp '^left pid=[0-9]+ instances=0$'
}

@test "01 gcc: Ctrl+C leaves cleanly; --crash leaves a stale count until all are gone" { crash_and_recover ""; }
@test "01 clang: Ctrl+C leaves cleanly; --crash leaves a stale count until all are gone" { crash_and_recover -clang; }

@test "01: every bad command line exits 2 and names the argument" {
    local exe args expect
    exe=$(private_copy 01-data-seg.exe)/01-data-seg.exe
    while IFS='|' read -r args expect; do
        # shellcheck disable=SC2086 # split the arguments on purpose
        winrun "$exe" $args
        assert_equal "$status" 2
        assert_line --index 0 --partial "$expect"
        assert_output --partial "usage: 01-data-seg.exe"
    done <<'LINES'
--name demo|--name: 'demo' cannot be used here: a shared section belongs to the program file, so every copy of this .exe counts together. Another file (a copy) counts on its own; a hard link or a rename is the same file.
--name|option '--name' needs a value
--bogus|unknown option '--bogus'
--hold abc|--hold: 'abc' is not a whole number
--hold -1|--hold: '-1' is not a whole number
stray|unexpected argument 'stray'
--peek --crash|--peek cannot be combined with --crash
LINES
    winrun "$exe" --peek
    assert_output "instances=0"
    winrun "$exe" --help
    assert_success
    assert_output --partial "a hard link or a rename is"
    assert_output --partial "start /b ... <nul"
}

@test "01: the header comments' one-line commands build the programs, each into a file of its own" {
    local src=$REPO/windows/01-data-seg file lines=()
    # Every line writes its own file (cl's too): a failed link cannot delete another build.
    run bash -c "sed -n 's/^ \*   .*\(-o \|\/Fe\)\([^ ]*\) .*$/\2/p' '$src/data_seg.c' '$src/shared_dll.c' | sort | uniq -d"
    assert_output ""
    # The MinGW and clang lines of both files, run exactly as written.
    mapfile -t lines < <(sed -n 's/^ \*   \(\(x86_64-w64-mingw32-gcc\|clang\) .*\)$/\1/p' "$src/data_seg.c" "$src/shared_dll.c")
    [ "${#lines[@]}" -eq 6 ]
    build_from_header windows/01-data-seg "${lines[@]}"
    for file in 01-data-seg.exe 01-data-seg-clang.exe 01-shared-dll.dll 01-shared-dll-clang.dll; do
        run section_flags "$BUILT/$file"
        assert_output "CONTENTS, ALLOC, LOAD, DATA, SHARED"
    done
    for file in 01-dll-client-one.exe 01-dll-client-one-clang.exe; do
        winrun "$BUILT/$file" --hold 0
        assert_success
        assert_line --regexp '^joined pid=[0-9]+ instances=1$'
    done
}

@test "01 negative: GNU ld says it cannot read the /SECTION directive, and links anyway" {
    local obj=$BATS_TEST_TMPDIR/pragma.o
    clang --target=x86_64-w64-mingw32 -fms-extensions -std=c11 -I"$REPO/common" -c -o "$obj" \
        "$REPO/windows/01-data-seg/data_seg.c"
    run x86_64-w64-mingw32-objdump -s -j .drectve "$obj"
    assert_output --partial "/SECTION:.share" # the directive clang left for the linker
    run x86_64-w64-mingw32-gcc -std=c11 -I"$REPO/common" -o "$BATS_TEST_TMPDIR/pragma.exe" "$obj" "$REPO"/common/*.c
    assert_success
    assert_output "Warning: corrupt .drectve at end of def file" # the words the docs quote
}

# (GCC's manual allows its shared attribute only on a fully initialised
# definition, so what it does with an uninitialised one is not tested.)
@test "01: on the pragma route an uninitialised variable stays in .bss, and is not shared" {
    local dir=$BATS_TEST_TMPDIR libgcc
    libgcc=$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")
    cat >"$dir/pragma.c" <<'C'
#pragma data_seg(".shared")
static volatile long counter;
#pragma data_seg()
#pragma comment(linker, "/SECTION:.shared,RWS")
int main(void) { return (int)++counter; }
C
    clang --target=x86_64-w64-mingw32 -fms-extensions -fuse-ld=lld -L"$libgcc" -o "$dir/pragma.exe" "$dir/pragma.c"
    run section_flags "$dir/pragma.exe" # no .shared at all: the variable stayed in .bss
    assert_output ""
    run x86_64-w64-mingw32-gcc -Wall -c -o "$dir/gcc-pragma.o" "$dir/pragma.c" # GCC ignores the pragmas
    assert_success
    assert_output --regexp 'ignoring .*#pragma data_seg'
}

@test "01: clang without -fms-extensions refuses to build the pragma route instead of leaving the section unshared" {
    local file
    for file in data_seg.c shared_dll.c minimal.c; do
        run clang --target=x86_64-w64-mingw32 -std=c11 -DBUILDING_SHARED_DLL -I"$REPO/common" \
            -c -o "$BATS_TEST_TMPDIR/no-ms.o" "$REPO/windows/01-data-seg/$file"
        assert_failure
        assert_output --partial "error: unknown pragma ignored [-Werror,-Wunknown-pragmas]"
        [ ! -e "$BATS_TEST_TMPDIR/no-ms.o" ]
    done
}
