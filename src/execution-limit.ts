import { getOperationAST, Kind, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

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
 * `reportFields`, `queries` for the others. Mutations are short, wait on
 * PostgreSQL rather than the CPU, and never wait. Reads served as one
 * compiled statement (a later plugin) never reach this execution.
 */
export function useQueryExecutionLimit<Context extends Record<string, unknown>>(limits: {
  queries: number;
  reports: number;
  reportFields: readonly string[];
}): Plugin<Record<string, unknown>, Context> {
  const queries = lane(limits.queries);
  const reports = lane(limits.reports);
  const isReport = (operation: OperationDefinitionNode) =>
    operation.selectionSet.selections.some((selection) => selection.kind === Kind.FIELD && limits.reportFields.includes(selection.name.value));
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'query') return;
      const chosen = isReport(operation) ? reports : queries;
      setExecuteFn(async (executionArgs) => {
        await chosen.acquire();
        try {
          return await executeFn(executionArgs);
        } finally {
          chosen.release();
        }
      });
    },
  };
}

/** At most `concurrency` holders at once; the rest wait in arrival order. */
function lane(concurrency: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    async acquire() {
      if (running < concurrency) {
        running += 1;
        return;
      }
      // The slot passes straight from the releasing execution to the next in line.
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    },
  };
}
