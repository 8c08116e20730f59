import { builder } from './builder.ts';
import { scheduleChanged } from '../events/outbox.ts';
import { nonBlank } from './account.ts';
import { accountIdsArg, accountsInScope, idOf, MUTATION_ERRORS, orderByInput, StringFilter, stringFilters, targetAccount, write, filterArgs, withFilter } from './common.ts';
import { WORKDAY_FILTERS } from '../query/catalogs.ts';
import type { Context } from './context.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { validateOverrides, validateWeeklyHours, type DateOverride, type WeeklyInterval } from '../scheduling/working-hours.ts';

// TIME and DATE columns reach Prisma as Dates on 1970-01-01 / at midnight UTC; these only reformat them.
const timeOfColumn = (value: Date) => value.toISOString().slice(11, 16);
const timeToColumn = (value: string) => new Date(`1970-01-01T${value.length === 5 ? `${value}:00` : value}Z`);
const dateOfColumn = (value: Date) => value.toISOString().slice(0, 10);
const dateToColumn = (value: string) => new Date(`${value}T00:00:00Z`);

builder.prismaObject('WorkingHours', {
  description: 'One open interval of a weekday, in the workday’s time zone.',
  fields: (t) => ({
    weekday: t.exposeInt('weekday', { description: 'ISO weekday: 1 = Monday … 7 = Sunday.' }),
    startTime: t.field({ type: 'LocalTime', resolve: (hours) => timeOfColumn(hours.startTime) }),
    endTime: t.field({ type: 'LocalTime', resolve: (hours) => timeOfColumn(hours.endTime) }),
  }),
});

builder.prismaObject('WorkdayOverride', {
  description: 'Hours of one date that replace the weekly hours; no times means closed that day.',
  fields: (t) => ({
    date: t.field({ type: 'LocalDate', resolve: (override) => dateOfColumn(override.date) }),
    startTime: t.field({ type: 'LocalTime', nullable: true, resolve: (o) => (o.startTime ? timeOfColumn(o.startTime) : null) }),
    endTime: t.field({ type: 'LocalTime', nullable: true, resolve: (o) => (o.endTime ? timeOfColumn(o.endTime) : null) }),
  }),
});

builder.prismaNode('Workday', {
  id: { field: 'id' },
  // Loading by id yields null for a row outside the token's accounts.
  nullable: true,
  description: 'Business hours (HaloPSA workday): weekly hours in an IANA zone, with date overrides and holidays.',
  fields: (t) => ({
    account: t.relation('account'),
    name: t.exposeString('name'),
    timeZone: t.expose('timeZone', { type: 'TimeZone' }),
    hours: t.relation('hours', { query: { orderBy: [{ weekday: 'asc' }, { startTime: 'asc' }] } }),
    overrides: t.relation('overrides', { query: { orderBy: [{ date: 'asc' }, { startTime: 'asc' }] } }),
    holidays: t.relation('holidays', {
      description: 'Holidays of everyone on this workday.',
      query: { orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] },
    }),
    agents: t.relation('agents', { query: { orderBy: [{ name: 'asc' }, { id: 'asc' }] } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const workdayOrder = orderByInput('Workday', { NAME: 'name', CREATED_AT: 'createdAt' });

const WorkdayWhere = builder.inputType('WorkdayWhere', {
  fields: (t) => ({
    name: t.field({ type: StringFilter, required: false }),
    timeZone: t.string({ required: false }),
  }),
});

function workdayWhere(context: Context, args: { accountIds?: readonly string[] | null; filter?: string | null; where?: typeof WorkdayWhere.$inferInput | null }) {
  return withFilter(
    {
      accountId: { in: accountsInScope(context, args.accountIds) },
      AND: stringFilters({ name: args.where?.name }),
      timeZone: args.where?.timeZone ?? undefined,
    },
    args.filter,
    WORKDAY_FILTERS,
  );
}

builder.queryFields((t) => ({
  workdays: t.prismaConnection({
    type: 'Workday',
    cursor: 'id',
    nullable: true,
    authScopes: { read: true },
    args: { ...accountIdsArg, ...filterArgs(WORKDAY_FILTERS), where: t.arg({ type: WorkdayWhere, required: false }), ...workdayOrder.args },
    resolve: (query, _root, args, context) =>
      context.db.workday.findMany({ ...query, where: workdayWhere(context, args), orderBy: workdayOrder.toPrisma(args.orderBy) }),
    totalCount: (_parent, args, context) => context.db.workday.count({ where: workdayWhere(context, args) }),
  }, { name: 'WorkdayConnection' }, { name: 'WorkdayEdge' }),
}));

// ---- Mutations -----------------------------------------------------------------

const WorkingHoursInput = builder.inputType('WorkingHoursInput', {
  fields: (t) => ({
    weekday: t.int({ description: 'ISO weekday: 1 = Monday … 7 = Sunday.' }),
    startTime: t.field({ type: 'LocalTime' }),
    endTime: t.field({ type: 'LocalTime' }),
  }),
});

const WorkdayOverrideInput = builder.inputType('WorkdayOverrideInput', {
  fields: (t) => ({
    date: t.field({ type: 'LocalDate' }),
    startTime: t.field({ type: 'LocalTime', required: false, description: 'Omit both times for a closed day.' }),
    endTime: t.field({ type: 'LocalTime', required: false }),
  }),
});

const CreateWorkdayInput = builder.inputType('CreateWorkdayInput', {
  fields: (t) => ({
    accountId: t.id({ required: false, description: 'Required when the token covers more than one account.' }),
    name: t.string({ validate: nonBlank }),
    timeZone: t.field({ type: 'TimeZone' }),
    hours: t.field({ type: [WorkingHoursInput], required: false }),
    overrides: t.field({ type: [WorkdayOverrideInput], required: false }),
  }),
});

const UpdateWorkdayInput = builder.inputType('UpdateWorkdayInput', {
  fields: (t) => ({
    name: t.string({ required: false, validate: nonBlank }),
    timeZone: t.field({ type: 'TimeZone', required: false }),
    hours: t.field({ type: [WorkingHoursInput], required: false, description: 'Replaces all weekly hours.' }),
    overrides: t.field({ type: [WorkdayOverrideInput], required: false, description: 'Replaces all date overrides.' }),
  }),
});

function checkedHours(accountId: string, hours: WeeklyInterval[]) {
  const issues = validateWeeklyHours(hours);
  if (issues.length) {
    throw new ValidationError(issues.map((issue) => ({ path: ['input', 'hours', String(issue.index), issue.field], message: issue.message })));
  }
  return hours.map((h) => ({ accountId, weekday: h.weekday, startTime: timeToColumn(h.startTime), endTime: timeToColumn(h.endTime) }));
}

function checkedOverrides(accountId: string, overrides: DateOverride[]) {
  const issues = validateOverrides(overrides);
  if (issues.length) {
    throw new ValidationError(
      issues.map((issue) => ({ path: ['input', 'overrides', String(issue.index), issue.field], message: issue.message })),
    );
  }
  return overrides.map((o) => ({
    accountId,
    date: dateToColumn(o.date),
    startTime: o.startTime ? timeToColumn(o.startTime) : null,
    endTime: o.endTime ? timeToColumn(o.endTime) : null,
  }));
}

builder.mutationFields((t) => ({
  createWorkday: t.prismaField({
    type: 'Workday',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { input: t.arg({ type: CreateWorkdayInput }) },
    resolve: (query, _root, { input }, context) => {
      const accountId = targetAccount(context, input.accountId);
      const hours = checkedHours(accountId, input.hours ?? []);
      const overrides = checkedOverrides(accountId, input.overrides ?? []);
      return context.db.workday.create({
        ...query,
        data: {
          accountId,
          name: input.name.trim(),
          timeZone: input.timeZone,
          hours: { createMany: { data: hours } },
          overrides: { createMany: { data: overrides } },
        },
      });
    },
  }),
  updateWorkday: t.prismaField({
    type: 'Workday',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id(), input: t.arg({ type: UpdateWorkdayInput }) },
    resolve: async (query, _root, { id, input }, context) => {
      const workday = await context.db.workday.findUnique({ where: { id: idOf('Workday', id) }, select: { id: true, accountId: true } });
      if (!workday) throw new NotFoundError(id);
      const hours = input.hours ? checkedHours(workday.accountId, input.hours) : undefined;
      const overrides = input.overrides ? checkedOverrides(workday.accountId, input.overrides) : undefined;
      await write(id, () =>
        context.db.$transaction(async (tx) => {
          await tx.workday.update({
            where: { id: workday.id },
            data: {
              name: input.name?.trim() ?? undefined,
              timeZone: input.timeZone ?? undefined,
              hours: hours && { deleteMany: {}, createMany: { data: hours } },
              overrides: overrides && { deleteMany: {}, createMany: { data: overrides } },
            },
          });
          // Only the name changing leaves every agent's time as it was.
          if (hours || overrides || input.timeZone) await scheduleChanged(tx, workday.accountId, { cause: 'workday.updated', workdayId: workday.id });
        }),
      );
      return context.db.workday.findUniqueOrThrow({ ...query, where: { id: workday.id } });
    },
  }),
  deleteWorkday: t.field({
    type: 'ID',
    authScopes: { write: true },
    description: 'Deletes a workday with its hours, overrides and holidays; its agents keep working without one.',
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => {
      await write(id, () => context.db.workday.delete({ where: { id: idOf('Workday', id) } }));
      return id;
    },
  }),
}));
