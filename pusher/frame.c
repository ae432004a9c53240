/*
 * frame.c - an event row as the text of one WebSocket message:
 * the JSON the API's event log gives (event_write).
 */
#include <string.h>

#include "event.h"
#include "pusher.h"
#include "util.h"

unsigned char *frame_event(const PGresult *r, int row, size_t *len)
{
	struct buf text;
	unsigned char *buf;

	buf_init(&text);
	event_write(&text, r, row);
	buf = xmalloc(LWS_PRE + text.len);
	memcpy(buf + LWS_PRE, text.data, text.len);
	*len = text.len;
	buf_free(&text);
	return buf;
}
