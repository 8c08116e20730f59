import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSchedules } from '../../src/bookings/schedules.ts';
import { decodeId } from '../../src/schema/global-id.ts';
import { at, createBookableAccount, CREATE_BOOKING, upcomingMonday } from '../support/booking-fixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let gateway: TestGateway;
let setup: Awaited<ReturnType<typeof createBookableAccount>>;
let bookingId: string;
const monday = upcomingMonday();
const day = (offset: number) => monday.plus({ days: offset }).toISODate()!;
const instant = (offset: number, time: string) => Date.parse(at(monday.plus({ days: offset }), time));
const week = { start: instant(0, '00:00'), end: instant(7, '00:00') };

/**
 * Agent 1 with leave, a booking and its workday's override, closed date and holiday; Agent 2 without a workday,
 * in its own time zone.
 */
beforeAll(async () => {
  gateway = await startTestGateway();
  setup = await createBookableAccount(gateway.db, { agents: 2 });
  const accountId = setup.account.id;
  const [first, second] = setup.agents;
  const time = (value: string) => new Date(`1970-01-01T${value}Z`);
  await gateway.db.workdayOverride.createMany({
    data: [
      { accountId, workdayId: setup.workday.id, date: new Date(`${day(2)}T00:00:00Z`), startTime: time('10:00:00'), endTime: time('12:30:00') },
      { accountId, workdayId: setup.workday.id, date: new Date(`${day(3)}T00:00:00Z`) },
      // Far outside the range: not loaded.
      { accountId, workdayId: setup.workday.id, date: new Date(`${day(60)}T00:00:00Z`) },
    ],
  });
  await gateway.db.holiday.createMany({
    data: [
      { accountId, agentId: first!.id, name: 'Dentist', startsAt: new Date(instant(0, '15:00')), endsAt: new Date(instant(0, '16:00')) },
      { accountId, workdayId: setup.workday.id, name: 'Founders’ day', startsAt: new Date(instant(4, '00:00')), endsAt: new Date(instant(5, '00:00')) },
      { accountId, agentId: first!.id, name: 'Long ago', startsAt: new Date(instant(-30, '00:00')), endsAt: new Date(instant(-29, '00:00')) },
    ],
  });
  await gateway.db.agent.update({ where: { id: second!.id }, data: { workdayId: null, timeZone: 'Asia/Tokyo' } });
  const token = await gateway.tokenFor({ accounts: [accountId] });
  const booked = await gateway.graphql(
    CREATE_BOOKING,
    {
      input: {
        appointmentTypeId: setup.instantTypeId,
        resourceId: setup.agentIds[0],
        startsAt: at(monday, '14:30'),
        customer: { name: 'Jennifer Parker', email: 'jennifer@hillvalley.example' },
      },
    },
    token,
  );
  expect(booked.data.createBooking.__typename).toBe('CreateBookingSuccess');
  bookingId = decodeId(booked.data.createBooking.data.id).id;
});

afterAll(() => gateway?.close());

describe('loadSchedules', () => {
  it('loads the workday’s zone, hours and overrides in the range, the agent’s and workday’s holidays, and the booked time', async () => {
    const [schedule] = await loadSchedules(gateway.db, [setup.agents[0]!.id], week);
    expect(schedule).toEqual({
      agentId: setup.agents[0]!.id,
      timeZone: 'Europe/London',
      weeklyHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startTime: '09:00:00', endTime: '17:00:00' })),
      overrides: expect.arrayContaining([
        { date: day(2), startTime: '10:00:00', endTime: '12:30:00' },
        { date: day(3), startTime: null, endTime: null },
      ]),
      holidays: expect.arrayContaining([
        { start: instant(0, '15:00'), end: instant(0, '16:00') },
        { start: instant(4, '00:00'), end: instant(5, '00:00') },
      ]),
      busy: [{ start: instant(0, '14:30'), end: instant(0, '15:00') }],
    });
    expect(schedule!.overrides).toHaveLength(2);
    expect(schedule!.holidays).toHaveLength(2);
  });

  it('leaves out the blocks of the booking being moved', async () => {
    const [schedule] = await loadSchedules(gateway.db, [setup.agents[0]!.id], week, { bookingId });
    expect(schedule!.busy).toEqual([]);
  });

  it('gives an agent without a workday its own zone and no hours, and skips ids it does not find', async () => {
    const schedules = await loadSchedules(gateway.db, [randomUUID(), setup.agents[1]!.id], week);
    expect(schedules).toEqual([
      { agentId: setup.agents[1]!.id, timeZone: 'Asia/Tokyo', weeklyHours: [], overrides: [], holidays: [], busy: [] },
    ]);
  });
});
