import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { createAccount, encodeId } from '../support/fixtures.ts';

type Bookable = Awaited<ReturnType<typeof createBookableAccount>> & { token: string };

let gateway: TestGateway;
const monday = upcomingMonday();
const customer = { name: 'Lorraine Baines', email: 'lorraine@hillvalley.example' };

beforeAll(async () => {
  gateway = await startTestGateway();
});

afterAll(() => gateway?.close());

/** A fresh account (3 agents on Mon–Fri 09:00–17:00 London; team priorities Agent 1 = 0, Agent 2 = 1, Agent 3 = 2) and a token for it. */
async function bookable(): Promise<Bookable> {
  const setup = await createBookableAccount(gateway.db);
  return { ...setup, token: await gateway.tokenFor({ accounts: [setup.account.id] }) };
}

async function call(token: string, query: string, variables: Record<string, unknown>) {
  const result = await gateway.graphql(query, variables, token);
  expect(result.errors).toBeUndefined();
  return result.data;
}

const AVAILABILITY = `query ($input: AvailabilityInput!) { availability(input: $input) { startsAt endsAt agents { id name } } }`;

interface Slot {
  startsAt: string;
  endsAt: string;
  agents: Array<{ id: string; name: string }>;
}

async function availability(setup: Bookable, input: Record<string, unknown>): Promise<Slot[]> {
  return (await call(setup.token, AVAILABILITY, { input: { appointmentTypeId: setup.instantTypeId, ...input } })).availability;
}

/** Availability of a London day, keyed by the UTC start. */
async function slotsOfDay(setup: Bookable, resourceId: string, day = monday) {
  const slots = await availability(setup, { resourceId, from: at(day, '00:00'), to: at(day.plus({ days: 1 }), '00:00') });
  return new Map(slots.map((slot) => [new Date(slot.startsAt).toISOString(), slot]));
}

const names = (slot: Slot | undefined) => slot?.agents.map((agent) => agent.name).sort();

async function book(setup: Bookable, input: Record<string, unknown>) {
  return (await call(setup.token, CREATE_BOOKING, { input: { appointmentTypeId: setup.instantTypeId, customer, ...input } })).createBooking;
}

async function bookedAgentName(setup: Bookable, input: Record<string, unknown>) {
  const result = await book(setup, input);
  expect(result.__typename).toBe('CreateBookingSuccess');
  expect(result.data.agents).toHaveLength(1);
  return setup.agents.find((agent, index) => setup.agentIds[index] === result.data.agents[0].id)!.name;
}

describe('team scheduling modes', () => {
  let setup: Bookable;
  beforeAll(async () => {
    setup = await bookable();
  });

  it('ANY lists every free member of each slot', async () => {
    const before = await slotsOfDay(setup, setup.anyTeamId);
    expect(before.size).toBe(16);
    for (const slot of before.values()) expect(names(slot)).toEqual(['Agent 1', 'Agent 2', 'Agent 3']);

    expect((await book(setup, { resourceId: setup.agentIds[1], startsAt: at(monday, '10:00') })).__typename).toBe('CreateBookingSuccess');
    const after = await slotsOfDay(setup, setup.anyTeamId);
    expect(names(after.get(at(monday, '10:00')))).toEqual(['Agent 1', 'Agent 3']);
    expect(names(after.get(at(monday, '10:30')))).toEqual(['Agent 1', 'Agent 2', 'Agent 3']);
  });

  it('COLLECTIVE offers a slot only when every member is free', async () => {
    const day = monday.plus({ days: 1 });
    const before = await slotsOfDay(setup, setup.collectiveTeamId, day);
    expect(names(before.get(at(day, '14:00')))).toEqual(['Agent 1', 'Agent 2', 'Agent 3']);

    expect((await book(setup, { resourceId: setup.agentIds[2], startsAt: at(day, '14:00') })).__typename).toBe('CreateBookingSuccess');
    const after = await slotsOfDay(setup, setup.collectiveTeamId, day);
    expect(after.has(at(day, '14:00'))).toBe(false);
    expect(after.size).toBe(before.size - 1);
    const collective = await book(setup, { resourceId: setup.collectiveTeamId, startsAt: at(day, '14:00') });
    expect(collective.__typename).toBe('SlotUnavailableError');
  });

  it('a COLLECTIVE booking holds every member', async () => {
    const day = monday.plus({ days: 2 });
    const collective = await book(setup, { resourceId: setup.collectiveTeamId, startsAt: at(day, '11:00') });
    expect(collective.__typename).toBe('CreateBookingSuccess');
    expect(collective.data.agents.map((agent: { id: string }) => agent.id).sort()).toEqual([...setup.agentIds].sort());
    for (const agentId of setup.agentIds) {
      expect((await slotsOfDay(setup, agentId, day)).has(at(day, '11:00'))).toBe(false);
      expect((await book(setup, { resourceId: agentId, startsAt: at(day, '11:00') })).__typename).toBe('SlotUnavailableError');
    }
  });
});

describe('ROUND_ROBIN', () => {
  it('breaks a tie of equally busy members by priority', async () => {
    const setup = await bookable();
    expect(await bookedAgentName(setup, { resourceId: setup.roundRobinTeamId, startsAt: at(monday, '09:00') })).toBe('Agent 1');

    // The same agents in a team that ranks them the other way round.
    const reversed = await gateway.db.team.create({
      data: {
        accountId: setup.account.id,
        internalName: 'Reversed',
        externalName: 'Reversed',
        schedulingMode: 'ROUND_ROBIN',
        memberships: {
          create: setup.agents.map((agent, index) => ({ accountId: setup.account.id, agentId: agent.id, priority: setup.agents.length - index })),
        },
      },
    });
    const reversedId = encodeId('Team', reversed.id);
    const teamAgents = await call(setup.token, `query ($id: ID!) { node(id: $id) { ... on Team { members { agent { name } priority } } } }`, { id: reversedId });
    expect(teamAgents.node.members).toContainEqual({ agent: { name: 'Agent 3' }, priority: 1 });
    // Agent 1 has a booking now; Agents 2 and 3 have none and Agent 3 ranks first here.
    expect(await bookedAgentName(setup, { resourceId: reversedId, startsAt: at(monday, '10:00') })).toBe('Agent 3');
  });

  it('assigns the member with the fewest bookings around the slot', async () => {
    const setup = await bookable();
    for (const [agent, time] of [
      [0, '09:00'],
      [0, '09:30'],
      [1, '10:00'],
    ] as const) {
      expect((await book(setup, { resourceId: setup.agentIds[agent], startsAt: at(monday, time) })).__typename).toBe('CreateBookingSuccess');
    }
    // Bookings: Agent 1 = 2, Agent 2 = 1, Agent 3 = 0.
    const picks = [];
    for (const time of ['13:00', '13:30', '14:00', '14:30']) {
      picks.push(await bookedAgentName(setup, { resourceId: setup.roundRobinTeamId, startsAt: at(monday.plus({ days: 1 }), time) }));
    }
    expect(picks).toEqual(['Agent 3', 'Agent 2', 'Agent 3', 'Agent 1']);
  });

  it('does not count bookings more than a week away', async () => {
    const setup = await bookable();
    for (const time of ['09:00', '10:00', '11:00']) {
      expect((await book(setup, { resourceId: setup.agentIds[0], startsAt: at(monday.plus({ days: 14 }), time) })).__typename).toBe('CreateBookingSuccess');
    }
    expect(await bookedAgentName(setup, { resourceId: setup.roundRobinTeamId, startsAt: at(monday, '09:00') })).toBe('Agent 1');
  });

  it('rotates consecutive bookings at different times between the members', async () => {
    const setup = await bookable();
    const picks = [];
    for (const time of ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30']) {
      picks.push(await bookedAgentName(setup, { resourceId: setup.roundRobinTeamId, startsAt: at(monday, time) }));
    }
    expect(picks).toEqual(['Agent 1', 'Agent 2', 'Agent 3', 'Agent 1', 'Agent 2', 'Agent 3']);
  });
});

describe('concurrent bookings', () => {
  /** Calls createBooking `count` times at once, each over its own HTTP request, and tallies the result types. */
  async function race(setup: Bookable, count: number, input: Record<string, unknown>) {
    const results = await Promise.all(Array.from({ length: count }, () => gateway.graphql(CREATE_BOOKING, { input: { appointmentTypeId: setup.instantTypeId, customer, ...input } }, setup.token)));
    expect(results.filter((result) => result.errors !== undefined)).toEqual([]);
    const outcomes = results.map((result) => result.data.createBooking);
    const tally: Record<string, number> = {};
    for (const outcome of outcomes) tally[outcome.__typename] = (tally[outcome.__typename] ?? 0) + 1;
    return { outcomes, tally };
  }

  it('lets exactly one of 50 simultaneous bookings of one agent’s slot through', async () => {
    const setup = await bookable();
    const startsAt = at(monday, '09:00');
    const { tally } = await race(setup, 50, { resourceId: setup.agentIds[0], startsAt });
    expect(tally).toEqual({ CreateBookingSuccess: 1, SlotUnavailableError: 49 });
    expect(await gateway.db.booking.count({ where: { accountId: setup.account.id, startsAt: new Date(startsAt) } })).toBe(1);
  });

  it('fills a ROUND_ROBIN slot of 3 members with exactly 3 of 10 simultaneous bookings, one per member', async () => {
    const setup = await bookable();
    const { outcomes, tally } = await race(setup, 10, { resourceId: setup.roundRobinTeamId, startsAt: at(monday, '10:00') });
    expect(tally).toEqual({ CreateBookingSuccess: 3, SlotUnavailableError: 7 });
    const agents = outcomes.filter((outcome) => outcome.__typename === 'CreateBookingSuccess').map((outcome) => outcome.data.agents[0].id);
    expect(agents.sort()).toEqual([...setup.agentIds].sort());
  });

  it('keeps accounts apart: the same slot in another account books fine, and its agents are not found from here', async () => {
    const first = await bookable();
    const second = await bookable();
    const startsAt = at(monday, '11:00');
    expect((await book(first, { resourceId: first.agentIds[0], startsAt })).__typename).toBe('CreateBookingSuccess');
    expect((await book(second, { resourceId: second.agentIds[0], startsAt })).__typename).toBe('CreateBookingSuccess');
    const across = await book(first, { resourceId: second.agentIds[1], startsAt });
    expect(across).toMatchObject({ __typename: 'NotFoundError' });
  });
});

describe('daylight saving time', () => {
  let token: string;
  const agents: Record<'London' | 'NewYork', string> = { London: '', NewYork: '' };
  let appointmentTypeId: string;

  beforeAll(async () => {
    const account = await createAccount(gateway.db, 'Time zones');
    token = await gateway.tokenFor({ accounts: [account.id] });
    const mutate = async (mutation: string, input: Record<string, unknown>) => {
      const data = await call(token, `mutation ($input: ${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) {
        __typename ... on Error { message } ... on ${mutation[0]!.toUpperCase()}${mutation.slice(1)}Success { data { id } } } }`, { input });
      expect(data[mutation].__typename).toMatch(/Success$/);
      return data[mutation].data.id as string;
    };
    const hours = [
      ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, startTime: '09:00', endTime: '17:00' })),
      // Sundays: the nights the clocks change, and an afternoon.
      { weekday: 7, startTime: '00:00', endTime: '04:00' },
      { weekday: 7, startTime: '13:00', endTime: '17:00' },
    ];
    for (const [name, timeZone] of [
      ['London', 'Europe/London'],
      ['NewYork', 'America/New_York'],
    ] as const) {
      const workdayId = await mutate('createWorkday', { name: `${name} hours`, timeZone, hours });
      agents[name] = await mutate('createAgent', { name: `${name} agent`, email: `${name.toLowerCase()}@zones.example`, timeZone, workdayId });
    }
    appointmentTypeId = await mutate('createAppointmentType', {
      internalName: 'Hour',
      durationMinutes: 60,
      slotIntervalMinutes: 30,
      minimumNoticeMinutes: 0,
      bookingWindowDays: 730,
    });
  });

  /** Slots of one local day (from one local midnight to the next, given as UTC instants), shown in `timeZone`. */
  async function day(agent: keyof typeof agents, from: string, to: string, timeZone: string) {
    const data = await call(token, `query ($input: AvailabilityInput!) { availability(input: $input) { startsAt endsAt } }`, {
      input: { appointmentTypeId, resourceId: agents[agent], from, to, timeZone },
    });
    const slots: Array<{ startsAt: string; endsAt: string }> = data.availability;
    for (const slot of slots) expect(new Date(slot.endsAt).getTime() - new Date(slot.startsAt).getTime()).toBe(3_600_000);
    return {
      utc: slots.map((slot) => new Date(slot.startsAt).toISOString().slice(11, 16)),
      /** Local wall-clock start and offset as the API shows them, e.g. `01:30+01:00`. */
      local: slots.map((slot) => `${slot.startsAt.slice(11, 16)}${slot.startsAt.slice(-6)}`),
      slots,
    };
  }

  const afternoon = (firstUtcHour: number, offset: string) => ({
    utc: Array.from({ length: 7 }, (_, index) => `${String(firstUtcHour + Math.floor(index / 2)).padStart(2, '0')}:${index % 2 ? '30' : '00'}`),
    local: Array.from({ length: 7 }, (_, index) => `${13 + Math.floor(index / 2)}:${index % 2 ? '30' : '00'}${offset}`),
  });

  it('skips the missing hour on London’s spring-forward day (2027-03-28) and places 13:00 at 12:00Z', async () => {
    const { utc, local, slots } = await day('London', '2027-03-28T00:00:00Z', '2027-03-28T23:00:00Z', 'Europe/London');
    expect(slots.find((slot) => slot.startsAt.startsWith('2027-03-28T13:00'))?.startsAt).toBe('2027-03-28T13:00:00.000+01:00');
    expect(new Date(slots.find((slot) => slot.startsAt.startsWith('2027-03-28T13:00'))!.startsAt).toISOString()).toBe('2027-03-28T12:00:00.000Z');
    const pm = afternoon(12, '+01:00');
    expect(utc).toEqual(['00:00', '00:30', '01:00', '01:30', '02:00', ...pm.utc]);
    expect(local).toEqual(['00:00+00:00', '00:30+00:00', '02:00+01:00', '02:30+01:00', '03:00+01:00', ...pm.local]);
    expect(local.some((time) => time.startsWith('01:'))).toBe(false);
  });

  it('skips the missing hour on New York’s spring-forward day (2027-03-14)', async () => {
    const { utc, local } = await day('NewYork', '2027-03-14T05:00:00Z', '2027-03-15T04:00:00Z', 'America/New_York');
    const pm = afternoon(17, '-04:00');
    expect(utc).toEqual(['05:00', '05:30', '06:00', '06:30', '07:00', ...pm.utc]);
    expect(local).toEqual(['00:00-05:00', '00:30-05:00', '01:00-05:00', '01:30-05:00', '03:00-04:00', ...pm.local]);
    expect(local.some((time) => time.startsWith('02:'))).toBe(false);
  });

  it('offers the repeated hour twice on London’s fall-back day (2027-10-31)', async () => {
    const { utc, local } = await day('London', '2027-10-30T23:00:00Z', '2027-11-01T00:00:00Z', 'Europe/London');
    const pm = afternoon(13, '+00:00');
    expect(utc).toEqual(['23:00', '23:30', '00:00', '00:30', '01:00', '01:30', '02:00', '02:30', '03:00', ...pm.utc]);
    expect(local).toEqual([
      '00:00+01:00',
      '00:30+01:00',
      '01:00+01:00',
      '01:30+01:00',
      '01:00+00:00',
      '01:30+00:00',
      '02:00+00:00',
      '02:30+00:00',
      '03:00+00:00',
      ...pm.local,
    ]);
  });

  it('offers the repeated hour twice on New York’s fall-back day (2027-11-07), and both 01:00s can be booked', async () => {
    const { utc, local } = await day('NewYork', '2027-11-07T04:00:00Z', '2027-11-08T05:00:00Z', 'America/New_York');
    const pm = afternoon(18, '-05:00');
    expect(utc).toEqual(['04:00', '04:30', '05:00', '05:30', '06:00', '06:30', '07:00', '07:30', '08:00', ...pm.utc]);
    expect(local).toEqual([
      '00:00-04:00',
      '00:30-04:00',
      '01:00-04:00',
      '01:30-04:00',
      '01:00-05:00',
      '01:30-05:00',
      '02:00-05:00',
      '02:30-05:00',
      '03:00-05:00',
      ...pm.local,
    ]);

    for (const startsAt of ['2027-11-07T01:00:00-04:00', '2027-11-07T01:00:00-05:00']) {
      const booked = (await call(token, CREATE_BOOKING, { input: { appointmentTypeId, resourceId: agents.NewYork, startsAt, customer } })).createBooking;
      expect(booked.__typename).toBe('CreateBookingSuccess');
      expect(new Date(booked.data.endsAt).getTime() - new Date(booked.data.startsAt).getTime()).toBe(3_600_000);
    }
    const after = await day('NewYork', '2027-11-07T04:00:00Z', '2027-11-08T05:00:00Z', 'America/New_York');
    expect(after.utc.slice(0, 3)).toEqual(['04:00', '07:00', '07:30']);
  });
});
