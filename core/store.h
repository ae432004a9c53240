/*
 * store.h - results of the core operations that the API handlers and the
 * staff pages share (rules, alerts, silences, KPIs): the same validation,
 * queries and transactions for JSON and for forms.
 */
#ifndef GW_STORE_H
#define GW_STORE_H

enum store_rc {
	ST_OK,
	ST_INVALID,    /* the verror says which field and why */
	ST_NOT_FOUND,
	ST_CONFLICT,   /* the verror says why */
	ST_ERROR,      /* database error, logged */
	ST__MAX
};

/* The HTTP status for rc (error cases only). */
int store_status(enum store_rc rc);

#endif
