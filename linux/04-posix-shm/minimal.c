/*
 * minimal.c - demo 04, the minimal version: count the running copies of this
 * program in a POSIX shared memory object. Read it first; posix_shm.c is the
 * same technique, hardened.
 *
 * Every copy opens the object by name (the first copy creates it), gives it
 * its size, maps it, adds one to an atomic counter in it, prints the count
 * whenever it changes, and takes its one away on Ctrl+C (SIGINT) or SIGTERM.
 * The last copy out unlinks the name. One optional argument: the name
 * (default /shm-suite-04-minimal, the file /dev/shm/shm-suite-04-minimal).
 *
 * Build this file on its own (from this folder; glibc before 2.34: add -lrt):
 *   cc -std=c11 minimal.c -o 04-posix-shm-minimal
 *
 * Example session (one terminal; PIDs will differ):
 *   $ ./04-posix-shm-minimal &            $ kill -INT %2
 *   joined pid=4101 instances=1           left pid=4102 instances=1
 *   $ ./04-posix-shm-minimal &            now instances=1
 *   joined pid=4102 instances=2           $ kill -INT %1
 *   now instances=2                       left pid=4101 instances=0
 *
 * What posix_shm.c adds, and why it matters:
 * - the SIGBUS race: here every copy sizes the object itself, which is only safe because the
 *   layout is one zeroed int; with a header, one copy sizes and initialises it and the others
 *   must wait until fstat shows the size before they touch it, or die of SIGBUS
 * - a full /dev/shm: ftruncate reserves nothing, so the first touch is SIGBUS; posix_fallocate
 * - foreign or short objects: ftruncate here even shrinks another program's object; it checks
 *   the size, magic and version, and refuses what is not ours, untouched
 * - split brain: a copy joining as the last leaves counts in an unlinked object; closing is atomic
 * - stale counts: a killed copy's 1 stays for good; it finds the other mappers in /proc/PID/maps
 * - rm /dev/shm/NAME under running copies: it notices (st_nlink 0) and says so
 * - also: SIGPIPE, SIGHUP, Enter; --name checks, --peek, --hold, --quiet, --crash
 */
/* excerpt: minimal */
#define _POSIX_C_SOURCE 200809L /* shm_open, ftruncate, sigaction, nanosleep */

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Step 0: the shared layout is just the count, an atomic int. It must be lock-free:
 * a lock inside one process would be invisible to the others. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");

static volatile sig_atomic_t stop; /* set by the handler, read by the live loop */

static void on_signal(int sig)
{
    stop = sig; /* nothing else: printf or munmap here could cut into the same call in main */
}

static int fail(const char *call)
{
    perror(call); /* the call, then the errno text: "shm_open: Permission denied" */
    return 1;
}

int main(int argc, char **argv)
{
    const char *name = argc == 2 ? argv[1] : "/shm-suite-04-minimal"; /* '/' then a file name */
    if (argc > 2 || name[0] != '/') {
        fprintf(stderr, "usage: %s [/NAME] (Ctrl+C or kill -INT leaves)\n", argv[0]);
        return 2;
    }
    struct sigaction sa = { .sa_handler = on_signal }; /* sa_flags 0: see man 7 signal, EINTR */
    if (sigemptyset(&sa.sa_mask) == -1 || sigaction(SIGINT, &sa, NULL) == -1 ||
        sigaction(SIGTERM, &sa, NULL) == -1)
        return fail("sigaction");
    if (setvbuf(stdout, NULL, _IOLBF, 0) != 0) /* each line goes out at once, even to a pipe */
        return fail("setvbuf");

    /* Step 1: open the object, or create it (length 0) with mode 0600: only our user may open
     * it. Every copy sets the length; touching a page beyond it would raise SIGBUS. */
    int fd = shm_open(name, O_RDWR | O_CREAT, 0600);
    if (fd == -1)
        return fail("shm_open");
    if (ftruncate(fd, sizeof(atomic_int)) == -1) /* new bytes read as 0: the right start */
        return fail("ftruncate");
    /* Step 2: map it. mmap returns MAP_FAILED on failure, not NULL. */
    atomic_int *instances =
        mmap(NULL, sizeof *instances, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (instances == MAP_FAILED)
        return fail("mmap");

    /* Step 3: join, with one atomic read-modify-write: a plain ++ loses updates. */
    int count = atomic_fetch_add(instances, 1) + 1;
    printf("joined pid=%ld instances=%d\n", (long)getpid(), count);

    /* Step 4: the live loop. Look every 100 ms; print the count when it changes. */
    while (!stop) {
        struct timespec tick = { 0, 100000000L };
        nanosleep(&tick, NULL); /* a signal ends it early (EINTR), and the loop then sees stop */
        int now = atomic_load(instances);
        if (now != count)
            printf("now instances=%d\n", now);
        count = now;
    }

    /* Step 5: leave; the last copy out unlinks the name (the memory goes once all let go). */
    int after = atomic_fetch_sub(instances, 1) - 1;
    int status = after == 0 && shm_unlink(name) == -1 ? fail("shm_unlink") : 0;
    printf("left pid=%ld instances=%d\n", (long)getpid(), after);

    /* Step 6: unmap and close. */
    if (munmap(instances, sizeof *instances) == -1 || close(fd) == -1)
        status = fail("munmap/close");
    return status;
}
/* end excerpt */
