import type { Plugin } from 'graphql-yoga';
import { operationCost } from '../query-limits/plugin.ts';
import { rateLimitedError } from './http.ts';
import type { Limit } from './limits.ts';

/**
 * Charges each operation the resolvers execute its cost (the estimate of
 * src/query-limits/cost.ts, measured before execution) against its API
 * client's budget, the way Shopify's and GitHub's GraphQL APIs charge
 * points: a client at its request rate (180 a minute) that asks only for
 * 59-day availabilities and day-by-agent reports would otherwise keep the
 * gateway's one JavaScript thread busy for everyone (issue #10, bench row h).
 * Over budget, the operation is refused with RATE_LIMITED (HTTP 429) before
 * it waits for an execution slot, and costs nothing.
 *
 * Compiled reads are not charged: a later plugin serves them as one SQL
 * statement, so their work is PostgreSQL's, bounded by the client's share of
 * compiled-read connections (src/fairness/). Listed after the execution
 * lanes, this runs before an operation waits in one.
 */
export function useQueryCostBudget(options: {
  limit: Limit | undefined;
  /** Whose budget an operation spends, from its context value; undefined for a caller without a client (charged nothing). */
  callerOf: (contextValue: unknown) => string | undefined;
}): Plugin {
  const { limit, callerOf } = options;
  if (!limit) return {};
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      const cost = request && operationCost(request);
      const caller = callerOf(args.contextValue);
      if (!cost || caller === undefined) return;
      setExecuteFn(async (executionArgs) => {
        const state = await limit.spend(caller, cost);
        if (!state.allowed) return { errors: [rateLimitedError(state, `query cost, this operation costs ${cost} and ${state.remaining} is left`)] };
        return executeFn(executionArgs);
      });
    },
  };
}
