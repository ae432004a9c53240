/*
 * baseline.c - see baseline.h.
 *
 * The zone is the shop's, not necessarily the process's: localtime_r() and
 * mktime() read TZ. goldwatch-api, whose threads format times meanwhile,
 * runs with TZ set to the shop's zone (cgi/main.c), so there TZ is only
 * read; a process in another zone (the jobs, the tests: single-threaded)
 * has it set for the computation and put back after.
 */
#include "baseline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

#define US_PER_S INT64_C(1000000)

/* Makes zone the process's; 1 if TZ had to change (*saved what it was,
 * NULL: unset), 0 when it already was. */
static int zone_set(const char *zone, char **saved)
{
	const char *tz = getenv("TZ");

	*saved = NULL;
	if (tz && strcmp(tz, zone) == 0) {
		tzset();    /* reads TZ, writes nothing: safe beside other threads */
		return 0;
	}
	*saved = tz ? xstrdup(tz) : NULL;
	setenv("TZ", zone, 1);
	tzset();
	return 1;
}

static void zone_restore(int changed, char *saved)
{
	if (!changed)
		return;
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

int baseline_moments(int64_t now_us, const char *zone, int weeks, int64_t *at_us)
{
	int64_t frac = now_us % US_PER_S;
	time_t now;
	struct tm local;
	char *saved;
	int rc = 0, changed;

	if (weeks < 1 || weeks > BASELINE_MAX_WEEKS || zone == NULL || *zone == '\0')
		return -1;
	if (frac < 0)
		frac += US_PER_S;
	now = (time_t)((now_us - frac) / US_PER_S);
	changed = zone_set(zone, &saved);
	if (localtime_r(&now, &local) == NULL)
		rc = -1;
	for (int k = 1; rc == 0 && k <= weeks; k++) {
		struct tm then = local;
		time_t t;

		/* the same wall clock 7k days back: mktime() finds its offset then */
		then.tm_mday -= 7 * k;
		then.tm_isdst = -1;
		if ((t = mktime(&then)) == (time_t)-1)
			rc = -1;
		else
			at_us[k - 1] = (int64_t)t * US_PER_S + frac;
	}
	zone_restore(changed, saved);
	return rc;
}

/* The latest sample in [at - step, at], or NULL. */
static const struct baseline_sample *point_at(const struct baseline_sample *s, size_t n,
    int64_t at, int64_t step_us)
{
	const struct baseline_sample *best = NULL;

	for (size_t i = 0; i < n; i++)
		if (s[i].at_us <= at && s[i].at_us >= at - step_us && isfinite(s[i].value) &&
		    (best == NULL || s[i].at_us > best->at_us))
			best = &s[i];
	return best;
}

int baseline_of(const struct baseline_sample *s, size_t n, int64_t now_us, const char *zone,
    int weeks, int64_t step_us, struct baseline *out)
{
	int64_t at[BASELINE_MAX_WEEKS];
	double v[BASELINE_MAX_WEEKS], sum = 0.0, sq = 0.0;

	out->n = 0;
	out->mean = NAN;
	out->stddev = NAN;
	if (baseline_moments(now_us, zone, weeks, at) < 0)
		return -1;
	for (int k = 0; k < weeks; k++) {
		const struct baseline_sample *p = point_at(s, n, at[k], step_us);
		if (p)
			v[out->n++] = p->value;
	}
	if (out->n == 0)
		return 0;
	for (int i = 0; i < out->n; i++)
		sum += v[i];
	out->mean = sum / out->n;
	if (out->n < 2)
		return 0;
	for (int i = 0; i < out->n; i++)
		sq += (v[i] - out->mean) * (v[i] - out->mean);
	out->stddev = sqrt(sq / (out->n - 1));
	return 0;
}
