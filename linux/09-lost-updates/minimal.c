/*
 * minimal.c - demo 09, the minimal version: two processes add 1 to one
 * counter in shared memory, 50 million times each, with a plain load and
 * store, and lose updates. Read it first; lost_updates.c is the same
 * experiment, measured, with four fixes.
 *
 * The parent maps one anonymous shared page, forks, and both processes run
 * the same loop on the same counter. Then the parent prints what the
 * counter should hold, what it holds, and the difference.
 *
 * Build this file on its own (from this folder):
 *   cc -std=c11 minimal.c -o 09-lost-updates-minimal
 *
 * Example session (the numbers differ on every run):
 *   $ ./09-lost-updates-minimal
 *   expected=100000000 got=86259725 lost=13740275
 *
 * What lost_updates.c adds, and why it matters:
 * - four fixes (atomic, mutex, semaphore, batched): a loss shown is only half the lesson
 * - a start line: the workers start together, however long a process takes to start
 * - timing in ops/s: every fix has a price, and the prices differ a thousandfold
 * - --workers, --loops, --method, --csv: to vary the experiment and chart it
 * - one cache line per counter and flag: no false sharing blurs the timings
 * - on 1 CPU or with 1 worker it says why nothing was lost, instead of pretending
 * - a worker that dies, or Ctrl+C: every worker is stopped, nothing is left behind
 */
/* excerpt: minimal */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOOPS 50000000L /* per process: long enough for the two to overlap */

static int fail(const char *call)
{
    perror(call); /* the call, then the errno text: "fork: Resource temporarily unavailable" */
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: %s (no options)\n", argv[0]);
        return 2;
    }
    /* Step 1: one anonymous shared mapping, made before fork, so that parent and child
     * share its page. It is zero-filled: the counter starts at 0. */
    volatile long *counter =
        mmap(NULL, sizeof *counter, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counter == MAP_FAILED)
        return fail("mmap");

    /* Step 2: a second process. Flush first: the child would print our unwritten output too. */
    if (fflush(stdout) == EOF)
        return fail("fflush");
    pid_t child = fork();
    if (child == -1)
        return fail("fork");

    /* Step 3: both processes add 1, LOOPS times: a load, an add and a store. volatile makes
     * every one of them happen; it does not make them one step. */
    for (long i = 0; i < LOOPS; i++)
        *counter = *counter + 1;
    if (child == 0)
        _exit(0); /* _exit: the parent's stdio buffers are not the child's to flush */

    /* Step 4: wait for the child, then compare. */
    int status;
    if (waitpid(child, &status, 0) == -1)
        return fail("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "the child did not finish its loop\n");
        return 1;
    }
    long got = *counter;
    printf("expected=%ld got=%ld lost=%ld\n", 2 * LOOPS, got, 2 * LOOPS - got);
    if (munmap((void *)counter, sizeof *counter) == -1)
        return fail("munmap");
    return 0;
}
/* end excerpt */
