import { GraphQLError } from 'graphql';
import type { RateLimitState } from './limits.ts';

/**
 * The IETF draft's separate fields (draft-ietf-httpapi-ratelimit-headers,
 * the form most clients and proxies read): the limit, what is left of it,
 * and the seconds until the window resets; `RateLimit-Policy` names the
 * quota as `<limit>;w=<window seconds>`. A refusal adds `Retry-After`.
 */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(state.remaining),
    'RateLimit-Reset': String(state.resetSeconds),
    'RateLimit-Policy': `${state.limit};w=${state.windowSeconds}`,
    ...(!state.allowed && { 'Retry-After': String(state.resetSeconds) }),
  };
}

/** The GraphQL error for a refused request: HTTP 429 whatever the media type, since nothing was executed. */
export function rateLimitedError(state: RateLimitState, what: string): GraphQLError {
  return new GraphQLError(`Rate limit exceeded: ${what} (${state.limit} per ${state.windowSeconds} s); retry in ${state.resetSeconds} s`, {
    extensions: {
      code: 'RATE_LIMITED',
      limit: state.limit,
      windowSeconds: state.windowSeconds,
      retryAfterSeconds: state.resetSeconds,
      http: { status: 429, headers: rateLimitHeaders(state) },
    },
  });
}

/** A whole GraphQL response refusing a /graphql request over its limit, in the negotiated media type. */
export function rateLimitedResponse(state: RateLimitState, mediaType: string): { status: number; headers: Record<string, string>; body: string } {
  const { message, extensions } = rateLimitedError(state, REQUESTS_LIMIT).toJSON();
  const { http: _http, ...visible } = extensions ?? {};
  return {
    status: 429,
    headers: { 'Content-Type': `${mediaType}; charset=utf-8`, ...rateLimitHeaders(state) },
    body: JSON.stringify({ errors: [{ message, extensions: visible }] }),
  };
}

const REQUESTS_LIMIT = 'too many requests from this client';
