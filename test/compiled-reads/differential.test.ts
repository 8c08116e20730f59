import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, listen, type Gateway, type RunningServer } from '../../src/server.ts';
import { encodeId } from '../../src/schema/global-id.ts';
import { createAccount, createStaffedAccount } from '../support/fixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

/**
 * The read compiler must answer exactly as the resolvers do: the same
 * operation is sent to the gateway (compiled reads on) and to a second
 * gateway on the same database with them off, and the response bodies must
 * be byte for byte the same.
 */

let compiled: TestGateway;
let resolvers: RunningServer;
let resolversGateway: Gateway;
let token: string;
let otherAccountToken: string;
let bookingIds: string[];
let agentIds: string[];

beforeAll(async () => {
  // Random selections nest three lists the cost weighs at 10 elements each, past the default budget: not what is compared here.
  compiled = await startTestGateway({ QUERY_MAX_COST: '1000000' });
  resolversGateway = await createGateway({ db: compiled.db, config: { ...compiled.config, compiledReads: false } });
  resolvers = await listen(resolversGateway, 0, '127.0.0.1');
  const db = compiled.db;
  const first = await createStaffedAccount(db, { agents: 7, teams: 3 });
  const second = await createStaffedAccount(db, { agents: 3, teams: 1 });
  const outsider = await createStaffedAccount(db, { agents: 2, teams: 1 });
  // Same names and instants, so ordering must fall back to the id; text that JSON must escape.
  await db.agent.update({ where: { id: first.agents[1]!.id }, data: { name: 'Agent 001' } });
  await db.agent.update({ where: { id: first.agents[2]!.id }, data: { name: 'Zoë "Zed" \\ O’Neil\n\ttab\u0001' } });
  await db.teamMembership.updateMany({ where: { agentId: first.agents[3]!.id }, data: { priority: null } });
  await db.teamMembership.create({ data: { accountId: first.account.id, teamId: first.teams[1]!.id, agentId: first.agents[0]!.id, priority: 2 } });
  bookingIds = [];
  for (const [index, { account, agents }] of [first, second, outsider].entries()) {
    const type = await db.appointmentType.create({
      data: { accountId: account.id, internalName: `Call ${index}`, externalName: 'Call', durationMinutes: 30, description: index === 0 ? null : 'A "call"' },
    });
    const customers = await Promise.all(
      ['Ann', 'Bob', 'émile'].map((name, customer) =>
        db.customer.create({ data: { accountId: account.id, name, email: `${name}@example.com`, phone: customer === 1 ? null : '+44 20 7946 0000', timeZone: customer === 2 ? null : 'Europe/Paris' } }),
      ),
    );
    for (let booking = 0; booking < 12; booking += 1) {
      const agent = agents[booking % agents.length]!;
      const startsAt = new Date(Date.UTC(2026, 5, 1 + Math.floor(booking / 3), 9, 0, 0, booking === 5 ? 123 : 0));
      const created = await db.booking.create({
        data: {
          accountId: account.id,
          appointmentTypeId: type.id,
          agentId: agent.id,
          customerId: customers[booking % customers.length]!.id,
          status: (['CONFIRMED', 'TENTATIVE', 'CANCELLED', 'COMPLETED'] as const)[booking % 4]!,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 30 * 60_000),
          title: booking % 3 === 0 ? null : `Ticket #${booking} “quoted”`,
          agents: { create: [{ accountId: account.id, agentId: agent.id }, ...(booking % 4 === 1 ? [{ accountId: account.id, agentId: agents[(booking + 1) % agents.length]!.id }] : [])] },
        },
      });
      bookingIds.push(created.id);
    }
  }
  const rescheduled = await db.booking.findFirstOrThrow({ where: { id: bookingIds[0]! } });
  await db.booking.update({ where: { id: bookingIds[1]! }, data: { rescheduledFromId: rescheduled.id } });
  agentIds = [...first.agents, ...second.agents].map((agent) => agent.id);
  token = await compiled.tokenFor({ accounts: [first.account.id, second.account.id] });
  const lonely = await createAccount(db);
  otherAccountToken = await compiled.tokenFor({ accounts: [lonely.id] });
  // The gateways read each token's client on first use; from then on compiled reads check it in their statement.
  for (const bearer of [token, otherAccountToken]) await bothWays('{ viewer { clientId } }', {}, bearer);
});

afterAll(async () => {
  await resolvers?.close();
  await resolversGateway?.events.close();
  await compiled?.close();
});

async function post(url: string, query: string, variables: Record<string, unknown>, bearer: string, accept = 'application/graphql-response+json, application/json') {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

/** Both answers, and how many statements the compiled gateway needed. */
async function bothWays(query: string, variables: Record<string, unknown> = {}, bearer = token) {
  const before = compiled.statements.count;
  const fast = await post(compiled.url, query, variables, bearer);
  const statements = compiled.statements.count - before;
  const slow = await post(resolvers.url, query, variables, bearer);
  return { fast, slow, statements };
}

const BOOKING_FIELDS = `id status startsAt endsAt title location description allowDoubleBooking createdAt updatedAt
  agents { id name email } customer { id name email phone timeZone } appointmentType { id internalName description durationMinutes confirmationFlow active }
  rescheduledFrom { id } rescheduledTo { id startsAt } account { id name slug timeZone }`;

const EXAMPLES: Array<[string, string, Record<string, unknown>?]> = [
  ['a bookings page with its relations', `query ($first: Int) { bookings(first: $first, orderBy: [{ field: STARTS_AT, direction: DESC }]) { nodes { ${BOOKING_FIELDS} } } }`, { first: 100 }],
  ['bookings ordered by customer name and title', `{ bookings(first: 30, orderBy: [{ field: CUSTOMER_NAME }, { field: TITLE, direction: DESC }]) { totalCount nodes { id title customer { name } } } }`],
  ['bookings ordered by appointment type, then status', `{ bookings(orderBy: [{ field: APPOINTMENT_TYPE_NAME, direction: DESC }, { field: STATUS }]) { nodes { id status } } }`],
  ['edges, cursors and page info', `{ agents(first: 3, orderBy: [{ field: NAME }]) { __typename totalCount edges { __typename cursor node { name } } pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor } } }`],
  ['an empty page', `{ customers(first: 0) { totalCount nodes { id } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`],
  ['a page of the maximum size', `{ bookings(first: 100) { nodes { id } pageInfo { hasNextPage endCursor } } }`],
  ['the default page size', `{ bookings { nodes { id } pageInfo { hasNextPage } } }`],
  ['agents with their teams and members', `{ agents(first: 50, orderBy: [{ field: NAME }]) { nodes { id name email timeZone role schedulable teams { id internalName members { priority agent { id name } } } } } }`],
  ['teams with agents, workday and holidays', `{ teams { nodes { id internalName externalName schedulingMode createdAt agents { name workday { name timeZone holidays { name } agents { name } } holidays { name startsAt endsAt allDay agent { name } } } } } }`],
  ['appointment types and customers side by side', `{ appointmentTypes { totalCount nodes { id internalName externalName description durationMinutes bufferBeforeMinutes bufferAfterMinutes slotIntervalMinutes minimumNoticeMinutes bookingWindowDays confirmationFlow reservationTtlSeconds active } } customers(orderBy: [{ field: NAME, direction: DESC }]) { nodes { id name email phone timeZone account { name } } } }`],
  ['aliases, fragments and typenames', `query Named { __typename first: bookings(first: 2) { nodes { ...B when: startsAt } } again: bookings(first: 2) { nodes { id } } } fragment B on Booking { __typename id agents { ... on Agent { n: name } ...on Node { id } } customer { ... { name } } }`],
  ['skip and include', `query ($yes: Boolean!, $no: Boolean!) { agents(first: 2) { nodes { id name @include(if: $yes) email @skip(if: $yes) teams @include(if: $no) { id } } } }`, { yes: true, no: false }],
  ['one account of the token', `query ($accounts: [ID!]) { agents(accountIds: $accounts) { totalCount nodes { name } } }`],
];

describe('compiled reads answer as the resolvers do', () => {
  for (const [title, query, variables] of EXAMPLES) {
    it(`for ${title}`, async () => {
      const vars = title === 'one account of the token' ? { accounts: [encodeId('Account', (await compiled.db.agent.findFirstOrThrow({ where: { id: agentIds[0]! } })).accountId)] } : (variables ?? {});
      const { fast, slow, statements } = await bothWays(query, vars);
      expect(fast.body).not.toContain('"errors"');
      expect(fast.body).toBe(slow.body);
      expect(fast.contentType).toBe(slow.contentType);
      // One statement, which also checks that the (already seen) API client is still active.
      expect(statements).toBe(1);
    });
  }

  it('for node by id, for every compiled type, including rows of other accounts (null)', async () => {
    const db = compiled.db;
    const ids = [
      ...bookingIds.map((id) => encodeId('Booking', id)),
      ...(await db.agent.findMany()).map((row) => encodeId('Agent', row.id)),
      ...(await db.team.findMany()).map((row) => encodeId('Team', row.id)),
      ...(await db.customer.findMany()).map((row) => encodeId('Customer', row.id)),
      ...(await db.appointmentType.findMany()).map((row) => encodeId('AppointmentType', row.id)),
      ...(await db.account.findMany()).map((row) => encodeId('Account', row.id)),
    ];
    const query = `query ($id: ID!) { node(id: $id) { __typename id ... on Booking { ${BOOKING_FIELDS} } ... on Agent { name teams { internalName } } ... on Team { internalName members { priority } } ... on Customer { name } ... on AppointmentType { internalName } ... on Account { name slug } } }`;
    let nulls = 0;
    for (const id of ids) {
      const { fast, slow, statements } = await bothWays(query, { id });
      expect(fast.body).toBe(slow.body);
      expect(statements).toBe(1);
      if (fast.body === '{"data":{"node":null}}') nulls += 1;
    }
    expect(nulls).toBeGreaterThan(0);
  });

  it('for a token of another account, which sees nothing', async () => {
    const { fast, slow } = await bothWays(`{ bookings { totalCount nodes { id } } node(id: "${encodeId('Booking', bookingIds[0]!)}") { id } }`, {}, otherAccountToken);
    expect(fast.body).toBe(slow.body);
    expect(JSON.parse(fast.body)).toEqual({ data: { bookings: { totalCount: 0, nodes: [] }, node: null } });
  });

  it('for the errors it leaves to the resolvers: bad ids, foreign accounts, bad arguments, missing scopes', async () => {
    const readless = await compiled.tokenFor({ accounts: 'all', scopes: ['write'] });
    const cases: Array<[string, Record<string, unknown>, string?]> = [
      ['{ node(id: "bm9wZQ") { id } }', {}],
      [`query ($accounts: [ID!]) { bookings(accountIds: $accounts) { nodes { id } } }`, { accounts: [encodeId('Account', '00000000-0000-4000-8000-000000000000')] }],
      ['{ bookings(first: -1) { nodes { id } } }', {}],
      ['{ bookings(orderBy: [{ field: TITLE }, { field: TITLE }, { field: TITLE }, { field: TITLE }, { field: TITLE }, { field: TITLE }]) { nodes { id } } }', {}],
      ['{ bookings { nodes { id } } }', {}, readless],
      ['query ($first: Int) { bookings(first: $first) { nodes { id } } }', { first: 'many' }],
    ];
    for (const [query, variables, bearer] of cases) {
      const { fast, slow } = await bothWays(query, variables, bearer);
      expect(fast.body).toContain('"errors"');
      expect(fast.body).toBe(slow.body);
    }
  });

  it('for any selection drawn from the compiled fields', async () => {
    const scalars: Record<string, string[]> = {
      Booking: ['id', 'status', 'startsAt', 'endsAt', 'title', 'location', 'allowDoubleBooking', 'createdAt'],
      Agent: ['id', 'name', 'email', 'role', 'schedulable', 'timeZone', 'updatedAt'],
      Team: ['id', 'internalName', 'externalName', 'schedulingMode'],
      TeamMember: ['priority', '__typename'],
      Customer: ['id', 'name', 'email', 'phone', 'timeZone'],
      AppointmentType: ['id', 'internalName', 'durationMinutes', 'confirmationFlow', 'active'],
      Account: ['id', 'name', 'slug', 'timeZone'],
    };
    const relations: Record<string, Array<[string, string]>> = {
      Booking: [['agents', 'Agent'], ['customer', 'Customer'], ['appointmentType', 'AppointmentType'], ['rescheduledFrom', 'Booking'], ['account', 'Account']],
      Agent: [['teams', 'Team'], ['account', 'Account']],
      Team: [['members', 'TeamMember'], ['agents', 'Agent']],
      TeamMember: [['agent', 'Agent']],
      Customer: [['account', 'Account']],
      AppointmentType: [['account', 'Account']],
      Account: [],
    };
    const selection = (type: string, depth: number): fc.Arbitrary<string> => {
      const scalarPicks = fc.subarray(scalars[type]!, { minLength: 1 });
      const relationPicks = depth >= 3 ? fc.constant([] as string[]) : fc.subarray(relations[type]!, { maxLength: Math.min(2, relations[type]!.length) }).chain((picked) => (picked.length ? fc.tuple(...picked.map(([field, target]) => selection(target, depth + 1).map((inner) => `${field} { ${inner} }`))) : fc.constant([] as string[])));
      return fc.tuple(scalarPicks, relationPicks, fc.boolean()).map(([fields, nested, aliased]) => [...fields.map((field, index) => (aliased && index === 0 ? `x${field}: ${field}` : field)), ...nested].join(' '));
    };
    const roots: Array<[string, string, string[]]> = [
      ['bookings', 'Booking', ['STARTS_AT', 'ENDS_AT', 'CREATED_AT', 'STATUS', 'TITLE', 'CUSTOMER_NAME', 'APPOINTMENT_TYPE_NAME']],
      ['agents', 'Agent', ['NAME', 'EMAIL', 'ROLE', 'TIME_ZONE', 'CREATED_AT']],
      ['teams', 'Team', ['INTERNAL_NAME', 'EXTERNAL_NAME', 'CREATED_AT']],
      ['customers', 'Customer', ['NAME', 'EMAIL', 'CREATED_AT']],
    ];
    const operation = fc.constantFrom(...roots).chain(([field, type, keys]) =>
      fc
        .tuple(selection(type, 0), fc.integer({ min: 0, max: 40 }), fc.array(fc.tuple(fc.constantFrom(...keys), fc.constantFrom('ASC', 'DESC')), { maxLength: 3 }))
        .map(([inner, first, order]) => `{ ${field}(first: ${first}, orderBy: [${order.map(([key, direction]) => `{ field: ${key}, direction: ${direction} }`).join(', ')}]) { totalCount nodes { ${inner} } pageInfo { hasNextPage endCursor } } }`),
    );
    await fc.assert(
      fc.asyncProperty(operation, async (query) => {
        const { fast, slow, statements } = await bothWays(query);
        expect(fast.body).not.toContain('"errors"');
        expect(fast.body).toBe(slow.body);
        expect(statements).toBe(1);
      }),
      { numRuns: 60 },
    );
  });

  it('leaves operations with fields computed in code to the resolvers, whole', async () => {
    const before = compiled.statements.count;
    const { fast, slow } = await bothWays('{ bookings(first: 5) { nodes { id resource { displayName } } } }');
    expect(fast.body).toBe(slow.body);
    expect(compiled.statements.count - before).toBeGreaterThan(2 + 2);
  });

  it('answers with the media type the client accepts', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      const query = '{ agents(first: 1) { nodes { name } } }';
      const [fast, slow] = await Promise.all([post(compiled.url, query, {}, token, accept), post(resolvers.url, query, {}, token, accept)]);
      expect(fast.contentType).toBe(slow.contentType);
      expect(fast.body).toBe(slow.body);
    }
  });
});
