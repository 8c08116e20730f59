import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useQueryExecutionLimit } from '../src/execution-limit.ts';

/**
 * A yoga whose `slow` and `report` queries and `touch` mutation each take a few ticks and record how many run
 * at once and the order they finished in; the caller is named by an `x-caller` header.
 */
function gatewayWithLimit(queries: { slots: number; perCaller: number }) {
  const running = { query: 0, mutation: 0, report: 0 };
  const peak = { query: 0, mutation: 0, report: 0 };
  const finished: string[] = [];
  const work = async (kind: 'query' | 'mutation' | 'report', caller: string) => {
    running[kind] += 1;
    peak[kind] = Math.max(peak[kind], running[kind]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running[kind] -= 1;
    finished.push(caller);
    return true;
  };
  const callerOf = (context: unknown) => (context as { request: Request }).request.headers.get('x-caller') ?? 'anonymous';
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { slow: Boolean report: Boolean } type Mutation { touch: Boolean }',
      resolvers: {
        Query: { slow: (_root, _args, context) => work('query', callerOf(context)), report: (_root, _args, context) => work('report', callerOf(context)) },
        Mutation: { touch: (_root, _args, context) => work('mutation', callerOf(context)) },
      },
    }),
    plugins: [useQueryExecutionLimit({ queries, reports: { slots: 1, perCaller: 1 }, reportFields: ['report'], callerOf })],
    logging: false,
  });
  const send = async (query: string, caller = 'a') => {
    const response = await yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-caller': caller },
      body: JSON.stringify({ query }),
    });
    return response.json() as Promise<{ data?: Record<string, boolean> }>;
  };
  return { send, peak, finished };
}

describe('useQueryExecutionLimit', () => {
  it('executes at most the limit of queries at once and answers every one', async () => {
    const { send, peak } = gatewayWithLimit({ slots: 2, perCaller: 2 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => send('{ slow }')));
    expect(answers.every((answer) => answer.data?.slow === true)).toBe(true);
    expect(peak.query).toBe(2);
  });

  it('runs reports in a lane of their own, so they never hold up other queries', async () => {
    const { send, peak } = gatewayWithLimit({ slots: 2, perCaller: 2 });
    const reports = Array.from({ length: 5 }, () => send('{ report }'));
    const queries = Array.from({ length: 5 }, () => send('{ slow }'));
    const answers = await Promise.all([...reports, ...queries]);
    expect(answers.every((answer) => Object.values(answer.data ?? {}).every((value) => value === true))).toBe(true);
    expect(peak.report).toBe(1);
    expect(peak.query).toBe(2);
  });

  it('lets mutations through without waiting', async () => {
    const { send, peak } = gatewayWithLimit({ slots: 2, perCaller: 2 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => send('mutation { touch }')));
    expect(answers.every((answer) => answer.data?.touch === true)).toBe(true);
    expect(peak.mutation).toBe(10);
  });

  it('runs another client’s query among the first while one client has a burst queued', async () => {
    const { send, finished } = gatewayWithLimit({ slots: 3, perCaller: 2 });
    const burst = Array.from({ length: 12 }, () => send('{ slow }', 'noisy'));
    // Sent after the whole burst has queued.
    await new Promise((resolve) => setTimeout(resolve, 1));
    const quiet = send('{ slow }', 'quiet');
    await Promise.all([...burst, quiet]);
    expect(finished.indexOf('quiet')).toBeLessThan(3);
  });

  it('serves waiting clients in turns once every slot is taken', async () => {
    const { send, finished } = gatewayWithLimit({ slots: 2, perCaller: 2 });
    const burst = Array.from({ length: 12 }, () => send('{ slow }', 'noisy'));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const quiet = send('{ slow }', 'quiet');
    await Promise.all([...burst, quiet]);
    // The noisy client holds both slots; the first one freed goes to the quiet client, not to the burst's third.
    expect(finished.indexOf('quiet')).toBeLessThanOrEqual(2);
  });
});
