import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Auth } from '../auth/index.ts';
import type { Authentication } from '../auth/bearer.ts';
import type { Db } from '../db/client.ts';
import { callerKey } from '../fairness/caller.ts';
import type { FairSlots } from '../fairness/fair-slots.ts';
import { accountsInScope } from '../schema/common.ts';
import { compileRead } from './compile.ts';
import { negotiatedMediaType, runCompiledRead } from './plugin.ts';

/**
 * Requests handed to yoga after the fast path authenticated them: yoga's
 * context takes this answer rather than asking again (which for a client not
 * seen before would read it twice).
 */
export const authenticatedRequests = new WeakMap<IncomingMessage, Authentication>();

/** Documents parsed and validated, by query text (short ones: the cache stays small); null when invalid. */
const DOCUMENTS_KEPT = 500;
const MAX_CACHED_QUERY_LENGTH = 4_000;
const MAX_BODY_BYTES = 100_000;

type NodeHandler = (request: IncomingMessage & { body?: unknown }, response: ServerResponse) => void;

export interface FastPath {
  handle: NodeHandler;
  /** Requests answered here so far, without yoga. */
  readonly served: number;
}

/**
 * The compiled reads without yoga's request pipeline (issue #5): for a plain
 * `POST /graphql` of JSON with a bearer token and no `Origin` (so no CORS),
 * it authenticates with the same `Auth`, compiles with the same compiler and
 * sends PostgreSQL's body with the headers yoga would send. Whatever it does
 * not serve, it hands to yoga with the body it read (`request.body`, which
 * yoga's Node adapter takes instead of the consumed stream): other requests,
 * invalid documents, operations the compiler does not know, anonymous or
 * rejected tokens, clients that changed (yoga answers each as usual).
 * Statements wait for one of `connections`, shared fairly between clients.
 */
export function withCompiledReadFastPath(options: { endpoint: string; schema: GraphQLSchema; auth: Auth; db: Db; yoga: NodeHandler; connections: FairSlots }): FastPath {
  const { endpoint, schema, auth, db, yoga, connections } = options;
  const documents = new Map<string, DocumentNode | null>();
  const documentOf = (query: string): DocumentNode | null => {
    let document = documents.get(query);
    if (document === undefined) {
      try {
        document = parse(query);
        // graphql's specified rules, as yoga validates with: a validation plugin added to yoga must be applied here too.
        if (validate(schema, document).length > 0) document = null;
      } catch {
        document = null;
      }
      if (query.length <= MAX_CACHED_QUERY_LENGTH) {
        if (documents.size >= DOCUMENTS_KEPT) documents.delete(documents.keys().next().value!);
        documents.set(query, document);
      }
    }
    return document;
  };

  let served = 0;
  const handle: NodeHandler = (request, response) => {
    const headers = request.headers;
    const mediaType = negotiatedMediaType(headers.accept);
    const length = Number(headers['content-length'] ?? NaN);
    if (
      request.method !== 'POST' || request.url !== endpoint || headers.origin !== undefined || !headers.authorization ||
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
          response.writeHead(200, { 'Content-Type': `${mediaType}; charset=utf-8`, 'content-length': Buffer.byteLength(answer) });
          response.end(answer);
        },
        (error: unknown) => {
          // As in the plugin: a statement the compiler got wrong must not cost the caller its answer.
          console.error('Compiled read failed; executing through the resolvers instead:', error);
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

  /** The response body, or undefined for yoga to answer. */
  async function serve(request: IncomingMessage, params: Record<string, unknown>, authorization: string): Promise<string | undefined> {
    const { query, variables, operationName, ...rest } = params;
    if (Object.keys(rest).length > 0 || typeof query !== 'string') return undefined;
    if (variables != null && !isObject(variables)) return undefined;
    if (operationName != null && typeof operationName !== 'string') return undefined;
    const document = documentOf(query);
    if (!document) return undefined;
    const authentication = await auth.authenticate(authorization);
    authenticatedRequests.set(request, authentication);
    if (authentication.kind !== 'valid') return undefined;
    const principal = authentication.principal;
    const compiled = compileRead({
      schema,
      document,
      operationName: operationName as string | null | undefined,
      variables: variables as Record<string, unknown> | null | undefined,
      accountsFor: (accountIds) => accountsInScope({ principal }, accountIds),
      hasScope: (scope) => principal.scopes.includes(scope),
    });
    return compiled ? connections.run(callerKey(principal), () => runCompiledRead(db, compiled, authentication.unconfirmed?.client)) : undefined;
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
