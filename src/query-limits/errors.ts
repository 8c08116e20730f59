import { GraphQLError } from 'graphql';

/**
 * An operation refused before execution: `measure` names the limit
 * (`depth`, `cost`, …), `limit` is its maximum and `measured` what the
 * operation came to. HTTP 400, whatever the Accept header.
 */
export function queryTooComplex(measure: string, limit: number, measured: number, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: QUERY_TOO_COMPLEX, measure, limit, measured, http: { status: 400 } },
  });
}

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

export function isQueryTooComplex(error: GraphQLError): boolean {
  return error.extensions.code === QUERY_TOO_COMPLEX;
}
