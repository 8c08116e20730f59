-- A NOTIFY in a transaction takes one database-wide lock for its commit, held through the commit's WAL flush:
-- every transaction writing an event then committed one after another, and concurrent bookings lost group
-- commit (createBooking fell from 82 to 27 a second in the bench). The gateway wakes its relay after each
-- mutation instead, and the relay's poll finds what any other process wrote (src/events/relay.ts).
DROP TRIGGER outbox_events_notify ON outbox_events;
DROP FUNCTION notify_outbox_event();
