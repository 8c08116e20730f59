-- The booking engine: reservations, bookings with their history, scheduling
-- requests, idempotency keys, and the time blocks that make double booking
-- impossible at the database level.

CREATE TYPE "BookingStatus" AS ENUM ('TENTATIVE', 'CONFIRMED', 'DECLINED', 'CANCELLED', 'RESCHEDULED', 'COMPLETED', 'NO_SHOW');
CREATE TYPE "ReservationStatus" AS ENUM ('ACTIVE', 'RELEASED', 'CONVERTED');
CREATE TYPE "SchedulingRequestStatus" AS ENUM ('NEW', 'SENT', 'SCHEDULED', 'CANCELLED', 'CLOSED');

CREATE TABLE reservations (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id           uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  appointment_type_id  uuid NOT NULL,
  agent_id             uuid,
  team_id              uuid,
  starts_at            timestamptz(3) NOT NULL,
  ends_at              timestamptz(3) NOT NULL,
  expires_at           timestamptz(3) NOT NULL,
  status               "ReservationStatus" NOT NULL DEFAULT 'ACTIVE',
  customer_name        text,
  customer_email       text,
  customer_phone       text,
  customer_time_zone   text,
  api_client_id        uuid REFERENCES api_clients (id) ON DELETE SET NULL,
  created_at           timestamptz(3) NOT NULL DEFAULT now(),
  updated_at           timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id),
  CHECK (starts_at < ends_at),
  CHECK ((agent_id IS NULL) <> (team_id IS NULL)),
  FOREIGN KEY (account_id, appointment_type_id) REFERENCES appointment_types (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, agent_id) REFERENCES agents (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, team_id) REFERENCES teams (account_id, id) ON DELETE CASCADE
);
CREATE INDEX reservations_account_id_starts_at_idx ON reservations (account_id, starts_at);

CREATE TABLE scheduling_requests (
  id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id                  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  appointment_type_id         uuid NOT NULL,
  requested_by_agent_id       uuid NOT NULL,
  customer_id                 uuid NOT NULL,
  status                      "SchedulingRequestStatus" NOT NULL DEFAULT 'NEW',
  appointment_type_snapshot   jsonb NOT NULL,
  agent_ids                   uuid[] NOT NULL DEFAULT '{}',
  team_ids                    uuid[] NOT NULL DEFAULT '{}',
  api_client_id               uuid REFERENCES api_clients (id) ON DELETE SET NULL,
  created_at                  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at                  timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id),
  CHECK (cardinality(agent_ids) + cardinality(team_ids) > 0),
  FOREIGN KEY (account_id, appointment_type_id) REFERENCES appointment_types (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, requested_by_agent_id) REFERENCES agents (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE
);
CREATE INDEX scheduling_requests_account_id_created_at_idx ON scheduling_requests (account_id, created_at);
CREATE INDEX scheduling_requests_requested_by_agent_id_idx ON scheduling_requests (requested_by_agent_id);

CREATE TABLE bookings (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id             uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  appointment_type_id    uuid NOT NULL,
  agent_id               uuid,
  team_id                uuid,
  customer_id            uuid NOT NULL,
  status                 "BookingStatus" NOT NULL,
  starts_at              timestamptz(3) NOT NULL,
  ends_at                timestamptz(3) NOT NULL,
  buffer_before_minutes  integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes >= 0),
  buffer_after_minutes   integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes >= 0),
  title                  text,
  location               text,
  description            text,
  allow_double_booking   boolean NOT NULL DEFAULT false,
  reservation_id         uuid,
  rescheduled_from_id    uuid,
  scheduling_request_id  uuid,
  api_client_id          uuid REFERENCES api_clients (id) ON DELETE SET NULL,
  created_at             timestamptz(3) NOT NULL DEFAULT now(),
  updated_at             timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id),
  CHECK (starts_at < ends_at),
  CHECK ((agent_id IS NULL) <> (team_id IS NULL)),
  FOREIGN KEY (account_id, appointment_type_id) REFERENCES appointment_types (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, agent_id) REFERENCES agents (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, team_id) REFERENCES teams (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, reservation_id) REFERENCES reservations (account_id, id) ON DELETE SET NULL (reservation_id),
  FOREIGN KEY (account_id, rescheduled_from_id) REFERENCES bookings (account_id, id) ON DELETE SET NULL (rescheduled_from_id),
  FOREIGN KEY (account_id, scheduling_request_id) REFERENCES scheduling_requests (account_id, id) ON DELETE SET NULL (scheduling_request_id)
);
CREATE UNIQUE INDEX bookings_reservation_id_key ON bookings (reservation_id);
CREATE UNIQUE INDEX bookings_rescheduled_from_id_key ON bookings (rescheduled_from_id);
CREATE INDEX bookings_account_id_starts_at_idx ON bookings (account_id, starts_at);
CREATE INDEX bookings_agent_id_starts_at_idx ON bookings (agent_id, starts_at);
CREATE INDEX bookings_team_id_starts_at_idx ON bookings (team_id, starts_at);
CREATE INDEX bookings_customer_id_idx ON bookings (customer_id);
CREATE INDEX bookings_appointment_type_id_starts_at_idx ON bookings (appointment_type_id, starts_at);

-- The agents a booking occupies (one, or every member of a collective team).
CREATE TABLE booking_agents (
  account_id  uuid NOT NULL,
  booking_id  uuid NOT NULL,
  agent_id    uuid NOT NULL,
  PRIMARY KEY (booking_id, agent_id),
  FOREIGN KEY (account_id, booking_id) REFERENCES bookings (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, agent_id) REFERENCES agents (account_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_agents_agent_id_idx ON booking_agents (agent_id);

CREATE TYPE "BookingEventType" AS ENUM ('CREATED', 'CONFIRMED', 'DECLINED', 'CANCELLED', 'RESCHEDULED', 'COMPLETED', 'NO_SHOW');

CREATE TABLE booking_events (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id      uuid NOT NULL,
  booking_id      uuid NOT NULL,
  type            "BookingEventType" NOT NULL,
  from_status     "BookingStatus",
  to_status       "BookingStatus" NOT NULL,
  reason          text,
  api_client_id   uuid REFERENCES api_clients (id) ON DELETE SET NULL,
  related_booking_id uuid,
  occurred_at     timestamptz(3) NOT NULL DEFAULT now(),
  FOREIGN KEY (account_id, booking_id) REFERENCES bookings (account_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_events_booking_id_occurred_at_idx ON booking_events (booking_id, occurred_at);

-- Every stretch of time an agent is held by a booking or a reservation,
-- already widened by the appointment type's buffers. The exclusion
-- constraint is the guarantee: two active, exclusive blocks of one agent
-- can never overlap, whatever the application does. Half-open ranges let
-- back-to-back bookings touch.
CREATE TABLE time_blocks (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id      uuid NOT NULL,
  agent_id        uuid NOT NULL,
  booking_id      uuid,
  reservation_id  uuid,
  during          tstzrange NOT NULL CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)),
  -- A reservation's block stops counting when it expires; a booking's never does.
  expires_at      timestamptz(3),
  active          boolean NOT NULL DEFAULT true,
  -- false for bookings made with allowDoubleBooking: busy, but not excluded.
  exclusive       boolean NOT NULL DEFAULT true,
  CHECK ((booking_id IS NULL) <> (reservation_id IS NULL)),
  FOREIGN KEY (account_id, agent_id) REFERENCES agents (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, booking_id) REFERENCES bookings (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, reservation_id) REFERENCES reservations (account_id, id) ON DELETE CASCADE,
  CONSTRAINT time_blocks_no_overlap EXCLUDE USING gist (agent_id WITH =, during WITH &&) WHERE (active AND exclusive)
);
CREATE INDEX time_blocks_agent_id_during_idx ON time_blocks USING gist (agent_id, during) WHERE active;
CREATE INDEX time_blocks_booking_id_idx ON time_blocks (booking_id);
CREATE INDEX time_blocks_reservation_id_idx ON time_blocks (reservation_id);

-- Stripe-style idempotency: one row per (client, operation, key).
CREATE TABLE idempotency_keys (
  api_client_id  uuid NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
  operation      text NOT NULL,
  key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  request_hash   text NOT NULL,
  response       jsonb,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (api_client_id, operation, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
