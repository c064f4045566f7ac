/*
 * mapping_tool.c - a small Windows tool for the tests: hold a named file
 * mapping that demo 02 must refuse, and say afterwards whether anybody
 * changed it; or run a program with Ctrl+C ignored, as "start /b" does, and
 * press Ctrl+C for it.
 *
 *   mapping-tool.exe NAME SIZE zero|garbage SECONDS [--file PATH [--read-only]]
 *                    [--deny-all] [--reserve] [--image]
 *   mapping-tool.exe --ctrl-c-ignored PROGRAM [ARGS...]
 *
 * The first form creates Local\NAME, SIZE bytes backed by the paging file
 * (which makes whole pages of it), or with --file backed by PATH, which it
 * first fills with exactly SIZE bytes (the section is then SIZE bytes).
 * --read-only makes that file-backed section PAGE_READONLY: a copy that
 * opens it can map no writable view. --deny-all gives the mapping an empty
 * DACL: nobody may open it. It fills the mapping, prints "ready", waits
 * SECONDS or until Ctrl+C (kill -INT under Wine), then prints "unchanged"
 * or "changed". Exit 0, 1 on failure, 2 for a bad command line.
 * Two squatters that no view of ours may read, which it holds the same way
 * but neither fills nor compares (it prints "held" instead): --reserve, a
 * paging-file section whose pages are only reserved (SEC_RESERVE: on
 * Windows a read faults), and --image, this program's own file mapped as
 * an image (SEC_IMAGE).
 *
 * The second form calls SetConsoleCtrlHandler(NULL, TRUE), which children
 * inherit, and starts PROGRAM. Then, once a second until PROGRAM exits, it
 * sends Ctrl+C with GenerateConsoleCtrlEvent, and exits with PROGRAM's exit
 * code. It needs a console (under Wine: a terminal). The tests use it
 * because Wine's "start /b" does not ignore Ctrl+C, and because Wine runs a
 * child that inherits "ignore Ctrl+C" in a Unix session of its own, out of
 * reach of the terminal's Ctrl+C.
 */
#include <windows.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run_with_ctrl_c_ignored(void)
{
    if (!SetConsoleCtrlHandler(NULL, TRUE)) {
        fprintf(stderr, "mapping-tool: SetConsoleCtrlHandler: error %lu\n", GetLastError());
        return 1;
    }
    /* The rest of our own command line, after our name and the option. */
    wchar_t *rest = GetCommandLineW();
    for (int skip = 0; skip < 2; skip++) {
        bool quoted = false;
        while (*rest != L'\0' && (quoted || (*rest != L' ' && *rest != L'\t'))) {
            if (*rest == L'"')
                quoted = !quoted;
            rest++;
        }
        while (*rest == L' ' || *rest == L'\t')
            rest++;
    }
    STARTUPINFOW si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(NULL, rest, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "mapping-tool: CreateProcessW(%ls): error %lu\n", rest, GetLastError());
        return 1;
    }
    /* Windows sends CTRL_C_EVENT only to group 0, meaning every process on
     * the console (a named group gets nothing). Wine reads 0 as the
     * sender's own group, and gave the child a group of its own: so name
     * that too. Each process ignores the one it does not get. */
    DWORD code = 1;
    while (WaitForSingleObject(pi.hProcess, 1000) == WAIT_TIMEOUT) {
        if (!GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0) ||
            !GenerateConsoleCtrlEvent(CTRL_C_EVENT, pi.dwProcessId)) {
            fprintf(stderr, "mapping-tool: GenerateConsoleCtrlEvent: error %lu\n", GetLastError());
            TerminateProcess(pi.hProcess, 1);
        }
    }
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return (int)code;
}

static HANDLE stop_event; /* set by Ctrl+C: stop waiting */

static BOOL WINAPI on_ctrl_c(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE;
    SetEvent(stop_event);
    return TRUE;
}

static HANDLE create_backing_file(const char *path, DWORD size, const unsigned char *bytes)
{
    HANDLE file =
        CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                    CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD written = 0;
    if (file == INVALID_HANDLE_VALUE || !WriteFile(file, bytes, size, &written, NULL) ||
        written != size) {
        fprintf(stderr, "mapping-tool: writing %s: error %lu\n", path, GetLastError());
        return INVALID_HANDLE_VALUE;
    }
    return file;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--ctrl-c-ignored") == 0)
        return run_with_ctrl_c_ignored();
    if (argc < 5) {
        fprintf(stderr, "usage: mapping-tool.exe NAME SIZE zero|garbage SECONDS [--file PATH "
                        "[--read-only]] [--deny-all] [--reserve] [--image]\n"
                        "       mapping-tool.exe --ctrl-c-ignored PROGRAM [ARGS...]\n");
        return 2;
    }
    const char *path = NULL;
    bool deny_all = false, read_only = false, reserve = false, image = false;
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "--read-only") == 0)
            read_only = true;
        else if (strcmp(argv[i], "--deny-all") == 0)
            deny_all = true;
        else if (strcmp(argv[i], "--reserve") == 0)
            reserve = true;
        else if (strcmp(argv[i], "--image") == 0)
            image = true;
        else {
            fprintf(stderr, "mapping-tool: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if ((read_only && path == NULL) || (path != NULL && (reserve || image)) || (reserve && image)) {
        fprintf(stderr, "mapping-tool: --read-only needs --file; --file, --reserve and --image "
                        "do not mix\n");
        return 2;
    }
    /* Ctrl+C ends the wait early. SetConsoleCtrlHandler(NULL, FALSE) undoes
     * an inherited "ignore Ctrl+C", after our handler is in place. */
    stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (stop_event == NULL || !SetConsoleCtrlHandler(on_ctrl_c, TRUE) ||
        !SetConsoleCtrlHandler(NULL, FALSE)) {
        fprintf(stderr, "mapping-tool: Ctrl+C handler: error %lu\n", GetLastError());
        return 1;
    }
    DWORD wait_ms = (DWORD)strtoul(argv[4], NULL, 10) * 1000;
    char name[300];
    snprintf(name, sizeof name, "Local\\%s", argv[1]);
    DWORD size = (DWORD)strtoul(argv[2], NULL, 0);
    unsigned char *copy = malloc(size);
    if (size == 0 || copy == NULL)
        return 1;
    for (DWORD i = 0; i < size; i++)
        copy[i] = strcmp(argv[3], "garbage") == 0 ? (unsigned char)(0xa5 ^ (i * 37)) : 0;

    /* An empty DACL (not a NULL one, which would allow everybody). */
    SECURITY_DESCRIPTOR sd;
    ACL empty;
    SECURITY_ATTRIBUTES sa = { sizeof sa, &sd, FALSE };
    if (deny_all && (!InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION) ||
                     !InitializeAcl(&empty, sizeof empty, ACL_REVISION) ||
                     !SetSecurityDescriptorDacl(&sd, TRUE, &empty, FALSE))) {
        fprintf(stderr, "mapping-tool: security descriptor: error %lu\n", GetLastError());
        return 1;
    }

    HANDLE file = INVALID_HANDLE_VALUE;
    if (path != NULL && (file = create_backing_file(path, size, copy)) == INVALID_HANDLE_VALUE)
        return 1;
    if (read_only) { /* read access only: Wine checks the file's, Windows the section's */
        CloseHandle(file);
        file = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
        if (file == INVALID_HANDLE_VALUE) {
            fprintf(stderr, "mapping-tool: opening %s: error %lu\n", path, GetLastError());
            return 1;
        }
    }
    DWORD protect = read_only ? PAGE_READONLY : PAGE_READWRITE;
    if (reserve)
        protect |= SEC_RESERVE;
    if (image) {
        char self[MAX_PATH];
        DWORD n = GetModuleFileNameA(NULL, self, sizeof self);
        file = n > 0 && n < sizeof self
                   ? CreateFileA(self, GENERIC_READ | GENERIC_EXECUTE, FILE_SHARE_READ, NULL,
                                 OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL)
                   : INVALID_HANDLE_VALUE;
        if (file == INVALID_HANDLE_VALUE) {
            fprintf(stderr, "mapping-tool: opening %s: error %lu\n", self, GetLastError());
            return 1;
        }
        protect = PAGE_READONLY | SEC_IMAGE;
    }
    /* With a file, size 0 means "the file's size". */
    HANDLE mapping = CreateFileMappingA(file, deny_all ? &sa : NULL, protect, 0,
                                        file != INVALID_HANDLE_VALUE ? 0 : size, name);
    if (mapping == NULL || GetLastError() == ERROR_ALREADY_EXISTS) {
        fprintf(stderr, "mapping-tool: CreateFileMappingA(%s): error %lu\n", name, GetLastError());
        return 1;
    }
    if (file != INVALID_HANDLE_VALUE)
        CloseHandle(file);
    if (reserve || image) { /* nothing to fill, nothing we may read */
        printf("ready\n");
        fflush(stdout);
        WaitForSingleObject(stop_event, wait_ms);
        printf("held\n");
        fflush(stdout);
        free(copy);
        CloseHandle(mapping);
        return 0;
    }
    unsigned char *view =
        MapViewOfFile(mapping, read_only ? FILE_MAP_READ : FILE_MAP_ALL_ACCESS, 0, 0, size);
    if (view == NULL) {
        fprintf(stderr, "mapping-tool: MapViewOfFile: error %lu\n", GetLastError());
        return 1;
    }
    if (!read_only) /* a read-only file has its bytes already */
        memcpy(view, copy, size);
    printf("ready\n");
    fflush(stdout);
    WaitForSingleObject(stop_event, wait_ms);
    printf(memcmp(copy, view, size) == 0 ? "unchanged\n" : "changed\n");
    fflush(stdout);
    free(copy);
    UnmapViewOfFile(view);
    CloseHandle(mapping);
    return 0;
}
