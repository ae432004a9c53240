/*
 * json_out.h - writing JSON text straight into a buffer, for the hot
 * paths (a page of alerts) where building jansson objects only to dump
 * them costs more than the query. Strings are escaped per RFC 8259.
 */
#ifndef GW_JSON_OUT_H
#define GW_JSON_OUT_H

#include <jansson.h>
#include <stdint.h>

#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "s" escaped, or null when s is NULL. */
void json_put_str(struct buf *b, const char *s);
/* A number as the API writes it: integral values without a fraction,
 * others with 15 significant digits; null when not finite. */
void json_put_num(struct buf *b, double v);
/* The same number as a jansson value (integer, real or null). */
json_t *json_num(double v);
/* Member key of o when it is a string, else def: reading JSON the core
 * wrote itself (an alert, a rule), never outside input, which its field
 * table decodes. */
const char *json_str_or(const json_t *o, const char *key, const char *def);
/* "2026-11-26T10:00:00.000000Z" from microseconds since the epoch. */
void json_put_time(struct buf *b, int64_t us);
/* ,"key": (the comma unless first) */
void json_put_key(struct buf *b, const char *key, int first);

#ifdef __cplusplus
}
#endif

#endif
