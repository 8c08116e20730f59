/**
 * OpenTelemetry's SDK, set up for the gateway: imported by startTracing
 * (./tracing.ts) only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Spans:
 * one per HTTP request (instrumentation-http, which continues a caller's
 * `traceparent`), one per GraphQL operation within it, and one per SQL
 * statement within that (instrumentation-pg, for Prisma's statements and the
 * compiled reads' alike: both go through the same pg pool).
 */
import { createRequire } from 'node:module';
import { diag, DiagLogLevel, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from '../config.ts';
import { LIVENESS_PATH, PROBE_ALIASES, READINESS_PATH } from '../readiness.ts';
import { METRICS_PATH } from './http.ts';
import type { Logger } from './logger.ts';
import type { OperationDescription, Tracing } from './tracing.ts';

/** Requests that get no trace: probes every few seconds and scrapes would bury the requests worth reading. */
const UNTRACED_PATHS = new Set([LIVENESS_PATH, READINESS_PATH, METRICS_PATH, ...Object.keys(PROBE_ALIASES)]);

const pathOf = (url: string | undefined) => (url ?? '').split('?', 1)[0]!;

export function startOpenTelemetry(config: TracingConfig, logger: Logger): Tracing {
  // The SDK's own complaints (an unreachable collector) through the gateway's logger, warnings and worse only.
  diag.setLogger(
    {
      error: (message) => logger.warn({ component: 'opentelemetry' }, message),
      warn: (message) => logger.warn({ component: 'opentelemetry' }, message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    // A caller's sampled flag decides for its trace; traces that start here are kept at the configured ratio.
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.endpoint}/v1/traces`, headers: config.headers }))],
  });
  // The global provider, W3C trace context propagation and AsyncLocalStorage context: what the instrumentations use.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has(pathOf(request.url)),
        // A GraphQL GET carries the operation and its variables in the query string: kept out, as from the access line.
        redactedQueryParamsServer: ['query', 'variables', 'operationName', 'extensions'],
        // The exporter's own requests are the only outgoing ones; none belongs to a request's trace.
        ignoreOutgoingRequestHook: () => true,
        // "POST /graphql" rather than "POST": the gateway has a handful of paths, so the name stays low-cardinality.
        applyCustomAttributesOnSpan: (span, request) => {
          if ('url' in request && request.method) span.updateName(`${request.method} ${pathOf(request.url)}`);
        },
      }),
      // Statements outside a request (migrations, the pool's own) make no traces of their own.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  // The gateway's modules are ES modules, loaded before this one: the instrumentations patch the CommonJS modules
  // when they are next required, and the classes patched (http.Server, pg's Client and Pool) are the ones those
  // imports share.
  const require = createRequire(import.meta.url);
  for (const name of ['http', 'pg', 'pg-pool']) require(name);
  logger.info({ collector: new URL(config.endpoint).host, serviceName: config.serviceName }, 'exporting traces over OTLP/HTTP');

  const tracer = provider.getTracer('open-scheduling-gateway');
  return {
    operation: (describe, run) =>
      tracer.startActiveSpan('GraphQL Operation', async (span) => {
        try {
          return await run();
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          name(span, describe());
          span.end();
        }
      }),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
    },
  };
}

/** The semantic conventions' name and attributes of a GraphQL span: `query BookingsPage`; the gateway's read path besides. */
function name(span: Span, operation: OperationDescription) {
  if (operation.type) span.updateName(operation.name ? `${operation.type} ${operation.name}` : operation.type);
  if (operation.type) span.setAttribute('graphql.operation.type', operation.type);
  if (operation.name) span.setAttribute('graphql.operation.name', operation.name);
  if (operation.readPath) span.setAttribute('gateway.read_path', operation.readPath);
}
