/*
 * sem_undo.c - demo 08: a count of the running copies that the kernel keeps
 * right, even when copies are killed: a System V semaphore raised with
 * SEM_UNDO (semget, semop, semtimedop, semctl).
 *
 * Every copy adds 1 to a semaphore when it joins and takes it away when it
 * leaves, both with SEM_UNDO. The kernel remembers each process's
 * adjustment and applies it when the process ends, however it ends:
 * SIGKILL, a crash and --crash included. So the semaphore's value is always
 * the number of live copies, with no stale period. The last copy out
 * removes the set; if the last copy to go was killed, the set stays,
 * holding the right count, 0, until the next copy uses it.
 *
 * Build this file on its own (from this folder, in bash):
 *   cc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 08-sem-undo sem_undo.c ../../common/{cli,errors,header_check,output,stop}.c
 *
 * Example session (two terminals; PIDs will differ):
 *   one$ ./08-sem-undo                    two$ ./08-sem-undo --crash --hold 1
 *   joined pid=4101 instances=1           joined pid=4102 instances=2
 *   now instances=2                       crashing pid=4102 instances=2
 *   now instances=1                       Killed
 *   (Enter)                               two$ ./08-sem-undo --peek
 *   left pid=4101 instances=0             instances=0
 */
#define _GNU_SOURCE /* semtimedop, a semop with a time limit (Linux) */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "errors.h"
#include "output.h"
#include "stop.h"

/* The key every copy agrees on unless --key says otherwise. */
#define DEFAULT_KEY 0x53484d08 /* "SHM" and the demo's number */

#define POLL_MS 100       /* how often the live loop looks at the count */
#define JOIN_WAIT_MS 3000 /* how long to keep trying to join, or to wait for a lock */
#define PAUSE_MAX_MS 32   /* the longest pause between two tries */

/* excerpt: layout */
/* --- Step 0: the layout: three semaphores in one set ----------------------
 * A semaphore holds 0 to SEMVMX (32767) and nothing else: no pointer, no
 * string. What makes the set ours is the number of semaphores and a mark. */
enum {
    SEM_COUNT, /* the live copies: each adds 1 with SEM_UNDO at join */
    SEM_LOCK,  /* 0 free, 1 held (with SEM_UNDO) by a copy that joins or
                * leaves: it makes the number each copy prints exact, and
                * stops anyone joining while the last copy removes the set */
    SEM_MARK,  /* SET_MARK once the set is published; 0 before */
    SEM_TOTAL  /* how many semaphores our sets have */
};
#define SET_MARK 0x5308    /* 21256: "S" and the demo's number; at most SEMVMX */
#define SEMVMX_LINUX 32767 /* the largest value a semaphore can hold (man 2 semop) */

/* semctl's fourth argument: the caller must define this union (man 2
 * semctl; POSIX says so, and glibc does not). */
union semun {
    /* cppcheck-suppress unusedStructMember ; SETVAL's, unused here */
    int val;
    /* cppcheck-suppress unusedStructMember ; set by a designated initialiser */
    struct semid_ds *buf;
    /* cppcheck-suppress unusedStructMember ; set by a designated initialiser */
    unsigned short *array;
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

static char key_text[32]; /* "key=0x53484d08", for messages */
static char key_hex[16];  /* "0x53484d08", as ipcs and ipcrm -S take it */

/* --- The command line: --key KEY ---------------------------------------- */
static const char *set_key(const char *value, void *ctx)
{
    unsigned long key;
    if (!parse_unsigned(value, 0, 0xfffffffful, &key))
        return "is not a key: use decimal, 0x hexadecimal or 0 octal, up to 0xffffffff";
    if (key == IPC_PRIVATE)
        return "is IPC_PRIVATE, which makes a new private semaphore set every time: "
               "copies could never find each other";
    *(key_t *)ctx = (key_t)key;
    return NULL;
}

/* A call on a set id failed: if the set was removed under us (the last
 * copy out, or ipcrm), try again from the start; otherwise report it. */
static enum step removed_or_failed(const char *call, int err)
{
    if (err == EIDRM || err == EINVAL)
        return STEP_RETRY;
    report_errno(call, key_text, err);
    if (err == EACCES)
        report_problem("EACCES: this user may not use the semaphore set under %s: it belongs "
                       "to another user, and the mode this program gives its sets, 0600, lets "
                       "only the owner in (ipcs -s shows owner and perms). Run as that user, "
                       "or pick another --key",
                       key_text);
    return STEP_FAILED;
}

/* --- Step 1: find the set, or create it ---------------------------------- */
/* excerpt: open */
static enum step open_or_create(key_t key, int *id, bool *created)
{
    /* IPC_CREAT | IPC_EXCL: exactly one copy learns that it made the set.
     * Mode 0600: only our user may read or alter it. On Linux a new set's
     * values are 0 (man 2 semget; POSIX leaves them undefined), so it needs
     * no SETALL: the creator's first semop publishes it (step 2). */
    *id = semget(key, SEM_TOTAL, IPC_CREAT | IPC_EXCL | 0600);
    if (*id != -1) {
        *created = true;
        return STEP_OK;
    }
    if (errno != EEXIST) {
        report_errno("semget", key_text, errno);
        return STEP_FAILED;
    }
    /* Someone else made it: nsems 0 and no flags look it up, never create.
     * (This asks for no permission: semctl and semop check it.) */
    *created = false;
    *id = semget(key, 0, 0);
    if (*id != -1)
        return STEP_OK;
    if (errno == ENOENT)
        return STEP_RETRY; /* removed between our two calls: start again */
    report_errno("semget", key_text, errno);
    return STEP_FAILED;
}
/* end excerpt */

/* Say why a set that is not ours is refused, and how to get past it. */
static void refuse(int id, const char *why)
{
    report_problem("the semaphore set under %s (semid %d) is not one of our counters: %s. "
                   "It was left untouched; use another --key, or if the set is yours to "
                   "remove: ipcrm -S %s",
                   key_text, id, why, key_hex);
}

/* What a look at the set found. */
enum look { LOOK_OURS, LOOK_UNPUBLISHED, LOOK_FOREIGN, LOOK_GONE, LOOK_FAILED };

/* --- Step 2: check the set before trusting it ---------------------------
 * The kernel's record says how many semaphores the set has and whether
 * anyone ever ran semop on it (sem_otime); GETALL reads every value in one
 * step. Nothing here changes the set. */
/* excerpt: check */
static enum look check_set(int id, unsigned short values[SEM_TOTAL])
{
    struct semid_ds ds;
    if (semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }) == -1)
        return removed_or_failed("semctl(IPC_STAT)", errno) == STEP_RETRY ? LOOK_GONE : LOOK_FAILED;
    char why[160];
    if (ds.sem_nsems != SEM_TOTAL) {
        snprintf(why, sizeof why, "it has %lu semaphores, ours have %d",
                 (unsigned long)ds.sem_nsems, SEM_TOTAL);
        refuse(id, why);
        return LOOK_FOREIGN;
    }
    if (semctl(id, 0, GETALL, (union semun){ .array = values }) == -1)
        return removed_or_failed("semctl(GETALL)", errno) == STEP_RETRY ? LOOK_GONE : LOOK_FAILED;
    /* Never operated on, and every value 0: a new set whose creator has not
     * published it yet (or was killed before it could). */
    if (ds.sem_otime == 0 && values[SEM_COUNT] == 0 && values[SEM_LOCK] == 0 &&
        values[SEM_MARK] == 0)
        return LOOK_UNPUBLISHED;
    if (values[SEM_MARK] != SET_MARK) {
        snprintf(why, sizeof why, "semaphore %d holds %u, not our mark %d", SEM_MARK,
                 values[SEM_MARK], SET_MARK);
        refuse(id, why);
        return LOOK_FOREIGN;
    }
    if (values[SEM_LOCK] > 1) {
        snprintf(why, sizeof why, "its lock, semaphore %d, holds %u: a lock is 0 or 1", SEM_LOCK,
                 values[SEM_LOCK]);
        refuse(id, why);
        return LOOK_FOREIGN;
    }
    return LOOK_OURS;
}
/* end excerpt */

/* The time left until deadline, for semtimedop. */
static struct timespec time_left(long long deadline)
{
    long long left = deadline - now_ms();
    if (left < 1)
        left = 1;
    return (struct timespec){ (time_t)(left / 1000), (long)(left % 1000) * 1000000L };
}

/* semtimedop until done or deadline. The stop signals are blocked outside
 * stop_wait (stop.h), so EINTR is rare; but a process stopped (Ctrl+Z) and
 * continued gets it even with no handler (man 7 signal): then try again
 * with the time that is left. Returns 0 or an errno
 * (EAGAIN: the deadline passed, or an IPC_NOWAIT operation could not
 * proceed). */
static int semop_until(int id, struct sembuf *ops, size_t n, long long deadline)
{
    for (;;) {
        struct timespec left = time_left(deadline);
        if (semtimedop(id, ops, n, &left) == 0)
            return 0;
        if (errno != EINTR)
            return errno;
    }
}

/* The lock was not free before the deadline: say who holds it. GETPID
 * gives the last process that operated on the lock, which is its holder. */
static void report_lock_held(int id)
{
    long pid = (long)semctl(id, SEM_LOCK, GETPID);
    if (pid <= 0) { /* -1: the set went meanwhile; 0: no process is recorded on the lock */
        report_problem("gave up after %d s waiting for the lock of the semaphore set under %s "
                       "(semid %d); run it again",
                       JOIN_WAIT_MS / 1000, key_text, id);
        return;
    }
    bool gone = kill((pid_t)pid, 0) == -1 && errno == ESRCH;
    report_problem("gave up after %d s: the lock of the semaphore set under %s (semid %d) is "
                   "held by pid %ld%s. A copy holds it only for a moment, and the kernel "
                   "releases it when the holder dies; a holder stopped with Ctrl+Z keeps it "
                   "(kill -CONT %ld resumes it)",
                   JOIN_WAIT_MS / 1000, key_text, id, pid,
                   gone ? ", which has ended without releasing it: not one of our copies" : "",
                   pid);
}

/* --- Step 3: join ----------------------------------------------------------
 * One semop, all or nothing: take the lock and add 1 to the count, both
 * with SEM_UNDO. If we die before we release the lock, the kernel undoes
 * both. Under the lock, nobody else joins or leaves, so the count we read
 * back is the number with us in it. With publish, the same semop also
 * stores the mark in a set that has none yet: IPC_NOWAIT on a wait-for-zero
 * of the mark makes it fail with EAGAIN if someone published first. */
/* excerpt: join */
static int join(int id, bool publish, int *count)
{
    struct sembuf ops[5] = {
        { SEM_LOCK, 0, 0 },        /* wait until the lock is free (0)... */
        { SEM_LOCK, 1, SEM_UNDO }, /* ...and take it */
        { SEM_COUNT, 1, SEM_UNDO } /* count us; the kernel undoes it at our exit */
    };
    /* The adjustment belongs to this process: a child made by fork starts
     * with none (man 2 semop), so it is not counted, and must not leave for us. */
    size_t n = 3;
    if (publish) {
        ops[0].sem_flg = IPC_NOWAIT; /* a new set's lock is free: never wait */
        ops[3] = (struct sembuf){ SEM_MARK, 0, IPC_NOWAIT }; /* no mark yet... */
        ops[4] = (struct sembuf){ SEM_MARK, SET_MARK, 0 };   /* ...so store it, for good */
        n = 5;
    }
    int err = semop_until(id, ops, n, now_ms() + JOIN_WAIT_MS);
    if (err != 0)
        return err;
    *count = semctl(id, SEM_COUNT, GETVAL);
    /* Release the lock; SEM_UNDO again, so that our adjustment returns to 0. */
    struct sembuf unlock = { SEM_LOCK, -1, SEM_UNDO };
    if (*count == -1 || semop(id, &unlock, 1) == -1)
        return errno;
    return 0;
}
/* end excerpt */

/* --- Steps 1-3 together: open or create, check, join ------------------
 * Start again whenever the set we found was removed under us (the last
 * copy out removes it while holding the lock, so a copy waiting for the
 * lock gets EIDRM): after a pause that grows from 1 ms to PAUSE_MAX_MS, for
 * up to JOIN_WAIT_MS on the monotonic clock. Returns the count with us in
 * it, or -1 after reporting why not. */
static int open_and_join(key_t key, int *id)
{
    long long deadline = now_ms() + JOIN_WAIT_MS;
    unsigned pause_ms = 1;
    for (;;) {
        bool created;
        bool waiting = false; /* for a creator to publish its set */
        enum step s = open_or_create(key, id, &created);
        if (s == STEP_FAILED)
            return -1;
        if (s == STEP_OK) {
            unsigned short values[SEM_TOTAL];
            enum look look = check_set(*id, values);
            if (look == LOOK_FOREIGN || look == LOOK_FAILED)
                return -1;
            /* excerpt: publish */
            /* The creator publishes its new set at once. The others wait
             * for it (TLPI's svsem_good_init waits for sem_otime to change
             * the same way), but not for ever: a creator killed between
             * semget and its first semop leaves a set that nobody has
             * published, and since the mark goes in with a semop that
             * succeeds only while the mark is 0, any copy can finish the
             * job after the deadline, and only one will. */
            bool publish = look == LOOK_UNPUBLISHED && (created || now_ms() >= deadline);
            waiting = look == LOOK_UNPUBLISHED && !publish;
            if (look == LOOK_OURS || publish) {
                int count;
                int err = join(*id, publish, &count);
                if (err == 0) {
                    if (publish && !created)
                        print_note("the semaphore set under %s (semid %d) was not published "
                                   "within %d s: its creator was killed (or stopped) between "
                                   "semget and its first semop. This copy published it",
                                   key_text, *id, JOIN_WAIT_MS / 1000);
                    return count;
                }
                if (err == EAGAIN && publish)
                    waiting = true; /* someone published first: join it next time */
                else if (err == EAGAIN) {
                    report_lock_held(*id);
                    return -1;
                } else if (err == ERANGE) {
                    report_problem("semop(%s): ERANGE: the count is at SEMVMX (%d), the most a "
                                   "System V semaphore can hold: no more copies can join",
                                   key_text, SEMVMX_LINUX);
                    return -1;
                } else if (removed_or_failed("semop", err) == STEP_FAILED)
                    return -1;
            }
            /* end excerpt */
        }
        if (!waiting && now_ms() >= deadline) {
            report_problem("gave up after %d s: the semaphore set under %s was removed every "
                           "time this copy tried to join; run it again",
                           JOIN_WAIT_MS / 1000, key_text);
            return -1;
        }
        sleep_ms(pause_ms);
        if (pause_ms < PAUSE_MAX_MS)
            pause_ms *= 2;
    }
}

/* --- Step 5: leave ----------------------------------------------------------
 * Take the lock and our 1 away in one semop. If the count is then 0, we
 * are the last copy: remove the set while we still hold the lock, so that
 * nobody can join it in between (a copy waiting for the lock gets EIDRM and
 * starts a new set). Otherwise release the lock. Returns the count after
 * us (0 when we removed the set), or -1 after reporting a failure. */
/* excerpt: leave */
static int leave(int id)
{
    long long deadline = now_ms() + JOIN_WAIT_MS;
    struct sembuf ops[3] = {
        { SEM_LOCK, 0, 0 },
        { SEM_LOCK, 1, SEM_UNDO },
        /* IPC_NOWAIT: a count of 0 while we are counted in it means someone
         * set it by hand; fail with EAGAIN rather than wait for ever */
        { SEM_COUNT, -1, SEM_UNDO | IPC_NOWAIT },
    };
    int err = semop_until(id, ops, 3, deadline);
    if (err == EIDRM || err == EINVAL) {
        print_note("the semaphore set under %s (semid %d) was removed (ipcrm?) before this "
                   "copy could leave: nobody counts it any more",
                   key_text, id);
        return 0;
    }
    if (err == EAGAIN && semctl(id, SEM_COUNT, GETVAL) == 0) {
        report_problem("the count in the semaphore set under %s (semid %d) is 0, which cannot "
                       "be while this copy is counted in it: something set it (SETVAL or "
                       "SETALL, which also wipe every copy's undo). It was left alone; if no "
                       "copy runs: ipcrm -S %s",
                       key_text, id, key_hex);
        return -1;
    }
    if (err == EAGAIN) {
        report_lock_held(id);
        return -1;
    }
    if (err != 0) {
        report_errno("semop", key_text, err);
        return -1;
    }
    int count = semctl(id, SEM_COUNT, GETVAL);
    if (count == 0) {
        /* The last copy out, holding the lock: remove the set. If we die
         * before this line, the kernel releases our lock, and the set stays,
         * holding 0, for the next copy to use. */
        if (semctl(id, 0, IPC_RMID) == -1) {
            report_errno("semctl(IPC_RMID)", key_text, errno);
            return -1;
        }
        return 0;
    }
    struct sembuf unlock = { SEM_LOCK, -1, SEM_UNDO };
    if (count == -1 || semop(id, &unlock, 1) == -1) {
        report_errno(count == -1 ? "semctl(GETVAL)" : "semop", key_text, errno);
        return -1;
    }
    return count;
}
/* end excerpt */

/* --- --peek: the count, and the kernel's sempid, without joining -------- */
static int peek(key_t key)
{
    int id = semget(key, 0, 0); /* look up only: never create */
    if (id == -1 && errno == ENOENT) {
        print_peek(0, -1); /* "instances=0": no set, nobody counted */
        return EXIT_OK;
    }
    if (id == -1) {
        report_errno("semget", key_text, errno);
        return EXIT_SYSCALL;
    }
    /* excerpt: peek */
    unsigned short values[SEM_TOTAL];
    enum look look = check_set(id, values);
    if (look == LOOK_GONE) {
        print_peek(0, -1); /* removed since semget: nobody is counted any more */
        return EXIT_OK;
    }
    if (look == LOOK_FOREIGN || look == LOOK_FAILED)
        return EXIT_SYSCALL;
    /* sempid: the last process that operated on the count. Linux sets it
     * for a join, a leave, and the undo the kernel applies for a process
     * that ends (man 2 semctl, "The sempid value"): after a kill -9 it is
     * the killed copy. 0: nobody has operated on it yet. */
    int pid = semctl(id, SEM_COUNT, GETPID);
    if (pid == -1) {
        if (removed_or_failed("semctl(GETPID)", errno) == STEP_FAILED)
            return EXIT_SYSCALL;
        print_peek(0, -1);
        return EXIT_OK;
    }
    printf("instances=%u sempid=%d\n", values[SEM_COUNT], pid);
    /* end excerpt */
    fflush(stdout);
    if (look == LOOK_UNPUBLISHED)
        print_note("the set under %s (semid %d) is new and not yet published: being created, or "
                   "its creator died first; the next copy to join publishes it",
                   key_text, id);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    key_t key = DEFAULT_KEY;
    const struct cli_option key_option = { "--key", "KEY",
                                           "the System V key (default 0x53484d08; not 0)",
                                           set_key };
    const struct cli_spec spec = {
        .summary = "count running copies with a System V semaphore and SEM_UNDO",
        .details = "Peek prints instances=N sempid=P: N is the semaphore's value, which the\n"
                   "kernel keeps right when a copy is killed (it applies the copy's SEM_UNDO\n"
                   "adjustment at its exit); P is the last process that changed it, the\n"
                   "killed copy after a kill -9. With no set under the key: instances=0.\n"
                   "The last copy out removes the set. Look at it with: ipcs -s",
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

    /* Handlers first: a stop signal from now on waits (blocked) for the
     * live loop's first stop_wait, and we leave properly even if it came
     * before we joined. */
    if (!stop_install(cli.hold))
        return EXIT_SYSCALL;

    if (cli.peek)
        return peek(key);

    /* Steps 1-3: open or create, check, join. */
    int id = -1;
    int count = open_and_join(key, &id);
    if (count < 0)
        return EXIT_SYSCALL;
    print_joined(count);

    /* Step 4: the live loop. Print the count whenever it changes; a copy
     * that is killed drops out of it at once, by the kernel's undo. */
    while (!stop_wait(POLL_MS)) {
        int now = semctl(id, SEM_COUNT, GETVAL);
        if (now == -1 && (errno == EIDRM || errno == EINVAL)) {
            /* Removed under us: ipcrm, or systemd-logind's RemoveIPC. Our
             * count went with it, so join again, in a new set. */
            print_note("the semaphore set under %s (semid %d) was removed (ipcrm?); joining "
                       "again",
                       key_text, id);
            count = open_and_join(key, &id);
            if (count < 0)
                return EXIT_SYSCALL;
            print_joined(count);
            continue;
        }
        if (now == -1) {
            report_errno("semctl(GETVAL)", key_text, errno);
            return EXIT_SYSCALL; /* the kernel undoes our join as we exit */
        }
        if (now != count && !cli.quiet)
            print_now(now);
        count = now;
    }

    if (cli.crash) {
        print_crashing(count);
        crash_self(); /* no leave: the kernel applies our undo, the count drops */
    }

    /* Step 5: leave; the last copy out removes the set (step 6: there is
     * nothing to detach or close: a semaphore set is used by its id). */
    count = leave(id);
    if (count < 0)
        return EXIT_SYSCALL;
    print_left(count);
    stop_done();
    return EXIT_OK;
}
