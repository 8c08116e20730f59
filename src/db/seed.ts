import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import { createApiClient } from '../auth/api-clients.ts';
import { rulesOf } from '../bookings/schedules.ts';
import type { AgentRole, ConfirmationFlow, Prisma, TeamSchedulingMode } from '../generated/prisma/client.ts';
import type { Interval } from '../scheduling/intervals.ts';
import type { WeeklyInterval } from '../scheduling/working-hours.ts';
import type { Db } from './client.ts';
import { planDemoActivity, type DemoAccountActivityInput, type DemoActivity } from './demo-activity.ts';

/** Wall-clock time for a TIME column; Prisma takes it as a Date on 1970-01-01 UTC. */
function time(hhmm: string): Date {
  return new Date(`1970-01-01T${hhmm}:00Z`);
}

/** The calendar date after an ISO date. */
function nextDate(isoDate: string): string {
  return DateTime.fromISO(isoDate, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!;
}

/** A DATE column value. */
function date(isoDate: string): Date {
  return new Date(`${isoDate}T00:00:00Z`);
}

/** The instant of a wall-clock moment in a zone, e.g. `at('2026-12-24T14:00', 'Europe/London')`. */
function at(localDateTime: string, zone: string): Date {
  return DateTime.fromISO(localDateTime, { zone }).toJSDate();
}

/** A date that comes once a year, as a calendar date of the given year. */
type YearlyDate = (year: number) => DateTime;

const yearly = (monthDay: string): YearlyDate => (year) => DateTime.fromISO(`${year}-${monthDay}`, { zone: 'UTC' });

/** The fourth Thursday of November. */
const thanksgiving: YearlyDate = (year) => {
  const first = DateTime.fromObject({ year, month: 11, day: 1 }, { zone: 'UTC' });
  return first.plus({ days: ((4 - first.weekday + 7) % 7) + 21 });
};

interface WeeklyHours {
  weekdays: number[];
  intervals: Array<[string, string]>;
}

interface WorkdaySpec {
  name: string;
  /** Defaults to the account's zone. */
  timeZone?: string;
  weekly: WeeklyHours[];
  /** Hours that replace the weekly hours on one date every year; no interval means closed. */
  overrides: Array<{ on: YearlyDate; interval?: [string, string] }>;
  /** Whole days off for everyone on the workday, every year. */
  holidays: Array<{ name: string; on: YearlyDate }>;
}

interface AgentSpec {
  name: string;
  role: AgentRole;
  timeZone?: string;
  workday: number;
  schedulable?: boolean;
}

interface AccountSpec {
  name: string;
  slug: string;
  timeZone: string;
  emailDomain: string;
  workdays: WorkdaySpec[];
  agents: AgentSpec[];
  teams: Array<{ internalName: string; externalName: string; mode: TeamSchedulingMode; members: Array<[number, number | null]> }>;
  appointmentTypes: Array<{
    internalName: string;
    externalName: string;
    description?: string;
    durationMinutes: number;
    bufferBeforeMinutes?: number;
    bufferAfterMinutes?: number;
    slotIntervalMinutes?: number;
    minimumNoticeMinutes?: number;
    confirmationFlow: ConfirmationFlow;
  }>;
  /** Leave of single agents, in days from the seed date: whole days `[from, to)`, or hours of one day. */
  agentHolidays: Array<{ agent: number; name: string } & ({ days: [number, number] } | { day: number; hours: [string, string] })>;
  customers: Array<{ name: string; email: string; phone?: string; timeZone?: string }>;
}

const OFFICE_WEEK: WeeklyHours[] = [
  { weekdays: [1, 2, 3, 4], intervals: [['09:00', '12:30'], ['13:30', '17:30']] },
  { weekdays: [5], intervals: [['09:00', '12:30'], ['13:30', '16:00']] },
];

const EXTENDED_WEEK: WeeklyHours[] = [
  { weekdays: [1, 2, 3, 4, 5], intervals: [['07:00', '19:00']] },
  { weekdays: [6], intervals: [['09:00', '13:00']] },
];

const ACCOUNTS: AccountSpec[] = [
  {
    name: 'Northwind IT',
    slug: 'northwind-it',
    timeZone: 'Europe/London',
    emailDomain: 'northwind.example',
    workdays: [
      {
        name: 'London office hours',
        weekly: OFFICE_WEEK,
        overrides: [{ on: yearly('12-24'), interval: ['09:00', '13:00'] }, { on: yearly('12-31') }],
        holidays: [
          { name: 'Christmas Day', on: yearly('12-25') },
          { name: 'Boxing Day', on: yearly('12-26') },
        ],
      },
      {
        name: 'Service desk extended hours',
        weekly: EXTENDED_WEEK,
        overrides: [{ on: yearly('12-24'), interval: ['08:00', '14:00'] }],
        holidays: [{ name: 'Christmas Day', on: yearly('12-25') }],
      },
    ],
    agents: [
      { name: 'Amelia Hughes', role: 'ADMIN', workday: 0 },
      { name: 'Oliver Bennett', role: 'MANAGER', workday: 0 },
      { name: 'Priya Patel', role: 'AGENT', workday: 1 },
      { name: 'Jack Thompson', role: 'AGENT', workday: 1 },
      { name: 'Sophie Clarke', role: 'AGENT', workday: 0 },
      { name: 'Liam O’Connor', role: 'AGENT', timeZone: 'Europe/Dublin', workday: 0 },
      { name: 'Zofia Nowak', role: 'AGENT', timeZone: 'Europe/Warsaw', workday: 1 },
      { name: 'Harriet Moss', role: 'AGENT', workday: 0, schedulable: false },
    ],
    teams: [
      { internalName: 'service-desk', externalName: 'Service Desk', mode: 'ROUND_ROBIN', members: [[2, 1], [3, 2], [6, 3], [4, 4]] },
      { internalName: 'onsite-engineers', externalName: 'On-site Engineers', mode: 'ANY', members: [[5, null], [4, null], [1, null]] },
      { internalName: 'project-kickoff', externalName: 'Project Kick-off', mode: 'COLLECTIVE', members: [[0, null], [1, null]] },
    ],
    appointmentTypes: [
      {
        internalName: 'remote-support-30',
        externalName: 'Remote support session',
        description: 'A technician connects to your machine to fix one issue.',
        durationMinutes: 30,
        bufferAfterMinutes: 10,
        minimumNoticeMinutes: 60,
        confirmationFlow: 'INSTANT',
      },
      {
        internalName: 'onsite-visit-120',
        externalName: 'On-site visit',
        description: 'An engineer visits your office; travel time is blocked either side.',
        durationMinutes: 120,
        bufferBeforeMinutes: 30,
        bufferAfterMinutes: 30,
        slotIntervalMinutes: 60,
        minimumNoticeMinutes: 24 * 60,
        confirmationFlow: 'CONFIRM_DECLINE',
      },
      {
        internalName: 'project-kickoff-60',
        externalName: 'Project kick-off call',
        durationMinutes: 60,
        slotIntervalMinutes: 30,
        confirmationFlow: 'CONFIRM_DECLINE',
      },
      { internalName: 'quick-call-15', externalName: 'Quick call', durationMinutes: 15, confirmationFlow: 'INSTANT' },
    ],
    agentHolidays: [
      { agent: 2, name: 'Annual leave', days: [32, 37] },
      { agent: 3, name: 'Dentist', day: -1, hours: ['14:00', '16:00'] },
    ],
    customers: [
      { name: 'Alder & Finch Solicitors', email: 'it@alderfinch.example', phone: '+44 20 7946 0018' },
      { name: 'Brightwater Dental', email: 'practice@brightwater.example', phone: '+44 161 496 0732' },
      { name: 'Cobalt Architects', email: 'office@cobalt-arch.example' },
      { name: 'Dunmore Logistics', email: 'helpdesk@dunmore.example', timeZone: 'Europe/Dublin' },
    ],
  },
  {
    name: 'Contoso Support',
    slug: 'contoso-support',
    timeZone: 'America/New_York',
    emailDomain: 'contoso.example',
    workdays: [
      {
        name: 'East Coast business hours',
        weekly: [{ weekdays: [1, 2, 3, 4, 5], intervals: [['08:30', '17:00']] }],
        overrides: [{ on: (year) => thanksgiving(year).plus({ days: 1 }), interval: ['08:30', '12:00'] }],
        holidays: [
          { name: 'Thanksgiving', on: thanksgiving },
          { name: 'Christmas Day', on: yearly('12-25') },
        ],
      },
      {
        name: 'West Coast business hours',
        timeZone: 'America/Los_Angeles',
        weekly: [{ weekdays: [1, 2, 3, 4, 5], intervals: [['09:00', '18:00']] }],
        overrides: [{ on: yearly('12-24'), interval: ['09:00', '12:00'] }],
        holidays: [{ name: 'Christmas Day', on: yearly('12-25') }],
      },
    ],
    agents: [
      { name: 'Marcus Reed', role: 'ADMIN', workday: 0 },
      { name: 'Elena Garcia', role: 'MANAGER', workday: 0 },
      { name: 'Darnell Washington', role: 'AGENT', workday: 0 },
      { name: 'Hannah Kim', role: 'AGENT', timeZone: 'America/Los_Angeles', workday: 1 },
      { name: 'Tyler Brooks', role: 'AGENT', timeZone: 'America/Chicago', workday: 0 },
      { name: 'Mei Lin', role: 'AGENT', timeZone: 'America/Los_Angeles', workday: 1 },
      { name: 'Samuel Ortiz', role: 'AGENT', workday: 0 },
    ],
    teams: [
      { internalName: 'Tier 1', externalName: 'Customer Support', mode: 'ROUND_ROBIN', members: [[2, 1], [4, 2], [6, 3], [5, 4]] },
      { internalName: 'Tier 2', externalName: 'Technical Specialists', mode: 'ANY', members: [[1, null], [3, null], [5, null]] },
    ],
    appointmentTypes: [
      {
        internalName: 'onboarding-45',
        externalName: 'Onboarding session',
        description: 'Walk-through of your new account with a support specialist.',
        durationMinutes: 45,
        bufferAfterMinutes: 15,
        slotIntervalMinutes: 15,
        minimumNoticeMinutes: 120,
        confirmationFlow: 'INSTANT',
      },
      {
        internalName: 'escalation-review-60',
        externalName: 'Escalation review',
        durationMinutes: 60,
        bufferBeforeMinutes: 15,
        slotIntervalMinutes: 30,
        confirmationFlow: 'CONFIRM_DECLINE',
      },
      { internalName: 'callback-20', externalName: 'Support callback', durationMinutes: 20, slotIntervalMinutes: 10, confirmationFlow: 'INSTANT' },
    ],
    agentHolidays: [
      { agent: 3, name: 'Parental leave', days: [4, 16] },
      { agent: 4, name: 'Training', day: 0, hours: ['13:00', '17:00'] },
    ],
    customers: [
      { name: 'Evergreen Bakery', email: 'owner@evergreen-bakery.example', phone: '+1 212 555 0143' },
      { name: 'Harbor Point Realty', email: 'admin@harborpoint.example', phone: '+1 617 555 0177' },
      { name: 'Lakeside Veterinary', email: 'frontdesk@lakesidevet.example', timeZone: 'America/Chicago' },
      { name: 'Sierra Outfitters', email: 'ops@sierra-outfitters.example', timeZone: 'America/Los_Angeles' },
    ],
  },
  {
    name: 'Southern Cross Managed Services',
    slug: 'southern-cross',
    timeZone: 'Australia/Sydney',
    emailDomain: 'southerncross.example',
    workdays: [
      {
        name: 'Sydney office hours',
        weekly: [{ weekdays: [1, 2, 3, 4, 5], intervals: [['08:00', '16:30']] }],
        overrides: [{ on: yearly('12-31'), interval: ['08:00', '12:00'] }],
        holidays: [{ name: 'Australia Day', on: yearly('01-26') }],
      },
    ],
    agents: [
      { name: 'Charlotte Nguyen', role: 'ADMIN', workday: 0 },
      { name: 'Lachlan Murphy', role: 'AGENT', workday: 0 },
      { name: 'Aroha Tane', role: 'AGENT', timeZone: 'Pacific/Auckland', workday: 0 },
      { name: 'Ethan Walker', role: 'AGENT', timeZone: 'Australia/Brisbane', workday: 0 },
    ],
    teams: [{ internalName: 'noc', externalName: 'Network Operations', mode: 'ROUND_ROBIN', members: [[1, 1], [3, 2], [2, 3]] }],
    appointmentTypes: [
      {
        internalName: 'network-audit-90',
        externalName: 'Network audit',
        durationMinutes: 90,
        bufferBeforeMinutes: 15,
        bufferAfterMinutes: 15,
        slotIntervalMinutes: 30,
        confirmationFlow: 'CONFIRM_DECLINE',
      },
      { internalName: 'health-check-30', externalName: 'Quarterly health check', durationMinutes: 30, confirmationFlow: 'INSTANT' },
    ],
    agentHolidays: [{ agent: 1, name: 'Annual leave', days: [18, 33] }],
    customers: [
      { name: 'Bondi Physio', email: 'reception@bondiphysio.example', phone: '+61 2 5550 1234' },
      { name: 'Kauri Freight', email: 'it@kaurifreight.example', timeZone: 'Pacific/Auckland' },
    ],
  },
];

function emailOf(name: string, domain: string): string {
  const local = name
    .normalize('NFKD')
    .replace(/[^A-Za-z ]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '.');
  return `${local}@${domain}`;
}

/** Weekly hours of a workday spec as the scheduling rules read them. */
function weeklyIntervals(weekly: WeeklyHours[]): WeeklyInterval[] {
  return weekly.flatMap(({ weekdays, intervals }) =>
    weekdays.flatMap((weekday) => intervals.map(([startTime, endTime]) => ({ weekday, startTime, endTime }))),
  );
}

/**
 * Creates the demo accounts with their workdays, agents, teams, appointment
 * types, holidays and customers, and their bookings and scheduling requests
 * around `seededAt` (see demo-activity.ts), in one transaction. Not
 * idempotent: callers seed only an empty database. Returns the new account ids.
 */
export async function seedDemoData(db: Db, seededAt = new Date()): Promise<string[]> {
  return db.$transaction(
    async (tx) => {
      const accountIds: string[] = [];
      const activities: DemoActivity[] = [];
      // Dates count from the seed's UTC date, as the activity does; yearly dates are laid out for the years it spans.
      const seedDate = DateTime.fromJSDate(seededAt, { zone: 'UTC' }).startOf('day');
      const years = [seedDate.year - 1, seedDate.year, seedDate.year + 1];
      const everyYear = (on: YearlyDate) => years.map((year) => on(year).toISODate()!);
      const overridesOf = (workday: WorkdaySpec) =>
        workday.overrides.flatMap((override) => everyYear(override.on).map((day) => ({ date: day, interval: override.interval })));
      for (const [accountIndex, spec] of ACCOUNTS.entries()) {
        const account = await tx.account.create({ data: { name: spec.name, slug: spec.slug, timeZone: spec.timeZone } });
        const accountId = account.id;
        accountIds.push(accountId);

        const workdayIds: string[] = [];
        const workdayHolidays: Interval[][] = [];
        for (const workday of spec.workdays) {
          const zone = workday.timeZone ?? spec.timeZone;
          const created = await tx.workday.create({
            data: {
              accountId,
              name: workday.name,
              timeZone: zone,
              hours: {
                create: weeklyIntervals(workday.weekly).map(({ weekday, startTime, endTime }) => ({
                  accountId,
                  weekday,
                  startTime: time(startTime),
                  endTime: time(endTime),
                })),
              },
              overrides: {
                create: overridesOf(workday).map((override) => ({
                  accountId,
                  date: date(override.date),
                  startTime: override.interval ? time(override.interval[0]) : null,
                  endTime: override.interval ? time(override.interval[1]) : null,
                })),
              },
            },
          });
          workdayIds.push(created.id);
          const holidays = workday.holidays.flatMap((holiday) =>
            everyYear(holiday.on).map((day) => ({ name: holiday.name, startsAt: at(day, zone), endsAt: at(nextDate(day), zone) })),
          );
          workdayHolidays.push(holidays.map((holiday) => ({ start: holiday.startsAt.getTime(), end: holiday.endsAt.getTime() })));
          await tx.holiday.createMany({ data: holidays.map((holiday) => ({ accountId, workdayId: created.id, ...holiday, allDay: true })) });
        }

        const agentIds: string[] = [];
        for (const agent of spec.agents) {
          const created = await tx.agent.create({
            data: {
              accountId,
              name: agent.name,
              email: emailOf(agent.name, spec.emailDomain),
              role: agent.role,
              schedulable: agent.schedulable ?? true,
              timeZone: agent.timeZone ?? spec.timeZone,
              workdayId: workdayIds[agent.workday],
            },
          });
          agentIds.push(created.id);
        }

        const teams: DemoAccountActivityInput['teams'] = [];
        for (const team of spec.teams) {
          const created = await tx.team.create({
            data: { accountId, internalName: team.internalName, externalName: team.externalName, schedulingMode: team.mode },
          });
          await tx.teamMembership.createMany({
            data: team.members.map(([agent, priority]) => ({ accountId, teamId: created.id, agentId: agentIds[agent]!, priority })),
          });
          const memberIds = team.members.map(([agent]) => agent).filter((agent) => spec.agents[agent]!.schedulable ?? true).map((agent) => agentIds[agent]!);
          teams.push({ id: created.id, mode: team.mode, memberIds });
        }

        const types = await tx.appointmentType.createManyAndReturn({ data: spec.appointmentTypes.map((type) => ({ accountId, ...type })) });

        const agentHolidays = spec.agentHolidays.map((holiday) => {
          const zone = spec.agents[holiday.agent]!.timeZone ?? spec.timeZone;
          const day = (offset: number) => seedDate.plus({ days: offset }).toISODate()!;
          const [startsAt, endsAt] =
            'days' in holiday
              ? [at(day(holiday.days[0]), zone), at(day(holiday.days[1]), zone)]
              : [at(`${day(holiday.day)}T${holiday.hours[0]}`, zone), at(`${day(holiday.day)}T${holiday.hours[1]}`, zone)];
          return { accountId, agentId: agentIds[holiday.agent]!, name: holiday.name, startsAt, endsAt, allDay: 'days' in holiday };
        });
        await tx.holiday.createMany({ data: agentHolidays });

        const customers = await tx.customer.createManyAndReturn({ data: spec.customers.map((customer) => ({ accountId, ...customer })) });

        activities.push(planDemoActivity(
          {
            accountId,
            timeZone: spec.timeZone,
            agents: spec.agents.map((agent, index) => {
              const workday = spec.workdays[agent.workday]!;
              return {
                id: agentIds[index]!,
                schedulable: agent.schedulable ?? true,
                schedule: {
                  agentId: agentIds[index]!,
                  timeZone: workday.timeZone ?? spec.timeZone,
                  weeklyHours: weeklyIntervals(workday.weekly),
                  overrides: overridesOf(workday).map((override) => ({ date: override.date, startTime: override.interval?.[0] ?? null, endTime: override.interval?.[1] ?? null })),
                  holidays: [
                    ...workdayHolidays[agent.workday]!,
                    ...agentHolidays
                      .filter((holiday) => holiday.agentId === agentIds[index])
                      .map((holiday) => ({ start: holiday.startsAt.getTime(), end: holiday.endsAt.getTime() })),
                  ],
                },
              };
            }),
            teams,
            types: types.map((type) => ({ id: type.id, internalName: type.internalName, externalName: type.externalName, confirmationFlow: type.confirmationFlow, rules: rulesOf(type) })),
            customerIds: customers.map((customer) => customer.id),
          },
          seededAt,
          accountIndex,
        ));
      }
      await insertDemoActivity(tx, {
        requests: activities.flatMap((activity) => activity.requests),
        bookings: activities.flatMap((activity) => activity.bookings),
        events: activities.flatMap((activity) => activity.events),
        blocks: activities.flatMap((activity) => activity.blocks),
      });
      return accountIds;
    },
    { timeout: 60_000 },
  );
}

/**
 * Writes planned activity with one `unnest` statement per table (Prisma's createMany builds its statements in
 * JavaScript, several times slower for a few hundred rows). Bookings go in two statements, since a replacement names
 * the booking it replaces.
 */
async function insertDemoActivity(tx: Prisma.TransactionClient, activity: DemoActivity) {
  const requests = activity.requests;
  const column = <T, V>(rows: T[], value: (row: T) => V) => rows.map(value);
  await tx.$executeRaw`
    INSERT INTO scheduling_requests (id, account_id, appointment_type_id, requested_by_agent_id, customer_id, status,
                                     appointment_type_snapshot, agent_ids, team_ids, created_at, updated_at)
    SELECT id, account_id, appointment_type_id, requested_by_agent_id, customer_id, status::"SchedulingRequestStatus",
           snapshot, coalesce(array_remove(ARRAY[agent_id], NULL), '{}'), coalesce(array_remove(ARRAY[team_id], NULL), '{}'),
           created_at, updated_at
    FROM unnest(${column(requests, (row) => row.id)}::uuid[], ${column(requests, (row) => row.accountId)}::uuid[],
                ${column(requests, (row) => row.appointmentTypeId)}::uuid[], ${column(requests, (row) => row.requestedByAgentId)}::uuid[],
                ${column(requests, (row) => row.customerId)}::uuid[], ${column(requests, (row) => row.status)}::text[],
                ${column(requests, (row) => JSON.stringify(row.appointmentTypeSnapshot))}::jsonb[],
                ${column(requests, (row) => row.agentIds[0] ?? null)}::uuid[], ${column(requests, (row) => row.teamIds[0] ?? null)}::uuid[],
                ${column(requests, (row) => row.createdAt)}::timestamptz[], ${column(requests, (row) => row.updatedAt)}::timestamptz[])
         AS request(id, account_id, appointment_type_id, requested_by_agent_id, customer_id, status, snapshot, agent_id, team_id,
                    created_at, updated_at)`;
  for (const replacements of [false, true]) {
    const bookings = activity.bookings.filter((booking) => (booking.rescheduledFromId !== null) === replacements);
    await tx.$executeRaw`
      INSERT INTO bookings (id, account_id, appointment_type_id, agent_id, team_id, customer_id, status, starts_at, ends_at,
                            buffer_before_minutes, buffer_after_minutes, title, rescheduled_from_id, scheduling_request_id,
                            created_at, updated_at)
      SELECT id, account_id, appointment_type_id, agent_id, team_id, customer_id, status::"BookingStatus", starts_at, ends_at,
             buffer_before_minutes, buffer_after_minutes, title, rescheduled_from_id, scheduling_request_id, created_at, updated_at
      FROM unnest(${column(bookings, (row) => row.id)}::uuid[], ${column(bookings, (row) => row.accountId)}::uuid[],
                  ${column(bookings, (row) => row.appointmentTypeId)}::uuid[], ${column(bookings, (row) => row.agentId)}::uuid[],
                  ${column(bookings, (row) => row.teamId)}::uuid[], ${column(bookings, (row) => row.customerId)}::uuid[],
                  ${column(bookings, (row) => row.status)}::text[], ${column(bookings, (row) => row.startsAt)}::timestamptz[],
                  ${column(bookings, (row) => row.endsAt)}::timestamptz[], ${column(bookings, (row) => row.bufferBeforeMinutes)}::int[],
                  ${column(bookings, (row) => row.bufferAfterMinutes)}::int[], ${column(bookings, (row) => row.title)}::text[],
                  ${column(bookings, (row) => row.rescheduledFromId)}::uuid[], ${column(bookings, (row) => row.schedulingRequestId)}::uuid[],
                  ${column(bookings, (row) => row.createdAt)}::timestamptz[], ${column(bookings, (row) => row.updatedAt)}::timestamptz[])
           AS booking(id, account_id, appointment_type_id, agent_id, team_id, customer_id, status, starts_at, ends_at,
                      buffer_before_minutes, buffer_after_minutes, title, rescheduled_from_id, scheduling_request_id, created_at, updated_at)`;
  }
  const held = activity.bookings.flatMap((booking) => booking.agentIds.map((agentId) => ({ accountId: booking.accountId, bookingId: booking.id, agentId })));
  await tx.$executeRaw`
    INSERT INTO booking_agents (account_id, booking_id, agent_id)
    SELECT * FROM unnest(${column(held, (row) => row.accountId)}::uuid[], ${column(held, (row) => row.bookingId)}::uuid[],
                         ${column(held, (row) => row.agentId)}::uuid[])`;
  const events = activity.events;
  await tx.$executeRaw`
    INSERT INTO booking_events (account_id, booking_id, type, from_status, to_status, reason, related_booking_id, occurred_at)
    SELECT account_id, booking_id, type::"BookingEventType", from_status::"BookingStatus", to_status::"BookingStatus", reason,
           related_booking_id, occurred_at
    FROM unnest(${column(events, (row) => row.accountId)}::uuid[], ${column(events, (row) => row.bookingId)}::uuid[],
                ${column(events, (row) => row.type)}::text[], ${column(events, (row) => row.fromStatus)}::text[],
                ${column(events, (row) => row.toStatus)}::text[], ${column(events, (row) => row.reason)}::text[],
                ${column(events, (row) => row.relatedBookingId)}::uuid[], ${column(events, (row) => row.occurredAt)}::timestamptz[])
         AS event(account_id, booking_id, type, from_status, to_status, reason, related_booking_id, occurred_at)`;
  const blocks = activity.blocks;
  await tx.$executeRaw`
    INSERT INTO time_blocks (account_id, agent_id, booking_id, during, active)
    SELECT account_id, agent_id, booking_id, tstzrange(lower_bound, upper_bound, '[)'), active
    FROM unnest(${column(blocks, (row) => row.accountId)}::uuid[], ${column(blocks, (row) => row.agentId)}::uuid[],
                ${column(blocks, (row) => row.bookingId)}::uuid[], ${column(blocks, (row) => row.start)}::timestamptz[],
                ${column(blocks, (row) => row.end)}::timestamptz[], ${column(blocks, (row) => row.active)}::boolean[])
         AS block(account_id, agent_id, booking_id, lower_bound, upper_bound, active)`;
}

export interface DemoClient {
  clientId: string;
  clientSecret: string;
}

function demoClientFile(dataDir: string): string {
  return path.resolve(dataDir, 'demo-client.json');
}

/**
 * Seeds the demo data and creates an API client with every scope on all
 * accounts. Secrets are stored only hashed, so the plain credentials are
 * kept in `<dataDir>/demo-client.json` (git-ignored, owner-only) for
 * `npm start` to print on every run.
 */
export async function seedDemo(db: Db, dataDir: string): Promise<{ accountIds: string[]; client: DemoClient }> {
  const accountIds = await seedDemoData(db);
  const created = await createApiClient(db, { name: 'Demo client', scopes: ['read', 'write', 'admin'], accounts: 'all' });
  const client = { clientId: created.clientId, clientSecret: created.clientSecret };
  await mkdir(path.resolve(dataDir), { recursive: true });
  await writeFile(demoClientFile(dataDir), `${JSON.stringify(client, null, 2)}\n`, { mode: 0o600 });
  await chmod(demoClientFile(dataDir), 0o600);
  return { accountIds, client };
}

/** The saved demo credentials, if they belong to a client of this database that is not revoked. */
export async function readDemoClient(db: Db, dataDir: string): Promise<DemoClient | undefined> {
  let saved: DemoClient;
  try {
    saved = JSON.parse(await readFile(demoClientFile(dataDir), 'utf8')) as DemoClient;
  } catch {
    return undefined;
  }
  const row = await db.apiClient.findUnique({ where: { clientId: saved.clientId }, select: { revokedAt: true } });
  return row && !row.revokedAt ? saved : undefined;
}
