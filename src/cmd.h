/* cmd: the subcommands' front ends, and their option tables for
 * `--complete` and the documentation tests. */
#ifndef PTOOL_CMD_H
#define PTOOL_CMD_H

#include "opt.h"

struct cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	const struct opt *options;
};

extern const struct cmd cmds[];

int cmd_hash(int argc, char **argv);
extern const struct opt hash_options[];
int cmd_check(int argc, char **argv);
extern const struct opt check_options[];
int cmd_compress(int argc, char **argv);
extern const struct opt compress_options[];
int cmd_decompress(int argc, char **argv);
extern const struct opt decompress_options[];
int cmd_bench(int argc, char **argv);
extern const struct opt bench_options[];

#endif
