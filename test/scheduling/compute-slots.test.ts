import { describe, expect, it } from 'vitest';
import { computeSlots, type AgentSchedule, type AppointmentRules, type SchedulingMode } from '../../src/scheduling/availability.ts';

const at = (iso: string) => Date.parse(iso);

const rules: AppointmentRules = {
  durationMinutes: 60,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  slotIntervalMinutes: 60,
  minimumNoticeMinutes: 0,
  bookingWindowDays: 365,
};

const workingOn = (agentId: string, startTime: string, endTime: string): AgentSchedule => ({
  agentId,
  timeZone: 'Europe/London',
  weeklyHours: [{ weekday: 3, startTime, endTime }],
  overrides: [],
  holidays: [],
  busy: [],
});

// Wednesday 2026-01-14, London on UTC. Agents deliberately listed out of order.
const bea = workingOn('bea', '11:00', '14:00');
const ali = workingOn('ali', '09:00', '12:00');
const range = { start: at('2026-01-14T00:00:00Z'), end: at('2026-01-15T00:00:00Z') };
const now = at('2026-01-01T00:00:00Z');
const slotsIn = (mode: SchedulingMode, agents: AgentSchedule[]) =>
  computeSlots({ rules, agents, mode, range, now }).map(({ start, end, agentIds }) => ({
    start: new Date(start).toISOString().slice(11, 16),
    hours: (end - start) / 3_600_000,
    agentIds,
  }));

describe('computeSlots', () => {
  it('ANY offers every start at which some agent is free, listing all free agents sorted', () => {
    expect(slotsIn('ANY', [bea, ali])).toEqual([
      { start: '09:00', hours: 1, agentIds: ['ali'] },
      { start: '10:00', hours: 1, agentIds: ['ali'] },
      { start: '11:00', hours: 1, agentIds: ['ali', 'bea'] },
      { start: '12:00', hours: 1, agentIds: ['bea'] },
      { start: '13:00', hours: 1, agentIds: ['bea'] },
    ]);
  });

  it('ROUND_ROBIN offers the same slots as ANY, so the pick can happen at booking time', () => {
    expect(slotsIn('ROUND_ROBIN', [bea, ali])).toEqual(slotsIn('ANY', [ali, bea]));
  });

  it('COLLECTIVE offers only the times when every agent is free', () => {
    expect(slotsIn('COLLECTIVE', [bea, ali])).toEqual([{ start: '11:00', hours: 1, agentIds: ['ali', 'bea'] }]);
  });

  it('COLLECTIVE offers nothing when one agent is busy at the only common time', () => {
    const busyBea = { ...bea, busy: [{ start: at('2026-01-14T11:30:00Z'), end: at('2026-01-14T11:45:00Z') }] };
    expect(slotsIn('COLLECTIVE', [busyBea, ali])).toEqual([]);
    expect(slotsIn('ANY', [busyBea, ali]).find((slot) => slot.start === '11:00')?.agentIds).toEqual(['ali']);
  });

  it('SINGLE offers the one agent’s slots', () => {
    expect(slotsIn('SINGLE', [ali]).map((slot) => slot.start)).toEqual(['09:00', '10:00', '11:00']);
  });

  it('lists an agent given twice once, free whenever either of its schedules is', () => {
    const aliLate = workingOn('ali', '12:00', '13:00');
    expect(slotsIn('ANY', [ali, bea, aliLate]).map(({ start, agentIds }) => `${start} ${agentIds.join(',')}`)).toEqual([
      '09:00 ali',
      '10:00 ali',
      '11:00 ali,bea',
      '12:00 ali,bea',
      '13:00 bea',
    ]);
    expect(slotsIn('COLLECTIVE', [ali, bea, aliLate]).map((slot) => slot.start)).toEqual(['11:00', '12:00']);
  });

  it('offers nothing without agents', () => {
    for (const mode of ['SINGLE', 'ANY', 'ROUND_ROBIN', 'COLLECTIVE'] as const) expect(slotsIn(mode, [])).toEqual([]);
  });
});
