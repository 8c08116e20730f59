import { DateTime } from 'luxon';
import type { Db } from '../../src/db/client.ts';
import type { Agent } from '../../src/generated/prisma/client.ts';
import { createAccount, createWorkday, encodeId } from './fixtures.ts';

/** A Monday at least a week ahead, as a London calendar date: always bookable under the default rules. */
export function upcomingMonday(zone = 'Europe/London'): DateTime {
  let day = DateTime.now().setZone(zone).plus({ days: 7 }).startOf('day');
  while (day.weekday !== 1) day = day.plus({ days: 1 });
  return day;
}

export function at(day: DateTime, time: string): string {
  const [hour, minute] = time.split(':').map(Number);
  return day.set({ hour, minute }).toUTC().toISO()!;
}

/**
 * An account with agents on Mon–Fri 09:00–17:00 London hours, a 30-minute
 * appointment type of each flow, and teams of every scheduling mode.
 */
export async function createBookableAccount(db: Db, options: { agents?: number; name?: string } = {}) {
  const account = await createAccount(db, options.name ?? 'Bookable');
  const workday = await createWorkday(db, account.id);
  const agents: Agent[] = [];
  for (let index = 0; index < (options.agents ?? 3); index += 1) {
    agents.push(
      await db.agent.create({
        data: { accountId: account.id, name: `Agent ${index + 1}`, email: `agent${index + 1}@${account.slug}.example`, timeZone: 'Europe/London', workdayId: workday.id },
      }),
    );
  }
  const instant = await db.appointmentType.create({
    data: { accountId: account.id, internalName: 'Call', externalName: 'Call', durationMinutes: 30, slotIntervalMinutes: 30, bookingWindowDays: 730 },
  });
  const confirmDecline = await db.appointmentType.create({
    data: {
      accountId: account.id,
      internalName: 'Visit',
      externalName: 'Visit',
      durationMinutes: 60,
      bufferAfterMinutes: 15,
      slotIntervalMinutes: 15,
      bookingWindowDays: 730,
      confirmationFlow: 'CONFIRM_DECLINE',
      reservationTtlSeconds: 300,
    },
  });
  const team = async (mode: 'ANY' | 'ROUND_ROBIN' | 'COLLECTIVE') =>
    db.team.create({
      data: {
        accountId: account.id,
        internalName: `${mode} team`,
        externalName: `${mode} team`,
        schedulingMode: mode,
        memberships: { create: agents.map((agent, index) => ({ accountId: account.id, agentId: agent.id, priority: index })) },
      },
    });
  return {
    account,
    workday,
    agents,
    agentIds: agents.map((agent) => encodeId('Agent', agent.id)),
    instantTypeId: encodeId('AppointmentType', instant.id),
    confirmTypeId: encodeId('AppointmentType', confirmDecline.id),
    anyTeamId: encodeId('Team', (await team('ANY')).id),
    roundRobinTeamId: encodeId('Team', (await team('ROUND_ROBIN')).id),
    collectiveTeamId: encodeId('Team', (await team('COLLECTIVE')).id),
  };
}

export const BOOKING_RESULT = `__typename
  ... on CreateBookingSuccess { data { id status startsAt endsAt agents { id } events { type toStatus } } }
  ... on Error { message }`;

export const CREATE_BOOKING = `mutation ($input: CreateBookingInput!) { createBooking(input: $input) { ${BOOKING_RESULT} } }`;
