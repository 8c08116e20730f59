import { z } from 'zod';
import { builder } from './builder.ts';
import { accountIdsArg, accountsInScope, idOf, MUTATION_ERRORS, orderByInput, stringFilters, StringFilter, write, filterArgs, withFilter } from './common.ts';
import { ACCOUNT_FILTERS } from '../query/catalogs.ts';
import { uniqueSlug } from '../db/accounts.ts';
import { isIanaTimeZone } from '../scheduling/time-zone.ts';
import { MAX_LISTED_ACCOUNTS } from '../auth/api-clients.ts';
import { rateLimitedError } from '../rate-limits/http.ts';
import type { Context } from './context.ts';
import { ValidationError } from './errors.ts';

export const ianaTimeZone = z.string().refine(isIanaTimeZone, 'Must be an IANA time zone name such as Europe/London');
export const nonBlank = z.string().trim().min(1, 'Must not be blank').max(200);

export const AccountRef = builder.prismaNode('Account', {
  id: { field: 'id' },
  // Loading by id yields null for a row outside the token's accounts.
  nullable: true,
  description: 'A tenant: a business whose agents, teams and bookings are kept apart from every other account.',
  fields: (t) => ({
    name: t.exposeString('name'),
    slug: t.exposeString('slug'),
    timeZone: t.expose('timeZone', { type: 'TimeZone', description: 'The default IANA time zone of the account.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const accountOrder = orderByInput('Account', { NAME: 'name', SLUG: 'slug', CREATED_AT: 'createdAt' });

const AccountWhere = builder.inputType('AccountWhere', {
  fields: (t) => ({
    name: t.field({ type: StringFilter, required: false }),
    slug: t.field({ type: StringFilter, required: false }),
  }),
});

builder.queryFields((t) => ({
  accounts: t.prismaConnection({
    type: 'Account',
    cursor: 'id',
    nullable: true,
    authScopes: { read: true },
    description: 'The accounts this token may access.',
    args: { ...accountIdsArg, ...filterArgs(ACCOUNT_FILTERS), where: t.arg({ type: AccountWhere, required: false }), ...accountOrder.args },
    resolve: (query, _root, args, context) =>
      context.db.account.findMany({
        ...query,
        where: accountWhere(args, context),
        orderBy: accountOrder.toPrisma(args.orderBy),
      }),
    totalCount: (_parent, args, context) => context.db.account.count({ where: accountWhere(args, context) }),
  }, { name: 'AccountConnection' }, { name: 'AccountEdge' }),
}));

async function assertCanListAnotherAccount(context: Context, apiClientId: string) {
  const client = await context.rootDb.apiClient.findUniqueOrThrow({ where: { id: apiClientId }, select: { accountIds: true } });
  if (client.accountIds.length >= MAX_LISTED_ACCOUNTS) {
    throw ValidationError.of(['input'], `This client already lists ${MAX_LISTED_ACCOUNTS} accounts, the most a client may list; use an all-accounts client`);
  }
}

function accountWhere(
  args: { accountIds?: readonly string[] | null; filter?: string | null; where?: typeof AccountWhere.$inferInput | null },
  context: Parameters<typeof accountsInScope>[0],
) {
  return withFilter(
    {
      id: { in: accountsInScope(context, args.accountIds) },
      AND: stringFilters({ name: args.where?.name, slug: args.where?.slug }),
    },
    args.filter,
    ACCOUNT_FILTERS,
  );
}

interface Viewer {
  clientId: string;
  scopes: string[];
  accountIds: string[];
}

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The API client behind the access token, with what it may do.',
  fields: (t) => ({
    clientId: t.exposeString('clientId'),
    scopes: t.exposeStringList('scopes'),
    accounts: t.prismaField({
      type: ['Account'],
      resolve: (query, viewer, _args, context) =>
        context.db.account.findMany({ ...query, where: { id: { in: viewer.accountIds } }, orderBy: { name: 'asc' } }),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    nullable: true,
    authScopes: { authenticated: true },
    resolve: (_root, _args, context) => {
      const principal = context.principal!;
      return { clientId: principal.clientId, scopes: principal.scopes, accountIds: principal.accountIds };
    },
  }),
);

// ---- Mutations -----------------------------------------------------------------

const UpdateAccountInput = builder.inputType('UpdateAccountInput', {
  fields: (t) => ({
    name: t.string({ required: false, validate: nonBlank }),
    timeZone: t.field({ type: 'TimeZone', required: false }),
  }),
});

const CreateAccountInput = builder.inputType('CreateAccountInput', {
  fields: (t) => ({
    name: t.string({ validate: nonBlank }),
    slug: t.string({
      required: false,
      validate: z.string().max(100).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Lowercase letters, digits and single dashes'),
    }),
    timeZone: t.field({ type: 'TimeZone' }),
  }),
});

builder.mutationFields((t) => ({
  createAccount: t.prismaField({
    type: 'Account',
    authScopes: { admin: true },
    description:
      'Creates an account. Needs the `admin` scope; the calling client gains access to it (tokens issued from now on include it).',
    errors: MUTATION_ERRORS,
    args: { input: t.arg({ type: CreateAccountInput }) },
    resolve: async (query, _root, { input }, context) => {
      const principal = context.principal!;
      const creations = await context.rateLimits.accountCreations?.consume(principal.clientId);
      if (creations && !creations.allowed) throw rateLimitedError(creations, 'too many accounts created by this client');
      // The new account joins a listing client's accounts, and every listed account makes its tokens larger.
      if (!principal.allAccounts) await assertCanListAnotherAccount(context, principal.apiClientId);
      const slug = input.slug ?? (await uniqueSlug(context.rootDb, input.name));
      const account = await write(
        undefined,
        () =>
          context.rootDb.account.create({
            ...query,
            data: { name: input.name.trim(), slug, timeZone: input.timeZone },
          }),
        { slug: ['input', 'slug'] },
      );
      await context.rootDb.$executeRaw`
        UPDATE api_clients SET account_ids = array_append(account_ids, ${account.id}::uuid)
        WHERE id = ${principal.apiClientId}::uuid AND NOT all_accounts`;
      context.allAccounts.changed();
      return account;
    },
  }),
  updateAccount: t.prismaField({
    type: 'Account',
    authScopes: { write: true },
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id(), input: t.arg({ type: UpdateAccountInput }) },
    resolve: (query, _root, { id, input }, context) =>
      write(id, () =>
        context.db.account.update({
          ...query,
          where: { id: idOf('Account', id) },
          data: { name: input.name?.trim() ?? undefined, timeZone: input.timeZone ?? undefined },
        }),
      ),
  }),
  deleteAccount: t.field({
    type: 'ID',
    authScopes: { admin: true },
    description: 'Deletes an account and everything in it. Needs the `admin` scope. Returns the deleted id.',
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => {
      await write(id, () => context.db.account.delete({ where: { id: idOf('Account', id) } }));
      context.allAccounts.changed();
      return id;
    },
  }),
}));
