/*
 * minimal.c - demo 10, the minimal version: a parent and a forked child play
 * ping-pong, first through two flags in shared memory (spinning), then
 * through two pipes, and the parent prints the mean round trip of each.
 * Read it first; ipc_bench.c is the same experiment, measured properly.
 *
 * Build this file on its own (from this folder):
 *   cc -std=c11 -O2 minimal.c -o 10-ipc-bench-minimal
 *
 * Example session (the numbers differ on every machine and every run):
 *   $ ./10-ipc-bench-minimal
 *   shm-spin: 200000 round trips, mean 231 ns
 *   pipe: 20000 round trips, mean 38764 ns
 *
 * Why the mean alone misleads: one round trip that waited for the scheduler
 * (milliseconds) weighs as much as ten thousand fast ones (hundreds of ns),
 * so the mean moves with whatever else the machine is doing, and it says
 * nothing of how bad the slow ones are. The full benchmark reports the
 * median (p50) and the tail (p99, max) instead.
 *
 * What ipc_bench.c adds, and why it matters:
 * - pinning to two CPUs (sched_setaffinity): else the two sides may share one
 * - a warm-up, then p50, p99 and max of batch-timed samples, not one mean
 * - the baseline: two threads bouncing one cache line, the hardware's limit
 * - six more methods (futex, sockets, TCP, message queues, eventfd) and
 *   throughput (a ring in shared memory against memcpy, pipe, socket)
 * - each flag on its own cache line, a pause instruction in the spin loop
 * - every word and byte checked; every child and IPC object gone on Ctrl+C
 */
/* excerpt: minimal */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { SPIN_TRIPS = 200000, PIPE_TRIPS = 20000 };
struct flags { /* one flag per direction, each on a 64-byte cache line of its own */
    _Alignas(64) atomic_long ping; /* written by the parent only */
    _Alignas(64) atomic_long pong; /* written by the child only */
};

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int fail(const char *call)
{
    perror(call);
    return 1;
}

/* Spin until *flag holds want; after many looks, let the other side have the CPU. */
static void wait_for(atomic_long *flag, long want)
{
    for (long looks = 0; atomic_load_explicit(flag, memory_order_acquire) != want; looks++)
        if (looks > 10000)
            sched_yield();
}

int main(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: %s (no options)\n", argv[0]);
        return 2;
    }
    /* A shared anonymous page and two pipes, made before fork: the child gets them all. */
    struct flags *f =
        mmap(NULL, sizeof *f, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int down[2], up[2], status;
    char byte = 'x';
    if (f == MAP_FAILED || pipe(down) == -1 || pipe(up) == -1 || fflush(stdout) == EOF)
        return fail("mmap or pipe");
    pid_t child = fork();
    if (child == -1)
        return fail("fork");
    if (child == 0) { /* The child answers every ping: in shared memory, then by pipe. */
        for (long i = 1; i <= SPIN_TRIPS; i++) {
            wait_for(&f->ping, i); /* acquire: pairs with the parent's release store */
            atomic_store_explicit(&f->pong, i, memory_order_release);
        }
        for (long i = 0; i < PIPE_TRIPS; i++)
            if (read(down[0], &byte, 1) != 1 || write(up[1], &byte, 1) != 1)
                _exit(fail("the child's pipe ping-pong"));
        _exit(0);
    }
    double t0 = now_ns();
    for (long i = 1; i <= SPIN_TRIPS; i++) {
        atomic_store_explicit(&f->ping, i, memory_order_release); /* publish the ping */
        wait_for(&f->pong, i);
    }
    double t1 = now_ns();
    for (long i = 0; i < PIPE_TRIPS; i++)
        if (write(down[1], &byte, 1) != 1 || read(up[0], &byte, 1) != 1)
            return fail("the pipe ping-pong");
    double t2 = now_ns();
    if (waitpid(child, &status, 0) == -1)
        return fail("waitpid");
    printf("shm-spin: %d round trips, mean %.0f ns\n", SPIN_TRIPS, (t1 - t0) / SPIN_TRIPS);
    printf("pipe: %d round trips, mean %.0f ns\n", PIPE_TRIPS, (t2 - t1) / PIPE_TRIPS);
    return status == 0 ? 0 : 1; /* a child that failed said why */
}
/* end excerpt */
