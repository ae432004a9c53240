/*
 * units.c - see units.h.
 */
#include "units.h"

#include <stdio.h>
#include <string.h>

/* ISO 4217 minor units of the currencies a gold shop is likely to keep */
static const struct currency currencies[] = {
	{"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"CHF", 2}, {"INR", 2}, {"PKR", 2}, {"BDT", 2},
	{"LKR", 2}, {"NPR", 2}, {"AED", 2}, {"SAR", 2}, {"QAR", 2}, {"KWD", 3}, {"BHD", 3},
	{"OMR", 3}, {"JOD", 3}, {"IQD", 3}, {"LYD", 3}, {"TND", 3}, {"EGP", 2}, {"MAD", 2},
	{"TRY", 2}, {"ILS", 2}, {"IRR", 2}, {"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"CNY", 2},
	{"HKD", 2}, {"SGD", 2}, {"MYR", 2}, {"THB", 2}, {"IDR", 2}, {"PHP", 2}, {"TWD", 2},
	{"AUD", 2}, {"NZD", 2}, {"CAD", 2}, {"MXN", 2}, {"BRL", 2}, {"ARS", 2}, {"CLP", 0},
	{"COP", 2}, {"PEN", 2}, {"ZAR", 2}, {"NGN", 2}, {"KES", 2}, {"GHS", 2}, {"XOF", 0},
	{"XAF", 0}, {"SEK", 2}, {"NOK", 2}, {"DKK", 2}, {"PLN", 2}, {"CZK", 2}, {"HUF", 2},
	{"RON", 2}, {"RUB", 2}, {"UAH", 2}, {"KZT", 2}, {"UZS", 2}, {"ISK", 0},
};

/* the troy ounce and the tola (180 grains) in grams, as defined */
static const struct weight_unit weights[] = {
	{"g", 1.0}, {"tola", 11.6638038}, {"ozt", 31.1034768},
};
const char *const units_weight_codes[] = {"g", "tola", "ozt", NULL};

/* grams of fine gold: the demo shop's stock (0002_kpis.sql) */
#define FINE "g (fine)"

/* the words of units_display() and units_api(), made by units_set() */
static char money_word[4] = "USD", price_word[16] = "USD/g", weight_word[8] = "g",
    fine_word[16] = "g (fine)", api_price_word[16] = "USD/g";
static const struct currency *shop_currency = &currencies[0];
static const struct weight_unit *shop_weight = &weights[0];

const struct currency *units_currency(const char *code)
{
	for (size_t i = 0; code && i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (strcmp(code, currencies[i].code) == 0)
			return &currencies[i];
	return NULL;
}

const struct weight_unit *units_weight(const char *code)
{
	for (size_t i = 0; code && i < sizeof(weights) / sizeof(weights[0]); i++)
		if (strcmp(code, weights[i].code) == 0)
			return &weights[i];
	return NULL;
}

void units_set(const struct currency *currency, const struct weight_unit *weight)
{
	shop_currency = currency ? currency : &currencies[0];
	shop_weight = weight ? weight : &weights[0];
	snprintf(money_word, sizeof(money_word), "%s", shop_currency->code);
	snprintf(price_word, sizeof(price_word), "%s/%s", shop_currency->code, shop_weight->code);
	snprintf(weight_word, sizeof(weight_word), "%s", shop_weight->code);
	snprintf(fine_word, sizeof(fine_word), "%s (fine)", shop_weight->code);
	snprintf(api_price_word, sizeof(api_price_word), "%s/g", shop_currency->code);
}

const struct currency *units_shop_currency(void)
{
	return shop_currency;
}

const struct weight_unit *units_shop_weight(void)
{
	return shop_weight;
}

enum quantity units_quantity(const char *unit)
{
	char code[4];

	if (unit == NULL || *unit == '\0')
		return Q_OTHER;
	if (strcmp(unit, "g") == 0 || strcmp(unit, FINE) == 0)
		return Q_WEIGHT;
	if (strlen(unit) == 3 && units_currency(unit))
		return Q_MONEY;
	if (strlen(unit) == 5 && strcmp(unit + 3, "/g") == 0) {
		memcpy(code, unit, 3);
		code[3] = '\0';
		if (units_currency(code))
			return Q_PRICE_PER_WEIGHT;
	}
	return Q_OTHER;
}

static const char *unit_word(const char *unit, const char *price, const char *weight)
{
	switch (units_quantity(unit)) {
	case Q_MONEY:
		return money_word;
	case Q_PRICE_PER_WEIGHT:
		return price;
	case Q_WEIGHT:
		return weight;
	case Q_OTHER:
	case Q__MAX:
		break;
	}
	return unit ? unit : "";
}

const char *units_display(const char *unit)
{
	return unit_word(unit, price_word, unit && strcmp(unit, FINE) == 0 ? fine_word : weight_word);
}

const char *units_api(const char *unit)
{
	return unit_word(unit, api_price_word, unit);
}

double units_to_display(const char *unit, double v)
{
	switch (units_quantity(unit)) {
	case Q_PRICE_PER_WEIGHT:
		return v * shop_weight->grams;
	case Q_WEIGHT:
		return v / shop_weight->grams;
	default:
		return v;
	}
}

double units_from_display(const char *unit, double v)
{
	switch (units_quantity(unit)) {
	case Q_PRICE_PER_WEIGHT:
		return v / shop_weight->grams;
	case Q_WEIGHT:
		return v * shop_weight->grams;
	default:
		return v;
	}
}

int units_decimals(const char *unit)
{
	enum quantity q = units_quantity(unit);

	return q == Q_MONEY || q == Q_PRICE_PER_WEIGHT ? shop_currency->minor : 2;
}
