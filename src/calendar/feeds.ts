/**
 * Issuing and revoking calendar feeds, and where they live. What a feed
 * holds, read and rendered, is in ./feed-contents.ts: this module needs no
 * iCalendar writer, so the schema and the logs can use it alone.
 */
import { randomBytes } from 'node:crypto';
import { hashSecret } from '../auth/api-clients.ts';
import type { Db } from '../db/client.ts';
import type { CalendarFeed } from '../generated/prisma/client.ts';

/** A recognisable prefix lets secret scanners (and people) tell a leaked feed URL from noise. */
const FEED_SECRET_PREFIX = 'sgf_';
const SECRET_BYTES = 32;
export const FEED_PATH_PREFIX = '/calendar/agents/';
export const FEED_PATH_SUFFIX = '.ics';

/** A feed covers bookings from this many days ago … */
export const FEED_DAYS_BEFORE = 30;
/** … to this many days ahead … */
export const FEED_DAYS_AFTER = 365;
/** … at most this many, the earliest first: the answer stays bounded whatever an agent's calendar holds. */
export const FEED_MAX_EVENTS = 2_000;

export interface IssuedFeed {
  feed: CalendarFeed;
  /** Shown once: only its hash is stored. */
  secret: string;
}

/** What the access log and the metrics show of a feed's path: never its secret. */
export const FEED_PATH_TEMPLATE = `${FEED_PATH_PREFIX}{secret}${FEED_PATH_SUFFIX}`;

/** The path with a feed's secret replaced, for logs and metrics; any other path as it is. */
export function redactedPath(path: string): string {
  return path.startsWith(FEED_PATH_PREFIX) ? FEED_PATH_TEMPLATE : path;
}

/** The path of a feed's calendar, the secret included. */
export function feedPath(secret: string): string {
  return `${FEED_PATH_PREFIX}${secret}${FEED_PATH_SUFFIX}`;
}

/** Creates a feed of `agentId`'s bookings; `db` must reach the agent's account. */
export async function createCalendarFeed(
  db: Db,
  input: { accountId: string; agentId: string; name: string; apiClientId: string },
): Promise<IssuedFeed> {
  const secret = FEED_SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
  const feed = await db.calendarFeed.create({
    data: { accountId: input.accountId, agentId: input.agentId, name: input.name, secretHash: hashSecret(secret), apiClientId: input.apiClientId },
  });
  return { feed, secret };
}

/** Revokes a feed for good: its URL answers 404 from now on. Idempotent; null for a feed `db` cannot see. */
export async function revokeCalendarFeed(db: Db, id: string): Promise<CalendarFeed | null> {
  await db.calendarFeed.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  return db.calendarFeed.findUnique({ where: { id } });
}
