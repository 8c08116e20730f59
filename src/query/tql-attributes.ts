/**
 * The attributes a TQL filter may name, and the resolution of a parsed filter against them: attribute names
 * canonicalised, operators checked, and each literal coerced to the attribute's type by its text (so a bare
 * `42` is the string "42" for a string attribute and a quoted "2026-07-01" is a date for a date attribute).
 * Errors report the column of the predicate's attribute.
 */
import { isListOperator, parseTql, TqlError, type TqlExpression, type TqlLiteral, type TqlOperator } from './tql.ts';

export type AttributeType = 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'id' | 'enum';

export interface AttributeSpec {
  /** Canonical `object.property` in snake_case, e.g. `scheduling_request.status`. */
  name: string;
  type: AttributeType;
  /** Defaults to `defaultOperators(type)`. */
  operators?: readonly TqlOperator[];
  /** An enum's values in their canonical spelling; filters may use any case. */
  values?: readonly string[];
  /** Whether `EQ null` / `NOT_EQ null` are meaningful. */
  nullable?: boolean;
  description?: string;
  /** Further names accepted for the attribute, besides the plural object and camelCase property forms. */
  aliases?: readonly string[];
}

/** Dates are `YYYY-MM-DD` calendar-date strings (the compiler picks the zone); date-times are `Date`s. */
export type ResolvedValue = string | number | boolean | null | Date;

export type ResolvedFilter =
  | { kind: 'predicate'; attribute: AttributeSpec; operator: TqlOperator; value: ResolvedValue | ResolvedValue[] }
  | { kind: 'and' | 'or'; operands: ResolvedFilter[] }
  | { kind: 'not'; operand: ResolvedFilter };

const ORDERED: readonly TqlOperator[] = ['EQ', 'NOT_EQ', 'GT', 'GTE', 'LT', 'LTE', 'IN', 'NOT_IN'];
const DEFAULT_OPERATORS: Record<AttributeType, readonly TqlOperator[]> = {
  string: ['EQ', 'NOT_EQ', 'LIKE', 'NOT_LIKE', 'IN', 'NOT_IN'],
  number: ORDERED,
  date: ORDERED,
  datetime: ORDERED,
  boolean: ['EQ', 'NOT_EQ'],
  id: ['EQ', 'NOT_EQ', 'IN', 'NOT_IN'],
  enum: ['EQ', 'NOT_EQ', 'IN', 'NOT_IN'],
};

export const defaultOperators = (type: AttributeType): readonly TqlOperator[] => DEFAULT_OPERATORS[type];

export const operatorsOf = (spec: AttributeSpec): readonly TqlOperator[] => spec.operators ?? DEFAULT_OPERATORS[spec.type];

/** `Scheduling_Requests.startsAt` → `scheduling_requests.starts_at`: the form names are compared in. */
const attributeKey = (name: string) =>
  name.split('.').map((segment) => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()).join('.');

const pluralOf = (word: string) => {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
};

const objectOf = (name: string) => name.split('.')[0]!;

interface CatalogIndex {
  byKey: Map<string, AttributeSpec>;
  /** Singular and plural object keys → canonical object → its attributes. */
  objects: Map<string, AttributeSpec[]>;
}

const indexes = new WeakMap<readonly AttributeSpec[], CatalogIndex>();

function indexCatalog(catalog: readonly AttributeSpec[]): CatalogIndex {
  const cached = indexes.get(catalog);
  if (cached) return cached;
  const byKey = new Map<string, AttributeSpec>();
  const objects = new Map<string, AttributeSpec[]>();
  for (const spec of catalog) {
    const object = objectOf(spec.name);
    const [, ...property] = spec.name.split('.');
    const names = [spec.name, ...(spec.aliases ?? [])];
    if (property.length > 0) names.push([pluralOf(object), ...property].join('.'));
    for (const name of names) {
      const key = attributeKey(name);
      const existing = byKey.get(key);
      if (existing && existing !== spec) throw new Error(`TQL catalog: "${name}" names both ${existing.name} and ${spec.name}`);
      byKey.set(key, spec);
    }
    for (const key of new Set([attributeKey(object), attributeKey(pluralOf(object))])) {
      objects.set(key, [...(objects.get(key) ?? []), spec]);
    }
  }
  const index = { byKey, objects };
  indexes.set(catalog, index);
  return index;
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions, so `nmae` is one edit from `name`. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

const MAX_SUGGESTION_INPUT = 64;

function closestAttribute(key: string, index: CatalogIndex): AttributeSpec | undefined {
  if (key.length > MAX_SUGGESTION_INPUT) return undefined;
  const tolerance = Math.min(3, Math.max(1, Math.floor(key.length / 4)));
  let best: { spec: AttributeSpec; distance: number } | undefined;
  for (const [candidate, spec] of index.byKey) {
    const distance = editDistance(key, candidate);
    if (distance <= tolerance && (!best || distance < best.distance)) best = { spec, distance };
  }
  return best?.spec;
}

function unknownAttribute(attribute: string, position: number, index: CatalogIndex): TqlError {
  const key = attributeKey(attribute);
  const shown = JSON.stringify(attribute);
  const suggestion = closestAttribute(key, index);
  if (suggestion) {
    return new TqlError(
      'UNKNOWN_ATTRIBUTE',
      `unknown attribute ${shown} at ${position}, did you mean "${suggestion.name}"?`,
      position,
      { suggestion: suggestion.name },
    );
  }
  const siblings = index.objects.get(objectOf(key));
  const known = siblings
    ? `; ${objectOf(siblings[0]!.name)} has ${siblings.map((spec) => spec.name.slice(spec.name.indexOf('.') + 1)).join(', ')}`
    : '';
  return new TqlError('UNKNOWN_ATTRIBUTE', `unknown attribute ${shown} at ${position}${known}`, position);
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const BOOLEAN = /^(?:true|false)$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/i;

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

function calendarDate(text: string): string | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const days = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days ? text : undefined;
}

function instant(text: string): Date | undefined {
  const match = DATE_TIME.exec(text);
  if (!match || calendarDate(match[1]!) === undefined) return undefined;
  const [hour, minute, second] = [Number(match[2]), Number(match[3]), Number(match[4] ?? 0)];
  const [offsetHours, offsetMinutes] = [Number(match[7] ?? 0), Number(match[8] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const [year, month, day] = match[1]!.split('-').map(Number) as [number, number, number];
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number((match[5] ?? '').padEnd(3, '0').slice(0, 3)));
  const offsetSign = match[6] === '-' ? -1 : 1;
  return new Date(date.getTime() - offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000);
}

/** The text a literal was written with; what every coercion starts from. */
function textOf(literal: Exclude<TqlLiteral, { kind: 'null' }>): string {
  return literal.kind === 'boolean' ? String(literal.value) : literal.text;
}

function coerce(text: string, spec: AttributeSpec): ResolvedValue | undefined {
  switch (spec.type) {
    case 'string':
      return text;
    case 'id':
      return text === '' ? undefined : text;
    case 'number': {
      const value = Number(text);
      return NUMBER.test(text) && Number.isFinite(value) ? value : undefined;
    }
    case 'boolean':
      return BOOLEAN.test(text) ? text.toLowerCase() === 'true' : undefined;
    case 'date':
      return calendarDate(text);
    case 'datetime':
      return instant(text);
    case 'enum': {
      if (!spec.values) return text;
      const folded = text.toLowerCase();
      return spec.values.find((value) => value.toLowerCase() === folded);
    }
  }
}

function expectedValue(spec: AttributeSpec): { brief: string; detailed: string } {
  switch (spec.type) {
    case 'string':
      return { brief: 'a string', detailed: 'a string' };
    case 'id':
      return { brief: 'an id', detailed: 'a non-empty id' };
    case 'number':
      return { brief: 'a number', detailed: 'a number such as 42 or -3.5' };
    case 'boolean':
      return { brief: 'true or false', detailed: 'true or false' };
    case 'date':
      return { brief: 'a date', detailed: 'a date such as 2026-07-01' };
    case 'datetime':
      return { brief: 'a date-time', detailed: 'a date-time with a zone such as 2026-07-01T09:30:00Z or 2026-07-01T09:30:00+02:00' };
    case 'enum': {
      const values = `one of ${(spec.values ?? []).join(', ')}`;
      return { brief: values, detailed: values };
    }
  }
}

const showLiteral = (literal: TqlLiteral) => {
  switch (literal.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(literal.value);
    default:
      return JSON.stringify(literal.text.length > 40 ? `${literal.text.slice(0, 40)}…` : literal.text);
  }
};

function resolvePredicate(
  predicate: Extract<TqlExpression, { kind: 'predicate' }>,
  index: CatalogIndex,
): ResolvedFilter {
  const { operator, position } = predicate;
  const spec = index.byKey.get(attributeKey(predicate.attribute));
  if (!spec) throw unknownAttribute(predicate.attribute, position, index);
  const allowed = operatorsOf(spec);
  if (!allowed.includes(operator)) {
    throw new TqlError(
      'UNSUPPORTED_OPERATOR',
      `${operator} is not supported for ${spec.name} at ${position}; use ${allowed.join(', ')}`,
      position,
      { expected: allowed.join(', ') },
    );
  }

  const resolve = (literal: TqlLiteral): ResolvedValue => {
    if (literal.kind === 'null') {
      if (!spec.nullable) {
        throw new TqlError('INVALID_VALUE', `null is not allowed for ${spec.name} at ${position}; it is never null`, position);
      }
      if (operator !== 'EQ' && operator !== 'NOT_EQ') {
        throw new TqlError(
          'INVALID_VALUE',
          `${operator} does not accept null for ${spec.name} at ${position}; use EQ null or NOT_EQ null`,
          position,
        );
      }
      return null;
    }
    // A LIKE pattern is text whatever the attribute's type; `likePattern` reads it.
    const text = textOf(literal);
    const value = operator === 'LIKE' || operator === 'NOT_LIKE' ? text : coerce(text, spec);
    if (value === undefined) {
      const expected = expectedValue(spec);
      throw new TqlError(
        'INVALID_VALUE',
        `expected ${expected.brief} for ${spec.name} at ${position}, found ${showLiteral(literal)}`,
        position,
        { expected: expected.detailed },
      );
    }
    return value;
  };

  const literals = Array.isArray(predicate.value) ? predicate.value : [predicate.value];
  if (isListOperator(operator)) return { kind: 'predicate', attribute: spec, operator, value: literals.map(resolve) };
  if (literals.length !== 1) {
    throw new TqlError(
      'INVALID_VALUE',
      `${operator} takes a single value for ${spec.name} at ${position}; use IN or NOT_IN for a list`,
      position,
    );
  }
  return { kind: 'predicate', attribute: spec, operator, value: resolve(literals[0]!) };
}

/** Resolves an already parsed filter; throws `TqlError` for unknown attributes, operators and values. */
export function resolveTqlExpression(expression: TqlExpression, catalog: readonly AttributeSpec[]): ResolvedFilter {
  const index = indexCatalog(catalog);
  const resolve = (node: TqlExpression): ResolvedFilter => {
    switch (node.kind) {
      case 'predicate':
        return resolvePredicate(node, index);
      case 'not':
        return { kind: 'not', operand: resolve(node.operand) };
      default:
        return { kind: node.kind, operands: node.operands.map(resolve) };
    }
  };
  return resolve(expression);
}

/** Parses and resolves a filter. The catalog's index is built once per catalog array and cached. */
export function resolveTql(source: string, catalog: readonly AttributeSpec[]): ResolvedFilter {
  return resolveTqlExpression(parseTql(source), catalog);
}

/** A Markdown list of the attributes, their types and operators, for GraphQL field descriptions. */
export function describeCatalog(catalog: readonly AttributeSpec[]): string {
  const lines = catalog.map((spec) => {
    const type = spec.type === 'enum' && spec.values ? `enum: ${spec.values.join(', ')}` : spec.type;
    const nullable = spec.nullable ? ', nullable' : '';
    const description = spec.description ? ` — ${spec.description}` : '';
    return `- \`${spec.name}\` (${type}${nullable}): ${operatorsOf(spec).join(', ')}${description}`;
  });
  return [...lines, '', 'Objects may also be written in the plural (`agents.name`) and properties in camelCase (`startsAt`).'].join('\n');
}
