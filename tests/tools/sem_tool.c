/*
 * sem_tool.c - a small System V semaphore tool for the tests of demo 08:
 * make the sets the demo must refuse (or must handle), and look at a set
 * without changing it.
 *
 *   sem-tool create KEY NSEMS [VALUE...]
 *                         make a set (mode 0600) and print its semid; with
 *                         NSEMS values, set them with SETALL (no semop, so
 *                         sem_otime stays 0)
 *   sem-tool ours KEY COUNT [LOCK]
 *                         make a published demo 08 set: count, lock (0
 *                         unless given) and mark, and sem_otime set
 *   sem-tool touch KEY    a semop that leaves every value as it was, but
 *                         sets sem_otime (and sempid of semaphore 0)
 *   sem-tool setval KEY NUM VALUE
 *                         SETVAL, which also clears every process's undo
 *                         for that semaphore
 *   sem-tool lock KEY SECONDS
 *                         take demo 08's lock (semaphore 1) with SEM_UNDO,
 *                         print our pid, hold it SECONDS, then exit
 *   sem-tool get KEY      print nsems=N values=V,V,... otime=0|set mode=M
 *
 * Exit status: 0 done, 1 a call failed, 2 bad command line.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

#define SET_MARK 0x5308 /* demo 08's mark, in its semaphore 2 */
#define MAX_SEMS 64

union semun {
    /* cppcheck-suppress unusedStructMember ; set by a designated initialiser */
    int val;
    /* cppcheck-suppress unusedStructMember */
    struct semid_ds *buf;
    /* cppcheck-suppress unusedStructMember */
    unsigned short *array;
};

static int fail(const char *call)
{
    fprintf(stderr, "sem-tool: %s: %s\n", call, strerror(errno));
    return 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: sem-tool create KEY NSEMS [VALUE...] | ours KEY COUNT [LOCK] |\n"
                    "       touch KEY | setval KEY NUM VALUE | lock KEY SECONDS | get KEY\n");
    return 2;
}

static int lookup(key_t key)
{
    return semget(key, 0, 0);
}

/* A semop that changes no value: +1 then -1 (or the other way round at
 * SEMVMX), in one atomic call. It sets sem_otime, as any semop does. */
static int touch(int id)
{
    int value = semctl(id, 0, GETVAL);
    if (value == -1)
        return fail("semctl(GETVAL)");
    short first = value < 32767 ? 1 : -1;
    struct sembuf ops[2] = { { 0, first, 0 }, { 0, (short)-first, 0 } };
    if (semop(id, ops, 2) == -1)
        return fail("semop");
    return 0;
}

static int set_all(int id, int nsems, char **values)
{
    unsigned short array[MAX_SEMS];
    for (int i = 0; i < nsems; i++)
        array[i] = (unsigned short)strtoul(values[i], NULL, 0);
    if (semctl(id, 0, SETALL, (union semun){ .array = array }) == -1)
        return fail("semctl(SETALL)");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *cmd = argv[1];
    key_t key = (key_t)strtoul(argv[2], NULL, 0);

    if (strcmp(cmd, "create") == 0 && argc >= 4) {
        int nsems = atoi(argv[3]);
        if (nsems < 1 || nsems > MAX_SEMS || (argc != 4 && argc != 4 + nsems))
            return usage();
        int id = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);
        if (id == -1)
            return fail("semget");
        if (argc == 4 + nsems && set_all(id, nsems, argv + 4) != 0)
            return 1;
        printf("%d\n", id);
        return 0;
    }
    if (strcmp(cmd, "ours") == 0 && (argc == 4 || argc == 5)) {
        int id = semget(key, 3, IPC_CREAT | IPC_EXCL | 0600);
        if (id == -1)
            return fail("semget");
        char mark[16];
        snprintf(mark, sizeof mark, "%d", SET_MARK);
        char *values[3] = { argv[3], argc == 5 ? argv[4] : "0", mark };
        if (set_all(id, 3, values) != 0 || touch(id) != 0)
            return 1;
        printf("%d\n", id);
        return 0;
    }
    int id = lookup(key);
    if (id == -1)
        return fail("semget");
    if (strcmp(cmd, "touch") == 0 && argc == 3)
        return touch(id);
    if (strcmp(cmd, "setval") == 0 && argc == 5) {
        union semun arg = { .val = atoi(argv[4]) };
        if (semctl(id, atoi(argv[3]), SETVAL, arg) == -1)
            return fail("semctl(SETVAL)");
        return 0;
    }
    if (strcmp(cmd, "lock") == 0 && argc == 4) {
        struct sembuf ops[2] = { { 1, 0, 0 }, { 1, 1, SEM_UNDO } };
        if (semop(id, ops, 2) == -1)
            return fail("semop");
        printf("%ld\n", (long)getpid());
        fflush(stdout);
        unsigned left = (unsigned)strtoul(argv[3], NULL, 10);
        while (left > 0)
            left = sleep(left);
        return 0; /* the kernel releases the lock: SEM_UNDO */
    }
    if (strcmp(cmd, "get") == 0 && argc == 3) {
        struct semid_ds ds;
        unsigned short values[MAX_SEMS];
        if (semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }) == -1)
            return fail("semctl(IPC_STAT)");
        if (ds.sem_nsems > MAX_SEMS)
            return usage();
        if (semctl(id, 0, GETALL, (union semun){ .array = values }) == -1)
            return fail("semctl(GETALL)");
        printf("nsems=%lu values=", (unsigned long)ds.sem_nsems);
        for (unsigned long i = 0; i < ds.sem_nsems; i++)
            printf(i ? ",%u" : "%u", values[i]);
        printf(" otime=%s mode=%o\n", ds.sem_otime ? "set" : "0", ds.sem_perm.mode & 0777);
        return 0;
    }
    return usage();
}
