/*
 * mmap_fork.c - demo 06: a parent maps one anonymous page MAP_SHARED, forks
 * N children, and each child counts itself in it: join, live count, leave.
 *
 * The page has no name, no key and no file: nobody can look it up. A child
 * made by fork inherits the parent's mappings, and a MAP_SHARED mapping
 * stays the same physical page in parent and child, so only this process
 * and its descendants share the count. Nothing to clean up: the page goes
 * away with the last process that maps it. With --private the mapping is
 * MAP_PRIVATE: fork makes it copy-on-write, each child's first write gives
 * it a page of its own, and every child counts only itself.
 *
 * Build this file on its own (from this folder, in bash):
 *   cc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 06-mmap-fork mmap_fork.c ../../common/{cli,errors,header_check,output,stop}.c
 *
 * Example session (PIDs will differ; --quiet drops the "now" lines):
 *   $ ./06-mmap-fork --children 3 --hold 2 --quiet
 *   joined pid=4102 instances=1
 *   joined pid=4103 instances=2
 *   joined pid=4104 instances=3
 *   left pid=4104 instances=2
 *   left pid=4103 instances=1
 *   left pid=4102 instances=0
 *   parent: instances=0
 *   $ ./06-mmap-fork --children 3 --hold 2 --quiet --private
 *   joined pid=4106 instances=1          (and twice more: every child says 1)
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS (not in POSIX.1-2008); also POSIX.1-2008's strsignal */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "errors.h"
#include "header_check.h"
#include "output.h"
#include "stop.h"

#define POLL_MS 100        /* how often the live loop looks at the count */
#define MAX_CHILDREN 1000  /* processes: ample for a demo; fork fails (EAGAIN) past ulimit -u */
#define HOLD_MAX 31536000L /* a year, as in common/cli.c */

/* excerpt: layout */
/* --- Step 0: the shared layout ---------------------------------------------
 * The same header as demos 03-05, though nobody foreign can reach this page:
 * it has no name, and the parent fills it in before any child exists (every
 * store the parent made before calling fork is there when the child starts,
 * so no child can see it half written: no init race, no magic to wait for,
 * nothing to refuse). We keep the header so that the layouts compare line
 * by line across the demos, and so that a child can still check that it is
 * looking at a counter at all: the check costs nothing and catches our own
 * mistakes. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be shared");

struct shared_counter {
    atomic_uint magic; /* COUNTER_MAGIC */
    uint32_t version;  /* COUNTER_VERSION */
    uint32_t size;     /* sizeof(struct shared_counter) */
    /* Children that joined and have not left. Atomic read-modify-write
     * only: a plain ++ loses updates when two children run it at once. */
    atomic_int instances;
};
/* end excerpt */

struct options {
    long children; /* 1 to MAX_CHILDREN; 0 until --children is given */
    bool private_map;
    long hold; /* seconds before the parent tells the children to leave; -1: until stopped */
    bool quiet;
    bool crash;
};

/* --- The command line --------------------------------------------------------
 * Not common/cli.c: that parser prints "PROG --peek [identity option]" and
 * describes --peek in its help, and neither exists here; --children is
 * required. The messages and exit codes are the same as everywhere else. */
static void print_usage(FILE *to)
{
    fprintf(to,
            "usage: %s --children N [--private] [--hold SECONDS] [--quiet] [--crash]\n"
            "       %s --help\n",
            program_name, program_name);
}

static void print_help(void)
{
    printf("%s: a parent maps an anonymous page and its N children count themselves in it\n\n",
           program_name);
    print_usage(stdout);
    printf("\n"
           "The parent maps one page MAP_SHARED | MAP_ANONYMOUS and forks N children, one\n"
           "after another; each child joins (joined pid=<PID> instances=<N>), prints the\n"
           "count whenever it changes, and leaves when told. The parent tells them, the\n"
           "last started first, when the hold ends, on Enter or end of input at its\n"
           "terminal, or on SIGINT, SIGTERM, SIGQUIT or SIGHUP; Ctrl+C reaches every\n"
           "child at once as well. Then the parent prints parent: instances=<N>.\n\n"
           "  --children N    how many children to fork, 1 to %d (required)\n"
           "  --private       map the page MAP_PRIVATE: copy-on-write gives each child\n"
           "                  a page of its own, so every child counts only itself\n"
           "  --hold SECONDS  tell the children to leave after SECONDS (0 or more)\n"
           "  --quiet         the children print no \"now\" lines\n"
           "  --crash         the last child dies (SIGKILL) instead of leaving: its 1\n"
           "                  stays in the count, and the parent reports it\n"
           "  --help          print this help and exit\n\n"
           "No --peek, --key, --name or --file: the page has no name, so there is\n"
           "nothing to look up; only this process and its children can reach it.\n\n"
           "Exit status: 0 success, 1 a system call failed or a child did not leave\n"
           "properly (killed, or exited with a failure), 2 bad command line.\n",
           MAX_CHILDREN);
    fflush(stdout);
}

/* Returns -1 to go on, or the exit status: 0 after --help, 2 on a mistake. */
static int parse_command_line(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_help();
            return EXIT_OK;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            return cli_usage_error(print_usage, "unexpected argument '%s'", arg);
        /* --name VALUE or --name=VALUE */
        char name[32];
        const char *inline_value = strchr(arg, '=');
        size_t len = inline_value ? (size_t)(inline_value - arg) : strlen(arg);
        if (len >= sizeof name)
            return cli_usage_error(print_usage, "unknown option '%s'", arg);
        memcpy(name, arg, len);
        name[len] = '\0';
        const char *value = inline_value ? inline_value + 1 : NULL;

        /* What the other demos use to find their shared object: refused
         * with the reason, whatever value follows. */
        if (strcmp(name, "--peek") == 0)
            return cli_usage_error(print_usage,
                                   "--peek: there is nothing to look up: the shared page has no "
                                   "name, and only this program's own children can reach it "
                                   "(watch their lines instead)");
        if (strcmp(name, "--key") == 0 || strcmp(name, "--name") == 0 ||
            strcmp(name, "--file") == 0)
            return cli_usage_error(print_usage,
                                   "%s: the shared page has no name, key or file: a child reaches "
                                   "it by inheriting it through fork (demos 03, 04 and 05 show "
                                   "memory that unrelated processes find by a key, a name or a "
                                   "file)",
                                   name);

        bool wants_value = strcmp(name, "--children") == 0 || strcmp(name, "--hold") == 0;
        bool is_flag = strcmp(name, "--private") == 0 || strcmp(name, "--quiet") == 0 ||
                       strcmp(name, "--crash") == 0;
        if (!wants_value && !is_flag)
            return cli_usage_error(print_usage, "unknown option '%s'", arg);
        if (is_flag && value != NULL)
            return cli_usage_error(print_usage, "option '%s' takes no value", name);
        if (wants_value && value == NULL) {
            if (i + 1 >= argc)
                return cli_usage_error(print_usage, "option '%s' needs a value", name);
            value = argv[++i];
        }

        unsigned long number;
        if (strcmp(name, "--children") == 0) {
            if (!parse_unsigned(value, 10, MAX_CHILDREN, &number) || number < 1)
                return cli_usage_error(print_usage,
                                       "--children: '%s' is not a whole number from 1 to %d", value,
                                       MAX_CHILDREN);
            o->children = (long)number;
        } else if (strcmp(name, "--hold") == 0) {
            if (!parse_unsigned(value, 10, HOLD_MAX, &number))
                return cli_usage_error(
                    print_usage, "--hold: '%s' is not a whole number of seconds from 0 to %ld",
                    value, HOLD_MAX);
            o->hold = (long)number;
        } else if (strcmp(name, "--private") == 0) {
            o->private_map = true;
        } else if (strcmp(name, "--quiet") == 0) {
            o->quiet = true;
        } else {
            o->crash = true;
        }
    }
    if (o->children == 0)
        return cli_usage_error(print_usage,
                               "--children N is required: how many children to fork (1 to %d)",
                               MAX_CHILDREN);
    return -1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- Steps 1 and 2: create and map the page, in one call ------------------ */
/* excerpt: map */
static struct shared_counter *create_counter(bool private_map, size_t length)
{
    /* MAP_ANONYMOUS: memory backed by no file, zero-filled; fd must be -1
     * where portability matters. A mapping is preserved across fork, with
     * the same attributes (man 2 mmap). MAP_SHARED: parent and children
     * then map the same physical page, so a store by one is seen by all.
     * MAP_PRIVATE: a copy-on-write mapping; after fork parent and child
     * still read the same page, until one of them writes and gets a copy
     * of its own. */
    int flags = (private_map ? MAP_PRIVATE : MAP_SHARED) | MAP_ANONYMOUS;
    void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED) { /* MAP_FAILED, (void *)-1, not NULL */
        report_errno("mmap",
                     private_map ? "MAP_PRIVATE | MAP_ANONYMOUS" : "MAP_SHARED | MAP_ANONYMOUS",
                     errno);
        return NULL;
    }
    /* No child exists yet: plain stores are enough. */
    struct shared_counter *c = p;
    c->version = COUNTER_VERSION;
    c->size = sizeof *c;
    atomic_store(&c->instances, 0);
    atomic_store(&c->magic, COUNTER_MAGIC);
    return c;
}
/* end excerpt */

/* --- Step 3: join; step 5: leave ------------------------------------------ */
/* excerpt: join-leave */
static int join(struct shared_counter *c)
{
    return atomic_fetch_add(&c->instances, 1) + 1;
}

static int leave(struct shared_counter *c)
{
    return atomic_fetch_sub(&c->instances, 1) - 1;
}
/* end excerpt */

/* --- A child: steps 3 to 6 -----------------------------------------------
 * Runs in the child after fork and returns its exit status. joined_fd is
 * the write end of a pipe: one byte on it tells the parent we have joined,
 * so that it starts the next child only then, and the join lines read 1, 2,
 * 3 like copies started one after another. */
/* excerpt: child */
static int run_child(struct shared_counter *c, size_t length, const struct options *o,
                     bool crash_this_one, pid_t parent, int joined_fd)
{
    /* Enter at the terminal is the parent's business: a child reading the
     * same terminal could take the line first. */
    int null = open("/dev/null", O_RDONLY);
    if (null == -1 || dup2(null, STDIN_FILENO) == -1) {
        report_errno(null == -1 ? "open" : "dup2", "/dev/null", errno);
        return EXIT_SYSCALL;
    }
    if (null != STDIN_FILENO) /* it is, if standard input was closed */
        close(null);
    /* If the parent dies (kill -9), the kernel sends us SIGTERM, and we
     * leave as if told to. It may have died already, before this call:
     * then our parent is no longer the one that forked us. SIGTERM is
     * blocked here (stop_install, inherited through fork): it waits,
     * pending, for the live loop. (prctl's arguments after the first are
     * unsigned long: man 2 prctl.) */
    if (prctl(PR_SET_PDEATHSIG, (unsigned long)SIGTERM) == -1)
        report_errno("prctl", "PR_SET_PDEATHSIG, SIGTERM", errno); /* go on without it */
    else if (getppid() != parent)
        raise(SIGTERM);

    const char *why =
        header_problem(atomic_load(&c->magic), c->version, c->size, sizeof *c, length);
    if (why != NULL) {
        report_problem("the inherited page is not our counter: %s", why);
        return EXIT_SYSCALL;
    }
    /* Step 3: join. */
    int count = join(c);
    print_joined(count);
    if (write(joined_fd, "j", 1) != 1)
        report_errno("write", "pipe to the parent", errno);
    close(joined_fd);

    /* Step 4: the live loop, until the parent (or Ctrl+C) says stop. */
    while (!stop_wait(POLL_MS)) {
        int now = atomic_load(&c->instances);
        if (count_problem(now) != NULL)
            continue; /* damaged: show nothing we cannot trust */
        if (now != count && !o->quiet)
            print_now(now);
        count = now;
    }
    if (crash_this_one) {
        print_crashing(count);
        crash_self(); /* SIGKILL: no leave, and the count keeps our 1 */
    }

    /* Step 5: leave. Step 6: unmap (exit would do it too). */
    print_left(leave(c));
    if (munmap(c, length) == -1) {
        report_errno("munmap", "the shared page", errno);
        return EXIT_SYSCALL;
    }
    return EXIT_OK;
}
/* end excerpt */

/* What the parent knows of each child. */
struct child {
    pid_t pid;
    bool ended;
    int status; /* from waitpid, once ended */
};

/* Say how a child ended, if not by leaving and exiting 0. Returns true
 * when it ended well. */
static bool report_child(int index, const struct child *ch, bool private_map)
{
    if (WIFEXITED(ch->status) && WEXITSTATUS(ch->status) == 0)
        return true;
    if (WIFSIGNALED(ch->status))
        report_problem("child %d (pid %ld) was killed by signal %d (%s) without leaving: %s",
                       index + 1, (long)ch->pid, WTERMSIG(ch->status),
                       strsignal(WTERMSIG(ch->status)),
                       private_map ? "its count was in its own copy of the page, gone with it"
                                   : "its 1 stays in the shared count");
    else
        report_problem("child %d (pid %ld) exited with status %d", index + 1, (long)ch->pid,
                       WEXITSTATUS(ch->status));
    return false;
}

/* Reap every child that has ended by now, without waiting. Returns how
 * many are still running. */
static long reap_ended(struct child *kids, long started)
{
    long running = 0;
    for (long i = 0; i < started; i++) {
        if (kids[i].ended)
            continue;
        pid_t r = waitpid(kids[i].pid, &kids[i].status, WNOHANG);
        if (r == kids[i].pid)
            kids[i].ended = true;
        else
            running++;
    }
    return running;
}

/* excerpt: parent */
/* Fork the children one at a time: each after the one before has joined.
 * Returns how many were started; *failed is set when one could not be,
 * *stopped when a stop came while we started them. */
static long start_children(struct shared_counter *c, size_t length, const struct options *o,
                           struct child *kids, bool *failed, bool *stopped)
{
    pid_t parent = getpid();
    *failed = false;
    *stopped = false;
    for (long i = 0; i < o->children; i++) {
        int joined[2];
        if (pipe(joined) == -1) {
            report_errno("pipe", "join signal", errno);
            *failed = true;
            return i;
        }
        /* Anything still in stdout's buffer would be copied into the child
         * and written twice. */
        fflush(NULL);
        pid_t pid = fork();
        if (pid == -1) { /* EAGAIN: too many processes (ulimit -u) */
            char what[64];
            snprintf(what, sizeof what, "child %ld of %ld", i + 1, o->children);
            report_errno("fork", what, errno);
            close(joined[0]);
            close(joined[1]);
            *failed = true;
            return i;
        }
        if (pid == 0) { /* the child: never returns into the parent's code */
            close(joined[0]);
            bool crash_this_one = o->crash && i == o->children - 1;
            int status = run_child(c, length, o, crash_this_one, parent, joined[1]);
            fflush(NULL);
            _exit(status); /* not exit: nothing of the parent's to run at exit */
        }
        close(joined[1]);
        kids[i] = (struct child){ .pid = pid };
        /* One byte once it has joined; 0 bytes (end of file) if it ended
         * before joining. Our stop signals are blocked: read is not cut
         * short by them. */
        char byte;
        ssize_t n;
        while ((n = read(joined[0], &byte, 1)) == -1 && errno == EINTR)
            ;
        close(joined[0]);
        if (n != 1) {
            report_problem("child %ld (pid %ld) ended before it joined", i + 1, (long)pid);
            *failed = true;
            return i + 1;
        }
        if (stop_wait(0)) { /* Ctrl+C, Enter or a signal while we start them */
            *stopped = true;
            return i + 1;
        }
    }
    return o->children;
}

/* Tell the children to leave, the last started first, each after the one
 * before has ended: the left lines count down in order, and the last one
 * says instances=0. A child that already left (Ctrl+C reached it too) is
 * a zombie until we reap it, so its pid cannot belong to anyone else. */
static void stop_children(struct child *kids, long started)
{
    for (long i = started - 1; i >= 0; i--) {
        if (kids[i].ended)
            continue;
        kill(kids[i].pid, SIGTERM);
        while (waitpid(kids[i].pid, &kids[i].status, 0) == -1 && errno == EINTR)
            ;
        kids[i].ended = true;
    }
}
/* end excerpt */

int main(int argc, char **argv)
{
    struct options o = { .hold = -1 };
    set_program_name(argv[0]);
    int status = parse_command_line(argc, argv, &o);
    if (status >= 0)
        return status;

    /* The stop handlers, before the first fork: the children inherit them,
     * with the stop signals blocked outside stop_wait. No hold here: the
     * parent keeps the hold itself, and a child leaves only when told. */
    if (!stop_install(-1))
        return EXIT_SYSCALL;
    /* SIGCHLD back to the default. An ignored SIGCHLD survives execve (man 2
     * execve), so a program started by one that ignores it inherits that,
     * and then the kernel reaps our children itself: waitpid fails with
     * ECHILD (man 2 wait), a child killed without leaving goes unreported,
     * and its pid may be reused before we send it SIGTERM. */
    struct sigaction default_action = { .sa_handler = SIG_DFL };
    if (sigemptyset(&default_action.sa_mask) == -1 ||
        sigaction(SIGCHLD, &default_action, NULL) == -1) {
        report_errno("sigaction", "SIGCHLD, SIG_DFL", errno);
        return EXIT_SYSCALL;
    }

    /* Steps 1 and 2: one page, created and mapped by one call. */
    size_t length = (size_t)sysconf(_SC_PAGESIZE);
    struct shared_counter *c = create_counter(o.private_map, length);
    if (c == NULL)
        return EXIT_SYSCALL;

    struct child *kids = calloc((size_t)o.children, sizeof *kids);
    if (kids == NULL) {
        report_errno("calloc", "child table", errno);
        return EXIT_SYSCALL;
    }

    /* Steps 3-5 happen in the children; the parent starts them, waits for
     * the hold, a stop, or every child to end, then tells them to leave. */
    bool failed, stopped;
    long started = start_children(c, length, &o, kids, &failed, &stopped);
    long long deadline = o.hold >= 0 ? now_ms() + o.hold * 1000 : -1;
    while (!failed && !stopped && reap_ended(kids, started) > 0) {
        long long left = deadline < 0 ? POLL_MS : deadline - now_ms();
        if (left <= 0 || stop_wait(left < POLL_MS ? (unsigned)left : POLL_MS))
            break;
    }
    stop_children(kids, started);

    for (long i = 0; i < started; i++)
        if (!report_child((int)i, &kids[i], o.private_map))
            failed = true;

    /* The parent's own view of the page. */
    int n = atomic_load(&c->instances);
    if (o.private_map)
        print_note("--private: each child's first write to the page gave it a copy of its own "
                   "(copy-on-write), so each counted only itself; the parent's page was never "
                   "written after fork and still holds 0");
    else if (n != 0)
        print_note("the count is %d after every child has ended: children that ended without "
                   "leaving keep their 1 in it",
                   n);
    printf("parent: instances=%d\n", n);
    fflush(stdout);

    /* Step 6: unmap. The page goes away with its last mapping: no name to
     * remove, nothing left behind. */
    if (munmap(c, length) == -1) {
        report_errno("munmap", "the shared page", errno);
        failed = true;
    }
    free(kids);
    return failed ? EXIT_SYSCALL : EXIT_OK;
}
