/* diag: messages on stderr, usage errors, broken invariants.
 *
 * Every message is built in full and written with one write(2), so lines
 * from several threads never interleave.  Modules never print: only the
 * front ends (main.c, cmd_*.c, opt.c) and the loop's reporting call these. */
#ifndef PTOOL_DIAG_H
#define PTOOL_DIAG_H

#include <stdarg.h>

/* The command named in messages ("hash"); NULL before one is chosen. */
void diag_set_command(const char *cmd);
const char *diag_command(void);

/* "ptool: CMD: MESSAGE\n" on stderr. */
void diag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_verror(const char *fmt, va_list ap);

/* A setup error: the message, then exit status 2. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: the message, a hint to -h, then exit status 2. */
_Noreturn void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

_Noreturn void diag_bug(const char *file, int line, const char *what);

#define PTOOL_BUG(what) diag_bug(__FILE__, __LINE__, (what))
#define PTOOL_ASSERT(cond) ((cond) ? (void)0 : PTOOL_BUG("assertion failed: " #cond))

#endif
