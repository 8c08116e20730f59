import type { Principal } from '../auth/principal.ts';
import { transaction } from '../db/transaction-retry.ts';
import type { Db } from '../db/client.ts';
import type { AppointmentRules } from '../scheduling/availability.ts';
import { requestTransition, type SchedulingRequestAction } from '../scheduling/booking-lifecycle.ts';
import type { SchedulingRequest } from '../generated/prisma/client.ts';
import { NotFoundError, ValidationError } from '../schema/errors.ts';
import { decodeId, decodeIdOf, encodeId } from '../schema/global-id.ts';
import { createBooking } from './booking-service.ts';
import { customerFor, type CustomerInput } from './customers.ts';
import { InvalidTransitionError } from './errors.ts';
import { idempotencyScope, idempotently } from './idempotency.ts';
import { loadAppointmentType, rulesOf } from './schedules.ts';
import { appendEvent, schedulingRequestEvent } from '../events/outbox.ts';

export interface CreateSchedulingRequestInput {
  appointmentTypeId: string;
  requestedByAgentId: string;
  resourceIds: string[];
  customer?: CustomerInput | null;
  customerId?: string | null;
  idempotencyKey?: string | null;
}

/** What a request keeps of its appointment type: the booking rules and names as they were. */
export type AppointmentTypeSnapshot = AppointmentRules & { internalName: string; externalName: string; confirmationFlow: string };

/** Creates a NEW request, keeping the appointment type's settings as they are now. */
export async function createSchedulingRequest(db: Db, actor: Principal, input: CreateSchedulingRequestInput) {
  return idempotently(
    db,
    idempotencyScope(actor, 'createSchedulingRequest', input),
    (id) => db.schedulingRequest.findUniqueOrThrow({ where: { id } }),
    async (claim, remember) => {
      const requesterId = decodeIdOf('Agent', input.requestedByAgentId);
      const requester = requesterId
        ? await db.agent.findUnique({ where: { id: requesterId }, select: { id: true, accountId: true } })
        : null;
      if (!requester) throw new NotFoundError(input.requestedByAgentId);
      const accountId = requester.accountId;
      const type = await loadAppointmentType(db, input.appointmentTypeId, accountId);
      const { agentIds, teamIds } = await requestResources(db, accountId, input.resourceIds);
      const snapshot: AppointmentTypeSnapshot = {
        ...rulesOf(type),
        internalName: type.internalName,
        externalName: type.externalName,
        confirmationFlow: type.confirmationFlow,
      };
      return transaction(db, async (tx) => {
        await claim(tx);
        const request = await tx.schedulingRequest.create({
          data: {
            accountId,
            appointmentTypeId: type.id,
            requestedByAgentId: requester.id,
            customerId: await customerFor(tx, accountId, input),
            appointmentTypeSnapshot: { ...snapshot },
            agentIds,
            teamIds,
            apiClientId: actor.apiClientId,
          },
        });
        await appendEvent(tx, schedulingRequestEvent('scheduling_request.created', request, null));
        await remember(tx, request.id);
        return request;
      });
    },
  );
}

/** The agents and teams a request offers, all of the request's account. */
async function requestResources(db: Db, accountId: string, resourceIds: string[]) {
  if (resourceIds.length === 0) throw ValidationError.of(['input', 'resourceIds'], 'Name at least one agent or team');
  const agentIds: string[] = [];
  const teamIds: string[] = [];
  for (const [index, resourceId] of resourceIds.entries()) {
    const { typename, id } = decodeId(resourceId);
    if (typename !== 'Agent' && typename !== 'Team') {
      throw ValidationError.of(['input', 'resourceIds', String(index)], 'Must be the id of an Agent or a Team');
    }
    (typename === 'Agent' ? agentIds : teamIds).push(id);
  }
  const [agents, teams] = await Promise.all([
    db.agent.findMany({ where: { id: { in: agentIds }, accountId }, select: { id: true } }),
    db.team.findMany({ where: { id: { in: teamIds }, accountId }, select: { id: true } }),
  ]);
  const found = new Set([...agents, ...teams].map((row) => row.id));
  const missing = resourceIds.find((resourceId) => !found.has(decodeId(resourceId).id));
  if (missing) throw new NotFoundError(missing);
  return { agentIds: [...new Set(agentIds)], teamIds: [...new Set(teamIds)] };
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
export async function changeRequestStatus(db: Db, globalId: string, action: Exclude<SchedulingRequestAction, 'SCHEDULE'>): Promise<SchedulingRequest> {
  const { request, next } = await lockRequest(db, globalId, action);
  const changed = await transaction(db, async (tx) => {
    const [updated] = await tx.schedulingRequest.updateManyAndReturn({ where: { id: request.id, status: request.status }, data: { status: next } });
    if (updated) await appendEvent(tx, schedulingRequestEvent(REQUEST_EVENT_OF[action], updated, request.status));
    return updated;
  });
  return changed ?? changeRequestStatus(db, globalId, action);
}

const REQUEST_EVENT_OF = {
  SEND: 'scheduling_request.sent',
  CANCEL: 'scheduling_request.cancelled',
  CLOSE: 'scheduling_request.closed',
} as const;

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
  const snapshot = request.appointmentTypeSnapshot as unknown as AppointmentTypeSnapshot;
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
