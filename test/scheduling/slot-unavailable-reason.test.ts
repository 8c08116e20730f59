import { describe, expect, it } from 'vitest';
import { slotUnavailableReason, type AgentSchedule, type AppointmentRules } from '../../src/scheduling/availability.ts';

const rules: AppointmentRules = {
  durationMinutes: 30,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 15,
  slotIntervalMinutes: 30,
  minimumNoticeMinutes: 60,
  bookingWindowDays: 10,
};

/** London, weekdays 09:00–17:00; Tuesday 27 October 2026 off; busy on Monday 26 October 10:00–11:00 (GMT). */
const london: AgentSchedule = {
  agentId: 'london',
  timeZone: 'Europe/London',
  weeklyHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startTime: '09:00', endTime: '17:00' })),
  overrides: [],
  holidays: [{ start: Date.parse('2026-10-27T00:00:00Z'), end: Date.parse('2026-10-28T00:00:00Z') }],
  busy: [{ start: Date.parse('2026-10-26T10:00:00Z'), end: Date.parse('2026-10-26T11:00:00Z') }],
};

/** New York, weekdays 09:00–17:00, free. */
const newYork: AgentSchedule = { ...london, agentId: 'new-york', timeZone: 'America/New_York', holidays: [], busy: [] };

// Friday 23 October 2026, 08:00 UTC (09:00 in London, still on summer time until Sunday the 25th).
const now = Date.parse('2026-10-23T08:00:00Z');
const reason = (start: string, agents = [london], mode: 'SINGLE' | 'ANY' | 'COLLECTIVE' = 'SINGLE') =>
  slotUnavailableReason({ rules, agents, mode, start: Date.parse(start), now });

describe('slotUnavailableReason', () => {
  it('says IN_THE_PAST, TOO_SOON and BEYOND_WINDOW from notice and window, before any calendar', () => {
    expect(reason('2026-10-23T07:30:00Z')).toBe('IN_THE_PAST');
    expect(reason('2026-10-23T08:30:00Z')).toBe('TOO_SOON');
    expect(reason('2026-11-02T08:00:00Z')).toBe('BEYOND_WINDOW');
    expect(reason('2026-11-02T07:59:59.999Z')).not.toBe('BEYOND_WINDOW');
  });

  it('reads working hours in the workday’s zone on both sides of the end of summer time', () => {
    // 08:30 UTC is 09:30 in London on Friday (BST), but 08:30 on Monday (GMT).
    expect(reason('2026-10-23T09:30:00Z')).toBeNull();
    expect(reason('2026-10-23T15:30:00Z')).toBeNull(); // 16:30 BST, ending at 17:00
    expect(reason('2026-10-23T16:00:00Z')).toBe('OUTSIDE_WORKING_HOURS'); // 17:00 BST
    expect(reason('2026-10-26T08:30:00Z')).toBe('OUTSIDE_WORKING_HOURS');
    expect(reason('2026-10-26T09:00:00Z')).toBeNull();
    expect(reason('2026-10-24T10:00:00Z')).toBe('OUTSIDE_WORKING_HOURS'); // Saturday
    expect(reason('2026-10-26T16:45:00Z')).toBe('OUTSIDE_WORKING_HOURS'); // would end at 17:15
  });

  it('says HOLIDAY for working hours that a holiday takes, OFF_INTERVAL between slot starts, TAKEN for busy time and buffers', () => {
    expect(reason('2026-10-27T10:00:00Z')).toBe('HOLIDAY');
    expect(reason('2026-10-27T07:00:00Z')).toBe('OUTSIDE_WORKING_HOURS');
    expect(reason('2026-10-26T09:10:00Z')).toBe('OFF_INTERVAL');
    expect(reason('2026-10-26T10:30:00Z')).toBe('TAKEN');
    // 09:30–10:00 plus its 15 minutes after reaches the busy hour.
    expect(reason('2026-10-26T09:30:00Z')).toBe('TAKEN');
    expect(reason('2026-10-26T11:00:00Z')).toBeNull();
  });

  it('answers for a group with the closest agent (ANY) or the first to fail (COLLECTIVE)', () => {
    // 10:30 UTC on Monday: London is busy, New York (05:30) is not at work.
    expect(reason('2026-10-26T10:30:00Z', [newYork, london], 'ANY')).toBe('TAKEN');
    expect(reason('2026-10-26T10:30:00Z', [newYork, london], 'COLLECTIVE')).toBe('OUTSIDE_WORKING_HOURS');
    // 14:00 UTC is 14:00 in London and 10:00 in New York (still on summer time until 1 November).
    expect(reason('2026-10-26T14:00:00Z', [newYork, london], 'COLLECTIVE')).toBeNull();
    expect(reason('2026-10-26T14:00:00Z', [], 'ANY')).toBe('OUTSIDE_WORKING_HOURS');
  });
});
