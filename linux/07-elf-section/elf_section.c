/*
 * elf_section.c - demo 07: demo 01's counter, in a section of its own in an
 * ELF program, and why every copy counts only itself.
 *
 * On Windows, #pragma data_seg plus /SECTION:.shared,RWS marks a section of
 * the EXE shared, and every process running that file sees the same memory
 * (demo 01). This program does the same on Linux as far as ELF allows: the
 * counter sits in a section named .shared. But an ELF section has no
 * "shared" flag (man 5 elf lists SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR and
 * the processor's own bits; readelf -S shows WA here: write, alloc), and
 * the loader maps every loadable segment of the file with MAP_PRIVATE:
 * copy-on-write. The first write gives each process a page of its own. So
 * three copies at once each say instances=1, and /proc/PID/maps shows the
 * page as rw-p: p for private. No linker option changes that: there is no
 * bit in the file to carry it. For memory that processes really share, see
 * demos 03 (System V), 04 (POSIX shm_open), 05 (a mapped file) and 06
 * (MAP_SHARED across fork).
 *
 * Build this file on its own (from this folder, in bash):
 *   cc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 07-elf-section elf_section.c ../../common/{cli,errors,header_check,output,stop}.c
 *
 * Example session (two terminals; PIDs will differ):
 *   one$ ./07-elf-section                 two$ ./07-elf-section --hold 2
 *   joined pid=4101 instances=1           joined pid=4102 instances=1
 *   (Enter)                               left pid=4102 instances=0
 *   left pid=4101 instances=0             two$ readelf -S -W 07-elf-section | grep shared
 *                                           [27] .shared  PROGBITS ... WA  0 0 16
 */
#define _POSIX_C_SOURCE 200809L /* getline */

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "errors.h"
#include "header_check.h"
#include "output.h"
#include "stop.h"

#define POLL_MS 100 /* how often the live loop looks at the count */

/* --- Step 0: the layout, as in demo 01 ------------------------------------
 * The loader fills the section in from the file, header included, before
 * main runs: nobody initialises it, and nobody can race to. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");

struct shared_counter {
    uint32_t magic;   /* COUNTER_MAGIC */
    uint32_t version; /* COUNTER_VERSION */
    uint32_t size;    /* sizeof(struct shared_counter) */
    /* Copies that joined and have not left: atomic, as it would have to be
     * if the section were shared. Here only this process ever sees it. */
    atomic_int instances;
};

/* excerpt: section */
/* --- Steps 1 and 2: a section of our own, opened and mapped by the loader
 * section(".shared") is a GCC and Clang extension (no standard C way names
 * a section): it puts the variable in a section of that name, which the
 * linker places in a writable PT_LOAD segment next to .data. What it cannot
 * do is make the section shared: ELF has no flag for that, and GCC's
 * "shared" attribute, which does it for Windows (PE) targets, is ignored on
 * ELF with a warning ("'shared' attribute directive ignored"). */
#if defined(__GNUC__) || defined(__clang__)
static struct shared_counter counter
    __attribute__((section(".shared"))) = { COUNTER_MAGIC, COUNTER_VERSION,
                                            sizeof(struct shared_counter), 0 };
#else
/* cppcheck-suppress preprocessorErrorDirective ; cppcheck also tries compilers without it */
#error "section(\".shared\") is a GCC and Clang extension: build with gcc or clang"
#endif
/* end excerpt */

/* As demo 01 does: even our own section is checked, since a patched or
 * differently built file must not be trusted blindly. */
static bool check_header(void)
{
    const char *why = header_problem(counter.magic, counter.version, counter.size, sizeof counter,
                                     sizeof counter);
    if (why == NULL)
        why = count_problem(atomic_load(&counter.instances));
    if (why != NULL)
        report_problem("the .shared section of this program is not a counter we can use: %s", why);
    return why == NULL;
}

/* excerpt: maps */
/* The line of /proc/self/maps whose address range holds the counter: the
 * kernel's own word on how the loader mapped it. Its fourth letter is p
 * (private, copy-on-write) for every segment of an ELF file, never s. */
static void show_mapping(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL) {
        report_errno("fopen", "/proc/self/maps", errno);
        return;
    }
    uintptr_t at = (uintptr_t)&counter;
    char *line = NULL;
    size_t size = 0;
    while (getline(&line, &size, maps) != -1) {
        unsigned long long start, end;
        char perms[5];
        if (sscanf(line, "%llx-%llx %4s", &start, &end, perms) == 3 && start <= at && at < end) {
            line[strcspn(line, "\n")] = '\0';
            print_note("the counter is at %#llx, in this mapping of the program file:\n  %s\n"
                       "%s: %s",
                       (unsigned long long)at, line, perms,
                       perms[3] == 'p'
                           ? "p is private (copy-on-write): each process has its own copy"
                           : "s is shared");
        }
    }
    free(line);
    fclose(maps);
}
/* end excerpt */

int main(int argc, char **argv)
{
    const struct cli_spec spec = {
        .summary = "count running copies in an ELF section of this program: each counts 1",
        .details = "The counter sits in a section named .shared, as in demo 01, but ELF has\n"
                   "no shared flag for a section (readelf -S shows WA), and the loader maps\n"
                   "the program MAP_PRIVATE: every copy gets its own page, and counts only\n"
                   "itself. --peek shows this copy's own view (instances=0) and the line of\n"
                   "/proc/self/maps that holds the counter (rw-p: private).\n"
                   "Memory that processes share: demos 03, 04, 05 and 06.",
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
        /* A peek can only read its own copy, fresh from the file: 0, however
         * many copies run. That is the lesson, so say it. */
        print_peek(atomic_load(&counter.instances), -1);
        print_note("a peek sees only its own copy of .shared, fresh from the file: no copy "
                   "of this program can see another's count");
        show_mapping();
        return EXIT_OK;
    }

    /* excerpt: join-leave */
    /* Step 3: join, in this process's own copy of the page. Copy-on-write
     * made that copy at the first write to the page, and in this build that
     * came before main: the same page holds part of .got.plt, which ld.so
     * fills in, and the start of .bss, which the kernel zeroes (readelf -S;
     * /proc/PID/smaps shows the page Private_Dirty at main). Either way the
     * count starts from the file's 0 and only this process changes it. */
    int count = atomic_fetch_add(&counter.instances, 1) + 1;
    print_joined(count);

    /* Step 4: the live loop. Nobody else can change our copy: no "now"
     * line is ever printed, though the loop looks, as in demo 01. */
    while (!stop_wait(POLL_MS)) {
        int now = atomic_load(&counter.instances);
        if (now != count && !cli.quiet)
            print_now(now);
        count = now;
    }

    if (cli.crash) {
        print_crashing(count);
        crash_self(); /* SIGKILL: harmless here, the count dies with the copy */
    }

    /* Step 5: leave. */
    print_left(atomic_fetch_sub(&counter.instances, 1) - 1);
    /* end excerpt */
    /* Step 6: nothing to unmap or remove: the loader's mapping goes with the
     * process. */
    stop_done();
    return EXIT_OK;
}
