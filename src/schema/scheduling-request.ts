import { z } from 'zod';
import {
  changeRequestStatus,
  createSchedulingRequest,
  scheduleRequest,
  type AppointmentTypeSnapshot,
} from '../bookings/scheduling-requests.ts';
import {
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  ReservationUnavailableError,
  SlotUnavailableError,
} from '../bookings/errors.ts';
import { builder } from './builder.ts';
import { CustomerInput, reloadBooking } from './booking.ts';
import { accountIdsArg, accountsInScope, idsFilter, MUTATION_ERRORS, orderByInput, filterArgs, withFilter } from './common.ts';
import { SCHEDULING_REQUEST_FILTERS } from '../query/catalogs.ts';
import type { Context } from './context.ts';
import { ValidationError } from './errors.ts';
import { encodeId } from './global-id.ts';

export const SchedulingRequestStatus = builder.enumType('SchedulingRequestStatus', {
  values: {
    NEW: { description: 'Created, not yet sent to the customer.' },
    SENT: { description: 'Sent; waiting for the customer to pick a time.' },
    SCHEDULED: { description: 'A time was picked and booked.' },
    CANCELLED: { description: 'Withdrawn before a time was picked.' },
    CLOSED: { description: 'Finished with.' },
  } as const,
});

const AppointmentTypeSnapshotRef = builder.objectRef<AppointmentTypeSnapshot>('AppointmentTypeSnapshot').implement({
  description: 'The appointment type’s settings when the request was created; the booking uses these.',
  fields: (t) => ({
    internalName: t.exposeString('internalName'),
    externalName: t.exposeString('externalName'),
    durationMinutes: t.exposeInt('durationMinutes'),
    bufferBeforeMinutes: t.exposeInt('bufferBeforeMinutes'),
    bufferAfterMinutes: t.exposeInt('bufferAfterMinutes'),
    slotIntervalMinutes: t.exposeInt('slotIntervalMinutes'),
    minimumNoticeMinutes: t.exposeInt('minimumNoticeMinutes'),
    bookingWindowDays: t.exposeInt('bookingWindowDays'),
    confirmationFlow: t.exposeString('confirmationFlow'),
  }),
});

builder.prismaNode('SchedulingRequest', {
  id: { field: 'id' },
  nullable: true,
  description: 'TimeZest’s scheduling request: an agent asks a customer to pick a time with one of some resources.',
  fields: (t) => ({
    account: t.relation('account'),
    status: t.expose('status', { type: SchedulingRequestStatus }),
    appointmentType: t.relation('appointmentType'),
    appointmentTypeSnapshot: t.field({
      type: AppointmentTypeSnapshotRef,
      resolve: (request) => request.appointmentTypeSnapshot as unknown as AppointmentTypeSnapshot,
    }),
    requestedBy: t.relation('requestedByAgent', { description: 'The agent who sent the request.' }),
    customer: t.relation('customer'),
    resourceIds: t.idList({
      description: 'The agents and teams the customer may book with.',
      resolve: (request) => [...request.agentIds.map((id) => encodeId('Agent', id)), ...request.teamIds.map((id) => encodeId('Team', id))],
    }),
    bookings: t.relation('bookings', { query: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const requestOrder = orderByInput('SchedulingRequest', { CREATED_AT: 'createdAt', STATUS: 'status' });

const SchedulingRequestWhere = builder.inputType('SchedulingRequestWhere', {
  fields: (t) => ({
    statuses: t.field({ type: [SchedulingRequestStatus], required: false }),
    requestedByAgentIds: t.idList({ required: false }),
    appointmentTypeIds: t.idList({ required: false }),
  }),
});

function requestWhere(context: Context, args: { accountIds?: readonly string[] | null; filter?: string | null; where?: typeof SchedulingRequestWhere.$inferInput | null }) {
  const where = args.where;
  return withFilter(
    {
      accountId: { in: accountsInScope(context, args.accountIds) },
      status: where?.statuses ? { in: where.statuses } : undefined,
      requestedByAgentId: idsFilter('Agent', where?.requestedByAgentIds),
      appointmentTypeId: idsFilter('AppointmentType', where?.appointmentTypeIds),
    },
    args.filter,
    SCHEDULING_REQUEST_FILTERS,
  );
}

builder.queryFields((t) => ({
  schedulingRequests: t.prismaConnection(
    {
      type: 'SchedulingRequest',
      cursor: 'id',
      nullable: true,
      authScopes: { read: true },
      args: { ...accountIdsArg, ...filterArgs(SCHEDULING_REQUEST_FILTERS), where: t.arg({ type: SchedulingRequestWhere, required: false }), ...requestOrder.args },
      resolve: (query, _root, args, context) =>
        context.db.schedulingRequest.findMany({ ...query, where: requestWhere(context, args), orderBy: requestOrder.toPrisma(args.orderBy) }),
      totalCount: (_parent, args, context) => context.db.schedulingRequest.count({ where: requestWhere(context, args) }),
    },
    { name: 'SchedulingRequestConnection' },
    { name: 'SchedulingRequestEdge' },
  ),
}));

const CreateSchedulingRequestInput = builder.inputType('CreateSchedulingRequestInput', {
  fields: (t) => ({
    appointmentTypeId: t.id(),
    requestedByAgentId: t.id({ description: 'The agent sending the request.' }),
    resourceIds: t.idList({ description: 'Agents and teams the customer may book with.' }),
    customer: t.field({ type: CustomerInput, required: false }),
    customerId: t.id({ required: false }),
    idempotencyKey: t.string({ required: false, validate: z.string().min(1).max(255) }),
  }),
});

const ScheduleRequestInput = builder.inputType('ScheduleSchedulingRequestInput', {
  fields: (t) => ({
    startsAt: t.field({ type: 'DateTime' }),
    resourceId: t.id({ required: false, description: 'One of the request’s resources; defaults to the first.' }),
  }),
});

builder.mutationFields((t) => ({
  createSchedulingRequest: t.prismaField({
    type: 'SchedulingRequest',
    authScopes: { write: true },
    errors: { types: [...MUTATION_ERRORS.types, IdempotencyKeyReusedError] },
    args: { input: t.arg({ type: CreateSchedulingRequestInput }) },
    resolve: async (query, _root, { input }, context) => {
      if (input.customer && input.customerId) throw ValidationError.of(['input', 'customerId'], 'Give either customer or customerId');
      const request = await createSchedulingRequest(context.db, context.principal!, input);
      return context.db.schedulingRequest.findUniqueOrThrow({ ...query, where: { id: request.id } });
    },
  }),
  sendSchedulingRequest: t.prismaField({
    type: 'SchedulingRequest',
    authScopes: { write: true },
    errors: { types: [...MUTATION_ERRORS.types, InvalidTransitionError] },
    args: { id: t.arg.id() },
    resolve: async (query, _root, { id }, context) =>
      context.db.schedulingRequest.findUniqueOrThrow({ ...query, where: { id: (await changeRequestStatus(context.db, id, 'SEND')).id } }),
  }),
  cancelSchedulingRequest: t.prismaField({
    type: 'SchedulingRequest',
    authScopes: { write: true },
    errors: { types: [...MUTATION_ERRORS.types, InvalidTransitionError] },
    args: { id: t.arg.id() },
    resolve: async (query, _root, { id }, context) =>
      context.db.schedulingRequest.findUniqueOrThrow({ ...query, where: { id: (await changeRequestStatus(context.db, id, 'CANCEL')).id } }),
  }),
  closeSchedulingRequest: t.prismaField({
    type: 'SchedulingRequest',
    authScopes: { write: true },
    errors: { types: [...MUTATION_ERRORS.types, InvalidTransitionError] },
    args: { id: t.arg.id() },
    resolve: async (query, _root, { id }, context) =>
      context.db.schedulingRequest.findUniqueOrThrow({ ...query, where: { id: (await changeRequestStatus(context.db, id, 'CLOSE')).id } }),
  }),
  scheduleSchedulingRequest: t.prismaField({
    type: 'Booking',
    authScopes: { write: true },
    description: 'Books the time the customer picked, through the same path as createBooking; the request becomes SCHEDULED.',
    errors: { types: [...MUTATION_ERRORS.types, InvalidTransitionError, SlotUnavailableError, ReservationUnavailableError] },
    args: { id: t.arg.id(), input: t.arg({ type: ScheduleRequestInput }) },
    resolve: async (query, _root, { id, input }, context) =>
      reloadBooking(context, query, (await scheduleRequest(context.db, context.principal!, id, input)).booking),
  }),
}));

