/**
 * What each list (and each report subject) lets a TQL filter name, and where
 * that lands in the query. Attribute names follow TimeZest: `object.property`
 * in snake_case; plural objects and camelCase properties are accepted too.
 */
import { Prisma } from '../generated/prisma/client.ts';
import { BOOKING_STATUSES, SCHEDULING_REQUEST_STATUSES } from '../scheduling/booking-lifecycle.ts';
import { decodeIdOf } from '../schema/global-id.ts';
import type { PrismaAttribute, SqlAttribute } from './compile.ts';

type Where = Record<string, unknown>;

/** Ids in filters are the API's global ids; a malformed one, or one of another type, matches nothing. */
const NO_ROW = '00000000-0000-0000-0000-000000000000';
const globalId = (typename: string) => (value: string) => {
  try {
    return decodeIdOf(typename, value) ?? NO_ROW;
  } catch {
    return NO_ROW;
  }
};

const field = (name: string) => (condition: Where) => ({ [name]: condition });
const through = (relation: string, name: string) => (condition: Where) => ({ [relation]: { [name]: condition } });
const throughMany = (relation: string, inner: string, name: string) => (condition: Where) => ({
  [relation]: { some: { [inner]: { [name]: condition } } },
});

const ROLES = ['ADMIN', 'MANAGER', 'AGENT'] as const;
const MODES = ['ANY', 'ROUND_ROBIN', 'COLLECTIVE'] as const;

export const ACCOUNT_FILTERS: PrismaAttribute[] = [
  { name: 'account.id', type: 'id', where: field('id'), toColumn: globalId('Account') },
  { name: 'account.name', type: 'string', where: field('name') },
  { name: 'account.slug', type: 'string', where: field('slug') },
  { name: 'account.time_zone', type: 'string', where: field('timeZone') },
  { name: 'account.created_at', type: 'datetime', where: field('createdAt') },
];

export const AGENT_FILTERS: PrismaAttribute[] = [
  { name: 'agent.id', type: 'id', where: field('id'), toColumn: globalId('Agent') },
  { name: 'agent.name', type: 'string', where: field('name') },
  { name: 'agent.email', type: 'string', where: field('email') },
  { name: 'agent.role', type: 'enum', values: ROLES, where: field('role') },
  { name: 'agent.schedulable', type: 'boolean', where: field('schedulable') },
  { name: 'agent.time_zone', type: 'string', where: field('timeZone') },
  { name: 'agent.created_at', type: 'datetime', where: field('createdAt') },
  { name: 'team.id', type: 'id', where: (condition) => ({ memberships: { some: { teamId: condition } } }), toColumn: globalId('Team') },
  { name: 'team.name', type: 'string', where: throughMany('memberships', 'team', 'internalName'), description: 'A team the agent is in.' },
  { name: 'workday.name', type: 'string', where: through('workday', 'name') },
  { name: 'account.name', type: 'string', where: through('account', 'name') },
];

export const TEAM_FILTERS: PrismaAttribute[] = [
  { name: 'team.id', type: 'id', where: field('id'), toColumn: globalId('Team') },
  { name: 'team.name', type: 'string', where: field('internalName'), aliases: ['team.internal_name'] },
  { name: 'team.external_name', type: 'string', where: field('externalName') },
  { name: 'team.scheduling_mode', type: 'enum', values: MODES, where: field('schedulingMode') },
  { name: 'agent.name', type: 'string', where: throughMany('memberships', 'agent', 'name'), description: 'A member of the team.' },
  { name: 'agent.email', type: 'string', where: throughMany('memberships', 'agent', 'email') },
  { name: 'account.name', type: 'string', where: through('account', 'name') },
];

export const APPOINTMENT_TYPE_FILTERS: PrismaAttribute[] = [
  { name: 'appointment_type.id', type: 'id', where: field('id'), toColumn: globalId('AppointmentType') },
  { name: 'appointment_type.name', type: 'string', where: field('internalName'), aliases: ['appointment_type.internal_name'] },
  { name: 'appointment_type.external_name', type: 'string', where: field('externalName') },
  { name: 'appointment_type.duration_minutes', type: 'number', where: field('durationMinutes') },
  { name: 'appointment_type.confirmation_flow', type: 'enum', values: ['INSTANT', 'CONFIRM_DECLINE'], where: field('confirmationFlow') },
  { name: 'appointment_type.active', type: 'boolean', where: field('active') },
  { name: 'account.name', type: 'string', where: through('account', 'name') },
];

export const WORKDAY_FILTERS: PrismaAttribute[] = [
  { name: 'workday.id', type: 'id', where: field('id'), toColumn: globalId('Workday') },
  { name: 'workday.name', type: 'string', where: field('name') },
  { name: 'workday.time_zone', type: 'string', where: field('timeZone') },
  { name: 'account.name', type: 'string', where: through('account', 'name') },
];

export const HOLIDAY_FILTERS: PrismaAttribute[] = [
  { name: 'holiday.name', type: 'string', where: field('name') },
  { name: 'holiday.starts_at', type: 'datetime', where: field('startsAt') },
  { name: 'holiday.ends_at', type: 'datetime', where: field('endsAt') },
  { name: 'holiday.all_day', type: 'boolean', where: field('allDay') },
  { name: 'agent.id', type: 'id', nullable: true, where: field('agentId'), toColumn: globalId('Agent') },
  { name: 'agent.name', type: 'string', where: through('agent', 'name') },
  { name: 'workday.id', type: 'id', nullable: true, where: field('workdayId'), toColumn: globalId('Workday') },
  { name: 'workday.name', type: 'string', where: through('workday', 'name') },
];

export const CUSTOMER_FILTERS: PrismaAttribute[] = [
  { name: 'customer.id', type: 'id', where: field('id'), toColumn: globalId('Customer') },
  { name: 'customer.name', type: 'string', where: field('name') },
  { name: 'customer.email', type: 'string', where: field('email') },
  { name: 'customer.phone', type: 'string', nullable: true, where: field('phone') },
  { name: 'customer.time_zone', type: 'string', nullable: true, where: field('timeZone') },
  { name: 'customer.created_at', type: 'datetime', where: field('createdAt') },
  { name: 'account.name', type: 'string', where: through('account', 'name') },
];

export const BOOKING_FILTERS: PrismaAttribute[] = [
  { name: 'booking.id', type: 'id', where: field('id'), toColumn: globalId('Booking') },
  { name: 'booking.status', type: 'enum', values: BOOKING_STATUSES, where: field('status') },
  { name: 'booking.starts_at', type: 'datetime', where: field('startsAt') },
  { name: 'booking.ends_at', type: 'datetime', where: field('endsAt') },
  { name: 'booking.created_at', type: 'datetime', where: field('createdAt') },
  { name: 'booking.title', type: 'string', nullable: true, where: field('title') },
  { name: 'booking.description', type: 'string', nullable: true, where: field('description') },
  { name: 'booking.location', type: 'string', nullable: true, where: field('location') },
  { name: 'agent.id', type: 'id', where: (condition) => ({ agents: { some: { agentId: condition } } }), toColumn: globalId('Agent'), description: 'An agent the booking holds.' },
  { name: 'agent.name', type: 'string', where: throughMany('agents', 'agent', 'name') },
  { name: 'agent.email', type: 'string', where: throughMany('agents', 'agent', 'email') },
  { name: 'team.id', type: 'id', nullable: true, where: field('teamId'), toColumn: globalId('Team') },
  { name: 'team.name', type: 'string', where: through('team', 'internalName') },
  { name: 'appointment_type.id', type: 'id', where: field('appointmentTypeId'), toColumn: globalId('AppointmentType') },
  { name: 'appointment_type.name', type: 'string', where: through('appointmentType', 'internalName') },
  { name: 'customer.id', type: 'id', where: field('customerId'), toColumn: globalId('Customer') },
  { name: 'customer.name', type: 'string', where: through('customer', 'name') },
  { name: 'customer.email', type: 'string', where: through('customer', 'email') },
  { name: 'account.name', type: 'string', where: through('account', 'name') },
];

export const SCHEDULING_REQUEST_FILTERS: PrismaAttribute[] = [
  { name: 'scheduling_request.id', type: 'id', where: field('id'), toColumn: globalId('SchedulingRequest') },
  { name: 'scheduling_request.status', type: 'enum', values: SCHEDULING_REQUEST_STATUSES, where: field('status') },
  { name: 'scheduling_request.created_at', type: 'datetime', where: field('createdAt') },
  { name: 'agent.id', type: 'id', where: field('requestedByAgentId'), toColumn: globalId('Agent'), description: 'The requesting agent.' },
  { name: 'agent.name', type: 'string', where: through('requestedByAgent', 'name') },
  { name: 'agent.email', type: 'string', where: through('requestedByAgent', 'email') },
  { name: 'appointment_type.name', type: 'string', where: through('appointmentType', 'internalName') },
  { name: 'customer.name', type: 'string', where: through('customer', 'name') },
  { name: 'customer.email', type: 'string', where: through('customer', 'email') },
  { name: 'account.name', type: 'string', where: through('account', 'name') },
];

export const API_CLIENT_FILTERS: PrismaAttribute[] = [
  { name: 'api_client.name', type: 'string', where: field('name') },
  { name: 'api_client.client_id', type: 'string', where: field('clientId') },
  { name: 'api_client.all_accounts', type: 'boolean', where: field('allAccounts') },
  { name: 'api_client.revoked_at', type: 'datetime', nullable: true, where: field('revokedAt') },
  { name: 'api_client.created_at', type: 'datetime', where: field('createdAt') },
];

// ---- Reports -------------------------------------------------------------------

const column = (sql: string) => Prisma.raw(sql);
const related = (table: string, alias: string, link: string, name: string) => (condition: (column: Prisma.Sql) => Prisma.Sql) =>
  Prisma.sql`EXISTS (SELECT 1 FROM ${Prisma.raw(table)} AS ${Prisma.raw(alias)} WHERE ${Prisma.raw(link)} AND ${condition(Prisma.raw(`${alias}.${name}`))})`;

export const BOOKING_REPORT_FILTERS: SqlAttribute[] = [
  { name: 'booking.status', type: 'enum', values: BOOKING_STATUSES, sql: column('subject.status::text') },
  { name: 'booking.starts_at', type: 'datetime', sql: column('subject.starts_at') },
  { name: 'booking.ends_at', type: 'datetime', sql: column('subject.ends_at') },
  { name: 'booking.created_at', type: 'datetime', sql: column('subject.created_at') },
  { name: 'booking.title', type: 'string', nullable: true, sql: column('subject.title') },
  {
    name: 'agent.id',
    type: 'id',
    toColumn: globalId('Agent'),
    sql: (condition) =>
      Prisma.sql`EXISTS (SELECT 1 FROM booking_agents AS held WHERE held.booking_id = subject.id AND ${condition(Prisma.raw('held.agent_id::text'))})`,
  },
  {
    name: 'agent.name',
    type: 'string',
    sql: (condition) =>
      Prisma.sql`EXISTS (SELECT 1 FROM booking_agents AS held JOIN agents AS held_agent ON held_agent.id = held.agent_id
        WHERE held.booking_id = subject.id AND ${condition(Prisma.raw('held_agent.name'))})`,
  },
  { name: 'team.id', type: 'id', nullable: true, toColumn: globalId('Team'), sql: column('subject.team_id::text') },
  { name: 'team.name', type: 'string', sql: related('teams', 'filter_team', 'filter_team.id = subject.team_id', 'internal_name') },
  { name: 'appointment_type.id', type: 'id', toColumn: globalId('AppointmentType'), sql: column('subject.appointment_type_id::text') },
  {
    name: 'appointment_type.name',
    type: 'string',
    sql: related('appointment_types', 'filter_type', 'filter_type.id = subject.appointment_type_id', 'internal_name'),
  },
  { name: 'customer.id', type: 'id', toColumn: globalId('Customer'), sql: column('subject.customer_id::text') },
  { name: 'customer.name', type: 'string', sql: related('customers', 'filter_customer', 'filter_customer.id = subject.customer_id', 'name') },
  { name: 'customer.email', type: 'string', sql: related('customers', 'filter_customer', 'filter_customer.id = subject.customer_id', 'email') },
  { name: 'account.name', type: 'string', sql: related('accounts', 'filter_account', 'filter_account.id = subject.account_id', 'name') },
];

export const SCHEDULING_REQUEST_REPORT_FILTERS: SqlAttribute[] = [
  { name: 'scheduling_request.status', type: 'enum', values: SCHEDULING_REQUEST_STATUSES, sql: column('subject.status::text') },
  { name: 'scheduling_request.created_at', type: 'datetime', sql: column('subject.created_at') },
  { name: 'agent.id', type: 'id', toColumn: globalId('Agent'), sql: column('subject.requested_by_agent_id::text') },
  { name: 'agent.name', type: 'string', sql: related('agents', 'filter_agent', 'filter_agent.id = subject.requested_by_agent_id', 'name') },
  {
    name: 'appointment_type.name',
    type: 'string',
    sql: related('appointment_types', 'filter_type', 'filter_type.id = subject.appointment_type_id', 'internal_name'),
  },
  { name: 'customer.name', type: 'string', sql: related('customers', 'filter_customer', 'filter_customer.id = subject.customer_id', 'name') },
  { name: 'account.name', type: 'string', sql: related('accounts', 'filter_account', 'filter_account.id = subject.account_id', 'name') },
];

export const RESOURCE_FILTERS: SqlAttribute[] = [
  { name: 'resource.name', type: 'string', sql: column('resources.name'), description: 'An agent’s name or a team’s internal name.' },
  { name: 'resource.kind', type: 'enum', values: ['AGENT', 'TEAM'], sql: column('resources.kind') },
];
