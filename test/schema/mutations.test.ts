import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createAccount, encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let token: string;
let accountId: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  const account = await createAccount(gateway.db, 'Fabrikam', 'America/New_York');
  accountId = encodeId('Account', account.id);
  token = await gateway.tokenFor({ accounts: [account.id] });
});

afterAll(() => gateway?.close());

const call = (query: string, variables: Record<string, unknown> = {}) => gateway.graphql(query, variables, token);

const RESULT = `__typename
  ... on ValidationError { issues { path message } }
  ... on NotFoundError { id }`;

describe('workdays', () => {
  it('creates a workday with weekly hours and overrides, then replaces its hours', async () => {
    const created = await call(
      `mutation ($input: CreateWorkdayInput!) { createWorkday(input: $input) { ${RESULT}
         ... on CreateWorkdaySuccess { data { id name timeZone hours { weekday startTime endTime } overrides { date startTime endTime } } } } }`,
      {
        input: {
          name: 'New York office',
          timeZone: 'America/New_York',
          hours: [
            { weekday: 1, startTime: '09:00', endTime: '12:00' },
            { weekday: 1, startTime: '13:00', endTime: '17:30' },
          ],
          overrides: [{ date: '2026-12-24', startTime: '09:00', endTime: '12:00' }, { date: '2026-12-25' }],
        },
      },
    );
    expect(created.errors).toBeUndefined();
    const workday = created.data.createWorkday.data;
    expect(workday.hours).toEqual([
      { weekday: 1, startTime: '09:00', endTime: '12:00' },
      { weekday: 1, startTime: '13:00', endTime: '17:30' },
    ]);
    expect(workday.overrides).toEqual([
      { date: '2026-12-24', startTime: '09:00', endTime: '12:00' },
      { date: '2026-12-25', startTime: null, endTime: null },
    ]);

    const updated = await call(
      `mutation ($id: ID!) { updateWorkday(id: $id, input: { hours: [{ weekday: 2, startTime: "08:00", endTime: "16:00" }] }) {
         ${RESULT} ... on UpdateWorkdaySuccess { data { hours { weekday startTime } overrides { date } } } } }`,
      { id: workday.id },
    );
    expect(updated.data.updateWorkday.data.hours).toEqual([{ weekday: 2, startTime: '08:00' }]);
    expect(updated.data.updateWorkday.data.overrides).toHaveLength(2);
  });

  it('rejects overlapping hours of one weekday with the path of the offending interval, writing nothing', async () => {
    const before = await gateway.db.workday.count();
    const result = await call(
      `mutation { createWorkday(input: { name: "Clash", timeZone: "Europe/Paris", hours: [
         { weekday: 3, startTime: "09:00", endTime: "13:00" },
         { weekday: 3, startTime: "12:00", endTime: "18:00" },
         { weekday: 4, startTime: "18:00", endTime: "09:00" }
       ] }) { ${RESULT} } }`,
    );
    expect(result.data.createWorkday.__typename).toBe('ValidationError');
    expect(result.data.createWorkday.issues).toEqual(
      expect.arrayContaining([
        { path: ['input', 'hours', '1', 'startTime'], message: expect.stringMatching(/overlaps/i) },
        { path: ['input', 'hours', '2', 'endTime'], message: expect.stringMatching(/after/i) },
      ]),
    );
    expect(await gateway.db.workday.count()).toBe(before);
  });
});

describe('agents', () => {
  it('creates, updates and deletes an agent', async () => {
    const created = await call(
      `mutation { createAgent(input: { name: "  Dana Scully ", email: "Dana@FBI.example", timeZone: "America/New_York", role: MANAGER }) {
         ${RESULT} ... on CreateAgentSuccess { data { id name email role schedulable timeZone account { id } } } } }`,
    );
    const agent = created.data.createAgent.data;
    expect(agent).toMatchObject({ name: 'Dana Scully', email: 'dana@fbi.example', role: 'MANAGER', schedulable: true, account: { id: accountId } });

    const updated = await call(
      `mutation ($id: ID!) { updateAgent(id: $id, input: { schedulable: false, timeZone: "Europe/Dublin" }) {
         ${RESULT} ... on UpdateAgentSuccess { data { schedulable timeZone name } } } }`,
      { id: agent.id },
    );
    expect(updated.data.updateAgent.data).toEqual({ schedulable: false, timeZone: 'Europe/Dublin', name: 'Dana Scully' });

    const deleted = await call(`mutation ($id: ID!) { deleteAgent(id: $id) { ${RESULT} ... on DeleteAgentSuccess { data } } }`, {
      id: agent.id,
    });
    expect(deleted.data.deleteAgent.data).toBe(agent.id);
    const again = await call(`mutation ($id: ID!) { deleteAgent(id: $id) { ${RESULT} } }`, { id: agent.id });
    expect(again.data.deleteAgent).toEqual({ __typename: 'NotFoundError', id: agent.id });
  });

  it('reports an invalid email and a taken email as validation errors on input.email', async () => {
    const bad = await call(`mutation { createAgent(input: { name: "A", email: "not-an-email", timeZone: "UTC" }) { ${RESULT} } }`);
    expect(bad.data.createAgent.__typename).toBe('ValidationError');
    expect(bad.data.createAgent.issues[0].path.at(-1)).toBe('email');

    await call(`mutation { createAgent(input: { name: "A", email: "taken@example.com", timeZone: "UTC" }) { __typename } }`);
    const taken = await call(`mutation { createAgent(input: { name: "B", email: "taken@example.com", timeZone: "UTC" }) { ${RESULT} } }`);
    expect(taken.data.createAgent).toEqual({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'email'], message: expect.stringMatching(/taken/i) }],
    });
  });
});

describe('teams', () => {
  it('creates a team with prioritised members and replaces them on update', async () => {
    const agents = [];
    for (const name of ['Ann', 'Ben', 'Cat']) {
      const result = await call(
        `mutation { createAgent(input: { name: "${name}", email: "${name.toLowerCase()}@team.example", timeZone: "UTC" }) {
           ... on CreateAgentSuccess { data { id } } } }`,
      );
      agents.push(result.data.createAgent.data.id);
    }
    const created = await call(
      `mutation ($members: [TeamMemberInput!]) { createTeam(input: { internalName: "Tier 2", externalName: "Support", schedulingMode: ROUND_ROBIN, members: $members }) {
         ${RESULT} ... on CreateTeamSuccess { data { id internalName externalName schedulingMode members { priority agent { name } } kind displayName } } } }`,
      { members: [{ agentId: agents[1], priority: 2 }, { agentId: agents[0], priority: 1 }] },
    );
    const team = created.data.createTeam.data;
    expect(team.members).toEqual([
      { priority: 1, agent: { name: 'Ann' } },
      { priority: 2, agent: { name: 'Ben' } },
    ]);
    expect(team).toMatchObject({ kind: 'TEAM', displayName: 'Tier 2', schedulingMode: 'ROUND_ROBIN' });

    const updated = await call(
      `mutation ($id: ID!, $members: [TeamMemberInput!]) { updateTeam(id: $id, input: { members: $members }) {
         ${RESULT} ... on UpdateTeamSuccess { data { agents { name } } } } }`,
      { id: team.id, members: [{ agentId: agents[2] }] },
    );
    expect(updated.data.updateTeam.data.agents).toEqual([{ name: 'Cat' }]);
  });

  it('rejects a member listed twice and writes nothing', async () => {
    const agent = await call(
      `mutation { createAgent(input: { name: "Dup", email: "dup@team.example", timeZone: "UTC" }) { ... on CreateAgentSuccess { data { id } } } }`,
    );
    const agentId = agent.data.createAgent.data.id;
    const before = await gateway.db.team.count();
    const result = await call(
      `mutation ($members: [TeamMemberInput!]) { createTeam(input: { internalName: "Dups", members: $members }) { ${RESULT} } }`,
      { members: [{ agentId }, { agentId }] },
    );
    expect(result.data.createTeam.issues).toEqual([{ path: ['input', 'members', '1', 'agentId'], message: expect.any(String) }]);
    expect(await gateway.db.team.count()).toBe(before);
  });
});

describe('appointment types, holidays and customers', () => {
  it('creates an appointment type with defaults and rejects a zero duration', async () => {
    const created = await call(
      `mutation { createAppointmentType(input: { internalName: "Remote session", durationMinutes: 45, bufferAfterMinutes: 15, confirmationFlow: CONFIRM_DECLINE }) {
         ${RESULT} ... on CreateAppointmentTypeSuccess { data { externalName durationMinutes bufferBeforeMinutes bufferAfterMinutes slotIntervalMinutes confirmationFlow reservationTtlSeconds active } } } }`,
    );
    expect(created.data.createAppointmentType.data).toEqual({
      externalName: 'Remote session',
      durationMinutes: 45,
      bufferBeforeMinutes: 0,
      bufferAfterMinutes: 15,
      slotIntervalMinutes: 15,
      confirmationFlow: 'CONFIRM_DECLINE',
      reservationTtlSeconds: 600,
      active: true,
    });
    const zero = await call(`mutation { createAppointmentType(input: { internalName: "Zero", durationMinutes: 0 }) { ${RESULT} } }`);
    expect(zero.data.createAppointmentType.__typename).toBe('ValidationError');
    expect(zero.data.createAppointmentType.issues[0].path.at(-1)).toBe('durationMinutes');
  });

  it('creates a holiday for an agent and rejects one that ends before it starts or names no owner', async () => {
    const agent = await call(
      `mutation { createAgent(input: { name: "Leave Taker", email: "leave@example.com", timeZone: "UTC" }) { ... on CreateAgentSuccess { data { id } } } }`,
    );
    const agentId = agent.data.createAgent.data.id;
    const created = await call(
      `mutation ($agentId: ID!) { createHoliday(input: { name: "Vacation", startsAt: "2026-08-03T00:00:00+01:00", endsAt: "2026-08-10T00:00:00+01:00", allDay: true, agentId: $agentId }) {
         ${RESULT} ... on CreateHolidaySuccess { data { startsAt endsAt agent { name } workday { name } } } } }`,
      { agentId },
    );
    expect(created.data.createHoliday.data).toEqual({
      startsAt: '2026-08-02T23:00:00.000Z',
      endsAt: '2026-08-09T23:00:00.000Z',
      agent: { name: 'Leave Taker' },
      workday: null,
    });
    const backwards = await call(
      `mutation ($agentId: ID!) { createHoliday(input: { name: "Oops", startsAt: "2026-08-10T00:00:00Z", endsAt: "2026-08-03T00:00:00Z", agentId: $agentId }) { ${RESULT} } }`,
      { agentId },
    );
    expect(backwards.data.createHoliday.issues).toEqual([{ path: ['input', 'endsAt'], message: expect.any(String) }]);
    const ownerless = await call(
      `mutation { createHoliday(input: { name: "Nobody", startsAt: "2026-08-03T00:00:00Z", endsAt: "2026-08-04T00:00:00Z" }) { ${RESULT} } }`,
    );
    expect(ownerless.data.createHoliday.__typename).toBe('ValidationError');
  });

  it('creates, searches and updates customers', async () => {
    await call(`mutation { createCustomer(input: { name: "Marty McFly", email: "marty@hillvalley.example", phone: "(916) 555-4385", timeZone: "America/Los_Angeles" }) { __typename } }`);
    const found = await call(`{ customers(where: { search: "mcfly" }) { totalCount nodes { id name phone timeZone } } }`);
    expect(found.data.customers.totalCount).toBe(1);
    const customer = found.data.customers.nodes[0];
    expect(customer).toMatchObject({ name: 'Marty McFly', phone: '(916) 555-4385', timeZone: 'America/Los_Angeles' });
    const updated = await call(
      `mutation ($id: ID!) { updateCustomer(id: $id, input: { phone: null }) { ... on UpdateCustomerSuccess { data { phone } } } }`,
      { id: customer.id },
    );
    expect(updated.data.updateCustomer.data.phone).toBeNull();
  });
});

describe('ordering and paging', () => {
  it('pages through agents sorted by two keys without gaps or repeats', async () => {
    const account = await createAccount(gateway.db, 'Paging');
    await gateway.db.agent.createMany({
      data: Array.from({ length: 11 }, (_, index) => ({
        accountId: account.id,
        name: `Same name ${index % 3}`,
        email: `p${String(index).padStart(2, '0')}@paging.example`,
        role: index % 2 ? ('AGENT' as const) : ('MANAGER' as const),
        timeZone: 'UTC',
      })),
    });
    const pagingToken = await gateway.tokenFor({ accounts: [account.id] });
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const result: any = await gateway.graphql(
        `query ($after: String) { agents(first: 4, after: $after, orderBy: [{ field: NAME, direction: DESC }, { field: ROLE }]) {
           pageInfo { hasNextPage endCursor } nodes { email name role } } }`,
        { after },
        pagingToken,
      );
      seen.push(...result.data.agents.nodes.map((agent: any) => `${agent.name}|${agent.role}|${agent.email}`));
      if (!result.data.agents.pageInfo.hasNextPage) break;
      after = result.data.agents.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(11);
    expect(new Set(seen).size).toBe(11);
    const names = seen.map((entry) => entry.split('|')[0]!);
    expect(names).toEqual([...names].sort().reverse());
  });
});
