/*
 * units.h - the shop's money and gold units: GOLDWATCH_CURRENCY (an ISO
 * 4217 code with its minor units) and GOLDWATCH_WEIGHT_UNIT (g, tola or
 * ozt), and what a KPI's stored unit word means under them.
 *
 * A KPI's values are stored in its stored unit: money in the shop's
 * currency (the unit word is a currency code, "USD" in the migrations),
 * gold weights in grams ("g"), gold prices per gram ("USD/g"). Nothing is
 * exchanged between currencies; weights and prices per weight are
 * converted for people (pages, mail, charts, rule thresholds) and stay in
 * grams in the database and the API.
 *
 * The setting is process-wide, made once at start by config_load() (as
 * the log format is) and read-only afterwards, so every thread and every
 * formatter sees the same units.
 */
#ifndef GW_UNITS_H
#define GW_UNITS_H

#include <stddef.h>

/* What a stored unit word measures. */
enum quantity {
	Q_OTHER,            /* pieces, %, invoices: shown as stored */
	Q_MONEY,            /* a currency code: "USD" */
	Q_PRICE_PER_WEIGHT, /* a currency per gram: "USD/g" */
	Q_WEIGHT,           /* grams: "g", or "g (fine)" of fine gold */
	Q__MAX
};

struct currency {
	const char *code;   /* ISO 4217: "USD" */
	int minor;          /* digits after the point: 2, JPY 0, KWD 3 */
};

struct weight_unit {
	const char *code;   /* g, tola, ozt: GOLDWATCH_WEIGHT_UNIT's words */
	double grams;       /* grams in one */
};

/* The known currency of code (exactly three capital letters), or NULL. */
const struct currency *units_currency(const char *code);
/* The weight unit of code ("g", "tola", "ozt"), or NULL. */
const struct weight_unit *units_weight(const char *code);
/* The NULL-terminated weight unit codes, for config's word list. */
extern const char *const units_weight_codes[];

/*
 * Makes currency and weight the process's units (NULL: USD, g). Both must
 * come from units_currency() / units_weight(). Called once at start.
 */
void units_set(const struct currency *currency, const struct weight_unit *weight);
const struct currency *units_shop_currency(void);
const struct weight_unit *units_shop_weight(void);

/* What the stored unit word measures (NULL or "" is Q_OTHER). */
enum quantity units_quantity(const char *unit);

/*
 * The unit people see for a stored unit: "JPY" for "USD" in a yen shop,
 * "JPY/tola" for "USD/g", "tola" for "g"; others as they are ("" for
 * NULL), "tola (fine)" for "g (fine)". The text lives as long as unit
 * (or the process).
 */
const char *units_display(const char *unit);
/*
 * The unit the API answers for a stored unit: the shop's currency, weights
 * still in grams ("JPY", "JPY/g", "g").
 */
const char *units_api(const char *unit);

/* A value of the stored unit in the shown unit, and back. */
double units_to_display(const char *unit, double v);
double units_from_display(const char *unit, double v);

/*
 * Digits after the point a value of the stored unit is shown with when it
 * is not whole: the currency's minor units for money, 2 for the rest.
 */
int units_decimals(const char *unit);

#endif
