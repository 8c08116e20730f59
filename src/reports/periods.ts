import type { Zone } from 'luxon';
import { ianaZone } from '../scheduling/time-zone.ts';

export type PeriodUnit = 'DAY' | 'WEEK' | 'MONTH';

const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/*
 * Local days are counted as whole days since 1970-01-01 on the zone's wall clock, so calendar arithmetic is
 * integer arithmetic on UTC dates and only the instant a local day starts needs the zone.
 */

function localDayAt(zone: Zone, instant: number): number {
  return Math.floor((instant + zone.offset(instant) * MINUTE_MS) / DAY_MS);
}

/**
 * The first instant of a local day: when its wall clock reads midnight, the first time if a DST change repeats
 * midnight, or the moment the clock jumps past it if a change skips it.
 */
function startOfLocalDay(zone: Zone, day: number): number {
  const midnight = day * DAY_MS;
  const offsetBefore = zone.offset(midnight - DAY_MS);
  const offsetAfter = zone.offset(midnight + DAY_MS);
  // No DST change near: midnight at the one offset.
  if (offsetBefore === offsetAfter) return midnight - offsetBefore * MINUTE_MS;
  // With the larger offset midnight comes earlier; that reading holds if the clock does read midnight then.
  const earlier = midnight - Math.max(offsetBefore, offsetAfter) * MINUTE_MS;
  if (earlier + zone.offset(earlier) * MINUTE_MS === midnight) return earlier;
  // The other reading, which in a skipped midnight is the instant the clock jumps.
  return midnight - Math.min(offsetBefore, offsetAfter) * MINUTE_MS;
}

function firstDayOfPeriod(unit: PeriodUnit, day: number): number {
  switch (unit) {
    case 'DAY':
      return day;
    case 'WEEK': {
      // Day 0, 1970-01-01, was a Thursday; weeks start on Monday.
      const daysSinceMonday = (((day + 3) % 7) + 7) % 7;
      return day - daysSinceMonday;
    }
    case 'MONTH': {
      const date = new Date(day * DAY_MS);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY_MS;
    }
  }
}

function firstDayOfNextPeriod(unit: PeriodUnit, firstDay: number): number {
  switch (unit) {
    case 'DAY':
      return firstDay + 1;
    case 'WEEK':
      return firstDay + 7;
    case 'MONTH': {
      const date = new Date(firstDay * DAY_MS);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY_MS;
    }
  }
}

/** Over a century of days. Every period start is computed here, so this bounds the work one report can ask for. */
export const MAX_PERIODS = 50_000;

export class TooManyPeriodsError extends Error {
  override name = 'TooManyPeriodsError';
}

/**
 * The instants at which the days, weeks (from Monday) or months of `timeZone` start, from the one holding `from` up
 * to the last one starting before `to`. Each instant belongs to the last start at or before it, as PostgreSQL's
 * `width_bucket` finds it, which groups instants as `date_trunc(unit, instant, timeZone)` does and stays right across
 * DST changes.
 */
export function periodStarts(unit: PeriodUnit, from: Date, to: Date, timeZone: string): Date[] {
  const zone = ianaZone(timeZone);
  const starts: Date[] = [];
  let day = firstDayOfPeriod(unit, localDayAt(zone, from.getTime()));
  for (let start = startOfLocalDay(zone, day); start < to.getTime(); start = startOfLocalDay(zone, day)) {
    if (starts.length === MAX_PERIODS) throw new TooManyPeriodsError(`More than ${MAX_PERIODS} periods from \`from\` to \`to\``);
    starts.push(new Date(start));
    day = firstDayOfNextPeriod(unit, day);
  }
  return starts;
}
