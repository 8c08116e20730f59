/**
 * The one definition of the events the gateway emits: their names, what each
 * carries, and which ones touch availability. Pure: no Prisma, no GraphQL.
 * Outbox rows, subscriptions and webhook bodies are all built from these.
 * Ids in payloads are the API's global ids; instants are ISO 8601 in UTC.
 */

export const BOOKING_EVENT_TYPES = [
  'booking.created',
  'booking.confirmed',
  'booking.declined',
  'booking.cancelled',
  'booking.rescheduled',
  'booking.completed',
  'booking.no_show',
] as const;

export const RESERVATION_EVENT_TYPES = ['reservation.made', 'reservation.released', 'reservation.expired'] as const;

export const SCHEDULING_REQUEST_EVENT_TYPES = [
  'scheduling_request.created',
  'scheduling_request.sent',
  'scheduling_request.scheduled',
  'scheduling_request.cancelled',
  'scheduling_request.closed',
] as const;

/** Holidays and working hours: changes of the time agents can be booked at all. */
export const SCHEDULE_EVENT_TYPES = ['schedule.changed'] as const;

export const EVENT_TYPES = [...BOOKING_EVENT_TYPES, ...RESERVATION_EVENT_TYPES, ...SCHEDULING_REQUEST_EVENT_TYPES, ...SCHEDULE_EVENT_TYPES] as const;

export type BookingEventType = (typeof BOOKING_EVENT_TYPES)[number];
export type ReservationEventType = (typeof RESERVATION_EVENT_TYPES)[number];
export type SchedulingRequestEventType = (typeof SCHEDULING_REQUEST_EVENT_TYPES)[number];
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** The booking lifecycle's steps (src/scheduling/booking-lifecycle.ts) as event names. */
export const BOOKING_EVENT_OF_STEP = {
  CREATED: 'booking.created',
  CONFIRMED: 'booking.confirmed',
  DECLINED: 'booking.declined',
  CANCELLED: 'booking.cancelled',
  RESCHEDULED: 'booking.rescheduled',
  COMPLETED: 'booking.completed',
  NO_SHOW: 'booking.no_show',
} as const satisfies Record<string, BookingEventType>;

/**
 * The agents' time an event may have taken or freed: `agentIds` (global ids),
 * within [from, to); a null bound is open (working hours change every week).
 */
export interface AvailabilityTouch {
  agentIds: string[];
  from: string | null;
  to: string | null;
}

export interface BookingSnapshot {
  id: string;
  status: string;
  startsAt: string;
  endsAt: string;
  appointmentTypeId: string;
  resourceId: string;
  agentIds: string[];
  customerId: string;
  title: string | null;
}

export interface BookingEventData {
  booking: BookingSnapshot;
  previousStatus: string | null;
  reason: string | null;
  /** For a reschedule: the booking on the other side. */
  relatedBookingId: string | null;
  availability: AvailabilityTouch;
}

export interface ReservationEventData {
  reservation: {
    id: string;
    status: string;
    startsAt: string;
    endsAt: string;
    expiresAt: string;
    appointmentTypeId: string;
    resourceId: string;
    agentIds: string[];
  };
  availability: AvailabilityTouch;
}

export interface SchedulingRequestEventData {
  schedulingRequest: { id: string; status: string; previousStatus: string | null; appointmentTypeId: string; customerId: string };
}

export interface ScheduleEventData {
  /** What changed: a holiday (made, moved or removed), or a workday's hours, overrides or zone. */
  cause: 'holiday.created' | 'holiday.updated' | 'holiday.deleted' | 'workday.updated';
  holidayId: string | null;
  workdayId: string | null;
  availability: AvailabilityTouch;
}

export type EventData<Type extends EventType = EventType> = Type extends BookingEventType
  ? BookingEventData
  : Type extends ReservationEventType
    ? ReservationEventData
    : Type extends SchedulingRequestEventType
      ? SchedulingRequestEventData
      : ScheduleEventData;

/** An event to append: `accountId` and `subjectId` are database ids (the row's owner, and what to keep in order). */
export interface NewEvent<Type extends EventType = EventType> {
  type: Type;
  accountId: string;
  subjectId: string | null;
  data: EventData<Type>;
}

/** An event as the outbox holds it once written: what subscribers and webhook receivers get. */
export interface PublishedEvent {
  /** Stable per event: the `webhook-id`, and the id a subscriber can deduplicate by. */
  id: string;
  seq: string;
  type: EventType;
  accountId: string;
  occurredAt: string;
  data: EventData;
}

export function availabilityOf(event: PublishedEvent): AvailabilityTouch | undefined {
  return 'availability' in event.data ? event.data.availability : undefined;
}

/** Whether a change of `touch` may have taken or freed a slot of these agents between `from` and `to`. */
export function touchesAvailability(touch: AvailabilityTouch, agentIds: ReadonlySet<string>, from: number, to: number): boolean {
  if (!touch.agentIds.some((agentId) => agentIds.has(agentId))) return false;
  const start = touch.from === null ? -Infinity : Date.parse(touch.from);
  const end = touch.to === null ? Infinity : Date.parse(touch.to);
  return start < to && from < end;
}
