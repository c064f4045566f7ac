#!/usr/bin/env bats
# The Makefile: warning-free builds with gcc and clang (and the cross
# compilers), CC/CFLAGS/V=1 as users expect, help and clean.

load helpers

setup() {
    OUT=$BATS_TEST_TMPDIR/build
}

@test "build: gcc and clang build demo 03 with no warning at all (-Werror)" {
    local cc
    for cc in gcc clang; do
        run make -C "$REPO" --no-print-directory BUILD="$OUT-$cc" CC="$cc" CFLAGS="-O2 -Werror" all
        assert_success
        assert_output "  CC       $OUT-$cc/bin/03-sysv-shm
  CC       $OUT-$cc/bin/04-posix-shm
  CC       $OUT-$cc/bin/05-mmap-file
  CC       $OUT-$cc/bin/08-sem-undo
  CC       $OUT-$cc/bin/06-mmap-fork
  CC       $OUT-$cc/bin/07-elf-section
  CC       $OUT-$cc/bin/03-sysv-shm-minimal
  CC       $OUT-$cc/bin/04-posix-shm-minimal
  CC       $OUT-$cc/bin/05-mmap-file-minimal
  CC       $OUT-$cc/bin/08-sem-undo-minimal
  CC       $OUT-$cc/bin/06-mmap-fork-minimal
  CC       $OUT-$cc/bin/07-elf-section-minimal
  CC       $OUT-$cc/bin/09-lost-updates
  CC       $OUT-$cc/bin/10-ipc-bench
  CC       $OUT-$cc/bin/09-lost-updates-minimal
  CC       $OUT-$cc/bin/10-ipc-bench-minimal"
        run "$OUT-$cc/bin/03-sysv-shm" --help
        assert_success
    done
}

@test "build: the Windows programs cross-build with no warning (-Werror), with both compilers" {
    run make -C "$REPO" --no-print-directory -j2 BUILD="$OUT" WIN_CFLAGS="-O2 -Werror" windows
    assert_success
    refute_output --partial "warning"
    local program
    for program in 01-data-seg 01-dll-client-one 01-dll-client-two 02-file-mapping \
        01-data-seg-minimal 02-file-mapping-minimal 08-job-count 08-job-count-minimal; do
        [ -f "$OUT/win64/$program.exe" ] || fail "no $program.exe"
        [ -f "$OUT/win64/$program-clang.exe" ] || fail "no $program-clang.exe"
    done
    [ -f "$OUT/win64/01-shared-dll.dll" ] && [ -f "$OUT/win64/01-shared-dll-clang.dll" ]
}

@test "build: V=1 shows the whole compiler command; make 03-sysv-shm builds just that" {
    run make -C "$REPO" --no-print-directory BUILD="$OUT" V=1 03-sysv-shm
    assert_success
    assert_output --partial "cc -std=c11 -Wall -Wextra -Wpedantic -Icommon"
    assert_output --partial "-o $OUT/bin/03-sysv-shm linux/03-sysv-shm/sysv_shm.c"
    [ ! -d "$OUT/win64" ]
}

@test "build: CFLAGS replaces the optimisation but never the language and warnings" {
    run make -C "$REPO" --no-print-directory BUILD="$OUT" V=1 CFLAGS=-O0 03-sysv-shm
    assert_success
    assert_output --partial "-std=c11 -Wall -Wextra -Wpedantic -Icommon  -O0"
    refute_output --partial "-O2"
}

@test "build: make help lists the targets, make clean removes the build folder" {
    run make -C "$REPO" --no-print-directory help
    assert_success
    local target
    for target in all 03-sysv-shm 01-data-seg 02-file-mapping 08-job-count windows demo test lint docs clean; do
        assert_output --regexp "(^|$(printf '\n'))  $target "
    done
    make -C "$REPO" --no-print-directory BUILD="$OUT" all >/dev/null
    [ -d "$OUT" ]
    run make -C "$REPO" --no-print-directory BUILD="$OUT" clean
    assert_success
    [ ! -e "$OUT" ]
}
