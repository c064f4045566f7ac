/*
 * stop.h - how a running copy learns that it is time to leave.
 *
 * A copy leaves when its --hold runs out, when it is told to stop (on
 * POSIX SIGINT, SIGTERM, SIGQUIT, and SIGHUP unless it was ignored at start,
 * as under nohup; on Windows Ctrl+C, Ctrl+Break, closing the console
 * window, logoff or shutdown), or when Enter is pressed or input ends on an interactive
 * terminal. The handlers only record that a stop was asked for: the main
 * loop does the leaving, outside the handler, where it is safe to call
 * anything.
 */
#ifndef COMMON_STOP_H
#define COMMON_STOP_H

#include <stdbool.h>

/* Install the handlers and start the hold clock (hold < 0: no limit).
 * Returns false, after reporting why on standard error, when a handler
 * could not be installed: the demo then exits 1 before it joins. On POSIX
 * the stop signals are blocked from then on, except while stop_wait waits:
 * one that comes earlier waits, pending, for the first stop_wait. */
bool stop_install(long hold_seconds);

/* Wait up to ms milliseconds. Returns true as soon as it is time to leave. */
bool stop_wait(unsigned ms);

/* Call after leaving: on Windows a console-close handler waits for this
 * before it lets the system end the process. */
void stop_done(void);

/* Die at once, as a crash would: no leaving, no cleanup. SIGKILL on POSIX
 * (the shell reports status 137), TerminateProcess with code 9 on Windows.
 * It never returns. */
_Noreturn void crash_self(void);

/* Sleep for ms milliseconds, whatever happens. */
void sleep_ms(unsigned ms);

#endif
