import type { Plugin } from 'graphql-yoga';

/** Headers a browser client may read from a cross-origin answer: the rate-limit and authentication ones. */
const EXPOSED_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy', 'Retry-After', 'WWW-Authenticate'];

/**
 * CORS for the listed origins only. Any other origin gets no CORS headers,
 * so the browser keeps the answer from it (a preflight fails); same-origin
 * pages such as GraphiQL need none. Credentials are never allowed: the API
 * authenticates with bearer tokens, not cookies. One policy serves both
 * read paths: yoga's (through `useCors`) and the compiled reads' fast path,
 * which answers browsers' requests and preflights without yoga.
 */
export interface CorsPolicy {
  /** The CORS headers of an answer to a request from `origin` (preflight or not); none for an origin not listed. */
  headersFor(origin: string | null | undefined): Record<string, string> | undefined;
}

export function corsPolicy(origins: readonly string[]): CorsPolicy {
  const allowed = new Set(origins);
  const shared = {
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
    'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(', '),
    'Access-Control-Max-Age': '600',
  };
  return {
    headersFor(origin) {
      if (!origin || !allowed.has(origin)) return undefined;
      // Vary: an answer for one origin must not be served from a cache to another.
      return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', ...shared };
    },
  };
}

/** A preflight's answer: 204 with the policy's headers (none for an origin not listed, which the browser then refuses). */
export function preflightAnswer(policy: CorsPolicy, origin: string | null | undefined): { status: number; headers: Record<string, string> } {
  // Safari waits for a body on a 204 without Content-Length: 0.
  return { status: 204, headers: { 'Content-Length': '0', ...policy.headersFor(origin) } };
}

/** The policy on yoga's path (yoga's own `cors` option is off): preflights answered at once, headers on every answer. */
export function useCors(policy: CorsPolicy): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'OPTIONS') return;
      const { status, headers } = preflightAnswer(policy, request.headers.get('origin'));
      endResponse(new fetchAPI.Response(null, { status, headers }));
    },
    onResponse({ request, response }) {
      const headers = policy.headersFor(request.headers.get('origin'));
      if (headers) for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    },
  };
}
