import { DateTime, IANAZone, Zone } from 'luxon';

/** True for a canonical or linked IANA zone name such as `Europe/London`; offsets like `+02:00` are not zones. */
export function isIanaTimeZone(name: string): boolean {
  return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(name) && IANAZone.isValidZone(name);
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
