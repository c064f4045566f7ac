/*
 * latency.c - demo 10's ping-pong methods, one after the other. Each is four
 * functions: open (in the parent, before the fork: make the channel), send
 * and receive (one word, from either side), close (in the parent, once the
 * child is gone: remove what open made). ipc_bench.c times the round trips.
 *
 * The word is the round trip's number, so each side checks that it got the
 * word it expected: a method that lost, doubled or reordered a message
 * would fail, not just look fast.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, syscall, SYS_futex */

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "errors.h"

/* An anonymous MAP_SHARED mapping, made before fork: parent and child see
 * the same pages. It has no name, so nothing is left behind, whatever
 * happens: it goes with the last process that maps it. Zero-filled. */
static bool map_shared(struct channel *c, size_t size, const char *what)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        report_errno("mmap", what, errno);
        return false;
    }
    c->shared = p;
    c->shared_size = size;
    return true;
}

static void unmap_shared(struct channel *c)
{
    if (c->shared != NULL && munmap(c->shared, c->shared_size) == -1)
        report_errno("munmap", "the shared page", errno);
    c->shared = NULL;
}

/* --- baseline-threads: one cache line, bounced between two threads ------ */
/* excerpt: baseline */
/* The hardware's limit for any shared-memory IPC: two threads of one
 * process, on two CPUs, take turns writing ONE word. Each store must take
 * the line away from the other core; each load must fetch it back. The
 * parent writes even numbers (2w), the helper odd ones (2w + 1): each side
 * waits until the word is no longer what it last wrote. */
struct bounce {
    alignas(CACHE_LINE) atomic_ullong word;
};

static bool baseline_send(struct channel *c, enum side me, unsigned long long word)
{
    struct bounce *b = c->shared;
    c->side[me].last = 2 * word + (me == CHILD);
    atomic_store_explicit(&b->word, c->side[me].last, memory_order_release);
    return true;
}

static bool baseline_receive(struct channel *c, enum side me, unsigned long long *word)
{
    struct bounce *b = c->shared;
    unsigned long long v;
    if (!spin_while_equal(&b->word, c->side[me].last, &c->quit, &v))
        return false;
    *word = v / 2;
    return true;
}
/* end excerpt */

static enum open_result baseline_open(struct channel *c)
{
    return map_shared(c, sizeof(struct bounce), "baseline-threads") ? OPENED : FAILED;
}

/* --- shm-spin: two flags in a shared page, each on its own line --------- */
/* excerpt: shm-spin */
/* Two processes, one MAP_SHARED page. ping is written by the parent only,
 * pong by the child only, and each starts a 64-byte line of its own: on
 * one line, every store by one side would also take away the line that the
 * other side is spinning on ("false sharing"). The release store publishes
 * the word; the reader's acquire load (in spin_while_equal) sees it. The
 * waiter burns its CPU the whole time: that is the price of this speed. */
struct spin_flags {
    alignas(CACHE_LINE) atomic_ullong ping; /* parent -> child */
    alignas(CACHE_LINE) atomic_ullong pong; /* child -> parent */
};

static bool spin_send(struct channel *c, enum side me, unsigned long long word)
{
    struct spin_flags *f = c->shared;
    atomic_store_explicit(me == PARENT ? &f->ping : &f->pong, word, memory_order_release);
    return true;
}

static bool spin_receive(struct channel *c, enum side me, unsigned long long *word)
{
    struct spin_flags *f = c->shared;
    if (!spin_while_equal(me == PARENT ? &f->pong : &f->ping, c->side[me].last, NULL, word))
        return false;
    c->side[me].last = *word;
    return true;
}
/* end excerpt */

static enum open_result spin_open(struct channel *c)
{
    return map_shared(c, sizeof(struct spin_flags), "shm-spin") ? OPENED : FAILED;
}

/* --- shm-futex: the same flags, but the waiter sleeps in the kernel ----- */
/* excerpt: shm-futex */
/* A futex is a 32-bit word in memory that the kernel can sleep on.
 * FUTEX_WAIT sleeps only if the word still holds the value we saw (checked
 * by the kernel, atomically), so a wake that comes between our load and
 * our sleep is never lost. No FUTEX_PRIVATE_FLAG: the word is shared
 * between processes. glibc has no wrapper: syscall(SYS_futex, ...). */
struct futex_flags {
    alignas(CACHE_LINE) atomic_uint ping; /* parent -> child */
    alignas(CACHE_LINE) atomic_uint pong; /* child -> parent */
};
_Static_assert(sizeof(atomic_uint) == 4, "a futex is a 32-bit word");

static long futex(atomic_uint *word, int op, unsigned value)
{
    return syscall(SYS_futex, (unsigned *)word, op, value, NULL, NULL, 0);
}

static bool futex_send(struct channel *c, enum side me, unsigned long long word)
{
    struct futex_flags *f = c->shared;
    atomic_uint *out = me == PARENT ? &f->ping : &f->pong;
    atomic_store_explicit(out, (unsigned)word, memory_order_release);
    if (futex(out, FUTEX_WAKE, 1) == -1) { /* one system call per message, always */
        report_errno("futex", "FUTEX_WAKE", errno);
        return false;
    }
    return true;
}

static bool futex_receive(struct channel *c, enum side me, unsigned long long *word)
{
    struct futex_flags *f = c->shared;
    atomic_uint *in = me == PARENT ? &f->pong : &f->ping;
    unsigned old = (unsigned)c->side[me].last, v;
    while ((v = atomic_load_explicit(in, memory_order_acquire)) == old) {
        if (must_stop())
            return false;
        /* EAGAIN: the word changed before we slept; EINTR: a signal. */
        if (futex(in, FUTEX_WAIT, old) == -1 && errno != EAGAIN && errno != EINTR) {
            report_errno("futex", "FUTEX_WAIT", errno);
            return false;
        }
    }
    c->side[me].last = *word = v;
    return true;
}
/* end excerpt */

static enum open_result futex_open(struct channel *c)
{
    return map_shared(c, sizeof(struct futex_flags), "shm-futex") ? OPENED : FAILED;
}

static void shared_close(struct channel *c)
{
    unmap_shared(c);
}

/* --- the file-descriptor methods: pipe, unix-socket, tcp-loopback, ------ */
/* --- eventfd. Eight bytes written, eight bytes read. -------------------- */
static bool fd_send(struct channel *c, enum side me, unsigned long long word)
{
    return write_full(c->fd[me][1], &word, sizeof word, "the ping-pong");
}

static bool fd_receive(struct channel *c, enum side me, unsigned long long *word)
{
    return read_full(c->fd[me][0], word, sizeof *word, "the ping-pong");
}

/* Close every descriptor once (a socket is both ends of its side). */
static void fd_close(struct channel *c)
{
    for (int s = 0; s < 2; s++)
        for (int e = 0; e < 2; e++) {
            int fd = c->fd[s][e];
            if (fd < 0)
                continue;
            for (int t = 0; t < 2; t++)
                for (int f = 0; f < 2; f++)
                    if (c->fd[t][f] == fd)
                        c->fd[t][f] = -1;
            if (close(fd) == -1)
                report_errno("close", "a descriptor of the ping-pong", errno);
        }
}

/* excerpt: pipe */
/* Two pipes, one each way: a pipe carries bytes in one direction only. The
 * kernel copies the word into the pipe and out again, and wakes the
 * reader: two system calls and a context switch per message. */
static enum open_result pipe_open(struct channel *c)
{
    int to_child[2], to_parent[2];
    if (pipe(to_child) == -1) {
        report_errno("pipe", "parent to child", errno);
        return FAILED;
    }
    if (pipe(to_parent) == -1) {
        report_errno("pipe", "child to parent", errno);
        close(to_child[0]);
        close(to_child[1]);
        return FAILED;
    }
    c->fd[PARENT][0] = to_parent[0];
    c->fd[PARENT][1] = to_child[1];
    c->fd[CHILD][0] = to_child[0];
    c->fd[CHILD][1] = to_parent[1];
    return OPENED;
}
/* end excerpt */

/* A connected pair of stream sockets, both ways through one descriptor. */
static enum open_result unix_open(struct channel *c)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
        report_errno("socketpair", "AF_UNIX, SOCK_STREAM", errno);
        return FAILED;
    }
    c->fd[PARENT][0] = c->fd[PARENT][1] = sv[0];
    c->fd[CHILD][0] = c->fd[CHILD][1] = sv[1];
    return OPENED;
}

/* excerpt: tcp */
/* A TCP connection to ourselves on 127.0.0.1: listen on a port the kernel
 * picks, connect, accept. The kernel completes the handshake for a
 * listening socket by itself, so connect returns before accept is called.
 * TCP_NODELAY on both ends, as latency-minded programs set it: Nagle's
 * algorithm holds back a small write while earlier data is unacknowledged,
 * and the other side delays its acknowledgement, so a message sent in two
 * writes (a header, then a body) can wait for the delayed-ACK timer (tens
 * of milliseconds). This ping-pong sends one write per turn and the answer
 * carries the acknowledgement, so Nagle never holds it back here: take the
 * option away and the figures do not change. */
static enum open_result tcp_open(struct channel *c)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int one = 1, client = -1, server = -1;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    const char *call = "socket";
    if (listener == -1)
        goto fail;
    call = "bind";
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) == -1)
        goto fail;
    call = "listen";
    if (listen(listener, 1) == -1)
        goto fail;
    call = "getsockname";
    if (getsockname(listener, (struct sockaddr *)&addr, &len) == -1)
        goto fail;
    call = "socket";
    if ((client = socket(AF_INET, SOCK_STREAM, 0)) == -1)
        goto fail;
    /* A tick of the parent's timer may cut connect short (EINTR): the
     * handshake goes on by itself, and connect again says EALREADY until it
     * is done, then EISCONN. */
    call = "connect";
    while (connect(client, (struct sockaddr *)&addr, sizeof addr) == -1 && errno != EISCONN)
        if (errno != EINTR && errno != EALREADY)
            goto fail;
    call = "accept";
    while ((server = accept(listener, NULL, NULL)) == -1)
        if (errno != EINTR)
            goto fail;
    call = "setsockopt(TCP_NODELAY)";
    if (setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == -1 ||
        setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == -1)
        goto fail;
    if (close(listener) == -1) /* one connection is all we want */
        report_errno("close", "the listening socket", errno);
    c->fd[PARENT][0] = c->fd[PARENT][1] = client;
    c->fd[CHILD][0] = c->fd[CHILD][1] = server;
    return OPENED;
fail:
    report_errno(call, "127.0.0.1", errno);
    if (listener >= 0)
        close(listener);
    if (client >= 0)
        close(client);
    if (server >= 0)
        close(server);
    return FAILED;
}
/* end excerpt */

/* excerpt: eventfd */
/* An eventfd is a 64-bit counter in the kernel behind a descriptor: write
 * adds to it, read returns it and resets it to 0 (and blocks while it is
 * 0). It carries no bytes, only a wake-up and a number: here the round
 * trip's number, which the ping-pong's strict turns keep from adding up.
 * Both processes use both counters: one is the parent's doorbell, one the
 * child's. */
static enum open_result eventfd_open(struct channel *c)
{
    int to_child = eventfd(0, 0);
    if (to_child == -1) {
        report_errno("eventfd", "parent to child", errno);
        return FAILED;
    }
    int to_parent = eventfd(0, 0);
    if (to_parent == -1) {
        report_errno("eventfd", "child to parent", errno);
        close(to_child);
        return FAILED;
    }
    c->fd[PARENT][0] = c->fd[CHILD][1] = to_parent;
    c->fd[CHILD][0] = c->fd[PARENT][1] = to_child;
    return OPENED;
}
/* end excerpt */

/* --- sysv-msg: one System V message queue, two message types ----------- */
/* excerpt: sysv-msg */
/* One queue carries both ways: the parent sends type 1 and receives type 2,
 * the child the other way round (msgrcv picks by type). IPC_PRIVATE always
 * makes a new queue that no other program can find by key; like every
 * System V object, it stays in the kernel until IPC_RMID (or ipcrm -q):
 * sysv_close removes it on every way out that runs code of ours. */
struct word_message {
    /* cppcheck-suppress unusedStructMember ; msgsnd reads it, msgrcv fills it */
    long mtype;              /* must be first, and > 0 */
    unsigned long long word; /* msgsz counts only this part */
};
/* The kernel takes the text from just after mtype: no padding between. */
_Static_assert(offsetof(struct word_message, word) == sizeof(long), "mtext must follow mtype");

static enum open_result sysv_open(struct channel *c)
{
    c->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (c->msqid == -1) {
        report_errno("msgget", "IPC_PRIVATE", errno);
        return FAILED;
    }
    return OPENED;
}

static bool sysv_send(struct channel *c, enum side me, unsigned long long word)
{
    struct word_message m = { .mtype = me == PARENT ? 1 : 2, .word = word };
    for (;;) { /* the loop every blocking call sits in: see bench.h */
        if (must_stop())
            return false;
        if (msgsnd(c->msqid, &m, sizeof m.word, 0) == 0)
            return true;
        if (errno != EINTR) {
            report_errno("msgsnd", "the ping-pong queue", errno);
            return false;
        }
    }
}

static bool sysv_receive(struct channel *c, enum side me, unsigned long long *word)
{
    struct word_message m;
    ssize_t n;
    for (;;) {
        if (must_stop())
            return false;
        if ((n = msgrcv(c->msqid, &m, sizeof m.word, me == PARENT ? 2 : 1, 0)) != -1)
            break;
        if (errno != EINTR) {
            report_errno("msgrcv", "the ping-pong queue", errno);
            return false;
        }
    }
    if (n != (ssize_t)sizeof m.word) {
        report_problem("msgrcv: a message of %zd bytes, not %zu", n, sizeof m.word);
        return false;
    }
    *word = m.word;
    return true;
}

static void sysv_close(struct channel *c)
{
    if (c->msqid != -1 && msgctl(c->msqid, IPC_RMID, NULL) == -1)
        report_errno("msgctl(IPC_RMID)", "the ping-pong queue", errno);
    c->msqid = -1;
}
/* end excerpt */

/* --- posix-mq: two POSIX message queues, one each way ------------------- */
/* excerpt: posix-mq */
/* A POSIX queue has a name, and it lives until mq_unlink. Here the names
 * are removed at once, right after both queues are opened: the open
 * descriptors keep the queues alive, the child inherits them through fork,
 * and nothing is left for anyone to clean up, even after a SIGKILL.
 * Without the mqueue file system in the kernel, mq_open fails with ENOSYS:
 * the method is skipped, with that reason. */
static enum open_result mq_open_pair(struct channel *c)
{
    struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = sizeof(unsigned long long) };
    for (int s = 0; s < 2; s++) {
        char name[64];
        snprintf(name, sizeof name, "/10-ipc-bench-%ld-%s", (long)getpid(),
                 s == PARENT ? "to-parent" : "to-child");
        c->mq[s] = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
        if (c->mq[s] == (mqd_t)-1) {
            int err = errno;
            if (s == CHILD)
                mq_close(c->mq[PARENT]);
            c->mq[PARENT] = c->mq[CHILD] = (mqd_t)-1;
            if (err == ENOSYS) {
                snprintf(c->skip_reason, sizeof c->skip_reason, "mq_open: ENOSYS (%s)",
                         strerror(err));
                return SKIPPED;
            }
            report_errno("mq_open", name, err);
            return FAILED;
        }
        if (mq_unlink(name) == -1) {
            report_errno("mq_unlink", name, errno);
            mq_close(c->mq[s]);
            if (s == CHILD)
                mq_close(c->mq[PARENT]);
            c->mq[PARENT] = c->mq[CHILD] = (mqd_t)-1;
            return FAILED;
        }
    }
    return OPENED;
}

static bool mq_send_word(struct channel *c, enum side me, unsigned long long word)
{
    for (;;) {
        if (must_stop())
            return false;
        if (mq_send(c->mq[me == PARENT ? CHILD : PARENT], (const char *)&word, sizeof word, 0) == 0)
            return true;
        if (errno != EINTR) {
            report_errno("mq_send", "the ping-pong queue", errno);
            return false;
        }
    }
}

static bool mq_receive_word(struct channel *c, enum side me, unsigned long long *word)
{
    ssize_t n;
    for (;;) {
        if (must_stop())
            return false;
        if ((n = mq_receive(c->mq[me], (char *)word, sizeof *word, NULL)) != -1)
            break;
        if (errno != EINTR) {
            report_errno("mq_receive", "the ping-pong queue", errno);
            return false;
        }
    }
    if (n != (ssize_t)sizeof *word) {
        report_problem("mq_receive: a message of %zd bytes, not %zu", n, sizeof *word);
        return false;
    }
    return true;
}
/* end excerpt */

static void mq_close_pair(struct channel *c)
{
    for (int s = 0; s < 2; s++)
        if (c->mq[s] != (mqd_t)-1 && mq_close(c->mq[s]) == -1)
            report_errno("mq_close", "the ping-pong queue", errno);
    c->mq[PARENT] = c->mq[CHILD] = (mqd_t)-1;
}

/* The methods in the order of the table. */
const struct latency_method latency_methods[] = {
    { "baseline-threads", "two threads of one process bounce one cache line (the limit)", true,
      baseline_open, baseline_send, baseline_receive, shared_close },
    { "shm-spin", "two processes, a flag each in a shared page, spinning with pause", false,
      spin_open, spin_send, spin_receive, shared_close },
    { "shm-futex", "the same flags, but the waiter sleeps in futex(FUTEX_WAIT)", false, futex_open,
      futex_send, futex_receive, shared_close },
    { "pipe", "two pipes, one each way", false, pipe_open, fd_send, fd_receive, fd_close },
    { "unix-socket", "socketpair(AF_UNIX, SOCK_STREAM)", false, unix_open, fd_send, fd_receive,
      fd_close },
    { "tcp-loopback", "a TCP connection on 127.0.0.1, TCP_NODELAY", false, tcp_open, fd_send,
      fd_receive, fd_close },
    { "sysv-msg", "one System V message queue, msgsnd and msgrcv", false, sysv_open, sysv_send,
      sysv_receive, sysv_close },
    { "posix-mq", "two POSIX message queues, mq_send and mq_receive", false, mq_open_pair,
      mq_send_word, mq_receive_word, mq_close_pair },
    { "eventfd", "two eventfd counters: a wake-up and a number, no bytes", false, eventfd_open,
      fd_send, fd_receive, fd_close },
};
const int latency_method_count = (int)(sizeof latency_methods / sizeof latency_methods[0]);
