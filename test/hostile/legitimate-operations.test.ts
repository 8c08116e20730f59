import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { getIntrospectionQuery, Kind, parse, type OperationDefinitionNode, type TypeNode } from 'graphql';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { operations as benchOperations, type BenchContext } from '../../bench/operations.ts';
import { DEFAULT_SIZE, datasetShape } from '../../bench/seed.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createOperationLimits } from '../../src/query-limits/operation-limits.ts';
import { encodeId } from '../../src/schema/global-id.ts';
import { schema } from '../../src/schema/index.ts';

/** The default limits refuse attacks (test/hostile/limits.test.ts); what a client is shown must pass them. */
const limits = createOperationLimits(schema, loadConfig({}).queryLimits);

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const readmeExamples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** A plausible value for each variable an example declares, so that its cost is measured with arguments. */
function variablesFor(query: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of parse(query).definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of (definition as OperationDefinitionNode).variableDefinitions ?? []) {
      values[variable.variable.name.value] = sample(variable.type);
    }
  }
  return values;
}

function sample(type: TypeNode): unknown {
  if (type.kind === Kind.NON_NULL_TYPE) return sample(type.type);
  if (type.kind === Kind.LIST_TYPE) return [sample(type.type)];
  const samples: Record<string, unknown> = { ID: encodeId('Agent', randomUUID()), DateTime: '2027-03-01T09:00:00Z', Int: 10, String: 'x' };
  return samples[type.name.value];
}

function benchContext(): BenchContext {
  const shape = datasetShape(DEFAULT_SIZE);
  return {
    shape,
    accountIds: [randomUUID()],
    bookingId: randomUUID(),
    linearityTeams: new Map([[20, { id: randomUUID(), members: 20 }]]),
    appointmentTypeId: randomUUID(),
    calendarFeedPath: '/calendar/agents/sgf_feed.ics',
    calendarFeedEvents: 0,
    availabilityFrom: DateTime.utc().startOf('week').plus({ weeks: 1 }),
  };
}

describe('the default query limits', () => {
  it.each(readmeExamples.map((example, index) => [index + 1, example] as const))('pass README example %i', (_index, query) => {
    expect(limits.check({ query, variables: variablesFor(query) })).toMatchObject({ kind: 'valid' });
  });

  // A GET of a path (a calendar feed) has no GraphQL to check.
  it.each(benchOperations(benchContext()).flatMap((operation) => (operation.body ? [[operation.key, operation.body(benchContext())] as const] : [])))(
    'pass bench operation %s',
    (_key, body) => {
      expect(limits.check(body)).toMatchObject({ kind: 'valid' });
    },
  );

  it("pass GraphiQL's introspection query", () => {
    const query = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, schemaDescription: true, specifiedByUrl: true, directiveIsRepeatable: true });
    expect(limits.check({ query, operationName: 'IntrospectionQuery' })).toMatchObject({ kind: 'valid' });
  });
});

describe('the query limits’ configuration', () => {
  it('defaults to limits on, with the documented figures', () => {
    expect(loadConfig({}).queryLimits).toEqual({
      enabled: true,
      maxTokens: 2_000,
      maxDepth: 10,
      maxAliases: 30,
      maxDirectives: 20,
      maxBreadth: 500,
      maxCost: 50_000,
      maxPageSize: 100,
      maxNodeIds: 100,
      maxInputDepth: 10,
      maxVariablesBytes: 262_144,
    });
    expect(loadConfig({}).requestLimits).toEqual({ maxBodyBytes: 1_048_576, maxQueryStringBytes: 8_192 });
  });

  it('takes each limit from the environment and refuses what the parser or the pages cannot honour', () => {
    expect(loadConfig({ QUERY_LIMITS_ENABLED: 'false', QUERY_MAX_COST: '1000' }).queryLimits).toMatchObject({ enabled: false, maxCost: 1_000 });
    expect(() => loadConfig({ QUERY_MAX_TOKENS: '5000' })).toThrow(ConfigError);
    expect(() => loadConfig({ QUERY_MAX_PAGE_SIZE: '500' })).toThrow(ConfigError);
    expect(() => loadConfig({ QUERY_LIMITS_ENABLED: 'yes' })).toThrow(/QUERY_LIMITS_ENABLED: must be true or false/);
    expect(() => loadConfig({ MAX_BODY_BYTES: '0' })).toThrow(/MAX_BODY_BYTES/);
  });
});
