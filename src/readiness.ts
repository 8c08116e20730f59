import { queryScalar, type Db } from './db/client.ts';
import { migrationNames, migrationsDir } from './db/migrate.ts';
import type { Logger } from './observability/logger.ts';

/** Liveness: 200 while the process answers (yoga's health check), whatever the database does. */
export const LIVENESS_PATH = '/livez';
/** Readiness: 200 while the gateway can serve, 503 with a reason while it cannot. */
export const READINESS_PATH = '/readyz';
/** Earlier names of the same probes, still answered: `/health` is liveness, `/ready` readiness. */
export const PROBE_ALIASES: Record<string, string> = { '/health': LIVENESS_PATH, '/ready': READINESS_PATH };

const UNDEFINED_TABLE = '42P01';

export interface Readiness {
  /** The answer to `GET /readyz`. */
  response(): Promise<Response>;
  /** From now on not ready: the gateway is shutting down and should get no new traffic. */
  stopAccepting(): void;
}

/**
 * Ready means: PostgreSQL answers, and every migration of prisma/migrations
 * is applied (a gateway newer than its database would fail on the missing
 * columns), and the gateway is not shutting down. One statement checks both
 * database conditions.
 */
export async function createReadiness(db: Db, logger: Logger, dir: string = migrationsDir): Promise<Readiness> {
  const expected = await migrationNames(dir);
  let shuttingDown = false;
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  const unavailable = (reason: string) =>
    new Response(JSON.stringify({ status: 'unavailable', reason }), { status: 503, headers: { ...headers, 'retry-after': '1' } });

  const appliedMigrations = async (): Promise<string[]> => {
    try {
      const names = await queryScalar(
        db,
        `SELECT coalesce(array_agg(migration_name), '{}') FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        [],
      );
      return names as string[];
    } catch (error) {
      // No table yet: a database no migration ever ran on.
      if ((error as { code?: string }).code === UNDEFINED_TABLE) return [];
      throw error;
    }
  };

  return {
    stopAccepting: () => {
      shuttingDown = true;
    },
    response: async () => {
      if (shuttingDown) return unavailable('the gateway is shutting down');
      let applied: Set<string>;
      try {
        applied = new Set(await appliedMigrations());
      } catch (error) {
        const detail = error instanceof Error ? error.message.trim().split('\n').at(-1) : String(error);
        logger.warn({ reason: detail }, `readiness check failed: ${detail}`);
        return unavailable('the database cannot be reached');
      }
      const pending = expected.filter((name) => !applied.has(name));
      if (pending.length > 0) return unavailable(`migrations not applied: ${pending.join(', ')} (run npm run cli -- migrate)`);
      return new Response(JSON.stringify({ status: 'ready' }), { status: 200, headers });
    },
  };
}
