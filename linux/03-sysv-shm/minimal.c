/*
 * minimal.c - demo 03, the minimal version: count the running copies of this
 * program in a System V shared memory segment. Read it first; sysv_shm.c is
 * the same technique, hardened.
 *
 * Every copy finds the segment under one fixed key (the first copy creates
 * it), adds one to an atomic counter in it, prints the count whenever it
 * changes, and takes its one away on Ctrl+C (SIGINT) or SIGTERM. The last
 * copy out removes the segment. There are no options.
 *
 * Build this file on its own (from this folder):
 *   cc -std=c11 minimal.c -o 03-sysv-shm-minimal
 *
 * Example session (one terminal; PIDs will differ):
 *   $ ./03-sysv-shm-minimal &             $ kill -INT %2
 *   joined pid=4101 instances=1           left pid=4102 instances=1
 *   $ ./03-sysv-shm-minimal &             now instances=1
 *   joined pid=4102 instances=2           $ kill -INT %1
 *   now instances=2                       left pid=4101 instances=0
 *
 * What sysv_shm.c adds, and why it matters:
 * - split brain: a copy joining as the last leaves counts in a removed segment; closing is atomic
 * - stale counts: a killed copy's 1 stays in the segment for good; it checks shm_nattch at join
 *   and at leave
 * - SIGPIPE: with "| head -n 1", the next line kills the copy before it leaves; it ignores SIGPIPE
 * - a late stop: a signal just after the loop checks stop waits out the 100 ms sleep; it blocks
 *   the stop signals and unblocks them only inside ppoll, in one step
 * - foreign segments: whatever sits under the key is used blindly; it checks size, magic, version
 * - init race: none here (a new segment is zero-filled); its header is written once, published last
 * - also: leaving on SIGHUP (terminal closed) and Enter; --key, --peek, --hold, --quiet, --crash
 */
/* excerpt: minimal */
#define _XOPEN_SOURCE 700 /* shmget and friends belong to the XSI option */

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#define KEY 0x4d494e03 /* the key every copy agrees on: "MIN" and the demo's number */

/* Step 0: the shared layout is just the count, an atomic int. It must be lock-free:
 * a lock inside one process would be invisible to the others. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");

static volatile sig_atomic_t stop; /* set by the handler, read by the live loop */

static void on_signal(int sig)
{
    stop = sig; /* nothing else: printf or shmdt here could cut into the same call in main */
}

static int fail(const char *call)
{
    perror(call); /* the call, then the errno text: "shmget: Permission denied" */
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

    /* Step 1: find the segment, or create it. A new one is zero-filled, which is the right
     * count to start from. Mode 0600: only our user may attach. */
    int id = shmget(KEY, sizeof(atomic_int), IPC_CREAT | 0600);
    if (id == -1)
        return fail("shmget");
    /* Step 2: attach it. shmat returns (void *)-1 on failure, not NULL. */
    atomic_int *instances = shmat(id, NULL, 0);
    if (instances == (void *)-1)
        return fail("shmat");

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

    /* Step 5: leave; the last copy out removes the segment (gone once all have detached). */
    int after = atomic_fetch_sub(instances, 1) - 1;
    int status = 0;
    if (after == 0 && shmctl(id, IPC_RMID, NULL) == -1)
        status = fail("shmctl(IPC_RMID)");
    printf("left pid=%ld instances=%d\n", (long)getpid(), after);

    /* Step 6: detach. */
    if (shmdt(instances) == -1)
        status = fail("shmdt");
    return status;
}
/* end excerpt */
