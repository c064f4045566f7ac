# setup_suite.bash - once per `bats tests/` run: one Wine prefix for every
# Windows test, made in a temporary directory and removed at the end
# (scripts/wine-prefix.bash says how, and why in that order).
# shellcheck shell=bash

setup_suite() {
    if command -v wine >/dev/null && [ -z "${SKIP_WINE:-}" ]; then
        # shellcheck source=scripts/wine-prefix.bash
        . "$BATS_TEST_DIRNAME/../scripts/wine-prefix.bash"
        wine_prefix_make "$(mktemp -d "${TMPDIR:-/tmp}/shm-suite-wine.XXXXXX")"
    fi
}

teardown_suite() {
    if [ -n "${WINEPREFIX:-}" ] && [[ $WINEPREFIX == */shm-suite-wine.* ]]; then
        wine_prefix_remove "$WINEPREFIX"
    fi
}
