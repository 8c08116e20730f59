/**
 * The demo accounts' history and diary: bookings in every status and scheduling requests, from three months
 * before the day of seeding to six weeks after it. Each booking is placed by the rules a real one meets: its start
 * is a slot `computeSlots` offers at the moment it was made (working hours and overrides in the workday's zone,
 * holidays, notice, window, interval, and the time earlier bookings hold), so the time_blocks exclusion
 * constraint accepts every block. A pseudo-random sequence seeded by the date makes the data the same for one
 * seed day.
 */
import { DateTime } from 'luxon';
import { blockedRange, computeSlots, type AgentSchedule, type AppointmentRules, type SchedulingMode } from '../scheduling/availability.ts';
import { holdsTime, initialStatus, type BookingStatus, type ConfirmationFlow } from '../scheduling/booking-lifecycle.ts';
import type { Interval } from '../scheduling/intervals.ts';

export interface DemoAccountActivityInput {
  accountId: string;
  timeZone: string;
  agents: Array<{ id: string; schedulable: boolean; schedule: Omit<AgentSchedule, 'busy'> }>;
  teams: Array<{ id: string; mode: Exclude<SchedulingMode, 'SINGLE'>; memberIds: string[] }>;
  types: Array<{ id: string; internalName: string; externalName: string; confirmationFlow: ConfirmationFlow; rules: AppointmentRules }>;
  customerIds: string[];
}

export interface DemoBooking {
  id: string;
  accountId: string;
  appointmentTypeId: string;
  agentId: string | null;
  teamId: string | null;
  customerId: string;
  status: BookingStatus;
  startsAt: Date;
  endsAt: Date;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  title: string;
  rescheduledFromId: string | null;
  schedulingRequestId: string | null;
  createdAt: Date;
  updatedAt: Date;
  agentIds: string[];
}

export interface DemoBookingEvent {
  accountId: string;
  bookingId: string;
  type: 'CREATED' | 'CONFIRMED' | 'DECLINED' | 'CANCELLED' | 'RESCHEDULED' | 'COMPLETED' | 'NO_SHOW';
  fromStatus: BookingStatus | null;
  toStatus: BookingStatus;
  reason: string | null;
  relatedBookingId: string | null;
  occurredAt: Date;
}

export interface DemoTimeBlock {
  accountId: string;
  agentId: string;
  bookingId: string;
  start: Date;
  end: Date;
  active: boolean;
}

export interface DemoSchedulingRequest {
  id: string;
  accountId: string;
  appointmentTypeId: string;
  requestedByAgentId: string;
  customerId: string;
  status: 'NEW' | 'SENT' | 'SCHEDULED' | 'CANCELLED' | 'CLOSED';
  appointmentTypeSnapshot: Record<string, string | number>;
  agentIds: string[];
  teamIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface DemoActivity {
  requests: DemoSchedulingRequest[];
  bookings: DemoBooking[];
  events: DemoBookingEvent[];
  blocks: DemoTimeBlock[];
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Days before and after the seed day that hold bookings. */
const PAST_DAYS = 91;
const COMING_DAYS = 42;
const BOOKINGS_PER_DAY = 2;

/** Final statuses in turn, per resource, so that every resource with a dozen bookings has each of them. */
const PAST_STATUSES: BookingStatus[] = ['COMPLETED', 'CANCELLED', 'COMPLETED', 'NO_SHOW', 'COMPLETED', 'RESCHEDULED', 'DECLINED', 'COMPLETED', 'CONFIRMED', 'COMPLETED', 'CANCELLED'];
const COMING_STATUSES: BookingStatus[] = ['CONFIRMED', 'TENTATIVE', 'CANCELLED', 'CONFIRMED', 'DECLINED', 'RESCHEDULED', 'CONFIRMED', 'TENTATIVE'];
const OPEN_REQUEST_STATUSES = ['SENT', 'CANCELLED', 'NEW', 'CLOSED', 'SENT'] as const;

/** mulberry32: a small, fast generator whose sequence depends only on its seed. */
function randomSequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Deterministic UUIDs (version 4 layout) from the same sequence, so one seed day gives the same rows. */
function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

interface Resource {
  agentId: string | null;
  teamId: string | null;
  mode: SchedulingMode;
  memberIds: string[];
}

/**
 * Plans one account's bookings and scheduling requests around the date of `seededAt`. `index` varies the sequence
 * between accounts seeded on the same day.
 */
export function planDemoActivity(account: DemoAccountActivityInput, seededAt: Date, index: number): DemoActivity {
  // The plan's "now" is the start of the seed's UTC date, so that one date gives one plan whatever the hour.
  const now = DateTime.fromJSDate(seededAt, { zone: 'UTC' }).startOf('day').toMillis();
  const seedDay = DateTime.fromMillis(now, { zone: account.timeZone }).startOf('day');
  const random = randomSequence(Math.floor(seedDay.toMillis() / DAY_MS) * 31 + index + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const activity: DemoActivity = { requests: [], bookings: [], events: [], blocks: [] };
  const schedules = new Map(account.agents.map((agent) => [agent.id, agent.schedule]));
  const busy = new Map<string, Interval[]>(account.agents.map((agent) => [agent.id, []]));
  const resources: Resource[] = [
    ...account.agents.filter((agent) => agent.schedulable).map((agent) => ({ agentId: agent.id, teamId: null, mode: 'SINGLE' as const, memberIds: [agent.id] })),
    ...account.teams.map((team) => ({ agentId: null, teamId: team.id, mode: team.mode, memberIds: team.memberIds })),
  ];
  const agentOrder = new Map(account.agents.map((agent, position) => [agent.id, position]));
  const statusTurn = new Map<Resource, number>();
  const requesters = account.agents.map((agent) => agent.id);

  /** A free slot of `resource` on the local day `day`, as offered at `madeAt`, with the agents it takes. */
  function slotOn(resource: Resource, type: DemoAccountActivityInput['types'][number], day: DateTime, madeAt: number) {
    const range = { start: day.toMillis(), end: day.plus({ days: 1 }).toMillis() };
    const near = { start: range.start - DAY_MS, end: range.end + DAY_MS };
    const agents = resource.memberIds.map((agentId) => ({
      ...schedules.get(agentId)!,
      busy: busy.get(agentId)!.filter((block) => block.start < near.end && block.end > near.start),
    }));
    const slots = computeSlots({ rules: type.rules, agents, mode: resource.mode, range, now: madeAt });
    if (slots.length === 0) return null;
    const slot = pick(slots);
    // Free members in the account's order rather than by id, which differs between databases.
    const free = [...slot.agentIds].sort((a, b) => agentOrder.get(a)! - agentOrder.get(b)!);
    const agentIds = resource.mode === 'SINGLE' || resource.mode === 'COLLECTIVE' ? free : [pick(free)];
    return { start: slot.start, end: slot.end, agentIds };
  }

  function addBooking(
    resource: Resource,
    type: DemoAccountActivityInput['types'][number],
    slot: { start: number; end: number; agentIds: string[] },
    values: { status: BookingStatus; createdAt: number; customerId: string; rescheduledFromId?: string; schedulingRequestId?: string },
  ): DemoBooking {
    const booking: DemoBooking = {
      id: uuidFrom(random),
      accountId: account.accountId,
      appointmentTypeId: type.id,
      agentId: resource.agentId,
      teamId: resource.teamId,
      customerId: values.customerId,
      status: values.status,
      startsAt: new Date(slot.start),
      endsAt: new Date(slot.end),
      bufferBeforeMinutes: type.rules.bufferBeforeMinutes,
      bufferAfterMinutes: type.rules.bufferAfterMinutes,
      title: type.externalName,
      rescheduledFromId: values.rescheduledFromId ?? null,
      schedulingRequestId: values.schedulingRequestId ?? null,
      createdAt: new Date(values.createdAt),
      updatedAt: new Date(values.createdAt),
      agentIds: slot.agentIds,
    };
    activity.bookings.push(booking);
    const blocked = blockedRange(slot, type.rules);
    for (const agentId of slot.agentIds) {
      activity.blocks.push({ accountId: account.accountId, agentId, bookingId: booking.id, start: new Date(blocked.start), end: new Date(blocked.end), active: holdsTime(values.status) });
      if (holdsTime(values.status)) busy.get(agentId)!.push(blocked);
    }
    const initial = initialStatus(type.confirmationFlow);
    event(booking, 'CREATED', null, initial, values.createdAt, { relatedBookingId: values.rescheduledFromId ?? null });
    return booking;
  }

  function event(booking: DemoBooking, type: DemoBookingEvent['type'], fromStatus: BookingStatus | null, toStatus: BookingStatus, at: number, extra: { reason?: string; relatedBookingId?: string | null } = {}) {
    activity.events.push({ accountId: account.accountId, bookingId: booking.id, type, fromStatus, toStatus, reason: extra.reason ?? null, relatedBookingId: extra.relatedBookingId ?? null, occurredAt: new Date(at) });
    booking.updatedAt = new Date(Math.max(booking.updatedAt.getTime(), at));
  }

  /** The events that take a booking from its first status to `status`, after the CREATED one. */
  function history(booking: DemoBooking, flow: ConfirmationFlow, status: BookingStatus, rescheduledTo?: DemoBooking) {
    const createdAt = booking.createdAt.getTime();
    const start = booking.startsAt.getTime();
    const changedAt = createdAt + Math.floor((Math.min(start, now) - createdAt) * (0.3 + random() * 0.5));
    let current = initialStatus(flow);
    const confirm = () => {
      if (current !== 'TENTATIVE') return;
      event(booking, 'CONFIRMED', current, 'CONFIRMED', createdAt + Math.floor((Math.min(start, now) - createdAt) / 4));
      current = 'CONFIRMED';
    };
    switch (status) {
      case 'CONFIRMED':
        confirm();
        break;
      case 'COMPLETED':
      case 'NO_SHOW':
        confirm();
        event(booking, status, current, status, booking.endsAt.getTime());
        break;
      case 'CANCELLED':
        event(booking, 'CANCELLED', current, 'CANCELLED', changedAt, { reason: pick(['Customer asked to cancel', 'Issue resolved by phone', 'Duplicate request']) });
        break;
      case 'DECLINED':
        event(booking, 'DECLINED', current, 'DECLINED', changedAt, { reason: 'No engineer free for the whole visit' });
        break;
      case 'RESCHEDULED':
        event(booking, 'RESCHEDULED', current, 'RESCHEDULED', rescheduledTo!.createdAt.getTime(), { relatedBookingId: rescheduledTo!.id });
        break;
      case 'TENTATIVE':
        break;
    }
  }

  /** The status a booking made for `resource` ends in: its turn in the list, where the type's flow allows it. */
  function finalStatus(resource: Resource, flow: ConfirmationFlow, past: boolean): BookingStatus {
    const turn = statusTurn.get(resource) ?? 0;
    statusTurn.set(resource, turn + 1);
    const statuses = past ? PAST_STATUSES : COMING_STATUSES;
    const status = statuses[turn % statuses.length]!;
    if ((status === 'DECLINED' || status === 'TENTATIVE') && flow === 'INSTANT') return past ? 'COMPLETED' : 'CONFIRMED';
    return status;
  }

  function request(values: { type: DemoAccountActivityInput['types'][number]; resource: Resource; customerId: string; status: DemoSchedulingRequest['status']; createdAt: number }) {
    const created: DemoSchedulingRequest = {
      id: uuidFrom(random),
      accountId: account.accountId,
      appointmentTypeId: values.type.id,
      requestedByAgentId: pick(requesters),
      customerId: values.customerId,
      status: values.status,
      appointmentTypeSnapshot: {
        ...values.type.rules,
        internalName: values.type.internalName,
        externalName: values.type.externalName,
        confirmationFlow: values.type.confirmationFlow,
      },
      agentIds: values.resource.agentId ? [values.resource.agentId] : [],
      teamIds: values.resource.teamId ? [values.resource.teamId] : [],
      createdAt: new Date(values.createdAt),
      updatedAt: new Date(values.createdAt),
    };
    activity.requests.push(created);
    return created;
  }

  let turn = 0;
  for (let offset = -PAST_DAYS; offset <= COMING_DAYS; offset++) {
    const day = seedDay.plus({ days: offset });
    for (let count = 0; count < BOOKINGS_PER_DAY; count++, turn++) {
      const resource = resources[turn % resources.length]!;
      const type = pick(account.types);
      const leadMs = (1 + random() * 20) * DAY_MS;
      const createdAt = Math.min(day.toMillis() - leadMs, now - HOUR_MS - Math.floor(random() * DAY_MS));
      const slot = slotOn(resource, type, day, createdAt);
      if (!slot) continue;
      const status = finalStatus(resource, type.confirmationFlow, slot.end <= now);
      const customerId = pick(account.customerIds);
      // Every third booking answers a scheduling request sent a little before it was made.
      const answers = turn % 3 === 0
        ? request({ type, resource, customerId, status: 'SCHEDULED', createdAt: createdAt - Math.floor((1 + random() * 47) * HOUR_MS) })
        : undefined;
      let replacement: DemoBooking | undefined;
      const booking = addBooking(resource, type, slot, { status, createdAt, customerId, schedulingRequestId: answers?.id });
      if (status === 'RESCHEDULED') {
        const movedAt = createdAt + Math.floor((Math.min(slot.start, now) - createdAt) / 2);
        const later = slotOn(resource, type, day.plus({ days: 1 + Math.floor(random() * 5) }), movedAt);
        if (later) {
          const laterStatus: BookingStatus = later.end <= now ? 'COMPLETED' : initialStatus(type.confirmationFlow);
          replacement = addBooking(resource, type, later, { status: laterStatus, createdAt: movedAt, customerId, rescheduledFromId: booking.id, schedulingRequestId: answers?.id });
          history(replacement, type.confirmationFlow, laterStatus);
        } else {
          booking.status = 'CANCELLED';
        }
      }
      history(booking, type.confirmationFlow, booking.status, replacement);
    }
    // Requests not (yet) booked: open ones in the last fortnight, cancelled or closed before.
    if (offset <= 0 && day.weekday <= 5) {
      const status = offset > -14 ? pick(['NEW', 'SENT'] as const) : OPEN_REQUEST_STATUSES[(-offset) % OPEN_REQUEST_STATUSES.length]!;
      const createdAt = Math.min(day.plus({ hours: 9 + random() * 8 }).toMillis(), now - HOUR_MS);
      request({ type: pick(account.types), resource: pick(resources), customerId: pick(account.customerIds), status, createdAt });
    }
  }
  return activity;
}
