/* libFuzzer target: detection and decoding of arbitrary bytes (codec.c).
 *
 * The first two bytes pick how the rest is fed: the size of each input
 * piece and of the output room, so that stream boundaries fall anywhere.
 * Besides the sanitizers' checks, the decoder must keep its contract: it
 * never takes or gives more than it was offered, says CODEC_END only at
 * the end, and stops (output is capped, as --max-size would). */
#include <stdint.h>
#include <stdlib.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_CAP_MAX 4096
#define OUTPUT_LIMIT (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t piece = 1 + data[0] * 17u;
	size_t out_cap = 1 + (data[1] * 16u) % OUT_CAP_MAX;
	const uint8_t *in = data + 2;
	size_t len = size - 2;

	int f = codec_detect(in, len, NULL);
	if (f < 0)
		return 0;
	struct codec_dec *d = codec_dec_create((enum codec_format)f);
	if (!d)
		return 0;
	static unsigned char out[OUT_CAP_MAX];
	size_t pos = 0, total = 0;
	for (;;) {
		size_t n = len - pos < piece ? len - pos : piece;
		int last = pos + n == len;
		size_t used = 0, made = 0;
		int r = codec_dec_run(d, in + pos, n, &used, out, out_cap, &made, last);
		if (used > n || made > out_cap)
			abort();
		pos += used;
		total += made;
		if (r == CODEC_END && pos != len)
			abort();        /* the end comes only with all input taken */
		if (r < 0 || r == CODEC_END || total > OUTPUT_LIMIT)
			break;
		if (r == CODEC_MORE_IN && (used != n || last))
			abort();        /* MORE_IN means all of it was taken, and never at the end */
	}
	codec_dec_destroy(d);
	return 0;
}
