/*
 * benchlib.h - what the C load clients in bench/ share: one JSON request
 * over HTTP (through nginx, as a client would) and percentiles.
 */
#ifndef GW_BENCHLIB_H
#define GW_BENCHLIB_H

#include <jansson.h>
#include <stddef.h>

/*
 * method base+path with a JSON body (or none) and the bearer token (or
 * none). *status is the HTTP status, 0 when nothing answered; returns the
 * parsed body (any JSON value) or NULL; a failure other than 409 is
 * printed on stderr. Safe from any thread.
 */
json_t *bench_http(const char *base, const char *token, const char *method,
    const char *path, const char *body, long *status);

/* Sorts v ascending (then bench_pct reads it). */
void bench_sort(double *v, size_t n);
/* The p-quantile (0..1) of sorted v by nearest rank; 0 when n is 0. */
double bench_pct(const double *v, size_t n, double p);

#endif
