import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

describe('README', () => {
  it('has GraphQL examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples.map((example, index) => [index + 1, example] as const))('example %i is valid against the schema', (_index, example) => {
    const errors = validate(schema, parse(example));
    expect(errors.map((error) => error.message)).toEqual([]);
  });
});
