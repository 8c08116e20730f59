import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  dayNumberOfDate,
  ianaZone,
  instantAtWallClock,
  isIanaTimeZone,
  isoWeekdayOfDay,
  wallClockAt,
} from '../../src/scheduling/time-zone.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Zones with whole-hour, half-hour (Lord Howe) and 45-minute (Chatham) changes, southern-hemisphere ones, and none. */
const zones = [
  'Europe/London',
  'America/New_York',
  'America/Santiago',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'UTC',
];

/** Luxon's own answer, through a zone name: the earliest instant a wall-clock time can name, as availability used to ask it. */
function luxonInstant(wallClock: number, zone: string): number {
  const local = DateTime.fromMillis(wallClock, { zone: 'UTC' });
  const placed = DateTime.fromObject(
    { year: local.year, month: local.month, day: local.day, hour: local.hour, minute: local.minute, second: local.second },
    { zone },
  );
  return Math.min(...placed.getPossibleOffsets().map((candidate) => candidate.toMillis()));
}

/** A wall-clock time on a day of 2024–2030, on a whole minute. */
const wallClocks = fc
  .tuple(fc.integer({ min: 0, max: 7 * 366 }), fc.integer({ min: 0, max: 1439 }))
  .map(([day, minute]) => Date.parse('2024-01-01T00:00:00Z') + day * DAY + minute * MINUTE);

describe('instantAtWallClock', () => {
  it('places every quarter hour of the days around DST changes where Luxon does', () => {
    let daysChecked = 0;
    for (const zone of zones) {
      for (const year of [2025, 2026]) {
        for (let day = Date.parse(`${year}-01-01T00:00:00Z`); day < Date.parse(`${year + 1}-01-01T00:00:00Z`); day += DAY) {
          const changesNearby = ianaZone(zone).offset(day - DAY) !== ianaZone(zone).offset(day + 2 * DAY);
          if (!changesNearby) continue;
          daysChecked++;
          for (let wallClock = day; wallClock < day + DAY; wallClock += 15 * MINUTE) {
            expect(instantAtWallClock(ianaZone(zone), wallClock), `${zone} ${new Date(wallClock).toISOString()}`).toBe(
              luxonInstant(wallClock, zone),
            );
          }
        }
      }
    }
    // Five of the zones change twice a year, and each change falls in three of the days checked.
    expect(daysChecked).toBe(5 * 2 * 2 * 3);
  });

  it('agrees with Luxon at any minute of any day', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), wallClocks, (zone, wallClock) => {
        expect(instantAtWallClock(ianaZone(zone), wallClock)).toBe(luxonInstant(wallClock, zone));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the first of a repeated time and moves a skipped time forward by the gap', () => {
    const london = ianaZone('Europe/London');
    expect(instantAtWallClock(london, Date.parse('2026-10-25T01:30:00Z'))).toBe(Date.parse('2026-10-25T01:30:00+01:00'));
    expect(instantAtWallClock(london, Date.parse('2026-03-29T01:30:00Z'))).toBe(Date.parse('2026-03-29T02:30:00+01:00'));
  });
});

describe('wallClockAt', () => {
  it('reads the local date and time Luxon reads', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), wallClocks, (zone, instant) => {
        const local = DateTime.fromMillis(instant, { zone });
        expect(new Date(wallClockAt(ianaZone(zone), instant)).toISOString()).toBe(`${local.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}Z`);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('dayNumberOfDate and isoWeekdayOfDay', () => {
  it('number days from 1970-01-01, a Thursday', () => {
    expect(dayNumberOfDate('1970-01-01')).toBe(0);
    expect(isoWeekdayOfDay(0)).toBe(4);
    expect(dayNumberOfDate('2026-03-29')).toBe(Date.parse('2026-03-29T00:00:00Z') / DAY);
    expect(isoWeekdayOfDay(dayNumberOfDate('2026-03-29'))).toBe(7);
    expect(isoWeekdayOfDay(dayNumberOfDate('1969-12-29'))).toBe(1);
  });

  it('give Luxon’s weekday for any day', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50_000, max: 50_000 }), (day) => {
        expect(isoWeekdayOfDay(day)).toBe(DateTime.fromMillis(day * DAY, { zone: 'UTC' }).weekday);
      }),
    );
  });

  it('names no day for a date that does not exist', () => {
    expect(dayNumberOfDate('2026-02-30')).toBeNaN();
    expect(dayNumberOfDate('2026-13-01')).toBeNaN();
    expect(dayNumberOfDate('not a date')).toBeNaN();
  });
});

describe('ianaZone', () => {
  it('gives DateTimes the ISO form and offset of the zone named directly', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones.filter((zone) => zone !== 'UTC')), wallClocks, (zone, instant) => {
        expect(DateTime.fromMillis(instant, { zone: ianaZone(zone) }).toISO()).toBe(DateTime.fromMillis(instant, { zone }).toISO());
      }),
      { numRuns: 1000 },
    );
  });
});

describe('isIanaTimeZone', () => {
  it('keeps its answer when asked again', () => {
    for (let round = 0; round < 2; round++) {
      expect(isIanaTimeZone('Europe/London')).toBe(true);
      expect(isIanaTimeZone('Mars/Olympus_Mons')).toBe(false);
      expect(isIanaTimeZone('+02:00')).toBe(false);
    }
  });
});
