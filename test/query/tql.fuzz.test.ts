import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isListOperator,
  MAX_NESTING_DEPTH,
  normalizeTql,
  parseTql,
  printTql,
  TQL_OPERATORS,
  TqlError,
  type TqlExpression,
  type TqlLiteral,
  type TqlOperator,
} from '../../src/query/tql.ts';
import { operatorsOf, resolveTql, type AttributeSpec, type ResolvedFilter } from '../../src/query/tql-attributes.ts';

/** Runs `action`; a TqlError is an expected outcome, anything else fails the property. */
const parsesOrRejects = (source: string, action: (source: string) => unknown = parseTql) => {
  try {
    action(source);
  } catch (error) {
    if (!(error instanceof TqlError)) throw error;
    expect(error.position).toBeGreaterThanOrEqual(1);
    expect(error.position).toBeLessThanOrEqual(Array.from(source).length + 1);
  }
};

const withoutPositions = (expression: TqlExpression): unknown => {
  switch (expression.kind) {
    case 'predicate': {
      const { position: _position, ...rest } = expression;
      return rest;
    }
    case 'not':
      return { kind: 'not', operand: withoutPositions(expression.operand) };
    default:
      return { kind: expression.kind, operands: expression.operands.map(withoutPositions) };
  }
};

const predicatesOf = (expression: TqlExpression): Extract<TqlExpression, { kind: 'predicate' }>[] => {
  switch (expression.kind) {
    case 'predicate':
      return [expression];
    case 'not':
      return predicatesOf(expression.operand);
    default:
      return expression.operands.flatMap(predicatesOf);
  }
};

const tokens = [
  'agent.name', 'agents.email', 'booking.startsAt', 'scheduling_request.status', 'a.b.c', 'AND', 'or', 'Not',
  ...TQL_OPERATORS, 'not_eq', 'EQUALS', '==', '(', ')', ',', '"', '\\', '\\"', '"John Smith"', '"unterminated',
  'john', 'john*', '*', '42', '-3.5', '1e3', 'true', 'FALSE', 'null', '2026-07-01', '2026-02-30', '2026-07-01T09:30:00Z',
  '2026-07-01T09:30:00+02:00', '', '👋', 'é',
];
const separator = fc.constantFrom(' ', '~', '', '\t', '  ', ' ~ ', '\n');
const tokenSoup = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 3 })), separator), { maxLength: 30 })
  .map((parts) => parts.map(([token, gap]) => token + gap).join(''));

const randomCase = (word: string) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => Array.from(word, (char, index) => (upper[index] ? char.toUpperCase() : char.toLowerCase())).join(''));
const gap = fc.constantFrom(' ', '~', '  ', ' ~ ', '\t', '\n ');
const valueText = fc.oneof(
  fc.constantFrom('john', 'john*', '42', '-3.5', 'true', 'NULL', '2026-07-01', '2026-07-01T09:30:00+02:00', 'a\\b', 'x@y.z'),
  fc.string({ maxLength: 6 }).map((text) => `"${text.replace(/[\\"]/g, '\\$&')}"`),
);
const listText = fc.tuple(fc.array(valueText, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.constantFrom(',', ', ', ' , ', ',~'))
  .map(([values, parenthesised, comma]) => (parenthesised ? `(${values.join(comma)})` : values.join(comma)));
const predicateText = fc.tuple(fc.constantFrom('agent.name', 'agents.email', 'booking.startsAt', 'a.b.c'), fc.constantFrom(...TQL_OPERATORS), gap, gap)
  .chain(([attribute, operator, before, after]) =>
    fc.tuple(randomCase(operator), isListOperator(operator) ? listText : valueText)
      .map(([spelled, value]) => `${attribute}${before}${spelled}${after}${value}`));
const maybeParenthesised = (text: fc.Arbitrary<string>) => fc.tuple(text, fc.boolean()).map(([inner, wrap]) => (wrap ? `(${inner})` : inner));
/** Valid filters in varied surface forms: separators, keyword case, optional and redundant parentheses. */
const filterText: fc.Arbitrary<string> = fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'text' },
    predicateText,
    fc.tuple(maybeParenthesised(tie('filter')), fc.constantFrom('and', 'or'), maybeParenthesised(tie('filter')), gap, gap)
      .chain(([left, keyword, right, before, after]) => randomCase(keyword).map((spelled) => `${left}${before}${spelled}${after}${right}`)),
    fc.tuple(maybeParenthesised(tie('filter')), gap).chain(([operand, after]) => randomCase('not').map((spelled) => `${spelled}${after}${operand}`)),
    fc.tuple(tie('filter'), gap).map(([inner, pad]) => `(${pad}${inner}${pad})`),
  ),
})).filter;

describe('parseTql on arbitrary text', () => {
  it('returns or throws a TqlError with a position inside the text, for any string', () => {
    fc.assert(fc.property(fc.string(), (source) => parsesOrRejects(source)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (source) => parsesOrRejects(source)), { numRuns: 2000 });
  });

  it('returns or throws a TqlError for text built from TQL tokens', () => {
    fc.assert(fc.property(tokenSoup, (source) => parsesOrRejects(source)), { numRuns: 5000 });
  });

  it('reads back its own canonical text of whatever it parsed', () => {
    fc.assert(
      fc.property(fc.oneof(tokenSoup, filterText), (source) => {
        let expression: TqlExpression;
        try {
          expression = parseTql(source);
        } catch (error) {
          if (error instanceof TqlError) return;
          throw error;
        }
        expect(withoutPositions(parseTql(printTql(expression)))).toEqual(withoutPositions(expression));
      }),
      { numRuns: 3000 },
    );
  });

  it('parses every filter written in any mix of separators, cases and optional parentheses', () => {
    fc.assert(fc.property(filterText, (source) => void parseTql(source)), { numRuns: 2000 });
  });

  it('returns or throws a TqlError for valid filters with a piece cut out or pasted in', () => {
    const mutated = fc
      .tuple(filterText, fc.nat(), fc.nat({ max: 6 }), fc.oneof(fc.constant(''), fc.constantFrom(...tokens), fc.string({ maxLength: 2 })))
      .map(([source, at, length, insert]) => {
        const chars = Array.from(source);
        const start = at % (chars.length + 1);
        return [...chars.slice(0, start), insert, ...chars.slice(start + length)].join('');
      });
    fc.assert(fc.property(mutated, (source) => parsesOrRejects(source)), { numRuns: 3000 });
  });

  it('rejects deep nesting with a TqlError instead of exhausting the stack', () => {
    const opener = fc.constantFrom('(', 'NOT ', '(NOT ', '~(~', 'not~');
    fc.assert(
      fc.property(opener, fc.integer({ min: 0, max: 5000 }), fc.boolean(), (open, depth, closed) => {
        const source = open.repeat(depth) + 'a.x EQ 1' + (closed && open.includes('(') ? ')'.repeat(depth) : '');
        parsesOrRejects(source);
        if (depth > MAX_NESTING_DEPTH) expect(() => parseTql(source)).toThrow(/too deeply nested|longer than/);
      }),
      { numRuns: 300 },
    );
  });
});

const attributeName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}(\.[A-Za-z_][A-Za-z0-9_]{0,6}){1,2}$/);

const anyDate = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
const dateText = anyDate.map((date) => date.toISOString().slice(0, 10));
const dateTimeText = fc
  .tuple(anyDate, fc.constantFrom('Z', '+02:00', '-05:30', 'z', '+00:00'), fc.constantFrom('seconds', 'minutes', 'millis'))
  .map(([date, zone, precision]) => {
    const iso = date.toISOString();
    const time = precision === 'millis' ? iso.slice(0, 23) : precision === 'seconds' ? iso.slice(0, 19) : iso.slice(0, 16);
    return time + zone;
  });
const numberText = fc.stringMatching(/^-?\d{1,8}(\.\d{1,4})?$/);

const literal: fc.Arbitrary<TqlLiteral> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.@*:+\-\\]{1,10}$/).map((text): TqlLiteral => ({ kind: 'word', text })),
  fc.string({ unit: 'binary', maxLength: 10 }).map((text): TqlLiteral => ({ kind: 'word', text })),
  fc.string({ unit: 'binary', maxLength: 10 }).map((text): TqlLiteral => ({ kind: 'string', text })),
  numberText.map((text): TqlLiteral => ({ kind: 'number', value: Number(text), text })),
  fc.boolean().map((value): TqlLiteral => ({ kind: 'boolean', value })),
  fc.constant<TqlLiteral>({ kind: 'null' }),
  dateText.map((text): TqlLiteral => ({ kind: 'date', text })),
  dateTimeText.map((text): TqlLiteral => ({ kind: 'datetime', text })),
);

const predicateOf = (attribute: fc.Arbitrary<string>, value: (operator: TqlOperator) => fc.Arbitrary<TqlLiteral>) =>
  fc.tuple(attribute, fc.constantFrom(...TQL_OPERATORS)).chain(([name, operator]) =>
    (isListOperator(operator) ? fc.array(value(operator), { minLength: 1, maxLength: 4 }) : value(operator)).map(
      (value): TqlExpression => ({ kind: 'predicate', attribute: name, operator, value, position: 0 }),
    ),
  );

const expressionOf = (predicate: fc.Arbitrary<TqlExpression>) =>
  fc.letrec<{ expression: TqlExpression }>((tie) => ({
    expression: fc.oneof(
      { maxDepth: 5, depthIdentifier: 'tql' },
      predicate,
      fc.record({
        kind: fc.constantFrom('and' as const, 'or' as const),
        operands: fc.array(tie('expression'), { minLength: 1, maxLength: 4 }),
      }),
      fc.record({ kind: fc.constant('not' as const), operand: tie('expression') }),
    ),
  })).expression;

describe('printTql and parseTql', () => {
  it('round-trip any expression to its normal form, with either separator', () => {
    fc.assert(
      fc.property(expressionOf(predicateOf(attributeName, () => literal)), fc.constantFrom(' ' as const, '~' as const), (expression, separator) => {
        const text = printTql(expression, { separator });
        const parsed = parseTql(text);
        expect(withoutPositions(parsed)).toEqual(withoutPositions(normalizeTql(expression)));
        for (const { attribute, position } of predicatesOf(parsed)) {
          expect(Array.from(text).slice(position - 1, position - 1 + attribute.length).join('')).toBe(attribute);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

const catalog: readonly AttributeSpec[] = [
  { name: 'agent.id', type: 'id' },
  { name: 'agent.name', type: 'string' },
  { name: 'agent.email', type: 'string', nullable: true },
  { name: 'agent.active', type: 'boolean' },
  { name: 'scheduling_request.status', type: 'enum', values: ['NEW', 'SENT', 'SCHEDULED', 'CANCELLED', 'CLOSED'] },
  { name: 'booking.starts_at', type: 'datetime' },
  { name: 'booking.cancelled_at', type: 'datetime', nullable: true },
  { name: 'booking.date', type: 'date' },
  { name: 'appointment_type.duration_minutes', type: 'number' },
];

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
/** Every spelling a filter may use for a catalog attribute. */
const spellingOf = (spec: AttributeSpec) => {
  const [object, property] = spec.name.split('.') as [string, string];
  return fc.constantFrom(spec.name, `${object}s.${property}`, `${object}.${camel(property)}`, `${camel(object)}s.${camel(property)}`);
};
const nearMissOf = (spec: AttributeSpec) => fc.nat({ max: spec.name.length - 1 }).map((index) => spec.name.slice(0, index) + spec.name.slice(index + 1));
const catalogAttribute = fc.constantFrom(...catalog).chain((spec) => fc.oneof(spellingOf(spec), nearMissOf(spec), attributeName));

describe('resolveTql on generated filters', () => {
  it('returns or throws a TqlError, whatever the attributes, operators and values', () => {
    fc.assert(
      fc.property(expressionOf(predicateOf(catalogAttribute, () => literal)), (expression) => {
        parsesOrRejects(printTql(expression), (source) => resolveTql(source, catalog));
      }),
      { numRuns: 3000 },
    );
  });

  const validValue = (spec: AttributeSpec, operator: TqlOperator): fc.Arbitrary<TqlLiteral> => {
    const text = (arbitrary: fc.Arbitrary<string>, kind: 'word' | 'string' = 'string') =>
      arbitrary.map((value): TqlLiteral => ({ kind, text: value }));
    const nullable = spec.nullable && (operator === 'EQ' || operator === 'NOT_EQ')
      ? [fc.constant<TqlLiteral>({ kind: 'null' })]
      : [];
    if (operator === 'LIKE' || operator === 'NOT_LIKE') return text(fc.string({ maxLength: 8 }));
    switch (spec.type) {
      case 'string':
        return fc.oneof(literal.filter((value) => value.kind !== 'null'), ...nullable);
      case 'id':
        return fc.oneof(text(fc.uuid()), numberText.map((value): TqlLiteral => ({ kind: 'number', value: Number(value), text: value })));
      case 'number':
        return fc.oneof(numberText.map((value): TqlLiteral => ({ kind: 'number', value: Number(value), text: value })), text(numberText));
      case 'boolean':
        return fc.oneof(fc.boolean().map((value): TqlLiteral => ({ kind: 'boolean', value })), text(fc.constantFrom('TRUE', 'false')));
      case 'date':
        return fc.oneof(dateText.map((value): TqlLiteral => ({ kind: 'date', text: value })), text(dateText));
      case 'datetime':
        return fc.oneof(dateTimeText.map((value): TqlLiteral => ({ kind: 'datetime', text: value })), text(dateTimeText), ...nullable);
      case 'enum':
        return text(fc.constantFrom(...(spec.values ?? [])).map((value) => value.toLowerCase()), 'word');
    }
  };

  const validPredicate = fc.constantFrom(...catalog).chain((spec) =>
    fc.tuple(spellingOf(spec), fc.constantFrom(...operatorsOf(spec)))
      .chain(([attribute, operator]) =>
        (isListOperator(operator) ? fc.array(validValue(spec, operator), { minLength: 1, maxLength: 3 }) : validValue(spec, operator)).map(
          (value): TqlExpression => ({ kind: 'predicate', attribute, operator, value, position: 0 }),
        ),
      ),
  );

  const checkValues = (filter: ResolvedFilter): void => {
    switch (filter.kind) {
      case 'predicate': {
        expect(catalog).toContain(filter.attribute);
        for (const value of Array.isArray(filter.value) ? filter.value : [filter.value]) {
          if (value === null) continue;
          const type = filter.operator === 'LIKE' || filter.operator === 'NOT_LIKE' ? 'string' : filter.attribute.type;
          if (type === 'datetime') expect(value).toBeInstanceOf(Date);
          else if (type === 'number') expect(typeof value).toBe('number');
          else if (type === 'boolean') expect(typeof value).toBe('boolean');
          else if (type === 'date') expect(value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          else if (type === 'enum') expect(filter.attribute.values).toContain(value);
          else expect(typeof value).toBe('string');
        }
        return;
      }
      case 'not':
        return checkValues(filter.operand);
      default:
        return filter.operands.forEach(checkValues);
    }
  };

  it('resolves every well-typed filter to canonical attributes and values of their type', () => {
    fc.assert(
      fc.property(expressionOf(validPredicate), (expression) => {
        checkValues(resolveTql(printTql(expression), catalog));
      }),
      { numRuns: 3000 },
    );
  });
});
