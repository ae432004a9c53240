-- The demo shop: a deterministic generator of realistic trade for the shop
-- tables, so every KPI has real values out of the box. Loaded and called by
-- `goldwatch-admin demo`; bench/ calls it with large sizes (1M+ invoices).
--
--   shop.generate_demo(seed, days, invoices_per_day, end_at, time_zone)
--
-- It fills empty shop tables (goldwatch-admin demo --reset empties them
-- first, restarting ids). The same seed, sizes and end day give the same
-- rows: every random() is drawn from a scan of generate_series or of a
-- fresh temporary table, whose order is fixed, after setseed().
-- Opening hours are 10:00-21:00 in the shop's zone; weekends sell more.
--
--   shop.demo_trade(seed, until, time_zone)
--
-- goes on trading from where the generator or the last trade stopped (the
-- row of shop.demo_clock) up to until: see its comment below.

-- Where the demo's trade has got to: one row, written by generate_demo and
-- moved by demo_trade. Its presence marks a demo shop (goldwatch-admin
-- demo trade refuses any other).
DO $do$
BEGIN
    IF to_regclass('shop.demo_clock') IS NULL THEN
        CREATE TABLE shop.demo_clock (
            only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            traded_to  timestamptz NOT NULL,  -- a whole minute: trade before it is done
            seed       double precision NOT NULL,
            per_day    integer NOT NULL CHECK (per_day > 0)
        );
    END IF;
    -- made anew below: a new version may count more, and CREATE OR REPLACE
    -- cannot change OUT columns (looked up first: IF EXISTS would say so)
    IF to_regprocedure('shop.demo_trade_minute(float8, integer, timestamptz, text)') IS NOT NULL THEN
        DROP FUNCTION shop.demo_trade_minute(float8, integer, timestamptz, text);
    END IF;
    IF to_regprocedure('shop.demo_trade(float8, timestamptz, text)') IS NOT NULL THEN
        DROP FUNCTION shop.demo_trade(float8, timestamptz, text);
    END IF;
END
$do$;

-- How a day of the week sells against the average: Friday and the weekend more.
CREATE OR REPLACE FUNCTION shop.demo_weekday_factor(p_day date)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
SELECT CASE extract(isodow FROM p_day)
           WHEN 5 THEN 1.4 WHEN 6 THEN 1.5 WHEN 7 THEN 1.1 ELSE 0.85 END::float8
$$;

-- How the hours 10:00 .. 20:00 (the opening hours) sell against the
-- average hour: quiet mornings, busy afternoons and evenings. Eleven
-- weights summing to 11; the generator and the trade both follow them, so
-- the trade's "today so far" compares fairly with the history's.
CREATE OR REPLACE FUNCTION shop.demo_hour_weights()
RETURNS double precision[] LANGUAGE sql IMMUTABLE AS $$
SELECT ARRAY[0.5, 0.6, 0.8, 1.0, 0.9, 1.0, 1.1, 1.2, 1.3, 1.3, 1.3]::float8[]
$$;

-- Where each of those hours starts on the scale of the summed weights.
CREATE OR REPLACE FUNCTION shop.demo_hour_edges()
RETURNS double precision[] LANGUAGE sql IMMUTABLE AS $$
SELECT array_agg(c ORDER BY h)
  FROM (SELECT h, sum(w) OVER (ORDER BY h) - w AS c
          FROM unnest(shop.demo_hour_weights()) WITH ORDINALITY AS x (w, h)) e
$$;

-- The time after midnight (10:00 to 21:00) at which a sale drawn as p_u in
-- [0, 1) takes place, following the hour weights. One expression, so that
-- the planner inlines it (called with a column) and folds the constant
-- arrays: the generator calls it for every invoice of a million-invoice shop.
CREATE OR REPLACE FUNCTION shop.demo_time_of_sale(p_u double precision)
RETURNS interval LANGUAGE sql IMMUTABLE AS $$
SELECT make_interval(secs => least(21 * 3600 - 1, floor(3600 * (9
           + width_bucket(p_u * 11, shop.demo_hour_edges())
           + (p_u * 11 - (shop.demo_hour_edges())[width_bucket(p_u * 11, shop.demo_hour_edges())])
             / (shop.demo_hour_weights())[width_bucket(p_u * 11, shop.demo_hour_edges())]))))
$$;

-- A customer's name from two draws in [0, 1).
CREATE OR REPLACE FUNCTION shop.demo_name(p_u1 double precision, p_u2 double precision)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT f[1 + floor(p_u1 * array_length(f, 1))::int] || ' ' || l[1 + floor(p_u2 * array_length(l, 1))::int]
  FROM (SELECT ARRAY['Amira','Omar','Layla','Yusuf','Sara','Hassan',
                     'Maya','Karim','Nadia','Samir','Priya','Arjun','Fatima','Ali','Elena',
                     'Marco','Aisha','Ravi','Noor','Zain','Lina','David','Hana','Tariq'] AS f,
               ARRAY['Haddad','Khan','Mansour','Patel','Nasser','Rahman',
                     'Farouk','Sharma','Aziz','Saleh','Iyer','Costa','Yilmaz','Hamdan',
                     'Qureshi','Rossi','Menon','Khalil','Bakr','Suleiman'] AS l) n
$$;

-- An invoice's amounts from its lines: a discount for 30% of invoices
-- (p_r_disc, a draw in [0, 1)), 5% tax, paid in full, half or not at all.
CREATE OR REPLACE FUNCTION shop.demo_amounts(p_subtotal numeric, p_cost numeric,
    p_r_disc double precision, p_status text,
    OUT subtotal numeric, OUT discount numeric, OUT tax numeric, OUT total numeric,
    OUT amount_paid numeric, OUT cost_total numeric)
LANGUAGE sql IMMUTABLE AS $$
SELECT p_subtotal, d, round((p_subtotal - d) * 0.05, 2), round((p_subtotal - d) * 1.05, 2),
       CASE p_status WHEN 'paid' THEN round((p_subtotal - d) * 1.05, 2)
                     WHEN 'partial' THEN round((p_subtotal - d) * 1.05 * 0.5, 2)
                     ELSE 0 END,
       p_cost
  FROM (SELECT round(p_subtotal * CASE WHEN p_r_disc < 0.3 THEN (0.02 + p_r_disc / 10)::numeric
                                      ELSE 0 END, 2) AS d) x
$$;

CREATE OR REPLACE FUNCTION shop.generate_demo(p_seed double precision,
    p_days integer, p_per_day integer, p_end timestamptz, p_tz text)
RETURNS TABLE (customers bigint, products bigint, invoices bigint, lines bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_first_day date := (p_end AT TIME ZONE p_tz)::date - (p_days - 1);
    v_customers integer := greatest(300, p_per_day * p_days / 8);
    -- (category, karat) pairs a gold shop stocks; five styles of each
    v_cat text[] := ARRAY['ring','ring','ring','ring','necklace','necklace',
        'necklace','bracelet','bracelet','bracelet','earrings','earrings',
        'earrings','bangle','bangle','chain','chain','chain','pendant',
        'pendant','coin','coin','bar'];
    v_karat int[] := ARRAY[18,21,22,24,18,21,22,18,21,22,18,21,22,21,22,
        18,21,22,18,22,22,24,24];
    v_styles text[] := ARRAY['Classic','Filigree','Twisted','Engraved','Plain'];
    v_nproducts integer := 5 * array_length(v_cat, 1);
BEGIN
    IF p_days < 1 OR p_per_day < 1 THEN
        RAISE EXCEPTION 'days and invoices_per_day must be positive';
    END IF;
    IF EXISTS (SELECT 1 FROM shop.customers) OR EXISTS (SELECT 1 FROM shop.products)
       OR EXISTS (SELECT 1 FROM shop.invoices) OR EXISTS (SELECT 1 FROM shop.gold_prices) THEN
        RAISE EXCEPTION 'the shop tables are not empty';
    END IF;
    PERFORM setseed(p_seed);

    -- Customers, in order of registration (ids grow with created_at):
    -- 60% registered in the year before the window, 40% during it.
    INSERT INTO shop.customers (id, name, email, phone, created_at)
    SELECT i, shop.demo_name(random(), random()), 'customer' || i || '@example.com',
           '+1-555-' || lpad(i::text, 6, '0'),
           least(p_end,
                 (v_first_day - 365 + floor(CASE WHEN i <= v_customers * 0.6
                      THEN (i - 1) / (v_customers * 0.6) * 365
                      ELSE 365 + (i - 1 - v_customers * 0.6) / (v_customers * 0.4) * p_days
                  END)::int + time '10:00' + (i % 11) * interval '1 hour'
                  + ((i * 13) % 60) * interval '1 minute') AT TIME ZONE p_tz)
      FROM generate_series(1, v_customers) AS i;
    PERFORM setval(pg_get_serial_sequence('shop.customers', 'id'), v_customers);

    -- Products: weights fit the piece; prices from gold at 85/g plus
    -- making. The stock is what is left after the sales below (deliveries
    -- are not recorded: the shop tables have no stock movements), and the
    -- trade (shop.demo_trade) continues from it: 22k rings, the best
    -- sellers, are down to 3 pieces, one of each of three styles, the last
    -- delivery a while ago, so the first hour of trade sells them below 3.
    INSERT INTO shop.products (id, sku, name, category, karat, weight_grams,
                               cost_price, list_price, stock_qty, reorder_level)
    SELECT i + 1, format('GW-%s-%s-%s', upper(left(cat, 3)), k, s + 1),
           format('%sk %s %s', k, v_styles[s + 1], cat), cat, k, w,
           round((w * (85 * k / 24.0 + 4))::numeric, 2),
           round((w * (85 * k / 24.0 + 4) * (1.18 + 0.17 * r_margin))::numeric, 2),
           CASE WHEN cat = 'ring' AND k = 22 THEN (s < 3)::int
                ELSE floor(r_stock * 26)::int END,
           2 + floor(r_reorder * 4)::int
      FROM (SELECT i, v_cat[1 + i / 5] AS cat, v_karat[1 + i / 5] AS k, i % 5 AS s,
                   round((CASE v_cat[1 + i / 5]
                              WHEN 'ring' THEN 2 + random() * 8
                              WHEN 'necklace' THEN 8 + random() * 32
                              WHEN 'bracelet' THEN 5 + random() * 20
                              WHEN 'earrings' THEN 2 + random() * 6
                              WHEN 'bangle' THEN 10 + random() * 20
                              WHEN 'chain' THEN 5 + random() * 25
                              WHEN 'pendant' THEN 1 + random() * 5
                              WHEN 'coin' THEN (ARRAY[4, 8, 31.1, 8, 4])[1 + i % 5]
                              ELSE (ARRAY[10, 20, 50, 100, 250])[1 + i % 5] END)::numeric, 3) AS w,
                   random() AS r_margin, random() AS r_stock, random() AS r_reorder
              FROM generate_series(0, v_nproducts - 1) AS i) p;
    PERFORM setval(pg_get_serial_sequence('shop.products', 'id'), v_nproducts);

    -- Gold: one quote per karat each morning, a random walk around 85/g.
    CREATE TEMP TABLE demo_gold ON COMMIT DROP AS
    SELECT v_first_day + i AS d, (random() - 0.5) * 0.02 AS step
      FROM generate_series(0, p_days - 1) AS i;
    INSERT INTO shop.gold_prices (quoted_at, karat, price_per_gram, source)
    SELECT (d + time '09:30') AT TIME ZONE p_tz, k,
           round((85 * exp(walk) * k / 24.0)::numeric, 4), 'demo'
      FROM (SELECT d, sum(step) OVER (ORDER BY d) AS walk FROM demo_gold) w,
           unnest(ARRAY[18, 21, 22, 24]) AS k
     WHERE (d + time '09:30') AT TIME ZONE p_tz <= p_end
     ORDER BY d, k;

    -- Invoices: per day a count around invoices_per_day, during opening
    -- hours, never after p_end. A registered customer (65%) is drawn from
    -- those registered before that day.
    CREATE TEMP TABLE demo_days ON COMMIT DROP AS
    SELECT v_first_day + i AS day,
           greatest(1, round(p_per_day
               * shop.demo_weekday_factor(v_first_day + i)
               * (0.8 + 0.4 * random())))::int AS n,
           (SELECT count(*) FROM shop.customers c
             WHERE c.created_at < ((v_first_day + i)::timestamp AT TIME ZONE p_tz)) AS known
      FROM generate_series(0, p_days - 1) AS i;

    CREATE TEMP TABLE demo_inv ON COMMIT DROP AS
    SELECT day, k, t, r_customer, r_pick, r_kind, r_status, r_lines, r_disc,
           r_p1, r_p2, r_p3, known
      FROM (SELECT *, (day + shop.demo_time_of_sale(r_time)) AT TIME ZONE p_tz AS t
              FROM (SELECT day, k, known, random() AS r_time,
                           random() AS r_customer, random() AS r_pick, random() AS r_kind,
                           random() AS r_status, random() AS r_lines, random() AS r_disc,
                           random() AS r_p1, random() AS r_p2, random() AS r_p3
                      FROM demo_days, generate_series(1, n) AS k) d) x
     WHERE t <= p_end;

    CREATE TEMP TABLE demo_ord ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY t, day, k) AS id, *
      FROM demo_inv;

    INSERT INTO shop.invoices (id, number, customer_id, kind, status, issued_at,
                               due_at, cashier)
    SELECT id, format('INV-%s-%s', to_char(day, 'YYYYMMDD'), lpad(k::text, 5, '0')),
           CASE WHEN r_customer < 0.65 AND known > 0
                THEN 1 + floor(r_pick * known)::bigint END,
           CASE WHEN r_kind < 0.03 THEN 'refund' ELSE 'sale' END,
           CASE WHEN r_kind < 0.03 THEN 'paid'
                WHEN r_status < 0.01 THEN 'void'
                WHEN r_status < 0.05 THEN 'unpaid'
                WHEN r_status < 0.13 THEN 'partial'
                ELSE 'paid' END,
           t, t + interval '30 days',
           (ARRAY['Amal', 'Bilal', 'Chandra', 'Dina'])[1 + (k % 4)]
      FROM demo_ord
     ORDER BY id;
    PERFORM setval(pg_get_serial_sequence('shop.invoices', 'id'),
                   greatest(1, (SELECT count(*) FROM demo_ord)));

    -- Lines: one to three pieces per sale, one per refund.
    INSERT INTO shop.invoice_lines (invoice_id, product_id, qty, unit_price,
                                    unit_cost, gold_grams, line_total)
    SELECT o.id, p.id, 1, p.list_price, p.cost_price,
           round(p.weight_grams * p.karat / 24.0, 3), p.list_price
      FROM demo_ord o
     CROSS JOIN LATERAL generate_series(1, CASE WHEN o.r_kind < 0.03 THEN 1
                                               ELSE 1 + floor(o.r_lines * 2.4)::int END) AS j
      JOIN shop.products p
        ON p.id = 1 + floor((ARRAY[o.r_p1, o.r_p2, o.r_p3])[j] * v_nproducts)::bigint
     ORDER BY o.id, j;

    UPDATE shop.invoices i
       SET (subtotal, discount, tax, total, amount_paid, cost_total) =
           (SELECT a.* FROM shop.demo_amounts(l.subtotal, l.cost, o.r_disc, i.status) a)
      FROM (SELECT invoice_id, sum(line_total) AS subtotal, sum(qty * unit_cost) AS cost
              FROM shop.invoice_lines GROUP BY invoice_id) l,
           demo_ord o
     WHERE l.invoice_id = i.id AND o.id = i.id;

    INSERT INTO shop.payments (invoice_id, paid_at, amount, method)
    SELECT id, issued_at, amount_paid,
           (ARRAY['cash', 'card', 'transfer', 'gold_exchange'])[1 + (id % 4)::int]
      FROM shop.invoices
     WHERE amount_paid > 0
     ORDER BY id;

    -- the trade goes on from the first whole minute after the last invoice
    DELETE FROM shop.demo_clock;
    INSERT INTO shop.demo_clock (traded_to, seed, per_day)
    VALUES (date_trunc('minute', p_end) + interval '1 minute', p_seed, p_per_day);

    RETURN QUERY SELECT (SELECT count(*) FROM shop.customers),
                        (SELECT count(*) FROM shop.products),
                        (SELECT count(*) FROM shop.invoices),
                        (SELECT count(*) FROM shop.invoice_lines);
END
$fn$;

------------------------------------------------------------------------
-- The trade that goes on after the generator (goldwatch-admin demo trade,
-- every minute in the `make run` stack).
------------------------------------------------------------------------

-- One draw in [0, 1) for (seed, moment, k): a hash, not random(), so a
-- minute trades the same whichever call trades it, whatever came before.
CREATE OR REPLACE FUNCTION shop.demo_u(p_seed double precision, p_at timestamptz,
    p_k integer)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
SELECT (hashtextextended(round(p_seed * 1e9)::bigint::text || '/'
            || extract(epoch FROM p_at)::bigint::text || '/' || p_k::text, 0)
        & 4503599627370495)::float8 / 4503599627370496.0
$$;

-- One invoice in the minute p_at, slot p_slot of that minute (its number
-- and its draws): a sale of one to three pieces, a refund of one (3%), or,
-- with p_ring, the sale of a 22k ring. A piece out of stock is replaced by
-- the next product (by id) in stock; a refunded piece goes back to the
-- workshop, not to the shelf; a void sale leaves the stock as it was.
-- Returns the invoice's kind, or NULL when nothing was left to sell.
CREATE OR REPLACE FUNCTION shop.demo_trade_invoice(p_seed double precision,
    p_at timestamptz, p_tz text, p_slot integer, p_ring boolean)
RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    k0 integer := p_slot * 16;
    t timestamptz := p_at + floor(shop.demo_u(p_seed, p_at, k0) * 60) * interval '1 second';
    v_refund boolean := NOT p_ring AND shop.demo_u(p_seed, p_at, k0 + 1) < 0.03;
    r_status double precision := shop.demo_u(p_seed, p_at, k0 + 2);
    -- the 22k ring is never a void sale: the piece must leave the shelf
    v_status text := CASE WHEN v_refund THEN 'paid' WHEN r_status < 0.01 AND NOT p_ring THEN 'void'
                          WHEN r_status < 0.05 THEN 'unpaid' WHEN r_status < 0.13 THEN 'partial'
                          ELSE 'paid' END;
    v_lines integer := CASE WHEN v_refund OR p_ring THEN 1
                            ELSE 1 + floor(shop.demo_u(p_seed, p_at, k0 + 3) * 2.4)::int END;
    v_known bigint;
    v_products bigint;
    v_id bigint;
    v_pid bigint;
BEGIN
    SELECT count(*) INTO v_known FROM shop.customers WHERE created_at <= t;
    SELECT max(id) INTO v_products FROM shop.products;
    INSERT INTO shop.invoices (number, customer_id, kind, status, issued_at, due_at, cashier)
    VALUES (format('INV-%s-%s', to_char(p_at AT TIME ZONE p_tz, 'YYYYMMDD-HH24MI'), p_slot),
            CASE WHEN shop.demo_u(p_seed, p_at, k0 + 4) < 0.65 AND v_known > 0
                 THEN 1 + floor(shop.demo_u(p_seed, p_at, k0 + 5) * v_known)::bigint END,
            CASE WHEN v_refund THEN 'refund' ELSE 'sale' END, v_status, t,
            t + interval '30 days',
            (ARRAY['Amal', 'Bilal', 'Chandra', 'Dina'])[1 + floor(shop.demo_u(p_seed, p_at, k0 + 6) * 4)::int])
    RETURNING id INTO v_id;
    FOR j IN 1 .. v_lines LOOP
        SELECT id INTO v_pid
          FROM shop.products
         WHERE active AND (stock_qty > 0 OR v_refund)
           AND (NOT p_ring OR (category = 'ring' AND karat = 22))
         ORDER BY id < 1 + floor(shop.demo_u(p_seed, p_at, k0 + 7 + j) * v_products), id
         LIMIT 1;
        CONTINUE WHEN v_pid IS NULL;
        INSERT INTO shop.invoice_lines (invoice_id, product_id, qty, unit_price,
                                        unit_cost, gold_grams, line_total)
        SELECT v_id, id, 1, list_price, cost_price, round(weight_grams * karat / 24.0, 3), list_price
          FROM shop.products WHERE id = v_pid;
        IF NOT v_refund AND v_status <> 'void' THEN
            UPDATE shop.products SET stock_qty = stock_qty - 1 WHERE id = v_pid;
        END IF;
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM shop.invoice_lines WHERE invoice_id = v_id) THEN
        DELETE FROM shop.invoices WHERE id = v_id;
        RETURN NULL;
    END IF;
    UPDATE shop.invoices i
       SET (subtotal, discount, tax, total, amount_paid, cost_total) =
           (SELECT a.* FROM shop.demo_amounts(l.subtotal, l.cost,
                shop.demo_u(p_seed, p_at, k0 + 11), i.status) a)
      FROM (SELECT sum(line_total) AS subtotal, sum(qty * unit_cost) AS cost
              FROM shop.invoice_lines WHERE invoice_id = v_id) l
     WHERE i.id = v_id;
    INSERT INTO shop.payments (invoice_id, paid_at, amount, method)
    SELECT id, issued_at, amount_paid, shop.demo_method(shop.demo_u(p_seed, p_at, k0 + 12))
      FROM shop.invoices WHERE id = v_id AND amount_paid > 0;
    RETURN CASE WHEN v_refund THEN 'refund' ELSE 'sale' END;
END
$fn$;

CREATE OR REPLACE FUNCTION shop.demo_method(p_u double precision)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT (ARRAY['cash', 'card', 'transfer', 'gold_exchange'])[1 + floor(p_u * 4)::int]
$$;

-- A late payment in the minute p_at: a customer settles one open invoice
-- issued at least a day before. Returns 1, or 0 when none is open.
CREATE OR REPLACE FUNCTION shop.demo_trade_settle(p_seed double precision, p_at timestamptz)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    v_open bigint;
    v_id bigint;
BEGIN
    SELECT count(*) INTO v_open FROM shop.invoices
     WHERE status IN ('unpaid', 'partial') AND total > amount_paid
       AND issued_at < p_at - interval '1 day';
    IF v_open = 0 THEN
        RETURN 0;
    END IF;
    SELECT id INTO v_id FROM shop.invoices
     WHERE status IN ('unpaid', 'partial') AND total > amount_paid
       AND issued_at < p_at - interval '1 day'
     ORDER BY id
     OFFSET floor(shop.demo_u(p_seed, p_at, 7) * v_open) LIMIT 1;
    INSERT INTO shop.payments (invoice_id, paid_at, amount, method)
    SELECT id, p_at + floor(shop.demo_u(p_seed, p_at, 8) * 60) * interval '1 second',
           total - amount_paid, shop.demo_method(shop.demo_u(p_seed, p_at, 9))
      FROM shop.invoices WHERE id = v_id;
    UPDATE shop.invoices SET status = 'paid', amount_paid = total WHERE id = v_id;
    RETURN 1;
END
$fn$;

-- The trade of the minute starting at p_at (during opening hours), and
-- what it counted:
--   at 10:00 on about one morning in three, a delivery brings every
--     product at or below its reorder level back above it;
--   at :00, :20 and :40 a gold quote, a small random walk from the last;
--   a sale or refund with the chance the hour and weekday give (about
--     per_day a day, as the generator's days);
--   at :05, :20, :35 and :50 a customer for a 22k ring, the best seller,
--     who buys one while there are at least 3 to choose from: so within
--     a quarter of an hour of any moment of trade the 22k rings that the
--     generator leaves at 3 are below 3 (rings_22k_in_stock lt 3 fires),
--     and deliveries come only at opening, never soon after a start;
--   now and then a late payment of an open invoice, and a new customer
--     (about per_day / 20 a day, as the generator's last 90 days).
--     Customer ids go on from the largest, not from the sequence, so that
--     a trade rolled back and done again picks the same customers.
CREATE FUNCTION shop.demo_trade_minute(p_seed double precision,
    p_per_day integer, p_at timestamptz, p_tz text,
    OUT invoices integer, OUT refunds integer, OUT payments integer,
    OUT quotes integer, OUT restocks integer, OUT customers integer)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_local timestamp := p_at AT TIME ZONE p_tz;
    v_min integer := extract(hour FROM v_local)::int * 60 + extract(minute FROM v_local)::int;
    v_day timestamptz := v_local::date::timestamp AT TIME ZONE p_tz;
    v_rate double precision := p_per_day * shop.demo_weekday_factor(v_local::date)
        * (0.8 + 0.4 * shop.demo_u(p_seed, v_day, 1))
        * (shop.demo_hour_weights())[v_min / 60 - 9] / 660;
    v_gold numeric;
    v_kind text;
BEGIN
    invoices := 0;
    refunds := 0;
    payments := 0;
    quotes := 0;
    restocks := 0;
    customers := 0;
    IF v_min = 600 AND shop.demo_u(p_seed, p_at, 1) < 0.35 THEN
        UPDATE shop.products
           SET stock_qty = reorder_level + 3 + floor(shop.demo_u(p_seed, p_at, 1000 + id::int) * 8)::int
         WHERE active AND stock_qty <= reorder_level;
        GET DIAGNOSTICS restocks = ROW_COUNT;
    END IF;
    IF v_min % 20 = 0 THEN
        SELECT price_per_gram INTO v_gold FROM shop.gold_prices
         WHERE karat = 24 AND quoted_at < p_at ORDER BY quoted_at DESC LIMIT 1;
        INSERT INTO shop.gold_prices (quoted_at, karat, price_per_gram, source)
        SELECT p_at, k, round(coalesce(v_gold, 85)
                   * exp((shop.demo_u(p_seed, p_at, 2) - 0.5) * 0.003)::numeric * k / 24, 4), 'demo'
          FROM unnest(ARRAY[18, 21, 22, 24]) AS k ORDER BY k;
        quotes := 1;
    END IF;
    IF shop.demo_u(p_seed, p_at, 3) < v_rate THEN
        v_kind := shop.demo_trade_invoice(p_seed, p_at, p_tz, 1, false);
        invoices := coalesce((v_kind = 'sale')::int, 0);
        refunds := coalesce((v_kind = 'refund')::int, 0);
    END IF;
    IF v_min % 15 = 5 AND (SELECT sum(stock_qty) FROM shop.products
                            WHERE active AND category = 'ring' AND karat = 22) >= 3 THEN
        v_kind := shop.demo_trade_invoice(p_seed, p_at, p_tz, 2, true);
        invoices := invoices + coalesce((v_kind = 'sale')::int, 0);
    END IF;
    IF shop.demo_u(p_seed, p_at, 4) < 0.007 THEN
        payments := shop.demo_trade_settle(p_seed, p_at);
    END IF;
    IF shop.demo_u(p_seed, p_at, 10) < p_per_day * 0.05 / 660 THEN
        INSERT INTO shop.customers (id, name, email, phone, created_at)
        SELECT n, shop.demo_name(shop.demo_u(p_seed, p_at, 11), shop.demo_u(p_seed, p_at, 12)),
               'customer' || n || '@example.com', '+1-555-' || lpad(n::text, 6, '0'),
               p_at + floor(shop.demo_u(p_seed, p_at, 13) * 60) * interval '1 second'
          FROM (SELECT coalesce(max(id), 0) + 1 AS n FROM shop.customers) c;
        PERFORM setval(pg_get_serial_sequence('shop.customers', 'id'),
                       (SELECT max(id) FROM shop.customers));
        customers := 1;
    END IF;
END
$fn$;

-- Trades from where the last trade (or the generator) stopped up to
-- p_until (whole minutes: the minute in progress waits for the next call),
-- with p_seed or, when NULL, the generator's seed. The same seed and the
-- same starting state give the same rows however the span is cut into
-- calls. A gap of more than two days (the stack was down) trades only its
-- last two days; skipped_from says where the skipped part began. Nothing
-- happens outside opening hours (10:00-21:00 in p_tz).
CREATE FUNCTION shop.demo_trade(p_seed double precision,
    p_until timestamptz, p_tz text)
RETURNS TABLE (traded_from timestamptz, traded_to timestamptz, skipped_from timestamptz,
               invoices integer, refunds integer, payments integer, quotes integer,
               restocks integer, customers integer)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_clock shop.demo_clock;
    v_m timestamptz;
    v_local time;
    c record;
BEGIN
    SELECT * INTO v_clock FROM shop.demo_clock FOR UPDATE;
    IF NOT FOUND THEN
        -- a demo shop generated before the clock existed: on from its last row
        INSERT INTO shop.demo_clock (traded_to, seed, per_day)
        SELECT date_trunc('minute', greatest((SELECT max(issued_at) FROM shop.invoices),
                   (SELECT max(quoted_at) FROM shop.gold_prices), p_until - interval '2 days'))
               + interval '1 minute', coalesce(p_seed, 0.42), 40
        RETURNING * INTO v_clock;
    END IF;
    traded_to := greatest(v_clock.traded_to, date_trunc('minute', p_until));
    traded_from := greatest(v_clock.traded_to, traded_to - interval '2 days');
    IF traded_from > v_clock.traded_to THEN
        skipped_from := v_clock.traded_to;
    END IF;
    invoices := 0;
    refunds := 0;
    payments := 0;
    quotes := 0;
    restocks := 0;
    customers := 0;
    v_m := traded_from;
    WHILE v_m < traded_to LOOP
        v_local := (v_m AT TIME ZONE p_tz)::time;
        IF v_local >= time '10:00' AND v_local < time '21:00' THEN
            c := shop.demo_trade_minute(coalesce(p_seed, v_clock.seed), v_clock.per_day,
                                        v_m, p_tz);
            invoices := invoices + c.invoices;
            refunds := refunds + c.refunds;
            payments := payments + c.payments;
            quotes := quotes + c.quotes;
            restocks := restocks + c.restocks;
            customers := customers + c.customers;
        END IF;
        v_m := v_m + interval '1 minute';
    END LOOP;
    UPDATE shop.demo_clock SET traded_to = demo_trade.traded_to;
    RETURN NEXT;
END
$fn$;
