-- One customer per account and e-mail, compared without case: the booking path inserts with
-- ON CONFLICT on this index, so concurrent first bookings with one new e-mail share one customer.
-- Customers made twice before it existed are merged into the oldest of each group: their bookings
-- and scheduling requests move to it, then the copies go.

CREATE TEMPORARY TABLE customer_merges ON COMMIT DROP AS
SELECT id, keeper FROM (
  SELECT id, first_value(id) OVER (PARTITION BY account_id, lower(email) ORDER BY created_at, id) AS keeper
  FROM customers
) AS ranked
WHERE id <> keeper;

UPDATE bookings SET customer_id = customer_merges.keeper
FROM customer_merges WHERE bookings.customer_id = customer_merges.id;

UPDATE scheduling_requests SET customer_id = customer_merges.keeper
FROM customer_merges WHERE scheduling_requests.customer_id = customer_merges.id;

DELETE FROM customers USING customer_merges WHERE customers.id = customer_merges.id;

UPDATE customers SET email = lower(email) WHERE email <> lower(email);

CREATE UNIQUE INDEX customers_account_id_lower_email_key ON customers (account_id, lower(email));
