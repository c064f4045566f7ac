/* output.c - the event lines: see output.h. */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L /* sigaction, clock_gettime, getpid, ... */
#endif
#include "output.h"

#include <stdarg.h>
#include <stdio.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

long current_pid(void)
{
#ifdef _WIN32
    return (long)GetCurrentProcessId();
#else
    return (long)getpid();
#endif
}

/* Flush after every line: a pipe or file would otherwise hold the lines
 * back until exit, and a copy killed with SIGKILL would lose them. */
void print_joined(long instances)
{
    printf("joined pid=%ld instances=%ld\n", current_pid(), instances);
    fflush(stdout);
}

void print_now(long instances)
{
    printf("now instances=%ld\n", instances);
    fflush(stdout);
}

void print_left(long instances)
{
    printf("left pid=%ld instances=%ld\n", current_pid(), instances);
    fflush(stdout);
}

void print_crashing(long instances)
{
    printf("crashing pid=%ld instances=%ld\n", current_pid(), instances);
    fflush(stdout);
}

void print_peek(long instances, long nattch)
{
    if (nattch < 0)
        printf("instances=%ld\n", instances);
    else
        printf("instances=%ld nattch=%ld\n", instances, nattch);
    fflush(stdout);
}

void print_peek_mappers(long instances, long mappers)
{
    printf("instances=%ld mappers=%ld\n", instances, mappers);
    fflush(stdout);
}

void print_note(const char *format, ...)
{
    va_list ap;
    fputs("note: ", stderr);
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}
