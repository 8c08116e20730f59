import { Repeater } from 'graphql-yoga';
import type { Agent } from '../generated/prisma/client.ts';
import { DateTime } from 'luxon';
import { findActiveClient } from '../auth/api-clients.ts';
import { loadAppointmentType, loadSchedules, resolveResource, rulesOf } from '../bookings/schedules.ts';
import {
  availabilityOf,
  touchesAvailability,
  type BookingEventData,
  type PublishedEvent,
  type SchedulingRequestEventData,
} from '../events/event-types.ts';
import { BOOKING_FILTERS } from '../query/catalogs.ts';
import { computeSlots } from '../scheduling/availability.ts';
import { AvailableSlotRef, BookingEventType, BookingStatus, MAX_AVAILABILITY_DAYS, type AvailableSlot } from './booking.ts';
import { builder } from './builder.ts';
import { accountsInScope, filterArgs, withFilter } from './common.ts';
import type { Context } from './context.ts';
import { invalidToken, ValidationError } from './errors.ts';
import { REVOKED } from '../auth/bearer.ts';
import { decodeIdOf, encodeId } from './global-id.ts';
import { SchedulingRequestStatus } from './scheduling-request.ts';
import { GraphQLError } from 'graphql';

builder.subscriptionType({
  authScopes: { authenticated: true },
  description:
    'Changes as they commit, over Server-Sent Events (POST or GET /graphql with Accept: text/event-stream) or WebSocket (graphql-ws on /graphql). Only events of the token’s accounts; a revoked client’s streams end.',
});

/**
 * The events of `accountIds` this subscription should see, each turned into
 * what it pushes (undefined: skip), one at a time in the order they came.
 * Holds one of the client's subscription slots while open; ends when the
 * client is revoked.
 */
async function eventStream<Value>(context: Context, accountIds: readonly string[], select: (event: PublishedEvent) => Promise<Value | undefined> | Value | undefined) {
  // A principal taken from the client as last seen is confirmed before the stream opens; the timer below then keeps checking.
  if (!(await context.confirmPrincipal())) throw invalidToken(REVOKED);
  const principal = context.principal!;
  const release = context.realtime.slots.take(principal.apiClientId);
  if (!release) {
    throw new GraphQLError('This client has as many subscriptions open as it may (SUBSCRIPTIONS_PER_CLIENT)', {
      extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', http: { status: 429 } },
    });
  }
  const accounts = new Set(accountIds);
  return new Repeater<Value>(async (push, stop) => {
    let chain = Promise.resolve();
    const unsubscribe = context.realtime.bus.subscribe((event) => {
      if (!accounts.has(event.accountId)) return;
      chain = chain
        .then(async () => {
          const value = await select(event);
          if (value !== undefined) await push(value);
        })
        .catch((error: unknown) => stop(error));
    });
    const recheck = setInterval(() => {
      findActiveClient(context.rootDb, principal.clientId).then(
        (client) => {
          if (!client) stop();
        },
        () => undefined,
      );
    }, context.realtime.recheckMs);
    const untrack = context.realtime.track(() => stop());
    await stop;
    untrack();
    unsubscribe();
    clearInterval(recheck);
    release();
  });
}

// ---- bookingChanged ---------------------------------------------------------------

type BookingChange = PublishedEvent & { data: BookingEventData };

const BookingChangeRef = builder.objectRef<BookingChange>('BookingChange').implement({
  description: 'A booking was created, confirmed, declined, cancelled, rescheduled, completed or marked a no-show.',
  fields: (t) => ({
    eventId: t.id({ description: 'The same as the webhook-id of its webhooks: stable, for deduplication.', resolve: (event) => event.id }),
    type: t.field({ type: BookingEventType, resolve: (event) => event.type.slice('booking.'.length).toUpperCase() as typeof BookingEventType.$inferType }),
    occurredAt: t.field({ type: 'DateTime', resolve: (event) => new Date(event.occurredAt) }),
    bookingId: t.id({ resolve: (event) => event.data.booking.id }),
    status: t.field({ type: BookingStatus, resolve: (event) => event.data.booking.status as typeof BookingStatus.$inferType }),
    previousStatus: t.field({ type: BookingStatus, nullable: true, resolve: (event) => event.data.previousStatus as typeof BookingStatus.$inferType | null }),
    startsAt: t.field({ type: 'DateTime', resolve: (event) => new Date(event.data.booking.startsAt) }),
    endsAt: t.field({ type: 'DateTime', resolve: (event) => new Date(event.data.booking.endsAt) }),
    reason: t.string({ nullable: true, resolve: (event) => event.data.reason }),
    relatedBookingId: t.id({ nullable: true, description: 'For a reschedule: the booking on the other side.', resolve: (event) => event.data.relatedBookingId }),
    booking: t.prismaField({
      type: 'Booking',
      nullable: true,
      description: 'The booking as it is now (read when the event is pushed; null if it was deleted since).',
      resolve: (query, event, _args, context) => context.db.booking.findUnique({ ...query, where: { id: decodeIdOf('Booking', event.data.booking.id)! } }),
    }),
  }),
});

builder.subscriptionField('bookingChanged', (t) =>
  t.field({
    type: BookingChangeRef,
    authScopes: { read: true },
    description: 'Every booking event of the token’s accounts (or of `accountIds`), narrowed by a TQL `filter` as the `bookings` list is.',
    args: { accountIds: t.arg.idList({ required: false }), ...filterArgs(BOOKING_FILTERS) },
    subscribe: (_root, args, context) => {
      const accounts = accountsInScope(context, args.accountIds);
      // Compiled once, so that a bad filter is answered at once.
      const filter = args.filter?.trim() ? withFilter({}, args.filter, BOOKING_FILTERS) : undefined;
      return eventStream(context, accounts, async (event) => {
        if (!event.type.startsWith('booking.')) return undefined;
        const change = event as BookingChange;
        if (filter) {
          const id = decodeIdOf('Booking', change.data.booking.id)!;
          if ((await context.db.booking.count({ where: { AND: [{ id }, filter] } })) === 0) return undefined;
        }
        return change;
      });
    },
    resolve: (event) => event,
  }),
);

// ---- schedulingRequestChanged -------------------------------------------------------

type SchedulingRequestChange = PublishedEvent & { data: SchedulingRequestEventData };

const SchedulingRequestChangeType = builder.enumType('SchedulingRequestChangeType', {
  values: ['CREATED', 'SENT', 'SCHEDULED', 'CANCELLED', 'CLOSED'] as const,
});

const SchedulingRequestChangeRef = builder.objectRef<SchedulingRequestChange>('SchedulingRequestChange').implement({
  fields: (t) => ({
    eventId: t.id({ resolve: (event) => event.id }),
    type: t.field({
      type: SchedulingRequestChangeType,
      resolve: (event) => event.type.slice('scheduling_request.'.length).toUpperCase() as typeof SchedulingRequestChangeType.$inferType,
    }),
    occurredAt: t.field({ type: 'DateTime', resolve: (event) => new Date(event.occurredAt) }),
    schedulingRequestId: t.id({ resolve: (event) => event.data.schedulingRequest.id }),
    status: t.field({ type: SchedulingRequestStatus, resolve: (event) => event.data.schedulingRequest.status as typeof SchedulingRequestStatus.$inferType }),
    previousStatus: t.field({
      type: SchedulingRequestStatus,
      nullable: true,
      resolve: (event) => event.data.schedulingRequest.previousStatus as typeof SchedulingRequestStatus.$inferType | null,
    }),
    schedulingRequest: t.prismaField({
      type: 'SchedulingRequest',
      nullable: true,
      resolve: (query, event, _args, context) =>
        context.db.schedulingRequest.findUnique({ ...query, where: { id: decodeIdOf('SchedulingRequest', event.data.schedulingRequest.id)! } }),
    }),
  }),
});

builder.subscriptionField('schedulingRequestChanged', (t) =>
  t.field({
    type: SchedulingRequestChangeRef,
    authScopes: { read: true },
    description: 'Scheduling requests created, sent, scheduled, cancelled or closed in the token’s accounts (or `accountIds`).',
    args: { accountIds: t.arg.idList({ required: false }) },
    subscribe: (_root, args, context) =>
      eventStream(context, accountsInScope(context, args.accountIds), (event) =>
        event.type.startsWith('scheduling_request.') ? (event as SchedulingRequestChange) : undefined,
      ),
    resolve: (event) => event,
  }),
);

// ---- availabilityChanged ------------------------------------------------------------

interface AvailabilityChange {
  cause: string;
  occurredAt: Date;
  taken: AvailableSlot[];
  freed: AvailableSlot[];
}

const AvailabilityChangeRef = builder.objectRef<AvailabilityChange>('AvailabilityChange').implement({
  description: 'Slots of the watched range that stopped or started being bookable, and the event that changed them.',
  fields: (t) => ({
    cause: t.string({ description: 'The event type: booking.created, reservation.expired, schedule.changed …', resolve: (change) => change.cause }),
    occurredAt: t.field({ type: 'DateTime', resolve: (change) => change.occurredAt }),
    taken: t.field({ type: [AvailableSlotRef], description: 'Slots no longer available.', resolve: (change) => change.taken }),
    freed: t.field({ type: [AvailableSlotRef], description: 'Slots newly available.', resolve: (change) => change.freed }),
  }),
});

/** Events a little outside the range can still move its slots: a slot ends, and its buffers reach, past its start. */
const TOUCH_MARGIN_MS = 86_400_000;

builder.subscriptionField('availabilityChanged', (t) =>
  t.field({
    type: AvailabilityChangeRef,
    authScopes: { read: true },
    description: `The slots \`availability\` would give for these arguments that were taken or freed by a booking, reservation (made, released or expired), cancellation, holiday or working-hours change. At most ${MAX_AVAILABILITY_DAYS} days.`,
    args: {
      appointmentTypeId: t.arg.id(),
      resourceId: t.arg.id({ description: 'An agent or a team.' }),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
    },
    subscribe: async (_root, args, context) => {
      const from = args.from.getTime();
      const to = args.to.getTime();
      if (to <= from) throw ValidationError.of(['to'], 'Must be after from');
      if (to - from > MAX_AVAILABILITY_DAYS * 86_400_000) throw ValidationError.of(['to'], `At most ${MAX_AVAILABILITY_DAYS} days after from`);
      const resource = await resolveResource(context.db, args.resourceId);
      const type = await loadAppointmentType(context.db, args.appointmentTypeId, resource.accountId);
      const memberIds = resource.members.map((member) => member.agentId);
      const members = new Map<string, Agent>((await context.db.agent.findMany({ where: { id: { in: memberIds } } })).map((agent) => [agent.id, agent]));
      const watched = new Set(memberIds.map((id) => encodeId('Agent', id)));
      const range = { start: from, end: to };
      const slotsNow = async () => {
        const schedules = await loadSchedules(context.db, memberIds, range);
        const slots = computeSlots({ rules: rulesOf(type), agents: schedules, mode: resource.mode, range, now: Date.now() });
        return new Map(slots.map((slot) => [`${slot.start}/${slot.end}`, slot]));
      };
      let previous = await slotsNow();
      const present = (slot: { start: number; end: number; agentIds: string[] }): AvailableSlot => ({
        startsAt: DateTime.fromMillis(slot.start, { zone: 'UTC' }),
        endsAt: DateTime.fromMillis(slot.end, { zone: 'UTC' }),
        agents: slot.agentIds.map((id) => members.get(id)).filter((agent) => agent !== undefined),
      });
      return eventStream(context, [resource.accountId], async (event) => {
        const touch = availabilityOf(event);
        if (!touch || !touchesAvailability(touch, watched, from - TOUCH_MARGIN_MS, to + TOUCH_MARGIN_MS)) return undefined;
        const current = await slotsNow();
        const taken = [...previous].filter(([key]) => !current.has(key)).map(([, slot]) => present(slot));
        const freed = [...current].filter(([key]) => !previous.has(key)).map(([, slot]) => present(slot));
        previous = current;
        if (taken.length === 0 && freed.length === 0) return undefined;
        return { cause: event.type, occurredAt: new Date(event.occurredAt), taken, freed };
      });
    },
    resolve: (change) => change,
  }),
);
