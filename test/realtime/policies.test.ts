import { describe, expect, it } from 'vitest';
import { touchesAvailability, type AvailabilityTouch } from '../../src/events/event-types.ts';
import { isPublicAddress, retryDelayMs } from '../../src/webhooks/policy.ts';

describe('touchesAvailability', () => {
  const watched = new Set(['agent-1', 'agent-2']);
  const from = Date.parse('2030-01-07T09:00:00Z');
  const to = Date.parse('2030-01-07T12:00:00Z');
  const touch = (agentIds: string[], start: string | null, end: string | null): AvailabilityTouch => ({ agentIds, from: start, to: end });

  it('is true for a watched agent’s time overlapping the range', () => {
    expect(touchesAvailability(touch(['agent-2'], '2030-01-07T11:30:00Z', '2030-01-07T12:30:00Z'), watched, from, to)).toBe(true);
  });

  it('is false for another agent, or for time that only meets the range', () => {
    expect(touchesAvailability(touch(['agent-3'], '2030-01-07T10:00:00Z', '2030-01-07T11:00:00Z'), watched, from, to)).toBe(false);
    expect(touchesAvailability(touch(['agent-1'], '2030-01-07T12:00:00Z', '2030-01-07T13:00:00Z'), watched, from, to)).toBe(false);
    expect(touchesAvailability(touch(['agent-1'], '2030-01-07T08:00:00Z', '2030-01-07T09:00:00Z'), watched, from, to)).toBe(false);
  });

  it('treats open bounds (working hours) as all time', () => {
    expect(touchesAvailability(touch(['agent-1'], null, null), watched, from, to)).toBe(true);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base, caps at the maximum, and keeps half of each delay fixed', () => {
    expect(retryDelayMs(1, 10_000, 3_600_000, 0)).toBe(5_000);
    expect(retryDelayMs(1, 10_000, 3_600_000, 1)).toBe(10_000);
    expect(retryDelayMs(4, 10_000, 3_600_000, 1)).toBe(80_000);
    expect(retryDelayMs(30, 10_000, 3_600_000, 0.5)).toBe(2_700_000);
    expect(retryDelayMs(10_000, 10_000, 3_600_000, 1)).toBe(3_600_000);
  });

  it('spreads twenty attempts over six to twelve hours at the defaults', () => {
    const total = (random: number) => Array.from({ length: 20 }, (_, index) => retryDelayMs(index + 1, 10_000, 3_600_000, random)).reduce((sum, delay) => sum + delay, 0);
    expect(total(0)).toBeGreaterThan(6 * 3_600_000);
    expect(total(1)).toBeGreaterThan(12 * 3_600_000);
    expect(total(1)).toBeLessThan(13 * 3_600_000);
  });
});

describe('isPublicAddress', () => {
  it.each(['127.0.0.1', '10.0.0.8', '172.20.1.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.1.2.3', 'not-an-address'])(
    'refuses %s',
    (address) => expect(isPublicAddress(address)).toBe(false),
  );

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:93.184.215.14'])('accepts %s', (address) => expect(isPublicAddress(address)).toBe(true));
});
