import { createLogger, type Logger } from '../../src/observability/logger.ts';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, as written. */
  lines: string[];
  /** The lines parsed, once one matching `predicate` has been written (access lines follow the response by a moment). */
  waitFor(predicate: (entry: Record<string, any>) => boolean): Promise<Record<string, any>>;
}

/** A logger at `info` that writes its JSON lines into memory, for a test to read. */
export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  return {
    logger,
    lines,
    async waitFor(predicate) {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const found = lines.map((line) => JSON.parse(line) as Record<string, any>).find(predicate);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no log line matched; lines were:\n${lines.join('')}`);
    },
  };
}
