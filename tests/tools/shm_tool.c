/*
 * shm_tool.c - a small System V tool for the tests: make the segments a
 * demo must refuse, and look at segments without changing them.
 *
 *   shm-tool create KEY SIZE [zero|garbage] [SECONDS]
 *                         make a segment (mode 0600) and print its shmid;
 *                         with SECONDS, stay attached and alive that long,
 *                         as a creator that never initialises it would
 *   shm-tool counter KEY COUNT [MODE]
 *                         make a demo 03 counter holding COUNT (-1: closed
 *                         by its last copy), mode 0600 unless MODE is given
 *   shm-tool set KEY COUNT
 *                         store COUNT in the counter of an existing segment
 *   shm-tool attach KEY SECONDS
 *                         attach an existing segment and stay SECONDS
 *   shm-tool dump KEY     print the first 32 bytes in hex
 *   shm-tool stat KEY     print size=S nattch=N mode=M
 *
 * Whatever it prints goes out at once (a test may be waiting for it while
 * the tool sleeps). Exit status: 0 done, 1 a call failed, 2 bad command
 * line.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

/* COUNTER_MAGIC and COUNTER_VERSION, as the demos have them. */
#include "../../common/header_check.h"

static int fail(const char *call)
{
    fprintf(stderr, "shm-tool: %s: %s\n", call, strerror(errno));
    return 1;
}

/* Print the shmid, then stay attached at p for SECONDS (if given). */
static int report_and_stay(int id, const void *p, const char *seconds)
{
    printf("%d\n", id);
    fflush(stdout);
    if (seconds != NULL) {
        unsigned left = (unsigned)strtoul(seconds, NULL, 10);
        while (left > 0)
            left = sleep(left);
    }
    if (p != NULL)
        shmdt(p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: shm-tool create KEY SIZE [zero|garbage] [SECONDS] | counter KEY "
                        "COUNT [MODE] | set KEY COUNT | attach KEY SECONDS | dump KEY | stat "
                        "KEY\n");
        return 2;
    }
    key_t key = (key_t)strtoul(argv[2], NULL, 0);
    if (strcmp(argv[1], "counter") == 0 && argc >= 4) {
        /* The layout of demo 03: magic, version, size, then the count. */
        int32_t fields[4] = { (int32_t)COUNTER_MAGIC, (int32_t)COUNTER_VERSION,
                              (int32_t)sizeof fields, (int32_t)strtol(argv[3], NULL, 0) };
        int mode = argc > 4 ? (int)strtol(argv[4], NULL, 8) : 0600;
        int id = shmget(key, sizeof fields, IPC_CREAT | IPC_EXCL | mode);
        if (id == -1)
            return fail("shmget");
        void *p = shmat(id, NULL, 0);
        if (p == (void *)-1)
            return fail("shmat");
        memcpy(p, fields, sizeof fields);
        return report_and_stay(id, p, NULL);
    }
    if (strcmp(argv[1], "create") == 0 && argc >= 4) {
        size_t size = strtoul(argv[3], NULL, 0);
        int id = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
        if (id == -1)
            return fail("shmget");
        const char *seconds = argc > 5 ? argv[5] : NULL;
        unsigned char *p = NULL;
        if (seconds != NULL || (argc > 4 && strcmp(argv[4], "garbage") == 0)) {
            p = shmat(id, NULL, 0);
            if (p == (void *)-1)
                return fail("shmat");
        }
        if (argc > 4 && strcmp(argv[4], "garbage") == 0)
            for (size_t i = 0; i < size; i++)
                p[i] = (unsigned char)(0xa5 ^ (i * 37));
        return report_and_stay(id, p, seconds);
    }
    int id = shmget(key, 0, 0);
    if (id == -1)
        return fail("shmget");
    if (strcmp(argv[1], "set") == 0 && argc >= 4) {
        int32_t *p = shmat(id, NULL, 0);
        if (p == (void *)-1)
            return fail("shmat");
        /* A plain store is enough for a test: the demo reads it atomically. */
        p[3] = (int32_t)strtol(argv[3], NULL, 0);
        shmdt(p);
        return 0;
    }
    if (strcmp(argv[1], "attach") == 0 && argc >= 4) {
        void *p = shmat(id, NULL, SHM_RDONLY);
        if (p == (void *)-1)
            return fail("shmat");
        return report_and_stay(id, p, argv[3]);
    }
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) == -1)
        return fail("shmctl");
    if (strcmp(argv[1], "stat") == 0) {
        printf("size=%lu nattch=%lu mode=%03o\n", (unsigned long)ds.shm_segsz,
               (unsigned long)ds.shm_nattch, (unsigned)ds.shm_perm.mode & 0777);
        return 0;
    }
    if (strcmp(argv[1], "dump") == 0) {
        const unsigned char *p = shmat(id, NULL, SHM_RDONLY);
        if (p == (void *)-1)
            return fail("shmat");
        size_t n = ds.shm_segsz;
        if (n > 32)
            n = 32;
        for (size_t i = 0; i < n; i++)
            printf("%02x", p[i]);
        printf("\n");
        shmdt(p);
        return 0;
    }
    fprintf(stderr, "shm-tool: unknown command '%s'\n", argv[1]);
    return 2;
}
