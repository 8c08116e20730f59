import type { IncomingMessage } from 'node:http';
import { getOperationAST, type GraphQLError } from 'graphql';
import type { Plugin, YogaLogger } from 'graphql-yoga';
import type { Context } from '../schema/context.ts';
import type { Logger } from './logger.ts';
import { recordOf } from './request-record.ts';

/** Errors masked as "Unexpected error.", with what they were: logged once, with the request's id, when the answer is sent. */
const unexpectedErrors = new WeakMap<Error, unknown>();

/** Called by yoga's `maskError` for an error the client will only see as "Unexpected error.". */
export function rememberUnexpectedError(masked: Error, original: unknown): void {
  unexpectedErrors.set(masked, original);
}

type ServerContext = { req?: IncomingMessage };

/**
 * yoga's own messages, through the gateway's logger. yoga logs each masked
 * error at error level, without the request; useObservation logs it once
 * with the request's id, so yoga's copy goes to debug.
 */
export function yogaLogging(logger: Logger): YogaLogger {
  const at = (level: 'debug' | 'info' | 'warn') => (...args: unknown[]) => {
    if (!logger.isLevelEnabled(level)) return;
    const [first, ...rest] = args;
    if (first instanceof Error) logger[level]({ err: first }, first.message);
    else logger[level]([first, ...rest].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' '));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('debug') };
}

/** Fills in the request's record on yoga's path (operation, client, read path, error codes) and logs its unexpected errors. */
export function useObservation(logger: Logger): Plugin<Record<string, unknown>, Context> {
  return {
    onParams({ params, context }) {
      const record = recordOf((context as ServerContext).req);
      if (record && typeof params.operationName === 'string') record.operationName = params.operationName;
    },
    onExecute({ args }) {
      const context = args.contextValue as unknown as Context & ServerContext;
      const record = recordOf(context.req);
      if (!record) return;
      const operation = getOperationAST(args.document, args.operationName);
      record.operationName = operation?.name?.value ?? args.operationName ?? undefined;
      record.operationType = operation?.operation;
      record.clientId = context.principal?.clientId;
      // The compiled reads' plugin says so when it answers instead.
      if (operation?.operation === 'query') record.readPath = 'resolvers';
    },
    onResultProcess({ result, serverContext }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result || !result.errors) return;
      const record = recordOf((serverContext as ServerContext).req);
      for (const error of result.errors as readonly GraphQLError[]) {
        const code = error.extensions?.code;
        if (record) (record.errorCodes ??= []).push(typeof code === 'string' ? code : 'UNKNOWN');
        const original = unexpectedErrors.get(error);
        if (original !== undefined) logger.error({ err: original, requestId: record?.id, operationName: record?.operationName }, 'unexpected error');
      }
    },
  };
}
