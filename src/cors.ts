import type { YogaServerOptions } from 'graphql-yoga';

/** Headers a browser client may read from a cross-origin answer: the rate-limit and authentication ones. */
const EXPOSED_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy', 'Retry-After', 'WWW-Authenticate'];

/**
 * CORS for the listed origins only. Any other origin gets no CORS headers,
 * so the browser keeps the answer from it (a preflight fails); same-origin
 * pages such as GraphiQL need none. Credentials are never allowed: the API
 * authenticates with bearer tokens, not cookies.
 */
export function corsPolicy(origins: readonly string[]): NonNullable<YogaServerOptions<object, object>['cors']> {
  const allowed = new Set(origins);
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      methods: ['GET', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept'],
      exposedHeaders: EXPOSED_HEADERS,
      credentials: false,
      maxAge: 600,
    };
  };
}
