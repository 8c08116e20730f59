import { z } from 'zod';
import { builder } from './builder.ts';
import { nonBlank } from './account.ts';
import { accountIdsArg, accountsInScope, idOf, MUTATION_ERRORS, orderByInput, StringFilter, stringFilters, targetAccount, write, filterArgs, withFilter } from './common.ts';
import { APPOINTMENT_TYPE_FILTERS } from '../query/catalogs.ts';
import type { Context } from './context.ts';

export const ConfirmationFlow = builder.enumType('ConfirmationFlow', {
  description: 'What a new booking becomes (Timekit’s graph).',
  values: {
    INSTANT: { description: 'Confirmed at once.' },
    CONFIRM_DECLINE: { description: 'Tentative until an agent confirms or declines it.' },
  } as const,
});

export const AppointmentTypeRef = builder.prismaNode('AppointmentType', {
  id: { field: 'id' },
  // Loading by id yields null for a row outside the token's accounts.
  nullable: true,
  description: 'A kind of appointment that can be booked (TimeZest appointment type, HaloPSA booking type).',
  fields: (t) => ({
    account: t.relation('account'),
    internalName: t.exposeString('internalName', { description: 'The name agents see.' }),
    externalName: t.exposeString('externalName', { description: 'The name customers see.' }),
    description: t.exposeString('description', { nullable: true }),
    durationMinutes: t.exposeInt('durationMinutes'),
    bufferBeforeMinutes: t.exposeInt('bufferBeforeMinutes', { description: 'Time kept free before each booking.' }),
    bufferAfterMinutes: t.exposeInt('bufferAfterMinutes', { description: 'Time kept free after each booking.' }),
    slotIntervalMinutes: t.exposeInt('slotIntervalMinutes', { description: 'Offered start times are this many minutes apart.' }),
    minimumNoticeMinutes: t.exposeInt('minimumNoticeMinutes', { description: 'How far ahead of its start a slot must be booked.' }),
    bookingWindowDays: t.exposeInt('bookingWindowDays', { description: 'How many days ahead slots are offered.' }),
    confirmationFlow: t.expose('confirmationFlow', { type: ConfirmationFlow }),
    reservationTtlSeconds: t.exposeInt('reservationTtlSeconds', { description: 'How long a reservation holds a slot by default.' }),
    active: t.exposeBoolean('active'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const appointmentTypeOrder = orderByInput('AppointmentType', {
  INTERNAL_NAME: 'internalName',
  EXTERNAL_NAME: 'externalName',
  DURATION: 'durationMinutes',
  CREATED_AT: 'createdAt',
});

const AppointmentTypeWhere = builder.inputType('AppointmentTypeWhere', {
  fields: (t) => ({
    internalName: t.field({ type: StringFilter, required: false }),
    externalName: t.field({ type: StringFilter, required: false }),
    active: t.boolean({ required: false }),
    confirmationFlow: t.field({ type: ConfirmationFlow, required: false }),
  }),
});

function appointmentTypeWhere(
  context: Context,
  args: { accountIds?: readonly string[] | null; filter?: string | null; where?: typeof AppointmentTypeWhere.$inferInput | null },
) {
  const where = args.where;
  return withFilter(
    {
      accountId: { in: accountsInScope(context, args.accountIds) },
      AND: stringFilters({ internalName: where?.internalName, externalName: where?.externalName }),
      active: where?.active ?? undefined,
      confirmationFlow: where?.confirmationFlow ?? undefined,
    },
    args.filter,
    APPOINTMENT_TYPE_FILTERS,
  );
}

builder.queryFields((t) => ({
  appointmentTypes: t.prismaConnection({
    type: 'AppointmentType',
    cursor: 'id',
    nullable: true,
    authScopes: { read: true },
    args: {
      ...accountIdsArg,
      ...filterArgs(APPOINTMENT_TYPE_FILTERS),
      where: t.arg({ type: AppointmentTypeWhere, required: false }),
      ...appointmentTypeOrder.args,
    },
    resolve: (query, _root, args, context) =>
      context.db.appointmentType.findMany({
        ...query,
        where: appointmentTypeWhere(context, args),
        orderBy: appointmentTypeOrder.toPrisma(args.orderBy),
      }),
    totalCount: (_parent, args, context) => context.db.appointmentType.count({ where: appointmentTypeWhere(context, args) }),
  }, { name: 'AppointmentTypeConnection' }, { name: 'AppointmentTypeEdge' }),
}));

// ---- Mutations -----------------------------------------------------------------

const minutes = (max: number) => z.number().int('Must be whole minutes').min(0, 'Must not be negative').max(max);
const positiveMinutes = (max: number) => z.number().int('Must be whole minutes').min(1, 'Must be at least 1').max(max);

const settingsFields = (t: PothosSchemaTypes.InputFieldBuilder<any, 'InputObject'>, required: boolean) => ({
  description: t.string({ required: false, validate: z.string().max(5000) }),
  durationMinutes: t.int({ required, validate: positiveMinutes(24 * 60) }),
  bufferBeforeMinutes: t.int({ required: false, validate: minutes(24 * 60) }),
  bufferAfterMinutes: t.int({ required: false, validate: minutes(24 * 60) }),
  slotIntervalMinutes: t.int({ required: false, validate: positiveMinutes(24 * 60) }),
  minimumNoticeMinutes: t.int({ required: false, validate: minutes(365 * 24 * 60) }),
  bookingWindowDays: t.int({ required: false, validate: z.number().int().min(1).max(730) }),
  confirmationFlow: t.field({ type: ConfirmationFlow, required: false }),
  reservationTtlSeconds: t.int({ required: false, validate: z.number().int().min(1).max(86_400) }),
  active: t.boolean({ required: false }),
});

const CreateAppointmentTypeInput = builder.inputType('CreateAppointmentTypeInput', {
  fields: (t) => ({
    accountId: t.id({ required: false, description: 'Required when the token covers more than one account.' }),
    internalName: t.string({ validate: nonBlank }),
    externalName: t.string({ required: false, validate: nonBlank, description: 'Defaults to the internal name.' }),
    ...settingsFields(t, true),
  }),
});

const UpdateAppointmentTypeInput = builder.inputType('UpdateAppointmentTypeInput', {
  fields: (t) => ({
    internalName: t.string({ required: false, validate: nonBlank }),
    externalName: t.string({ required: false, validate: nonBlank }),
    ...settingsFields(t, false),
  }),
});

type Settings = {
  description?: string | null;
  durationMinutes?: number | null;
  bufferBeforeMinutes?: number | null;
  bufferAfterMinutes?: number | null;
  slotIntervalMinutes?: number | null;
  minimumNoticeMinutes?: number | null;
  bookingWindowDays?: number | null;
  confirmationFlow?: 'INSTANT' | 'CONFIRM_DECLINE' | null;
  reservationTtlSeconds?: number | null;
  active?: boolean | null;
};

/** Omitted or null settings keep their current (or default) value; a null description clears it. */
function settingsData(input: Settings) {
  return {
    description: input.description === undefined ? undefined : input.description,
    durationMinutes: input.durationMinutes ?? undefined,
    bufferBeforeMinutes: input.bufferBeforeMinutes ?? undefined,
    bufferAfterMinutes: input.bufferAfterMinutes ?? undefined,
    slotIntervalMinutes: input.slotIntervalMinutes ?? undefined,
    minimumNoticeMinutes: input.minimumNoticeMinutes ?? undefined,
    bookingWindowDays: input.bookingWindowDays ?? undefined,
    confirmationFlow: input.confirmationFlow ?? undefined,
    reservationTtlSeconds: input.reservationTtlSeconds ?? undefined,
    active: input.active ?? undefined,
  };
}

builder.mutationFields((t) => ({
  createAppointmentType: t.prismaField({
    type: 'AppointmentType',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { input: t.arg({ type: CreateAppointmentTypeInput }) },
    resolve: (query, _root, { input }, context) =>
      context.db.appointmentType.create({
        ...query,
        data: {
          accountId: targetAccount(context, input.accountId),
          internalName: input.internalName.trim(),
          externalName: (input.externalName ?? input.internalName).trim(),
          ...settingsData(input),
          durationMinutes: input.durationMinutes,
        },
      }),
  }),
  updateAppointmentType: t.prismaField({
    type: 'AppointmentType',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id(), input: t.arg({ type: UpdateAppointmentTypeInput }) },
    resolve: (query, _root, { id, input }, context) =>
      write(id, () =>
        context.db.appointmentType.update({
          ...query,
          where: { id: idOf('AppointmentType', id) },
          data: {
            internalName: input.internalName?.trim() ?? undefined,
            externalName: input.externalName?.trim() ?? undefined,
            ...settingsData(input),
          },
        }),
      ),
  }),
  deleteAppointmentType: t.field({
    type: 'ID',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => {
      await write(id, () => context.db.appointmentType.delete({ where: { id: idOf('AppointmentType', id) } }));
      return id;
    },
  }),
}));
