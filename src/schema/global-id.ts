import SchemaBuilder, { BasePlugin, completeValue, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { badUserInput } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Relay global ids: base64url of `Type:uuid`. */
export function encodeId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`).toString('base64url');
}

export function decodeId(globalId: string): { typename: string; id: string } {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const separator = decoded.indexOf(':');
  const typename = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (separator < 1 || !UUID.test(id) || encodeId(typename, id) !== globalId.replace(/=+$/, '')) {
    throw badUserInput(`"${globalId}" is not a valid id`);
  }
  return { typename, id: id.toLowerCase() };
}

/** Decodes an id that must name a `typename`; a wrong type reads as "nothing found". */
export function decodeIdOf(typename: string, globalId: string): string | null {
  const decoded = decodeId(globalId);
  return decoded.typename === typename ? decoded.id : null;
}

const MAX_CACHED_IDS = 4096;
const cachedIds = new Map<string, Map<string, string>>();

/**
 * `encodeId` for ids the schema returns, remembered per type: a result repeats the same nodes (availability names
 * each team member in hundreds of slots). Each type's cache starts over when full rather than grow without bound.
 */
export function encodeNodeId(typename: string, id: string | number | bigint): string {
  let ids = cachedIds.get(typename);
  if (!ids) cachedIds.set(typename, (ids = new Map()));
  const key = String(id);
  let globalId = ids.get(key);
  if (globalId === undefined) {
    if (ids.size >= MAX_CACHED_IDS) ids.clear();
    globalId = encodeId(typename, key);
    ids.set(key, globalId);
  }
  return globalId;
}

type NodeIdResolver = (parent: unknown, args: object, context: object, info: unknown) => unknown;

/**
 * The relay plugin resolves every node's `id` field with an async function, so each node in a result costs a
 * promise and makes its parent wait for it (availability lists thousands of agents). This resolves the field
 * without one whenever the node type's own id resolver is synchronous, encoding as the relay plugin does.
 */
class SyncNodeIdsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const relay = this.builder.options.relay;
    if (fieldConfig.kind !== 'Object' || fieldConfig.name !== (relay?.idFieldName ?? 'id')) return resolver;
    const typeConfig = this.buildCache.getTypeConfig(fieldConfig.parentType);
    // The node options the relay plugin keeps on each node type: `id.resolve` yields the id before encoding.
    const nodeId = (typeConfig.pothosOptions as { id?: { resolve?: NodeIdResolver } }).id?.resolve;
    const encode = relay?.encodeGlobalID;
    if (typeConfig.kind !== 'Object' || !nodeId || !encode) return resolver;
    return (parent, args, context, info) => completeValue(nodeId(parent, args, context, info), (id) => encode(typeConfig.name, String(id), context));
  }
}

export const syncNodeIdsPlugin = 'syncNodeIds';
SchemaBuilder.registerPlugin(syncNodeIdsPlugin, SyncNodeIdsPlugin);

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      syncNodeIds: SyncNodeIdsPlugin<Types>;
    }
  }
}
