/*
 * chart.c - see chart.h. The numbers are worked out here; the markup is
 * templates/chart.svg.tpl, so the template's auto-escaper is the only one
 * that touches a title, a unit or a label.
 */
#include "chart.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "tpl.h"
#include "units.h"

#define CHART_TPL "chart.svg.tpl"
/* The data table under a chart holds at most about this many rows (every
 * k-th sample beyond it), so a page of 30 days stays small. */
#define CHART_TABLE_ROWS 300

/* The plot area and the ranges it maps. */
struct frame {
	int w, h, ml, mr, mt, ph, pw;
	double lo, hi;
	int64_t t0, t1;
};

static double fx(const struct frame *f, int64_t t)
{
	return f->ml + (double)(t - f->t0) / (double)(f->t1 - f->t0) * f->pw;
}

static double fy(const struct frame *f, double v)
{
	return f->mt + (1 - (v - f->lo) / (f->hi - f->lo)) * f->ph;
}

/* "Nice" axis ticks covering [lo, hi]: fills ticks (at most max), returns how many. */
static int ticks(double lo, double hi, int max, double *out)
{
	double span, step, mag, f, start;
	int n = 0;

	if (!(hi > lo)) {
		out[0] = lo;
		return 1;
	}
	span = hi - lo;
	step = span / (max > 1 ? max - 1 : 1);
	mag = pow(10, floor(log10(step)));
	f = step / mag;
	step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
	start = ceil(lo / step - 1e-9) * step;
	for (double t = start; t <= hi + step * 1e-9 && n < max; t += step)
		out[n++] = fabs(t) < step * 1e-9 ? 0 : t;
	return n;
}

static void local_time(int64_t us, const char *format, char *out, size_t len)
{
	time_t secs = (time_t)(us / 1000000);
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(out, len, format, &tm);
}

static void local_label(int64_t us, int with_date, char *out, size_t len)
{
	local_time(us, with_date ? "%d %b %H:%M" : "%H:%M", out, len);
}

/*
 * The left margin holds the value labels: on a phone the chart is drawn at
 * half size and its labels at twice the size (22 units, about 13 a digit),
 * so the longest label decides, never less than 64.
 */
static int label_margin(const struct frame *f)
{
	double yt[8];
	char label[64];
	size_t longest = 0;
	int nt = ticks(f->lo, f->hi, 6, yt), m;

	for (int i = 0; i < nt; i++) {
		fmt_value(yt[i], NULL, label, sizeof(label));
		longest = strlen(label) > longest ? strlen(label) : longest;
	}
	m = 14 + 13 * (int)longest;
	return m < 64 ? 64 : m;
}

/* The ranges: every sample, the threshold and the mark, with some air. */
static void frame_fit(struct frame *f, const struct chart *c)
{
	f->w = c->width;
	f->h = c->height;
	f->ml = 64;
	f->mr = 16;
	f->mt = 16;
	f->pw = f->w - f->ml - f->mr;
	f->ph = f->h - f->mt - 36;
	f->lo = f->hi = c->pts[0].v;
	f->t0 = f->t1 = c->pts[0].t_us;
	for (size_t i = 1; i < c->n; i++) {
		f->lo = fmin(f->lo, c->pts[i].v);
		f->hi = fmax(f->hi, c->pts[i].v);
		f->t0 = c->pts[i].t_us < f->t0 ? c->pts[i].t_us : f->t0;
		f->t1 = c->pts[i].t_us > f->t1 ? c->pts[i].t_us : f->t1;
	}
	if (c->has_threshold) {
		f->lo = fmin(f->lo, c->threshold);
		f->hi = fmax(f->hi, c->threshold);
	}
	if (c->mark_us) {
		f->t0 = c->mark_us < f->t0 ? c->mark_us : f->t0;
		f->t1 = c->mark_us > f->t1 ? c->mark_us : f->t1;
	}
	for (size_t i = 0; i < c->more_n; i++) {
		f->t0 = c->more_marks[i] < f->t0 ? c->more_marks[i] : f->t0;
		f->t1 = c->more_marks[i] > f->t1 ? c->more_marks[i] : f->t1;
	}
	if (f->hi - f->lo < 1e-9) {
		double pad = fabs(f->hi) > 1e-9 ? fabs(f->hi) * 0.1 : 1;
		f->lo -= pad;
		f->hi += pad;
	} else {
		double pad = (f->hi - f->lo) * 0.08;
		f->lo -= pad;
		f->hi += pad;
	}
	if (f->t1 == f->t0)
		f->t1 = f->t0 + 60000000;
	f->ml = label_margin(f);
	f->pw = f->w - f->ml - f->mr;
}

/* The value axis (gridlines, labels, unit) and the time axis (five labels,
 * with the date when the span is over a day). */
static void axes(struct tpl_dict *d, const struct frame *f, const char *unit)
{
	double yt[8];
	int nt = ticks(f->lo, f->hi, 6, yt);
	char label[64];

	for (int i = 0; i < nt; i++) {
		struct tpl_dict *g = tpl_section(d, "GRID");
		fmt_value(yt[i], NULL, label, sizeof(label));
		tpl_set_int(g, "X1", f->ml);
		tpl_set_int(g, "X2", f->w - f->mr);
		tpl_setf(g, "Y", "%.1f", fy(f, yt[i]));
		tpl_set_int(g, "X", f->ml - 6);
		tpl_set(g, "LABEL", label);
	}
	if (unit && *unit) {
		struct tpl_dict *u = tpl_section(d, "UNIT");
		tpl_set_int(u, "Y", f->mt - 4 > 8 ? f->mt - 4 : 10);
		tpl_set(u, "TEXT", unit);
	}
	{
		struct tpl_dict *a = tpl_section(d, "AXIS");
		tpl_set_int(a, "X1", f->ml);
		tpl_set_int(a, "X2", f->w - f->mr);
		tpl_set_int(a, "Y", f->mt + f->ph);
	}
	for (int i = 0; i <= 4; i++) {
		struct tpl_dict *t = tpl_section(d, "TIME");
		int64_t at = f->t0 + (f->t1 - f->t0) * i / 4;
		local_label(at, f->t1 - f->t0 > INT64_C(86400000000), label, sizeof(label));
		tpl_setf(t, "X", "%.1f", fx(f, at));
		tpl_set_int(t, "Y", f->h - 12);
		tpl_set(t, "ANCHOR", i == 0 ? "start" : i == 4 ? "end" : "middle");
		/* on a phone the odd ones would overlap their neighbours */
		if (i % 2)
			tpl_show(t, "MINOR");
		tpl_set(t, "LABEL", label);
	}
}

/* A vertical mark at t with its label beside it. */
static void mark(struct tpl_dict *d, const struct frame *f, int64_t t, const char *label)
{
	struct tpl_dict *m = tpl_section(d, "MARK");
	double x = fx(f, t);
	int right = x > f->w / 2;

	tpl_setf(m, "X", "%.1f", x);
	tpl_set_int(m, "Y1", f->mt);
	tpl_set_int(m, "Y2", f->mt + f->ph);
	tpl_setf(m, "TX", "%.1f", x + (right ? -4 : 4));
	tpl_set_int(m, "TY", f->mt + 12);
	tpl_set(m, "ANCHOR", right ? "end" : "start");
	tpl_set(m, "LABEL", label);
}

/* The threshold as a dashed line, and the firing as a vertical mark. */
static void marks(struct tpl_dict *d, const struct frame *f, const struct chart *c)
{
	char label[64];

	if (c->has_threshold) {
		struct tpl_dict *t = tpl_section(d, "THRESHOLD");
		fmt_value(c->threshold, NULL, label, sizeof(label));
		tpl_set_int(t, "X1", f->ml);
		tpl_set_int(t, "X2", f->w - f->mr);
		tpl_setf(t, "Y", "%.1f", fy(f, c->threshold));
		tpl_set_int(t, "X", f->ml + 4);
		tpl_setf(t, "TY", "%.1f", fy(f, c->threshold) - 5);
		tpl_set(t, "LABEL", label);
	}
	if (c->mark_us)
		mark(d, f, c->mark_us, c->mark_label ? c->mark_label : "fired");
	for (size_t i = 0; i < c->more_n; i++)
		mark(d, f, c->more_marks[i], "");
}

/* Points from..to-1 as one polyline in section name. */
static void polyline(struct tpl_dict *d, const char *name, const struct frame *f,
    const struct chart *c, size_t from, size_t to)
{
	struct buf pts;

	buf_init(&pts);
	for (size_t i = from; i < to; i++)
		buf_printf(&pts, "%s%.1f,%.1f", i > from ? " " : "", fx(f, c->pts[i].t_us),
		    fy(f, c->pts[i].v));
	tpl_set(tpl_section(d, name), "POINTS", pts.data ? pts.data : "");
	buf_free(&pts);
}

/*
 * The samples as a line, and as dots while there are few. Backfilled
 * samples come before a KPI's live ones (backfill writes only before the
 * first live sample): they are one dashed line with a legend, and the
 * live line starts at the last of them, so the two join.
 */
static void samples(struct tpl_dict *d, const struct frame *f, const struct chart *c)
{
	size_t nb = 0;

	while (nb < c->n && c->pts[nb].backfill)
		nb++;
	if (nb > 0) {
		polyline(d, "HISTORY", f, c, 0, nb);
		struct tpl_dict *l = tpl_section(d, "LEGEND");
		tpl_set_int(l, "X1", f->ml + 8);
		tpl_set_int(l, "X2", f->ml + 32);
		tpl_set_int(l, "X", f->ml + 38);
	}
	if (nb < c->n)
		polyline(d, "LINE", f, c, nb > 0 ? nb - 1 : 0, c->n);
	if (c->n > 60)
		return;
	for (size_t i = 0; i < c->n; i++) {
		struct tpl_dict *dot = tpl_section(d, c->pts[i].backfill ? "HDOT" : "DOT");
		tpl_setf(dot, "X", "%.1f", fx(f, c->pts[i].t_us));
		tpl_setf(dot, "Y", "%.1f", fy(f, c->pts[i].v));
	}
}

/*
 * What a screen reader says of the chart besides its title: how many
 * samples, their range of values and of time ("72 samples from 1,880 USD
 * to 2,120 USD, 29 Nov 2026 10:00 to 02 Dec 2026 09:00").
 */
static void description(struct tpl_dict *d, const struct chart *c)
{
	double lo = c->pts[0].v, hi = c->pts[0].v;
	char vlo[64], vhi[64], t0[40], t1[40];

	for (size_t i = 1; i < c->n; i++) {
		lo = fmin(lo, c->pts[i].v);
		hi = fmax(hi, c->pts[i].v);
	}
	fmt_value(lo, c->unit, vlo, sizeof(vlo));
	fmt_value(hi, c->unit, vhi, sizeof(vhi));
	local_time(c->pts[0].t_us, "%d %b %Y %H:%M", t0, sizeof(t0));
	local_time(c->pts[c->n - 1].t_us, "%d %b %Y %H:%M", t1, sizeof(t1));
	if (c->n == 1)
		tpl_setf(d, "DESC", "one sample, %s at %s", vlo, t0);
	else
		tpl_setf(d, "DESC", "%zu samples from %s to %s, %s to %s", c->n, vlo, vhi, t0, t1);
}

/* The samples as a table under the chart, the text alternative of its
 * line: each one's time and value (every k-th beyond CHART_TABLE_ROWS). */
static void data_table(struct tpl_dict *d, const struct chart *c)
{
	struct tpl_dict *t = tpl_section(d, "DATA");
	size_t step = (c->n + CHART_TABLE_ROWS - 1) / CHART_TABLE_ROWS;
	char when[40], iso[40], value[64];

	if (step > 1)
		tpl_setf(tpl_section(t, "THINNED"), "EVERY", "one sample in %zu of the %zu", step,
		    c->n);
	for (size_t i = 0; i < c->n; i += step) {
		struct tpl_dict *r = tpl_section(t, "ROW");
		local_time(c->pts[i].t_us, "%d %b %Y %H:%M", when, sizeof(when));
		time_format_iso(c->pts[i].t_us, iso, sizeof(iso));
		fmt_value(c->pts[i].v, c->unit, value, sizeof(value));
		tpl_set(r, "WHEN", when);
		tpl_set(r, "ISO", iso);
		tpl_set(r, "VALUE", value);
		if (c->pts[i].backfill)
			tpl_show(r, "BACKFILL");
	}
}

/*
 * The chart as drawn: its points, threshold and unit in the shop's units
 * (units.h: tola, ozt, its currency). Returns the points to free.
 */
static struct chart_point *in_shop_units(const struct chart *c, struct chart *shown)
{
	struct chart_point *pts = xcalloc(c->n, sizeof(*pts));

	*shown = *c;
	for (size_t i = 0; i < c->n; i++) {
		pts[i] = c->pts[i];
		pts[i].v = units_to_display(c->unit, c->pts[i].v);
	}
	shown->pts = pts;
	shown->unit = units_display(c->unit);
	shown->threshold = units_to_display(c->unit, c->threshold);
	return pts;
}

int chart_svg(struct buf *out, const struct chart *c)
{
	struct tpl_dict *root = tpl_dict_new("chart"), *d = tpl_section(root, "CHART");
	struct frame f;
	int rc;

	tpl_set_int(d, "W", c->width);
	tpl_set_int(d, "H", c->height);
	tpl_set(d, "TITLE", c->title);
	if (c->n == 0) {
		struct tpl_dict *e = tpl_section(d, "EMPTY");
		tpl_set_int(e, "X", c->width / 2);
		tpl_set_int(e, "Y", c->height / 2);
		tpl_set(d, "DESC", "no samples in this period");
	} else {
		struct chart shown;
		struct chart_point *pts = in_shop_units(c, &shown);

		/* the words read the stored values: fmt_value shows them in the shop's units */
		description(d, c);
		data_table(d, c);
		frame_fit(&f, &shown);
		axes(d, &f, shown.unit);
		marks(d, &f, &shown);
		samples(d, &f, &shown);
		free(pts);
	}
	rc = tpl_expand(CHART_TPL, root, out);
	tpl_dict_free(root);
	return rc;
}

int chart_sparkline(struct buf *out, const struct chart_point *pts, size_t n,
    int width, int height, const char *label)
{
	struct tpl_dict *root = tpl_dict_new("spark"), *d = tpl_section(root, "SPARK");
	double lo, hi;
	int64_t t0, t1;
	int rc;

	tpl_set_int(d, "W", width);
	tpl_set_int(d, "H", height);
	tpl_set(d, "LABEL", label);
	if (n >= 2) {
		struct buf line;

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
		buf_init(&line);
		for (size_t i = 0; i < n; i++)
			buf_printf(&line, "%s%.1f,%.1f", i ? " " : "",
			    1 + (double)(pts[i].t_us - t0) / (double)(t1 - t0) * (width - 2),
			    1 + (1 - (pts[i].v - lo) / (hi - lo)) * (height - 2));
		tpl_set(tpl_section(d, "LINE"), "POINTS", line.data);
		buf_free(&line);
	}
	rc = tpl_expand(CHART_TPL, root, out);
	tpl_dict_free(root);
	return rc;
}
