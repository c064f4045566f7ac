/*
 * data_seg.c - demo 01: count the running copies of this program in a
 * shared data section of its own EXE file.
 *
 * Windows maps an EXE's sections into every process that runs it. A section
 * marked SHARED is the same physical memory in all of them, so a counter
 * there is seen by every copy of THIS file. The section belongs to the
 * file, not to its name: another file (a copy, or a rebuilt one) counts on
 * its own; a hard link or a rename is the same file. There is no name, no
 * handle and no cleanup: the section lives as long as some process has the
 * image loaded.
 *
 * Do not ship this: any process that loads the image can read and write a
 * shared section, and it cannot be secured. Use a named file mapping with a
 * security descriptor instead (demo 02).
 *
 * Build this file on its own (from this folder; MSVC, MinGW GCC, clang + lld):
 *   cl /std:c11 /W4 /I..\..\common /Fe01-data-seg-msvc.exe data_seg.c ..\..\common\*.c
 *   x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 01-data-seg.exe data_seg.c ../../common/{cli,errors,header_check,output,stop}.c
 *   clang --target=x86_64-w64-mingw32 -fms-extensions -fuse-ld=lld -std=c11 -Wall -Wextra -Wpedantic -I../../common -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")" -o 01-data-seg-clang.exe data_seg.c ../../common/{cli,errors,header_check,output,stop}.c
 * (The two last lines are for bash. Debian's clang 14 does not find MinGW's
 * libgcc by itself: the -L option asks the MinGW GCC where it is.)
 *
 * Example session (two consoles):
 *   one> 01-data-seg.exe                  two> 01-data-seg.exe --hold 2
 *   joined pid=1204 instances=1           joined pid=3312 instances=2
 *   now instances=2                       left pid=3312 instances=1
 *   now instances=1
 *   (Enter)
 *   left pid=1204 instances=0
 * Or in one console, a copy in the background: end the line with <nul, or
 * the copy reads the console too and takes the next line you type as its
 * Enter:
 *   > start /b 01-data-seg.exe --hold 10 <nul
 */
#include <windows.h>

#include "cli.h"
#include "errors.h"
#include "header_check.h"
#include "output.h"
#include "stop.h"

#define POLL_MS 100 /* how often the live loop looks at the count */

/* --- Step 0: the shared layout ---------------------------------------------
 * The loader fills the section from the file, so the header is in place
 * before main runs: nobody has to initialise it, and nobody can race to. */
struct shared_counter {
    LONG magic;   /* COUNTER_MAGIC: the same check every demo makes */
    LONG version; /* COUNTER_VERSION */
    LONG size;    /* sizeof(struct shared_counter) */
    /* Copies that joined and have not left. volatile makes every read go
     * to memory, but it is not atomic: two copies doing count++ at the same
     * moment can both write the same value. InterlockedIncrement cannot. */
    volatile LONG instances;
};

/* excerpt: section */
/* --- Steps 1 and 2: a section marked shared, opened and mapped by the loader
 * Two routes, because compilers and linkers disagree:
 * - MSVC, and clang with -fms-extensions and lld: #pragma data_seg puts the
 *   initialised variables that follow into a section of that name, and
 *   #pragma comment(linker, ...) leaves the option /SECTION:.shared,RWS in
 *   the object file for the linker: Read, Write, Shared. On this route the
 *   variable MUST be initialised: an uninitialised one stays in .bss, which
 *   is not shared. (clang ignores GCC's shared attribute, with a warning.)
 * - MinGW GCC: GCC ignores both pragmas (-Wall warns), and GNU ld does not
 *   understand /SECTION ("corrupt .drectve", make windows-negative shows
 *   it). GCC's attributes do both jobs instead: section names the section
 *   and shared marks it. GCC's manual allows shared only "with a
 *   fully-initialized global definition because of the way linkers work".
 * Ours is initialised on both routes: the initial values are its header.
 * Check the result with objdump -h: the .shared section must say SHARED. */
#if defined(_MSC_VER) || defined(__clang__)
#ifdef __clang__
/* Without -fms-extensions clang ignores both pragmas with a mere warning
 * ("unknown pragma ignored") and links a section that is not shared. Make
 * that warning an error, so a build without the flag fails. */
#pragma clang diagnostic error "-Wunknown-pragmas"
#endif
#pragma data_seg(".shared")
static struct shared_counter counter = { COUNTER_MAGIC, COUNTER_VERSION,
                                         sizeof(struct shared_counter), 0 };
#pragma data_seg()
#pragma comment(linker, "/SECTION:.shared,RWS")
#else
static struct shared_counter counter
    __attribute__((section(".shared"), shared)) = { COUNTER_MAGIC, COUNTER_VERSION,
                                                    sizeof(struct shared_counter), 0 };
#endif
/* end excerpt */

/* Read the shared count. An aligned LONG is read in one piece (Microsoft's
 * "Interlocked Variable Access" page); the barrier keeps the reads that
 * follow after it. Not InterlockedCompareExchange(p, 0, 0), the usual trick:
 * it leaves the value as it was, but it is still a locked write (on x86,
 * lock cmpxchg always writes), and a write faults on a read-only view (demo
 * 02's --peek maps one). The same read in every hardened Windows demo. */
static LONG read_count(void)
{
    LONG value = counter.instances; /* volatile: a real load, every time */
    MemoryBarrier();
    return value;
}

/* --name is refused with a reason: the section has no name to choose. */
static const char *refuse_name(const char *value, void *ctx)
{
    (void)value;
    (void)ctx;
    return "cannot be used here: a shared section belongs to the program file, so "
           "every copy of this .exe counts together. Another file (a copy) counts on its "
           "own; a hard link or a rename is the same file. To choose a name, use demo 02 "
           "(a named file mapping)";
}

/* Even our own section is checked: a copy of this file patched or built
 * from another version of the source must not be trusted blindly. */
static bool check_header(void)
{
    const char *why = header_problem((uint32_t)counter.magic, (uint32_t)counter.version,
                                     (uint32_t)counter.size, sizeof counter, sizeof counter);
    if (why == NULL)
        why = count_problem(read_count());
    if (why != NULL)
        report_problem("the shared section of this program is not a counter we can use: %s", why);
    return why == NULL;
}

int main(int argc, char **argv)
{
    const struct cli_option name_option = { "--name", "NAME", NULL, refuse_name };
    const struct cli_spec spec = {
        .summary = "count running copies in a shared data section of this EXE",
        .details = "No name or key: every copy of this .exe file shares its section.\n"
                   "Another file (a copy) counts on its own; a hard link or a rename is\n"
                   "the same file.\n"
                   "In cmd, start a copy in the background with start /b ... <nul: without\n"
                   "<nul it reads the console too, and takes your next line as its Enter.",
        .extra = &name_option,
        .extra_count = 1,
    };
    struct cli cli;

    set_program_name(argv[0]);
    int status = cli_parse(&cli, argc, argv, &spec);
    if (status >= 0)
        return status;
    if (!stop_install(cli.hold))
        return EXIT_SYSCALL;

    if (!check_header())
        return EXIT_SYSCALL;
    if (cli.peek) {
        print_peek(read_count(), -1);
        return EXIT_OK;
    }

    /* excerpt: join-leave */
    /* Step 3: join. One atomic instruction: no lost updates. */
    LONG count = InterlockedIncrement(&counter.instances);
    print_joined(count);

    /* Step 4: the live loop. */
    while (!stop_wait(POLL_MS)) {
        LONG now = read_count();
        if (now != count && !cli.quiet)
            print_now(now);
        count = now;
    }

    if (cli.crash) {
        print_crashing(count);
        crash_self(); /* TerminateProcess, exit code 9: the count keeps our 1 */
    }

    /* Step 5: leave. */
    print_left(InterlockedDecrement(&counter.instances));
    /* end excerpt */
    stop_done();
    return EXIT_OK;
}
