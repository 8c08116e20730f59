import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/auth/api-clients.ts';
import { INPUT_LIMITS } from '../../src/schema/input-guard.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createBookableAccount } from '../support/booking-fixtures.ts';
import { encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
let token: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db, { name: 'Unstorable' });
  token = await gateway.tokenFor({ accounts: [setup.account.id], scopes: ['read', 'write', 'admin'] });
});

afterAll(() => gateway?.close());

const call = (query: string, variables: Record<string, unknown> = {}) => gateway.graphql(query, variables, token);

const ISSUES = `__typename ... on ValidationError { issues { path message } }`;
const CREATE_CUSTOMER = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ${ISSUES} } }`;
const BOOK = `mutation ($input: CreateBookingInput!) { createBooking(input: $input) { ${ISSUES} ... on Error { message } } }`;

const booking = (extra: Record<string, unknown>) => ({
  appointmentTypeId: setup.instantTypeId, resourceId: setup.agentIds[0], startsAt: '2030-01-07T10:00:00Z', customer: { name: 'Nul', email: 'nul@example.com' }, ...extra,
});

/** A query answered with one BAD_USER_INPUT error and no 500. */
async function expectBadUserInput(query: string, variables: Record<string, unknown> = {}, message?: RegExp) {
  const result = await call(query, variables);
  expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  if (message) expect(result.errors![0]!.message).toMatch(message);
}

describe('NUL characters', () => {
  it('are refused in a mutation argument as a ValidationError at its path, writing nothing', async () => {
    const customer = (await call(CREATE_CUSTOMER, { input: { name: 'A\u0000B', email: 'a@example.com' } })).data.createCustomer;
    expect(customer).toEqual({ __typename: 'ValidationError', issues: [{ path: ['input', 'name'], message: expect.stringMatching(/NUL/) }] });
    const booked = (await call(BOOK, { input: booking({ title: 'x\u0000', customer: { name: 'N\u0000l', email: 'nul@example.com' } }) })).data.createBooking;
    expect(booked.__typename).toBe('ValidationError');
    expect(booked.issues.map((issue: { path: string[] }) => issue.path)).toEqual([['input', 'customer', 'name'], ['input', 'title']]);
    expect(await gateway.db.customer.count()).toBe(0);
    expect(await gateway.db.booking.count()).toBe(0);
  });

  it('are refused in query arguments: filters, typed filters and search', async () => {
    await expectBadUserInput(`query ($filter: String) { agents(filter: $filter) { totalCount } }`, { filter: 'agent.name EQ "a\u0000"' }, /filter/);
    await expectBadUserInput(`query ($name: String) { agents(where: { name: { contains: $name } }) { totalCount } }`, { name: '\u0000' }, /where\.name\.contains/);
    await expectBadUserInput(`query ($search: String) { bookings(where: { search: $search }) { totalCount } }`, { search: '\u0000' });
    await expectBadUserInput(`query ($search: String) { customers(where: { search: $search }) { totalCount } }`, { search: '\u0000' });
  });

  it('are refused by POST /oauth/token as invalid_request, in form fields, JSON and HTTP Basic', async () => {
    const client = await createApiClient(gateway.db, { name: 'nul', scopes: ['read'], accounts: [setup.account.id] });
    const attempts: Array<{ headers: Record<string, string>; body: string }> = [
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: `${client.clientId}\u0000`, client_secret: client.clientSecret }).toString(),
      },
      {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'read\u0000' }),
      },
      {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.clientId}%00:${client.clientSecret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      },
    ];
    for (const attempt of attempts) {
      const response = await fetch(`${gateway.url}/oauth/token`, { method: 'POST', ...attempt });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(/NUL/) });
    }
  });
});

describe('DateTime', () => {
  it('books nothing in year 9999 or year 1, answering SlotUnavailableError rather than failing', async () => {
    for (const startsAt of ['9999-12-31T23:30:00Z', '0001-01-01T00:00:00Z', '9999-12-31T18:00:00-05:00', '0001-01-01T09:00:00+09:00']) {
      expect((await call(BOOK, { input: booking({ startsAt }) })).data.createBooking.__typename).toBe('SlotUnavailableError');
    }
  });

  it('refuses an instant outside 0001–9999 UTC, including one an offset carries past the edge, as BAD_USER_INPUT', async () => {
    for (const startsAt of ['9999-12-31T23:00:00-05:00', '0001-01-01T00:30:00+01:00', '0000-12-31T23:59:59Z', '+010000-01-01T00:00:00Z']) {
      await expectBadUserInput(BOOK, { input: booking({ startsAt }) }, /startsAt/);
    }
    await expectBadUserInput(`mutation { createHoliday(input: { name: "Far", startsAt: "9999-12-31T00:00:00Z", endsAt: "9999-12-31T23:59:59-01:00" }) { __typename } }`);
    expect(await gateway.db.booking.count()).toBe(0);
  });

  it('answers availability and reports at the edges of the range without error', async () => {
    const availability = `query ($input: AvailabilityInput!) { availability(input: $input) { startsAt } }`;
    for (const [from, to] of [['9999-12-30T00:00:00Z', '9999-12-31T23:59:59.999Z'], ['0001-01-01T00:00:00Z', '0001-01-03T00:00:00Z']]) {
      for (const timeZone of ['Pacific/Kiritimati', 'America/New_York']) {
        expect(await call(availability, { input: { appointmentTypeId: setup.instantTypeId, resourceId: setup.collectiveTeamId, from, to, timeZone } })).toEqual({ data: { availability: [] } });
      }
    }
    const report = `query ($from: DateTime!, $to: DateTime!, $timeZone: TimeZone) { schedulingReport(input: {
      subject: BOOKINGS, from: $from, to: $to, timeZone: $timeZone, groupBy: [WEEK] }) { period count } }`;
    expect(await call(report, { from: '0001-01-01T00:00:00Z', to: '0001-03-01T00:00:00Z', timeZone: 'America/New_York' })).toEqual({ data: { schedulingReport: [] } });
    expect(await call(report, { from: '9999-11-01T00:00:00Z', to: '9999-12-31T23:59:59.999Z', timeZone: 'Pacific/Kiritimati' })).toEqual({ data: { schedulingReport: [] } });
  });
});

describe('long lists and strings', () => {
  it(`refuses a list argument of more than ${INPUT_LIMITS.maxListLength} items, PostgreSQL binding at most 65,535 parameters`, async () => {
    const accountIds = Array.from({ length: 1_001 }, () => encodeId('Account', setup.account.id));
    await expectBadUserInput(`query ($accountIds: [ID!]) { agents(accountIds: $accountIds) { totalCount } }`, { accountIds }, /accountIds: At most 1000 items/);
    // 70,000 ids, as many as PostgreSQL could not bind, do not even fit the request body limit.
    const bound = await call(`query ($accountIds: [ID!]) { agents(accountIds: $accountIds) { totalCount } }`, { accountIds: Array.from({ length: 70_000 }, () => accountIds[0]) });
    expect(bound.errors?.map((error) => error.extensions?.code)).toEqual(['REQUEST_ENTITY_TOO_LARGE']);
    await expectBadUserInput(`query ($names: [String!]) { agents(where: { name: { in: $names } }) { totalCount } }`, { names: Array.from({ length: 1_001 }, (_, index) => `n${index}`) });
    const members = Array.from({ length: 1_001 }, () => ({ agentId: setup.agentIds[0] }));
    const team = (await call(`mutation ($members: [TeamMemberInput!]) { createTeam(input: { internalName: "Big", members: $members }) { ${ISSUES} } }`, { members })).data.createTeam;
    expect(team.issues[0].path).toEqual(['input', 'members']);
  });

  it('refuses a 1 MB slug and any string over the general maximum at its path', async () => {
    const huge = await call(`mutation ($slug: String) { createAccount(input: { name: "Huge", slug: $slug, timeZone: "UTC" }) { ${ISSUES} } }`, { slug: 'a'.repeat(1_000_000) });
    // A megabyte of variables is over their size limit (src/query-limits); under it, the slug is refused at its path.
    expect(huge.errors?.map((error) => [error.extensions?.code, error.extensions?.measure])).toEqual([['QUERY_TOO_COMPLEX', 'variablesBytes']]);
    const slug = 'a'.repeat(200_000);
    const account = (await call(`mutation ($slug: String) { createAccount(input: { name: "Huge", slug: $slug, timeZone: "UTC" }) { ${ISSUES} } }`, { slug })).data.createAccount;
    expect(account.issues.map((issue: { path: string[] }) => issue.path)).toEqual([['input', 'slug']]);
    expect((await call(`mutation { createAccount(input: { name: "Long", slug: "${'b'.repeat(101)}", timeZone: "UTC" }) { ${ISSUES} } }`)).data.createAccount.__typename).toBe('ValidationError');
    const tooLong = 'x'.repeat(INPUT_LIMITS.maxStringLength + 1);
    await expectBadUserInput(`query ($filter: String) { bookings(filter: $filter) { totalCount } }`, { filter: tooLong }, /At most 10000 characters/);
    await expectBadUserInput(`query ($name: String) { agents(where: { name: { equals: $name } }) { totalCount } }`, { name: slug });
    expect(await gateway.db.account.count({ where: { name: { in: ['Huge', 'Long'] } } })).toBe(0);
  });
});
