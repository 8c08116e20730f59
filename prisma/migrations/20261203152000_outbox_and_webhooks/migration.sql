-- The transactional outbox: every change that others may want to hear of writes one row here in its own
-- transaction, so an event exists exactly when its change committed. Subscriptions and webhooks read from it.
CREATE TABLE outbox_events (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Order of writing: relays and webhook deliveries go by it.
  seq          bigserial NOT NULL UNIQUE,
  account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type         text NOT NULL,
  -- The booking, reservation or scheduling request the event is about: webhooks keep each subject's order.
  subject_id   uuid,
  payload      jsonb NOT NULL,
  occurred_at  timestamptz(3) NOT NULL DEFAULT now(),
  -- Set once the event was handed to the subscribers' fan-out and its webhook deliveries were queued.
  published_at timestamptz(3),
  UNIQUE (account_id, id)
);
CREATE INDEX outbox_events_unpublished ON outbox_events (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_events_account_occurred ON outbox_events (account_id, occurred_at);

-- Wakes the gateways' relays; PostgreSQL delivers a notification only when its transaction commits.
CREATE FUNCTION notify_outbox_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_events', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox_event();

-- A hold that lapsed: the sweeper marks it so, once, and writes its event.
ALTER TYPE "ReservationStatus" ADD VALUE 'EXPIRED';
CREATE INDEX reservations_active_expiry ON reservations (expires_at) WHERE status = 'ACTIVE';

CREATE TABLE webhook_endpoints (
  id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id                 uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  url                        text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  description                text,
  -- Empty: every event type.
  event_types                text[] NOT NULL DEFAULT '{}',
  enabled                    boolean NOT NULL DEFAULT true,
  -- Standard Webhooks secrets (whsec_…): HMAC keys, so kept as they are; the API shows one only when it is made.
  secret                     text NOT NULL,
  previous_secret            text,
  previous_secret_expires_at timestamptz(3),
  consecutive_failures       integer NOT NULL DEFAULT 0,
  disabled_reason            text,
  created_at                 timestamptz(3) NOT NULL DEFAULT now(),
  updated_at                 timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id)
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id);

CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'DELIVERED');

-- One event for one endpoint: pending until the receiver answered 2xx.
CREATE TABLE webhook_deliveries (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  endpoint_id     uuid NOT NULL,
  event_id        uuid NOT NULL,
  event_seq       bigint NOT NULL,
  subject_id      uuid,
  status          "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz(3) NOT NULL DEFAULT now(),
  delivered_at    timestamptz(3),
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id),
  UNIQUE (endpoint_id, event_id),
  FOREIGN KEY (account_id, endpoint_id) REFERENCES webhook_endpoints (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, event_id) REFERENCES outbox_events (account_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_subject ON webhook_deliveries (endpoint_id, subject_id, event_seq) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);

-- The delivery log: one row per POST.
CREATE TABLE webhook_attempts (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id       uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  delivery_id      uuid NOT NULL,
  attempt          integer NOT NULL,
  status_code      integer,
  error            text,
  duration_ms      integer NOT NULL,
  response_excerpt text,
  attempted_at     timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id),
  FOREIGN KEY (account_id, delivery_id) REFERENCES webhook_deliveries (account_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
