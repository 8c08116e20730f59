import { getOperationAST, Kind, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createFairSlots, type FairSlotLimits } from './fairness/fair-slots.ts';

/**
 * Executing a large read through the resolvers holds its whole execution
 * state at once (a 6,500-row report: some 40 MB of promises, resolve infos
 * and row objects), and the event loop interleaves every request in flight,
 * so 20 concurrent reports held 20 of them (issue #5: RSS past 1 GB). The
 * resolvers' work is JavaScript on one thread, so running a few at a time
 * and queueing the rest costs little throughput; memory then stays bounded
 * by the limits, not by the number of callers.
 *
 * Queries wait in one of two lanes, so that a burst of reports never holds up
 * availability or a list: `reports` for operations asking for one of
 * `reportFields`, `queries` for the others. Each lane's slots are shared
 * fairly between API clients (src/fairness/fair-slots.ts): a client holds at
 * most its share of a lane, and waiting clients take turns, so one tenant's
 * queue of expensive reads never stands between another tenant and a slot
 * (issue #10: two availability queries of one tenant held another's 6 ms read
 * for seconds). Mutations are short, wait on PostgreSQL rather than the CPU,
 * and never wait. Reads served as one compiled statement (a later plugin)
 * never reach this execution.
 */
export function useQueryExecutionLimit<Context extends Record<string, unknown>>(limits: {
  queries: FairSlotLimits;
  reports: FairSlotLimits;
  reportFields: readonly string[];
  /** Whose share an operation uses, from its context value: its API client, or one key for all anonymous callers. */
  callerOf: (contextValue: unknown) => string;
}): Plugin<Record<string, unknown>, Context> {
  const queries = createFairSlots(limits.queries);
  const reports = createFairSlots(limits.reports);
  const isReport = (operation: OperationDefinitionNode) =>
    operation.selectionSet.selections.some((selection) => selection.kind === Kind.FIELD && limits.reportFields.includes(selection.name.value));
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'query') return;
      const lane = isReport(operation) ? reports : queries;
      const caller = limits.callerOf(args.contextValue);
      setExecuteFn((executionArgs) => lane.run(caller, async () => executeFn(executionArgs)));
    },
  };
}
