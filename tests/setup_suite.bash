# setup_suite.bash - once per `bats tests/` run: one Wine prefix for every
# Windows test, made in a temporary directory and removed at the end.
# shellcheck shell=bash

setup_suite() {
    if command -v wine >/dev/null && [ -z "${SKIP_WINE:-}" ]; then
        WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/shm-suite-wine.XXXXXX")
        export WINEPREFIX WINEDEBUG=-all
        # Making a prefix takes about 10 seconds; do it once, before any test.
        # One wineserver for the whole run, started first: otherwise it exits
        # a few seconds after the last program, and a program that starts
        # just then fails with "wine client error: recvmsg". (3>&-: bats
        # waits for every holder of its fd 3 to close it.)
        wineserver -p </dev/null >/dev/null 2>&1 3>&-
        wine cmd /c exit >/dev/null 2>&1 </dev/null 3>&- || true
    fi
}

teardown_suite() {
    if [ -n "${WINEPREFIX:-}" ] && [[ $WINEPREFIX == */shm-suite-wine.* ]]; then
        wineserver -k >/dev/null 2>&1 || true
        rm -rf "$WINEPREFIX"
    fi
}
