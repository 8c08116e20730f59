/**
 * An in-memory model of the booking engine over one working day of the
 * account createBookableAccount builds: which agents a slot would take, what
 * each mutation should answer, and which time blocks the database should
 * hold. It is written from the API's description, not from src/, so that the
 * model-based test compares two independent accounts of the same rules.
 */

const MINUTE_MS = 60_000;

export type BookingStatus = 'TENTATIVE' | 'CONFIRMED' | 'DECLINED' | 'CANCELLED' | 'RESCHEDULED' | 'COMPLETED' | 'NO_SHOW';
export type StatusAction = 'CONFIRM' | 'DECLINE' | 'CANCEL' | 'COMPLETE' | 'MARK_NO_SHOW';
export type BookingAction = StatusAction | 'RESCHEDULE';
export type ReservationStatus = 'ACTIVE' | 'EXPIRED' | 'RELEASED' | 'CONVERTED';

export interface ModelType {
  name: string;
  id: string;
  durationMinutes: number;
  bufferAfterMinutes: number;
  slotIntervalMinutes: number;
  flow: 'INSTANT' | 'CONFIRM_DECLINE';
}

export interface ModelResource {
  name: string;
  id: string;
  mode: 'SINGLE' | 'ANY' | 'ROUND_ROBIN' | 'COLLECTIVE';
  /** Agent ids in priority order. */
  members: string[];
}

export interface ModelBooking {
  id: string;
  status: BookingStatus;
  resource: ModelResource;
  type: ModelType;
  start: number;
  agents: string[];
  doubleBooked: boolean;
  /** Made by the availability check and cancelled at once; commands leave it alone. */
  probe: boolean;
}

export interface ModelReservation {
  id: string;
  resource: ModelResource;
  type: ModelType;
  start: number;
  agents: string[];
  expiresAt: number;
  state: 'ACTIVE' | 'RELEASED' | 'CONVERTED';
}

export interface ModelBlock {
  agentId: string;
  start: number;
  end: number;
  exclusive: boolean;
  bookingId?: string;
  reservationId?: string;
}

const TRANSITIONS: Record<BookingAction, { from: BookingStatus[]; to: BookingStatus }> = {
  CONFIRM: { from: ['TENTATIVE'], to: 'CONFIRMED' },
  DECLINE: { from: ['TENTATIVE'], to: 'DECLINED' },
  CANCEL: { from: ['TENTATIVE', 'CONFIRMED'], to: 'CANCELLED' },
  RESCHEDULE: { from: ['TENTATIVE', 'CONFIRMED'], to: 'RESCHEDULED' },
  COMPLETE: { from: ['CONFIRMED'], to: 'COMPLETED' },
  MARK_NO_SHOW: { from: ['CONFIRMED'], to: 'NO_SHOW' },
};

export function nextStatus(status: BookingStatus, action: BookingAction): BookingStatus | null {
  return TRANSITIONS[action].from.includes(status) ? TRANSITIONS[action].to : null;
}

/** Declined, cancelled and rescheduled bookings give their time back; the others keep it. */
export function holdsTime(status: BookingStatus): boolean {
  return status === 'TENTATIVE' || status === 'CONFIRMED' || status === 'COMPLETED' || status === 'NO_SHOW';
}

export function initialStatus(type: ModelType): BookingStatus {
  return type.flow === 'INSTANT' ? 'CONFIRMED' : 'TENTATIVE';
}

export function blockedRange(type: ModelType, start: number) {
  return { start, end: start + (type.durationMinutes + type.bufferAfterMinutes) * MINUTE_MS };
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

export class BookingModel {
  readonly bookings: ModelBooking[] = [];
  readonly reservations: ModelReservation[] = [];

  /** `workStart` and `workEnd` bound every agent's working hours on the modelled day. */
  constructor(
    readonly workStart: number,
    readonly workEnd: number,
  ) {}

  reservationStatus(reservation: ModelReservation, now: number): ReservationStatus {
    return reservation.state === 'ACTIVE' && reservation.expiresAt <= now ? 'EXPIRED' : reservation.state;
  }

  /** Every stretch of time that currently keeps an agent busy, with the buffers it carries. */
  liveBlocks(now: number): ModelBlock[] {
    const blocks: ModelBlock[] = [];
    for (const booking of this.bookings) {
      if (!holdsTime(booking.status)) continue;
      const range = blockedRange(booking.type, booking.start);
      for (const agentId of booking.agents) blocks.push({ agentId, ...range, exclusive: !booking.doubleBooked, bookingId: booking.id });
    }
    for (const reservation of this.reservations) {
      if (this.reservationStatus(reservation, now) !== 'ACTIVE') continue;
      const range = blockedRange(reservation.type, reservation.start);
      for (const agentId of reservation.agents) blocks.push({ agentId, ...range, exclusive: true, reservationId: reservation.id });
    }
    return blocks;
  }

  /** A start on the type's grid whose appointment fits in the working day. */
  withinHours(type: ModelType, start: number): boolean {
    return (
      start >= this.workStart &&
      start + type.durationMinutes * MINUTE_MS <= this.workEnd &&
      (start - this.workStart) % (type.slotIntervalMinutes * MINUTE_MS) === 0
    );
  }

  /**
   * The members who could take an appointment at `start`, or null when the
   * resource offers no such slot. Busy time counts whether exclusive or not;
   * `ignore` leaves out the blocks of the booking or reservation being
   * moved or converted.
   */
  freeAgents(
    resource: ModelResource,
    type: ModelType,
    start: number,
    now: number,
    options: { ignore?: string; allowDoubleBooking?: boolean } = {},
  ): string[] | null {
    if (!this.withinHours(type, start)) return null;
    const wanted = blockedRange(type, start);
    const busy = this.liveBlocks(now).filter((block) => (block.bookingId ?? block.reservationId) !== options.ignore && overlaps(block, wanted));
    const free = resource.members.filter((agentId) => options.allowDoubleBooking || !busy.some((block) => block.agentId === agentId));
    if (resource.mode === 'COLLECTIVE') return free.length === resource.members.length ? free : null;
    return free.length > 0 ? free : null;
  }

  /** What `availability` should list for the whole day: each start with its free agents. */
  offeredSlots(resource: ModelResource, type: ModelType, now: number): Array<{ start: number; agents: string[] }> {
    const slots = [];
    for (let start = this.workStart; start + type.durationMinutes * MINUTE_MS <= this.workEnd; start += type.slotIntervalMinutes * MINUTE_MS) {
      const agents = this.freeAgents(resource, type, start, now);
      if (agents) slots.push({ start, agents });
    }
    return slots;
  }

  /**
   * The round-robin order among `candidates`: fewest time-holding bookings
   * (all within a week of the modelled day), then team priority.
   */
  roundRobinOrder(resource: ModelResource, candidates: string[]): string[] {
    const load = (agentId: string) =>
      this.bookings.filter((booking) => holdsTime(booking.status) && booking.agents.includes(agentId)).length;
    return [...candidates].sort((a, b) => load(a) - load(b) || resource.members.indexOf(a) - resource.members.indexOf(b));
  }

  /** Bookings commands may act on. */
  get actionable(): ModelBooking[] {
    return this.bookings.filter((booking) => !booking.probe);
  }
}
