# setup_suite.bash - once per `bats tests/` run: one Wine prefix for every
# Windows test, made in a temporary directory and removed at the end.
# shellcheck shell=bash

setup_suite() {
    if command -v wine >/dev/null; then
        WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/shm-suite-wine.XXXXXX")
        export WINEPREFIX WINEDEBUG=-all
        # Making a prefix takes about 10 seconds; do it once, before any test.
        wine cmd /c exit >/dev/null 2>&1 </dev/null || true
    fi
}

teardown_suite() {
    if [ -n "${WINEPREFIX:-}" ] && [[ $WINEPREFIX == */shm-suite-wine.* ]]; then
        wineserver -k >/dev/null 2>&1 || true
        rm -rf "$WINEPREFIX"
    fi
}
