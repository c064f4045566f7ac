/*
 * minimal.c - demo 01, the minimal version: count the running copies of this
 * program in a shared data section of its own EXE file. Read it first;
 * data_seg.c is the same technique, hardened.
 *
 * A section marked SHARED is the same memory in every process that runs
 * this file, so a counter there is seen by every copy. Each copy adds one,
 * prints the count whenever it changes, and takes its one away on Ctrl+C
 * (or when --hold SECONDS runs out: a batch file cannot send Ctrl+C).
 * Do not ship this: any process that loads the file can write the section.
 *
 * Build this file on its own (from this folder; MSVC, MinGW GCC, clang + lld):
 *   cl /std:c11 /W4 /Fe01-data-seg-minimal-msvc.exe minimal.c
 *   x86_64-w64-mingw32-gcc -std=c11 minimal.c -o 01-data-seg-minimal.exe
 *   clang --target=x86_64-w64-mingw32 -fms-extensions -fuse-ld=lld -std=c11 minimal.c -o 01-data-seg-minimal-clang.exe -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")"
 * (The cl line is not tested here. The two last lines are for bash; Debian's
 * clang 14 does not find MinGW's libgcc by itself: -L asks MinGW GCC where.)
 *
 * Example session (one console; PIDs will differ):
 *   > start /b 01-data-seg-minimal.exe --hold 5 <nul
 *   joined pid=1204 instances=1
 *   > 01-data-seg-minimal.exe --hold 1
 *   joined pid=3312 instances=2
 *   now instances=2                       (the first copy saw it join)
 *   left pid=3312 instances=1
 *   now instances=1
 * (<nul: a start /b copy shares cmd's console. This program never reads it,
 * but data_seg.c does, to leave on Enter, and would take the next line you
 * type: give every start /b copy <nul.)
 *
 * What data_seg.c adds, and why it matters:
 * - split brain: cannot happen; nothing is removed, the section lives while a copy runs the file
 * - stale counts: a killed copy keeps its 1 until every copy has gone; --crash shows it (no fix)
 * - foreign writers: no name to squat, but any loader of the file can write; it checks a header
 * - init race: there is no creator; the loader fills the section from the file before main runs
 * - also: leaving on Enter, when the console window closes, and at logoff or shutdown;
 *   --peek, --quiet, --crash
 */
/* excerpt: minimal */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Steps 1-2: the counter in a section marked shared (Read, Write, Shared). On the pragma
 * route it must be initialised: an uninitialised variable stays in .bss, which is not shared. */
#if defined(_MSC_VER) || defined(__clang__)
#ifdef __clang__ /* without -fms-extensions clang ignores the pragmas: make that an error */
#pragma clang diagnostic error "-Wunknown-pragmas"
#endif
#pragma data_seg(".shared")
static volatile LONG instances = 0;
#pragma data_seg()
#pragma comment(linker, "/SECTION:.shared,RWS")
#else /* MinGW GCC: GNU ld ignores /SECTION, so GCC's own attribute marks the section shared */
static volatile LONG instances __attribute__((section(".shared"), shared)) = 0;
#endif

static volatile LONG stop; /* set by the handler's thread; an aligned LONG is read whole */

/* The console handler runs on a thread of its own. Its type must be exactly BOOL WINAPI (DWORD). */
static BOOL WINAPI on_console_event(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE; /* closing the window and the rest: Windows ends us without leaving */
    InterlockedExchange(&stop, 1);
    return TRUE; /* handled: main leaves by itself */
}

int main(int argc, char **argv)
{
    long hold = -1; /* --hold SECONDS: leave after that long */
    char *end = NULL;
    if (argc == 3 && strcmp(argv[1], "--hold") == 0)
        hold = strtol(argv[2], &end, 10);
    if (argc != 1 && (hold < 0 || end == argv[2] || *end != '\0')) {
        fprintf(stderr, "usage: %s [--hold SECONDS]\n", argv[0]);
        return 2;
    }
    /* start /b runs a program with Ctrl+C ignored: SetConsoleCtrlHandler(NULL, FALSE) undoes it,
     * once our handler is in (before, a Ctrl+C would reach the default one, which ends us). */
    if (!SetConsoleCtrlHandler(on_console_event, TRUE) || !SetConsoleCtrlHandler(NULL, FALSE)) {
        fprintf(stderr, "SetConsoleCtrlHandler failed: error %lu\n", GetLastError());
        return 1;
    }

    /* Step 3: join. volatile is not atomic: InterlockedIncrement is, so no update is lost. */
    LONG count = InterlockedIncrement(&instances);
    printf("joined pid=%lu instances=%ld\n", GetCurrentProcessId(), count);
    fflush(stdout); /* at once: a pipe would hold the line back */

    /* Step 4: the live loop. Look every 100 ms; print the count when it changes. */
    ULONGLONG deadline = GetTickCount64() + (ULONGLONG)hold * 1000;
    while (!stop && (hold < 0 || GetTickCount64() < deadline)) {
        Sleep(100);
        LONG now = instances; /* a read of an aligned LONG is atomic; only updates need more */
        if (now != count) {
            printf("now instances=%ld\n", now);
            fflush(stdout);
        }
        count = now;
    }

    /* Step 5: leave. */
    printf("left pid=%lu instances=%ld\n", GetCurrentProcessId(), InterlockedDecrement(&instances));
    fflush(stdout);
    return 0;
}
/* end excerpt */
