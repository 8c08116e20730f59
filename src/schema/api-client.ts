import { z } from 'zod';
import {
  ApiClientInputError,
  canManageApiClient,
  createApiClient,
  manageableClientsWhere,
  revokeApiClient,
  rotateApiClientSecret,
} from '../auth/api-clients.ts';
import { SCOPES, type Principal, type Scope } from '../auth/principal.ts';
import type { ApiClient } from '../generated/prisma/client.ts';
import { nonBlank } from './account.ts';
import { builder } from './builder.ts';
import { API_CLIENT_FILTERS } from '../query/catalogs.ts';
import { filterArgs, idOf, inputId, MUTATION_ERRORS, withFilter } from './common.ts';
import type { Context } from './context.ts';
import { forbidden, NotFoundError, ValidationError } from './errors.ts';

// API clients are not account-owned rows, so they are read through `rootDb`;
// `canManageApiClient` is what keeps an admin to the clients within its reach.

export const ApiClientRef = builder.prismaNode('ApiClient', {
  id: { field: 'id' },
  // Loading by id yields null for a row outside the token's accounts.
  nullable: true,
  description:
    'An OAuth2 client (client credentials grant). Visible only to admins that reach every account the client reaches.',
  authScopes: (client, context) => context.principal !== null && canManageApiClient(context.principal, client),
  fields: (t) => ({
    name: t.exposeString('name'),
    clientId: t.exposeString('clientId', { description: 'The OAuth2 client_id.' }),
    scopes: t.exposeStringList('scopes'),
    allAccounts: t.exposeBoolean('allAccounts', {
      description: 'The client reaches every account, including accounts created later.',
    }),
    accounts: t.prismaField({
      type: ['Account'],
      description: 'The accounts the client may access (for an all-accounts client: every account this token sees).',
      resolve: (query, client, _args, context) =>
        context.db.account.findMany({
          ...query,
          where: client.allAccounts ? {} : { id: { in: client.accountIds } },
          orderBy: { name: 'asc' },
        }),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    secretRotatedAt: t.expose('secretRotatedAt', { type: 'DateTime' }),
  }),
});

interface ApiClientCredentials {
  apiClient: ApiClient;
  clientSecret: string;
}

const ApiClientCredentialsRef = builder.objectRef<ApiClientCredentials>('ApiClientCredentials').implement({
  description: 'A client with its secret. The secret is shown only here, once: only its hash is stored.',
  fields: (t) => ({
    apiClient: t.field({ type: ApiClientRef, resolve: (credentials) => credentials.apiClient }),
    clientSecret: t.exposeString('clientSecret'),
  }),
});

const CreateApiClientInput = builder.inputType('CreateApiClientInput', {
  description: 'Give exactly one of `accountIds` and `allAccounts: true`.',
  fields: (t) => ({
    name: t.string({ validate: nonBlank }),
    scopes: t.stringList({
      description: 'Some of read, write, admin; none beyond the calling token’s (FORBIDDEN otherwise).',
      validate: z.array(z.enum(SCOPES)).min(1, 'Name at least one scope'),
    }),
    accountIds: t.idList({
      required: false,
      description: 'The accounts the client may access; none beyond the calling token’s (FORBIDDEN otherwise).',
    }),
    allAccounts: t.boolean({
      required: false,
      description: 'Every account, now and later. Only a client that itself has all accounts may grant this.',
    }),
  }),
});

builder.queryFields((t) => ({
  apiClients: t.prismaConnection(
    {
      type: 'ApiClient',
      cursor: 'id',
      nullable: true,
      authScopes: { admin: true },
      description: 'The API clients this token may manage, oldest first, revoked ones included.',
      args: { ...filterArgs(API_CLIENT_FILTERS) },
      resolve: async (query, _root, args, context) =>
        context.rootDb.apiClient.findMany({
          ...query,
          where: withFilter(await manageableClientsWhere(context.rootDb, context.principal!), args.filter, API_CLIENT_FILTERS),
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        }),
      totalCount: async (_parent, args, context) =>
        context.rootDb.apiClient.count({
          where: withFilter(await manageableClientsWhere(context.rootDb, context.principal!), args.filter, API_CLIENT_FILTERS),
        }),
    },
    { name: 'ApiClientConnection' },
    { name: 'ApiClientEdge' },
  ),
}));

builder.mutationFields((t) => ({
  createApiClient: t.field({
    type: ApiClientCredentialsRef,
    authScopes: { admin: true },
    description:
      'Creates an API client and returns its secret, once. A client cannot grant more scopes or accounts than it has: asking for more is FORBIDDEN.',
    errors: MUTATION_ERRORS,
    args: { input: t.arg({ type: CreateApiClientInput }) },
    resolve: async (_root, { input }, context) => {
      const principal = context.principal!;
      const scopes = grantableScopes(principal, input.scopes);
      const accounts = grantableAccounts(principal, input);
      let created;
      try {
        created = await createApiClient(context.rootDb, { name: input.name, scopes, accounts, createdById: principal.apiClientId });
      } catch (error) {
        // Raised for a list of accounts that is empty, too long, or names accounts that no longer (or never did) exist.
        if (error instanceof ApiClientInputError) throw ValidationError.of(['input', 'accountIds'], error.message);
        throw error;
      }
      const apiClient = await context.rootDb.apiClient.findUniqueOrThrow({ where: { id: created.id } });
      return { apiClient, clientSecret: created.clientSecret };
    },
  }),
  rotateApiClientSecret: t.field({
    type: ApiClientCredentialsRef,
    authScopes: { admin: true },
    description:
      'Replaces a client’s secret and returns the new one, once. The old secret stops working at once; tokens already issued run until they expire.',
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => {
      const client = await manageableClient(context, id);
      if (client.revokedAt) throw ValidationError.of(['id'], 'A revoked client cannot be given a new secret');
      const { clientSecret } = await rotateApiClientSecret(context.rootDb, client.id);
      const apiClient = await context.rootDb.apiClient.findUniqueOrThrow({ where: { id: client.id } });
      return { apiClient, clientSecret };
    },
  }),
  revokeApiClient: t.field({
    type: ApiClientRef,
    authScopes: { admin: true },
    description: 'Revokes a client for good: it gets no new tokens, and its live tokens are refused from now on. Idempotent.',
    errors: MUTATION_ERRORS,
    args: { id: t.arg.id() },
    resolve: async (_root, { id }, context) => revokeApiClient(context.rootDb, (await manageableClient(context, id)).id),
  }),
}));

/** A client outside the caller's reach reads as not found, so its existence is not revealed. */
async function manageableClient(context: Context, globalId: string): Promise<ApiClient> {
  const client = await context.rootDb.apiClient.findUnique({ where: { id: idOf('ApiClient', globalId) } });
  if (!client || !canManageApiClient(context.principal!, client)) throw new NotFoundError(globalId);
  return client;
}

function grantableScopes(principal: Principal, requested: readonly string[]): Scope[] {
  const scopes = [...new Set(requested)] as Scope[];
  const beyond = scopes.filter((scope) => !principal.scopes.includes(scope));
  if (beyond.length > 0) throw forbidden(`This token cannot grant scope ${beyond.join(', ')}`);
  return scopes;
}

function grantableAccounts(
  principal: Principal,
  input: { accountIds?: readonly string[] | null; allAccounts?: boolean | null },
): 'all' | string[] {
  const wantsAll = input.allAccounts === true;
  if (wantsAll === (input.accountIds != null)) {
    throw ValidationError.of(['input', 'accountIds'], 'Give either accountIds or allAccounts: true');
  }
  if (wantsAll) {
    if (!principal.allAccounts) throw forbidden('Only a client with access to all accounts can create another');
    return 'all';
  }
  const accountIds = input.accountIds!.map((globalId, index) => inputId('Account', globalId, ['input', 'accountIds', String(index)]));
  const beyond = accountIds.filter((id) => !principal.allAccounts && !principal.accountIds.includes(id));
  if (beyond.length > 0) throw forbidden(`This token cannot grant access to account ${beyond.join(', ')}`);
  return accountIds;
}
