/*
 * posix_shm.c - demo 04: count the running copies of this program in a
 * POSIX shared memory object (shm_open, posix_fallocate, mmap, shm_unlink).
 *
 * Every copy opens the object by name (the first copy creates, sizes and
 * initialises it), adds one to an atomic counter in it, prints the count
 * whenever it changes, and takes its one away when it leaves. The last copy
 * out closes the counter and unlinks the name, so /dev/shm/NAME is gone
 * once every copy has left. POSIX shared memory keeps no attach count, so
 * the demo makes one: it scans /proc/PID/maps for processes that map the
 * object (common/mappers.h), and asks the kernel, with a write lease,
 * whether any other process holds the object open. A copy that finds
 * itself alone resets a stale count at join, and removes the object
 * whatever the count says at leave.
 *
 * Build this file on its own (from this folder, in bash; glibc before 2.34
 * keeps shm_open in librt: add -lrt at the end there):
 *   cc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 04-posix-shm posix_shm.c ../../common/{cli,errors,header_check,mappers,output,stop}.c
 *
 * Example session (two terminals; PIDs will differ):
 *   one$ ./04-posix-shm                   two$ ./04-posix-shm --hold 2
 *   joined pid=4101 instances=1           joined pid=4102 instances=2
 *   now instances=2                       left pid=4102 instances=1
 *   now instances=1
 *   (Enter)                               two$ ./04-posix-shm --peek
 *   left pid=4101 instances=0             instances=0 mappers=0
 */
#define _GNU_SOURCE /* F_SETLEASE is Linux's own; this also turns on POSIX.1-2008 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "errors.h"
#include "header_check.h"
#include "mappers.h"
#include "output.h"
#include "stop.h"

/* The name every copy agrees on unless --name says otherwise. On Linux the
 * object is the file /dev/shm/shm-suite-04, on a tmpfs: ls and rm see it. */
#define DEFAULT_NAME "/shm-suite-04"

#define POLL_MS 100       /* how often the live loop looks at the count */
#define JOIN_WAIT_MS 3000 /* how long to keep trying to join, or waiting for a creator */
#define PAUSE_MAX_MS 32   /* the longest pause between two tries */
#define GONE_MS 100       /* nobody holds a length-0 object this long: its creator is gone */

/* excerpt: layout */
/* Stored instead of a count by the copy that leaves last, or that leaves
 * while no other process holds the object: from then on nobody may join
 * this object, and its name is about to be unlinked. */
#define OBJECT_CLOSED (-1)

/* --- Step 0: the shared layout -------------------------------------------
 * Atomics in shared memory must be lock-free: a C11 atomic that is not is
 * guarded by a lock inside each process, which another process never sees. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");

struct shared_counter {
    /* COUNTER_MAGIC, stored last by the creator with release order: until
     * a copy sees it, the rest of the object is not ready to read. */
    atomic_uint magic;
    /* COUNTER_VERSION: an object laid out by another build is refused. */
    uint32_t version;
    /* sizeof(struct shared_counter) as the creator saw it. */
    uint32_t size;
    /* Copies that joined and have not left, or OBJECT_CLOSED. Changed
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

static char name[NAME_MAX + 2] = DEFAULT_NAME; /* "/shm-suite-04" */

/* --- The command line: --name NAME ---------------------------------------
 * shm_open(3): a portable name is "a null-terminated string of up to
 * NAME_MAX (i.e., 255) characters consisting of an initial slash, followed
 * by one or more characters, none of which are slashes". glibc makes it the
 * file /dev/shm/NAME-without-the-slash, so "/." and "/.." name folders. */
static const char *set_name(const char *value, void *ctx)
{
    size_t len = strlen(value);
    if (len == 0)
        return "is empty: give a name such as /shm-suite-04";
    if (value[0] != '/')
        return "must start with '/', as in /shm-suite-04";
    if (strchr(value + 1, '/') != NULL)
        return "has a '/' after the first: a name is one '/' and then a file name";
    if (len == 1)
        return "has nothing after the '/'";
    if (len > NAME_MAX)
        return "is longer than NAME_MAX (255 bytes, the '/' included)";
    if (strcmp(value, "/.") == 0 || strcmp(value, "/..") == 0)
        return "names a directory, not an object";
    memcpy(ctx, value, len + 1);
    return NULL;
}

/* Say why an object that is not ours is refused, and how to get past it. */
static void refuse(const char *why)
{
    report_problem("the object %s is not one of our counters: %s. It was left untouched; "
                   "use another --name, or if it is yours to remove: rm /dev/shm%s",
                   name, why, name);
}

/* shm_open failed with EACCES: say whose object it is, from the file. */
static void explain_eacces(void)
{
    char path[sizeof "/dev/shm" + NAME_MAX + 2];
    struct stat st;
    snprintf(path, sizeof path, "/dev/shm%s", name);
    if (stat(path, &st) == 0)
        report_problem("%s belongs to uid %ld with mode %04o, which does not let this user "
                       "(uid %ld) open it: mode 0600 keeps a counter to its owner. Use another "
                       "--name, or run as that user",
                       path, (long)st.st_uid, (unsigned)(st.st_mode & 07777), (long)getuid());
}

/* --- Step 1: open the object, or create and size it --------------------- */
/* excerpt: open */
static enum step open_or_create(int *fd, bool *created)
{
    /* O_CREAT | O_EXCL: create, or fail with EEXIST if the name is taken,
     * so exactly one copy learns that it made the object and initialises
     * it. Mode 0600: only our user may open it (the umask may take bits
     * away, never add them). */
    *fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (*fd != -1) {
        *created = true;
        /* A new object has length 0: size it before anyone maps it.
         * ftruncate would only set the length, and the memory would be
         * found missing on first touch, with SIGBUS, when /dev/shm is
         * full; posix_fallocate reserves it now or fails with ENOSPC. It
         * returns the error number itself, and does not set errno. */
        int err = posix_fallocate(*fd, 0, sizeof(struct shared_counter));
        if (err == 0)
            return STEP_OK;
        report_errno("posix_fallocate", name, err);
        shm_unlink(name); /* ours, and nobody can have joined it yet */
        close(*fd);
        return STEP_FAILED;
    }
    if (errno != EEXIST) {
        report_errno("shm_open", name, errno);
        if (errno == EACCES)
            explain_eacces();
        return STEP_FAILED;
    }
    /* Someone else created it: open what is there, never create. */
    *created = false;
    *fd = shm_open(name, O_RDWR, 0);
    if (*fd != -1)
        return STEP_OK;
    if (errno == ENOENT)
        return STEP_RETRY; /* unlinked between our two calls: start again */
    report_errno("shm_open", name, errno);
    if (errno == EACCES)
        explain_eacces();
    return STEP_FAILED;
}
/* end excerpt */

/* --- Who else holds the object? ---------------------------------------- */
/* excerpt: holders */
/* Does any other process hold the object open, or map it? fcntl(2): "a
 * write lease may be placed on a file only if there are no other open file
 * descriptors for the file", and a mapping keeps its open file alive after
 * close. Linux (5.3 and later) counts every open file description here,
 * read-only ones too (the inode's i_writecount and i_readcount), so a
 * peek counts as well. Every copy holds the object open from its
 * shm_open to its exit, so this asks the kernel itself about every copy:
 * no /proc, no blind spot for processes we may not inspect or that live in
 * another PID namespace. The lease is dropped at once. An open by another
 * process meanwhile waits for that, and the kernel sends us SIGIO, whose
 * default action would end us: main ignores it. Returns 1 yes, 0 no, -1
 * the kernel will not say (not the owner and no CAP_LEASE, or leases
 * switched off in /proc/sys/fs/leases-enable). */
static int others_hold_it(int fd)
{
    if (fcntl(fd, F_SETLEASE, F_WRLCK) == 0) {
        fcntl(fd, F_SETLEASE, F_UNLCK);
        return 0;
    }
    return errno == EAGAIN || errno == EBUSY ? 1 : -1;
}

/* Is this copy the only process that maps the object? The /proc scan is
 * the demo's attach count: it counts the mappers it can see (this copy
 * included), and misses the processes it may not read and those in other
 * PID namespaces. The lease answers for every process. Both must say so.
 * Since a mapping holds an open file, a granted lease already means that
 * nobody else maps the object, and the scan only confirms it. The scan
 * runs only then (rarely: a count looks stale), or when the kernel will
 * not answer, and then only a scan that could read every process decides
 * (a process in another PID namespace is the one blind spot left). */
static bool only_mapper(int fd, const struct stat *st, struct mappers *m)
{
    int others = others_hold_it(fd);
    if (others == 1)
        return false; /* no scan needed: someone else has it open */
    if (count_mappers(st->st_dev, st->st_ino, m) == -1)
        return false; /* no /proc: cannot tell, so not alone */
    return m->count == 1 && (others == 0 || m->unreadable == 0);
}
/* end excerpt */

/* Why we stopped waiting, from others_hold_it's answer. */
static const char *creator_status(int others)
{
    return others == 1 ? "another process holds it open: its creator may be slow or stopped "
                         "(Ctrl+Z), or another copy waits like this one"
                       : "the kernel would not say whether its creator still holds it open "
                         "(no write lease for this user)";
}

/* --- Step 2 helpers: wait for the size, then for the magic ---------------
 * Until the creator's posix_fallocate has run, the object has length 0,
 * and a mapping of it has no page behind it: the first touch is SIGBUS.
 * So wait, on the monotonic clock, until fstat shows our size, while the
 * creator may still be at work: while some other process holds the object
 * open (the creator does, from its shm_open on). But inside the creator's
 * shm_open the kernel makes the file a moment before it opens it, and a
 * creator that loses the processor in that moment holds nothing yet: so
 * nobody may hold it for GONE_MS on end before we call its creator gone.
 * That is a judgement, not a proof: a creator held up longer would be
 * taken for dead, and this copy would refuse (exit 1). */
static bool wait_for_size(int fd, struct stat *st)
{
    long long deadline = now_ms() + JOIN_WAIT_MS;
    long long gone_since = -1; /* when we first saw nobody holding it, or -1 */
    for (;;) {
        if (fstat(fd, st) == -1) {
            report_errno("fstat", name, errno);
            return false;
        }
        if ((size_t)st->st_size >= sizeof(struct shared_counter))
            return true;
        if (st->st_size > 0) { /* our creators size it in one step */
            char why[96];
            snprintf(why, sizeof why, "it is %lld bytes, smaller than the %lu the counter needs",
                     (long long)st->st_size, (unsigned long)sizeof(struct shared_counter));
            refuse(why);
            return false;
        }
        int others = others_hold_it(fd);
        if (others != 0)
            gone_since = -1;
        else if (gone_since == -1)
            gone_since = now_ms();
        if (gone_since != -1 && now_ms() - gone_since >= GONE_MS) {
            report_problem("the object %s has length 0 and nobody holds it open: its creator "
                           "ended before it could size it. It was left untouched; it is safe "
                           "to remove: rm /dev/shm%s",
                           name, name);
            return false;
        }
        if (now_ms() >= deadline) {
            report_problem("the object %s still has length 0 after %d s, and %s. It was left "
                           "untouched; try again later",
                           name, JOIN_WAIT_MS / 1000, creator_status(others));
            return false;
        }
        sleep_ms(1);
    }
}

/* The magic is stored last: wait for it while its creator may still store
 * it, as wait_for_size waits for the size. */
static bool wait_until_ready(int fd, const struct shared_counter *c, size_t object_size)
{
    long long deadline = now_ms() + JOIN_WAIT_MS;
    bool gone_before = false;
    while (atomic_load_explicit(&c->magic, memory_order_acquire) == 0) {
        if (object_size != sizeof *c) { /* our creators make exactly this size */
            char why[128];
            snprintf(why, sizeof why,
                     "it has no magic number (0), and it is %lu bytes, not the %lu "
                     "this program makes",
                     (unsigned long)object_size, (unsigned long)sizeof *c);
            refuse(why);
            return false;
        }
        int others = others_hold_it(fd);
        bool gone = others == 0;
        if (gone && gone_before) {
            report_problem("the object %s was never initialised: nobody holds it open, so its "
                           "creator ended before it could. It was left untouched; it is safe "
                           "to remove: rm /dev/shm%s",
                           name, name);
            return false;
        }
        if (now_ms() >= deadline) {
            report_problem("the object %s is still not initialised after %d s, and %s. It was "
                           "left untouched; try again later",
                           name, JOIN_WAIT_MS / 1000, creator_status(others));
            return false;
        }
        gone_before = gone;
        sleep_ms(1);
    }
    return true;
}

/* Never trust shared memory: check the header and the count before using
 * them. On a refusal the object is left exactly as it was. */
static void refuse_damaged(const char *why)
{
    report_problem("the object %s holds one of our counters, but it is damaged: %s. It was "
                   "left untouched; once no copy runs, remove it with: rm /dev/shm%s",
                   name, why, name);
}

static bool check_header(int fd, const struct shared_counter *c, size_t object_size)
{
    if (!wait_until_ready(fd, c, object_size))
        return false;
    const char *why =
        header_problem(atomic_load(&c->magic), c->version, c->size, sizeof *c, object_size);
    if (why != NULL) {
        refuse(why);
        return false;
    }
    int n = atomic_load(&c->instances);
    why = n == OBJECT_CLOSED ? NULL : count_problem(n);
    if (why != NULL) {
        refuse_damaged(why);
        return false;
    }
    return true;
}

/* --- Step 2: map it (after its size is there), initialise it if we
 * created it, check it ----------------------------------------------------- */
static enum step map_object(int fd, bool created, struct stat *st, struct shared_counter **out)
{
    if (!wait_for_size(fd, st))
        return STEP_FAILED;
    /* excerpt: map */
    /* mmap returns MAP_FAILED, not NULL, on failure. MAP_SHARED: our
     * stores reach the object, and every other copy sees them. */
    void *at = mmap(NULL, sizeof(struct shared_counter), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (at == MAP_FAILED) {
        report_errno("mmap", name, errno);
        return STEP_FAILED;
    }
    struct shared_counter *c = at;

    if (created) {
        /* posix_fallocate filled it with zeros. Fill in the header, then
         * publish it by storing the magic last, with release order. */
        c->version = COUNTER_VERSION;
        c->size = sizeof *c;
        atomic_store_explicit(&c->instances, 0, memory_order_relaxed);
        atomic_store_explicit(&c->magic, COUNTER_MAGIC, memory_order_release);
    }
    /* end excerpt */
    if (!check_header(fd, c, (size_t)st->st_size)) {
        munmap(c, sizeof *c);
        return STEP_FAILED;
    }
    *out = c;
    return STEP_OK;
}

/* --- Step 3: join -----------------------------------------------------------
 * Returns the count with us in it, OBJECT_CLOSED when the last copy
 * closed this object before we could join it, or COUNT_DAMAGED, having
 * changed nothing, when the count became a value no copy could have
 * stored (we checked it once, but anyone who can open it can write it). */
#define COUNT_DAMAGED (-2)
/* excerpt: join */
static int join(int fd, const struct stat *st, struct shared_counter *c)
{
    int seen = atomic_load(&c->instances);
    int next;
    bool stale;
    struct mappers m;
    do {
        if (seen == OBJECT_CLOSED)
            return OBJECT_CLOSED;
        if (count_problem(seen) != NULL) {
            refuse_damaged(count_problem(seen));
            return COUNT_DAMAGED;
        }
        /* Every counted copy keeps the object mapped until after it
         * leaves, so a count above 0 while we are the only process that
         * maps it was left by copies that were killed: start again from 0.
         * The compare-exchange fails if anybody changed the count since we
         * looked. The scan runs only here, at leave and at a peek: one file
         * read per process on the machine is far too dear for a loop. */
        stale = seen > 0 && only_mapper(fd, st, &m);
        next = stale ? 1 : seen + 1;
    } while (!atomic_compare_exchange_weak(&c->instances, &seen, next));
    if (stale)
        print_note("the stored count %d was stale: no other process maps the object (copies "
                   "were killed without leaving); starting again from 0",
                   seen);
    return next;
}
/* end excerpt */

/* --- Step 5: leave ----------------------------------------------------------
 * Takes us out of the count: *next is what we stored, the count without us
 * or OBJECT_CLOSED when we closed the object. Returns false, storing
 * nothing, when *seen is a value no counted copy can find: OBJECT_CLOSED
 * (someone closed the object while we were still counted in it), 0, or
 * damage. */
/* excerpt: leave */
static bool leave(int fd, const struct stat *st, struct shared_counter *c, int *seen, int *next)
{
    struct mappers m;
    *seen = atomic_load(&c->instances);
    do {
        if (*seen <= 0 || count_problem(*seen) != NULL)
            return false;
        /* The last copy marks the object closed in the same atomic step
         * as its decrement: a newcomer that opened the name a moment ago
         * then sees CLOSED and starts over, instead of counting itself in
         * an object whose name is about to go (the split brain of demo 03).
         * "Last" also means "the only process that maps it": the rest of
         * the count then belongs to copies that were killed, and we close
         * whatever the count says. A newcomer that opens it just after our
         * look must change the count to be counted, and only one
         * compare-exchange wins; demo 03's leave gives the one race this
         * cannot see (ABA), which a stranded copy survives by joining again. */
        bool alone = *seen > 1 && only_mapper(fd, st, &m);
        *next = *seen == 1 || alone ? OBJECT_CLOSED : *seen - 1;
    } while (!atomic_compare_exchange_weak(&c->instances, seen, *next));
    return true;
}

/* Unlink a closed object's name. The copy that closed it does; another
 * copy that finds it closed only when nobody else holds it open, so its
 * closer was killed before it could. Why only them: a copy that finds the
 * object closed while its closer is still at work might unlink, a moment
 * later, the name of a new object that another copy has just made under
 * it (the split brain again); and while we hold our object open, no other
 * such helper can find itself alone with it. After an rm, the name may
 * lead to a new object, which is not ours to remove: compare the inodes.
 * (An rm and a new object between that look and the unlink would still
 * lose the new name: its copies notice, and say so.) Returns 0, or the
 * errno of a failure for the caller to report. */
static int remove_object(int fd, bool closer)
{
    if (!closer && others_hold_it(fd) != 0)
        return 0; /* its closer, or a copy like us, is still there */
    struct stat ours, now;
    if (fstat(fd, &ours) == -1)
        return errno;
    if (ours.st_nlink == 0)
        return 0; /* unlinked already (rm, or another copy) */
    int probe = shm_open(name, O_RDONLY, 0);
    if (probe == -1)
        return errno == ENOENT ? 0 : errno;
    bool same = fstat(probe, &now) == 0 && now.st_dev == ours.st_dev && now.st_ino == ours.st_ino;
    close(probe);
    if (same && shm_unlink(name) == -1 && errno != ENOENT)
        return errno;
    return 0;
}
/* end excerpt */

/* --- The live loop's cheap look: has our name been unlinked? ------------
 * One fstat per poll: st_nlink is the number of names the file has, 0 once
 * rm or shm_unlink took the last one. The memory stays until the last
 * process unmaps it and closes it. */
static void watch_name(int fd, bool *told)
{
    struct stat st;
    if (*told || fstat(fd, &st) == -1 || st.st_nlink > 0)
        return;
    *told = true;
    print_note("the object's name %s was unlinked (rm /dev/shm%s?): this copy goes on counting "
               "in it, but new copies will start a new object",
               name, name);
}

/* --- --peek: the count and the mappers, without joining ----------------- */
static int peek(void)
{
    int fd = shm_open(name, O_RDONLY, 0); /* never creates; read-only is all a peek needs */
    if (fd == -1 && errno == ENOENT) {
        print_peek_mappers(0, 0);
        return EXIT_OK;
    }
    if (fd == -1) {
        report_errno("shm_open", name, errno);
        if (errno == EACCES)
            explain_eacces();
        return EXIT_SYSCALL;
    }
    struct stat st;
    if (!wait_for_size(fd, &st)) {
        close(fd);
        return EXIT_SYSCALL;
    }
    const struct shared_counter *c = mmap(NULL, sizeof *c, PROT_READ, MAP_SHARED, fd, 0);
    if (c == MAP_FAILED) {
        report_errno("mmap", name, errno);
        close(fd);
        return EXIT_SYSCALL;
    }
    int status = EXIT_SYSCALL;
    struct mappers m;
    if (!check_header(fd, c, (size_t)st.st_size))
        goto out;
    /* A read-only mapping is enough: on the CPUs this suite builds for
     * (x86-64, arm64) the atomic load of a lock-free int is one plain load
     * instruction, which never writes. C11 does not promise that. */
    int n = atomic_load(&c->instances);
    if (count_mappers(st.st_dev, st.st_ino, &m) == -1) {
        report_errno("opendir", "/proc", errno);
        goto out;
    }
    if (n == OBJECT_CLOSED)
        n = 0; /* a leaving copy closed it: nobody is counted, it is being unlinked */
    long others = m.count - 1; /* every mapper but this peek */
    print_peek_mappers(n, others);
    /* The count and the scan are two moments: a copy may join before our
     * load and leave before the scan reaches it, so a second load must
     * agree with the first. Even then the scan may miss copies: only the
     * kernel's answer, nobody else holds it open, proves the count stale. */
    if (n > others && atomic_load(&c->instances) == n) {
        if (others_hold_it(fd) == 0)
            print_note("instances=%d but no process holds the object open: the count is "
                       "stale (copies were killed without leaving)",
                       n);
        else if (m.unreadable == 0)
            print_note("instances=%d but mappers=%ld: copies were killed without leaving, or "
                       "run where this peek cannot see them (another PID namespace)",
                       n, others);
        else
            print_note("instances=%d but mappers=%ld: copies were killed without leaving, or "
                       "run where this peek cannot see them (another PID namespace, or among "
                       "the %ld %s this user may not inspect)",
                       n, others, m.unreadable, m.unreadable == 1 ? "process" : "processes");
    }
    status = EXIT_OK;
out:
    munmap((void *)c, sizeof *c);
    close(fd);
    return status;
}

/* --- Steps 1-3 together: open or create, map and check, join -------------
 * Start again whenever the object we found was being closed by its last
 * copy: after a pause that grows from 1 ms to PAUSE_MAX_MS, for up to
 * JOIN_WAIT_MS on the monotonic clock. Returns the count with us in it,
 * or -1 after reporting a failure. */
static int open_and_join(int *fd, struct stat *st, struct shared_counter **shm)
{
    long long deadline = now_ms() + JOIN_WAIT_MS;
    unsigned pause_ms = 1;
    for (;;) {
        bool created;
        enum step s = open_or_create(fd, &created);
        if (s == STEP_OK) {
            s = map_object(*fd, created, st, shm);
            if (s != STEP_OK)
                close(*fd);
        }
        if (s == STEP_FAILED)
            return -1; /* reported once, where it failed */
        if (s == STEP_OK) {
            int count = join(*fd, st, *shm);
            if (count == COUNT_DAMAGED) {
                munmap(*shm, sizeof **shm);
                close(*fd);
                return -1;
            }
            if (count != OBJECT_CLOSED)
                return count;
            /* Closed under us: unlink it if its closer was killed before
             * it could, then start again. */
            remove_object(*fd, false);
            munmap(*shm, sizeof **shm);
            close(*fd);
        }
        if (now_ms() >= deadline)
            break;
        sleep_ms(pause_ms);
        if (pause_ms < PAUSE_MAX_MS)
            pause_ms *= 2;
    }
    report_problem("gave up after %d s: the object %s was being closed every time this copy "
                   "tried to join; run it again, or if it stays closed: rm /dev/shm%s",
                   JOIN_WAIT_MS / 1000, name, name);
    return -1;
}

int main(int argc, char **argv)
{
    const struct cli_option name_option = { "--name", "NAME",
                                            "the object's name (default /shm-suite-04): a '/', "
                                            "then up to 254 bytes with no '/'",
                                            set_name };
    const struct cli_spec spec = {
        .summary = "count running copies in a POSIX shared memory object",
        .details = "Peek prints instances=N mappers=M: M is the number of other processes\n"
                   "whose /proc/PID/maps shows the object (of those this user may inspect).\n"
                   "POSIX shared memory keeps no attach count: a copy alone with the object\n"
                   "(no other mapper, and no other process holding it open, which the\n"
                   "kernel tells through a write lease) resets a stale count at join,\n"
                   "and removes the object at leave whatever the count says.\n"
                   "Look at the object with: ls -l /dev/shm",
        .extra = &name_option,
        .extra_count = 1,
        .ctx = name,
    };
    struct cli cli;

    set_program_name(argv[0]);
    int status = cli_parse(&cli, argc, argv, &spec);
    if (status >= 0)
        return status;

    /* Handlers first: a signal from now on waits (blocked) for the live
     * loop's first stop_wait, which then ends, and we leave properly even
     * if the signal came before we joined. SIGIO is what the kernel sends
     * a lease holder when another process opens the file (others_hold_it):
     * its default action would end us. */
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    if (!stop_install(cli.hold) || sigaction(SIGIO, &ignore, NULL) == -1)
        return EXIT_SYSCALL;

    if (cli.peek)
        return peek();

    /* Steps 1-3: open or create, map and check, join. */
    int fd = -1;
    struct stat st;
    struct shared_counter *shm = NULL;
    int count = open_and_join(&fd, &st, &shm);
    if (count < 0)
        return EXIT_SYSCALL;
    print_joined(count);

    /* Step 4: the live loop. Print the count whenever it changes; no /proc
     * scan here, only a load and one fstat. */
    bool told_unlinked = false;
    while (!stop_wait(POLL_MS)) {
        int now = atomic_load(&shm->instances);
        if (now == OBJECT_CLOSED) {
            /* We are counted in it, yet it was closed: the ABA race of
             * leave, or another program that stored the mark. Nobody
             * counts us now: join again. */
            print_note("the object %s was closed while this copy was still counted in it; "
                       "joining again",
                       name);
            remove_object(fd, false); /* as any newcomer that finds it closed does */
            munmap(shm, sizeof *shm);
            close(fd);
            count = open_and_join(&fd, &st, &shm);
            if (count < 0)
                return EXIT_SYSCALL;
            print_joined(count);
            told_unlinked = false;
            continue;
        }
        if (count_problem(now) != NULL)
            continue; /* damaged by someone else: show nothing we cannot trust */
        if (now != count && !cli.quiet)
            print_now(now);
        count = now;
        watch_name(fd, &told_unlinked);
    }

    if (cli.crash) {
        print_crashing(count);
        crash_self(); /* no leave, no munmap: the kernel unmaps and closes for us */
    }

    /* Step 5: leave; the last copy out, or the only one that still maps
     * the object, closes it and unlinks its name. */
    status = EXIT_OK;
    int seen, next;
    if (!leave(fd, &st, shm, &seen, &next)) {
        if (seen == OBJECT_CLOSED) {
            print_note("the object %s was closed while this copy was still counted in it: "
                       "nobody counted this copy any more",
                       name);
            remove_object(fd, false);
            print_left(0);
        } else {
            report_problem("the counter in the object %s holds %d, which cannot be while this "
                           "copy is counted in it: something else changed it. It was left "
                           "alone; once no copy runs, remove it with: rm /dev/shm%s",
                           name, seen, name);
            status = EXIT_SYSCALL;
        }
    } else if (next == OBJECT_CLOSED) {
        if (seen > 1)
            print_note("the stored count %d was stale: no other process maps the object, so "
                       "the other %d ended without leaving (killed or crashed); closing and "
                       "unlinking it",
                       seen, seen - 1);
        int err = remove_object(fd, true);
        if (err != 0) {
            report_errno("shm_unlink", name, err);
            status = EXIT_SYSCALL;
        }
        print_left(0);
    } else {
        print_left(next);
    }

    /* Step 6: unmap and close. The memory goes when the last process
     * that maps the object, or holds it open, lets go of an unlinked one. */
    if (munmap(shm, sizeof *shm) == -1) {
        report_errno("munmap", name, errno);
        status = EXIT_SYSCALL;
    }
    if (close(fd) == -1) {
        report_errno("close", name, errno);
        status = EXIT_SYSCALL;
    }
    stop_done();
    return status;
}
