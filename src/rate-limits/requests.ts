import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { Auth } from '../auth/index.ts';
import type { Authentication } from '../auth/bearer.ts';
import { negotiatedMediaType } from '../compiled-reads/plugin.ts';
import { rateLimitHeaders, rateLimitedResponse } from './http.ts';
import type { Limit, RateLimitState } from './limits.ts';

/**
 * Requests already counted, by Node request: the compiled reads' fast path
 * counts the requests it sees, and yoga must not count again one it hands over.
 */
export const countedRequests = new WeakMap<IncomingMessage, RateLimitState>();

/** Whose bucket a /graphql request draws on: its API client, or without a valid token its remote address. */
export function requestKey(authentication: Authentication, remoteAddress: string | undefined): string {
  return authentication.kind === 'valid' ? `client:${authentication.principal.clientId}` : `address:${remoteAddress ?? 'unknown'}`;
}

/** Counts a /graphql request; the refusal to send when it is over the limit. */
export async function countRequest(limit: Limit, request: IncomingMessage, authentication: Authentication) {
  const state = await limit.consume(requestKey(authentication, request.socket.remoteAddress));
  countedRequests.set(request, state);
  return state;
}

/** The response yoga or the fast path sends for a request over the limit. */
export function refusal(state: RateLimitState, accept: string | null | undefined) {
  return rateLimitedResponse(state, negotiatedMediaType(accept) ?? 'application/json');
}

/**
 * Counts every /graphql request yoga receives before it is parsed, so that
 * a request over the limit costs no parsing or execution, and sends the
 * RateLimit-* headers with every answer. The request is authenticated here
 * (its context reuses the answer) to know whose bucket it draws on.
 */
export function useRequestRateLimit(options: {
  limit: Limit | undefined;
  auth: Auth;
  endpoint: string;
  /** Answers of authentication by Node request, shared with the fast path and yoga's context. */
  authenticatedRequests: WeakMap<IncomingMessage, Authentication>;
}): Plugin {
  const { limit, auth, endpoint, authenticatedRequests } = options;
  const states = new WeakMap<Request, RateLimitState>();
  if (!limit) return {};
  return {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint || request.method === 'OPTIONS') return;
      // Yoga's Node adapter passes Node's request as `req`.
      const nodeRequest = (serverContext as { req?: IncomingMessage }).req;
      let state = nodeRequest && countedRequests.get(nodeRequest);
      if (!state) {
        let authentication = nodeRequest && authenticatedRequests.get(nodeRequest);
        authentication ??= await auth.authenticate(request.headers.get('authorization'));
        if (nodeRequest) authenticatedRequests.set(nodeRequest, authentication);
        state = nodeRequest
          ? await countRequest(limit, nodeRequest, authentication)
          : await limit.consume(requestKey(authentication, undefined));
      }
      states.set(request, state);
      if (!state.allowed) {
        const { status, headers, body } = refusal(state, request.headers.get('accept'));
        endResponse(new fetchAPI.Response(body, { status, headers }));
      }
    },
    onResponse({ request, response }) {
      const state = states.get(request);
      // A narrower limit that refused an operation (createAccount's) already set its own fields: they tell the truth of this answer.
      if (!state?.allowed || response.headers.has('RateLimit-Limit')) return;
      for (const [name, value] of Object.entries(rateLimitHeaders(state))) response.headers.set(name, value);
    },
  };
}
