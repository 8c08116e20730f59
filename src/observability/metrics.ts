import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/client.ts';
import { poolUsage } from '../db/client.ts';
import type { RequestRecord } from './request-record.ts';
import { FEED_PATH_TEMPLATE } from '../calendar/feeds.ts';

/** Operation names are chosen by clients: the first this many get a series of their own, later ones share `other`. */
const OPERATION_NAMES_KEPT = 100;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
/** Paths with a series of their own; any other path is counted as `other`. */
const KNOWN_PATHS = new Set(['/graphql', '/oauth/token', '/.well-known/jwks.json', '/.well-known/oauth-authorization-server', '/metrics', '/ready', FEED_PATH_TEMPLATE]);
const KNOWN_METHODS = new Set(['GET', 'POST', 'OPTIONS', 'HEAD']);
/** Error codes come from the gateway, but a resolver could set any: bounded the same way. */
const ERROR_CODES_KEPT = 50;

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Metrics {
  registry: Registry;
  /** Called once per request, when its response is sent. */
  observeRequest(method: string | undefined, path: string, status: number, seconds: number, record: RequestRecord): void;
  bookingCreated(): void;
  bookingCancelled(): void;
}

/** The gateway's Prometheus metrics, in a registry of its own (several gateways in one process, as in tests, do not mix). */
export function createMetrics(db: Db): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request to the end of its response, by method, path and status.',
    labelNames: ['method', 'path', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: `Time from a GraphQL request to the end of its response, by operation name (the first ${OPERATION_NAMES_KEPT} names seen; later ones are "other"), type and read path.`,
    labelNames: ['operation', 'type', 'read_path'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const reads = new Counter({
    name: 'graphql_reads_total',
    help: 'Queries answered, by the path that answered them: compiled-fast-path, compiled-plugin or resolvers.',
    labelNames: ['read_path'] as const,
    registers,
  });
  const errors = new Counter({ name: 'graphql_errors_total', help: 'Errors in GraphQL answers, by extensions.code.', labelNames: ['code'] as const, registers });
  const rateLimited = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused by a rate limit (429), by path.',
    labelNames: ['path'] as const,
    registers,
  });
  const queryLimited = new Counter({ name: 'query_limit_rejections_total', help: 'Operations refused before execution for a limit (QUERY_TOO_COMPLEX).', registers });
  const bookingsCreated = new Counter({ name: 'bookings_created_total', help: 'Bookings created through createBooking.', registers });
  const bookingsCancelled = new Counter({ name: 'bookings_cancelled_total', help: 'Bookings cancelled through cancelBooking.', registers });
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database connections by pool (shared: requests; reserved: authentication) and state (in_use, idle).',
    labelNames: ['pool', 'state'] as const,
    registers,
    collect() {
      for (const { pool, total, idle } of poolUsage(db)) {
        this.set({ pool, state: 'in_use' }, total - idle);
        this.set({ pool, state: 'idle' }, idle);
      }
    },
  });
  new Gauge({
    name: 'db_pool_waiting',
    help: 'Callers waiting for a database connection, by pool.',
    labelNames: ['pool'] as const,
    registers,
    collect() {
      for (const { pool, waiting } of poolUsage(db)) this.set({ pool }, waiting);
    },
  });

  const operationNames = new Set<string>();
  const operationLabel = (name: string | undefined) => {
    if (name === undefined) return 'anonymous';
    if (operationNames.has(name)) return name;
    if (operationNames.size >= OPERATION_NAMES_KEPT || !OPERATION_NAME.test(name)) return 'other';
    operationNames.add(name);
    return name;
  };
  const errorCodes = new Set<string>();
  const codeLabel = (code: string) => {
    if (errorCodes.has(code)) return code;
    if (errorCodes.size >= ERROR_CODES_KEPT || !OPERATION_NAME.test(code)) return 'other';
    errorCodes.add(code);
    return code;
  };

  return {
    registry,
    observeRequest(method, path, status, seconds, record) {
      const pathLabel = KNOWN_PATHS.has(path) ? path : 'other';
      requestDuration.observe({ method: method && KNOWN_METHODS.has(method) ? method : 'other', path: pathLabel, status }, seconds);
      if (status === 429) rateLimited.inc({ path: pathLabel });
      if (record.operationType !== undefined) {
        const readPath = record.readPath ?? 'none';
        operationDuration.observe({ operation: operationLabel(record.operationName), type: record.operationType, read_path: readPath }, seconds);
        if (record.operationType === 'query' && record.readPath) reads.inc({ read_path: readPath });
      }
      if (record.errorCodes) {
        for (const code of record.errorCodes) errors.inc({ code: codeLabel(code) });
        if (record.errorCodes.includes('QUERY_TOO_COMPLEX')) queryLimited.inc();
      }
    },
    bookingCreated: () => bookingsCreated.inc(),
    bookingCancelled: () => bookingsCancelled.inc(),
  };
}
