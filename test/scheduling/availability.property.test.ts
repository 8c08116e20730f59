import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  agentSlots,
  alignedStarts,
  blockedRange,
  bookableWindow,
  computeSlots,
  slotUnavailableReason,
  workingIntervals,
  type AgentSchedule,
  type AppointmentRules,
} from '../../src/scheduling/availability.ts';
import { overlaps, subtractIntervals, type Interval } from '../../src/scheduling/intervals.ts';
import type { DateOverride, WeeklyInterval } from '../../src/scheduling/working-hours.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const zones = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Asia/Kathmandu'];
/** Days just before 2026 DST changes (London, New York, Lord Howe's 30-minute ones) and one quiet day. */
const anchorDates = ['2026-03-06', '2026-03-27', '2026-04-03', '2026-10-02', '2026-10-23', '2026-10-30', '2026-06-15'];

const wallClock = (minuteOfDay: number) =>
  minuteOfDay >= 1440 ? '23:59:59' : `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;

/** Up to two non-overlapping intervals of one day, as wall-clock times; at least one unless the day may be closed. */
const hoursOfDay = (mayBeClosed: boolean) => fc
  .uniqueArray(fc.integer({ min: 0, max: 1440 }), { minLength: mayBeClosed ? 0 : 2, maxLength: 4 })
  .map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const hours: { startTime: string; endTime: string }[] = [];
    for (let index = 0; index + 1 < sorted.length; index += 2) {
      hours.push({ startTime: wallClock(sorted[index]!), endTime: wallClock(sorted[index + 1]!) });
    }
    return hours;
  });

const dayHours = hoursOfDay(true);

const weeklyHours: fc.Arbitrary<WeeklyInterval[]> = fc
  .array(fc.oneof({ weight: 1, arbitrary: dayHours }, { weight: 3, arbitrary: hoursOfDay(false) }), { minLength: 7, maxLength: 7 })
  .map((days) => days.flatMap((hours, index) => hours.map((interval) => ({ weekday: index + 1, ...interval }))));

const minutesAfter = (origin: number, maxMinutes: number) => fc.integer({ min: 0, max: maxMinutes }).map((minutes) => origin + minutes * MINUTE);
const intervalsNear = (origin: number, spanDays: number, maxLengthMinutes: number, maxCount: number) =>
  fc.array(
    fc.tuple(minutesAfter(origin, spanDays * 1440), fc.integer({ min: 1, max: maxLengthMinutes })).map(([start, length]) => ({ start, end: start + length * MINUTE })),
    { maxLength: maxCount },
  );

const rules: fc.Arbitrary<AppointmentRules> = fc.record({
  durationMinutes: fc.integer({ min: 5, max: 240 }),
  bufferBeforeMinutes: fc.integer({ min: 0, max: 60 }),
  bufferAfterMinutes: fc.integer({ min: 0, max: 60 }),
  slotIntervalMinutes: fc.oneof(fc.constantFrom(5, 10, 15, 20, 30, 45, 50, 60, 90, 120, 1440), fc.integer({ min: 5, max: 180 })),
  minimumNoticeMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
  bookingWindowDays: fc.integer({ min: 1, max: 20 }),
});

interface Scenario {
  schedule: AgentSchedule;
  rules: AppointmentRules;
  range: Interval;
  now: number;
}

const schedule = (anchor: string, agentId = 'agent') => {
  const origin = Date.parse(`${anchor}T00:00:00Z`) - DAY;
  const overrides: fc.Arbitrary<DateOverride[]> = fc
    .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 17 }), dayHours), { maxLength: 4, selector: ([day]) => day })
    .map((days) =>
      days.flatMap(([day, hours]): DateOverride[] => {
        const date = DateTime.fromISO(anchor, { zone: 'UTC' }).plus({ days: day - 1 }).toISODate()!;
        return hours.length === 0 ? [{ date, startTime: null, endTime: null }] : hours.map((interval) => ({ date, ...interval }));
      }),
    );
  return fc.record({
    agentId: fc.constant(agentId),
    timeZone: fc.constantFrom(...zones),
    weeklyHours,
    overrides,
    holidays: intervalsNear(origin, 17, 1440, 2),
    busy: intervalsNear(origin, 17, 240, 30),
  });
};

const scenario = (maxRangeDays: number): fc.Arbitrary<Scenario> =>
  fc.constantFrom(...anchorDates).chain((anchor) => {
    const origin = Date.parse(`${anchor}T00:00:00Z`);
    return fc
      .record({
        schedule: schedule(anchor),
        rules,
        rangeStart: minutesAfter(origin, 2 * 1440),
        rangeMinutes: fc.integer({ min: 1, max: maxRangeDays * 1440 }),
        nowShift: fc.integer({ min: -3 * 1440, max: 720 }),
      })
      .map(({ schedule, rules, rangeStart, rangeMinutes, nowShift }) => ({
        schedule,
        rules,
        range: { start: rangeStart, end: rangeStart + rangeMinutes * MINUTE },
        now: rangeStart + nowShift * MINUTE,
      }));
  });

/** Independent of the implementation: the start is a whole minute whose local minute-of-day is a multiple of the interval. */
const isAligned = (instant: number, intervalMinutes: number, zone: string) => {
  const local = DateTime.fromMillis(instant, { zone });
  return local.second === 0 && local.millisecond === 0 && (local.hour * 60 + local.minute) % intervalMinutes === 0;
};
const inside = (outer: Interval[], inner: Interval) => outer.some((interval) => interval.start <= inner.start && inner.end <= interval.end);

describe('alignedStarts properties', () => {
  it('yields exactly the whole minutes whose local time of day is a multiple of the interval', () => {
    const span = fc.constantFrom(...anchorDates).chain((anchor) =>
      fc.record({
        zone: fc.constantFrom(...zones),
        from: fc.integer({ min: 0, max: 3 * DAY }).map((ms) => Date.parse(`${anchor}T00:00:00Z`) - DAY + ms),
        minutes: fc.integer({ min: 0, max: 2 * 1440 }),
        intervalMinutes: fc.oneof(fc.constantFrom(5, 15, 30, 45, 50, 60, 90, 1440), fc.integer({ min: 1, max: 300 })),
      }),
    );
    fc.assert(
      fc.property(span, ({ zone, from, minutes, intervalMinutes }) => {
        const to = from + minutes * MINUTE;
        const expected: number[] = [];
        for (let minute = Math.ceil(from / MINUTE) * MINUTE; minute < to; minute += MINUTE) {
          if (isAligned(minute, intervalMinutes, zone)) expected.push(minute);
        }
        expect(alignedStarts(from, to, intervalMinutes, zone)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});

describe('agentSlots properties', () => {
  it('offers only bookable, aligned, exact-length slots in working hours, in strict start order', () => {
    fc.assert(
      fc.property(scenario(14), ({ schedule, rules, range, now }) => {
        const slots = agentSlots(schedule, rules, range, now);
        const window = bookableWindow(rules, range, now);
        const working = workingIntervals(schedule, { start: range.start - 2 * DAY, end: range.end + 2 * DAY });
        slots.forEach((slot, index) => {
          expect(slot.end - slot.start).toBe(rules.durationMinutes * MINUTE);
          for (const busy of schedule.busy) expect(overlaps(blockedRange(slot, rules), busy)).toBe(false);
          expect(inside(working, slot)).toBe(true);
          for (const holiday of schedule.holidays) expect(overlaps(slot, holiday)).toBe(false);
          expect(isAligned(slot.start, rules.slotIntervalMinutes, schedule.timeZone)).toBe(true);
          expect(window).not.toBeNull();
          expect(slot.start).toBeGreaterThanOrEqual(window!.start);
          expect(slot.start).toBeLessThan(window!.end);
          const previous = slots[index - 1];
          if (previous) expect(slot.start).toBeGreaterThan(previous.start);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('offers every aligned start that a minute-by-minute search finds bookable', () => {
    fc.assert(
      fc.property(scenario(2), ({ schedule, rules, range, now }) => {
        const window = bookableWindow(rules, range, now);
        const expected: number[] = [];
        if (window) {
          const durationMs = rules.durationMinutes * MINUTE;
          const free = subtractIntervals(workingIntervals(schedule, { start: window.start - DAY, end: window.end + durationMs + DAY }), schedule.holidays);
          for (let start = window.start; start < window.end; start += MINUTE) {
            const slot = { start, end: start + durationMs };
            if (
              isAligned(start, rules.slotIntervalMinutes, schedule.timeZone) &&
              inside(free, slot) &&
              !schedule.busy.some((busy) => overlaps(blockedRange(slot, rules), busy))
            ) {
              expected.push(start);
            }
          }
        }
        expect(agentSlots(schedule, rules, range, now).map((slot) => slot.start)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});

describe('computeSlots properties', () => {
  it('ANY lists exactly the free agents at each start; COLLECTIVE keeps the starts where all are free', () => {
    const group = fc.constantFrom(...anchorDates).chain((anchor) => {
      const origin = Date.parse(`${anchor}T00:00:00Z`);
      return fc.record({
        agents: fc.tuple(schedule(anchor, 'carol'), schedule(anchor, 'alice'), schedule(anchor, 'bob')),
        rules,
        range: fc.tuple(minutesAfter(origin, 2 * 1440), fc.integer({ min: 1, max: 5 * 1440 })).map(([start, minutes]) => ({ start, end: start + minutes * MINUTE })),
        now: fc.constant(origin - 2 * DAY),
      });
    });
    fc.assert(
      fc.property(group, ({ agents, rules, range, now }) => {
        const perAgent = agents.map((agent) => ({ agentId: agent.agentId, starts: new Set(agentSlots(agent, rules, range, now).map((slot) => slot.start)) }));
        const any = computeSlots({ rules, agents, mode: 'ANY', range, now });
        const allStarts = [...new Set(perAgent.flatMap(({ starts }) => [...starts]))].sort((a, b) => a - b);
        expect(any.map((slot) => slot.start)).toEqual(allStarts);
        for (const slot of any) {
          expect(slot.agentIds).toEqual(perAgent.filter(({ starts }) => starts.has(slot.start)).map(({ agentId }) => agentId).sort());
          expect(slot.end - slot.start).toBe(rules.durationMinutes * MINUTE);
        }
        const collective = computeSlots({ rules, agents, mode: 'COLLECTIVE', range, now });
        expect(collective).toEqual(
          allStarts
            .filter((start) => perAgent.every(({ starts }) => starts.has(start)))
            .map((start) => ({ start, end: start + rules.durationMinutes * MINUTE, agentIds: ['alice', 'bob', 'carol'] })),
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe('slotUnavailableReason properties', () => {
  it('is null exactly when computeSlots offers the start, for one agent and for groups, across DST changes', () => {
    const group = fc.constantFrom(...anchorDates).chain((anchor) => {
      const origin = Date.parse(`${anchor}T00:00:00Z`);
      return fc.record({
        agents: fc.tuple(schedule(anchor, 'alice'), schedule(anchor, 'bob')),
        rules,
        // Whole minutes, and a few odd milliseconds, over the days around the change.
        starts: fc.array(fc.tuple(minutesAfter(origin - DAY, 4 * 1440), fc.constantFrom(0, 0, 0, 1)).map(([minute, ms]) => minute + ms), { minLength: 1, maxLength: 40 }),
        now: minutesAfter(origin - 3 * DAY, 4 * 1440),
      });
    });
    fc.assert(
      fc.property(group, ({ agents, rules, starts, now }) => {
        for (const mode of ['SINGLE', 'ANY', 'COLLECTIVE'] as const) {
          const members = mode === 'SINGLE' ? agents.slice(0, 1) : agents;
          // Offered starts of the group, plus the chosen ones: each asked alone, as a booking asks.
          const offered = computeSlots({ rules, agents: members, mode, range: { start: now - DAY, end: now + 5 * DAY }, now }).map((slot) => slot.start);
          for (const start of [...starts, ...offered.slice(0, 20)]) {
            const isOffered = computeSlots({ rules, agents: members, mode, range: { start, end: start + 1 }, now }).length > 0;
            const reason = slotUnavailableReason({ rules, agents: members, mode, start, now });
            expect(reason === null, `${mode} ${new Date(start).toISOString()}: ${reason}`).toBe(isOffered);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
