import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { subscribeOverSse, subscribeOverWebSocket } from '../support/subscriptions.ts';
import { encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let mine: Awaited<ReturnType<typeof createBookableAccount>>;
let theirs: Awaited<ReturnType<typeof createBookableAccount>>;
let subscriberToken: string;
let bookerToken: string;
let otherToken: string;
const monday = upcomingMonday();
const customer = { name: 'Marty McFly', email: 'marty@hillvalley.example' };

const BOOKING_CHANGED = `subscription ($filter: String) { bookingChanged(filter: $filter) { eventId type status bookingId startsAt booking { id status customer { email } } } }`;

beforeAll(async () => {
  gateway = await startTestGateway({ SUBSCRIPTION_RECHECK_MS: '100', RESERVATION_SWEEP_MS: '100', SUBSCRIPTIONS_PER_CLIENT: '5' });
  mine = await createBookableAccount(gateway.db, { name: 'Mine' });
  theirs = await createBookableAccount(gateway.db, { name: 'Theirs' });
  subscriberToken = await gateway.tokenFor({ accounts: [mine.account.id], scopes: ['read'] });
  bookerToken = await gateway.tokenFor({ accounts: [mine.account.id] });
  otherToken = await gateway.tokenFor({ accounts: [theirs.account.id] });
});

afterAll(() => gateway?.close());

const book = (setup: typeof mine, token: string, time: string, extra: Record<string, unknown> = {}) =>
  gateway.graphql(CREATE_BOOKING, { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(monday, time), customer, ...extra } }, token);

const AVAILABILITY_CHANGED = `subscription ($type: ID!, $resource: ID!, $from: DateTime!, $to: DateTime!) {
  availabilityChanged(appointmentTypeId: $type, resourceId: $resource, from: $from, to: $to) { cause taken { startsAt agents { name } } freed { startsAt } }
}`;

describe('availabilityChanged', () => {
  it('pushes the slots a reservation, its expiry, a booking, its cancellation and a holiday take or free', async () => {
    const day = monday.plus({ weeks: 10 });
    const time = (hour: string) => new Date(at(day, hour)).toISOString();
    const watcher = await subscribeOverSse(
      gateway.url,
      AVAILABILITY_CHANGED,
      { type: mine.instantTypeId, resource: mine.agentIds[0], from: at(day, '09:00'), to: at(day, '12:00') },
      subscriberToken,
    );
    const slot = { appointmentTypeId: mine.instantTypeId, resourceId: mine.agentIds[0] };
    const reserved = await gateway.graphql(
      `mutation ($input: ReserveSlotInput!) { reserveSlot(input: $input) { ... on ReserveSlotSuccess { data { id } } } }`,
      { input: { ...slot, startsAt: at(day, '09:00'), ttlSeconds: 1 } },
      bookerToken,
    );
    const reservationId = reserved.data.reserveSlot.data.id;
    // No request after the reservation: only the sweeper can announce that the hold lapsed.
    await watcher.waitFor(2);
    // One change at a time: each push shows the slots as they are when it is computed, so changes close together may share one.
    const made = await book(mine, bookerToken, '10:00', { startsAt: at(day, '10:00') });
    await watcher.waitFor(3);
    await gateway.graphql(`mutation ($id: ID!) { cancelBooking(id: $id) { __typename } }`, { id: made.data.createBooking.data.id }, bookerToken);
    await watcher.waitFor(4);
    await gateway.graphql(
      `mutation ($input: CreateHolidayInput!) { createHoliday(input: $input) { __typename } }`,
      { input: { name: 'Dentist', startsAt: at(day, '11:00'), endsAt: at(day, '11:30'), agentId: mine.agentIds[0] } },
      bookerToken,
    );
    // Another agent's booking in the range changes nothing this resource offers.
    await book(mine, bookerToken, '09:30', { startsAt: at(day, '09:30'), resourceId: mine.agentIds[1] });
    await watcher.waitFor(5);
    const changes = watcher.received.map((message) => message.data!.availabilityChanged);
    expect(changes).toEqual([
      { cause: 'reservation.made', taken: [{ startsAt: time('09:00'), agents: [{ name: 'Agent 1' }] }], freed: [] },
      { cause: 'reservation.expired', taken: [], freed: [{ startsAt: time('09:00') }] },
      { cause: 'booking.created', taken: [{ startsAt: time('10:00'), agents: [{ name: 'Agent 1' }] }], freed: [] },
      { cause: 'booking.cancelled', taken: [], freed: [{ startsAt: time('10:00') }] },
      { cause: 'schedule.changed', taken: [{ startsAt: time('11:00'), agents: [{ name: 'Agent 1' }] }], freed: [] },
    ]);
    const reservation = await gateway.graphql(`query ($id: ID!) { node(id: $id) { ... on Reservation { status } } }`, { id: reservationId }, subscriberToken);
    expect(reservation.data.node.status).toBe('EXPIRED');
    watcher.close();
  });

  it('refuses a range that ends before it starts or spans more than 62 days, with a validation error', async () => {
    for (const [from, to, message] of [
      [at(monday, '12:00'), at(monday, '09:00'), 'to: Must be after from'],
      [at(monday, '09:00'), at(monday.plus({ days: 63 }), '09:00'), 'to: At most 62 days after from'],
    ]) {
      const refused = await subscribeOverSse(gateway.url, AVAILABILITY_CHANGED, { type: mine.instantTypeId, resource: mine.agentIds[0], from, to }, subscriberToken);
      await refused.ended;
      expect(refused.received).toHaveLength(1);
      expect(refused.received[0]!.errors).toMatchObject([{ message, extensions: { code: 'BAD_USER_INPUT' } }]);
    }
  });
});

describe('subscription bounds', () => {
  it('measures a subscription against the operation limits, over SSE and WebSocket alike', async () => {
    const deep = `subscription { bookingChanged { booking { ${'rescheduledFrom { '.repeat(9)}id${' }'.repeat(9)} } } }`;
    const sse = await subscribeOverSse(gateway.url, deep, {}, subscriberToken);
    await sse.ended;
    expect(JSON.stringify(sse.received)).toMatch(/depth/i);
    const ws = await subscribeOverWebSocket(gateway.url, deep, {}, subscriberToken);
    await ws.ended;
    expect(JSON.stringify(ws.received)).toMatch(/depth/i);
    ws.close();
  });

  it('refuses a client more open subscriptions than SUBSCRIPTIONS_PER_CLIENT, and frees a slot when one ends', async () => {
    const token = await gateway.tokenFor({ accounts: [mine.account.id], scopes: ['read'] });
    const open = [];
    for (let index = 0; index < 5; index += 1) open.push(await subscribeOverSse(gateway.url, BOOKING_CHANGED, {}, token));
    const refused = await subscribeOverSse(gateway.url, BOOKING_CHANGED, {}, token);
    await refused.ended;
    expect(JSON.stringify(refused.received)).toContain('TOO_MANY_SUBSCRIPTIONS');
    // Another client is not held back by this one.
    const other = await subscribeOverSse(gateway.url, BOOKING_CHANGED, {}, subscriberToken);
    open[0]!.close();
    let admitted = false;
    for (let tries = 0; tries < 50 && !admitted; tries += 1) {
      const again = await subscribeOverSse(gateway.url, BOOKING_CHANGED, {}, token);
      await Promise.race([again.ended, new Promise((resolve) => setTimeout(resolve, 100))]);
      admitted = !JSON.stringify(again.received).includes('TOO_MANY_SUBSCRIPTIONS');
      again.close();
    }
    expect(admitted).toBe(true);
    for (const subscriber of [...open, other]) subscriber.close();
    expect(JSON.stringify(other.received)).not.toContain('TOO_MANY_SUBSCRIPTIONS');
  });
});

describe('schedulingRequestChanged', () => {
  it('pushes a request’s creation and each change of its status', async () => {
    const watcher = await subscribeOverWebSocket(gateway.url, `subscription { schedulingRequestChanged { type status previousStatus schedulingRequest { id } } }`, {}, subscriberToken);
    const created = await gateway.graphql(
      `mutation ($input: CreateSchedulingRequestInput!) { createSchedulingRequest(input: $input) { ... on CreateSchedulingRequestSuccess { data { id } } } }`,
      { input: { appointmentTypeId: mine.instantTypeId, requestedByAgentId: mine.agentIds[0], resourceIds: [mine.agentIds[0]], customer } },
      bookerToken,
    );
    const requestId = created.data.createSchedulingRequest.data.id;
    await gateway.graphql(`mutation ($id: ID!) { sendSchedulingRequest(id: $id) { __typename } }`, { id: requestId }, bookerToken);
    await gateway.graphql(
      `mutation ($id: ID!, $input: ScheduleSchedulingRequestInput!) { scheduleSchedulingRequest(id: $id, input: $input) { __typename } }`,
      { id: requestId, input: { startsAt: at(monday.plus({ weeks: 11 }), '09:00') } },
      bookerToken,
    );
    await watcher.waitFor(3);
    expect(watcher.received.map((message) => message.data!.schedulingRequestChanged)).toEqual([
      { type: 'CREATED', status: 'NEW', previousStatus: null, schedulingRequest: { id: requestId } },
      { type: 'SENT', status: 'SENT', previousStatus: 'NEW', schedulingRequest: { id: requestId } },
      { type: 'SCHEDULED', status: 'SCHEDULED', previousStatus: 'SENT', schedulingRequest: { id: requestId } },
    ]);
    watcher.close();
  });
});

describe('bookingChanged', () => {
  it('reaches an SSE and a WebSocket subscriber with bookings made by another client, and never with another account’s', async () => {
    const sse = await subscribeOverSse(gateway.url, BOOKING_CHANGED, {}, subscriberToken);
    const ws = await subscribeOverWebSocket(gateway.url, BOOKING_CHANGED, {}, subscriberToken);
    expect(sse.status).toBe(200);
    await book(theirs, otherToken, '09:00');
    const made = await book(mine, bookerToken, '09:00');
    expect(made.data.createBooking.__typename).toBe('CreateBookingSuccess');
    const cancelled = await gateway.graphql(`mutation ($id: ID!) { cancelBooking(id: $id, reason: "ill") { __typename } }`, { id: made.data.createBooking.data.id }, bookerToken);
    expect(cancelled.errors).toBeUndefined();
    await book(theirs, otherToken, '10:00');
    for (const subscriber of [sse, ws]) {
      await subscriber.waitFor(2);
      const changes = subscriber.received.map((message) => message.data!.bookingChanged);
      expect(changes.map((change: any) => change.type)).toEqual(['CREATED', 'CANCELLED']);
      expect(new Set(changes.map((change: any) => change.bookingId))).toEqual(new Set([made.data.createBooking.data.id]));
      expect(changes[1].booking).toMatchObject({ status: 'CANCELLED', customer: { email: customer.email } });
    }
    // The other account's two bookings were relayed around the ones above: give any leak the time to show.
    await book(mine, bookerToken, '11:00');
    await sse.waitFor(3);
    await ws.waitFor(3);
    expect(sse.received).toHaveLength(3);
    expect(ws.received).toHaveLength(3);
    sse.close();
    ws.close();
  });

  it('narrows by a TQL filter as the bookings list does', async () => {
    const filtered = await subscribeOverSse(gateway.url, BOOKING_CHANGED, { filter: 'booking.title EQ Wanted' }, subscriberToken);
    await book(mine, bookerToken, '12:00', { title: 'Unwanted' });
    await book(mine, bookerToken, '13:00', { title: 'Wanted' });
    await filtered.waitFor(1);
    await book(mine, bookerToken, '14:00', { title: 'Wanted' });
    await filtered.waitFor(2);
    expect(filtered.received.map((message) => message.data!.bookingChanged.startsAt)).toEqual([at(monday, '13:00'), at(monday, '14:00')].map((time) => new Date(time).toISOString()));
    filtered.close();
  });

  it('refuses another account’s id, a bad filter, and a WebSocket without a valid token', async () => {
    const forbidden = await subscribeOverSse(gateway.url, `subscription ($ids: [ID!]) { bookingChanged(accountIds: $ids) { eventId } }`, { ids: [encodeId('Account', theirs.account.id)] }, subscriberToken);
    await forbidden.ended;
    expect(JSON.stringify(forbidden.received)).toContain('FORBIDDEN');
    const bad = await subscribeOverSse(gateway.url, BOOKING_CHANGED, { filter: 'nonsense EQ' }, subscriberToken);
    await bad.ended;
    expect(JSON.stringify(bad.received)).toContain('BAD_USER_INPUT');
    await expect(subscribeOverWebSocket(gateway.url, BOOKING_CHANGED, {}, 'not-a-token')).rejects.toBeDefined();
  });

  it('sends nothing for a booking that was rolled back', async () => {
    const subscriber = await subscribeOverSse(gateway.url, BOOKING_CHANGED, {}, subscriberToken);
    // The same slot twice: the second attempt's transaction fails on the exclusion constraint and rolls back.
    await book(mine, bookerToken, '15:00');
    const refused = await book(mine, bookerToken, '15:00');
    expect(refused.data.createBooking.__typename).toBe('SlotUnavailableError');
    await book(mine, bookerToken, '16:00');
    await subscriber.waitFor(2);
    expect(subscriber.received.map((message) => message.data!.bookingChanged.startsAt)).toEqual([at(monday, '15:00'), at(monday, '16:00')].map((time) => new Date(time).toISOString()));
    const rows = await gateway.db.outboxEvent.count({ where: { accountId: mine.account.id, type: 'booking.created' } });
    const bookings = await gateway.db.booking.count({ where: { accountId: mine.account.id } });
    expect(rows).toBe(bookings);
    subscriber.close();
  });

  it('ends the streams of a revoked client', async () => {
    const token = await gateway.tokenFor({ accounts: [mine.account.id], scopes: ['read'] });
    const client = await gateway.db.apiClient.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    const sse = await subscribeOverSse(gateway.url, BOOKING_CHANGED, {}, token);
    const ws = await subscribeOverWebSocket(gateway.url, BOOKING_CHANGED, {}, token);
    await gateway.db.apiClient.update({ where: { id: client.id }, data: { revokedAt: new Date() } });
    await sse.ended;
    await ws.ended;
  });
});
