/* demo_trade.h - goldwatch-admin demo trade: the demo shop keeps trading. */
#ifndef GW_DEMO_TRADE_H
#define GW_DEMO_TRADE_H

#include "config.h"
#include "db.h"

/*
 * Trades the demo shop from where its last trade (or the generator)
 * stopped up to until (ISO 8601, validated by the caller), with seed
 * (a number -1..1 as text, or NULL: the generator's), in one transaction,
 * and logs one summary line. Refuses (-1, said) a shop that holds other
 * than demo data. 0, or -1 (said).
 */
int demo_trade_run(struct db *db, const struct config *cfg, const char *seed,
    const char *until);

#endif
