/*
 * push_load - requests at a fixed rate through nginx, each timed: the
 * pushes of many KPIs (each evaluated in its own request) or, for the
 * baseline of the same run, one GET path.
 *
 *   push_load push PREFIX NKPIS [--rate R] [--seconds S] [--threads T]
 *       POST /api/kpis/PREFIX<k>/samples, k cycling over 0..NKPIS-1, each
 *       a random value in 0..100 (the rules on them fire and resolve).
 *   push_load get PATH [--rate R] [--seconds S] [--threads T]
 *
 * The R requests a second are spread over T threads, each on its own
 * schedule (a request is due every T/R s; a late one is sent at once, so
 * the rate holds while the server keeps up). Prints the count, the errors,
 * the rate reached and p50/p99/max of the request times in ms.
 * Environment: BENCH_URL (nginx), BENCH_TOKEN (an API token).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <unistd.h>

#include "benchlib.h"
#include "util.h"

struct load {
	int push;
	const char *target;      /* the KPI prefix or the path */
	int nkpis, rate, seconds, threads;
	const char *url, *token;
};

struct worker {
	const struct load *l;
	int index;
	double *ms;
	size_t n, cap;
	int errors;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	const struct load *l = w->l;
	int64_t step = (int64_t)1000000 * l->threads / l->rate, start = time_mono_us();
	int64_t end = start + (int64_t)l->seconds * 1000000, due = start + step * w->index / l->threads;
	unsigned seed = (unsigned)w->index * 7919u + 1u;

	for (long i = 0; due < end; i++, due += step) {
		char path[160], body[64];
		int64_t now = time_mono_us(), t0;
		long status;
		json_t *r;

		if (due > now)
			usleep((useconds_t)(due - now));
		if (l->push) {
			snprintf(path, sizeof(path), "/api/kpis/%s%ld/samples", l->target,
			    (i * l->threads + w->index) % l->nkpis);
			snprintf(body, sizeof(body), "{\"value\":%d}", (int)(rand_r(&seed) % 101));
		}
		t0 = time_mono_us();
		r = bench_http(l->url, l->token, l->push ? "POST" : "GET", l->push ? path : l->target,
		    l->push ? body : NULL, &status);
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 1024;
			w->ms = xrealloc(w->ms, w->cap * sizeof(double));
		}
		w->ms[w->n++] = (double)(time_mono_us() - t0) / 1000.0;
		if (status < 200 || status >= 300)
			w->errors++;
		json_decref(r);
	}
	return NULL;
}

static int parse(struct load *l, int argc, char **argv)
{
	int i;

	if (argc < 3)
		return -1;
	l->push = strcmp(argv[1], "push") == 0;
	if (!l->push && strcmp(argv[1], "get") != 0)
		return -1;
	l->target = argv[2];
	i = 3;
	if (l->push) {
		if (argc < 4 || (l->nkpis = atoi(argv[3])) < 1)
			return -1;
		i = 4;
	}
	for (; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--rate") == 0)
			l->rate = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--seconds") == 0)
			l->seconds = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--threads") == 0)
			l->threads = atoi(argv[i + 1]);
		else
			return -1;
	}
	return l->rate > 0 && l->seconds > 0 && l->threads > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct load l = {.rate = 100, .seconds = 20, .threads = 4};
	struct worker *w;
	pthread_t *th;
	double *all;
	size_t n = 0;
	int errors = 0;
	int64_t t0;

	if (parse(&l, argc, argv) < 0) {
		fprintf(stderr, "usage: push_load push PREFIX NKPIS | get PATH"
		    " [--rate R] [--seconds S] [--threads T]\n");
		return 2;
	}
	l.url = getenv("BENCH_URL") ? getenv("BENCH_URL") : "http://127.0.0.1:8080";
	l.token = getenv("BENCH_TOKEN");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	w = xcalloc((size_t)l.threads, sizeof(*w));
	th = xcalloc((size_t)l.threads, sizeof(*th));
	t0 = time_mono_us();
	for (int i = 0; i < l.threads; i++) {
		w[i] = (struct worker){.l = &l, .index = i};
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < l.threads; i++) {
		pthread_join(th[i], NULL);
		n += w[i].n;
		errors += w[i].errors;
	}
	all = xmalloc((n + 1) * sizeof(double));
	n = 0;
	for (int i = 0; i < l.threads; i++) {
		memcpy(all + n, w[i].ms, w[i].n * sizeof(double));
		n += w[i].n;
		free(w[i].ms);
	}
	bench_sort(all, n);
	printf("%s %s: %zu requests, %d errors, %.1f req/s; ms p50 %.2f p99 %.2f max %.2f\n",
	    l.push ? "push" : "get", l.target, n, errors,
	    (double)n / ((double)(time_mono_us() - t0) / 1e6), bench_pct(all, n, 0.5),
	    bench_pct(all, n, 0.99), n ? all[n - 1] : 0);
	free(all);
	free(w);
	free(th);
	curl_global_cleanup();
	return errors > 0;
}
