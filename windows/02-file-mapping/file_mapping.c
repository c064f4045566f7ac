/*
 * file_mapping.c - demo 02: count the running copies of this program in a
 * named file mapping (CreateFileMappingW, MapViewOfFile).
 *
 * Every copy opens the mapping object by name (creating it if it is the
 * first), maps a view of it, and updates a counter there with Interlocked
 * functions. The object is backed by the paging file and lives while any
 * handle to it is open: when the last copy closes its handle, it is gone.
 * With --file PATH the mapping is backed by that file instead, and the count
 * stays in the file after every copy has exited.
 *
 * Build this file on its own (from this folder):
 *   cl /std:c11 /W4 /I..\..\common /Fe02-file-mapping.exe file_mapping.c ..\..\common\*.c
 *   x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 02-file-mapping.exe file_mapping.c ../../common/{cli,errors,header_check,output,stop}.c
 *   clang --target=x86_64-w64-mingw32 -fuse-ld=lld -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 02-file-mapping.exe file_mapping.c ../../common/{cli,errors,header_check,output,stop}.c
 * (Debian's clang 14 also needs -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")".)
 *
 * Example session (two consoles):
 *   one> 02-file-mapping.exe --name lab1   two> 02-file-mapping.exe --name lab1 --hold 2
 *   joined pid=1204 instances=1            joined pid=3312 instances=2
 *   now instances=2                        left pid=3312 instances=1
 *   now instances=1                        two> 02-file-mapping.exe --name lab1 --peek
 *                                          instances=1
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "errors.h"
#include "header_check.h"
#include "output.h"
#include "stop.h"

#define DEFAULT_NAME "shm-suite-02"
#define NAME_MAX_LEN 200
#define POLL_MS 100        /* how often the live loop looks at the count */
#define READY_WAIT_MS 1000 /* how long to wait for a creator to initialise */

/* --- Step 0: the shared layout ------------------------------------------- */
struct shared_counter {
    /* COUNTER_MAGIC, written last by the creator (InterlockedExchange is a
     * full barrier): until a copy sees it, the rest is not ready. */
    volatile LONG magic;
    LONG version; /* COUNTER_VERSION: another layout is refused */
    LONG size;    /* sizeof(struct shared_counter) as the creator saw it */
    /* Copies that joined and have not left; only Interlocked functions
     * change it. volatile alone would not stop two copies losing an update. */
    volatile LONG instances;
};

struct identity {
    const char *name; /* as given, without the namespace */
    bool global;      /* Global\ instead of Local\ */
    const char *file; /* back the mapping by this file, or NULL */
};

static char full_name[NAME_MAX_LEN + 16];            /* "Local\shm-suite-02" */
static char described[NAME_MAX_LEN + MAX_PATH + 32]; /* the same, and its file, for messages */

/* --- The command line: --name NAME, --global, --file PATH -------------- */
static const char *set_name(const char *value, void *ctx)
{
    if (value[0] == '\0' || strlen(value) > NAME_MAX_LEN)
        return "must be 1 to 200 characters";
    if (strchr(value, '\\') != NULL)
        return "may not contain '\\' (Local\\ or Global\\ is added for you; use --global)";
    ((struct identity *)ctx)->name = value;
    return NULL;
}

static const char *set_global(const char *value, void *ctx)
{
    (void)value;
    ((struct identity *)ctx)->global = true;
    return NULL;
}

static const char *set_file(const char *value, void *ctx)
{
    if (value[0] == '\0')
        return "must name a file";
    ((struct identity *)ctx)->file = value;
    return NULL;
}

static wchar_t *to_wide(const char *text)
{
    static wchar_t wide[2][MAX_PATH + NAME_MAX_LEN];
    static int turn;
    wchar_t *out = wide[turn++ % 2];
    if (MultiByteToWideChar(CP_ACP, 0, text, -1, out, MAX_PATH + NAME_MAX_LEN) == 0)
        out[0] = L'\0';
    return out;
}

/* Read a shared LONG. An aligned LONG is read in one piece; the barrier
 * keeps the reads that follow after it. Not InterlockedCompareExchange(p, 0,
 * 0), the usual trick: it is a write, and faults on a read-only view. */
static LONG read_long(const volatile LONG *p)
{
    LONG value = *p;
    MemoryBarrier();
    return value;
}

/* Wait until the creator has published the header (or give up). */
static bool wait_until_ready(const struct shared_counter *c)
{
    for (int waited = 0; waited < READY_WAIT_MS; waited++) {
        if (read_long(&c->magic) != 0)
            return true;
        Sleep(1);
    }
    return read_long(&c->magic) != 0;
}

/* Never trust shared memory: the view must be big enough, the header ours
 * and the count possible. On a refusal nothing is written. */
/* excerpt: check */
static bool counter_is_ours(const struct shared_counter *c)
{
    MEMORY_BASIC_INFORMATION info;
    const char *why = NULL;
    if (VirtualQuery(c, &info, sizeof info) == 0) {
        report_win32("VirtualQuery", full_name, GetLastError());
        return false;
    }
    if (info.RegionSize < sizeof *c)
        why = header_problem(0, 0, 0, sizeof *c, info.RegionSize);
    else if (!wait_until_ready(c))
        why = "it was never initialised (its creator may have died)";
    else
        why = header_problem((uint32_t)read_long(&c->magic), (uint32_t)c->version,
                             (uint32_t)c->size, sizeof *c, info.RegionSize);
    if (why == NULL)
        why = count_problem(read_long(&c->instances));
    if (why != NULL)
        report_problem("the mapping %s is not one of our counters: %s. It was left untouched",
                       described, why);
    return why == NULL;
}
/* end excerpt */

/* --file: open (or create) the backing file, refusing one that already holds
 * something too small to be a counter: mapping it would grow the file. */
static HANDLE open_backing_file(const char *path, bool *is_new)
{
    HANDLE file =
        CreateFileW(to_wide(path), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                    NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) { /* CreateFileW, unlike CreateFileMappingW */
        report_win32("CreateFileW", path, GetLastError());
        return NULL;
    }
    LARGE_INTEGER size;
    if (!GetFileSizeEx(file, &size)) {
        report_win32("GetFileSizeEx", path, GetLastError());
        CloseHandle(file);
        return NULL;
    }
    if (size.QuadPart != 0 && size.QuadPart < (LONGLONG)sizeof(struct shared_counter)) {
        report_problem("the file %s is not one of our counters: it is %ld bytes, smaller than "
                       "the %lu the counter needs. It was left untouched",
                       path, (long)size.QuadPart, (unsigned long)sizeof(struct shared_counter));
        CloseHandle(file);
        return NULL;
    }
    *is_new = size.QuadPart == 0;
    return file;
}

/* --- --peek: read the count without joining, never creating anything --- */
static int peek(const struct identity *id)
{
    /* excerpt: peek-open */
    /* OpenFileMappingW only opens: it fails if the name does not exist. */
    HANDLE mapping = OpenFileMappingW(FILE_MAP_READ, FALSE, to_wide(full_name));
    /* end excerpt */
    if (mapping == NULL && GetLastError() == ERROR_FILE_NOT_FOUND && id->file != NULL) {
        /* Nobody has it open: read the count the file keeps. */
        HANDLE file =
            CreateFileW(to_wide(id->file), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                        OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
        if (file == INVALID_HANDLE_VALUE && GetLastError() == ERROR_FILE_NOT_FOUND) {
            print_peek(0, -1);
            return EXIT_OK;
        }
        if (file == INVALID_HANDLE_VALUE) {
            report_win32("CreateFileW", id->file, GetLastError());
            return EXIT_SYSCALL;
        }
        LARGE_INTEGER size;
        if (GetFileSizeEx(file, &size) && size.QuadPart == 0) {
            CloseHandle(file);
            print_peek(0, -1);
            return EXIT_OK;
        }
        /* No name: a private, read-only mapping of the file. */
        mapping = CreateFileMappingW(file, NULL, PAGE_READONLY, 0, 0, NULL);
        CloseHandle(file); /* the mapping keeps the file open */
        if (mapping == NULL) {
            report_win32("CreateFileMappingW", id->file, GetLastError());
            return EXIT_SYSCALL;
        }
    } else if (mapping == NULL && GetLastError() == ERROR_FILE_NOT_FOUND) {
        print_peek(0, -1);
        return EXIT_OK;
    } else if (mapping == NULL) {
        report_win32("OpenFileMappingW", full_name, GetLastError());
        return EXIT_SYSCALL;
    }
    struct shared_counter *c = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
    if (c == NULL) {
        report_win32("MapViewOfFile", full_name, GetLastError());
        CloseHandle(mapping);
        return EXIT_SYSCALL;
    }
    int status = EXIT_SYSCALL;
    if (counter_is_ours(c)) {
        print_peek(read_long(&c->instances), -1);
        status = EXIT_OK;
    }
    UnmapViewOfFile(c);
    CloseHandle(mapping);
    return status;
}

int main(int argc, char **argv)
{
    struct identity id = { DEFAULT_NAME, false, NULL };
    const struct cli_option options[] = {
        { "--name", "NAME", "the mapping's name (default " DEFAULT_NAME ")", set_name },
        { "--global", NULL, "use Global\\NAME (all sessions) instead of Local\\NAME", set_global },
        { "--file", "PATH", "back the mapping by this file: the count outlives the copies",
          set_file },
    };
    const struct cli_spec spec = {
        .summary = "count running copies in a named file mapping",
        .details = "Local\\NAME is seen by this logon session only. Creating Global\\NAME\n"
                   "from a normal session needs SeCreateGlobalPrivilege (administrators\n"
                   "and services have it).",
        .extra = options,
        .extra_count = 3,
        .ctx = &id,
    };
    struct cli cli;

    set_program_name(argv[0]);
    int status = cli_parse(&cli, argc, argv, &spec);
    if (status >= 0)
        return status;
    snprintf(full_name, sizeof full_name, "%s\\%s", id.global ? "Global" : "Local", id.name);
    snprintf(described, sizeof described, id.file ? "%s (backed by %s)" : "%s", full_name, id.file);
    if (!stop_install(cli.hold))
        return EXIT_SYSCALL;

    if (cli.peek)
        return peek(&id);

    /* excerpt: create */
    /* Step 1: open or create the mapping object. */
    HANDLE file = INVALID_HANDLE_VALUE; /* INVALID_HANDLE_VALUE: the paging file */
    bool file_is_new = true;
    if (id.file != NULL && (file = open_backing_file(id.file, &file_is_new)) == NULL)
        return EXIT_SYSCALL;
    HANDLE mapping = CreateFileMappingW(file, NULL, PAGE_READWRITE, 0,
                                        sizeof(struct shared_counter), to_wide(full_name));
    /* Read GetLastError at once: it tells whether we created the object. */
    DWORD error = GetLastError();
    if (file != INVALID_HANDLE_VALUE)
        CloseHandle(file); /* the mapping keeps its own reference to the file */
    if (mapping == NULL) { /* NULL, not INVALID_HANDLE_VALUE, means failure here */
        report_win32("CreateFileMappingW", full_name, error);
        if (error == ERROR_ACCESS_DENIED && id.global)
            report_problem("creating a Global\\ name needs SeCreateGlobalPrivilege: run as "
                           "administrator, or leave out --global to use Local\\");
        return EXIT_SYSCALL;
    }
    bool created = error != ERROR_ALREADY_EXISTS;
    /* end excerpt */

    /* excerpt: view */
    /* Step 2: map a view of the whole object, then check it. */
    struct shared_counter *shm = MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (shm == NULL) {
        report_win32("MapViewOfFile", full_name, GetLastError());
        CloseHandle(mapping);
        return EXIT_SYSCALL;
    }
    /* Only the creator initialises, and only memory that is still empty:
     * a file may already hold a counter from earlier runs. */
    if (created && file_is_new) {
        shm->version = COUNTER_VERSION;
        shm->size = sizeof *shm;
        shm->instances = 0;
        InterlockedExchange(&shm->magic, (LONG)COUNTER_MAGIC); /* publish, last */
    }
    /* end excerpt */
    if (!counter_is_ours(shm)) {
        UnmapViewOfFile(shm);
        CloseHandle(mapping);
        return EXIT_SYSCALL;
    }

    /* Step 3: join. */
    LONG count = InterlockedIncrement(&shm->instances);
    print_joined(count);

    /* Step 4: the live loop. */
    while (!stop_wait(POLL_MS)) {
        LONG now = read_long(&shm->instances);
        if (now != count && !cli.quiet)
            print_now(now);
        count = now;
    }

    if (cli.crash) {
        print_crashing(count);
        crash_self(); /* TerminateProcess: Windows closes our handles, the count keeps our 1 */
    }

    /* excerpt: leave */
    /* Step 5: leave, unmap, close. The last handle closed destroys a
     * paging-file mapping; a file-backed one leaves the count in the file. */
    print_left(InterlockedDecrement(&shm->instances));
    status = EXIT_OK;
    if (!UnmapViewOfFile(shm)) {
        report_win32("UnmapViewOfFile", full_name, GetLastError());
        status = EXIT_SYSCALL;
    }
    if (!CloseHandle(mapping)) {
        report_win32("CloseHandle", full_name, GetLastError());
        status = EXIT_SYSCALL;
    }
    stop_done();
    /* end excerpt */
    return status;
}
