import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = Level | 'silent';

/**
 * The gateway's one logger: JSON lines on stdout, or `destination` (tests
 * read the lines from it). On a terminal, and only when pino-pretty is
 * installed (a development convenience, not a dependency), lines are
 * pretty-printed for a person to read.
 */
export function createLogger(options: { level: LogLevel; destination?: DestinationStream }): Logger {
  const settings = {
    level: options.level,
    base: undefined,
    // An error logged under `err` carries its type, message and stack; no header is ever logged (tokens travel in them).
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.destination) return pino(settings, options.destination);
  if (process.stdout.isTTY && prettyPrinterInstalled()) return pino({ ...settings, transport: { target: 'pino-pretty' } });
  return pino(settings);
}

function prettyPrinterInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

let processLogger: Logger | undefined;

/**
 * The logger of parts made before the gateway's (a database client for the
 * CLI or a test, rate limits built on their own): JSON lines on stdout at
 * `info`. The gateway passes its own wherever it can.
 */
export function defaultLogger(): Logger {
  return (processLogger ??= createLogger({ level: 'info' }));
}
