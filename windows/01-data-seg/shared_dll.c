/*
 * shared_dll.c - demo 01, the DLL case: the same shared section as
 * data_seg.c, but inside a DLL. Every process that loads this DLL file maps
 * its shared section, so different programs count together through it
 * (here 01-dll-client-one.exe and 01-dll-client-two.exe).
 *
 * Build the DLL and a client on their own (from this folder; MSVC, MinGW
 * GCC, clang + lld). Each client links against the DLL of its own compiler.
 *   cl /std:c11 /W4 /LD /I..\..\common /DBUILDING_SHARED_DLL /Fe01-shared-dll-msvc.dll shared_dll.c
 *   cl /std:c11 /W4 /I..\..\common /Fe01-dll-client-one-msvc.exe dll_client.c ..\..\common\*.c 01-shared-dll-msvc.lib
 *   x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Wpedantic -I../../common -shared -DBUILDING_SHARED_DLL -o 01-shared-dll.dll shared_dll.c
 *   x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 01-dll-client-one.exe dll_client.c ../../common/{cli,errors,header_check,output,stop}.c 01-shared-dll.dll
 *   clang --target=x86_64-w64-mingw32 -fms-extensions -fuse-ld=lld -std=c11 -Wall -Wextra -Wpedantic -I../../common -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")" -shared -DBUILDING_SHARED_DLL -o 01-shared-dll-clang.dll shared_dll.c
 *   clang --target=x86_64-w64-mingw32 -fuse-ld=lld -std=c11 -Wall -Wextra -Wpedantic -I../../common -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")" -o 01-dll-client-one-clang.exe dll_client.c ../../common/{cli,errors,header_check,output,stop}.c 01-shared-dll-clang.dll
 * (The last four lines are for bash; on -L, see data_seg.c.)
 *
 * Example session: one console runs 01-dll-client-one.exe, another runs
 * 01-dll-client-two.exe; the second says "joined ... instances=2".
 */
#include "shared_dll.h"

#include "header_check.h"

struct shared_counter {
    LONG magic;
    LONG version;
    LONG size;
    volatile LONG instances; /* changed only with Interlocked functions */
};

/* The two routes of data_seg.c, for the same reasons: see its comments. */
#if defined(_MSC_VER) || defined(__clang__)
#ifdef __clang__
#pragma clang diagnostic error "-Wunknown-pragmas" /* no -fms-extensions: no shared section */
#endif
#pragma data_seg(".shared")
static struct shared_counter counter = { COUNTER_MAGIC, COUNTER_VERSION,
                                         sizeof(struct shared_counter), 0 };
#pragma data_seg()
#pragma comment(linker, "/SECTION:.shared,RWS")
#else
static struct shared_counter counter
    __attribute__((section(".shared"), shared)) = { COUNTER_MAGIC, COUNTER_VERSION,
                                                    sizeof(struct shared_counter), 0 };
#endif

SHARED_DLL_API const char *shared_dll_problem(void)
{
    if (counter.magic != (LONG)COUNTER_MAGIC || counter.version != (LONG)COUNTER_VERSION ||
        counter.size != (LONG)sizeof counter)
        return "its header is not ours";
    LONG n = shared_dll_count();
    if (n < 0 || n > MAX_INSTANCES)
        return "its count is impossible";
    return NULL;
}

/* excerpt: dll-exports */
SHARED_DLL_API LONG shared_dll_join(void)
{
    return InterlockedIncrement(&counter.instances);
}

SHARED_DLL_API LONG shared_dll_leave(void)
{
    return InterlockedDecrement(&counter.instances);
}
/* end excerpt */

/* Read the shared count. An aligned LONG is read in one piece (Microsoft's
 * "Interlocked Variable Access" page); the barrier keeps the reads that
 * follow after it. Not InterlockedCompareExchange(p, 0, 0), the usual trick:
 * it leaves the value as it was, but it is still a locked write (on x86,
 * lock cmpxchg always writes), and a write faults on a read-only view (demo
 * 02's --peek maps one). The same read in every hardened Windows demo. */
SHARED_DLL_API LONG shared_dll_count(void)
{
    LONG value = counter.instances; /* volatile: a real load, every time */
    MemoryBarrier();
    return value;
}
