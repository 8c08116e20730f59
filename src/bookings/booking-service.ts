import type { Db } from '../db/client.ts';
import { transaction } from '../db/transaction-retry.ts';
import type { Principal } from '../auth/principal.ts';
import type { Booking, Prisma } from '../generated/prisma/client.ts';
import { blockedRange, computeSlots, slotUnavailableReason, type AppointmentRules, type SchedulingMode } from '../scheduling/availability.ts';
import { holdsTime, initialStatus, transition, type BookingAction } from '../scheduling/booking-lifecycle.ts';
import { compareRoundRobin } from '../scheduling/round-robin.ts';
import { NotFoundError, ValidationError } from '../schema/errors.ts';
import { decodeIdOf, encodeId } from '../schema/global-id.ts';
import {
  InvalidTransitionError,
  isExclusionViolation,
  ReservationUnavailableError,
  SlotUnavailableError,
} from './errors.ts';
import { customerFor, normaliseCustomer, type CustomerInput } from './customers.ts';
import { appendEvent, bookingEvent, reservationEvent, schedulingRequestEvent } from '../events/outbox.ts';
import { BOOKING_EVENT_OF_STEP } from '../events/event-types.ts';
import { idempotencyScope, idempotently } from './idempotency.ts';
import { loadAppointmentType, loadSchedules, resolveResource, rulesOf, type ResolvedResource } from './schedules.ts';

const MINUTE_MS = 60_000;
/** Round-robin counts each member's bookings within this distance of the slot. */
const ROUND_ROBIN_PERIOD_MS = 7 * 24 * 60 * MINUTE_MS;
const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 15_000 };

type Tx = Prisma.TransactionClient;

export interface SlotRequest {
  appointmentTypeId: string;
  resourceId: string;
  startsAt: Date;
  /** For an ANY or ROUND_ROBIN team: book this member rather than letting the team choose. */
  agentId?: string | null;
}

/** The agents a request could take, in the order to try them; each entry is taken whole. */
interface Plan {
  type: Awaited<ReturnType<typeof loadAppointmentType>>;
  resource: ResolvedResource;
  rules: AppointmentRules;
  startsAt: Date;
  endsAt: Date;
  candidates: string[][];
}

/**
 * Checks that `startsAt` is an offered slot of the resource and decides which
 * agents to try. The database's exclusion constraint still has the last word:
 * a plan only says what is worth trying.
 */
async function planSlot(
  db: Db,
  request: SlotRequest,
  now: number,
  options: { allowDoubleBooking?: boolean; ignore?: { bookingId?: string; reservationId?: string }; rules?: AppointmentRules } = {},
): Promise<Plan> {
  const resource = await resolveResource(db, request.resourceId);
  const type = await loadAppointmentType(db, request.appointmentTypeId, resource.accountId);
  const rules = options.rules ?? rulesOf(type);
  const start = request.startsAt.getTime();
  const range = { start, end: start + 1 };
  const memberIds = resource.members.map((member) => member.agentId);
  const schedules = await loadSchedules(db, memberIds, range, options.ignore);
  const agents = options.allowDoubleBooking ? schedules.map((schedule) => ({ ...schedule, busy: [] })) : schedules;
  const slot = computeSlots({ rules, agents, mode: resource.mode, range, now }).find((candidate) => candidate.start === start);
  // The two agree on every start (property-tested), so a start without a slot always has a reason.
  const unavailable = (members: typeof agents, mode: SchedulingMode) => slotUnavailableReason({ rules, agents: members, mode, start, now }) ?? 'TAKEN';
  if (!slot) throw new SlotUnavailableError(unavailable(agents, resource.mode), request.startsAt);
  const plan = { type, resource, rules, startsAt: request.startsAt, endsAt: new Date(slot.end) };
  if (resource.mode === 'SINGLE' || resource.mode === 'COLLECTIVE') return { ...plan, candidates: [slot.agentIds] };
  if (request.agentId) {
    const agentId = decodeIdOf('Agent', request.agentId);
    if (!agentId || !slot.agentIds.includes(agentId)) {
      const member = agents.filter((schedule) => schedule.agentId === agentId);
      throw new SlotUnavailableError(unavailable(member, 'SINGLE'), request.startsAt, 'that team member');
    }
    return { ...plan, candidates: [[agentId]] };
  }
  return { ...plan, candidates: (await rankRoundRobin(db, resource, slot.agentIds, start)).map((agentId) => [agentId]) };
}

/** Free members, fewest bookings around the slot first, then by priority, then by id. */
async function rankRoundRobin(db: Db, resource: ResolvedResource, freeAgentIds: string[], start: number): Promise<string[]> {
  const counts = await db.$queryRaw<Array<{ agent_id: string; bookings: bigint }>>`
    SELECT booking_agents.agent_id, count(*) AS bookings
    FROM booking_agents JOIN bookings ON bookings.id = booking_agents.booking_id
    WHERE booking_agents.agent_id = ANY(${freeAgentIds}::uuid[])
      AND bookings.status IN ('TENTATIVE', 'CONFIRMED', 'COMPLETED', 'NO_SHOW')
      AND bookings.starts_at >= ${new Date(start - ROUND_ROBIN_PERIOD_MS)}
      AND bookings.starts_at < ${new Date(start + ROUND_ROBIN_PERIOD_MS)}
    GROUP BY booking_agents.agent_id`;
  const bookingCount = new Map(counts.map((row) => [row.agent_id, Number(row.bookings)]));
  const priority = new Map(resource.members.map((member) => [member.agentId, member.priority]));
  return freeAgentIds
    .map((agentId) => ({ agentId, priority: priority.get(agentId) ?? null, bookingCount: bookingCount.get(agentId) ?? 0 }))
    .sort(compareRoundRobin)
    .map((candidate) => candidate.agentId);
}

/** Reservations whose hold has lapsed stop blocking: the constraint cannot see time pass, so retire them first. */
async function retireExpiredHolds(tx: Tx, agentIds: string[], during: { start: Date; end: Date }) {
  await tx.$executeRaw`
    UPDATE time_blocks SET active = false
    WHERE agent_id = ANY(${agentIds}::uuid[]) AND active AND expires_at IS NOT NULL AND expires_at <= now()
      AND during && tstzrange(${during.start}, ${during.end}, '[)')`;
}

/** The advisory-lock class of "inserting time blocks of an agent" (the two-key form, apart from the migrations' lock). */
const TIME_BLOCK_LOCK_CLASS = 7_370_221;

/**
 * Inserts the blocks that hold the agents' time. Two transactions inserting
 * overlapping blocks would each wait on the other's exclusion check, which
 * PostgreSQL ends as a deadlock (40P01); so each first takes a lock per agent,
 * in agent-id order, until it commits. A second holder of the same agent then
 * queues, and meets the first's committed block as an exclusion violation.
 */
async function holdTime(
  tx: Tx,
  hold: { accountId: string; agentIds: string[]; start: Date; end: Date; bookingId?: string; reservationId?: string; expiresAt?: Date; exclusive: boolean },
) {
  await tx.$queryRaw`
    SELECT count(pg_advisory_xact_lock(${TIME_BLOCK_LOCK_CLASS}::int, hashtext(agent_id::text)))
    FROM (SELECT DISTINCT unnest(${hold.agentIds}::uuid[]) AS agent_id ORDER BY 1) AS ordered`;
  await tx.$executeRaw`
    INSERT INTO time_blocks (account_id, agent_id, booking_id, reservation_id, during, expires_at, exclusive)
    SELECT ${hold.accountId}::uuid, agent_id, ${hold.bookingId ?? null}::uuid, ${hold.reservationId ?? null}::uuid,
           tstzrange(${hold.start}, ${hold.end}, '[)'), ${hold.expiresAt ?? null}::timestamptz, ${hold.exclusive}
    FROM unnest(${hold.agentIds}::uuid[]) AS agent_id`;
}

function blockedInterval(plan: Pick<Plan, 'startsAt' | 'endsAt' | 'rules'>) {
  const range = blockedRange({ start: plan.startsAt.getTime(), end: plan.endsAt.getTime() }, plan.rules);
  return { start: new Date(range.start), end: new Date(range.end) };
}

/**
 * Tries each candidate agent set in its own transaction until one commits;
 * an exclusion violation means someone else took that agent first.
 */
async function firstThatFits<T>(db: Db, plan: Plan, attempt: (tx: Tx, agentIds: string[]) => Promise<T>): Promise<T> {
  for (const agentIds of plan.candidates) {
    try {
      return await transaction(db, async (tx) => {
        await retireExpiredHolds(tx, agentIds, blockedInterval(plan));
        return attempt(tx, agentIds);
      }, TRANSACTION_OPTIONS);
    } catch (error) {
      if (!isExclusionViolation(error)) throw error;
    }
  }
  throw new SlotUnavailableError('TAKEN', plan.startsAt);
}

export interface CreateBookingInput extends SlotRequest {
  customer?: CustomerInput | null;
  customerId?: string | null;
  title?: string | null;
  location?: string | null;
  description?: string | null;
  reservationId?: string | null;
  allowDoubleBooking?: boolean | null;
  idempotencyKey?: string | null;
}

type BookingDetails = Pick<CreateBookingInput, 'title' | 'location' | 'description' | 'allowDoubleBooking'>;

/** Internal links a booking may carry when made on behalf of something else. */
interface BookingOrigin {
  schedulingRequestId?: string;
  /** The booking this one replaces, which gives it its calendar event (src/calendar): same UID, next SEQUENCE. */
  rescheduledFrom?: Pick<Booking, 'id' | 'originalBookingId' | 'sequence'>;
  rules?: AppointmentRules;
}

async function insertBooking(
  tx: Tx,
  plan: Plan,
  agentIds: string[],
  values: { customerId: string; actor: Principal; details: BookingDetails; reservationId?: string; origin?: BookingOrigin },
): Promise<Booking> {
  const input = values.details;
  const previous = values.origin?.rescheduledFrom;
  const status = initialStatus(plan.type.confirmationFlow);
  const booking = await tx.booking.create({
    data: {
      accountId: plan.resource.accountId,
      appointmentTypeId: plan.type.id,
      agentId: plan.resource.kind === 'AGENT' ? plan.resource.id : null,
      teamId: plan.resource.kind === 'TEAM' ? plan.resource.id : null,
      customerId: values.customerId,
      status,
      startsAt: plan.startsAt,
      endsAt: plan.endsAt,
      bufferBeforeMinutes: plan.rules.bufferBeforeMinutes,
      bufferAfterMinutes: plan.rules.bufferAfterMinutes,
      title: input.title ?? null,
      location: input.location ?? null,
      description: input.description ?? null,
      allowDoubleBooking: input.allowDoubleBooking ?? false,
      reservationId: values.reservationId ?? null,
      rescheduledFromId: previous?.id ?? null,
      originalBookingId: previous ? (previous.originalBookingId ?? previous.id) : null,
      sequence: previous ? previous.sequence + 1 : 0,
      schedulingRequestId: values.origin?.schedulingRequestId ?? null,
      apiClientId: values.actor.apiClientId,
      agents: { createMany: { data: agentIds.map((agentId) => ({ accountId: plan.resource.accountId, agentId })) } },
      events: {
        create: {
          accountId: plan.resource.accountId,
          type: 'CREATED',
          toStatus: status,
          apiClientId: values.actor.apiClientId,
          relatedBookingId: previous?.id ?? null,
        },
      },
    },
  });
  const blocked = blockedInterval(plan);
  await holdTime(tx, {
    accountId: booking.accountId,
    agentIds,
    start: blocked.start,
    end: blocked.end,
    bookingId: booking.id,
    exclusive: !booking.allowDoubleBooking,
  });
  await appendEvent(tx, bookingEvent('booking.created', booking, agentIds, { relatedBookingId: previous?.id }));
  return booking;
}

/** A reservation of the caller's accounts that can still be booked or released. */
async function assertReservationLive(db: Tx | Db, globalId: string, now: number) {
  const id = decodeIdOf('Reservation', globalId);
  const reservation = id ? await db.reservation.findUnique({ where: { id } }) : null;
  if (!reservation) throw new NotFoundError(globalId);
  if (reservation.status !== 'ACTIVE') throw new ReservationUnavailableError(globalId, reservation.status);
  if (reservation.expiresAt.getTime() <= now) throw new ReservationUnavailableError(globalId, 'EXPIRED');
  return reservation;
}

/** The same check under a row lock, inside the transaction that consumes the reservation. */
async function lockReservation(tx: Tx, globalId: string, now: number) {
  const reservation = await assertReservationLive(tx, globalId, now);
  await tx.$queryRaw`SELECT 1 FROM reservations WHERE id = ${reservation.id}::uuid FOR UPDATE`;
  return assertReservationLive(tx, globalId, now);
}

export async function createBooking(db: Db, actor: Principal, input: CreateBookingInput, origin: BookingOrigin = {}, now = Date.now()) {
  return idempotently(
    db,
    idempotencyScope(actor, 'createBooking', input),
    (id) => db.booking.findUniqueOrThrow({ where: { id } }),
    async (claim, remember) => {
      const reservationId = input.reservationId ? decodeIdOf('Reservation', input.reservationId) ?? undefined : undefined;
      if (input.reservationId && !reservationId) throw new NotFoundError(input.reservationId);
      if (input.reservationId) await assertReservationLive(db, input.reservationId, now);
      const plan = await planSlot(db, input, now, {
        // A live reservation already holds its agents; only exclusive time, which the constraint guards, can stop it.
        allowDoubleBooking: (input.allowDoubleBooking ?? false) || reservationId !== undefined,
        ignore: { reservationId },
        rules: origin.rules,
      });
      if (input.reservationId) {
        // A reservation already names its agents: the booking takes exactly those.
        const reservation = await db.reservation.findUnique({ where: { id: reservationId! }, include: { timeBlocks: true } });
        if (!reservation) throw new NotFoundError(input.reservationId);
        const sameSlot =
          reservation.startsAt.getTime() === plan.startsAt.getTime() &&
          reservation.appointmentTypeId === plan.type.id &&
          (reservation.agentId ?? reservation.teamId) === plan.resource.id;
        if (!sameSlot) throw ValidationError.of(['input', 'reservationId'], 'The reservation is for another slot, resource or appointment type');
        plan.candidates = [[...new Set(reservation.timeBlocks.map((block) => block.agentId))].sort()];
      }
      const booking = await firstThatFits(db, plan, async (tx, agentIds) => {
        await claim(tx);
        if (input.reservationId) {
          const reservation = await lockReservation(tx, input.reservationId, now);
          await tx.reservation.update({ where: { id: reservation.id }, data: { status: 'CONVERTED' } });
          await tx.timeBlock.updateMany({ where: { reservationId: reservation.id }, data: { active: false } });
        }
        if (origin.schedulingRequestId) await markRequestScheduled(tx, origin.schedulingRequestId);
        const customerId = await customerFor(tx, plan.resource.accountId, input);
        const created = await insertBooking(tx, plan, agentIds, { customerId, actor, details: input, reservationId, origin });
        await remember(tx, created.id);
        return created;
      });
      return { id: booking.id };
    },
  );
}

/** The request the booking answers becomes SCHEDULED in the same transaction, unless someone changed it first. */
async function markRequestScheduled(tx: Tx, requestId: string) {
  const previous = await tx.schedulingRequest.findUniqueOrThrow({ where: { id: requestId }, select: { status: true } });
  const [scheduled] = await tx.schedulingRequest.updateManyAndReturn({
    where: { id: requestId, status: { in: ['NEW', 'SENT'] } },
    data: { status: 'SCHEDULED' },
  });
  if (!scheduled) {
    const request = await tx.schedulingRequest.findUniqueOrThrow({ where: { id: requestId }, select: { status: true } });
    throw new InvalidTransitionError(encodeId('SchedulingRequest', requestId), request.status, 'SCHEDULE');
  }
  await appendEvent(tx, schedulingRequestEvent('scheduling_request.scheduled', scheduled, previous.status));
}

export interface ReserveSlotInput extends SlotRequest {
  ttlSeconds?: number | null;
  customer?: CustomerInput | null;
  idempotencyKey?: string | null;
}

export async function reserveSlot(db: Db, actor: Principal, input: ReserveSlotInput, now = Date.now()) {
  return idempotently(
    db,
    idempotencyScope(actor, 'reserveSlot', input),
    (id) => db.reservation.findUniqueOrThrow({ where: { id } }),
    async (claim, remember) => {
      const plan = await planSlot(db, input, now);
      const customer = input.customer ? normaliseCustomer(input.customer) : null;
      const ttlSeconds = input.ttlSeconds ?? plan.type.reservationTtlSeconds;
      const reservation = await firstThatFits(db, plan, async (tx, agentIds) => {
        await claim(tx);
        // The database clock decides expiry, as it does when the hold is later retired.
        const [{ expires_at: expiresAt }] = (await tx.$queryRaw<Array<{ expires_at: Date }>>`
          SELECT now() + make_interval(secs => ${ttlSeconds}) AS expires_at`) as [{ expires_at: Date }];
        const created = await tx.reservation.create({
          data: {
            accountId: plan.resource.accountId,
            appointmentTypeId: plan.type.id,
            agentId: plan.resource.kind === 'AGENT' ? plan.resource.id : null,
            teamId: plan.resource.kind === 'TEAM' ? plan.resource.id : null,
            startsAt: plan.startsAt,
            endsAt: plan.endsAt,
            expiresAt,
            customerName: customer?.name ?? null,
            customerEmail: customer?.email ?? null,
            customerPhone: customer?.phone ?? null,
            customerTimeZone: customer?.timeZone ?? null,
            apiClientId: actor.apiClientId,
          },
        });
        const blocked = blockedInterval(plan);
        await holdTime(tx, { accountId: created.accountId, agentIds, ...blocked, reservationId: created.id, expiresAt, exclusive: true });
        await appendEvent(tx, reservationEvent('reservation.made', created, agentIds, blocked));
        await remember(tx, created.id);
        return created;
      });
      return { id: reservation.id };
    },
  );
}

export async function releaseReservation(db: Db, globalId: string, now = Date.now()) {
  return transaction(db, async (tx) => {
    const reservation = await lockReservation(tx, globalId, now);
    const blocks = await tx.$queryRaw<Array<{ agent_id: string; starts: Date; ends: Date }>>`
      UPDATE time_blocks SET active = false WHERE reservation_id = ${reservation.id}::uuid
      RETURNING agent_id, lower(during) AS starts, upper(during) AS ends`;
    const released = await tx.reservation.update({ where: { id: reservation.id }, data: { status: 'RELEASED' } });
    const blocked = { start: blocks[0]?.starts ?? released.startsAt, end: blocks[0]?.ends ?? released.endsAt };
    const agentIds = [...new Set(blocks.map((block) => block.agent_id))].sort();
    await appendEvent(tx, reservationEvent('reservation.released', released, agentIds, blocked));
    return released;
  }, TRANSACTION_OPTIONS);
}

/** Locks a booking of the caller's accounts and checks that `action` is allowed from its status. */
async function lockBooking(tx: Tx, globalId: string, action: BookingAction) {
  const id = decodeIdOf('Booking', globalId);
  const visible = id ? await tx.booking.findUnique({ where: { id }, select: { id: true } }) : null;
  if (!visible) throw new NotFoundError(globalId);
  await tx.$queryRaw`SELECT 1 FROM bookings WHERE id = ${visible.id}::uuid FOR UPDATE`;
  const booking = await tx.booking.findUniqueOrThrow({ where: { id: visible.id }, include: { agents: { select: { agentId: true } } } });
  const next = transition(booking.status, action);
  if (!next) throw new InvalidTransitionError(globalId, booking.status, action);
  return { booking, next };
}

const EVENT_OF: Record<Exclude<BookingAction, 'RESCHEDULE'>, 'CONFIRMED' | 'DECLINED' | 'CANCELLED' | 'COMPLETED' | 'NO_SHOW'> = {
  CONFIRM: 'CONFIRMED',
  DECLINE: 'DECLINED',
  CANCEL: 'CANCELLED',
  COMPLETE: 'COMPLETED',
  MARK_NO_SHOW: 'NO_SHOW',
};

/** Confirm, decline, cancel, complete or mark a no-show: one status change, recorded in the booking's history. */
export async function changeBookingStatus(
  db: Db,
  actor: Principal,
  globalId: string,
  action: Exclude<BookingAction, 'RESCHEDULE'>,
  reason?: string | null,
) {
  return transaction(db, async (tx) => {
    const { booking, next } = await lockBooking(tx, globalId, action);
    if (!holdsTime(next)) await tx.timeBlock.updateMany({ where: { bookingId: booking.id }, data: { active: false } });
    await tx.bookingEvent.create({
      data: {
        accountId: booking.accountId,
        bookingId: booking.id,
        type: EVENT_OF[action],
        fromStatus: booking.status,
        toStatus: next,
        reason: reason ?? null,
        apiClientId: actor.apiClientId,
      },
    });
    const changed = await tx.booking.update({ where: { id: booking.id }, data: { status: next } });
    const agentIds = booking.agents.map((agent) => agent.agentId);
    await appendEvent(tx, bookingEvent(BOOKING_EVENT_OF_STEP[EVENT_OF[action]], changed, agentIds, { previousStatus: booking.status, reason }));
    return changed;
  }, TRANSACTION_OPTIONS);
}

/**
 * Moves a booking: the new time is taken and the old one released in one
 * transaction, or nothing changes. The old booking becomes RESCHEDULED and
 * is linked to its replacement; the agents stay the same when they are free.
 */
export async function rescheduleBooking(db: Db, actor: Principal, globalId: string, startsAt: Date, now = Date.now()) {
  const id = decodeIdOf('Booking', globalId);
  const current = id ? await db.booking.findUnique({ where: { id }, include: { agents: true } }) : null;
  if (!current) throw new NotFoundError(globalId);
  if (!transition(current.status, 'RESCHEDULE')) throw new InvalidTransitionError(globalId, current.status, 'RESCHEDULE');
  const resourceId = current.agentId ? encodeId('Agent', current.agentId) : encodeId('Team', current.teamId!);
  const plan = await planSlot(
    db,
    { appointmentTypeId: encodeId('AppointmentType', current.appointmentTypeId), resourceId, startsAt },
    now,
    { allowDoubleBooking: current.allowDoubleBooking, ignore: { bookingId: current.id } },
  );
  const previousAgents = current.agents.map((agent) => agent.agentId).sort();
  if (plan.resource.mode !== 'COLLECTIVE' && plan.resource.mode !== 'SINGLE') {
    const same = plan.candidates.find((candidate) => candidate.join() === previousAgents.join());
    if (same) plan.candidates = [same, ...plan.candidates.filter((candidate) => candidate !== same)];
  }
  const replacement = await firstThatFits(db, plan, async (tx, agentIds) => {
    const { booking, next } = await lockBooking(tx, globalId, 'RESCHEDULE');
    await tx.timeBlock.updateMany({ where: { bookingId: booking.id }, data: { active: false } });
    const created = await insertBooking(tx, plan, agentIds, {
      customerId: booking.customerId,
      actor,
      details: booking,
      origin: { rescheduledFrom: booking, schedulingRequestId: booking.schedulingRequestId ?? undefined },
    });
    await tx.bookingEvent.create({
      data: {
        accountId: booking.accountId,
        bookingId: booking.id,
        type: 'RESCHEDULED',
        fromStatus: booking.status,
        toStatus: next,
        apiClientId: actor.apiClientId,
        relatedBookingId: created.id,
      },
    });
    const moved = await tx.booking.update({ where: { id: booking.id }, data: { status: next } });
    const heldAgentIds = booking.agents.map((agent) => agent.agentId);
    await appendEvent(tx, bookingEvent('booking.rescheduled', moved, heldAgentIds, { previousStatus: booking.status, relatedBookingId: created.id }));
    return created;
  });
  return replacement;
}
