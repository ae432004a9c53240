/* gzip.c - see gzip.h. */
#include "gzip.h"

#include <zlib.h>

/* nginx's gzip_comp_level of the site: the same size for the same page */
#define GZIP_LEVEL 5
/* zlib's window bits plus 16: a gzip header and trailer, not zlib's */
#define GZIP_WINDOW (15 + 16)

int gzip_buf(const char *data, size_t len, struct buf *out)
{
	z_stream z = {0};
	size_t room;
	int rc;

	if (len > (size_t)UINT32_MAX / 2 ||
	    deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	/* with deflateBound's room, one call with Z_FINISH ends the stream */
	room = deflateBound(&z, (uLong)len);
	buf_reserve(out, room);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->data + out->len;
	z.avail_out = (uInt)room;
	rc = deflate(&z, Z_FINISH);
	if (rc == Z_STREAM_END) {
		out->len += z.total_out;
		out->data[out->len] = '\0';
	}
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}
