import { DateTime, IANAZone } from 'luxon';

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
