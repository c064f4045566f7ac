/*
 * mmap_file.c - demo 05: count the running copies of this program in an
 * ordinary file that every copy maps with mmap(MAP_SHARED).
 *
 * Every copy opens one file (creating it, complete, if it is the first),
 * maps it, adds one to an atomic counter in it, prints the count whenever
 * it changes, and takes its one away when it leaves. The pages of a file
 * are in the kernel's page cache once for the whole machine, and every
 * MAP_SHARED mapping of the file maps those very pages: what one copy
 * stores, the others load at once. The file stays after the last copy has
 * left, holding 0. A copy killed with SIGKILL never takes its one away, and
 * nothing in the kernel counts the mappings for us, so the demo counts them
 * itself in /proc/PID/maps: a copy that finds itself the only one mapping
 * the file, at join or at leave, mends a count that killed copies left.
 *
 * Build this file on its own (from this folder, in bash):
 *   cc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 05-mmap-file mmap_file.c ../../common/{cli,errors,header_check,mappers,output,stop}.c
 *
 * Example session (two terminals; PIDs will differ):
 *   one$ ./05-mmap-file --file lab.count     two$ ./05-mmap-file --file lab.count --hold 2
 *   joined pid=4101 instances=1              joined pid=4102 instances=2
 *   now instances=2                          left pid=4102 instances=1
 *   now instances=1
 *   (Enter)                                  two$ ./05-mmap-file --file lab.count --peek
 *   left pid=4101 instances=0                instances=0 mappers=0
 */
#define _XOPEN_SOURCE 700 /* mkstemp, fchmod, fsync, pread, O_NOFOLLOW: POSIX.1-2008 and XSI */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"
#include "errors.h"
#include "header_check.h"
#include "mappers.h"
#include "output.h"
#include "stop.h"

/* The file every copy agrees on unless --file says otherwise: this name in
 * $TMPDIR, or in /tmp when TMPDIR is unset or empty. */
#define DEFAULT_NAME "shm-suite-05.count"

/* A new file is written under PATH.init-XXXXXX (mkstemp fills in the Xs)
 * and gets its real name only once it is complete. */
#define TEMP_SUFFIX ".init-XXXXXX"

#define POLL_MS 100    /* how often the live loop looks at the count */
#define OPEN_TRIES 100 /* open, or create, a file that others keep removing */

/* excerpt: layout */
/* --- Step 0: the shared layout -------------------------------------------
 * The file's first 16 bytes, in this machine's byte order. Atomics in
 * shared memory must be lock-free: a C11 atomic that is not is guarded by
 * a lock inside each process, which another process never sees. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");

struct shared_counter {
    /* COUNTER_MAGIC. A file gets its name only after all four fields are
     * written (step 1), so a file under the name with any other magic is
     * not one of ours, and nobody ever waits for one to be finished. */
    atomic_uint magic;
    /* COUNTER_VERSION: a file laid out by another build is refused. */
    uint32_t version;
    /* sizeof(struct shared_counter) as the creator saw it. */
    uint32_t size;
    /* Copies that joined and have not left. Changed only with atomic
     * read-modify-write operations: a plain ++ loses updates when two
     * copies run it at the same moment. */
    atomic_int instances;
};
/* end excerpt */

enum step { STEP_OK, STEP_RETRY, STEP_FAILED };

/* The counter file this copy uses: where it is, the open descriptor, and
 * what fstat said about it (st_dev and st_ino identify it on this machine). */
struct counter_file {
    const char *path;
    int fd;
    struct stat st;
    struct shared_counter *c; /* the mapping, once made */
};

static char file_path[PATH_MAX];

/* --- The command line: --file PATH ---------------------------------------
 * Only what the text alone shows to be wrong is a usage error. Whether the
 * folder exists, may be written, or already holds something else under the
 * name, only the system can tell, when we try: those are failures (exit 1). */
static const char *set_file(const char *value, void *ctx)
{
    size_t len = strlen(value);
    const char *base = strrchr(value, '/');
    base = base != NULL ? base + 1 : value;
    if (len == 0)
        return "must name a file";
    if (len + sizeof TEMP_SUFFIX > PATH_MAX)
        return "is too long: with the temporary suffix " TEMP_SUFFIX
               " it would not fit in PATH_MAX bytes";
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return "names a folder, not a file in it";
    snprintf(ctx, PATH_MAX, "%s", value);
    return NULL;
}

/* The folder of a path, for messages: "." for a bare name. */
static const char *folder_of(const char *path)
{
    static char folder[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return ".";
    if (slash == path)
        return "/";
    snprintf(folder, sizeof folder, "%.*s", (int)(slash - path), path);
    return folder;
}

/* "uid 1000 (student)", or just "uid 1000" when it has no name. */
static const char *user_text(uid_t uid)
{
    static char text[96];
    const struct passwd *pw = getpwuid(uid);
    if (pw != NULL)
        snprintf(text, sizeof text, "uid %lu (%s)", (unsigned long)uid, pw->pw_name);
    else
        snprintf(text, sizeof text, "uid %lu", (unsigned long)uid);
    return text;
}

/* PROGRAM: CALL(WHAT): ENAME (text): HINT, on one line. */
static void report_errno_hint(const char *call, const char *what, int err, const char *hint)
{
    report_problem("%s(%s): %s (%s): %s", call, what, errno_name(err), strerror(err), hint);
}

/* Say why a file that is not ours is refused, and how to get past it. */
static void refuse(const char *path, const char *why)
{
    report_problem("%s is not one of our counter files: %s. It was left untouched; use another "
                   "--file, or if the file is yours to remove: rm %s",
                   path, why, path);
}

/* open failed: say why in words a student can act on. */
static void explain_open_failure(const char *path, int err, const char *access)
{
    struct stat st;
    if (err == ELOOP && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* O_NOFOLLOW turns a symbolic link into ELOOP (man 2 open). */
        report_problem("%s is a symbolic link, and this program opens only a file itself "
                       "(O_NOFOLLOW): in a folder that others may write, such as /tmp, anyone "
                       "can plant a link there that points at a file of yours. It was left "
                       "untouched; name the file it points to with --file, or remove the link: "
                       "rm %s",
                       path, path);
    } else if (err == EISDIR) {
        refuse(path, "it is a directory");
    } else if (err == EACCES && stat(path, &st) == 0) {
        char hint[256];
        snprintf(hint, sizeof hint,
                 "the file belongs to %s and has mode %04o, which does not let this user "
                 "open it to %s; use a --file of your own",
                 user_text(st.st_uid), (unsigned)(st.st_mode & 07777), access);
        report_errno_hint("open", path, err, hint);
    } else if (err == EACCES) {
        report_errno_hint("open", path, err,
                          "a folder on the way to it does not let this user search it");
    } else {
        report_errno("open", path, err);
    }
}

/* excerpt: create */
/* --- Step 1: create the file, complete, under its name --------------------
 * A file appears under its name only once it is whole: written under a
 * temporary name first, then given the real name with link(), which fails
 * with EEXIST if the name is taken. So exactly one creator wins, and no
 * copy can ever open a file that is half written. (rename() would not do:
 * it silently replaces a file that is already there, so two creators would
 * both "win", and copies counting in the first file would lose it.)
 * Returns STEP_OK with *fd open on the new file, or STEP_RETRY if another
 * copy named its file first. */
static enum step create_complete(const char *path, int *fd)
{
    char temp[PATH_MAX + sizeof TEMP_SUFFIX]; /* set_file keeps it within PATH_MAX */
    snprintf(temp, sizeof temp, "%s" TEMP_SUFFIX, path);
    /* mkstemp: a new file under a unique name in the same folder (link
     * cannot cross file systems), opened O_RDWR | O_CREAT | O_EXCL. */
    *fd = mkstemp(temp);
    if (*fd == -1) {
        int err = errno;
        snprintf(temp, sizeof temp, "%s" TEMP_SUFFIX, path); /* as it was: mkstemp changed it */
        char hint[PATH_MAX + 64];
        snprintf(hint, sizeof hint,
                 err == ENOENT   ? "there is no folder %s"
                 : err == EACCES ? "this user may not create files in %s"
                                 : "could not create a file in %s",
                 folder_of(path));
        report_errno_hint("mkstemp", temp, err, hint);
        return STEP_FAILED;
    }
    struct shared_counter header;
    atomic_init(&header.magic, COUNTER_MAGIC);
    header.version = COUNTER_VERSION;
    header.size = sizeof header;
    atomic_init(&header.instances, 0);

    const char *failed = NULL;
    ssize_t wrote = 0;
    /* fchmod: exactly 0600, owner read and write. The mode bits that
     * open() and mkstemp() give are filtered by the umask; fchmod's are not. */
    if (fchmod(*fd, 0600) == -1)
        failed = "fchmod";
    else if ((wrote = pwrite(*fd, &header, sizeof header, 0)) != (ssize_t)sizeof header)
        failed = "pwrite";
    /* fsync: the bytes reach the disk before the name does, so that a
     * machine that loses power cannot come back with an empty file under
     * the name. */
    else if (fsync(*fd) == -1)
        failed = "fsync";
    else if (link(temp, path) == -1)
        failed = "link";
    int err = errno;
    if (failed != NULL && strcmp(failed, "pwrite") == 0 && wrote >= 0)
        err = ENOSPC; /* a short write sets no errno: the disk is full */
    unlink(temp);     /* whatever happened: the temporary name must not stay */
    if (failed == NULL)
        return STEP_OK; /* *fd is the file that now has the name */
    close(*fd);
    if (strcmp(failed, "link") != 0)
        report_errno(failed, temp, err);
    else if (err == EEXIST)
        return STEP_RETRY; /* another copy was first: use its file */
    else if (err == EPERM)
        report_errno_hint("link", path, err,
                          "this file system has no hard links; put the file on another, "
                          "such as /tmp");
    else
        report_errno("link", path, err);
    return STEP_FAILED;
}
/* end excerpt */

/* excerpt: open */
/* Open the file, or create it if there is none. O_NOFOLLOW: a symbolic
 * link under the name is refused, not followed (see explain_open_failure).
 * O_NONBLOCK: a FIFO planted under the name (mkfifo needs no rights but the
 * folder's) must not keep open() waiting for a writer; check_file refuses
 * it. On a regular file the flag changes nothing (man 2 open).
 * No O_CREAT here: only create_complete makes files. */
static bool open_or_create(const char *path, int *fd)
{
    for (int try = 0; try < OPEN_TRIES; try++) {
        *fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (*fd != -1)
            return true;
        if (errno != ENOENT) {
            explain_open_failure(path, errno, "read and write");
            return false;
        }
        enum step s = create_complete(path, fd);
        if (s != STEP_RETRY)
            return s == STEP_OK;
        /* Another copy created it first: open that one. */
    }
    report_problem("gave up after %d tries: %s was created and removed again every time this "
                   "copy tried to open it; run it again",
                   OPEN_TRIES, path);
    return false;
}
/* end excerpt */

/* excerpt: check */
/* --- Step 2a: is it one of our files? Look before you map ----------------
 * Never trust a file: check what fstat says and read the header with
 * pread, into a copy of our own, before the file is mapped. A file that is
 * not ours is never mapped for writing, and is left exactly as it was. A
 * file shorter than the header would be worse than wrong: touching a mapped
 * page that lies wholly past the end of the file raises SIGBUS. */
static bool check_file(struct counter_file *f)
{
    if (fstat(f->fd, &f->st) == -1) {
        report_errno("fstat", f->path, errno);
        return false;
    }
    if (S_ISDIR(f->st.st_mode)) { /* open(O_RDONLY) opens one: --peek gets here */
        refuse(f->path, "it is a directory");
        return false;
    }
    if (!S_ISREG(f->st.st_mode)) {
        refuse(f->path, "it is not a regular file (a device, a pipe or a socket)");
        return false;
    }
    /* Only the file's owner may use it, even where the mode would let
     * others in: in a folder that everyone may write, such as /tmp, anyone
     * can make the file first, with a mode that lets them change our count. */
    if (f->st.st_uid != geteuid()) {
        report_problem("%s is not one of our counter files: it belongs to %s, not to this user, "
                       "and in a folder that others may write (such as /tmp) anyone may put a "
                       "file under the name first. It was left untouched; use another --file",
                       f->path, user_text(f->st.st_uid));
        return false;
    }
    struct shared_counter header; /* a copy of the bytes, not the file */
    memset(&header, 0, sizeof header);
    if (pread(f->fd, &header, sizeof header, 0) == -1) {
        report_errno("pread", f->path, errno);
        return false;
    }
    /* A plain read of an atomic member is an atomic load (C11 6.2.6.1p9). */
    const char *why = header_problem(header.magic, header.version, header.size, sizeof header,
                                     (size_t)f->st.st_size);
    if (why != NULL) {
        refuse(f->path, why);
        return false;
    }
    why = count_problem(header.instances);
    if (why != NULL) {
        report_problem("%s holds one of our counters, but it is damaged: %s. It was left "
                       "untouched; once no copy is using it (%s --peek --file %s says "
                       "mappers=0), remove it with: rm %s",
                       f->path, why, program_name, f->path, f->path);
        return false;
    }
    return true;
}
/* end excerpt */

/* excerpt: map */
/* --- Step 2b: map it -------------------------------------------------------
 * MAP_SHARED: stores go to the file's pages in the page cache, which every
 * process that maps the file shares (MAP_PRIVATE would give us a private
 * copy of each page as soon as we write it). The kernel maps whole pages:
 * in the last page, the bytes past the end of the file (all but our 16, in
 * a file we made) read as zeros, and what is stored there never reaches
 * the file. */
static bool map_file(struct counter_file *f)
{
    void *p = mmap(NULL, sizeof *f->c, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
    if (p == MAP_FAILED) { /* MAP_FAILED, (void *)-1, not NULL */
        report_errno("mmap", f->path, errno);
        return false;
    }
    f->c = p;
    return true;
}
/* end excerpt */

/* --- The stand-in for an attach count --------------------------------------
 * Is this copy the only process that maps the file? The kernel keeps no
 * count of a file's mappings (System V keeps shm_nattch), but every
 * mapping shows in /proc/PID/maps with the file's device and inode, and
 * common/mappers.c counts the processes whose maps show ours. Processes we
 * may not inspect are left out: they are other users' (or, for a
 * non-root copy, root's), and none of them counts in our file, because a
 * copy refuses a file it does not own (check_file). A failed scan is
 * never taken as "alone". */
static bool only_mapper(const struct counter_file *f)
{
    struct mappers m;
    return count_mappers(f->st.st_dev, f->st.st_ino, &m) == 0 && m.count == 1;
}

/* --- The lock around join and leave -----------------------------------------
 * A scan reads one process after another: it is no snapshot. Without a lock,
 * a copy that joins after the scan has passed its pid, and a counted copy
 * that leaves and unmaps before the scan reaches its pid, put back the count
 * the scanner read (the ABA problem): the scanner sees itself alone, and its
 * compare-exchange resets a count that the newcomer is in. So every copy
 * joins and leaves holding a write lock on the whole file (fcntl F_SETLKW,
 * a POSIX record lock): while one copy scans, no count can change, and no
 * counted copy can leave. The kernel drops the lock when the process ends,
 * SIGKILL included, and also when the process closes any descriptor of the
 * file (man 2 fcntl): this program keeps just the one. The stop signals
 * are blocked here (stop.h), so the wait is not cut short by EINTR.
 * Returns false, after saying why, when the system cannot lock the file
 * (ENOLCK, say, when a remote locking protocol fails on NFS). */
static bool lock_count(const struct counter_file *f, short type)
{
    struct flock lock = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    if (fcntl(f->fd, F_SETLKW, &lock) == 0)
        return true;
    report_errno(type == F_UNLCK ? "fcntl(F_SETLKW, F_UNLCK)" : "fcntl(F_SETLKW, F_WRLCK)", f->path,
                 errno);
    return false;
}

/* --- Step 3: join -----------------------------------------------------------
 * Returns the count with us in it; *locked says whether the lock was taken
 * (without it the copy still counts, with a plain atomic add, but mends no
 * stale count, and exits 1 in the end). */
/* excerpt: join */
static int join(const struct counter_file *f, bool *locked)
{
    /* Every counted copy maps the file from before it joins until after it
     * leaves, so a count above 0 while nobody but us maps it, with the lock
     * held, was left by copies that were killed: start again from 0. The
     * compare-exchange only fails if a copy that could not take the lock
     * changed the count since we looked; then we only add our one. The
     * scan is slow (one file per process), so it runs only when the count
     * is above 0, and once. */
    *locked = lock_count(f, F_WRLCK);
    int seen = atomic_load(&f->c->instances);
    int count;
    if (*locked && seen > 0 && only_mapper(f) &&
        atomic_compare_exchange_strong(&f->c->instances, &seen, 1)) {
        print_note("the stored count %d was stale: no other process maps %s (copies were killed "
                   "without leaving); starting again from 0",
                   seen, f->path);
        count = 1;
    } else {
        count = atomic_fetch_add(&f->c->instances, 1) + 1;
    }
    if (*locked)
        *locked = lock_count(f, F_UNLCK);
    return count;
}
/* end excerpt */

/* --- Step 5: leave ----------------------------------------------------------
 * Takes us out of the count: *next is what we stored. Returns false,
 * storing nothing, when *seen is a value no counted copy can find (0, a
 * negative number, or damage). *locked as in join. */
/* excerpt: leave */
static bool leave(const struct counter_file *f, int *seen, int *next, bool *locked)
{
    *locked = lock_count(f, F_WRLCK);
    *seen = atomic_load(&f->c->instances);
    /* The mirror of join: the last process that maps the file stores 0,
     * whatever the count says, so that the file does not keep the ones of
     * killed copies. A newcomer that has mapped the file shows in the scan;
     * one that maps it after the scan waits for our lock to join, and then
     * counts from 0. */
    bool done = false, ok = true;
    if (*locked && *seen > 1 && only_mapper(f)) {
        int expected = *seen;
        if (atomic_compare_exchange_strong(&f->c->instances, &expected, 0)) {
            *next = 0;
            done = true;
        } else {
            *seen = expected; /* a copy without the lock changed it: take only our one */
        }
    }
    while (!done) {
        if (*seen <= 0 || count_problem(*seen) != NULL) {
            ok = false; /* store nothing */
            break;
        }
        *next = *seen - 1;
        done = atomic_compare_exchange_weak(&f->c->instances, seen, *next);
    }
    if (*locked)
        *locked = lock_count(f, F_UNLCK);
    return ok;
}
/* end excerpt */

/* --- The live loop's look at the name -------------------------------------
 * rm PATH (or mv) while copies run takes the name away, not the file: the
 * copies keep counting in the file they have open, and the next copy makes
 * a new file under the name and counts there. Say so, once. */
static void watch_name(const struct counter_file *f, bool *told)
{
    struct stat now;
    bool same =
        lstat(f->path, &now) == 0 && now.st_dev == f->st.st_dev && now.st_ino == f->st.st_ino;
    if (!same && !*told)
        print_note("%s was removed or replaced (rm? mv?): this copy goes on counting in the file "
                   "it opened, but copies started from now on will count in another",
                   f->path);
    *told = !same;
}

/* The count as the file holds it now, read with pread. */
static bool read_count(const struct counter_file *f, int *n)
{
    ssize_t got = pread(f->fd, n, sizeof *n, offsetof(struct shared_counter, instances));
    if (got == (ssize_t)sizeof *n)
        return true;
    report_errno("pread", f->path, got == -1 ? errno : EIO); /* short: cut under us */
    return false;
}

/* --- --peek: the count and the number of mappers, without joining ------- */
/* excerpt: peek */
static int peek(const char *path)
{
    struct counter_file f = { path, -1, { 0 }, NULL };
    /* Read only, and never created: no file means nobody is counted.
     * O_NONBLOCK: opening a FIFO to read would wait for a writer for ever. */
    f.fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (f.fd == -1 && errno == ENOENT) {
        print_peek_mappers(0, 0);
        return EXIT_OK;
    }
    if (f.fd == -1) {
        explain_open_failure(path, errno, "read");
        return EXIT_SYSCALL;
    }
    if (!check_file(&f)) {
        close(f.fd);
        return EXIT_SYSCALL;
    }
    /* pread, not a mapping: a peek that mapped the file would count
     * itself among the mappers. Read the count before and after the scan:
     * a count that changed while we looked is never called stale. It takes
     * no lock: a peek must not wait for copies. */
    int before, after;
    struct mappers m;
    if (!read_count(&f, &before)) {
        close(f.fd);
        return EXIT_SYSCALL;
    }
    int scan_error = count_mappers(f.st.st_dev, f.st.st_ino, &m) == 0 ? 0 : errno;
    if (!read_count(&f, &after)) {
        close(f.fd);
        return EXIT_SYSCALL;
    }
    if (scan_error != 0) {
        print_peek(after, -1); /* the count alone */
        print_note("could not read /proc to count the processes that map %s: %s", path,
                   errno_name(scan_error));
        close(f.fd);
        return EXIT_OK;
    }
    print_peek_mappers(after, m.count);
    /* end excerpt */
    /* Every counted copy maps the file while it is counted, so a count
     * above the number of mappers, unchanged while we scanned, means copies
     * ended without leaving. (Unless copies joined and left in equal
     * numbers while we looked, which puts back the count we read first.) */
    if (after == before && after > m.count)
        print_note("instances=%d but mappers=%ld: the count is stale (copies were killed without "
                   "leaving); the next copy to find itself alone starts again from 0",
                   after, m.count);
    close(f.fd);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    const struct cli_option file_option = {
        "--file", "PATH", "the file (default shm-suite-05.count in $TMPDIR or /tmp)", set_file
    };
    const struct cli_spec spec = {
        .summary = "count running copies in a file mapped with mmap(MAP_SHARED)",
        .details = "Peek prints instances=N mappers=M: M is the number of processes whose\n"
                   "/proc/PID/maps shows the file (those this user may inspect). A copy\n"
                   "that joins or leaves while no other process maps the file mends a\n"
                   "count that killed copies left. The file stays after the last copy\n"
                   "leaves, holding 0; remove it with rm when no copy runs.",
        .extra = &file_option,
        .extra_count = 1,
        .ctx = file_path,
    };
    struct cli cli;

    set_program_name(argv[0]);
    int status = cli_parse(&cli, argc, argv, &spec);
    if (status >= 0)
        return status;
    if (file_path[0] == '\0') {
        const char *dir = getenv("TMPDIR");
        if (dir == NULL || dir[0] == '\0')
            dir = "/tmp";
        char path[PATH_MAX + sizeof DEFAULT_NAME + 1];
        snprintf(path, sizeof path, "%s/%s", dir, DEFAULT_NAME);
        const char *why = set_file(path, file_path);
        if (why != NULL) {
            report_problem("the default file %s %s (TMPDIR is '%s'): use --file", path, why, dir);
            return EXIT_USAGE;
        }
    }

    /* Handlers first: a signal from now on waits (blocked) for the live
     * loop's first stop_wait, which then ends, and we leave properly even
     * if the signal came before we joined. */
    if (!stop_install(cli.hold))
        return EXIT_SYSCALL;

    if (cli.peek)
        return peek(file_path);

    /* Steps 1 and 2: open or create, check, map. */
    struct counter_file f = { file_path, -1, { 0 }, NULL };
    if (!open_or_create(f.path, &f.fd))
        return EXIT_SYSCALL;
    if (!check_file(&f) || !map_file(&f)) {
        close(f.fd);
        return EXIT_SYSCALL;
    }

    /* Step 3: join. */
    bool locked;
    int count = join(&f, &locked);
    print_joined(count);

    /* Step 4: the live loop. Print the count whenever it changes. */
    bool told = false;
    while (!stop_wait(POLL_MS)) {
        int now = atomic_load(&f.c->instances);
        if (count_problem(now) != NULL)
            continue; /* damaged by someone else: show nothing we cannot trust */
        if (now != count && !cli.quiet)
            print_now(now);
        count = now;
        watch_name(&f, &told);
    }

    if (cli.crash) {
        print_crashing(count);
        crash_self(); /* no leave, no munmap: the kernel unmaps us */
    }

    /* Step 5: leave; the last process mapping the file stores 0. */
    status = locked ? EXIT_OK : EXIT_SYSCALL; /* join could not lock: said so then */
    int seen, next;
    bool ok = leave(&f, &seen, &next, &locked);
    if (!locked)
        status = EXIT_SYSCALL;
    if (!ok) {
        report_problem("the counter in %s holds %d, which cannot be while this copy is counted "
                       "in it: something else changed it. It was left alone; once no copy is "
                       "using it (mappers=0 in --peek), remove it with: rm %s",
                       f.path, seen, f.path);
        status = EXIT_SYSCALL;
    } else {
        if (next == 0 && seen > 1)
            print_note("the stored count %d was stale: no other process maps %s, so the other "
                       "%d ended without leaving (killed or crashed); storing 0",
                       seen, f.path, seen - 1);
        print_left(next);
    }

    /* Step 6: unmap and close. Neither writes anything to the disk: the
     * kernel writes the dirty page back in its own time (see msync). */
    if (munmap(f.c, sizeof *f.c) == -1) {
        report_errno("munmap", f.path, errno);
        status = EXIT_SYSCALL;
    }
    if (close(f.fd) == -1) {
        report_errno("close", f.path, errno);
        status = EXIT_SYSCALL;
    }
    stop_done();
    return status;
}
