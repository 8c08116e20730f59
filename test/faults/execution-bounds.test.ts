import { afterEach, describe, expect, it } from 'vitest';
import { createBookableAccount } from '../support/booking-fixtures.ts';
import { startTestGateway, YOGA_ENDPOINT, type TestGateway } from '../support/gateway.ts';

/**
 * Agents nested through their teams' members `levels` times: with 30 agents in
 * three teams of 30, one level answers some 2,700 agents (about 80 KB), two
 * levels some 240,000 (about 7 MB, seconds of PostgreSQL's time).
 */
function nestedAgents(levels: number) {
  let selection = 'name';
  for (let level = 0; level < levels; level += 1) selection = `teams { members { agent { ${selection} } } }`;
  return `{ agents(first: 30) { nodes { ${selection} } } }`;
}

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function startWith(environment: Record<string, string>) {
  // The nested reads here are over the default cost budget on purpose: these bounds are the ones measured during execution.
  gateway = await startTestGateway({ QUERY_MAX_COST: '100000000', ...environment });
  const setup = await createBookableAccount(gateway.db, { agents: 30 });
  return { gateway, token: await gateway.tokenFor({ accounts: [setup.account.id] }) };
}

/**
 * POSTs an operation to the endpoint the compiled reads' fast path serves, or
 * to yoga (YOGA_ENDPOINT), which serves it through the compiled-reads plugin
 * or the resolvers.
 */
async function post(url: string, token: string, query: string, via: 'fast path' | 'yoga') {
  const started = performance.now();
  const response = await fetch(`${url}${via === 'yoga' ? YOGA_ENDPOINT : '/graphql'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: response.status, body, elapsedMs: performance.now() - started };
}

describe('statement timeout', () => {
  it.each(['fast path', 'yoga'] as const)('cancels a compiled read past STATEMENT_TIMEOUT_MS with TIMEOUT (%s), and the gateway serves the next requests', async (via) => {
    const { gateway, token } = await startWith({ STATEMENT_TIMEOUT_MS: '300' });
    const served = gateway.gateway.fastPath!.served;

    const heavy = await post(gateway.url, token, nestedAgents(2), via);
    expect(heavy.status).toBe(504);
    expect(heavy.body).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'TIMEOUT' } })] });
    // Cancelled once, by PostgreSQL, not retried through the resolvers.
    expect(heavy.elapsedMs).toBeLessThan(2_000);

    // More requests than the pool has connections: each cancelled statement's connection came back usable.
    const light = await Promise.all(Array.from({ length: 12 }, () => post(gateway.url, token, nestedAgents(0), via)));
    for (const answer of light) expect(answer).toMatchObject({ status: 200, body: { data: { agents: { nodes: expect.any(Array) } } } });
    expect(gateway.gateway.fastPath!.served - served).toBe(via === 'fast path' ? 12 : 0);
  });
});

describe('response size', () => {
  it.each(['fast path', 'yoga'] as const)('answers RESPONSE_TOO_LARGE for a compiled read over MAX_RESPONSE_BYTES (%s), and serves smaller ones', async (via) => {
    const { gateway, token } = await startWith({ MAX_RESPONSE_BYTES: '50000' });
    const large = await post(gateway.url, token, nestedAgents(1), via);
    expect(large.status).toBe(400);
    expect(large.body).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'RESPONSE_TOO_LARGE' } })] });
    expect(large.body.errors![0]!.message).toContain('50000 bytes');

    const small = await post(gateway.url, token, nestedAgents(0), via);
    expect(small).toMatchObject({ status: 200, body: { data: { agents: { nodes: expect.any(Array) } } } });
  });

  it('stops a query through the resolvers once its lists pass MAX_RESOLVED_ITEMS, answering one RESPONSE_TOO_LARGE', async () => {
    const { gateway, token } = await startWith({ COMPILED_READS: 'false', MAX_RESOLVED_ITEMS: '1000' });
    // Some 2,700 agents in 90 teams: the third list passes the budget.
    const large = await post(gateway.url, token, nestedAgents(1), 'yoga');
    expect(large.status).toBe(400);
    expect(large.body).toEqual({ data: null, errors: [expect.objectContaining({ extensions: { code: 'RESPONSE_TOO_LARGE' } })] });
    expect(large.body.errors![0]!.message).toContain('1000 list items');

    const small = await post(gateway.url, token, nestedAgents(0), 'yoga');
    expect(small).toMatchObject({ status: 200, body: { data: { agents: { nodes: expect.any(Array) } } } });
  });
});
