/* stop.c - signals, console events, the hold clock: see stop.h. */
#ifndef _WIN32
/* Feature-test macros only work when defined before the first #include
 * (man 7 feature_test_macros), so this is the one place for them.
 * _GNU_SOURCE: glibc declares ppoll() only with it (see stop_wait); it
 * also turns on POSIX.1-2008 (sigaction, clock_gettime, ...). */
#define _GNU_SOURCE
#endif
#include "stop.h"

#ifdef _WIN32

#include <stdio.h>
#include <windows.h>

#include "errors.h"

static HANDLE stop_event; /* set when a stop is asked for */
static HANDLE left_event; /* set once the main loop has left */
static ULONGLONG deadline;
static bool has_deadline;

/* excerpt: console-handler */
/* The handler runs on a thread of its own. Its type must be exactly
 * BOOL WINAPI f(DWORD): casting another function to PHANDLER_ROUTINE hides a
 * wrong calling convention on 32-bit x86. */
static BOOL WINAPI on_console_event(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
        SetEvent(stop_event);
        return TRUE; /* handled: the main loop leaves by itself */
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        /* The console is closing, the user logging off, or Windows shutting
         * down. The system ends the process as soon as this returns (or
         * after a time-out: 5 seconds by default for each of the three), so
         * wait here until the main loop has left. Returning FALSE instead
         * would let the default handler call ExitProcess: no leave, and a
         * count one too high.
         * Logoff and shutdown reach console programs that load neither
         * user32.dll nor gdi32.dll (SetConsoleCtrlHandler's remarks, Windows
         * 7 and later; HandlerRoutine's table still says services only).
         * These demos import only KERNEL32 and msvcrt, so they get them.
         * Only real Windows can show it: Wine 8 sends neither event (not
         * even on wineboot --shutdown), so no test here can. */
        SetEvent(stop_event);
        WaitForSingleObject(left_event, 4000);
        return TRUE;
    default: return FALSE; /* not ours: let the next handler decide */
    }
}
/* end excerpt */

/* Only started when standard input is a console: a line or end of input
 * there means "leave now". */
static DWORD WINAPI watch_input(LPVOID unused)
{
    (void)unused;
    int c;
    while ((c = getchar()) != EOF && c != '\n')
        ;
    SetEvent(stop_event);
    return 0;
}

bool stop_install(long hold_seconds)
{
    /* Manual-reset events, not set yet: once set, they stay set. */
    stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (stop_event == NULL) {
        report_win32("CreateEventW", "stop event", GetLastError());
        return false;
    }
    left_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (left_event == NULL) {
        report_win32("CreateEventW", "left event", GetLastError());
        return false;
    }
    if (!SetConsoleCtrlHandler(on_console_event, TRUE)) {
        report_win32("SetConsoleCtrlHandler", "on_console_event, TRUE", GetLastError());
        return false;
    }
    /* "start /b" starts a program with Ctrl+C ignored, and a process that
     * ignores Ctrl+C passes that on to the children it starts. Such a copy
     * would see Ctrl+Break but never Ctrl+C. A NULL handler with FALSE
     * turns Ctrl+C back on for this process; no other process changes.
     * (After our handler is in place: a Ctrl+C in between would otherwise
     * reach the default handler, which ends the process.) */
    if (!SetConsoleCtrlHandler(NULL, FALSE)) {
        report_win32("SetConsoleCtrlHandler", "NULL, FALSE", GetLastError());
        return false;
    }
    if (hold_seconds >= 0) {
        has_deadline = true;
        deadline = GetTickCount64() + (ULONGLONG)hold_seconds * 1000u;
    }
    /* A real console only: _isatty is also true for NUL and other
     * character devices, where end of input would end us at once. */
    DWORD mode;
    if (GetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), &mode)) {
        HANDLE t = CreateThread(NULL, 0, watch_input, NULL, 0, NULL);
        if (t == NULL) {
            report_win32("CreateThread", "watch_input", GetLastError());
            return false;
        }
        CloseHandle(t); /* the thread runs on without its handle */
    }
    return true;
}

bool stop_wait(unsigned ms)
{
    if (has_deadline) {
        ULONGLONG now = GetTickCount64();
        if (now >= deadline)
            return true;
        if (deadline - now < ms)
            ms = (unsigned)(deadline - now);
    }
    if (WaitForSingleObject(stop_event, ms) == WAIT_OBJECT_0)
        return true;
    return has_deadline && GetTickCount64() >= deadline;
}

void stop_done(void)
{
    SetEvent(left_event);
}

_Noreturn void crash_self(void)
{
    fflush(NULL);
    /* The exit code is ours to choose: 9, after SIGKILL's number. So a
     * --crash copy exits with status 9 (%ERRORLEVEL% in cmd, $? in a shell
     * that runs it under Wine). A process that terminates itself does not
     * return from TerminateProcess (its page says so; for another process
     * the call is asynchronous). Only a failed call returns: then sleep for
     * ever, never leaving, like a hung copy, so _Noreturn holds on every
     * path. */
    TerminateProcess(GetCurrentProcess(), 9);
    for (;;)
        Sleep(INFINITE);
}

void sleep_ms(unsigned ms)
{
    Sleep(ms);
}

#else /* POSIX */

/* ppoll() (see stop_wait) is not in POSIX.1-2008, the standard the rest of
 * this file keeps to: it came to POSIX only with POSIX.1-2024, man 2 poll
 * long called it Linux-specific, and glibc declares it only under
 * _GNU_SOURCE (defined at the top of this file). On a system without
 * ppoll(), pselect() (POSIX.1-2001, man 2 select) closes the same race
 * with an fd_set in place of the pollfd. */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"

static volatile sig_atomic_t caught; /* the signal that asked us to stop */
static long long deadline_ms = -1;
static bool input_is_terminal;
/* The signal mask stop_wait sleeps with: the one we started with, minus
 * the stop signals we handle. Everywhere else those stay blocked. */
static sigset_t wait_mask;

/* excerpt: signal-handler */
/* Async-signal-safe: it only stores a number. printf, exit or shmdt here
 * could run in the middle of the same call in the main program. */
static void on_stop_signal(int sig)
{
    caught = sig;
}
/* end excerpt */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The signals that ask a copy to stop. Which of them we handle:
 * - SIGINT, SIGTERM and SIGQUIT always, so that a copy can always be
 *   stopped, even one that started with them ignored. A shell without job
 *   control (a script, or bats) starts a background job with SIGINT and
 *   SIGQUIT ignored, and launch.sh and the tests stop such copies with
 *   SIGINT.
 * - SIGHUP only if it was not ignored when we started. An ignored signal
 *   stays ignored across execve (man 7 signal): that is how nohup works,
 *   and "nohup prog &" must outlive the terminal it was started from. */
static const struct {
    int number;
    const char *name;
    bool keep_if_ignored;
} stop_signals[] = {
    { SIGINT, "SIGINT", false },
    { SIGTERM, "SIGTERM", false },
    { SIGQUIT, "SIGQUIT", false },
    { SIGHUP, "SIGHUP", true },
};

bool stop_install(long hold_seconds)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART, though it would change nothing here: once this
     * function has returned, the handler only runs inside ppoll() in
     * stop_wait (the signals are blocked everywhere else, see below), and
     * poll() and ppoll() are never restarted after a handler, whatever
     * SA_RESTART says: they fail with EINTR (man 7 signal, "Interruption
     * of system calls and library functions by signal handlers"). */
    sa.sa_flags = 0;

    sigset_t handled;
    sigemptyset(&handled);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++) {
        int sig = stop_signals[i].number;
        struct sigaction old;
        if (sigaction(sig, NULL, &old) == -1) {
            report_errno("sigaction", stop_signals[i].name, errno);
            return false;
        }
        if (stop_signals[i].keep_if_ignored && old.sa_handler == SIG_IGN)
            continue; /* nohup: leave it ignored */
        if (sigaction(sig, &sa, NULL) == -1) {
            report_errno("sigaction", stop_signals[i].name, errno);
            return false;
        }
        sigaddset(&handled, sig);
    }

    /* A closed pipe on standard output (prog | head -1) must not kill us
     * before we leave: the write fails with EPIPE instead. */
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) == -1) {
        report_errno("sigaction", "SIGPIPE", errno);
        return false;
    }

    /* Checking the flag and then sleeping in poll() is a race: a signal
     * that lands between the two runs the handler at once, and poll() then
     * sleeps its whole timeout before anyone looks at the flag again. So
     * the stop signals stay blocked from here on (one that arrives waits,
     * pending), and stop_wait checks the flag and then calls ppoll(), which
     * unblocks them and starts waiting in one atomic step: a pending signal
     * interrupts it at once. sigprocmask is for single-threaded programs,
     * as these demos are (pthread_sigmask is the threaded version). */
    sigset_t original;
    if (sigprocmask(SIG_BLOCK, &handled, &original) == -1) {
        report_errno("sigprocmask", "SIG_BLOCK", errno);
        return false;
    }
    /* ppoll() waits with the mask we started with, minus the signals we
     * handle: a blocked mask is inherited across fork and execve (man 7
     * signal), and a stop signal our parent had blocked would otherwise
     * never reach the handler. */
    wait_mask = original;
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        if (sigismember(&handled, stop_signals[i].number) == 1)
            sigdelset(&wait_mask, stop_signals[i].number);

    if (hold_seconds >= 0)
        deadline_ms = now_ms() + (long long)hold_seconds * 1000;
    input_is_terminal = isatty(STDIN_FILENO);
    return true;
}

/* Enter or end of input on the terminal, but only while we are in the
 * foreground: a background job that reads its terminal is stopped by
 * SIGTTIN, so "prog &" must leave standard input alone. */
static bool watching_input(void)
{
    return input_is_terminal && tcgetpgrp(STDIN_FILENO) == getpgrp();
}

bool stop_wait(unsigned ms)
{
    /* The stop signals are blocked here (see stop_install): none can set
     * the flag between this check and ppoll(). */
    if (caught)
        return true;
    if (deadline_ms >= 0) {
        long long left = deadline_ms - now_ms();
        if (left <= 0)
            return true;
        if (left < (long long)ms)
            ms = (unsigned)left;
    }
    struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
    bool watch = watching_input();
    struct timespec timeout = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    /* Unblock the stop signals and wait, in one step; a signal that was
     * already pending, or comes while we wait, ends it with EINTR. */
    int ready = ppoll(&in, watch ? 1 : 0, &timeout, &wait_mask);
    if (ready > 0 && (in.revents & (POLLIN | POLLHUP | POLLERR))) {
        char line[256];
        ssize_t n = read(STDIN_FILENO, line, sizeof line);
        if (n <= 0 || memchr(line, '\n', (size_t)n) != NULL)
            return true; /* Enter, or end of input (Ctrl+D) */
    }
    if (caught)
        return true;
    return deadline_ms >= 0 && now_ms() >= deadline_ms;
}

void stop_done(void)
{
}

_Noreturn void crash_self(void)
{
    fflush(NULL);
    raise(SIGKILL); /* cannot be caught or ignored: we end here */
    /* Only if raise failed (it returns nonzero then): end with the same
     * status a shell shows for SIGKILL. */
    /* cppcheck-suppress unreachableCode ; raise() can fail and return */
    _exit(128 + SIGKILL);
}

/* The stop signals are blocked outside stop_wait, so they do not cut this
 * short: they stay pending until the next stop_wait. The loop finishes the
 * sleep if some other handler interrupts it (EINTR). */
void sleep_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

#endif
