import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  agentSlots,
  alignedStarts,
  bookableWindow,
  blockedRange,
  type AgentSchedule,
  type AppointmentRules,
} from '../../src/scheduling/availability.ts';

const at = (iso: string) => Date.parse(iso);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const rules = (overrides: Partial<AppointmentRules> = {}): AppointmentRules => ({
  durationMinutes: 60,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  slotIntervalMinutes: 60,
  minimumNoticeMinutes: 0,
  bookingWindowDays: 365,
  ...overrides,
});

const agent = (overrides: Partial<AgentSchedule> = {}): AgentSchedule => ({
  agentId: 'agent-1',
  timeZone: 'Europe/London',
  weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startTime: '09:00', endTime: '17:00' })),
  overrides: [],
  holidays: [],
  busy: [],
  ...overrides,
});

/** A day in January, when London is on UTC, so expectations read as plain UTC times. */
const winterDay = { start: at('2026-01-14T00:00:00Z'), end: at('2026-01-15T00:00:00Z') };
const longAgo = at('2025-12-01T00:00:00Z');
const starts = (slots: { start: number }[]) => slots.map((slot) => new Date(slot.start).toISOString());

describe('blockedRange', () => {
  it('widens a slot by its buffers', () => {
    expect(blockedRange({ start: 10 * HOUR, end: 11 * HOUR }, { bufferBeforeMinutes: 5, bufferAfterMinutes: 15 })).toEqual({
      start: 10 * HOUR - 5 * MINUTE,
      end: 11 * HOUR + 15 * MINUTE,
    });
  });
});

describe('bookableWindow', () => {
  it('starts at the later of the range start and now plus the minimum notice, and ends at the earlier of the range end and the booking window', () => {
    const now = at('2026-01-10T12:00:00Z');
    expect(bookableWindow(rules({ minimumNoticeMinutes: 90, bookingWindowDays: 2 }), { start: now, end: now + 10 * DAY }, now)).toEqual({
      start: now + 90 * MINUTE,
      end: now + 2 * DAY,
    });
    expect(bookableWindow(rules(), { start: now + DAY, end: now + 2 * DAY }, now)).toEqual({ start: now + DAY, end: now + 2 * DAY });
  });

  it('is null when nothing of the range can be booked', () => {
    const now = at('2026-01-10T12:00:00Z');
    expect(bookableWindow(rules({ bookingWindowDays: 1 }), { start: now + 2 * DAY, end: now + 3 * DAY }, now)).toBeNull();
    expect(bookableWindow(rules(), { start: now - 2 * DAY, end: now - DAY }, now)).toBeNull();
  });
});

describe('alignedStarts', () => {
  it('restarts the grid at local midnight when the interval does not divide the day', () => {
    // 50-minute grid in London winter: 22:30, 23:20, then midnight, not 00:10.
    expect(starts(alignedStarts(at('2026-01-14T22:00:00Z'), at('2026-01-15T02:00:00Z'), 50, 'Europe/London').map((start) => ({ start })))).toEqual([
      '2026-01-14T22:30:00.000Z',
      '2026-01-14T23:20:00.000Z',
      '2026-01-15T00:00:00.000Z',
      '2026-01-15T00:50:00.000Z',
      '2026-01-15T01:40:00.000Z',
    ]);
  });

  it('keeps to the local hour across Lord Howe’s half-hour fall-back', () => {
    const from = at('2026-04-05T00:00:00+11:00');
    const to = at('2026-04-05T04:00:00+10:30');
    expect(alignedStarts(from, to, 60, 'Australia/Lord_Howe')).toEqual([
      at('2026-04-05T00:00:00+11:00'),
      at('2026-04-05T01:00:00+11:00'),
      at('2026-04-05T02:00:00+10:30'),
      at('2026-04-05T03:00:00+10:30'),
    ]);
  });
});

describe('agentSlots', () => {
  it('offers starts aligned to the local clock through the working day, the last one ending at closing time', () => {
    expect(starts(agentSlots(agent(), rules({ slotIntervalMinutes: 120 }), winterDay, longAgo))).toEqual([
      '2026-01-14T10:00:00.000Z',
      '2026-01-14T12:00:00.000Z',
      '2026-01-14T14:00:00.000Z',
      '2026-01-14T16:00:00.000Z',
    ]);
  });

  it('aligns the first start to the local clock, not to the start of working hours', () => {
    const schedule = agent({ overrides: [{ date: '2026-01-14', startTime: '09:10', endTime: '11:00' }] });
    expect(starts(agentSlots(schedule, rules({ durationMinutes: 30, slotIntervalMinutes: 15 }), winterDay, longAgo))).toEqual([
      '2026-01-14T09:15:00.000Z',
      '2026-01-14T09:30:00.000Z',
      '2026-01-14T09:45:00.000Z',
      '2026-01-14T10:00:00.000Z',
      '2026-01-14T10:15:00.000Z',
      '2026-01-14T10:30:00.000Z',
    ]);
  });

  it('keeps a 60-minute slot exactly 60 minutes across the fall-back change, offering both 01:00s', () => {
    const schedule = agent({ weeklyHours: [], overrides: [{ date: '2026-10-25', startTime: '00:00', endTime: '04:00' }] });
    const slots = agentSlots(schedule, rules(), { start: at('2026-10-24T00:00:00Z'), end: at('2026-10-26T00:00:00Z') }, longAgo);
    expect(starts(slots)).toEqual([
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
    for (const slot of slots) expect(slot.end - slot.start).toBe(HOUR);
  });

  it('keeps a 60-minute slot exactly 60 minutes across the spring-forward change and never starts in the gap', () => {
    const schedule = agent({ weeklyHours: [], overrides: [{ date: '2026-03-29', startTime: '00:00', endTime: '04:00' }] });
    const slots = agentSlots(schedule, rules(), { start: at('2026-03-28T00:00:00Z'), end: at('2026-03-30T00:00:00Z') }, longAgo);
    // Local 00:00 GMT, 02:00 BST, 03:00 BST: 01:00 does not exist that night.
    expect(starts(slots)).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']);
    for (const slot of slots) expect(slot.end - slot.start).toBe(HOUR);
  });

  it('offers every aligned local time on spring-forward night, even when the clock jumps onto one', () => {
    const schedule = agent({ weeklyHours: [], overrides: [{ date: '2026-03-29', startTime: '00:00', endTime: '06:00' }] });
    const slots = agentSlots(schedule, rules({ slotIntervalMinutes: 120 }), { start: at('2026-03-28T00:00:00Z'), end: at('2026-03-30T00:00:00Z') }, longAgo);
    // 00:00 GMT, then 02:00 BST only one hour later, then 04:00 BST: stepping two hours from 00:00 would skip 02:00.
    expect(starts(slots)).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T03:00:00.000Z']);
  });

  it('starts no slot at a local time that does not exist, in New York’s spring-forward night', () => {
    const zone = 'America/New_York';
    const schedule = agent({ timeZone: zone, weeklyHours: [], overrides: [{ date: '2026-03-08', startTime: '01:00', endTime: '04:00' }] });
    const slots = agentSlots(schedule, rules({ durationMinutes: 30, slotIntervalMinutes: 30 }), { start: at('2026-03-07T00:00:00Z'), end: at('2026-03-09T00:00:00Z') }, longAgo);
    const localStarts = slots.map((slot) => DateTime.fromMillis(slot.start, { zone }).toFormat("yyyy-MM-dd'T'HH:mm"));
    expect(localStarts).toEqual(['2026-03-08T01:00', '2026-03-08T01:30', '2026-03-08T03:00', '2026-03-08T03:30']);
    for (const [index, slot] of slots.entries()) {
      expect(DateTime.fromISO(localStarts[index]!, { zone }).toMillis()).toBe(slot.start);
      expect(slot.end - slot.start).toBe(30 * MINUTE);
    }
  });

  it('aligns to the half-hour-offset wall clock of Asia/Kolkata', () => {
    const schedule = agent({ timeZone: 'Asia/Kolkata' });
    const slots = agentSlots(schedule, rules({ slotIntervalMinutes: 240 }), { start: at('2026-01-14T00:00:00Z'), end: at('2026-01-14T12:00:00Z') }, longAgo);
    // 12:00 and 16:00 IST: 09:00 is not a multiple of four hours after midnight.
    expect(starts(slots)).toEqual(['2026-01-14T06:30:00.000Z', '2026-01-14T10:30:00.000Z']);
  });

  it('honours the minimum notice', () => {
    const now = at('2026-01-14T10:20:00Z');
    expect(starts(agentSlots(agent(), rules({ minimumNoticeMinutes: 100, slotIntervalMinutes: 30 }), winterDay, now))[0]).toBe('2026-01-14T12:00:00.000Z');
  });

  it('offers no start beyond the booking window', () => {
    const now = at('2026-01-13T14:30:00Z');
    const slots = agentSlots(agent(), rules({ bookingWindowDays: 1 }), winterDay, now);
    expect(starts(slots)).toEqual(['2026-01-14T09:00:00.000Z', '2026-01-14T10:00:00.000Z', '2026-01-14T11:00:00.000Z', '2026-01-14T12:00:00.000Z', '2026-01-14T13:00:00.000Z', '2026-01-14T14:00:00.000Z']);
  });

  it('offers a slot whose start is in the range even if it ends after the range', () => {
    const range = { start: at('2026-01-14T00:00:00Z'), end: at('2026-01-14T15:30:00Z') };
    expect(starts(agentSlots(agent(), rules(), range, longAgo)).at(-1)).toBe('2026-01-14T15:00:00.000Z');
  });

  it('accepts a busy interval that starts exactly where the slot’s after-buffer ends, but not one a minute earlier', () => {
    const slotRules = rules({ bufferAfterMinutes: 15 });
    const nineOClock = '2026-01-14T09:00:00.000Z';
    const clear = agentSlots(agent({ busy: [{ start: at('2026-01-14T10:15:00Z'), end: at('2026-01-14T11:00:00Z') }] }), slotRules, winterDay, longAgo);
    expect(starts(clear)).toContain(nineOClock);
    const clash = agentSlots(agent({ busy: [{ start: at('2026-01-14T10:14:00Z'), end: at('2026-01-14T11:00:00Z') }] }), slotRules, winterDay, longAgo);
    expect(starts(clash)).not.toContain(nineOClock);
  });

  it('accepts a busy interval that ends exactly where the slot’s before-buffer starts, but not one a minute later', () => {
    const slotRules = rules({ bufferBeforeMinutes: 10 });
    const elevenOClock = '2026-01-14T11:00:00.000Z';
    const clear = agentSlots(agent({ busy: [{ start: at('2026-01-14T10:00:00Z'), end: at('2026-01-14T10:50:00Z') }] }), slotRules, winterDay, longAgo);
    expect(starts(clear)).toContain(elevenOClock);
    const clash = agentSlots(agent({ busy: [{ start: at('2026-01-14T10:00:00Z'), end: at('2026-01-14T10:51:00Z') }] }), slotRules, winterDay, longAgo);
    expect(starts(clash)).not.toContain(elevenOClock);
  });

  it('offers back-to-back slots around a busy interval when there are no buffers', () => {
    const busy = [{ start: at('2026-01-14T10:00:00Z'), end: at('2026-01-14T11:00:00Z') }];
    expect(starts(agentSlots(agent({ busy }), rules(), winterDay, longAgo))).toEqual([
      '2026-01-14T09:00:00.000Z',
      '2026-01-14T11:00:00.000Z',
      '2026-01-14T12:00:00.000Z',
      '2026-01-14T13:00:00.000Z',
      '2026-01-14T14:00:00.000Z',
      '2026-01-14T15:00:00.000Z',
      '2026-01-14T16:00:00.000Z',
    ]);
  });

  it('removes slots that overlap a holiday, while buffers may reach into it', () => {
    const holidays = [{ start: at('2026-01-14T10:00:00Z'), end: at('2026-01-14T15:00:00Z') }];
    expect(starts(agentSlots(agent({ holidays }), rules({ bufferAfterMinutes: 30 }), winterDay, longAgo))).toEqual([
      '2026-01-14T09:00:00.000Z',
      '2026-01-14T15:00:00.000Z',
      '2026-01-14T16:00:00.000Z',
    ]);
  });

  it('rejects a non-positive slot interval rather than looping forever', () => {
    expect(() => agentSlots(agent(), rules({ slotIntervalMinutes: 0 }), winterDay, longAgo)).toThrow(RangeError);
  });
});
