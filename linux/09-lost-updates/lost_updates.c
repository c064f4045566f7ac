/*
 * lost_updates.c - demo 09: lost updates you can see and measure, and four
 * ways to lose none, each with its price.
 *
 * N worker processes share one anonymous mapping and add 1 to a counter in
 * it, M times each. "plain" does it with a load and a store, and loses an
 * update whenever two workers interleave. "atomic" (C11 atomic_fetch_add),
 * "lock" (a process-shared pthread mutex), "semaphore" (a System V
 * semaphore used as a lock) and "batched" (count privately, add the total
 * once) lose none. Each method prints one line: what the counter should
 * hold, what it holds, and how many increments per second the workers
 * managed together.
 *
 * Build this file on its own (from this folder, in bash):
 *   cc -std=c11 -Wall -Wextra -Wpedantic -pthread -I../../common -o 09-lost-updates lost_updates.c ../../common/{cli,errors}.c
 *
 * Example session (numbers differ on every run and every machine):
 *   $ ./09-lost-updates --workers 2 --loops 10000000 --method plain --method atomic
 *   method=plain workers=2 loops=10000000 expected=20000000 got=17887573 lost=2112427 seconds=0.022643 ops_per_s=883271167
 *   method=atomic workers=2 loops=10000000 expected=20000000 got=20000000 lost=0 seconds=0.068189 ops_per_s=293302465
 *   $ echo $?
 *   0
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, sched_getaffinity and CPU_COUNT, PR_SET_PDEATHSIG */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "errors.h"

#define MAX_WORKERS 64
#define MAX_LOOPS 1000000000LL /* 10^9: 64 workers then expect 6.4 * 10^10, far below 2^63 */
#define DEFAULT_LOOPS 1000000LL
#define MAX_METHODS 16 /* --method given more often than this is a mistake */
#define CACHE_LINE 64  /* bytes, on every x86-64 processor */

enum method { PLAIN, ATOMIC, LOCK, SEMAPHORE, BATCHED, METHOD_COUNT };
static const char *const method_names[METHOD_COUNT] = { "plain", "atomic", "lock", "semaphore",
                                                        "batched" };

/* excerpt: layout */
/* --- Step 0: the shared layout -------------------------------------------
 * Every counter and flag starts a cache line of its own. A processor core
 * that writes a byte must first own the whole 64-byte line it is in, and
 * takes it away from every other core. Two fields on one line would make
 * workers that touch only one of them fight over the line all the same
 * ("false sharing"): the start line would slow the counters down, and one
 * method's counter another's. mmap returns a page-aligned address, so the
 * alignas offsets below are line boundaries in memory too. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "atomic_llong must be lock-free to be shared");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");

struct shared {
    /* The start line (see run_worker): workers that have arrived, workers
     * that have seen all arrive, and the parent's signal to start. */
    alignas(CACHE_LINE) atomic_int arrived;
    alignas(CACHE_LINE) atomic_int ready;
    alignas(CACHE_LINE) atomic_int go;
    /* One counter per method. */
    alignas(CACHE_LINE) volatile long long plain; /* volatile: see add_plain */
    alignas(CACHE_LINE) atomic_llong atomic;
    alignas(CACHE_LINE) pthread_mutex_t mutex; /* PTHREAD_PROCESS_SHARED */
    alignas(CACHE_LINE) long long locked;      /* touched only with mutex held */
    alignas(CACHE_LINE) long long semaphored;  /* touched only with the semaphore held */
    alignas(CACHE_LINE) atomic_llong batched;
    /* When each worker finished, in ns on CLOCK_MONOTONIC, one clock for
     * every process on the machine. Written once per worker and run. */
    struct {
        alignas(CACHE_LINE) long long ns;
    } finished[MAX_WORKERS];
};
/* end excerpt */

/* semctl's fourth argument: the caller must define it (man 2 semctl). */
union semun {
    /* cppcheck-suppress unusedStructMember ; set by { .val = 1 }, for SETVAL */
    int val;
    /* cppcheck-suppress unusedStructMember ; part of the union semctl expects */
    struct semid_ds *buf;
    /* cppcheck-suppress unusedStructMember ; part of the union semctl expects */
    unsigned short *array;
};

struct config {
    int workers;
    long long loops;
    enum method methods[MAX_METHODS];
    int method_count;
    bool csv;
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- The workers: one function per method ------------------------------- */

/* excerpt: plain */
/* Broken on purpose: a load, an add and a store. Another worker can store
 * between our load and our store, and one of the two updates is lost.
 * volatile makes the compiler do all M loads and stores; without it, it may
 * fold the loop into one addition of M (see loops.c). It does not make the
 * three steps one. */
static void add_plain(struct shared *s, long long loops)
{
    for (long long i = 0; i < loops; i++)
        s->plain = s->plain + 1;
}
/* end excerpt */

/* excerpt: atomic */
/* One indivisible read-modify-write: on x86-64, lock add. */
static void add_atomic(struct shared *s, long long loops)
{
    for (long long i = 0; i < loops; i++)
        atomic_fetch_add(&s->atomic, 1);
}
/* end excerpt */

/* excerpt: lock */
/* A plain counter, guarded by the mutex. No volatile and no atomic needed:
 * lock and unlock are in POSIX's list of functions that synchronize memory,
 * and the compiler cannot keep the counter in a register across them. The
 * pthread functions return an error number; they do not set errno. */
static int add_locked(struct shared *s, long long loops)
{
    for (long long i = 0; i < loops; i++) {
        int err = pthread_mutex_lock(&s->mutex);
        if (err != 0) {
            report_errno("pthread_mutex_lock", "method=lock", err);
            return EXIT_SYSCALL;
        }
        s->locked = s->locked + 1;
        err = pthread_mutex_unlock(&s->mutex);
        if (err != 0) {
            report_errno("pthread_mutex_unlock", "method=lock", err);
            return EXIT_SYSCALL;
        }
    }
    return EXIT_OK;
}
/* end excerpt */

/* excerpt: semaphore */
/* The semaphore starts at 1: -1 waits until it is 1 and takes it to 0
 * (lock), +1 gives it back (unlock). Two system calls per increment. The
 * compiler cannot keep the counter in a register across a call it knows
 * nothing about, and the kernel changes the value under a lock of its own,
 * which orders memory as a mutex does. No SEM_UNDO: a worker killed in
 * between leaves it at 0 for good, and the others wait for ever (the
 * parent then stops them). A worker stopped while it waits (Ctrl+Z) finds,
 * once continued, that the wait failed with EINTR, even with no signal
 * handler (man 7 signal): it waits again. */
static int add_semaphored(struct shared *s, long long loops, int semid)
{
    struct sembuf down = { .sem_num = 0, .sem_op = -1, .sem_flg = 0 };
    struct sembuf up = { .sem_num = 0, .sem_op = +1, .sem_flg = 0 };
    for (long long i = 0; i < loops; i++) {
        while (semop(semid, &down, 1) == -1) {
            if (errno == EINTR)
                continue;
            report_errno("semop(-1)", "method=semaphore", errno);
            return EXIT_SYSCALL;
        }
        s->semaphored = s->semaphored + 1;
        if (semop(semid, &up, 1) == -1) {
            report_errno("semop(+1)", "method=semaphore", errno);
            return EXIT_SYSCALL;
        }
    }
    return EXIT_OK;
}
/* end excerpt */

/* excerpt: batched */
/* Count in private memory (this process's own stack), then add the total
 * with one atomic operation. volatile only makes the comparison fair: every
 * worker really does its M increments, one load and one store each, as in
 * add_plain; only the place differs. */
static void add_batched(struct shared *s, long long loops)
{
    volatile long long mine = 0;
    for (long long i = 0; i < loops; i++)
        mine = mine + 1;
    atomic_fetch_add(&s->batched, mine);
}
/* end excerpt */

/* excerpt: worker */
/* A worker: wait at the start line, run the method, note the time. The
 * start line has two steps. While the others are still being started, a
 * worker sleeps between looks, so as not to take the CPU they need. Once
 * all have arrived, it watches go closely: the parent says go as soon as
 * every worker is ready, and they all start within microseconds. */
static int run_worker(struct shared *s, enum method m, int index, int workers, long long loops,
                      int semid)
{
    atomic_fetch_add(&s->arrived, 1);
    while (atomic_load(&s->arrived) < workers)
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL); /* 1 ms */
    atomic_fetch_add(&s->ready, 1);
    while (!atomic_load(&s->go))
        sched_yield(); /* there may be fewer CPUs than workers: let the others get ready too */
    int status = EXIT_OK;
    switch (m) {
    case PLAIN: add_plain(s, loops); break;
    case ATOMIC: add_atomic(s, loops); break;
    case LOCK: status = add_locked(s, loops); break;
    case SEMAPHORE: status = add_semaphored(s, loops, semid); break;
    case BATCHED: add_batched(s, loops); break;
    case METHOD_COUNT: break;
    }
    s->finished[index].ns = now_ns();
    return status;
}
/* end excerpt */

/* --- The parent ----------------------------------------------------------- */

/* The stop signals, plus SIGCHLD, stay blocked in the parent: it takes them
 * one at a time with sigtimedwait, so no handler can cut in anywhere, and a
 * signal that comes while it is busy waits, pending, until it looks. A
 * blocked signal is kept even when its disposition is "ignore" (a shell
 * starts background jobs with SIGINT and SIGQUIT ignored), so those stop
 * the run all the same; SIGHUP is left out when it was ignored at start,
 * so that a run under nohup survives its terminal. */
static sigset_t wait_set;
static sigset_t original_mask; /* what the workers get back */

static bool block_signals(void)
{
    struct sigaction hup;
    if (sigemptyset(&wait_set) == -1 || sigaddset(&wait_set, SIGCHLD) == -1 ||
        sigaddset(&wait_set, SIGINT) == -1 || sigaddset(&wait_set, SIGTERM) == -1 ||
        sigaddset(&wait_set, SIGQUIT) == -1 || sigaction(SIGHUP, NULL, &hup) == -1) {
        report_errno("sigaddset", "the signals to wait for", errno);
        return false;
    }
    if (hup.sa_handler != SIG_IGN && sigaddset(&wait_set, SIGHUP) == -1) {
        report_errno("sigaddset", "SIGHUP", errno);
        return false;
    }
    if (sigprocmask(SIG_BLOCK, &wait_set, &original_mask) == -1) {
        report_errno("sigprocmask", "SIG_BLOCK", errno);
        return false;
    }
    return true;
}

/* A run of one method: the workers' pids, 0 for those already reaped. */
struct run {
    pid_t pid[MAX_WORKERS];
    int alive;
    enum method method;
    int stop_signal; /* the stop signal that ended the run, or 0 */
};

static bool is_stop_signal(int sig)
{
    return sig == SIGINT || sig == SIGTERM || sig == SIGQUIT || sig == SIGHUP;
}

/* Reap every worker that has ended. Returns false, after saying why, when
 * one ended in any way other than exit status 0 once it was done. A
 * worker killed by a stop signal (Ctrl+C reaches the whole foreground
 * process group) counts as a stop, not as a failure. */
static bool reap_workers(struct run *r, int workers)
{
    bool ok = true;
    int status;
    pid_t pid;
    while (r->alive > 0 && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int i = 0;
        while (i < workers && r->pid[i] != pid)
            i++;
        if (i == workers)
            continue; /* not a worker of this run */
        r->pid[i] = 0;
        r->alive--;
        if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_OK)
            continue;
        ok = false;
        if (WIFSIGNALED(status) && is_stop_signal(WTERMSIG(status))) {
            r->stop_signal = r->stop_signal ? r->stop_signal : WTERMSIG(status);
        } else if (WIFSIGNALED(status)) {
            report_problem("worker %d of %d (pid %ld) was killed by signal %d (%s) during "
                           "method=%s: the run is void; stopping the other workers",
                           i + 1, workers, (long)pid, WTERMSIG(status), strsignal(WTERMSIG(status)),
                           method_names[r->method]);
        } else {
            report_problem("worker %d of %d (pid %ld) exited with status %d during method=%s: "
                           "the run is void; stopping the other workers",
                           i + 1, workers, (long)pid, WEXITSTATUS(status), method_names[r->method]);
        }
    }
    return ok;
}

/* Wait for the next signal, for timeout_ms at most (-1: no limit). Returns
 * false when the run must end: a stop signal, or a worker that failed. */
static bool wait_event(struct run *r, int workers, int timeout_ms)
{
    siginfo_t info;
    int sig;
    if (timeout_ms < 0) {
        sig = sigwaitinfo(&wait_set, &info);
    } else {
        struct timespec t = { 0, timeout_ms * 1000000L };
        sig = sigtimedwait(&wait_set, &info, &t);
    }
    if (sig == -1) {
        if (errno == EAGAIN || errno == EINTR)
            return true; /* the time is up, or a stopped and continued parent */
        report_errno("sigtimedwait", "the workers' signals", errno);
        return false;
    }
    if (sig == SIGCHLD)
        return reap_workers(r, workers);
    r->stop_signal = sig;
    return false;
}

/* Stop and reap every worker still running. SIGKILL, because a worker may
 * be waiting for a lock that a dead worker held: it would never get it. */
static void stop_workers(struct run *r, int workers)
{
    for (int i = 0; i < workers; i++)
        if (r->pid[i] > 0)
            kill(r->pid[i], SIGKILL);
    for (int i = 0; i < workers; i++)
        if (r->pid[i] > 0 && waitpid(r->pid[i], NULL, 0) == r->pid[i])
            r->pid[i] = 0;
    r->alive = 0;
}

/* The result of one method. */
struct result {
    long long expected, got;
    double seconds;
};

/* Fork the workers, let them go together, wait for them all. Returns
 * false when the run was stopped or failed (said why, workers gone). */
static bool run_method(struct shared *s, const struct config *cfg, struct run *r, int semid,
                       struct result *out)
{
    int n = cfg->workers;
    atomic_store(&s->arrived, 0);
    atomic_store(&s->ready, 0);
    atomic_store(&s->go, 0);
    s->plain = 0;
    atomic_store(&s->atomic, 0);
    s->locked = 0;
    s->semaphored = 0;
    atomic_store(&s->batched, 0);
    for (int i = 0; i < n; i++)
        s->finished[i].ns = 0;

    /* excerpt: start */
    /* Step 2: fork the workers. Flush first: a child would otherwise
     * inherit our unwritten output and write it a second time. */
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == -1) {
            report_errno("fork", method_names[r->method], errno);
            stop_workers(r, n);
            return false;
        }
        if (pid == 0) {
            /* The child: if the parent dies (even by SIGKILL), the kernel
             * kills us too; if it died already, getppid() has changed. */
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
                _exit(EXIT_SYSCALL);
            sigprocmask(SIG_SETMASK, &original_mask, NULL);
            /* _exit, not exit: the parent's stdio buffers and atexit work
             * are not ours to flush or run. */
            _exit(run_worker(s, r->method, i, n, cfg->loops, semid));
        }
        r->pid[i] = pid;
        r->alive++;
    }

    /* Step 3: the start line. Starting a process takes far longer than a
     * short run: without the line, the first worker could finish before
     * the last one starts, and nothing would overlap. */
    while (atomic_load(&s->ready) < n)
        if (!wait_event(r, n, 1)) {
            stop_workers(r, n);
            return false;
        }
    long long start = now_ns();
    atomic_store(&s->go, 1);
    /* end excerpt */

    /* Step 4: wait until every worker has exited. */
    while (r->alive > 0)
        if (!wait_event(r, n, -1)) {
            stop_workers(r, n);
            return false;
        }

    /* Every worker has exited: nothing writes the counters any more, and
     * waitpid is on POSIX's list of functions that synchronize memory. */
    long long last = start;
    for (int i = 0; i < n; i++)
        if (s->finished[i].ns > last)
            last = s->finished[i].ns;
    long long got = 0;
    switch (r->method) {
    case PLAIN: got = s->plain; break;
    case ATOMIC: got = atomic_load(&s->atomic); break;
    case LOCK: got = s->locked; break;
    case SEMAPHORE: got = s->semaphored; break;
    case BATCHED: got = atomic_load(&s->batched); break;
    case METHOD_COUNT: break;
    }
    out->expected = (long long)n * cfg->loops;
    out->got = got;
    out->seconds = (double)(last - start) / 1e9;
    return true;
}

/* --- Output ---------------------------------------------------------------- */
static void print_result(const struct config *cfg, enum method m, const struct result *r)
{
    double rate = (double)r->expected / (r->seconds > 1e-9 ? r->seconds : 1e-9);
    const char *format = cfg->csv ? "%s,%d,%lld,%lld,%lld,%lld,%.6f,%.0f\n"
                                  : "method=%s workers=%d loops=%lld expected=%lld got=%lld "
                                    "lost=%lld seconds=%.6f ops_per_s=%.0f\n";
    printf(format, method_names[m], cfg->workers, cfg->loops, r->expected, r->got,
           r->expected - r->got, r->seconds, rate);
    fflush(stdout);
}

/* Plain may lose nothing: say why rather than let the 0 pass for a fix. */
static void explain_plain(const struct config *cfg, const struct result *r, int cpus)
{
    long long lost = r->expected - r->got;
    if (cfg->workers == 1)
        fprintf(stderr, "note: method=plain with 1 worker: no other process can store between "
                        "its load and its store, so it loses nothing\n");
    else if (cpus == 1)
        fprintf(stderr, "note: method=plain on 1 CPU: the workers take turns, and an update is "
                        "lost only when a worker is preempted between its load and its store "
                        "(then all that the others added meanwhile is lost)\n");
    else if (lost == 0)
        fprintf(stderr, "note: method=plain lost nothing this time: the workers did not overlap "
                        "enough; try more --loops\n");
}

/* The CPUs this process may run on: its affinity mask (taskset), which is
 * what nproc counts too. */
static int usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* --- The command line ------------------------------------------------------ */
static void print_usage(FILE *to)
{
    fprintf(to,
            "usage: %s [--workers N] [--loops M] [--method METHOD]... [--csv]\n"
            "       %s --help\n",
            program_name, program_name);
}

static void print_help(void)
{
    printf("%s: N processes add 1 to one shared counter M times each; see what is lost\n\n",
           program_name);
    print_usage(stdout);
    printf("\n"
           "  --workers N       worker processes, 1 to %d (default: the CPUs this process\n"
           "                    may use, at least 2)\n"
           "  --loops M         increments per worker, 1 to 1000000000 (default %lld)\n"
           "  --method METHOD   plain, atomic, lock, semaphore or batched; give it again for\n"
           "                    more (default: all five, in that order)\n"
           "  --csv             print CSV with a header line instead of key=value lines\n"
           "  --help            print this help and exit\n"
           "\n"
           "Each method prints: method=<m> workers=<N> loops=<M> expected=<E> got=<G>\n"
           "lost=<L> seconds=<S> ops_per_s=<R>. plain loses updates on purpose; the\n"
           "others must lose none. Notes go to standard error.\n"
           "\n"
           "Exit status: 0 when every method but plain lost nothing, 1 when one lost an\n"
           "update or a call failed (a worker that dies is a failure), 2 bad command\n"
           "line. SIGINT or SIGTERM stops the workers, removes the semaphore set, then\n"
           "ends the program by the same signal (a shell shows 130 or 143).\n",
           MAX_WORKERS, DEFAULT_LOOPS);
    fflush(stdout);
}

/* Returns -1 to go on, or the exit status: 0 after --help, 2 on a mistake. */
static int parse_command_line(int argc, char **argv, struct config *cfg)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help();
            return EXIT_OK;
        }
        if (strcmp(arg, "--csv") == 0) {
            cfg->csv = true;
            continue;
        }
        /* --name VALUE or --name=VALUE */
        static const char *const names[] = { "--workers", "--loops", "--method" };
        const char *value;
        int which = cli_option_value(argc, argv, &i, names, 3, &value);
        if (which < 0 && strncmp(arg, "--", 2) == 0)
            return cli_usage_error(print_usage, "unknown option '%s'", arg);
        if (which < 0)
            return cli_usage_error(print_usage, "unexpected argument '%s'", arg);
        if (value == NULL)
            return cli_usage_error(print_usage, "option '%s' needs a value", names[which]);

        unsigned long number;
        if (which == 0) {
            if (!parse_unsigned(value, 10, MAX_WORKERS, &number) || number < 1)
                return cli_usage_error(print_usage,
                                       "--workers: '%s' is not a whole number from 1 to %d", value,
                                       MAX_WORKERS);
            cfg->workers = (int)number;
        } else if (which == 1) {
            if (!parse_unsigned(value, 10, (unsigned long)MAX_LOOPS, &number) || number < 1)
                return cli_usage_error(print_usage,
                                       "--loops: '%s' is not a whole number from 1 to %lld", value,
                                       MAX_LOOPS);
            cfg->loops = (long long)number;
        } else {
            int m = 0;
            while (m < METHOD_COUNT && strcmp(value, method_names[m]) != 0)
                m++;
            if (m == METHOD_COUNT)
                return cli_usage_error(print_usage,
                                       "--method: '%s' is not a method: plain, atomic, lock, "
                                       "semaphore or batched",
                                       value);
            if (cfg->method_count == MAX_METHODS)
                return cli_usage_error(print_usage, "--method: at most %d of them", MAX_METHODS);
            cfg->methods[cfg->method_count++] = (enum method)m;
        }
    }
    return -1;
}

/* After a stop signal: die of it, as if we had not caught it, so that the
 * shell (or whoever waits for us) learns that we were interrupted. */
static void die_of(int sig)
{
    sigset_t just;
    sigemptyset(&just);
    sigaddset(&just, sig);
    signal(sig, SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &just, NULL);
    raise(sig); /* the default action: the process ends here */
}

int main(int argc, char **argv)
{
    set_program_name(argv[0]);
    int cpus = usable_cpus();
    /* One worker per CPU, so that all can run at once; at least two, or
     * nothing could be lost. */
    struct config cfg = { .workers = cpus, .loops = DEFAULT_LOOPS };
    if (cfg.workers < 2)
        cfg.workers = 2;
    if (cfg.workers > MAX_WORKERS)
        cfg.workers = MAX_WORKERS;
    int status = parse_command_line(argc, argv, &cfg);
    if (status >= 0)
        return status;
    if (cfg.method_count == 0)
        for (int m = 0; m < METHOD_COUNT; m++)
            cfg.methods[cfg.method_count++] = (enum method)m;
    bool wants[METHOD_COUNT] = { false };
    for (int k = 0; k < cfg.method_count; k++)
        wants[cfg.methods[k]] = true;

    if (!block_signals())
        return EXIT_SYSCALL;

    /* excerpt: setup */
    /* Step 1: one anonymous shared mapping, made before fork, so that every
     * worker has the same pages. It has no name: nothing to clean up, and
     * it goes away with the last process that maps it. Zero-filled. */
    struct shared *s =
        mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        report_errno("mmap", "MAP_SHARED | MAP_ANONYMOUS", errno);
        return EXIT_SYSCALL;
    }
    /* A mutex in shared memory must say so: without PTHREAD_PROCESS_SHARED
     * it is only promised to work between threads of one process. */
    pthread_mutexattr_t attr;
    int err = 0;
    if (wants[LOCK] && ((err = pthread_mutexattr_init(&attr)) != 0 ||
                        (err = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) != 0 ||
                        (err = pthread_mutex_init(&s->mutex, &attr)) != 0)) {
        report_errno("pthread_mutex_init", "PTHREAD_PROCESS_SHARED", err);
        munmap(s, sizeof *s);
        return EXIT_SYSCALL;
    }
    if (wants[LOCK])
        pthread_mutexattr_destroy(&attr); /* the mutex keeps its own copy */
    /* One System V semaphore, value 1. IPC_PRIVATE always makes a new set
     * that no other program can find by key. Unlike the mapping, it stays
     * in the kernel until removed (IPC_RMID below, or ipcrm). */
    int semid = -1;
    if (wants[SEMAPHORE]) {
        semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
        union semun one = { .val = 1 };
        if (semid == -1 || semctl(semid, 0, SETVAL, one) == -1) {
            report_errno(semid == -1 ? "semget" : "semctl(SETVAL)", "IPC_PRIVATE", errno);
            if (semid != -1)
                semctl(semid, 0, IPC_RMID);
            if (wants[LOCK])
                pthread_mutex_destroy(&s->mutex);
            munmap(s, sizeof *s);
            return EXIT_SYSCALL;
        }
    }
    /* end excerpt */

    if (cfg.csv) {
        printf("method,workers,loops,expected,got,lost,seconds,ops_per_s\n");
        fflush(stdout);
    }
    status = EXIT_OK;
    int stop_signal = 0;
    bool completed = true; /* every run ran to its end */
    for (int k = 0; k < cfg.method_count; k++) {
        struct run run = { .method = cfg.methods[k] };
        struct result result;
        if (!run_method(s, &cfg, &run, semid, &result)) {
            completed = false;
            stop_signal = run.stop_signal;
            status = EXIT_SYSCALL;
            if (stop_signal != 0)
                report_problem("stopped by signal %d (%s) during method=%s; no worker is left "
                               "running",
                               stop_signal, strsignal(stop_signal), method_names[run.method]);
            break;
        }
        print_result(&cfg, run.method, &result);
        if (run.method == PLAIN) {
            explain_plain(&cfg, &result, cpus);
        } else if (result.got != result.expected) {
            report_problem("method=%s lost %lld updates: it must lose none",
                           method_names[run.method], result.expected - result.got);
            status = EXIT_SYSCALL;
        }
    }

    /* Step 5: clean up. The semaphore set would outlive us; the mapping and
     * the mutex in it would not, but we undo what we did all the same. */
    if (semid != -1 && semctl(semid, 0, IPC_RMID) == -1) {
        report_errno("semctl(IPC_RMID)", "the semaphore set", errno);
        status = EXIT_SYSCALL;
    }
    /* Not after a run that was cut short: a worker may have died holding the
     * mutex, and destroying a locked mutex is undefined behaviour. */
    if (wants[LOCK] && completed && (err = pthread_mutex_destroy(&s->mutex)) != 0) {
        report_errno("pthread_mutex_destroy", "method=lock", err);
        status = EXIT_SYSCALL;
    }
    if (munmap(s, sizeof *s) == -1) {
        report_errno("munmap", "the shared mapping", errno);
        status = EXIT_SYSCALL;
    }
    if (stop_signal != 0)
        die_of(stop_signal);
    return status;
}
