import { lookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './policy.ts';

export class UnsafeTargetError extends Error {
  override name = 'UnsafeTargetError';
}

/** Checks a webhook URL's form: http(s), no credentials, a host. */
export function parseTargetUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UnsafeTargetError('Must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeTargetError('Must be an http:// or https:// URL');
  if (url.username || url.password) throw new UnsafeTargetError('Must not carry credentials');
  return url;
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

/**
 * Resolves the URL's host and refuses it when any address it resolves to is
 * not public (unless `allowPrivate`): a name resolving to several addresses
 * could otherwise be connected to through the private one.
 */
export async function assertSafeTarget(value: string, allowPrivate: boolean): Promise<URL> {
  const url = parseTargetUrl(value);
  if (allowPrivate) return url;
  const host = bare(url.hostname);
  const addresses = isIP(host) ? [host] : await resolveAll(host);
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused) throw new UnsafeTargetError(`${url.hostname} resolves to ${refused}, a private, loopback or link-local address`);
  return url;
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    lookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(new UnsafeTargetError(`${host} does not resolve (${error.code ?? error.message})`)) : resolve(addresses.map((entry) => entry.address)),
    ),
  );
}

/**
 * The DNS lookup the delivery's connection uses: the same check on the
 * addresses it is about to connect to, so a name that changed its answer
 * since `assertSafeTarget` (DNS rebinding) is still refused.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const refused = allowPrivate ? undefined : addresses.find((entry) => !isPublicAddress(entry.address));
      if (refused) {
        return callback(Object.assign(new UnsafeTargetError(`${hostname} resolves to ${refused.address}, a non-public address`), { code: 'EUNSAFE' }), '', 0);
      }
      if (options.all) return (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}
