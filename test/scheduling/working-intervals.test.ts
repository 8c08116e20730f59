import { describe, expect, it } from 'vitest';
import { workingIntervals } from '../../src/scheduling/availability.ts';
import type { DateOverride, WeeklyInterval } from '../../src/scheduling/working-hours.ts';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const everyDay = (startTime: string, endTime: string): WeeklyInterval[] =>
  [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startTime, endTime }));

/** The three days around each 2026 DST change, with the UTC offset each day's office hours fall in. */
const dstDays = [
  { zone: 'Europe/London', change: 'spring forward', days: [['2026-03-28', '+00:00'], ['2026-03-29', '+01:00'], ['2026-03-30', '+01:00']] },
  { zone: 'Europe/London', change: 'fall back', days: [['2026-10-24', '+01:00'], ['2026-10-25', '+00:00'], ['2026-10-26', '+00:00']] },
  { zone: 'America/New_York', change: 'spring forward', days: [['2026-03-07', '-05:00'], ['2026-03-08', '-04:00'], ['2026-03-09', '-04:00']] },
  { zone: 'America/New_York', change: 'fall back', days: [['2026-10-31', '-04:00'], ['2026-11-01', '-05:00'], ['2026-11-02', '-05:00']] },
] as const;

describe('workingIntervals', () => {
  for (const { zone, change, days } of dstDays) {
    for (const [startTime, endTime] of [['09:00', '17:00'], ['13:00', '17:00']] as const) {
      it(`places ${startTime}–${endTime} in ${zone} on the day before, of and after the ${change}`, () => {
        const range = { start: at(`${days[0][0]}T00:00:00Z`), end: at(`${days[2][0]}T23:59:59Z`) };
        expect(workingIntervals({ timeZone: zone, weeklyHours: everyDay(startTime, endTime), overrides: [] }, range)).toEqual(
          days.map(([date, offset]) => ({ start: at(`${date}T${startTime}:00${offset}`), end: at(`${date}T${endTime}:00${offset}`) })),
        );
      });
    }
  }

  it('puts London 13:00 at 13:00Z on 2026-03-28 and at 12:00Z on 2026-03-29', () => {
    const [saturday, sunday] = workingIntervals(
      { timeZone: 'Europe/London', weeklyHours: everyDay('13:00', '17:00'), overrides: [] },
      { start: at('2026-03-28T00:00:00Z'), end: at('2026-03-30T00:00:00Z') },
    );
    expect(saturday?.start).toBe(at('2026-03-28T13:00:00Z'));
    expect(sunday?.start).toBe(at('2026-03-29T12:00:00Z'));
  });

  for (const [zone, date, hours] of [
    ['Europe/London', '2026-10-25', 5],
    ['America/New_York', '2026-11-01', 5],
    ['Europe/London', '2026-03-29', 3],
    ['America/New_York', '2026-03-08', 3],
  ] as const) {
    it(`makes 00:00–04:00 on ${date} in ${zone} ${hours} hours long`, () => {
      const overrides: DateOverride[] = [{ date, startTime: '00:00', endTime: '04:00' }];
      const range = { start: at(`${date}T00:00:00Z`) - 2 * 24 * HOUR, end: at(`${date}T00:00:00Z`) + 2 * 24 * HOUR };
      const intervals = workingIntervals({ timeZone: zone, weeklyHours: [], overrides }, range);
      expect(intervals).toHaveLength(1);
      expect(intervals[0]!.end - intervals[0]!.start).toBe(hours * HOUR);
    });
  }

  it('lets a date’s overrides replace its weekly hours, leaving other dates alone', () => {
    const overrides: DateOverride[] = [
      { date: '2026-06-10', startTime: '10:00', endTime: '12:00' },
      { date: '2026-06-10', startTime: '14:00:00', endTime: '15:30:00' },
    ];
    const range = { start: at('2026-06-09T00:00:00Z'), end: at('2026-06-12T00:00:00Z') };
    expect(workingIntervals({ timeZone: 'Europe/London', weeklyHours: everyDay('09:00', '17:00'), overrides }, range)).toEqual([
      { start: at('2026-06-09T08:00:00Z'), end: at('2026-06-09T16:00:00Z') },
      { start: at('2026-06-10T09:00:00Z'), end: at('2026-06-10T11:00:00Z') },
      { start: at('2026-06-10T13:00:00Z'), end: at('2026-06-10T14:30:00Z') },
      { start: at('2026-06-11T08:00:00Z'), end: at('2026-06-11T16:00:00Z') },
    ]);
  });

  it('removes a date closed by an override without times', () => {
    const range = { start: at('2026-06-09T00:00:00Z'), end: at('2026-06-12T00:00:00Z') };
    const intervals = workingIntervals(
      { timeZone: 'America/New_York', weeklyHours: everyDay('09:00', '17:00'), overrides: [{ date: '2026-06-10', startTime: null, endTime: null }] },
      range,
    );
    expect(intervals).toEqual([
      { start: at('2026-06-09T13:00:00Z'), end: at('2026-06-09T21:00:00Z') },
      { start: at('2026-06-11T13:00:00Z'), end: at('2026-06-11T21:00:00Z') },
    ]);
  });

  it('uses the local date and weekday of the zone, not of UTC', () => {
    // Monday 09:00 in Kolkata is Sunday 03:30Z; Auckland's Monday morning is Sunday evening UTC.
    const mondays = [{ weekday: 1, startTime: '09:00', endTime: '10:00' }];
    const range = { start: at('2026-06-07T00:00:00Z'), end: at('2026-06-09T00:00:00Z') };
    expect(workingIntervals({ timeZone: 'Asia/Kolkata', weeklyHours: mondays, overrides: [] }, range)).toEqual([
      { start: at('2026-06-08T03:30:00Z'), end: at('2026-06-08T04:30:00Z') },
    ]);
    expect(workingIntervals({ timeZone: 'Pacific/Auckland', weeklyHours: mondays, overrides: [] }, range)).toEqual([
      { start: at('2026-06-07T21:00:00Z'), end: at('2026-06-07T22:00:00Z') },
    ]);
  });

  it('clips to the range and coalesces intervals that meet across midnight', () => {
    const weeklyHours: WeeklyInterval[] = [
      { weekday: 3, startTime: '20:00', endTime: '23:59:59' },
      { weekday: 4, startTime: '00:00', endTime: '02:00' },
    ];
    const range = { start: at('2026-01-14T21:00:00Z'), end: at('2026-01-15T01:00:00Z') };
    expect(workingIntervals({ timeZone: 'Europe/London', weeklyHours, overrides: [] }, range)).toEqual([
      { start: at('2026-01-14T21:00:00Z'), end: at('2026-01-14T23:59:59Z') },
      { start: at('2026-01-15T00:00:00Z'), end: at('2026-01-15T01:00:00Z') },
    ]);
  });

  it('resolves a repeated fall-back time to its first occurrence', () => {
    const overrides: DateOverride[] = [{ date: '2026-10-25', startTime: '01:30', endTime: '03:00' }];
    const range = { start: at('2026-10-24T00:00:00Z'), end: at('2026-10-26T00:00:00Z') };
    expect(workingIntervals({ timeZone: 'Europe/London', weeklyHours: [], overrides }, range)).toEqual([
      { start: at('2026-10-25T01:30:00+01:00'), end: at('2026-10-25T03:00:00+00:00') },
    ]);
  });

  it('rejects a zone that does not exist', () => {
    expect(() =>
      workingIntervals({ timeZone: 'Mars/Olympus_Mons', weeklyHours: everyDay('09:00', '17:00'), overrides: [] }, { start: 0, end: 24 * HOUR }),
    ).toThrow(RangeError);
  });
});
