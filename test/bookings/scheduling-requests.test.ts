import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';

let gateway: TestGateway;
let token: string;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
let foreign: Awaited<ReturnType<typeof createBookableAccount>>;
const monday = upcomingMonday();
const customer = { name: 'Doc Brown', email: 'emmett@hillvalley.example', timeZone: 'America/Los_Angeles' };

const SNAPSHOT_FIELDS = `internalName externalName durationMinutes bufferBeforeMinutes bufferAfterMinutes
  slotIntervalMinutes minimumNoticeMinutes bookingWindowDays confirmationFlow`;
const REQUEST_FIELDS = `id status resourceIds requestedBy { id } customer { email } appointmentType { id }
  appointmentTypeSnapshot { ${SNAPSHOT_FIELDS} } bookings { id }`;
const REQUEST_ERRORS = `... on InvalidTransitionError { id status action } ... on NotFoundError { id } ... on Error { message }`;

const CREATE_REQUEST = `mutation ($input: CreateSchedulingRequestInput!) { createSchedulingRequest(input: $input) {
  __typename ... on CreateSchedulingRequestSuccess { data { ${REQUEST_FIELDS} } } ... on NotFoundError { id } ... on Error { message } } }`;
const transitionMutation = (name: string, success: string) => `mutation ($id: ID!) { ${name}(id: $id) {
  __typename ... on ${success} { data { id status } } ${REQUEST_ERRORS} } }`;
const SEND = transitionMutation('sendSchedulingRequest', 'SendSchedulingRequestSuccess');
const CANCEL = transitionMutation('cancelSchedulingRequest', 'CancelSchedulingRequestSuccess');
const CLOSE = transitionMutation('closeSchedulingRequest', 'CloseSchedulingRequestSuccess');
const SCHEDULE = `mutation ($id: ID!, $input: ScheduleSchedulingRequestInput!) { scheduleSchedulingRequest(id: $id, input: $input) {
  __typename ... on ScheduleSchedulingRequestSuccess { data { id status startsAt endsAt agents { id } schedulingRequest { id status } } }
  ... on SlotUnavailableError { startsAt } ${REQUEST_ERRORS} } }`;
const STATUS = `query ($id: ID!) { node(id: $id) { ... on SchedulingRequest { status bookings { id } } } }`;

beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db);
  foreign = await createBookableAccount(gateway.db, { name: 'Foreign' });
  token = await gateway.tokenFor({ accounts: [setup.account.id] });
});

afterAll(() => gateway?.close());

async function call(query: string, variables: Record<string, unknown> = {}) {
  const result = await gateway.graphql(query, variables, token);
  expect(result.errors).toBeUndefined();
  return result.data;
}

/** An appointment type of its own, so that changing it affects no other test. */
async function createAppointmentType(durationMinutes = 30) {
  const data = await call(
    `mutation ($input: CreateAppointmentTypeInput!) { createAppointmentType(input: $input) {
      __typename ... on CreateAppointmentTypeSuccess { data { id ${SNAPSHOT_FIELDS} } } } }`,
    {
      input: {
        internalName: 'Onboarding (internal)',
        externalName: 'Onboarding',
        durationMinutes,
        bufferBeforeMinutes: 5,
        bufferAfterMinutes: 10,
        slotIntervalMinutes: 30,
        minimumNoticeMinutes: 60,
        bookingWindowDays: 730,
      },
    },
  );
  const { id, ...settings } = data.createAppointmentType.data;
  return { id: id as string, settings };
}

async function createRequest(input: Record<string, unknown>) {
  return (await call(CREATE_REQUEST, { input: { requestedByAgentId: setup.agentIds[0], customer, ...input } })).createSchedulingRequest;
}

async function sentRequest(appointmentTypeId: string, resourceIds: Array<string | undefined>, requestedByAgentId = setup.agentIds[0]) {
  const created = await createRequest({ appointmentTypeId, resourceIds, requestedByAgentId });
  const sent = await call(SEND, { id: created.data.id });
  expect(sent.sendSchedulingRequest.data.status).toBe('SENT');
  return created.data.id as string;
}

const minutesBetween = (booking: { startsAt: string; endsAt: string }) =>
  (new Date(booking.endsAt).getTime() - new Date(booking.startsAt).getTime()) / 60_000;

describe('createSchedulingRequest', () => {
  it('creates a NEW request for agents and teams that keeps the appointment type’s settings', async () => {
    const type = await createAppointmentType();
    const created = await createRequest({ appointmentTypeId: type.id, resourceIds: [setup.agentIds[1], setup.anyTeamId] });
    expect(created).toMatchObject({
      __typename: 'CreateSchedulingRequestSuccess',
      data: {
        status: 'NEW',
        resourceIds: [setup.agentIds[1], setup.anyTeamId],
        requestedBy: { id: setup.agentIds[0] },
        customer: { email: customer.email },
        appointmentType: { id: type.id },
        bookings: [],
      },
    });
    expect(created.data.appointmentTypeSnapshot).toEqual(type.settings);
  });

  it('does not see agents of another account', async () => {
    const requester = await createRequest({
      appointmentTypeId: setup.instantTypeId,
      requestedByAgentId: foreign.agentIds[0],
      resourceIds: [setup.agentIds[0]],
    });
    expect(requester).toMatchObject({ __typename: 'NotFoundError', id: foreign.agentIds[0] });
    const resource = await createRequest({ appointmentTypeId: setup.instantTypeId, resourceIds: [setup.agentIds[0], foreign.agentIds[1]] });
    expect(resource).toMatchObject({ __typename: 'NotFoundError', id: foreign.agentIds[1] });
    expect(await gateway.db.schedulingRequest.count({ where: { accountId: foreign.account.id } })).toBe(0);
  });
});

describe('a scheduling request’s life', () => {
  it('goes NEW → SENT → SCHEDULED → CLOSED, booking with the settings it was created with', async () => {
    const type = await createAppointmentType(30);
    const created = await createRequest({ appointmentTypeId: type.id, resourceIds: [setup.agentIds[2]] });
    const id = created.data.id;

    const updated = await call(
      `mutation ($id: ID!) { updateAppointmentType(id: $id, input: { durationMinutes: 45 }) {
        ... on UpdateAppointmentTypeSuccess { data { durationMinutes } } } }`,
      { id: type.id },
    );
    expect(updated.updateAppointmentType.data.durationMinutes).toBe(45);
    const after = await call(`query ($id: ID!) { node(id: $id) { ... on SchedulingRequest { appointmentTypeSnapshot { ${SNAPSHOT_FIELDS} } } } }`, { id });
    expect(after.node.appointmentTypeSnapshot).toEqual(type.settings);

    expect((await call(SEND, { id })).sendSchedulingRequest).toEqual({ __typename: 'SendSchedulingRequestSuccess', data: { id, status: 'SENT' } });

    // 16:30 fits the 30-minute snapshot before the 17:00 close, but not the type's new 45 minutes.
    const startsAt = at(monday, '16:30');
    const scheduled = (await call(SCHEDULE, { id, input: { startsAt } })).scheduleSchedulingRequest;
    expect(scheduled).toMatchObject({
      __typename: 'ScheduleSchedulingRequestSuccess',
      data: { status: 'CONFIRMED', agents: [{ id: setup.agentIds[2] }], schedulingRequest: { id, status: 'SCHEDULED' } },
    });
    expect(new Date(scheduled.data.startsAt).toISOString()).toBe(startsAt);
    expect(minutesBetween(scheduled.data)).toBe(30);
    expect((await call(STATUS, { id })).node).toEqual({ status: 'SCHEDULED', bookings: [{ id: scheduled.data.id }] });

    const again = (await call(SCHEDULE, { id, input: { startsAt: at(monday, '15:00') } })).scheduleSchedulingRequest;
    expect(again).toMatchObject({ __typename: 'InvalidTransitionError', id, status: 'SCHEDULED', action: 'SCHEDULE' });
    const cancel = (await call(CANCEL, { id })).cancelSchedulingRequest;
    expect(cancel).toMatchObject({ __typename: 'InvalidTransitionError', id, status: 'SCHEDULED', action: 'CANCEL' });
    expect((await call(STATUS, { id })).node).toEqual({ status: 'SCHEDULED', bookings: [{ id: scheduled.data.id }] });

    expect((await call(CLOSE, { id })).closeSchedulingRequest).toEqual({ __typename: 'CloseSchedulingRequestSuccess', data: { id, status: 'CLOSED' } });
  });

  it('books with a team among its resources when asked for it', async () => {
    const id = await sentRequest(setup.instantTypeId, [setup.agentIds[0], setup.collectiveTeamId]);
    const scheduled = (await call(SCHEDULE, { id, input: { startsAt: at(monday.plus({ days: 1 }), '11:00'), resourceId: setup.collectiveTeamId } }))
      .scheduleSchedulingRequest;
    expect(scheduled.__typename).toBe('ScheduleSchedulingRequestSuccess');
    expect(scheduled.data.agents.map((agent: { id: string }) => agent.id).sort()).toEqual([...setup.agentIds].sort());
    expect(scheduled.data.schedulingRequest).toEqual({ id, status: 'SCHEDULED' });
  });

  it('changes nothing when the picked time is taken: SlotUnavailableError, and the request stays SENT', async () => {
    const id = await sentRequest(setup.instantTypeId, [setup.agentIds[1]]);
    const startsAt = at(monday.plus({ days: 2 }), '10:00');
    const taken = await call(CREATE_BOOKING, {
      input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[1], startsAt, customer: { name: 'Biff', email: 'biff@hillvalley.example' } },
    });
    expect(taken.createBooking.__typename).toBe('CreateBookingSuccess');
    const bookings = await gateway.db.booking.count();

    const scheduled = (await call(SCHEDULE, { id, input: { startsAt } })).scheduleSchedulingRequest;
    expect(scheduled.__typename).toBe('SlotUnavailableError');
    expect(new Date(scheduled.startsAt).toISOString()).toBe(startsAt);
    expect((await call(STATUS, { id })).node).toEqual({ status: 'SENT', bookings: [] });
    expect(await gateway.db.booking.count()).toBe(bookings);
  });

  it('cannot be scheduled once cancelled', async () => {
    const id = await sentRequest(setup.instantTypeId, [setup.agentIds[0]]);
    expect((await call(CANCEL, { id })).cancelSchedulingRequest.data.status).toBe('CANCELLED');
    const scheduled = (await call(SCHEDULE, { id, input: { startsAt: at(monday.plus({ days: 3 }), '10:00') } })).scheduleSchedulingRequest;
    expect(scheduled).toMatchObject({ __typename: 'InvalidTransitionError', status: 'CANCELLED', action: 'SCHEDULE' });
    expect(await gateway.db.booking.count({ where: { schedulingRequestId: { not: null }, startsAt: new Date(at(monday.plus({ days: 3 }), '10:00')) } })).toBe(0);
  });

  it('refuses a resource that is not one of the request’s', async () => {
    const id = await sentRequest(setup.instantTypeId, [setup.agentIds[0]]);
    const scheduled = (await call(SCHEDULE, { id, input: { startsAt: at(monday.plus({ days: 3 }), '11:00'), resourceId: setup.agentIds[1] } }))
      .scheduleSchedulingRequest;
    expect(scheduled.__typename).toBe('ValidationError');
    expect((await call(STATUS, { id })).node.status).toBe('SENT');
  });
});

describe('schedulingRequests', () => {
  it('lists requests filtered by status and by the requesting agent', async () => {
    const type = await createAppointmentType();
    const byAgent2 = (await createRequest({ appointmentTypeId: type.id, requestedByAgentId: setup.agentIds[1], resourceIds: [setup.agentIds[0]] })).data.id;
    const byAgent3New = (await createRequest({ appointmentTypeId: type.id, requestedByAgentId: setup.agentIds[2], resourceIds: [setup.agentIds[0]] })).data.id;
    const byAgent3Sent = await sentRequest(type.id, [setup.agentIds[0]], setup.agentIds[2]);

    const LIST = `query ($where: SchedulingRequestWhere) {
      schedulingRequests(first: 50, where: $where, orderBy: [{ field: CREATED_AT }]) { totalCount nodes { id status requestedBy { id } } } }`;
    const list = async (where: Record<string, unknown>) => (await call(LIST, { where })).schedulingRequests;

    const byThree = await list({ requestedByAgentIds: [setup.agentIds[2]], appointmentTypeIds: [type.id] });
    expect(byThree.nodes.map((node: { id: string }) => node.id)).toEqual([byAgent3New, byAgent3Sent]);
    expect(byThree.totalCount).toBe(2);

    const sentByThree = await list({ requestedByAgentIds: [setup.agentIds[2]], statuses: ['SENT'], appointmentTypeIds: [type.id] });
    expect(sentByThree).toEqual({ totalCount: 1, nodes: [{ id: byAgent3Sent, status: 'SENT', requestedBy: { id: setup.agentIds[2] } }] });

    const newOnes = await list({ statuses: ['NEW'], appointmentTypeIds: [type.id] });
    expect(newOnes.nodes.map((node: { id: string }) => node.id)).toEqual([byAgent2, byAgent3New]);

    const everySent = await list({ statuses: ['SENT'] });
    expect(everySent.nodes.every((node: { status: string }) => node.status === 'SENT')).toBe(true);
    expect(everySent.nodes.map((node: { id: string }) => node.id)).toContain(byAgent3Sent);
  });
});
