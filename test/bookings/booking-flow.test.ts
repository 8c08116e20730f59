import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';

let gateway: TestGateway;
let token: string;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
const monday = upcomingMonday();
const customer = { name: 'Marty McFly', email: 'marty@hillvalley.example', timeZone: 'America/Los_Angeles' };

beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db);
  token = await gateway.tokenFor({ accounts: [setup.account.id] });
});

afterAll(() => gateway?.close());

const call = (query: string, variables: Record<string, unknown> = {}) => gateway.graphql(query, variables, token);

const book = (input: Record<string, unknown>) => call(CREATE_BOOKING, { input: { customer, ...input } });

describe('availability', () => {
  it('offers the working day of an agent in slots of the appointment type, shown in the requested zone', async () => {
    const result = await call(
      `query ($input: AvailabilityInput!) { availability(input: $input) { startsAt endsAt agents { name } } }`,
      {
        input: {
          appointmentTypeId: setup.instantTypeId,
          resourceId: setup.agentIds[0],
          from: at(monday, '00:00'),
          to: at(monday.plus({ days: 1 }), '00:00'),
          timeZone: 'America/New_York',
        },
      },
    );
    expect(result.errors).toBeUndefined();
    const slots = result.data.availability;
    expect(slots).toHaveLength(16);
    expect(new Date(slots[0].startsAt).toISOString()).toBe(new Date(at(monday, '09:00')).toISOString());
    expect(slots[0].startsAt).toMatch(/-0[45]:00$/);
    expect(new Date(slots.at(-1).endsAt).toISOString()).toBe(new Date(at(monday, '17:00')).toISOString());
    expect(slots[0].agents).toEqual([{ name: 'Agent 1' }]);
  });

  it('rejects a range that ends before it starts', async () => {
    const result = await call(`query ($input: AvailabilityInput!) { availability(input: $input) { startsAt } }`, {
      input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], from: at(monday, '10:00'), to: at(monday, '09:00') },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('createBooking', () => {
  it('confirms an INSTANT booking at once and records its creation', async () => {
    const result = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(monday, '09:00'), title: 'Catch the lightning' });
    expect(result.data.createBooking).toMatchObject({
      __typename: 'CreateBookingSuccess',
      data: { status: 'CONFIRMED', agents: [{ id: setup.agentIds[0] }], events: [{ type: 'CREATED', toStatus: 'CONFIRMED' }] },
    });
  });

  it('rejects a booking that overlaps a confirmed one on the same agent and accepts one back to back', async () => {
    const overlapping = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(monday, '09:15') });
    // 09:15 is not on the 30-minute grid, so it is not even offered; 09:00 is taken.
    expect(overlapping.data.createBooking.__typename).toBe('SlotUnavailableError');
    const same = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(monday, '09:00') });
    expect(same.data.createBooking.__typename).toBe('SlotUnavailableError');
    const backToBack = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(monday, '09:30') });
    expect(backToBack.data.createBooking.__typename).toBe('CreateBookingSuccess');
  });

  it('keeps the buffer after a booking free', async () => {
    const visit = await book({ appointmentTypeId: setup.confirmTypeId, resourceId: setup.agentIds[1], startsAt: at(monday, '10:00') });
    expect(visit.data.createBooking.data.status).toBe('TENTATIVE');
    // The visit ends at 11:00 and keeps 15 minutes after it: 11:00 collides, 11:30 does not.
    const tooSoon = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[1], startsAt: at(monday, '11:00') });
    expect(tooSoon.data.createBooking.__typename).toBe('SlotUnavailableError');
    const later = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[1], startsAt: at(monday, '11:30') });
    expect(later.data.createBooking.__typename).toBe('CreateBookingSuccess');
  });

  it('books the same time with another agent', async () => {
    const other = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[2], startsAt: at(monday, '09:00') });
    expect(other.data.createBooking.__typename).toBe('CreateBookingSuccess');
  });

  it('books over a taken time when allowDoubleBooking is set', async () => {
    const result = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(monday, '09:00'), allowDoubleBooking: true });
    expect(result.data.createBooking.__typename).toBe('CreateBookingSuccess');
  });

  it('refuses a time outside working hours', async () => {
    const result = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(monday, '07:00') });
    expect(result.data.createBooking.__typename).toBe('SlotUnavailableError');
  });
});

describe('the booking lifecycle', () => {
  it('confirms, then cancels a tentative booking with a reason, recording each step', async () => {
    const created = await book({ appointmentTypeId: setup.confirmTypeId, resourceId: setup.agentIds[2], startsAt: at(monday.plus({ days: 1 }), '10:00') });
    const id = created.data.createBooking.data.id;
    const confirmed = await call(`mutation ($id: ID!) { confirmBooking(id: $id) { __typename ... on ConfirmBookingSuccess { data { status } } } }`, { id });
    expect(confirmed.data.confirmBooking.data.status).toBe('CONFIRMED');
    const again = await call(`mutation ($id: ID!) { confirmBooking(id: $id) { __typename ... on InvalidTransitionError { status action } } }`, { id });
    expect(again.data.confirmBooking).toEqual({ __typename: 'InvalidTransitionError', status: 'CONFIRMED', action: 'CONFIRM' });
    const cancelled = await call(
      `mutation ($id: ID!) { cancelBooking(id: $id, reason: "Customer is ill") { ... on CancelBookingSuccess { data { status events { type fromStatus toStatus reason actorId } } } } }`,
      { id },
    );
    expect(cancelled.data.cancelBooking.data.status).toBe('CANCELLED');
    expect(cancelled.data.cancelBooking.data.events.map((event: any) => event.type)).toEqual(['CREATED', 'CONFIRMED', 'CANCELLED']);
    expect(cancelled.data.cancelBooking.data.events[2]).toMatchObject({ fromStatus: 'CONFIRMED', reason: 'Customer is ill', actorId: expect.any(String) });
    // The time is free again.
    const rebook = await book({ appointmentTypeId: setup.confirmTypeId, resourceId: setup.agentIds[2], startsAt: at(monday.plus({ days: 1 }), '10:00') });
    expect(rebook.data.createBooking.__typename).toBe('CreateBookingSuccess');
  });

  it('declines a tentative booking, and cannot complete a declined one', async () => {
    const created = await book({ appointmentTypeId: setup.confirmTypeId, resourceId: setup.agentIds[0], startsAt: at(monday.plus({ days: 2 }), '14:00') });
    const id = created.data.createBooking.data.id;
    const declined = await call(`mutation ($id: ID!) { declineBooking(id: $id, reason: "Fully booked") { ... on DeclineBookingSuccess { data { status } } } }`, { id });
    expect(declined.data.declineBooking.data.status).toBe('DECLINED');
    const complete = await call(`mutation ($id: ID!) { completeBooking(id: $id) { __typename } }`, { id });
    expect(complete.data.completeBooking.__typename).toBe('InvalidTransitionError');
  });

  it('reschedules atomically: the new time is taken and the old freed, linked both ways', async () => {
    const day = monday.plus({ days: 3 });
    const first = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(day, '09:00') });
    const blocker = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(day, '10:00') });
    expect(blocker.data.createBooking.__typename).toBe('CreateBookingSuccess');
    const id = first.data.createBooking.data.id;
    const RESCHEDULE = `mutation ($id: ID!, $startsAt: DateTime!) { rescheduleBooking(id: $id, startsAt: $startsAt) {
      __typename ... on RescheduleBookingSuccess { data { id status startsAt rescheduledFrom { id status rescheduledTo { id } } } } } }`;
    const intoTaken = await call(RESCHEDULE, { id, startsAt: at(day, '10:00') });
    expect(intoTaken.data.rescheduleBooking.__typename).toBe('SlotUnavailableError');
    const unchanged = await call(`query ($id: ID!) { node(id: $id) { ... on Booking { status } } }`, { id });
    expect(unchanged.data.node.status).toBe('CONFIRMED');

    const moved = await call(RESCHEDULE, { id, startsAt: at(day, '11:00') });
    const replacement = moved.data.rescheduleBooking.data;
    expect(replacement.status).toBe('CONFIRMED');
    expect(replacement.rescheduledFrom).toEqual({ id, status: 'RESCHEDULED', rescheduledTo: { id: replacement.id } });
    const reuseOld = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(day, '09:00') });
    expect(reuseOld.data.createBooking.__typename).toBe('CreateBookingSuccess');
  });
});

describe('reservations', () => {
  const RESERVE = `mutation ($input: ReserveSlotInput!) { reserveSlot(input: $input) {
    __typename ... on ReserveSlotSuccess { data { id status expiresAt agents { id } } } ... on Error { message } } }`;

  it('holds a slot for others and turns into a booking that consumes it', async () => {
    const day = monday.plus({ days: 4 });
    const reserved = await call(RESERVE, { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[1], startsAt: at(day, '13:00'), ttlSeconds: 120 } });
    const reservation = reserved.data.reserveSlot.data;
    expect(reservation.status).toBe('ACTIVE');
    expect(new Date(reservation.expiresAt).getTime()).toBeGreaterThan(Date.now() + 100_000);

    const someoneElse = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[1], startsAt: at(day, '13:00') });
    expect(someoneElse.data.createBooking.__typename).toBe('SlotUnavailableError');

    const booked = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[1], startsAt: at(day, '13:00'), reservationId: reservation.id });
    expect(booked.data.createBooking.__typename).toBe('CreateBookingSuccess');
    const consumed = await call(`query ($id: ID!) { node(id: $id) { ... on Reservation { status booking { id } } } }`, { id: reservation.id });
    expect(consumed.data.node).toEqual({ status: 'CONVERTED', booking: { id: booked.data.createBooking.data.id } });
    const twice = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[1], startsAt: at(day, '13:00'), reservationId: reservation.id });
    expect(twice.data.createBooking.__typename).toBe('ReservationUnavailableError');
  });

  it('stops blocking once expired, and an expired reservation cannot be booked', async () => {
    const day = monday.plus({ days: 4 });
    const reserved = await call(RESERVE, { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[2], startsAt: at(day, '15:00'), ttlSeconds: 1 } });
    const reservation = reserved.data.reserveSlot.data;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const status = await call(`query ($id: ID!) { node(id: $id) { ... on Reservation { status } } }`, { id: reservation.id });
    expect(status.data.node.status).toBe('EXPIRED');
    const convert = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[2], startsAt: at(day, '15:00'), reservationId: reservation.id });
    expect(convert.data.createBooking.__typename).toBe('ReservationUnavailableError');
    const someoneElse = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[2], startsAt: at(day, '15:00') });
    expect(someoneElse.data.createBooking.__typename).toBe('CreateBookingSuccess');
  });

  it('releases a reservation on request', async () => {
    const day = monday.plus({ days: 4 });
    const reserved = await call(RESERVE, { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(day, '16:00') } });
    const released = await call(`mutation ($id: ID!) { releaseReservation(id: $id) { ... on ReleaseReservationSuccess { data { status } } } }`, {
      id: reserved.data.reserveSlot.data.id,
    });
    expect(released.data.releaseReservation.data.status).toBe('RELEASED');
    const booked = await book({ appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: at(day, '16:00') });
    expect(booked.data.createBooking.__typename).toBe('CreateBookingSuccess');
  });
});
