import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createDb, type Db, type StatementCounter } from '../../src/db/client.ts';
import { createGateway, listen, type Gateway } from '../../src/server.ts';
import { createApiClient } from '../../src/auth/api-clients.ts';
import { seedDemo } from '../../src/db/seed.ts';
import type { Scope } from '../../src/auth/principal.ts';
import { adminQuery } from './admin.ts';
import type { Logger } from '../../src/observability/logger.ts';
import { databaseUrl } from './database-url.ts';

export interface GraphQLResponse<Data = any> {
  data?: Data;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string } & Record<string, unknown> }>;
}

export interface TestGateway {
  url: string;
  db: Db;
  gateway: Gateway;
  config: Config;
  databaseUrl: string;
  statements: StatementCounter;
  /** POSTs a GraphQL operation to /graphql over HTTP. */
  graphql<Data = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<Data>>;
  /** Creates an API client and fetches a token for it through POST /oauth/token. */
  tokenFor(options: { accounts: 'all' | string[]; scopes?: Scope[] }): Promise<string>;
  close(): Promise<void>;
}


/**
 * The GraphQL endpoint as the compiled reads' fast path does not serve it: that path takes only
 * `POST /graphql` exactly, so the same endpoint with a query string reaches yoga, which answers through
 * the compiled-reads plugin or the resolvers. Tests compare the two paths with it.
 */
export const YOGA_ENDPOINT = '/graphql?path=yoga';

/**
 * A real gateway on a real port, over a database of its own cloned from the
 * migrated template. Every call goes through HTTP.
 */
export async function startTestGateway(
  environment: Record<string, string> = {},
  { logger, demo = false }: { logger?: Logger; demo?: boolean } = {},
): Promise<TestGateway> {
  const name = `gateway_test_${randomUUID().replaceAll('-', '')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  const url = databaseUrl(inject('adminDatabaseUrl'), name);
  // Tests send many requests from one client: rate limits are off unless a test turns them on.
  // Access lines are info: a test that reads them passes its own logger.
  const config = loadConfig({ PORT: '0', TOKEN_ISSUER: 'http://gateway.test', RATE_LIMITS: 'false', LOG_LEVEL: 'warn', ...environment });
  const { db, statements } = createDb(url, { countStatements: true, bounds: config.bounds, logger });
  // As the embedded demo starts: demo data, and the demo client for GraphiQL's demo tokens.
  const demoDir = demo ? await mkdtemp(path.join(tmpdir(), 'gateway-demo-')) : undefined;
  const demoClient = demoDir ? (await seedDemo(db, demoDir)).client : undefined;
  const gateway = await createGateway({ db, config, logger, demoClient });
  const running = await listen(gateway, 0, '127.0.0.1');

  const graphql: TestGateway['graphql'] = async (query, variables, token) => {
    const response = await fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse;
  };

  const tokenFor: TestGateway['tokenFor'] = async ({ accounts, scopes = ['read', 'write'] }) => {
    const client = await createApiClient(db, { name: `test ${randomUUID()}`, scopes, accounts });
    const response = await fetch(`${running.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      }),
    });
    const body = (await response.json()) as { access_token?: string };
    if (!response.ok || !body.access_token) throw new Error(`token request failed: ${JSON.stringify(body)}`);
    return body.access_token;
  };

  return {
    url: running.url,
    db,
    gateway,
    config,
    databaseUrl: url,
    statements: statements!,
    graphql,
    tokenFor,
    close: async () => {
      await running.close();
      await gateway.events.close();
      await gateway.rateLimits.close();
      await db.$disconnect();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      if (demoDir) await rm(demoDir, { recursive: true, force: true });
    },
  };
}
