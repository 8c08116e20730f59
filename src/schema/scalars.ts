import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { DateTime } from 'luxon';
import { isStorableInstant } from '../scheduling/storable-time.ts';
import { InstantWithOffset, isIanaTimeZone, isLocalDate, isLocalTime } from '../scheduling/time-zone.ts';

const OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

function stringLiteral(ast: ValueNode, scalar: string): string {
  if (ast.kind !== Kind.STRING) throw new GraphQLError(`${scalar} must be a string`);
  return ast.value;
}

function badDateTime(message: string) {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** The instant, remembering the offset it was written with (see `InstantWithOffset`). */
function parseDateTime(value: unknown): Date {
  const match = typeof value === 'string' ? OFFSET_DATE_TIME.exec(value) : null;
  if (typeof value !== 'string' || !match) {
    throw badDateTime('DateTime must be an ISO-8601 date-time with an offset, e.g. 2026-07-01T09:30:00+01:00');
  }
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) throw badDateTime(`DateTime ${value} does not exist`);
  const offset = match[3]!.toUpperCase();
  const offsetMinutes = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const date = new InstantWithOffset(instant, offsetMinutes);
  // Compared as an instant: an offset can carry a time written in year 1 or 9999 past either end.
  if (!isStorableInstant(date.getTime())) {
    throw badDateTime(`DateTime ${value} is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z`);
  }
  return date;
}

export const DateTimeScalar = {
  description: 'An instant, as an ISO-8601 date-time with an offset (`2026-07-01T09:30:00Z`). Returned in UTC, except where a field says it uses a requested time zone.',
  serialize: (value: unknown) => {
    if (value instanceof Date) return value.toISOString();
    // A Luxon DateTime keeps the offset of its zone, e.g. slots shown in the caller's time zone.
    if (DateTime.isDateTime(value) && value.isValid) return value.toISO()!;
    if (typeof value === 'string') return new Date(value).toISOString();
    throw new GraphQLError('DateTime cannot represent this value');
  },
  parseValue: parseDateTime,
  parseLiteral: (ast: ValueNode) => parseDateTime(stringLiteral(ast, 'DateTime')),
};

function stringScalar(description: string, check: (value: string) => boolean, problem: string) {
  const parse = (value: unknown) => {
    if (typeof value !== 'string' || !check(value)) throw new GraphQLError(`${problem}, got ${JSON.stringify(value)}`);
    return value;
  };
  return {
    description,
    serialize: (value: unknown) => value as string,
    parseValue: parse,
    parseLiteral: (ast: ValueNode) => parse(ast.kind === Kind.STRING ? ast.value : undefined),
  };
}

export const TimeZoneScalar = stringScalar(
  'An IANA time zone name, such as `Europe/London` or `America/New_York`.',
  isIanaTimeZone,
  'TimeZone must be an IANA time zone name such as Europe/London',
);

export const LocalDateScalar = stringScalar(
  'A calendar date without a zone, `YYYY-MM-DD`.',
  isLocalDate,
  'LocalDate must be a date YYYY-MM-DD',
);

export const LocalTimeScalar = stringScalar(
  'A wall-clock time without a zone, `HH:MM` or `HH:MM:SS` (24-hour).',
  isLocalTime,
  'LocalTime must be a time HH:MM',
);
