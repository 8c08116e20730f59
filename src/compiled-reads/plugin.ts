import type { IncomingMessage } from 'node:http';
import type { ExecutionResult } from 'graphql';
import { processRegularResult, type Plugin } from 'graphql-yoga';
import { clientGuard } from '../auth/bearer.ts';
import { queryScalar, type Db } from '../db/client.ts';
import type { ApiClient } from '../generated/prisma/client.ts';
import { boundError, responseTooLarge } from '../execution-bounds.ts';
import { callerKey } from '../fairness/caller.ts';
import type { FairSlots } from '../fairness/fair-slots.ts';
import { accountsInScope } from '../schema/common.ts';
import type { Context } from '../schema/context.ts';
import { compileRead, type CompiledRead } from './compile.ts';
import type { Logger } from '../observability/logger.ts';
import { recordOf } from '../observability/request-record.ts';

/** Results answered by a compiled statement, with the response body PostgreSQL built. */
const bodies = new WeakMap<object, string>();

/**
 * Requests whose compiled read already failed on the fast path: yoga executes
 * them through the resolvers without running the statement a second time.
 */
export const failedCompiledReads = new WeakSet<IncomingMessage>();

/**
 * Serves the read operations the compiler understands with one SQL statement
 * and sends PostgreSQL's JSON as the response body, untouched; everything
 * else (mutations, errors, fields computed in code) executes as usual.
 * Statements wait for one of `connections`, shared fairly between clients.
 */
export function useCompiledReads(options: { maxResponseBytes: number; connections: FairSlots; logger: Logger }): Plugin<Record<string, unknown>, Context> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const context = args.contextValue as unknown as Context & { req?: IncomingMessage };
      if (!context.principal || (context.req && failedCompiledReads.has(context.req))) return;
      const compiled = compileRead({
        schema: args.schema,
        document: args.document,
        operationName: args.operationName,
        variables: args.variableValues as Record<string, unknown> | undefined,
        accountsFor: (accountIds) => accountsInScope(context, accountIds),
        hasScope: (scope) => context.hasScope(scope),
      });
      if (!compiled) return;
      setExecuteFn(async (executionArgs) => {
        let body: string;
        try {
          const value = await options.connections.run(callerKey(context.principal), () =>
            runCompiledRead(context.rootDb, compiled, context.unconfirmedClient, options.maxResponseBytes),
          );
          if (value === undefined) return executeFn(executionArgs);
          body = value;
          const record = recordOf(context.req);
          if (record) record.readPath = 'compiled-plugin';
        } catch (error) {
          // Past a bound, or with the database gone, the resolvers would only do the same work again, slower.
          const bounded = boundError(error);
          if (bounded) return { errors: [bounded] };
          // A statement the compiler got wrong must not cost the caller its answer.
          options.logger.error({ err: error, requestId: recordOf(context.req)?.id }, 'compiled read failed; executing through the resolvers instead');
          return executeFn(executionArgs);
        }
        let parsed: ExecutionResult['data'];
        const result: ExecutionResult = {
          get data() {
            return (parsed ??= (JSON.parse(body) as ExecutionResult).data);
          },
        };
        bodies.set(result, body);
        return result;
      });
    },
    onResultProcess({ request, result, setResultProcessor }) {
      const body = bodies.get(result as object);
      const mediaType = body === undefined ? undefined : negotiatedMediaType(request.headers.get('accept'));
      if (body === undefined || !mediaType) return;
      setResultProcessor(
        (processed, fetchAPI, accepted) =>
          processed === result
            ? new fetchAPI.Response(body, { status: 200, headers: { 'Content-Type': `${accepted}; charset=utf-8` } })
            : processRegularResult(processed, fetchAPI, accepted),
        mediaType,
      );
    },
  };
}

/**
 * Runs a compiled read and returns the response body. The statement carries
 * its own account filter (from src/db/scope.ts), so it runs on the unscoped
 * client. Given the API client as last seen, one statement checks the client
 * and reads: undefined means the client changed, and the caller hands the
 * request to the resolvers' path, which reads the client again (answering
 * UNAUTHENTICATED if it was revoked). A body over `maxResponseBytes` never
 * leaves PostgreSQL: the statement answers an empty text instead (never a
 * valid body), and this throws RESPONSE_TOO_LARGE.
 */
export async function runCompiledRead(db: Db, compiled: CompiledRead, client: ApiClient | undefined, maxResponseBytes: number): Promise<string | undefined> {
  const params = [...compiled.params];
  const param = (value: unknown, cast: string) => `$${params.push(value)}::${cast}`;
  const read = client ? `SELECT CASE WHEN ${clientGuard(client, param)} THEN (${compiled.sql}) END` : compiled.sql;
  // MATERIALIZED: the body is built once, not once per mention below.
  const sql = `WITH answer(body) AS MATERIALIZED (${read}) SELECT CASE WHEN octet_length(body) > ${param(maxResponseBytes, 'int')} THEN '' ELSE body END FROM answer`;
  const value = await queryScalar(db, sql, params, { prepare: compiled.prepare });
  if (value === '') throw responseTooLarge(`more than ${maxResponseBytes} bytes`);
  return typeof value === 'string' ? value : undefined;
}

const REGULAR_MEDIA_TYPES = ['application/graphql-response+json', 'application/json'];

/**
 * The media type yoga's regular (non-streaming) result processor would pick
 * for this Accept header, by yoga's own rule (the last match wins);
 * undefined when the client wants a stream, which yoga then serves.
 */
export function negotiatedMediaType(accept: string | null | undefined): string | undefined {
  const requested = (accept || '*/*')
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .flatMap((accept) => {
      const [mediaType, ...params] = accept.split(';');
      const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
      return mediaType && charset === 'charset=utf-8' ? [mediaType] : [];
    })
    .reverse();
  let chosen: string | undefined;
  for (const asked of requested) {
    for (const offered of REGULAR_MEDIA_TYPES) {
      const [askedType, askedSubtype] = asked.split('/');
      const [type, subtype] = offered.split('/');
      if ((askedType === '*' || askedType === type) && (askedSubtype === '*' || askedSubtype === subtype)) chosen = offered;
    }
  }
  return chosen;
}
