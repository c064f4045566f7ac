/*
 * minimal.c - demo 08, the minimal version: count the running copies of this
 * program in a System V semaphore raised with SEM_UNDO, so that the kernel
 * keeps the count right even when a copy is killed. Read it first;
 * sem_undo.c is the same technique, hardened.
 *
 * Every copy finds the semaphore set under one fixed key (the first copy
 * creates it), adds 1 to semaphore 0 with SEM_UNDO, prints the count
 * whenever it changes, and takes its 1 away on Ctrl+C (SIGINT) or SIGTERM.
 * A copy killed any other way (SIGKILL, SIGHUP, a crash) leaves nothing
 * behind in the count: the kernel applies its undo at exit. The set itself
 * stays after the last copy, holding 0 (ipcrm -S 0x4d494e08 removes it).
 * There are no options.
 *
 * Build this file on its own (from this folder):
 *   cc -std=c11 minimal.c -o 08-sem-undo-minimal
 *
 * Example session (one terminal: the left column, then the right; PIDs will differ):
 *   $ ./08-sem-undo-minimal &             $ kill -KILL %2
 *   joined pid=4101 instances=1           now instances=1
 *   $ ./08-sem-undo-minimal &             $ kill -INT %1
 *   joined pid=4102 instances=2           left pid=4101 instances=0
 *   now instances=2
 *
 * What sem_undo.c adds, and why it matters:
 * - removal: the set stays here, as removing it safely needs the lock held across IPC_RMID;
 *   it removes the set as the last copy leaves, and nobody can join in between
 * - foreign sets: whatever set sits under the key is used blindly; it checks the number of
 *   semaphores, a mark, and the lock's value
 * - initialisation: this relies on Linux giving a new set 0s and needs no step of its own;
 *   it also publishes its mark in the creator's first semop, which any copy can finish
 * - bounded waits: a lock held by a stopped copy blocks this for ever; it gives up after 3 s
 * - limits: at SEMVMX (32767) copies semop fails with ERANGE; it says so
 * - also: leaving on SIGHUP, SIGQUIT and Enter; --key, --peek (with sempid), --hold, --quiet,
 *   --crash; joining again when the set is removed under it (ipcrm)
 */
/* excerpt: minimal */
#define _XOPEN_SOURCE 700 /* semget and friends belong to the XSI option */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/sem.h>
#include <time.h>
#include <unistd.h>

#define KEY 0x4d494e08 /* the key every copy agrees on: "MIN" and the demo's number */

static volatile sig_atomic_t stop; /* set by the handler, read by the live loop */

static void on_signal(int sig)
{
    stop = sig; /* only this: printf here could cut into the same call in main */
}

static int fail(const char *call)
{
    perror(call); /* the call, then the errno text: "semget: Permission denied" */
    return 1;
}

/* Steps 3 and 5: one all-or-nothing semop waits for the lock (semaphore 1) to be 0, takes it and
 * adds delta to the count, so the number read back is exact. SEM_UNDO: our death undoes them. */
static int change_count(int id, int delta)
{
    struct sembuf lock[3] = { { 1, 0, 0 }, { 1, 1, SEM_UNDO }, { 0, delta, SEM_UNDO } },
                  unlock = { 1, -1, SEM_UNDO };
    while (semop(id, lock, 3) == -1) /* a signal ends a wait with EINTR: wait again */
        if (errno != EINTR)
            return -1;
    int count = semctl(id, 0, GETVAL);
    return count == -1 || semop(id, &unlock, 1) == -1 ? -1 : count;
}

int main(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: %s (no options; Ctrl+C or kill -INT leaves)\n", argv[0]);
        return 2;
    }
    struct sigaction sa = { 0 }; /* sa_flags 0; SA_RESTART never restarts semop: man 7 signal */
    sa.sa_handler = on_signal;
    if (sigemptyset(&sa.sa_mask) == -1 || sigaction(SIGINT, &sa, NULL) == -1 ||
        sigaction(SIGTERM, &sa, NULL) == -1)
        return fail("sigaction");
    if (setvbuf(stdout, NULL, _IOLBF, 0) != 0) /* each line goes out at once, even to a pipe */
        return fail("setvbuf");

    /* Step 1: find the set of two semaphores (0: the count, 1: a lock), or create it. Linux
     * starts a new set at 0, 0 (man 2 semget). Mode 0600: only our user may use it. */
    int id = semget(KEY, 2, IPC_CREAT | 0600); /* step 2: none; a set is used through its id */
    if (id == -1)
        return fail("semget");
    int count = change_count(id, 1); /* step 3: join: +1, undone by the kernel at our exit */
    if (count == -1)
        return fail("semop");
    printf("joined pid=%ld instances=%d\n", (long)getpid(), count);

    while (!stop) { /* step 4: the live loop: every 100 ms, print the count if it changed */
        struct timespec tick = { 0, 100000000L };
        nanosleep(&tick, NULL); /* a signal ends it early (EINTR), and the loop then sees stop */
        int now = semctl(id, 0, GETVAL);
        if (now == -1)
            return fail("semctl(GETVAL)");
        if (now != count)
            printf("now instances=%d\n", now);
        count = now;
    }

    int after = change_count(id, -1); /* step 5: leave; its undo cancels the join's */
    if (after == -1)
        return fail("semop");
    printf("left pid=%ld instances=%d\n", (long)getpid(), after);
    return 0; /* step 6: nothing to detach or close */
}
/* end excerpt */
