/*
 * file_mapping.c - demo 02: count the running copies of this program in a
 * named file mapping (CreateFileMappingW, MapViewOfFile).
 *
 * Every copy opens the mapping object by name (creating it if it is the
 * first), maps a view of it, and updates a counter there with Interlocked
 * functions. The object is backed by the paging file and lives while any
 * handle to it is open: when the last copy closes its handle, it is gone.
 * With --file PATH the mapping is backed by that file instead, and the count
 * stays in the file after every copy has exited. Then the file, not the
 * name, is what copies share: views of mappings of one file see the same
 * bytes, so copies with different names and the same file count together.
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
 * Or in one console, a copy in the background: end the line with <nul, or
 * the copy reads the console too and takes the next line you type as its
 * Enter:
 *   > start /b 02-file-mapping.exe --name lab1 --hold 10 <nul
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
    /* COUNTER_MAGIC, written last by the copy that initialises (with
     * InterlockedExchange, a full barrier): until a copy sees it, the rest
     * is not ready. INIT_BUSY while that copy writes (--file only). */
    volatile LONG magic;
    LONG version; /* COUNTER_VERSION: another layout is refused */
    LONG size;    /* sizeof(struct shared_counter) as the creator saw it */
    /* Copies that joined and have not left; only Interlocked functions
     * change it. volatile alone would not stop two copies losing an update. */
    volatile LONG instances;
};
#define INIT_BUSY 0x59535542L /* "BUSY": a copy won the election and is writing */

struct identity {
    const char *name;            /* as given, without the namespace */
    bool global;                 /* Global\ instead of Local\ */
    const char *file;            /* back the mapping by this file, or NULL */
    wchar_t wide_file[PATH_LEN]; /* the same file name, for the W functions */
};

static char full_name[NAME_MAX_LEN + 16];            /* "Local\shm-suite-02" */
static wchar_t wide_name[NAME_MAX_LEN + 16];         /* the same, for the W functions */
static char described[NAME_MAX_LEN + PATH_LEN + 32]; /* the same, and its file, for messages */

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

/* Windows' W functions take UTF-16; argv is in the ANSI code page (CP_ACP).
 * MB_ERR_INVALID_CHARS: a byte that is not text fails, instead of quietly
 * becoming a '?' that names another file. */
static const char *set_file(const char *value, void *ctx)
{
    struct identity *id = ctx;
    if (value[0] == '\0')
        return "must name a file";
    if (MultiByteToWideChar(CP_ACP, MB_ERR_INVALID_CHARS, value, -1, id->wide_file, PATH_LEN) == 0)
        return "is longer than 1023 characters, or not text in this code page";
    id->file = value;
    return NULL;
}

/* Read a shared LONG. An aligned LONG is read in one piece (Microsoft's
 * "Interlocked Variable Access" page); the barrier keeps the reads that
 * follow after it. Not InterlockedCompareExchange(p, 0, 0), the usual trick:
 * it leaves the value as it was, but it is still a locked write (on x86,
 * lock cmpxchg always writes), and a write faults on the read-only view
 * that --peek maps. */
static LONG read_long(const volatile LONG *p)
{
    LONG value = *p;
    MemoryBarrier();
    return value;
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
    ULONG allocation_attributes; /* SEC_FILE, SEC_RESERVE, SEC_IMAGE, ... */
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

static size_t section_bytes(const struct section_basic_information *section)
{
    ULONGLONG size = (ULONGLONG)section->maximum_size.QuadPart;
    return size > SIZE_MAX ? SIZE_MAX : (size_t)size;
}

/* Never trust shared memory. First what the section says, before a byte of
 * the view is read or written:
 * - SEC_RESERVE: a squatter can make the pages only reserved, not
 *   committed. On Windows the first read of such a page is an access
 *   violation, and the copy dies. (Wine maps zeros there instead, so under
 *   Wine the demo would only time out waiting for a magic number.)
 * - SEC_IMAGE: a program file mapped as an image, not data.
 * - the size: it must hold the whole counter. */
static bool section_is_usable(const struct section_basic_information *section)
{
    const char *why = NULL;
    if (section->allocation_attributes & SEC_RESERVE)
        why = "its pages are only reserved (SEC_RESERVE), not committed: reading them would "
              "fault";
    else if (section->allocation_attributes & SEC_IMAGE)
        why = "it maps a program file as an image (SEC_IMAGE), not data";
    else if (section_bytes(section) < sizeof(struct shared_counter))
        why = header_problem(0, 0, 0, sizeof(struct shared_counter), section_bytes(section));
    if (why != NULL)
        report_problem("the mapping %s is not one of our counters: %s. It was left untouched",
                       described, why);
    return why == NULL;
}

/* Wait until the header is published, or give up; return the magic number
 * last seen. The limit is a deadline on the clock, not a number of Sleep(1)
 * calls: each can last a whole clock tick (15.6 ms by default), so 1000 of
 * them could take 15 s. */
static LONG wait_until_ready(const struct shared_counter *c)
{
    ULONGLONG deadline = GetTickCount64() + READY_WAIT_MS;
    LONG magic;
    while (((magic = read_long(&c->magic)) == 0 || magic == INIT_BUSY) &&
           GetTickCount64() < deadline)
        Sleep(1);
    return magic;
}

/* Then the header and the count. On a refusal nothing is written. */
/* excerpt: check */
static bool check_header(const struct shared_counter *c, size_t size)
{
    LONG magic = wait_until_ready(c);
    const char *why = NULL;
    if (magic == 0)
        why = "its magic number was still 0 after 1 second: not a counter, or its "
              "creator died before it could initialise it";
    else if (magic == INIT_BUSY)
        why = "its header was still being written after 1 second: the copy writing it died";
    else
        why = header_problem((uint32_t)magic, (uint32_t)c->version, (uint32_t)c->size, sizeof *c,
                             size);
    if (why == NULL)
        why = count_problem(read_long(&c->instances));
    if (why != NULL)
        report_problem("the mapping %s is not one of our counters: %s. It was left untouched",
                       described, why);
    return why == NULL;
}
/* end excerpt */

/* --- Is the file behind a view our file? ----------------------------------
 * Names cannot tell. GetMappedFileNameW gives a name in device form
 * (\Device\HarddiskVolume3\lab\a.bin), the one the file was opened by,
 * which may hold 8.3 short names (COUNTE~1.BIN); a hard link is the same
 * file under another name. Files can tell: the volume's serial number and
 * the file's ID on that volume identify one file on this machine (the
 * FILE_ID_INFO and BY_HANDLE_FILE_INFORMATION pages), whatever it is
 * called. */
struct file_identity {
    bool id_128; /* from FILE_ID_INFO, else BY_HANDLE_FILE_INFORMATION's 64 bits */
    ULONGLONG volume;
    FILE_ID_128 id;
};

static bool get_file_identity(HANDLE file, struct file_identity *out)
{
    static const FILE_ID_128 no_id;
    FILE_ID_INFO info; /* Windows 8 and later; ReFS needs its 128 bits */
    BY_HANDLE_FILE_INFORMATION old;
    memset(out, 0, sizeof *out);
    if (GetFileInformationByHandleEx(file, FileIdInfo, &info, sizeof info) &&
        memcmp(&info.FileId, &no_id, sizeof no_id) != 0) { /* 0: "this file system has none" */
        out->id_128 = true;
        out->volume = info.VolumeSerialNumber;
        out->id = info.FileId;
        return true;
    }
    if (!GetFileInformationByHandle(file, &old))
        return false;
    ULONGLONG index = ((ULONGLONG)old.nFileIndexHigh << 32) | old.nFileIndexLow;
    out->volume = old.dwVolumeSerialNumber;
    memcpy(out->id.Identifier, &index, sizeof index);
    return true;
}

/* Open the file a view maps, by the name GetMappedFileNameW gave, only to
 * ask who it is: FILE_READ_ATTRIBUTES needs no share mode from anybody.
 * - Windows names it in device form, \Device\HarddiskVolume3\lab\a.bin:
 *   CreateFileW reaches that under \\?\GLOBALROOT. (Only real Windows can
 *   confirm this route: Wine 8 opens no \\?\GLOBALROOT path at all.)
 * - Wine 8 names it \??\Z:\lab\a.bin instead: \??\ is the kernel's spelling
 *   of \\?\, which CreateFileW takes. */
static HANDLE open_mapped_file(const wchar_t *mapped)
{
    wchar_t path[PATH_LEN + 16];
    int n = wcsncmp(mapped, L"\\??\\", 4) == 0
                ? swprintf(path, sizeof path / sizeof path[0], L"\\\\?\\%ls", mapped + 4)
                : swprintf(path, sizeof path / sizeof path[0], L"\\\\?\\GLOBALROOT%ls", mapped);
    if (n < 0)
        return INVALID_HANDLE_VALUE;
    return CreateFileW(path, FILE_READ_ATTRIBUTES,
                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                       FILE_ATTRIBUTE_NORMAL, NULL);
}

/* The fallback, when the mapped name cannot be opened or a file has no ID:
 * compare names. Both in device form, GetFinalPathNameByHandleW with
 * VOLUME_NAME_NT giving our handle's; Windows file names ignore case, and so
 * does the comparison. Weaker: a short name, or a hard link, looks like
 * another file. */
static bool is_same_name(const wchar_t *mapped, HANDLE ours)
{
    wchar_t name[PATH_LEN];
    DWORD n = GetFinalPathNameByHandleW(ours, name, PATH_LEN, VOLUME_NAME_NT);
    if (n > 0 && n < PATH_LEN && CompareStringOrdinal(mapped, -1, name, -1, TRUE) == CSTR_EQUAL)
        return true;
    /* Wine's \??\Z:\lab\a.bin: the VOLUME_NAME_DOS form, \\?\Z:\lab\a.bin */
    n = GetFinalPathNameByHandleW(ours, name, PATH_LEN, VOLUME_NAME_DOS);
    return wcsncmp(mapped, L"\\??\\", 4) == 0 && n > 4 && n < PATH_LEN &&
           CompareStringOrdinal(mapped + 4, -1, name + 4, -1, TRUE) == CSTR_EQUAL;
}

static bool is_same_file(const wchar_t *mapped, HANDLE ours)
{
    struct file_identity mine, theirs;
    HANDLE file = open_mapped_file(mapped);
    if (file != INVALID_HANDLE_VALUE) {
        bool known = get_file_identity(ours, &mine) && get_file_identity(file, &theirs);
        CloseHandle(file);
        if (known && mine.id_128 == theirs.id_128)
            return mine.volume == theirs.volume &&
                   memcmp(&mine.id, &theirs.id, sizeof mine.id) == 0;
    }
    print_note("%ls could not be identified as a file; comparing names instead", mapped);
    return is_same_name(mapped, ours);
}

/* --file names a file, but a name that already exists wins: CreateFileMappingW
 * and OpenFileMappingW return the existing object and ignore our file. So
 * ask the section what backs it, and refuse anything but our file. ours is
 * a handle to our file, kept open until this check is done: the file the
 * path named when we opened it, not whatever the path names now. */
static bool backed_by_our_file(const struct section_basic_information *section, const void *view,
                               HANDLE ours, const char *path)
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
    if (ours == INVALID_HANDLE_VALUE || !is_same_file(mapped, ours)) {
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
    HANDLE probe = OpenFileMappingW(FILE_MAP_READ, FALSE, wide_name);
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
static HANDLE open_backing_file(const struct identity *id, bool *was_empty, bool *created)
{
    HANDLE file =
        CreateFileW(id->wide_file, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                    NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) { /* CreateFileW, unlike CreateFileMappingW */
        report_win32("CreateFileW", id->file, GetLastError());
        return NULL;
    }
    *created = GetLastError() != ERROR_ALREADY_EXISTS; /* OPEN_ALWAYS says which */
    LARGE_INTEGER size;
    if (!GetFileSizeEx(file, &size)) {
        report_win32("GetFileSizeEx", id->file, GetLastError());
        CloseHandle(file);
        return NULL;
    }
    if (size.QuadPart != 0 && size.QuadPart < (LONGLONG)sizeof(struct shared_counter)) {
        report_problem("the file %s is not one of our counters: it is %ld bytes, smaller than "
                       "the %lu the counter needs. It was left untouched",
                       id->file, (long)size.QuadPart, (unsigned long)sizeof(struct shared_counter));
        CloseHandle(file);
        return NULL;
    }
    *was_empty = size.QuadPart == 0;
    return file;
}

/* Every failure after the backing file is open ends here: unmap, close, and
 * take back the file we made, if it is still empty. "Still empty" matters:
 * once a mapping has grown the file to a counter's size, a copy under
 * another name may already be counting in it. made: the file's name if we
 * created it, else NULL. */
static int give_up(void *view, HANDLE mapping, HANDLE file, const wchar_t *made)
{
    LARGE_INTEGER size = { .QuadPart = -1 };
    if (view != NULL)
        UnmapViewOfFile(view);
    if (mapping != NULL)
        CloseHandle(mapping);
    if (file != INVALID_HANDLE_VALUE) {
        if (made != NULL && !GetFileSizeEx(file, &size))
            size.QuadPart = -1;
        CloseHandle(file); /* first: we did not open it for sharing with a delete */
    }
    if (made != NULL && size.QuadPart == 0)
        DeleteFileW(made);
    return EXIT_SYSCALL;
}

/* The header, written once, the magic number last: InterlockedExchange is a
 * full barrier, so a copy that sees the magic sees the rest. */
static void write_header(struct shared_counter *c)
{
    c->version = COUNTER_VERSION;
    c->size = sizeof *c;
    c->instances = 0;
    InterlockedExchange(&c->magic, (LONG)COUNTER_MAGIC); /* publish, last */
}

/* --- --peek: read the count without joining, never creating anything --- */
static int peek(const struct identity *id)
{
    /* excerpt: peek-open */
    /* OpenFileMappingW only opens: it fails if the name does not exist.
     * SECTION_QUERY lets NtQuerySection tell the section's size. */
    HANDLE mapping = OpenFileMappingW(FILE_MAP_READ | SECTION_QUERY, FALSE, wide_name);
    /* end excerpt */
    bool named = mapping != NULL;
    if (mapping == NULL && GetLastError() == ERROR_FILE_NOT_FOUND && id->file != NULL) {
        /* Nobody has it open: read the count the file keeps. */
        HANDLE file = CreateFileW(id->wide_file, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                  NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
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
        DWORD error = GetLastError(); /* before CloseHandle, which may change it */
        CloseHandle(file);            /* the mapping keeps the file open */
        if (mapping == NULL) {
            report_win32("CreateFileMappingW", id->file, error);
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
    /* Our file, only to ask who it is (see backed_by_our_file); opened
     * after the mapping, so one that does not exist is not the one mapped. */
    HANDLE ours = INVALID_HANDLE_VALUE;
    if (named && id->file != NULL)
        ours = CreateFileW(id->wide_file, FILE_READ_ATTRIBUTES,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    int status = EXIT_SYSCALL;
    struct section_basic_information section;
    if (query_section(mapping, &section) && section_is_usable(&section) &&
        (!named || id->file == NULL || backed_by_our_file(&section, c, ours, id->file)) &&
        check_header(c, section_bytes(&section))) {
        print_peek(read_long(&c->instances), -1);
        status = EXIT_OK;
    }
    if (ours != INVALID_HANDLE_VALUE)
        CloseHandle(ours);
    UnmapViewOfFile(c);
    CloseHandle(mapping);
    return status;
}

int main(int argc, char **argv)
{
    struct identity id = { DEFAULT_NAME, false, NULL, { 0 } };
    const struct cli_option options[] = {
        { "--name", "NAME", "the mapping's name (default " DEFAULT_NAME ")", set_name },
        { "--global", NULL, "use Global\\NAME (every session) instead of Local\\NAME", set_global },
        { "--file", "PATH",
          "back the mapping by this file: the count outlives the copies,\n"
          "                  and the file, not the name, is what copies share",
          set_file },
    };
    const struct cli_spec spec = {
        .summary = "count running copies in a named file mapping",
        .details = "Local\\NAME is seen in this session only: each Remote Desktop or\n"
                   "switched-user session has its own. Creating Global\\NAME from a\n"
                   "user's session needs SeCreateGlobalPrivilege, which by default only\n"
                   "an elevated administrator (Run as administrator) and services have;\n"
                   "opening one that exists needs no privilege.\n"
                   "In cmd, start a copy in the background with start /b ... <nul: without\n"
                   "<nul it reads the console too, and takes your next line as its Enter.",
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
    if (MultiByteToWideChar(CP_ACP, MB_ERR_INVALID_CHARS, full_name, -1, wide_name,
                            sizeof wide_name / sizeof wide_name[0]) == 0) {
        report_win32("MultiByteToWideChar", full_name, GetLastError());
        return EXIT_SYSCALL;
    }
    if (!stop_install(cli.hold))
        return EXIT_SYSCALL;

    if (cli.peek)
        return peek(&id);

    /* excerpt: create */
    /* Step 1: open or create the mapping object. */
    HANDLE file = INVALID_HANDLE_VALUE; /* INVALID_HANDLE_VALUE: the paging file */
    bool file_was_empty = false, file_created = false;
    if (id.file != NULL && (file = open_backing_file(&id, &file_was_empty, &file_created)) == NULL)
        return EXIT_SYSCALL;
    const wchar_t *made = file_created ? id.wide_file : NULL; /* to take back on failure */
    HANDLE mapping =
        CreateFileMappingW(file, NULL, PAGE_READWRITE, 0, sizeof(struct shared_counter), wide_name);
    /* Read GetLastError at once: it tells whether we created the object. */
    DWORD error = GetLastError();
    if (mapping == NULL) { /* NULL, not INVALID_HANDLE_VALUE, means failure here */
        report_win32("CreateFileMappingW", full_name, error);
        if (error == ERROR_ACCESS_DENIED)
            explain_access_denied(id.global);
        return give_up(NULL, NULL, file, made);
    }
    bool created = error != ERROR_ALREADY_EXISTS;
    /* end excerpt */

    /* excerpt: view */
    /* Step 2: map a view of the whole object. Before a byte of it is read
     * or written, ask the section what it is: an object we did not create
     * may be reserved memory, too small, or (with --file) backed by
     * something else. */
    struct shared_counter *shm = MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (shm == NULL) {
        report_win32("MapViewOfFile", full_name, GetLastError());
        return give_up(NULL, mapping, file, made);
    }
    struct section_basic_information section;
    if (!query_section(mapping, &section) || !section_is_usable(&section) ||
        (!created && file != INVALID_HANDLE_VALUE &&
         !backed_by_our_file(&section, shm, file, id.file)))
        return give_up(shm, mapping, file, made);
    /* One copy initialises, once. Backed by the paging file: the creator,
     * the one copy that did not get ERROR_ALREADY_EXISTS; a new object is
     * zero-filled. With --file, the file, not the name, is what copies
     * share: copies with different names each create an object of their
     * own on one file, and each is a "creator". So the bytes elect: the one
     * copy that swaps the magic number from 0 to INIT_BUSY writes the
     * header. Only on a file that was empty when we opened it: one that
     * already held a counter's worth of bytes is checked, never written. */
    if (file == INVALID_HANDLE_VALUE
            ? created
            : file_was_empty && InterlockedCompareExchange(&shm->magic, INIT_BUSY, 0) == 0)
        write_header(shm);
    if (!check_header(shm, section_bytes(&section)))
        return give_up(shm, mapping, file, made);
    if (file != INVALID_HANDLE_VALUE)
        CloseHandle(file); /* checked: the mapping keeps its own reference to the file */
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
