/*
 * minimal.c - demo 09 on Windows, the minimal version: two processes add 1
 * to one counter in shared memory, 50 million times each, with a plain load
 * and store, and lose updates. Read it first; lost_updates.c is the same
 * experiment, measured, with four fixes.
 *
 * The parent makes an unnamed, inheritable file mapping and starts this same
 * program again, with the mapping's handle value as its one argument. Both
 * wait for each other at a start line, run the same loop on the same
 * counter, and the parent prints what the counter should hold, what it
 * holds, and the difference.
 *
 * Build this file on its own (from this folder, in bash; MinGW GCC, clang + lld):
 *   x86_64-w64-mingw32-gcc -std=c11 minimal.c -o 09-lost-updates-minimal.exe
 *   clang --target=x86_64-w64-mingw32 -fuse-ld=lld -std=c11 minimal.c -o 09-lost-updates-minimal-clang.exe -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")"
 * (Debian's clang 14 does not find MinGW's libgcc by itself: -L asks MinGW GCC where.)
 *
 * Example session (run under Wine; the numbers differ on every run):
 *   > 09-lost-updates-minimal.exe
 *   expected=100000000 got=56088370 lost=43911630
 *
 * What lost_updates.c adds, and why it matters:
 * - four fixes (Interlocked, mutex, semaphore, batched): a loss shown is only half the lesson
 * - timing in ops/s: every fix has a price, and the prices differ a thousandfold
 * - --workers, --loops, --method, --csv: to vary the experiment and chart it
 * - one cache line per counter and flag: no false sharing blurs the timings
 * - a job object: workers cannot outlive the parent, even one killed by Task Manager
 * - on 1 CPU or with 1 worker it says why nothing was lost, instead of pretending
 * - a worker that dies, or Ctrl+C: every worker is ended, and the run says so
 */
/* excerpt: minimal */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>

#define LOOPS 50000000LL /* per process */

static int fail(const char *call)
{
    fprintf(stderr, "%s failed: error %lu\n", call, GetLastError());
    return 1;
}

int main(int argc, char **argv)
{
    char *end = NULL; /* the child's one argument: the handle value it inherited */
    unsigned long long inherited = argc == 2 ? strtoull(argv[1], &end, 10) : 0;
    if (argc > 2 || (argc == 2 && (end == argv[1] || *end != '\0'))) {
        fprintf(stderr, "usage: %s (no options)\n", argv[0]);
        return 2;
    }
    /* Step 1, parent: an unnamed mapping of two LONG64s, the counter and the start line. It is
     * zero-filled, and inheritable: the child gets the same handle, with the same value. */
    SECURITY_ATTRIBUTES inheritable = { sizeof inheritable, NULL, TRUE };
    HANDLE mapping = argc == 2 ? (HANDLE)(UINT_PTR)inherited
                               : CreateFileMappingW(INVALID_HANDLE_VALUE, &inheritable,
                                                    PAGE_READWRITE, 0, 2 * sizeof(LONG64), NULL);
    if (mapping == NULL) /* NULL, not INVALID_HANDLE_VALUE, means failure here */
        return fail("CreateFileMappingW");
    volatile LONG64 *shared = MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (shared == NULL)
        return fail("MapViewOfFile");
    volatile LONG64 *counter = &shared[0], *ready = &shared[1];

    /* Step 2, parent: start the child, this program with the handle value as its argument.
     * CreateProcessW may write into the command line: it must be our own buffer. */
    wchar_t exe[MAX_PATH], command[MAX_PATH + 32];
    STARTUPINFOW si = { .cb = sizeof si };
    PROCESS_INFORMATION child = { 0 };
    DWORD length = argc == 1 ? GetModuleFileNameW(NULL, exe, MAX_PATH) : 1;
    if (length == 0 || length == MAX_PATH) /* MAX_PATH: the name was cut short */
        return fail("GetModuleFileNameW");
    if (argc == 1 && swprintf(command, MAX_PATH + 32, L"\"%ls\" %llu", exe,
                              (unsigned long long)(UINT_PTR)mapping) < 0)
        return fail("swprintf");
    if (argc == 1 && !CreateProcessW(exe, command, NULL, NULL, TRUE, 0, NULL, NULL, &si, &child))
        return fail("CreateProcessW");

    /* Step 3: a start line (without it, the parent could be well into its loop before the
     * child has even begun), then both add 1, LOOPS times: a load, an add and a store.
     * volatile makes every one happen; it does not make them one step. */
    InterlockedIncrement64(ready);
    while (*ready < 2)
        if (argc == 1 && WaitForSingleObject(child.hProcess, 0) != WAIT_TIMEOUT)
            return fail("the child, which ended before the start line");
    for (LONG64 i = 0; i < LOOPS; i++)
        *counter = *counter + 1;
    if (argc == 2)
        return 0; /* the child is done; Windows unmaps and closes for it */

    /* Step 4, parent: wait for the child, compare, unmap, close. */
    DWORD code = 1;
    if (WaitForSingleObject(child.hProcess, INFINITE) != WAIT_OBJECT_0 ||
        !GetExitCodeProcess(child.hProcess, &code) || code != 0)
        return fail("the child, which did not finish its loop");
    printf("expected=%lld got=%lld lost=%lld\n", 2 * LOOPS, *counter, 2 * LOOPS - *counter);
    if (!UnmapViewOfFile((LPCVOID)shared))
        return fail("UnmapViewOfFile");
    if (!CloseHandle(mapping) || !CloseHandle(child.hProcess) || !CloseHandle(child.hThread))
        return fail("CloseHandle");
    return 0;
}
/* end excerpt */
