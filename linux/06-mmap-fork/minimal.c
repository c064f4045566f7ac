/*
 * minimal.c - demo 06, the minimal version: a parent maps one anonymous
 * page MAP_SHARED, forks N children, and each child counts itself in it.
 * Read it first; mmap_fork.c is the same technique, hardened.
 *
 * The page has no name: only the parent and the children it forks share
 * it. Each child joins, prints the count whenever it changes, and leaves on
 * Ctrl+C (which reaches the parent and every child) or SIGTERM (to the
 * parent, which passes it on). The parent waits for them all and prints
 * its own view of the count. The only argument is N, 1 to 1000.
 *
 * Build this file on its own (from this folder):
 *   cc -std=c11 minimal.c -o 06-mmap-fork-minimal
 *
 * Example session (PIDs will differ):
 *   $ ./06-mmap-fork-minimal 2
 *   joined pid=4102 instances=1
 *   joined pid=4103 instances=2
 *   now instances=2
 *   ^Cleft pid=4103 instances=1
 *   left pid=4102 instances=0
 *   parent: instances=0
 *
 * What mmap_fork.c adds, and why it matters:
 * - order: here the children join and leave in any order; it starts each after the one before has
 *   joined, and tells them to leave last first, so the lines count 1..N and back down to 0
 * - a late stop: a signal just after a child checks its flag waits out the 100 ms sleep, and a
 *   SIGTERM that reaches the parent between its check of the flag and waitpid is not passed on
 *   (Ctrl+C still reaches every child); it blocks the stop signals and unblocks them only
 *   inside ppoll
 * - a killed parent: here its children run on for ever; there they get SIGTERM (PR_SET_PDEATHSIG)
 * - also: --private (copy-on-write: every child counts 1), --hold, --quiet, --crash, Enter,
 *   SIGHUP and SIGQUIT; a report of each child that did not leave; errors named symbolically
 */
/* excerpt: minimal */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS is not in POSIX.1-2008 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Step 0: the shared layout is just the count. Lock-free, or a lock inside one process hides it. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");
static volatile sig_atomic_t stop; /* set by the handler, read by the loops */

static void on_signal(int sig)
{
    stop = sig; /* nothing else: printf here could cut into the same call in main */
}
/* Steps 3-5, in a child: join (atomically: a plain ++ loses updates), the live loop, leave. */
static int child(atomic_int *instances)
{
    int count = atomic_fetch_add(instances, 1) + 1;
    printf("joined pid=%ld instances=%d\n", (long)getpid(), count);
    for (int now; !stop; count = now) {
        nanosleep(&(struct timespec){ 0, 100000000L }, NULL); /* a signal ends it early */
        if ((now = atomic_load(instances)) != count)
            printf("now instances=%d\n", now);
    }
    printf("left pid=%ld instances=%d\n", (long)getpid(), atomic_fetch_sub(instances, 1) - 1);
    return 0;
}

int main(int argc, char **argv)
{
    char *end;
    long n = argc == 2 ? strtol(argv[1], &end, 10) : 0;
    if (argc != 2 || *end != '\0' || n < 1 || n > 1000) {
        fprintf(stderr, "usage: %s N (children, 1 to 1000; Ctrl+C leaves)\n", argv[0]);
        return 2;
    }
    struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: see man 7 signal */
    if (sigemptyset(&sa.sa_mask) == -1 || sigaction(SIGINT, &sa, NULL) == -1 ||
        sigaction(SIGTERM, &sa, NULL) == -1)
        return perror("sigaction"), 1;
    signal(SIGCHLD, SIG_DFL); /* an inherited SIG_IGN: children reaped unseen, waitpid fails */
    setvbuf(stdout, NULL, _IOLBF, 0); /* each line out at once: nothing in it to copy at fork */
    /* Steps 1-2: one anonymous page, zero-filled, shared with every child forked from now on. */
    atomic_int *instances =
        mmap(NULL, sizeof *instances, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    static pid_t pids[1000];
    if (instances == MAP_FAILED)
        return perror("mmap"), 1;
    int started = 0, status = 0;
    for (; started < n; started++) {
        pids[started] = fork(); /* the child maps the same page, not a copy of it */
        if (pids[started] == 0)
            _exit(child(instances)); /* _exit: never back into the parent's code */
        if (pids[started] == -1) {   /* EAGAIN: too many processes */
            perror("fork");
            status = 1;
            for (int i = 0; i < started; i++) /* stop those already started */
                kill(pids[i], SIGTERM);
            break;
        }
    }
    for (int i = 0, st; i < started; i++) { /* wait for each; once told to stop, pass it on */
        do
            if (stop)
                kill(pids[i], SIGTERM);
        while (waitpid(pids[i], &st, 0) == -1); /* -1: a signal cut the wait short */
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            status = 1; /* killed, or failed: it did not leave */
    }
    printf("parent: instances=%d\n", atomic_load(instances));
    if (munmap(instances, sizeof *instances) == -1) /* step 6; there is no name to remove */
        return perror("munmap"), 1;
    return status;
}
/* end excerpt */
