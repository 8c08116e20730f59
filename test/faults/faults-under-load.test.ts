import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeIdOf } from '../../src/schema/global-id.ts';
import { bookingLoad, eventually, fetchToken, startGatewayProcess, startOwnDatabase, type Attempt, type GatewayProcess, type OwnDatabase } from './support.ts';

/** How long a request may wait for a connection before it is answered 503 (DATABASE_CONNECT_TIMEOUT_MS). */
const CONNECT_TIMEOUT_MS = 1_000;

let database: OwnDatabase;
let gateway: GatewayProcess;
let token: string;

beforeAll(async () => {
  database = await startOwnDatabase();
  gateway = await startGatewayProcess(database.url, { DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) });
  token = await fetchToken(gateway.url, database.clientId, database.clientSecret);
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await database?.close();
});

function alive(process: GatewayProcess) {
  return process.child.exitCode === null && process.child.signalCode === null;
}

/** Every booking the gateway answered with success is in the database. */
async function expectAcknowledgedBookingsKept(attempts: Attempt[]) {
  const acknowledged = attempts.filter((attempt) => attempt.outcome === 'CreateBookingSuccess').map((attempt) => decodeIdOf('Booking', attempt.bookingId!));
  expect(acknowledged.length).toBeGreaterThan(0);
  const stored = await database.bookingIds();
  expect(acknowledged.filter((id) => !stored.has(id!))).toEqual([]);
}

const terminateBackends = () =>
  database.admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'postgres' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`);

describe('the gateway under database faults', () => {
  it('fails only the bookings whose connection PostgreSQL terminated, with a typed 503, and keeps serving', async () => {
    const load = bookingLoad(() => gateway.url, token, database.fixture);
    await eventually(() => load.attempts.filter((attempt) => attempt.outcome === 'CreateBookingSuccess').length >= 8, 15_000, 'bookings before the fault');
    // Bursts while bookings are in flight: most connections are inside a transaction when they go.
    for (let burst = 0; burst < 5; burst += 1) {
      await terminateBackends();
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const afterFaults = load.attempts.length;
    await eventually(() => load.attempts.slice(afterFaults).filter((attempt) => attempt.outcome === 'CreateBookingSuccess').length >= 8, 10_000, 'bookings after the fault');
    await load.stop();

    expect(alive(gateway), gateway.output()).toBe(true);
    const outcomes = new Set(load.attempts.map((attempt) => `${attempt.status} ${attempt.outcome}`));
    expect([...outcomes].filter((outcome) => outcome !== '200 CreateBookingSuccess' && outcome !== '503 SERVICE_UNAVAILABLE')).toEqual([]);
    await expectAcknowledgedBookingsKept(load.attempts);
  }, 60_000);

  it('answers 503 quickly while PostgreSQL is down, tells /ready the truth, and recovers by itself when it returns', async () => {
    const load = bookingLoad(() => gateway.url, token, database.fixture);
    await eventually(() => load.attempts.filter((attempt) => attempt.outcome === 'CreateBookingSuccess').length >= 4, 15_000, 'bookings before the outage');
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);

    await database.server.stop();
    const down = load.attempts.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const ready = await fetch(`${gateway.url}/ready`);
    const tokenRequest = await fetch(`${gateway.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: database.clientId, client_secret: database.clientSecret }),
    });
    const health = await fetch(`${gateway.url}/health`);
    const duringOutage = load.attempts.slice(down);

    await database.server.start();
    const back = load.attempts.length;
    const recoveryMs = await eventually(() => load.attempts.slice(back).some((attempt) => attempt.outcome === 'CreateBookingSuccess'), 10_000, 'a booking after PostgreSQL returned');
    await load.stop();
    console.log(`outage: ${duringOutage.length} answers, slowest ${Math.max(...duringOutage.map((attempt) => attempt.elapsedMs)).toFixed(0)} ms; first booking ${recoveryMs.toFixed(0)} ms after PostgreSQL returned`);

    expect(alive(gateway), gateway.output()).toBe(true);
    expect(duringOutage.length).toBeGreaterThan(0);
    for (const attempt of duringOutage) {
      expect(`${attempt.status} ${attempt.outcome}`).toBe('503 SERVICE_UNAVAILABLE');
      expect(attempt.elapsedMs).toBeLessThan(CONNECT_TIMEOUT_MS + 1_000);
    }
    expect(ready.status).toBe(503);
    expect(tokenRequest.status).toBe(503);
    expect(await tokenRequest.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(health.status).toBe(200);
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
    await expectAcknowledgedBookingsKept(load.attempts);
  }, 60_000);

  it('keeps every acknowledged booking when the gateway is killed with SIGKILL mid-load and started again', async () => {
    let target = gateway.url;
    const load = bookingLoad(() => target, token, database.fixture);
    await eventually(() => load.attempts.filter((attempt) => attempt.outcome === 'CreateBookingSuccess').length >= 8, 15_000, 'bookings before the kill');
    gateway.child.kill('SIGKILL');
    expect(await gateway.exited).toBe('SIGKILL');
    await gateway.stop();

    gateway = await startGatewayProcess(database.url, { DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) });
    target = gateway.url;
    const restarted = load.attempts.length;
    await eventually(() => load.attempts.slice(restarted).filter((attempt) => attempt.outcome === 'CreateBookingSuccess').length >= 8, 15_000, 'bookings after the restart');
    await load.stop();

    // Requests cut by the kill never got an answer (a network error); every answered one is either kept or a typed failure.
    const answered = load.attempts.filter((attempt) => attempt.status !== 0);
    expect(new Set(answered.map((attempt) => `${attempt.status} ${attempt.outcome}`))).toEqual(new Set(['200 CreateBookingSuccess']));
    await expectAcknowledgedBookingsKept(load.attempts);
  }, 60_000);
});
