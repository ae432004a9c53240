/*
 * frame.c - an event row as the text of one WebSocket message:
 * {"id","type","at","data"}, the JSON the API's event log gives.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "pusher.h"
#include "util.h"

unsigned char *frame_event(const PGresult *r, int row, size_t *len)
{
	json_t *ev = event_json(r, row);
	char *text = json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(15));
	unsigned char *buf;
	size_t n;

	json_decref(ev);
	if (text == NULL) {
		/* only out of memory: as xmalloc would */
		abort();
	}
	n = strlen(text);
	buf = xmalloc(LWS_PRE + n);
	memcpy(buf + LWS_PRE, text, n);
	free(text);
	*len = n;
	return buf;
}
