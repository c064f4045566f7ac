/*
 * header_check.h - is this shared memory really one of our counters?
 *
 * Anything can sit under a key or a name: another program's data, an older
 * build of ours, a segment too small to hold the counter, or plain garbage.
 * Every demo starts its shared layout with the same three fields (magic,
 * version, size) and checks them, and the count, before it trusts or
 * changes a byte.
 */
#ifndef COMMON_HEADER_CHECK_H
#define COMMON_HEADER_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* The bytes 'S' 'H' 'M' 'C' when read as a little-endian number. */
#define COUNTER_MAGIC 0x434d4853u
#define COUNTER_VERSION 1u

/* No demo will ever see this many copies at once: a larger count is damage. */
#define MAX_INSTANCES 1000000L

/* Returns NULL when the header describes our counter, or a reason such as
 * "wrong magic 0x12345678" that the caller puts in its refusal. The reason
 * points to a static buffer, valid until the next call. object_size is the
 * size the system reports for the whole shared object. */
const char *header_problem(uint32_t magic, uint32_t version, uint32_t size, size_t expected_size,
                           size_t object_size);

/* Returns NULL when count is a possible number of running copies. */
const char *count_problem(long long count);

#endif
