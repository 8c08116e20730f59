import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { createAccount, encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
let token: string;
let accountId: string;
/** Accounts made before the all-accounts token, which lists the accounts that exist when it is issued. */
let spareAccounts: { renamed: string; deleted: string };
const monday = upcomingMonday();
let slots = 0;
/** A start of Agent 1 two hours from any other, so bookings of every type and buffer fit: new for every call. */
function nextSlot(): string {
  const slot = slots++;
  const day = Math.floor(slot / 4);
  return at(monday.plus({ days: (day % 5) + 7 * Math.floor(day / 5) }), `${9 + 2 * (slot % 4)}:00`);
}

beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db, { name: 'Selections' });
  accountId = encodeId('Account', setup.account.id);
  spareAccounts = { renamed: (await createAccount(gateway.db, 'Before rename')).id, deleted: (await createAccount(gateway.db, 'Doomed Co')).id };
  token = await gateway.tokenFor({ accounts: 'all', scopes: ['read', 'write', 'admin'] });
});

afterAll(() => gateway?.close());

async function call(query: string, variables: Record<string, unknown> = {}) {
  const result = await gateway.graphql(query, variables, token);
  expect(result.errors).toBeUndefined();
  return result.data;
}

async function bookedId(typeId = setup.instantTypeId): Promise<string> {
  const input = { appointmentTypeId: typeId, resourceId: setup.agentIds[0], startsAt: nextSlot(), customer: { name: 'Ann', email: 'ann@example.com' } };
  const created = (await call(CREATE_BOOKING, { input })).createBooking;
  expect(created.__typename).toBe('CreateBookingSuccess');
  return created.data.id;
}

const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

interface Case {
  /** The argument list, e.g. `(input: $input)`, and its variable definitions. */
  args: string;
  variables: string;
  values: Record<string, unknown>;
  /** How many times the write is visible in the database: 0 before the call, 1 after. */
  written: () => Promise<number>;
}

const events = (bookingId: string, type: 'CONFIRMED' | 'DECLINED' | 'CANCELLED' | 'COMPLETED' | 'NO_SHOW' | 'RESCHEDULED') => () =>
  gateway.db.bookingEvent.count({ where: { bookingId: uuidOf(bookingId), type } });

async function schedulingRequestId(): Promise<string> {
  const created = await call(
    `mutation ($input: CreateSchedulingRequestInput!) { createSchedulingRequest(input: $input) { ... on CreateSchedulingRequestSuccess { data { id } } } }`,
    { input: { appointmentTypeId: setup.instantTypeId, requestedByAgentId: setup.agentIds[1], resourceIds: [setup.agentIds[0]], customer: { name: 'Bo', email: 'bo@example.com' } } },
  );
  return created.createSchedulingRequest.data.id;
}

const requestsIn = (id: string, status: 'SENT' | 'CANCELLED' | 'CLOSED' | 'SCHEDULED') => () =>
  gateway.db.schedulingRequest.count({ where: { id: uuidOf(id), status } });

async function apiClientId(): Promise<string> {
  const created = await call(
    `mutation { createApiClient(input: { name: "managed", scopes: ["read"], allAccounts: true }) { ... on CreateApiClientSuccess { data { apiClient { id } } } } }`,
  );
  return created.createApiClient.data.apiClient.id;
}

/** A valid call of each mutation. A mutation missing here fails the test, so a new one gets a case. */
const CASES: Record<string, () => Promise<Case>> = {
  createAccount: async () => ({
    args: '(input: $input)', variables: '($input: CreateAccountInput!)', values: { input: { name: 'Typename Co', timeZone: 'UTC' } },
    written: () => gateway.db.account.count({ where: { name: 'Typename Co' } }),
  }),
  updateAccount: async () => ({
    args: '(id: $id, input: { name: "Renamed Co" })', variables: '($id: ID!)', values: { id: encodeId('Account', spareAccounts.renamed) },
    written: () => gateway.db.account.count({ where: { name: 'Renamed Co' } }),
  }),
  deleteAccount: async () => ({
    args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('Account', spareAccounts.deleted) },
    written: async () => 1 - (await gateway.db.account.count({ where: { id: spareAccounts.deleted } })),
  }),
  createAgent: async () => ({
    args: '(input: $input)', variables: '($input: CreateAgentInput!)',
    values: { input: { accountId, name: 'Typename Agent', email: 'typename.agent@example.com', timeZone: 'Europe/London' } },
    written: () => gateway.db.agent.count({ where: { name: 'Typename Agent' } }),
  }),
  updateAgent: async () => ({
    args: '(id: $id, input: { name: "Renamed Agent" })', variables: '($id: ID!)', values: { id: setup.agentIds[2] },
    written: () => gateway.db.agent.count({ where: { name: 'Renamed Agent' } }),
  }),
  deleteAgent: async () => {
    const agent = await gateway.db.agent.create({ data: { accountId: setup.account.id, name: 'Doomed', email: 'doomed@example.com', timeZone: 'UTC' } });
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('Agent', agent.id) }, written: async () => 1 - (await gateway.db.agent.count({ where: { id: agent.id } })) };
  },
  createTeam: async () => ({
    args: '(input: $input)', variables: '($input: CreateTeamInput!)', values: { input: { accountId, internalName: 'Typename Team' } },
    written: () => gateway.db.team.count({ where: { internalName: 'Typename Team' } }),
  }),
  updateTeam: async () => ({
    args: '(id: $id, input: { internalName: "Renamed Team" })', variables: '($id: ID!)', values: { id: setup.anyTeamId },
    written: () => gateway.db.team.count({ where: { internalName: 'Renamed Team' } }),
  }),
  deleteTeam: async () => {
    const team = await gateway.db.team.create({ data: { accountId: setup.account.id, internalName: 'Doomed', externalName: 'Doomed' } });
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('Team', team.id) }, written: async () => 1 - (await gateway.db.team.count({ where: { id: team.id } })) };
  },
  createAppointmentType: async () => ({
    args: '(input: $input)', variables: '($input: CreateAppointmentTypeInput!)', values: { input: { accountId, internalName: 'Typename Type', durationMinutes: 20 } },
    written: () => gateway.db.appointmentType.count({ where: { internalName: 'Typename Type' } }),
  }),
  updateAppointmentType: async () => {
    const type = await gateway.db.appointmentType.create({ data: { accountId: setup.account.id, internalName: 'Before', externalName: 'Before', durationMinutes: 30 } });
    return { args: '(id: $id, input: { internalName: "Renamed Type" })', variables: '($id: ID!)', values: { id: encodeId('AppointmentType', type.id) }, written: () => gateway.db.appointmentType.count({ where: { internalName: 'Renamed Type' } }) };
  },
  deleteAppointmentType: async () => {
    const type = await gateway.db.appointmentType.create({ data: { accountId: setup.account.id, internalName: 'Doomed', externalName: 'Doomed', durationMinutes: 30 } });
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('AppointmentType', type.id) }, written: async () => 1 - (await gateway.db.appointmentType.count({ where: { id: type.id } })) };
  },
  createWorkday: async () => ({
    args: '(input: $input)', variables: '($input: CreateWorkdayInput!)', values: { input: { accountId, name: 'Typename Hours', timeZone: 'UTC' } },
    written: () => gateway.db.workday.count({ where: { name: 'Typename Hours' } }),
  }),
  updateWorkday: async () => ({
    args: '(id: $id, input: { name: "Renamed Hours" })', variables: '($id: ID!)', values: { id: encodeId('Workday', setup.workday.id) },
    written: () => gateway.db.workday.count({ where: { name: 'Renamed Hours' } }),
  }),
  deleteWorkday: async () => {
    const workday = await gateway.db.workday.create({ data: { accountId: setup.account.id, name: 'Doomed', timeZone: 'UTC' } });
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('Workday', workday.id) }, written: async () => 1 - (await gateway.db.workday.count({ where: { id: workday.id } })) };
  },
  createHoliday: async () => ({
    args: '(input: $input)', variables: '($input: CreateHolidayInput!)',
    values: { input: { accountId, agentId: setup.agentIds[2], name: 'Typename Day', startsAt: '2031-01-01T00:00:00Z', endsAt: '2031-01-02T00:00:00Z' } },
    written: () => gateway.db.holiday.count({ where: { name: 'Typename Day' } }),
  }),
  updateHoliday: async () => {
    const holiday = await gateway.db.holiday.create({ data: { accountId: setup.account.id, agentId: setup.agents[2]!.id, name: 'Before', startsAt: new Date('2031-02-01T00:00:00Z'), endsAt: new Date('2031-02-02T00:00:00Z') } });
    return { args: '(id: $id, input: { name: "Renamed Day" })', variables: '($id: ID!)', values: { id: encodeId('Holiday', holiday.id) }, written: () => gateway.db.holiday.count({ where: { name: 'Renamed Day' } }) };
  },
  deleteHoliday: async () => {
    const holiday = await gateway.db.holiday.create({ data: { accountId: setup.account.id, agentId: setup.agents[2]!.id, name: 'Doomed', startsAt: new Date('2031-03-01T00:00:00Z'), endsAt: new Date('2031-03-02T00:00:00Z') } });
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('Holiday', holiday.id) }, written: async () => 1 - (await gateway.db.holiday.count({ where: { id: holiday.id } })) };
  },
  createCustomer: async () => ({
    args: '(input: $input)', variables: '($input: CreateCustomerInput!)', values: { input: { accountId, name: 'Typename Customer', email: 'typename@example.com' } },
    written: () => gateway.db.customer.count({ where: { name: 'Typename Customer' } }),
  }),
  updateCustomer: async () => {
    const customer = await gateway.db.customer.create({ data: { accountId: setup.account.id, name: 'Before', email: 'before@example.com' } });
    return { args: '(id: $id, input: { name: "Renamed Customer" })', variables: '($id: ID!)', values: { id: encodeId('Customer', customer.id) }, written: () => gateway.db.customer.count({ where: { name: 'Renamed Customer' } }) };
  },
  deleteCustomer: async () => {
    const customer = await gateway.db.customer.create({ data: { accountId: setup.account.id, name: 'Doomed', email: 'doomed@example.com' } });
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('Customer', customer.id) }, written: async () => 1 - (await gateway.db.customer.count({ where: { id: customer.id } })) };
  },
  createBooking: async () => ({
    args: '(input: $input)', variables: '($input: CreateBookingInput!)',
    values: { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: nextSlot(), title: 'Typename booking', customer: { name: 'Ann', email: 'ann@example.com' } } },
    written: () => gateway.db.booking.count({ where: { title: 'Typename booking' } }),
  }),
  rescheduleBooking: async () => {
    const id = await bookedId();
    return { args: '(id: $id, startsAt: $startsAt)', variables: '($id: ID!, $startsAt: DateTime!)', values: { id, startsAt: nextSlot() }, written: () => gateway.db.booking.count({ where: { rescheduledFromId: uuidOf(id) } }) };
  },
  reserveSlot: async () => {
    const startsAt = nextSlot();
    return {
      args: '(input: $input)', variables: '($input: ReserveSlotInput!)', values: { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt } },
      written: () => gateway.db.reservation.count({ where: { startsAt: new Date(startsAt) } }),
    };
  },
  releaseReservation: async () => {
    const reserved = await call(
      `mutation ($input: ReserveSlotInput!) { reserveSlot(input: $input) { ... on ReserveSlotSuccess { data { id } } } }`,
      { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: nextSlot() } },
    );
    const id: string = reserved.reserveSlot.data.id;
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id }, written: () => gateway.db.reservation.count({ where: { id: uuidOf(id), status: 'RELEASED' } }) };
  },
  confirmBooking: async () => {
    const id = await bookedId(setup.confirmTypeId);
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id }, written: events(id, 'CONFIRMED') };
  },
  declineBooking: async () => {
    const id = await bookedId(setup.confirmTypeId);
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id }, written: events(id, 'DECLINED') };
  },
  cancelBooking: async () => {
    const id = await bookedId();
    return { args: '(id: $id, reason: "ill")', variables: '($id: ID!)', values: { id }, written: events(id, 'CANCELLED') };
  },
  completeBooking: async () => {
    const id = await bookedId();
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id }, written: events(id, 'COMPLETED') };
  },
  markNoShow: async () => {
    const id = await bookedId();
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id }, written: events(id, 'NO_SHOW') };
  },
  createSchedulingRequest: async () => ({
    args: '(input: $input)', variables: '($input: CreateSchedulingRequestInput!)',
    values: { input: { appointmentTypeId: setup.instantTypeId, requestedByAgentId: setup.agentIds[1], resourceIds: [setup.agentIds[0]], customer: { name: 'Cy', email: 'cy@example.com' } } },
    written: () => gateway.db.schedulingRequest.count({ where: { customer: { email: 'cy@example.com' } } }),
  }),
  sendSchedulingRequest: async () => {
    const id = await schedulingRequestId();
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id }, written: requestsIn(id, 'SENT') };
  },
  cancelSchedulingRequest: async () => {
    const id = await schedulingRequestId();
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id }, written: requestsIn(id, 'CANCELLED') };
  },
  closeSchedulingRequest: async () => {
    const id = await schedulingRequestId();
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id }, written: requestsIn(id, 'CLOSED') };
  },
  scheduleSchedulingRequest: async () => {
    const id = await schedulingRequestId();
    return {
      args: '(id: $id, input: { startsAt: $startsAt })', variables: '($id: ID!, $startsAt: DateTime!)', values: { id, startsAt: nextSlot() },
      written: () => gateway.db.booking.count({ where: { schedulingRequestId: uuidOf(id) } }),
    };
  },
  createApiClient: async () => ({
    args: '(input: { name: "typename client", scopes: ["read"], accountIds: [$accountId] })', variables: '($accountId: ID!)', values: { accountId },
    written: () => gateway.db.apiClient.count({ where: { name: 'typename client' } }),
  }),
  rotateApiClientSecret: async () => {
    const id = await apiClientId();
    const before = await gateway.db.apiClient.findUniqueOrThrow({ where: { id: uuidOf(id) } });
    return {
      args: '(id: $id)', variables: '($id: ID!)', values: { id },
      written: () => gateway.db.apiClient.count({ where: { id: before.id, secretHash: { not: before.secretHash } } }),
    };
  },
  revokeApiClient: async () => {
    const id = await apiClientId();
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id }, written: () => gateway.db.apiClient.count({ where: { id: uuidOf(id), revokedAt: { not: null } } }) };
  },
  createCalendarFeed: async () => ({
    args: '(input: { agentId: $agentId, name: "Typename feed" })', variables: '($agentId: ID!)', values: { agentId: setup.agentIds[1] },
    written: () => gateway.db.calendarFeed.count({ where: { name: 'Typename feed' } }),
  }),
  revokeCalendarFeed: async () => {
    const feed = await gateway.db.calendarFeed.create({ data: { accountId: setup.account.id, agentId: setup.agents[1]!.id, name: 'Doomed', secretHash: 'not a hash of anything' } });
    return {
      args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('CalendarFeed', feed.id) },
      written: () => gateway.db.calendarFeed.count({ where: { id: feed.id, revokedAt: { not: null } } }),
    };
  },
  // Disabled endpoints on a documentation address: nothing is ever sent to them.
  createWebhookEndpoint: async () => ({
    args: '(input: $input)', variables: '($input: CreateWebhookEndpointInput!)',
    values: { input: { accountId, url: 'https://198.51.100.7/typename', enabled: false } },
    written: () => gateway.db.webhookEndpoint.count({ where: { url: 'https://198.51.100.7/typename' } }),
  }),
  updateWebhookEndpoint: async () => {
    const endpoint = await webhookEndpoint();
    return {
      args: '(id: $id, input: $input)', variables: '($id: ID!, $input: UpdateWebhookEndpointInput!)',
      values: { id: encodeId('WebhookEndpoint', endpoint.id), input: { description: 'Renamed by typename' } },
      written: () => gateway.db.webhookEndpoint.count({ where: { id: endpoint.id, description: 'Renamed by typename' } }),
    };
  },
  deleteWebhookEndpoint: async () => {
    const endpoint = await webhookEndpoint();
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('WebhookEndpoint', endpoint.id) }, written: async () => 1 - (await gateway.db.webhookEndpoint.count({ where: { id: endpoint.id } })) };
  },
  rotateWebhookSecret: async () => {
    const endpoint = await webhookEndpoint();
    return {
      args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('WebhookEndpoint', endpoint.id) },
      written: () => gateway.db.webhookEndpoint.count({ where: { id: endpoint.id, secret: { not: endpoint.secret } } }),
    };
  },
  redeliverWebhook: async () => {
    const endpoint = await webhookEndpoint();
    const event = await gateway.db.outboxEvent.create({ data: { accountId: setup.account.id, type: 'booking.created', payload: {} } });
    const delivery = await gateway.db.webhookDelivery.create({
      data: { accountId: setup.account.id, endpointId: endpoint.id, eventId: event.id, eventSeq: event.seq, status: 'DELIVERED', deliveredAt: new Date() },
    });
    return { args: '(id: $id)', variables: '($id: ID!)', values: { id: encodeId('WebhookDelivery', delivery.id) }, written: () => gateway.db.webhookDelivery.count({ where: { id: delivery.id, status: 'PENDING' } }) };
  },
};

function webhookEndpoint() {
  return gateway.db.webhookEndpoint.create({ data: { accountId: setup.account.id, url: 'https://198.51.100.7/hooks', enabled: false, secret: 'whsec_dHlwZW5hbWU=' } });
}

const MUTATIONS = Object.keys(schema.getMutationType()!.getFields());
const resultName = (mutation: string) => `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Success`;

describe('every mutation, whatever its selection', () => {
  it('has a valid call here for every mutation of the schema', () => {
    expect(MUTATIONS.filter((mutation) => !CASES[mutation])).toEqual([]);
  });

  for (const mutation of MUTATIONS) {
    it(`${mutation} selected only for __typename answers its success type and writes once`, async () => {
      const call = await CASES[mutation]!();
      expect(await call.written()).toBe(0);
      const result = await gateway.graphql(`mutation ${call.variables} { ${mutation}${call.args} { __typename } }`, call.values, token);
      expect(result).toEqual({ data: { [mutation]: { __typename: resultName(mutation) } } });
      expect(await call.written()).toBe(1);
    });
  }

  it('a booking selected only for a fragment on an error type answers an empty object and books once', async () => {
    const input = { appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: nextSlot(), title: 'Fragment only', customer: { name: 'Ann', email: 'ann@example.com' } };
    const result = await gateway.graphql(
      `mutation ($input: CreateBookingInput!) { createBooking(input: $input) { ... on SlotUnavailableError { message } ... on ValidationError { issues { path } } } }`,
      { input },
      token,
    );
    expect(result).toEqual({ data: { createBooking: {} } });
    expect(await gateway.db.booking.count({ where: { title: 'Fragment only' } })).toBe(1);
  });
});

/** The lists of the schema, enumerated so that a new one is covered too. */
const LISTS = Object.entries(schema.getQueryType()!.getFields())
  .filter(([, field]) => /Connection!?$/.test(String(field.type)))
  .map(([name]) => name);

describe('queries selecting only __typename of Prisma-backed objects', () => {
  for (const compiledReads of ['true', 'false']) {
    it(`answer on ${compiledReads === 'true' ? 'the compiled path' : 'the resolvers'}`, async () => {
      const own = await startTestGateway({ COMPILED_READS: compiledReads });
      try {
        const fixture = await createBookableAccount(own.db, { name: 'Typenames' });
        const ownToken = await own.tokenFor({ accounts: [fixture.account.id], scopes: ['read', 'write', 'admin'] });
        const agentId = fixture.agentIds[0]!;
        expect(LISTS.length).toBeGreaterThan(10);
        for (const list of LISTS) {
          const result = await own.graphql(`{ ${list}(first: 2) { __typename nodes { __typename } edges { node { __typename } } } }`, {}, ownToken);
          expect({ list, errors: result.errors }).toEqual({ list, errors: undefined });
        }
        const nodes = await own.graphql(
          `{ node(id: "${agentId}") { __typename ... on Agent { workday { __typename } teams { __typename } } } nodes(ids: ["${agentId}"]) { __typename } }`,
          {},
          ownToken,
        );
        expect(nodes).toEqual({
          data: { node: { __typename: 'Agent', workday: { __typename: 'Workday' }, teams: [{ __typename: 'Team' }, { __typename: 'Team' }, { __typename: 'Team' }] }, nodes: [{ __typename: 'Agent' }] },
        });
      } finally {
        await own.close();
      }
    });
  }
});

