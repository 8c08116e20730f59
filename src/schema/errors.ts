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

/** Request-level failures keep GraphQL's error channel, with a stable `extensions.code`. */
export function unauthenticated(message = 'A valid access token is required') {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 200 } } });
}

export function forbidden(message: string) {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function badUserInput(message: string) {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}
