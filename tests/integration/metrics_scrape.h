/* metrics_scrape.h - scraping /metrics in the metrics suites: the body, a
 * series' value, an API token to scrape with. */
#ifndef GW_METRICS_SCRAPE_H
#define GW_METRICS_SCRAPE_H

#include "testlib.h"

/* GET /metrics with a bearer token (NULL: none); caller frees. */
struct http_resp scrape_as(const char *token);
/*
 * The sum of the samples of name whose labels include each of want
 * ("k=\"v\",k2=\"v2\"", "" for any); *found how many matched (may be NULL).
 */
double series(const char *body, const char *name, const char *want, int *found);
/* A fresh API token of the admin, "" if none was made (caller frees). */
char *metrics_token(void);

#endif
