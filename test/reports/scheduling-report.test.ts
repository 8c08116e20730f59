import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createAccount, encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let token: string;
let world: Awaited<ReturnType<typeof seedWorld>>;

type Status = 'TENTATIVE' | 'CONFIRMED' | 'DECLINED' | 'CANCELLED' | 'RESCHEDULED' | 'COMPLETED' | 'NO_SHOW';

/** Two accounts with a known set of bookings and scheduling requests, some near local midnight in summer time. */
async function seedWorld(db: Db) {
  const accounts = [await createAccount(db, 'Report North'), await createAccount(db, 'Report South')];
  const make = async (accountId: string, suffix: string) => {
    const [ann, ben] = await Promise.all(
      ['Ann', 'Ben'].map((name) =>
        db.agent.create({ data: { accountId, name: `${name} ${suffix}`, email: `${name.toLowerCase()}@${suffix}.example`, timeZone: 'Europe/London' } }),
      ),
    );
    const team = await db.team.create({ data: { accountId, internalName: `Desk ${suffix}`, externalName: 'Desk' } });
    const call = await db.appointmentType.create({ data: { accountId, internalName: `Call ${suffix}`, externalName: 'Call', durationMinutes: 30 } });
    const visit = await db.appointmentType.create({ data: { accountId, internalName: `Visit ${suffix}`, externalName: 'Visit', durationMinutes: 60 } });
    const customer = await db.customer.create({ data: { accountId, name: `Customer ${suffix}`, email: `c@${suffix}.example` } });
    return { accountId, ann: ann!, ben: ben!, team, call, visit, customer };
  };
  const north = await make(accounts[0]!.id, 'north');
  const south = await make(accounts[1]!.id, 'south');
  const book = async (side: typeof north, options: { agents: string[]; type: { id: string; durationMinutes: number }; startsAt: string; status: Status; createdAt: string; team?: boolean }) => {
    const startsAt = new Date(options.startsAt);
    await db.booking.create({
      data: {
        accountId: side.accountId,
        appointmentTypeId: options.type.id,
        agentId: options.team ? null : options.agents[0]!,
        teamId: options.team ? side.team.id : null,
        customerId: side.customer.id,
        status: options.status,
        startsAt,
        endsAt: new Date(startsAt.getTime() + options.type.durationMinutes * 60_000),
        createdAt: new Date(options.createdAt),
        agents: { createMany: { data: options.agents.map((agentId) => ({ accountId: side.accountId, agentId })) } },
      },
    });
  };
  // Monday 6 July 2026 00:30 in London is Sunday 5 July 23:30 UTC.
  await book(north, { agents: [north.ann.id], type: north.call, startsAt: '2026-07-05T23:30:00Z', status: 'CONFIRMED', createdAt: '2026-07-01T23:30:00Z' });
  await book(north, { agents: [north.ann.id], type: north.visit, startsAt: '2026-07-07T09:00:00Z', status: 'CANCELLED', createdAt: '2026-07-07T08:00:00Z' });
  await book(north, { agents: [north.ben.id], type: north.visit, startsAt: '2026-07-08T09:00:00Z', status: 'NO_SHOW', createdAt: '2026-07-06T09:00:00Z' });
  await book(north, { agents: [north.ann.id, north.ben.id], type: north.visit, startsAt: '2026-07-14T13:00:00Z', status: 'TENTATIVE', createdAt: '2026-07-13T13:00:00Z', team: true });
  await book(north, { agents: [north.ben.id], type: north.call, startsAt: '2026-07-15T13:00:00Z', status: 'RESCHEDULED', createdAt: '2026-07-13T13:00:00Z' });
  await book(south, { agents: [south.ann.id], type: south.call, startsAt: '2026-07-06T10:00:00Z', status: 'DECLINED', createdAt: '2026-07-06T09:00:00Z' });
  await book(south, { agents: [south.ben.id], type: south.call, startsAt: '2026-07-21T10:00:00Z', status: 'COMPLETED', createdAt: '2026-07-20T10:00:00Z' });
  // Outside the range.
  await book(south, { agents: [south.ben.id], type: south.call, startsAt: '2026-08-03T10:00:00Z', status: 'CONFIRMED', createdAt: '2026-07-20T10:00:00Z' });

  const request = async (side: typeof north, by: string, status: 'NEW' | 'SENT' | 'SCHEDULED' | 'CANCELLED', createdAt: string) =>
    db.schedulingRequest.create({
      data: {
        accountId: side.accountId,
        appointmentTypeId: side.call.id,
        requestedByAgentId: by,
        customerId: side.customer.id,
        status,
        appointmentTypeSnapshot: {},
        agentIds: [by],
        teamIds: [side.team.id],
        createdAt: new Date(createdAt),
      },
    });
  await request(north, north.ann.id, 'NEW', '2026-07-02T10:00:00Z');
  await request(north, north.ann.id, 'SCHEDULED', '2026-07-03T10:00:00Z');
  await request(north, north.ben.id, 'CANCELLED', '2026-07-09T10:00:00Z');
  await request(south, south.ann.id, 'SENT', '2026-07-10T10:00:00Z');
  return { accounts, north, south };
}

beforeAll(async () => {
  gateway = await startTestGateway();
  world = await seedWorld(gateway.db);
  token = await gateway.tokenFor({ accounts: world.accounts.map((account) => account.id), scopes: ['read'] });
});

afterAll(() => gateway?.close());

const ROW = `account { name } agent { name } team { internalName } appointmentType { internalName } customer { name } status period
  count scheduledMinutes confirmed cancelled declined noShows averageLeadTimeMinutes`;

async function report(input: Record<string, unknown>, accessToken = token) {
  const result = await gateway.graphql(
    `query ($input: SchedulingReportInput!) { schedulingReport(input: $input) { ${ROW} } }`,
    { input: { subject: 'BOOKINGS', from: '2026-07-01T00:00:00Z', to: '2026-08-01T00:00:00Z', ...input } },
    accessToken,
  );
  expect(result.errors).toBeUndefined();
  return result.data.schedulingReport as Array<Record<string, any>>;
}

describe('schedulingReport', () => {
  it('totals every booking of the range across accounts when not grouped, leaving out rescheduled ones', async () => {
    const [total] = await report({});
    expect(total).toMatchObject({ account: null, period: null, count: 6, confirmed: 2, cancelled: 1, declined: 1, noShows: 1 });
    // Minutes that hold time: call 30 + no-show visit 60 + tentative visit 60 + completed call 30.
    expect(total!.scheduledMinutes).toBe(180);
  });

  it('groups by account, ordering group objects by name in either direction', async () => {
    const rows = await report({ groupBy: ['ACCOUNT'], orderBy: [{ field: 'COUNT', direction: 'DESC' }] });
    expect(rows.map((row) => [row.account.name, row.count])).toEqual([
      ['Report North', 4],
      ['Report South', 2],
    ]);
    const byNameDescending = await report({ groupBy: ['ACCOUNT'], orderBy: [{ field: 'ACCOUNT', direction: 'DESC' }] });
    expect(byNameDescending.map((row) => row.account.name)).toEqual(['Report South', 'Report North']);
  });

  it('groups by agent, counting a booking once for each agent it holds', async () => {
    const rows = await report({ groupBy: ['AGENT'], accountIds: [encodeId('Account', world.north.accountId)] });
    expect(Object.fromEntries(rows.map((row) => [row.agent.name, row.count]))).toEqual({ 'Ann north': 3, 'Ben north': 2 });
  });

  it('groups by team, appointment type, status and customer', async () => {
    const byTeam = await report({ groupBy: ['TEAM'] });
    expect(byTeam.map((row) => [row.team?.internalName ?? null, row.count])).toEqual(expect.arrayContaining([['Desk north', 1], [null, 5]]));
    const byType = await report({ groupBy: ['APPOINTMENT_TYPE'], orderBy: [{ field: 'SCHEDULED_MINUTES', direction: 'DESC' }] });
    expect(byType[0]).toMatchObject({ appointmentType: { internalName: 'Visit north' }, count: 3, scheduledMinutes: 120 });
    const byStatus = await report({ groupBy: ['STATUS'] });
    expect(Object.fromEntries(byStatus.map((row) => [row.status, row.count]))).toEqual({
      CANCELLED: 1,
      COMPLETED: 1,
      CONFIRMED: 1,
      DECLINED: 1,
      NO_SHOW: 1,
      TENTATIVE: 1,
    });
    const byCustomer = await report({ groupBy: ['CUSTOMER'] });
    expect(Object.fromEntries(byCustomer.map((row) => [row.customer.name, row.count]))).toEqual({ 'Customer north': 4, 'Customer south': 2 });
  });

  it('cuts days, Monday weeks and months in the report’s time zone', async () => {
    const londonDays = await report({ groupBy: ['DAY'], timeZone: 'Europe/London', accountIds: [encodeId('Account', world.north.accountId)] });
    expect(londonDays[0]).toMatchObject({ period: '2026-07-06T00:00:00.000+01:00', count: 1 });
    const utcDays = await report({ groupBy: ['DAY'], accountIds: [encodeId('Account', world.north.accountId)] });
    expect(utcDays[0]).toMatchObject({ period: '2026-07-05T00:00:00.000Z', count: 1 });

    const londonWeeks = await report({ groupBy: ['WEEK'], timeZone: 'Europe/London' });
    expect(londonWeeks.map((row) => [row.period, row.count])).toEqual([
      ['2026-07-06T00:00:00.000+01:00', 4],
      ['2026-07-13T00:00:00.000+01:00', 1],
      ['2026-07-20T00:00:00.000+01:00', 1],
    ]);
    const utcWeeks = await report({ groupBy: ['WEEK'] });
    expect(utcWeeks[0]).toMatchObject({ period: '2026-06-29T00:00:00.000Z', count: 1 });

    const months = await report({ groupBy: ['MONTH'], timeZone: 'America/New_York' });
    expect(months).toEqual([expect.objectContaining({ period: '2026-07-01T00:00:00.000-04:00', count: 6 })]);
  });

  it('combines groupings, filters by the typed where and orders by a metric', async () => {
    const rows = await report({
      groupBy: ['ACCOUNT', 'STATUS'],
      where: { statuses: ['CONFIRMED', 'COMPLETED', 'NO_SHOW'], agentIds: [encodeId('Agent', world.north.ben.id), encodeId('Agent', world.south.ben.id)] },
      orderBy: [{ field: 'ACCOUNT' }, { field: 'STATUS' }],
    });
    expect(rows.map((row) => [row.account.name, row.status, row.count])).toEqual([
      ['Report North', 'NO_SHOW', 1],
      ['Report South', 'COMPLETED', 1],
    ]);
  });

  it('reports lead time as the average minutes from creation to start', async () => {
    const rows = await report({ groupBy: ['ACCOUNT'], where: { statuses: ['DECLINED'] } });
    expect(rows).toEqual([expect.objectContaining({ averageLeadTimeMinutes: 60 })]);
  });

  it('reports scheduling requests by requesting agent and by week', async () => {
    const byAgent = await report({ subject: 'SCHEDULING_REQUESTS', groupBy: ['AGENT'], orderBy: [{ field: 'COUNT', direction: 'DESC' }] });
    expect(byAgent[0]).toMatchObject({ agent: { name: 'Ann north' }, count: 2, confirmed: 1, cancelled: 0 });
    expect(byAgent.slice(1).map((row) => [row.agent.name, row.count, row.confirmed, row.cancelled]).sort()).toEqual([
      ['Ann south', 1, 0, 0],
      ['Ben north', 1, 0, 1],
    ]);
    const byWeek = await report({ subject: 'SCHEDULING_REQUESTS', groupBy: ['WEEK'], timeZone: 'Europe/London' });
    expect(byWeek.map((row) => row.count)).toEqual([2, 2]);
  });

  it('never covers an account outside the token, and rejects asking for one', async () => {
    const northOnly = await gateway.tokenFor({ accounts: [world.north.accountId], scopes: ['read'] });
    const [total] = await report({}, northOnly);
    expect(total!.count).toBe(4);
    const result = await gateway.graphql(
      `query ($input: SchedulingReportInput!) { schedulingReport(input: $input) { count } }`,
      { input: { subject: 'BOOKINGS', from: '2026-07-01T00:00:00Z', to: '2026-08-01T00:00:00Z', accountIds: [encodeId('Account', world.south.accountId)] } },
      northOnly,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('aggregates in one SQL statement, plus one batched lookup per kind of group object, whatever the number of rows', async () => {
    const statementsOf = async (work: () => Promise<unknown>) => {
      const before = gateway.statements.count;
      await work();
      return gateway.statements.count - before;
    };
    // Every authenticated request first checks its API client once.
    const authentication = await statementsOf(() => gateway.graphql('{ __typename }', {}, token));
    const groupBy = ['ACCOUNT', 'AGENT', 'DAY'];
    const oneDay = await statementsOf(() => report({ groupBy, from: '2026-07-07T00:00:00Z', to: '2026-07-08T00:00:00Z' }));
    const wholeMonth = await statementsOf(() => report({ groupBy }));
    expect((await report({ groupBy })).length).toBeGreaterThan((await report({ groupBy, from: '2026-07-07T00:00:00Z', to: '2026-07-08T00:00:00Z' })).length);
    expect(wholeMonth).toBe(oneDay);
    // The aggregate itself, then accounts and agents.
    expect(wholeMonth - authentication).toBe(3);

    const nested = (from: string) =>
      statementsOf(() =>
        gateway.graphql(
          `query ($input: SchedulingReportInput!) { schedulingReport(input: $input) { count agent { name teams { internalName } holidays { name } } } }`,
          { input: { subject: 'BOOKINGS', from, to: '2026-08-01T00:00:00Z', groupBy: ['AGENT', 'DAY'] } },
          token,
        ),
      );
    expect(await nested('2026-07-01T00:00:00Z')).toBe(await nested('2026-07-21T00:00:00Z'));
  });

  it('rejects two period groupings, an empty range and a range of more periods than a report may cut', async () => {
    const report = (input: Record<string, unknown>) =>
      gateway.graphql(
        `query ($input: SchedulingReportInput!) { schedulingReport(input: $input) { count } }`,
        { input: { subject: 'BOOKINGS', from: '2026-07-01T00:00:00Z', to: '2026-08-01T00:00:00Z', ...input } },
        token,
      );
    for (const input of [{ groupBy: ['DAY', 'WEEK'] }, { to: '2026-07-01T00:00:00Z' }]) {
      expect((await report(input)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    // 73,000 days: the cost of its periods refuses it before it runs (README, "Limits").
    const centuries = await report({ groupBy: ['DAY'], from: '1900-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' });
    expect(centuries.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'cost' });
  });
});
