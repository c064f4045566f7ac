/* header_check.c - validating a shared counter: see header_check.h. */
#include "header_check.h"

/* %lu and casts rather than %zu: older Windows C runtimes lack %zu. */
#include <stdio.h>

static char reason[128];

const char *header_problem(uint32_t magic, uint32_t version, uint32_t size, size_t expected_size,
                           size_t object_size)
{
    if (object_size < expected_size)
        snprintf(reason, sizeof reason, "it is %lu bytes, smaller than the %lu the counter needs",
                 (unsigned long)object_size, (unsigned long)expected_size);
    else if (magic != COUNTER_MAGIC)
        snprintf(reason, sizeof reason, "wrong magic 0x%08lx (ours is 0x%08lx)",
                 (unsigned long)magic, (unsigned long)COUNTER_MAGIC);
    else if (version != COUNTER_VERSION)
        snprintf(reason, sizeof reason, "layout version %lu (this program knows %lu)",
                 (unsigned long)version, (unsigned long)COUNTER_VERSION);
    else if (size != expected_size)
        snprintf(reason, sizeof reason, "header says %lu bytes (this program needs %lu)",
                 (unsigned long)size, (unsigned long)expected_size);
    else
        return NULL;
    return reason;
}

const char *count_problem(long long count)
{
    if (count >= 0 && count <= MAX_INSTANCES)
        return NULL;
    snprintf(reason, sizeof reason, "impossible count %lld", count);
    return reason;
}
