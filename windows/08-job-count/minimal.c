/*
 * minimal.c - demo 08 (Windows), the minimal version: count the running
 * copies of this program with a named job object. Read it first;
 * job_count.c is the same technique, hardened.
 *
 * Every copy opens the job object by its name (the first copy creates it),
 * puts itself in it, and prints the job's count of processes whenever it
 * changes, until Ctrl+C (or until --hold SECONDS runs out: a batch file
 * cannot send Ctrl+C). Nobody writes the count: the kernel takes a copy
 * out of the job when it ends, however it ends, so a copy ended by
 * taskkill /f or TerminateProcess leaves no stale count. Its name is not
 * job_count.c's: the two programs never meet.
 *
 * Build this file on its own (from this folder; MSVC, MinGW GCC, clang + lld):
 *   cl /std:c11 /W4 /Fe08-job-count-minimal-msvc.exe minimal.c
 *   x86_64-w64-mingw32-gcc -std=c11 minimal.c -o 08-job-count-minimal.exe
 *   clang --target=x86_64-w64-mingw32 -fuse-ld=lld -std=c11 minimal.c -o 08-job-count-minimal-clang.exe -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")"
 * (The cl line is not tested here. The two last lines are for bash; Debian's
 * clang 14 does not find MinGW's libgcc by itself: -L asks MinGW GCC where.)
 *
 * Example session (one console; PIDs will differ):
 *   > start /b 08-job-count-minimal.exe --hold 5 <nul
 *   joined pid=1204 instances=1
 *   > 08-job-count-minimal.exe --hold 1
 *   joined pid=3312 instances=2
 *   now instances=2                       (the first copy saw it join)
 *   left pid=3312 instances=1
 *   now instances=1
 *
 * What job_count.c adds, and why it matters:
 * - exact lines: here two copies that join (or leave) at the same moment can
 *   print the same number, since joining and reading are two calls; it
 *   takes a mutex around them. The count itself is always the kernel's.
 * - a name that holds another kind of object, or a console that already runs
 *   in a job: here a bare error number; it explains both
 * - also: leaving on Enter, when the console closes, at logoff or shutdown;
 *   --name, --global, --peek, --quiet, --crash, and --semaphore, which shows
 *   a count that a killed copy leaves too high
 */
/* excerpt: minimal */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Local\: seen in this session only: each Remote Desktop or switched-user session has its own. */
#define NAME L"Local\\shm-suite-08-minimal"

static volatile LONG stop; /* set by the handler's thread; an aligned LONG is read whole */

/* The console handler runs on a thread of its own. Its type must be exactly BOOL WINAPI (DWORD). */
static BOOL WINAPI on_console_event(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE; /* closing the window and the rest: Windows ends us, and the job drops us */
    InterlockedExchange(&stop, 1);
    return TRUE; /* handled: main leaves by itself */
}

static int fail(const char *call) /* say which call failed, and why */
{
    fprintf(stderr, "%s failed for %ls: error %lu\n", call, NAME, GetLastError());
    return 1;
}

static LONG count_in(HANDLE job) /* the kernel's count: the processes in the job now; -1 on error */
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info;
    if (!QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &info, sizeof info,
                                   NULL))
        return -1;
    return (LONG)info.ActiveProcesses;
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
    /* start /b runs us with Ctrl+C ignored; (NULL, FALSE) undoes it, once our handler is in. */
    if (!SetConsoleCtrlHandler(on_console_event, TRUE) || !SetConsoleCtrlHandler(NULL, FALSE))
        return fail("SetConsoleCtrlHandler");

    /* Step 1: open or create the job. Keep the handle until we end: the job lasts while one does. */
    HANDLE job = CreateJobObjectW(NULL, NAME);
    if (job == NULL) /* error 6, ERROR_INVALID_HANDLE: the name holds another kind of object */
        return fail("CreateJobObjectW");
    /* Step 3: join. From here until this process ends, however it ends, the kernel counts it. */
    if (!AssignProcessToJobObject(job, GetCurrentProcess())) /* error 5: already in another job */
        return fail("AssignProcessToJobObject");
    LONG count = count_in(job);
    printf("joined pid=%lu instances=%ld\n", GetCurrentProcessId(), count);
    fflush(stdout); /* at once: a pipe would hold the line back */

    /* Step 4: the live loop. Nothing tells us when the count changes: look every 100 ms. */
    ULONGLONG deadline = GetTickCount64() + (ULONGLONG)hold * 1000;
    while (!stop && (hold < 0 || GetTickCount64() < deadline)) {
        Sleep(100);
        LONG now = count_in(job);
        if (now != count) {
            printf("now instances=%ld\n", now);
            fflush(stdout);
        }
        count = now;
    }

    /* Step 5: leave. Only ending takes a process out of its job: without us, it is one less. */
    printf("left pid=%lu instances=%ld\n", GetCurrentProcessId(), count_in(job) - 1);
    fflush(stdout);
    CloseHandle(job); /* closing the handle does not take us out of the job; ending does */
    return 0;
}
/* end excerpt */
