/*
 * fuzz_url_decode.c - percent-decoding (url_decode: %XX and '+', no %00)
 * and its inverse: whatever decodes, encoded again, decodes to the same.
 */
#include "fuzz.h"

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	size_t before = strlen(s);
	struct buf b;

	if (url_decode(s) == 0) {
		FUZZ_CHECK(strlen(s) <= before);
		buf_init(&b);
		buf_puts(&b, ""); /* a new buf holds no text (NULL) until written to */
		url_encode(&b, s);
		FUZZ_CHECK(strlen(b.data) == b.len);
		FUZZ_CHECK(url_decode(b.data) == 0);
		FUZZ_CHECK(strcmp(b.data, s) == 0);
		buf_free(&b);
	}
	free(s);
	return 0;
}
