/*
 * after.h - the ?after= of a WebSocket upgrade (the last event id the
 * client saw), parsed without lws: handshake.c hands over the value lws
 * found, the fuzz target any text.
 */
#ifndef GW_PUSHER_AFTER_H
#define GW_PUSHER_AFTER_H

#include <stdint.h>

/*
 * value: the text after "after=" (NULL when the query has none). *after
 * is the id, or -1 without one. 0, or -1 if value is not a whole number
 * from 0 up.
 */
int after_parse(const char *value, int64_t *after);

#endif
