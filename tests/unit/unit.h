/* A small unit-test harness: each suite runs in its own child process, so
 * a crash in one does not hide the others. */
#ifndef PTOOL_UNIT_H
#define PTOOL_UNIT_H

#include <stdio.h>

extern int unit_failed;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, \
			        __LINE__, #cond);                                \
			unit_failed = 1;                                         \
		}                                                                \
	} while (0)

typedef void unit_fn(void);

void test_pool(void);
void test_reorder(void);
void test_format(void);
void test_opt(void);
void test_walk(void);
void test_stats(void);
void test_sumline(void);
void test_codec(void);
void test_progress(void);

#endif
