import type { Auth } from '../auth/index.ts';
import type { Db } from '../db/client.ts';
import { databaseFault } from '../db/faults.ts';
import { scopeToAccounts } from '../db/scope.ts';
import type { Logger } from '../observability/logger.ts';
import { rateLimitHeaders } from '../rate-limits/http.ts';
import type { Limit, RateLimitState } from '../rate-limits/limits.ts';
import { requestKey } from '../rate-limits/requests.ts';
import { decodeId } from '../schema/global-id.ts';
import { findFeed, loadInvitation, serveFeed } from './feed-contents.ts';
import { FEED_PATH_PREFIX, redactedPath } from './feeds.ts';
import { invitationMethod, renderInvitation } from './icalendar.ts';

const FEED_PATH = /^\/calendar\/agents\/([A-Za-z0-9_-]{1,200})\.ics$/;
const BOOKING_PATH = /^\/bookings\/([A-Za-z0-9_=-]{1,200})\.ics$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CALENDAR = 'text/calendar; charset=utf-8';
const ALLOWED_METHODS = 'GET, HEAD';
const BEARER_CHALLENGE = 'Bearer realm="scheduling-gateway"';

export interface CalendarRoutes {
  /**
   * GET /calendar/agents/<secret>.ics (an agent's feed) and GET /bookings/<id>.ics
   * (one booking's invitation, with a bearer token); undefined for any other path.
   */
  handle(request: Request, url: URL, remoteAddress: string | undefined, requestId: string | undefined): Promise<Response | undefined>;
}

export function createCalendarRoutes({ db, auth, rateLimit, logger }: { db: Db; auth: Auth; rateLimit: Limit | undefined; logger: Logger }): CalendarRoutes {
  async function feed(request: Request, secret: string | undefined, remoteAddress: string | undefined): Promise<Response> {
    // A known secret counts against its feed, since calendar services poll many feeds from a few addresses; an
    // unknown or revoked one against its address, as any request without credentials does, so that stale
    // subscriptions polling in vain cannot take the budget of the live feeds polled from the same address.
    const found = secret === undefined ? null : await findFeed(db, secret);
    const counted = await rateLimit?.consume(found ? `calendar-feed:${found.id}` : requestKey({ kind: 'none' }, remoteAddress));
    if (counted && !counted.allowed) return tooManyRequests(counted);
    if (!found) return problem(404, 'Not Found', 'No calendar feed has this URL (it may have been revoked)', counted);
    const served = await serveFeed(db, found);
    // Weak: the gateway may send the body compressed, a different representation of the same calendar.
    const etag = `W/"${served.etag}"`;
    const headers = {
      etag,
      'last-modified': served.lastModified.toUTCString(),
      // The URL is the credential: no cache shared between users keeps it, and every use asks whether it changed.
      'cache-control': 'private, no-cache',
      ...(counted && rateLimitHeaders(counted)),
    };
    if (notModified(request.headers, etag, served.lastModified)) return new Response(null, { status: 304, headers });
    return new Response(request.method === 'HEAD' ? null : served.body, { status: 200, headers: { ...headers, 'content-type': CALENDAR } });
  }

  async function invitation(request: Request, rawId: string | undefined, remoteAddress: string | undefined): Promise<Response> {
    const authentication = await auth.authenticate(request.headers.get('authorization'));
    if (authentication.kind === 'none') return problem(401, 'Unauthorized', 'A bearer access token is required', undefined, { 'www-authenticate': BEARER_CHALLENGE });
    if (authentication.kind === 'invalid') return invalidToken(authentication.reason);
    // The client is read again, so that a revoked client's tokens stop at once, as on /graphql.
    const principal = authentication.unconfirmed ? await authentication.unconfirmed.confirm() : authentication.principal;
    if (!principal) return invalidToken('The client of this access token was revoked or no longer exists');
    const counted = await rateLimit?.consume(requestKey(authentication, remoteAddress));
    if (counted && !counted.allowed) return tooManyRequests(counted);
    if (!principal.scopes.includes('read')) return problem(403, 'Forbidden', 'This token lacks the read scope', counted);
    const bookingId = rawId === undefined ? null : bookingUuid(rawId);
    const found = bookingId ? await loadInvitation(scopeToAccounts(db, principal.accountIds), bookingId) : null;
    if (!found) return problem(404, 'Not Found', `No booking of this token's accounts has id ${rawId ?? ''}`, counted);
    const body = renderInvitation(found, new Date());
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: {
        // RFC 5546 §6.1 (iTIP over any transport): the method goes in the media type too.
        'content-type': `text/calendar; charset=utf-8; method=${invitationMethod(found.status)}`,
        'content-disposition': 'attachment; filename="invitation.ics"',
        'cache-control': 'private, no-store',
        ...(counted && rateLimitHeaders(counted)),
      },
    });
  }

  async function route(request: Request, path: string, remoteAddress: string | undefined): Promise<Response | undefined> {
    const isFeed = path.startsWith(FEED_PATH_PREFIX);
    const booking = BOOKING_PATH.exec(path);
    if (!isFeed && !booking) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return problem(405, 'Method Not Allowed', `Use ${ALLOWED_METHODS}`, undefined, { allow: ALLOWED_METHODS });
    }
    return isFeed ? feed(request, FEED_PATH.exec(path)?.[1], remoteAddress) : invitation(request, booking![1], remoteAddress);
  }

  return {
    async handle(request, url, remoteAddress, requestId) {
      try {
        return await route(request, url.pathname, remoteAddress);
      } catch (error) {
        const fault = databaseFault(error);
        if (fault === 'unavailable' || fault === 'timeout') {
          logger.error({ requestId, path: redactedPath(url.pathname), fault }, 'calendar endpoint could not use the database');
          return problem(503, 'Service Unavailable', 'The database is unavailable; try again shortly', undefined, { 'retry-after': '1' });
        }
        logger.error({ err: error, requestId, path: redactedPath(url.pathname) }, 'calendar endpoint failed');
        return problem(500, 'Internal Server Error', 'The request could not be processed');
      }
    },
  };
}

/** A booking's id as given in the path: its global id or its uuid; null for anything else. */
function bookingUuid(raw: string): string | null {
  if (UUID.test(raw)) return raw.toLowerCase();
  try {
    const { typename, id } = decodeId(raw);
    return typename === 'Booking' ? id : null;
  } catch {
    return null;
  }
}

/**
 * RFC 9110 §13.2.2: If-None-Match first (weak comparison, `*` for any), and
 * If-Modified-Since only without it, to the second.
 */
function notModified(headers: Headers, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = headers.get('if-none-match');
  if (ifNoneMatch !== null) {
    const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
  }
  const since = Date.parse(headers.get('if-modified-since') ?? '');
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/** An RFC 9457 (formerly 7807) problem document. */
function problem(status: number, title: string, detail: string, counted?: RateLimitState, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...(counted && rateLimitHeaders(counted)), ...headers },
  });
}

function invalidToken(reason: string): Response {
  return problem(401, 'Unauthorized', reason, undefined, { 'www-authenticate': `${BEARER_CHALLENGE}, error="invalid_token"` });
}

function tooManyRequests(state: RateLimitState): Response {
  return problem(429, 'Too Many Requests', `Rate limit exceeded (${state.limit} per ${state.windowSeconds} s); retry in ${state.resetSeconds} s`, state);
}
