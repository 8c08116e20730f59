-- What the bookings report sums, kept per account, UTC day and agent, so a
-- report over months reads a few rows per agent and day instead of every
-- booking (issue #5). Triggers keep it exact on every change to bookings and
-- booking_agents; the report still reads bookings themselves for any option
-- these totals cannot answer (filters, other groupings) and for the days a
-- period boundary cuts in two (midnight in another zone, a `from` at noon).
--
-- Rows with agent_id NULL count each booking once; rows with an agent count it
-- once for each agent it holds, as the report grouped by agent does. Rescheduled
-- bookings count nowhere: their replacement does. A key may have several rows
-- for a while (see booking_day_totals_add); readers sum them.
CREATE TABLE booking_day_totals (
  account_id  uuid NOT NULL,
  agent_id    uuid,
  day         timestamptz NOT NULL CHECK (day = date_trunc('day', day, 'UTC')),
  bookings    bigint NOT NULL,
  -- Booked time that holds time: TENTATIVE, CONFIRMED, COMPLETED and NO_SHOW bookings.
  scheduled   interval NOT NULL,
  confirmed   bigint NOT NULL,
  cancelled   bigint NOT NULL,
  declined    bigint NOT NULL,
  no_shows    bigint NOT NULL,
  -- From creation to start, summed; the report divides by bookings.
  lead_time   interval NOT NULL
);
CREATE INDEX booking_day_totals_account_id_day_idx ON booking_day_totals (account_id, day);

-- One booking's share of its account's (agent_id NULL) or one agent's totals,
-- signed: +1 when it arrives, -1 when it leaves. The single definition of how a
-- booking counts; the report's SQL (src/reports/scheduling-report.ts) sums the
-- same expressions over the bookings it reads directly.
CREATE FUNCTION booking_day_totals_of(booking bookings, agent_id uuid, sign integer) RETURNS booking_day_totals
LANGUAGE sql STABLE AS $$
  SELECT ROW(
    booking.account_id,
    agent_id,
    date_trunc('day', booking.starts_at, 'UTC'),
    sign,
    CASE WHEN booking.status IN ('TENTATIVE', 'CONFIRMED', 'COMPLETED', 'NO_SHOW') THEN (booking.ends_at - booking.starts_at) * sign ELSE interval '0' END,
    CASE WHEN booking.status IN ('CONFIRMED', 'COMPLETED') THEN sign ELSE 0 END,
    CASE WHEN booking.status = 'CANCELLED' THEN sign ELSE 0 END,
    CASE WHEN booking.status = 'DECLINED' THEN sign ELSE 0 END,
    CASE WHEN booking.status = 'NO_SHOW' THEN sign ELSE 0 END,
    (booking.starts_at - booking.created_at) * sign
  )::booking_day_totals
$$;

-- Adds signed shares to the totals. Rather than update a key's row in place,
-- which would make concurrent bookings of one account and day wait for each
-- other (and could deadlock two transactions that touch two days in opposite
-- orders), it deletes the rows of the key that no other transaction holds,
-- and inserts one row with their sum and the change. A row held by another
-- transaction stays as it is and is folded in by a later change.
CREATE FUNCTION booking_day_totals_add(changes booking_day_totals[]) RETURNS void
LANGUAGE sql AS $$
  WITH change AS (
    SELECT account_id, agent_id, day, sum(bookings) AS bookings, sum(scheduled) AS scheduled, sum(confirmed) AS confirmed,
           sum(cancelled) AS cancelled, sum(declined) AS declined, sum(no_shows) AS no_shows, sum(lead_time) AS lead_time
    FROM unnest(changes)
    GROUP BY account_id, agent_id, day
    HAVING (sum(bookings), sum(confirmed), sum(cancelled), sum(declined), sum(no_shows), sum(scheduled), sum(lead_time))
        <> (0, 0, 0, 0, 0, interval '0', interval '0')
  ), folded AS (
    DELETE FROM booking_day_totals AS totals
    USING (
      SELECT kept.ctid FROM booking_day_totals AS kept
      JOIN change ON change.account_id = kept.account_id AND change.day = kept.day AND change.agent_id IS NOT DISTINCT FROM kept.agent_id
      FOR UPDATE OF kept SKIP LOCKED
    ) AS free
    WHERE totals.ctid = free.ctid
    RETURNING totals.*
  )
  INSERT INTO booking_day_totals
  SELECT account_id, agent_id, day, sum(bookings), sum(scheduled), sum(confirmed), sum(cancelled), sum(declined), sum(no_shows), sum(lead_time)
  FROM (SELECT * FROM change UNION ALL SELECT * FROM folded) AS merged
  GROUP BY account_id, agent_id, day
  HAVING (sum(bookings), sum(confirmed), sum(cancelled), sum(declined), sum(no_shows), sum(scheduled), sum(lead_time))
      <> (0, 0, 0, 0, 0, interval '0', interval '0')
$$;

-- Whom a booking's shares count for: its account (NULL), then each agent it holds.
CREATE FUNCTION booking_day_totals_holders(booking_id uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
  SELECT NULL::uuid UNION ALL SELECT held.agent_id FROM booking_agents AS held WHERE held.booking_id = booking_day_totals_holders.booking_id
$$;

-- A new booking counts for its account; it counts for agents once
-- booking_agents names them. A changed booking moves its shares, for its
-- account and for each agent it holds, from its old day and status to its new.
CREATE FUNCTION booking_day_totals_follow_bookings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM booking_day_totals_add(ARRAY(
      SELECT booking_day_totals_of(arrived, NULL, 1) FROM arrived WHERE arrived.status <> 'RESCHEDULED'));
  ELSE
    PERFORM booking_day_totals_add(ARRAY(
      SELECT booking_day_totals_of(arrived, holder, 1) FROM arrived, booking_day_totals_holders(arrived.id) AS holder
      WHERE arrived.status <> 'RESCHEDULED'
      UNION ALL
      SELECT booking_day_totals_of(departed, holder, -1) FROM departed, booking_day_totals_holders(departed.id) AS holder
      WHERE departed.status <> 'RESCHEDULED'));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER booking_day_totals_after_insert AFTER INSERT ON bookings
  REFERENCING NEW TABLE AS arrived FOR EACH STATEMENT EXECUTE FUNCTION booking_day_totals_follow_bookings();
CREATE TRIGGER booking_day_totals_after_update AFTER UPDATE ON bookings
  REFERENCING OLD TABLE AS departed NEW TABLE AS arrived FOR EACH STATEMENT EXECUTE FUNCTION booking_day_totals_follow_bookings();

-- Before the row goes, while booking_agents still names its agents: deleting a
-- booking removes its booking_agents rows by cascade, after which nothing
-- would tell which agents' totals it was in.
CREATE FUNCTION booking_day_totals_forget_booking() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'RESCHEDULED' THEN
    PERFORM booking_day_totals_add(ARRAY(
      SELECT booking_day_totals_of(OLD, holder, -1) FROM booking_day_totals_holders(OLD.id) AS holder));
  END IF;
  RETURN OLD;
END
$$;

CREATE TRIGGER booking_day_totals_before_delete BEFORE DELETE ON bookings
  FOR EACH ROW EXECUTE FUNCTION booking_day_totals_forget_booking();

-- An agent joining or leaving a booking gains or loses its share. The booking
-- is locked FOR SHARE, so a concurrent change of the booking waits for this
-- one (or this one for it) and both see the same booking and agents. A
-- booking being deleted is no longer visible here: its shares are already gone.
CREATE FUNCTION booking_day_totals_follow_booking_agents() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM booking_day_totals_add(ARRAY(
      SELECT booking_day_totals_of(booking, arrived.agent_id, 1)
      FROM arrived JOIN bookings AS booking ON booking.id = arrived.booking_id
      WHERE booking.status <> 'RESCHEDULED'
      FOR SHARE OF booking));
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM booking_day_totals_add(ARRAY(
      SELECT booking_day_totals_of(booking, departed.agent_id, -1)
      FROM departed JOIN bookings AS booking ON booking.id = departed.booking_id
      WHERE booking.status <> 'RESCHEDULED'
      FOR SHARE OF booking));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER booking_day_totals_after_insert AFTER INSERT ON booking_agents
  REFERENCING NEW TABLE AS arrived FOR EACH STATEMENT EXECUTE FUNCTION booking_day_totals_follow_booking_agents();
CREATE TRIGGER booking_day_totals_after_update AFTER UPDATE ON booking_agents
  REFERENCING OLD TABLE AS departed NEW TABLE AS arrived FOR EACH STATEMENT EXECUTE FUNCTION booking_day_totals_follow_booking_agents();
CREATE TRIGGER booking_day_totals_after_delete AFTER DELETE ON booking_agents
  REFERENCING OLD TABLE AS departed FOR EACH STATEMENT EXECUTE FUNCTION booking_day_totals_follow_booking_agents();

CREATE FUNCTION booking_day_totals_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'bookings' THEN
    TRUNCATE booking_day_totals;
  ELSE
    DELETE FROM booking_day_totals WHERE agent_id IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER booking_day_totals_after_truncate AFTER TRUNCATE ON bookings
  FOR EACH STATEMENT EXECUTE FUNCTION booking_day_totals_clear();
CREATE TRIGGER booking_day_totals_after_truncate AFTER TRUNCATE ON booking_agents
  FOR EACH STATEMENT EXECUTE FUNCTION booking_day_totals_clear();

-- The totals of the bookings already there.
INSERT INTO booking_day_totals
SELECT (share).account_id, (share).agent_id, (share).day, sum((share).bookings), sum((share).scheduled), sum((share).confirmed),
       sum((share).cancelled), sum((share).declined), sum((share).no_shows), sum((share).lead_time)
FROM (
  SELECT booking_day_totals_of(booking, NULL, 1) AS share FROM bookings AS booking WHERE booking.status <> 'RESCHEDULED'
  UNION ALL
  SELECT booking_day_totals_of(booking, held.agent_id, 1)
  FROM bookings AS booking JOIN booking_agents AS held ON held.booking_id = booking.id
  WHERE booking.status <> 'RESCHEDULED'
) AS existing
GROUP BY 1, 2, 3;
