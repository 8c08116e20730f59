import { queryFromInfo } from '@pothos/plugin-prisma';
import { DateTime } from 'luxon';
import type { Agent } from '../generated/prisma/client.ts';
import { z } from 'zod';
import {
  changeBookingStatus,
  createBooking,
  releaseReservation,
  rescheduleBooking,
  reserveSlot,
} from '../bookings/booking-service.ts';
import {
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  ReservationUnavailableError,
  SlotUnavailableError,
} from '../bookings/errors.ts';
import { loadAppointmentType, loadSchedules, resolveResource, rulesOf } from '../bookings/schedules.ts';
import { availabilityRange, computeSlots, DEFAULT_AVAILABILITY_DAYS, type SlotUnavailableReason } from '../scheduling/availability.ts';
import { nextTurn } from '../event-loop.ts';
import { ianaZone } from '../scheduling/time-zone.ts';
import { AgentRef } from './agent.ts';
import { customerEmail, customerName, customerPhone } from './customer.ts';
import { builder } from './builder.ts';
import {
  accountIdsArg,
  accountsInScope,
  DateTimeFilter,
  dateTimeFilter,
  ErrorInterface,
  idsFilter,
  MUTATION_ERRORS,
  orderByInput,
  filterArgs,
  withFilter,
} from './common.ts';
import { BOOKING_FILTERS } from '../query/catalogs.ts';
import { containsText } from '../query/like.ts';
import type { Context } from './context.ts';
import { ValidationError } from './errors.ts';
import { encodeId } from './global-id.ts';
import { ResourceInterface } from './resource-interface.ts';

// ---- Errors ---------------------------------------------------------------------

const SlotUnavailableReasonEnum = builder.enumType('SlotUnavailableReason', {
  description: 'Why a time cannot be booked: the first rule of availability it breaks, in this order.',
  values: {
    IN_THE_PAST: { description: 'The start has passed.' },
    TOO_SOON: { description: 'Within the appointment type’s minimum notice from now.' },
    BEYOND_WINDOW: { description: 'Past the appointment type’s booking window from now.' },
    OUTSIDE_WORKING_HOURS: { description: 'Not wholly within the working hours (or date overrides) of the agent’s workday.' },
    HOLIDAY: { description: 'Within working hours, but a holiday or the agent’s leave takes the time.' },
    OFF_INTERVAL: { description: 'Not on the appointment type’s slot interval (counted from local midnight).' },
    TAKEN: { description: 'A booking or live reservation holds the time (buffers included).' },
  } satisfies Record<SlotUnavailableReason, { description: string }>,
});

builder.objectType(SlotUnavailableError, {
  name: 'SlotUnavailableError',
  description:
    'The time is not bookable: `reason` says why. For a team, the reason of the member that came closest (ANY, ROUND_ROBIN) or of the first that cannot come (COLLECTIVE). Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    startsAt: t.expose('startsAt', { type: 'DateTime', description: 'The requested start, in UTC.' }),
    requestedStart: t.field({
      type: 'DateTime',
      description: 'The requested start with the UTC offset it was given in.',
      resolve: (error) => error.requestedStart,
    }),
    reason: t.field({ type: SlotUnavailableReasonEnum, resolve: (error) => error.reason }),
  }),
});

builder.objectType(InvalidTransitionError, {
  name: 'InvalidTransitionError',
  description: 'The booking’s status does not allow this change.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.exposeString('status'),
    action: t.exposeString('action'),
  }),
});

builder.objectType(ReservationUnavailableError, {
  name: 'ReservationUnavailableError',
  description: 'The reservation expired, was released or was already turned into a booking.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ reservationId: t.exposeID('reservationId'), reason: t.exposeString('reason') }),
});

builder.objectType(IdempotencyKeyReusedError, {
  name: 'IdempotencyKeyReusedError',
  description: 'This idempotency key was used before with a different input.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ key: t.exposeString('key') }),
});

const BOOKING_ERRORS = {
  types: [...MUTATION_ERRORS.types, SlotUnavailableError, ReservationUnavailableError, IdempotencyKeyReusedError],
};
const TRANSITION_ERRORS = { types: [...MUTATION_ERRORS.types, InvalidTransitionError] };

// ---- Types ----------------------------------------------------------------------

export const BookingStatus = builder.enumType('BookingStatus', {
  values: {
    TENTATIVE: { description: 'Waiting for an agent to confirm or decline; holds the time.' },
    CONFIRMED: { description: 'Holds the time.' },
    DECLINED: { description: 'Turned down by an agent; frees the time.' },
    CANCELLED: { description: 'Called off; frees the time.' },
    RESCHEDULED: { description: 'Moved: see `rescheduledTo`; frees the old time.' },
    COMPLETED: { description: 'Took place.' },
    NO_SHOW: { description: 'The customer did not come.' },
  } as const,
});

export const BookingEventType = builder.enumType('BookingEventType', {
  values: ['CREATED', 'CONFIRMED', 'DECLINED', 'CANCELLED', 'RESCHEDULED', 'COMPLETED', 'NO_SHOW'] as const,
});

builder.prismaObject('BookingEvent', {
  description: 'One step in a booking’s history.',
  fields: (t) => ({
    type: t.expose('type', { type: BookingEventType }),
    fromStatus: t.expose('fromStatus', { type: BookingStatus, nullable: true }),
    toStatus: t.expose('toStatus', { type: BookingStatus }),
    reason: t.exposeString('reason', { nullable: true }),
    actorId: t.id({
      nullable: true,
      description: 'The API client that made the change.',
      resolve: (event) => (event.apiClientId ? encodeId('ApiClient', event.apiClientId) : null),
    }),
    relatedBookingId: t.id({
      nullable: true,
      description: 'For a reschedule: the booking on the other side.',
      resolve: (event) => (event.relatedBookingId ? encodeId('Booking', event.relatedBookingId) : null),
    }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
  }),
});

builder.prismaNode('Booking', {
  id: { field: 'id' },
  nullable: true,
  description: 'An appointment with an agent or a team (Timekit booking, HaloPSA appointment).',
  fields: (t) => ({
    account: t.relation('account'),
    status: t.expose('status', { type: BookingStatus }),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    appointmentType: t.relation('appointmentType'),
    resource: t.field({
      type: ResourceInterface,
      description: 'What was booked: the agent, or the team.',
      select: { agent: true, team: true },
      resolve: (booking) => (booking.agent ?? booking.team)!,
    }),
    agents: t.field({
      type: [AgentRef],
      description: 'The agents whose time the booking holds, by name.',
      select: (_args, _context, nestedSelection) => ({
        agents: { select: { agent: nestedSelection(true) }, orderBy: [{ agent: { name: 'asc' } }, { agentId: 'asc' }] },
      }),
      resolve: (booking) => booking.agents.map((bookingAgent) => bookingAgent.agent),
    }),
    customer: t.relation('customer'),
    title: t.exposeString('title', { nullable: true }),
    location: t.exposeString('location', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    allowDoubleBooking: t.exposeBoolean('allowDoubleBooking'),
    reservation: t.relation('reservation', { nullable: true }),
    rescheduledFrom: t.relation('rescheduledFrom', { nullable: true }),
    rescheduledTo: t.relation('rescheduledTo', { nullable: true }),
    schedulingRequest: t.relation('schedulingRequest', { nullable: true }),
    events: t.relation('events', { query: { orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }] } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const ReservationStatus = builder.enumType('ReservationStatus', {
  values: ['ACTIVE', 'EXPIRED', 'RELEASED', 'CONVERTED'] as const,
});

builder.prismaNode('Reservation', {
  id: { field: 'id' },
  nullable: true,
  description: 'A slot held for a while (Timekit reserve); it blocks the time until it expires, is released or is booked.',
  fields: (t) => ({
    account: t.relation('account'),
    status: t.field({
      type: ReservationStatus,
      resolve: (reservation) =>
        reservation.status === 'ACTIVE' && reservation.expiresAt.getTime() <= Date.now() ? 'EXPIRED' : reservation.status,
    }),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    appointmentType: t.relation('appointmentType'),
    agents: t.field({
      type: [AgentRef],
      description: 'The agents the reservation holds.',
      select: (_args, _context, nestedSelection) => ({ timeBlocks: { select: { agent: nestedSelection(true) } } }),
      resolve: (reservation) => reservation.timeBlocks.map((block) => block.agent),
    }),
    booking: t.relation('booking', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

// ---- Availability ---------------------------------------------------------------

export interface AvailableSlot {
  startsAt: DateTime;
  endsAt: DateTime;
  agents: Agent[];
}

export const AvailableSlotRef = builder.objectRef<AvailableSlot>('AvailableSlot').implement({
  description: 'A bookable start time. Times are given with the offset of the requested time zone.',
  fields: (t) => ({
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    agents: t.field({
      type: [AgentRef],
      description: 'The agents free for this slot (all of them for a collective team).',
      resolve: (slot) => slot.agents,
    }),
  }),
});

export const MAX_AVAILABILITY_DAYS = 62;
const WEEK_MS = 7 * 86_400_000;

const AvailabilityInput = builder.inputType('AvailabilityInput', {
  fields: (t) => ({
    appointmentTypeId: t.id(),
    resourceId: t.id({ description: 'An agent or a team.' }),
    from: t.field({ type: 'DateTime', required: false, description: 'Defaults to now.' }),
    to: t.field({
      type: 'DateTime',
      required: false,
      description: `At most ${MAX_AVAILABILITY_DAYS} days after from; defaults to ${DEFAULT_AVAILABILITY_DAYS} days after from.`,
    }),
    timeZone: t.field({ type: 'TimeZone', required: false, description: 'How to present the times; defaults to UTC.' }),
  }),
});

builder.queryField('availability', (t) =>
  t.field({
    type: [AvailableSlotRef],
    nullable: true,
    authScopes: { read: true },
    description:
      'Free slots of an agent or team for an appointment type: working hours and overrides, minus holidays, bookings and live reservations (each widened by buffers), honouring notice, window and slot interval.',
    args: { input: t.arg({ type: AvailabilityInput }) },
    resolve: async (_root, { input }, context, info) => {
      const { start: from, end: to } = availabilityRange(input.from?.getTime(), input.to?.getTime(), Date.now());
      if (to <= from) throw ValidationError.of(['input', 'to'], 'Must be after from');
      if (to - from > MAX_AVAILABILITY_DAYS * 86_400_000) {
        throw ValidationError.of(['input', 'to'], `At most ${MAX_AVAILABILITY_DAYS} days after from`);
      }
      const resource = await resolveResource(context.db, input.resourceId);
      const range = { start: from, end: to };
      const memberIds = resource.members.map((member) => member.agentId);
      const [type, schedules, members] = await Promise.all([
        loadAppointmentType(context.db, input.appointmentTypeId, resource.accountId),
        loadSchedules(context.db, memberIds, range),
        // The members once, with whatever the client selected under `agents`, for every slot to share.
        context.db.agent.findMany({
          ...queryFromInfo({ context, info, typeName: 'Agent', path: ['agents'] }),
          where: { id: { in: memberIds } },
        }),
      ]);
      const membersById = new Map(members.map((member) => [member.id, member]));
      // The cached zone: a zone name would make Luxon ask Intl for the offset of every slot's start and end.
      const zone = input.timeZone ? ianaZone(input.timeZone) : 'UTC';
      // One slot's end is often another's start: one DateTime per instant.
      const dateTimes = new Map<number, DateTime>();
      const dateTimeAt = (instant: number) => {
        let dateTime = dateTimes.get(instant);
        if (!dateTime) dateTimes.set(instant, (dateTime = DateTime.fromMillis(instant, { zone })));
        return dateTime;
      };
      // A week at a time, yielding in between: a team's two months hold the event loop for tens of milliseconds.
      // Slots are bounded only by their start, so the weeks' slots together are exactly the range's.
      const now = Date.now();
      const rules = rulesOf(type);
      const slots = [];
      for (let weekStart = from; weekStart < to; weekStart += WEEK_MS) {
        if (weekStart > from) await nextTurn();
        slots.push(...computeSlots({ rules, agents: schedules, mode: resource.mode, range: { start: weekStart, end: Math.min(weekStart + WEEK_MS, to) }, now }));
      }
      return slots.map((slot) => ({
        startsAt: dateTimeAt(slot.start),
        endsAt: dateTimeAt(slot.end),
        agents: slot.agentIds.map((id) => membersById.get(id)).filter((agent) => agent !== undefined),
      }));
    },
  }),
);

// ---- Lists ----------------------------------------------------------------------

const bookingOrder = orderByInput('Booking', {
  STARTS_AT: 'startsAt',
  ENDS_AT: 'endsAt',
  CREATED_AT: 'createdAt',
  STATUS: 'status',
  TITLE: 'title',
  CUSTOMER_NAME: ['customer', 'name'],
  APPOINTMENT_TYPE_NAME: ['appointmentType', 'internalName'],
});

const BookingWhere = builder.inputType('BookingWhere', {
  description: 'HaloPSA’s appointment filters. All given conditions must hold.',
  fields: (t) => ({
    startsAt: t.field({ type: DateTimeFilter, required: false }),
    startsAfter: t.field({ type: 'DateTime', required: false, description: 'Starting at or after this instant (after, if inclusive is false).' }),
    startsBefore: t.field({ type: 'DateTime', required: false, description: 'Starting at or before this instant (before, if inclusive is false).' }),
    inclusive: t.boolean({ required: false, defaultValue: true, description: 'Whether startsAfter and startsBefore include their instant.' }),
    statuses: t.field({ type: [BookingStatus], required: false }),
    includeCancelled: t.boolean({
      required: false,
      defaultValue: true,
      description: 'false leaves out cancelled, declined and rescheduled bookings.',
    }),
    agentIds: t.idList({ required: false, description: 'Bookings holding any of these agents.' }),
    teamIds: t.idList({ required: false }),
    appointmentTypeIds: t.idList({ required: false }),
    customerIds: t.idList({ required: false }),
    search: t.string({ required: false, description: 'Text in the title, description or customer name, ignoring case.' }),
  }),
});

const CANCELLED_STATUSES = ['CANCELLED', 'DECLINED', 'RESCHEDULED'] as const;

function bookingWhere(context: Context, args: { accountIds?: readonly string[] | null; filter?: string | null; where?: typeof BookingWhere.$inferInput | null }) {
  const where = args.where;
  const inclusive = where?.inclusive ?? true;
  const search = where?.search?.trim();
  const conditions = [
    { startsAt: dateTimeFilter(where?.startsAt) },
    where?.startsAfter ? { startsAt: inclusive ? { gte: where.startsAfter } : { gt: where.startsAfter } } : {},
    where?.startsBefore ? { startsAt: inclusive ? { lte: where.startsBefore } : { lt: where.startsBefore } } : {},
    where?.statuses ? { status: { in: where.statuses } } : {},
    where?.includeCancelled === false ? { status: { notIn: [...CANCELLED_STATUSES] } } : {},
    search
      ? {
          OR: [
            { title: containsText(search) },
            { description: containsText(search) },
            { customer: { name: containsText(search) } },
          ],
        }
      : {},
  ];
  return withFilter(
    {
      accountId: { in: accountsInScope(context, args.accountIds) },
      agents: where?.agentIds ? { some: { agentId: idsFilter('Agent', where.agentIds) } } : undefined,
      teamId: idsFilter('Team', where?.teamIds),
      appointmentTypeId: idsFilter('AppointmentType', where?.appointmentTypeIds),
      customerId: idsFilter('Customer', where?.customerIds),
      AND: conditions,
    },
    args.filter,
    BOOKING_FILTERS,
  );
}

builder.queryFields((t) => ({
  bookings: t.prismaConnection(
    {
      type: 'Booking',
      cursor: 'id',
      nullable: true,
      authScopes: { read: true },
      args: { ...accountIdsArg, ...filterArgs(BOOKING_FILTERS), where: t.arg({ type: BookingWhere, required: false }), ...bookingOrder.args },
      resolve: (query, _root, args, context) =>
        context.db.booking.findMany({ ...query, where: bookingWhere(context, args), orderBy: bookingOrder.toPrisma(args.orderBy) }),
      totalCount: (_parent, args, context) => context.db.booking.count({ where: bookingWhere(context, args) }),
    },
    { name: 'BookingConnection' },
    { name: 'BookingEdge' },
  ),
}));

// ---- Mutations ------------------------------------------------------------------

export const CustomerInput = builder.inputType('BookingCustomerInput', {
  description: 'The person booking; an existing customer of the account with this email is reused.',
  fields: (t) => ({
    name: t.string({ validate: customerName }),
    email: t.string({ validate: customerEmail }),
    phone: t.string({ required: false, validate: customerPhone }),
    timeZone: t.field({ type: 'TimeZone', required: false }),
  }),
});

const idempotencyKey = z.string().min(1).max(255);

const CreateBookingInput = builder.inputType('CreateBookingInput', {
  fields: (t) => ({
    appointmentTypeId: t.id(),
    resourceId: t.id({ description: 'An agent or a team.' }),
    startsAt: t.field({ type: 'DateTime', description: 'Must be a slot `availability` offers.' }),
    agentId: t.id({ required: false, description: 'For an ANY or ROUND_ROBIN team: the member to book.' }),
    customer: t.field({ type: CustomerInput, required: false }),
    customerId: t.id({ required: false }),
    title: t.string({ required: false, validate: z.string().max(500) }),
    location: t.string({ required: false, validate: z.string().max(500) }),
    description: t.string({ required: false, validate: z.string().max(5000) }),
    reservationId: t.id({ required: false, description: 'Turns this reservation into the booking.' }),
    allowDoubleBooking: t.boolean({ required: false, description: 'Book even if the agents are busy (Timekit allow_double_bookings).' }),
    idempotencyKey: t.string({ required: false, validate: idempotencyKey }),
  }),
});

const ReserveSlotInput = builder.inputType('ReserveSlotInput', {
  fields: (t) => ({
    appointmentTypeId: t.id(),
    resourceId: t.id(),
    startsAt: t.field({ type: 'DateTime' }),
    agentId: t.id({ required: false }),
    ttlSeconds: t.int({
      required: false,
      validate: z.number().int().min(1).max(86_400),
      description: 'How long to hold the slot; defaults to the appointment type’s reservation TTL.',
    }),
    customer: t.field({ type: CustomerInput, required: false }),
    idempotencyKey: t.string({ required: false, validate: idempotencyKey }),
  }),
});

const reason = z.string().trim().max(2000);

function principalOf(context: Context) {
  return context.principal!;
}

/** The services return bare rows; the client's selection (relations included) is loaded in one more query. */
export function reloadBooking<Query extends object>(context: Context, query: Query, booking: { id: string }) {
  return context.db.booking.findUniqueOrThrow({ ...query, where: { id: booking.id } });
}

builder.mutationFields((t) => ({
  createBooking: t.prismaField({
    type: 'Booking',
    authScopes: { write: true },
    errors: BOOKING_ERRORS,
    description:
      'Books a slot. INSTANT appointment types confirm at once, CONFIRM_DECLINE ones start TENTATIVE. Two bookings can never hold one agent at overlapping times.',
    args: { input: t.arg({ type: CreateBookingInput }) },
    resolve: async (query, _root, { input }, context) => {
      if (input.customer && input.customerId) {
        throw ValidationError.of(['input', 'customerId'], 'Give either customer or customerId');
      }
      const booking = await createBooking(context.db, principalOf(context), input);
      context.bookingEvents.bookingCreated();
      return reloadBooking(context, query, booking);
    },
  }),
  rescheduleBooking: t.prismaField({
    type: 'Booking',
    authScopes: { write: true },
    errors: { types: [...TRANSITION_ERRORS.types, SlotUnavailableError] },
    description: 'Moves a booking: the new time is taken or nothing changes. Returns the new booking, linked to the old.',
    args: { id: t.arg.id(), startsAt: t.arg({ type: 'DateTime' }) },
    resolve: async (query, _root, { id, startsAt }, context) =>
      reloadBooking(context, query, await rescheduleBooking(context.db, principalOf(context), id, startsAt)),
  }),
  reserveSlot: t.prismaField({
    type: 'Reservation',
    authScopes: { write: true },
    errors: BOOKING_ERRORS,
    description: 'Holds a slot for a while so nobody else can book it; book it with `reservationId`.',
    args: { input: t.arg({ type: ReserveSlotInput }) },
    resolve: async (query, _root, { input }, context) =>
      context.db.reservation.findUniqueOrThrow({ ...query, where: { id: (await reserveSlot(context.db, principalOf(context), input)).id } }),
  }),
  releaseReservation: t.prismaField({
    type: 'Reservation',
    authScopes: { write: true },
    errors: { types: [...MUTATION_ERRORS.types, ReservationUnavailableError] },
    args: { id: t.arg.id() },
    resolve: async (query, _root, { id }, context) =>
      context.db.reservation.findUniqueOrThrow({ ...query, where: { id: (await releaseReservation(context.db, id)).id } }),
  }),
}));

const STATUS_CHANGES = [
  ['confirmBooking', 'CONFIRM', 'Confirms a tentative booking.'],
  ['declineBooking', 'DECLINE', 'Declines a tentative booking and frees its time.'],
  ['cancelBooking', 'CANCEL', 'Cancels a booking and frees its time; the history records who cancelled and why.'],
  ['completeBooking', 'COMPLETE', 'Marks a confirmed booking as having taken place.'],
  ['markNoShow', 'MARK_NO_SHOW', 'Marks a confirmed booking whose customer did not come.'],
] as const;

for (const [name, action, description] of STATUS_CHANGES) {
  builder.mutationField(name, (t) =>
    t.prismaField({
      type: 'Booking',
      authScopes: { write: true },
      errors: TRANSITION_ERRORS,
      description,
      args: { id: t.arg.id(), reason: t.arg.string({ required: false, validate: reason }) },
      resolve: async (query, _root, args, context) => {
        const booking = await changeBookingStatus(context.db, principalOf(context), args.id, action, args.reason);
        if (action === 'CANCEL') context.bookingEvents.bookingCancelled();
        return reloadBooking(context, query, booking);
      },
    }),
  );
}
