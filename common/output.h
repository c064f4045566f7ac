/*
 * output.h - the lines every counting demo prints.
 *
 * Standard output carries only these event lines, one per event, flushed at
 * once, so that scripts and tests can read them while the program runs:
 *
 *   joined pid=<PID> instances=<N>     this copy has been counted
 *   now instances=<N>                  the count changed (live loop)
 *   left pid=<PID> instances=<N>       this copy is no longer counted (N after)
 *   crashing pid=<PID> instances=<N>   --crash: dying without leaving
 *   instances=<N>                      --peek (the System V demo adds nattch=<M>,
 *                                      the POSIX and file-mapping ones mappers=<M>)
 *
 * Notes for the person watching (a stale count, a removed segment) go to
 * standard error with the prefix "note:", next to the error messages.
 */
#ifndef COMMON_OUTPUT_H
#define COMMON_OUTPUT_H

long current_pid(void);

void print_joined(long instances);
void print_now(long instances);
void print_left(long instances);
void print_crashing(long instances);
/* nattch < 0: the technique has no attach count, print instances only. */
void print_peek(long instances, long nattch);
/* instances=<N> mappers=<M>: demos 04 and 05, which count the mappers in /proc. */
void print_peek_mappers(long instances, long mappers);

void print_note(const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
