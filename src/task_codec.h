/* task_codec: compression and decompression as task functions (no
 * command line here).
 *
 * compress_task: each chunk becomes one complete stream of its own in the
 * buffer's output room, so the chunks of one input go to all workers at
 * once (no state between them).  The op is codec_task_op(format, level).
 *
 * decompress_task: one input is one decoder, fed chunk after chunk (one
 * task out at a time, pinned to its worker in fork mode: the decoder is
 * that process's heap memory).  The first chunk says the format.  When
 * the output room fills, the task ends with TASK_MORE and takes up the
 * same chunk again from task.pos once the loop has written the output. */
#ifndef PTOOL_TASK_CODEC_H
#define PTOOL_TASK_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "pool.h"

static inline uint32_t codec_task_op(enum codec_format f, int level)
{
	return (uint32_t)f | (uint32_t)level << 8;
}

task_fn compress_task;
task_fn decompress_task;

/* Bytes each input's slot needs for decompress_task. */
size_t decompress_slot_size(void);

/* For an input decoded in full: were bytes after its last stream skipped
 * (bzip2's trailing garbage, see codec_dec_run)? */
bool decompress_slot_ignored(const void *slot);

#endif
