import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createStaffedAccount } from '../support/fixtures.ts';

let gateway: TestGateway;
let token: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  const { account } = await createStaffedAccount(gateway.db, { agents: 100, teams: 5 });
  token = await gateway.tokenFor({ accounts: [account.id] });
});

afterAll(() => gateway?.close());

const NESTED_AGENTS = `query ($first: Int!) {
  agents(first: $first, orderBy: [{ field: NAME }]) {
    totalCount
    nodes {
      id name
      teams { internalName agents { name } }
      workday { name timeZone hours { weekday startTime endTime } holidays { name } }
      holidays { name startsAt endsAt }
    }
  }
}`;

async function statementsFor(query: string, variables: Record<string, unknown>) {
  const before = gateway.statements.count;
  const result = await gateway.graphql(query, variables, token);
  expect(result.errors).toBeUndefined();
  return { statements: gateway.statements.count - before, data: result.data };
}

describe('cost shape', () => {
  it('issues the same number of SQL statements for a nested agents page of 1 and of 100', async () => {
    const one = await statementsFor(NESTED_AGENTS, { first: 1 });
    const hundred = await statementsFor(NESTED_AGENTS, { first: 100 });
    expect(one.data.agents.nodes).toHaveLength(1);
    expect(hundred.data.agents.nodes).toHaveLength(100);
    expect(hundred.data.agents.nodes[99].teams[0].agents.length).toBeGreaterThan(0);
    expect(hundred.statements).toBe(one.statements);
  });

  it('issues the same number of SQL statements for a resources page of 1 and of 100', async () => {
    const query = `query ($first: Int!) { resources(first: $first) { totalCount nodes { kind displayName } } }`;
    const one = await statementsFor(query, { first: 1 });
    const hundred = await statementsFor(query, { first: 100 });
    expect(hundred.data.resources.nodes).toHaveLength(100);
    expect(hundred.statements).toBe(one.statements);
  });
});
