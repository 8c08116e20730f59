import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/auth/api-clients.ts';
import { POOL_SIZE } from '../../src/db/client.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { at, createBookableAccount, upcomingMonday } from '../support/booking-fixtures.ts';

/**
 * Two tenants on one gateway: B sends expensive reads as fast as it can, A
 * sends cheap ones. The machine is small and shared, so the bounds compare
 * A's latency with the flood's own, never with fixed times.
 */
let gateway: TestGateway;
let tenantA: Awaited<ReturnType<typeof createBookableAccount>>;
let tenantB: Awaited<ReturnType<typeof createBookableAccount>>;
let tokenA: string;
let tokenB: string;
const monday = upcomingMonday();

beforeAll(async () => {
  gateway = await startTestGateway();
  tenantA = await createBookableAccount(gateway.db, { agents: 2, name: 'Quiet tenant' });
  tenantB = await createBookableAccount(gateway.db, { agents: 20, name: 'Noisy tenant' });
  tokenA = await gateway.tokenFor({ accounts: [tenantA.account.id] });
  tokenB = await gateway.tokenFor({ accounts: [tenantB.account.id] });
});

afterAll(() => gateway?.close());

async function timed(request: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await request();
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

/** 59 days of a 20-member team: an availability that takes the resolvers hundreds of milliseconds. */
const expensiveRead = () =>
  gateway.graphql(
    `query ($input: AvailabilityInput!) { availability(input: $input) { startsAt endsAt agents { id name } } }`,
    { input: { appointmentTypeId: tenantB.instantTypeId, resourceId: tenantB.anyTeamId, from: at(monday, '00:00'), to: at(monday.plus({ days: 59 }), '00:00'), timeZone: 'Europe/London' } },
    tokenB,
  );

/** `concurrency` loops of `request` until `stop` resolves; the durations of every request. */
async function flood(concurrency: number, request: () => Promise<unknown>, stop: Promise<unknown>): Promise<number[]> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const durations: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stopped) durations.push(await timed(request));
    }),
  );
  return durations;
}

const tokenRequest = (client: { clientId: string; clientSecret: string }) =>
  timed(async () => {
    const response = await fetch(`${gateway.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
    });
    expect(response.status).toBe(200);
  });

describe('fairness between API clients', () => {
  it('answers another tenant’s cheap reads and token requests while one tenant floods expensive reads, well within the flood’s own latency', async () => {
    const client = await createApiClient(gateway.db, { name: 'token under flood', scopes: ['read'], accounts: [tenantA.account.id] });
    const cheapRead = async () => {
      // `viewer` executes through the resolvers, in the same lane as B's availability.
      const result = await gateway.graphql('{ viewer { clientId accounts { name } } }', {}, tokenA);
      expect(result.data.viewer.accounts).toEqual([{ name: 'Quiet tenant' }]);
    };
    expect((await expensiveRead()).errors).toBeUndefined();
    let done!: () => void;
    const stop = new Promise<void>((resolve) => (done = resolve));
    const floodDurations = flood(10, expensiveRead, stop);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cheap: number[] = [];
    const tokens: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      cheap.push(await timed(cheapRead));
      tokens.push(await tokenRequest(client));
    }
    done();
    const noisy = median(await floodDurations);
    // Ten of B's reads share B's slots, so each waits for several others; A's wait for none of them, only for
    // the event loop between two slices of B's work. Before per-client shares, A's reads queued behind B's.
    expect(median(cheap)).toBeLessThan(noisy / 2);
    // Token requests wait for no slot either, only for the event loop: each of their few turns may come after one
    // slice of B's work, which on a loaded machine can add up to a good part of B's own (queued) latency.
    expect(median(tokens)).toBeLessThan(noisy);
  });

  it('answers token requests and checks clients while reads hold every connection of the shared pool', async () => {
    const client = await createApiClient(gateway.db, { name: 'token under load', scopes: ['read'], accounts: [tenantA.account.id] });
    const holdSeconds = 4;
    const holding = Array.from({ length: POOL_SIZE }, () => gateway.db.$queryRawUnsafe(`SELECT pg_sleep(${holdSeconds})::text`).then(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const tokenMs = await tokenRequest(client);
    // A's client was seen before, so its read is checked again before it executes: on the reserved connections too.
    const readMs = await timed(async () => expect((await gateway.graphql('{ viewer { clientId } }', {}, tokenA)).data.viewer.clientId).toBeTruthy());
    await Promise.all(holding);
    // Without the reserve, both waited for the pool, that is for the whole `holdSeconds`.
    expect(tokenMs).toBeLessThan((holdSeconds * 1000) / 4);
    expect(readMs).toBeLessThan((holdSeconds * 1000) / 4);
  });
});
