import { z } from 'zod';
import { builder } from './builder.ts';
import { ianaTimeZone, nonBlank } from './account.ts';
import {
  accountIdsArg,
  accountsInScope,
  idOf,
  idsFilter,
  inputId,
  MUTATION_ERRORS,
  orderByInput,
  StringFilter,
  stringFilters,
  targetAccount,
  write,
  filterArgs,
  withFilter,
} from './common.ts';
import { AGENT_FILTERS } from '../query/catalogs.ts';
import type { Context } from './context.ts';
import { NotFoundError } from './errors.ts';
import { ResourceInterface } from './resource-interface.ts';

export const AgentRole = builder.enumType('AgentRole', { values: ['ADMIN', 'MANAGER', 'AGENT'] as const });

export const AgentRef = builder.prismaNode('Agent', {
  id: { field: 'id' },
  // Loading by id yields null for a row outside the token's accounts.
  nullable: true,
  interfaces: [ResourceInterface],
  description: 'A person who can have appointments scheduled for them (TimeZest agent, HaloPSA agent).',
  fields: (t) => ({
    account: t.relation('account'),
    name: t.exposeString('name'),
    email: t.exposeString('email'),
    role: t.expose('role', { type: AgentRole }),
    schedulable: t.exposeBoolean('schedulable', { description: 'Whether appointments may be booked with this agent.' }),
    timeZone: t.expose('timeZone', { type: 'TimeZone' }),
    workday: t.relation('workday', { nullable: true, description: 'The business hours this agent works.' }),
    holidays: t.relation('holidays', {
      description: 'Leave of this agent (not the holidays of its workday), in start order.',
      query: { orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const agentOrder = orderByInput('Agent', {
  NAME: 'name',
  EMAIL: 'email',
  ROLE: 'role',
  TIME_ZONE: 'timeZone',
  CREATED_AT: 'createdAt',
});

const AgentWhere = builder.inputType('AgentWhere', {
  fields: (t) => ({
    name: t.field({ type: StringFilter, required: false }),
    email: t.field({ type: StringFilter, required: false }),
    roles: t.field({ type: [AgentRole], required: false }),
    schedulable: t.boolean({ required: false }),
    timeZone: t.string({ required: false }),
    teamIds: t.idList({ required: false, description: 'Members of any of these teams.' }),
    workdayIds: t.idList({ required: false }),
  }),
});

function agentWhere(context: Context, args: { accountIds?: readonly string[] | null; filter?: string | null; where?: typeof AgentWhere.$inferInput | null }) {
  const where = args.where;
  return withFilter(
    {
      accountId: { in: accountsInScope(context, args.accountIds) },
      AND: stringFilters({ name: where?.name, email: where?.email }),
      role: where?.roles ? { in: where.roles } : undefined,
      schedulable: where?.schedulable ?? undefined,
      timeZone: where?.timeZone ?? undefined,
      workdayId: idsFilter('Workday', where?.workdayIds),
      memberships: where?.teamIds ? { some: { teamId: idsFilter('Team', where.teamIds) } } : undefined,
    },
    args.filter,
    AGENT_FILTERS,
  );
}

builder.queryFields((t) => ({
  agents: t.prismaConnection({
    type: 'Agent',
    cursor: 'id',
    nullable: true,
    authScopes: { read: true },
    description: 'Agents of the token’s accounts (or of `accountIds`).',
    args: { ...accountIdsArg, ...filterArgs(AGENT_FILTERS), where: t.arg({ type: AgentWhere, required: false }), ...agentOrder.args },
    resolve: (query, _root, args, context) =>
      context.db.agent.findMany({ ...query, where: agentWhere(context, args), orderBy: agentOrder.toPrisma(args.orderBy) }),
    totalCount: (_parent, args, context) => context.db.agent.count({ where: agentWhere(context, args) }),
  }, { name: 'AgentConnection' }, { name: 'AgentEdge' }),
}));

// ---- Mutations -----------------------------------------------------------------

const agentFields = {
  name: nonBlank,
  email: z.email('Must be an email address').max(320),
  timeZone: ianaTimeZone,
};

const CreateAgentInput = builder.inputType('CreateAgentInput', {
  fields: (t) => ({
    accountId: t.id({ required: false, description: 'Required when the token covers more than one account.' }),
    name: t.string({ validate: agentFields.name }),
    email: t.string({ validate: agentFields.email }),
    role: t.field({ type: AgentRole, required: false }),
    schedulable: t.boolean({ required: false }),
    timeZone: t.field({ type: 'TimeZone' }),
    workdayId: t.id({ required: false }),
  }),
});

const UpdateAgentInput = builder.inputType('UpdateAgentInput', {
  fields: (t) => ({
    name: t.string({ required: false, validate: agentFields.name }),
    email: t.string({ required: false, validate: agentFields.email }),
    role: t.field({ type: AgentRole, required: false }),
    schedulable: t.boolean({ required: false }),
    timeZone: t.field({ type: 'TimeZone', required: false }),
    workdayId: t.id({ required: false, description: 'A workday id, or null to detach the agent from its workday.' }),
  }),
});

/** A workday referenced by an input must exist in the same account. */
async function workdayInAccount(context: Context, globalId: string, accountId: string) {
  const id = inputId('Workday', globalId, ['input', 'workdayId']);
  const workday = await context.db.workday.findFirst({ where: { id, accountId }, select: { id: true } });
  if (!workday) throw new NotFoundError(globalId);
  return id;
}

const EMAIL_UNIQUE = { email: ['input', 'email'] };

builder.mutationFields((t) => ({
  createAgent: t.prismaField({
    type: 'Agent',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { input: t.arg({ type: CreateAgentInput }) },
    resolve: async (query, _root, { input }, context) => {
      const accountId = targetAccount(context, input.accountId);
      const workdayId = input.workdayId ? await workdayInAccount(context, input.workdayId, accountId) : null;
      return write(
        undefined,
        () =>
          context.db.agent.create({
            ...query,
            data: {
              accountId,
              name: input.name.trim(),
              email: input.email.toLowerCase(),
              role: input.role ?? undefined,
              schedulable: input.schedulable ?? undefined,
              timeZone: input.timeZone,
              workdayId,
            },
          }),
        EMAIL_UNIQUE,
      );
    },
  }),
  updateAgent: t.prismaField({
    type: 'Agent',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id(), input: t.arg({ type: UpdateAgentInput }) },
    resolve: async (query, _root, { id, input }, context) => {
      const agent = await context.db.agent.findUnique({ where: { id: idOf('Agent', id) }, select: { id: true, accountId: true } });
      if (!agent) throw new NotFoundError(id);
      const workdayId =
        input.workdayId === undefined ? undefined : input.workdayId === null ? null : await workdayInAccount(context, input.workdayId, agent.accountId);
      return write(
        id,
        () =>
          context.db.agent.update({
            ...query,
            where: { id: agent.id },
            data: {
              name: input.name?.trim() ?? undefined,
              email: input.email?.toLowerCase() ?? undefined,
              role: input.role ?? undefined,
              schedulable: input.schedulable ?? undefined,
              timeZone: input.timeZone ?? undefined,
              workdayId,
            },
          }),
        EMAIL_UNIQUE,
      );
    },
  }),
  deleteAgent: t.field({
    type: 'ID',
    authScopes: { write: true },
    description: 'Deletes an agent, its team memberships and its holidays. Returns the deleted id.',
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => {
      await write(id, () => context.db.agent.delete({ where: { id: idOf('Agent', id) } }));
      return id;
    },
  }),
}));
