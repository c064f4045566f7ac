/*
 * lost_updates.c - demo 09 on Windows: lost updates you can see and measure,
 * and four ways to lose none, each with its price.
 *
 * N worker processes share one unnamed file mapping and add 1 to a counter
 * in it, M times each. "plain" does it with a load and a store, and loses an
 * update whenever two workers interleave. "atomic" (InterlockedIncrement64),
 * "lock" (a mutex), "semaphore" (a semaphore of count 1 used as a lock) and
 * "batched" (count privately, add the total once) lose none. Each worker is
 * this same program, started with CreateProcessW and a worker role; it
 * inherits the handles of the mapping, the mutex and the semaphore, whose
 * values it finds on its command line.
 *
 * Build this file on its own (from this folder, in bash; MinGW GCC, clang + lld):
 *   x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 09-lost-updates.exe lost_updates.c ../../common/{cli,errors}.c
 *   clang --target=x86_64-w64-mingw32 -fuse-ld=lld -std=c11 -Wall -Wextra -Wpedantic -I../../common -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")" -o 09-lost-updates-clang.exe lost_updates.c ../../common/{cli,errors}.c
 * (Debian's clang 14 does not find MinGW's libgcc by itself: the -L option
 * asks the MinGW GCC where it is.)
 *
 * Example session (run under Wine; numbers differ on every run and machine):
 *   > 09-lost-updates.exe --workers 2 --loops 10000000 --method plain --method atomic
 *   method=plain workers=2 loops=10000000 expected=20000000 got=10321989 lost=9678011 seconds=0.011467 ops_per_s=1744074507
 *   method=atomic workers=2 loops=10000000 expected=20000000 got=20000000 lost=0 seconds=0.044564 ops_per_s=448794762
 */
#include <windows.h>

#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "cli.h"
#include "errors.h"

#define MAX_WORKERS 64 /* also what one WaitForMultipleObjects can wait for */
#define MAX_LOOPS 1000000000LL
#define DEFAULT_LOOPS 1000000LL
#define MAX_METHODS 16
#define CACHE_LINE 64 /* bytes, on every x86-64 processor */
#define POLL_MS 100   /* how often the parent looks for Ctrl+C while it waits */

enum method { PLAIN, ATOMIC, LOCK, SEMAPHORE, BATCHED, METHOD_COUNT };
static const char *const method_names[METHOD_COUNT] = { "plain", "atomic", "lock", "semaphore",
                                                        "batched" };

/* excerpt: layout */
/* --- Step 0: the shared layout -------------------------------------------
 * Every counter and flag starts a cache line of its own: a core that writes
 * a byte must first own the whole 64-byte line, and takes it from every
 * other core, so two fields on one line would slow each other down (false
 * sharing). MapViewOfFile returns an address aligned to 64 KiB (the
 * allocation granularity), so these offsets are line boundaries in memory.
 * LONG is 32 bits on Windows, even in 64-bit programs: 64 workers times
 * 10^9 loops needs LONG64, and so InterlockedIncrement64, which wants its
 * target aligned on 8 bytes (it is: on 64). */
struct shared {
    /* What to do, written by the parent before it starts the workers. */
    LONG method;
    LONG workers;
    LONG64 loops;
    volatile LONG stopping; /* the parent is ending the workers: see add_locked */
    /* The start line (see run_worker): workers that have arrived, workers
     * that have seen all arrive, and the parent's signal to start. */
    alignas(CACHE_LINE) volatile LONG arrived;
    alignas(CACHE_LINE) volatile LONG ready;
    alignas(CACHE_LINE) volatile LONG go;
    /* One counter per method. */
    alignas(CACHE_LINE) volatile LONG64 plain; /* volatile: see add_plain */
    alignas(CACHE_LINE) volatile LONG64 atomic;
    alignas(CACHE_LINE) LONG64 locked;     /* touched only with the mutex held */
    alignas(CACHE_LINE) LONG64 semaphored; /* touched only with the semaphore held */
    alignas(CACHE_LINE) volatile LONG64 batched;
    /* When each worker finished, in QueryPerformanceCounter ticks (0: not
     * yet). Time stamps from different processes of one machine compare. */
    struct {
        alignas(CACHE_LINE) volatile LONG64 ticks;
    } finished[MAX_WORKERS];
};
/* end excerpt */

struct config {
    int workers;
    long long loops;
    enum method methods[MAX_METHODS];
    int method_count;
    bool csv;
};

static LONG64 now_ticks(void)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return t.QuadPart;
}

/* --- The workers: one function per method ------------------------------- */

/* excerpt: plain */
/* Broken on purpose: a load, an add and a store. volatile makes the
 * compiler do all M of them (without it, it may add M once); it does not
 * make the three steps one. */
static void add_plain(struct shared *s, LONG64 loops)
{
    for (LONG64 i = 0; i < loops; i++)
        s->plain = s->plain + 1;
}
/* end excerpt */

/* excerpt: atomic */
/* One indivisible read-modify-write, and a full memory barrier: lock xadd
 * or lock add on x86-64. */
static void add_atomic(struct shared *s, LONG64 loops)
{
    for (LONG64 i = 0; i < loops; i++)
        InterlockedIncrement64(&s->atomic);
}
/* end excerpt */

/* A worker's call failed: say so, unless the parent is ending every worker
 * (then a wait may fail, or find the mutex abandoned by a worker that the
 * parent ended first: no news). */
static int worker_failed(const struct shared *s, const char *call, const char *what)
{
    DWORD error = GetLastError();
    if (!s->stopping)
        report_win32(call, what, error);
    return EXIT_SYSCALL;
}

/* excerpt: lock */
/* A plain counter, guarded by the mutex. WAIT_ABANDONED means that we own
 * the mutex now, but its last owner ended without releasing it, maybe in
 * the middle of an update: the count cannot be trusted any more. */
static int add_locked(struct shared *s, LONG64 loops, HANDLE mutex)
{
    for (LONG64 i = 0; i < loops; i++) {
        DWORD waited = WaitForSingleObject(mutex, INFINITE);
        if (waited == WAIT_ABANDONED && !s->stopping)
            report_problem("method=lock: a worker died holding the mutex (WAIT_ABANDONED)");
        if (waited != WAIT_OBJECT_0)
            return worker_failed(s, "WaitForSingleObject", "method=lock");
        s->locked = s->locked + 1;
        if (!ReleaseMutex(mutex))
            return worker_failed(s, "ReleaseMutex", "method=lock");
    }
    return EXIT_OK;
}
/* end excerpt */

/* excerpt: semaphore */
/* A semaphore of count 1: waiting takes it to 0 (lock), ReleaseSemaphore
 * gives it back (unlock). Unlike a mutex it has no owner: if a worker dies
 * in between, nobody is told, and the others wait for ever (the parent then
 * ends them). */
static int add_semaphored(struct shared *s, LONG64 loops, HANDLE semaphore)
{
    for (LONG64 i = 0; i < loops; i++) {
        if (WaitForSingleObject(semaphore, INFINITE) != WAIT_OBJECT_0)
            return worker_failed(s, "WaitForSingleObject", "method=semaphore");
        s->semaphored = s->semaphored + 1;
        if (!ReleaseSemaphore(semaphore, 1, NULL))
            return worker_failed(s, "ReleaseSemaphore", "method=semaphore");
    }
    return EXIT_OK;
}
/* end excerpt */

/* excerpt: batched */
/* Count in private memory (this process's own stack), then add the total
 * once. volatile only makes the comparison fair: every worker really does
 * its M increments, one load and one store each, as in add_plain. */
static void add_batched(struct shared *s, LONG64 loops)
{
    volatile LONG64 mine = 0;
    for (LONG64 i = 0; i < loops; i++)
        mine = mine + 1;
    InterlockedExchangeAdd64(&s->batched, mine);
}
/* end excerpt */

/* The worker role: --worker INDEX MAPPING MUTEX SEMAPHORE, the handle
 * values this process inherited (0 for the ones the run does not use). */
static int run_worker(char **argv)
{
    unsigned long index, mapping, mutex, semaphore;
    /* Inherited handles keep their value in the child. Handle values fit
     * in 32 bits, even in 64-bit processes. */
    if (!parse_unsigned(argv[2], 10, MAX_WORKERS - 1, &index) ||
        !parse_unsigned(argv[3], 10, 0xfffffffful, &mapping) ||
        !parse_unsigned(argv[4], 10, 0xfffffffful, &mutex) ||
        !parse_unsigned(argv[5], 10, 0xfffffffful, &semaphore)) {
        report_problem("--worker: this role is for the program itself: "
                       "--worker INDEX MAPPING MUTEX SEMAPHORE");
        return EXIT_USAGE;
    }
    /* Ctrl+C reaches every process of the console: the parent alone
     * decides, and ends the workers itself. */
    SetConsoleCtrlHandler(NULL, TRUE);
    struct shared *s = MapViewOfFile((HANDLE)(UINT_PTR)mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (s == NULL) {
        report_win32("MapViewOfFile", "the inherited mapping", GetLastError());
        return EXIT_SYSCALL;
    }
    /* excerpt: worker */
    /* The start line has two steps. While the others are still being
     * started, a worker sleeps between looks, so as not to take the CPU
     * they need (starting a process takes milliseconds of it). Once all
     * have arrived, it watches go closely: the parent says go as soon as
     * every worker is ready, and they all start within microseconds. */
    InterlockedIncrement(&s->arrived);
    while (s->arrived < s->workers)
        Sleep(1);
    InterlockedIncrement(&s->ready);
    while (!s->go)
        SwitchToThread(); /* there may be fewer CPUs than workers: let the others get ready too */
    int status = EXIT_OK;
    switch ((enum method)s->method) {
    case PLAIN: add_plain(s, s->loops); break;
    case ATOMIC: add_atomic(s, s->loops); break;
    case LOCK: status = add_locked(s, s->loops, (HANDLE)(UINT_PTR)mutex); break;
    case SEMAPHORE: status = add_semaphored(s, s->loops, (HANDLE)(UINT_PTR)semaphore); break;
    case BATCHED: add_batched(s, s->loops); break;
    case METHOD_COUNT: break;
    }
    if (status == EXIT_OK)
        s->finished[index].ticks = now_ticks();
    /* end excerpt */
    if (!UnmapViewOfFile(s)) {
        report_win32("UnmapViewOfFile", "the inherited mapping", GetLastError());
        return EXIT_SYSCALL;
    }
    return status;
}

/* --- The parent ----------------------------------------------------------- */

/* Set by the console handler, which runs on a thread of its own. */
static volatile LONG stop_requested;

static BOOL WINAPI on_console_event(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE; /* closing the window: the system ends us, and the job ends the workers */
    InterlockedExchange(&stop_requested, 1);
    return TRUE; /* handled: the parent stops the workers itself */
}

/* What every worker gets: the program, and the handles it inherits. */
struct parent {
    wchar_t exe[MAX_PATH];
    HANDLE mapping, mutex, semaphore;
    HANDLE job; /* every worker is in it; closing it ends them all */
};

/* A run of one method: the workers' process handles, NULL once reaped. */
struct run {
    HANDLE process[MAX_WORKERS];
    DWORD pid[MAX_WORKERS];
    int alive;
    enum method method;
    bool stopped; /* by Ctrl+C */
};

/* excerpt: start */
/* Start worker i: this program again, with its role and the handle values
 * on the command line. Suspended until it is in the job, so that it cannot
 * outlive us even for a moment. */
static bool start_worker(const struct parent *p, struct run *r, int i)
{
    /* CreateProcessW may write into the command line: it must be a buffer
     * of ours, never a string literal. */
    wchar_t command[MAX_PATH + 100];
    if (swprintf(command, sizeof command / sizeof command[0], L"\"%ls\" --worker %d %lu %lu %lu",
                 p->exe, i, (unsigned long)(UINT_PTR)p->mapping, (unsigned long)(UINT_PTR)p->mutex,
                 (unsigned long)(UINT_PTR)p->semaphore) < 0) {
        report_problem("the command line of worker %d does not fit in %u characters", i + 1,
                       (unsigned)(sizeof command / sizeof command[0]));
        return false;
    }
    STARTUPINFOW si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    /* bInheritHandles TRUE: the worker gets every handle we made
     * inheritable (the mapping, the mutex, the semaphore), nothing else. */
    if (!CreateProcessW(p->exe, command, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si,
                        &pi)) {
        report_win32("CreateProcessW", "a worker", GetLastError());
        return false;
    }
    if (!AssignProcessToJobObject(p->job, pi.hProcess) || ResumeThread(pi.hThread) == (DWORD)-1) {
        report_win32("AssignProcessToJobObject", "a worker", GetLastError());
        TerminateProcess(pi.hProcess, EXIT_SYSCALL);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        return false;
    }
    CloseHandle(pi.hThread);
    r->process[i] = pi.hProcess;
    r->pid[i] = pi.dwProcessId;
    r->alive++;
    return true;
}
/* end excerpt */

/* Wait up to ms for a worker to end, then reap every worker that has ended.
 * Returns false, after saying why, when the run must end: Ctrl+C, or a
 * worker that ended before it had finished its loops (killed, or a failed
 * call). Every such worker is named: when one dies holding the mutex,
 * another ends too, on WAIT_ABANDONED. */
static bool wait_event(struct shared *s, struct run *r, int workers, DWORD ms)
{
    if (stop_requested) {
        r->stopped = true;
        return false;
    }
    HANDLE handles[MAX_WORKERS];
    int count = 0;
    for (int i = 0; i < workers; i++)
        if (r->process[i] != NULL)
            handles[count++] = r->process[i];
    if (count == 0)
        return true;
    DWORD waited = WaitForMultipleObjects((DWORD)count, handles, FALSE, ms);
    if (waited == WAIT_TIMEOUT)
        return true;
    if (waited >= WAIT_OBJECT_0 + (DWORD)count) {
        report_win32("WaitForMultipleObjects", "the workers", GetLastError());
        return false;
    }
    bool ok = true;
    for (int i = 0; i < workers; i++) {
        if (r->process[i] == NULL || WaitForSingleObject(r->process[i], 0) != WAIT_OBJECT_0)
            continue;
        DWORD code = 0;
        GetExitCodeProcess(r->process[i], &code);
        CloseHandle(r->process[i]);
        r->process[i] = NULL;
        r->alive--;
        if (code == EXIT_OK && s->finished[i].ticks != 0)
            continue;
        report_problem("worker %d of %d (pid %lu) ended with exit code %lu before it had "
                       "finished method=%s: the run is void; stopping the other workers",
                       i + 1, workers, r->pid[i], code, method_names[r->method]);
        ok = false;
    }
    return ok;
}

/* End every worker still running. TerminateJobObject, because a worker may
 * be waiting for a lock that a dead worker held: it would never get it. */
static void stop_workers(const struct parent *p, struct shared *s, struct run *r, int workers)
{
    InterlockedExchange(&s->stopping, 1);
    if (!TerminateJobObject(p->job, EXIT_SYSCALL))
        report_win32("TerminateJobObject", "the workers", GetLastError());
    for (int i = 0; i < workers; i++)
        if (r->process[i] != NULL) {
            WaitForSingleObject(r->process[i], INFINITE);
            CloseHandle(r->process[i]);
            r->process[i] = NULL;
        }
    r->alive = 0;
}

struct result {
    long long expected, got;
    double seconds;
};

static bool run_method(const struct parent *p, struct shared *s, const struct config *cfg,
                       struct run *r, struct result *out)
{
    int n = cfg->workers;
    s->method = (LONG)r->method;
    s->workers = n;
    s->loops = cfg->loops;
    s->stopping = 0;
    s->arrived = 0;
    s->ready = 0;
    s->go = 0;
    s->plain = 0;
    s->atomic = 0;
    s->locked = 0;
    s->semaphored = 0;
    s->batched = 0;
    for (int i = 0; i < n; i++)
        s->finished[i].ticks = 0;

    /* Step 2: start the workers; each waits at the start line. */
    fflush(stdout);
    for (int i = 0; i < n; i++)
        if (!start_worker(p, r, i)) {
            stop_workers(p, s, r, n);
            return false;
        }

    /* Step 3: the start line. Starting a process takes milliseconds on
     * Windows, longer than a short run: without the line, the first worker
     * could finish before the last one starts, and nothing would overlap. */
    while (s->ready < n)
        if (!wait_event(s, r, n, 1)) {
            stop_workers(p, s, r, n);
            return false;
        }
    LONG64 start = now_ticks();
    InterlockedExchange(&s->go, 1);

    /* Step 4: wait until every worker has exited. */
    while (r->alive > 0)
        if (!wait_event(s, r, n, POLL_MS)) {
            stop_workers(p, s, r, n);
            return false;
        }

    LONG64 last = start;
    for (int i = 0; i < n; i++)
        if (s->finished[i].ticks > last)
            last = s->finished[i].ticks;
    LARGE_INTEGER frequency;
    QueryPerformanceFrequency(&frequency);
    long long got = 0;
    switch (r->method) {
    case PLAIN: got = s->plain; break;
    case ATOMIC: got = s->atomic; break;
    case LOCK: got = s->locked; break;
    case SEMAPHORE: got = s->semaphored; break;
    case BATCHED: got = s->batched; break;
    case METHOD_COUNT: break;
    }
    out->expected = (long long)n * cfg->loops;
    out->got = got;
    out->seconds = (double)(last - start) / (double)frequency.QuadPart;
    return true;
}

/* --- Output ---------------------------------------------------------------- */
static void print_result(const struct config *cfg, enum method m, const struct result *r)
{
    double rate = (double)r->expected / (r->seconds > 1e-9 ? r->seconds : 1e-9);
    const char *format = cfg->csv ? "%s,%d,%lld,%lld,%lld,%lld,%.6f,%.0f\n"
                                  : "method=%s workers=%d loops=%lld expected=%lld got=%lld "
                                    "lost=%lld seconds=%.6f ops_per_s=%.0f\n";
    printf(format, method_names[m], cfg->workers, cfg->loops, r->expected, r->got,
           r->expected - r->got, r->seconds, rate);
    fflush(stdout);
}

static void explain_plain(const struct config *cfg, const struct result *r, int cpus)
{
    long long lost = r->expected - r->got;
    if (cfg->workers == 1)
        fprintf(stderr, "note: method=plain with 1 worker: no other process can store between "
                        "its load and its store, so it loses nothing\n");
    else if (cpus == 1)
        fprintf(stderr, "note: method=plain on 1 CPU: the workers take turns, and an update is "
                        "lost only when a worker is preempted between its load and its store "
                        "(then all that the others added meanwhile is lost)\n");
    else if (lost == 0)
        fprintf(stderr, "note: method=plain lost nothing this time: the workers did not overlap "
                        "enough; try more --loops\n");
    fflush(stderr);
}

/* The CPUs this process may run on: the bits of its affinity mask. */
static int usable_cpus(void)
{
    DWORD_PTR mine, system;
    if (!GetProcessAffinityMask(GetCurrentProcess(), &mine, &system) || mine == 0)
        return 1;
    int n = 0;
    for (; mine != 0; mine &= mine - 1)
        n++;
    return n;
}

/* --- The command line ------------------------------------------------------ */
static void print_usage(FILE *to)
{
    fprintf(to,
            "usage: %s [--workers N] [--loops M] [--method METHOD]... [--csv]\n"
            "       %s --help\n",
            program_name, program_name);
}

static void print_help(void)
{
    printf("%s: N processes add 1 to one shared counter M times each; see what is lost\n\n",
           program_name);
    print_usage(stdout);
    printf("\n"
           "  --workers N       worker processes, 1 to %d (default: the CPUs this process\n"
           "                    may use, at least 2)\n"
           "  --loops M         increments per worker, 1 to 1000000000 (default %lld)\n"
           "  --method METHOD   plain, atomic, lock, semaphore or batched; give it again for\n"
           "                    more (default: all five, in that order)\n"
           "  --csv             print CSV with a header line instead of key=value lines\n"
           "  --help            print this help and exit\n"
           "\n"
           "Each method prints: method=<m> workers=<N> loops=<M> expected=<E> got=<G>\n"
           "lost=<L> seconds=<S> ops_per_s=<R>. plain loses updates on purpose; the\n"
           "others must lose none. Notes go to standard error.\n"
           "\n"
           "Exit status: 0 when every method but plain lost nothing, 1 when one lost an\n"
           "update or a call failed (a worker that dies is a failure), 2 bad command\n"
           "line. Ctrl+C ends the workers, then the program, with the exit code of an\n"
           "interrupted program, STATUS_CONTROL_C_EXIT (0xC000013A).\n",
           MAX_WORKERS, DEFAULT_LOOPS);
    fflush(stdout);
}

/* Returns -1 to go on, or the exit status: 0 after --help, 2 on a mistake. */
static int parse_command_line(int argc, char **argv, struct config *cfg)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help();
            return EXIT_OK;
        }
        if (strcmp(arg, "--csv") == 0) {
            cfg->csv = true;
            continue;
        }
        /* --name VALUE or --name=VALUE */
        static const char *const names[] = { "--workers", "--loops", "--method" };
        const char *value;
        int which = cli_option_value(argc, argv, &i, names, 3, &value);
        if (which < 0 && strncmp(arg, "--", 2) == 0)
            return cli_usage_error(print_usage, "unknown option '%s'", arg);
        if (which < 0)
            return cli_usage_error(print_usage, "unexpected argument '%s'", arg);
        if (value == NULL)
            return cli_usage_error(print_usage, "option '%s' needs a value", names[which]);

        unsigned long number;
        if (which == 0) {
            if (!parse_unsigned(value, 10, MAX_WORKERS, &number) || number < 1)
                return cli_usage_error(print_usage,
                                       "--workers: '%s' is not a whole number from 1 to %d", value,
                                       MAX_WORKERS);
            cfg->workers = (int)number;
        } else if (which == 1) {
            if (!parse_unsigned(value, 10, (unsigned long)MAX_LOOPS, &number) || number < 1)
                return cli_usage_error(print_usage,
                                       "--loops: '%s' is not a whole number from 1 to %lld", value,
                                       MAX_LOOPS);
            cfg->loops = (long long)number;
        } else {
            int m = 0;
            while (m < METHOD_COUNT && strcmp(value, method_names[m]) != 0)
                m++;
            if (m == METHOD_COUNT)
                return cli_usage_error(print_usage,
                                       "--method: '%s' is not a method: plain, atomic, lock, "
                                       "semaphore or batched",
                                       value);
            if (cfg->method_count == MAX_METHODS)
                return cli_usage_error(print_usage, "--method: at most %d of them", MAX_METHODS);
            cfg->methods[cfg->method_count++] = (enum method)m;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    set_program_name(argv[0]);
    if (argc == 6 && strcmp(argv[1], "--worker") == 0)
        return run_worker(argv);
    int cpus = usable_cpus();
    /* One worker per CPU, so that all can run at once; at least two, or
     * nothing could be lost. */
    struct config cfg = { .workers = cpus, .loops = DEFAULT_LOOPS };
    if (cfg.workers < 2)
        cfg.workers = 2;
    if (cfg.workers > MAX_WORKERS)
        cfg.workers = MAX_WORKERS;
    int status = parse_command_line(argc, argv, &cfg);
    if (status >= 0)
        return status;
    if (cfg.method_count == 0)
        for (int m = 0; m < METHOD_COUNT; m++)
            cfg.methods[cfg.method_count++] = (enum method)m;

    /* Ctrl+C: our handler. start /b starts a program with Ctrl+C ignored;
     * SetConsoleCtrlHandler(NULL, FALSE) turns it back on for us. */
    if (!SetConsoleCtrlHandler(on_console_event, TRUE) || !SetConsoleCtrlHandler(NULL, FALSE)) {
        report_win32("SetConsoleCtrlHandler", "on_console_event", GetLastError());
        return EXIT_SYSCALL;
    }

    /* excerpt: setup */
    /* Step 1: the shared objects, all unnamed and inheritable: the workers
     * get them from us, and nobody else can find them by a name. Each goes
     * away with its last handle, so nothing outlives the run. */
    struct parent p = { .mapping = NULL };
    SECURITY_ATTRIBUTES inheritable = { sizeof inheritable, NULL, TRUE };
    DWORD length = GetModuleFileNameW(NULL, p.exe, MAX_PATH);
    if (length == 0 || length == MAX_PATH) { /* MAX_PATH: cut short */
        report_win32("GetModuleFileNameW", "this program", GetLastError());
        return EXIT_SYSCALL;
    }
    p.mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, &inheritable, PAGE_READWRITE, 0,
                                   sizeof(struct shared), NULL);
    if (p.mapping == NULL) { /* NULL, not INVALID_HANDLE_VALUE, means failure here */
        report_win32("CreateFileMappingW", "the shared counters", GetLastError());
        return EXIT_SYSCALL;
    }
    struct shared *s = MapViewOfFile(p.mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (s == NULL) {
        report_win32("MapViewOfFile", "the shared counters", GetLastError());
        CloseHandle(p.mapping);
        return EXIT_SYSCALL;
    }
    /* Not owned at first (FALSE); a semaphore of count 1, at most 1. */
    p.mutex = CreateMutexW(&inheritable, FALSE, NULL);
    p.semaphore = CreateSemaphoreW(&inheritable, 1, 1, NULL);
    /* The job is NOT inheritable: a worker holding a handle to it would
     * keep it open, and KILL_ON_JOB_CLOSE would never fire. */
    p.job = CreateJobObjectW(NULL, NULL);
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = { 0 };
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (p.mutex == NULL || p.semaphore == NULL || p.job == NULL ||
        !SetInformationJobObject(p.job, JobObjectExtendedLimitInformation, &limits,
                                 sizeof limits)) {
        report_win32(p.mutex == NULL       ? "CreateMutexW"
                     : p.semaphore == NULL ? "CreateSemaphoreW"
                     : p.job == NULL       ? "CreateJobObjectW"
                                           : "SetInformationJobObject",
                     "the workers' objects", GetLastError());
        return EXIT_SYSCALL; /* Windows closes what we made */
    }
    /* end excerpt */

    if (cfg.csv) {
        printf("method,workers,loops,expected,got,lost,seconds,ops_per_s\n");
        fflush(stdout);
    }
    status = EXIT_OK;
    bool stopped = false;
    for (int k = 0; k < cfg.method_count; k++) {
        struct run run = { .method = cfg.methods[k] };
        struct result result;
        if (!run_method(&p, s, &cfg, &run, &result)) {
            stopped = run.stopped;
            status = EXIT_SYSCALL;
            if (stopped)
                report_problem("stopped by Ctrl+C during method=%s; no worker is left running",
                               method_names[run.method]);
            break;
        }
        print_result(&cfg, run.method, &result);
        if (run.method == PLAIN) {
            explain_plain(&cfg, &result, cpus);
        } else if (result.got != result.expected) {
            report_problem("method=%s lost %lld updates: it must lose none",
                           method_names[run.method], result.expected - result.got);
            status = EXIT_SYSCALL;
        }
    }

    /* Step 5: unmap and close. The last handle closed destroys each object. */
    if (!UnmapViewOfFile(s)) {
        report_win32("UnmapViewOfFile", "the shared counters", GetLastError());
        status = EXIT_SYSCALL;
    }
    HANDLE handles[] = { p.mapping, p.mutex, p.semaphore, p.job };
    for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++)
        if (!CloseHandle(handles[i])) {
            report_win32("CloseHandle", "a shared object", GetLastError());
            status = EXIT_SYSCALL;
        }
    return stopped ? (int)STATUS_CONTROL_C_EXIT : status;
}
