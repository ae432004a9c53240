/*
 * cursor.h - the history's page cursor: where the next page starts (the
 * last row's triggered_at and id), as opaque URL-safe text. The cursor
 * comes back from the client, so parsing it is validation at the edge.
 */
#ifndef GW_CURSOR_H
#define GW_CURSOR_H

#include <stdint.h>

/* The cursor of a row (malloc'd, caller frees). */
char *cursor_make(int64_t t_us, int64_t id);
/* Reads a cursor that cursor_make() wrote. 0, or -1 if c is not one. */
int cursor_parse(const char *c, int64_t *t_us, int64_t *id);

#endif
