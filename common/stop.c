/* stop.c - signals, console events, the hold clock: see stop.h. */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L /* sigaction, clock_gettime, getpid, ... */
#endif
#include "stop.h"

#ifdef _WIN32

#include <stdio.h>
#include <windows.h>

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
        /* The system ends the process as soon as this returns (or after
         * about 5 seconds), so wait here until the main loop has left. */
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
    stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    left_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    SetConsoleCtrlHandler(on_console_event, TRUE);
    if (hold_seconds >= 0) {
        has_deadline = true;
        deadline = GetTickCount64() + (ULONGLONG)hold_seconds * 1000u;
    }
    /* A real console only: _isatty is also true for NUL and other
     * character devices, where end of input would end us at once. */
    DWORD mode;
    if (GetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), &mode)) {
        HANDLE t = CreateThread(NULL, 0, watch_input, NULL, 0, NULL);
        if (t != NULL)
            CloseHandle(t);
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

void crash_self(void)
{
    fflush(NULL);
    TerminateProcess(GetCurrentProcess(), 9);
}

void sleep_ms(unsigned ms)
{
    Sleep(ms);
}

#else /* POSIX */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t caught; /* the signal that asked us to stop */
static long long deadline_ms = -1;
static bool input_is_terminal;

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

bool stop_install(long hold_seconds)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a signal wakes poll() at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);

    /* A closed pipe on standard output (prog | head -1) must not kill us
     * before we leave: the write fails with EPIPE instead. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

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
    int ready = poll(&in, watch ? 1 : 0, (int)ms);
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

void crash_self(void)
{
    fflush(NULL);
    raise(SIGKILL); /* cannot be caught or ignored: we end here */
}

void sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

#endif
