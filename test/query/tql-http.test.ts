import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createAccount, encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let token: string;
let ids: Record<string, string> = {};

beforeAll(async () => {
  gateway = await startTestGateway();
  const db = gateway.db;
  const account = await createAccount(db, 'Filtering');
  const accountId = account.id;
  const workday = await db.workday.create({ data: { accountId, name: 'Office', timeZone: 'Europe/London' } });
  const people = [
    { name: 'John Smith', email: 'john@acme.example', role: 'ADMIN', schedulable: true },
    { name: 'Johanna Jones', email: 'jo@acme.example', role: 'AGENT', schedulable: true },
    { name: 'Mary Major', email: 'mary@other.example', role: 'MANAGER', schedulable: false },
  ] as const;
  const agents = [];
  for (const person of people) {
    agents.push(await db.agent.create({ data: { accountId, ...person, timeZone: 'Europe/London', workdayId: person.role === 'ADMIN' ? workday.id : null } }));
  }
  const team = await db.team.create({
    data: { accountId, internalName: 'Tier 1, London', externalName: 'Support', memberships: { create: [{ accountId, agentId: agents[0]!.id }] } },
  });
  const type = await db.appointmentType.create({ data: { accountId, internalName: 'Remote session', externalName: 'Remote', durationMinutes: 45 } });
  const customer = await db.customer.create({ data: { accountId, name: 'Marty McFly', email: 'marty@hillvalley.example', phone: null } });
  await db.customer.create({ data: { accountId, name: 'Emmett Brown', email: 'doc@hillvalley.example', phone: '555-1955' } });
  for (const [index, status] of (['CONFIRMED', 'CANCELLED', 'TENTATIVE'] as const).entries()) {
    const startsAt = new Date(Date.UTC(2026, 6, 6 + index, 9));
    await db.booking.create({
      data: {
        accountId,
        appointmentTypeId: type.id,
        agentId: agents[index]!.id,
        customerId: customer.id,
        status,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 45 * 60_000),
        title: index === 0 ? 'Printer on fire' : null,
        agents: { create: { accountId, agentId: agents[index]!.id } },
      },
    });
  }
  ids = { john: encodeId('Agent', agents[0]!.id), mary: encodeId('Agent', agents[2]!.id), team: encodeId('Team', team.id), account: encodeId('Account', accountId) };
  token = await gateway.tokenFor({ accounts: [accountId], scopes: ['read'] });
});

afterAll(() => gateway?.close());

async function agents(filter: string, where?: Record<string, unknown>) {
  const result = await gateway.graphql(
    `query ($filter: String, $where: AgentWhere) { agents(filter: $filter, where: $where, orderBy: [{ field: NAME }]) { nodes { name } } }`,
    { filter, where },
    token,
  );
  expect(result.errors).toBeUndefined();
  return result.data.agents.nodes.map((agent: { name: string }) => agent.name);
}

describe('TQL on lists', () => {
  it('supports every operator', async () => {
    expect(await agents('agent.name EQ "John Smith"')).toEqual(['John Smith']);
    expect(await agents('agent.name NOT_EQ "John Smith"')).toEqual(['Johanna Jones', 'Mary Major']);
    expect(await agents('agent.name LIKE john')).toEqual(['John Smith']);
    expect(await agents('agent.name LIKE jo*')).toEqual(['Johanna Jones', 'John Smith']);
    expect(await agents('agent.name NOT_LIKE jo*')).toEqual(['Mary Major']);
    expect(await agents('agent.role IN admin,manager')).toEqual(['John Smith', 'Mary Major']);
    expect(await agents('agent.role NOT_IN (ADMIN, MANAGER)')).toEqual(['Johanna Jones']);
    expect(await agents('agent.created_at GT 2000-01-01T00:00:00Z')).toHaveLength(3);
    expect(await agents('agent.created_at GTE 2999-01-01T00:00:00Z')).toEqual([]);
    expect(await agents('agent.created_at LT 2000-01-01T00:00:00Z')).toEqual([]);
    expect(await agents('agent.created_at LTE 2999-01-01T00:00:00Z')).toHaveLength(3);
  });

  it('accepts the URL form, plural objects, AND/OR/NOT with parentheses, and relation attributes', async () => {
    expect(await agents('agents.email~LIKE~acme~AND~agent.schedulable~EQ~true')).toEqual(['Johanna Jones', 'John Smith']);
    expect(await agents('agent.role EQ MANAGER OR (agent.name LIKE jo* AND NOT agent.name LIKE johanna)')).toEqual(['John Smith', 'Mary Major']);
    expect(await agents('team.name EQ "Tier 1, London"')).toEqual(['John Smith']);
    expect(await agents(`team.id EQ ${ids.team}`)).toEqual(['John Smith']);
    expect(await agents('workday.name EQ Office')).toEqual(['John Smith']);
  });

  it('combines with the typed where by AND', async () => {
    expect(await agents('agent.name LIKE jo*', { roles: ['AGENT'] })).toEqual(['Johanna Jones']);
  });

  it('filters every list', async () => {
    const result = await gateway.graphql(
      `{
        accounts(filter: "account.name LIKE filter") { totalCount }
        teams(filter: "agent.email LIKE john") { totalCount }
        appointmentTypes(filter: "appointment_type.duration_minutes GT 30") { totalCount }
        workdays(filter: "workday.time_zone EQ Europe/London") { totalCount }
        holidays(filter: "holiday.all_day EQ true") { totalCount }
        customers(filter: "customer.phone EQ null") { nodes { name } }
        bookings(filter: "booking.status IN CONFIRMED,TENTATIVE AND customer.name LIKE mcfly") { totalCount }
        cancelled: bookings(filter: "booking.title EQ null AND booking.starts_at GTE 2026-07-07T00:00:00Z", where: { statuses: [CANCELLED] }) { totalCount }
        schedulingRequests(filter: "scheduling_request.status EQ NEW") { totalCount }
        resources(filter: "resource.kind EQ TEAM OR resource.name LIKE mary") { nodes { displayName } }
      }`,
      {},
      token,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      accounts: { totalCount: 1 },
      teams: { totalCount: 1 },
      appointmentTypes: { totalCount: 1 },
      workdays: { totalCount: 1 },
      holidays: { totalCount: 0 },
      customers: { nodes: [{ name: 'Marty McFly' }] },
      bookings: { totalCount: 2 },
      cancelled: { totalCount: 1 },
      schedulingRequests: { totalCount: 0 },
      resources: { nodes: [{ displayName: 'Mary Major' }, { displayName: 'Tier 1, London' }] },
    });
  });

  it('filters a report the same way', async () => {
    const result = await gateway.graphql(
      `query ($filter: String) { schedulingReport(input: { subject: BOOKINGS, from: "2026-07-01T00:00:00Z", to: "2026-08-01T00:00:00Z", groupBy: [STATUS], filter: $filter }) { status count } }`,
      { filter: 'agent.name LIKE jo* AND NOT booking.status EQ CANCELLED' },
      token,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.schedulingReport).toEqual([{ status: 'CONFIRMED', count: 1 }]);
  });
});

describe('a bad filter', () => {
  const attempt = async (filter: string) => {
    const result = await gateway.graphql(`query ($filter: String) { agents(filter: $filter) { totalCount } }`, { filter }, token);
    expect(result.data?.agents ?? null).toBeNull();
    return result.errors![0]!;
  };

  it('names the unknown attribute, its position and the likely one', async () => {
    const error = await attempt('agent.nmae LIKE john');
    expect(error.message).toBe('Invalid filter: unknown attribute "agent.nmae" at 1, did you mean "agent.name"?');
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', tql: { position: 1, suggestion: 'agent.name' } });
  });

  it('says what was expected where the syntax breaks', async () => {
    const error = await attempt('agent.name == john');
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', tql: { position: 12 } });
    expect(error.message).toMatch(/expected an operator/i);
  });

  it('rejects an operator the attribute does not support, and a value of the wrong type', async () => {
    expect((await attempt('agent.created_at LIKE 2026')).message).toMatch(/LIKE is not supported for agent\.created_at/);
    expect((await attempt('agent.created_at GT tomorrow')).message).toMatch(/expected a date-time/);
  });
});
