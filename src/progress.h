/* progress: one status line on stderr, redrawn in place.
 *
 * The loop calls progress_draw at its ticks (at most 10 a second); the
 * line is written with one write(2), starting with '\r' and padded with
 * blanks over what the last one left, never longer than the terminal is
 * wide (so it never wraps).  Anything else written to the terminal clears
 * it first: diag before a message, out before output to a terminal.  The
 * state is process-wide behind a mutex, since a message may come from any
 * thread; progress_clear costs one atomic load when nothing is drawn. */
#ifndef PTOOL_PROGRESS_H
#define PTOOL_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the loop knows at a tick. */
struct progress_counts {
	uint64_t done;          /* inputs finished */
	uint64_t total;         /* inputs in all, when total_known */
	bool total_known;       /* the walk has ended */
	uint64_t bytes;         /* input bytes read and taken by the pool */
	uint64_t sized;         /* inputs whose size is known (opened regular files) */
	uint64_t sized_bytes;   /* their sizes, summed */
	uint64_t unsized;       /* inputs started with no size (stdin, FIFOs) */
	uint64_t elapsed_ns;    /* since the run started */
};

/* Turn the line on, for a run that is "hashing" (what), on fd (stderr). */
void progress_begin(const char *what, int fd);

/* Redraw the line from counts. */
void progress_draw(const struct progress_counts *c);

/* Erase the line if it is drawn (it comes back at the next draw). */
void progress_clear(void);

/* Erase the line for good. */
void progress_end(void);

/* The text of the line, without '\r' or padding, into buf (for tests):
 * the estimate of the bytes left and the rate are the caller's. */
void progress_format(char *buf, size_t size, const char *what, const struct progress_counts *c,
                     double rate, double eta_s);

#endif
