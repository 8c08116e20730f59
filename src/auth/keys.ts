import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Db } from '../db/client.ts';

/** The one signing algorithm: tokens carrying any other `alg` are rejected before a key is looked at. */
export const SIGNING_ALGORITHM = 'ES256';

/** A retired key stays published this long past the lifetime of the last token it could have signed. */
const RETIREMENT_MARGIN_SECONDS = 300;

/** Other gateway instances may rotate; re-reading the table this often picks up their keys. */
const REFRESH_INTERVAL_MS = 60_000;

/** An unknown `kid` triggers a re-read at most this often, so forged kids cannot flood the database. */
const UNKNOWN_KID_REFRESH_INTERVAL_MS = 5_000;

/** Serialises key creation and rotation across gateway instances sharing one database. */
const KEY_LOCK_ID = 7_301_955_201;

export interface PublicJwk extends JWK {
  kid: string;
  alg: string;
  use: 'sig';
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

interface LoadedKey {
  kid: string;
  publicJwk: PublicJwk;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
  retiredAt: Date | null;
}

export interface SigningKeys {
  /** The newest key that is not retired: every new token is signed with it. */
  current(): Promise<SigningKey>;
  /** The public key for a token's `kid`, or undefined when the kid is unknown or no longer published. */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  /** The JWKS document: the current key and the retired keys whose tokens may still be alive. */
  publicJwks(): Promise<{ keys: PublicJwk[] }>;
  /** Adds a new signing key and retires the previous ones; their tokens stay valid until they expire. */
  rotate(): Promise<{ kid: string }>;
}

/**
 * Signing keys persisted in `signing_keys`, so tokens survive restarts and
 * every instance over the same database signs and verifies alike. A key is
 * created on first start when there is none.
 */
export async function createSigningKeys(db: Db, options: { tokenTtlSeconds: number }): Promise<SigningKeys> {
  const publishedFor = (options.tokenTtlSeconds + RETIREMENT_MARGIN_SECONDS) * 1000;
  let keys: LoadedKey[] = [];
  let loadedAt = 0;

  const isPublished = (key: { retiredAt: Date | null }) => !key.retiredAt || Date.now() - key.retiredAt.getTime() < publishedFor;

  async function load() {
    const rows = await db.signingKey.findMany({
      where: { algorithm: SIGNING_ALGORITHM },
      orderBy: { createdAt: 'desc' },
    });
    keys = await Promise.all(rows.filter(isPublished).map(toLoadedKey));
    loadedAt = Date.now();
  }

  async function fresh(maxAgeMs: number) {
    if (Date.now() - loadedAt >= maxAgeMs) await load();
    return keys;
  }

  await withKeyLock(db, async (tx) => {
    const active = await tx.signingKey.count({ where: { algorithm: SIGNING_ALGORITHM, retiredAt: null } });
    if (active === 0) await insertNewKey(tx);
  });
  await load();

  return {
    async current() {
      const signing = (await fresh(REFRESH_INTERVAL_MS)).find((key) => !key.retiredAt);
      if (!signing) throw new Error('No active signing key: was the signing_keys table emptied while running?');
      return { kid: signing.kid, privateKey: signing.privateKey };
    },
    async verificationKey(kid) {
      const find = () => keys.find((key) => key.kid === kid && isPublished(key))?.publicKey;
      await fresh(REFRESH_INTERVAL_MS);
      if (find()) return find();
      await fresh(UNKNOWN_KID_REFRESH_INTERVAL_MS);
      return find();
    },
    async publicJwks() {
      return { keys: (await fresh(REFRESH_INTERVAL_MS)).filter(isPublished).map((key) => key.publicJwk) };
    },
    async rotate() {
      const kid = await withKeyLock(db, async (tx) => {
        const newKid = await insertNewKey(tx);
        await tx.signingKey.updateMany({ where: { retiredAt: null, kid: { not: newKid } }, data: { retiredAt: new Date() } });
        // Keys retired before the oldest token that could still be alive are of no use, and a private key kept is a liability.
        await tx.signingKey.deleteMany({ where: { retiredAt: { lt: new Date(Date.now() - publishedFor) } } });
        return newKid;
      });
      await load();
      return { kid };
    },
  };
}

type Transaction = Parameters<Parameters<Db['$transaction']>[0]>[0];

async function withKeyLock<T>(db: Db, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_LOCK_ID}::bigint)`;
    return work(tx);
  });
}

async function insertNewKey(tx: Transaction): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  await tx.signingKey.create({
    data: {
      kid,
      algorithm: SIGNING_ALGORITHM,
      publicJwk: { ...publicJwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM },
    },
  });
  return kid;
}

async function toLoadedKey(row: { kid: string; publicJwk: unknown; privateJwk: unknown; retiredAt: Date | null }): Promise<LoadedKey> {
  const publicJwk = row.publicJwk as PublicJwk;
  return {
    kid: row.kid,
    publicJwk,
    publicKey: (await importJWK(publicJwk, SIGNING_ALGORITHM)) as CryptoKey,
    privateKey: (await importJWK(row.privateJwk as JWK, SIGNING_ALGORITHM)) as CryptoKey,
    retiredAt: row.retiredAt,
  };
}
