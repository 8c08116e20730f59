import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffedAccount } from '../support/fixtures.ts';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';

let gateway: TestGateway;
let token: string;

const LONG_NAME = 'N'.repeat(2_000);
/** Six aliases of a page of 100 agents, each named with 2,000 characters: an answer of some 1.3 MB. */
const LARGE = `query Large { ${Array.from({ length: 6 }, (_, index) => `a${index}: agents(first: 100) { nodes { id name email } }`).join(' ')} }`;
const SMALL = 'query Small { agents(first: 1) { totalCount } }';

interface RawAnswer {
  status: number;
  encoding: string | undefined;
  vary: string | undefined;
  body: Buffer;
}

/** fetch decompresses by itself: the raw bytes and headers come from node:http. */
function send(method: 'GET' | 'POST', query: string, acceptEncoding: string | undefined): Promise<RawAnswer> {
  const url = new URL(`${gateway.url}/graphql`);
  const body = JSON.stringify({ query });
  if (method === 'GET') url.searchParams.set('query', query);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method,
        headers: {
          accept: 'application/graphql-response+json',
          authorization: `Bearer ${token}`,
          ...(method === 'POST' ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            encoding: response.headers['content-encoding'],
            vary: response.headers.vary,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(method === 'POST' ? body : undefined);
  });
}

beforeAll(async () => {
  gateway = await startTestGateway({ QUERY_MAX_COST: '1000000', QUERY_MAX_BREADTH: '10000' });
  const { account } = await createStaffedAccount(gateway.db, { agents: 100, teams: 1 });
  await gateway.db.agent.updateMany({ where: { accountId: account.id }, data: { name: LONG_NAME } });
  token = await gateway.tokenFor({ accounts: [account.id], scopes: ['read'] });
});

afterAll(async () => {
  await gateway?.close();
});

describe('response compression', () => {
  for (const method of ['POST', 'GET'] as const) {
    const path = method === 'POST' ? 'the compiled fast path' : "yoga's path";
    it(`compresses a 1 MB+ answer on ${path} with br or gzip as accepted, to the same bytes`, async () => {
      const plain = await send(method, LARGE, undefined);
      expect(plain.status).toBe(200);
      expect(plain.encoding).toBeUndefined();
      expect(plain.body.length).toBeGreaterThan(1024 * 1024);
      expect(plain.body.toString()).toContain(LONG_NAME);

      const brotli = await send(method, LARGE, 'gzip, br');
      expect(brotli.encoding).toBe('br');
      expect(brotli.vary).toMatch(/accept-encoding/i);
      expect(brotli.body.length).toBeLessThan(plain.body.length / 10);
      expect(brotliDecompressSync(brotli.body).equals(plain.body)).toBe(true);

      const gzip = await send(method, LARGE, 'gzip');
      expect(gzip.encoding).toBe('gzip');
      expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    });
  }

  it('sends a small answer as it is, whatever the client accepts', async () => {
    for (const method of ['POST', 'GET'] as const) {
      const small = await send(method, SMALL, 'gzip, br');
      expect(small.status).toBe(200);
      expect(small.encoding).toBeUndefined();
      expect(JSON.parse(small.body.toString())).toEqual({ data: { agents: { totalCount: 100 } } });
    }
  });
});
