import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.ts';

const example = new URL('../examples/typed-client/', import.meta.url);
const script = readFileSync(new URL('src/main.ts', example), 'utf8');
const generated = readFileSync(new URL('src/gql/gql.ts', example), 'utf8');
const operations = [...script.matchAll(/graphql\(`([\s\S]*?)`\)/g)].map((match) => match[1]!);

// Cheap checks in the suite; .ci/run also installs the example, regenerates its types and type-checks it.
describe('examples/typed-client', () => {
  it('has operations that are valid against the schema', () => {
    expect(operations.length).toBeGreaterThanOrEqual(2);
    for (const operation of operations) expect(validate(schema, parse(operation)).map((error) => error.message)).toEqual([]);
  });

  it('has its generated types committed for exactly these operations', () => {
    for (const operation of operations) expect(generated).toContain(JSON.stringify(operation));
  });
});
