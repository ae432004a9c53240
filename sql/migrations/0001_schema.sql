-- goldwatch schema, version 1: the shop's reference tables (schema shop)
-- and goldwatch's own state (schema goldwatch). Applied in one transaction
-- by `goldwatch-admin migrate`; search_path is goldwatch, public.

CREATE SCHEMA IF NOT EXISTS shop;

-- ISO 8601 in UTC with microseconds: the one time format of the API.
CREATE FUNCTION iso(ts timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- Start of the shop's day / month containing ts, in the shop's zone tz.
-- Local midnight converted back to an instant, so DST days have 23 or 25 h.
CREATE FUNCTION shop_day_start(ts timestamptz, tz text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT date_trunc('day', ts AT TIME ZONE tz) AT TIME ZONE tz $$;

CREATE FUNCTION shop_month_start(ts timestamptz, tz text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT date_trunc('month', ts AT TIME ZONE tz) AT TIME ZONE tz $$;

------------------------------------------------------------------------
-- Shop data (reference schema; a real shop maps its own tables here)
------------------------------------------------------------------------

CREATE TABLE shop.customers (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    email       text,
    phone       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_created ON shop.customers (created_at);

CREATE TABLE shop.products (
    id             bigserial PRIMARY KEY,
    sku            text NOT NULL UNIQUE,
    name           text NOT NULL,
    category       text NOT NULL CHECK (category IN ('ring', 'necklace',
                       'bracelet', 'earrings', 'bangle', 'chain', 'pendant',
                       'coin', 'bar')),
    karat          smallint NOT NULL CHECK (karat IN (9, 14, 18, 21, 22, 24)),
    weight_grams   numeric(10,3) NOT NULL CHECK (weight_grams > 0),
    cost_price     numeric(12,2) NOT NULL CHECK (cost_price >= 0),
    list_price     numeric(12,2) NOT NULL CHECK (list_price >= 0),
    stock_qty      integer NOT NULL DEFAULT 0 CHECK (stock_qty >= 0),
    reorder_level  integer NOT NULL DEFAULT 0 CHECK (reorder_level >= 0),
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_kind ON shop.products (category, karat) WHERE active;
CREATE INDEX products_low_stock ON shop.products (id)
    WHERE active AND stock_qty <= reorder_level;

CREATE TABLE shop.invoices (
    id           bigserial PRIMARY KEY,
    number       text NOT NULL UNIQUE,
    customer_id  bigint REFERENCES shop.customers (id),
    kind         text NOT NULL DEFAULT 'sale' CHECK (kind IN ('sale', 'refund')),
    status       text NOT NULL CHECK (status IN ('paid', 'partial', 'unpaid', 'void')),
    issued_at    timestamptz NOT NULL,
    due_at       timestamptz,
    subtotal     numeric(14,2) NOT NULL DEFAULT 0,
    discount     numeric(14,2) NOT NULL DEFAULT 0,
    tax          numeric(14,2) NOT NULL DEFAULT 0,
    total        numeric(14,2) NOT NULL DEFAULT 0,
    cost_total   numeric(14,2) NOT NULL DEFAULT 0, -- cost of goods sold
    amount_paid  numeric(14,2) NOT NULL DEFAULT 0,
    cashier      text
);
-- Covering index: the day/month KPIs read only from it.
CREATE INDEX invoices_issued ON shop.invoices (issued_at)
    INCLUDE (kind, status, subtotal, discount, total, cost_total, customer_id);
CREATE INDEX invoices_customer ON shop.invoices (customer_id, issued_at)
    WHERE customer_id IS NOT NULL AND kind = 'sale' AND status <> 'void';
CREATE INDEX invoices_open ON shop.invoices (due_at)
    INCLUDE (total, amount_paid) WHERE status IN ('unpaid', 'partial');

CREATE TABLE shop.invoice_lines (
    id          bigserial PRIMARY KEY,
    invoice_id  bigint NOT NULL REFERENCES shop.invoices (id) ON DELETE CASCADE,
    product_id  bigint NOT NULL REFERENCES shop.products (id),
    qty         integer NOT NULL CHECK (qty > 0),
    unit_price  numeric(12,2) NOT NULL,
    unit_cost   numeric(12,2) NOT NULL,
    gold_grams  numeric(12,3) NOT NULL DEFAULT 0,
    line_total  numeric(14,2) NOT NULL
);
CREATE INDEX invoice_lines_invoice ON shop.invoice_lines (invoice_id);
CREATE INDEX invoice_lines_product ON shop.invoice_lines (product_id);

CREATE TABLE shop.payments (
    id          bigserial PRIMARY KEY,
    invoice_id  bigint NOT NULL REFERENCES shop.invoices (id) ON DELETE CASCADE,
    paid_at     timestamptz NOT NULL,
    amount      numeric(14,2) NOT NULL CHECK (amount > 0),
    method      text NOT NULL CHECK (method IN ('cash', 'card', 'transfer', 'gold_exchange'))
);
CREATE INDEX payments_invoice ON shop.payments (invoice_id);
CREATE INDEX payments_paid ON shop.payments (paid_at);

CREATE TABLE shop.gold_prices (
    id              bigserial PRIMARY KEY,
    quoted_at       timestamptz NOT NULL,
    karat           smallint NOT NULL CHECK (karat IN (9, 14, 18, 21, 22, 24)),
    price_per_gram  numeric(12,4) NOT NULL CHECK (price_per_gram > 0),
    source          text NOT NULL DEFAULT 'manual'
);
CREATE INDEX gold_prices_latest ON shop.gold_prices (karat, quoted_at DESC)
    INCLUDE (price_per_gram);

------------------------------------------------------------------------
-- People and credentials
------------------------------------------------------------------------

CREATE TABLE users (
    id             bigserial PRIMARY KEY,
    username       text NOT NULL CHECK (username ~ '^[A-Za-z0-9._@-]{1,64}$'),
    email          text,
    role           text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    password_hash  text NOT NULL,
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE INDEX users_email ON users (lower(email));

CREATE TABLE sessions (
    id          bigserial PRIMARY KEY,
    token_hash  text NOT NULL UNIQUE,  -- SHA-256 hex; the token is never stored
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    token_hash    text NOT NULL UNIQUE,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Keys the cluster shares (ack-link signing): made by `goldwatch-admin migrate`.
CREATE TABLE app_secrets (
    name        text PRIMARY KEY,
    value       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    actor        text NOT NULL,
    action       text NOT NULL,
    object_type  text NOT NULL,
    object_id    text,
    before       jsonb,
    after        jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);

------------------------------------------------------------------------
-- KPIs
------------------------------------------------------------------------

CREATE TABLE kpis (
    key              text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    category         text NOT NULL CHECK (category IN ('financial', 'operational', 'customer')),
    unit             text NOT NULL DEFAULT '',
    description      text NOT NULL DEFAULT '',
    recommendation   text NOT NULL DEFAULT '',
    source           text NOT NULL CHECK (source IN ('sql', 'push')),
    query            text,            -- sql KPIs: $1 now, $2 shop time zone
    max_age_minutes  integer NOT NULL DEFAULT 60 CHECK (max_age_minutes BETWEEN 1 AND 525600),
    created_by       bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz,     -- push KPIs only; rules on it get no data
    CHECK ((source = 'sql') = (query IS NOT NULL))
);

CREATE TABLE kpi_samples (
    id          bigserial PRIMARY KEY,
    kpi_key     text NOT NULL REFERENCES kpis (key) ON DELETE CASCADE,
    value       double precision NOT NULL
                CHECK (value <> 'NaN' AND value <> 'Infinity' AND value <> '-Infinity'),
    sampled_at  timestamptz NOT NULL,
    source      text NOT NULL CHECK (source IN ('evaluation', 'push'))
);
CREATE INDEX kpi_samples_key_time ON kpi_samples (kpi_key, sampled_at DESC, id DESC)
    INCLUDE (value);
CREATE INDEX kpi_samples_time ON kpi_samples (sampled_at);

------------------------------------------------------------------------
-- Rules, alerts, silences
------------------------------------------------------------------------

CREATE TABLE alert_rules (
    id                        bigserial PRIMARY KEY,
    name                      text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description               text NOT NULL DEFAULT '',
    kpi_key                   text NOT NULL REFERENCES kpis (key),
    condition                 text NOT NULL CHECK (condition IN ('gt', 'gte', 'lt',
                                  'lte', 'eq', 'neq', 'pct_change_gt',
                                  'pct_change_lt', 'zscore_gt')),
    threshold                 double precision NOT NULL
                              CHECK (threshold <> 'NaN' AND threshold <> 'Infinity'
                                     AND threshold <> '-Infinity'),
    severity                  text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    cooldown_minutes          integer NOT NULL DEFAULT 60 CHECK (cooldown_minutes BETWEEN 0 AND 10080),
    for_evaluations           integer NOT NULL DEFAULT 1 CHECK (for_evaluations BETWEEN 1 AND 100),
    window_minutes            integer CHECK (window_minutes BETWEEN 1 AND 525600),
    window_samples            integer CHECK (window_samples BETWEEN 2 AND 10000),
    recipients                text[] NOT NULL DEFAULT '{}',
    notify_resolved           boolean NOT NULL DEFAULT true,
    escalation_after_minutes  integer CHECK (escalation_after_minutes BETWEEN 1 AND 10080),
    escalation_recipients     text[] NOT NULL DEFAULT '{}',
    enabled                   boolean NOT NULL DEFAULT true,
    created_by                bigint REFERENCES users (id) ON DELETE SET NULL,
    updated_by                bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CHECK ((condition LIKE 'pct_change_%') = (window_minutes IS NOT NULL)),
    CHECK ((condition = 'zscore_gt') = (window_samples IS NOT NULL))
);
CREATE INDEX alert_rules_kpi ON alert_rules (kpi_key);
CREATE INDEX alert_rules_enabled ON alert_rules (id) WHERE enabled;

-- Evaluation state per rule; its row lock serialises evaluations of a rule.
CREATE TABLE rule_state (
    rule_id            bigint PRIMARY KEY REFERENCES alert_rules (id) ON DELETE CASCADE,
    consecutive        integer NOT NULL DEFAULT 0,  -- evaluations in a row the condition held
    last_evaluated_at  timestamptz,
    last_value         double precision,
    last_fired_at      timestamptz
);

CREATE TABLE alerts (
    id                  bigserial PRIMARY KEY,
    rule_id             bigint REFERENCES alert_rules (id) ON DELETE SET NULL,
    rule_name           text NOT NULL,
    kpi_key             text NOT NULL,
    condition           text NOT NULL,
    threshold           double precision NOT NULL,
    value               double precision NOT NULL,
    severity            text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    state               text NOT NULL DEFAULT 'firing'
                        CHECK (state IN ('firing', 'acknowledged', 'resolved')),
    message             text NOT NULL,
    silenced            boolean NOT NULL DEFAULT false,
    triggered_at        timestamptz NOT NULL,
    acknowledged_at     timestamptz,
    acknowledged_by_id  bigint REFERENCES users (id) ON DELETE SET NULL,
    acknowledged_by     text,
    ack_note            text,
    resolved_at         timestamptz,
    resolve_reason      text,
    escalation_level    integer NOT NULL DEFAULT 0 CHECK (escalation_level >= 0),
    escalated_at        timestamptz,
    CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),
    CHECK ((state = 'firing') OR acknowledged_at IS NOT NULL OR state = 'resolved')
);
-- At most one open alert per rule, whatever races happen above.
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule_id)
    WHERE state IN ('firing', 'acknowledged');
CREATE INDEX alerts_newest ON alerts (triggered_at DESC, id DESC);
CREATE INDEX alerts_state ON alerts (state, triggered_at DESC, id DESC);
CREATE INDEX alerts_severity ON alerts (severity, triggered_at DESC, id DESC);
CREATE INDEX alerts_rule ON alerts (rule_id, triggered_at DESC, id DESC);
CREATE INDEX alerts_kpi ON alerts (kpi_key, triggered_at DESC, id DESC);
CREATE INDEX alerts_open ON alerts (severity) WHERE state IN ('firing', 'acknowledged');
CREATE INDEX alerts_resolved_at ON alerts (resolved_at) WHERE state = 'resolved';
CREATE INDEX alerts_acked_at ON alerts (acknowledged_at) INCLUDE (triggered_at)
    WHERE acknowledged_at IS NOT NULL;

CREATE TABLE silences (
    id          bigserial PRIMARY KEY,
    scope       text NOT NULL CHECK (scope IN ('rule', 'kpi', 'all')),
    rule_id     bigint REFERENCES alert_rules (id) ON DELETE CASCADE,
    kpi_key     text REFERENCES kpis (key) ON DELETE CASCADE,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    created_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK ((scope = 'rule') = (rule_id IS NOT NULL)),
    CHECK ((scope = 'kpi') = (kpi_key IS NOT NULL))
);
CREATE INDEX silences_ends ON silences (ends_at);

-- Last run of each job (summary's last_evaluation_at and the like).
CREATE TABLE job_runs (
    job          text PRIMARY KEY,
    started_at   timestamptz,
    finished_at  timestamptz,
    result       jsonb
);

------------------------------------------------------------------------
-- Events: every change worth showing, in commit order
------------------------------------------------------------------------

CREATE TABLE events (
    id    bigserial PRIMARY KEY,
    type  text NOT NULL CHECK (type IN ('alert.fired', 'alert.acknowledged',
              'alert.resolved', 'alert.escalated', 'rule.changed', 'kpi.sampled')),
    at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    data  jsonb NOT NULL
);
CREATE INDEX events_at ON events (at);

-- Event ids must follow commit order, or a reader that remembers "the last
-- id I saw" could skip an id committed late. Every transaction that writes
-- events takes this lock before its first event row gets its id and holds
-- it to commit, so ids are handed out one transaction at a time. Writers
-- insert their events last, after their other row locks, so the lock is
-- held briefly and never waited for while holding it.
CREATE FUNCTION events_serialize() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1735355492); -- "gold"
    RETURN NULL;
END $$;
CREATE TRIGGER events_serialize BEFORE INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_serialize();

-- One wake-up per transaction (identical payloads fold); listeners then
-- read the table after the last id they relayed.
CREATE FUNCTION events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('goldwatch_events', '');
    RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify();

------------------------------------------------------------------------
-- Mail: the outbox, written in the transaction that decides to send
------------------------------------------------------------------------

CREATE TABLE mail_outbox (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('fired', 'resolved', 'escalated', 'digest', 'test')),
    alert_id         bigint REFERENCES alerts (id) ON DELETE SET NULL,
    rule_id          bigint REFERENCES alert_rules (id) ON DELETE SET NULL,
    recipient        text NOT NULL,
    subject          text NOT NULL,
    body_text        text NOT NULL,
    body_html        text NOT NULL,
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    message_id       text,
    dedup_key        text UNIQUE,  -- a level, a digest day: mailed once
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'queued';
CREATE INDEX mail_outbox_status ON mail_outbox (status, created_at);
CREATE INDEX mail_outbox_alert ON mail_outbox (alert_id);

-- Single-use acknowledge links from mail (the link itself is signed).
CREATE TABLE ack_tokens (
    nonce       text PRIMARY KEY,
    alert_id    bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX ack_tokens_alert ON ack_tokens (alert_id);
