import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';

let gateway: TestGateway;
let token: string;
const monday = upcomingMonday();

/** Agents whose names hold LIKE's special characters, and look-alikes they must not be confused with. */
const NAMES = ['Ann_Lee', 'Annxlee', '100% Bob', '1000 Bob', 'Back\\slash', 'Backslash'];

beforeAll(async () => {
  gateway = await startTestGateway();
  const setup = await createBookableAccount(gateway.db, { name: 'Like' });
  // The collective team holds all three: one booking of Bob Brown, Ines Sa and Ann Other.
  for (const [index, name] of ['Bob Brown', 'Ines Sa', 'Ann Other'].entries()) {
    await gateway.db.agent.update({ where: { id: setup.agents[index]!.id }, data: { name } });
  }
  for (const name of NAMES) {
    await gateway.db.agent.create({ data: { accountId: setup.account.id, name, email: `${NAMES.indexOf(name)}@like.example`, timeZone: 'UTC' } });
  }
  token = await gateway.tokenFor({ accounts: [setup.account.id] });
  const booked = await gateway.graphql(
    CREATE_BOOKING,
    {
      input: {
        appointmentTypeId: setup.instantTypeId, resourceId: setup.collectiveTeamId, startsAt: at(monday, '10:00'),
        title: 'Sale: 50% off_now', customer: { name: 'Pat_Doe', email: 'pat@like.example' },
      },
    },
    token,
  );
  expect(booked.data.createBooking.__typename).toBe('CreateBookingSuccess');
});

afterAll(() => gateway?.close());

async function data(query: string, variables: Record<string, unknown> = {}) {
  const result = await gateway.graphql(query, variables, token);
  expect(result.errors).toBeUndefined();
  return result.data;
}

const agentNames = async (args: string) =>
  ((await data(`{ agents(first: 50, ${args}) { nodes { name } } }`)).agents.nodes as Array<{ name: string }>).map((agent) => agent.name).sort();

const resourceNames = async (name: string, filter = '') =>
  ((await data(`query ($filter: String) { resources(first: 50, where: { kinds: [AGENT], ${name} }, filter: $filter) { nodes { displayName } } }`, { filter })).resources.nodes as Array<{ displayName: string }>)
    .map((resource) => resource.displayName)
    .sort();

const bookingCount = async (args: string) => (await data(`{ bookings(${args}) { totalCount } }`)).bookings.totalCount as number;

const reportCount = async (filter: string) => {
  const rows = (await data(`query ($filter: String) { schedulingReport(input: {
      subject: BOOKINGS, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", groupBy: [ACCOUNT], filter: $filter }) { count } }`, { filter })).schedulingReport;
  return rows.reduce((sum: number, row: { count: number }) => sum + row.count, 0);
};

describe('typed text filters match what the caller typed', () => {
  it('contains treats _ % and \\ as themselves', async () => {
    expect(await agentNames('where: { name: { contains: "_" } }')).toEqual(['Ann_Lee']);
    expect(await agentNames('where: { name: { contains: "n_l" } }')).toEqual(['Ann_Lee']);
    expect(await agentNames('where: { name: { contains: "0%" } }')).toEqual(['100% Bob']);
    expect(await agentNames('where: { name: { contains: "k\\\\s" } }')).toEqual(['Back\\slash']);
  });

  it('startsWith treats them as themselves too, and still ignores case', async () => {
    expect(await agentNames('where: { name: { startsWith: "ann_" } }')).toEqual(['Ann_Lee']);
    expect(await agentNames('where: { name: { startsWith: "%" } }')).toEqual([]);
    expect(await agentNames('where: { name: { startsWith: "ANN" } }')).toEqual(['Ann Other', 'Ann_Lee', 'Annxlee']);
  });

  it('equals stays exact when combined with contains', async () => {
    expect(await agentNames('where: { name: { equals: "Ann_Lee", contains: "lee" } }')).toEqual(['Ann_Lee']);
    expect(await agentNames('where: { name: { equals: "ann_lee" } }')).toEqual([]);
  });

  it('resources (raw SQL) escape the same way', async () => {
    expect(await resourceNames('name: { contains: "_" }')).toEqual(['Ann_Lee']);
    expect(await resourceNames('name: { startsWith: "100%" }')).toEqual(['100% Bob']);
  });

  it('search on bookings and customers matches literally', async () => {
    expect(await bookingCount('where: { search: "50% off_" }')).toBe(1);
    expect(await bookingCount('where: { search: "50%_off" }')).toBe(0);
    expect(await bookingCount('where: { search: "t_d" }')).toBe(1);
    expect(await bookingCount('where: { search: "%" }')).toBe(1);
    expect(await bookingCount('where: { search: "_____________________________" }')).toBe(0);
    expect((await data('{ customers(where: { search: "_" }) { totalCount } }')).customers.totalCount).toBe(1);
    expect((await data('{ customers(where: { search: "t%d" }) { totalCount } }')).customers.totalCount).toBe(0);
  });
});

describe('TQL LIKE', () => {
  it('matches _ % and \\ literally on a list (Prisma) and on resources and reports (SQL)', async () => {
    expect(await agentNames('filter: "agent.name LIKE \\"_\\""')).toEqual(['Ann_Lee']);
    expect(await agentNames('filter: "agent.name LIKE \\"%\\""')).toEqual(['100% Bob']);
    expect(await agentNames('filter: "agent.name NOT_LIKE \\"_\\""')).not.toContain('Ann_Lee');
    expect(await resourceNames('', 'resource.name LIKE "_"')).toEqual(['Ann_Lee']);
    expect(await reportCount('booking.title LIKE "% off_"')).toBe(1);
    expect(await reportCount('booking.title LIKE "%_off"')).toBe(0);
  });

  it('keeps * as its wildcard', async () => {
    expect(await agentNames('filter: "agent.name LIKE \\"ann*lee\\""')).toEqual(['Ann_Lee', 'Annxlee']);
    expect(await agentNames('filter: "agent.name LIKE \\"*bob\\""')).toEqual(['100% Bob', '1000 Bob']);
    expect(await agentNames('filter: "agent.name LIKE \\"b*h\\""')).toEqual(['Back\\slash', 'Backslash']);
  });

  it('on a multi-valued attribute, one value matches the whole pattern', async () => {
    // The booking holds Bob Brown, Ines Sa and Ann Other: "bob*sa" starts like one and ends like another, but fits none.
    expect(await bookingCount('filter: "agent.name LIKE \\"bob*sa\\""')).toBe(0);
    expect(await bookingCount('filter: "agent.name LIKE \\"bob*own\\""')).toBe(1);
    expect(await bookingCount('filter: "agent.name LIKE \\"in*s*a\\""')).toBe(1);
    expect(await reportCount('agent.name LIKE "bob*sa"')).toBe(0);
    expect(await reportCount('agent.name LIKE "bob*own"')).toBe(1);
  });

  it('keeps the order of a pattern\'s inner pieces', async () => {
    expect(await agentNames('filter: "agent.name LIKE \\"*lee*ann*\\""')).toEqual([]);
    expect(await agentNames('filter: "agent.name LIKE \\"*ann*lee*\\""')).toEqual(['Ann_Lee', 'Annxlee']);
  });
});
