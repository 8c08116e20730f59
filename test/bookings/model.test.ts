import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeId } from '../../src/schema/global-id.ts';
import { at, createBookableAccount, upcomingMonday } from '../support/booking-fixtures.ts';
import {
  BookingModel,
  initialStatus,
  nextStatus,
  type ModelResource,
  type ModelType,
  type StatusAction,
} from '../support/booking-model.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Model-based test of the booking engine: random sequences of reserve, book,
 * confirm, decline, cancel, complete, reschedule, expire and release go
 * through HTTP to a real server, and an in-memory model predicts every answer.
 * After each step the database must hold no overlapping exclusive time of an
 * agent, must agree with the model, `availability` must list exactly the
 * slots the model predicts, and one of them must book at once. Commands
 * name bookings and reservations as `#n`: the n-th modulo how many exist.
 */

const RUNS = 20;
const MIN_COMMANDS = 6;
const MAX_COMMANDS = 15;
/** A reservation this close to expiring could expire during a request: wait for it rather than guess. */
const EXPIRY_MARGIN_MS = 500;

const monday = upcomingMonday();
/** Few start times on one morning, so that commands collide often; 16:30 only fits the short type. */
const CANDIDATE_TIMES = ['09:00', '09:30', '10:00', '10:30', '11:00', '16:30'];
const customer = { name: 'Doc Brown', email: 'doc@hillvalley.example' };
/** Names for counterexamples, in the order setUpRun lists resources and types. */
const RESOURCE_NAMES = ['Agent 1', 'Agent 2', 'Agent 3', 'ANY team', 'ROUND_ROBIN team', 'COLLECTIVE team'];
const TYPE_NAMES = ['Call', 'Visit'];

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});

afterAll(() => gateway?.close());

interface Real {
  token: string;
  accountId: string;
  resources: ModelResource[];
  types: ModelType[];
  /** Which (resource, type) pair the next availability check looks at. */
  probeOffset: number;
  steps: number;
}

const ERROR = `__typename ... on Error { message }`;
const TRANSITION_ERROR = `${ERROR} ... on InvalidTransitionError { status action }`;
const RESERVATION_ERROR = `${ERROR} ... on ReservationUnavailableError { reason }`;
const BOOKING_FIELDS = `data { id status startsAt agents { id } }`;

const CREATE_BOOKING = `mutation ($input: CreateBookingInput!) {
  createBooking(input: $input) { ${RESERVATION_ERROR} ... on CreateBookingSuccess { ${BOOKING_FIELDS} } } }`;
const RESERVE_SLOT = `mutation ($input: ReserveSlotInput!) {
  reserveSlot(input: $input) { ${RESERVATION_ERROR} ... on ReserveSlotSuccess { data { id status expiresAt agents { id } } } } }`;
const RELEASE_RESERVATION = `mutation ($id: ID!) {
  releaseReservation(id: $id) { ${RESERVATION_ERROR} ... on ReleaseReservationSuccess { data { id status } } } }`;
const RESCHEDULE_BOOKING = `mutation ($id: ID!, $startsAt: DateTime!) {
  rescheduleBooking(id: $id, startsAt: $startsAt) { ${TRANSITION_ERROR} ... on RescheduleBookingSuccess { ${BOOKING_FIELDS} } } }`;
const STATUS_MUTATIONS: Record<StatusAction, string> = {
  CONFIRM: 'confirmBooking',
  DECLINE: 'declineBooking',
  CANCEL: 'cancelBooking',
  COMPLETE: 'completeBooking',
  MARK_NO_SHOW: 'markNoShow',
};
const capitalised = (name: string) => `${name[0]!.toUpperCase()}${name.slice(1)}`;
const statusMutation = (action: StatusAction) => `mutation ($id: ID!) {
  result: ${STATUS_MUTATIONS[action]}(id: $id) { ${TRANSITION_ERROR} ... on ${capitalised(STATUS_MUTATIONS[action])}Success { data { id status } } } }`;
const AVAILABILITY = `query ($input: AvailabilityInput!) { availability(input: $input) { startsAt agents { id } } }`;

/** Every call must answer with data: domain failures are typed results, never top-level errors. */
async function send(real: Real, query: string, variables: Record<string, unknown>) {
  const response = await gateway.graphql(query, variables, real.token);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data;
}

const raw = (globalId: string) => decodeId(globalId).id;
const sorted = (ids: string[]) => [...ids].sort();
const idsOf = (agents: Array<{ id: string }>) => sorted(agents.map((agent) => agent.id));
const clock = (start: number) => new Date(start).toISOString().slice(11, 16);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits out reservations that might expire while the next request runs, so the model's clock and the server's agree. */
async function settleExpiringHolds(model: BookingModel) {
  for (;;) {
    const now = Date.now();
    const expiring = model.reservations.filter(
      (reservation) => reservation.state === 'ACTIVE' && reservation.expiresAt > now - 50 && reservation.expiresAt < now + EXPIRY_MARGIN_MS,
    );
    if (expiring.length === 0) return now;
    await sleep(Math.max(...expiring.map((reservation) => reservation.expiresAt)) - now + 100);
  }
}

/**
 * The agents a new booking or reservation should get: all free ones for a
 * single agent or a collective team, the round-robin choice for a
 * round-robin team, and for an ANY team any free member (checked by the caller).
 */
function expectedAgents(model: BookingModel, resource: ModelResource, free: string[]): string[] | 'any-one' {
  if (resource.mode === 'ROUND_ROBIN') return [model.roundRobinOrder(resource, free)[0]!];
  if (resource.mode === 'ANY') return 'any-one';
  return sorted(free);
}

function expectAgents(actual: string[], expected: string[] | 'any-one', free: string[]) {
  if (expected === 'any-one') {
    expect(actual).toHaveLength(1);
    expect(free).toContain(actual[0]);
  } else {
    expect(actual).toEqual(sorted(expected));
  }
}

// ---- Commands ---------------------------------------------------------------------

type Command = fc.AsyncCommand<BookingModel, Real>;

interface SlotChoice {
  resource: number;
  type: number;
  time: number;
}

const startOf = (choice: { time: number }) => new Date(at(monday, CANDIDATE_TIMES[choice.time]!)).getTime();

class ReserveCommand implements Command {
  constructor(readonly slot: SlotChoice & { ttlSeconds: number }) {}
  check = () => true;
  async run(model: BookingModel, real: Real) {
    const now = await settleExpiringHolds(model);
    const resource = real.resources[this.slot.resource]!;
    const type = real.types[this.slot.type]!;
    const start = startOf(this.slot);
    const free = model.freeAgents(resource, type, start, now);
    const { reserveSlot: result } = await send(real, RESERVE_SLOT, {
      input: { appointmentTypeId: type.id, resourceId: resource.id, startsAt: new Date(start).toISOString(), ttlSeconds: this.slot.ttlSeconds, customer },
    });
    if (!free) {
      expect(result.__typename).toBe('SlotUnavailableError');
    } else {
      expect(result).toMatchObject({ __typename: 'ReserveSlotSuccess', data: { status: 'ACTIVE' } });
      const agents = idsOf(result.data.agents);
      expectAgents(agents, expectedAgents(model, resource, free), free);
      model.reservations.push({ id: result.data.id, resource, type, start, agents, expiresAt: new Date(result.data.expiresAt).getTime(), state: 'ACTIVE' });
    }
    await verify(model, real);
  }
  toString = () => `reserve(${RESOURCE_NAMES[this.slot.resource]}, ${TYPE_NAMES[this.slot.type]}, ${CANDIDATE_TIMES[this.slot.time]}, ttl ${this.slot.ttlSeconds}s)`;
}

class BookCommand implements Command {
  constructor(readonly slot: SlotChoice & { allowDoubleBooking: boolean }) {}
  check = () => true;
  async run(model: BookingModel, real: Real) {
    const now = await settleExpiringHolds(model);
    const resource = real.resources[this.slot.resource]!;
    const type = real.types[this.slot.type]!;
    const start = startOf(this.slot);
    const { allowDoubleBooking } = this.slot;
    const free = model.freeAgents(resource, type, start, now, { allowDoubleBooking });
    const { createBooking: result } = await send(real, CREATE_BOOKING, {
      input: { appointmentTypeId: type.id, resourceId: resource.id, startsAt: new Date(start).toISOString(), allowDoubleBooking, customer },
    });
    if (!free) {
      expect(result.__typename).toBe('SlotUnavailableError');
    } else {
      expect(result).toMatchObject({ __typename: 'CreateBookingSuccess', data: { status: initialStatus(type) } });
      const agents = idsOf(result.data.agents);
      expectAgents(agents, expectedAgents(model, resource, free), free);
      model.bookings.push({ id: result.data.id, status: initialStatus(type), resource, type, start, agents, doubleBooked: allowDoubleBooking, probe: false });
    }
    await verify(model, real);
  }
  toString = () =>
    `book(${RESOURCE_NAMES[this.slot.resource]}, ${TYPE_NAMES[this.slot.type]}, ${CANDIDATE_TIMES[this.slot.time]}${this.slot.allowDoubleBooking ? ', allowDoubleBooking' : ''})`;
}

const pickFrom = <T>(items: T[], pick: number): T | undefined => (items.length > 0 ? items[pick % items.length] : undefined);

class BookReservationCommand implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<BookingModel>) => model.reservations.length > 0;
  async run(model: BookingModel, real: Real) {
    const now = await settleExpiringHolds(model);
    const reservation = pickFrom(model.reservations, this.pick)!;
    const status = model.reservationStatus(reservation, now);
    const { createBooking: result } = await send(real, CREATE_BOOKING, {
      input: {
        appointmentTypeId: reservation.type.id,
        resourceId: reservation.resource.id,
        startsAt: new Date(reservation.start).toISOString(),
        reservationId: reservation.id,
        customer,
      },
    });
    if (status !== 'ACTIVE') {
      expect(result).toMatchObject({ __typename: 'ReservationUnavailableError', reason: status });
    } else {
      // A live reservation was promised its slot: it becomes the booking with the same agents, even if
      // someone has since double-booked one of them (that booking chose to share the time).
      expect(result).toMatchObject({ __typename: 'CreateBookingSuccess', data: { status: initialStatus(reservation.type) } });
      expect(idsOf(result.data.agents)).toEqual(reservation.agents);
      reservation.state = 'CONVERTED';
      model.bookings.push({
        id: result.data.id,
        status: initialStatus(reservation.type),
        resource: reservation.resource,
        type: reservation.type,
        start: reservation.start,
        agents: reservation.agents,
        doubleBooked: false,
        probe: false,
      });
    }
    await verify(model, real);
  }
  toString = () => `bookReservation(#${this.pick})`;
}

class ReleaseCommand implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<BookingModel>) => model.reservations.length > 0;
  async run(model: BookingModel, real: Real) {
    const now = await settleExpiringHolds(model);
    const reservation = pickFrom(model.reservations, this.pick)!;
    const status = model.reservationStatus(reservation, now);
    const { releaseReservation: result } = await send(real, RELEASE_RESERVATION, { id: reservation.id });
    if (status !== 'ACTIVE') {
      expect(result).toMatchObject({ __typename: 'ReservationUnavailableError', reason: status });
    } else {
      expect(result).toMatchObject({ __typename: 'ReleaseReservationSuccess', data: { status: 'RELEASED' } });
      reservation.state = 'RELEASED';
    }
    await verify(model, real);
  }
  toString = () => `release(#${this.pick})`;
}

/** Expiry as the system sees it, without waiting: the hold's deadline moves into the past. */
class ExpireCommand implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<BookingModel>) => model.reservations.some((reservation) => reservation.state === 'ACTIVE');
  async run(model: BookingModel, real: Real) {
    await settleExpiringHolds(model);
    const reservation = pickFrom(
      model.reservations.filter((candidate) => candidate.state === 'ACTIVE'),
      this.pick,
    )!;
    const id = raw(reservation.id);
    await gateway.db.$executeRaw`UPDATE reservations SET expires_at = now() - interval '1 second' WHERE id = ${id}::uuid`;
    await gateway.db.$executeRaw`UPDATE time_blocks SET expires_at = now() - interval '1 second' WHERE reservation_id = ${id}::uuid`;
    reservation.expiresAt = Math.min(reservation.expiresAt, Date.now() - 1_000);
    await verify(model, real);
  }
  toString = () => `expire(#${this.pick})`;
}

class StatusCommand implements Command {
  constructor(readonly change: { pick: number; action: StatusAction }) {}
  check = (model: Readonly<BookingModel>) => model.actionable.length > 0;
  async run(model: BookingModel, real: Real) {
    await settleExpiringHolds(model);
    const booking = pickFrom(model.actionable, this.change.pick)!;
    const { action } = this.change;
    const next = nextStatus(booking.status, action);
    const { result } = await send(real, statusMutation(action), { id: booking.id });
    if (!next) {
      expect(result).toMatchObject({ __typename: 'InvalidTransitionError', status: booking.status, action });
    } else {
      expect(result).toMatchObject({ data: { id: booking.id, status: next } });
      expect(result.__typename).toMatch(/Success$/);
      booking.status = next;
    }
    await verify(model, real);
  }
  toString = () => `${this.change.action.toLowerCase()}(#${this.change.pick})`;
}

class RescheduleCommand implements Command {
  constructor(readonly move: { pick: number; time: number }) {}
  check = (model: Readonly<BookingModel>) => model.actionable.length > 0;
  async run(model: BookingModel, real: Real) {
    const now = await settleExpiringHolds(model);
    const booking = pickFrom(model.actionable, this.move.pick)!;
    const start = startOf(this.move);
    const { resource, type } = booking;
    const next = nextStatus(booking.status, 'RESCHEDULE');
    const free = next && model.freeAgents(resource, type, start, now, { ignore: booking.id, allowDoubleBooking: booking.doubleBooked });
    const { rescheduleBooking: result } = await send(real, RESCHEDULE_BOOKING, { id: booking.id, startsAt: new Date(start).toISOString() });
    if (!next) {
      expect(result).toMatchObject({ __typename: 'InvalidTransitionError', status: booking.status, action: 'RESCHEDULE' });
    } else if (!free) {
      expect(result.__typename).toBe('SlotUnavailableError');
    } else {
      // The replacement starts over in the type's flow and keeps its agents when they are free.
      expect(result).toMatchObject({ __typename: 'RescheduleBookingSuccess', data: { status: initialStatus(type) } });
      const agents = idsOf(result.data.agents);
      const keepsAgents = resource.mode !== 'COLLECTIVE' && booking.agents.every((agentId) => free.includes(agentId));
      expectAgents(agents, keepsAgents ? booking.agents : expectedAgents(model, resource, free), free);
      booking.status = next;
      model.bookings.push({ ...booking, id: result.data.id, status: initialStatus(type), start, agents });
    }
    await verify(model, real);
  }
  toString = () => `reschedule(#${this.move.pick}, ${CANDIDATE_TIMES[this.move.time]})`;
}

// ---- Invariants -------------------------------------------------------------------

/** After every step: no double booking in the database, the database agrees with the model, and an offered slot books. */
async function verify(model: BookingModel, real: Real) {
  const now = await settleExpiringHolds(model);
  await expectNoOverlappingHolds(real);
  await expectDatabaseMatches(model, real, now);
  await expectOfferedSlotBookable(model, real, now);
  real.steps += 1;
}

async function expectNoOverlappingHolds(real: Real) {
  const overlapping = await gateway.db.$queryRaw<unknown[]>`
    SELECT a.agent_id::text AS agent, a.during::text AS first, b.during::text AS second
    FROM time_blocks a JOIN time_blocks b ON a.agent_id = b.agent_id AND a.id < b.id AND a.during && b.during
    WHERE a.account_id = ${real.accountId}::uuid
      AND a.active AND b.active AND a.exclusive AND b.exclusive
      AND (a.expires_at IS NULL OR a.expires_at > now()) AND (b.expires_at IS NULL OR b.expires_at > now())`;
  expect(overlapping).toEqual([]);
}

async function expectDatabaseMatches(model: BookingModel, real: Real, now: number) {
  const [bookings, reservations, blocks] = await Promise.all([
    gateway.db.$queryRaw<Array<{ id: string; status: string; starts_at: Date; agents: string[]; allow_double_booking: boolean }>>`
      SELECT bookings.id::text, bookings.status::text, bookings.starts_at, bookings.allow_double_booking,
             array_agg(booking_agents.agent_id::text ORDER BY booking_agents.agent_id) AS agents
      FROM bookings JOIN booking_agents ON booking_agents.booking_id = bookings.id
      WHERE bookings.account_id = ${real.accountId}::uuid
      GROUP BY bookings.id`,
    gateway.db.$queryRaw<Array<{ id: string; status: string }>>`
      SELECT id::text, CASE WHEN status = 'ACTIVE' AND expires_at <= now() THEN 'EXPIRED' ELSE status::text END AS status
      FROM reservations WHERE account_id = ${real.accountId}::uuid`,
    gateway.db.$queryRaw<Array<{ agent_id: string; starts: Date; ends: Date; exclusive: boolean; booking_id: string | null; reservation_id: string | null }>>`
      SELECT agent_id::text, lower(during) AS starts, upper(during) AS ends, exclusive, booking_id::text, reservation_id::text
      FROM time_blocks
      WHERE account_id = ${real.accountId}::uuid AND active AND (expires_at IS NULL OR expires_at > now())`,
  ]);
  const bookingKey = (id: string, status: string, start: number, agents: string[], doubleBooked: boolean) =>
    `${id} ${status} ${clock(start)} [${agents.join(',')}]${doubleBooked ? ' double' : ''}`;
  expect(bookings.map((row) => bookingKey(row.id, row.status, row.starts_at.getTime(), row.agents, row.allow_double_booking)).sort()).toEqual(
    model.bookings.map((booking) => bookingKey(raw(booking.id), booking.status, booking.start, sorted(booking.agents.map(raw)), booking.doubleBooked)).sort(),
  );
  expect(reservations.map((row) => `${row.id} ${row.status}`).sort()).toEqual(
    model.reservations.map((reservation) => `${raw(reservation.id)} ${model.reservationStatus(reservation, now)}`).sort(),
  );
  const blockKey = (agentId: string, start: number, end: number, exclusive: boolean, owner: string) =>
    `${agentId} ${clock(start)}-${clock(end)}${exclusive ? '' : ' shared'} of ${owner}`;
  expect(blocks.map((row) => blockKey(row.agent_id, row.starts.getTime(), row.ends.getTime(), row.exclusive, (row.booking_id ?? row.reservation_id)!)).sort()).toEqual(
    model
      .liveBlocks(now)
      .map((block) => blockKey(raw(block.agentId), block.start, block.end, block.exclusive, raw((block.bookingId ?? block.reservationId)!)))
      .sort(),
  );
}

/**
 * `availability` for one (resource, type) pair, turning with each step, must
 * list exactly what the model predicts, and one of its slots must book at
 * once. The probe booking is cancelled straight away so it does not change
 * what the commands see.
 */
async function expectOfferedSlotBookable(model: BookingModel, real: Real, now: number) {
  const pair = (real.probeOffset + real.steps) % (real.resources.length * real.types.length);
  const resource = real.resources[pair % real.resources.length]!;
  const type = real.types[Math.floor(pair / real.resources.length)]!;
  const { availability } = await send(real, AVAILABILITY, {
    input: { appointmentTypeId: type.id, resourceId: resource.id, from: at(monday, '00:00'), to: at(monday.plus({ days: 1 }), '00:00') },
  });
  const offered = (availability as Array<{ startsAt: string; agents: Array<{ id: string }> }>).map((slot) => ({
    start: new Date(slot.startsAt).getTime(),
    agents: idsOf(slot.agents),
  }));
  const listed = (slots: Array<{ start: number; agents: string[] }>) => slots.map((slot) => `${clock(slot.start)} [${slot.agents.map(raw).join(',')}]`);
  expect(listed(offered), `availability of ${resource.name} for ${type.name}`).toEqual(
    listed(model.offeredSlots(resource, type, now).map((slot) => ({ ...slot, agents: sorted(slot.agents) }))),
  );
  if (offered.length === 0) return;

  const slot = offered[(real.steps * 7) % offered.length]!;
  const { createBooking: booked } = await send(real, CREATE_BOOKING, {
    input: { appointmentTypeId: type.id, resourceId: resource.id, startsAt: new Date(slot.start).toISOString(), customer },
  });
  expect(booked.__typename, `booking the offered ${clock(slot.start)} with ${resource.name} for ${type.name}`).toBe('CreateBookingSuccess');
  const agents = idsOf(booked.data.agents);
  expect(slot.agents).toEqual(expect.arrayContaining(agents));
  const { result: cancelled } = await send(real, statusMutation('CANCEL'), { id: booked.data.id });
  expect(cancelled.__typename).toBe('CancelBookingSuccess');
  model.bookings.push({ id: booked.data.id, status: 'CANCELLED', resource, type, start: slot.start, agents, doubleBooked: false, probe: true });
}

// ---- The property -------------------------------------------------------------------

const slotChoice = { resource: fc.nat({ max: 5 }), type: fc.nat({ max: 1 }), time: fc.nat({ max: CANDIDATE_TIMES.length - 1 }) };
const pick = fc.nat({ max: 1_000 });

const commandArbitraries = fc.oneof(
  { weight: 3, arbitrary: fc.record({ ...slotChoice, ttlSeconds: fc.constantFrom(600, 600, 600, 1) }).map((slot) => new ReserveCommand(slot)) },
  {
    weight: 4,
    arbitrary: fc
      .record({ ...slotChoice, allowDoubleBooking: fc.constantFrom(false, false, false, true) })
      .map((slot) => new BookCommand(slot)),
  },
  { weight: 2, arbitrary: pick.map((index) => new BookReservationCommand(index)) },
  { weight: 1, arbitrary: pick.map((index) => new ReleaseCommand(index)) },
  { weight: 1, arbitrary: pick.map((index) => new ExpireCommand(index)) },
  {
    weight: 3,
    arbitrary: fc
      .record({ pick, action: fc.constantFrom<StatusAction>('CONFIRM', 'CONFIRM', 'DECLINE', 'CANCEL', 'CANCEL', 'COMPLETE', 'MARK_NO_SHOW') })
      .map((change) => new StatusCommand(change)),
  },
  { weight: 2, arbitrary: fc.record({ pick, time: slotChoice.time }).map((move) => new RescheduleCommand(move)) },
);

let runs = 0;

async function setUpRun(probeOffset: number): Promise<{ model: BookingModel; real: Real }> {
  runs += 1;
  const setup = await createBookableAccount(gateway.db, { name: `Model run ${runs}` });
  const token = await gateway.tokenFor({ accounts: [setup.account.id] });
  const members = setup.agentIds;
  const resources: ModelResource[] = [
    ...members.map((id, index) => ({ name: `Agent ${index + 1}`, id, mode: 'SINGLE' as const, members: [id] })),
    { name: 'ANY team', id: setup.anyTeamId, mode: 'ANY', members },
    { name: 'ROUND_ROBIN team', id: setup.roundRobinTeamId, mode: 'ROUND_ROBIN', members },
    { name: 'COLLECTIVE team', id: setup.collectiveTeamId, mode: 'COLLECTIVE', members },
  ];
  const types: ModelType[] = [
    { name: 'Call', id: setup.instantTypeId, durationMinutes: 30, bufferAfterMinutes: 0, slotIntervalMinutes: 30, flow: 'INSTANT' },
    { name: 'Visit', id: setup.confirmTypeId, durationMinutes: 60, bufferAfterMinutes: 15, slotIntervalMinutes: 15, flow: 'CONFIRM_DECLINE' },
  ];
  const model = new BookingModel(new Date(at(monday, '09:00')).getTime(), new Date(at(monday, '17:00')).getTime());
  return { model, real: { token, accountId: setup.account.id, resources, types, probeOffset, steps: 0 } };
}

describe('the booking engine against its model', () => {
  it('keeps agents free of overlaps, agrees with the model and offers only bookable slots under random operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 11 }), fc.array(commandArbitraries, { minLength: MIN_COMMANDS, maxLength: MAX_COMMANDS, size: 'max' }), (probeOffset, commands) =>
        fc.asyncModelRun(() => setUpRun(probeOffset), commands),
      ),
      { numRuns: RUNS },
    );
  }, 600_000);
});
