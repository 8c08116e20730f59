import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../support/fixtures.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let gateway: TestGateway;
let token: string;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
let soonTypeId: string;
let nearTypeId: string;
const monday = upcomingMonday();
const tuesday = monday.plus({ days: 1 });
const customer = { name: 'Marty McFly', email: 'marty@hillvalley.example' };

const UNAVAILABLE = `... on SlotUnavailableError { reason startsAt requestedStart message }`;

beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db);
  token = await gateway.tokenFor({ accounts: [setup.account.id] });
  const type = (internalName: string, values: { minimumNoticeMinutes?: number; bookingWindowDays?: number }) =>
    gateway.db.appointmentType.create({ data: { accountId: setup.account.id, internalName, externalName: internalName, durationMinutes: 30, slotIntervalMinutes: 30, ...values } });
  // Monday is 7 to 13 days ahead: within a 30-day notice, beyond a 3-day window.
  soonTypeId = encodeId('AppointmentType', (await type('Notice', { minimumNoticeMinutes: 30 * 24 * 60, bookingWindowDays: 60 })).id);
  nearTypeId = encodeId('AppointmentType', (await type('Near', { bookingWindowDays: 3 })).id);
  await gateway.db.holiday.create({
    data: { accountId: setup.account.id, workdayId: setup.workday.id, name: 'Bank holiday', startsAt: new Date(at(tuesday, '00:00')), endsAt: new Date(at(tuesday.plus({ days: 1 }), '00:00')), allDay: true },
  });
});

afterAll(() => gateway?.close());

const call = (query: string, variables: Record<string, unknown> = {}) => gateway.graphql(query, variables, token);

async function book(startsAt: string, input: Record<string, unknown> = {}) {
  const result = await call(`mutation ($input: CreateBookingInput!) { createBooking(input: $input) { __typename ${UNAVAILABLE} } }`, {
    input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt, customer, ...input },
  });
  expect(result.errors).toBeUndefined();
  return result.data.createBooking;
}

/** A London wall-clock time of `day`, written with the offset of `zone`. */
const written = (day: DateTime, time: string, zone: string) => DateTime.fromISO(at(day, time)).setZone(zone).toISO()!;

describe('SlotUnavailableError.reason', () => {
  it('says OUTSIDE_WORKING_HOURS, echoing the requested start in the offset it was written in', async () => {
    const startsAt = written(monday, '07:00', 'Asia/Kolkata');
    expect(startsAt).toMatch(/\+05:30$/);
    const error = await book(startsAt);
    expect(error).toMatchObject({ __typename: 'SlotUnavailableError', reason: 'OUTSIDE_WORKING_HOURS', requestedStart: startsAt, startsAt: new Date(startsAt).toISOString() });
    expect(error.message).toBe(`${startsAt} is not an available slot of this resource: it is outside working hours`);
    expect((await book(written(monday, '07:00', 'America/New_York'))).requestedStart).toMatch(/-0[45]:00$/);
  });

  it('says HOLIDAY, OFF_INTERVAL, IN_THE_PAST, TOO_SOON and BEYOND_WINDOW', async () => {
    expect(await book(at(tuesday, '10:00'))).toMatchObject({ reason: 'HOLIDAY' });
    expect(await book(at(monday, '09:10'))).toMatchObject({ reason: 'OFF_INTERVAL' });
    expect(await book(at(monday.minus({ days: 14 }), '10:00'))).toMatchObject({ reason: 'IN_THE_PAST' });
    expect(await book(at(monday, '10:00'), { appointmentTypeId: soonTypeId })).toMatchObject({ reason: 'TOO_SOON' });
    expect(await book(at(monday, '10:00'), { appointmentTypeId: nearTypeId })).toMatchObject({ reason: 'BEYOND_WINDOW' });
  });

  it('says TAKEN for a booked time, on createBooking, reserveSlot and for a named team member', async () => {
    expect(await book(at(monday, '11:00'))).toMatchObject({ __typename: 'CreateBookingSuccess' });
    expect(await book(at(monday, '11:00'))).toMatchObject({ reason: 'TAKEN', requestedStart: DateTime.fromISO(at(monday, '11:00')).toUTC().toISO() });
    const reserved = await call(
      `mutation ($input: ReserveSlotInput!) { reserveSlot(input: $input) { __typename ${UNAVAILABLE} } }`,
      { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(monday, '11:00') } },
    );
    expect(reserved.data.reserveSlot).toMatchObject({ __typename: 'SlotUnavailableError', reason: 'TAKEN' });
    // The team has free members at 11:00, but not the one asked for.
    const member = await book(at(monday, '11:00'), { resourceId: setup.anyTeamId, agentId: setup.agentIds[0] });
    expect(member).toMatchObject({ reason: 'TAKEN' });
    expect(member.message).toContain('that team member');
    // COLLECTIVE needs everyone: the busy member decides.
    expect(await book(at(monday, '11:00'), { resourceId: setup.collectiveTeamId })).toMatchObject({ reason: 'TAKEN' });
  });

  it('comes with rescheduleBooking and scheduleSchedulingRequest too', async () => {
    const booked = await call(CREATE_BOOKING, { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[1], startsAt: at(monday, '14:00'), customer } });
    const id = booked.data.createBooking.data.id;
    const moved = await call(`mutation ($id: ID!, $startsAt: DateTime!) { rescheduleBooking(id: $id, startsAt: $startsAt) { __typename ${UNAVAILABLE} } }`, {
      id,
      startsAt: written(tuesday, '14:00', 'Europe/Berlin'),
    });
    expect(moved.data.rescheduleBooking).toMatchObject({ reason: 'HOLIDAY', requestedStart: written(tuesday, '14:00', 'Europe/Berlin') });

    const created = await call(
      `mutation ($input: CreateSchedulingRequestInput!) { createSchedulingRequest(input: $input) { ... on CreateSchedulingRequestSuccess { data { id } } } }`,
      { input: { appointmentTypeId: setup.instantTypeId, requestedByAgentId: setup.agentIds[0], resourceIds: [setup.agentIds[2]], customer } },
    );
    const scheduled = await call(
      `mutation ($id: ID!, $startsAt: DateTime!) { scheduleSchedulingRequest(id: $id, input: { startsAt: $startsAt }) { __typename ${UNAVAILABLE} } }`,
      { id: created.data.createSchedulingRequest.data.id, startsAt: at(monday, '15:45') },
    );
    expect(scheduled.data.scheduleSchedulingRequest).toMatchObject({ reason: 'OFF_INTERVAL' });
  });
});
