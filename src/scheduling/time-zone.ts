import { DateTime, IANAZone, Zone } from 'luxon';

const knownZoneNames = new Set<string>();

/** True for a canonical or linked IANA zone name such as `Europe/London`; offsets like `+02:00` are not zones. */
export function isIanaTimeZone(name: string): boolean {
  if (knownZoneNames.has(name)) return true;
  // Luxon asks Intl for every check; remembering only the names found valid keeps the set as small as the tz database.
  const valid = /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(name) && IANAZone.isValidZone(name);
  if (valid) knownZoneNames.add(name);
  return valid;
}

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

export function isLocalDate(value: string): boolean {
  return LOCAL_DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

export function isLocalTime(value: string): boolean {
  return LOCAL_TIME.test(value);
}

const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * An IANA zone that remembers offsets. Luxon asks Intl for the offset of a
 * zone at every instant it converts, which dominates availability's cost.
 * Every transition in the tz database falls on a quarter hour of UTC (all
 * offsets are whole quarter hours), so within one UTC quarter hour the offset
 * is constant and one lookup can serve all of it.
 */
class CachedIanaZone extends Zone {
  private readonly offsets = new Map<number, number>();

  constructor(private readonly zone: IANAZone) {
    super();
  }

  override get type() {
    return 'iana';
  }

  override get name() {
    return this.zone.name;
  }

  override get isUniversal() {
    return false;
  }

  override get isValid() {
    return this.zone.isValid;
  }

  override offsetName(ts: number, options: { format?: 'short' | 'long'; locale?: string }) {
    return this.zone.offsetName(ts, options);
  }

  override formatOffset(ts: number, format: 'narrow' | 'short' | 'techie') {
    return this.zone.formatOffset(ts, format);
  }

  override offset(ts: number) {
    const quarter = Math.floor(ts / QUARTER_HOUR_MS);
    let offset = this.offsets.get(quarter);
    if (offset === undefined) {
      // About three years of quarter hours; past that, start over rather than grow without bound.
      if (this.offsets.size >= 100_000) this.offsets.clear();
      offset = this.zone.offset(quarter * QUARTER_HOUR_MS);
      this.offsets.set(quarter, offset);
    }
    return offset;
  }

  override equals(other: Zone) {
    return other.type === 'iana' && other.name === this.name;
  }
}

const cachedZones = new Map<string, Zone>();

/** The Luxon zone for an IANA name, with offsets cached; shared by all callers. */
export function ianaZone(name: string): Zone {
  let zone = cachedZones.get(name);
  if (!zone) {
    zone = new CachedIanaZone(IANAZone.create(name));
    cachedZones.set(name, zone);
  }
  return zone;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/*
 * Wall-clock times below are epoch milliseconds as if the zone were UTC: `wallClock / DAY_MS` counts local days
 * and the remainder is the time of day, so calendar arithmetic needs no DateTime objects.
 */

/** What the wall clock of `zone` shows at `instant`. */
export function wallClockAt(zone: Zone, instant: number): number {
  return instant + zone.offset(instant) * MINUTE_MS;
}

/**
 * The instant at which the wall clock of `zone` shows `wallClock`, as Luxon resolves it: a repeated time
 * (fall-back) resolves to its earlier occurrence, a skipped time (spring-forward gap) moves forward by the gap.
 * Like Luxon, it looks for offset changes only within a day either side.
 */
export function instantAtWallClock(zone: Zone, wallClock: number): number {
  const offsetBefore = zone.offset(wallClock - DAY_MS);
  const offsetAfter = zone.offset(wallClock + DAY_MS);
  // With the larger offset the time comes earlier, so that reading wins when the clock shows the time twice.
  const earlier = wallClock - Math.max(offsetBefore, offsetAfter) * MINUTE_MS;
  if (wallClockAt(zone, earlier) === wallClock) return earlier;
  // The other reading, or in a gap, where the clock jumps from the smaller offset to the larger, the time the
  // clock would have shown without the jump.
  return wallClock - Math.min(offsetBefore, offsetAfter) * MINUTE_MS;
}

/** The local day number (days since 1970-01-01) of an ISO date `YYYY-MM-DD`, or NaN if there is no such date. */
export function dayNumberOfDate(date: string): number {
  const midnight = Date.parse(`${date}T00:00:00Z`);
  // Date.parse rolls impossible dates over (02-30 becomes 03-02); such a date names no day.
  if (Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== date) return Number.NaN;
  return midnight / DAY_MS;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a local day number; day 0, 1970-01-01, was a Thursday. */
export function isoWeekdayOfDay(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/**
 * An instant as a caller wrote it: a Date, plus the UTC offset of the text it came from (`+02:00` is 120), so that
 * an answer about it can speak in the caller's offset.
 */
export class InstantWithOffset extends Date {
  constructor(
    instant: number,
    readonly offsetMinutes: number,
  ) {
    super(instant);
  }
}

/** The offset an instant was written in: its own for an `InstantWithOffset`, UTC for any other Date. */
export function writtenOffsetMinutes(instant: Date): number {
  return instant instanceof InstantWithOffset ? instant.offsetMinutes : 0;
}
