import { describe, expect, it } from 'vitest';
import {
  likePattern,
  MAX_NESTING_DEPTH,
  parseTql,
  printTql,
  sqlLikePattern,
  TQL_OPERATORS,
  TqlError,
  type TqlExpression,
  type TqlLiteral,
} from '../../src/query/tql.ts';
import { describeCatalog, resolveTql, type AttributeSpec } from '../../src/query/tql-attributes.ts';

const catalog: readonly AttributeSpec[] = [
  { name: 'agent.id', type: 'id' },
  { name: 'agent.name', type: 'string', description: "The agent's display name." },
  { name: 'agent.email', type: 'string', nullable: true },
  { name: 'agent.active', type: 'boolean' },
  { name: 'agent.role', type: 'enum', values: ['ADMIN', 'MANAGER', 'AGENT'] },
  { name: 'scheduling_request.status', type: 'enum', values: ['NEW', 'SENT', 'SCHEDULED', 'CANCELLED', 'CLOSED'] },
  { name: 'booking.starts_at', type: 'datetime' },
  { name: 'booking.cancelled_at', type: 'datetime', nullable: true },
  { name: 'booking.date', type: 'date' },
  { name: 'appointment_type.duration_minutes', type: 'number' },
  { name: 'team.name', type: 'string', operators: ['EQ', 'LIKE'], aliases: ['group.name'] },
];

const errorOf = (action: () => unknown): TqlError => {
  try {
    action();
  } catch (error) {
    if (error instanceof TqlError) return error;
    throw error;
  }
  throw new Error('expected a TqlError');
};

const predicate = (
  attribute: string,
  operator: Extract<TqlExpression, { kind: 'predicate' }>['operator'],
  value: TqlLiteral | TqlLiteral[],
  position = 1,
): TqlExpression => ({ kind: 'predicate', attribute, operator, value, position });
const word = (text: string): TqlLiteral => ({ kind: 'word', text });
const string = (text: string): TqlLiteral => ({ kind: 'string', text });

describe('parseTql', () => {
  it('reads every operator, in any case', () => {
    for (const operator of TQL_OPERATORS) {
      const list = operator === 'IN' || operator === 'NOT_IN';
      expect(parseTql(`agent.name ${operator.toLowerCase()} john`)).toEqual(
        predicate('agent.name', operator, list ? [word('john')] : word('john')),
      );
    }
  });

  it('separates the parts of a predicate by whitespace, by ~, or by a mix of both', () => {
    const expected = predicate('agent.name', 'LIKE', word('john'));
    expect(parseTql('agent.name~LIKE~john')).toEqual(expected);
    expect(parseTql('agent.name LIKE john')).toEqual(expected);
    expect(parseTql('agent.name~LIKE john')).toEqual(expected);
    expect(parseTql('  agent.name \t~ LIKE\n~~john ~')).toEqual({ ...expected, position: 3 });
    expect(parseTql('agent.name~LIKE~john~AND~agent.active~EQ~true')).toEqual({
      kind: 'and',
      operands: [expected, predicate('agent.active', 'EQ', { kind: 'boolean', value: true }, 26)],
    });
  });

  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    expect(parseTql('NOT a.x EQ 1 AND b.x EQ 2 OR c.x EQ 3')).toEqual({
      kind: 'or',
      operands: [
        {
          kind: 'and',
          operands: [
            { kind: 'not', operand: predicate('a.x', 'EQ', { kind: 'number', value: 1, text: '1' }, 5) },
            predicate('b.x', 'EQ', { kind: 'number', value: 2, text: '2' }, 18),
          ],
        },
        predicate('c.x', 'EQ', { kind: 'number', value: 3, text: '3' }, 30),
      ],
    });
  });

  it('groups with parentheses and flattens chains of the same operator', () => {
    expect(parseTql('a.x EQ 1 AND (b.x EQ 2 OR c.x EQ 3)')).toMatchObject({
      kind: 'and',
      operands: [{ attribute: 'a.x' }, { kind: 'or', operands: [{ attribute: 'b.x' }, { attribute: 'c.x' }] }],
    });
    expect(parseTql('(a.x EQ 1 AND b.x EQ 2) and c.x EQ 3 AND (d.x EQ 4)')).toMatchObject({
      kind: 'and',
      operands: [{ attribute: 'a.x' }, { attribute: 'b.x' }, { attribute: 'c.x' }, { attribute: 'd.x' }],
    });
    expect(parseTql('not (a.x EQ 1 or b.x EQ 2)')).toMatchObject({
      kind: 'not',
      operand: { kind: 'or', operands: [{ attribute: 'a.x' }, { attribute: 'b.x' }] },
    });
    expect(parseTql('NOT NOT a.x EQ 1')).toMatchObject({ kind: 'not', operand: { kind: 'not', operand: { attribute: 'a.x' } } });
    expect(parseTql('(((a.x EQ 1)))')).toEqual(predicate('a.x', 'EQ', { kind: 'number', value: 1, text: '1' }, 4));
  });

  it('reads case-insensitive keywords, operators, booleans and null', () => {
    expect(parseTql('a.x eq TRUE oR b.x Not_Eq NULL aNd nOt c.x gte False')).toEqual({
      kind: 'or',
      operands: [
        predicate('a.x', 'EQ', { kind: 'boolean', value: true }),
        {
          kind: 'and',
          operands: [
            predicate('b.x', 'NOT_EQ', { kind: 'null' }, 16),
            { kind: 'not', operand: predicate('c.x', 'GTE', { kind: 'boolean', value: false }, 40) },
          ],
        },
      ],
    });
  });

  it('keeps quoted values with spaces, commas, ~, parentheses and escaped quotes and backslashes', () => {
    expect(parseTql('agent.name EQ "John Smith"')).toEqual(predicate('agent.name', 'EQ', string('John Smith')));
    expect(parseTql('agent.name~EQ~"Smith, John ~ (Jr.)"')).toEqual(predicate('agent.name', 'EQ', string('Smith, John ~ (Jr.)')));
    expect(parseTql(String.raw`agent.name EQ "say \"hi\" C:\\temp"`)).toEqual(
      predicate('agent.name', 'EQ', string(String.raw`say "hi" C:\temp`)),
    );
    expect(parseTql('agent.name EQ ""')).toEqual(predicate('agent.name', 'EQ', string('')));
  });

  it('reads IN lists bare or parenthesised, with spaces after commas and quoted members', () => {
    const expected = predicate('scheduling_request.status', 'IN', [word('NEW'), word('SENT')]);
    expect(parseTql('scheduling_request.status IN NEW,SENT')).toEqual(expected);
    expect(parseTql('scheduling_request.status IN (NEW, SENT)')).toEqual(expected);
    expect(parseTql('scheduling_request.status~IN~(NEW,~SENT)')).toEqual(expected);
    expect(parseTql('scheduling_request.status IN(NEW , SENT)')).toEqual(expected);
    expect(parseTql('agent.name NOT_IN ("Smith, John", jane, 42)')).toEqual(
      predicate('agent.name', 'NOT_IN', [string('Smith, John'), word('jane'), { kind: 'number', value: 42, text: '42' }]),
    );
    expect(parseTql('(scheduling_request.status IN NEW,SENT) AND agent.name EQ x')).toMatchObject({
      kind: 'and',
      operands: [{ value: [word('NEW'), word('SENT')] }, { attribute: 'agent.name' }],
    });
  });

  it('tells the lexical kind of numbers, booleans, null, dates and date-times', () => {
    const valueOf = (text: string) => (parseTql(`a.x EQ ${text}`) as { value: TqlLiteral }).value;
    expect(valueOf('42')).toEqual({ kind: 'number', value: 42, text: '42' });
    expect(valueOf('-3.5')).toEqual({ kind: 'number', value: -3.5, text: '-3.5' });
    expect(valueOf('007')).toEqual({ kind: 'number', value: 7, text: '007' });
    expect(valueOf('false')).toEqual({ kind: 'boolean', value: false });
    expect(valueOf('null')).toEqual({ kind: 'null' });
    expect(valueOf('2026-07-01')).toEqual({ kind: 'date', text: '2026-07-01' });
    expect(valueOf('2026-07-01T09:30:00Z')).toEqual({ kind: 'datetime', text: '2026-07-01T09:30:00Z' });
    expect(valueOf('2026-07-01T09:30:00+02:00')).toEqual({ kind: 'datetime', text: '2026-07-01T09:30:00+02:00' });
    expect(valueOf('2026-07-01T09:30:00.250-05:00')).toEqual({ kind: 'datetime', text: '2026-07-01T09:30:00.250-05:00' });
    expect(valueOf('2026-07-01T09:30:00')).toEqual(word('2026-07-01T09:30:00'));
    expect(valueOf('1e3')).toEqual(word('1e3'));
    expect(valueOf('"42"')).toEqual(string('42'));
    expect(valueOf('"null"')).toEqual(string('null'));
    expect(valueOf('john.smith@example.com')).toEqual(word('john.smith@example.com'));
  });

  describe('errors', () => {
    const cases: [source: string, message: string, position: number][] = [
      ['', 'empty filter', 1],
      [' ~ \n', 'empty filter', 1],
      ['agent.name == john', 'expected an operator (EQ, NOT_EQ, LIKE, NOT_LIKE, IN, NOT_IN, GT, GTE, LT, LTE) at 12, found "=="', 12],
      ['agent.name=john', 'expected an attribute (object.property) at 1, found "agent.name=john"', 1],
      ['agent.name', 'expected an operator (EQ, NOT_EQ, LIKE, NOT_LIKE, IN, NOT_IN, GT, GTE, LT, LTE) at 11, found end of filter', 11],
      ['agent.name EQ', 'expected a value at 14, found end of filter', 14],
      ['agent.name EQ (john)', 'expected a value at 15, found "("', 15],
      ['agent.name EQ "John Smith', 'unterminated string at 15', 15],
      ['agent.name EQ "John\\', 'unterminated string at 15', 15],
      ['agent.name EQ "a\\nb"', 'invalid escape at 17; inside quotes a backslash may only precede " or \\', 17],
      ['agent.name EQ john smith', 'expected AND, OR or end of filter at 20, found "smith"', 20],
      ['agent.name EQ a,b', 'expected AND, OR or end of filter at 16, found ","', 16],
      ['agent.name EQ john)', 'expected AND, OR or end of filter at 19, found ")"', 19],
      ['(agent.name EQ john', 'expected AND, OR or ")" at 20, found end of filter', 20],
      ['()', 'expected an attribute (object.property) at 2, found ")"', 2],
      ['agent.name EQ john AND', 'expected an attribute (object.property) at 23, found end of filter', 23],
      ['AND agent.name EQ john', 'expected an attribute (object.property) at 1, found "AND"', 1],
      ['"agent.name" EQ john', 'expected an attribute (object.property) at 1, found the quoted string "agent.name"', 1],
      ['agent.name EQ OR', 'expected a value at 15, found the keyword "OR"; quote it to use it as a value', 15],
      ['status IN NEW,', 'expected a value at 15, found end of filter', 15],
      ['status IN (NEW, SENT', 'expected "," or ")" at 21, found end of filter', 21],
      ['status IN ()', 'expected a value at 12, found ")"', 12],
      ['agent.name EQ john OR OR', 'expected an attribute (object.property) at 23, found "OR"', 23],
      ['émile EQ x', 'expected an attribute (object.property) at 1, found "émile"', 1],
      ['👋 AND', 'expected an attribute (object.property) at 1, found "👋"', 1],
      ['👋👋 a.x EQ "', 'unterminated string at 11', 11],
    ];
    it.each(cases)('rejects %j with "%s"', (source, message, position) => {
      const error = errorOf(() => parseTql(source));
      expect(error.message).toBe(message);
      expect(error.position).toBe(position);
    });

    it('says what was expected', () => {
      expect(errorOf(() => parseTql('agent.name == john')).expected).toBe(
        'an operator (EQ, NOT_EQ, LIKE, NOT_LIKE, IN, NOT_IN, GT, GTE, LT, LTE)',
      );
      expect(errorOf(() => parseTql('agent.name ==')).code).toBe('SYNTAX');
      expect(errorOf(() => parseTql(' ')).code).toBe('EMPTY_FILTER');
    });

    it(`refuses more than ${MAX_NESTING_DEPTH} levels of parentheses and NOT, at the first one too many`, () => {
      const allowed = `${'('.repeat(MAX_NESTING_DEPTH)}a.x EQ 1${')'.repeat(MAX_NESTING_DEPTH)}`;
      expect(parseTql(allowed)).toMatchObject({ attribute: 'a.x' });
      const parentheses = errorOf(() => parseTql('('.repeat(10_000)));
      expect(parentheses.message).toBe(`too deeply nested at ${MAX_NESTING_DEPTH + 1}; at most ${MAX_NESTING_DEPTH} levels of parentheses and NOT`);
      expect(parentheses.code).toBe('TOO_DEEPLY_NESTED');
      expect(errorOf(() => parseTql('NOT '.repeat(1000))).position).toBe(MAX_NESTING_DEPTH * 4 + 1);
      // Each `(NOT ` opens two levels, so the 65th level is the `(` of the 33rd repetition.
      expect(errorOf(() => parseTql('(NOT '.repeat(40))).position).toBe(32 * 5 + 1);
    });

    it('refuses filters longer than the limit before reading them', () => {
      const error = errorOf(() => parseTql(`a.x IN ${'1,'.repeat(10_000)}1`));
      expect(error.message).toBe('filter is longer than 16384 characters');
      expect(error.position).toBe(16_385);
      expect(parseTql(`a.x EQ "${'👋'.repeat(16_000)}"`)).toMatchObject({ attribute: 'a.x' });
    });
  });
});

describe('printTql', () => {
  it('prints canonical text, with the ~ separator on request', () => {
    const source = 'not (agent.name~like~"John Smith" or agent.role in admin,manager) and booking.starts_at gte 2026-07-01T09:30:00Z';
    const expression = parseTql(source);
    expect(printTql(expression)).toBe(
      'NOT (agent.name LIKE "John Smith" OR agent.role IN (admin, manager)) AND booking.starts_at GTE 2026-07-01T09:30:00Z',
    );
    expect(printTql(expression, { separator: '~' })).toBe(
      'NOT~(agent.name~LIKE~"John Smith"~OR~agent.role~IN~(admin,manager))~AND~booking.starts_at~GTE~2026-07-01T09:30:00Z',
    );
  });

  it('parenthesises AND inside OR for readability, and quotes strings and words that would read differently', () => {
    expect(printTql(parseTql('a.x EQ 1 OR b.x EQ 2 AND c.x EQ "x\\"y"'))).toBe('a.x EQ 1 OR (b.x EQ 2 AND c.x EQ "x\\"y")');
    expect(printTql(predicate('a.x', 'EQ', word('true')))).toBe('a.x EQ "true"');
    expect(printTql(predicate('a.x', 'EQ', word('and')))).toBe('a.x EQ "and"');
    expect(printTql(predicate('a.x', 'EQ', word('two words')))).toBe('a.x EQ "two words"');
  });

  it('reads back what it prints', () => {
    const source = 'a.x EQ "" OR NOT (b.y IN (1, "2", 2026-01-01) AND NOT c.z LIKE "*x*") OR d.w NOT_EQ null';
    const expression = parseTql(source);
    expect(printTql(parseTql(printTql(expression)))).toBe(printTql(expression));
  });

  it('refuses to print an attribute or literal that cannot be written', () => {
    expect(() => printTql(predicate('not an attribute', 'EQ', word('x')))).toThrow(RangeError);
    expect(() => printTql(predicate('a.x', 'EQ', { kind: 'number', value: 1, text: 'one' }))).toThrow(RangeError);
  });
});

describe('likePattern', () => {
  it('matches anywhere without *, and anchors the pattern when * appears', () => {
    expect(likePattern('john')).toEqual({ kind: 'contains', text: 'john' });
    expect(likePattern('john*')).toEqual({ kind: 'startsWith', text: 'john' });
    expect(likePattern('*smith')).toEqual({ kind: 'endsWith', text: 'smith' });
    expect(likePattern('*oh*')).toEqual({ kind: 'contains', text: 'oh' });
    expect(likePattern('j**n')).toEqual({ kind: 'pattern', segments: ['j', 'n'] });
    expect(likePattern('*a*b*')).toEqual({ kind: 'pattern', segments: ['', 'a', 'b', ''] });
    expect(likePattern('*')).toEqual({ kind: 'contains', text: '' });
  });

  it('reads \\* as a literal star', () => {
    expect(likePattern('5\\* hotel*')).toEqual({ kind: 'startsWith', text: '5* hotel' });
  });

  it('gives SQL the same pattern, with LIKE metacharacters escaped', () => {
    expect(sqlLikePattern(likePattern('50%_off'))).toBe('%50\\%\\_off%');
    expect(sqlLikePattern(likePattern('john*'))).toBe('john%');
    expect(sqlLikePattern(likePattern('*a*b'))).toBe('%a%b');
  });
});

describe('resolveTql', () => {
  it('canonicalises singular, plural, camelCase and alias attribute names', () => {
    for (const attribute of ['booking.starts_at', 'bookings.starts_at', 'booking.startsAt', 'Bookings.StartsAt']) {
      expect(resolveTql(`${attribute} GT 2026-07-01T09:30:00Z`, catalog)).toMatchObject({
        attribute: { name: 'booking.starts_at' },
        value: new Date('2026-07-01T09:30:00Z'),
      });
    }
    expect(resolveTql('schedulingRequests.status EQ NEW', catalog)).toMatchObject({ attribute: { name: 'scheduling_request.status' } });
    expect(resolveTql('appointment_types.durationMinutes LT 30', catalog)).toMatchObject({ value: 30 });
    expect(resolveTql('group.name EQ support', catalog)).toMatchObject({ attribute: { name: 'team.name' } });
  });

  it('resolves a whole filter', () => {
    expect(resolveTql('agents.name~LIKE~john* AND NOT (agent.active EQ false OR agent.role IN (admin, Manager))', catalog)).toEqual({
      kind: 'and',
      operands: [
        { kind: 'predicate', attribute: catalog[1], operator: 'LIKE', value: 'john*' },
        {
          kind: 'not',
          operand: {
            kind: 'or',
            operands: [
              { kind: 'predicate', attribute: catalog[3], operator: 'EQ', value: false },
              { kind: 'predicate', attribute: catalog[4], operator: 'IN', value: ['ADMIN', 'MANAGER'] },
            ],
          },
        },
      ],
    });
  });

  it('coerces by the attribute type, not by how the value was written', () => {
    const valueOf = (source: string) => (resolveTql(source, catalog) as { value: unknown }).value;
    expect(valueOf('agent.name EQ 42')).toBe('42');
    expect(valueOf('agent.name EQ 007')).toBe('007');
    expect(valueOf('agent.name EQ 2026-07-01')).toBe('2026-07-01');
    expect(valueOf('agent.name EQ true')).toBe('true');
    expect(valueOf('agent.name EQ "null"')).toBe('null');
    expect(valueOf('agent.id EQ 42')).toBe('42');
    expect(valueOf('appointment_type.duration_minutes EQ "45"')).toBe(45);
    expect(valueOf('appointment_type.duration_minutes GT -2.5')).toBe(-2.5);
    expect(valueOf('agent.active EQ "TRUE"')).toBe(true);
    expect(valueOf('booking.date EQ "2026-07-01"')).toBe('2026-07-01');
    expect(valueOf('booking.date EQ 2028-02-29')).toBe('2028-02-29');
    expect(valueOf('booking.starts_at EQ 2026-07-01T09:30:00+02:00')).toEqual(new Date('2026-07-01T07:30:00Z'));
    expect(valueOf('booking.starts_at EQ "2026-07-01t09:30:00.123456z"')).toEqual(new Date('2026-07-01T09:30:00.123Z'));
    expect(valueOf('booking.starts_at EQ 0001-01-01T00:00:00Z')).toEqual(new Date('0001-01-01T00:00:00Z'));
    expect(valueOf('booking.cancelled_at EQ null')).toBeNull();
    expect(valueOf('booking.cancelled_at NOT_EQ NULL')).toBeNull();
    expect(valueOf('booking.starts_at IN (2026-07-01T09:30:00Z)')).toEqual([new Date('2026-07-01T09:30:00Z')]);
  });

  it('canonicalises enum values to the listed spelling', () => {
    expect(resolveTql('scheduling_request.status IN new,"Sent",SCHEDULED', catalog)).toMatchObject({ value: ['NEW', 'SENT', 'SCHEDULED'] });
  });

  describe('errors', () => {
    const cases: [source: string, message: string, position: number, code: TqlError['code']][] = [
      ['agent.nmae EQ john', 'unknown attribute "agent.nmae" at 1, did you mean "agent.name"?', 1, 'UNKNOWN_ATTRIBUTE'],
      ['agent.active EQ true AND agents.emial EQ x', 'unknown attribute "agents.emial" at 26, did you mean "agent.email"?', 26, 'UNKNOWN_ATTRIBUTE'],
      ['bookng.startsAt EQ x', 'unknown attribute "bookng.startsAt" at 1, did you mean "booking.starts_at"?', 1, 'UNKNOWN_ATTRIBUTE'],
      ['agent.salary GT 100', 'unknown attribute "agent.salary" at 1; agent has id, name, email, active, role', 1, 'UNKNOWN_ATTRIBUTE'],
      ['invoice.total GT 100', 'unknown attribute "invoice.total" at 1', 1, 'UNKNOWN_ATTRIBUTE'],
      ['booking.starts_at LIKE 2026', 'LIKE is not supported for booking.starts_at at 1; use EQ, NOT_EQ, GT, GTE, LT, LTE, IN, NOT_IN', 1, 'UNSUPPORTED_OPERATOR'],
      ['agent.active GT false', 'GT is not supported for agent.active at 1; use EQ, NOT_EQ', 1, 'UNSUPPORTED_OPERATOR'],
      ['team.name IN a,b', 'IN is not supported for team.name at 1; use EQ, LIKE', 1, 'UNSUPPORTED_OPERATOR'],
      ['booking.starts_at EQ tomorrow', 'expected a date-time for booking.starts_at at 1, found "tomorrow"', 1, 'INVALID_VALUE'],
      ['booking.starts_at EQ 2026-07-01', 'expected a date-time for booking.starts_at at 1, found "2026-07-01"', 1, 'INVALID_VALUE'],
      ['booking.starts_at EQ 2026-07-01T24:00:00Z', 'expected a date-time for booking.starts_at at 1, found "2026-07-01T24:00:00Z"', 1, 'INVALID_VALUE'],
      ['booking.date EQ 2026-02-29', 'expected a date for booking.date at 1, found "2026-02-29"', 1, 'INVALID_VALUE'],
      ['booking.date GT 2026-13-01', 'expected a date for booking.date at 1, found "2026-13-01"', 1, 'INVALID_VALUE'],
      ['appointment_type.duration_minutes EQ ten', 'expected a number for appointment_type.duration_minutes at 1, found "ten"', 1, 'INVALID_VALUE'],
      ['agent.active EQ yes', 'expected true or false for agent.active at 1, found "yes"', 1, 'INVALID_VALUE'],
      ['agent.id EQ ""', 'expected an id for agent.id at 1, found ""', 1, 'INVALID_VALUE'],
      [
        'scheduling_request.status IN NEW,SENDING',
        'expected one of NEW, SENT, SCHEDULED, CANCELLED, CLOSED for scheduling_request.status at 1, found "SENDING"',
        1,
        'INVALID_VALUE',
      ],
      ['agent.name EQ null', 'null is not allowed for agent.name at 1; it is never null', 1, 'INVALID_VALUE'],
      ['booking.cancelled_at GT null', 'GT does not accept null for booking.cancelled_at at 1; use EQ null or NOT_EQ null', 1, 'INVALID_VALUE'],
      ['agent.email IN (a, null)', 'IN does not accept null for agent.email at 1; use EQ null or NOT_EQ null', 1, 'INVALID_VALUE'],
    ];
    it.each(cases)('rejects %j with "%s"', (source, message, position, code) => {
      const error = errorOf(() => resolveTql(source, catalog));
      expect(error.message).toBe(message);
      expect(error.position).toBe(position);
      expect(error.code).toBe(code);
    });

    it('offers the suggestion and the expected format as fields', () => {
      expect(errorOf(() => resolveTql('agent.nmae EQ john', catalog)).suggestion).toBe('agent.name');
      expect(errorOf(() => resolveTql('booking.starts_at EQ tomorrow', catalog)).expected).toBe(
        'a date-time with a zone such as 2026-07-01T09:30:00Z or 2026-07-01T09:30:00+02:00',
      );
    });

    it('reports syntax errors before any attribute is looked up', () => {
      expect(errorOf(() => resolveTql('agent.nmae == john', catalog)).code).toBe('SYNTAX');
    });
  });
});

describe('describeCatalog', () => {
  it('lists each attribute with its type and operators', () => {
    const description = describeCatalog(catalog);
    expect(description).toContain("- `agent.name` (string): EQ, NOT_EQ, LIKE, NOT_LIKE, IN, NOT_IN — The agent's display name.");
    expect(description).toContain('- `agent.role` (enum: ADMIN, MANAGER, AGENT): EQ, NOT_EQ, IN, NOT_IN');
    expect(description).toContain('- `booking.cancelled_at` (datetime, nullable): EQ, NOT_EQ, GT, GTE, LT, LTE, IN, NOT_IN');
    expect(description).toContain('- `team.name` (string): EQ, LIKE');
  });
});
