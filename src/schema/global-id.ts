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
