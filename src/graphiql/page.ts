import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';
import { DEMO_TOKEN_PATH } from './demo-token.ts';

const DEFAULT_QUERY = `# Put a token in the Headers tab first (the bar above says how), then run this
# query with the ▶ button or Ctrl-Enter.
query Overview {
  viewer { clientId scopes accounts { name timeZone } }
  agents(first: 5, orderBy: [{ field: NAME, direction: ASC }]) {
    totalCount
    nodes { name email timeZone teams { internalName } workday { name } }
  }
}
`;

export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'Open Scheduling Gateway',
  defaultQuery: DEFAULT_QUERY,
  // A pasted or fetched Authorization header survives a reload (kept in the browser's localStorage).
  shouldPersistHeaders: true,
};

/**
 * GraphiQL served whole by the gateway: @graphql-yoga/render-graphiql inlines
 * its scripts, styles and editor workers, so the page loads nothing from a
 * CDN. Above it, a bar tells how to get a token: in the embedded demo a button
 * fetches one for the demo client (demo-token.ts); elsewhere it shows the
 * client-credentials call. The page (some 15 MB) is rendered once.
 */
export function createGraphiQLRenderer({ demo }: { demo: boolean }): (options: GraphiQLOptions) => string {
  const pages = new Map<string, string>();
  return (options) => {
    const key = JSON.stringify(options);
    let page = pages.get(key);
    if (!page) {
      const rendered = renderGraphiQL(options);
      // The last one: GraphiQL's inlined script contains the string "</body>" too.
      const end = rendered.lastIndexOf('</body>');
      if (end < 0) throw new Error('GraphiQL page without </body>: the token bar has nowhere to go');
      page = `${rendered.slice(0, end)}${tokenBar(demo)}${rendered.slice(end)}`;
      pages.set(key, page);
    }
    return page;
  };
}

function tokenBar(demo: boolean): string {
  const style = `<style>
    body { display: flex; flex-direction: column; height: 100vh; margin: 0; }
    #root { flex: 1; min-height: 0; }
    #token-bar { order: -1; display: flex; flex-wrap: wrap; align-items: center; gap: 0.5em 1em; padding: 0.4em 1em;
      font: 14px system-ui, sans-serif; background: #f0f4f8; color: #1b2733; border-bottom: 1px solid #cdd6df; }
    #token-bar code { font: 13px ui-monospace, monospace; background: #fff; padding: 0.1em 0.3em; border-radius: 3px; }
    #token-bar button { font: inherit; padding: 0.2em 0.8em; cursor: pointer; }
  </style>`;
  if (!demo) {
    return `${style}
  <div id="token-bar" role="note">
    <span>Every request needs a token: ask the token endpoint with the client-credentials grant,
      <code id="token-call">curl -u '&lt;client_id&gt;:&lt;client_secret&gt;' -d grant_type=client_credentials <span class="origin"></span>/oauth/token</code>,
      then put <code>{"Authorization": "Bearer &lt;access_token&gt;"}</code> in the Headers tab below.
      Token endpoint: <code><span class="origin"></span>/oauth/token</code>
      (<a href="/.well-known/oauth-authorization-server">its metadata</a>).
      An API client: <code>npm run cli -- clients:create</code> (see the README).</span>
  </div>
  <script>
    for (const element of document.querySelectorAll('#token-bar .origin')) element.textContent = location.origin;
  </script>`;
  }
  return `${style}
  <div id="token-bar" role="note">
    <span>Embedded demo: the demo API client may read and write every demo account.</span>
    <button type="button" id="demo-token">Use a demo token</button>
    <span id="demo-token-status" role="status"></span>
  </div>
  <script>
    // GraphiQL keeps its headers and tabs in localStorage (shouldPersistHeaders): the token goes there, and the
    // reload shows it in the Headers tab of the current tab. GraphiQL reopens the tab whose query, variables and
    // headers match the stored ones, and opens an empty tab otherwise: all three are stored.
    document.getElementById('demo-token').addEventListener('click', async () => {
      const status = document.getElementById('demo-token-status');
      status.textContent = 'Fetching a token…';
      try {
        const response = await fetch(${JSON.stringify(DEMO_TOKEN_PATH)}, { method: 'POST', headers: { accept: 'application/json' } });
        const body = await response.json().catch(() => ({}));
        if (!response.ok || typeof body.access_token !== 'string') {
          status.textContent = 'No token: ' + (body.error_description || body.detail || response.status);
          return;
        }
        const headers = JSON.stringify({ Authorization: 'Bearer ' + body.access_token }, null, 2);
        localStorage.setItem('graphiql:headers', headers);
        const tabState = JSON.parse(localStorage.getItem('graphiql:tabState') || 'null');
        const active = tabState && Array.isArray(tabState.tabs) ? tabState.tabs[tabState.activeTabIndex] : undefined;
        if (active) {
          active.headers = headers;
          localStorage.setItem('graphiql:tabState', JSON.stringify(tabState));
          localStorage.setItem('graphiql:query', active.query ?? '');
          localStorage.setItem('graphiql:variables', active.variables ?? '');
        }
        location.reload();
      } catch (error) {
        status.textContent = 'No token: ' + error;
      }
    });
  </script>`;
}
