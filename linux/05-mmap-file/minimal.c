/*
 * minimal.c - demo 05, the minimal version: count the running copies of this
 * program in an ordinary file that every copy maps with mmap(MAP_SHARED).
 * Read it first; mmap_file.c is the same technique, hardened.
 *
 * Every copy opens the file shm-suite-05-minimal.count in the current folder
 * (the first copy creates it), maps it, adds one to an atomic counter in it,
 * prints the count whenever it changes, and takes its one away on Ctrl+C
 * (SIGINT) or SIGTERM. The file stays, holding 0. Start every copy from the
 * same folder: the file is what the copies share. There are no options.
 *
 * Build this file on its own (from this folder):
 *   cc -std=c11 minimal.c -o 05-mmap-file-minimal
 *
 * Example session (one terminal; PIDs will differ):
 *   $ ./05-mmap-file-minimal &            $ kill -INT %2
 *   joined pid=4101 instances=1           left pid=4102 instances=1
 *   $ ./05-mmap-file-minimal &            now instances=1
 *   joined pid=4102 instances=2           $ kill -INT %1
 *   now instances=2                       left pid=4101 instances=0
 *
 * What mmap_file.c adds, and why it matters:
 * - stale counts: a killed copy's 1 stays in the file for good, even across a reboot; it counts
 *   the processes that map the file (/proc/PID/maps) at join and at leave, and mends the count
 * - foreign files: whatever file has the name gets 1 added to its first 4 bytes; it checks owner,
 *   type, size, magic and version with fstat and pread before it maps anything
 * - symbolic links: O_CREAT follows a link planted under the name, to a file of the planter's
 *   choice; it opens with O_NOFOLLOW and creates only under a name of its own (mkstemp)
 * - init race: none here (a new file is zero-filled); its header is written under a temporary
 *   name, and link() gives the complete file its name, so exactly one creator wins
 * - SIGPIPE, a late stop, SIGHUP: as in demo 03's minimal version
 * - also: leaving on Enter; --file, --peek (with the mappers), --hold, --quiet, --crash
 */
/* excerpt: minimal */
#define _XOPEN_SOURCE 700 /* ftruncate, and struct sigaction, in strict C11 */

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_NAME "shm-suite-05-minimal.count" /* the file every copy agrees on */

/* Step 0: the layout is just the count, an atomic int; lock-free, or each process locks alone. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");

static volatile sig_atomic_t stop; /* set by the handler, read by the live loop */

static void on_signal(int sig)
{
    stop = sig; /* nothing else: printf or munmap here could cut into the same call in main */
}

static int fail(const char *call)
{
    perror(call); /* the call, then the errno text: "open: Permission denied" */
    return 1;
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
        sigaction(SIGTERM, &sa, NULL) == -1)
        return fail("sigaction");
    if (setvbuf(stdout, NULL, _IOLBF, 0) != 0) /* each line goes out at once, even to a pipe */
        return fail("setvbuf");
    /* Step 1: open the file, or create it (mode 0600: only our user may open it). If new, it is
     * empty, and a mapped page past the end of a file raises SIGBUS when touched: make it big
     * enough. Growing adds zeros, the right start; growing to the same size changes nothing. */
    int fd = open(FILE_NAME, O_RDWR | O_CREAT, 0600);
    struct stat st;
    if (fd == -1 || fstat(fd, &st) == -1)
        return fail("open or fstat");
    if (st.st_size < (off_t)sizeof(atomic_int) && ftruncate(fd, sizeof(atomic_int)) == -1)
        return fail("ftruncate");
    /* Step 2: map it, shared: every copy's stores go to the same page of the page cache. */
    atomic_int *counter = mmap(NULL, sizeof *counter, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (counter == MAP_FAILED) /* MAP_FAILED, not NULL */
        return fail("mmap");
    /* Step 3: join, with one atomic read-modify-write: a plain ++ loses updates. */
    int count = atomic_fetch_add(counter, 1) + 1;
    printf("joined pid=%ld instances=%d\n", (long)getpid(), count);

    /* Step 4: the live loop. Look every 100 ms; print the count when it changes. */
    while (!stop) {
        struct timespec tick = { 0, 100000000L };
        nanosleep(&tick, NULL); /* a signal ends it early (EINTR), and the loop then sees stop */
        int now = atomic_load(counter);
        if (now != count)
            printf("now instances=%d\n", now);
        count = now;
    }

    /* Step 5: leave. The file stays, holding the count: 0 once every copy has left. */
    int after = atomic_fetch_sub(counter, 1) - 1;
    printf("left pid=%ld instances=%d\n", (long)getpid(), after);

    /* Step 6: unmap and close. The kernel writes the page back to the disk in its own time. */
    if (munmap(counter, sizeof *counter) == -1 || close(fd) == -1)
        return fail("munmap or close");
    return 0;
}
/* end excerpt */
