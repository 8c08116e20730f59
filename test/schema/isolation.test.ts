import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { createStaffedAccount, encodeId } from '../support/fixtures.ts';

let gateway: TestGateway;
let northwind: Awaited<ReturnType<typeof createStaffedAccount>>;
let contoso: Awaited<ReturnType<typeof createStaffedAccount>>;
let northwindToken: string;
let contosoToken: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  northwind = await createStaffedAccount(gateway.db, { name: 'Northwind', agents: 3 });
  contoso = await createStaffedAccount(gateway.db, { name: 'Contoso', agents: 4 });
  await gateway.db.customer.createMany({
    data: [
      { accountId: northwind.account.id, name: 'Ada Lovelace', email: 'ada@example.com' },
      { accountId: contoso.account.id, name: 'Grace Hopper', email: 'grace@example.com' },
    ],
  });
  northwindToken = await gateway.tokenFor({ accounts: [northwind.account.id] });
  contosoToken = await gateway.tokenFor({ accounts: [contoso.account.id] });
});

afterAll(() => gateway?.close());

const id = (type: string, uuid: string) => encodeId(type, uuid);

describe('tenant isolation', () => {
  it('lists only the rows of the token’s accounts, with matching totals', async () => {
    const result = await gateway.graphql(
      `{ agents(first: 50) { totalCount nodes { email account { name } } }
         teams { totalCount nodes { internalName account { name } } }
         customers { totalCount nodes { name } }
         workdays { totalCount }
         holidays { totalCount }
         resources(first: 50) { totalCount nodes { displayName } }
         accounts { totalCount nodes { name } } }`,
      {},
      northwindToken,
    );
    expect(result.errors).toBeUndefined();
    const data = result.data;
    expect(data.agents.totalCount).toBe(3);
    expect(data.agents.nodes.every((agent: any) => agent.account.name === 'Northwind')).toBe(true);
    expect(data.teams.totalCount).toBe(2);
    expect(data.customers.nodes).toEqual([{ name: 'Ada Lovelace' }]);
    expect(data.workdays.totalCount).toBe(1);
    expect(data.holidays.totalCount).toBe(3);
    expect(data.resources.totalCount).toBe(5);
    expect(data.accounts.nodes).toEqual([{ name: 'Northwind' }]);
  });

  it('answers FORBIDDEN when accountIds names an account outside the token, also behind an alias', async () => {
    const result = await gateway.graphql(
      `query ($own: [ID!], $foreign: [ID!]) {
         mine: agents(accountIds: $own) { totalCount }
         theirs: agents(accountIds: $foreign) { totalCount }
       }`,
      { own: [id('Account', northwind.account.id)], foreign: [id('Account', contoso.account.id)] },
      northwindToken,
    );
    expect(result.data?.mine.totalCount).toBe(3);
    expect(result.data?.theirs ?? null).toBeNull();
    expect(result.errors?.map((error) => [error.path?.[0], error.extensions?.code])).toEqual([['theirs', 'FORBIDDEN']]);
  });

  it('returns null for node and nodes of another account, so existence does not leak', async () => {
    const foreignAgent = id('Agent', contoso.agents[0]!.id);
    const ownAgent = id('Agent', northwind.agents[0]!.id);
    const result = await gateway.graphql(
      `query ($foreign: ID!, $ids: [ID!]!) {
         node(id: $foreign) { id }
         nodes(ids: $ids) { id ... on Agent { email } }
       }`,
      { foreign: foreignAgent, ids: [ownAgent, foreignAgent, id('Team', contoso.teams[0]!.id), id('Account', contoso.account.id)] },
      northwindToken,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.node).toBeNull();
    expect(result.data.nodes).toEqual([{ id: ownAgent, email: northwind.agents[0]!.email }, null, null, null]);
  });

  it('never returns foreign rows for a cursor taken from another account’s list', async () => {
    const theirs = await gateway.graphql(`{ agents(first: 1) { edges { cursor } } }`, {}, contosoToken);
    const cursor = theirs.data.agents.edges[0].cursor;
    const result = await gateway.graphql(
      `query ($after: String) { agents(first: 10, after: $after) { nodes { account { name } } } }`,
      { after: cursor },
      northwindToken,
    );
    const names = (result.data?.agents.nodes ?? []).map((agent: any) => agent.account.name);
    expect(names.every((name: string) => name === 'Northwind')).toBe(true);
  });

  it('treats updates and deletes of another account’s rows as not found and changes nothing', async () => {
    const foreign = contoso.agents[1]!;
    const result = await gateway.graphql(
      `mutation ($id: ID!) {
         updateAgent(id: $id, input: { name: "Hijacked" }) { __typename ... on NotFoundError { id } }
         deleteAgent(id: $id) { __typename }
         deleteTeam(id: "${id('Team', contoso.teams[0]!.id)}") { __typename }
       }`,
      { id: id('Agent', foreign.id) },
      northwindToken,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.updateAgent).toEqual({ __typename: 'NotFoundError', id: id('Agent', foreign.id) });
    expect(result.data.deleteAgent.__typename).toBe('NotFoundError');
    expect(result.data.deleteTeam.__typename).toBe('NotFoundError');
    const stored = await gateway.db.agent.findUniqueOrThrow({ where: { id: foreign.id } });
    expect(stored.name).toBe(foreign.name);
    expect(await gateway.db.team.count({ where: { id: contoso.teams[0]!.id } })).toBe(1);
  });

  it('refuses to create rows in, or linked to, another account', async () => {
    const before = await gateway.db.team.count();
    const result = await gateway.graphql(
      `mutation ($foreignAccount: ID!, $foreignAgent: ID!, $foreignWorkday: ID!) {
         intoForeignAccount: createAgent(input: { accountId: $foreignAccount, name: "X", email: "x@example.com", timeZone: "Europe/London" }) { __typename }
         withForeignWorkday: createAgent(input: { name: "Y", email: "y@example.com", timeZone: "Europe/London", workdayId: $foreignWorkday }) { __typename }
         withForeignMember: createTeam(input: { internalName: "Mixed", members: [{ agentId: $foreignAgent }] }) { __typename }
       }`,
      {
        foreignAccount: id('Account', contoso.account.id),
        foreignAgent: id('Agent', contoso.agents[0]!.id),
        foreignWorkday: id('Workday', contoso.workday.id),
      },
      northwindToken,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      intoForeignAccount: { __typename: 'NotFoundError' },
      withForeignWorkday: { __typename: 'NotFoundError' },
      withForeignMember: { __typename: 'NotFoundError' },
    });
    expect(await gateway.db.team.count()).toBe(before);
    expect(await gateway.db.agent.count({ where: { email: { in: ['x@example.com', 'y@example.com'] } } })).toBe(0);
  });

  it('is backed by the database: a membership linking two accounts violates a foreign key', async () => {
    await expect(
      gateway.db.teamMembership.create({
        data: { accountId: northwind.account.id, teamId: northwind.teams[0]!.id, agentId: contoso.agents[0]!.id },
      }),
    ).rejects.toThrow();
  });

  it('covers several accounts in one call when the token has them', async () => {
    const both = await gateway.tokenFor({ accounts: [northwind.account.id, contoso.account.id] });
    const result = await gateway.graphql(
      `{ agents(first: 100, orderBy: [{ field: EMAIL, direction: DESC }]) { totalCount nodes { account { name } } } }`,
      {},
      both,
    );
    expect(result.data.agents.totalCount).toBe(7);
    expect(new Set(result.data.agents.nodes.map((agent: any) => agent.account.name))).toEqual(new Set(['Northwind', 'Contoso']));
  });
});
