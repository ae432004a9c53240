/*
 * relay_check.c - the check and the figures of relay_load (see
 * relay_load.h): every client against the run's events, then rates and
 * latencies, overall and per pusher.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchlib.h"
#include "relay_load.h"
#include "util.h"

#define MAX_PRINTED 40           /* problem lines printed at most */

struct tally {
	long samples, missing, dup, misorder, unexpected;
	int printed;
};

/* Latencies (ms) of all clients, each client's a slice [off, off + cnt). */
struct lats {
	double *done, *at;
	size_t n, nat;
	size_t *off, *cnt;
	double *rate;                /* per client: events received per second */
};

static void problem(struct tally *t, const char *fmt, int ci, int pusher, long long a,
    long long b)
{
	if (t->printed++ < MAX_PRINTED) {
		printf("  client %d (pusher %d): ", ci, pusher);
		printf(fmt, a, b);
		printf("\n");
	} else if (t->printed == MAX_PRINTED + 1) {
		printf("  ... (more not printed)\n");
	}
}

/* The index of id among the run's events, or -1. */
static int find(const struct relay *r, int64_t id)
{
	int lo = 0, hi = r->m;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (r->ev[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->m && r->ev[lo].id == id ? lo : -1;
}

/* The runs of events client ci never had, as gaps. */
static void report_gaps(const struct relay *r, int ci, const unsigned char *seen,
    struct tally *t)
{
	for (int k = 0; k < r->m; k++) {
		int end = k;
		if (seen[k])
			continue;
		while (end + 1 < r->m && !seen[end + 1])
			end++;
		t->missing += end - k + 1;
		problem(t, "gap: missed ids %lld to %lld", ci, r->c[ci].pusher,
		    (long long)r->ev[k].id, (long long)r->ev[end].id);
		k = end;
	}
}

/* Client ci against the run: tallies, latencies and its rate into l. */
static void check_client(const struct relay *r, int ci, unsigned char *seen, struct lats *l,
    struct tally *t)
{
	const struct rclient *c = &r->c[ci];
	int64_t prev = r->warm_id, first_t = 0, last_t = 0;
	long got = 0;

	memset(seen, 0, (size_t)r->m);
	l->off[ci] = l->n;
	for (int k = 0; k < c->n; k++) {
		int e;
		if (c->id[k] <= r->warm_id)
			continue;
		e = find(r, c->id[k]);
		if (e < 0) {
			t->unexpected++;
			problem(t, "id %lld is no event of the run (after %lld)", ci, c->pusher,
			    (long long)c->id[k], (long long)prev);
		} else if (seen[e]) {
			t->dup++;
			problem(t, "duplicate: id %lld again (after %lld)", ci, c->pusher,
			    (long long)c->id[k], (long long)prev);
		} else {
			seen[e] = 1;
			if (c->id[k] < prev) {
				t->misorder++;
				problem(t, "out of order: id %lld after %lld", ci, c->pusher,
				    (long long)c->id[k], (long long)prev);
			}
			if (r->ev[e].done_us >= 0)
				l->done[l->n++] = (double)(c->t[k] - r->ev[e].done_us) / 1000.0;
			l->at[l->nat++] = (double)(c->t[k] - r->ev[e].at_us) / 1000.0;
			first_t = got++ ? first_t : c->t[k];
			last_t = c->t[k];
		}
		prev = c->id[k] > prev ? c->id[k] : prev;
	}
	t->samples += got;
	l->cnt[ci] = l->n - l->off[ci];
	l->rate[ci] = got > 1 && last_t > first_t ? (double)got * 1e6 / (double)(last_t - first_t) : 0;
	report_gaps(r, ci, seen, t);
}

/* Per pusher: its clients' lowest rate and their latencies' p50 and p99. */
static void report_pushers(const struct relay *r, const struct lats *l)
{
	double *v = xmalloc((l->n + 1) * sizeof(double));

	for (int p = 0; p < r->nsockets; p++) {
		size_t n = 0;
		double min = -1;
		for (int i = 0; i < r->nclients; i++) {
			if (r->c[i].pusher != p)
				continue;
			memcpy(v + n, l->done + l->off[i], l->cnt[i] * sizeof(double));
			n += l->cnt[i];
			if (min < 0 || l->rate[i] < min)
				min = l->rate[i];
		}
		bench_sort(v, n);
		printf("pusher %d: lowest client %.0f events/s; latency p50 %.2f p99 %.2f max %.2f ms\n",
		    p, min, bench_pct(v, n, 0.5), bench_pct(v, n, 0.99), n ? v[n - 1] : 0);
	}
	free(v);
}

static void report_figures(const struct relay *r, struct lats *l)
{
	double *rates = xmalloc((size_t)r->nclients * sizeof(double));
	double rate_med, rate_min;

	memcpy(rates, l->rate, (size_t)r->nclients * sizeof(double));
	bench_sort(rates, (size_t)r->nclients);
	rate_med = bench_pct(rates, (size_t)r->nclients, 0.5);
	rate_min = rates[0];
	report_pushers(r, l);
	bench_sort(l->done, l->n);
	bench_sort(l->at, l->nat);
	printf("received per client: median %.0f events/s, lowest %.0f\n", rate_med, rate_min);
	printf("latency from the sequencer returned (ms): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f"
	    "  min %.2f (%zu samples)\n", bench_pct(l->done, l->n, 0.5),
	    bench_pct(l->done, l->n, 0.9), bench_pct(l->done, l->n, 0.99),
	    l->n ? l->done[l->n - 1] : 0, l->n ? l->done[0] : 0, l->n);
	printf("latency from queued, the event's at (ms): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
	    bench_pct(l->at, l->nat, 0.5), bench_pct(l->at, l->nat, 0.9),
	    bench_pct(l->at, l->nat, 0.99), l->nat ? l->at[l->nat - 1] : 0);
	printf("result rate_med=%.0f rate_min=%.0f p50=%.2f p99=%.2f at_p50=%.2f at_p99=%.2f\n",
	    rate_med, rate_min, bench_pct(l->done, l->n, 0.5), bench_pct(l->done, l->n, 0.99),
	    bench_pct(l->at, l->nat, 0.5), bench_pct(l->at, l->nat, 0.99));
	free(rates);
}

int relay_report(const struct relay *r)
{
	size_t cap = (size_t)r->m * (size_t)r->nclients + 1;
	struct lats l = {xmalloc(cap * sizeof(double)), xmalloc(cap * sizeof(double)), 0, 0,
	    xcalloc((size_t)r->nclients, sizeof(size_t)), xcalloc((size_t)r->nclients, sizeof(size_t)),
	    xcalloc((size_t)r->nclients, sizeof(double))};
	unsigned char *seen = xmalloc((size_t)r->m + 1);
	struct tally t = {0};
	int bad;

	printf("run: %d events (ids %lld to %lld), %d clients on %d pushers\n", r->m,
	    r->m ? (long long)r->ev[0].id : 0, r->m ? (long long)r->ev[r->m - 1].id : 0,
	    r->k.opened, r->nsockets);
	for (int i = 0; i < r->nclients; i++)
		check_client(r, i, seen, &l, &t);
	bad = t.missing || t.dup || t.misorder || t.unexpected || r->k.closed || r->m == 0;
	printf("check: %ld messages of %ld expected; missing %ld, duplicates %ld, out of order %ld,"
	    " not of the run %ld, closed early %d: %s\n", t.samples, (long)r->m * r->nclients,
	    t.missing, t.dup, t.misorder, t.unexpected, r->k.closed, bad ? "FAILED" : "ok");
	report_figures(r, &l);
	free(l.done);
	free(l.at);
	free(l.off);
	free(l.cnt);
	free(l.rate);
	free(seen);
	return bad ? 1 : 0;
}
