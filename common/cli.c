/* cli.c - the shared command line: see cli.h. */
#include "cli.h"
#include "errors.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A year is long enough for any demonstration. */
#define HOLD_MAX (365L * 24 * 60 * 60)

bool parse_unsigned(const char *text, int base, unsigned long max, unsigned long *out)
{
    /* strtoul skips blanks and accepts a minus sign ("-1" becomes a huge
     * number), so check the first character ourselves. */
    if (text == NULL || !isdigit((unsigned char)text[0]))
        return false;
    char *end;
    errno = 0;
    unsigned long value = strtoul(text, &end, base);
    if (errno != 0 || *end != '\0' || value > max)
        return false;
    *out = value;
    return true;
}

static void print_usage(FILE *to, const struct cli_spec *spec)
{
    char ids[256] = "";
    for (int i = 0; i < spec->extra_count; i++) {
        const struct cli_option *o = &spec->extra[i];
        if (o->help == NULL)
            continue;
        size_t used = strlen(ids);
        snprintf(ids + used, sizeof ids - used, o->arg ? " [%s %s]" : " [%s]", o->name, o->arg);
    }
    fprintf(to, "usage: %s [--hold SECONDS] [--quiet] [--crash]%s\n", program_name, ids);
    fprintf(to, "       %s --peek%s\n", program_name, ids);
    fprintf(to, "       %s --help\n", program_name);
}

static void print_help(const struct cli_spec *spec)
{
    printf("%s: %s\n\n", program_name, spec->summary);
    print_usage(stdout, spec);
    printf("\n"
           "Joins the count, prints it whenever it changes, and leaves on Enter or end\n"
           "of input at a terminal, on Ctrl+C, or when the hold ends.\n\n"
           "  --hold SECONDS  leave after SECONDS (a whole number, 0 or more)\n"
           "  --quiet         do not print the live \"now\" lines\n"
           "  --crash         die at once instead of leaving, when the hold ends or a\n"
           "                  stop is asked for (Enter, Ctrl+C, a signal)\n"
           "  --peek          print the current count and exit; creates nothing\n"
           "  --help          print this help and exit\n");
    for (int i = 0; i < spec->extra_count; i++) {
        const struct cli_option *o = &spec->extra[i];
        if (o->help == NULL)
            continue;
        char left[64];
        snprintf(left, sizeof left, o->arg ? "%s %s" : "%s", o->name, o->arg);
        printf("  %-15s %s\n", left, o->help);
    }
    if (spec->details != NULL)
        printf("\n%s\n", spec->details);
    printf("\nExit status: 0 success, 1 a system call failed or the shared memory is not\n"
           "one of our counters, 2 bad command line.\n");
#ifdef _WIN32
    printf("With --crash the program ends itself with TerminateProcess, exit code 9.\n");
#else
    printf("With --crash the program kills itself with SIGKILL, so it has no exit\n"
           "status of its own: a shell reports 137 (128 + 9, the signal's number).\n");
#endif
    fflush(stdout);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static int
usage_error(const struct cli_spec *spec, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vreport_problem(format, ap);
    va_end(ap);
    print_usage(stderr, spec);
    fprintf(stderr, "Try '%s --help' for more.\n", program_name);
    return EXIT_USAGE;
}

int cli_parse(struct cli *cli, int argc, char **argv, const struct cli_spec *spec)
{
    *cli = (struct cli){ .hold = -1 };
    const char *first_live = NULL; /* an option that makes no sense with --peek */

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (strcmp(arg, "-h") == 0) {
                print_help(spec);
                return EXIT_OK;
            }
            return usage_error(spec, "unexpected argument '%s'", arg);
        }

        /* Accept both "--hold 5" and "--hold=5". */
        char name[64];
        const char *inline_value = strchr(arg, '=');
        size_t len = inline_value ? (size_t)(inline_value - arg) : strlen(arg);
        if (len >= sizeof name)
            return usage_error(spec, "unknown option '%s'", arg);
        memcpy(name, arg, len);
        name[len] = '\0';
        if (inline_value)
            inline_value++;

        const struct cli_option *extra = NULL;
        for (int k = 0; k < spec->extra_count; k++)
            if (strcmp(name, spec->extra[k].name) == 0)
                extra = &spec->extra[k];

        bool wants_value = strcmp(name, "--hold") == 0 || (extra && extra->arg);
        bool known = wants_value || extra || strcmp(name, "--quiet") == 0 ||
                     strcmp(name, "--crash") == 0 || strcmp(name, "--peek") == 0 ||
                     strcmp(name, "--help") == 0;
        if (!known)
            return usage_error(spec, "unknown option '%s'", arg);

        const char *value = NULL;
        if (wants_value) {
            if (inline_value)
                value = inline_value;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return usage_error(spec, "option '%s' needs a value", name);
        } else if (inline_value) {
            return usage_error(spec, "option '%s' takes no value", name);
        }

        if (strcmp(name, "--help") == 0) {
            print_help(spec);
            return EXIT_OK;
        } else if (strcmp(name, "--hold") == 0) {
            unsigned long seconds;
            if (!parse_unsigned(value, 10, HOLD_MAX, &seconds))
                return usage_error(spec,
                                   "--hold: '%s' is not a whole number of seconds "
                                   "from 0 to %ld",
                                   value, HOLD_MAX);
            cli->hold = (long)seconds;
            first_live = first_live ? first_live : "--hold";
        } else if (strcmp(name, "--quiet") == 0) {
            cli->quiet = true;
            first_live = first_live ? first_live : "--quiet";
        } else if (strcmp(name, "--crash") == 0) {
            cli->crash = true;
            first_live = first_live ? first_live : "--crash";
        } else if (strcmp(name, "--peek") == 0) {
            cli->peek = true;
        } else {
            const char *why = extra->set(value, spec->ctx);
            if (why != NULL && value != NULL)
                return usage_error(spec, "%s: '%s' %s", name, value, why);
            if (why != NULL)
                return usage_error(spec, "%s: %s", name, why);
        }
    }
    if (cli->peek && first_live != NULL)
        return usage_error(spec, "--peek cannot be combined with %s", first_live);
    return -1;
}

int cli_usage_error(void (*print_usage)(FILE *to), const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vreport_problem(format, ap);
    va_end(ap);
    print_usage(stderr);
    fprintf(stderr, "Try '%s --help' for more.\n", program_name);
    return EXIT_USAGE;
}

int cli_option_value(int argc, char **argv, int *i, const char *const names[], int count,
                     const char **value)
{
    const char *arg = argv[*i];
    for (int k = 0; k < count; k++) {
        size_t len = strlen(names[k]);
        if (strncmp(arg, names[k], len) != 0 || (arg[len] != '\0' && arg[len] != '='))
            continue;
        if (arg[len] == '=')
            *value = arg + len + 1;
        else if (*i + 1 < argc)
            *value = argv[++*i];
        else
            *value = NULL;
        return k;
    }
    return -1;
}
