#!/usr/bin/env bash
# lint.sh - the checks behind `make lint`: shellcheck on every script and
# test, cppcheck on every C file, and clang-format's verdict on the layout.
#
#   scripts/lint.sh
#
# Exit status: 0 clean, 1 something to fix (each tool says what).
set -euo pipefail
if [ $# -gt 0 ]; then sed -n '5p' "$0" | sed 's/^# \{0,3\}/usage: /'; [ "$1" = -h ] || [ "$1" = --help ] && exit 0 || exit 2; fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."

status=0
mapfile -t shells < <(git ls-files -co --exclude-standard -- 'scripts/*.sh' 'tests/*.bash' 'tests/*.bats' .ci/run)
mapfile -t sources < <(git ls-files -co --exclude-standard -- '*.c' '*.h')

echo "lint: shellcheck (${#shells[@]} files)"
shellcheck -x "${shells[@]}" || status=1

echo "lint: cppcheck (${#sources[@]} files)"
cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,style,performance,portability \
    --inline-suppr --suppress=missingIncludeSystem -Icommon \
    -D__linux__ -U_WIN32 "${sources[@]}" || status=1
cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
    --inline-suppr --suppress=missingIncludeSystem -Icommon -Iwindows/01-data-seg \
    -D_WIN32 -D__MINGW32__ "${sources[@]}" || status=1

echo "lint: clang-format"
clang-format --dry-run -Werror "${sources[@]}" || status=1

[ "$status" -eq 0 ] && echo "lint: clean" || echo "lint: problems found"
exit "$status"
