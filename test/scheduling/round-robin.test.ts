import { describe, expect, it } from 'vitest';
import { pickRoundRobin } from '../../src/scheduling/round-robin.ts';

describe('pickRoundRobin', () => {
  it('picks the agent with the fewest bookings, whatever their priority', () => {
    expect(
      pickRoundRobin([
        { agentId: 'a', priority: 1, bookingCount: 3 },
        { agentId: 'b', priority: null, bookingCount: 1 },
        { agentId: 'c', priority: 5, bookingCount: 2 },
      ]),
    ).toBe('b');
  });

  it('breaks a tie in bookings by the lowest priority, with no priority last', () => {
    expect(
      pickRoundRobin([
        { agentId: 'a', priority: null, bookingCount: 2 },
        { agentId: 'b', priority: 7, bookingCount: 2 },
        { agentId: 'c', priority: 3, bookingCount: 2 },
      ]),
    ).toBe('c');
    expect(
      pickRoundRobin([
        { agentId: 'a', priority: null, bookingCount: 0 },
        { agentId: 'b', priority: 0, bookingCount: 0 },
      ]),
    ).toBe('b');
  });

  it('breaks a full tie by agentId, independent of input order', () => {
    const candidates = [
      { agentId: 'c', priority: null, bookingCount: 0 },
      { agentId: 'a', priority: null, bookingCount: 0 },
      { agentId: 'b', priority: null, bookingCount: 0 },
    ];
    expect(pickRoundRobin(candidates)).toBe('a');
    expect(pickRoundRobin([...candidates].reverse())).toBe('a');
    expect(pickRoundRobin([{ agentId: 'b', priority: 2, bookingCount: 1 }, { agentId: 'a', priority: 2, bookingCount: 1 }])).toBe('a');
  });

  it('returns undefined when there is no candidate', () => {
    expect(pickRoundRobin([])).toBeUndefined();
  });
});
