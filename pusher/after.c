/*
 * after.c - see after.h.
 */
#include "after.h"

#include "util.h"

int after_parse(const char *value, int64_t *after)
{
	*after = -1;
	if (value == NULL)
		return 0;
	return parse_int64(value, 0, INT64_MAX, after);
}
