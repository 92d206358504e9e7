/* mantext: the man pages as plain text, built into the binary from man/
 * (see man/mantext.sh), for `ptool help` where man(1) is missing. */
#ifndef PTOOL_MANTEXT_H
#define PTOOL_MANTEXT_H

struct man_text {
	const char *name;       /* "ptool", or a command: "hash" */
	const char *text;
};

/* Ends with an entry whose name is NULL. */
extern const struct man_text man_texts[];

#endif
