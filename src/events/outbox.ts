import type { Prisma } from '../generated/prisma/client.ts';
import { encodeId } from '../schema/global-id.ts';
import type { AvailabilityTouch, BookingSnapshot, NewEvent } from './event-types.ts';

type Tx = Prisma.TransactionClient;

/**
 * The one place events are written: a row of the outbox inside the caller's
 * transaction, so the event exists exactly when the change commits. The
 * relay (src/events/relay.ts) publishes it once committed.
 */
export async function appendEvents(tx: Tx, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.outboxEvent.createMany({
    data: events.map((event) => ({
      accountId: event.accountId,
      type: event.type,
      subjectId: event.subjectId,
      payload: event.data as unknown as Prisma.InputJsonValue,
    })),
  });
}

export const appendEvent = (tx: Tx, event: NewEvent) => appendEvents(tx, [event]);

const iso = (instant: Date) => instant.toISOString();

export function touch(agentIds: readonly string[], from: Date | null, to: Date | null): AvailabilityTouch {
  return { agentIds: agentIds.map((id) => encodeId('Agent', id)), from: from && iso(from), to: to && iso(to) };
}

interface BookingRow {
  id: string;
  status: string;
  startsAt: Date;
  endsAt: Date;
  appointmentTypeId: string;
  agentId: string | null;
  teamId: string | null;
  customerId: string;
  title: string | null;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
}

export function bookingSnapshot(booking: BookingRow, agentIds: readonly string[]): BookingSnapshot {
  return {
    id: encodeId('Booking', booking.id),
    status: booking.status,
    startsAt: iso(booking.startsAt),
    endsAt: iso(booking.endsAt),
    appointmentTypeId: encodeId('AppointmentType', booking.appointmentTypeId),
    resourceId: booking.agentId ? encodeId('Agent', booking.agentId) : encodeId('Team', booking.teamId!),
    agentIds: agentIds.map((id) => encodeId('Agent', id)),
    customerId: encodeId('Customer', booking.customerId),
    title: booking.title,
  };
}

/** The time a booking holds, buffers included: what its changes may take or free. */
export function bookingTouch(booking: BookingRow, agentIds: readonly string[]): AvailabilityTouch {
  const MINUTE = 60_000;
  return touch(
    agentIds,
    new Date(booking.startsAt.getTime() - booking.bufferBeforeMinutes * MINUTE),
    new Date(booking.endsAt.getTime() + booking.bufferAfterMinutes * MINUTE),
  );
}

export function bookingEvent(
  type: NewEvent<'booking.created'>['type'] | `booking.${'confirmed' | 'declined' | 'cancelled' | 'rescheduled' | 'completed' | 'no_show'}`,
  booking: BookingRow & { accountId: string },
  agentIds: readonly string[],
  details: { previousStatus?: string | null; reason?: string | null; relatedBookingId?: string | null } = {},
): NewEvent {
  return {
    type,
    accountId: booking.accountId,
    subjectId: booking.id,
    data: {
      booking: bookingSnapshot(booking, agentIds),
      previousStatus: details.previousStatus ?? null,
      reason: details.reason ?? null,
      relatedBookingId: details.relatedBookingId ? encodeId('Booking', details.relatedBookingId) : null,
      availability: bookingTouch(booking, agentIds),
    },
  };
}

interface ReservationRow {
  id: string;
  accountId: string;
  status: string;
  startsAt: Date;
  endsAt: Date;
  expiresAt: Date;
  appointmentTypeId: string;
  agentId: string | null;
  teamId: string | null;
}

/** `blocked`: the time the reservation's blocks hold (buffers included). */
export function reservationEvent(
  type: 'reservation.made' | 'reservation.released' | 'reservation.expired',
  reservation: ReservationRow,
  agentIds: readonly string[],
  blocked: { start: Date; end: Date },
): NewEvent {
  return {
    type,
    accountId: reservation.accountId,
    subjectId: reservation.id,
    data: {
      reservation: {
        id: encodeId('Reservation', reservation.id),
        status: reservation.status,
        startsAt: iso(reservation.startsAt),
        endsAt: iso(reservation.endsAt),
        expiresAt: iso(reservation.expiresAt),
        appointmentTypeId: encodeId('AppointmentType', reservation.appointmentTypeId),
        resourceId: reservation.agentId ? encodeId('Agent', reservation.agentId) : encodeId('Team', reservation.teamId!),
        agentIds: agentIds.map((id) => encodeId('Agent', id)),
      },
      availability: touch(agentIds, blocked.start, blocked.end),
    },
  };
}

export function schedulingRequestEvent(
  type: `scheduling_request.${'created' | 'sent' | 'scheduled' | 'cancelled' | 'closed'}`,
  request: { id: string; accountId: string; status: string; appointmentTypeId: string; customerId: string },
  previousStatus: string | null,
): NewEvent {
  return {
    type,
    accountId: request.accountId,
    subjectId: request.id,
    data: {
      schedulingRequest: {
        id: encodeId('SchedulingRequest', request.id),
        status: request.status,
        previousStatus,
        appointmentTypeId: encodeId('AppointmentType', request.appointmentTypeId),
        customerId: encodeId('Customer', request.customerId),
      },
    },
  };
}

/** A holiday or a workday changed: the agents concerned, over the holiday's time or (hours) all time. */
export async function scheduleChanged(
  tx: Tx,
  accountId: string,
  change:
    | { cause: 'holiday.created' | 'holiday.updated' | 'holiday.deleted'; holiday: { id: string; agentId: string | null; workdayId: string | null; startsAt: Date; endsAt: Date }; previous?: { startsAt: Date; endsAt: Date } }
    | { cause: 'workday.updated'; workdayId: string },
): Promise<void> {
  const workdayId = 'holiday' in change ? change.holiday.workdayId : change.workdayId;
  const agentIds =
    'holiday' in change && change.holiday.agentId
      ? [change.holiday.agentId]
      : (await tx.agent.findMany({ where: { accountId, workdayId: workdayId! }, select: { id: true } })).map((agent) => agent.id);
  if (agentIds.length === 0) return;
  let from: Date | null = null;
  let to: Date | null = null;
  if ('holiday' in change) {
    const starts = [change.holiday.startsAt, change.previous?.startsAt ?? change.holiday.startsAt];
    const ends = [change.holiday.endsAt, change.previous?.endsAt ?? change.holiday.endsAt];
    from = new Date(Math.min(...starts.map(Number)));
    to = new Date(Math.max(...ends.map(Number)));
  }
  await appendEvent(tx, {
    type: 'schedule.changed',
    accountId,
    subjectId: null,
    data: {
      cause: change.cause,
      holidayId: 'holiday' in change ? encodeId('Holiday', change.holiday.id) : null,
      workdayId: workdayId ? encodeId('Workday', workdayId) : null,
      availability: touch(agentIds, from, to),
    },
  });
}
