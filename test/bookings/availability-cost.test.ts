import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { createWorkday, encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let token: string;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
let smallTeamId: string;
let largeTeamId: string;
const monday = upcomingMonday();

/**
 * Two ANY teams of one account: 2 and 10 agents, spread over two workdays,
 * each agent with leave, each workday with a date override and a holiday,
 * and each agent with a booking (14:30 London lies inside both workdays),
 * so that every kind of data availability reads is there for both teams.
 */
beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db, { agents: 12 });
  token = await gateway.tokenFor({ accounts: [setup.account.id] });
  const accountId = setup.account.id;
  const secondWorkday = await createWorkday(gateway.db, accountId, 'Late shift', 'America/New_York');
  for (const workday of [setup.workday, secondWorkday]) {
    await gateway.db.workdayOverride.create({
      data: { accountId, workdayId: workday.id, date: new Date(`${monday.plus({ days: 2 }).toISODate()}T00:00:00Z`), startTime: new Date('1970-01-01T10:00:00Z'), endTime: new Date('1970-01-01T12:00:00Z') },
    });
    await gateway.db.holiday.create({
      data: { accountId, workdayId: workday.id, name: 'Founders’ day', startsAt: monday.plus({ days: 3 }).toJSDate(), endsAt: monday.plus({ days: 4 }).toJSDate(), allDay: true },
    });
  }
  for (const [index, agent] of setup.agents.entries()) {
    if (index % 2 === 1) await gateway.db.agent.update({ where: { id: agent.id }, data: { workdayId: secondWorkday.id } });
    await gateway.db.holiday.create({
      data: { accountId, agentId: agent.id, name: 'Dentist', startsAt: new Date(at(monday, '15:00')), endsAt: new Date(at(monday, '16:00')) },
    });
  }
  const team = async (name: string, members: typeof setup.agents) =>
    encodeId(
      'Team',
      (
        await gateway.db.team.create({
          data: {
            accountId,
            internalName: name,
            externalName: name,
            schedulingMode: 'ANY',
            memberships: { create: members.map((agent, priority) => ({ accountId, agentId: agent.id, priority })) },
          },
        })
      ).id,
    );
  smallTeamId = await team('Small', setup.agents.slice(0, 2));
  largeTeamId = await team('Large', setup.agents.slice(2));
  for (const agentId of setup.agentIds) {
    const booked = await gateway.graphql(
      CREATE_BOOKING,
      { input: { appointmentTypeId: setup.instantTypeId, resourceId: agentId, startsAt: at(monday, '14:30'), customer: { name: 'Jennifer Parker', email: 'jennifer@hillvalley.example' } } },
      token,
    );
    expect(booked.data.createBooking.__typename).toBe('CreateBookingSuccess');
  }
});

afterAll(() => gateway?.close());

const SLOT_AGENT_FIELDS = 'id name';
const SLOT_AGENT_RELATIONS = 'id name workday { name timeZone } teams { internalName }';

async function statementsFor(agentFields: string, resourceId: string, days: number) {
  const before = gateway.statements.count;
  const result = await gateway.graphql(
    `query ($input: AvailabilityInput!) { availability(input: $input) { startsAt endsAt agents { ${agentFields} } } }`,
    { input: { appointmentTypeId: setup.instantTypeId, resourceId, from: at(monday, '00:00'), to: at(monday.plus({ days }), '00:00'), timeZone: 'Europe/London' } },
    token,
  );
  expect(result.errors).toBeUndefined();
  return { statements: gateway.statements.count - before, slots: result.data.availability as Array<{ agents: unknown[] }> };
}

describe('the cost of availability', () => {
  it.each([
    ['the slot agents’ own fields', SLOT_AGENT_FIELDS],
    ['the slot agents’ workday and teams', SLOT_AGENT_RELATIONS],
  ])('issues the same number of SQL statements for 2 agents over 1 day and 10 agents over 20 days, selecting %s', async (_name, agentFields) => {
    const small = await statementsFor(agentFields, smallTeamId, 1);
    const large = await statementsFor(agentFields, largeTeamId, 20);

    expect(small.slots.length).toBeGreaterThan(0);
    expect(large.slots.length).toBeGreaterThan(small.slots.length * 10);
    expect(Math.max(...large.slots.map((slot) => slot.agents.length))).toBe(10);
    expect(small.statements).toBeGreaterThan(0);
    expect(large.statements).toBe(small.statements);
  });
});
