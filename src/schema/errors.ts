import { GraphQLError } from 'graphql';

/**
 * A typed, expected failure. On a mutation that lists it, the errors plugin
 * resolves it into the field's result union; anywhere else it still reaches
 * the client as a GraphQL error with a stable code instead of being masked.
 */
export class DomainError extends GraphQLError {
  constructor(message: string, code: string) {
    super(message, { extensions: { code } });
  }
}

export interface FieldIssue {
  path: string[];
  message: string;
}

export class ValidationError extends DomainError {
  override name = 'ValidationError';
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; '), 'BAD_USER_INPUT');
  }

  static of(path: string[], message: string) {
    return new ValidationError([{ path, message }]);
  }
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  constructor(readonly id: string) {
    super(`Nothing with id ${id} exists`, 'NOT_FOUND');
  }
}

/**
 * Request-level failures keep GraphQL's error channel, with a stable
 * `extensions.code`, and the HTTP status that tells the truth (401, 403)
 * for clients that accept application/graphql-response+json. `spec: true`
 * is yoga's flag for "not for application/json": a client that accepts only
 * that legacy type gets 200, as GraphQL-over-HTTP prescribes for it, with
 * the same body and the same WWW-Authenticate header.
 */
export function unauthenticated(message = 'A valid access token is required') {
  return authenticationError(message, BEARER_CHALLENGE);
}

/** RFC 6750 §3.1: a token was sent but is expired, revoked, malformed or otherwise refused. */
export function invalidToken(message: string) {
  return authenticationError(message, `${BEARER_CHALLENGE}, error="invalid_token"`);
}

export function forbidden(message: string) {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 403, spec: true } } });
}

const BEARER_CHALLENGE = 'Bearer realm="scheduling-gateway"';

function authenticationError(message: string, challenge: string) {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, spec: true, headers: { 'WWW-Authenticate': challenge } } },
  });
}

export function badUserInput(message: string) {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}
