/**
 * TQL, the TimeZest Query Language (https://developer.timezest.com/tql): filters such as
 * `agent.name~LIKE~john AND (scheduling_request.status IN NEW,SENT OR NOT booking.starts_at LT 2026-07-01)`.
 *
 * This module only reads and writes the text. It keeps each value's lexical kind (a bare word, a quoted
 * string, a number, a date…) so that `tql-attributes.ts` can coerce it against the attribute's type:
 * a bare `42` compared with a string attribute is the string "42", not a number.
 *
 * Grammar, loosest binding first (so `NOT a AND b OR c` is `((NOT a) AND b) OR c`):
 *
 *     filter    := or
 *     or        := and (OR and)*
 *     and       := unary (AND unary)*
 *     unary     := NOT unary | '(' or ')' | predicate
 *     predicate := attribute operator value        value is a list for IN and NOT_IN:
 *     list      := '(' literal (',' literal)* ')' | literal (',' literal)*
 *
 * Tokens are separated by any run of whitespace and `~` (TimeZest's URL form `agent.name~LIKE~john`);
 * `(`, `)`, `,` and `"` also end a bare word. Keywords, operators, `true`, `false` and `null` are
 * case-insensitive. A quoted string is always a string; inside it only `\"` and `\\` are escapes, so
 * printing and parsing agree on every string. Positions are 1-based columns counted in code points.
 */
import { escapeLike } from './like.ts';

export type TqlOperator = 'EQ' | 'NOT_EQ' | 'LIKE' | 'NOT_LIKE' | 'IN' | 'NOT_IN' | 'GT' | 'GTE' | 'LT' | 'LTE';

export const TQL_OPERATORS: readonly TqlOperator[] = ['EQ', 'NOT_EQ', 'LIKE', 'NOT_LIKE', 'IN', 'NOT_IN', 'GT', 'GTE', 'LT', 'LTE'];

export type TqlLiteral =
  | { kind: 'word' | 'string'; text: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; text: string }
  | { kind: 'datetime'; text: string };

export type TqlExpression =
  | { kind: 'predicate'; attribute: string; operator: TqlOperator; value: TqlLiteral | TqlLiteral[]; position: number }
  | { kind: 'and' | 'or'; operands: TqlExpression[] }
  | { kind: 'not'; operand: TqlExpression };

export type TqlErrorCode =
  | 'EMPTY_FILTER'
  | 'FILTER_TOO_LONG'
  | 'TOO_DEEPLY_NESTED'
  | 'SYNTAX'
  | 'UNKNOWN_ATTRIBUTE'
  | 'UNSUPPORTED_OPERATOR'
  | 'INVALID_VALUE';

export class TqlError extends Error {
  override readonly name = 'TqlError';
  readonly code: TqlErrorCode;
  /** 1-based column: of the offending token for syntax errors, of the predicate's attribute otherwise. */
  readonly position: number;
  /** What would have been accepted there, e.g. `an operator (EQ, NOT_EQ, …)`. */
  readonly expected?: string;
  /** For an unknown attribute, the canonical name it is most likely a misspelling of. */
  readonly suggestion?: string;

  constructor(
    code: TqlErrorCode,
    message: string,
    position: number,
    details: { expected?: string; suggestion?: string } = {},
  ) {
    super(message);
    this.code = code;
    this.position = position;
    if (details.expected !== undefined) this.expected = details.expected;
    if (details.suggestion !== undefined) this.suggestion = details.suggestion;
  }
}

/** Longer filters are refused before lexing, so no input can make parsing or error reporting slow. */
export const MAX_FILTER_LENGTH = 16_384;
/** Parentheses and NOTs together; bounds the parser's recursion far below the stack limit. */
export const MAX_NESTING_DEPTH = 64;

export const isListOperator = (operator: TqlOperator): operator is 'IN' | 'NOT_IN' =>
  operator === 'IN' || operator === 'NOT_IN';

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;
const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
// Without the `u` flag, `i` never folds non-ASCII letters onto ASCII ones, so `lıke` is not LIKE.
const KEYWORD = /^(?:AND|OR|NOT)$/i;
const OPERATOR = /^(?:EQ|NOT_EQ|LIKE|NOT_LIKE|IN|NOT_IN|GT|GTE|LT|LTE)$/i;
const BOOLEAN = /^(?:true|false)$/i;
const NULL = /^null$/i;
const SEPARATOR = /[\s~]/;
const WORD_END = /[\s~(),"]/;

const OPERATOR_LIST = TQL_OPERATORS.join(', ');
const EXPECTED_OPERATOR = `an operator (${OPERATOR_LIST})`;
const EXPECTED_ATTRIBUTE = 'an attribute (object.property)';

/** The literal a bare word stands for: a number, date, date-time, boolean or null when it has that form. */
export function literalFromWord(text: string): TqlLiteral {
  if (NUMBER.test(text)) return { kind: 'number', value: Number(text), text };
  if (DATE.test(text)) return { kind: 'date', text };
  if (DATE_TIME.test(text)) return { kind: 'datetime', text };
  if (BOOLEAN.test(text)) return { kind: 'boolean', value: text.toLowerCase() === 'true' };
  if (NULL.test(text)) return { kind: 'null' };
  return { kind: 'word', text };
}

/** Whether `text` can be written unquoted and still read back as the same word. */
export function isBareWord(text: string): boolean {
  return text !== '' && !Array.from(text).some((char) => WORD_END.test(char)) && !KEYWORD.test(text)
    && literalFromWord(text).kind === 'word';
}

type Token =
  | { type: 'word' | 'string'; text: string; position: number }
  | { type: '(' | ')' | ','; position: number }
  | { type: 'end'; position: number };

function tokenize(source: string): Token[] {
  const chars = Array.from(source);
  const tokens: Token[] = [];
  let index = 0;
  while (index < chars.length) {
    const char = chars[index]!;
    const position = index + 1;
    if (SEPARATOR.test(char)) {
      index += 1;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ type: char, position });
      index += 1;
    } else if (char === '"') {
      let text = '';
      index += 1;
      for (;;) {
        const next = chars[index];
        if (next === undefined) throw new TqlError('SYNTAX', `unterminated string at ${position}`, position, { expected: '"' });
        index += 1;
        if (next === '"') break;
        if (next === '\\') {
          const escaped = chars[index];
          if (escaped === undefined) throw new TqlError('SYNTAX', `unterminated string at ${position}`, position, { expected: '"' });
          if (escaped !== '"' && escaped !== '\\') {
            throw new TqlError(
              'SYNTAX',
              `invalid escape at ${index}; inside quotes a backslash may only precede " or \\`,
              index,
              { expected: '\\" or \\\\' },
            );
          }
          text += escaped;
          index += 1;
        } else {
          text += next;
        }
      }
      tokens.push({ type: 'string', text, position });
    } else {
      const start = index;
      while (index < chars.length && !WORD_END.test(chars[index]!)) index += 1;
      tokens.push({ type: 'word', text: chars.slice(start, index).join(''), position });
    }
  }
  tokens.push({ type: 'end', position: chars.length + 1 });
  return tokens;
}

const quote = (text: string) => `"${text.replace(/[\\"]/g, '\\$&')}"`;

function describeToken(token: Token): string {
  const shown = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  switch (token.type) {
    case 'end':
      return 'end of filter';
    case 'word':
      return shown(token.text);
    case 'string':
      return `the quoted string ${shown(token.text)}`;
    default:
      return `"${token.type}"`;
  }
}

const syntaxError = (token: Token, expected: string) =>
  new TqlError('SYNTAX', `expected ${expected} at ${token.position}, found ${describeToken(token)}`, token.position, { expected });

function combine(kind: 'and' | 'or', operands: TqlExpression[]): TqlExpression {
  if (operands.length === 1) return operands[0]!;
  return { kind, operands: operands.flatMap((operand) => (operand.kind === kind ? operand.operands : [operand])) };
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parseFilter(): TqlExpression {
    const expression = this.parseOr();
    const next = this.peek();
    if (next.type !== 'end') throw syntaxError(next, 'AND, OR or end of filter');
    return expression;
  }

  private peek(): Token {
    return this.tokens[this.index] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  private atKeyword(keyword: 'AND' | 'OR' | 'NOT'): boolean {
    const token = this.peek();
    return token.type === 'word' && token.text.toUpperCase() === keyword && KEYWORD.test(token.text);
  }

  private nested<T>(token: Token, parse: () => T): T {
    if (this.depth >= MAX_NESTING_DEPTH) {
      throw new TqlError(
        'TOO_DEEPLY_NESTED',
        `too deeply nested at ${token.position}; at most ${MAX_NESTING_DEPTH} levels of parentheses and NOT`,
        token.position,
      );
    }
    this.depth += 1;
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private parseOr(): TqlExpression {
    const operands = [this.parseAnd()];
    while (this.atKeyword('OR')) {
      this.next();
      operands.push(this.parseAnd());
    }
    return combine('or', operands);
  }

  private parseAnd(): TqlExpression {
    const operands = [this.parseUnary()];
    while (this.atKeyword('AND')) {
      this.next();
      operands.push(this.parseUnary());
    }
    return combine('and', operands);
  }

  private parseUnary(): TqlExpression {
    const token = this.peek();
    if (this.atKeyword('NOT')) {
      return this.nested(token, () => {
        this.next();
        return { kind: 'not', operand: this.parseUnary() };
      });
    }
    if (token.type === '(') {
      return this.nested(token, () => {
        this.next();
        const inner = this.parseOr();
        const close = this.next();
        if (close.type !== ')') throw syntaxError(close, 'AND, OR or ")"');
        return inner;
      });
    }
    return this.parsePredicate();
  }

  private parsePredicate(): TqlExpression {
    const attribute = this.next();
    if (attribute.type !== 'word' || !ATTRIBUTE.test(attribute.text) || KEYWORD.test(attribute.text)) {
      throw syntaxError(attribute, EXPECTED_ATTRIBUTE);
    }
    const operatorToken = this.next();
    if (operatorToken.type !== 'word' || !OPERATOR.test(operatorToken.text)) throw syntaxError(operatorToken, EXPECTED_OPERATOR);
    const operator = operatorToken.text.toUpperCase() as TqlOperator;
    const value = isListOperator(operator) ? this.parseList() : this.parseLiteral();
    return { kind: 'predicate', attribute: attribute.text, operator, value, position: attribute.position };
  }

  private parseList(): TqlLiteral[] {
    const parenthesised = this.peek().type === '(';
    if (parenthesised) this.next();
    const members = [this.parseLiteral()];
    while (this.peek().type === ',') {
      this.next();
      members.push(this.parseLiteral());
    }
    if (parenthesised) {
      const close = this.next();
      if (close.type !== ')') throw syntaxError(close, '"," or ")"');
    }
    return members;
  }

  private parseLiteral(): TqlLiteral {
    const token = this.next();
    if (token.type === 'string') return { kind: 'string', text: token.text };
    if (token.type !== 'word') throw syntaxError(token, 'a value');
    if (KEYWORD.test(token.text)) {
      throw new TqlError(
        'SYNTAX',
        `expected a value at ${token.position}, found the keyword ${describeToken(token)}; quote it to use it as a value`,
        token.position,
        { expected: 'a value' },
      );
    }
    return literalFromWord(token.text);
  }
}

/** Counts code points, like positions do, but stops at the limit so a huge input costs no more than a long one. */
function longerThanLimit(source: string): boolean {
  if (source.length <= MAX_FILTER_LENGTH) return false;
  let count = 0;
  for (const _ of source) {
    count += 1;
    if (count > MAX_FILTER_LENGTH) return true;
  }
  return false;
}

/** Parses a filter; throws `TqlError` (and nothing else) for any text that is not one. */
export function parseTql(source: string): TqlExpression {
  if (longerThanLimit(source)) {
    throw new TqlError('FILTER_TOO_LONG', `filter is longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH + 1);
  }
  const tokens = tokenize(source);
  if (tokens.length === 1) throw new TqlError('EMPTY_FILTER', 'empty filter', 1);
  return new Parser(tokens).parseFilter();
}

function printLiteral(literal: TqlLiteral): string {
  switch (literal.kind) {
    case 'word':
      return isBareWord(literal.text) ? literal.text : quote(literal.text);
    case 'string':
      return quote(literal.text);
    case 'boolean':
      return String(literal.value);
    case 'null':
      return 'null';
    default:
      // Numbers, dates and date-times print their source text, which must still read back as the same kind.
      if (literalFromWord(literal.text).kind !== literal.kind) {
        throw new RangeError(`cannot print ${JSON.stringify(literal.text)} as a TQL ${literal.kind}`);
      }
      return literal.text;
  }
}

export interface PrintTqlOptions {
  /** `~` gives TimeZest's URL form, `agent.name~LIKE~john`; the default is a space. */
  separator?: ' ' | '~';
}

/**
 * Canonical text for a filter: operators and keywords upper-case, IN lists parenthesised, AND groups inside OR
 * parenthesised for readability. `parseTql(printTql(e))` equals `normalizeTql(e)` apart from positions.
 */
export function printTql(expression: TqlExpression, options: PrintTqlOptions = {}): string {
  const separator = options.separator ?? ' ';
  const print = (node: TqlExpression): string => {
    switch (node.kind) {
      case 'predicate': {
        if (!ATTRIBUTE.test(node.attribute) || KEYWORD.test(node.attribute)) {
          throw new RangeError(`cannot print ${JSON.stringify(node.attribute)} as a TQL attribute`);
        }
        const value = Array.isArray(node.value)
          ? `(${node.value.map(printLiteral).join(separator === ' ' ? ', ' : ',')})`
          : printLiteral(node.value);
        return [node.attribute, node.operator, value].join(separator);
      }
      case 'not': {
        const operand = print(node.operand);
        return `NOT${separator}${isGroup(node.operand) ? `(${operand})` : operand}`;
      }
      default: {
        if (node.operands.length === 0) throw new RangeError(`cannot print an empty ${node.kind.toUpperCase()}`);
        const keyword = `${separator}${node.kind.toUpperCase()}${separator}`;
        return node.operands
          .map((operand) => (isGroup(operand) && operand.kind !== node.kind ? `(${print(operand)})` : print(operand)))
          .join(keyword);
      }
    }
  };
  return print(normalizeTql(expression));
}

const isGroup = (expression: TqlExpression) => expression.kind === 'and' || expression.kind === 'or';

/**
 * The expression `parseTql` would produce for the same meaning: nested ANDs (ORs) flattened, single-operand
 * groups unwrapped, and words that cannot stand unquoted turned into strings.
 */
export function normalizeTql(expression: TqlExpression): TqlExpression {
  switch (expression.kind) {
    case 'predicate': {
      const normalizeLiteral = (literal: TqlLiteral): TqlLiteral =>
        literal.kind === 'word' && !isBareWord(literal.text) ? { kind: 'string', text: literal.text } : literal;
      const value = Array.isArray(expression.value) ? expression.value.map(normalizeLiteral) : normalizeLiteral(expression.value);
      return { ...expression, value };
    }
    case 'not':
      return { kind: 'not', operand: normalizeTql(expression.operand) };
    default:
      return combine(expression.kind, expression.operands.map(normalizeTql));
  }
}

/**
 * How a LIKE value matches, so the Prisma and SQL compilers agree. Matching is always case-insensitive.
 * Without `*` the value matches anywhere in the text (TimeZest's "contains"). With a `*` the value is
 * anchored and `*` matches any run of characters: `john*` starts with john, `*smith` ends with smith,
 * `*jo*` contains jo, `j*n` starts with j and ends with n. `\*` is a literal star and `\\` a backslash.
 */
export type LikePattern =
  | { kind: 'contains' | 'startsWith' | 'endsWith'; text: string }
  /** Anchored at both ends; `*` between consecutive segments. An empty first (last) segment leaves that end open. */
  | { kind: 'pattern'; segments: string[] };

export function likePattern(value: string): LikePattern {
  const segments: string[] = [''];
  const chars = Array.from(value);
  for (let index = 0; index < chars.length; index += 1) {
    const char = chars[index]!;
    const following = chars[index + 1];
    if (char === '\\' && (following === '*' || following === '\\')) {
      segments[segments.length - 1] += following;
      index += 1;
    } else if (char === '*') {
      if (segments[segments.length - 1] !== '' || segments.length === 1) segments.push('');
    } else {
      segments[segments.length - 1] += char;
    }
  }
  if (segments.length === 1) return { kind: 'contains', text: segments[0]! };
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const inner = segments.slice(1, -1);
  if (inner.length === 0) {
    if (first === '') return last === '' ? { kind: 'contains', text: '' } : { kind: 'endsWith', text: last };
    if (last === '') return { kind: 'startsWith', text: first };
  }
  if (inner.length === 1 && first === '' && last === '') return { kind: 'contains', text: inner[0]! };
  return { kind: 'pattern', segments };
}

/** The pattern for `ILIKE … ESCAPE '\'`, with `%`, `_` and `\` in the value escaped. */
export function sqlLikePattern(pattern: LikePattern): string {
  switch (pattern.kind) {
    case 'contains':
      return `%${escapeLike(pattern.text)}%`;
    case 'startsWith':
      return `${escapeLike(pattern.text)}%`;
    case 'endsWith':
      return `%${escapeLike(pattern.text)}`;
    case 'pattern':
      return pattern.segments.map(escapeLike).join('%');
  }
}
