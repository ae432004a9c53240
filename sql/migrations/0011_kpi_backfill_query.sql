-- The backfill's form of the KPIs whose window is a month or 30 days.
-- goldwatch-admin backfill computes a KPI as of every past moment; run
-- moment by moment, a 30-day window is read again for every hour it
-- covers (720 times), which on a shop of a million invoices makes 1,000
-- days of history an hour's work. backfill_query computes the same values
-- for many moments in one pass over the rows: running sums over the
-- window's rows in time order, taken at each moment's bounds.
--
--   $1 the moments (timestamptz[], ascending), $2 the shop's time zone;
--   one row (at timestamptz, value float8) per moment: exactly what
--   `query` returns at that moment (NULL: no data).
--
-- NULL (every other KPI): the backfill runs `query` at each moment. The
-- two forms of a KPI live in its one row, and the backfill suite proves
-- them equal at moments across months, DST changes and zones. Sums stay
-- numeric until the end (numeric addition is exact), so a value equals the
-- live query's to the last bit. Like `query`, a later change is a new
-- migration.
ALTER TABLE kpis ADD COLUMN backfill_query text;

-- Net sales from the month's start (inclusive) to the moment (inclusive):
-- the running sum at the moment's marker less the one at its month's
-- start. At one instant the start's marker sorts before the invoices (they
-- count) and the moment's after them (they count too).
UPDATE kpis SET backfill_query = $q$
WITH m AS (SELECT at, shop_month_start(at, $2) AS lo FROM unnest($1::timestamptz[]) AS at),
inv AS (SELECT issued_at AS t,
               CASE WHEN kind = 'sale' THEN subtotal - discount ELSE -(subtotal - discount) END AS amt
          FROM shop.invoices
         WHERE issued_at >= (SELECT min(lo) FROM m) AND issued_at <= (SELECT max(at) FROM m)
           AND status <> 'void'),
ev AS (SELECT t, 1 AS ord, amt, NULL::timestamptz AS at, 0 AS side FROM inv
       UNION ALL SELECT lo, 0, 0, at, -1 FROM m
       UNION ALL SELECT at, 2, 0, at, 1 FROM m),
run AS (SELECT at, side, sum(amt) OVER (ORDER BY t, ord ROWS UNBOUNDED PRECEDING) AS s FROM ev)
SELECT at, sum(side * s)::float8 AS value FROM run WHERE side <> 0 GROUP BY at$q$ WHERE key = 'revenue_month_to_date';

-- Open balances due before the moment: the running sum over due dates,
-- the marker before invoices due at that very instant (not yet overdue).
UPDATE kpis SET backfill_query = $q$
WITH m AS (SELECT at FROM unnest($1::timestamptz[]) AS at),
inv AS (SELECT due_at AS t, total - amount_paid AS amt
          FROM shop.invoices
         WHERE status IN ('unpaid', 'partial') AND due_at < (SELECT max(at) FROM m)),
ev AS (SELECT t, 1 AS ord, amt, NULL::timestamptz AS at FROM inv
       UNION ALL SELECT at, 0, 0, at FROM m),
run AS (SELECT at, sum(amt) OVER (ORDER BY t, ord ROWS UNBOUNDED PRECEDING) AS s FROM ev)
SELECT at, s::float8 AS value FROM run WHERE at IS NOT NULL$q$ WHERE key = 'overdue_receivables';

-- Cost of sales in (moment - 30 days, moment] over today's stock value:
-- both markers sort after invoices of the same instant (the lower bound is
-- exclusive, the upper inclusive).
UPDATE kpis SET backfill_query = $q$
WITH m AS (SELECT at FROM unnest($1::timestamptz[]) AS at),
inv AS (SELECT issued_at AS t, cost_total AS amt
          FROM shop.invoices
         WHERE issued_at > (SELECT min(at) FROM m) - interval '30 days'
           AND issued_at <= (SELECT max(at) FROM m)
           AND kind = 'sale' AND status <> 'void'),
ev AS (SELECT t, 1 AS ord, amt, NULL::timestamptz AS at, 0 AS side FROM inv
       UNION ALL SELECT at - interval '30 days', 2, 0, at, -1 FROM m
       UNION ALL SELECT at, 2, 0, at, 1 FROM m),
run AS (SELECT at, side, sum(amt) OVER (ORDER BY t, ord ROWS UNBOUNDED PRECEDING) AS s FROM ev),
cogs AS (SELECT at, sum(side * s) AS value FROM run WHERE side <> 0 GROUP BY at),
stock AS (SELECT sum(stock_qty * cost_price) AS value FROM shop.products WHERE active)
SELECT c.at, CASE WHEN stock.value > 0 THEN (c.value / stock.value)::float8 END AS value
  FROM cogs c, stock$q$ WHERE key = 'inventory_turnover_30d';

-- A customer is active at m when one of their sales lies in (m - 30 days,
-- m], that is over [sale, sale + 30 days). A customer's overlapping spans
-- merge into one (a new one starts after a 30-day gap), and the count at a
-- moment is starts minus ends up to it (both before the moment's marker at
-- the same instant).
UPDATE kpis SET backfill_query = $q$
WITH m AS (SELECT at FROM unnest($1::timestamptz[]) AS at),
p AS (SELECT customer_id AS c, issued_at AS t,
             lag(issued_at) OVER (PARTITION BY customer_id ORDER BY issued_at) AS prev
        FROM shop.invoices
       WHERE issued_at > (SELECT min(at) FROM m) - interval '30 days'
         AND issued_at <= (SELECT max(at) FROM m)
         AND customer_id IS NOT NULL AND kind = 'sale' AND status <> 'void'),
isl AS (SELECT c, t, count(*) FILTER (WHERE prev IS NULL OR t >= prev + interval '30 days')
                     OVER (PARTITION BY c ORDER BY t) AS k
          FROM p),
iv AS (SELECT c, min(t) AS s, max(t) + interval '30 days' AS e FROM isl GROUP BY c, k),
ev AS (SELECT s AS t, 0 AS ord, 1 AS d, NULL::timestamptz AS at FROM iv
       UNION ALL SELECT e, 0, -1, NULL FROM iv
       UNION ALL SELECT at, 1, 0, at FROM m),
run AS (SELECT at, sum(d) OVER (ORDER BY t, ord ROWS UNBOUNDED PRECEDING) AS n FROM ev)
SELECT at, n::float8 AS value FROM run WHERE at IS NOT NULL$q$ WHERE key = 'active_customers_30d';

-- As active_customers_30d; of those active at m, the ones who bought before
-- (a sale at or before m - 30 days, that is their first sale ever 30 days
-- or more before m) are counted over [max(span start, first + 30 days),
-- span end).
UPDATE kpis SET backfill_query = $q$
WITH m AS (SELECT at FROM unnest($1::timestamptz[]) AS at),
p AS (SELECT customer_id AS c, issued_at AS t,
             lag(issued_at) OVER (PARTITION BY customer_id ORDER BY issued_at) AS prev
        FROM shop.invoices
       WHERE issued_at > (SELECT min(at) FROM m) - interval '30 days'
         AND issued_at <= (SELECT max(at) FROM m)
         AND customer_id IS NOT NULL AND kind = 'sale' AND status <> 'void'),
isl AS (SELECT c, t, count(*) FILTER (WHERE prev IS NULL OR t >= prev + interval '30 days')
                     OVER (PARTITION BY c ORDER BY t) AS k
          FROM p),
iv AS (SELECT c, min(t) AS s, max(t) + interval '30 days' AS e FROM isl GROUP BY c, k),
back AS (SELECT iv.s, iv.e, greatest(iv.s, f.first + interval '30 days') AS rs
           FROM iv
          CROSS JOIN LATERAL (SELECT min(q.issued_at) AS first FROM shop.invoices q
                               WHERE q.customer_id = iv.c AND q.kind = 'sale'
                                 AND q.status <> 'void') f),
ev AS (SELECT s AS t, 0 AS ord, 1 AS d, 0 AS r, NULL::timestamptz AS at FROM back
       UNION ALL SELECT e, 0, -1, 0, NULL FROM back
       UNION ALL SELECT rs, 0, 0, 1, NULL FROM back WHERE rs < e
       UNION ALL SELECT e, 0, 0, -1, NULL FROM back WHERE rs < e
       UNION ALL SELECT at, 1, 0, 0, at FROM m),
run AS (SELECT at, sum(d) OVER w AS n, sum(r) OVER w AS nr FROM ev
        WINDOW w AS (ORDER BY t, ord ROWS UNBOUNDED PRECEDING))
SELECT at, CASE WHEN n > 0 THEN (100.0 * nr / n)::float8 END AS value
  FROM run WHERE at IS NOT NULL$q$ WHERE key = 'repeat_customer_rate_30d';
