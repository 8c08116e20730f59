import { defaultFieldResolver, getNullableType, getOperationAST, GraphQLError, isListType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { databaseFault } from './db/faults.ts';
import { nextTurn } from './event-loop.ts';

/**
 * The request-level errors of a request that ran past a bound or met a
 * database fault. Each carries its HTTP status, which yoga answers with.
 */
export function serviceUnavailable(path?: readonly (string | number)[]) {
  return new GraphQLError('The database is unavailable; try again shortly', {
    path,
    extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: { 'retry-after': '1' } } },
  });
}

export function timedOut(path?: readonly (string | number)[]) {
  return new GraphQLError('The operation ran past its time limit and was cancelled', { path, extensions: { code: 'TIMEOUT', http: { status: 504 } } });
}

export function responseTooLarge(detail: string, path?: readonly (string | number)[]) {
  return new GraphQLError(`The answer would be too large: ${detail}; ask for less (smaller pages, fewer fields)`, {
    path,
    extensions: { code: 'RESPONSE_TOO_LARGE', http: { status: 400 } },
  });
}

const BOUND_CODES = new Set(['SERVICE_UNAVAILABLE', 'TIMEOUT', 'RESPONSE_TOO_LARGE']);

/**
 * The typed error a client gets for `error`: itself when it already is one of
 * the errors above, the one for its database fault when it has one, else
 * undefined (an unexpected error, which stays masked).
 */
export function boundError(error: unknown): GraphQLError | undefined {
  for (let current = error, depth = 0; current instanceof GraphQLError && depth < 4; depth += 1) {
    if (BOUND_CODES.has(current.extensions.code as string)) return current;
    current = current.originalError;
  }
  const path = error instanceof GraphQLError ? error.path : undefined;
  switch (databaseFault(error)) {
    case 'unavailable':
      return serviceUnavailable(path);
    case 'timeout':
      return timedOut(path);
    case 'exhausted':
      return responseTooLarge('the database could not build it', path);
    default:
      return undefined;
  }
}

/** A bound error as the JSON body yoga would send for it (without the `http` extension, which yoga keeps to itself). */
export function boundErrorBody(error: GraphQLError): string {
  const { http: _http, ...extensions } = error.extensions;
  return JSON.stringify({ errors: [{ message: error.message, extensions }] });
}

interface ItemBudget {
  max: number;
  left: number;
  exceeded: GraphQLError | undefined;
}

const BUDGET_KEY = 'resolvedItemsBudget';
const budgetedSchemas = new WeakSet<GraphQLSchema>();

/**
 * Bounds what the resolvers may build for one request: every list a field
 * returns spends its length from a budget of `maxItems`, as the rows come
 * back; past it, every further list field throws at once (so the execution
 * stops loading and resolving), and a query's answer becomes one
 * RESPONSE_TOO_LARGE error. A mutation keeps its result: its write happened,
 * and only the over-budget lists are errors.
 */
export function useResolvedItemsBudget(schema: GraphQLSchema, maxItems: number): Plugin<Record<string, unknown>> {
  budgetListFields(schema);
  return {
    onExecute({ args, extendContext }) {
      const budget: ItemBudget = { max: maxItems, left: maxItems, exceeded: undefined };
      extendContext({ [BUDGET_KEY]: budget });
      const isQuery = getOperationAST(args.document, args.operationName)?.operation === 'query';
      return {
        onExecuteDone({ result, setResult }) {
          if (budget.exceeded && isQuery && !(Symbol.asyncIterator in result)) setResult({ data: null, errors: [budget.exceeded] });
        },
      };
    },
  };
}

/** Wraps the resolver of every list field of the schema (once per schema) to spend from the request's budget. */
function budgetListFields(schema: GraphQLSchema): void {
  if (budgetedSchemas.has(schema)) return;
  budgetedSchemas.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type))) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const budget = (context as Record<string, unknown> | undefined)?.[BUDGET_KEY] as ItemBudget | undefined;
        if (!budget) return resolve(source, args, context, info);
        if (budget.exceeded) throw budget.exceeded;
        const spend = (items: unknown) => {
          if (!Array.isArray(items)) return items;
          budget.left -= items.length;
          if (budget.left < 0) throw (budget.exceeded ??= responseTooLarge(`more than ${budget.max} list items`));
          return inSlices(items);
        };
        const result = resolve(source, args, context, info);
        return isThenable(result) ? result.then(spend) : spend(result);
      };
    }
  }
}

/** Items of a list completed in one turn of the event loop; a longer list is completed a slice per turn. */
export const ITEMS_PER_SLICE = 100;

/**
 * graphql-js completes a list of plain values in one synchronous run: a
 * 59-day team availability or a day-by-agent report (thousands of objects)
 * held the event loop for 100–200 ms, and every other caller's request (a
 * token, a cached page) waited that long (issue #10, bench row h). A longer
 * list is handed to graphql-js as promises that settle a slice per turn of
 * the event loop (`nextTurn`), so its completion is cut into runs of
 * `ITEMS_PER_SLICE` items with I/O served between them. The answer is the
 * same; the request takes a few turns longer. A DataLoader behind the items
 * batches per slice: at most one more batch per slice of keys not yet
 * loaded, never one per item.
 */
function inSlices(items: unknown[]): unknown[] {
  if (items.length <= 2 * ITEMS_PER_SLICE) return items;
  const sliced: unknown[] = items.slice(0, ITEMS_PER_SLICE);
  let turn: Promise<void> = Promise.resolve();
  for (let start = ITEMS_PER_SLICE; start < items.length; start += ITEMS_PER_SLICE) {
    const previous = turn;
    turn = previous.then(nextTurn);
    const slice = turn;
    for (let index = start; index < Math.min(start + ITEMS_PER_SLICE, items.length); index += 1) sliced.push(slice.then(() => items[index]));
  }
  return sliced;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}
