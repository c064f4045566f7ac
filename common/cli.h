/*
 * cli.h - the command line that every counting demo shares.
 *
 *   PROG [--hold SECONDS] [--quiet] [--crash] [identity option]
 *   PROG --peek [identity option]
 *   PROG --help
 *
 * Each demo adds its own identity options (--key for System V, --name for a
 * file mapping) through a small table; everything else is parsed here so the
 * demos behave alike. A bad command line prints what is wrong and a usage
 * hint on standard error and exits 2 before anything is created.
 */
#ifndef COMMON_CLI_H
#define COMMON_CLI_H

#include <stdbool.h>
#include <stdio.h>

struct cli {
    long hold;  /* seconds to stay before leaving; -1: until stopped */
    bool quiet; /* no "now" lines */
    bool crash; /* die without leaving when the hold ends */
    bool peek;  /* print the count and exit, without joining */
};

/* One identity option of a demo, such as --key KEY. */
struct cli_option {
    const char *name; /* "--key" */
    const char *arg;  /* "KEY" for an option with a value; NULL for a flag */
    const char *help; /* the line in --help; NULL hides the option */
    /* Take the value (NULL for a flag). Return NULL when it is good, or a
     * short reason why not, which becomes the usage error. */
    const char *(*set)(const char *value, void *ctx);
};

struct cli_spec {
    const char *summary;            /* one line: what the program shows */
    const char *details;            /* extra --help text, or NULL */
    const struct cli_option *extra; /* the demo's options, or NULL */
    int extra_count;
    void *ctx; /* handed to every set() */
};

/* Parse argv into *cli. Returns -1 when the program should go on, or the
 * exit status to return at once: 0 after --help, 2 for a bad command line. */
int cli_parse(struct cli *cli, int argc, char **argv, const struct cli_spec *spec);

/* A whole number with no sign: decimal, 0x hexadecimal or 0 octal when
 * base is 0, decimal only when base is 10. Returns false for anything else
 * (empty, a sign, trailing characters, or more than max). */
bool parse_unsigned(const char *text, int base, unsigned long max, unsigned long *out);

/* For the programs with a command line of their own (demos 06, 09 and 10),
 * so that their mistakes read like everyone else's. */

/* PROG: MESSAGE, then the program's usage lines (print_usage) and a pointer
 * to --help, on standard error. Returns EXIT_USAGE (2). */
int cli_usage_error(void (*print_usage)(FILE *to), const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Is argv[*i] one of the count options in names, written "--opt VALUE" or
 * "--opt=VALUE"? Returns its index in names and sets *value, taking the
 * next argument (and moving *i past it) when the value is not after "=";
 * *value is NULL when it is missing. Returns -1 when it is none of them. */
int cli_option_value(int argc, char **argv, int *i, const char *const names[], int count,
                     const char **value);

#endif
