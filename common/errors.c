/* errors.c - failure messages: see errors.h. */
#include "errors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#endif

const char *program_name = "demo";

void set_program_name(const char *argv0)
{
    const char *name = argv0;
    if (name == NULL || *name == '\0')
        return;
    for (const char *p = argv0; *p != '\0'; p++)
        if (*p == '/' || *p == '\\')
            name = p + 1;
    program_name = name;
}

const char *errno_name(int err)
{
    /* Only the names these demos can meet; C has no portable lookup. */
    switch (err) {
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ENOMEM: return "ENOMEM";
    case ENOSPC: return "ENOSPC";
    case EPERM: return "EPERM";
    case EINTR: return "EINTR";
    case EFAULT: return "EFAULT";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case E2BIG: return "E2BIG";
    case ERANGE: return "ERANGE";
    case EISDIR: return "EISDIR";
    case ENOTDIR: return "ENOTDIR";
    case EROFS: return "EROFS";
    case ENOSYS: return "ENOSYS"; /* shmget on a kernel built without System V IPC */
    case ESRCH: return "ESRCH";   /* kill: no such process */
#ifdef EIDRM
    case EIDRM: return "EIDRM";
#endif
#ifdef EOVERFLOW
    case EOVERFLOW: return "EOVERFLOW";
#endif
    default: return "E?";
    }
}

void report_errno(const char *call, const char *what, int err)
{
    fprintf(stderr, "%s: %s(%s): %s (%s)\n", program_name, call, what, errno_name(err),
            strerror(err));
    fflush(stderr);
}

#ifdef _WIN32
void report_win32(const char *call, const char *what, unsigned long code)
{
    char text[512];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                             0, text, (DWORD)sizeof text, NULL);
    /* FormatMessage ends its text with CR LF: trim it to keep one line. */
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        text[--n] = '\0';
    if (n == 0)
        snprintf(text, sizeof text, "no text for this code");
    fprintf(stderr, "%s: %s(%s): error %lu (%s)\n", program_name, call, what, code, text);
    fflush(stderr);
}
#endif

void vreport_problem(const char *format, va_list ap)
{
    fprintf(stderr, "%s: ", program_name);
    vfprintf(stderr, format, ap);
    fputc('\n', stderr);
    fflush(stderr);
}

void report_problem(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vreport_problem(format, ap);
    va_end(ap);
}
