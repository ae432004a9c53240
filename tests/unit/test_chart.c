/* test_chart.c - the pages' SVG charts, drawn through templates/chart.svg.tpl. */
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "testlib.h"
#include "tpl.h"
#include "unit.h"

static int init(void)
{
	char *dir = xasprintf("%s/templates", test_top());
	int rc = tpl_init(dir);
	free(dir);
	return rc;
}

static const struct chart_point pts[] = {
	{INT64_C(1764583200000000), 10, 0}, {INT64_C(1764583500000000), 25, 0},
	{INT64_C(1764583800000000), 15, 0},
};

/* A title, unit or label is text of the page: escaped, never markup. */
static void t_hostile_text(void)
{
	struct chart c = {.pts = pts, .n = 3, .width = 640, .height = 280,
	    .title = "<script>alert(1)</script> & \"x\"", .unit = "<b>g</b>",
	    .has_threshold = 1, .threshold = 20, .mark_us = INT64_C(1764583500000000),
	    .mark_label = "fired <now>"};
	struct buf out;

	buf_init(&out);
	CU_ASSERT_EQUAL(chart_svg(&out, &c), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out.data);
	CU_ASSERT_PTR_NULL(strstr(out.data, "<script"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "<b>"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "<now>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data,
	    "aria-label=\"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data,
	    "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "&lt;b&gt;g&lt;/b&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "fired &lt;now&gt;"));
	buf_free(&out);
	buf_init(&out);
	CU_ASSERT_EQUAL(chart_sparkline(&out, pts, 3, 200, 36, "<i>24 h</i>"), 0);
	CU_ASSERT_PTR_NULL(strstr(out.data, "<i>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "aria-label=\"&lt;i&gt;24 h&lt;/i&gt;\""));
	buf_free(&out);
}

/* What the chart shows: the line, a dot per sample, the threshold, the mark. */
static void t_parts(void)
{
	struct chart c = {.pts = pts, .n = 3, .width = 640, .height = 280, .title = "t",
	    .has_threshold = 1, .threshold = 20, .mark_us = INT64_C(1764583500000000)};
	struct buf out;
	const char *p;
	int dots = 0;

	buf_init(&out);
	CU_ASSERT_EQUAL(chart_svg(&out, &c), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out.data);
	CU_ASSERT_EQUAL(strncmp(out.data, "<svg class=\"chart\" viewBox=\"0 0 640 280\"", 40), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<polyline class=\"chart-line\" points=\""));
	for (p = out.data; (p = strstr(p, "<circle class=\"chart-dot\"")) != NULL; p++)
		dots++;
	CU_ASSERT_EQUAL(dots, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "class=\"chart-threshold\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, ">threshold 20<"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, ">fired<"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "</svg>"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "chart-empty"));
	buf_free(&out);
}

/* No samples: the chart says so and draws nothing; a sparkline of one
 * point has no line. */
static void t_empty(void)
{
	struct chart c = {.pts = NULL, .n = 0, .width = 640, .height = 280, .title = "t"};
	struct buf out;

	buf_init(&out);
	CU_ASSERT_EQUAL(chart_svg(&out, &c), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, ">No samples in this period</text>"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "<polyline"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "<line"));
	buf_free(&out);
	buf_init(&out);
	CU_ASSERT_EQUAL(chart_sparkline(&out, pts, 1, 200, 36, "x"), 0);
	CU_ASSERT_PTR_NULL(strstr(out.data, "<polyline"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "</svg>"));
	buf_free(&out);
}

static int count_of(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

/* Backfilled samples: a dashed line of their own with the legend, and the
 * live line joined to the last of them. Only live ones: no legend. */
static void t_backfilled(void)
{
	static const struct chart_point mixed[] = {
		{INT64_C(1764583200000000), 10, 1}, {INT64_C(1764583500000000), 25, 1},
		{INT64_C(1764583800000000), 15, 0}, {INT64_C(1764584100000000), 12, 0},
	};
	struct chart c = {.pts = mixed, .n = 4, .width = 640, .height = 280, .title = "t"};
	struct buf out;
	const char *hist, *live;

	buf_init(&out);
	CU_ASSERT_EQUAL(chart_svg(&out, &c), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out.data);
	hist = strstr(out.data, "<polyline class=\"chart-line chart-backfill\" points=\"");
	live = strstr(out.data, "<polyline class=\"chart-line\" points=\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(hist);
	CU_ASSERT_PTR_NOT_NULL_FATAL(live);
	/* two points each way, the live line from the last backfilled point on */
	hist += strlen("<polyline class=\"chart-line chart-backfill\" points=\"");
	live += strlen("<polyline class=\"chart-line\" points=\"");
	{
		const char *second = strchr(hist, ' ') + 1;
		size_t len = strcspn(second, "\"");
		CU_ASSERT_EQUAL(strncmp(live, second, len), 0);
		CU_ASSERT_EQUAL(count_of(live, " ") >= 3, 1);
	}
	CU_ASSERT_EQUAL(count_of(out.data, "<circle class=\"chart-dot chart-backfill-dot\""), 2);
	CU_ASSERT_EQUAL(count_of(out.data, "<circle class=\"chart-dot\""), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, ">backfilled from the shop's records</text>"));
	buf_free(&out);
	c.pts = pts;
	c.n = 3;
	buf_init(&out);
	CU_ASSERT_EQUAL(chart_svg(&out, &c), 0);
	CU_ASSERT_PTR_NULL(strstr(out.data, "chart-backfill"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "backfilled"));
	buf_free(&out);
}

/* The text alternative: the description says how many samples and their
 * range, the data table holds each sample's time and value, every k-th
 * of a long series (and says so). */
static void t_data_table(void)
{
	struct chart_point *many = xcalloc(700, sizeof(*many));
	struct chart c = {.pts = pts, .n = 3, .width = 640, .height = 280, .title = "Gold",
	    .unit = "USD"};
	struct buf out;

	buf_init(&out);
	CU_ASSERT_EQUAL(chart_svg(&out, &c), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out.data);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "aria-describedby=\"chart-svg-desc\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<desc id=\"chart-svg-desc\">3 samples from 10 USD to 25 USD, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<summary>Data table</summary>"));
	CU_ASSERT_EQUAL(count_of(out.data, "<tr><td><time datetime=\""), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<time datetime=\"2025-12-01T10:05:00.000000Z\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "</time></td><td>25 USD</td></tr>"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "one sample in"));
	buf_free(&out);
	for (int i = 0; i < 700; i++)
		many[i] = (struct chart_point){.t_us = INT64_C(1764583200000000) + i * INT64_C(60000000),
		    .v = 1000000 + i};
	c.pts = many;
	c.n = 700;
	buf_init(&out);
	CU_ASSERT_EQUAL(chart_svg(&out, &c), 0);
	CU_ASSERT_EQUAL(count_of(out.data, "<tr><td><time datetime=\""), 234);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "one sample in 3 of the 700"));
	/* room on the left for "1,000,000" at the phone's label size: 14 + 13 x 9 */
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "<line class=\"chart-axis\" x1=\"131\""));
	buf_free(&out);
	c.n = 0;
	buf_init(&out);
	CU_ASSERT_EQUAL(chart_svg(&out, &c), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, ">no samples in this period</desc>"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "Data table"));
	buf_free(&out);
	free(many);
}

void suite_chart(void)
{
	static const struct test_case cases[] = {
		{"chart text is escaped by the template", t_hostile_text},
		{"a chart draws line, dots, threshold and mark", t_parts},
		{"an empty chart says so", t_empty},
		{"backfilled samples are drawn apart, with a legend", t_backfilled},
		{"a chart is described and has a data table", t_data_table},
		{NULL, NULL},
	};
	test_add_suite("chart", init, NULL, cases);
}
