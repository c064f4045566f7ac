/*
 * errors.h - how every demo reports a failure.
 *
 * A failed call prints one line on standard error that names the program,
 * the call, what it was working on (a key or a name) and why, with the
 * symbolic error name first, as The Linux Programming Interface does:
 *
 *   03-sysv-shm: shmget(key=0x53484d03): EACCES (Permission denied)
 *   02-file-mapping.exe: CreateFileMappingW(Local\shm-suite): error 5 (Access is denied.)
 *
 * Plumbing only: nothing here knows about any one technique.
 */
#ifndef COMMON_ERRORS_H
#define COMMON_ERRORS_H

#include <stdarg.h>

/* The name used at the start of every message: set once from argv[0]. */
extern const char *program_name;
void set_program_name(const char *argv0);

/* "EACCES" for EACCES, and so on; "E?" for a number it does not know. */
const char *errno_name(int err);

/* PROGRAM: CALL(WHAT): ENAME (strerror text) */
void report_errno(const char *call, const char *what, int err);

#ifdef _WIN32
/* PROGRAM: CALL(WHAT): error CODE (FormatMessage text) */
void report_win32(const char *call, const char *what, unsigned long code);
#endif

/* PROGRAM: free text, for problems that are not a failed call. */
void report_problem(const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The same, from a va_list: for report_problem and the usage errors. */
void vreport_problem(const char *format, va_list ap)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 0)))
#endif
    ;

/* Exit codes shared by every demo (see README.md). */
enum {
    EXIT_OK = 0,      /* did what was asked */
    EXIT_SYSCALL = 1, /* a system call failed, or the shared object is not ours */
    EXIT_USAGE = 2    /* bad command line: nothing was created */
};

#endif
