/* benchlib.c - see benchlib.h. */
#include "benchlib.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static size_t collect(char *d, size_t sz, size_t n, void *ud)
{
	buf_append(ud, d, sz * n);
	return sz * n;
}

json_t *bench_http(const char *base, const char *token, const char *method,
    const char *path, const char *body, long *status)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char *url = xasprintf("%s%s", base, path), *auth = NULL;
	struct buf out;
	json_t *j = NULL;

	buf_init(&out);
	*status = 0;
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	if (token) {
		auth = xasprintf("Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (out.len)
		j = json_loadb(out.data, out.len, JSON_DECODE_ANY, NULL);
	if ((*status < 200 || *status >= 300) && *status != 409)   /* 409: made by an earlier run */
		fprintf(stderr, "bench: %s %s: %ld %.*s\n", method, path, *status,
		    (int)out.len, out.data ? out.data : "");
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	buf_free(&out);
	free(auth);
	free(url);
	return j;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void bench_sort(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
}

double bench_pct(const double *v, size_t n, double p)
{
	double rank = ceil(p * (double)n);
	size_t i = rank < 1 ? 0 : (size_t)rank - 1;

	if (n == 0)
		return 0;
	return v[i >= n ? n - 1 : i];
}
