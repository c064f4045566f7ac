/*
 * minimal.c - demo 07, the minimal version: demo 01's counter in an ELF
 * section named .shared, which is NOT shared: every copy counts 1. Read it
 * first; elf_section.c is the same program with the common command line.
 *
 * The demo is small already, so this is simply its shortest honest form:
 * the counter in the section, an atomic join, a live loop, and an atomic
 * leave on Ctrl+C (SIGINT) or SIGTERM. There are no options. Run two
 * copies at once: each says instances=1, because the loader maps the
 * program's data MAP_PRIVATE (copy-on-write), and ELF has no flag that
 * would ask for anything else (readelf -S shows the section as WA).
 *
 * Build this file on its own (from this folder):
 *   cc -std=c11 minimal.c -o 07-elf-section-minimal
 *
 * Example session (one terminal; PIDs will differ):
 *   $ ./07-elf-section-minimal &          $ kill -INT %1 %2
 *   joined pid=4101 instances=1           left pid=4101 instances=0
 *   $ ./07-elf-section-minimal &          left pid=4102 instances=0
 *   joined pid=4102 instances=1
 *
 * What elf_section.c adds: --peek, which shows the copy's own view and the
 * /proc/self/maps line that holds the counter (rw-p: private); --hold,
 * --quiet, --crash; Enter, SIGHUP and SIGQUIT; the header check of demo 01;
 * and no lost stop between the loop's check and its sleep (ppoll).
 */
/* excerpt: minimal */
#define _POSIX_C_SOURCE 200809L /* sigaction, nanosleep: POSIX, not C11 */

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");

/* Steps 0-2: the count in a section named .shared, laid out and mapped by the loader. The section
 * attribute is a GCC and Clang extension; ELF has no way to ask for the section to be shared. */
#if defined(__GNUC__) || defined(__clang__)
static atomic_int instances __attribute__((section(".shared"))) = 0;
#else
/* cppcheck-suppress preprocessorErrorDirective ; cppcheck also tries compilers without it */
#error "section(\".shared\") is a GCC and Clang extension: build with gcc or clang"
#endif

static volatile sig_atomic_t stop; /* set by the handler, read by the live loop */

static void on_signal(int sig)
{
    stop = sig; /* nothing else: printf here could cut into the same call in main */
}

int main(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: %s (no options; Ctrl+C or kill -INT leaves)\n", argv[0]);
        return 2;
    }
    struct sigaction sa = { 0 }; /* sa_flags 0; SA_RESTART never restarts nanosleep: man 7 signal */
    sa.sa_handler = on_signal;
    if (sigemptyset(&sa.sa_mask) == -1 || sigaction(SIGINT, &sa, NULL) == -1 ||
        sigaction(SIGTERM, &sa, NULL) == -1) {
        perror("sigaction");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* each line goes out at once, even to a pipe */

    /* Step 3: join, in this process's own copy of the page (copy-on-write made it at the first
     * write to the page, the loader's or ours): count 1. */
    int count = atomic_fetch_add(&instances, 1) + 1;
    printf("joined pid=%ld instances=%d\n", (long)getpid(), count);

    /* Step 4: the live loop. Nobody else can reach our copy, so it never prints a line. */
    while (!stop) {
        struct timespec tick = { 0, 100000000L };
        nanosleep(&tick, NULL); /* a signal ends it early (EINTR), and the loop then sees stop */
        int now = atomic_load(&instances);
        if (now != count)
            printf("now instances=%d\n", now);
        count = now;
    }

    /* Step 5: leave. Step 6, unmapping, is the loader's: the page goes with the process. */
    printf("left pid=%ld instances=%d\n", (long)getpid(), atomic_fetch_sub(&instances, 1) - 1);
    return 0;
}
/* end excerpt */
