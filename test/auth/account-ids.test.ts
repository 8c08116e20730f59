import { describe, expect, it } from 'vitest';
import { accountIdOf, readAccountIds } from '../../src/auth/account-ids.ts';
import { encodeId } from '../../src/schema/global-id.ts';

const uuid = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

describe('accountIdOf', () => {
  it('reads a UUID in any case and the Account global id, padded or not', () => {
    expect(accountIdOf(uuid)).toBe(uuid);
    expect(accountIdOf(uuid.toUpperCase())).toBe(uuid);
    expect(accountIdOf(encodeId('Account', uuid))).toBe(uuid);
    expect(accountIdOf(`${Buffer.from(`Account:${uuid}`).toString('base64')}`)).toBe(uuid);
  });

  it('refuses the global id of another type, a mangled one, and anything else', () => {
    expect(accountIdOf(encodeId('Agent', uuid))).toBeNull();
    expect(accountIdOf(`${encodeId('Account', uuid)}x`)).toBeNull();
    expect(accountIdOf(encodeId('Account', 'not-a-uuid'))).toBeNull();
    expect(accountIdOf('northwind-it')).toBeNull();
    expect(accountIdOf('')).toBeNull();
  });
});

describe('readAccountIds', () => {
  it('lists an account once whatever forms it is typed in, keeping what was typed first', () => {
    expect(readAccountIds([encodeId('Account', uuid), uuid.toUpperCase(), 'nope', 'nope'])).toEqual([
      { typed: encodeId('Account', uuid), id: uuid },
      { typed: 'nope', id: null },
    ]);
  });
});
