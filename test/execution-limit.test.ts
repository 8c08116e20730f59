import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useQueryExecutionLimit } from '../src/execution-limit.ts';

/** A yoga whose `slow` and `report` queries and `touch` mutation each take a few ticks and record how many run at once. */
function gatewayWithLimit(concurrency: number) {
  const running = { query: 0, mutation: 0, report: 0 };
  const peak = { query: 0, mutation: 0, report: 0 };
  const work = async (kind: 'query' | 'mutation' | 'report') => {
    running[kind] += 1;
    peak[kind] = Math.max(peak[kind], running[kind]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running[kind] -= 1;
    return true;
  };
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { slow: Boolean report: Boolean } type Mutation { touch: Boolean }',
      resolvers: { Query: { slow: () => work('query'), report: () => work('report') }, Mutation: { touch: () => work('mutation') } },
    }),
    plugins: [useQueryExecutionLimit({ queries: concurrency, reports: 1, reportFields: ['report'] })],
    logging: false,
  });
  const send = async (query: string) => {
    const response = await yoga.fetch('http://gateway/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return response.json() as Promise<{ data?: Record<string, boolean> }>;
  };
  return { send, peak };
}

describe('useQueryExecutionLimit', () => {
  it('executes at most the limit of queries at once and answers every one', async () => {
    const { send, peak } = gatewayWithLimit(2);
    const answers = await Promise.all(Array.from({ length: 10 }, () => send('{ slow }')));
    expect(answers.every((answer) => answer.data?.slow === true)).toBe(true);
    expect(peak.query).toBe(2);
  });

  it('runs reports in a lane of their own, so they never hold up other queries', async () => {
    const { send, peak } = gatewayWithLimit(2);
    const reports = Array.from({ length: 5 }, () => send('{ report }'));
    const queries = Array.from({ length: 5 }, () => send('{ slow }'));
    const answers = await Promise.all([...reports, ...queries]);
    expect(answers.every((answer) => Object.values(answer.data ?? {}).every((value) => value === true))).toBe(true);
    expect(peak.report).toBe(1);
    expect(peak.query).toBe(2);
  });

  it('lets mutations through without waiting', async () => {
    const { send, peak } = gatewayWithLimit(2);
    const answers = await Promise.all(Array.from({ length: 10 }, () => send('mutation { touch }')));
    expect(answers.every((answer) => answer.data?.touch === true)).toBe(true);
    expect(peak.mutation).toBe(10);
  });
});
