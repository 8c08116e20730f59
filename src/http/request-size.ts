import type { Plugin } from 'graphql-yoga';

/** Bounds on the HTTP request itself, before anything reads it (README, "Limits"). */
export interface RequestLimits {
  maxBodyBytes: number;
  maxQueryStringBytes: number;
}

/**
 * Refuses a request whose query string or body is too large, on every
 * path: by its Content-Length at once (413), and, for the endpoints that
 * read their body whole (the OAuth token endpoint), by reading it here
 * chunk by chunk and stopping at the limit, so that a body without a
 * length is never held beyond it either. GraphQL bodies are streamed
 * through yoga's own limit (`maxRequestBodySize`).
 */
export function useRequestSizeLimits(limits: RequestLimits, graphqlEndpoint: string): Plugin {
  return {
    async onRequest({ request, url, setRequest, endResponse }) {
      const graphql = url.pathname === graphqlEndpoint;
      const refuse = (status: number, message: string) => endResponse(graphql ? graphqlError(status, message) : oauthError(status, message));
      const queryStringBytes = Buffer.byteLength(url.search) - 1;
      if (queryStringBytes > limits.maxQueryStringBytes) {
        return refuse(414, `The query string takes ${queryStringBytes} bytes; at most ${limits.maxQueryStringBytes} are allowed`);
      }
      const length = Number(request.headers.get('content-length') ?? 0);
      if (length > limits.maxBodyBytes) return refuse(413, bodyTooLarge(limits.maxBodyBytes));
      if (graphql || request.body === null) return;
      const body = await readWithin(request.body, limits.maxBodyBytes);
      if (body === undefined) return refuse(413, bodyTooLarge(limits.maxBodyBytes));
      setRequest(new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal }));
    },
  };
}

const bodyTooLarge = (maxBodyBytes: number) => `The request body exceeds ${maxBodyBytes} bytes`;

/**
 * The body, or undefined as soon as it passes `maxBytes`. The connection is
 * kept: Node reads and drops the rest of a refused body (bounded by its
 * request timeout), so that the client, still sending, gets the 413 rather
 * than a broken pipe.
 */
async function readWithin(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      const whole = new Uint8Array(bytes);
      let offset = 0;
      for (const chunk of chunks) {
        whole.set(chunk, offset);
        offset += chunk.byteLength;
      }
      return whole;
    }
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
}

function graphqlError(status: number, message: string): Response {
  const code = status === 414 ? 'URI_TOO_LONG' : 'REQUEST_ENTITY_TOO_LARGE';
  return Response.json({ errors: [{ message, extensions: { code } }] }, { status });
}

/** The token endpoint's errors are OAuth's (RFC 6749 §5.2); so are the other non-GraphQL endpoints', all OAuth ones. */
function oauthError(status: number, message: string): Response {
  return Response.json({ error: 'invalid_request', error_description: message }, { status, headers: { 'cache-control': 'no-store' } });
}
