import { describe, expect, it } from 'vitest';
import { MAX_PERIODS, periodStarts, reportRange, TooManyPeriodsError } from '../../src/reports/periods.ts';

const starts = (...args: Parameters<typeof periodStarts>) => periodStarts(...args).map((start) => start.toISOString());

describe('periodStarts', () => {
  it('starts with the period holding `from` and ends with the last one starting before `to`', () => {
    expect(starts('MONTH', new Date('2025-03-24T00:00:00Z'), new Date('2025-06-01T00:00:00Z'), 'UTC')).toEqual([
      '2025-03-01T00:00:00.000Z',
      '2025-04-01T00:00:00.000Z',
      '2025-05-01T00:00:00.000Z',
    ]);
    expect(starts('DAY', new Date('2026-07-01T12:00:00Z'), new Date('2026-07-01T13:00:00Z'), 'UTC')).toEqual(['2026-07-01T00:00:00.000Z']);
  });

  it('starts weeks on Monday, at midnight in the zone', () => {
    // 1 July 2026 is a Wednesday.
    expect(starts('WEEK', new Date('2026-07-01T00:00:00Z'), new Date('2026-07-20T00:00:00Z'), 'UTC')).toEqual([
      '2026-06-29T00:00:00.000Z',
      '2026-07-06T00:00:00.000Z',
      '2026-07-13T00:00:00.000Z',
    ]);
    expect(starts('WEEK', new Date('2026-07-06T12:00:00Z'), new Date('2026-07-07T00:00:00Z'), 'Europe/London')).toEqual(['2026-07-05T23:00:00.000Z']);
  });

  it('makes the days of a DST change 23 and 25 hours long', () => {
    // London springs forward on 29 March 2026 and falls back on 25 October 2026.
    expect(starts('DAY', new Date('2026-03-28T12:00:00Z'), new Date('2026-03-31T00:00:00Z'), 'Europe/London')).toEqual([
      '2026-03-28T00:00:00.000Z',
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T23:00:00.000Z',
      '2026-03-30T23:00:00.000Z',
    ]);
    expect(starts('DAY', new Date('2026-10-24T12:00:00Z'), new Date('2026-10-26T12:00:00Z'), 'Europe/London')).toEqual([
      '2026-10-23T23:00:00.000Z',
      '2026-10-24T23:00:00.000Z',
      '2026-10-26T00:00:00.000Z',
    ]);
    expect(starts('MONTH', new Date('2026-02-15T00:00:00Z'), new Date('2026-05-01T00:00:00Z'), 'America/New_York')).toEqual([
      '2026-02-01T05:00:00.000Z',
      '2026-03-01T05:00:00.000Z',
      '2026-04-01T04:00:00.000Z',
    ]);
  });

  it('starts a day whose midnight is skipped when the clock jumps, and one whose midnight comes twice at the first', () => {
    // Havana springs forward from 00:00 to 01:00 on 8 March 2026 and falls back from 01:00 to 00:00 on 1 November 2026.
    expect(starts('DAY', new Date('2026-03-07T12:00:00Z'), new Date('2026-03-09T12:00:00Z'), 'America/Havana')).toEqual([
      '2026-03-07T05:00:00.000Z',
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
    ]);
    expect(starts('DAY', new Date('2026-10-31T12:00:00Z'), new Date('2026-11-02T12:00:00Z'), 'America/Havana')).toEqual([
      '2026-10-31T04:00:00.000Z',
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
    ]);
  });

  it('follows offsets of half and quarter hours', () => {
    expect(starts('MONTH', new Date('2026-01-10T00:00:00Z'), new Date('2026-01-20T00:00:00Z'), 'Asia/Kathmandu')).toEqual(['2025-12-31T18:15:00.000Z']);
    expect(starts('DAY', new Date('2026-01-10T00:00:00Z'), new Date('2026-01-10T04:00:00Z'), 'America/St_Johns')).toEqual([
      '2026-01-09T03:30:00.000Z',
      '2026-01-10T03:30:00.000Z',
    ]);
  });

  it(`refuses to cut a range into more than ${MAX_PERIODS} periods`, () => {
    expect(() => periodStarts('DAY', new Date('1900-01-01T00:00:00Z'), new Date('2100-01-01T00:00:00Z'), 'UTC')).toThrow(TooManyPeriodsError);
    expect(periodStarts('MONTH', new Date('1900-01-01T00:00:00Z'), new Date('2100-01-01T00:00:00Z'), 'UTC')).toHaveLength(2400);
  });
});

describe('reportRange', () => {
  const range = (...args: Parameters<typeof reportRange>) => {
    const { from, to } = reportRange(...args);
    return [from.toISOString(), to.toISOString()];
  };

  it('defaults to the three calendar months before the current one and the three after it, at midnight in the zone', () => {
    // 3 December 2026 in London (GMT): September 2026 to the end of March 2027, both midnights in BST (UTC+1).
    expect(range(undefined, undefined, Date.parse('2026-12-03T17:00:00Z'), 'Europe/London')).toEqual([
      '2026-08-31T23:00:00.000Z',
      '2027-03-31T23:00:00.000Z',
    ]);
    // Already 1 January 2027 in Sydney: October 2026 (AEDT from the 4th, so AEST on the 1st) to the end of April 2027.
    expect(range(undefined, undefined, Date.parse('2026-12-31T14:00:00Z'), 'Australia/Sydney')).toEqual([
      '2026-09-30T14:00:00.000Z',
      '2027-04-30T14:00:00.000Z',
    ]);
  });

  it('keeps what is given, and ends a range given only its start at least a day later', () => {
    const from = new Date('2030-01-01T00:00:00Z');
    const to = new Date('2030-02-01T00:00:00Z');
    expect(range(from, to, Date.parse('2026-12-03T17:00:00Z'), 'UTC')).toEqual([from.toISOString(), to.toISOString()]);
    expect(range(from, undefined, Date.parse('2026-12-03T17:00:00Z'), 'UTC')).toEqual([from.toISOString(), '2030-01-02T00:00:00.000Z']);
  });
});
