/*
 * sysv_shm.c - demo 03: count the running copies of this program in a
 * System V shared memory segment (shmget, shmat, shmdt, shmctl).
 *
 * Every copy finds the segment under one key (creating it if it is the
 * first), adds one to an atomic counter in it, prints the count whenever it
 * changes, and takes its one away when it leaves. The last copy out removes
 * the segment. A copy killed with SIGKILL (or --crash) never takes its one
 * away: the kernel's own attach count, shm_nattch, shows what really
 * happened. A copy that leaves while nobody else is attached removes the
 * segment whatever the count says; if every copy was killed, the segment
 * stays, and the next copy to find nobody attached starts again from 0.
 *
 * Build this file on its own (from this folder, in bash):
 *   cc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 03-sysv-shm sysv_shm.c ../../common/{cli,errors,header_check,output,stop}.c
 *
 * Example session (two terminals; PIDs will differ):
 *   one$ ./03-sysv-shm                    two$ ./03-sysv-shm --hold 2
 *   joined pid=4101 instances=1           joined pid=4102 instances=2
 *   now instances=2                       left pid=4102 instances=1
 *   now instances=1
 *   (Enter)                               two$ ./03-sysv-shm --peek
 *   left pid=4101 instances=0             instances=0 nattch=0
 */
#define _XOPEN_SOURCE 700 /* shmget and friends belong to the XSI option */
#define _DEFAULT_SOURCE   /* SHM_DEST, the "removed" flag Linux shows */

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "errors.h"
#include "header_check.h"
#include "output.h"
#include "stop.h"

/* The key every copy agrees on unless --key says otherwise. A fixed number
 * is simplest to teach; ftok(path, id) derives one from a file instead. */
#define DEFAULT_KEY 0x53484d03 /* "SHM" and the demo's number */

#define POLL_MS 100       /* how often the live loop looks at the count */
#define JOIN_WAIT_MS 3000 /* how long to keep trying to join, or waiting for a creator */
#define PAUSE_MAX_MS 32   /* the longest pause between two tries */

/* excerpt: layout */
/* Stored instead of a count by the copy that leaves last, or that leaves
 * while nobody else is attached: from then on nobody may join this
 * segment, and it is about to be removed. */
#define SEGMENT_CLOSED (-1)

/* --- Step 0: the shared layout -------------------------------------------
 * Atomics in shared memory must be lock-free: a C11 atomic that is not is
 * guarded by a lock inside each process, which another process never sees. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");

struct shared_counter {
    /* COUNTER_MAGIC, stored last by the creator with release order: until
     * a copy sees it, the rest of the segment is not ready to read. */
    atomic_uint magic;
    /* COUNTER_VERSION: a segment laid out by another build is refused. */
    uint32_t version;
    /* sizeof(struct shared_counter) as the creator saw it. */
    uint32_t size;
    /* Copies that joined and have not left, or SEGMENT_CLOSED. Changed
     * only with atomic read-modify-write operations: a plain ++ loses
     * updates when two copies run it at the same moment. */
    atomic_int instances;
};
/* end excerpt */

enum step { STEP_OK, STEP_RETRY, STEP_FAILED };

/* Milliseconds on CLOCK_MONOTONIC, for deadlines: unlike the time of day,
 * it never jumps when someone sets the clock. */
static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char key_hex[16];  /* "0x53484d03", as ipcs and ipcrm show keys */
static char key_text[32]; /* "key=0x53484d03", for messages */

/* --- The command line: --key KEY ---------------------------------------- */
static const char *set_key(const char *value, void *ctx)
{
    unsigned long key;
    if (!parse_unsigned(value, 0, 0xfffffffful, &key))
        return "is not a key: use decimal, 0x hexadecimal or 0 octal, up to 0xffffffff";
    if (key == IPC_PRIVATE)
        return "is IPC_PRIVATE, which makes a new private segment every time: "
               "copies could never find each other";
    *(key_t *)ctx = (key_t)key;
    return NULL;
}

/* --- Step 1: find the segment, or create it ------------------------------ */
/* excerpt: open */
static enum step open_or_create(key_t key, int *id, bool *created)
{
    /* IPC_CREAT | IPC_EXCL: create, or fail with EEXIST if the key is taken,
     * so exactly one copy learns that it made the segment and initialises
     * it. Mode 0600: only our user may attach (0666 would let every user
     * write our counter; no mode bits at all, 0000, would lock us out too). */
    *id = shmget(key, sizeof(struct shared_counter), IPC_CREAT | IPC_EXCL | 0600);
    if (*id != -1) {
        *created = true;
        return STEP_OK;
    }
    if (errno != EEXIST) {
        report_errno("shmget", key_text, errno);
        return STEP_FAILED;
    }
    /* Someone else created it. Size 0 and no flags: look the key up, never
     * create. (This checks no permission yet: shmctl and shmat do.) */
    *created = false;
    *id = shmget(key, 0, 0);
    if (*id != -1)
        return STEP_OK;
    if (errno == ENOENT)
        return STEP_RETRY; /* removed between our two calls: start again */
    report_errno("shmget", key_text, errno);
    return STEP_FAILED;
}
/* end excerpt */

/* A call on a segment id failed: if the segment was removed under us, try
 * again from the start; otherwise report it. */
static enum step removed_or_failed(const char *call, int err)
{
    if (err == EIDRM || err == EINVAL || err == ENOENT)
        return STEP_RETRY;
    report_errno(call, key_text, err);
    return STEP_FAILED;
}

/* Say why a segment that is not ours is refused, and how to get past it. */
static void refuse(int id, const char *why)
{
    report_problem("the segment under %s (shmid %d) is not one of our counters: %s. "
                   "It was left untouched; use another --key, or if the segment is yours "
                   "to remove: ipcrm -m %d",
                   key_text, id, why, id);
}

/* The magic is still 0 and we stopped waiting: say why. The kernel keeps
 * the creator's pid (shm_cpid) and the number of attachments (shm_nattch,
 * ours included). Whatever the case, the segment is left alone: we only
 * say when it is safe to remove. */
static void refuse_unpublished(int id, const struct shmid_ds *ds, bool creator_gone)
{
    long pid = (long)ds->shm_cpid;
    unsigned long others = (unsigned long)ds->shm_nattch - 1; /* all but ours */
    if (creator_gone && others > 0)
        report_problem("the segment under %s (shmid %d) was never initialised: its creator, pid "
                       "%ld, has ended, but %lu other %s. It was left untouched; once nothing "
                       "else is attached (nattch 0 in ipcs -m), run this program again",
                       key_text, id, pid, others,
                       others == 1 ? "attachment remains" : "attachments remain");
    else if (creator_gone)
        report_problem("the segment under %s (shmid %d) was never initialised: its creator, pid "
                       "%ld, ended before it could, and nothing else is attached. It was left "
                       "untouched; it is safe to remove: ipcrm -m %d",
                       key_text, id, pid, id);
    else if (pid > 0)
        report_problem("the segment under %s (shmid %d) is still not initialised after %d s, and "
                       "its creator's pid, %ld, still exists: the creator may be slow, or stopped "
                       "(Ctrl+Z; kill -CONT %ld resumes it), or it has ended but is a zombie its "
                       "parent has not reaped, or the pid was reused (ps -o stat,args -p %ld "
                       "tells: T stopped, Z zombie). It was left untouched; try again later",
                       key_text, id, JOIN_WAIT_MS / 1000, pid, pid, pid);
    else
        report_problem("the segment under %s (shmid %d) is still not initialised after %d s, and "
                       "the kernel shows no creator pid for it (0, as for a creator in another "
                       "pid namespace). It was left untouched; if it is yours to remove: "
                       "ipcrm -m %d",
                       key_text, id, JOIN_WAIT_MS / 1000, id);
}

/* Wait until the creator has published the header (it stores the magic
 * last), for as long as the creator may still do it: while its pid exists
 * (or the kernel shows none), up to JOIN_WAIT_MS on the monotonic clock
 * (counting sleeps would stretch the wait on a busy machine: every sleep
 * lasts at least as long as asked, often more). */
static bool wait_until_ready(int id, const struct shared_counter *c, size_t segment_size)
{
    long long deadline = now_ms() + JOIN_WAIT_MS;
    while (atomic_load_explicit(&c->magic, memory_order_acquire) == 0) {
        if (segment_size != sizeof *c) { /* our creators ask for exactly this size */
            char why[128];
            snprintf(why, sizeof why,
                     "it has no magic number (0), and it is %lu bytes, not the %lu "
                     "this program makes",
                     (unsigned long)segment_size, (unsigned long)sizeof *c);
            refuse(id, why);
            return false;
        }
        struct shmid_ds ds;
        if (shmctl(id, IPC_STAT, &ds) == -1) {
            report_errno("shmctl(IPC_STAT)", key_text, errno);
            return false;
        }
        /* Signal 0 sends nothing: kill only checks the pid. ESRCH: no such
         * process. (EPERM: it exists, but belongs to another user.) */
        bool creator_gone = ds.shm_cpid > 0 && kill(ds.shm_cpid, 0) == -1 && errno == ESRCH;
        if (!creator_gone && now_ms() < deadline) {
            sleep_ms(1);
            continue;
        }
        /* One more look: it may have published, then ended, since the last. */
        if (atomic_load_explicit(&c->magic, memory_order_acquire) != 0)
            return true;
        refuse_unpublished(id, &ds, creator_gone);
        return false;
    }
    return true;
}

/* A segment smaller than our layout is refused before we attach it.
 * shm_segsz is the size its creator asked shmget for; the memory behind it
 * is rounded up to whole pages, but only shm_segsz bytes are promised. */
static bool big_enough(int id, const struct shmid_ds *ds)
{
    if (ds->shm_segsz < sizeof(struct shared_counter)) {
        char why[96];
        snprintf(why, sizeof why, "it is %lu bytes, smaller than the %lu the counter needs",
                 (unsigned long)ds->shm_segsz, (unsigned long)sizeof(struct shared_counter));
        refuse(id, why);
        return false;
    }
    return true;
}

/* Never trust shared memory: check the header and the count before using
 * them. On a refusal the segment is left exactly as it was. */
static bool check_header(int id, const struct shared_counter *c, size_t segment_size)
{
    if (!wait_until_ready(id, c, segment_size))
        return false;
    const char *why =
        header_problem(atomic_load(&c->magic), c->version, c->size, sizeof *c, segment_size);
    if (why != NULL) {
        refuse(id, why);
        return false;
    }
    int n = atomic_load(&c->instances);
    why = n == SEGMENT_CLOSED ? NULL : count_problem(n);
    if (why != NULL) {
        report_problem("the segment under %s (shmid %d) holds one of our counters, but it is "
                       "damaged: %s. It was left untouched; once nothing is attached to it "
                       "(nattch 0 in ipcs -m), remove it with: ipcrm -m %d",
                       key_text, id, why, id);
        return false;
    }
    return true;
}

/* --- Step 2: attach it, initialise it if we created it, check it -------- */
static enum step attach_segment(int id, bool created, struct shared_counter **out)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) == -1)
        return removed_or_failed("shmctl(IPC_STAT)", errno);
    if (!big_enough(id, &ds))
        return STEP_FAILED;

    /* excerpt: attach */
    /* shmat returns (void *)-1 on failure, not NULL. */
    void *at = shmat(id, NULL, 0);
    if (at == (void *)-1)
        return removed_or_failed("shmat", errno);
    struct shared_counter *c = at;

    if (created) {
        /* A new segment is zero-filled. Fill in the header, then publish
         * it by storing the magic last, with release order. */
        c->version = COUNTER_VERSION;
        c->size = sizeof *c;
        atomic_store_explicit(&c->instances, 0, memory_order_relaxed);
        atomic_store_explicit(&c->magic, COUNTER_MAGIC, memory_order_release);
    }
    /* end excerpt */
    if (!check_header(id, c, ds.shm_segsz)) {
        shmdt(c);
        return STEP_FAILED;
    }
    *out = c;
    return STEP_OK;
}

/* The kernel's attach count, or -1 if it cannot be read. It counts
 * attachments, not processes: each running copy has one, and so does a
 * peek while it looks (or a child that inherited one through fork). */
static long attached_now(int id)
{
    struct shmid_ds ds;
    return shmctl(id, IPC_STAT, &ds) == -1 ? -1 : (long)ds.shm_nattch;
}

/* --- Step 3: join -----------------------------------------------------------
 * Returns the count with us in it, or SEGMENT_CLOSED when the last copy
 * closed this segment before we could join it. */
/* excerpt: join */
static int join(int id, struct shared_counter *c)
{
    int seen = atomic_load(&c->instances);
    int next;
    bool stale;
    do {
        if (seen == SEGMENT_CLOSED)
            return SEGMENT_CLOSED;
        /* Every counted copy stays attached until after it leaves, so a
         * count above 0 with nobody but us attached was left by copies that
         * were killed: start again from 0. The compare-exchange fails if
         * anybody changed the count since we looked (but see leave
         * for the one change it cannot see). */
        stale = seen > 0 && attached_now(id) == 1;
        next = stale ? 1 : seen + 1;
    } while (!atomic_compare_exchange_weak(&c->instances, &seen, next));
    if (stale)
        print_note("the stored count %d was stale: nobody else is attached (copies were "
                   "killed without leaving); starting again from 0",
                   seen);
    return next;
}
/* end excerpt */

/* --- Step 5: leave ----------------------------------------------------------
 * Takes us out of the count: *next is what we stored, the count without us
 * or SEGMENT_CLOSED when we closed the segment. Returns false, storing
 * nothing, when *seen is a value no counted copy can find: SEGMENT_CLOSED
 * (someone closed the segment while we were still counted in it), 0, or
 * damage. */
/* excerpt: leave */
static bool leave(int id, struct shared_counter *c, int *seen, int *next)
{
    *seen = atomic_load(&c->instances);
    do {
        if (*seen <= 0 || count_problem(*seen) != NULL)
            return false;
        /* The last copy marks the segment closed in the same atomic step
         * as its decrement. A newcomer that attached a moment ago then
         * sees CLOSED and starts over, instead of counting itself in a
         * segment that is about to be removed (the original's split brain:
         * two segments, two counts, neither right).
         *
         * "Last" also means "nobody else attached". Every counted copy
         * stays attached until after it leaves, so when shm_nattch is 1
         * (our own attachment) the rest of the count belongs to copies
         * that ended without leaving: we close whatever the count says,
         * so the segment does not outlive every copy. A newcomer may
         * attach just after we read nattch, but to be counted it must
         * change the count, and only one compare-exchange can win: if
         * ours wins, the newcomer's fails, it sees CLOSED and starts over;
         * if the newcomer's wins, ours fails, and the next pass reads
         * nattch again (2 now) and only takes our one away.
         *
         * What the compare-exchange cannot see: it compares values, so a
         * copy that leaves and detaches between our load and our look at
         * nattch, and a newcomer that attaches and joins after that look,
         * together put back the very count we loaded (the ABA problem).
         * We then close a segment the newcomer is counted in; its live
         * loop sees CLOSED and joins again. And two copies that leave at
         * the same moment can each still see the other attached: then
         * neither closes, and the next copy to start finds the stale
         * count (join). Any other attachment defeats the rule the
         * same way, since nattch counts attachments, not copies: a --peek
         * while it looks, shm-tool attach, or a child that inherited one
         * through fork makes it 2, so a last copy with a stale count only
         * takes its own one away, and the segment outlives every copy until
         * a copy joins while nothing else is attached and starts from 0. */
        bool alone = *seen > 1 && attached_now(id) == 1;
        *next = *seen == 1 || alone ? SEGMENT_CLOSED : *seen - 1;
    } while (!atomic_compare_exchange_weak(&c->instances, seen, *next));
    return true;
}

/* Remove a closed segment. Any copy may ask, since nobody can join it any
 * more, and the kernel lets the segment's owner or creator (or root) do it.
 * The kernel destroys it once the last process detaches. Returns 0, or
 * the errno of a failure for the caller to report. */
static int remove_segment(int id)
{
    if (shmctl(id, IPC_RMID, NULL) == 0 || errno == EINVAL || errno == EIDRM)
        return 0; /* removed now, or already (ipcrm, or another copy) */
    return errno;
}
/* end excerpt */

/* --- The live loop's look at the kernel's view -------------------------- */
struct kernel_view {
    long pending_gap;  /* instances - nattch at the last poll */
    long reported_gap; /* the gap we last told the user about */
    /* cppcheck-suppress unusedStructMember ; used where SHM_DEST exists */
    bool removed; /* told the user that the segment was removed */
};

static void watch_kernel_view(int id, int instances, struct kernel_view *v)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) == -1)
        return;
#ifdef SHM_DEST
    if ((ds.shm_perm.mode & SHM_DEST) && !v->removed) {
        v->removed = true;
        print_note("segment %d was removed (ipcrm?): this copy goes on counting in it, "
                   "but new copies will start a new segment",
                   id);
    }
#endif
    /* A copy attaches before it joins and leaves before it detaches, so
     * more instances than attachments means some copy died without
     * leaving. The gap is their number while nobody joins, leaves or peeks
     * (a peek's attachment counts in nattch too). Two polls in a row must
     * agree, to rule out a copy that left and detached between our two
     * reads. */
    long gap = (long)instances - (long)ds.shm_nattch;
    if (gap > 0 && gap == v->pending_gap && gap != v->reported_gap) {
        print_note("instances=%d but nattch=%lu: %ld %s ended without leaving "
                   "(killed or crashed); the count stays too high while copies run",
                   instances, (unsigned long)ds.shm_nattch, gap, gap == 1 ? "copy" : "copies");
        v->reported_gap = gap;
    }
    if (gap <= 0)
        v->reported_gap = 0;
    v->pending_gap = gap;
}

/* --- --peek: the count and the kernel's attach count, without joining --- */
static int peek(key_t key)
{
    int id = shmget(key, 0, 0); /* look up only: never create */
    if (id == -1 && errno == ENOENT) {
        print_peek(0, 0);
        return EXIT_OK;
    }
    if (id == -1) {
        report_errno("shmget", key_text, errno);
        return EXIT_SYSCALL;
    }
    /* excerpt: peek */
    /* Look before we attach: a segment too small is refused untouched. */
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) == -1) {
        if (removed_or_failed("shmctl(IPC_STAT)", errno) == STEP_FAILED)
            return EXIT_SYSCALL;
        print_peek(0, 0); /* gone since shmget: nobody is attached any more */
        return EXIT_OK;
    }
    if (!big_enough(id, &ds))
        return EXIT_SYSCALL;
    struct shared_counter *c = shmat(id, NULL, SHM_RDONLY); /* read-only is all a peek needs */
    if (c == (void *)-1) {
        if (removed_or_failed("shmat", errno) == STEP_FAILED)
            return EXIT_SYSCALL;
        print_peek(0, 0); /* gone since shmctl: nobody is attached any more */
        return EXIT_OK;
    }
    if (!check_header(id, c, ds.shm_segsz)) {
        shmdt(c);
        return EXIT_SYSCALL;
    }
    /* SHM_RDONLY is enough: an always-lock-free int's atomic load is a load
     * instruction, which never writes, and lock-free atomics are meant to be
     * address-free, so they work between processes (C11 7.17.5). */
    int n = atomic_load(&c->instances);
    if (n == SEGMENT_CLOSED)
        n = 0; /* a leaving copy closed it: nobody is counted, it is being removed */
    /* The kernel's view after the load: nattch now counts our attachment too. */
    if (shmctl(id, IPC_STAT, &ds) == -1) {
        report_errno("shmctl(IPC_STAT)", key_text, errno);
        shmdt(c);
        return EXIT_SYSCALL;
    }
    long others = (long)ds.shm_nattch - 1;
    print_peek(n, others);
    /* end excerpt */
    /* Every copy stays attached while it is counted, so a count above the
     * other attachments means copies ended without leaving. But we read
     * the two at different moments: a copy that joined just before our load
     * and left just after it is in n and no longer in nattch. So we claim it
     * only when shm_lpid, the pid of the last process to attach or detach
     * (man 2 shmctl; the kernel sets it for the detach at exit too), is
     * still ours: then nobody attached or detached since our shmat. */
    if (n > others && ds.shm_lpid == getpid())
        print_note("instances=%d but nattch=%ld: the count is stale (copies were killed "
                   "without leaving)",
                   n, others);
    if (shmdt(c) == -1) {
        report_errno("shmdt", key_text, errno);
        return EXIT_SYSCALL;
    }
    return EXIT_OK;
}

/* --- Steps 1-3 together: open or create, attach and check, join ---------
 * Start again whenever the segment we found was being removed by its last
 * copy: after a pause that grows from 1 ms to PAUSE_MAX_MS, for up to
 * JOIN_WAIT_MS on the monotonic clock. Nothing in the loop reports a
 * failure that only means "try again": on giving up, one message says why.
 * Returns the count with us in it, or -1 after reporting a failure. */
static int open_and_join(key_t key, int *id, struct shared_counter **shm)
{
    long long deadline = now_ms() + JOIN_WAIT_MS;
    unsigned pause_ms = 1;
    int rmid_error; /* why this try could not remove a closed segment */
    for (;;) {
        rmid_error = 0;
        bool created;
        enum step s = open_or_create(key, id, &created);
        if (s == STEP_OK)
            s = attach_segment(*id, created, shm);
        if (s == STEP_FAILED)
            return -1; /* reported once, where it failed */
        if (s == STEP_OK) {
            int count = join(*id, *shm);
            if (count != SEGMENT_CLOSED)
                return count;
            /* Closed under us: help remove it, then start again. */
            rmid_error = remove_segment(*id);
            shmdt(*shm);
        }
        if (now_ms() >= deadline)
            break;
        sleep_ms(pause_ms);
        if (pause_ms < PAUSE_MAX_MS)
            pause_ms *= 2;
    }
    if (rmid_error != 0)
        report_problem("gave up after %d s: the segment under %s (shmid %d) is marked "
                       "closed (count -1, as the last copy to leave marks it), but it could "
                       "not be removed: "
                       "shmctl(IPC_RMID): %s (%s). Its owner, its creator or root can remove "
                       "it: ipcrm -m %d",
                       JOIN_WAIT_MS / 1000, key_text, *id, errno_name(rmid_error),
                       strerror(rmid_error), *id);
    else
        report_problem("gave up after %d s: the segment under %s was being removed every "
                       "time this copy tried to join; run it again",
                       JOIN_WAIT_MS / 1000, key_text);
    return -1;
}

int main(int argc, char **argv)
{
    key_t key = DEFAULT_KEY;
    const struct cli_option key_option = { "--key", "KEY",
                                           "the System V key (default 0x53484d03; not 0)",
                                           set_key };
    const struct cli_spec spec = {
        .summary = "count running copies in a System V shared memory segment",
        .details = "Peek prints instances=N nattch=M: nattch is the kernel's count of\n"
                   "attachments (one per running copy), so instances above nattch means\n"
                   "copies died without leaving (peek says so when nobody attached or\n"
                   "detached while it looked). A copy that leaves while nobody else is\n"
                   "attached removes the segment whatever the count says.\n"
                   "Look at the segment with: ipcs -m",
        .extra = &key_option,
        .extra_count = 1,
        .ctx = &key,
    };
    struct cli cli;

    set_program_name(argv[0]);
    int status = cli_parse(&cli, argc, argv, &spec);
    if (status >= 0)
        return status;
    snprintf(key_hex, sizeof key_hex, "0x%08lx", (unsigned long)(uint32_t)key);
    snprintf(key_text, sizeof key_text, "key=%s", key_hex);

    /* Handlers first: a signal from now on waits (blocked) for the live
     * loop's first stop_wait, which then ends, and we leave properly even
     * if the signal came before we joined. */
    if (!stop_install(cli.hold))
        return EXIT_SYSCALL;

    if (cli.peek)
        return peek(key);

    /* Steps 1-3: open or create, attach and check, join. */
    int id = -1;
    struct shared_counter *shm = NULL;
    int count = open_and_join(key, &id, &shm);
    if (count < 0)
        return EXIT_SYSCALL;
    print_joined(count);

    /* Step 4: the live loop. Print the count whenever it changes. */
    struct kernel_view view = { 0, 0, false };
    while (!stop_wait(POLL_MS)) {
        int now = atomic_load(&shm->instances);
        if (now == SEGMENT_CLOSED) {
            /* We are counted in it, yet it was closed: the race that
             * leave describes, or another program that stored the
             * mark. Nobody counts us now: join again. */
            print_note("segment %d was closed while this copy was still counted in it; "
                       "joining again",
                       id);
            remove_segment(id); /* as any newcomer that finds it closed does */
            shmdt(shm);
            count = open_and_join(key, &id, &shm);
            if (count < 0)
                return EXIT_SYSCALL;
            print_joined(count);
            view = (struct kernel_view){ 0, 0, false };
            continue;
        }
        if (count_problem(now) != NULL)
            continue; /* damaged by someone else: show nothing we cannot trust */
        if (now != count && !cli.quiet)
            print_now(now);
        count = now;
        watch_kernel_view(id, now, &view);
    }

    if (cli.crash) {
        print_crashing(count);
        crash_self(); /* no leave, no shmdt: the kernel detaches us */
    }

    /* Step 5: leave; the last copy out, or the only one still attached,
     * closes and removes the segment. */
    status = EXIT_OK;
    int seen, next;
    if (!leave(id, shm, &seen, &next)) {
        if (seen == SEGMENT_CLOSED) {
            print_note("segment %d was closed while this copy was still counted in it: "
                       "nobody counted this copy any more",
                       id);
            remove_segment(id); /* as any newcomer that finds it closed does */
            print_left(0);
        } else {
            report_problem("the counter in the segment under %s (shmid %d) holds %d, which "
                           "cannot be while this copy is counted in it: something else "
                           "changed it. It was left alone; once nothing is attached to it "
                           "(nattch 0 in ipcs -m), remove it with: ipcrm -m %d",
                           key_text, id, seen, id);
            status = EXIT_SYSCALL;
        }
    } else if (next == SEGMENT_CLOSED) {
        if (seen > 1)
            print_note("the stored count %d was stale: only this copy is attached, so the "
                       "other %d ended without leaving (killed or crashed); closing and "
                       "removing the segment",
                       seen, seen - 1);
        int err = remove_segment(id);
        if (err != 0) {
            report_errno("shmctl(IPC_RMID)", key_text, err);
            status = EXIT_SYSCALL;
        }
        print_left(0);
    } else {
        print_left(next);
    }

    /* Step 6: detach. */
    if (shmdt(shm) == -1) {
        report_errno("shmdt", key_text, errno);
        status = EXIT_SYSCALL;
    }
    stop_done();
    return status;
}
