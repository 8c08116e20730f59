import type { Principal } from '../auth/principal.ts';
import type { Db } from '../db/client.ts';
import type { AppointmentRules } from '../scheduling/availability.ts';
import { requestTransition, type SchedulingRequestAction } from '../scheduling/booking-lifecycle.ts';
import { NotFoundError, ValidationError } from '../schema/errors.ts';
import { decodeId, decodeIdOf, encodeId } from '../schema/global-id.ts';
import { createBooking, type CustomerInput } from './booking-service.ts';
import { InvalidTransitionError } from './errors.ts';
import { claimKey, previousResult, storeResult } from './idempotency.ts';
import { loadAppointmentType, rulesOf } from './schedules.ts';

export interface CreateSchedulingRequestInput {
  appointmentTypeId: string;
  requestedByAgentId: string;
  resourceIds: string[];
  customer?: CustomerInput | null;
  customerId?: string | null;
  idempotencyKey?: string | null;
}

type Snapshot = AppointmentRules & { internalName: string; externalName: string; confirmationFlow: string };

/** Creates a NEW request, keeping the appointment type's settings as they are now. */
export async function createSchedulingRequest(db: Db, actor: Principal, input: CreateSchedulingRequestInput) {
  const scope = input.idempotencyKey
    ? { apiClientId: actor.apiClientId, operation: 'createSchedulingRequest', key: input.idempotencyKey, input }
    : undefined;
  if (scope) {
    const previous = await previousResult<{ id: string }>(db, scope);
    if (previous) return db.schedulingRequest.findUniqueOrThrow({ where: { id: previous.id } });
  }
  const requesterId = decodeIdOf('Agent', input.requestedByAgentId);
  const requester = requesterId ? await db.agent.findUnique({ where: { id: requesterId }, select: { id: true, accountId: true } }) : null;
  if (!requester) throw new NotFoundError(input.requestedByAgentId);
  const accountId = requester.accountId;
  const type = await loadAppointmentType(db, input.appointmentTypeId, accountId);
  if (input.resourceIds.length === 0) throw ValidationError.of(['input', 'resourceIds'], 'Name at least one agent or team');
  const agentIds: string[] = [];
  const teamIds: string[] = [];
  for (const [index, resourceId] of input.resourceIds.entries()) {
    const { typename, id } = decodeId(resourceId);
    const exists =
      typename === 'Agent'
        ? await db.agent.count({ where: { id, accountId } })
        : typename === 'Team'
          ? await db.team.count({ where: { id, accountId } })
          : -1;
    if (exists < 0) throw ValidationError.of(['input', 'resourceIds', String(index)], 'Must be the id of an Agent or a Team');
    if (exists === 0) throw new NotFoundError(resourceId);
    (typename === 'Agent' ? agentIds : teamIds).push(id);
  }
  const snapshot: Snapshot = {
    ...rulesOf(type),
    internalName: type.internalName,
    externalName: type.externalName,
    confirmationFlow: type.confirmationFlow,
  };
  return db.$transaction(async (tx) => {
    if (scope) {
      const claim = await claimKey<{ id: string }>(tx, scope);
      if (!claim.claimed) return tx.schedulingRequest.findUniqueOrThrow({ where: { id: claim.result.id } });
    }
    let customerId: string;
    if (input.customerId) {
      const id = decodeIdOf('Customer', input.customerId);
      const customer = id ? await tx.customer.findFirst({ where: { id, accountId }, select: { id: true } }) : null;
      if (!customer) throw new NotFoundError(input.customerId);
      customerId = customer.id;
    } else if (input.customer) {
      const email = input.customer.email.toLowerCase();
      const existing = await tx.customer.findFirst({ where: { accountId, email }, select: { id: true } });
      customerId =
        existing?.id ??
        (
          await tx.customer.create({
            data: { accountId, name: input.customer.name.trim(), email, phone: input.customer.phone ?? null, timeZone: input.customer.timeZone ?? null },
            select: { id: true },
          })
        ).id;
    } else {
      throw ValidationError.of(['input', 'customer'], 'Give a customer or a customerId');
    }
    const request = await tx.schedulingRequest.create({
      data: {
        accountId,
        appointmentTypeId: type.id,
        requestedByAgentId: requester.id,
        customerId,
        appointmentTypeSnapshot: { ...snapshot },
        agentIds,
        teamIds,
        apiClientId: actor.apiClientId,
      },
    });
    if (scope) await storeResult(tx, scope, { id: request.id });
    return request;
  });
}

async function lockRequest(db: Db, globalId: string, action: SchedulingRequestAction) {
  const id = decodeIdOf('SchedulingRequest', globalId);
  const request = id ? await db.schedulingRequest.findUnique({ where: { id } }) : null;
  if (!request) throw new NotFoundError(globalId);
  const next = requestTransition(request.status, action);
  if (!next) throw new InvalidTransitionError(globalId, request.status, action);
  return { request, next };
}

/** SEND, CANCEL or CLOSE: a compare-and-set on the status, so a concurrent change cannot be overwritten. */
export async function changeRequestStatus(db: Db, globalId: string, action: Exclude<SchedulingRequestAction, 'SCHEDULE'>) {
  const { request, next } = await lockRequest(db, globalId, action);
  const { count } = await db.schedulingRequest.updateMany({ where: { id: request.id, status: request.status }, data: { status: next } });
  if (count === 0) return changeRequestStatus(db, globalId, action);
  return db.schedulingRequest.findUniqueOrThrow({ where: { id: request.id } });
}

/**
 * The customer picked a time: the booking is made through the same path as
 * createBooking (with the settings the request was created with), and the
 * request becomes SCHEDULED.
 */
export async function scheduleRequest(db: Db, actor: Principal, globalId: string, input: { startsAt: Date; resourceId?: string | null }) {
  const { request } = await lockRequest(db, globalId, 'SCHEDULE');
  const resources = [...request.agentIds.map((id) => encodeId('Agent', id)), ...request.teamIds.map((id) => encodeId('Team', id))];
  const resourceId = input.resourceId ?? resources[0]!;
  if (!resources.includes(resourceId)) throw ValidationError.of(['input', 'resourceId'], 'Must be one of the request’s resources');
  const snapshot = request.appointmentTypeSnapshot as unknown as Snapshot;
  const booking = await createBooking(
    db,
    actor,
    {
      appointmentTypeId: encodeId('AppointmentType', request.appointmentTypeId),
      resourceId,
      startsAt: input.startsAt,
      customerId: encodeId('Customer', request.customerId),
    },
    { schedulingRequestId: request.id, rules: rulesOf(snapshot) },
  );
  return { request: await db.schedulingRequest.findUniqueOrThrow({ where: { id: request.id } }), booking };
}
