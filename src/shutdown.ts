import type { Server } from 'node:http';

/** The signals that stop the gateway: a supervisor's or orchestrator's (SIGTERM), Ctrl-C (SIGINT), a closed terminal (SIGHUP). */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Counts the requests `server` is answering, so that a shutdown can wait for
 * them; once `draining` starts, every answer closes its connection, and
 * connections left idle are closed at once (a keep-alive connection would
 * otherwise keep the server open until its timeout).
 */
export function trackRequests(server: Server) {
  let inFlight = 0;
  let draining = false;
  server.on('request', (request, response) => {
    inFlight += 1;
    if (draining && !response.headersSent) response.setHeader('connection', 'close');
    response.once('close', () => {
      inFlight -= 1;
      if (draining) server.closeIdleConnections();
    });
  });
  return {
    inFlight: () => inFlight,
    /**
     * Stops accepting connections and waits for the requests in flight, at
     * most `timeoutMs`; then cuts what is left. Resolves with the number of
     * requests cut.
     */
    drain: async (timeoutMs: number): Promise<number> => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const outcome = await Promise.race([closed, timedOut]);
      clearTimeout(timer);
      if (outcome !== 'timeout') return 0;
      const cut = inFlight;
      server.closeAllConnections();
      await closed;
      return cut;
    },
  };
}
