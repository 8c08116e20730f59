import type { Auth } from '../auth/index.ts';
import { TOKEN_PATH } from '../auth/discovery.ts';
import { jsonResponse, methodNotAllowed } from '../auth/responses.ts';

export const DEMO_TOKEN_PATH = '/graphiql/demo-token';

export interface DemoCredentials {
  clientId: string;
  clientSecret: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ipv4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return ipv4 === '::1' || ipv4.startsWith('127.');
}

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || hostname.startsWith('127.');
}

/**
 * POST /graphiql/demo-token: a token for the demo client, for GraphiQL's
 * "Use a demo token" button. It exists only in the embedded demo, whose
 * credentials `npm start` prints anyway, and answers only a browser on this
 * machine: the peer is a loopback address (HOST=0.0.0.0 does not open it to
 * the network), the Host header names a loopback host (a DNS-rebinding page
 * carries its own name), and a browser's Origin is this very origin (a
 * cross-site page cannot fetch it). The token comes from the token endpoint
 * itself, with its rate limits and revocation checks.
 */
export function createDemoTokenEndpoint(auth: Auth, demo: DemoCredentials) {
  return async function handle(request: Request, url: URL, remoteAddress: string | undefined): Promise<Response | undefined> {
    if (url.pathname !== DEMO_TOKEN_PATH) return undefined;
    if (request.method !== 'POST') return methodNotAllowed('POST');
    const origin = request.headers.get('origin');
    if (!isLoopbackAddress(remoteAddress) || !isLoopbackHost(url.hostname) || (origin !== null && origin !== url.origin)) {
      return jsonResponse(
        403,
        { error: 'access_denied', error_description: 'The demo token is given only to a page of this gateway opened on its own machine' },
        { 'cache-control': 'no-store' },
      );
    }
    const tokenUrl = new URL(TOKEN_PATH, url);
    const tokenRequest = new Request(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: demo.clientId, client_secret: demo.clientSecret }),
    });
    return auth.handle(tokenRequest, tokenUrl, remoteAddress);
  };
}
