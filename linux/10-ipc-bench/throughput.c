/*
 * throughput.c - demo 10's stream methods: the child sends chunks of
 * CHUNK_BYTES, the parent receives them, checks every byte (a checksum)
 * and times them. Each method is open, send (a chunk, in the child),
 * receive and release (a chunk, in the parent) and close.
 *
 * What each method costs per chunk:
 *   memcpy     one copy (one process: the copy limit of one core)
 *   shm-ring   one copy, into the ring; the receiver reads it in place
 *   pipe       two copies (into the kernel, out of it) and two system calls
 *   unix-socket the same, through socket buffers
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, F_SETPIPE_SZ */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "errors.h"

/* --- memcpy: the copy limit, in one process ------------------------------ */
/* The same work per chunk as shm-ring, on one core: copy the chunk into a
 * buffer as big as the ring, slot after slot; the receiving side then
 * reads it there (ipc_bench.c adds it up). */
static enum open_result memcpy_open(struct channel *c)
{
    c->copy = aligned_alloc(CACHE_LINE, (size_t)RING_SLOTS * c->chunk);
    if (c->copy == NULL) {
        report_errno("aligned_alloc", "memcpy's buffer", errno);
        return FAILED;
    }
    memset(c->copy, 0, (size_t)RING_SLOTS * c->chunk); /* no page faults in the timing */
    return OPENED;
}

static bool memcpy_send(struct channel *c, const unsigned char *data)
{
    memcpy(c->copy + (c->side[CHILD].next++ % RING_SLOTS) * c->chunk, data, c->chunk);
    return true;
}

static bool memcpy_receive(struct channel *c, const unsigned char **data)
{
    *data = c->copy + (c->side[PARENT].next++ % RING_SLOTS) * c->chunk;
    return true;
}

static void memcpy_close(struct channel *c)
{
    free(c->copy);
    c->copy = NULL;
}

/* --- shm-ring: a single-producer single-consumer ring in shared memory --- */
/* excerpt: ring */
/* RING_SLOTS slots of one chunk each, and two counters that only grow:
 * head, the chunks the producer has published (written by the producer
 * only), and tail, the chunks the consumer has finished with (written by
 * the consumer only). Slot i % RING_SLOTS holds chunk i. With one writer
 * per counter no lock is needed: the producer's release store of head
 * publishes the bytes it copied before it, and the consumer's acquire load
 * of head sees them; the same pair on tail tells the producer that a slot
 * may be written again. Each counter starts a cache line of its own, or
 * every update of one would take the other's line away from its reader. */
struct ring {
    alignas(CACHE_LINE) atomic_ullong head; /* chunks published */
    alignas(CACHE_LINE) atomic_ullong tail; /* chunks consumed */
    alignas(CACHE_LINE) unsigned char slot[RING_SLOTS][CHUNK_BYTES];
};

static bool ring_send(struct channel *c, const unsigned char *data)
{
    struct ring *r = c->shared;
    unsigned long long i = c->side[CHILD].next; /* our own copy of head */
    unsigned spins = 0;
    /* Full: wait until the consumer has finished with slot i % RING_SLOTS. */
    while (i - atomic_load_explicit(&r->tail, memory_order_acquire) >= RING_SLOTS)
        if (!spin_once(&spins))
            return false;
    memcpy(r->slot[i % RING_SLOTS], data, CHUNK_BYTES);
    atomic_store_explicit(&r->head, i + 1, memory_order_release);
    c->side[CHILD].next = i + 1;
    return true;
}

static bool ring_receive(struct channel *c, const unsigned char **data)
{
    struct ring *r = c->shared;
    unsigned long long i = c->side[PARENT].next; /* our own copy of tail */
    unsigned spins = 0;
    /* Empty: wait until the producer has published chunk i. */
    while (atomic_load_explicit(&r->head, memory_order_acquire) == i)
        if (!spin_once(&spins))
            return false;
    *data = r->slot[i % RING_SLOTS]; /* read in place: no second copy */
    return true;
}

static bool ring_release(struct channel *c)
{
    struct ring *r = c->shared;
    /* Release: our reads of the slot are done before the producer may
     * overwrite it. */
    atomic_store_explicit(&r->tail, ++c->side[PARENT].next, memory_order_release);
    return true;
}
/* end excerpt */

static enum open_result ring_open(struct channel *c)
{
    void *p =
        mmap(NULL, sizeof(struct ring), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        report_errno("mmap", "shm-ring", errno);
        return FAILED;
    }
    c->shared = p;
    c->shared_size = sizeof(struct ring);
    return OPENED;
}

static void ring_close(struct channel *c)
{
    if (c->shared != NULL && munmap(c->shared, c->shared_size) == -1)
        report_errno("munmap", "shm-ring", errno);
    c->shared = NULL;
}

/* --- pipe and unix-socket: write whole chunks, read whole chunks --------- */
static bool stream_send(struct channel *c, const unsigned char *data)
{
    return write_full(c->fd[CHILD][1], data, c->chunk, "the stream");
}

static bool stream_receive(struct channel *c, const unsigned char **data)
{
    if (!read_full(c->fd[PARENT][0], c->in, c->chunk, "the stream"))
        return false;
    *data = c->in;
    return true;
}

static bool stream_buffer(struct channel *c)
{
    c->in = aligned_alloc(CACHE_LINE, c->chunk);
    if (c->in == NULL) {
        report_errno("aligned_alloc", "the receive buffer", errno);
        return false;
    }
    memset(c->in, 0, c->chunk);
    return true;
}

static void stream_close(struct channel *c)
{
    for (int s = 0; s < 2; s++)
        for (int e = 0; e < 2; e++)
            if (c->fd[s][e] >= 0 && close(c->fd[s][e]) == -1)
                report_errno("close", "a descriptor of the stream", errno);
    c->fd[0][0] = c->fd[0][1] = c->fd[1][0] = c->fd[1][1] = -1;
    free(c->in);
    c->in = NULL;
}

/* excerpt: pipe-stream */
/* One pipe, made as big as the ring (F_SETPIPE_SZ; the default is 64 KiB,
 * and an unprivileged process may go up to /proc/sys/fs/pipe-max-size,
 * 1 MiB by default), so that both hold as much in flight. */
static enum open_result pipe_stream_open(struct channel *c)
{
    int p[2];
    if (pipe(p) == -1) {
        report_errno("pipe", "the stream", errno);
        return FAILED;
    }
    if (fcntl(p[1], F_SETPIPE_SZ, RING_SLOTS * CHUNK_BYTES) == -1) {
        report_errno("fcntl(F_SETPIPE_SZ)", "the stream", errno);
        close(p[0]);
        close(p[1]);
        return FAILED;
    }
    c->fd[PARENT][0] = p[0];
    c->fd[CHILD][1] = p[1];
    if (!stream_buffer(c)) {
        stream_close(c);
        return FAILED;
    }
    return OPENED;
}
/* end excerpt */

/* A socket pair, used one way. Its buffers are the kernel's defaults
 * (net.core.wmem_default, about 208 KiB); only root may set them above
 * net.core.wmem_max. */
static enum open_result unix_stream_open(struct channel *c)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
        report_errno("socketpair", "AF_UNIX, SOCK_STREAM", errno);
        return FAILED;
    }
    c->fd[PARENT][0] = sv[0];
    c->fd[CHILD][1] = sv[1];
    if (!stream_buffer(c)) {
        stream_close(c);
        return FAILED;
    }
    return OPENED;
}

const struct throughput_method throughput_methods[] = {
    { "memcpy", "one process copies each chunk once: the copy limit", true, memcpy_open,
      memcpy_send, memcpy_receive, NULL, memcpy_close },
    { "shm-ring", "a single-producer single-consumer ring in shared memory", false, ring_open,
      ring_send, ring_receive, ring_release, ring_close },
    { "pipe", "one pipe, as big as the ring", false, pipe_stream_open, stream_send, stream_receive,
      NULL, stream_close },
    { "unix-socket", "socketpair(AF_UNIX, SOCK_STREAM), used one way", false, unix_stream_open,
      stream_send, stream_receive, NULL, stream_close },
};
const int throughput_method_count = (int)(sizeof throughput_methods / sizeof throughput_methods[0]);
