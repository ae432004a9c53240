/*
 * baseline.h - the seasonal baseline of a KPI: its value at the same local
 * time of week over the last weeks, the one definition the evaluation
 * (eval.c, from samples it read) and the preview use. Pure: no I/O; the
 * caller passes the samples, the shop's zone and the evaluation step.
 *
 * For week k = 1..weeks the moment is now's local wall clock 7k days
 * earlier in the zone (14:00 last Tuesday local, even if a DST change lies
 * between and it was 13:00 UTC then; a wall-clock time the clocks skipped
 * is read as mktime() reads it, the time after the gap), and the point is
 * the latest sample at or before that moment and no older than one step.
 * A week without such a sample has no point.
 */
#ifndef GW_BASELINE_H
#define GW_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#define BASELINE_MAX_WEEKS 12
#define BASELINE_DEFAULT_WEEKS 4

struct baseline_sample {
	int64_t at_us;
	double value;
};

struct baseline {
	int n;                /* points found (0..weeks) */
	double mean;          /* of the points; NAN when n is 0 */
	double stddev;        /* sample standard deviation; NAN when n < 2 */
};

/*
 * The week moments of now_us in zone (an IANA name) for k = 1..weeks
 * into at_us[0..weeks). 0, or -1 when weeks is out of 1..12 or the zone's
 * clock cannot be read.
 */
int baseline_moments(int64_t now_us, const char *zone, int weeks, int64_t *at_us);

/*
 * The baseline at now_us over weeks weeks from the samples s[0..n) (any
 * order; those that are no week's point are ignored), step_us the
 * evaluation step. 0, or -1 as baseline_moments.
 */
int baseline_of(const struct baseline_sample *s, size_t n, int64_t now_us, const char *zone,
    int weeks, int64_t step_us, struct baseline *out);

#endif
