/**
 * The instants the gateway reads, computes with and sends to PostgreSQL:
 * years 0001–9999 in UTC. The driver writes years with four digits, and
 * PostgreSQL has no year 0, so an instant outside fails the statement that
 * carries it. DateTime inputs are refused outside this range, and a
 * computation that widens an edge instant (a day of margin, a period that
 * began in year 0 in some zone) stops at it.
 */
export const EARLIEST_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
export const LATEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

export const isStorableInstant = (instant: number) => instant >= EARLIEST_INSTANT && instant <= LATEST_INSTANT;

export const clampToStorable = (instant: number) => Math.min(Math.max(instant, EARLIEST_INSTANT), LATEST_INSTANT);
