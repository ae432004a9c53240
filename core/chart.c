/*
 * chart.c - see chart.h.
 */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "json_out.h"
#include "fmt.h"

/* Text in SVG: escaped like HTML (& < > " '). */
static void svg_text(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, *s);
		}
	}
}

int chart_ticks(double lo, double hi, int max, double *ticks)
{
	double span, step, mag, f, start;
	int n = 0;

	if (!(hi > lo)) {
		ticks[0] = lo;
		return 1;
	}
	span = hi - lo;
	step = span / (max > 1 ? max - 1 : 1);
	mag = pow(10, floor(log10(step)));
	f = step / mag;
	step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
	start = ceil(lo / step - 1e-9) * step;
	for (double t = start; t <= hi + step * 1e-9 && n < max; t += step)
		ticks[n++] = fabs(t) < step * 1e-9 ? 0 : t;
	return n;
}

static void local_label(int64_t us, int with_date, char *out, size_t len)
{
	time_t secs = (time_t)(us / 1000000);
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(out, len, with_date ? "%d %b %H:%M" : "%H:%M", &tm);
}

void chart_svg(struct buf *out, const struct chart *c)
{
	const int ml = 64, mr = 16, mt = 16, mb = 36;
	double lo, hi, yt[8];
	int64_t t0, t1;
	int w = c->width, h = c->height, pw = w - ml - mr, ph = h - mt - mb, nt;
	char label[64];

	buf_printf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\""
	    " aria-label=\"", w, h);
	svg_text(out, c->title);
	buf_puts(out, "\" xmlns=\"http://www.w3.org/2000/svg\"><title>");
	svg_text(out, c->title);
	buf_puts(out, "</title>");
	if (c->n == 0) {
		buf_printf(out, "<text class=\"chart-empty\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
		    "No samples in this period</text></svg>", w / 2, h / 2);
		return;
	}
	lo = hi = c->pts[0].v;
	t0 = t1 = c->pts[0].t_us;
	for (size_t i = 1; i < c->n; i++) {
		lo = fmin(lo, c->pts[i].v);
		hi = fmax(hi, c->pts[i].v);
		if (c->pts[i].t_us < t0)
			t0 = c->pts[i].t_us;
		if (c->pts[i].t_us > t1)
			t1 = c->pts[i].t_us;
	}
	if (c->has_threshold) {
		lo = fmin(lo, c->threshold);
		hi = fmax(hi, c->threshold);
	}
	if (c->mark_us) {
		t0 = c->mark_us < t0 ? c->mark_us : t0;
		t1 = c->mark_us > t1 ? c->mark_us : t1;
	}
	if (hi - lo < 1e-9) {
		double pad = fabs(hi) > 1e-9 ? fabs(hi) * 0.1 : 1;
		lo -= pad;
		hi += pad;
	} else {
		double pad = (hi - lo) * 0.08;
		lo -= pad;
		hi += pad;
	}
	if (t1 == t0)
		t1 = t0 + 60000000;
#define X(t) (ml + (double)((t) - t0) / (double)(t1 - t0) * pw)
#define Y(v) (mt + (1 - ((v) - lo) / (hi - lo)) * ph)
	/* value axis: gridlines and labels */
	nt = chart_ticks(lo, hi, 6, yt);
	for (int i = 0; i < nt; i++) {
		fmt_value(yt[i], NULL, label, sizeof(label));
		buf_printf(out, "<line class=\"chart-grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>",
		    ml, w - mr, Y(yt[i]), Y(yt[i]));
		buf_printf(out, "<text class=\"chart-label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\""
		    " dominant-baseline=\"middle\">", ml - 6, Y(yt[i]));
		svg_text(out, label);
		buf_puts(out, "</text>");
	}
	if (c->unit && *c->unit) {
		buf_printf(out, "<text class=\"chart-unit\" x=\"4\" y=\"%d\">", mt - 4 > 8 ? mt - 4 : 10);
		svg_text(out, c->unit);
		buf_puts(out, "</text>");
	}
	/* time axis: five labels, with the date when the span is over a day */
	buf_printf(out, "<line class=\"chart-axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>",
	    ml, w - mr, mt + ph, mt + ph);
	for (int i = 0; i <= 4; i++) {
		int64_t t = t0 + (t1 - t0) * i / 4;
		local_label(t, t1 - t0 > INT64_C(86400000000), label, sizeof(label));
		buf_printf(out, "<text class=\"chart-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">",
		    X(t), h - 12, i == 0 ? "start" : i == 4 ? "end" : "middle");
		svg_text(out, label);
		buf_puts(out, "</text>");
	}
	/* the threshold */
	if (c->has_threshold) {
		fmt_value(c->threshold, NULL, label, sizeof(label));
		buf_printf(out, "<line class=\"chart-threshold\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\""
		    " y2=\"%.1f\"/>", ml, w - mr, Y(c->threshold), Y(c->threshold));
		buf_printf(out, "<text class=\"chart-threshold-label\" x=\"%d\" y=\"%.1f\""
		    " text-anchor=\"start\">threshold ", ml + 4, Y(c->threshold) - 5);
		svg_text(out, label);
		buf_puts(out, "</text>");
	}
	/* the firing */
	if (c->mark_us) {
		buf_printf(out, "<line class=\"chart-mark\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>",
		    X(c->mark_us), X(c->mark_us), mt, mt + ph);
		buf_printf(out, "<text class=\"chart-mark-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">",
		    X(c->mark_us) + (X(c->mark_us) > w / 2 ? -4 : 4), mt + 12,
		    X(c->mark_us) > w / 2 ? "end" : "start");
		svg_text(out, c->mark_label ? c->mark_label : "fired");
		buf_puts(out, "</text>");
	}
	/* the samples */
	buf_puts(out, "<polyline class=\"chart-line\" points=\"");
	for (size_t i = 0; i < c->n; i++)
		buf_printf(out, "%s%.1f,%.1f", i ? " " : "", X(c->pts[i].t_us), Y(c->pts[i].v));
	buf_puts(out, "\"/>");
	if (c->n <= 60)
		for (size_t i = 0; i < c->n; i++)
			buf_printf(out, "<circle class=\"chart-dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/>",
			    X(c->pts[i].t_us), Y(c->pts[i].v));
#undef X
#undef Y
	buf_puts(out, "</svg>");
}

void chart_sparkline(struct buf *out, const struct chart_point *pts, size_t n,
    int width, int height, const char *label)
{
	double lo, hi;
	int64_t t0, t1;

	buf_printf(out, "<svg class=\"sparkline\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
	    width, height);
	svg_text(out, label);
	buf_puts(out, "\" xmlns=\"http://www.w3.org/2000/svg\">");
	if (n < 2) {
		buf_puts(out, "</svg>");
		return;
	}
	lo = hi = pts[0].v;
	t0 = t1 = pts[0].t_us;
	for (size_t i = 1; i < n; i++) {
		lo = fmin(lo, pts[i].v);
		hi = fmax(hi, pts[i].v);
		t0 = pts[i].t_us < t0 ? pts[i].t_us : t0;
		t1 = pts[i].t_us > t1 ? pts[i].t_us : t1;
	}
	if (hi - lo < 1e-12) {
		lo -= 1;
		hi += 1;
	}
	if (t1 == t0)
		t1 = t0 + 1;
	buf_puts(out, "<polyline class=\"spark-line\" points=\"");
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%s%.1f,%.1f", i ? " " : "",
		    1 + (double)(pts[i].t_us - t0) / (double)(t1 - t0) * (width - 2),
		    1 + (1 - (pts[i].v - lo) / (hi - lo)) * (height - 2));
	buf_puts(out, "\"/></svg>");
}
