/**
 * Availability: which start times an appointment can be booked at, for one agent or a group.
 * Wall-clock hours are converted to instants only through the UTC offsets of the agent's IANA zone (time-zone.ts);
 * everything after that is arithmetic on epoch milliseconds, so durations are exact across DST changes.
 */
import type { Zone } from 'luxon';
import { mergeIntervals, OverlapSweep, subtractIntervals, type Interval } from './intervals.ts';
import { clampToStorable } from './storable-time.ts';
import { dayNumberOfDate, ianaZone, instantAtWallClock, isoWeekdayOfDay, wallClockAt } from './time-zone.ts';
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

/** An availability query without `to` covers this many days from `from`. */
export const DEFAULT_AVAILABILITY_DAYS = 7;

/** An availability query's range: `from` defaults to `now`, `to` to `DEFAULT_AVAILABILITY_DAYS` after `from`. */
export function availabilityRange(from: number | undefined, to: number | undefined, now: number): Interval {
  const start = from ?? now;
  return { start, end: to ?? clampToStorable(start + DEFAULT_AVAILABILITY_DAYS * DAY_MS) };
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
  const zone = knownZone(schedule.timeZone);
  const weekly = groupBy(schedule.weeklyHours, (interval) => interval.weekday, timesOfDay);
  const overrides = groupBy(schedule.overrides, (override) => dayNumberOfDate(override.date), timesOfDay);

  const intervals: Interval[] = [];
  const lastDay = localDay(zone, range.end) + 1;
  for (let day = localDay(zone, range.start) - 1; day <= lastDay; day++) {
    const midnight = day * DAY_MS;
    for (const hours of overrides.get(day) ?? weekly.get(isoWeekdayOfDay(day)) ?? []) {
      // An override without times closes its date: it is there, so the weekly hours do not apply, but adds nothing.
      if (hours === null) continue;
      const start = Math.max(instantAtWallClock(zone, midnight + hours.startMs), range.start);
      const end = Math.min(instantAtWallClock(zone, midnight + hours.endMs), range.end);
      if (start < end) intervals.push({ start, end });
    }
  }
  return mergeIntervals(intervals);
}

/** Wall-clock times of day as milliseconds after midnight, or null for a closed date. */
function timesOfDay({ startTime, endTime }: { startTime?: string | null; endTime?: string | null }) {
  return startTime != null && endTime != null ? { startMs: secondsOfDay(startTime) * 1000, endMs: secondsOfDay(endTime) * 1000 } : null;
}

function localDay(zone: Zone, instant: number): number {
  return Math.floor(wallClockAt(zone, instant) / DAY_MS);
}

function knownZone(name: string): Zone {
  const zone = ianaZone(name);
  if (!zone.isValid) throw new RangeError(`Unknown time zone ${name}`);
  return zone;
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
 * The first instant at or after `from` whose wall clock in `zone` is aligned to `stepMs` (local midnight
 * always is). Within one UTC offset wall-clock and absolute time advance together; when the next aligned wall-clock
 * time lies past an offset change, the search restarts at the change. Instants, not wall-clock times, are returned,
 * so a repeated fall-back hour yields distinct starts and a skipped spring-forward time yields none.
 */
function nextAlignedStart(from: number, stepMs: number, zone: Zone): number {
  let instant = from;
  for (;;) {
    const offset = zone.offset(instant);
    const msOfDay = timeOfDay(wallClockAt(zone, instant));
    const candidate = instant + Math.min(Math.ceil(msOfDay / stepMs) * stepMs, DAY_MS) - msOfDay;
    if (zone.offset(candidate) === offset) return candidate;
    instant = firstInstantWithOtherOffset(instant, candidate, offset, zone);
  }
}

/**
 * Every aligned start in `[from, to)`, in order. Between local midnights and offset changes aligned starts are
 * exactly one interval apart, so each such run costs a few offset lookups rather than one per start.
 * Like `nextAlignedStart`, it assumes a zone's offset changes at most once within a day.
 */
export function alignedStarts(from: number, to: number, intervalMinutes: number, zoneName: string): number[] {
  const starts: number[] = [];
  forEachAlignedStart(from, to, intervalMinutes * MINUTE_MS, knownZone(zoneName), (start) => starts.push(start));
  return starts;
}

function forEachAlignedStart(from: number, to: number, stepMs: number, zone: Zone, visit: (start: number) => void) {
  for (let start = nextAlignedStart(from, stepMs, zone); start < to; start = nextAlignedStart(start, stepMs, zone)) {
    const offset = zone.offset(start);
    let runEnd = Math.min(to, start + DAY_MS - timeOfDay(wallClockAt(zone, start)));
    if (zone.offset(runEnd) !== offset) runEnd = firstInstantWithOtherOffset(start, runEnd, offset, zone);
    for (; start < runEnd; start += stepMs) visit(start);
    start = runEnd;
  }
}

/** Milliseconds since local midnight of a wall-clock time. */
function timeOfDay(wallClock: number): number {
  return ((wallClock % DAY_MS) + DAY_MS) % DAY_MS;
}

/** Binary search for the offset change in `(before, after]`, given the offset at `before` differs from the one at `after`. */
function firstInstantWithOtherOffset(before: number, after: number, offset: number, zone: Zone): number {
  let low = before;
  let high = after;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offset(middle) === offset) low = middle;
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
  const durationMs = rules.durationMinutes * MINUTE_MS;
  return agentSlotStarts(schedule, rules, range, now).map((start) => ({ start, end: start + durationMs }));
}

/** The starts of `agentSlots`, in order. */
function agentSlotStarts(schedule: AgentSchedule, rules: AppointmentRules, range: Interval, now: number): number[] {
  assertRules(rules);
  const window = bookableWindow(rules, range, now);
  if (!window) return [];
  const durationMs = rules.durationMinutes * MINUTE_MS;
  // The blocked range of a slot starting at 0, so each start needs only additions.
  const blocked = blockedRange({ start: 0, end: durationMs }, rules);
  const busy = new OverlapSweep(schedule.busy);
  const zone = knownZone(schedule.timeZone);
  const starts: number[] = [];
  const keepUnlessBusy = (start: number) => {
    if (!busy.overlapsAny(start + blocked.start, start + blocked.end)) starts.push(start);
  };
  for (const free of freeIntervals(schedule, rules, window)) {
    // Starts are whole milliseconds, so `start + duration <= free.end` is `start < free.end - duration + 1`.
    const lastStartBound = Math.min(window.end, free.end - durationMs + 1);
    forEachAlignedStart(free.start, lastStartBound, rules.slotIntervalMinutes * MINUTE_MS, zone, keepUnlessBusy);
  }
  return starts;
}

/** Why a start is not a slot, from the first rule it fails: notice and window, then each agent's own calendar. */
export const SLOT_UNAVAILABLE_REASONS = [
  'IN_THE_PAST',
  'TOO_SOON',
  'BEYOND_WINDOW',
  'OUTSIDE_WORKING_HOURS',
  'HOLIDAY',
  'OFF_INTERVAL',
  'TAKEN',
] as const;
export type SlotUnavailableReason = (typeof SLOT_UNAVAILABLE_REASONS)[number];

/** The rule one agent's calendar breaks at `start`, or null when the agent could take the slot. */
function agentUnavailableReason(schedule: AgentSchedule, rules: AppointmentRules, start: number): SlotUnavailableReason | null {
  const slot = { start, end: start + rules.durationMinutes * MINUTE_MS };
  const fits = (intervals: Interval[]) => intervals.some((interval) => interval.start <= slot.start && slot.end <= interval.end);
  const working = workingIntervals(schedule, slot);
  if (!fits(working)) return 'OUTSIDE_WORKING_HOURS';
  if (!fits(subtractIntervals(working, schedule.holidays))) return 'HOLIDAY';
  if (alignedStarts(start, start + 1, rules.slotIntervalMinutes, schedule.timeZone).length === 0) return 'OFF_INTERVAL';
  const blocked = blockedRange(slot, rules);
  if (new OverlapSweep(schedule.busy).overlapsAny(blocked.start, blocked.end)) return 'TAKEN';
  return null;
}

/**
 * Why `computeSlots` does not offer `start`, or null when it does: the same rules, asked of one instant. A start
 * before `now`, within the notice or past the window fails for everyone. Otherwise each agent fails its first rule
 * in the order of `SLOT_UNAVAILABLE_REASONS`; a group that needs one free agent (ANY, ROUND_ROBIN) answers with the
 * agent that came closest, a COLLECTIVE one with the agent that failed first.
 */
export function slotUnavailableReason(input: {
  rules: AppointmentRules;
  agents: AgentSchedule[];
  mode: SchedulingMode;
  start: number;
  now: number;
}): SlotUnavailableReason | null {
  const { rules, agents, mode, start, now } = input;
  assertRules(rules);
  if (start < now) return 'IN_THE_PAST';
  if (start < now + rules.minimumNoticeMinutes * MINUTE_MS) return 'TOO_SOON';
  if (start >= now + rules.bookingWindowDays * DAY_MS) return 'BEYOND_WINDOW';
  // No agent at all (a team without schedulable members) has no working hours.
  if (agents.length === 0) return 'OUTSIDE_WORKING_HOURS';
  const rank = (reason: SlotUnavailableReason | null) => (reason === null ? SLOT_UNAVAILABLE_REASONS.length : SLOT_UNAVAILABLE_REASONS.indexOf(reason));
  const reasons = agents.map((agent) => agentUnavailableReason(agent, rules, start));
  const sorted = [...reasons].sort((a, b) => rank(a) - rank(b));
  return mode === 'COLLECTIVE' ? sorted[0]! : sorted[sorted.length - 1]!;
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
  // Taking agents in id order lists each start's free agents already sorted, and puts the schedules of an id
  // given twice next to each other, so comparing with the last one listed keeps ids unique.
  const byId = [...agents].sort((a, b) => compareIds(a.agentId, b.agentId));
  const freeAgents = new Map<number, string[]>();
  for (const agent of byId) {
    for (const start of agentSlotStarts(agent, rules, range, now)) {
      const ids = freeAgents.get(start);
      if (!ids) freeAgents.set(start, [agent.agentId]);
      else if (ids[ids.length - 1] !== agent.agentId) ids.push(agent.agentId);
    }
  }
  const durationMs = rules.durationMinutes * MINUTE_MS;
  const agentCount = new Set(agents.map((agent) => agent.agentId)).size;
  const slots: Slot[] = [];
  for (const [start, agentIds] of freeAgents) {
    if (mode !== 'COLLECTIVE' || agentIds.length === agentCount) slots.push({ start, end: start + durationMs, agentIds });
  }
  return slots.sort((a, b) => a.start - b.start);
}

/** The order of `Array.prototype.sort` without a comparator: by UTF-16 code units. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertRules(rules: AppointmentRules) {
  for (const field of ['durationMinutes', 'slotIntervalMinutes'] as const) {
    if (!Number.isInteger(rules[field]) || rules[field] <= 0) throw new RangeError(`${field} must be a positive integer`);
  }
}

function groupBy<T, K, V>(items: T[], key: (item: T) => K, value: (item: T) => V): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(value(item));
    else groups.set(key(item), [value(item)]);
  }
  return groups;
}
