/*
 * mappers.c - count the processes that map a file, from /proc/PID/maps.
 * See mappers.h.
 */
#if defined(__linux__)
#define _GNU_SOURCE /* getline, makedev */
#include "mappers.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

/* Does one process map the file? 1 yes, 0 no, -1 not allowed to look. */
static int maps_file(const char *pid, dev_t dev, ino_t ino)
{
    char path[sizeof "/proc//maps" + 256]; /* d_name holds at most 255 bytes */
    snprintf(path, sizeof path, "/proc/%s/maps", pid);
    FILE *maps = fopen(path, "r");
    if (maps == NULL)
        return errno == EACCES || errno == EPERM ? -1 : 0; /* else it has ended */

    /* A line: "start-end perms offset MAJOR:MINOR inode [path]", with the
     * device numbers in hexadecimal and the inode in decimal (proc(5)). */
    int found = 0;
    char *line = NULL;
    size_t size = 0;
    while (!found && getline(&line, &size, maps) != -1) {
        unsigned int major_no, minor_no;
        unsigned long long inode;
        if (sscanf(line, "%*s %*s %*s %x:%x %llu", &major_no, &minor_no, &inode) == 3 &&
            inode == (unsigned long long)ino && makedev(major_no, minor_no) == dev)
            found = 1;
    }
    /* Reading someone else's maps can also fail here rather than at open. */
    if (!found && ferror(maps) && (errno == EACCES || errno == EPERM))
        found = -1;
    free(line);
    fclose(maps);
    return found;
}

int count_mappers(dev_t dev, ino_t ino, struct mappers *out)
{
    out->count = 0;
    out->unreadable = 0;
    DIR *proc = opendir("/proc");
    if (proc == NULL)
        return -1;
    const struct dirent *entry;
    while ((errno = 0, entry = readdir(proc)) != NULL) {
        if (!isdigit((unsigned char)entry->d_name[0]))
            continue; /* not a process: /proc/self, /proc/meminfo, ... */
        int seen = maps_file(entry->d_name, dev, ino);
        if (seen > 0)
            out->count++;
        else if (seen < 0)
            out->unreadable++;
    }
    int err = errno;
    closedir(proc);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

#else
/* Windows has no /proc: nothing to build. (ISO C wants at least one
 * declaration in a file.) */
typedef int mappers_not_on_this_system;
#endif
