import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type GraphQLSchema } from 'graphql';
import type { Auth } from '../auth/index.ts';
import type { Authentication } from '../auth/bearer.ts';
import type { Db } from '../db/client.ts';
import type { OperationLimits } from '../query-limits/operation-limits.ts';
import { boundError, boundErrorBody } from '../execution-bounds.ts';
import type { Limit } from '../rate-limits/limits.ts';
import { rateLimitHeaders } from '../rate-limits/http.ts';
import { countRequest, refusal } from '../rate-limits/requests.ts';
import { callerKey } from '../fairness/caller.ts';
import type { FairSlots } from '../fairness/fair-slots.ts';
import { accountsInScope } from '../schema/common.ts';
import { preflightAnswer, type CorsPolicy } from '../cors.ts';
import { compileRead } from './compile.ts';
import { failedCompiledReads, negotiatedMediaType, runCompiledRead } from './plugin.ts';
import type { Logger } from '../observability/logger.ts';
import { recordOf } from '../observability/request-record.ts';
import type { Tracing } from '../observability/tracing.ts';

/**
 * Requests handed to yoga after the fast path authenticated them: yoga's
 * context takes this answer rather than asking again (which for a client not
 * seen before would read it twice).
 */
export const authenticatedRequests = new WeakMap<IncomingMessage, Authentication>();

const MAX_BODY_BYTES = 100_000;

type NodeHandler = (request: IncomingMessage & { body?: unknown }, response: ServerResponse) => void;

export interface FastPath {
  handle: NodeHandler;
  /** Requests answered here so far, without yoga. */
  readonly served: number;
}

/**
 * The compiled reads without yoga's request pipeline (issue #5): for a plain
 * `POST /graphql` of JSON with a bearer token (from a browser too: it applies
 * the same CORS policy as yoga's path, and answers preflights), it authenticates with the same `Auth`, compiles with the same compiler and
 * sends PostgreSQL's body with the headers yoga would send. Whatever it does
 * not serve, it hands to yoga with the body it read (`request.body`, which
 * yoga's Node adapter takes instead of the consumed stream): other requests,
 * invalid documents, operations over a limit (`operations.check`, which
 * yoga's path asks too, so yoga refuses them with the same errors),
 * operations the compiler does not know, anonymous or rejected tokens,
 * clients that changed (yoga answers each as usual). Statements wait for one
 * of `connections`, shared fairly between clients.
 */
export function withCompiledReadFastPath(options: {
  endpoint: string;
  schema: GraphQLSchema;
  operations: OperationLimits;
  auth: Auth;
  db: Db;
  yoga: NodeHandler;
  maxResponseBytes: number;
  /** The per-client request limit (src/rate-limits/): counted here for the requests this path sees. */
  rateLimit: Limit | undefined;
  connections: FairSlots;
  cors: CorsPolicy;
  logger: Logger;
  /** When traces are exported: a span for each operation this path runs (src/observability/tracing.ts). */
  tracing?: Tracing;
}): FastPath {
  const { endpoint, schema, operations, auth, db, yoga, maxResponseBytes, rateLimit, connections, cors, logger, tracing } = options;

  let served = 0;
  const handle: NodeHandler = (request, response) => {
    const headers = request.headers;
    const mediaType = negotiatedMediaType(headers.accept);
    const length = Number(headers['content-length'] ?? NaN);
    if (request.method === 'OPTIONS' && request.url === endpoint) {
      const preflight = preflightAnswer(cors, headers.origin);
      response.writeHead(preflight.status, preflight.headers);
      response.end();
      return;
    }
    if (
      request.method !== 'POST' || request.url !== endpoint || !headers.authorization ||
      !mediaType || !isJson(headers['content-type']) || !(length > 0 && length <= MAX_BODY_BYTES)
    ) {
      yoga(request, response);
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      let params: unknown;
      try {
        params = JSON.parse(body.toString('utf8'));
      } catch {
        params = undefined;
      }
      const fallback = () => {
        // The stream is spent: yoga's Node adapter reads `body` instead, and takes a non-empty object as the parsed JSON.
        request.body = isObject(params) && Object.keys(params).length > 0 ? params : body;
        yoga(request, response);
      };
      if (!isObject(params)) return fallback();
      serve(request, params, headers.authorization!).then(
        (answer) => {
          if (answer === undefined) return fallback();
          served += 1;
          const { status, headers: answerHeaders, body } = answer;
          response.writeHead(status, { ...answerHeaders, ...cors.headersFor(headers.origin), 'content-length': Buffer.byteLength(body) });
          response.end(body);
        },
        (error: unknown) => {
          // As in the plugin: past a bound, or with the database gone, the caller gets the typed error at once.
          const bounded = boundError(error);
          if (bounded) {
            const answer = boundErrorBody(bounded);
            const record = recordOf(request);
            if (record) record.errorCodes = [String(bounded.extensions.code)];
            const http = bounded.extensions.http as { status: number; headers?: Record<string, string> };
            response.writeHead(http.status, {
              ...http.headers,
              ...cors.headersFor(headers.origin),
              'Content-Type': `${mediaType}; charset=utf-8`,
              'content-length': Buffer.byteLength(answer),
            });
            response.end(answer);
            return;
          }
          // A statement the compiler got wrong must not cost the caller its answer, nor run a second time.
          logger.error({ err: error, requestId: recordOf(request)?.id }, 'compiled read failed; executing through the resolvers instead');
          failedCompiledReads.add(request);
          fallback();
        },
      );
    });
  };

  return {
    handle,
    get served() {
      return served;
    },
  };

  /** The response, or undefined for yoga to answer. */
  async function serve(
    request: IncomingMessage,
    params: Record<string, unknown>,
    authorization: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: string } | undefined> {
    const { query, variables, operationName, ...rest } = params;
    if (Object.keys(rest).length > 0 || typeof query !== 'string') return undefined;
    if (variables != null && !isObject(variables)) return undefined;
    if (operationName != null && typeof operationName !== 'string') return undefined;
    // The same check as yoga's path (src/query-limits/plugin.ts), before authentication, which may read the API client:
    // an operation over a limit goes to yoga, which counts it against the client's rate limit and refuses it, running no SQL.
    const checked = operations.check({ query, variables: variables as Record<string, unknown> | null | undefined, operationName: operationName as string | null | undefined });
    if (checked.kind !== 'valid') return undefined;
    const record = recordOf(request);
    if (record) record.cost = checked.cost;
    const document = checked.document;
    const authentication = await auth.authenticate(authorization);
    authenticatedRequests.set(request, authentication);
    if (authentication.kind !== 'valid') return undefined;
    // Counted once the client is known, as yoga counts (src/rate-limits/requests.ts), which then does not count again.
    const limited = rateLimit && (await countRequest(rateLimit, request, authentication));
    if (limited && !limited.allowed) {
      if (record) record.errorCodes = ['RATE_LIMITED'];
      return refusal(limited, request.headers.accept);
    }
    const principal = authentication.principal;
    const compiled = compileRead({
      schema,
      document,
      operationName: operationName as string | null | undefined,
      variables: variables as Record<string, unknown> | null | undefined,
      accountsFor: (accountIds) => accountsInScope({ principal }, accountIds),
      hasScope: (scope) => principal.scopes.includes(scope),
    });
    if (!compiled) return undefined;
    const name = getOperationAST(document, operationName as string | null | undefined)?.name?.value;
    const run = () => connections.run(callerKey(principal), () => runCompiledRead(db, compiled, authentication.unconfirmed?.client, maxResponseBytes));
    const body = tracing ? await tracing.operation(() => ({ name, type: 'query', readPath: 'compiled-fast-path' }), run) : await run();
    if (body === undefined) return undefined;
    if (record) {
      record.operationName = name;
      record.operationType = 'query';
      record.clientId = principal.clientId;
      record.readPath = 'compiled-fast-path';
    }
    const mediaType = negotiatedMediaType(request.headers.accept)!;
    return { status: 200, headers: { 'Content-Type': `${mediaType}; charset=utf-8`, ...(limited && rateLimitHeaders(limited)) }, body };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...parameters] = contentType.toLowerCase().split(';').map((part) => part.trim());
  return type === 'application/json' && parameters.every((parameter) => parameter === 'charset=utf-8');
}
