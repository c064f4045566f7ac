/*
 * ipc_bench.c - demo 10: how fast is shared memory really? Round-trip
 * latency and throughput of shared memory against pipes, sockets, message
 * queues and eventfd, with the hardware's own limit (two threads bouncing
 * one cache line) measured in the same run.
 *
 * Two processes (two threads for the baseline) are pinned to two CPUs with
 * sched_setaffinity. Latency: the parent sends a word, the child sends it
 * back; after a warm-up, batches of round trips are timed with
 * CLOCK_MONOTONIC, and the table gives p50, p99 and max of the batch means.
 * Throughput: the child streams 1 GiB (64 MiB with --quick) in 64 KiB
 * chunks, the parent checks every byte. The methods are in latency.c and
 * throughput.c, one at a time; this file measures, prints and cleans up.
 *
 * Build this file on its own (from this folder, in bash):
 *   cc -std=c11 -Wall -Wextra -Wpedantic -O2 -pthread -I../../common -o 10-ipc-bench ipc_bench.c latency.c throughput.c ../../common/{cli,errors}.c
 *
 * Example session (numbers differ on every machine and every run):
 *   $ ./10-ipc-bench --quick --only shm-spin,pipe 2>/dev/null
 *   Latency: round trip of one 8-byte word, parent on CPU 0, child on CPU 1
 *   (p50, p99, max of the samples; a sample is the mean of a batch of round trips;
 *   x baseline and x pipe: p50 over theirs, lower is faster)
 *   method                 p50 ns     p99 ns     max ns  x baseline      x pipe  samples  batch
 *   shm-spin                   82      12163      16179           -      0.0023      300   1000
 *   pipe                    35647     614139    1116318           -        1.00      300      7
 *   ...
 *   Goals (ratios within this run):
 *     n/a   shm-spin p50 <= 2 x baseline-threads p50   (not measured in this run)
 *     PASS  pipe p50 >= 20 x shm-spin p50              (433.34 x)
 *   ...
 *   $ echo $?
 *   0
 */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET, PR_SET_PDEATHSIG */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "errors.h"

#define MAX_BATCH 1000     /* round trips per timed batch, at most */
#define METHOD_LIMIT_S 120 /* a method that takes longer has hung: stop it */
#define TICK_MS 100        /* see set_ticking */

struct config {
    bool quick;
    bool only[2][16]; /* [latency, throughput][method]: run it */
    const char *csv;
    int cpu[2];          /* [PARENT], [CHILD] */
    int samples;         /* latency samples per method */
    long long batch_ns;  /* a batch should take about this long */
    long long warmup_ns; /* round trips before the samples count */
    long long bytes;     /* throughput: bytes per method */
};

enum kind { LATENCY, THROUGHPUT };
static const char *const kind_names[] = { "latency", "throughput" };

/* One row of the table and of the CSV. */
struct row {
    bool ran, skipped;
    char reason[160];
    double p50, p99, max; /* ns: per round trip, or per chunk */
    double gib_per_s;     /* throughput only */
    long samples;
    long batch; /* latency: round trips per sample */
};

/* --- Signals ------------------------------------------------------------- */
volatile sig_atomic_t stop_signal, child_ended, timed_out;
static volatile sig_atomic_t child_pid, child_reaped, child_status;

static void on_stop(int sig)
{
    stop_signal = sig;
}

/* The parent's clock ticks every TICK_MS while a method runs (see
 * bench.h): each tick cuts a blocking call short, and enough of them mean
 * the method has hung. */
static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
    (void)sig;
    if (++ticks >= METHOD_LIMIT_S * (1000 / TICK_MS))
        timed_out = 1;
}

static bool set_ticking(bool on)
{
    struct itimerval every = { { 0, on ? TICK_MS * 1000 : 0 }, { 0, on ? TICK_MS * 1000 : 0 } };
    ticks = 0;
    timed_out = 0;
    if (setitimer(ITIMER_REAL, &every, NULL) == -1) {
        report_errno("setitimer", "ITIMER_REAL", errno);
        return false;
    }
    return true;
}

/* Reap the child here, at once: a child that exits 0 is done (a stream's
 * sender ends while the receiver still has chunks to read), any other end
 * stops the measuring. waitpid is async-signal-safe. */
static void on_child(int sig)
{
    (void)sig;
    int saved = errno, status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        if (pid == child_pid) {
            child_status = status;
            child_reaped = 1;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != EXIT_OK)
                child_ended = 1;
        }
    errno = saved;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP };

/* No SA_RESTART: a blocking call (read, msgrcv, futex...) returns EINTR,
 * and the loop around it looks at the flags. SIGHUP is left alone when it
 * was ignored at start (nohup). A blocked SIGPIPE would kill us before any
 * cleanup: ignored, a write to a dead child's pipe fails with EPIPE. */
static bool install_handlers(void)
{
    struct sigaction sa = { .sa_flags = 0 };
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++) {
        struct sigaction old;
        if (sigaction(stop_signals[i], NULL, &old) == -1) {
            report_errno("sigaction", "a stop signal", errno);
            return false;
        }
        if (stop_signals[i] == SIGHUP && old.sa_handler == SIG_IGN)
            continue;
        sa.sa_handler = on_stop;
        if (sigaction(stop_signals[i], &sa, NULL) == -1) {
            report_errno("sigaction", "a stop signal", errno);
            return false;
        }
    }
    sa.sa_handler = on_child;
    sa.sa_flags = SA_NOCLDSTOP;
    if (sigaction(SIGCHLD, &sa, NULL) == -1 ||
        (sa.sa_handler = on_alarm, sa.sa_flags = 0, sigaction(SIGALRM, &sa, NULL) == -1)) {
        report_errno("sigaction", "SIGCHLD, SIGALRM", errno);
        return false;
    }
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        report_errno("signal", "SIGPIPE", errno);
        return false;
    }
    return true;
}

/* --- Helpers every method uses --------------------------------------------- */
bool read_full(int fd, void *buf, size_t n, const char *what)
{
    for (size_t done = 0; done < n;) {
        if (must_stop()) /* the loop every blocking call sits in: see bench.h */
            return false;
        ssize_t got = read(fd, (char *)buf + done, n - done);
        if (got > 0) {
            done += (size_t)got;
        } else if (got == 0) {
            report_problem("read(%s): the other side closed it", what);
            return false;
        } else if (errno != EINTR) {
            report_errno("read", what, errno);
            return false;
        }
    }
    return true;
}

bool write_full(int fd, const void *buf, size_t n, const char *what)
{
    for (size_t done = 0; done < n;) {
        if (must_stop())
            return false;
        ssize_t put = write(fd, (const char *)buf + done, n - done);
        if (put >= 0) {
            done += (size_t)put;
        } else if (errno != EINTR) {
            report_errno("write", what, errno);
            return false;
        }
    }
    return true;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail with this clock */
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* excerpt: pin */
/* Pin the calling thread (pid 0 means the caller: in a thread, just that
 * thread) to one CPU. Unpinned, the scheduler may put both sides on one
 * CPU, or move them mid-run, and a round trip then measures the scheduler. */
static bool pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == -1) {
        char what[32];
        snprintf(what, sizeof what, "CPU %d", cpu);
        report_errno("sched_setaffinity", what, errno);
        return false;
    }
    return true;
}
/* end excerpt */

/* --- The other side: a child process, or (baseline) a thread --------------- */
static void channel_init(struct channel *c)
{
    memset(c, 0, sizeof *c);
    c->fd[0][0] = c->fd[0][1] = c->fd[1][0] = c->fd[1][1] = -1;
    c->msqid = -1;
    c->mq[0] = c->mq[1] = (mqd_t)-1;
    c->chunk = CHUNK_BYTES;
}

/* After the fork, each process closes the other side's descriptors (those
 * that are not its own too): a pipe's reader then sees end of file when the
 * writer dies, instead of waiting for ever. */
static void close_other_side(struct channel *c, enum side me)
{
    enum side other = me == PARENT ? CHILD : PARENT;
    for (int e = 0; e < 2; e++) {
        int fd = c->fd[other][e];
        if (fd < 0 || fd == c->fd[me][0] || fd == c->fd[me][1])
            continue;
        if (close(fd) == -1)
            report_errno("close", "the other side's descriptor", errno);
        for (int f = 0; f < 2; f++)
            if (c->fd[other][f] == fd)
                c->fd[other][f] = -1;
    }
}

/* excerpt: fork */
/* Fork the other side. Returns the child's pid in the parent, 0 in the
 * child (ready to run its side), -1 after a failure (reported). */
static pid_t start_child(struct channel *c, int cpu)
{
    fflush(stdout); /* or the child would write our unwritten output again */
    fflush(stderr);
    child_ended = child_reaped = 0;
    /* SIGCHLD waits until child_pid is set: a child that ended at once
     * would otherwise be reaped by the handler as nobody's. */
    sigset_t chld, old;
    if (sigemptyset(&chld) == -1 || sigaddset(&chld, SIGCHLD) == -1 ||
        sigprocmask(SIG_BLOCK, &chld, &old) == -1) {
        report_errno("sigprocmask", "SIGCHLD", errno);
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid > 0)
        child_pid = pid;
    if (sigprocmask(SIG_SETMASK, &old, NULL) == -1) { /* in both processes */
        report_errno("sigprocmask", "SIG_SETMASK", errno);
        if (pid == 0)
            _exit(EXIT_SYSCALL);
    }
    if (pid == -1) {
        report_errno("fork", "the other side", errno);
        return -1;
    }
    if (pid == 0) {
        /* The child dies of a stop signal (Ctrl+C reaches the whole process
         * group) and, thanks to PR_SET_PDEATHSIG, with its parent, even one
         * killed by SIGKILL; if the parent died already, getppid changed. */
        bool ok = signal(SIGCHLD, SIG_DFL) != SIG_ERR;
        for (size_t i = 0; ok && i < sizeof stop_signals / sizeof stop_signals[0]; i++) {
            struct sigaction now; /* SIGHUP ignored (nohup) stays ignored */
            ok = sigaction(stop_signals[i], NULL, &now) == 0 &&
                 (now.sa_handler == SIG_IGN || signal(stop_signals[i], SIG_DFL) != SIG_ERR);
        }
        if (!ok) {
            report_errno("signal", "SIG_DFL, in the child", errno);
            _exit(EXIT_SYSCALL);
        }
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1) {
            report_errno("prctl", "PR_SET_PDEATHSIG", errno);
            _exit(EXIT_SYSCALL);
        }
        if (getppid() != parent || !pin_to(cpu))
            _exit(EXIT_SYSCALL);
        close_other_side(c, CHILD);
        return 0;
    }
    close_other_side(c, PARENT);
    return pid;
}
/* end excerpt */

/* Kill the child (if it is still there) and wait until it is reaped. */
static void stop_child(void)
{
    sigset_t chld, old;
    /* Block SIGCHLD: the handler must not reap the child under us. These
     * calls fail only for a bad signal number or set. */
    if (sigemptyset(&chld) == -1 || sigaddset(&chld, SIGCHLD) == -1 ||
        sigprocmask(SIG_BLOCK, &chld, &old) == -1)
        report_errno("sigprocmask", "SIGCHLD", errno);
    if (child_pid > 0 && !child_reaped) {
        if (kill(child_pid, SIGKILL) == -1 && errno != ESRCH) /* ESRCH: a zombie already */
            report_errno("kill", "the child", errno);
        int status;
        pid_t got;
        do /* again after EINTR: a tick of the timer */
            got = waitpid(child_pid, &status, 0);
        while (got == -1 && errno == EINTR);
        if (got == child_pid) {
            child_status = status;
            child_reaped = 1;
        }
    }
    child_pid = 0;
    if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
        report_errno("sigprocmask", "SIG_SETMASK", errno);
}

/* Wait for a child that was told to finish; false if it failed, or we were
 * stopped first. */
static bool wait_child(const char *kind, const char *method)
{
    while (!child_reaped && !stop_signal && !timed_out)
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL); /* SIGCHLD cuts it short */
    if (!child_reaped)
        return false;
    child_pid = 0;
    if (WIFEXITED(child_status) && WEXITSTATUS(child_status) == EXIT_OK)
        return true;
    if (WIFEXITED(child_status))
        report_problem("%s %s: the child exited with status %d", kind, method,
                       WEXITSTATUS(child_status));
    return false;
}

/* Why a method stopped early, when it was not a failed call (reported
 * where it happened): the child died, or the method hung. */
static void explain_stop(const char *kind, const char *method)
{
    if (stop_signal)
        return; /* main says so */
    if (child_reaped && WIFSIGNALED(child_status) && !stop_signal)
        report_problem("%s %s: the child was killed by signal %d (%s): the run is void", kind,
                       method, WTERMSIG(child_status), strsignal(WTERMSIG(child_status)));
    else if (timed_out)
        report_problem("%s %s: still not done after %d s: stopped", kind, method, METHOD_LIMIT_S);
}

/* --- Latency --------------------------------------------------------------- */
/* excerpt: serve */
/* The child's side of every ping-pong: receive a word, check that it is
 * the next one, send it back; until the stop word. */
static int serve(const struct latency_method *m, struct channel *c)
{
    unsigned long long expect = 1, word;
    for (;;) {
        if (!m->receive(c, CHILD, &word))
            return EXIT_SYSCALL;
        if (word == STOP_WORD)
            return EXIT_OK;
        if (word != expect) {
            report_problem("latency %s: the child expected word %llu and got %llu", m->name, expect,
                           word);
            return EXIT_SYSCALL;
        }
        expect++;
        if (!m->send(c, CHILD, word))
            return EXIT_SYSCALL;
    }
}
/* end excerpt */

/* The baseline's helper thread: the same side, on the other CPU. */
struct helper {
    const struct latency_method *m;
    struct channel *c;
    int cpu;
    int status;
};

static void *helper_main(void *arg)
{
    struct helper *h = arg;
    h->status = pin_to(h->cpu) ? serve(h->m, h->c) : EXIT_SYSCALL;
    if (h->status != EXIT_OK) /* or the parent would wait for an answer until the time limit */
        atomic_store(&h->c->quit, 1);
    return NULL;
}

/* excerpt: batch */
/* Time n round trips with one pair of clock readings. Timing each round
 * trip alone would add the clock's own cost (tens of ns) to every one, and
 * its resolution would blur the fastest methods: a batch spreads both over
 * n. The price: a sample is the mean of its batch, so p99 and max say how
 * bad a whole batch got, not a single round trip. */
static long long time_batch(const struct latency_method *m, struct channel *c,
                            unsigned long long *seq, long n)
{
    long long start = now_ns();
    for (long i = 0; i < n; i++) {
        unsigned long long word = ++*seq, echo;
        if (!m->send(c, PARENT, word) || !m->receive(c, PARENT, &echo))
            return -1;
        if (echo != word) {
            report_problem("latency %s: sent word %llu and got %llu back", m->name, word, echo);
            return -1;
        }
    }
    return now_ns() - start;
}
/* end excerpt */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample that at least p percent of them do
 * not exceed. */
static void percentiles(double *v, long n, struct row *row)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    long r50 = (n * 50 + 99) / 100, r99 = (n * 99 + 99) / 100;
    row->p50 = v[r50 > 0 ? r50 - 1 : 0];
    row->p99 = v[r99 > 0 ? r99 - 1 : 0];
    row->max = v[n - 1];
    row->samples = n;
}

/* excerpt: measure */
/* Warm up, then sample. The first round trips pay for page faults, cold
 * caches, a child not yet running, the branch predictor's training and a
 * CPU clocking up from idle: they are not what the method costs. The
 * warm-up, in batches of 16, also sizes the batches: as many round trips
 * as the fastest warm-up batch says fit in batch_ns, at most MAX_BATCH. */
static bool measure_latency(const struct latency_method *m, struct channel *c,
                            const struct config *cfg, double *sample, struct row *row)
{
    unsigned long long seq = 0;
    double fastest = 1e18; /* ns per round trip */
    long long start = now_ns(), t;
    do {
        if ((t = time_batch(m, c, &seq, 16)) < 0)
            return false;
        if (t / 16.0 < fastest)
            fastest = t / 16.0;
    } while (now_ns() - start < cfg->warmup_ns);
    long batch = (long)(cfg->batch_ns / (fastest > 1 ? fastest : 1));
    batch = batch < 1 ? 1 : batch > MAX_BATCH ? MAX_BATCH : batch;
    for (int i = 0; i < cfg->samples; i++) {
        if ((t = time_batch(m, c, &seq, batch)) < 0)
            return false;
        sample[i] = (double)t / (double)batch;
    }
    percentiles(sample, cfg->samples, row);
    row->batch = batch;
    return true;
}
/* end excerpt */

/* One latency method from start to end; false when it failed or was
 * stopped (the child is gone and the method's objects removed either way). */
static bool run_latency(const struct latency_method *m, const struct config *cfg, double *sample,
                        struct row *row)
{
    struct channel c;
    channel_init(&c);
    enum open_result opened = m->open(&c);
    if (opened == SKIPPED) {
        row->skipped = true;
        snprintf(row->reason, sizeof row->reason, "%s", c.skip_reason);
        return true;
    }
    if (opened == FAILED)
        return false;
    bool ok;
    if (m->threads) {
        /* The helper thread blocks every signal: they go to this thread. */
        struct helper h = { m, &c, cfg->cpu[CHILD], EXIT_OK };
        sigset_t all, old;
        pthread_t thread;
        int err = sigfillset(&all) == -1 ? errno : pthread_sigmask(SIG_SETMASK, &all, &old);
        const char *call = "pthread_sigmask";
        if (err == 0) {
            call = "pthread_create";
            err = pthread_create(&thread, NULL, helper_main, &h);
            int again = pthread_sigmask(SIG_SETMASK, &old, NULL);
            if (err == 0 && again != 0)
                report_errno("pthread_sigmask", "SIG_SETMASK", again); /* only for a bad how */
        }
        if (err != 0) {
            report_errno(call, m->name, err);
            m->close(&c);
            return false;
        }
        ok = measure_latency(m, &c, cfg, sample, row);
        if (ok)
            m->send(&c, PARENT, STOP_WORD);
        else
            atomic_store(&c.quit, 1); /* the thread has no signal of its own */
        int joined = pthread_join(thread, NULL);
        if (joined != 0) {
            report_errno("pthread_join", m->name, joined);
            ok = false;
        }
        ok = ok && h.status == EXIT_OK;
    } else {
        pid_t pid = start_child(&c, cfg->cpu[CHILD]);
        if (pid == 0)
            _exit(serve(m, &c));
        ok = pid > 0 && measure_latency(m, &c, cfg, sample, row) &&
             m->send(&c, PARENT, STOP_WORD) && wait_child(kind_names[LATENCY], m->name);
        if (!ok && pid > 0)
            explain_stop(kind_names[LATENCY], m->name);
        stop_child();
    }
    m->close(&c);
    row->ran = ok;
    return ok;
}

/* --- Throughput ------------------------------------------------------------ */
/* The bytes sent: pseudo-random, the same for every chunk but for its
 * first and last 8 bytes, which hold the chunk's number. The receiver
 * checks both: a lost, doubled or reordered chunk, or one read before the
 * sender finished writing it, shows there (a sum alone would not see two
 * chunks swapped). */
static unsigned char *source;

static void stamp(unsigned long long i)
{
    memcpy(source, &i, sizeof i);
    memcpy(source + CHUNK_BYTES - sizeof i, &i, sizeof i);
}

/* excerpt: checksum */
/* The receiver adds up every 8-byte word it got (modulo 2^64). memcpy
 * into a local is how C reads a word from a byte buffer without breaking
 * the aliasing rules; compilers turn it into one load. */
static unsigned long long checksum(const unsigned char *data, size_t n)
{
    unsigned long long sum = 0;
    for (size_t k = 0; k < n; k += 8) {
        unsigned long long w;
        memcpy(&w, data + k, sizeof w);
        sum += w;
    }
    return sum;
}
/* end excerpt */

static bool make_source(void)
{
    source = aligned_alloc(CACHE_LINE, CHUNK_BYTES);
    if (source == NULL) {
        report_errno("aligned_alloc", "the chunk to send", errno);
        return false;
    }
    unsigned long long x = 0x9e3779b97f4a7c15ULL; /* xorshift64: any fixed non-zero seed */
    for (size_t k = 0; k < CHUNK_BYTES; k += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(source + k, &x, sizeof x);
    }
    return true;
}

/* excerpt: stream */
/* The parent's side: receive every chunk, check its number, add it up,
 * time each one. The clock starts after the warm-up chunks. */
static bool receive_stream(const struct throughput_method *m, struct channel *c,
                           unsigned long long chunks, unsigned long long warm, double *per_chunk,
                           struct row *row)
{
    unsigned long long sum = 0;
    long long start = 0;
    for (unsigned long long i = 0; i < chunks; i++) {
        long long t0 = now_ns();
        if (i == warm)
            start = t0;
        const unsigned char *data;
        if (m->one_process) { /* memcpy: we are the sender too */
            stamp(i);
            if (!m->send(c, source))
                return false;
        }
        if (!m->receive(c, &data))
            return false;
        unsigned long long first, last;
        memcpy(&first, data, sizeof first);
        memcpy(&last, data + c->chunk - sizeof last, sizeof last);
        if (first != i || last != i) {
            report_problem("throughput %s: chunk %llu arrived marked %llu ... %llu", m->name, i,
                           first, last);
            return false;
        }
        sum += checksum(data, c->chunk);
        if (m->release != NULL && !m->release(c))
            return false;
        if (i >= warm)
            per_chunk[i - warm] = (double)(now_ns() - t0);
    }
    double seconds = (double)(now_ns() - start) / 1e9;
    /* What the sum must be: every chunk's words but the first and the
     * last, plus twice the chunk numbers 0 + 1 + ... + (chunks - 1). */
    unsigned long long expected = chunks * (checksum(source, c->chunk) - checksum(source, 8) -
                                            checksum(source + c->chunk - 8, 8)) +
                                  chunks * (chunks - 1);
    if (sum != expected) {
        report_problem("throughput %s: the bytes received are not the bytes sent (sum %llx, "
                       "expected %llx)",
                       m->name, sum, expected);
        return false;
    }
    percentiles(per_chunk, (long)(chunks - warm), row);
    row->gib_per_s = (double)(chunks - warm) * (double)c->chunk / seconds / (1024.0 * 1024 * 1024);
    return true;
}
/* end excerpt */

static bool run_throughput(const struct throughput_method *m, const struct config *cfg,
                           double *per_chunk, struct row *row)
{
    unsigned long long chunks = (unsigned long long)cfg->bytes / CHUNK_BYTES;
    unsigned long long warm = chunks / 16; /* 4 MiB of 64, 64 MiB of 1 GiB */
    struct channel c;
    channel_init(&c);
    enum open_result opened = m->open(&c);
    if (opened == SKIPPED) {
        row->skipped = true;
        snprintf(row->reason, sizeof row->reason, "%s", c.skip_reason);
        return true;
    }
    if (opened == FAILED)
        return false;
    bool ok;
    if (m->one_process) {
        ok = receive_stream(m, &c, chunks, warm, per_chunk, row);
    } else {
        pid_t pid = start_child(&c, cfg->cpu[CHILD]);
        if (pid == 0) {
            /* The child's side: send every chunk, then go. */
            for (unsigned long long i = 0; i < chunks; i++) {
                stamp(i);
                if (!m->send(&c, source))
                    _exit(EXIT_SYSCALL);
            }
            _exit(EXIT_OK);
        }
        ok = pid > 0 && receive_stream(m, &c, chunks, warm, per_chunk, row) &&
             wait_child(kind_names[THROUGHPUT], m->name);
        if (!ok && pid > 0)
            explain_stop(kind_names[THROUGHPUT], m->name);
        stop_child();
    }
    m->close(&c);
    row->ran = ok;
    return ok;
}

/* --- Output ---------------------------------------------------------------- */
static int find(enum kind k, const char *name)
{
    int n = k == LATENCY ? latency_method_count : throughput_method_count;
    for (int i = 0; i < n; i++)
        if (strcmp(name, k == LATENCY ? latency_methods[i].name : throughput_methods[i].name) == 0)
            return i;
    return -1;
}

static const char *method_name(enum kind k, int i)
{
    return k == LATENCY ? latency_methods[i].name : throughput_methods[i].name;
}

/* The value a ratio is taken of: p50 for latency, GiB/s for throughput. */
static double figure(enum kind k, const struct row *r)
{
    return k == LATENCY ? r->p50 : r->gib_per_s;
}

static const struct row *measured(struct row rows[2][16], enum kind k, const char *name)
{
    int i = find(k, name);
    return i >= 0 && rows[k][i].ran ? &rows[k][i] : NULL;
}

static void print_ratio(const struct row *r, const struct row *ref, enum kind k)
{
    if (ref == NULL) {
        printf("  %10s", "-");
        return;
    }
    double x = figure(k, r) / figure(k, ref);
    printf(x >= 100 ? "  %10.0f" : x >= 10 ? "  %10.1f" : x >= 0.1 ? "  %10.2f" : "  %10.2g", x);
}

static void print_table(const struct config *cfg, struct row rows[2][16])
{
    const char *baseline[2] = { "baseline-threads", "memcpy" };
    bool printed = false; /* a group before this one: a blank line between */
    for (int k = LATENCY; k <= THROUGHPUT; k++) {
        bool any = false;
        int n = k == LATENCY ? latency_method_count : throughput_method_count;
        for (int i = 0; i < n; i++)
            any = any || cfg->only[k][i];
        if (!any)
            continue;
        if (k == LATENCY)
            printed = true;
        const struct row *base = measured(rows, (enum kind)k, baseline[k]);
        const struct row *pipe = measured(rows, (enum kind)k, "pipe");
        if (k == LATENCY) {
            printf("Latency: round trip of one 8-byte word, parent on CPU %d, child on CPU %d\n"
                   "(p50, p99, max of the samples; a sample is the mean of a batch of round "
                   "trips;\nx baseline and x pipe: p50 over theirs, lower is faster)\n",
                   cfg->cpu[PARENT], cfg->cpu[CHILD]);
            printf("%-18s %10s %10s %10s  %10s  %10s %8s %6s\n", "method", "p50 ns", "p99 ns",
                   "max ns", "x baseline", "x pipe", "samples", "batch");
        } else {
            printf("%sThroughput: %lld MiB in %d KiB chunks, child on CPU %d to parent on CPU "
                   "%d, every byte checked\n(baseline: memcpy in one process; x baseline and x "
                   "pipe: GiB/s over theirs, higher is faster)\n",
                   printed ? "\n" : "", cfg->bytes >> 20, CHUNK_BYTES >> 10, cfg->cpu[CHILD],
                   cfg->cpu[PARENT]);
            printf("%-18s %10s %12s %10s %10s  %10s  %10s %8s\n", "method", "GiB/s", "chunk p50 us",
                   "p99 us", "max us", "x baseline", "x pipe", "chunks");
        }
        for (int i = 0; i < n; i++) {
            const struct row *r = &rows[k][i];
            if (!cfg->only[k][i])
                continue;
            printf("%-18s", method_name((enum kind)k, i));
            if (r->skipped) {
                printf(" skipped: %s\n", r->reason);
                continue;
            }
            if (k == LATENCY)
                printf(" %10.0f %10.0f %10.0f", r->p50, r->p99, r->max);
            else
                printf(" %10.2f %12.1f %10.1f %10.1f", r->gib_per_s, r->p50 / 1000, r->p99 / 1000,
                       r->max / 1000);
            print_ratio(r, base, (enum kind)k);
            print_ratio(r, pipe, (enum kind)k);
            printf(" %8ld", r->samples);
            if (k == LATENCY)
                printf(" %6ld", r->batch);
            putchar('\n');
        }
    }
}

/* excerpt: goals */
/* The targets this benchmark checks, as ratios within this run: PASS, MISS, or n/a when
 * --only left a method out. */
static void print_goals(struct row rows[2][16])
{
    const struct row *base = measured(rows, LATENCY, "baseline-threads");
    const struct row *spin = measured(rows, LATENCY, "shm-spin");
    const struct row *pipe = measured(rows, LATENCY, "pipe");
    const struct row *copy = measured(rows, THROUGHPUT, "memcpy");
    const struct row *ring = measured(rows, THROUGHPUT, "shm-ring");
    const struct row *tpipe = measured(rows, THROUGHPUT, "pipe");
    struct {
        const char *text;
        bool known;
        double value, target;
        bool at_most;
    } goal[] = {
        { "shm-spin p50 <= 2 x baseline-threads p50", base && spin,
          base && spin ? spin->p50 / base->p50 : 0, 2, true },
        { "pipe p50 >= 20 x shm-spin p50", pipe && spin, pipe && spin ? pipe->p50 / spin->p50 : 0,
          20, false },
        { "shm-ring >= 0.5 x memcpy GiB/s", ring && copy,
          ring && copy ? ring->gib_per_s / copy->gib_per_s : 0, 0.5, false },
        { "shm-ring >= 3 x pipe GiB/s", ring && tpipe,
          ring && tpipe ? ring->gib_per_s / tpipe->gib_per_s : 0, 3, false },
    };
    printf("\nGoals (ratios within this run):\n");
    for (size_t g = 0; g < sizeof goal / sizeof goal[0]; g++) {
        if (!goal[g].known) {
            printf("  n/a   %-42s (not measured in this run)\n", goal[g].text);
            continue;
        }
        bool pass =
            goal[g].at_most ? goal[g].value <= goal[g].target : goal[g].value >= goal[g].target;
        printf("  %-5s %-42s (%.2f x)\n", pass ? "PASS" : "MISS", goal[g].text, goal[g].value);
    }
}
/* end excerpt */

/* kind,method,p50_ns,p99_ns,max_ns,gib_per_s,samples,cpus: one row per
 * method. A skipped method has its row, with the numbers empty and 0
 * samples; latency rows leave gib_per_s empty. cpus is PARENT+CHILD
 * (memcpy: the one CPU it ran on). */
static bool write_csv(FILE *f, const struct config *cfg, struct row rows[2][16])
{
    fprintf(f, "kind,method,p50_ns,p99_ns,max_ns,gib_per_s,samples,cpus\n");
    for (int k = LATENCY; k <= THROUGHPUT; k++) {
        int n = k == LATENCY ? latency_method_count : throughput_method_count;
        for (int i = 0; i < n; i++) {
            const struct row *r = &rows[k][i];
            if (!cfg->only[k][i])
                continue;
            char cpus[32];
            if (k == THROUGHPUT && throughput_methods[i].one_process)
                snprintf(cpus, sizeof cpus, "%d", cfg->cpu[PARENT]);
            else
                snprintf(cpus, sizeof cpus, "%d+%d", cfg->cpu[PARENT], cfg->cpu[CHILD]);
            fprintf(f, "%s,%s,", kind_names[k], method_name((enum kind)k, i));
            if (r->skipped)
                fprintf(f, ",,,,0,%s\n", cpus);
            else if (k == LATENCY)
                fprintf(f, "%.0f,%.0f,%.0f,,%ld,%s\n", r->p50 < 1 ? 1 : r->p50, r->p99, r->max,
                        r->samples, cpus);
            else
                fprintf(f, "%.0f,%.0f,%.0f,%.3f,%ld,%s\n", r->p50, r->p99, r->max, r->gib_per_s,
                        r->samples, cpus);
        }
    }
    return fflush(f) == 0 && !ferror(f);
}

/* After a failed run: close the CSV, and remove it if this run made it. */
static void drop_csv(FILE *f, const char *path, bool created)
{
    if (f == NULL)
        return;
    fclose(f);
    if (created && unlink(path) == -1)
        report_errno("unlink", path, errno);
}

/* --- The command line ------------------------------------------------------ */
static void print_usage(FILE *to)
{
    fprintf(to,
            "usage: %s [--quick] [--only NAME[,NAME...]] [--csv FILE] [--cpus A,B]\n"
            "       %s --help\n",
            program_name, program_name);
}

static void print_help(void)
{
    printf("%s: round-trip latency and throughput of shared memory and other IPC,\n"
           "against the hardware's own limit, measured in the same run\n\n",
           program_name);
    print_usage(stdout);
    printf("\n"
           "  --quick        300 samples per latency method, 64 MiB per stream (under 15 s)\n"
           "                 instead of 2000 samples and 1 GiB\n"
           "  --only NAMES   run only these methods (a comma-separated list; pipe and\n"
           "                 unix-socket name a latency and a throughput method each)\n"
           "  --csv FILE     also write the results to FILE as CSV: kind,method,p50_ns,\n"
           "                 p99_ns,max_ns,gib_per_s,samples,cpus\n"
           "  --cpus A,B     the parent on CPU A, the child (or helper thread) on CPU B\n"
           "                 (default: the first two CPUs this process may use)\n"
           "  --help         print this help and exit\n\nLatency methods:\n");
    for (int i = 0; i < latency_method_count; i++)
        printf("  %-16s %s\n", latency_methods[i].name, latency_methods[i].summary);
    printf("Throughput methods:\n");
    for (int i = 0; i < throughput_method_count; i++)
        printf("  %-16s %s\n", throughput_methods[i].name, throughput_methods[i].summary);
    printf("\n"
           "The table goes to standard output, progress and notes to standard error.\n"
           "Exit status: 0 done (a MISSed goal is a finding, not an error), 1 a call\n"
           "failed or a method failed its checks, 2 bad command line. Ctrl+C or SIGTERM\n"
           "stops the children, removes every IPC object, then ends the program by the\n"
           "same signal (a shell shows 130 or 143).\n");
    fflush(stdout);
}

/* "0-3,6" for the CPUs in the set. */
static void describe_cpus(const cpu_set_t *set, char *out, size_t size)
{
    out[0] = '\0';
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, set) || (c > 0 && CPU_ISSET(c - 1, set)))
            continue;
        int last = c;
        while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
            last++;
        size_t used = strlen(out);
        snprintf(out + used, size - used, last > c ? "%s%d-%d" : "%s%d", used ? "," : "", c, last);
    }
}

static int parse_only(const char *value, struct config *cfg)
{
    for (const char *p = value;; p++) {
        /* One name, up to the next comma; an empty name is a mistake. */
        char name[64];
        size_t len = strcspn(p, ",");
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        int l = find(LATENCY, name), t = find(THROUGHPUT, name);
        if (l < 0 && t < 0)
            return cli_usage_error(print_usage,
                                   "--only: '%s' is not a method: baseline-threads, shm-spin, "
                                   "shm-futex, pipe, unix-socket, tcp-loopback, sysv-msg, "
                                   "posix-mq, eventfd, memcpy or shm-ring",
                                   name);
        if (l >= 0)
            cfg->only[LATENCY][l] = true;
        if (t >= 0)
            cfg->only[THROUGHPUT][t] = true;
        p += len;
        if (*p == '\0')
            return -1;
    }
}

static int parse_cpus(const char *value, const cpu_set_t *allowed, struct config *cfg)
{
    char text[64];
    unsigned long a, b;
    const char *comma = strchr(value, ',');
    if (comma == NULL || comma - value >= (long)sizeof text)
        return cli_usage_error(print_usage, "--cpus: '%s' is not two CPU numbers A,B", value);
    memcpy(text, value, (size_t)(comma - value));
    text[comma - value] = '\0';
    if (!parse_unsigned(text, 10, CPU_SETSIZE - 1, &a) ||
        !parse_unsigned(comma + 1, 10, CPU_SETSIZE - 1, &b))
        return cli_usage_error(print_usage, "--cpus: '%s' is not two CPU numbers A,B", value);
    char may[256];
    describe_cpus(allowed, may, sizeof may);
    for (unsigned long cpu = a;; cpu = b) {
        if (!CPU_ISSET((int)cpu, allowed))
            return cli_usage_error(print_usage,
                                   "--cpus: CPU %lu is not one this process may use (allowed: %s)",
                                   cpu, may);
        if (cpu == b)
            break;
    }
    cfg->cpu[PARENT] = (int)a;
    cfg->cpu[CHILD] = (int)b;
    return -1;
}

/* Returns -1 to go on, or the exit status: 0 after --help, 2 on a mistake. */
static int parse_command_line(int argc, char **argv, const cpu_set_t *allowed, struct config *cfg)
{
    bool only = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help();
            return EXIT_OK;
        }
        if (strcmp(arg, "--quick") == 0) {
            cfg->quick = true;
            continue;
        }
        /* --name VALUE or --name=VALUE */
        static const char *const names[] = { "--only", "--csv", "--cpus" };
        const char *value;
        int which = cli_option_value(argc, argv, &i, names, 3, &value);
        if (which < 0 && strncmp(arg, "-", 1) == 0)
            return cli_usage_error(print_usage, "unknown option '%s'", arg);
        if (which < 0)
            return cli_usage_error(print_usage, "unexpected argument '%s'", arg);
        if (value == NULL)
            return cli_usage_error(print_usage, "option '%s' needs a value", names[which]);
        int status = -1;
        if (which == 0) {
            only = true;
            status = parse_only(value, cfg);
        } else if (which == 1) {
            if (value[0] == '\0')
                return cli_usage_error(print_usage, "--csv: the file name is empty");
            cfg->csv = value;
        } else {
            status = parse_cpus(value, allowed, cfg);
        }
        if (status >= 0)
            return status;
    }
    if (!only)
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < 16; i++)
                cfg->only[k][i] = true;
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

/* Progress on standard error: one line per method; on a terminal, one
 * line that changes. */
static void progress(int done, int total, const char *kind, const char *method)
{
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\r%s: %d/%d %s %s\033[K", program_name, done, total, kind, method);
    else
        fprintf(stderr, "%s: %d/%d %s %s\n", program_name, done, total, kind, method);
    fflush(stderr);
}

int main(int argc, char **argv)
{
    set_program_name(argv[0]);
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == -1) {
        report_errno("sched_getaffinity", "this process", errno);
        return EXIT_SYSCALL;
    }
    /* Default: the first two CPUs we may use; one CPU for both if that is
     * all there is. */
    struct config cfg = { .cpu = { -1, -1 } };
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed)) {
            if (cfg.cpu[PARENT] < 0)
                cfg.cpu[PARENT] = c;
            else if (cfg.cpu[CHILD] < 0)
                cfg.cpu[CHILD] = c;
        }
    if (cfg.cpu[CHILD] < 0)
        cfg.cpu[CHILD] = cfg.cpu[PARENT];
    int status = parse_command_line(argc, argv, &allowed, &cfg);
    if (status >= 0)
        return status;
    cfg.samples = cfg.quick ? 300 : 2000;
    cfg.batch_ns = cfg.quick ? 200000 : 1000000;      /* 0.2 ms, 1 ms */
    cfg.warmup_ns = cfg.quick ? 20000000 : 200000000; /* 20 ms, 200 ms */
    cfg.bytes = cfg.quick ? 64LL << 20 : 1LL << 30;

    if (cfg.cpu[PARENT] == cfg.cpu[CHILD])
        fprintf(stderr,
                "note: both sides on CPU %d%s; the figures show scheduler round trips (a "
                "spinning side yields the CPU after %d pauses)\n",
                cfg.cpu[PARENT],
                CPU_COUNT(&allowed) == 1
                    ? ": pinning across two CPUs is impossible (this process may use one CPU)"
                    : ", as --cpus asks",
                SPIN_LIMIT);

    /* The CSV is opened now, so that a bad path fails before the run, but
     * in append mode: an older file is emptied only when the results are
     * there to replace it. After a failed run, only a file that this run
     * created is removed (never an older file, nor /dev/null). */
    FILE *csv = NULL;
    bool csv_created = cfg.csv != NULL && access(cfg.csv, F_OK) == -1;
    if (cfg.csv != NULL && (csv = fopen(cfg.csv, "a")) == NULL) {
        report_errno("fopen", cfg.csv, errno);
        return EXIT_SYSCALL;
    }
    double *sample = malloc(sizeof(double) * (size_t)(cfg.bytes / CHUNK_BYTES + cfg.samples));
    if (!install_handlers() || !pin_to(cfg.cpu[PARENT]) || !make_source() || sample == NULL) {
        if (sample == NULL)
            report_errno("malloc", "the samples", errno);
        drop_csv(csv, cfg.csv, csv_created);
        return EXIT_SYSCALL;
    }

    struct row rows[2][16];
    memset(rows, 0, sizeof rows);
    int total = 0, done = 0;
    for (int i = 0; i < latency_method_count; i++)
        total += cfg.only[LATENCY][i];
    for (int i = 0; i < throughput_method_count; i++)
        total += cfg.only[THROUGHPUT][i];
    bool ok = true;
    const char *failed_kind = NULL, *failed = NULL;
    for (int k = LATENCY; ok && k <= THROUGHPUT; k++) {
        int n = k == LATENCY ? latency_method_count : throughput_method_count;
        for (int i = 0; ok && i < n; i++) {
            if (!cfg.only[k][i])
                continue;
            progress(++done, total, kind_names[k], method_name((enum kind)k, i));
            ok = set_ticking(true) &&
                 (k == LATENCY ? run_latency(&latency_methods[i], &cfg, sample, &rows[k][i])
                               : run_throughput(&throughput_methods[i], &cfg, sample, &rows[k][i]));
            ok = set_ticking(false) && ok && !stop_signal;
            failed_kind = kind_names[k];
            failed = method_name((enum kind)k, i);
        }
    }
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\r\033[K");
    free(sample);
    free(source);
    if (!ok) {
        drop_csv(csv, cfg.csv, csv_created); /* no half-written results */
        if (stop_signal) {
            int sig = stop_signal;
            report_problem("stopped by signal %d (%s) during %s %s; no child is left running and "
                           "no IPC object is left behind",
                           sig, strsignal(sig), failed_kind, failed);
            die_of(sig);
        }
        return EXIT_SYSCALL;
    }
    print_table(&cfg, rows);
    print_goals(rows);
    fflush(stdout);
    if (csv != NULL) {
        struct stat st; /* a regular file: empty it first (a pipe or a device cannot be) */
        const char *call = "fstat";
        if (fstat(fileno(csv), &st) == -1 ||
            (call = "ftruncate", S_ISREG(st.st_mode) && ftruncate(fileno(csv), 0) == -1)) {
            report_errno(call, cfg.csv, errno);
            fclose(csv);
            return EXIT_SYSCALL;
        }
        bool written = write_csv(csv, &cfg, rows);
        if (fclose(csv) != 0 || !written) {
            report_errno("fclose", cfg.csv, errno);
            return EXIT_SYSCALL;
        }
    }
    return EXIT_OK;
}
