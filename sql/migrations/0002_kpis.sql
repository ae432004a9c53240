-- The built-in KPI catalogue. Every query gets $1 = the evaluation time
-- (timestamptz) and $2 = the shop's time zone (text), returns one row with
-- one column "value" (double precision; NULL = no data), and reads the
-- shop tables through an index. "Today" and "this month" are the shop's,
-- not the server's (shop_day_start / shop_month_start). Changing a query
-- later means a new migration, never a request.

INSERT INTO kpis (key, name, category, unit, description, recommendation, source, query) VALUES

('revenue_today', 'Revenue today', 'financial', 'USD',
 'Net sales since the shop opened today (before tax, after discounts), less refunds.',
 'Compare with the same weekday last week. If it is low, check that the tills are recording sales, whether a counter was unstaffed, and the void log for cancelled invoices.',
 'sql', $q$
SELECT COALESCE(sum(CASE WHEN kind = 'sale' THEN subtotal - discount
                         ELSE -(subtotal - discount) END), 0)::float8 AS value
  FROM shop.invoices
 WHERE issued_at >= shop_day_start($1, $2) AND issued_at <= $1
   AND status <> 'void'
$q$),

('revenue_month_to_date', 'Revenue this month', 'financial', 'USD',
 'Net sales since the first of the month, less refunds.',
 'Set it against the monthly target. A shortfall mid-month is the moment to plan a promotion or contact regular customers.',
 'sql', $q$
SELECT COALESCE(sum(CASE WHEN kind = 'sale' THEN subtotal - discount
                         ELSE -(subtotal - discount) END), 0)::float8 AS value
  FROM shop.invoices
 WHERE issued_at >= shop_month_start($1, $2) AND issued_at <= $1
   AND status <> 'void'
$q$),

('gross_margin_pct_today', 'Gross margin today', 'financial', '%',
 'Net sales minus cost of goods sold, as a percent of net sales, for today''s sales.',
 'A falling margin usually means discounts beyond policy, making charges left off invoices, or prices not updated after a gold price rise. Check today''s discounts and the price list.',
 'sql', $q$
SELECT CASE WHEN sum(subtotal - discount) > 0
            THEN (100 * (sum(subtotal - discount) - sum(cost_total))
                  / sum(subtotal - discount))::float8 END AS value
  FROM shop.invoices
 WHERE issued_at >= shop_day_start($1, $2) AND issued_at <= $1
   AND kind = 'sale' AND status <> 'void'
$q$),

('avg_ticket_today', 'Average ticket today', 'financial', 'USD',
 'Average invoice total (with tax) of today''s sales.',
 'A low average ticket means more small items and fewer set pieces: check what the counter is recommending and whether the display of high-value pieces is stocked.',
 'sql', $q$
SELECT avg(total)::float8 AS value
  FROM shop.invoices
 WHERE issued_at >= shop_day_start($1, $2) AND issued_at <= $1
   AND kind = 'sale' AND status <> 'void'
$q$),

('refunds_today', 'Refunds today', 'financial', 'USD',
 'Total of refund invoices issued today.',
 'Review each refund against its original invoice and the reason given; several refunds by one cashier or for one product line deserve a closer look.',
 'sql', $q$
SELECT COALESCE(sum(total), 0)::float8 AS value
  FROM shop.invoices
 WHERE issued_at >= shop_day_start($1, $2) AND issued_at <= $1
   AND kind = 'refund' AND status <> 'void'
$q$),

('overdue_receivables', 'Overdue receivables', 'financial', 'USD',
 'What customers still owe on invoices past their due date.',
 'Call the customers with the largest overdue balances, and hold new credit sales for them until they pay.',
 'sql', $q$
SELECT COALESCE(sum(total - amount_paid), 0)::float8 AS value
  FROM shop.invoices
 WHERE status IN ('unpaid', 'partial') AND due_at < $1
$q$),

('gold_price_per_gram', 'Gold price (24k)', 'financial', 'USD/g',
 'The latest quoted price of one gram of 24 karat gold.',
 'When gold jumps, update the price list and making charges before the next sale, and consider whether to buy stock now or wait.',
 'sql', $q$
SELECT price_per_gram::float8 AS value
  FROM shop.gold_prices
 WHERE karat = 24 AND quoted_at <= $1
 ORDER BY quoted_at DESC
 LIMIT 1
$q$),

('transactions_today', 'Sales today', 'operational', 'invoices',
 'Number of sale invoices issued today.',
 'Few sales at a normal hour: check that the shop is open and staffed and that the till is working; compare footfall with last week.',
 'sql', $q$
SELECT count(*)::float8 AS value
  FROM shop.invoices
 WHERE issued_at >= shop_day_start($1, $2) AND issued_at <= $1
   AND kind = 'sale' AND status <> 'void'
$q$),

('inventory_value', 'Inventory value', 'operational', 'USD',
 'Stock on hand valued at cost.',
 'A sharp fall without matching sales points to stock moved or lost: reconcile the safe and display counts with the stock register.',
 'sql', $q$
SELECT COALESCE(sum(stock_qty * cost_price), 0)::float8 AS value
  FROM shop.products
 WHERE active
$q$),

('gold_stock_grams', 'Gold in stock', 'operational', 'g (fine)',
 'Fine gold (24k equivalent) held in stock: weight times karat over 24.',
 'Check the weight against the last physical weighing; a gap means a recording error or a loss to investigate today.',
 'sql', $q$
SELECT COALESCE(sum(stock_qty * weight_grams * karat / 24.0), 0)::float8 AS value
  FROM shop.products
 WHERE active
$q$),

('low_stock_items', 'Products low on stock', 'operational', 'products',
 'Active products at or below their reorder level.',
 'Open the low-stock list and place orders for the fast sellers first; move slow items off the reorder list.',
 'sql', $q$
SELECT count(*)::float8 AS value
  FROM shop.products
 WHERE active AND stock_qty <= reorder_level
$q$),

('rings_22k_in_stock', '22k rings in stock', 'operational', 'pieces',
 'Pieces of 22 karat rings on hand, the shop''s best-selling line.',
 'Reorder 22k rings from the workshop before the weekend; check the sizes that sell most are on display.',
 'sql', $q$
SELECT COALESCE(sum(stock_qty), 0)::float8 AS value
  FROM shop.products
 WHERE active AND category = 'ring' AND karat = 22
$q$),

('inventory_turnover_30d', 'Inventory turnover (30 days)', 'operational', 'ratio',
 'Cost of goods sold over the last 30 days divided by the stock value at cost.',
 'Low turnover ties money up in stock: consider melting or discounting pieces that have not sold in months, and buy less of those lines.',
 'sql', $q$
SELECT CASE WHEN inv.value > 0 THEN (cogs.value / inv.value)::float8 END AS value
  FROM (SELECT COALESCE(sum(cost_total), 0) AS value
          FROM shop.invoices
         WHERE issued_at > $1 - interval '30 days' AND issued_at <= $1
           AND kind = 'sale' AND status <> 'void') AS cogs,
       (SELECT sum(stock_qty * cost_price) AS value
          FROM shop.products WHERE active) AS inv
$q$),

('new_customers_today', 'New customers today', 'customer', 'customers',
 'Customers registered today.',
 'Few new customers over several days: review the shop''s advertising and whether staff are registering walk-in buyers.',
 'sql', $q$
SELECT count(*)::float8 AS value
  FROM shop.customers
 WHERE created_at >= shop_day_start($1, $2) AND created_at <= $1
$q$),

('repeat_customer_rate_30d', 'Returning customers (30 days)', 'customer', '%',
 'Of the registered customers who bought in the last 30 days, the percent who had bought before.',
 'A falling rate means customers do not come back: follow up recent buyers, check after-sales service complaints, and remind regulars of cleaning and resizing services.',
 'sql', $q$
WITH recent AS (
    SELECT DISTINCT customer_id
      FROM shop.invoices
     WHERE issued_at > $1 - interval '30 days' AND issued_at <= $1
       AND customer_id IS NOT NULL AND kind = 'sale' AND status <> 'void'
)
SELECT CASE WHEN count(*) > 0 THEN (100.0 * count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM shop.invoices p
            WHERE p.customer_id = r.customer_id
              AND p.customer_id IS NOT NULL AND p.kind = 'sale' AND p.status <> 'void'
              AND p.issued_at <= $1 - interval '30 days')) / count(*))::float8 END AS value
  FROM recent r
$q$),

('active_customers_30d', 'Active customers (30 days)', 'customer', 'customers',
 'Registered customers who bought at least once in the last 30 days.',
 'Fewer active customers than last month: contact the regulars who have not been in, and check for a competitor''s promotion.',
 'sql', $q$
SELECT count(DISTINCT customer_id)::float8 AS value
  FROM shop.invoices
 WHERE issued_at > $1 - interval '30 days' AND issued_at <= $1
   AND customer_id IS NOT NULL AND kind = 'sale' AND status <> 'void'
$q$);
