/*
 * minimal.c - demo 02, the minimal version: count the running copies of this
 * program in a named file mapping (CreateFileMappingW, MapViewOfFile). Read
 * it first; file_mapping.c is the same technique, hardened.
 *
 * Every copy opens the mapping object by its name (the first copy creates
 * it), maps a view of it, adds one to a counter there, prints the count
 * whenever it changes, and takes its one away on Ctrl+C (or when --hold
 * SECONDS runs out: a batch file cannot send Ctrl+C). The object is gone
 * when the last copy closes its handle. Its name is not file_mapping.c's:
 * the two programs never meet.
 *
 * Build this file on its own (from this folder; MSVC, MinGW GCC, clang + lld):
 *   cl /std:c11 /W4 /Fe02-file-mapping-minimal-msvc.exe minimal.c
 *   x86_64-w64-mingw32-gcc -std=c11 minimal.c -o 02-file-mapping-minimal.exe
 *   clang --target=x86_64-w64-mingw32 -fuse-ld=lld -std=c11 minimal.c -o 02-file-mapping-minimal-clang.exe -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")"
 * (The cl line is not tested here. The two last lines are for bash; Debian's
 * clang 14 does not find MinGW's libgcc by itself: -L asks MinGW GCC where.)
 *
 * Example session (one console; PIDs will differ):
 *   > start /b 02-file-mapping-minimal.exe --hold 5 <nul
 *   joined pid=1204 instances=1
 *   > 02-file-mapping-minimal.exe --hold 1
 *   joined pid=3312 instances=2
 *   now instances=2                       (the first copy saw it join)
 *   left pid=3312 instances=1
 *   now instances=1
 * (<nul: a start /b copy shares cmd's console. This program never reads it,
 * but file_mapping.c does, to leave on Enter, and would take the next line
 * you type: give every start /b copy <nul.)
 *
 * What file_mapping.c adds, and why it matters:
 * - split brain: cannot happen; the object goes with the last handle, and a newcomer holds one
 * - stale counts: a killed copy keeps its 1 until every copy has gone; --crash shows it (no fix)
 * - foreign mappings: whatever holds the name is used blindly; it checks size, magic, version
 * - init race: none here (a new mapping is zero-filled); its header is written once, published last
 * - also: leaving on Enter, when the console window closes, and at logoff or shutdown;
 *   --name, --global, --file, --peek, --quiet
 */
/* excerpt: minimal */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Local\: seen in this session only: each Remote Desktop or switched-user session has its own. */
#define NAME L"Local\\shm-suite-02-minimal"

static volatile LONG stop; /* set by the handler's thread; an aligned LONG is read whole */

/* The console handler runs on a thread of its own. Its type must be exactly BOOL WINAPI (DWORD). */
static BOOL WINAPI on_console_event(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE; /* closing the window and the rest: Windows ends us without leaving */
    InterlockedExchange(&stop, 1);
    return TRUE; /* handled: main leaves by itself */
}

static int fail(const char *call, HANDLE open) /* say why, then close what is still open */
{
    fprintf(stderr, "%s failed for %ls: error %lu\n", call, NAME, GetLastError());
    if (open != NULL)
        CloseHandle(open);
    return 1;
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
        return fail("SetConsoleCtrlHandler", NULL);

    /* Step 1: open or create the mapping (paging file). New, it is zero-filled: a count of 0. */
    HANDLE mapping =
        CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, sizeof(LONG), NAME);
    if (mapping == NULL) /* NULL, not INVALID_HANDLE_VALUE, means failure here */
        return fail("CreateFileMappingW", NULL);
    /* Step 2: map a view of it. */
    volatile LONG *instances = MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof(LONG));
    if (instances == NULL)
        return fail("MapViewOfFile", mapping);

    /* Step 3: join. volatile is not atomic: InterlockedIncrement is, so no update is lost. */
    LONG count = InterlockedIncrement(instances);
    printf("joined pid=%lu instances=%ld\n", GetCurrentProcessId(), count);
    fflush(stdout); /* at once: a pipe would hold the line back */

    /* Step 4: the live loop. Look every 100 ms; print the count when it changes. */
    ULONGLONG deadline = GetTickCount64() + (ULONGLONG)hold * 1000;
    while (!stop && (hold < 0 || GetTickCount64() < deadline)) {
        Sleep(100);
        LONG now = *instances; /* a read of an aligned LONG is atomic; only updates need more */
        if (now != count) {
            printf("now instances=%ld\n", now);
            fflush(stdout);
        }
        count = now;
    }

    /* Step 5: leave, unmap, close. The last handle closed destroys the object. */
    printf("left pid=%lu instances=%ld\n", GetCurrentProcessId(), InterlockedDecrement(instances));
    fflush(stdout);
    if (!UnmapViewOfFile((LPCVOID)instances))
        return fail("UnmapViewOfFile", mapping);
    if (!CloseHandle(mapping))
        return fail("CloseHandle", NULL);
    return 0;
}
/* end excerpt */
