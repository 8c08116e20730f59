import { queryFromInfo } from '@pothos/plugin-prisma';
import type { GraphQLResolveInfo } from 'graphql';
import { DateTime } from 'luxon';
import { z } from 'zod';
import {
  PERIODS,
  runReport,
  whereConditions,
  type ReportDimension,
  type ReportMetric,
  type ReportRow,
  type ReportSubject,
} from '../reports/scheduling-report.ts';
import { DEFAULT_REPORT_MONTHS_AROUND, reportRange, TooManyPeriodsError } from '../reports/periods.ts';
import { BOOKING_STATUSES, SCHEDULING_REQUEST_STATUSES } from '../scheduling/booking-lifecycle.ts';
import { AccountRef } from './account.ts';
import { AgentRef } from './agent.ts';
import { AppointmentTypeRef } from './appointment-type.ts';
import { builder } from './builder.ts';
import { toSqlCondition } from '../query/compile.ts';
import { BOOKING_REPORT_FILTERS, SCHEDULING_REQUEST_REPORT_FILTERS } from '../query/catalogs.ts';
import { describeCatalog } from '../query/tql-attributes.ts';
import { accountsInScope, compileFilter, SortDirection } from './common.ts';
import type { Context } from './context.ts';
import { CustomerRef } from './customer.ts';
import { ValidationError } from './errors.ts';
import { decodeIdOf } from './global-id.ts';
import { TeamRef } from './team.ts';

const ReportSubjectEnum = builder.enumType('ReportSubject', {
  values: {
    BOOKINGS: { description: 'Bookings, placed in the range and periods by their start.' },
    SCHEDULING_REQUESTS: { description: 'Scheduling requests, placed by their creation.' },
  } as const,
});

const ReportGroupBy = builder.enumType('ReportGroupBy', {
  values: {
    ACCOUNT: {},
    AGENT: { description: 'Bookings: each agent the booking holds. Requests: the requesting agent.' },
    TEAM: { description: 'Bookings: the booked team. Requests: each team offered.' },
    APPOINTMENT_TYPE: {},
    STATUS: {},
    CUSTOMER: {},
    DAY: { description: 'Calendar days in the report’s time zone.' },
    WEEK: { description: 'Weeks from Monday in the report’s time zone.' },
    MONTH: { description: 'Calendar months in the report’s time zone.' },
  } as const,
});

const ReportOrderField = builder.enumType('ReportOrderField', {
  values: [
    'COUNT',
    'SCHEDULED_MINUTES',
    'CONFIRMED',
    'CANCELLED',
    'DECLINED',
    'NO_SHOWS',
    'AVERAGE_LEAD_TIME_MINUTES',
    'ACCOUNT',
    'AGENT',
    'TEAM',
    'APPOINTMENT_TYPE',
    'STATUS',
    'CUSTOMER',
    'PERIOD',
  ] as const,
});

const ReportOrderBy = builder.inputType('ReportOrderBy', {
  fields: (t) => ({
    field: t.field({ type: ReportOrderField }),
    direction: t.field({ type: SortDirection, required: false, defaultValue: 'ASC' }),
  }),
});

const ReportWhere = builder.inputType('ReportWhere', {
  fields: (t) => ({
    statuses: t.stringList({ required: false, description: 'Booking or scheduling request statuses.' }),
    agentIds: t.idList({ required: false }),
    teamIds: t.idList({ required: false }),
    appointmentTypeIds: t.idList({ required: false }),
    customerIds: t.idList({ required: false }),
  }),
});

const MAX_REPORT_ROWS = 10_000;

const SchedulingReportInput = builder.inputType('SchedulingReportInput', {
  fields: (t) => ({
    subject: t.field({ type: ReportSubjectEnum }),
    from: t.field({
      type: 'DateTime',
      required: false,
      description: `Defaults to the start of the month ${DEFAULT_REPORT_MONTHS_AROUND} months before the current one, in the report’s time zone.`,
    }),
    to: t.field({
      type: 'DateTime',
      required: false,
      description: `Exclusive. Defaults to the end of the month ${DEFAULT_REPORT_MONTHS_AROUND} months after the current one, in the report’s time zone.`,
    }),
    timeZone: t.field({ type: 'TimeZone', required: false, description: 'Where periods are cut; defaults to UTC.' }),
    groupBy: t.field({ type: [ReportGroupBy], required: false, defaultValue: [] }),
    accountIds: t.idList({ required: false, description: 'Only these accounts (a subset of the token’s; another account is FORBIDDEN).' }),
    where: t.field({ type: ReportWhere, required: false }),
    filter: t.string({
      required: false,
      description: `A TimeZest Query Language filter on the report's subject, combined with \`where\` by AND. For bookings:\n${describeCatalog(BOOKING_REPORT_FILTERS)}\n\nFor scheduling requests:\n${describeCatalog(SCHEDULING_REQUEST_REPORT_FILTERS)}`,
    }),
    orderBy: t.field({
      type: [ReportOrderBy],
      required: false,
      validate: z.array(z.unknown()).max(5, 'At most 5 sort keys').nullish(),
    }),
    limit: t.int({ required: false, defaultValue: 1000, validate: z.number().int().min(1).max(MAX_REPORT_ROWS) }),
  }),
});

interface ReportRowShape extends ReportRow {
  timeZone: string;
}

const SchedulingReportRow = builder.objectRef<ReportRowShape>('SchedulingReportRow').implement({
  description: 'One group of the report: its keys (null for dimensions not grouped by) and its metrics.',
  fields: (t) => ({
    account: t.field({
      type: AccountRef,
      nullable: true,
      resolve: (row, _args, context, info) =>
        loadFor(row.accountId, context, info, (ids) => context.db.account.findMany({ ...queryFromInfo({ context, info, typeName: 'Account' }), where: { id: { in: ids } } })),
    }),
    agent: t.field({
      type: AgentRef,
      nullable: true,
      resolve: (row, _args, context, info) =>
        loadFor(row.agentId, context, info, (ids) => context.db.agent.findMany({ ...queryFromInfo({ context, info, typeName: 'Agent' }), where: { id: { in: ids } } })),
    }),
    team: t.field({
      type: TeamRef,
      nullable: true,
      resolve: (row, _args, context, info) =>
        loadFor(row.teamId, context, info, (ids) => context.db.team.findMany({ ...queryFromInfo({ context, info, typeName: 'Team' }), where: { id: { in: ids } } })),
    }),
    appointmentType: t.field({
      type: AppointmentTypeRef,
      nullable: true,
      resolve: (row, _args, context, info) =>
        loadFor(row.appointmentTypeId, context, info, (ids) =>
          context.db.appointmentType.findMany({ ...queryFromInfo({ context, info, typeName: 'AppointmentType' }), where: { id: { in: ids } } }),
        ),
    }),
    customer: t.field({
      type: CustomerRef,
      nullable: true,
      resolve: (row, _args, context, info) =>
        loadFor(row.customerId, context, info, (ids) => context.db.customer.findMany({ ...queryFromInfo({ context, info, typeName: 'Customer' }), where: { id: { in: ids } } })),
    }),
    status: t.exposeString('status', { nullable: true }),
    period: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Start of the DAY, WEEK or MONTH bucket, with the offset of the report’s time zone.',
      resolve: (row) => (row.period ? DateTime.fromJSDate(row.period, { zone: row.timeZone }) : null),
    }),
    count: t.exposeInt('count'),
    scheduledMinutes: t.exposeInt('scheduledMinutes', { description: 'Booked minutes that hold time (or, for requests, of their bookings).' }),
    confirmed: t.exposeInt('confirmed', { description: 'Bookings CONFIRMED or COMPLETED; for requests, SCHEDULED ones.' }),
    cancelled: t.exposeInt('cancelled'),
    declined: t.exposeInt('declined'),
    noShows: t.exposeInt('noShows'),
    averageLeadTimeMinutes: t.exposeFloat('averageLeadTimeMinutes', {
      nullable: true,
      description: 'Average minutes from creation to start (for requests: to the start of their booking).',
    }),
  }),
});

function reportFilter(subject: ReportSubject, filter: string) {
  const catalog = subject === 'BOOKINGS' ? BOOKING_REPORT_FILTERS : SCHEDULING_REQUEST_REPORT_FILTERS;
  return compileFilter(filter, catalog, (resolved) => toSqlCondition(resolved, catalog));
}

/** The group object of every row in one batched query, with the client's selection beneath it. */
function loadFor<Row extends { id: string }>(id: string | null, context: Context, info: GraphQLResolveInfo, find: (ids: string[]) => Promise<Row[]>) {
  return id ? context.loaders.forField(info, find).load(id) : null;
}

function ids(typename: string, globalIds: readonly string[] | null | undefined) {
  return globalIds?.map((id) => decodeIdOf(typename, id) ?? '00000000-0000-0000-0000-000000000000');
}

builder.queryField('schedulingReport', (t) =>
  t.field({
    type: [SchedulingReportRow],
    nullable: true,
    authScopes: { read: true },
    description:
      'Counts and minutes of bookings or scheduling requests across the token’s accounts, grouped and aggregated in the database in one statement. Rescheduled bookings are left out: their replacement counts.',
    args: { input: t.arg({ type: SchedulingReportInput }) },
    resolve: async (_root, { input }, context) => {
      const timeZone = input.timeZone ?? 'UTC';
      const { from, to } = reportRange(input.from, input.to, Date.now(), timeZone);
      if (to <= from) throw ValidationError.of(['input', 'to'], 'Must be after from');
      const groupBy = [...new Set(input.groupBy ?? [])] as ReportDimension[];
      if (groupBy.filter((dimension) => PERIODS.includes(dimension)).length > 1) {
        throw ValidationError.of(['input', 'groupBy'], 'Group by at most one of DAY, WEEK and MONTH');
      }
      const subject = input.subject as ReportSubject;
      if (input.where?.statuses) {
        const allowed: readonly string[] = subject === 'BOOKINGS' ? BOOKING_STATUSES : SCHEDULING_REQUEST_STATUSES;
        const unknown = input.where.statuses.find((status) => !allowed.includes(status));
        if (unknown) throw ValidationError.of(['input', 'where', 'statuses'], `Unknown status ${unknown}; expected one of ${allowed.join(', ')}`);
      }
      const where = input.where;
      const rows = await runReport(context.rootDb, {
        subject,
        accountIds: accountsInScope(context, input.accountIds),
        from,
        to,
        timeZone,
        groupBy,
        conditions: [
          ...whereConditions(subject, {
            statuses: where?.statuses,
            agentIds: ids('Agent', where?.agentIds),
            teamIds: ids('Team', where?.teamIds),
            appointmentTypeIds: ids('AppointmentType', where?.appointmentTypeIds),
            customerIds: ids('Customer', where?.customerIds),
          }),
          ...(input.filter?.trim() ? [reportFilter(subject, input.filter)] : []),
        ],
        orderBy: (input.orderBy ?? []).map(({ field, direction }) => ({
          key: (field === 'PERIOD' ? 'DAY' : field) as ReportDimension | ReportMetric,
          descending: direction === 'DESC',
        })),
        limit: input.limit ?? 1000,
      }).catch((error: unknown) => {
        throw error instanceof TooManyPeriodsError ? ValidationError.of(['input', 'to'], error.message) : error;
      });
      return rows.map((row) => ({ ...row, timeZone }));
    },
  }),
);

