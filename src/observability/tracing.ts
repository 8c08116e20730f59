import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { TracingConfig } from '../config.ts';
import type { Logger } from './logger.ts';
import { recordOf, type ReadPath } from './request-record.ts';

/** What an operation's span says once it has run (read then: the read path is known only at the end). */
export interface OperationDescription {
  name: string | undefined;
  type: string | undefined;
  readPath: ReadPath | undefined;
}

/**
 * The gateway's side of tracing, free of OpenTelemetry: parts that trace
 * take one of these, and without `OTEL_EXPORTER_OTLP_ENDPOINT` there is none
 * and nothing of OpenTelemetry is loaded.
 */
export interface Tracing {
  /**
   * Runs `run` in a span of its own for one GraphQL operation, a child of the
   * request's span, so that the SQL statements it sends are the operation's
   * children; `describe` names the span when `run` is done.
   */
  operation<T>(describe: () => OperationDescription, run: () => Promise<T>): Promise<T>;
  /** Exports the spans not yet sent, then stops. */
  shutdown(): Promise<void>;
}

/** Starts exporting traces (src/observability/open-telemetry.ts, loaded only now). */
export async function startTracing(config: TracingConfig, logger: Logger): Promise<Tracing> {
  const { startOpenTelemetry } = await import('./open-telemetry.ts');
  return startOpenTelemetry(config, logger);
}

/** On yoga's path, each operation's execution (compiled by the plugin or through the resolvers) in its span. */
export function useTracing(tracing: Tracing): Plugin {
  return {
    instrumentation: {
      execute: ({ context }, wrapped) => {
        const describe = (): OperationDescription => {
          const record = recordOf((context as { req?: IncomingMessage }).req);
          return { name: record?.operationName, type: record?.operationType, readPath: record?.readPath };
        };
        return tracing.operation(describe, async () => {
          await wrapped();
        });
      },
    },
  };
}
