/** What a calendar feed and a booking's invitation hold: read from the database and rendered as iCalendar. */
import { createHash } from 'node:crypto';
import { hashSecret } from '../auth/api-clients.ts';
import type { Db } from '../db/client.ts';
import type { BookingStatus } from '../scheduling/booking-lifecycle.ts';
import { encodeId } from '../schema/global-id.ts';
import { FEED_DAYS_AFTER, FEED_DAYS_BEFORE, FEED_MAX_EVENTS } from './feeds.ts';
import { renderFeed, type CalendarEvent, type Invitation, type Person } from './icalendar.ts';

const DAY_MS = 86_400_000;

export interface ServedFeed {
  body: string;
  /** The SHA-256 of the body (base64url): the feed's entity tag. */
  etag: string;
  /** When the body last changed, to the second. */
  lastModified: Date;
}

interface FeedEventRow {
  id: string;
  uid: string;
  sequence: number;
  status: BookingStatus;
  starts_at: Date;
  ends_at: Date;
  title: string | null;
  location: string | null;
  created_at: Date;
  updated_at: Date;
  type_name: string;
  customer_name: string;
}

/** A live feed, as found by its secret. */
export interface FoundFeed {
  id: string;
  accountId: string;
  agentId: string;
  agentName: string;
  contentHash: string | null;
  contentChangedAt: Date | null;
}

/**
 * The feed whose secret is `secret`, or null for an unknown or revoked
 * secret (which look alike). Found by the secret's hash, so the lookup's
 * timing says nothing about how close a guess was. `rootDb` is unscoped:
 * the secret is the credential.
 */
export async function findFeed(rootDb: Db, secret: string): Promise<FoundFeed | null> {
  const [feed] = await rootDb.$queryRaw<FoundFeed[]>`
    SELECT calendar_feeds.id, calendar_feeds.account_id AS "accountId", calendar_feeds.agent_id AS "agentId", agents.name AS "agentName",
           calendar_feeds.content_hash AS "contentHash", calendar_feeds.content_changed_at AS "contentChangedAt"
    FROM calendar_feeds JOIN agents ON agents.account_id = calendar_feeds.account_id AND agents.id = calendar_feeds.agent_id
    WHERE calendar_feeds.secret_hash = ${hashSecret(secret)} AND calendar_feeds.revoked_at IS NULL`;
  return feed ?? null;
}

/**
 * The feed's calendar: its agent's bookings in the window, in one statement
 * whatever their number, and a second when the body changed since the feed
 * was last served. Every read names the feed's account.
 */
export async function serveFeed(rootDb: Db, feed: FoundFeed, now = new Date()): Promise<ServedFeed> {
  const rows = await rootDb.$queryRaw<FeedEventRow[]>`
    SELECT bookings.id, coalesce(bookings.original_booking_id, bookings.id) AS uid, bookings.sequence, bookings.status::text AS status,
           bookings.starts_at, bookings.ends_at, bookings.title, bookings.location, bookings.created_at, bookings.updated_at,
           appointment_types.external_name AS type_name, customers.name AS customer_name
    FROM booking_agents
    JOIN bookings ON bookings.id = booking_agents.booking_id
    JOIN appointment_types ON appointment_types.id = bookings.appointment_type_id
    JOIN customers ON customers.id = bookings.customer_id
    WHERE booking_agents.account_id = ${feed.accountId}::uuid AND booking_agents.agent_id = ${feed.agentId}::uuid
      AND bookings.status <> 'RESCHEDULED'
      AND bookings.ends_at > ${new Date(now.getTime() - FEED_DAYS_BEFORE * DAY_MS)}
      AND bookings.starts_at < ${new Date(now.getTime() + FEED_DAYS_AFTER * DAY_MS)}
    ORDER BY bookings.starts_at, bookings.id
    LIMIT ${FEED_MAX_EVENTS}`;
  const body = renderFeed({ name: `Bookings of ${feed.agentName}`, events: rows.map(feedEvent) });
  const etag = createHash('sha256').update(body, 'utf8').digest('base64url');
  const lastModified =
    feed.contentHash === etag && feed.contentChangedAt ? feed.contentChangedAt : await recordChange(rootDb, feed.id, etag, now);
  return { body, etag, lastModified };
}

/**
 * Remembers that the feed's body is now the one hashed `etag`. HTTP dates
 * count whole seconds, so each change moves the time on by at least one:
 * a client that saw the previous body never gets 304 for this one.
 */
async function recordChange(rootDb: Db, feedId: string, etag: string, now: Date): Promise<Date> {
  const [changed] = await rootDb.$queryRaw<Array<{ content_changed_at: Date }>>`
    UPDATE calendar_feeds
    SET content_hash = ${etag},
        content_changed_at = greatest(date_trunc('second', now()), coalesce(content_changed_at, '-infinity') + interval '1 second')
    WHERE id = ${feedId}::uuid AND content_hash IS DISTINCT FROM ${etag}
    RETURNING content_changed_at`;
  // Nothing changed: a concurrent request recorded this body first, a moment ago.
  return changed?.content_changed_at ?? new Date(Math.floor(now.getTime() / 1000) * 1000);
}

/**
 * What a feed shows of a booking: what it is and with whom (the customer's
 * name), when, where and its status. Not the customer's e-mail or phone, nor
 * the booking's free-text description: a feed URL is a bearer secret that
 * ends up in calendar apps, shared calendars and their sync services.
 */
function feedEvent(row: FeedEventRow): CalendarEvent {
  return {
    uid: row.uid,
    sequence: row.sequence,
    status: row.status,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    summary: `${row.title ?? row.type_name} with ${row.customer_name}`,
    description: `Booking ${encodeId('Booking', row.id)}`,
    location: row.location,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The invitation for a booking of `db`'s accounts, or null when it cannot
 * see it. A booking that was rescheduled answers with its latest version:
 * the same event (UID), moved, with a higher SEQUENCE.
 */
export async function loadInvitation(db: Db, bookingId: string): Promise<Invitation | null> {
  const named = await db.booking.findUnique({ where: { id: bookingId }, select: { id: true, originalBookingId: true } });
  if (!named) return null;
  const uid = named.originalBookingId ?? named.id;
  const booking = await db.booking.findFirst({
    where: { OR: [{ id: uid }, { originalBookingId: uid }] },
    orderBy: { sequence: 'desc' },
    include: {
      appointmentType: { select: { externalName: true } },
      customer: { select: { name: true, email: true } },
      agents: { select: { agent: { select: { id: true, name: true, email: true } } }, orderBy: { agent: { name: 'asc' } } },
    },
  });
  if (!booking) return null;
  const agents = booking.agents.map(({ agent }) => agent);
  // The agent booked, or for a team the first member it occupies.
  const organizer = agents.find((agent) => agent.id === booking.agentId) ?? agents[0]!;
  const person = ({ name, email }: Person): Person => ({ name, email });
  return {
    uid,
    sequence: booking.sequence,
    status: booking.status,
    startsAt: booking.startsAt,
    endsAt: booking.endsAt,
    summary: booking.title ?? booking.appointmentType.externalName,
    description: booking.description,
    location: booking.location,
    createdAt: booking.createdAt,
    updatedAt: booking.updatedAt,
    organizer: person(organizer),
    attendees: [
      { ...person(booking.customer), role: 'customer' },
      ...agents.filter((agent) => agent !== organizer).map((agent) => ({ ...person(agent), role: 'agent' as const })),
    ],
  };
}
