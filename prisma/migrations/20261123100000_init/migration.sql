-- The unified scheduling model. Every account-owned row carries account_id,
-- and every reference between such rows is a composite foreign key on
-- (account_id, <ref>_id), so no row can point into another account.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TYPE "ConfirmationFlow" AS ENUM ('INSTANT', 'CONFIRM_DECLINE');
CREATE TYPE "TeamSchedulingMode" AS ENUM ('ANY', 'ROUND_ROBIN', 'COLLECTIVE');
CREATE TYPE "AgentRole" AS ENUM ('ADMIN', 'MANAGER', 'AGENT');

CREATE TABLE accounts (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) > 0),
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  time_zone   text NOT NULL,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE workdays (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) > 0),
  time_zone   text NOT NULL,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id)
);
CREATE INDEX workdays_account_id_name_idx ON workdays (account_id, name);

CREATE TABLE working_hours (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL,
  workday_id  uuid NOT NULL,
  weekday     integer NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  start_time  time(0) NOT NULL,
  end_time    time(0) NOT NULL,
  CHECK (start_time < end_time),
  FOREIGN KEY (account_id, workday_id) REFERENCES workdays (account_id, id) ON DELETE CASCADE
);
CREATE INDEX working_hours_workday_id_weekday_idx ON working_hours (workday_id, weekday);

CREATE TABLE workday_overrides (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL,
  workday_id  uuid NOT NULL,
  date        date NOT NULL,
  start_time  time(0),
  end_time    time(0),
  CHECK ((start_time IS NULL AND end_time IS NULL) OR (start_time < end_time)),
  FOREIGN KEY (account_id, workday_id) REFERENCES workdays (account_id, id) ON DELETE CASCADE
);
CREATE INDEX workday_overrides_workday_id_date_idx ON workday_overrides (workday_id, date);

CREATE TABLE agents (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) > 0),
  email       text NOT NULL,
  role        "AgentRole" NOT NULL DEFAULT 'AGENT',
  schedulable boolean NOT NULL DEFAULT true,
  time_zone   text NOT NULL,
  workday_id  uuid,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id),
  FOREIGN KEY (account_id, workday_id) REFERENCES workdays (account_id, id) ON DELETE SET NULL (workday_id)
);
CREATE UNIQUE INDEX agents_account_id_email_key ON agents (account_id, email);
CREATE INDEX agents_account_id_name_idx ON agents (account_id, name);
CREATE INDEX agents_workday_id_idx ON agents (workday_id);

CREATE TABLE teams (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  internal_name   text NOT NULL CHECK (length(internal_name) > 0),
  external_name   text NOT NULL CHECK (length(external_name) > 0),
  scheduling_mode "TeamSchedulingMode" NOT NULL DEFAULT 'ANY',
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at      timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id)
);
CREATE INDEX teams_account_id_internal_name_idx ON teams (account_id, internal_name);

CREATE TABLE team_memberships (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL,
  team_id     uuid NOT NULL,
  agent_id    uuid NOT NULL,
  priority    integer,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  FOREIGN KEY (account_id, team_id) REFERENCES teams (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, agent_id) REFERENCES agents (account_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX team_memberships_team_id_agent_id_key ON team_memberships (team_id, agent_id);
CREATE INDEX team_memberships_agent_id_idx ON team_memberships (agent_id);

CREATE TABLE appointment_types (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id              uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  internal_name           text NOT NULL CHECK (length(internal_name) > 0),
  external_name           text NOT NULL CHECK (length(external_name) > 0),
  description             text,
  duration_minutes        integer NOT NULL CHECK (duration_minutes > 0),
  buffer_before_minutes   integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes >= 0),
  buffer_after_minutes    integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes >= 0),
  slot_interval_minutes   integer NOT NULL DEFAULT 15 CHECK (slot_interval_minutes > 0),
  minimum_notice_minutes  integer NOT NULL DEFAULT 0 CHECK (minimum_notice_minutes >= 0),
  booking_window_days     integer NOT NULL DEFAULT 60 CHECK (booking_window_days > 0),
  confirmation_flow       "ConfirmationFlow" NOT NULL DEFAULT 'INSTANT',
  reservation_ttl_seconds integer NOT NULL DEFAULT 600 CHECK (reservation_ttl_seconds > 0),
  active                  boolean NOT NULL DEFAULT true,
  created_at              timestamptz(3) NOT NULL DEFAULT now(),
  updated_at              timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id)
);
CREATE INDEX appointment_types_account_id_internal_name_idx ON appointment_types (account_id, internal_name);

CREATE TABLE holidays (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) > 0),
  starts_at   timestamptz(3) NOT NULL,
  ends_at     timestamptz(3) NOT NULL,
  all_day     boolean NOT NULL DEFAULT false,
  agent_id    uuid,
  workday_id  uuid,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now(),
  CHECK (starts_at < ends_at),
  CHECK ((agent_id IS NULL) <> (workday_id IS NULL)),
  FOREIGN KEY (account_id, agent_id) REFERENCES agents (account_id, id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, workday_id) REFERENCES workdays (account_id, id) ON DELETE CASCADE
);
CREATE INDEX holidays_account_id_starts_at_idx ON holidays (account_id, starts_at);
CREATE INDEX holidays_agent_id_starts_at_idx ON holidays (agent_id, starts_at);
CREATE INDEX holidays_workday_id_starts_at_idx ON holidays (workday_id, starts_at);

CREATE TABLE customers (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) > 0),
  email       text NOT NULL,
  phone       text,
  time_zone   text,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (account_id, id)
);
CREATE INDEX customers_account_id_name_idx ON customers (account_id, name);
CREATE INDEX customers_account_id_email_idx ON customers (account_id, email);

CREATE TABLE api_clients (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id         text NOT NULL UNIQUE,
  name              text NOT NULL CHECK (length(name) > 0),
  secret_hash       text NOT NULL,
  scopes            text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write', 'admin']),
  all_accounts      boolean NOT NULL DEFAULT false,
  account_ids       uuid[] NOT NULL DEFAULT '{}',
  created_by_id     uuid REFERENCES api_clients (id) ON DELETE SET NULL,
  revoked_at        timestamptz(3),
  secret_rotated_at timestamptz(3) NOT NULL DEFAULT now(),
  created_at        timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE signing_keys (
  kid         text PRIMARY KEY,
  algorithm   text NOT NULL,
  public_jwk  jsonb NOT NULL,
  private_jwk jsonb NOT NULL,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  retired_at  timestamptz(3)
);
