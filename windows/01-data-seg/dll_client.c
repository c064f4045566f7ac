/*
 * dll_client.c - demo 01, a client of 01-shared-dll.dll. The Makefile
 * builds it twice, as 01-dll-client-one.exe and 01-dll-client-two.exe: two
 * different program files, so their own sections are not shared with each
 * other, yet they count together because both load the same DLL file.
 *
 * Build: see shared_dll.c. Example, in one console:
 *   > start /b 01-dll-client-one.exe --hold 10 <nul
 *   joined pid=1204 instances=1
 *   > 01-dll-client-two.exe --peek
 *   instances=1
 * (<nul: without it the background copy reads the console too, and takes
 * the next line you type as its Enter.)
 */
#include <windows.h>

#include "cli.h"
#include "errors.h"
#include "output.h"
#include "shared_dll.h"
#include "stop.h"

#ifndef CLIENT_NAME
#define CLIENT_NAME "01-dll-client"
#endif

#define POLL_MS 100

int main(int argc, char **argv)
{
    const struct cli_spec spec = {
        .summary = "count running copies of every program that loads 01-shared-dll.dll",
        .details = "This is " CLIENT_NAME ". Every program that loads the same DLL\n"
                   "file counts together through the DLL's shared section.\n"
                   "In cmd, start a copy in the background with start /b ... <nul: without\n"
                   "<nul it reads the console too, and takes your next line as its Enter.",
    };
    struct cli cli;

    set_program_name(argv[0]);
    int status = cli_parse(&cli, argc, argv, &spec);
    if (status >= 0)
        return status;
    if (!stop_install(cli.hold))
        return EXIT_SYSCALL;

    const char *why = shared_dll_problem();
    if (why != NULL) {
        report_problem("the shared section of 01-shared-dll.dll is not a counter we can use: %s",
                       why);
        return EXIT_SYSCALL;
    }
    if (cli.peek) {
        print_peek(shared_dll_count(), -1);
        return EXIT_OK;
    }

    LONG count = shared_dll_join();
    print_joined(count);
    while (!stop_wait(POLL_MS)) {
        LONG now = shared_dll_count();
        if (now != count && !cli.quiet)
            print_now(now);
        count = now;
    }
    if (cli.crash) {
        print_crashing(count);
        crash_self(); /* TerminateProcess, exit code 9: the count keeps our 1 */
    }
    print_left(shared_dll_leave());
    stop_done();
    return EXIT_OK;
}
