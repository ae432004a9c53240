/* unit.h - the unit suites. */
#ifndef GW_UNIT_H
#define GW_UNIT_H

void suite_util(void);
void suite_route(void);
void suite_valid(void);
void suite_auth(void);
void suite_tpl(void);
void suite_routes(void);
void suite_rule(void);
void suite_rule_life(void);
void suite_mail_mime(void);
void suite_ring(void);
void suite_store_answer(void);
void suite_config(void);
void suite_offline(void);
void suite_parsers(void);
void suite_chart(void);
void suite_fmt(void);
void suite_alert(void);
void suite_schedule(void);
void suite_calendar(void);
void suite_baseline(void);
void suite_cond(void);
void suite_contact_point(void);
void suite_policy(void);
void suite_metrics(void);
void suite_units(void);
void suite_read_db(void);

#endif
