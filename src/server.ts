import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { getOperationAST } from 'graphql';
import type { AddressInfo } from 'node:net';
import { createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.ts';
import { reservedDb, type Db } from './db/client.ts';
import { createAuth, type Auth } from './auth/index.ts';
import { createCalendarRoutes } from './calendar/http.ts';
import { REVOKED } from './auth/bearer.ts';
import { authenticatedRequests, withCompiledReadFastPath, type FastPath } from './compiled-reads/fast-path.ts';
import { useCompiledReads } from './compiled-reads/plugin.ts';
import { corsPolicy, useCors } from './cors.ts';
import { useQueryExecutionLimit } from './execution-limit.ts';
import { useRequestSizeLimits } from './http/request-size.ts';
import { createOperationLimits, type OperationLimits } from './query-limits/operation-limits.ts';
import { useQueryLimits } from './query-limits/plugin.ts';
import { useNoIntrospection } from './query-limits/introspection.ts';
import { createGraphiQLRenderer, GRAPHIQL_OPTIONS } from './graphiql/page.ts';
import { createDemoTokenEndpoint, type DemoCredentials } from './graphiql/demo-token.ts';
import { boundError, useResolvedItemsBudget } from './execution-bounds.ts';
import { createReadiness, LIVENESS_PATH, PROBE_ALIASES, READINESS_PATH, type Readiness } from './readiness.ts';
import { createRateLimits, type RateLimits } from './rate-limits/limits.ts';
import { useRequestRateLimit } from './rate-limits/requests.ts';
import { callerKey } from './fairness/caller.ts';
import { useQueryCostBudget } from './rate-limits/query-cost.ts';
import { createFairSlots } from './fairness/fair-slots.ts';
import { createContext, type Context } from './schema/context.ts';
import { schema } from './schema/index.ts';
import { invalidToken } from './schema/errors.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { withObservability } from './observability/http.ts';
import { rememberUnexpectedError, useObservation, yogaLogging } from './observability/plugin.ts';
import { recordOf } from './observability/request-record.ts';
import { useTracing, type Tracing } from './observability/tracing.ts';
import { startRealtime } from './events/realtime.ts';
import { attachWebSocketSubscriptions } from './http/websocket.ts';

/** Operations asking for these execute in the lane for reports (src/execution-limit.ts). */
const REPORT_FIELDS = ['schedulingReport'];

const GRAPHQL_ENDPOINT = '/graphql';

export interface Gateway {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  auth: Auth;
  /** What the HTTP server calls: yoga, behind the compiled reads' fast path when they are on. */
  handle: RequestListener;
  fastPath: FastPath | undefined;
  /** Its counters; close them (a Redis connection) when the gateway stops. */
  rateLimits: RateLimits;
  logger: Logger;
  metrics: Metrics;
  /** What `/readyz` answers; told when the gateway starts shutting down. */
  readiness: Readiness;
  /** The operation limits as HTTP applies them (undefined when off), for operations arriving over WebSocket. */
  operationLimits: OperationLimits | undefined;
  /** The outbox relay, reservation sweeper and webhook worker; close them when the gateway stops. */
  events: { endSubscriptions(): void; eventsCommitted(): void; close(): Promise<void> };
}

/**
 * Builds the whole HTTP surface: GraphQL at /graphql, OAuth2 and discovery documents beside it. `demoClient`: only
 * in the embedded demo, whose GraphiQL hands out the demo client's tokens (src/graphiql/demo-token.ts).
 */
export async function createGateway({
  db,
  config,
  logger = createLogger({ level: config.observability.logLevel }),
  demoClient,
  tracing,
}: {
  db: Db;
  config: Config;
  /** Where log lines go; tests pass one writing to a stream they read. */
  logger?: Logger;
  demoClient?: DemoCredentials;
  /** Spans for GraphQL operations (src/observability/tracing.ts); only when traces are exported. */
  tracing?: Tracing;
}): Promise<Gateway> {
  const metrics = createMetrics(db);
  const rateLimits = createRateLimits(config.rateLimits, config.redisUrl, logger);
  // Not ready means counting in memory for now: the gateway serves anyway, and shares counters once Redis connects.
  await rateLimits.ready();
  // Token requests and client checks on connections of their own: reads cannot hold them up.
  const auth = await createAuth({ db: reservedDb(db), config, rateLimits, logger });
  const events = startRealtime({ db, config, logger });
  // Events published before the Redis subscription is in place would not reach this instance's subscribers.
  await events.ready();
  const services = { rootDb: db, config, rateLimits, allAccounts: auth.allAccounts, bookingEvents: metrics, realtime: events.realtime };
  const operations = createOperationLimits(schema, config.queryLimits, { introspection: config.introspection });
  const demoToken = demoClient && config.graphiql ? createDemoTokenEndpoint(auth, demoClient) : undefined;
  const calendar = createCalendarRoutes({ db, auth, rateLimit: rateLimits.requests, logger });
  const compiledReadConnections = createFairSlots(config.fairness.compiledReadConnections);
  const cors = corsPolicy(config.corsOrigins);
  const readiness = await createReadiness(db, logger);
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    maxRequestBodySize: config.requestLimits.maxBodyBytes,
    landingPage: false,
    logging: yogaLogging(logger),
    healthCheckEndpoint: LIVENESS_PATH,
    // CORS by the gateway's own policy (useCors below), which the compiled reads' fast path applies too.
    cors: false,
    graphiql: config.graphiql && GRAPHIQL_OPTIONS,
    renderGraphiQL: createGraphiQLRenderer({ demo: demoToken !== undefined }),
    maskedErrors: {
      // The client sees "Unexpected error."; the operator sees what it was.
      maskError: (error, message, isDev) => {
        // A timeout, an oversized answer or a database outage is the client's to know, with its own code and status.
        const bounded = boundError(error);
        if (bounded) return bounded;
        const masked = maskError(error, message, isDev);
        if (masked !== error) rememberUnexpectedError(masked, error);
        return masked;
      },
    },
    context: async ({ request, req }) => {
      // Node's request, which yoga's Node adapter passes along as `req`.
      const nodeRequest = req as IncomingMessage | undefined;
      const result = (nodeRequest && authenticatedRequests.get(nodeRequest)) ?? (await auth.authenticate(request.headers.get('authorization')));
      if (result.kind === 'invalid') throw invalidToken(result.reason);
      return result.kind === 'none' ? createContext(services, null) : createContext(services, result.principal, result.unconfirmed);
    },
    plugins: [
      // First: its instrumentation wraps every other plugin's part of an operation's execution.
      ...(tracing ? [useTracing(tracing)] : []),
      useCors(cors),
      useObservation(logger),
      useRequestSizeLimits(config.requestLimits, GRAPHQL_ENDPOINT),
      {
        async onRequest({ request, url, endResponse, serverContext }) {
          const probe = PROBE_ALIASES[url.pathname] ?? url.pathname;
          if (probe === READINESS_PATH && request.method === 'GET') return endResponse(await readiness.response());
          if (probe === LIVENESS_PATH) return endResponse(new Response(null, { status: 200 }));
          const req = (serverContext as { req?: IncomingMessage }).req;
          const remoteAddress = req?.socket.remoteAddress;
          const requestId = recordOf(req)?.id;
          const response =
            (await auth.handle(request, url, remoteAddress, requestId)) ??
            (await calendar.handle(request, url, remoteAddress, requestId)) ??
            (await demoToken?.(request, url, remoteAddress));
          if (response) endResponse(response);
        },
      },
      useRequestRateLimit({ limit: rateLimits.requests, auth, endpoint: GRAPHQL_ENDPOINT, authenticatedRequests }),
      ...(config.queryLimits.enabled ? [useQueryLimits(operations)] : []),
      ...(config.introspection ? [] : [useNoIntrospection()]),
      useClientConfirmation(),
      useQueryExecutionLimit({
        queries: config.fairness.querySlots,
        reports: config.fairness.reportSlots,
        reportFields: REPORT_FIELDS,
        callerOf: (context) => callerKey((context as Context).principal),
      }),
      useQueryCostBudget({ limit: rateLimits.queryCost, callerOf: (context) => (context as Context).principal?.apiClientId }),
      useResolvedItemsBudget(schema, config.bounds.maxResolvedItems),
      usePublishAfterMutations(events.eventsCommitted),
      ...(config.compiledReads ? [useCompiledReads({ maxResponseBytes: config.bounds.maxResponseBytes, connections: compiledReadConnections, logger })] : []),
    ],
  });
  const fastPath = config.compiledReads
    ? withCompiledReadFastPath({
        endpoint: GRAPHQL_ENDPOINT,
        schema,
        operations,
        auth,
        db,
        yoga,
        maxResponseBytes: config.bounds.maxResponseBytes,
        rateLimit: rateLimits.requests,
        connections: compiledReadConnections,
        cors,
        logger,
        tracing,
      })
    : undefined;
  const handle = withObservability(fastPath?.handle ?? yoga, { logger, metrics, ...config.observability });
  const operationLimits = config.queryLimits.enabled ? operations : undefined;
  return { yoga, auth, handle, fastPath, rateLimits, logger, metrics, readiness, events, operationLimits };
}

/**
 * Once a mutation is done, its transactions have committed: the events they
 * wrote are published now rather than at the outbox relay's next poll.
 */
function usePublishAfterMutations(eventsCommitted: () => void): Plugin {
  return {
    onExecute({ args }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      return { onExecuteDone: () => eventsCommitted() };
    },
  };
}

/**
 * Reads the API client again when the request was authenticated from the
 * client as last seen (a compiled read, next plugin, checks it in its own
 * statement instead). A mutation waits for the check before it executes. A
 * query only reads, so it executes alongside the check, saving a round trip:
 * its answer is kept if the client still grants what it did, dropped for
 * UNAUTHENTICATED if it was revoked, and computed again, with the client's
 * current grants and empty caches, if they changed meanwhile.
 */
function useClientConfirmation(): Plugin<Record<string, unknown>, Context> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const context = args.contextValue as unknown as Context;
      if (!context.unconfirmedClient) return;
      // A function: a GraphQLError captures a stack trace, too costly to build for every request.
      const revoked = () => ({ errors: [invalidToken(REVOKED)] });
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') {
        setExecuteFn(async (executionArgs) => ((await context.confirmPrincipal()) ? executeFn(executionArgs) : revoked()));
        return;
      }
      setExecuteFn(async (executionArgs) => {
        const [check, execution] = await Promise.allSettled([context.recheckPrincipal(), executeFn(executionArgs)]);
        if (check.status === 'rejected') throw check.reason;
        if (check.value === 'revoked') return revoked();
        if (check.value === 'changed') return executeFn({ ...executionArgs, contextValue: context.fresh() });
        if (execution.status === 'rejected') throw execution.reason;
        return execution.value;
      });
    },
  };
}

export interface RunningServer {
  server: Server;
  url: string;
  /** Closes the WebSocket connections (1001 Going Away): they would otherwise hold a shutdown up. */
  closeWebSockets(): Promise<void>;
  close(): Promise<void>;
}

export async function listen(gateway: Gateway, port: number, host: string): Promise<RunningServer> {
  const server = createServer(gateway.handle);
  const webSockets = attachWebSocketSubscriptions(server, gateway, GRAPHQL_ENDPOINT);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}`,
    closeWebSockets: () => webSockets.close(),
    close: async () => {
      await webSockets.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
