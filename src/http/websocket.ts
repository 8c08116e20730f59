import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Gateway } from '../server.ts';

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the HTTP server's own
 * port and path, executed by the same yoga instance and plugins as HTTP.
 * The bearer token travels in the `connection_init` payload's
 * `Authorization`; a connection without a valid one is closed (4403).
 */
export function attachWebSocketSubscriptions(server: Server, gateway: Pick<Gateway, 'yoga' | 'auth' | 'operationLimits'>, path: string) {
  const sockets = new WebSocketServer({ server, path });
  const { yoga, auth, operationLimits } = gateway;
  const authorizationOf = (params: Readonly<Record<string, unknown>> | undefined) => {
    const value = params?.Authorization ?? params?.authorization;
    return typeof value === 'string' ? value : null;
  };
  const cleanup = useServer(
    {
      onConnect: async (ctx) => {
        const result = await auth.authenticate(authorizationOf(ctx.connectionParams));
        return result.kind === 'valid';
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        // The limits HTTP measures in yoga's onParams, which a WebSocket operation does not pass through.
        const checked = operationLimits?.check({ query: payload.query, variables: payload.variables ?? undefined, operationName: payload.operationName ?? undefined });
        if (checked?.kind === 'rejected') return checked.errors;
        const authorization = authorizationOf(ctx.connectionParams);
        // yoga's context reads the token from the request, as for HTTP.
        const request = new Request(`http://websocket${path}`, { headers: authorization ? { authorization } : {} });
        const enveloped = yoga.getEnveloped({ request, params: payload });
        const document = enveloped.parse(payload.query);
        const args = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        } satisfies ExecutionArgs;
        const errors = enveloped.validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    sockets,
  );
  let closing: Promise<void> | undefined;
  return {
    /** Closes every connection (1001 Going Away) and stops accepting new ones; once, however often called. */
    close: () =>
      (closing ??= (async () => {
        await cleanup.dispose();
        await new Promise<void>((resolve) => sockets.close(() => resolve()));
      })()),
  };
}

interface EnvelopedRoot {
  execute(args: ExecutionArgs): OperationResult;
  subscribe(args: ExecutionArgs): OperationResult;
}
