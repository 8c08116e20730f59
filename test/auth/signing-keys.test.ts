import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.ts';
import { createGateway, listen } from '../../src/server.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { authenticateWith, createAccount, createClient, decodeToken, tokenOf } from './helpers.ts';

let gateway: TestGateway;
let client: Awaited<ReturnType<typeof createClient>>;

beforeAll(async () => {
  gateway = await startTestGateway();
  client = await createClient(gateway.db, { accounts: [(await createAccount(gateway.db)).id] });
});
afterAll(() => gateway?.close());

async function publishedKids(url: string) {
  const { keys } = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
  return keys.map((key) => key.kid);
}

describe('signing keys', () => {
  it('are created on first start and stored with their private half', async () => {
    const rows = await gateway.db.signingKey.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ algorithm: 'ES256', retiredAt: null, privateJwk: expect.objectContaining({ d: expect.any(String) }) });
    expect(rows[0]!.publicJwk).not.toHaveProperty('d');
  });

  it('rotate without downtime: old tokens stay valid, new tokens carry the new kid', async () => {
    const oldToken = await tokenOf(gateway, client);
    const oldKid = decodeToken(oldToken).header.kid!;

    const { kid: newKid } = await gateway.gateway.auth.keys.rotate();

    expect(newKid).not.toBe(oldKid);
    expect(await publishedKids(gateway.url)).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect((await authenticateWith(gateway, `Bearer ${oldToken}`)).kind).toBe('valid');
    const newToken = await tokenOf(gateway, client);
    expect(decodeToken(newToken).header.kid).toBe(newKid);
    expect((await authenticateWith(gateway, `Bearer ${newToken}`)).kind).toBe('valid');
    expect(await gateway.db.signingKey.findUnique({ where: { kid: oldKid } })).toMatchObject({ retiredAt: expect.any(Date) });
  });

  it('survive a restart: a token from one instance verifies on another over the same database', async () => {
    const token = await tokenOf(gateway, client);
    const { db } = createDb(gateway.databaseUrl);
    const second = await createGateway({ db, config: gateway.config });
    const running = await listen(second, 0, '127.0.0.1');
    try {
      expect((await second.auth.authenticate(`Bearer ${token}`)).kind).toBe('valid');
      expect(await publishedKids(running.url)).toEqual(await publishedKids(gateway.url));
      expect(await db.signingKey.count({ where: { retiredAt: null } })).toBe(1);
    } finally {
      await running.close();
      await second.events.close();
      await db.$disconnect();
    }
  });
});
