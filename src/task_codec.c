/* task_codec: see task_codec.h. */
#include "task_codec.h"

#include <errno.h>
#include <unistd.h>

#include "arena.h"

/* A decoder lives in the slot of its input, as a pointer into the heap of
 * the process that made it (owner): threads share it, and in fork mode
 * pinning brings every task of the input to that process. */
struct dec_slot {
	struct codec_dec *dec;
	pid_t owner;
	bool ignored;           /* the decoder skipped bytes after its last stream */
};

size_t decompress_slot_size(void)
{
	return sizeof(struct dec_slot);
}

bool decompress_slot_ignored(const void *slot)
{
	const struct dec_slot *s = slot;
	return s->ignored;
}

int compress_task(struct task *t, const struct arena *arena)
{
	enum codec_format f = (enum codec_format)(t->op & 0xff);
	int level = (int)(t->op >> 8);

	ssize_t n = codec_compress(f, level, arena_buf(arena, t->buf), (size_t)t->len,
	                           arena_out(arena, t->buf), arena->out_size);
	if (n < 0)
		return -errno;
	t->out_len = (uint64_t)n;
	return 0;
}

static void drop(struct dec_slot *s)
{
	/* A decoder of another process (one that died) is not ours to free. */
	if (s->dec && s->owner == getpid())
		codec_dec_destroy(s->dec);
	s->dec = NULL;
}

int decompress_task(struct task *t, const struct arena *arena)
{
	struct dec_slot *s = arena_slot(arena, t->slot);
	const unsigned char *in = arena_buf(arena, t->buf);

	t->out_len = 0;
	if (t->flags & TASK_ABORT) {
		drop(s);
		return 0;
	}
	if (t->flags & TASK_FIRST) {
		drop(s);
		s->ignored = false;
		int f = codec_detect(in, (size_t)t->len, NULL);
		if (f < 0)
			return f;
		s->dec = codec_dec_create((enum codec_format)f);
		if (!s->dec)
			return -errno;
		s->owner = getpid();
	}
	if (!s->dec || s->owner != getpid())
		return -ECHILD;         /* its decoder is gone with a worker */

	size_t used = 0, made = 0;
	int r = codec_dec_run(s->dec, in + t->pos, (size_t)(t->len - t->pos), &used,
	                      arena_out(arena, t->buf), arena->out_size, &made,
	                      (t->flags & TASK_LAST) != 0);
	t->pos += used;
	t->out_len = made;
	if (r == CODEC_MORE_IN && (t->flags & TASK_LAST))
		r = -CODEC_E_TRUNCATED;     /* a decoder that wants input past the end */
	if (r == CODEC_END)
		s->ignored = codec_dec_ignored(s->dec);
	if (r < 0 || r == CODEC_END)
		drop(s);
	if (r < 0)
		return r;
	if (r == CODEC_OUT_FULL)
		t->flags |= TASK_MORE;
	return 0;
}
