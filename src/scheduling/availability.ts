/**
 * Availability: which start times an appointment can be booked at, for one agent or a group.
 * Wall-clock hours are converted to instants only through Luxon with the agent's IANA zone;
 * everything after that is arithmetic on epoch milliseconds, so durations are exact across DST changes.
 */
import { DateTime } from 'luxon';
import { mergeIntervals, OverlapSweep, subtractIntervals, type Interval } from './intervals.ts';
import { ianaZone } from './time-zone.ts';
import { secondsOfDay, type DateOverride, type WeeklyInterval } from './working-hours.ts';

export interface AppointmentRules {
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  slotIntervalMinutes: number;
  minimumNoticeMinutes: number;
  bookingWindowDays: number;
}

export interface AgentSchedule {
  agentId: string;
  /** The agent's workday IANA zone: weekly hours and overrides are wall-clock times in it. */
  timeZone: string;
  weeklyHours: WeeklyInterval[];
  /** A date with overrides uses only its override intervals; an override without times closes the date. */
  overrides: DateOverride[];
  /** The agent's own leave and its workday's holidays. */
  holidays: Interval[];
  /** Bookings and reservations that block the agent, already widened by each blocker's own buffers. */
  busy: Interval[];
}

export type SchedulingMode = 'SINGLE' | 'ANY' | 'ROUND_ROBIN' | 'COLLECTIVE';

export interface Slot {
  start: number;
  end: number;
  /** Sorted. */
  agentIds: string[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * The instant a wall-clock time on a local date names in `zone`. A repeated time (fall-back) resolves to its
 * earlier occurrence; a skipped time (spring-forward gap) moves forward by the gap, as Luxon does.
 */
export function wallClockInstant(date: DateTime, time: string, zone: string): number {
  const seconds = secondsOfDay(time);
  const local = DateTime.fromObject(
    {
      year: date.year,
      month: date.month,
      day: date.day,
      hour: Math.floor(seconds / 3600),
      minute: Math.floor(seconds / 60) % 60,
      second: seconds % 60,
    },
    { zone: ianaZone(zone) },
  );
  if (!local.isValid) throw new RangeError(`Cannot place ${date.toISODate()} ${time} in time zone ${zone}: ${local.invalidReason}`);
  return Math.min(...local.getPossibleOffsets().map((candidate) => candidate.toMillis()));
}

/**
 * Working time within `range`: every local date that can touch the range (one extra day each side) contributes
 * its override intervals if it has any, else the weekly hours of its ISO weekday. Clipped to `range`, merged.
 */
export function workingIntervals(
  schedule: Pick<AgentSchedule, 'timeZone' | 'weeklyHours' | 'overrides'>,
  range: Interval,
): Interval[] {
  if (range.start >= range.end) return [];
  const { timeZone } = schedule;
  const weekly = groupBy(schedule.weeklyHours, (interval) => interval.weekday);
  const overrides = groupBy(schedule.overrides, (override) => override.date);

  const localDate = (instant: number) => {
    const local = DateTime.fromMillis(instant, { zone: ianaZone(timeZone) });
    if (!local.isValid) throw new RangeError(`Unknown time zone ${timeZone}`);
    // Dates are iterated in UTC so that calendar steps never meet a DST change.
    return DateTime.fromObject({ year: local.year, month: local.month, day: local.day }, { zone: 'UTC' });
  };
  const last = localDate(range.end).plus({ days: 1 });

  const intervals: Interval[] = [];
  for (let date = localDate(range.start).minus({ days: 1 }); date.toMillis() <= last.toMillis(); date = date.plus({ days: 1 })) {
    const dateOverrides = overrides.get(date.toISODate()!);
    const hours = dateOverrides
      ? dateOverrides.flatMap(({ startTime, endTime }) => (startTime != null && endTime != null ? [{ startTime, endTime }] : []))
      : (weekly.get(date.weekday) ?? []);
    for (const { startTime, endTime } of hours) {
      const start = Math.max(wallClockInstant(date, startTime, timeZone), range.start);
      const end = Math.min(wallClockInstant(date, endTime, timeZone), range.end);
      if (start < end) intervals.push({ start, end });
    }
  }
  return mergeIntervals(intervals);
}

/**
 * Where slot starts may fall: `[max(range.start, now + notice), min(range.end, now + window days))`, or null if empty.
 * The booking window counts days of 24 hours from `now`.
 */
export function bookableWindow(rules: AppointmentRules, range: Interval, now: number): Interval | null {
  const start = Math.max(range.start, now + rules.minimumNoticeMinutes * MINUTE_MS);
  const end = Math.min(range.end, now + rules.bookingWindowDays * DAY_MS);
  return start < end ? { start, end } : null;
}

/** The blocked range a booking/slot occupies: [start - bufferBefore, end + bufferAfter). */
export function blockedRange(
  slot: Interval,
  rules: Pick<AppointmentRules, 'bufferBeforeMinutes' | 'bufferAfterMinutes'>,
): Interval {
  return { start: slot.start - rules.bufferBeforeMinutes * MINUTE_MS, end: slot.end + rules.bufferAfterMinutes * MINUTE_MS };
}

/**
 * The first instant at or after `from` whose wall clock in `zone` is aligned to `intervalMinutes` (local midnight
 * always is). Within one UTC offset wall-clock and absolute time advance together; when the next aligned wall-clock
 * time lies past an offset change, the search restarts at the change. Instants, not wall-clock times, are returned,
 * so a repeated fall-back hour yields distinct starts and a skipped spring-forward time yields none.
 */
export function nextAlignedStart(from: number, intervalMinutes: number, zone: string): number {
  const stepMs = intervalMinutes * MINUTE_MS;
  let instant = from;
  for (;;) {
    const local = DateTime.fromMillis(instant, { zone: ianaZone(zone) });
    const alignedMsOfDay = Math.min(Math.ceil(msOfDay(local) / stepMs) * stepMs, DAY_MS);
    const candidate = local.plus({ milliseconds: alignedMsOfDay - msOfDay(local) });
    if (candidate.offset === local.offset) return candidate.toMillis();
    instant = firstInstantWithOtherOffset(instant, candidate.toMillis(), local.offset, zone);
  }
}

/**
 * Every aligned start in `[from, to)`, in order. Between local midnights and offset changes aligned starts are
 * exactly one interval apart, so each such run costs a few zone lookups rather than one per start.
 * Like `nextAlignedStart`, it assumes a zone's offset changes at most once within a day.
 */
export function alignedStarts(from: number, to: number, intervalMinutes: number, zone: string): number[] {
  const stepMs = intervalMinutes * MINUTE_MS;
  const starts: number[] = [];
  for (let start = nextAlignedStart(from, intervalMinutes, zone); start < to; start = nextAlignedStart(start, intervalMinutes, zone)) {
    const local = DateTime.fromMillis(start, { zone: ianaZone(zone) });
    let runEnd = Math.min(to, local.plus({ milliseconds: DAY_MS - msOfDay(local) }).toMillis());
    if (DateTime.fromMillis(runEnd, { zone: ianaZone(zone) }).offset !== local.offset) {
      runEnd = firstInstantWithOtherOffset(start, runEnd, local.offset, zone);
    }
    for (; start < runEnd; start += stepMs) starts.push(start);
    start = runEnd;
  }
  return starts;
}

function msOfDay(local: DateTime): number {
  return ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
}

/** Binary search for the offset change in `(before, after]`, given the offset at `before` differs from the one at `after`. */
function firstInstantWithOtherOffset(before: number, after: number, offset: number, zone: string): number {
  let low = before;
  let high = after;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (DateTime.fromMillis(middle, { zone: ianaZone(zone) }).offset === offset) low = middle;
    else high = middle;
  }
  return high;
}

/** Free time: working intervals minus holidays, covering every instant a slot starting in `window` could use. */
function freeIntervals(schedule: AgentSchedule, rules: AppointmentRules, window: Interval): Interval[] {
  const reach = { start: window.start, end: window.end + rules.durationMinutes * MINUTE_MS };
  return subtractIntervals(workingIntervals(schedule, reach), schedule.holidays);
}

/**
 * Slot intervals for one agent: every aligned start `s` in the bookable window such that `[s, s + duration)` lies
 * inside one free interval and the blocked range `[s - bufferBefore, s + duration + bufferAfter)` overlaps no busy
 * interval — the same test the database's exclusion constraint applies, so every offered slot can be booked.
 * A slot may end after `range.end`; only its start is bounded by the range.
 */
export function agentSlots(schedule: AgentSchedule, rules: AppointmentRules, range: Interval, now: number): Interval[] {
  assertRules(rules);
  const window = bookableWindow(rules, range, now);
  if (!window) return [];
  const durationMs = rules.durationMinutes * MINUTE_MS;
  const busy = new OverlapSweep(schedule.busy);
  const slots: Interval[] = [];
  for (const free of freeIntervals(schedule, rules, window)) {
    // Starts are whole milliseconds, so `start + duration <= free.end` is `start < free.end - duration + 1`.
    const lastStartBound = Math.min(window.end, free.end - durationMs + 1);
    for (const start of alignedStarts(free.start, lastStartBound, rules.slotIntervalMinutes, schedule.timeZone)) {
      const slot = { start, end: start + durationMs };
      if (!busy.overlapsAny(blockedRange(slot, rules))) slots.push(slot);
    }
  }
  return slots;
}

/**
 * Slots for a group. SINGLE, ANY and ROUND_ROBIN offer every start at which at least one agent is free, listing all
 * of them (SINGLE is meant for one agent); COLLECTIVE offers only starts at which every agent is free.
 * Starts are aligned in each agent's own zone, so a COLLECTIVE across zones whose offsets differ by a fraction of
 * the slot interval finds no common start.
 */
export function computeSlots(input: {
  rules: AppointmentRules;
  agents: AgentSchedule[];
  mode: SchedulingMode;
  range: Interval;
  now: number;
}): Slot[] {
  const { rules, agents, mode, range, now } = input;
  if (agents.length === 0) return [];
  const freeAgents = new Map<number, Set<string>>();
  for (const agent of agents) {
    for (const { start } of agentSlots(agent, rules, range, now)) {
      const ids = freeAgents.get(start) ?? new Set<string>();
      ids.add(agent.agentId);
      freeAgents.set(start, ids);
    }
  }
  const durationMs = rules.durationMinutes * MINUTE_MS;
  const allIds = [...new Set(agents.map((agent) => agent.agentId))].sort();
  const slots: Slot[] = [];
  for (const [start, ids] of freeAgents) {
    if (mode === 'COLLECTIVE') {
      if (ids.size === allIds.length) slots.push({ start, end: start + durationMs, agentIds: [...allIds] });
    } else {
      slots.push({ start, end: start + durationMs, agentIds: [...ids].sort() });
    }
  }
  return slots.sort((a, b) => a.start - b.start);
}

function assertRules(rules: AppointmentRules) {
  for (const field of ['durationMinutes', 'slotIntervalMinutes'] as const) {
    if (!Number.isInteger(rules[field]) || rules[field] <= 0) throw new RangeError(`${field} must be a positive integer`);
  }
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
