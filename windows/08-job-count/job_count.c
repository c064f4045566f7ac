/*
 * job_count.c - demo 08 (Windows): count the running copies of this program
 * with a named job object. The kernel keeps the count, so it is right even
 * after a crash.
 *
 * Every copy opens the job object by name (creating it if it is the first)
 * and puts itself in it (AssignProcessToJobObject). The count is the job's
 * ActiveProcesses (QueryInformationJobObject). No copy ever writes it: the
 * kernel adds a process when it joins and takes it out when it ends, however
 * it ends - Enter, Ctrl+C, TerminateProcess, taskkill /f. A process cannot
 * leave its job while it runs; ending is the only way out.
 * --semaphore adds the counter-example: each copy also raises a named
 * semaphore by 1 when it joins and lowers it when it leaves, and shows that
 * count instead. A killed copy never lowers it: Windows does not release a
 * semaphore when the process that raised it dies.
 *
 * Build this file on its own (from this folder; MSVC, MinGW GCC, clang + lld):
 *   cl /std:c11 /W4 /I..\..\common /Fe08-job-count-msvc.exe job_count.c ..\..\common\*.c
 *   x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Wpedantic -I../../common -o 08-job-count.exe job_count.c ../../common/{cli,errors,header_check,output,stop}.c
 *   clang --target=x86_64-w64-mingw32 -fuse-ld=lld -std=c11 -Wall -Wextra -Wpedantic -I../../common -L"$(dirname "$(x86_64-w64-mingw32-gcc -print-libgcc-file-name)")" -o 08-job-count-clang.exe job_count.c ../../common/{cli,errors,header_check,output,stop}.c
 * (The two last lines are for bash. Debian's clang 14 does not find MinGW's
 * libgcc by itself: the -L option asks the MinGW GCC where it is.)
 *
 * Example session (two consoles; the second copy is ended by force, as
 * taskkill /f or a crash would end it, and the count drops all the same):
 *   one> 08-job-count.exe --name lab        two> 08-job-count.exe --name lab --crash --hold 2
 *   joined pid=1204 instances=1             joined pid=3312 instances=2
 *   now instances=2                         crashing pid=3312 instances=2
 *   now instances=1                         two> 08-job-count.exe --name lab --peek
 *                                           instances=1
 * Or in one console, a copy in the background: end the line with <nul, or
 * the copy reads the console too and takes the next line you type as its
 * Enter:
 *   > start /b 08-job-count.exe --name lab --hold 10 <nul
 */
#include <windows.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "errors.h"
#include "output.h"
#include "stop.h"

#define DEFAULT_NAME "shm-suite-08"
#define NAME_MAX_LEN 200
#define POLL_MS 100       /* how often the live loop looks at the count */
#define LOCK_WAIT_MS 5000 /* how long to wait for another copy's join or leave */

/* --- Step 0: the layout ---------------------------------------------------
 * Nothing is shared but kernel objects, all under one name:
 *   Local\NAME            the job object: its ActiveProcesses is the count
 *   Local\NAME-lock       a mutex: one copy at a time joins or leaves
 *   Local\NAME-semaphore  --semaphore only: the count kept by the copies
 * The kernel keeps the count right; the lock only makes each copy's own
 * line exact. Without it two copies that join at once can both read 2 (the
 * assignment and the query are two calls), and two that leave at once can
 * both say 1. */
struct identity {
    const char *name; /* as given, without the namespace */
    bool global;      /* Global\ instead of Local\ */
    bool semaphore;   /* --semaphore: show the semaphore's count */
};

static char job_name[NAME_MAX_LEN + 32];  /* "Local\shm-suite-08" */
static char lock_name[NAME_MAX_LEN + 32]; /* "Local\shm-suite-08-lock" */
static char sem_name[NAME_MAX_LEN + 32];  /* "Local\shm-suite-08-semaphore" */
static wchar_t wide_job[NAME_MAX_LEN + 32], wide_lock[NAME_MAX_LEN + 32],
    wide_sem[NAME_MAX_LEN + 32]; /* the same, for the W functions */

/* --- The command line: --name NAME, --global, --semaphore ---------------- */
static const char *set_name(const char *value, void *ctx)
{
    if (value[0] == '\0' || strlen(value) > NAME_MAX_LEN)
        return "must be 1 to 200 characters";
    if (strchr(value, '\\') != NULL)
        return "may not contain '\\' (Local\\ or Global\\ is added for you; use --global)";
    ((struct identity *)ctx)->name = value;
    return NULL;
}

static const char *set_global(const char *value, void *ctx)
{
    (void)value;
    ((struct identity *)ctx)->global = true;
    return NULL;
}

static const char *set_semaphore(const char *value, void *ctx)
{
    (void)value;
    ((struct identity *)ctx)->semaphore = true;
    return NULL;
}

/* "Local\NAME" + suffix, in both encodings. */
static bool make_name(const struct identity *id, const char *suffix, char *out, wchar_t *wide)
{
    snprintf(out, NAME_MAX_LEN + 32, "%s\\%s%s", id->global ? "Global" : "Local", id->name, suffix);
    if (MultiByteToWideChar(CP_ACP, MB_ERR_INVALID_CHARS, out, -1, wide, NAME_MAX_LEN + 32) == 0) {
        report_win32("MultiByteToWideChar", out, GetLastError());
        return false;
    }
    return true;
}

/* --- Reading the counts -------------------------------------------------- */
/* excerpt: count */
/* The kernel's count: the processes in the job now. The handle needs
 * JOB_OBJECT_QUERY. In a nested job it includes the processes of the jobs
 * below it; ours has none. */
static bool job_count(HANDLE job, LONG *count)
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info;
    if (!QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &info, sizeof info,
                                   NULL)) {
        report_win32("QueryInformationJobObject", job_name, GetLastError());
        return false;
    }
    *count = (LONG)info.ActiveProcesses;
    return true;
}
/* end excerpt */

/* excerpt: semaphore-count */
/* Windows has no documented call that reads a semaphore's count and leaves
 * it alone: ReleaseSemaphore wants a release count greater than zero (Wine
 * accepts 0; Windows need not). So take one unit without waiting, and give
 * it back: ReleaseSemaphore says what the count was before it. Another
 * reader in between would see one too few, so every reader holds the lock;
 * and a copy killed between the two calls takes its borrowed unit with it. */
static bool semaphore_count(HANDLE sem, LONG *count)
{
    DWORD got = WaitForSingleObject(sem, 0);
    if (got == WAIT_TIMEOUT) { /* not signalled: the count is 0 */
        *count = 0;
        return true;
    }
    if (got != WAIT_OBJECT_0) {
        report_win32("WaitForSingleObject", sem_name, GetLastError());
        return false;
    }
    LONG before;
    if (!ReleaseSemaphore(sem, 1, &before)) {
        report_win32("ReleaseSemaphore", sem_name, GetLastError());
        return false;
    }
    *count = before + 1; /* before: the count less the unit we had taken */
    return true;
}
/* end excerpt */

/* The count this copy shows: the job's, or with --semaphore the semaphore's
 * (read under the lock, see semaphore_count). */
static bool read_count(HANDLE job, HANDLE sem, LONG *count)
{
    return sem == NULL ? job_count(job, count) : semaphore_count(sem, count);
}

/* --- The lock -------------------------------------------------------------
 * A mutex, unlike a semaphore, is released when its owner dies: the next
 * waiter gets WAIT_ABANDONED, and owns it. So a copy killed while it holds
 * the lock blocks nobody. Microsoft's Mutex Objects page warns that an
 * abandoned mutex leaves whatever it protects in an undefined state; this
 * one protects no state (the count is the kernel's), so every copy's leave
 * abandons it on purpose. With --semaphore it does: a copy killed inside
 * semaphore_count took a unit with it, and nothing can give it back. */
static bool take_lock(HANDLE lock)
{
    DWORD got = WaitForSingleObject(lock, LOCK_WAIT_MS);
    if (got == WAIT_OBJECT_0 || got == WAIT_ABANDONED)
        return true;
    if (got == WAIT_TIMEOUT)
        report_problem("%s: another copy has held it for %d seconds: is one hung?", lock_name,
                       LOCK_WAIT_MS / 1000);
    else
        report_win32("WaitForSingleObject", lock_name, GetLastError());
    return false;
}

/* --- Why a create or an assignment failed -------------------------------- */
/* Events, semaphores, mutexes, waitable timers, file mappings and jobs share
 * one namespace: a name that holds another kind of object makes the Create
 * function fail with ERROR_INVALID_HANDLE (CreateJobObjectW's page says so).
 * Microsoft does not document what the Open functions say then; under
 * Wine 8 OpenJobObjectW and OpenSemaphoreW say ERROR_INVALID_HANDLE too.
 * Unlike a file mapping, a Global\ job, mutex or semaphore needs no
 * privilege to create (SeCreateGlobalPrivilege is checked for file
 * mappings only: Kernel Object Namespaces), so ERROR_ACCESS_DENIED means
 * the object's security descriptor, with or without --global. */
static void explain_create(const char *name, DWORD error, const char *kind)
{
    if (error == ERROR_INVALID_HANDLE)
        report_problem("%s exists and is not %s: events, semaphores, mutexes, waitable timers, "
                       "file mappings and job objects share one namespace. It was left "
                       "untouched; use another --name",
                       name, kind);
    else if (error == ERROR_ACCESS_DENIED)
        report_problem("%s exists, and its security descriptor does not let you in: its "
                       "creator decides who may",
                       name);
}

/* A process that already runs in a job: before Windows 8 it could be in
 * one job only, and AssignProcessToJobObject failed with
 * ERROR_ACCESS_DENIED (its page says so); since then the new job must be
 * empty, or already in the hierarchy of jobs this process is in. Microsoft
 * does not document the error code when it is neither; Wine 8 says
 * ERROR_ACCESS_DENIED (a test shows it). A copy started from a console that
 * runs in a job (some terminals, IDEs, CI runners, the Task Scheduler) is
 * in that job. */
static void explain_assign(DWORD error)
{
    BOOL in_job = FALSE;
    if (error != ERROR_ACCESS_DENIED || !IsProcessInJob(GetCurrentProcess(), NULL, &in_job))
        return;
    if (in_job)
        report_problem("this process already runs in a job (it inherited it from whatever "
                       "started it), and %s cannot be nested in it: it already holds copies "
                       "from outside that job, or this is Windows 7 or older, where a process "
                       "can be in one job only. Start the copies from one console, or from one "
                       "that runs in no job",
                       job_name);
    else
        report_problem("%s refused this process. One cause Windows documents: all processes "
                       "in a job run in the session of its first one, so a Global\\ job made "
                       "in another session takes no process from this one",
                       job_name);
}

/* --- --peek: read the count without joining, never creating anything --- */
static int peek(const struct identity *id)
{
    /* excerpt: peek */
    /* OpenJobObjectW only opens, and asks for no more than it needs: the
     * right to query. Without the name there is no job, and no copy. */
    HANDLE job = OpenJobObjectW(JOB_OBJECT_QUERY, FALSE, wide_job);
    /* end excerpt */
    DWORD error = GetLastError();
    if (job == NULL && error == ERROR_FILE_NOT_FOUND && !id->semaphore) {
        print_peek(0, -1);
        return EXIT_OK;
    }
    if (job == NULL && error != ERROR_FILE_NOT_FOUND) {
        report_win32("OpenJobObjectW", job_name, error);
        explain_create(job_name, error, "a job object");
        return EXIT_SYSCALL;
    }
    LONG count = 0;
    int status = EXIT_SYSCALL;
    if (!id->semaphore) {
        if (job_count(job, &count)) {
            print_peek(count, -1);
            status = EXIT_OK;
        }
        CloseHandle(job);
        return status;
    }
    if (job != NULL)
        CloseHandle(job);
    /* --semaphore: the semaphore's count, read under the copies' lock. */
    HANDLE sem = OpenSemaphoreW(SEMAPHORE_MODIFY_STATE | SYNCHRONIZE, FALSE, wide_sem);
    if (sem == NULL && GetLastError() == ERROR_FILE_NOT_FOUND) {
        print_peek(0, -1);
        return EXIT_OK;
    }
    if (sem == NULL) {
        error = GetLastError();
        report_win32("OpenSemaphoreW", sem_name, error);
        explain_create(sem_name, error, "a semaphore");
        return EXIT_SYSCALL;
    }
    HANDLE lock = OpenMutexW(SYNCHRONIZE, FALSE, wide_lock);
    if (lock == NULL)
        report_win32("OpenMutexW", lock_name, GetLastError());
    else if (take_lock(lock)) {
        if (semaphore_count(sem, &count)) {
            print_peek(count, -1);
            status = EXIT_OK;
        }
        ReleaseMutex(lock);
    }
    if (lock != NULL)
        CloseHandle(lock);
    CloseHandle(sem);
    return status;
}

/* Every failure after step 1 ends here. Closing our handles is all it
 * takes: a named object that only we held is destroyed with our handle. */
static int give_up(HANDLE job, HANDLE lock, HANDLE sem)
{
    if (sem != NULL)
        CloseHandle(sem);
    if (lock != NULL)
        CloseHandle(lock);
    if (job != NULL)
        CloseHandle(job);
    return EXIT_SYSCALL;
}

int main(int argc, char **argv)
{
    struct identity id = { DEFAULT_NAME, false, false };
    const struct cli_option options[] = {
        { "--name", "NAME", "the job object's name (default " DEFAULT_NAME ")", set_name },
        { "--global", NULL, "use Global\\NAME (every session) instead of Local\\NAME", set_global },
        { "--semaphore", NULL,
          "count in the semaphore NAME-semaphore too, and show it:\n"
          "                  a killed copy's 1 stays there (with --peek: read it)",
          set_semaphore },
    };
    const struct cli_spec spec = {
        .summary = "count running copies with a named job object (the kernel counts)",
        .details = "The count is the job's ActiveProcesses: the kernel takes a copy out of\n"
                   "the job when it ends, however it ends, so a crash leaves no stale count.\n"
                   "Local\\NAME is seen in this session only. A job holds processes of one\n"
                   "session: --global shows the name to every session, but a copy from\n"
                   "another session cannot join.\n"
                   "In cmd, start a copy in the background with start /b ... <nul: without\n"
                   "<nul it reads the console too, and takes your next line as its Enter.",
        .extra = options,
        .extra_count = 3,
        .ctx = &id,
    };
    struct cli cli;

    set_program_name(argv[0]);
    int status = cli_parse(&cli, argc, argv, &spec);
    if (status >= 0)
        return status;
    if (!make_name(&id, "", job_name, wide_job) || !make_name(&id, "-lock", lock_name, wide_lock) ||
        !make_name(&id, "-semaphore", sem_name, wide_sem))
        return EXIT_SYSCALL;
    if (!stop_install(cli.hold))
        return EXIT_SYSCALL;

    if (cli.peek)
        return peek(&id);

    /* excerpt: create */
    /* Step 1: open or create the job, the lock (and the semaphore). Each
     * handle stays open until this copy ends: a job is destroyed when its
     * last handle is closed and its processes have ended, so while every
     * copy holds one, the name cannot go while a copy counts. */
    HANDLE job = CreateJobObjectW(NULL, wide_job);
    DWORD error = GetLastError(); /* at once: ERROR_ALREADY_EXISTS, or why it failed */
    if (job == NULL) {            /* NULL, not INVALID_HANDLE_VALUE, means failure */
        report_win32("CreateJobObjectW", job_name, error);
        explain_create(job_name, error, "a job object");
        return EXIT_SYSCALL;
    }
    HANDLE lock = CreateMutexW(NULL, FALSE, wide_lock);
    if (lock == NULL) {
        error = GetLastError();
        report_win32("CreateMutexW", lock_name, error);
        explain_create(lock_name, error, "a mutex");
        return give_up(job, NULL, NULL);
    }
    HANDLE sem = NULL;
    if (id.semaphore && (sem = CreateSemaphoreW(NULL, 0, LONG_MAX, wide_sem)) == NULL) {
        error = GetLastError();
        report_win32("CreateSemaphoreW", sem_name, error);
        explain_create(sem_name, error, "a semaphore");
        return give_up(job, lock, NULL);
    }
    /* end excerpt */

    /* Step 2: check. There is no header to check: the kernel knows what
     * the object is, and refused above a name that holds anything but a
     * job. What it does not refuse is a job made by someone else with
     * limits (the page's pitfalls). Wine 8 does not report them (its
     * QueryInformationJobObject says LimitFlags 0 even for a job that it
     * will end on close), so no check here could be shown to work. */

    /* excerpt: join */
    /* Step 3: join, under the lock, so that the count we read is the one
     * our assignment made. GetCurrentProcess() is a pseudo-handle with every
     * right, PROCESS_SET_QUOTA and PROCESS_TERMINATE included. */
    if (!take_lock(lock))
        return give_up(job, lock, sem);
    LONG count;
    if (!AssignProcessToJobObject(job, GetCurrentProcess())) {
        error = GetLastError();
        ReleaseMutex(lock);
        report_win32("AssignProcessToJobObject", job_name, error);
        explain_assign(error);
        return give_up(job, lock, sem);
    }
    /* From here until this process ends, the kernel counts it. */
    LONG before;
    bool counted = sem == NULL ? job_count(job, &count) : ReleaseSemaphore(sem, 1, &before);
    if (sem != NULL && !counted)
        report_win32("ReleaseSemaphore", sem_name, GetLastError());
    ReleaseMutex(lock);
    if (!counted)
        return give_up(job, lock, sem);
    if (sem != NULL)
        count = before + 1;
    print_joined(count);
    /* end excerpt */

    /* excerpt: loop */
    /* Step 4: the live loop. Windows does not tell a process that a job's
     * count changed, so look every 100 ms. (A job can post
     * JOB_OBJECT_MSG_NEW_PROCESS and _EXIT_PROCESS to one I/O completion
     * port, but one only, owned by one process, and delivery is not
     * guaranteed: no use to a group of equal copies.) */
    while (!stop_wait(POLL_MS)) {
        /* A semaphore read borrows a unit (semaphore_count) that a kill
         * in between would take away: a --quiet copy shows nothing, so
         * with --semaphore it does not read at all. */
        if (sem != NULL && cli.quiet)
            continue;
        LONG now;
        bool ok;
        if (sem == NULL)
            ok = job_count(job, &now);
        else if ((ok = take_lock(lock))) {
            ok = semaphore_count(sem, &now);
            ReleaseMutex(lock);
        }
        if (!ok)
            continue; /* reported; try again at the next look */
        if (now != count && !cli.quiet)
            print_now(now);
        count = now;
    }
    /* end excerpt */

    if (cli.crash) {
        if (sem != NULL && cli.quiet && take_lock(lock)) { /* not read since the join */
            semaphore_count(sem, &count);
            ReleaseMutex(lock);
        }
        print_crashing(count);
        /* TerminateProcess, exit code 9: the job's count drops at once; a
         * semaphore keeps our 1 (--semaphore shows it). */
        crash_self();
    }

    /* excerpt: leave */
    /* Step 5: leave. A process cannot leave its job: the kernel takes it
     * out as it ends. So the copy takes the lock and never gives it back:
     * it ends holding it, and the next copy to wait gets WAIT_ABANDONED
     * once we are gone. What we print is the count without us. (Windows
     * does not document whether the mutex passes on before or after the
     * job's count drops; under Wine 8 the count has dropped, and the tests
     * check it.) With --semaphore, we take our 1 back ourselves. */
    status = EXIT_OK;
    if (!take_lock(lock))
        status = EXIT_SYSCALL;
    else if (sem != NULL && WaitForSingleObject(sem, 0) != WAIT_OBJECT_0) {
        report_problem("%s was already 0: somebody else took our 1", sem_name);
        status = EXIT_SYSCALL;
    } else if (read_count(job, sem, &count))
        print_left(sem == NULL ? count - 1 : count);
    else
        status = EXIT_SYSCALL;

    /* Step 6: close. Closing the job's handle does not take us out of the
     * job; ending does, a moment later. */
    if (sem != NULL)
        CloseHandle(sem);
    CloseHandle(job);
    stop_done();
    /* end excerpt */
    return status; /* the lock's handle closes as we end, still owned */
}
