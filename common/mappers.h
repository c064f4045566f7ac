/*
 * mappers.h - how many processes map a given file, on Linux.
 *
 * System V shared memory keeps an attach count (shm_nattch); POSIX shared
 * memory and file mappings keep none. This recovers one from /proc: every
 * mapping of a file shows in /proc/PID/maps with the file's device and
 * inode numbers (proc(5)), so a process maps the file when one of its
 * lines carries the same pair that fstat reports.
 *
 * Limits, which the callers' pages explain:
 *  - you may read only the maps of processes you may inspect (your own,
 *    or any as root): the others are counted in `unreadable`, not in
 *    `count`;
 *  - a process in another PID namespace is not in this /proc at all;
 *  - the scan reads one file per process on the machine: cheap for a
 *    join, a leave or a peek, far too dear for a loop.
 *
 * Plumbing only: it knows files and processes, not any one technique.
 */
#ifndef COMMON_MAPPERS_H
#define COMMON_MAPPERS_H

#if defined(__linux__)
#include <sys/types.h>

struct mappers {
    long count;      /* processes whose maps show the file (this one included) */
    long unreadable; /* processes whose maps we were not allowed to read */
};

/* Scans /proc for processes that map the file with this device and inode
 * (st_dev and st_ino from fstat). Returns 0, or -1 with errno set when
 * /proc itself cannot be read. A process that ends during the scan is
 * simply not counted. */
int count_mappers(dev_t dev, ino_t ino, struct mappers *out);
#endif

#endif
