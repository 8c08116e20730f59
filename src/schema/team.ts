import { z } from 'zod';
import { builder } from './builder.ts';
import { nonBlank } from './account.ts';
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
import { TEAM_FILTERS } from '../query/catalogs.ts';
import type { Context } from './context.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { AgentRef } from './agent.ts';
import { ResourceInterface } from './resource-interface.ts';

export const TeamSchedulingMode = builder.enumType('TeamSchedulingMode', {
  description: 'How a booking with the team picks its agents.',
  values: {
    ANY: { description: 'Any free member can take a slot; every free member is listed.' },
    ROUND_ROBIN: { description: 'One free member is assigned, spreading bookings evenly.' },
    COLLECTIVE: { description: 'A slot exists only when every member is free; all attend.' },
  } as const,
});

builder.prismaObject('TeamMembership', {
  name: 'TeamMember',
  description: 'An agent in a team, with the priority used to break round-robin ties (lower first).',
  fields: (t) => ({
    agent: t.relation('agent'),
    priority: t.exposeInt('priority', { nullable: true }),
  }),
});

export const TeamRef = builder.prismaNode('Team', {
  id: { field: 'id' },
  // Loading by id yields null for a row outside the token's accounts.
  nullable: true,
  interfaces: [ResourceInterface],
  description: 'A group of agents that can be scheduled as one resource (TimeZest team).',
  fields: (t) => ({
    account: t.relation('account'),
    internalName: t.exposeString('internalName', { description: 'The name agents see.' }),
    externalName: t.exposeString('externalName', { description: 'The name customers see.' }),
    schedulingMode: t.expose('schedulingMode', { type: TeamSchedulingMode }),
    members: t.relation('memberships', {
      query: { orderBy: [{ priority: { sort: 'asc', nulls: 'last' } }, { createdAt: 'asc' }, { id: 'asc' }] },
    }),
    agents: t.field({
      type: [AgentRef],
      select: (_args, _context, nestedSelection) => ({
        memberships: {
          select: { agent: nestedSelection(true) },
          orderBy: [{ priority: { sort: 'asc', nulls: 'last' } }, { createdAt: 'asc' }, { id: 'asc' }],
        },
      }),
      resolve: (team) => team.memberships.map((membership) => membership.agent),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

// Declared here rather than in agent.ts, so the two types do not import each other.
builder.prismaObjectFields('Agent', (t) => ({
  teams: t.field({
    type: [TeamRef],
    description: 'The teams this agent is a member of.',
    select: (_args, _context, nestedSelection) => ({
      memberships: { select: { team: nestedSelection(true) }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
    }),
    resolve: (agent) => agent.memberships.map((membership) => membership.team),
  }),
}));

const teamOrder = orderByInput('Team', {
  INTERNAL_NAME: 'internalName',
  EXTERNAL_NAME: 'externalName',
  CREATED_AT: 'createdAt',
});

const TeamWhere = builder.inputType('TeamWhere', {
  fields: (t) => ({
    internalName: t.field({ type: StringFilter, required: false }),
    externalName: t.field({ type: StringFilter, required: false }),
    schedulingModes: t.field({ type: [TeamSchedulingMode], required: false }),
    memberIds: t.idList({ required: false, description: 'Teams with any of these agents.' }),
  }),
});

function teamWhere(context: Context, args: { accountIds?: readonly string[] | null; filter?: string | null; where?: typeof TeamWhere.$inferInput | null }) {
  const where = args.where;
  return withFilter(
    {
      accountId: { in: accountsInScope(context, args.accountIds) },
      AND: stringFilters({ internalName: where?.internalName, externalName: where?.externalName }),
      schedulingMode: where?.schedulingModes ? { in: where.schedulingModes } : undefined,
      memberships: where?.memberIds ? { some: { agentId: idsFilter('Agent', where.memberIds) } } : undefined,
    },
    args.filter,
    TEAM_FILTERS,
  );
}

builder.queryFields((t) => ({
  teams: t.prismaConnection({
    type: 'Team',
    cursor: 'id',
    nullable: true,
    authScopes: { read: true },
    args: { ...accountIdsArg, ...filterArgs(TEAM_FILTERS), where: t.arg({ type: TeamWhere, required: false }), ...teamOrder.args },
    resolve: (query, _root, args, context) =>
      context.db.team.findMany({ ...query, where: teamWhere(context, args), orderBy: teamOrder.toPrisma(args.orderBy) }),
    totalCount: (_parent, args, context) => context.db.team.count({ where: teamWhere(context, args) }),
  }, { name: 'TeamConnection' }, { name: 'TeamEdge' }),
}));

// ---- Mutations -----------------------------------------------------------------

const TeamMemberInput = builder.inputType('TeamMemberInput', {
  fields: (t) => ({
    agentId: t.id(),
    priority: t.int({ required: false, validate: z.number().int().min(0).max(1000) }),
  }),
});

const CreateTeamInput = builder.inputType('CreateTeamInput', {
  fields: (t) => ({
    accountId: t.id({ required: false, description: 'Required when the token covers more than one account.' }),
    internalName: t.string({ validate: nonBlank }),
    externalName: t.string({ required: false, validate: nonBlank, description: 'Defaults to the internal name.' }),
    schedulingMode: t.field({ type: TeamSchedulingMode, required: false }),
    members: t.field({ type: [TeamMemberInput], required: false }),
  }),
});

const UpdateTeamInput = builder.inputType('UpdateTeamInput', {
  fields: (t) => ({
    internalName: t.string({ required: false, validate: nonBlank }),
    externalName: t.string({ required: false, validate: nonBlank }),
    schedulingMode: t.field({ type: TeamSchedulingMode, required: false }),
    members: t.field({ type: [TeamMemberInput], required: false, description: 'Replaces the whole member list.' }),
  }),
});

type MemberInput = { agentId: string; priority?: number | null };

/** Resolves member inputs to agents of the team's account; a foreign or unknown agent is not found. */
async function membershipRows(context: Context, accountId: string, members: readonly MemberInput[]) {
  const agentIds = members.map((member, index) => inputId('Agent', member.agentId, ['input', 'members', String(index), 'agentId']));
  const duplicate = agentIds.findIndex((id, index) => agentIds.indexOf(id) !== index);
  if (duplicate >= 0) throw ValidationError.of(['input', 'members', String(duplicate), 'agentId'], 'This agent is listed twice');
  const found = await context.db.agent.findMany({ where: { accountId, id: { in: agentIds } }, select: { id: true } });
  const known = new Set(found.map((agent) => agent.id));
  const missing = agentIds.findIndex((id) => !known.has(id));
  if (missing >= 0) throw new NotFoundError(members[missing]!.agentId);
  return members.map((member, index) => ({ accountId, agentId: agentIds[index]!, priority: member.priority ?? null }));
}

builder.mutationFields((t) => ({
  createTeam: t.prismaField({
    type: 'Team',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { input: t.arg({ type: CreateTeamInput }) },
    resolve: async (query, _root, { input }, context) => {
      const accountId = targetAccount(context, input.accountId);
      const members = await membershipRows(context, accountId, input.members ?? []);
      return context.db.team.create({
        ...query,
        data: {
          accountId,
          internalName: input.internalName.trim(),
          externalName: (input.externalName ?? input.internalName).trim(),
          schedulingMode: input.schedulingMode ?? undefined,
          memberships: { createMany: { data: members.map(({ agentId, priority }) => ({ accountId, agentId, priority })) } },
        },
      });
    },
  }),
  updateTeam: t.prismaField({
    type: 'Team',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id(), input: t.arg({ type: UpdateTeamInput }) },
    resolve: async (query, _root, { id, input }, context) => {
      const team = await context.db.team.findUnique({ where: { id: idOf('Team', id) }, select: { id: true, accountId: true } });
      if (!team) throw new NotFoundError(id);
      const members = input.members ? await membershipRows(context, team.accountId, input.members) : undefined;
      return write(id, () =>
        context.db.team.update({
          ...query,
          where: { id: team.id },
          data: {
            internalName: input.internalName?.trim() ?? undefined,
            externalName: input.externalName?.trim() ?? undefined,
            schedulingMode: input.schedulingMode ?? undefined,
            memberships: members && {
              deleteMany: {},
              createMany: { data: members.map(({ accountId, agentId, priority }) => ({ accountId, agentId, priority })) },
            },
          },
        }),
      );
    },
  }),
  deleteTeam: t.field({
    type: 'ID',
    authScopes: { write: true },
    description: 'Deletes a team (its agents stay). Returns the deleted id.',
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => {
      await write(id, () => context.db.team.delete({ where: { id: idOf('Team', id) } }));
      return id;
    },
  }),
}));
