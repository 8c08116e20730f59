import { builder } from './builder.ts';
import { nonBlank } from './account.ts';
import {
  accountIdsArg,
  accountsInScope,
  DateTimeFilter,
  dateTimeFilter,
  idOf,
  idsFilter,
  inputId,
  MUTATION_ERRORS,
  orderByInput,
  targetAccount,
  write,
  filterArgs,
  withFilter,
} from './common.ts';
import { HOLIDAY_FILTERS } from '../query/catalogs.ts';
import type { Context } from './context.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { scheduleChanged } from '../events/outbox.ts';

builder.prismaNode('Holiday', {
  id: { field: 'id' },
  // Loading by id yields null for a row outside the token's accounts.
  nullable: true,
  description: 'Leave (HaloPSA holiday): time one agent, or everyone on a workday, cannot be booked.',
  fields: (t) => ({
    account: t.relation('account'),
    name: t.exposeString('name'),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', description: 'Exclusive end.' }),
    allDay: t.exposeBoolean('allDay'),
    agent: t.relation('agent', { nullable: true, description: 'Set when the holiday is one agent’s leave.' }),
    workday: t.relation('workday', { nullable: true, description: 'Set when the holiday applies to everyone on a workday.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const holidayOrder = orderByInput('Holiday', { STARTS_AT: 'startsAt', ENDS_AT: 'endsAt', NAME: 'name' });

const HolidayWhere = builder.inputType('HolidayWhere', {
  fields: (t) => ({
    startsAt: t.field({ type: DateTimeFilter, required: false }),
    endsAt: t.field({ type: DateTimeFilter, required: false }),
    agentIds: t.idList({ required: false }),
    workdayIds: t.idList({ required: false }),
  }),
});

function holidayWhere(context: Context, args: { accountIds?: readonly string[] | null; filter?: string | null; where?: typeof HolidayWhere.$inferInput | null }) {
  const where = args.where;
  return withFilter(
    {
      accountId: { in: accountsInScope(context, args.accountIds) },
      startsAt: dateTimeFilter(where?.startsAt),
      endsAt: dateTimeFilter(where?.endsAt),
      agentId: idsFilter('Agent', where?.agentIds),
      workdayId: idsFilter('Workday', where?.workdayIds),
    },
    args.filter,
    HOLIDAY_FILTERS,
  );
}

builder.queryFields((t) => ({
  holidays: t.prismaConnection({
    type: 'Holiday',
    cursor: 'id',
    nullable: true,
    authScopes: { read: true },
    args: { ...accountIdsArg, ...filterArgs(HOLIDAY_FILTERS), where: t.arg({ type: HolidayWhere, required: false }), ...holidayOrder.args },
    resolve: (query, _root, args, context) =>
      context.db.holiday.findMany({ ...query, where: holidayWhere(context, args), orderBy: holidayOrder.toPrisma(args.orderBy) }),
    totalCount: (_parent, args, context) => context.db.holiday.count({ where: holidayWhere(context, args) }),
  }, { name: 'HolidayConnection' }, { name: 'HolidayEdge' }),
}));

// ---- Mutations -----------------------------------------------------------------

const CreateHolidayInput = builder.inputType('CreateHolidayInput', {
  description: 'Give exactly one of agentId and workdayId.',
  fields: (t) => ({
    accountId: t.id({ required: false, description: 'Required when the token covers more than one account.' }),
    name: t.string({ validate: nonBlank }),
    startsAt: t.field({ type: 'DateTime' }),
    endsAt: t.field({ type: 'DateTime' }),
    allDay: t.boolean({ required: false }),
    agentId: t.id({ required: false }),
    workdayId: t.id({ required: false }),
  }),
});

const UpdateHolidayInput = builder.inputType('UpdateHolidayInput', {
  fields: (t) => ({
    name: t.string({ required: false, validate: nonBlank }),
    startsAt: t.field({ type: 'DateTime', required: false }),
    endsAt: t.field({ type: 'DateTime', required: false }),
    allDay: t.boolean({ required: false }),
  }),
});

function checkRange(startsAt: Date, endsAt: Date) {
  if (startsAt >= endsAt) throw ValidationError.of(['input', 'endsAt'], 'Must be after startsAt');
}

/** The holiday's owner: exactly one agent or workday of `accountId`. */
async function holidayOwner(context: Context, accountId: string, input: { agentId?: string | null; workdayId?: string | null }) {
  if ((input.agentId == null) === (input.workdayId == null)) {
    throw ValidationError.of(['input', input.agentId == null ? 'agentId' : 'workdayId'], 'Give exactly one of agentId and workdayId');
  }
  if (input.agentId != null) {
    const id = inputId('Agent', input.agentId, ['input', 'agentId']);
    if (!(await context.db.agent.findFirst({ where: { id, accountId }, select: { id: true } }))) throw new NotFoundError(input.agentId);
    return { agentId: id, workdayId: null };
  }
  const id = inputId('Workday', input.workdayId!, ['input', 'workdayId']);
  if (!(await context.db.workday.findFirst({ where: { id, accountId }, select: { id: true } }))) throw new NotFoundError(input.workdayId!);
  return { agentId: null, workdayId: id };
}

builder.mutationFields((t) => ({
  createHoliday: t.prismaField({
    type: 'Holiday',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { input: t.arg({ type: CreateHolidayInput }) },
    resolve: async (query, _root, { input }, context) => {
      const accountId = targetAccount(context, input.accountId);
      checkRange(input.startsAt, input.endsAt);
      const owner = await holidayOwner(context, accountId, input);
      const holiday = await context.db.$transaction(async (tx) => {
        const created = await tx.holiday.create({
          data: { accountId, name: input.name.trim(), startsAt: input.startsAt, endsAt: input.endsAt, allDay: input.allDay ?? false, ...owner },
        });
        await scheduleChanged(tx, accountId, { cause: 'holiday.created', holiday: created });
        return created;
      });
      return context.db.holiday.findUniqueOrThrow({ ...query, where: { id: holiday.id } });
    },
  }),
  updateHoliday: t.prismaField({
    type: 'Holiday',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id(), input: t.arg({ type: UpdateHolidayInput }) },
    resolve: async (query, _root, { id, input }, context) => {
      const holiday = await context.db.holiday.findUnique({ where: { id: idOf('Holiday', id) } });
      if (!holiday) throw new NotFoundError(id);
      checkRange(input.startsAt ?? holiday.startsAt, input.endsAt ?? holiday.endsAt);
      await write(id, () =>
        context.db.$transaction(async (tx) => {
          const updated = await tx.holiday.update({
            where: { id: holiday.id },
            data: {
              name: input.name?.trim() ?? undefined,
              startsAt: input.startsAt ?? undefined,
              endsAt: input.endsAt ?? undefined,
              allDay: input.allDay ?? undefined,
            },
          });
          await scheduleChanged(tx, holiday.accountId, { cause: 'holiday.updated', holiday: updated, previous: holiday });
        }),
      );
      return context.db.holiday.findUniqueOrThrow({ ...query, where: { id: holiday.id } });
    },
  }),
  deleteHoliday: t.field({
    type: 'ID',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => {
      await write(id, () =>
        context.db.$transaction(async (tx) => {
          const removed = await tx.holiday.delete({ where: { id: idOf('Holiday', id) } });
          await scheduleChanged(tx, removed.accountId, { cause: 'holiday.deleted', holiday: removed });
        }),
      );
      return id;
    },
  }),
}));
