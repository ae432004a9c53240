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

CREATE OR REPLACE FUNCTION shop.generate_demo(p_seed double precision,
    p_days integer, p_per_day integer, p_end timestamptz, p_tz text)
RETURNS TABLE (customers bigint, products bigint, invoices bigint, lines bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_first_day date := (p_end AT TIME ZONE p_tz)::date - (p_days - 1);
    v_customers integer := greatest(300, p_per_day * p_days / 8);
    v_first text[] := ARRAY['Amira','Omar','Layla','Yusuf','Sara','Hassan',
        'Maya','Karim','Nadia','Samir','Priya','Arjun','Fatima','Ali','Elena',
        'Marco','Aisha','Ravi','Noor','Zain','Lina','David','Hana','Tariq'];
    v_last text[] := ARRAY['Haddad','Khan','Mansour','Patel','Nasser','Rahman',
        'Farouk','Sharma','Aziz','Saleh','Iyer','Costa','Yilmaz','Hamdan',
        'Qureshi','Rossi','Menon','Khalil','Bakr','Suleiman'];
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
    SELECT i,
           v_first[1 + floor(random() * array_length(v_first, 1))::int] || ' ' ||
           v_last[1 + floor(random() * array_length(v_last, 1))::int],
           'customer' || i || '@example.com',
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
    -- making; 22k rings (the best sellers) run low.
    INSERT INTO shop.products (id, sku, name, category, karat, weight_grams,
                               cost_price, list_price, stock_qty, reorder_level)
    SELECT i + 1, format('GW-%s-%s-%s', upper(left(cat, 3)), k, s + 1),
           format('%sk %s %s', k, v_styles[s + 1], cat), cat, k, w,
           round((w * (85 * k / 24.0 + 4))::numeric, 2),
           round((w * (85 * k / 24.0 + 4) * (1.18 + 0.17 * r_margin))::numeric, 2),
           CASE WHEN cat = 'ring' AND k = 22 THEN floor(r_stock * 5)::int
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
               * CASE extract(isodow FROM v_first_day + i)
                     WHEN 5 THEN 1.4 WHEN 6 THEN 1.5 WHEN 7 THEN 1.1 ELSE 0.85 END
               * (0.8 + 0.4 * random())))::int AS n,
           (SELECT count(*) FROM shop.customers c
             WHERE c.created_at < ((v_first_day + i)::timestamp AT TIME ZONE p_tz)) AS known
      FROM generate_series(0, p_days - 1) AS i;

    CREATE TEMP TABLE demo_inv ON COMMIT DROP AS
    SELECT day, k, t, r_customer, r_pick, r_kind, r_status, r_lines, r_disc,
           r_p1, r_p2, r_p3, known
      FROM (SELECT day, k, known,
                   (day + time '10:00' + floor(random() * 11 * 3600) * interval '1 second')
                       AT TIME ZONE p_tz AS t,
                   random() AS r_customer, random() AS r_pick, random() AS r_kind,
                   random() AS r_status, random() AS r_lines, random() AS r_disc,
                   random() AS r_p1, random() AS r_p2, random() AS r_p3
              FROM demo_days, generate_series(1, n) AS k) x
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
       SET subtotal = l.subtotal,
           discount = round(l.subtotal * CASE WHEN o.r_disc < 0.3
                                              THEN (0.02 + o.r_disc / 10)::numeric
                                              ELSE 0 END, 2),
           cost_total = l.cost
      FROM (SELECT invoice_id, sum(line_total) AS subtotal, sum(qty * unit_cost) AS cost
              FROM shop.invoice_lines GROUP BY invoice_id) l,
           demo_ord o
     WHERE l.invoice_id = i.id AND o.id = i.id;

    UPDATE shop.invoices
       SET tax = round((subtotal - discount) * 0.05, 2),
           total = round((subtotal - discount) * 1.05, 2),
           amount_paid = CASE status WHEN 'paid' THEN round((subtotal - discount) * 1.05, 2)
                                     WHEN 'partial' THEN round((subtotal - discount) * 1.05 * 0.5, 2)
                                     ELSE 0 END;

    INSERT INTO shop.payments (invoice_id, paid_at, amount, method)
    SELECT id, issued_at, amount_paid,
           (ARRAY['cash', 'card', 'transfer', 'gold_exchange'])[1 + (id % 4)::int]
      FROM shop.invoices
     WHERE amount_paid > 0
     ORDER BY id;

    RETURN QUERY SELECT (SELECT count(*) FROM shop.customers),
                        (SELECT count(*) FROM shop.products),
                        (SELECT count(*) FROM shop.invoices),
                        (SELECT count(*) FROM shop.invoice_lines);
END
$fn$;
