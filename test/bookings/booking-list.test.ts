import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createAccount, encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let token: string;
let ids: Record<string, string>;

beforeAll(async () => {
  gateway = await startTestGateway();
  const db = gateway.db;
  const account = await createAccount(db, 'Listing');
  const accountId = account.id;
  const [ann, ben] = await Promise.all(
    ['Ann', 'Ben'].map((name) => db.agent.create({ data: { accountId, name, email: `${name}@list.example`, timeZone: 'UTC' } })),
  );
  const team = await db.team.create({ data: { accountId, internalName: 'Helpdesk', externalName: 'Helpdesk' } });
  const call = await db.appointmentType.create({ data: { accountId, internalName: 'Call', externalName: 'Call', durationMinutes: 30 } });
  const visit = await db.appointmentType.create({ data: { accountId, internalName: 'Visit', externalName: 'Visit', durationMinutes: 60 } });
  const [marty, doc] = await Promise.all(
    [['Marty McFly', 'marty@example.com'], ['Emmett Brown', 'doc@example.com']].map(([name, email]) =>
      db.customer.create({ data: { accountId, name: name!, email: email! } }),
    ),
  );
  const rows = [
    { key: 'b1', agent: ann!, type: call, customer: marty!, status: 'CONFIRMED', startsAt: '2026-12-01T09:00:00Z', title: 'Printer on fire' },
    { key: 'b2', agent: ann!, type: visit, customer: doc!, status: 'CANCELLED', startsAt: '2026-12-01T10:00:00Z', title: 'Flux capacitor' },
    { key: 'b3', agent: ben!, type: call, customer: marty!, status: 'TENTATIVE', startsAt: '2026-12-02T09:00:00Z', title: null, team: true },
    { key: 'b4', agent: ben!, type: visit, customer: doc!, status: 'DECLINED', startsAt: '2026-12-03T09:00:00Z', title: 'Clock tower' },
    { key: 'b5', agent: ann!, type: call, customer: doc!, status: 'CONFIRMED', startsAt: '2026-12-04T09:00:00Z', title: 'Hoverboard', description: 'Needs a printer' },
  ] as const;
  ids = { ann: encodeId('Agent', ann!.id), ben: encodeId('Agent', ben!.id), team: encodeId('Team', team.id), visit: encodeId('AppointmentType', visit.id), doc: encodeId('Customer', doc!.id) };
  for (const row of rows) {
    const startsAt = new Date(row.startsAt);
    const booking = await db.booking.create({
      data: {
        accountId,
        appointmentTypeId: row.type.id,
        agentId: 'team' in row ? null : row.agent.id,
        teamId: 'team' in row ? team.id : null,
        customerId: row.customer.id,
        status: row.status,
        startsAt,
        endsAt: new Date(startsAt.getTime() + row.type.durationMinutes * 60_000),
        title: row.title,
        description: 'description' in row ? row.description : null,
        agents: { create: { accountId, agentId: row.agent.id } },
      },
    });
    ids[row.key] = encodeId('Booking', booking.id);
  }
  token = await gateway.tokenFor({ accounts: [accountId], scopes: ['read'] });
});

afterAll(() => gateway?.close());

async function list(variables: Record<string, unknown>) {
  const result = await gateway.graphql(
    `query ($where: BookingWhere, $orderBy: [BookingOrderBy!], $first: Int, $after: String) {
       bookings(where: $where, orderBy: $orderBy, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`,
    variables,
    token,
  );
  expect(result.errors).toBeUndefined();
  return result.data.bookings as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Array<{ id: string }> };
}

const keysOf = (connection: { nodes: Array<{ id: string }> }) =>
  connection.nodes.map((node) => Object.entries(ids).find(([, id]) => id === node.id)![0]);

describe('bookings list filters (HaloPSA)', () => {
  it('takes a date range, inclusive by default or exclusive on request', async () => {
    const range = { startsAfter: '2026-12-01T10:00:00Z', startsBefore: '2026-12-03T09:00:00Z' };
    expect(keysOf(await list({ where: range, orderBy: [{ field: 'STARTS_AT' }] }))).toEqual(['b2', 'b3', 'b4']);
    expect(keysOf(await list({ where: { ...range, inclusive: false }, orderBy: [{ field: 'STARTS_AT' }] }))).toEqual(['b3']);
  });

  it('filters by agents, teams, appointment types, statuses and customer', async () => {
    expect(keysOf(await list({ where: { agentIds: [ids.ben] }, orderBy: [{ field: 'STARTS_AT' }] }))).toEqual(['b3', 'b4']);
    expect(keysOf(await list({ where: { teamIds: [ids.team] } }))).toEqual(['b3']);
    expect(keysOf(await list({ where: { appointmentTypeIds: [ids.visit] }, orderBy: [{ field: 'STARTS_AT' }] }))).toEqual(['b2', 'b4']);
    expect(keysOf(await list({ where: { statuses: ['CONFIRMED'] }, orderBy: [{ field: 'STARTS_AT' }] }))).toEqual(['b1', 'b5']);
    expect(keysOf(await list({ where: { customerIds: [ids.doc], agentIds: [ids.ann] }, orderBy: [{ field: 'STARTS_AT' }] }))).toEqual(['b2', 'b5']);
  });

  it('searches title, description and customer name, ignoring case', async () => {
    expect(keysOf(await list({ where: { search: 'PRINTER' }, orderBy: [{ field: 'STARTS_AT' }] }))).toEqual(['b1', 'b5']);
    expect(keysOf(await list({ where: { search: 'mcfly' }, orderBy: [{ field: 'STARTS_AT' }] }))).toEqual(['b1', 'b3']);
  });

  it('leaves out cancelled and declined bookings when asked', async () => {
    const result = await list({ where: { includeCancelled: false }, orderBy: [{ field: 'STARTS_AT' }] });
    expect(keysOf(result)).toEqual(['b1', 'b3', 'b5']);
    expect(result.totalCount).toBe(3);
  });

  it('orders by up to five keys, including through relations, stably across pages', async () => {
    const orderBy = [
      { field: 'CUSTOMER_NAME' },
      { field: 'APPOINTMENT_TYPE_NAME', direction: 'DESC' },
      { field: 'STATUS' },
      { field: 'TITLE', direction: 'DESC' },
      { field: 'STARTS_AT', direction: 'DESC' },
    ];
    const all = keysOf(await list({ orderBy, first: 10 }));
    // Emmett Brown's visits (b2, b4) before his call (b5), then Marty's calls, latest first.
    expect(all).toEqual(['b4', 'b2', 'b5', 'b3', 'b1']);
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page = await list({ orderBy, first: 2, after });
      paged.push(...keysOf(page));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(paged).toEqual(all);
  });

  it('pages through a nullable sort key (TITLE) without skipping or repeating rows', async () => {
    // An account of its own: three untitled bookings tie on NULL, two titled ones do not.
    const db = gateway.db;
    const { id: accountId } = await createAccount(db, 'Untitled');
    const agent = await db.agent.create({ data: { accountId, name: 'Una', email: 'una@untitled.example', timeZone: 'UTC' } });
    const type = await db.appointmentType.create({ data: { accountId, internalName: 'Call', externalName: 'Call', durationMinutes: 30 } });
    const customer = await db.customer.create({ data: { accountId, name: 'Ursula', email: 'ursula@untitled.example' } });
    const titles = [null, 'Alpha', null, 'Beta', null];
    const created: string[] = [];
    for (const [index, title] of titles.entries()) {
      const startsAt = new Date(Date.UTC(2026, 11, 7, 9 + index));
      const booking = await db.booking.create({
        data: { accountId, appointmentTypeId: type.id, agentId: agent.id, customerId: customer.id, status: 'CONFIRMED', startsAt, endsAt: new Date(startsAt.getTime() + 1_800_000), title, agents: { create: { accountId, agentId: agent.id } } },
      });
      created.push(encodeId('Booking', booking.id));
    }
    const own = await gateway.tokenFor({ accounts: [accountId], scopes: ['read'] });
    const page = async (variables: Record<string, unknown>) => {
      const result = await gateway.graphql(
        `query ($orderBy: [BookingOrderBy!], $first: Int, $after: String) {
           bookings(orderBy: $orderBy, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }`,
        variables,
        own,
      );
      expect(result.errors).toBeUndefined();
      return result.data.bookings as { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Array<{ id: string }> };
    };
    for (const direction of ['ASC', 'DESC']) {
      const orderBy = [{ field: 'TITLE', direction }];
      const all = (await page({ orderBy, first: 10 })).nodes.map((node) => node.id);
      expect(new Set(all)).toEqual(new Set(created));
      for (const first of [1, 2]) {
        const paged: string[] = [];
        let after: string | null = null;
        do {
          const next = await page({ orderBy, first, after });
          paged.push(...next.nodes.map((node) => node.id));
          after = next.pageInfo.hasNextPage ? next.pageInfo.endCursor : null;
        } while (after && paged.length <= titles.length);
        expect({ direction, first, paged }).toEqual({ direction, first, paged: all });
      }
    }
  });
});
