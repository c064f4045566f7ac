# wine-prefix.bash - make and remove the temporary Wine prefixes in which
# the scripts and tests run the Windows programs. Sourced, not run:
#
#   . scripts/wine-prefix.bash
#   wine_prefix_make DIR     make a whole prefix in DIR (an empty or new
#                            folder), export WINEPREFIX=DIR, and start one
#                            persistent wineserver for it
#   wine_prefix_remove DIR   end every Wine process of DIR, then delete it
#   wine_path PATH           the name Windows programs give the absolute
#                            Linux PATH, without a Wine start (below)
#   wine_killed_after_exit STATUS OUT ERR [LAST-LINE-REGEX]
#                            true when a program's status 137 was Wine's
#                            server ending it after it had finished (below)
#
# The first two leave a prefix that the user chose alone: call them only
# for folders the caller made.
# shellcheck shell=bash

# Quiet Wine, and no Wine Mono or Gecko: a new prefix would otherwise try to
# download and install them, which needs the network and shows a prompt.
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}

wine_prefix_make() {
    mkdir -p "$1" || return 1
    export WINEPREFIX=$1
    # In this order, before any program of ours starts (3>&-: a bats run
    # waits for every holder of its fd 3, and a server would hold it):
    # 1. wineboot makes the prefix (about 10 seconds);
    # 2. wineserver -w waits until every process that wineboot started has
    #    ended and their server has exited: nothing writes to the prefix
    #    any more;
    # 3. one persistent server: otherwise it exits a few seconds after the
    #    last program, and a program that starts just then can fail with
    #    "wine client error: recvmsg";
    # 4. Wine's own services (services.exe, winedevice.exe, ...) started
    #    now, with nothing of ours as their input or output: they live as
    #    long as the server, and would otherwise keep open the pipe or
    #    terminal of whichever program happened to start them.
    local log
    log=$(mktemp "${TMPDIR:-/tmp}/wineboot.XXXXXX") || return 1
    if ! wineboot --init </dev/null >"$log" 2>&1 3>&-; then
        echo "could not make a Wine prefix in $1; wineboot said:" >&2
        cat "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    wineserver -w 3>&-
    wineserver -p </dev/null >/dev/null 2>&1 3>&-
    wine cmd /c exit </dev/null >/dev/null 2>&1 3>&-
}

wine_prefix_remove() {
    [ -d "$1" ] || return 0
    WINEPREFIX=$1 wineserver -k >/dev/null 2>&1 || true
    # Until the server has gone; but not for ever: on a machine under heavy
    # load, Wine's services have been seen to outlive -k, and then -w waits
    # for them without end. Whatever still runs in this prefix after 30
    # seconds is killed, and said so.
    if ! WINEPREFIX=$1 timeout 30 wineserver -w >/dev/null 2>&1; then
        local pid left=()
        for pid in $(ps -eo pid=); do
            if tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qxF "WINEPREFIX=$1"; then
                left+=("$pid")
            fi
        done
        if [ ${#left[@]} -gt 0 ]; then
            echo "wine-prefix: ${#left[@]} Wine process(es) outlived wineserver -k in $1: killed" >&2
            kill -KILL "${left[@]}" 2>/dev/null || true
        fi
    fi
    rm -rf "$1"
}

# A new prefix maps drive Z: to the root folder, so an absolute Linux path
# outside the prefix's drive_c is Z: and the path with backslashes: what
# `winepath -w` prints, worked out without a Wine start (each costs time,
# and can fail as below).
wine_path() {
    printf 'Z:%s\n' "${1//\//\\}"
}

# Wine's server takes a process for ended when the process closes its
# connection to the server; after that the process only runs exit() (atexit
# handlers, library destructors) before the exit_group system call. The
# server looks with kill(pid, 0) 1/64, 3/64, 7/64 and 15/64 s after the
# close, and if the Linux process is still there at 31/64 s (about 0.48 s),
# sends it SIGKILL (Wine 8.0, server/process.c, process_sigkill). On a
# starved CPU a program that printed its last line and returned 0 can thus
# end with status 137: its Windows exit code reached the server, its Linux
# one is lost. This tells that case from a kill while the program ran: the
# status is 137, standard error (file ERR) is empty, and the last line of
# standard output (file OUT) is the one the program prints last before it
# returns, by default a demo's "left" line.
wine_killed_after_exit() {
    [ "$1" -eq 137 ] && [ ! -s "$3" ] || return 1
    [[ $(tr -d '\r' <"$2" | tail -n 1) =~ ${4:-^left pid=[0-9]+ instances=[0-9]+$} ]]
}
