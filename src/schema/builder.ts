import SchemaBuilder from '@pothos/core';
import type { DateTime } from 'luxon';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import type PrismaTypes from '../generated/pothos-types.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, queryCostPlugin } from '../query-limits/cost.ts';
import { getDatamodel } from '../generated/pothos-types.ts';
import type { Context } from './context.ts';
import { forbidden, unauthenticated, ValidationError } from './errors.ts';
import { decodeId, encodeNodeId, syncNodeIdsPlugin } from './global-id.ts';
import { inputGuardPlugin } from './input-guard.ts';
import { DateTimeScalar, LocalDateScalar, LocalTimeScalar, TimeZoneScalar } from './scalars.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  AuthScopes: { authenticated: boolean; read: boolean; write: boolean; admin: boolean };
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | DateTime };
    LocalDate: { Input: string; Output: string };
    LocalTime: { Input: string; Output: string };
    TimeZone: { Input: string; Output: string };
  };
}>({
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  // syncNodeIds last: it replaces the relay plugin's node id resolver before the other plugins wrap it.
  // queryCost before complexity: Pothos applies field configs from the last plugin to the first, so the
  // weights queryCost sets replace the complexity plugin's defaults.
  plugins: [queryCostPlugin, ComplexityPlugin, ScopeAuthPlugin, ErrorsPlugin, inputGuardPlugin, ValidationPlugin, PrismaPlugin, RelayPlugin, syncNodeIdsPlugin],
  // Weights only: the limits are measured before execution, on both read paths (src/query-limits).
  complexity: { disabled: true },
  scopeAuth: {
    authScopes: (context) => ({
      authenticated: context.principal !== null,
      read: context.hasScope('read'),
      write: context.hasScope('write'),
      admin: context.hasScope('admin'),
    }),
    unauthorizedError: (_parent, context, info) =>
      context.principal
        ? forbidden(`${info.parentType.name}.${info.fieldName} needs a scope this token does not have`)
        : unauthenticated(),
  },
  errors: {
    defaultTypes: [],
    // Lets mutations answer invalid input with a typed ValidationError. Input
    // validation then runs before the scope check, so a caller without a
    // token is answered UNAUTHENTICATED below rather than told what is invalid.
    unsafelyHandleInputErrors: true,
    defaultResultOptions: { name: ({ fieldName }) => `${capitalise(fieldName)}Success` },
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalise(fieldName)}Result` },
  },
  validation: {
    validationError: (result, _args, context) =>
      context.principal === null
        ? unauthenticated()
        : new ValidationError(
        result.issues.map((issue) => ({
          path: (issue.path ?? []).map((segment) =>
            String(typeof segment === 'object' && segment !== null ? segment.key : segment),
          ),
          message: issue.message,
        })),
      ),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesOnConnection: true,
    // A node of another account, or of none, reads as null: existence must not leak.
    nodeQueryOptions: { nullable: true },
    nodesQueryOptions: { nullable: { list: false, items: true } },
    encodeGlobalID: encodeNodeId,
    decodeGlobalID: decodeId,
  },
  prisma: {
    client: (context) => context.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    maxConnectionSize: MAX_PAGE_SIZE,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
});

function capitalise(name: string) {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

builder.scalarType('DateTime', DateTimeScalar);
builder.scalarType('LocalDate', LocalDateScalar);
builder.scalarType('LocalTime', LocalTimeScalar);
builder.scalarType('TimeZone', TimeZoneScalar);

// Every data field needs a token (introspection does not); each field then names the scope it needs.
builder.queryType({ authScopes: { authenticated: true } });
builder.mutationType({ authScopes: { authenticated: true } });
