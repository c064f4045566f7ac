/*
 * slow_exit.c - a test helper: a shared library that, loaded with
 * LD_PRELOAD, makes a Wine process take three seconds longer to end.
 *
 * Its destructor runs inside exit(), after the program has finished. Under
 * Wine that is after the process has closed its connection to Wine's
 * server, which sends the process SIGKILL if it is still there about
 * 0.48 s later (Wine 8.0's server/process.c). Three seconds leave that
 * margin even when the server itself is slow to notice the close. The
 * tests use it to show that a copy ended that way, exit status 137 after
 * its "left" line, is told apart from a copy killed while it ran.
 * Processes that are not Wine's (a shell, rm) end at their usual pace.
 *
 *   cc -shared -fPIC -o slow-exit.so slow_exit.c
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <time.h>
#include <unistd.h>

__attribute__((destructor)) static void slow_exit(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    const char *base = strrchr(exe, '/');
    if (strncmp(base ? base + 1 : exe, "wine", 4) != 0) /* wine64, wine64-preloader */
        return;
    struct timespec left = { .tv_sec = 3, .tv_nsec = 0 };
    while (nanosleep(&left, &left) != 0) {
        /* interrupted by a signal: sleep what is left */
    }
}
