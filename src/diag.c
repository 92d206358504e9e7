/* diag: see diag.h. */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "progress.h"
#include "xio.h"

static const char *command;

void diag_set_command(const char *cmd)
{
	command = cmd;
}

const char *diag_command(void)
{
	return command;
}

static void emit(const char *suffix, const char *fmt, va_list ap)
{
	char buf[4096];
	int n;

	if (command)
		n = snprintf(buf, sizeof buf, "ptool: %s: ", command);
	else
		n = snprintf(buf, sizeof buf, "ptool: ");
	size_t len = (size_t)n;
	n = vsnprintf(buf + len, sizeof buf - len, fmt, ap);
	len += n < 0 ? 0 : (size_t)n;
	if (len > sizeof buf - 2)
		len = sizeof buf - 2;
	/* The suffix is short; whatever does not fit is dropped. */
	n = snprintf(buf + len, sizeof buf - len, "%s\n", suffix);
	len += (size_t)n;
	if (len > sizeof buf - 1)
		len = sizeof buf - 1, buf[len - 1] = '\n';
	progress_clear();
	(void)xwrite_all(STDERR_FILENO, buf, len);
}

void diag_verror(const char *fmt, va_list ap)
{
	emit("", fmt, ap);
}

void diag_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
	exit(2);
}

void die_usage(const char *fmt, ...)
{
	char hint[128];
	va_list ap;

	if (command)
		snprintf(hint, sizeof hint, "\nTry 'ptool %s -h' for more information.", command);
	else
		snprintf(hint, sizeof hint, "\nTry 'ptool --help' for more information.");
	va_start(ap, fmt);
	emit(hint, fmt, ap);
	va_end(ap);
	exit(2);
}

void diag_bug(const char *file, int line, const char *what)
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "ptool: internal error at %s:%d: %s\n", file, line, what);
	if (n > 0)
		(void)xwrite_all(STDERR_FILENO, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
	abort();
}
