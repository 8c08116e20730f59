-- Calendar feeds (RFC 5545). A reschedule makes a new booking, so the calendar event's identity lives in two
-- columns: original_booking_id, the first booking of the chain of reschedules (null on that first booking
-- itself), whose id is the event's UID; and sequence, its SEQUENCE, one more on every reschedule.
ALTER TABLE bookings
  ADD COLUMN original_booking_id uuid,
  ADD COLUMN sequence integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
  ADD FOREIGN KEY (account_id, original_booking_id) REFERENCES bookings (account_id, id) ON DELETE SET NULL (original_booking_id);
-- Also what the foreign key's ON DELETE looks up: without it, deleting bookings would scan them all.
CREATE INDEX bookings_original_booking_id_idx ON bookings (original_booking_id) WHERE original_booking_id IS NOT NULL;

-- Chains rescheduled before this migration: each booking gets the first of its chain and its depth in it.
WITH RECURSIVE chain (id, original_booking_id, sequence) AS (
  SELECT id, id, 0 FROM bookings WHERE rescheduled_from_id IS NULL AND status = 'RESCHEDULED'
  UNION ALL
  SELECT bookings.id, chain.original_booking_id, chain.sequence + 1
  FROM bookings JOIN chain ON bookings.rescheduled_from_id = chain.id
)
UPDATE bookings SET original_booking_id = chain.original_booking_id, sequence = chain.sequence
FROM chain WHERE bookings.id = chain.id AND chain.sequence > 0;

-- A secret URL per feed (calendar apps cannot send a bearer token); only the secret's SHA-256 is stored.
-- content_hash and content_changed_at remember the last body served, so that Last-Modified tells the truth
-- even when a booking leaves the feed (deleted, or out of its window).
CREATE TABLE calendar_feeds (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id          uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  agent_id            uuid NOT NULL,
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  secret_hash         text NOT NULL UNIQUE,
  api_client_id       uuid REFERENCES api_clients (id) ON DELETE SET NULL,
  content_hash        text,
  content_changed_at  timestamptz(3),
  created_at          timestamptz(3) NOT NULL DEFAULT now(),
  revoked_at          timestamptz(3),
  UNIQUE (account_id, id),
  FOREIGN KEY (account_id, agent_id) REFERENCES agents (account_id, id) ON DELETE CASCADE
);
CREATE INDEX calendar_feeds_agent_id_idx ON calendar_feeds (agent_id);
CREATE INDEX calendar_feeds_account_id_created_at_idx ON calendar_feeds (account_id, created_at);
