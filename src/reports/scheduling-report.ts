import { Prisma } from '../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';

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

interface SubjectSql {
  from: Prisma.Sql;
  /** The instant that places a row in the report's range and periods. */
  when: Prisma.Sql;
  dimensions: Record<Exclude<ReportDimension, 'DAY' | 'WEEK' | 'MONTH'>, Prisma.Sql>;
  metrics: Record<Exclude<ReportMetric, 'COUNT'>, Prisma.Sql>;
  /** Rows a report leaves out unless asked for. */
  excluded: Prisma.Sql;
}

const BOOKING_MINUTES = Prisma.sql`extract(epoch FROM subject.ends_at - subject.starts_at) / 60`;

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
    metrics: {
      SCHEDULED_MINUTES: Prisma.sql`coalesce(sum(${BOOKING_MINUTES}) FILTER (WHERE subject.status IN ('TENTATIVE', 'CONFIRMED', 'COMPLETED', 'NO_SHOW')), 0)`,
      CONFIRMED: Prisma.sql`count(*) FILTER (WHERE subject.status IN ('CONFIRMED', 'COMPLETED'))`,
      CANCELLED: Prisma.sql`count(*) FILTER (WHERE subject.status = 'CANCELLED')`,
      DECLINED: Prisma.sql`count(*) FILTER (WHERE subject.status = 'DECLINED')`,
      NO_SHOWS: Prisma.sql`count(*) FILTER (WHERE subject.status = 'NO_SHOW')`,
      AVERAGE_LEAD_TIME_MINUTES: Prisma.sql`avg(extract(epoch FROM subject.starts_at - subject.created_at) / 60)`,
    },
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

const PERIOD_UNITS: Record<string, string> = { DAY: 'day', WEEK: 'week', MONTH: 'month' };

const OUTPUT_COLUMNS: Record<Exclude<ReportDimension, 'DAY' | 'WEEK' | 'MONTH'>, string> = {
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
 * The report as one SQL statement: filter, group and aggregate in
 * PostgreSQL, with periods cut by `date_trunc` in the report's zone (weeks
 * start on Monday, as ISO weeks do), so buckets stay right across DST.
 */
export function reportSql(query: ReportQuery): Prisma.Sql {
  const subject = SUBJECTS[query.subject](query.groupBy.includes('AGENT'), query.groupBy.includes('TEAM'));
  const keys: Prisma.Sql[] = [];
  for (const dimension of query.groupBy) {
    if (PERIODS.includes(dimension)) {
      keys.push(Prisma.sql`date_trunc(${PERIOD_UNITS[dimension]}, ${subject.when}, ${query.timeZone}) AS period`);
    } else {
      const column = OUTPUT_COLUMNS[dimension as keyof typeof OUTPUT_COLUMNS];
      keys.push(Prisma.sql`${subject.dimensions[dimension as keyof typeof OUTPUT_COLUMNS]} AS ${Prisma.raw(column)}`);
    }
  }
  const metrics = [
    Prisma.sql`count(*) AS count`,
    ...(Object.keys(subject.metrics) as Array<keyof SubjectSql['metrics']>).map(
      (metric) => Prisma.sql`${subject.metrics[metric]} AS ${Prisma.raw(METRIC_COLUMNS[metric])}`,
    ),
  ];
  const conditions = [
    Prisma.sql`subject.account_id = ANY(${query.accountIds}::uuid[])`,
    Prisma.sql`${subject.when} >= ${query.from}`,
    Prisma.sql`${subject.when} < ${query.to}`,
    ...query.conditions,
  ];
  const groupBy = keys.length ? Prisma.sql`GROUP BY ${Prisma.join(keys.map((_, index) => Prisma.raw(String(index + 1))))}` : Prisma.empty;
  const direction = (descending: boolean) => Prisma.raw(descending ? 'DESC NULLS LAST' : 'ASC NULLS LAST');
  const order = query.orderBy.flatMap(({ key, descending }) =>
    sortExpressions(key).map((expression) => Prisma.sql`${expression} ${direction(descending)}`),
  );
  // Group keys close the ordering, so equal metrics always come out in the same order.
  const tieBreak = query.groupBy.flatMap((dimension) => sortExpressions(dimension));
  const orderBy = [...order, ...tieBreak];
  return Prisma.sql`
    SELECT * FROM (
      SELECT ${Prisma.join([...keys, ...metrics])}
      FROM ${subject.from}
      WHERE ${Prisma.join(conditions, ' AND ')} AND NOT (${subject.excluded})
      ${groupBy}
    ) AS report
    ${orderBy.length ? Prisma.sql`ORDER BY ${Prisma.join(orderBy)}` : Prisma.empty}
    LIMIT ${query.limit}`;
}

/** Group objects sort by their name, as people read them; metrics and periods by value. */
const NAME_OF: Partial<Record<ReportDimension, Prisma.Sql>> = {
  ACCOUNT: Prisma.sql`(SELECT name FROM accounts WHERE accounts.id = report.account_id)`,
  AGENT: Prisma.sql`(SELECT name FROM agents WHERE agents.id = report.agent_id)`,
  TEAM: Prisma.sql`(SELECT internal_name FROM teams WHERE teams.id = report.team_id)`,
  APPOINTMENT_TYPE: Prisma.sql`(SELECT internal_name FROM appointment_types WHERE appointment_types.id = report.appointment_type_id)`,
  CUSTOMER: Prisma.sql`(SELECT name FROM customers WHERE customers.id = report.customer_id)`,
};

function sortExpressions(key: ReportDimension | ReportMetric): Prisma.Sql[] {
  if (key in METRIC_COLUMNS) return [Prisma.raw(`report.${METRIC_COLUMNS[key as ReportMetric]}`)];
  if (PERIODS.includes(key as ReportDimension)) return [Prisma.raw('report.period')];
  const dimension = key as keyof typeof OUTPUT_COLUMNS;
  const column = Prisma.raw(`report.${OUTPUT_COLUMNS[dimension]}`);
  const name = NAME_OF[dimension];
  return name ? [name, column] : [column];
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
