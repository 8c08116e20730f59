import { clampToStorable } from '../scheduling/storable-time.ts';
import { ianaZone, instantAtWallClock, isoWeekdayOfDay, wallClockAt } from '../scheduling/time-zone.ts';

export type PeriodUnit = 'DAY' | 'WEEK' | 'MONTH';

export const DAY_MS = 24 * 60 * 60_000;

/*
 * Local days are counted as whole days since 1970-01-01 on the zone's wall clock, so calendar arithmetic is
 * integer arithmetic on UTC dates and only the instant a local day starts needs the zone. That instant is when the
 * wall clock reads midnight: the first time if a DST change repeats midnight, the moment the clock jumps past it if
 * a change skips it.
 */

function firstDayOfPeriod(unit: PeriodUnit, day: number): number {
  switch (unit) {
    case 'DAY':
      return day;
    case 'WEEK':
      return day - (isoWeekdayOfDay(day) - 1);
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
  const startOfDay = (day: number) => instantAtWallClock(zone, day * DAY_MS);
  let day = firstDayOfPeriod(unit, Math.floor(wallClockAt(zone, from.getTime()) / DAY_MS));
  for (let start = startOfDay(day); start < to.getTime(); start = startOfDay(day)) {
    if (starts.length === MAX_PERIODS) throw new TooManyPeriodsError(`More than ${MAX_PERIODS} periods from \`from\` to \`to\``);
    // In a zone behind UTC the period holding 0001-01-01T00:00Z began in year 0, which no statement can carry.
    starts.push(new Date(clampToStorable(start)));
    day = firstDayOfNextPeriod(unit, day);
  }
  return starts;
}

/** A report without `from` starts this many calendar months before the current one; without `to` it ends as many after it. */
export const DEFAULT_REPORT_MONTHS_AROUND = 3;

/**
 * A report's range: `from` and `to` as given, or by default from the start of the month three months before the one
 * holding `now` (in `timeZone`) to the end of the month three months after it; a missing `to` is at least a day
 * after `from`.
 */
export function reportRange(from: Date | null | undefined, to: Date | null | undefined, now: number, timeZone: string): { from: Date; to: Date } {
  const zone = ianaZone(timeZone);
  const currentMonth = firstDayOfPeriod('MONTH', Math.floor(wallClockAt(zone, now) / DAY_MS));
  const monthsFrom = (count: number) => {
    let day = currentMonth;
    for (let step = 0; step < Math.abs(count); step++) day = count < 0 ? firstDayOfPeriod('MONTH', day - 1) : firstDayOfNextPeriod('MONTH', day);
    return new Date(clampToStorable(instantAtWallClock(zone, day * DAY_MS)));
  };
  const start = from ?? monthsFrom(-DEFAULT_REPORT_MONTHS_AROUND);
  const end = to ?? new Date(clampToStorable(Math.max(monthsFrom(DEFAULT_REPORT_MONTHS_AROUND + 1).getTime(), start.getTime() + DAY_MS)));
  return { from: start, to: end };
}
