/*
 * gzip.h - a whole answer compressed in one go, in the gzip format that
 * HTTP's Content-Encoding: gzip names (RFC 1952), with zlib.
 */
#ifndef GW_GZIP_H
#define GW_GZIP_H

#include <stddef.h>

#include "util.h"

/* Appends data gzipped to out: 0, or -1 (out as it was) when zlib fails. */
int gzip_buf(const char *data, size_t len, struct buf *out);

#endif
