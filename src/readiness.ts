import { queryScalar, type Db } from './db/client.ts';

export const READY_PATH = '/ready';

/**
 * `GET /ready`: 200 while the gateway can reach PostgreSQL, 503 while it
 * cannot, for a load balancer or orchestrator to route by. yoga's `/health`
 * stays liveness: the process answers, whatever the database does.
 */
export async function readinessResponse(db: Db): Promise<Response> {
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  try {
    await queryScalar(db, 'SELECT 1', []);
    return new Response(JSON.stringify({ status: 'ready' }), { status: 200, headers });
  } catch (error) {
    const reason = error instanceof Error ? error.message.trim().split('\n').at(-1) : String(error);
    console.error(`Readiness check failed: ${reason}`);
    return new Response(JSON.stringify({ status: 'unavailable', reason: 'the database cannot be reached' }), { status: 503, headers: { ...headers, 'retry-after': '1' } });
  }
}
