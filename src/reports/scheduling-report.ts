import { Prisma } from '../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { DAY_MS, periodStarts } from './periods.ts';

/** What a report counts: bookings by their start, or scheduling requests by their creation. */
export type ReportSubject = 'BOOKINGS' | 'SCHEDULING_REQUESTS';
export type ReportDimension = 'ACCOUNT' | 'AGENT' | 'TEAM' | 'APPOINTMENT_TYPE' | 'STATUS' | 'CUSTOMER' | 'DAY' | 'WEEK' | 'MONTH';
export type ReportMetric = 'COUNT' | 'SCHEDULED_MINUTES' | 'CONFIRMED' | 'CANCELLED' | 'DECLINED' | 'NO_SHOWS' | 'AVERAGE_LEAD_TIME_MINUTES';
export const PERIODS: readonly ReportDimension[] = ['DAY', 'WEEK', 'MONTH'];

export interface ReportQuery {
  subject: ReportSubject;
  accountIds: string[];
  from: Date;
  to: Date;
  /** IANA zone in which DAY, WEEK (from Monday) and MONTH buckets are cut. */
  timeZone: string;
  groupBy: ReportDimension[];
  /** SQL conditions on the subject's row (aliased `subject`), already parameterised. */
  conditions: Prisma.Sql[];
  orderBy: Array<{ key: ReportDimension | ReportMetric; descending: boolean }>;
  limit: number;
}

export interface ReportRow {
  accountId: string | null;
  agentId: string | null;
  teamId: string | null;
  appointmentTypeId: string | null;
  status: string | null;
  customerId: string | null;
  period: Date | null;
  count: number;
  scheduledMinutes: number;
  confirmed: number;
  cancelled: number;
  declined: number;
  noShows: number;
  averageLeadTimeMinutes: number | null;
}

type Period = 'DAY' | 'WEEK' | 'MONTH';
type GroupDimension = Exclude<ReportDimension, Period>;

interface SubjectSql {
  from: Prisma.Sql;
  /** The instant that places a row in the report's range and periods. */
  when: Prisma.Sql;
  dimensions: Record<GroupDimension, Prisma.Sql>;
  metrics: Record<ReportMetric, Prisma.Sql>;
  /** Rows a report leaves out unless asked for. */
  excluded: Prisma.Sql;
}

/**
 * What a bookings report sums per group, and how each booking counts in it: the columns of
 * `booking_day_totals`, which its triggers fill the same way (`booking_day_totals_of`).
 */
const BOOKING_TOTALS = {
  bookings: Prisma.sql`count(*)`,
  scheduled: Prisma.sql`coalesce(sum(subject.ends_at - subject.starts_at) FILTER (WHERE subject.status IN ('TENTATIVE', 'CONFIRMED', 'COMPLETED', 'NO_SHOW')), interval '0')`,
  confirmed: Prisma.sql`count(*) FILTER (WHERE subject.status IN ('CONFIRMED', 'COMPLETED'))`,
  cancelled: Prisma.sql`count(*) FILTER (WHERE subject.status = 'CANCELLED')`,
  declined: Prisma.sql`count(*) FILTER (WHERE subject.status = 'DECLINED')`,
  no_shows: Prisma.sql`count(*) FILTER (WHERE subject.status = 'NO_SHOW')`,
  lead_time: Prisma.sql`sum(subject.starts_at - subject.created_at)`,
};
type BookingTotal = keyof typeof BOOKING_TOTALS;
const BOOKING_TOTAL_COLUMNS = Object.keys(BOOKING_TOTALS) as BookingTotal[];

/**
 * The metrics of a bookings report from its totals, whether summed from bookings or from day totals. Durations are
 * summed as intervals, which PostgreSQL adds exactly and quickly, and turned into minutes once per group.
 */
function bookingMetrics(total: Record<BookingTotal, Prisma.Sql>): Record<ReportMetric, Prisma.Sql> {
  return {
    COUNT: total.bookings,
    SCHEDULED_MINUTES: Prisma.sql`extract(epoch FROM ${total.scheduled}) / 60`,
    CONFIRMED: total.confirmed,
    CANCELLED: total.cancelled,
    DECLINED: total.declined,
    NO_SHOWS: total.no_shows,
    AVERAGE_LEAD_TIME_MINUTES: Prisma.sql`extract(epoch FROM ${total.lead_time}) / 60 / nullif(${total.bookings}, 0)`,
  };
}

const SUBJECTS: Record<ReportSubject, (groupByAgent: boolean, groupByTeam: boolean) => SubjectSql> = {
  // A booking holding several agents (a collective team) counts once for each of them when grouped by agent.
  BOOKINGS: (groupByAgent) => ({
    from: groupByAgent
      ? Prisma.sql`bookings AS subject JOIN booking_agents AS subject_agent ON subject_agent.booking_id = subject.id`
      : Prisma.sql`bookings AS subject`,
    when: Prisma.sql`subject.starts_at`,
    dimensions: {
      ACCOUNT: Prisma.sql`subject.account_id`,
      AGENT: Prisma.sql`subject_agent.agent_id`,
      TEAM: Prisma.sql`subject.team_id`,
      APPOINTMENT_TYPE: Prisma.sql`subject.appointment_type_id`,
      STATUS: Prisma.sql`subject.status::text`,
      CUSTOMER: Prisma.sql`subject.customer_id`,
    },
    metrics: bookingMetrics(BOOKING_TOTALS),
    // A rescheduled booking lives on in its replacement; counting both would count one appointment twice.
    excluded: Prisma.sql`subject.status = 'RESCHEDULED'`,
  }),
  SCHEDULING_REQUESTS: (_groupByAgent, groupByTeam) => ({
    from: Prisma.sql`scheduling_requests AS subject
      LEFT JOIN LATERAL (
        SELECT booking.starts_at, booking.ends_at FROM bookings AS booking
        WHERE booking.scheduling_request_id = subject.id AND booking.status <> 'RESCHEDULED'
        ORDER BY booking.created_at DESC LIMIT 1
      ) AS scheduled ON true
      ${groupByTeam ? Prisma.sql`CROSS JOIN LATERAL unnest(subject.team_ids) AS subject_team(team_id)` : Prisma.empty}`,
    when: Prisma.sql`subject.created_at`,
    dimensions: {
      ACCOUNT: Prisma.sql`subject.account_id`,
      AGENT: Prisma.sql`subject.requested_by_agent_id`,
      TEAM: Prisma.sql`subject_team.team_id`,
      APPOINTMENT_TYPE: Prisma.sql`subject.appointment_type_id`,
      STATUS: Prisma.sql`subject.status::text`,
      CUSTOMER: Prisma.sql`subject.customer_id`,
    },
    metrics: {
      COUNT: Prisma.sql`count(*)`,
      SCHEDULED_MINUTES: Prisma.sql`coalesce(sum(extract(epoch FROM scheduled.ends_at - scheduled.starts_at) / 60), 0)`,
      CONFIRMED: Prisma.sql`count(*) FILTER (WHERE subject.status = 'SCHEDULED')`,
      CANCELLED: Prisma.sql`count(*) FILTER (WHERE subject.status = 'CANCELLED')`,
      DECLINED: Prisma.sql`0::bigint`,
      NO_SHOWS: Prisma.sql`0::bigint`,
      AVERAGE_LEAD_TIME_MINUTES: Prisma.sql`avg(extract(epoch FROM scheduled.starts_at - subject.created_at) / 60)`,
    },
    excluded: Prisma.sql`false`,
  }),
};

const OUTPUT_COLUMNS: Record<GroupDimension, string> = {
  ACCOUNT: 'account_id',
  AGENT: 'agent_id',
  TEAM: 'team_id',
  APPOINTMENT_TYPE: 'appointment_type_id',
  STATUS: 'status',
  CUSTOMER: 'customer_id',
};

const METRIC_COLUMNS: Record<ReportMetric, string> = {
  COUNT: 'count',
  SCHEDULED_MINUTES: 'scheduled_minutes',
  CONFIRMED: 'confirmed',
  CANCELLED: 'cancelled',
  DECLINED: 'declined',
  NO_SHOWS: 'no_shows',
  AVERAGE_LEAD_TIME_MINUTES: 'average_lead_time_minutes',
};

/**
 * Metrics leave PostgreSQL as bigint and float8: as numeric they would arrive as Decimal objects, thousands per
 * report, only to become numbers. float8 is the nearest double of the numeric, as Number() of it would be.
 */
const METRIC_TYPES: Record<ReportMetric, 'bigint' | 'float8'> = {
  COUNT: 'bigint',
  SCHEDULED_MINUTES: 'float8',
  CONFIRMED: 'bigint',
  CANCELLED: 'bigint',
  DECLINED: 'bigint',
  NO_SHOWS: 'bigint',
  AVERAGE_LEAD_TIME_MINUTES: 'float8',
};

const isPeriod = (dimension: ReportDimension): dimension is Period => PERIODS.includes(dimension);

/** What every grouping of one report shares: its scope, and where its periods start. */
interface ReportFrame {
  query: ReportQuery;
  /** The start of the period an instant falls in, or NULL when the report has no period. */
  periodOf(instant: Prisma.Sql): Prisma.Sql;
  /** Instants at which a period, or the range, starts or ends. */
  boundaries: Date[];
}

function reportFrame(query: ReportQuery): ReportFrame {
  const period = query.groupBy.find(isPeriod);
  if (!period) return { query, periodOf: () => Prisma.sql`NULL::timestamptz`, boundaries: [query.from, query.to] };
  const starts = periodStarts(period, query.from, query.to, query.timeZone);
  const startsSql = Prisma.sql`${starts.map((start) => start.toISOString())}::timestamptz[]`;
  return {
    query,
    // Boundaries computed once, instead of truncating every row's instant in the zone.
    periodOf: (instant) => Prisma.sql`(${startsSql})[width_bucket(${instant}, ${startsSql})]`,
    boundaries: [query.from, ...starts.filter((start) => start > query.from), query.to],
  };
}

/** The report's groups and metrics, read from its subject's rows. */
function groupedFromSubject({ query, periodOf }: ReportFrame): Prisma.Sql {
  const subject = SUBJECTS[query.subject](query.groupBy.includes('AGENT'), query.groupBy.includes('TEAM'));
  const keys = query.groupBy.map((dimension) =>
    isPeriod(dimension)
      ? Prisma.sql`${periodOf(subject.when)} AS period`
      : Prisma.sql`${subject.dimensions[dimension]} AS ${Prisma.raw(OUTPUT_COLUMNS[dimension])}`,
  );
  const conditions = [
    Prisma.sql`subject.account_id = ANY(${query.accountIds}::uuid[])`,
    Prisma.sql`${subject.when} >= ${query.from}`,
    Prisma.sql`${subject.when} < ${query.to}`,
    ...query.conditions,
  ];
  return Prisma.sql`
    SELECT ${Prisma.join([...keys, ...metricColumns(subject.metrics)])}
    FROM ${subject.from}
    WHERE ${Prisma.join(conditions, ' AND ')} AND NOT (${subject.excluded})
    ${groupByPositions(keys)}`;
}

/** `booking_day_totals` answer a bookings report with no filter beyond its accounts, grouped by account, agent or period. */
function answeredByDayTotals(query: ReportQuery): boolean {
  return (
    query.subject === 'BOOKINGS' &&
    query.conditions.length === 0 &&
    query.groupBy.every((dimension) => dimension === 'ACCOUNT' || dimension === 'AGENT' || isPeriod(dimension))
  );
}

/** The UTC days (as their first millisecond) in which a boundary falls after midnight: totals cannot split those. */
function cutDaysOf(boundaries: Date[]): number[] {
  const instants = boundaries.map((instant) => instant.getTime());
  return [...new Set(instants.filter((instant) => utcDayOf(instant) !== instant).map(utcDayOf))].sort((a, b) => a - b);
}

const utcDayOf = (instant: number) => Math.floor(instant / DAY_MS) * DAY_MS;

/** Consecutive days as one range each, so the bookings of many cut days are read in few index ranges. */
function dayRanges(days: number[]): Array<{ start: Date; end: Date }> {
  const ranges: Array<{ start: number; end: number }> = [];
  for (const day of days) {
    const last = ranges.at(-1);
    if (last && last.end === day) last.end = day + DAY_MS;
    else ranges.push({ start: day, end: day + DAY_MS });
  }
  return ranges.map(({ start, end }) => ({ start: new Date(start), end: new Date(end) }));
}

/**
 * The same groups and metrics from `booking_day_totals`: the totals of every UTC day that lies whole in one period
 * of the range, plus the bookings of the days a boundary cuts in two (a period starting at midnight in another zone,
 * a range starting at noon), summed from the bookings themselves.
 */
function groupedFromDayTotals({ query, periodOf }: ReportFrame, cutDays: number[]): Prisma.Sql {
  const byAgent = query.groupBy.includes('AGENT');
  const subject = SUBJECTS.BOOKINGS(byAgent, false);
  const keys = query.groupBy.map((dimension) =>
    isPeriod(dimension) ? Prisma.sql`day_totals.period AS period` : Prisma.raw(`day_totals.${OUTPUT_COLUMNS[dimension]} AS ${OUTPUT_COLUMNS[dimension]}`),
  );
  const sums = Object.fromEntries(BOOKING_TOTAL_COLUMNS.map((column) => [column, Prisma.raw(`sum(day_totals.${column})`)])) as Record<BookingTotal, Prisma.Sql>;
  // Ranges of constants rather than a join with the days, so the planner sees how few bookings they hold.
  const inCutDays = dayRanges(cutDays).map(({ start, end }) => Prisma.sql`(subject.starts_at >= ${start} AND subject.starts_at < ${end})`);
  const fromCutDays = !cutDays.length
    ? Prisma.empty
    : Prisma.sql`
      UNION ALL
      SELECT ${periodOf(subject.when)}, subject.account_id, ${byAgent ? subject.dimensions.AGENT : Prisma.sql`NULL::uuid`},
             ${Prisma.join(BOOKING_TOTAL_COLUMNS.map((column) => BOOKING_TOTALS[column]))}
      FROM ${subject.from}
      WHERE (${Prisma.join(inCutDays, ' OR ')})
        AND subject.account_id = ANY(${query.accountIds}::uuid[]) AND subject.starts_at >= ${query.from} AND subject.starts_at < ${query.to}
        AND NOT (${subject.excluded})
      GROUP BY 1, 2, 3`;
  return Prisma.sql`
    SELECT ${Prisma.join([...keys, ...metricColumns(bookingMetrics(sums))])}
    FROM (
      SELECT ${periodOf(Prisma.sql`totals.day`)} AS period, totals.account_id, totals.agent_id,
             ${Prisma.join(BOOKING_TOTAL_COLUMNS.map((column) => Prisma.raw(`totals.${column}`)))}
      FROM booking_day_totals AS totals
      WHERE totals.account_id = ANY(${query.accountIds}::uuid[]) AND totals.agent_id IS ${Prisma.raw(byAgent ? 'NOT NULL' : 'NULL')}
        AND totals.day >= ${query.from} AND totals.day < ${query.to}
        AND totals.day <> ALL(${cutDays.map((day) => new Date(day).toISOString())}::timestamptz[])
      ${fromCutDays}
    ) AS day_totals
    ${groupByPositions(keys)}
    ${keys.length ? Prisma.sql`HAVING sum(day_totals.bookings) > 0` : Prisma.empty}`;
}

function metricColumns(metrics: Record<ReportMetric, Prisma.Sql>): Prisma.Sql[] {
  return (Object.keys(METRIC_COLUMNS) as ReportMetric[]).map(
    (metric) => Prisma.sql`(${metrics[metric]})::${Prisma.raw(METRIC_TYPES[metric])} AS ${Prisma.raw(METRIC_COLUMNS[metric])}`,
  );
}

function groupByPositions(keys: Prisma.Sql[]): Prisma.Sql {
  return keys.length ? Prisma.sql`GROUP BY ${Prisma.join(keys.map((_, index) => Prisma.raw(String(index + 1))))}` : Prisma.empty;
}

/**
 * The report as one SQL statement: filter, group and aggregate in PostgreSQL. Periods are cut in the report's zone
 * (weeks start on Monday, as ISO weeks do) at boundaries computed beforehand, so buckets stay right across DST.
 */
export function reportSql(query: ReportQuery): Prisma.Sql {
  const frame = reportFrame(query);
  const cutDays = cutDaysOf(frame.boundaries);
  const rangeDays = Math.ceil((query.to.getTime() - utcDayOf(query.from.getTime())) / DAY_MS);
  // Totals save reading bookings only on whole days; when boundaries cut most days (days in a zone off UTC), the
  // bookings themselves are the shorter way.
  const grouped =
    answeredByDayTotals(query) && cutDays.length * 2 <= rangeDays ? groupedFromDayTotals(frame, cutDays) : groupedFromSubject(frame);
  const direction = (descending: boolean) => Prisma.raw(descending ? 'DESC NULLS LAST' : 'ASC NULLS LAST');
  const order = query.orderBy.flatMap(({ key, descending }) =>
    sortExpressions(key).map((expression) => Prisma.sql`${expression} ${direction(descending)}`),
  );
  // Group keys close the ordering, so equal metrics always come out in the same order.
  const tieBreak = query.groupBy.flatMap((dimension) => sortExpressions(dimension));
  const orderBy = [...order, ...tieBreak];
  const named = [...new Set([...query.orderBy.map(({ key }) => key), ...query.groupBy])].flatMap((key) => {
    const name = NAME_OF[key as GroupDimension];
    return name ? [name.join] : [];
  });
  return Prisma.sql`
    SELECT report.* FROM (${grouped}) AS report
    ${named.length ? Prisma.join(named, '\n') : Prisma.empty}
    ${orderBy.length ? Prisma.sql`ORDER BY ${Prisma.join(orderBy)}` : Prisma.empty}
    LIMIT ${query.limit}`;
}

/** Group objects sort by their name, as people read them; metrics and periods by value. */
const NAMED_TABLES: Partial<Record<GroupDimension, { table: string; nameColumn: string }>> = {
  ACCOUNT: { table: 'accounts', nameColumn: 'name' },
  AGENT: { table: 'agents', nameColumn: 'name' },
  TEAM: { table: 'teams', nameColumn: 'internal_name' },
  APPOINTMENT_TYPE: { table: 'appointment_types', nameColumn: 'internal_name' },
  CUSTOMER: { table: 'customers', nameColumn: 'name' },
};

/** The join that brings a group object's name next to its report row, and the name's expression. */
const NAME_OF: Partial<Record<GroupDimension, { join: Prisma.Sql; name: Prisma.Sql }>> = Object.fromEntries(
  Object.entries(NAMED_TABLES).map(([dimension, { table, nameColumn }]) => {
    const alias = `${OUTPUT_COLUMNS[dimension as GroupDimension].replace(/_id$/, '')}_name`;
    return [
      dimension,
      {
        join: Prisma.raw(`LEFT JOIN ${table} AS ${alias} ON ${alias}.id = report.${OUTPUT_COLUMNS[dimension as GroupDimension]}`),
        name: Prisma.raw(`${alias}.${nameColumn}`),
      },
    ];
  }),
);

function sortExpressions(key: ReportDimension | ReportMetric): Prisma.Sql[] {
  if (key in METRIC_COLUMNS) return [Prisma.raw(`report.${METRIC_COLUMNS[key as ReportMetric]}`)];
  if (isPeriod(key as ReportDimension)) return [Prisma.raw('report.period')];
  const dimension = key as GroupDimension;
  const column = Prisma.raw(`report.${OUTPUT_COLUMNS[dimension]}`);
  const name = NAME_OF[dimension];
  return name ? [name.name, column] : [column];
}

type RawRow = Record<string, unknown>;

const number = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));

export async function runReport(db: Pick<Db, '$queryRaw'>, query: ReportQuery): Promise<ReportRow[]> {
  const rows = await db.$queryRaw<RawRow[]>(reportSql(query));
  return rows.map((row) => ({
    accountId: (row.account_id as string | undefined) ?? null,
    agentId: (row.agent_id as string | undefined) ?? null,
    teamId: (row.team_id as string | undefined) ?? null,
    appointmentTypeId: (row.appointment_type_id as string | undefined) ?? null,
    status: (row.status as string | undefined) ?? null,
    customerId: (row.customer_id as string | undefined) ?? null,
    period: (row.period as Date | undefined) ?? null,
    count: number(row.count),
    scheduledMinutes: Math.round(number(row.scheduled_minutes)),
    confirmed: number(row.confirmed),
    cancelled: number(row.cancelled),
    declined: number(row.declined),
    noShows: number(row.no_shows),
    averageLeadTimeMinutes: row.average_lead_time_minutes === null ? null : Math.round(number(row.average_lead_time_minutes) * 10) / 10,
  }));
}

export interface ReportWhere {
  statuses?: readonly string[] | null;
  agentIds?: readonly string[] | null;
  teamIds?: readonly string[] | null;
  appointmentTypeIds?: readonly string[] | null;
  customerIds?: readonly string[] | null;
}

/** The typed `where` of a report as SQL conditions on its subject. Ids are database ids. */
export function whereConditions(subject: ReportSubject, where: ReportWhere | null | undefined): Prisma.Sql[] {
  if (!where) return [];
  const conditions: Prisma.Sql[] = [];
  if (where.statuses) conditions.push(Prisma.sql`subject.status::text = ANY(${[...where.statuses]}::text[])`);
  if (where.appointmentTypeIds) conditions.push(Prisma.sql`subject.appointment_type_id = ANY(${[...where.appointmentTypeIds]}::uuid[])`);
  if (where.customerIds) conditions.push(Prisma.sql`subject.customer_id = ANY(${[...where.customerIds]}::uuid[])`);
  if (subject === 'BOOKINGS') {
    if (where.agentIds) {
      conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM booking_agents AS held WHERE held.booking_id = subject.id AND held.agent_id = ANY(${[...where.agentIds]}::uuid[]))`);
    }
    if (where.teamIds) conditions.push(Prisma.sql`subject.team_id = ANY(${[...where.teamIds]}::uuid[])`);
  } else {
    if (where.agentIds) conditions.push(Prisma.sql`subject.requested_by_agent_id = ANY(${[...where.agentIds]}::uuid[])`);
    if (where.teamIds) conditions.push(Prisma.sql`subject.team_ids && ${[...where.teamIds]}::uuid[]`);
  }
  return conditions;
}
