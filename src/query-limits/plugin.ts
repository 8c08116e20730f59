import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { recordOf } from '../observability/request-record.ts';
import type { OperationLimits } from './operation-limits.ts';

const costs = new WeakMap<Request, number>();

/** The cost `check` measured for a request's operation; undefined when limits are off or it held several operations. */
export function operationCost(request: Request): number | undefined {
  return costs.get(request);
}

/**
 * The limits on yoga's path, measured by the same `check` as the compiled
 * reads' fast path: as soon as yoga has the request's parameters, before it
 * parses, validates, builds a context (which may read the API client) or
 * executes. A refused operation ends there with its errors (HTTP 400); an
 * accepted one goes on with the document `check` parsed and validated, so
 * yoga neither parses nor validates it again.
 */
export function useQueryLimits(limits: OperationLimits): Plugin {
  return {
    onParams({ params, request, setResult, context }) {
      if (typeof params.query !== 'string') return;
      const checked = limits.check({
        query: params.query,
        variables: params.variables as Record<string, unknown> | undefined,
        operationName: params.operationName,
      });
      if (checked.kind === 'rejected') setResult({ errors: checked.errors });
      else if (checked.kind === 'valid') {
        if (checked.cost !== undefined) costs.set(request, checked.cost);
        const record = recordOf((context as { req?: IncomingMessage }).req);
        if (record) record.cost = checked.cost;
      }
    },
    onParse({ setParseFn }) {
      setParseFn((source) => limits.parse(typeof source === 'string' ? source : source.body));
    },
    onValidate({ params, setResult }) {
      if (limits.validated(params.documentAST)) setResult([]);
    },
  };
}
