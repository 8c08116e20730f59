import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let northwind: Awaited<ReturnType<typeof createBookableAccount>>;
let contoso: Awaited<ReturnType<typeof createBookableAccount>>;
let northwindToken: string;
let contosoToken: string;
const monday = upcomingMonday();
const customer = { name: 'Ada Lovelace', email: 'ada@analytical.example', phone: '+44 20 7946 0000' };

beforeAll(async () => {
  gateway = await startTestGateway();
  northwind = await createBookableAccount(gateway.db, { name: 'Northwind', agents: 4 });
  contoso = await createBookableAccount(gateway.db, { name: 'Contoso', agents: 2 });
  northwindToken = await gateway.tokenFor({ accounts: [northwind.account.id] });
  contosoToken = await gateway.tokenFor({ accounts: [contoso.account.id] });
});

afterAll(() => gateway?.close());

const CREATE_FEED = `mutation ($input: CreateCalendarFeedInput!) { createCalendarFeed(input: $input) {
  __typename ... on CreateCalendarFeedSuccess { data { url webcalUrl calendarFeed { id name agent { id } revokedAt } } } ... on Error { message } } }`;

async function createFeed(agentId: string, token = northwindToken, name?: string) {
  const result = await gateway.graphql(CREATE_FEED, { input: { agentId, name } }, token);
  expect(result.errors).toBeUndefined();
  expect(result.data.createCalendarFeed.__typename).toBe('CreateCalendarFeedSuccess');
  const { url, webcalUrl, calendarFeed } = result.data.createCalendarFeed.data;
  return { id: calendarFeed.id as string, url: url as string, webcalUrl: webcalUrl as string, path: new URL(url).pathname };
}

/** The feed through the gateway's real port (the URL names the configured public address). */
const getFeed = (path: string, headers: Record<string, string> = {}) => fetch(`${gateway.url}${path}`, { headers });

async function book(token: string, input: Record<string, unknown>): Promise<string> {
  const result = await gateway.graphql(CREATE_BOOKING, { input: { customer, ...input } }, token);
  expect(result.data?.createBooking?.__typename, JSON.stringify(result)).toBe('CreateBookingSuccess');
  return result.data.createBooking.data.id;
}

const bookAgent = (agent: number, startsAt: string, extra: Record<string, unknown> = {}) =>
  book(northwindToken, { appointmentTypeId: northwind.instantTypeId, resourceId: northwind.agentIds[agent], startsAt, ...extra });

interface ParsedEvent {
  uid: string;
  sequence: number;
  status: string;
  start: string;
  end: string;
  startIsUtc: boolean;
  summary: string;
  description: string;
  raw: string;
}

function parseCalendar(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events: ParsedEvent[] = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      sequence: event.sequence,
      status: String(vevent.getFirstPropertyValue('status')),
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      startIsUtc: event.startDate.zone === ICAL.Timezone.utcTimezone,
      summary: event.summary,
      description: event.description,
      raw: vevent.toString(),
    };
  });
  return { calendar, events, method: calendar.getFirstPropertyValue('method') as string | null };
}

async function feedEvents(path: string) {
  const response = await getFeed(path);
  expect(response.status).toBe(200);
  return parseCalendar(await response.text()).events;
}

const iso = (time: string) => new Date(time).toISOString();

/** The first change of Europe/London's offset at least a week ahead, with the Friday before and the Monday after it. */
function nextClockChange() {
  let day = DateTime.now().setZone('Europe/London').startOf('day').plus({ days: 7 });
  while (day.offset === day.plus({ days: 1 }).offset) day = day.plus({ days: 1 });
  let before = day;
  while (before.weekday !== 5) before = before.minus({ days: 1 });
  let after = day.plus({ days: 1 });
  while (after.weekday !== 1) after = after.plus({ days: 1 });
  return { before, after };
}

describe('an agent’s calendar feed', () => {
  it('is a URL with a secret, over http(s) and webcal://, that answers text/calendar', async () => {
    const feed = await createFeed(northwind.agentIds[3]!, northwindToken, 'Ada’s phone');
    expect(feed.url).toMatch(/^http:\/\/gateway\.test\/calendar\/agents\/sgf_[A-Za-z0-9_-]{43}\.ics$/);
    expect(feed.webcalUrl).toBe(feed.url.replace(/^http:/, 'webcal:'));
    const response = await getFeed(feed.path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const { calendar, events } = parseCalendar(await response.text());
    expect(calendar.getFirstPropertyValue('prodid')).toMatch(/Open Scheduling Gateway/);
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Bookings of Agent 4');
    expect(String(calendar.getFirstPropertyValue('refresh-interval'))).toBe('PT15M');
    expect(events).toEqual([]);
  });

  it('gives the agent’s bookings at the right UTC instants on both sides of the clocks changing in London', async () => {
    const { before, after } = nextClockChange();
    const feed = await createFeed(northwind.agentIds[0]!);
    const beforeId = await bookAgent(0, at(before, '09:00'), { title: 'Before the change' });
    const afterId = await bookAgent(0, at(after, '09:00'), { title: 'After the change' });
    const events = await feedEvents(feed.path);
    const byUid = new Map(events.map((event) => [event.uid, event]));
    const expected = (day: DateTime) => day.set({ hour: 9 }).toUTC();
    const first = byUid.get(decodeUuid(beforeId))!;
    const second = byUid.get(decodeUuid(afterId))!;
    expect(first).toMatchObject({ start: expected(before).toISO(), end: expected(before).plus({ minutes: 30 }).toISO(), startIsUtc: true });
    expect(second).toMatchObject({ start: expected(after).toISO(), end: expected(after).plus({ minutes: 30 }).toISO(), startIsUtc: true });
    // 09:00 in London is 09:00Z in winter and 08:00Z in summer: one side of the change each.
    expect(new Set([new Date(first.start).getUTCHours(), new Date(second.start).getUTCHours()])).toEqual(new Set([8, 9]));
    expect(first).toMatchObject({ sequence: 0, status: 'CONFIRMED', summary: 'Before the change with Ada Lovelace' });
    expect(first.description).toBe(`Booking ${beforeId}`);
  });

  it('keeps the UID and bumps SEQUENCE on every reschedule, showing only the latest time', async () => {
    const feed = await createFeed(northwind.agentIds[1]!);
    const id = await bookAgent(1, at(monday, '09:00'));
    const uid = decodeUuid(id);
    expect(await feedEvents(feed.path)).toMatchObject([{ uid, sequence: 0, start: iso(at(monday, '09:00')) }]);

    const RESCHEDULE = `mutation ($id: ID!, $startsAt: DateTime!) { rescheduleBooking(id: $id, startsAt: $startsAt) {
      __typename ... on RescheduleBookingSuccess { data { id } } ... on Error { message } } }`;
    const moved = await gateway.graphql(RESCHEDULE, { id, startsAt: at(monday, '11:00') }, northwindToken);
    const movedId = moved.data.rescheduleBooking.data.id as string;
    expect(movedId).not.toBe(id);
    expect(await feedEvents(feed.path)).toMatchObject([{ uid, sequence: 1, status: 'CONFIRMED', start: iso(at(monday, '11:00')) }]);

    const again = await gateway.graphql(RESCHEDULE, { id: movedId, startsAt: at(monday.plus({ days: 1 }), '14:00') }, northwindToken);
    const latestId = again.data.rescheduleBooking.data.id as string;
    const events = await feedEvents(feed.path);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ uid, sequence: 2, start: iso(at(monday.plus({ days: 1 }), '14:00')) });

    // The invitation of any version is the latest one.
    for (const version of [id, movedId, latestId]) {
      const invitation = parseCalendar(await (await getInvitation(version, northwindToken)).text());
      expect(invitation.events).toMatchObject([{ uid, sequence: 2, start: iso(at(monday.plus({ days: 1 }), '14:00')) }]);
    }
  });

  it('maps statuses: TENTATIVE while unconfirmed, CANCELLED once cancelled or declined', async () => {
    const feed = await createFeed(northwind.agentIds[2]!);
    const tentative = await book(northwindToken, { appointmentTypeId: northwind.confirmTypeId, resourceId: northwind.agentIds[2], startsAt: at(monday, '09:00') });
    const declined = await book(northwindToken, { appointmentTypeId: northwind.confirmTypeId, resourceId: northwind.agentIds[2], startsAt: at(monday, '13:00') });
    const cancelled = await bookAgent(2, at(monday, '15:00'));
    await gateway.graphql(`mutation ($id: ID!) { declineBooking(id: $id) { __typename } }`, { id: declined }, northwindToken);
    await gateway.graphql(`mutation ($id: ID!) { cancelBooking(id: $id) { __typename } }`, { id: cancelled }, northwindToken);
    const status = new Map((await feedEvents(feed.path)).map((event) => [event.uid, event.status]));
    expect(status.get(decodeUuid(tentative))).toBe('TENTATIVE');
    expect(status.get(decodeUuid(declined))).toBe('CANCELLED');
    expect(status.get(decodeUuid(cancelled))).toBe('CANCELLED');
  });

  it('lists a team booking in the feed of every agent it occupies', async () => {
    const [first, second] = [await createFeed(northwind.agentIds[0]!), await createFeed(northwind.agentIds[3]!)];
    const id = await book(northwindToken, { appointmentTypeId: northwind.instantTypeId, resourceId: northwind.collectiveTeamId, startsAt: at(monday.plus({ days: 2 }), '16:00') });
    for (const feed of [first, second]) expect((await feedEvents(feed.path)).map((event) => event.uid)).toContain(decodeUuid(id));
  });

  it('carries what and when, never the customer’s e-mail or phone, nor the booking’s description', async () => {
    const feed = await createFeed(northwind.agentIds[3]!);
    await bookAgent(3, at(monday.plus({ days: 3 }), '10:00'), { description: 'Door code 4711', location: 'Room 2' });
    const text = await (await getFeed(feed.path)).text();
    expect(text).toContain('LOCATION:Room 2');
    expect(text).toContain('Ada Lovelace');
    expect(text).not.toContain(customer.email);
    expect(text).not.toContain('7946');
    expect(text).not.toContain('4711');
  });

  it('never shows another account’s bookings, and cannot be made for another account’s agent', async () => {
    const feed = await createFeed(northwind.agentIds[0]!);
    const foreign = await book(contosoToken, { appointmentTypeId: contoso.instantTypeId, resourceId: contoso.agentIds[0], startsAt: at(monday.plus({ days: 4 }), '09:00') });
    const contosoFeed = await createFeed(contoso.agentIds[0]!, contosoToken);
    const uids = (await feedEvents(feed.path)).map((event) => event.uid);
    expect(uids.length).toBeGreaterThan(0);
    expect(uids).not.toContain(decodeUuid(foreign));
    expect((await feedEvents(contosoFeed.path)).map((event) => event.uid)).toEqual([decodeUuid(foreign)]);
    const refused = await gateway.graphql(CREATE_FEED, { input: { agentId: northwind.agentIds[0] } }, contosoToken);
    expect(refused.data.createCalendarFeed).toMatchObject({ __typename: 'NotFoundError' });
  });

  it('answers 404 to a revoked secret, a bogus secret and a malformed path alike', async () => {
    const feed = await createFeed(northwind.agentIds[1]!);
    expect((await getFeed(feed.path)).status).toBe(200);
    const revoked = await gateway.graphql(
      `mutation ($id: ID!) { revokeCalendarFeed(id: $id) { __typename ... on RevokeCalendarFeedSuccess { data { revokedAt } } } }`,
      { id: feed.id },
      northwindToken,
    );
    expect(revoked.data.revokeCalendarFeed.data.revokedAt).toEqual(expect.any(String));
    const bogus = `/calendar/agents/sgf_${'A'.repeat(43)}.ics`;
    for (const path of [feed.path, bogus, '/calendar/agents/nothing', '/calendar/agents/a%2Fb.ics']) {
      const response = await getFeed(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 404, title: 'Not Found' });
    }
  });

  it('answers HEAD with the headers alone, and refuses other methods with 405', async () => {
    const feed = await createFeed(northwind.agentIds[1]!);
    const head = await fetch(`${gateway.url}${feed.path}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe((await getFeed(feed.path)).headers.get('etag'));
    expect(await head.text()).toBe('');
    const response = await fetch(`${gateway.url}${feed.path}`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 304 to a client holding the current ETag or Last-Modified, and 200 once the calendar changed', async () => {
    const feed = await createFeed(northwind.agentIds[1]!);
    const first = await getFeed(feed.path);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]{43}"$/);
    expect(new Date(lastModified).getTime()).not.toBeNaN();
    const body = await first.text();

    const again = await getFeed(feed.path);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe(body);
    const byEtag = await getFeed(feed.path, { 'if-none-match': etag });
    expect(byEtag.status).toBe(304);
    expect(byEtag.headers.get('etag')).toBe(etag);
    expect(await byEtag.text()).toBe('');
    expect((await getFeed(feed.path, { 'if-none-match': `"other", ${etag.slice(2)}` })).status).toBe(304);
    expect((await getFeed(feed.path, { 'if-modified-since': lastModified })).status).toBe(304);
    // If-None-Match wins over If-Modified-Since.
    expect((await getFeed(feed.path, { 'if-none-match': '"other"', 'if-modified-since': lastModified })).status).toBe(200);

    await bookAgent(1, at(monday.plus({ days: 2 }), '13:00'));
    const changed = await getFeed(feed.path, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(new Date(changed.headers.get('last-modified')!).getTime()).toBeGreaterThan(new Date(lastModified).getTime());
    expect((await getFeed(feed.path, { 'if-modified-since': lastModified })).status).toBe(200);
  });
});

const getInvitation = (id: string, token?: string) =>
  fetch(`${gateway.url}/bookings/${id}.ics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('one booking’s invitation', () => {
  it('is an iTIP REQUEST with the agent as organizer and the customer as attendee, by global id or uuid', async () => {
    const id = await bookAgent(0, at(monday.plus({ days: 1 }), '10:00'), { description: 'Bring the engine plans' });
    for (const ref of [id, decodeUuid(id)]) {
      const response = await getInvitation(ref, northwindToken);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8; method=REQUEST');
      const { method, events, calendar } = parseCalendar(await response.text());
      expect(method).toBe('REQUEST');
      expect(events).toMatchObject([{ uid: decodeUuid(id), sequence: 0, status: 'CONFIRMED', start: iso(at(monday.plus({ days: 1 }), '10:00')) }]);
      const vevent = calendar.getFirstSubcomponent('vevent')!;
      // The scheme of a calendar address is case-insensitive (RFC 3986 §3.1).
      expect(String(vevent.getFirstPropertyValue('organizer')).toLowerCase()).toBe(`mailto:agent1@${northwind.account.slug}.example`);
      expect(vevent.getAllProperties('attendee').map((attendee) => String(attendee.getFirstValue()).toLowerCase())).toEqual([`mailto:${customer.email}`]);
      expect(events[0]!.description).toBe('Bring the engine plans');
    }
  });

  it('is an iTIP CANCEL once the booking is cancelled', async () => {
    const id = await bookAgent(0, at(monday.plus({ days: 1 }), '14:00'));
    await gateway.graphql(`mutation ($id: ID!) { cancelBooking(id: $id) { __typename } }`, { id }, northwindToken);
    const response = await getInvitation(id, northwindToken);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8; method=CANCEL');
    const { method, events } = parseCalendar(await response.text());
    expect(method).toBe('CANCEL');
    expect(events).toMatchObject([{ uid: decodeUuid(id), status: 'CANCELLED' }]);
  });

  it('names every agent of a team booking: the first as organizer, the others as attendees', async () => {
    const id = await book(northwindToken, { appointmentTypeId: northwind.instantTypeId, resourceId: northwind.collectiveTeamId, startsAt: at(monday.plus({ days: 3 }), '16:00') });
    const { calendar } = parseCalendar(await (await getInvitation(id, northwindToken)).text());
    const vevent = calendar.getFirstSubcomponent('vevent')!;
    const address = (value: unknown) => String(value).toLowerCase();
    const agent = (number: number) => `mailto:agent${number}@${northwind.account.slug}.example`;
    expect(address(vevent.getFirstPropertyValue('organizer'))).toBe(agent(1));
    expect(vevent.getAllProperties('attendee').map((attendee) => address(attendee.getFirstValue()))).toEqual([`mailto:${customer.email}`, agent(2), agent(3), agent(4)]);
  });

  it('needs the read scope, and stops at once for a revoked client', async () => {
    const id = await bookAgent(0, at(monday.plus({ days: 3 }), '09:00'));
    const writer = await gateway.tokenFor({ accounts: [northwind.account.id], scopes: ['write'] });
    expect((await getInvitation(id, writer)).status).toBe(403);
    const reader = await gateway.tokenFor({ accounts: [northwind.account.id], scopes: ['read'] });
    expect((await getInvitation(id, reader)).status).toBe(200);
    const clientId = JSON.parse(Buffer.from(reader.split('.')[1]!, 'base64url').toString()).sub as string;
    await gateway.db.apiClient.update({ where: { clientId }, data: { revokedAt: new Date() } });
    const revoked = await getInvitation(id, reader);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('is refused for another account’s booking (404), without a token (401) and for a bogus id (404)', async () => {
    const id = await bookAgent(0, at(monday.plus({ days: 1 }), '15:00'));
    const foreign = await getInvitation(id, contosoToken);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ status: 404 });
    expect((await getInvitation(decodeUuid(id), contosoToken)).status).toBe(404);
    const anonymous = await getInvitation(id);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await getInvitation(id, 'not-a-token')).status).toBe(401);
    expect((await getInvitation('bm9wZQ', northwindToken)).status).toBe(404);
    expect((await getInvitation(encodeId('Agent', northwind.agents[0]!.id), northwindToken)).status).toBe(404);
  });
});

describe('calendar feeds and tenant isolation', () => {
  it('lists, loads and revokes only the feeds of the token’s accounts', async () => {
    const own = await createFeed(northwind.agentIds[2]!);
    const foreign = await createFeed(contoso.agentIds[1]!, contosoToken);
    const listed = await gateway.graphql(`{ calendarFeeds(first: 100) { totalCount nodes { id account { name } } } }`, {}, northwindToken);
    expect(listed.errors).toBeUndefined();
    const ids = listed.data.calendarFeeds.nodes.map((node: any) => node.id);
    expect(ids).toContain(own.id);
    expect(ids).not.toContain(foreign.id);
    expect(listed.data.calendarFeeds.totalCount).toBe(ids.length);
    expect(listed.data.calendarFeeds.nodes.every((node: any) => node.account.name === 'Northwind')).toBe(true);

    const nodes = await gateway.graphql(
      `query ($own: ID!, $foreign: ID!) { own: node(id: $own) { ... on CalendarFeed { name agent { name } } } foreign: node(id: $foreign) { id } }`,
      { own: own.id, foreign: foreign.id },
      northwindToken,
    );
    expect(nodes.errors).toBeUndefined();
    expect(nodes.data).toEqual({ own: { name: 'Calendar feed', agent: { name: 'Agent 3' } }, foreign: null });
    const revoke = await gateway.graphql(`mutation ($id: ID!) { revokeCalendarFeed(id: $id) { __typename } }`, { id: foreign.id }, northwindToken);
    expect(revoke.data.revokeCalendarFeed.__typename).toBe('NotFoundError');
    expect((await getFeed(foreign.path)).status).toBe(200);
    const forbidden = await gateway.graphql(
      `query ($accounts: [ID!]) { calendarFeeds(accountIds: $accounts) { totalCount } }`,
      { accounts: [encodeId('Account', contoso.account.id)] },
      northwindToken,
    );
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('needs the write scope to create a feed', async () => {
    const reader = await gateway.tokenFor({ accounts: [northwind.account.id], scopes: ['read'] });
    const result = await gateway.graphql(CREATE_FEED, { input: { agentId: northwind.agentIds[0] } }, reader);
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('cost shape', () => {
  it('serves a feed in the same number of SQL statements for 1 booking and for 40', async () => {
    const statementsFor = async (path: string) => {
      await getFeed(path); // records the body, so that the measured request is a plain read
      const before = gateway.statements.count;
      const response = await getFeed(path);
      expect(response.status).toBe(200);
      await response.text();
      return gateway.statements.count - before;
    };
    const setup = await createBookableAccount(gateway.db, { name: 'Busy', agents: 2 });
    const token = await gateway.tokenFor({ accounts: [setup.account.id] });
    const quiet = await createFeed(setup.agentIds[0]!, token);
    const busy = await createFeed(setup.agentIds[1]!, token);
    await book(token, { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(monday, '09:00') });
    for (let day = 0; day < 5; day += 1) {
      for (let slot = 0; slot < 8; slot += 1) {
        const startsAt = at(monday.plus({ days: day }), `${String(9 + slot).padStart(2, '0')}:00`);
        await book(token, { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[1], startsAt });
      }
    }
    expect(await feedEvents(busy.path)).toHaveLength(40);
    const one = await statementsFor(quiet.path);
    const forty = await statementsFor(busy.path);
    expect(one).toBeLessThanOrEqual(2);
    expect(forty).toBe(one);
  });
});

function decodeUuid(globalId: string): string {
  return Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;
}
