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
 * Build this file on its own (from this folder; MSVC, MinGW GCC, clang + lld):
 *   cl /std:c11 /W4 /I..\..\common /Fe02-file-mapping-msvc.exe file_mapping.c ..\..\common\*.c
 *   x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 02-file-mapping.exe file_mapping.c ../../common/{cli,errors,header_check,output,stop}.c
 *   clang --target=x86_64-w64-mingw32 -fuse-ld=lld -std=c11 -Wall -Wextra -Wpedantic -I../../common -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")" -o 02-file-mapping-clang.exe file_mapping.c ../../common/{cli,errors,header_check,output,stop}.c
 * (The two last lines are for bash. Debian's clang 14 does not find MinGW's
 * libgcc by itself: the -L option asks the MinGW GCC where it is.)
 *
 * Example session (two consoles):
 *   one> 02-file-mapping.exe --name lab1   two> 02-file-mapping.exe --name lab1 --hold 2
 *   joined pid=1204 instances=1            joined pid=3312 instances=2
 *   now instances=2                        left pid=3312 instances=1
 *   now instances=1                        two> 02-file-mapping.exe --name lab1 --peek
 *                                          instances=1
 */
#include <windows.h>

#include <psapi.h> /* GetMappedFileNameW */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "errors.h"
#include "header_check.h"
#include "output.h"
#include "stop.h"

#define DEFAULT_NAME "shm-suite-02"
#define NAME_MAX_LEN 200
#define PATH_LEN 1024      /* room for the file names we compare */
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
 * 0), the usual trick: it leaves the value as it was, but it is still a
 * locked write (on x86, lock cmpxchg always writes), and a write faults on
 * the read-only view that --peek maps. */
static LONG read_long(const volatile LONG *p)
{
    LONG value = *p;
    MemoryBarrier();
    return value;
}

/* Wait until the creator has published the header, or give up. The limit is
 * a deadline on the clock, not a number of Sleep(1) calls: each can last a
 * whole clock tick (15.6 ms by default), so 1000 of them could take 15 s. */
static bool wait_until_ready(const struct shared_counter *c)
{
    ULONGLONG deadline = GetTickCount64() + READY_WAIT_MS;
    while (read_long(&c->magic) == 0) {
        if (GetTickCount64() >= deadline)
            return false;
        Sleep(1);
    }
    return true;
}

/* --- What the section object says about itself ----------------------------
 * Opening an existing name ignores the size we pass, and VirtualQuery only
 * describes our view, in whole pages: neither tells how big the section is.
 * The section object knows, and NtQuerySection says. Microsoft documents it
 * with no header or import library: look it up in ntdll.dll (always loaded,
 * so GetModuleHandleW finds it). The handle needs SECTION_QUERY access:
 * CreateFileMappingW's handle has it, OpenFileMappingW's only if asked for.
 * Even so, a section backed by the paging file is made of whole pages: a
 * creator that asks for 4 bytes gets 4096, all of them there, and that is
 * the size reported. Only a file-backed section can be smaller than ours. */
struct section_basic_information { /* SECTION_BASIC_INFORMATION */
    PVOID base_address;
    ULONG allocation_attributes; /* SEC_FILE: backed by a file */
    LARGE_INTEGER maximum_size;  /* in bytes */
};
typedef LONG(NTAPI *query_section_fn)(HANDLE section, int information_class, PVOID information,
                                      SIZE_T length, PSIZE_T returned);
#define SECTION_BASIC_INFORMATION_CLASS 0

static bool query_section(HANDLE mapping, struct section_basic_information *info)
{
    /* Through void (*)(void): GCC's way to say "any function type". */
    query_section_fn query = (query_section_fn)(void (*)(void))GetProcAddress(
        GetModuleHandleW(L"ntdll.dll"), "NtQuerySection");
    if (query == NULL) {
        report_win32("GetProcAddress", "NtQuerySection", GetLastError());
        return false;
    }
    LONG status = query(mapping, SECTION_BASIC_INFORMATION_CLASS, info, sizeof *info, NULL);
    if (status < 0) { /* an NTSTATUS, not a Win32 error: 0xc0000022 is access denied */
        report_problem("NtQuerySection(%s): NTSTATUS 0x%08lx", full_name, (unsigned long)status);
        return false;
    }
    return true;
}

/* Never trust shared memory: the section must be big enough, the header
 * ours and the count possible. On a refusal nothing is written. */
/* excerpt: check */
static bool counter_is_ours(const struct shared_counter *c, LONGLONG section_size)
{
    size_t size = (ULONGLONG)section_size > SIZE_MAX ? SIZE_MAX : (size_t)section_size;
    const char *why = NULL;
    if (size < sizeof *c)
        why = header_problem(0, 0, 0, sizeof *c, size);
    else if (!wait_until_ready(c))
        why = "its magic number was still 0 after 1 second: not a counter, or its "
              "creator died before it could initialise it";
    else
        why = header_problem((uint32_t)read_long(&c->magic), (uint32_t)c->version,
                             (uint32_t)c->size, sizeof *c, size);
    if (why == NULL)
        why = count_problem(read_long(&c->instances));
    if (why != NULL)
        report_problem("the mapping %s is not one of our counters: %s. It was left untouched",
                       described, why);
    return why == NULL;
}
/* end excerpt */

/* Is the file behind a view the file PATH names? Both names in device form
 * (\Device\HarddiskVolume2\lab\counter.bin): GetMappedFileNameW gives the
 * view's, GetFinalPathNameByHandleW with VOLUME_NAME_NT an open file's.
 * Windows file names ignore case, and so does the comparison. */
static bool is_same_file(const wchar_t *mapped, const char *path)
{
    HANDLE file =
        CreateFileW(to_wide(path), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
        return false; /* no such file, so not the one mapped */
    wchar_t ours[PATH_LEN];
    DWORD n = GetFinalPathNameByHandleW(file, ours, PATH_LEN, VOLUME_NAME_NT);
    bool same =
        n > 0 && n < PATH_LEN && CompareStringOrdinal(mapped, -1, ours, -1, TRUE) == CSTR_EQUAL;
    /* Wine 8 names the view \??\Z:\lab\counter.bin instead: \??\ is the
     * kernel's spelling of \\?\, which starts the VOLUME_NAME_DOS form. */
    if (!same && wcsncmp(mapped, L"\\??\\", 4) == 0) {
        n = GetFinalPathNameByHandleW(file, ours, PATH_LEN, VOLUME_NAME_DOS);
        same = n > 4 && n < PATH_LEN &&
               CompareStringOrdinal(mapped + 4, -1, ours + 4, -1, TRUE) == CSTR_EQUAL;
    }
    CloseHandle(file);
    return same;
}

/* --file names a file, but a name that already exists wins: CreateFileMappingW
 * and OpenFileMappingW return the existing object and ignore our file. So
 * ask the section what backs it, and refuse anything but our file. */
static bool backed_by_our_file(const struct section_basic_information *section, const void *view,
                               const char *path)
{
    static wchar_t mapped[PATH_LEN];
    if ((section->allocation_attributes & SEC_FILE) == 0) {
        report_problem("the mapping %s already exists, backed by the paging file, not by %s: "
                       "an existing name wins over --file. It was left untouched",
                       full_name, path);
        return false;
    }
    if (GetMappedFileNameW(GetCurrentProcess(), (LPVOID)view, mapped, PATH_LEN) == 0) {
        report_win32("GetMappedFileNameW", full_name, GetLastError());
        return false;
    }
    if (!is_same_file(mapped, path)) {
        report_problem("the mapping %s already exists, backed by %ls, not by %s: an existing "
                       "name wins over --file. It was left untouched",
                       full_name, mapped, path);
        return false;
    }
    return true;
}

/* ERROR_ACCESS_DENIED from CreateFileMappingW has two causes. Creating a
 * Global\ name from a user's session needs SeCreateGlobalPrivilege, which by
 * default only an elevated administrator ("Run as administrator") and
 * services have. Or the object exists, and its security descriptor does
 * not give us the access we asked for. OpenFileMappingW tells the two
 * apart: it never creates, so it needs no privilege, and it says
 * ERROR_FILE_NOT_FOUND when there is no object. */
static void explain_access_denied(bool global)
{
    HANDLE probe = OpenFileMappingW(FILE_MAP_READ, FALSE, to_wide(full_name));
    DWORD error = GetLastError();
    if (probe != NULL)
        CloseHandle(probe);
    if (probe == NULL && error == ERROR_FILE_NOT_FOUND && global)
        report_problem("creating a Global\\ name needs SeCreateGlobalPrivilege, which by default "
                       "only an elevated administrator and services have: run as "
                       "administrator, or leave out --global to use Local\\");
    else if (probe != NULL || error == ERROR_ACCESS_DENIED)
        report_problem("%s exists, and its security descriptor does not let you open it for "
                       "reading and writing: its creator decides who may",
                       full_name);
}

/* --file: open (or create) the backing file, refusing one that already holds
 * something too small to be a counter: mapping it would grow the file. */
static HANDLE open_backing_file(const char *path, bool *is_new, bool *created)
{
    HANDLE file =
        CreateFileW(to_wide(path), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                    NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) { /* CreateFileW, unlike CreateFileMappingW */
        report_win32("CreateFileW", path, GetLastError());
        return NULL;
    }
    *created = GetLastError() != ERROR_ALREADY_EXISTS; /* OPEN_ALWAYS says which */
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
    /* OpenFileMappingW only opens: it fails if the name does not exist.
     * SECTION_QUERY lets NtQuerySection tell the section's size. */
    HANDLE mapping = OpenFileMappingW(FILE_MAP_READ | SECTION_QUERY, FALSE, to_wide(full_name));
    /* end excerpt */
    bool named = mapping != NULL;
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
        DWORD error = GetLastError();
        report_win32("OpenFileMappingW", full_name, error);
        if (error ==
            ERROR_ACCESS_DENIED) /* opening needs no privilege: only the object's own security */
            report_problem("%s exists, and its security descriptor does not let you read it: "
                           "its creator decides who may",
                           full_name);
        return EXIT_SYSCALL;
    }
    struct shared_counter *c = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
    if (c == NULL) {
        report_win32("MapViewOfFile", full_name, GetLastError());
        CloseHandle(mapping);
        return EXIT_SYSCALL;
    }
    int status = EXIT_SYSCALL;
    struct section_basic_information section;
    if (query_section(mapping, &section) &&
        (!named || id->file == NULL || backed_by_our_file(&section, c, id->file)) &&
        counter_is_ours(c, section.maximum_size.QuadPart)) {
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
        { "--global", NULL, "use Global\\NAME (every session) instead of Local\\NAME", set_global },
        { "--file", "PATH", "back the mapping by this file: the count outlives the copies",
          set_file },
    };
    const struct cli_spec spec = {
        .summary = "count running copies in a named file mapping",
        .details = "Local\\NAME is seen in this session only: each Remote Desktop or\n"
                   "switched-user session has its own. Creating Global\\NAME from a\n"
                   "user's session needs SeCreateGlobalPrivilege, which by default only\n"
                   "an elevated administrator (Run as administrator) and services have;\n"
                   "opening one that exists needs no privilege.",
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
    bool file_is_new = true, file_created = false;
    if (id.file != NULL && (file = open_backing_file(id.file, &file_is_new, &file_created)) == NULL)
        return EXIT_SYSCALL;
    HANDLE mapping = CreateFileMappingW(file, NULL, PAGE_READWRITE, 0,
                                        sizeof(struct shared_counter), to_wide(full_name));
    /* Read GetLastError at once: it tells whether we created the object. */
    DWORD error = GetLastError();
    if (file != INVALID_HANDLE_VALUE)
        CloseHandle(file); /* the mapping keeps its own reference to the file */
    if (mapping == NULL) { /* NULL, not INVALID_HANDLE_VALUE, means failure here */
        report_win32("CreateFileMappingW", full_name, error);
        if (error == ERROR_ACCESS_DENIED)
            explain_access_denied(id.global);
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
    /* An object we did not create may be smaller than a counter, or (with
     * --file) backed by something else: ask the section, then check. */
    struct section_basic_information section;
    if (!query_section(mapping, &section) ||
        (!created && id.file != NULL && !backed_by_our_file(&section, shm, id.file)) ||
        !counter_is_ours(shm, section.maximum_size.QuadPart)) {
        UnmapViewOfFile(shm);
        CloseHandle(mapping);
        if (file_created)
            DeleteFileW(to_wide(id.file)); /* the empty file we made a moment ago */
        return EXIT_SYSCALL;
    }
    /* end excerpt */

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
        /* TerminateProcess, exit code 9: Windows closes our handles, the count keeps our 1 */
        crash_self();
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
