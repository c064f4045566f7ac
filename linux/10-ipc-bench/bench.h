/*
 * bench.h - what the three files of demo 10 share: the channel between the
 * two sides of a method, the table of methods, and the waiting helpers.
 *
 *   ipc_bench.c   the command line, the measuring, the table, the goals
 *   latency.c     one ping-pong per method: open, send, receive, close
 *   throughput.c  one stream per method: open, send a chunk, receive one
 *
 * A method is four small functions, so a student can read one at a time;
 * ipc_bench.c runs them all the same way.
 */
#ifndef IPC_BENCH_H
#define IPC_BENCH_H

#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The pause instruction tells the core that this is a spin-wait loop: it
 * waits a little (about 10 cycles on older Intel cores, up to 140 since
 * Skylake, says Intel's optimization manual), saves power, leaves more of
 * the core to a hyper-thread sibling, and avoids the pipeline flush (a
 * memory-order violation) that ends a loop of plain loads when the line
 * changes. A compiler extension, so inside an #if; elsewhere the loop just
 * spins. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield" ::: "memory")
#else
#define cpu_relax() ((void)0) /* portable fallback: a plain spin */
#endif

#define CACHE_LINE 64 /* bytes, on every x86-64 processor and most others */
/* The word that ends a ping-pong. Every other word is a round trip's
 * number, 1, 2, 3...: it fits the 32-bit futex word and an eventfd. */
#define STOP_WORD UINT64_C(0xffffffff)
/* How many pause instructions a waiter spins before it starts to yield the
 * CPU: far longer than an answer from another core takes, far shorter than
 * a time slice. On one CPU, or when the other side was preempted, spinning
 * on would only keep the other side from running. */
#ifndef SPIN_LIMIT
#define SPIN_LIMIT 4000
#endif

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "atomic_ullong must be lock-free to be shared");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_uint must be lock-free to be shared");

/* Set by the parent's signal handlers (ipc_bench.c); always 0 in a child,
 * which dies of a stop signal instead. */
extern volatile sig_atomic_t stop_signal; /* SIGINT, SIGTERM, SIGQUIT or SIGHUP came */
extern volatile sig_atomic_t child_ended; /* SIGCHLD came: the other side is gone */
extern volatile sig_atomic_t timed_out;   /* SIGALRM: the method took far too long */

/* Every blocking call (read, msgrcv, mq_receive, futex...) sits in a loop
 * that looks at these flags before each try, and tries again after EINTR
 * only while they are clear. The parent's handlers have no SA_RESTART, so
 * a signal cuts a blocked call short; and a flag set just after the look,
 * before the call blocks, is seen at the next tick of the parent's timer
 * (ipc_bench.c, set_ticking), whose signal cuts the call short too. */
static inline bool must_stop(void)
{
    return stop_signal || child_ended || timed_out;
}

/* excerpt: spin */
/* One turn of a wait loop: pause for the first SPIN_LIMIT turns, then give
 * the CPU away. Returns false when the run must stop. */
static inline bool spin_once(unsigned *spins)
{
    if (must_stop())
        return false;
    if (*spins < SPIN_LIMIT) {
        ++*spins;
        cpu_relax();
    } else {
        sched_yield();
    }
    return true;
}

/* Spin until *word differs from old, and return it in *now. The acquire
 * load pairs with the writer's release store: once we see its word, we see
 * everything it wrote before. Returns false when the run must stop, or
 * *quit is set (the baseline's two threads stop each other that way: the
 * helper has no signal of its own, and the parent no SIGCHLD from it). */
static inline bool spin_while_equal(atomic_ullong *word, unsigned long long old,
                                    const atomic_int *quit, unsigned long long *now)
{
    unsigned spins = 0;
    for (;;) {
        unsigned long long v = atomic_load_explicit(word, memory_order_acquire);
        if (v != old) {
            *now = v;
            return true;
        }
        if (quit != NULL && atomic_load_explicit(quit, memory_order_relaxed))
            return false;
        if (!spin_once(&spins))
            return false;
    }
}
/* end excerpt */

enum side { PARENT, CHILD };

/* What one side writes as it goes. Each side's state starts a cache line
 * of its own: in the baseline, both sides are threads of one process and
 * share one struct channel, and two counters on one line would make every
 * round trip move that line too ("false sharing"), on top of the line
 * being measured. */
struct side_state {
    alignas(CACHE_LINE) unsigned long long last; /* spinning: the last word seen or written */
    unsigned long long next;                     /* shm-ring, memcpy: chunks done */
};

/* Everything a method may need. Each method uses the fields it names. */
struct channel {
    int fd[2][2]; /* [side][0] is where that side reads, [side][1] where it writes */
    void *shared; /* a MAP_SHARED page (or ring) both sides see, or NULL */
    size_t shared_size;
    int msqid;             /* sysv-msg: the queue, or -1 */
    mqd_t mq[2];           /* posix-mq: [side] is where that side reads */
    char skip_reason[160]; /* open() returned SKIPPED: why */
    /* Throughput */
    size_t chunk;        /* bytes per chunk */
    unsigned char *copy; /* memcpy: the destination, as big as the ring */
    unsigned char *in;   /* fd methods: the receiver's buffer */
    struct side_state side[2];
    alignas(CACHE_LINE) atomic_int quit; /* baseline: one thread tells the other to stop */
};

enum open_result { OPENED, FAILED, SKIPPED };

struct latency_method {
    const char *name;
    const char *summary;                         /* for --help */
    bool threads;                                /* two threads of one process, not two processes */
    enum open_result (*open)(struct channel *c); /* in the parent, before the fork */
    bool (*send)(struct channel *c, enum side me, unsigned long long word);
    bool (*receive)(struct channel *c, enum side me, unsigned long long *word);
    void (*close)(struct channel *c); /* in the parent, when the child is gone */
};

struct throughput_method {
    const char *name;
    const char *summary;
    bool one_process; /* memcpy: no second process at all */
    enum open_result (*open)(struct channel *c);
    /* The sender (the child) hands over one chunk. */
    bool (*send)(struct channel *c, const unsigned char *data);
    /* The receiver (the parent) gets one chunk: *data points at its bytes,
     * valid until release (which may be NULL: nothing to give back). */
    bool (*receive)(struct channel *c, const unsigned char **data);
    bool (*release)(struct channel *c);
    void (*close)(struct channel *c);
};

extern const struct latency_method latency_methods[];
extern const int latency_method_count;
extern const struct throughput_method throughput_methods[];
extern const int throughput_method_count;

/* Throughput geometry, shared by every stream method so they compare; to
 * try others, build with -DCHUNK_BYTES=16384 -DRING_SLOTS=64 (say). */
#ifndef CHUNK_BYTES
#define CHUNK_BYTES (64 * 1024) /* the size of a pipe's default buffer */
#endif
#ifndef RING_SLOTS
#define RING_SLOTS 16 /* the ring and the pipe hold 1 MiB at most */
#endif

/* read and write that finish the whole count (a pipe or a stream socket may
 * move fewer bytes than asked); false after saying what failed. */
bool read_full(int fd, void *buf, size_t n, const char *what);
bool write_full(int fd, const void *buf, size_t n, const char *what);

#endif
