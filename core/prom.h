/*
 * prom.h - the Prometheus text exposition format (version 0.0.4) written
 * into a buffer: a family's HELP and TYPE lines, samples with labels
 * (values escaped: backslash, double quote, newline), and histograms
 * (cumulative buckets, +Inf, _sum, _count). Knows nothing of goldwatch.
 */
#ifndef GW_PROM_H
#define GW_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The HELP and TYPE lines of family name; type is "gauge", "counter",
 * "histogram" (help is plain text: backslash and newline are escaped). */
void prom_family(struct buf *b, const char *name, const char *type, const char *help);

/*
 * One sample: name{k1="v1",k2="v2"} value. labels holds key, value pairs
 * ending in NULL (labels itself may be NULL: no braces). A value that is
 * NaN or infinite is written as Prometheus spells it.
 */
void prom_sample(struct buf *b, const char *name, const char *const *labels, double value);

/*
 * A histogram's samples: name_bucket{labels,le="bound"} for each of the n
 * upper bounds (le: their text, ascending, "0.005"), counts[i] holding
 * the observations in bucket i alone (bound[i-1] < x <= bound[i]) and
 * counts[n] those above the last; written cumulatively, then le="+Inf",
 * name_sum and name_count.
 */
void prom_histogram(struct buf *b, const char *name, const char *const *labels,
    const char *const *le, const uint64_t *counts, size_t n, double sum);

/* The label value v escaped (\\, \", \n) onto b. */
void prom_escape(struct buf *b, const char *v);

#endif
