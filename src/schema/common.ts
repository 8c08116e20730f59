import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { toPrismaWhere, type PrismaAttribute, type SqlAttribute } from '../query/compile.ts';
import { containsText, startsWithText } from '../query/like.ts';
import { TqlError } from '../query/tql.ts';
import { describeCatalog, resolveTql, type AttributeSpec, type ResolvedFilter } from '../query/tql-attributes.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { forbidden, NotFoundError, ValidationError, type FieldIssue } from './errors.ts';
import { decodeId, decodeIdOf } from './global-id.ts';

// ---- Error types of the schema ------------------------------------------------

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A failure the caller can act on; every typed error of a mutation implements it.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

const FieldIssueRef = builder.objectRef<FieldIssue>('FieldIssue').implement({
  description: 'One invalid input value: where it is (`["input", "email"]`) and what is wrong with it.',
  fields: (t) => ({
    path: t.exposeStringList('path'),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input was rejected; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ issues: t.field({ type: [FieldIssueRef], resolve: (error) => error.issues }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'An id named in the input does not exist, or belongs to an account this token cannot see.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ id: t.exposeID('id') }),
});

export const MUTATION_ERRORS = { types: [ValidationError, NotFoundError] };

// ---- Accounts in scope ----------------------------------------------------------

/**
 * The accounts a list covers: the token's, narrowed by `accountIds`. Asking
 * for an account outside the token is FORBIDDEN rather than silently empty,
 * so a misconfigured integration notices.
 */
export function accountsInScope(context: Pick<Context, 'principal'>, accountIds: readonly string[] | null | undefined): string[] {
  const tokenAccounts = context.principal?.accountIds ?? [];
  if (!accountIds) return tokenAccounts;
  const requested = accountIds.map((globalId) => decodeIdOf('Account', globalId));
  const outside = accountIds.filter((_, index) => {
    const id = requested[index];
    return !id || !tokenAccounts.includes(id);
  });
  if (outside.length > 0) throw forbidden(`This token cannot access account ${outside.join(', ')}`);
  return [...new Set(requested as string[])];
}

export const accountIdsArg = builder.args((t) => ({
  accountIds: t.idList({
    required: false,
    description: 'Only these accounts (a subset of the token’s; another account is FORBIDDEN).',
  }),
}));

/**
 * The account a new row goes into. May be omitted when the token covers one
 * account; an account the token cannot see reads as not found.
 */
export function targetAccount(context: Context, accountId: string | null | undefined): string {
  const tokenAccounts = context.principal?.accountIds ?? [];
  if (!accountId) {
    if (tokenAccounts.length === 1) return tokenAccounts[0]!;
    throw ValidationError.of(['input', 'accountId'], 'Required when the token covers more than one account');
  }
  const id = decodeIdOf('Account', accountId);
  if (!id || !tokenAccounts.includes(id)) throw new NotFoundError(accountId);
  return id;
}

// ---- Ids in inputs --------------------------------------------------------------

/** Decodes a global id of `typename` given in an input; a wrong type is a validation error. */
export function inputId(typename: string, globalId: string, path: string[]): string {
  const decoded = decodeId(globalId);
  if (decoded.typename !== typename) throw ValidationError.of(path, `Expected an id of a ${typename}`);
  return decoded.id;
}

/** Decodes an id that must name `typename`; another type reads as not found. */
export function idOf(typename: string, globalId: string): string {
  const id = decodeIdOf(typename, globalId);
  if (!id) throw new NotFoundError(globalId);
  return id;
}

/** Runs a write and turns Prisma's "no such row" and uniqueness failures into typed errors. */
export async function write<T>(globalId: string | undefined, work: () => Promise<T>, uniqueFields: Record<string, string[]> = {}): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError) {
      if (error.code === 'P2025' && globalId) throw new NotFoundError(globalId);
      if (error.code === 'P2002') {
        const target = JSON.stringify(error.meta ?? {});
        const field = Object.keys(uniqueFields).find((column) => target.includes(column));
        throw ValidationError.of(field ? uniqueFields[field]! : ['input'], 'Already taken by another record');
      }
    }
    throw error;
  }
}

// ---- Filters and ordering -------------------------------------------------------

export const SortDirection = builder.enumType('SortDirection', { values: ['ASC', 'DESC'] as const });

export const StringFilter = builder.inputType('StringFilter', {
  description: 'Matches text. `contains` and `startsWith` ignore case.',
  fields: (t) => ({
    equals: t.string({ required: false }),
    in: t.stringList({ required: false }),
    contains: t.string({ required: false }),
    startsWith: t.string({ required: false }),
  }),
});

/**
 * The `StringFilter`s of a list's `where`, by column, as conditions to AND:
 * one per given operator, since `contains` and `startsWith` ignore case and
 * `equals` and `in` do not.
 */
export function stringFilters(filters: Record<string, typeof StringFilter.$inferInput | null | undefined>): object[] {
  return Object.entries(filters).flatMap(([column, filter]) =>
    [
      filter?.equals != null ? { equals: filter.equals } : undefined,
      filter?.in != null ? { in: filter.in } : undefined,
      filter?.contains != null ? containsText(filter.contains) : undefined,
      filter?.startsWith != null ? startsWithText(filter.startsWith) : undefined,
    ]
      .filter((condition) => condition !== undefined)
      .map((condition) => ({ [column]: condition })),
  );
}

export const DateTimeFilter = builder.inputType('DateTimeFilter', {
  fields: (t) => ({
    gt: t.field({ type: 'DateTime', required: false }),
    gte: t.field({ type: 'DateTime', required: false }),
    lt: t.field({ type: 'DateTime', required: false }),
    lte: t.field({ type: 'DateTime', required: false }),
  }),
});

export function dateTimeFilter(filter: typeof DateTimeFilter.$inferInput | null | undefined) {
  if (!filter) return undefined;
  return {
    ...(filter.gt && { gt: filter.gt }),
    ...(filter.gte && { gte: filter.gte }),
    ...(filter.lt && { lt: filter.lt }),
    ...(filter.lte && { lte: filter.lte }),
  };
}

/** Decodes a list of global ids used as a filter; ids of another type match nothing. */
export function idsFilter(typename: string, globalIds: readonly string[] | null | undefined) {
  if (!globalIds) return undefined;
  return { in: globalIds.map((id) => decodeIdOf(typename, id)).filter((id): id is string => id !== null) };
}

export const MAX_SORT_KEYS = 5;

/**
 * An `orderBy` argument of up to five keys (as HaloPSA allows), each with a
 * direction. The id is always appended last so pages are stable.
 */
/** A sort key: a column of the model, or a path through a relation (`['customer', 'name']`). */
export type SortPath = string | readonly [string, string];

const sortFieldsByInput = new Map<string, Record<string, SortPath>>();

/** The sort keys of an `<Type>OrderBy` input, for the read compiler to order the same way. */
export function sortFieldsOf(inputTypeName: string): Record<string, SortPath> | undefined {
  return sortFieldsByInput.get(inputTypeName);
}

export function orderByInput<Field extends string>(typeName: string, fields: Record<Field, SortPath>) {
  sortFieldsByInput.set(`${typeName}OrderBy`, fields);
  const fieldEnum = builder.enumType(`${typeName}OrderField`, {
    values: Object.fromEntries(Object.keys(fields).map((name) => [name, { value: name }])) as Record<Field, { value: Field }>,
  });
  const input = builder.inputType(`${typeName}OrderBy`, {
    fields: (t) => ({
      field: t.field({ type: fieldEnum, required: true }),
      direction: t.field({ type: SortDirection, required: false, defaultValue: 'ASC' }),
    }),
  });
  const args = builder.args((t) => ({
    orderBy: t.field({
      type: [input],
      required: false,
      description: `Up to ${MAX_SORT_KEYS} sort keys, applied in order; ties fall back to the id.`,
      validate: z.array(z.unknown()).max(MAX_SORT_KEYS, `At most ${MAX_SORT_KEYS} sort keys`).nullish(),
    }),
  }));
  const toPrisma = (orderBy: ReadonlyArray<{ field: Field; direction?: 'ASC' | 'DESC' | null }> | null | undefined) => {
    const keys = (orderBy ?? []).map(({ field, direction }) => {
      const sort = direction === 'DESC' ? ('desc' as const) : ('asc' as const);
      const path = fields[field];
      return typeof path === 'string' ? { [path]: sort } : { [path[0]]: { [path[1]]: sort } };
    });
    return [...keys, { id: 'asc' as const }];
  };
  return { args, toPrisma };
}

// ---- TQL filters ------------------------------------------------------------------

/** The `filter: String` argument of a list, documenting the attributes it accepts. */
export function filterArgs(catalog: readonly PrismaAttribute[] | readonly SqlAttribute[]) {
  return builder.args((t) => ({
    filter: t.string({
      required: false,
      description: `A TimeZest Query Language filter, e.g. \`${catalog[0]!.name} EQ value AND ${catalog[1]!.name} LIKE value\` (or \`~\` for spaces). Combined with \`where\` by AND. Attributes:\n${describeCatalog(catalog)}`,
    }),
  }));
}

/** A bad filter is a client error naming where and what: code BAD_USER_INPUT, with the position in `extensions.tql`. */
export function compileFilter<Result>(source: string, catalog: readonly AttributeSpec[], compile: (filter: ResolvedFilter) => Result): Result {
  try {
    return compile(resolveTql(source, catalog));
  } catch (error) {
    if (error instanceof TqlError) {
      throw new GraphQLError(`Invalid filter: ${error.message}`, {
        extensions: {
          code: 'BAD_USER_INPUT',
          tql: { reason: error.code, position: error.position, expected: error.expected, suggestion: error.suggestion },
        },
      });
    }
    throw error;
  }
}

/** A list's typed `where` and its TQL `filter`, both as one Prisma `where`. */
export function withFilter<Where extends object>(where: Where, filter: string | null | undefined, catalog: readonly PrismaAttribute[]) {
  if (!filter?.trim()) return where;
  return { AND: [where, compileFilter(filter, catalog, (resolved) => toPrismaWhere(resolved, catalog))] };
}
