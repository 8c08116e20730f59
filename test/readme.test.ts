import { readFileSync } from 'node:fs';
import { Kind, parse, print, validate, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** Every operation of every example, in the README's order, each printed on its own. */
const operations = examples.flatMap((example, index) =>
  parse(example)
    .definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => ({ name: operation.name?.value ?? `example ${index + 1}`, source: print(operation), kind: operation.operation })),
);

describe('README', () => {
  it('has GraphQL examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples.map((example, index) => [index + 1, example] as const))('example %i is valid against the schema', (_index, example) => {
    const errors = validate(schema, parse(example));
    expect(errors.map((error) => error.message)).toEqual([]);
  });
});

/**
 * What a result must hold to count as an answer: no field null, no list empty (a connection's nodes or edges
 * included), and a mutation's union its success.
 */
function emptinessOf(value: unknown, path: string): string[] {
  if (value === null || value === undefined) return [`${path} is null`];
  if (Array.isArray(value)) return value.length === 0 ? [`${path} is []`] : [];
  if (typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof record.__typename === 'string' && !record.__typename.endsWith('Success')) problems.push(`${path} is ${record.__typename}: ${JSON.stringify(record)}`);
  for (const key of ['nodes', 'edges', 'accounts'] as const) {
    if (key in record) problems.push(...emptinessOf(record[key], `${path}.${key}`));
  }
  return problems;
}

describe('README examples on the demo data', () => {
  let gateway: TestGateway;
  let token: string;
  const answers = new Map<string, any>();

  beforeAll(async () => {
    gateway = await startTestGateway({}, { demo: true });
    // The webhook example is an admin's.
    token = await gateway.tokenFor({ accounts: 'all', scopes: ['read', 'write', 'admin'] });
  }, 120_000);
  afterAll(() => gateway?.close());

  /** A tentative booking of the demo data, for the confirm example (the flow's own booking is of an INSTANT type). */
  async function tentativeBooking(): Promise<string> {
    const { data } = await gateway.graphql(
      `{ bookings(first: 1, where: { statuses: [TENTATIVE], startsAfter: "${new Date(Date.now() + 86_400_000).toISOString()}" }) { nodes { id } } }`,
      {},
      token,
    );
    return data.bookings.nodes[0].id;
  }

  /** Each example's variables, from the answers of the examples before it, as a reader would fill them in. */
  const variables: Record<string, () => Promise<Record<string, unknown>>> = {
    Agents: async () => ({ accountIds: answers.get('Viewer').viewer.accounts.slice(0, 2).map((account: { id: string }) => account.id) }),
    Availability: async () => ({
      appointmentTypeId: answers.get('DemoIds').appointmentTypes.nodes[0].id,
      resourceId: answers.get('DemoIds').teams.nodes[0].id,
    }),
    Reserve: async () => ({ ...(await variables.Availability!()), startsAt: answers.get('Availability').availability[0].startsAt }),
    Book: async () => ({ ...(await variables.Reserve!()), reservationId: answers.get('Reserve').reserveSlot.data.id }),
    Confirm: async () => ({ id: await tentativeBooking() }),
    Cancel: async () => ({ id: answers.get('Confirm:id') }),
    Reschedule: async () => ({ id: answers.get('Book').createBooking.data.id, startsAt: answers.get('Availability').availability.at(-1).startsAt }),
    CreateFeed: async () => ({ agentId: (await gateway.graphql('{ agents(first: 1) { nodes { id } } }', {}, token)).data.agents.nodes[0].id }),
    RevokeFeed: async () => ({ id: answers.get('CreateFeed').createCalendarFeed.data.calendarFeed.id }),
  };

  // A subscription answers only when something happens: test/realtime runs them; above they are validated.
  const answering = operations.filter((operation) => operation.kind !== 'subscription');
  it.each(answering.map((operation) => [operation.name, operation.source] as const))('%s answers with data', async (name, source) => {
    const given = (await variables[name]?.()) ?? {};
    if (name === 'Confirm') answers.set('Confirm:id', given.id);
    const result = await gateway.graphql(source, given, token);
    expect(result.errors ?? []).toEqual([]);
    answers.set(name, result.data);
    const problems = Object.entries(result.data ?? {}).flatMap(([field, value]) => emptinessOf(value, field));
    expect(problems).toEqual([]);
  });
});
