-- The customer spans that active_customers_30d and repeat_customer_rate_30d
-- count over (migration 0011), in one place: for each customer with a sale
-- in (lo - 30 days, hi], the spans [first sale, last sale + 30 days) over
-- which they bought at least once in every 30 days (a new span starts after
-- a 30-day gap). LANGUAGE sql and STABLE, so the planner can inline it
-- into each backfill query.

CREATE FUNCTION customer_spans(lo timestamptz, hi timestamptz)
RETURNS TABLE (c bigint, s timestamptz, e timestamptz)
LANGUAGE sql STABLE AS $$
    WITH p AS (SELECT customer_id AS c, issued_at AS t,
                      lag(issued_at) OVER (PARTITION BY customer_id ORDER BY issued_at) AS prev
                 FROM shop.invoices
                WHERE issued_at > lo - interval '30 days' AND issued_at <= hi
                  AND customer_id IS NOT NULL AND kind = 'sale' AND status <> 'void'),
    isl AS (SELECT c, t, count(*) FILTER (WHERE prev IS NULL OR t >= prev + interval '30 days')
                         OVER (PARTITION BY c ORDER BY t) AS k
              FROM p)
    SELECT c, min(t), max(t) + interval '30 days' FROM isl GROUP BY c, k
$$;

UPDATE kpis SET backfill_query = $q$
WITH m AS (SELECT at FROM unnest($1::timestamptz[]) AS at),
iv AS (SELECT * FROM customer_spans((SELECT min(at) FROM m), (SELECT max(at) FROM m))),
ev AS (SELECT s AS t, 0 AS ord, 1 AS d, NULL::timestamptz AS at FROM iv
       UNION ALL SELECT e, 0, -1, NULL FROM iv
       UNION ALL SELECT at, 1, 0, at FROM m),
run AS (SELECT at, sum(d) OVER (ORDER BY t, ord ROWS UNBOUNDED PRECEDING) AS n FROM ev)
SELECT at, n::float8 AS value FROM run WHERE at IS NOT NULL$q$
 WHERE key = 'active_customers_30d' AND backfill_query IS NOT NULL;

UPDATE kpis SET backfill_query = $q$
WITH m AS (SELECT at FROM unnest($1::timestamptz[]) AS at),
iv AS (SELECT * FROM customer_spans((SELECT min(at) FROM m), (SELECT max(at) FROM m))),
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
  FROM run WHERE at IS NOT NULL$q$
 WHERE key = 'repeat_customer_rate_30d' AND backfill_query IS NOT NULL;
