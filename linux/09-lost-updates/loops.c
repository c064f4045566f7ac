/*
 * loops.c - not a program: the plain worker's loop three ways, to read what
 * the compiler makes of each. Ask for assembly instead of an object file:
 *   cc -std=c11 -O2 -S -o loops.s loops.c
 *
 * add_plain may become one addition of loops: nothing in C says that
 * another process looks at *counter while the loop runs, so the compiler
 * may keep the running count in a register and store once. add_volatile
 * makes every load and store happen, and still loses updates: a load and a
 * store are two steps. add_atomic is one indivisible step (lock add).
 */
/* excerpt: loops */
#include <stdatomic.h>

void add_plain(long long *counter, long long loops)
{
    for (long long i = 0; i < loops; i++)
        *counter = *counter + 1;
}

void add_volatile(volatile long long *counter, long long loops)
{
    for (long long i = 0; i < loops; i++)
        *counter = *counter + 1;
}

void add_atomic(atomic_llong *counter, long long loops)
{
    for (long long i = 0; i < loops; i++)
        atomic_fetch_add(counter, 1);
}
/* end excerpt */
