/*
 * csp.h - the Content-Security-Policy of every answer: no inline script,
 * nothing foreign. Written once, here: the pages send it and `make
 * install` copies it into the nginx site (scripts/install.sh reads the
 * define below, which therefore stays on one line).
 */
#ifndef GW_CSP_H
#define GW_CSP_H

#define PAGE_CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

#endif
