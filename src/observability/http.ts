import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import compression from 'compression';
import { redactedPath } from '../calendar/feeds.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.ts';
import { startRecord, type RequestRecord } from './request-record.ts';

export const METRICS_PATH = '/metrics';

/** The encodings compressed; a client that accepts neither gets every answer as it is. */
const ACCEPTS_COMPRESSION = /\b(?:gzip|br)\b/i;

export interface ObservabilityOptions {
  logger: Logger;
  metrics: Metrics;
  /** When set, GET /metrics wants `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined;
  /** Responses of at least this many bytes are compressed when the client accepts gzip or br; undefined: never. */
  compressionMinBytes: number | undefined;
}

/**
 * Wraps the gateway's HTTP handler, in front of both yoga and the compiled
 * reads' fast path: every request gets a request id (the caller's
 * `X-Request-Id` when acceptable), echoed in the response; its response is
 * compressed when large and accepted; when it is sent, one access line is
 * logged and the metrics observe it. GET /metrics answers here.
 */
const EVENT_STREAM = /\btext\/event-stream\b/i;

export function withObservability(handle: RequestListener, options: ObservabilityOptions): RequestListener {
  const { logger, metrics, metricsToken } = options;
  const compress =
    options.compressionMinBytes === undefined ? undefined : compression({ threshold: options.compressionMinBytes });

  return (request, response) => {
    const record = startRecord(request, requestIdFrom(request.headers[REQUEST_ID_HEADER]), performance.now());
    response.setHeader(REQUEST_ID_HEADER, record.id);
    // The path without the query string: a GET's query string holds the operation and its variables. A feed's secret is cut too.
    const url = request.url ?? '';
    const queryStart = url.indexOf('?');
    const path = redactedPath(queryStart === -1 ? url : url.slice(0, queryStart));
    response.once('close', () => finish(request, response, record, path));
    const serve = path === METRICS_PATH ? () => void serveMetrics(request, response, record.id) : () => handle(request, response);
    // The middleware patches the response of every request it sees: only the requests that may be compressed pay for it.
    // Event streams (subscriptions over SSE) must flush each event as it comes: the middleware would hold them back.
    const eventStream = EVENT_STREAM.test(request.headers.accept ?? '');
    if (compress && !eventStream && ACCEPTS_COMPRESSION.test(request.headers['accept-encoding'] ?? '')) compress(request as never, response as never, serve);
    else serve();
  };

  function finish(request: IncomingMessage, response: ServerResponse, record: RequestRecord, path: string) {
    const seconds = (performance.now() - record.startedAt) / 1000;
    const status = response.statusCode;
    metrics.observeRequest(request.method, path, status, seconds, record);
    logger.info(
      {
        requestId: record.id,
        method: request.method,
        path,
        status,
        durationMs: Math.round(seconds * 1e4) / 10,
        operationName: record.operationName,
        operationType: record.operationType,
        clientId: record.clientId,
        cost: record.cost,
        readPath: record.readPath,
        errorCodes: record.errorCodes,
        // The client went away before the whole response was sent.
        aborted: response.writableFinished ? undefined : true,
      },
      'request',
    );
  }

  async function serveMetrics(request: IncomingMessage, response: ServerResponse, requestId: string) {
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET', 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
      return;
    }
    if (metricsToken !== undefined && !bearerMatches(request.headers.authorization, metricsToken)) {
      response.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' }).end('Unauthorized\n');
      return;
    }
    try {
      const body = await metrics.registry.metrics();
      response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
    } catch (error) {
      logger.error({ err: error, requestId }, 'metrics could not be collected');
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error\n');
    }
  }
}

function bearerMatches(authorization: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
