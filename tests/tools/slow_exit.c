/*
 * slow_exit.c - a test helper: a shared library that, loaded with
 * LD_PRELOAD, makes a process take one second longer to end.
 *
 * Its destructor runs inside exit(), after the program has finished. Under
 * Wine that is after the process has closed its connection to Wine's
 * server, which then sends the process SIGKILL (about 0.48 s later, in
 * Wine 8.0's server/process.c). The tests use it to show that a copy ended
 * that way, exit status 137 after its "left" line, is told apart from a
 * copy killed while it ran.
 *
 *   cc -shared -fPIC -o slow-exit.so slow_exit.c
 */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

__attribute__((destructor)) static void slow_exit(void)
{
    struct timespec second = { .tv_sec = 1, .tv_nsec = 0 };

    while (nanosleep(&second, &second) != 0) {
        /* interrupted by a signal: sleep what is left */
    }
}
