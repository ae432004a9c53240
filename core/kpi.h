/*
 * kpi.h - sampling the KPIs (the catalogue is kpi_store.h's). An
 * evaluation computes each KPI it needs exactly once: sql KPIs by running their catalogue query (with
 * the evaluation time and the shop's time zone), push KPIs by taking their
 * latest sample that is still fresh (max_age_minutes).
 */
#ifndef GW_KPI_H
#define GW_KPI_H

#include <stdint.h>

#include "config.h"
#include "db.h"

struct kpi_value {
	char key[65];
	int is_sql;
	int has;          /* 0: no data (NULL result, failed query, stale push) */
	double value;
	int64_t at_us;    /* when the value was sampled */
	int64_t moment_us; /* the moment it stands for: an sql KPI's evaluation
	                      step (schedule_eval_step), a pushed sample's time */
};

struct kpi_values {
	size_t n;
	struct kpi_value *v;
	int sampled;      /* sql KPIs computed and stored */
};

/*
 * Samples the KPIs of the enabled rules in rule_ids (a PostgreSQL bigint[]
 * literal), or with rule_ids NULL every sql KPI and every KPI an enabled
 * rule uses. Stores the sql samples with their kpi.sampled events in one
 * transaction, one per KPI and evaluation step: a second evaluation in
 * the same step replaces the step's value (a later one only). A KPI query that fails is logged and counts as no data.
 * Returns 0, or -1 when the database is unreachable.
 */
int kpi_sample(struct db *db, const struct config *cfg, int64_t now_us,
    const char *rule_ids, struct kpi_values *out);
const struct kpi_value *kpi_values_get(const struct kpi_values *kv, const char *key);
void kpi_values_free(struct kpi_values *kv);

#endif
