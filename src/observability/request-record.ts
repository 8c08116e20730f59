import type { IncomingMessage } from 'node:http';

/** Which path answered a GraphQL operation: the values of the access line's `readPath` and the metrics' `read_path`. */
export type ReadPath = 'compiled-fast-path' | 'compiled-plugin' | 'resolvers';

/**
 * What the access line and the metrics say about one request, filled in by
 * whichever part learns it (src/observability/http.ts starts it, the fast
 * path or yoga's plugins add the operation).
 */
export interface RequestRecord {
  id: string;
  startedAt: number;
  operationName: string | undefined;
  operationType: string | undefined;
  clientId: string | undefined;
  cost: number | undefined;
  readPath: ReadPath | undefined;
  /** `extensions.code` of each error in the answer. */
  errorCodes: string[] | undefined;
}

const records = new WeakMap<IncomingMessage, RequestRecord>();

export function startRecord(request: IncomingMessage, id: string, startedAt: number): RequestRecord {
  // Every field set here, in one order: one object shape for all requests keeps the hot path monomorphic.
  const record: RequestRecord = {
    id,
    startedAt,
    operationName: undefined,
    operationType: undefined,
    clientId: undefined,
    cost: undefined,
    readPath: undefined,
    errorCodes: undefined,
  };
  records.set(request, record);
  return record;
}

/** The request's record; undefined for a request that did not come through the HTTP server (yoga's `fetch` in a test). */
export function recordOf(request: IncomingMessage | undefined): RequestRecord | undefined {
  return request && records.get(request);
}
