/*
 * chart.h - server-rendered SVG charts: a KPI's samples as a line with
 * time and value axes, the rule's threshold as a dashed line and the
 * firing marked, backfilled samples (history computed from the shop's
 * records) drawn dashed with a legend, described for screen readers (how
 * many samples, their range) with a "Data table" of the samples under it;
 * and sparklines. No script, no inline style: colours come
 * from classes in static/css (the Content-Security-Policy allows no inline
 * style). The markup is templates/chart.svg.tpl (auto-escaped like every
 * page). Times are labelled in the process's local zone (goldwatch-api
 * sets TZ to the shop's zone).
 */
#ifndef GW_CHART_H
#define GW_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct chart_point {
	int64_t t_us;
	double v;
	int backfill;                  /* computed later from the shop's records */
};

struct chart {
	const struct chart_point *pts; /* oldest first */
	size_t n;
	int width, height;             /* viewBox size */
	const char *title;             /* for screen readers (<title>) */
	const char *unit;              /* shown on the value axis */
	int has_threshold;
	double threshold;
	int64_t mark_us;               /* a vertical marker (the firing); 0 none */
	const char *mark_label;
	const int64_t *more_marks;     /* more vertical markers without a label
	                                  (a preview's firings); more_n of them */
	size_t more_n;
};

/* Appends the SVG of a line chart with axes; with no points, says so.
 * 0, or -1 (the template did not expand, logged). */
int chart_svg(struct buf *out, const struct chart *c);
/* Appends a small sparkline (no axes) of the points. 0 or -1. */
int chart_sparkline(struct buf *out, const struct chart_point *pts, size_t n,
    int width, int height, const char *label);

#endif
